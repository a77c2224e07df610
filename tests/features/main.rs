//! What a client sees of the server's features over HTTP: resources, prompts, completions,
//! run-time tool changes, and requests a tool sends the client, from servers written by hand
//! and with the macros; and the start-up check of a hand-written server's MCP Apps.

mod apps;
mod context_requests;
mod hand_written;
mod with_macros;
