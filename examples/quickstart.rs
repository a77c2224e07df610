//! A calculator served over Streamable HTTP.
//!
//! ```text
//! cargo run --example quickstart              # http://127.0.0.1:8000/mcp
//! cargo run --example quickstart 127.0.0.1:9000
//! ```

use mcp_runtime::{Mode, mcp_server, tool};

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

    /// Round `x` to `digits` decimal places (0 when omitted).
    #[tool]
    fn round(
        &self,
        x: f64,
        #[arg(description = "Decimal places to keep")] digits: Option<u32>,
    ) -> f64 {
        let factor = 10f64.powi(digits.unwrap_or(0).min(15) as i32);
        (x * factor).round() / factor
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs on stderr; traces over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (flushed when
    // the guard drops, after the server stopped).
    let _telemetry = mcp_runtime::telemetry::init_from_env().map_err(std::io::Error::other)?;
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    // Several nodes behind a load balancer share sessions through Redis (MCP_REDIS_URL).
    let config = examples::redis_from_env(Mode::Stateful.into()).await?;
    mcp_runtime::serve(Calculator, addr, config).await
}

#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;
    use serde_json::json;

    use super::Calculator;

    #[tokio::test]
    async fn adds_and_refuses_to_divide_by_zero() {
        // In process, no socket: once as a 2025-11-25 client, once as a 2026-07-28 one.
        for client in [
            TestClient::new(Calculator).await,
            TestClient::modern(Calculator).await,
        ] {
            let sum = client.call_tool("add", json!({"a": 2, "b": 3.5})).await;
            assert_eq!(sum.unwrap().content[0].as_text(), Some("5.5"));
            let divided = client.call_tool("divide", json!({"a": 1, "b": 0})).await;
            assert_eq!(divided.unwrap().is_error, Some(true));
            let unknown = client.call_tool("multiply", json!({})).await;
            assert_eq!(unknown.unwrap_err().code(), -32602);
        }
    }
}
