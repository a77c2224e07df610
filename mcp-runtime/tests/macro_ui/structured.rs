use mcp_runtime::{mcp_server, tool};

struct Server;

#[mcp_server]
impl Server {
    #[tool(structured)]
    fn nothing(&self) {}
}

fn main() {}
