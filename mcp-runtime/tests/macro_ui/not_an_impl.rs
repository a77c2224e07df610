use mcp_runtime::{MCPServer, mcp_server};

#[mcp_server]
struct Server;

#[mcp_server]
impl MCPServer for Server {}

#[mcp_server]
fn add(a: i32) -> i32 {
    a
}

fn main() {}
