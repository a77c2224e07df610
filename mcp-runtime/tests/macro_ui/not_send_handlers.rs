use std::rc::Rc;

use mcp_runtime::{mcp_server, prompt, resource};

struct Server;

async fn pause() {}

#[mcp_server]
impl Server {
    #[resource(uri = "test://{n}")]
    async fn held_resource(&self, n: i32) -> String {
        let held = Rc::new(n);
        pause().await;
        held.to_string()
    }

    #[prompt(complete(n = held_completion))]
    async fn held_prompt(&self, n: i32) -> String {
        let held = Rc::new(n);
        pause().await;
        held.to_string()
    }

    async fn held_completion(&self, value: &str) -> Vec<String> {
        let held = Rc::new(value.to_owned());
        pause().await;
        vec![held.to_string()]
    }
}

fn main() {}
