use mcp_runtime::{Args, mcp_server, tool};

struct Server;

struct NotDeserialize;

#[derive(serde::Deserialize)]
struct NoSchema;

struct NotAResult;

struct NotDisplay;

#[mcp_server]
impl Server {
    /// Each bad parameter is named once, at its type.
    #[tool]
    fn not_deserialize(&self, _value: NotDeserialize, _maybe: Option<NoSchema>) {}

    #[tool]
    fn no_schema(&self, _values: Vec<NoSchema>) {}

    #[tool]
    fn no_struct_schema(&self, _value: Args<NoSchema>) {}

    #[tool]
    fn not_a_result(&self) -> NotAResult {
        NotAResult
    }

    #[tool]
    fn error_not_display(&self) -> Result<i32, NotDisplay> {
        Ok(1)
    }

    /// `async` tools convert their future by another path; the errors are the same.
    #[tool]
    async fn async_not_a_result(&self) -> NotAResult {
        NotAResult
    }

    #[tool]
    async fn async_error_not_display(&self) -> Result<i32, NotDisplay> {
        Ok(1)
    }
}

fn main() {}
