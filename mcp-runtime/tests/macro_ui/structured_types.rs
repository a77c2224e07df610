use mcp_runtime::{Json, mcp_server, tool};

struct Server;

#[derive(serde::Serialize)]
struct NoSchema;

#[mcp_server]
impl Server {
    #[tool(structured)]
    fn no_schema(&self) -> Result<NoSchema, String> {
        Ok(NoSchema)
    }

    #[tool]
    fn json_no_schema(&self) -> Json<NoSchema> {
        Json(NoSchema)
    }
}

fn main() {}
