//! The quickstart's calculator served over stdio: newline-delimited JSON-RPC on stdin and
//! stdout, the transport MCP clients use when they launch a server as a child process.
//!
//! ```text
//! cargo build --example stdio
//! printf '%s\n' \
//!   '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"sh","version":"1"}}}' \
//!   '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
//!   '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}' \
//!   | target/debug/examples/stdio
//! ```
//!
//! stdout carries only protocol messages; logs go to stderr (`RUST_LOG=debug` for more).

use mcp_runtime::{mcp_server, tool};

#[derive(Default)]
struct Calculator;

#[mcp_server(name = "calculator", version = "1.0.0")]
impl Calculator {
    /// Add two numbers.
    #[tool]
    async fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }

    /// Divide `a` by `b`; dividing by zero is a tool error, not a crash.
    #[tool(read_only)]
    fn divide(&self, a: f64, b: f64) -> Result<f64, String> {
        if b == 0.0 {
            Err("division by zero".into())
        } else {
            Ok(a / b)
        }
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs on stderr (the client may show them: warnings only unless RUST_LOG says more);
    // traces over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    let _telemetry =
        mcp_runtime::telemetry::init_from_env_with("warn").map_err(std::io::Error::other)?;
    mcp_runtime::serve_stdio(Calculator).await
}
