//! `#[mcp_server]`, `#[tool]`, `#[resource]` and `#[prompt]`: the generated `MCPServer`,
//! called directly (no transport), and the compile errors of code they refuse.

mod resources_prompts;
mod schemas;
mod servers;
mod tools;
mod ui;
