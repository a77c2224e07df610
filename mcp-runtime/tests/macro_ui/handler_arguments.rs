use mcp_runtime::{mcp_server, prompt, resource, tool};

struct Server;

#[mcp_server]
impl Server {
    #[resource(
        url = "test://a",
        mime = "text/plain",
        icon(src = "a.png", theme = "blue")
    )]
    fn no_uri(&self) -> String {
        String::new()
    }

    #[resource(uri = "test://c", audience = "everyone", priority = 2.0)]
    fn bad_annotations(&self) -> String {
        String::new()
    }

    #[prompt(uri = "test://b", complete(topic), complete = topics)]
    fn bad_prompt(&self, topic: String) -> String {
        topic
    }

    #[tool(structured = "yes", icon)]
    #[prompt]
    fn two_kinds(&self) -> i32 {
        1
    }
}

fn main() {}
