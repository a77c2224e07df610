use mcp_runtime::tool;

struct Server;

impl Server {
    #[tool(read_only)]
    fn add(&self, #[arg(description = "The first.")] a: i32, b: i32) -> i32 {
        a + b
    }
}

fn main() {}
