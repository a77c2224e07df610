use mcp_runtime::{mcp_server, prompt};

struct Server;

#[mcp_server]
impl Server {
    #[prompt(complete(genre = wrong_types))]
    fn recommend(&self, genre: String) -> String {
        genre
    }

    fn wrong_types(&self, value: u32, _chosen: String) -> Vec<u32> {
        vec![value]
    }
}

fn main() {}
