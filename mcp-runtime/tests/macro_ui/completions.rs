use mcp_runtime::{mcp_server, prompt, resource};

struct Server;

#[mcp_server]
impl Server {
    #[prompt(complete(topik = topics, style = missing))]
    fn write(&self, topic: String, style: Option<String>) -> String {
        format!("{topic} {style:?}")
    }

    #[resource(uri = "test://books/{id}", complete(book = topics, id = bad))]
    fn book(&self, id: u32) -> String {
        id.to_string()
    }

    fn topics(&self, value: &str) -> Vec<String> {
        vec![value.to_owned()]
    }

    fn bad(&mut self, _value: &str, _chosen: Vec<String>, _extra: u8) {}
}

fn main() {}
