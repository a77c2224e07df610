use mcp_runtime::{mcp_server, tool};

struct Server;

#[mcp_server(nme = "x", version = 1, name = "a", name = "b")]
impl Server {
    #[tool(nam = "add", read_only = "yes", title)]
    fn add(&self) {}
}

fn main() {}
