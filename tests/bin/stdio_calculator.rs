//! The test calculator served over stdio, for `stdio_process.rs` to run as a child process.
//! Logs go to stderr (`RUST_LOG` sets the level), never to stdout.

use integration_tests::servers::Calculator;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    mcp_runtime::serve_stdio(Calculator).await
}
