use mcp_runtime::{MCPServer, mcp_server, tool};

#[mcp_server]
struct Server;

// Only our error: the trait impl is kept, its tools moved out, and what it lacks stood in for,
// so the uses in `main` compile.
#[mcp_server]
impl MCPServer for Server {
    #[tool]
    fn add(&self, a: i32, b: i32) -> i32 {
        a + b
    }
}

#[mcp_server]
fn add(a: i32) -> i32 {
    a
}

#[mcp_server]
enum Mode {
    Fast,
}

fn main() {
    let _ = (Server.add(1, 2), Server.tools(), add(1), Mode::Fast);
}
