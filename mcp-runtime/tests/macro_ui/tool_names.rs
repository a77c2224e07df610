use mcp_runtime::{mcp_server, tool};

struct Server;

#[mcp_server]
impl Server {
    #[tool]
    fn add(&self) {}

    #[tool(name = "add")]
    fn plus(&self) {}

    #[tool(name = "add numbers")]
    fn sum(&self) {}

    #[tool]
    fn café(&self) {}
}

fn main() {}
