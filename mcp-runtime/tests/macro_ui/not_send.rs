use std::rc::Rc;

use mcp_runtime::{mcp_server, tool};

struct Server;

async fn pause() {}

#[mcp_server]
impl Server {
    #[tool]
    async fn bad(&self, n: i32) -> i32 {
        let held = Rc::new(n);
        pause().await;
        *held
    }
}

fn main() {}
