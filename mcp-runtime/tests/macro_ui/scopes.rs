use mcp_runtime::{mcp_server, prompt, tool};

struct Server;

#[mcp_server(scopes = "mcp:read")]
impl Server {
    /// A space separates two scopes: they are two strings.
    #[tool(scopes = ["notes read"])]
    fn read(&self) -> &'static str {
        "notes"
    }

    /// Not a string.
    #[tool(scopes = [admin, ""])]
    fn admin(&self) -> &'static str {
        "admin"
    }

    /// Prompts take scopes too.
    #[prompt(scopes = ["say\"hi"])]
    fn greet(&self) -> String {
        "hi".into()
    }
}

fn main() {}
