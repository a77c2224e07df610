//! Runnable MCP servers built with `mcp-runtime`; each is an `[[example]]` of this package:
//! `cargo run --example quickstart`.
