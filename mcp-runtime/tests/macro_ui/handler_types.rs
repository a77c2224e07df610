use mcp_runtime::{mcp_server, prompt, resource};

struct Server;

struct Page;

#[mcp_server]
impl Server {
    #[prompt]
    fn list_arg(&self, tags: Vec<String>) -> String {
        format!("{tags:?}")
    }

    #[prompt]
    fn not_messages(&self) -> u32 {
        1
    }

    #[resource(uri = "test://pages/{page}")]
    fn page(&self, page: Vec<u8>) -> Page {
        let _ = page;
        Page
    }

    #[resource(uri = "test://fails")]
    fn fails(&self) -> Result<String, std::fmt::Error> {
        Ok(String::new())
    }
}

fn main() {}
