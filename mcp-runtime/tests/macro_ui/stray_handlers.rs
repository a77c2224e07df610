use mcp_runtime::{prompt, resource};

struct Server;

impl Server {
    #[resource(uri = "test://a")]
    fn a(&self) -> String {
        String::new()
    }

    #[prompt]
    fn greet(
        &self,
        /// Who.
        who: String,
    ) -> String {
        who
    }
}

fn main() {}
