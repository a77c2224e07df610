use std::rc::Rc;

use mcp_runtime::{mcp_server, tool};

/// Not `Clone`: a local tool runs on a clone of the server.
struct Server;

async fn pause() {}

#[mcp_server]
impl Server {
    #[tool(local)]
    async fn held(&self, n: i32) -> i32 {
        let held = Rc::new(n);
        pause().await;
        *held
    }
}

fn main() {}
