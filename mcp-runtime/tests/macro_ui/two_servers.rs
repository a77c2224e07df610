use mcp_runtime::{mcp_server, tool};

struct Server;

#[mcp_server]
impl Server {
    #[tool]
    fn add(&self) {}
}

// One `#[mcp_server]` block per type: the others are plain `impl` blocks.
#[mcp_server]
impl Server {
    #[tool]
    fn sub(&self) {}
}

fn main() {}
