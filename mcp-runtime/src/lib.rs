//! Write MCP servers as plain Rust `impl` blocks.
//!
//! `#[mcp_server]` on an `impl` block and `#[tool]` on its methods generate the
//! [`MCPServer`] implementation: `tools/list` with JSON Schemas derived from the parameters,
//! doc comments as descriptions, and `tools/call` dispatch with argument validation.
//! [`serve`] runs it over Streamable HTTP.
//!
//! ```no_run
//! use mcp_runtime::{mcp_server, tool, Mode};
//!
//! #[derive(Default)]
//! struct Calculator;
//!
//! #[mcp_server(name = "calculator", version = "1.0.0")]
//! impl Calculator {
//!     /// Add two numbers.
//!     #[tool]
//!     fn add(&self, a: f64, b: f64) -> f64 {
//!         a + b
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     mcp_runtime::serve(Calculator, "127.0.0.1:8000", Mode::Stateful).await
//! }
//! ```

mod args;
mod config;
mod context;
mod error;
mod http;
pub mod protocol;
mod serve;
mod server;
mod session;
mod stdio;
mod tool;
mod uri_template;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use args::Args;
pub use config::{HttpConfig, Mode, Security};
pub use context::{Context, Elicitation, elicitation_schema};
pub use error::McpError;
pub use http::StreamableHttp;
pub use mcp_macros::{mcp_server, tool};
pub use protocol::{CallToolResult, Content, ResourceContents};
pub use serve::{serve, serve_listener, shutdown_signal};
pub use server::{
    Arguments, BoxFuture, Dispatcher, LogLevel, MCPServer, Peer, PeerError, RequestEnv,
    ServerEvent, ServerHandle,
};
pub use session::{
    EventStore, EventStoreError, InMemoryEventStore, Principal, Replay, StoredEvent,
};
pub use stdio::{serve_io, serve_stdio};
pub use tool::IntoToolResult;
pub use uri_template::{match_uri_template, uri_template_variables};
