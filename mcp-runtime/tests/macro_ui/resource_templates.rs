use mcp_runtime::{Context, mcp_server, resource};

struct Server;

#[mcp_server]
impl Server {
    /// A template whose `{part}` goes nowhere and whose `other` is not in it.
    #[resource(uri = "test://items/{id}/{part}")]
    fn item(&self, id: u32, other: String) -> String {
        format!("{id} {other}")
    }

    /// A fixed URI cannot take arguments.
    #[resource(uri = "test://fixed")]
    fn fixed(&self, id: u32) -> String {
        id.to_string()
    }

    /// Template parameters are always there, and have no descriptions.
    #[resource(uri = "test://o/{id}")]
    fn optional(
        &self,
        /// The id.
        id: Option<u32>,
        ctx: &Context,
    ) -> String {
        let _ = ctx;
        format!("{id:?}")
    }

    /// Not a template we can match.
    #[resource(uri = "test://{a}{b}")]
    fn adjacent(&self) -> String {
        String::new()
    }

    /// The same URI twice, and no contents.
    #[resource(uri = "test://fixed")]
    fn again(&self) {}
}

fn main() {}
