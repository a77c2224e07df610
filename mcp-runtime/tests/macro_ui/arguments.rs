use mcp_runtime::{mcp_server, tool};

struct Server;

#[mcp_server(nme = "x", version = 1, name = "a", name = "b")]
impl Server {
    #[tool(nam = "add", read_only = "yes", title)]
    fn add(&self) {}

    #[tool(name = 5, local(yes), structured = maybe)]
    fn values(&self, #[arg(desc = "x", name)] _a: i32, #[arg = "x"] _b: i32) {}

    #[tool = "sub"]
    fn sub(&self) {}
}

fn main() {}
