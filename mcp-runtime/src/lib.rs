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
mod completion;
mod config;
mod context;
mod error;
mod http;
mod prompt;
pub mod protocol;
mod resource;
mod serve;
mod server;
mod session;
mod stdio;
mod structured;
mod tool;
mod uri_template;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use args::Args;
pub use completion::{FromCompletionContext, FromCompletionValue, IntoCompletion};
pub use config::{HttpConfig, Mode, Security};
pub use context::{Context, Elicitation, elicitation_schema};
pub use error::McpError;
pub use http::StreamableHttp;
/// Turns an inherent `impl` block into an MCP server.
///
/// ```
/// use mcp_runtime::{mcp_server, tool, MCPServer};
///
/// struct Echo;
///
/// #[mcp_server(name = "echo", version = "1.0.0", instructions = "Says things back.")]
/// impl Echo {
///     /// Say it back.
///     #[tool]
///     fn echo(&self, text: String) -> String {
///         text
///     }
/// }
///
/// assert_eq!(Echo.server_info().name, "echo");
/// ```
#[doc(inline)]
pub use mcp_macros::mcp_server;
/// A prompt: its arguments come from the method's parameters.
///
/// `T` parameters are required arguments and `Option<T>` optional ones; the client sends
/// strings, parsed with `FromStr` ([`FromArgument`]), so `String`, numbers, `bool` and your
/// own `FromStr` types all work. A missing, unparsable or unknown argument is an
/// invalid-params error (-32602) naming it. A method may return `Vec<PromptMessage>`,
/// [`PromptMessage`], [`GetPromptResult`](protocol::GetPromptResult), a string (one user
/// message), [`Content`], or a `Result` of one of them whose error is `Into<McpError>` (see
/// [`IntoGetPromptResult`]). Completion methods are as for [`resource`].
///
/// ```
/// use std::collections::HashMap;
///
/// use mcp_runtime::{mcp_server, prompt, Content, MCPServer, PromptMessage};
/// use mcp_runtime::protocol::Role;
///
/// struct Writer;
///
/// #[mcp_server]
/// impl Writer {
///     /// Write a poem.
///     #[prompt(title = "Poem", complete(style = styles))]
///     fn poem(
///         &self,
///         /// What the poem is about.
///         topic: String,
///         #[arg(description = "haiku, sonnet...")] style: Option<String>,
///         #[arg(name = "maxLines")] max_lines: Option<u32>,
///     ) -> String {
///         let style = style.unwrap_or_else(|| "free verse".into());
///         format!("Write a {style} about {topic} in at most {} lines.", max_lines.unwrap_or(14))
///     }
///
///     /// Describe a picture.
///     #[prompt]
///     fn describe(&self, image_base64: String) -> Vec<PromptMessage> {
///         vec![
///             PromptMessage::new(Role::User, Content::image(image_base64, "image/png")),
///             PromptMessage::user("Describe the picture above."),
///         ]
///     }
///
///     async fn styles(&self, typed: String, chosen: HashMap<String, String>) -> Vec<String> {
///         let _topic = chosen.get("topic");
///         ["haiku", "sonnet", "limerick"]
///             .into_iter()
///             .filter(|s| s.starts_with(&typed))
///             .map(String::from)
///             .collect()
///     }
/// }
///
/// let prompts = Writer.prompts();
/// assert_eq!(prompts[0].arguments[2].name, "maxLines");
/// assert_eq!(prompts[0].arguments[2].required, Some(false));
/// ```
#[doc(inline)]
pub use mcp_macros::prompt;
/// A resource (a fixed URI) or a resource template (a URI with `{param}`s).
///
/// A method may return text (`String`, `&str`: a `text` part), bytes (`Vec<u8>`, `&[u8]`: a
/// base64 `blob` part), [`Json<T>`], [`ResourceContents`], `Vec<ResourceContents>`,
/// [`ReadResourceResult`](protocol::ReadResourceResult), or a `Result` of one of them whose
/// error is `Into<McpError>` (see [`IntoReadResourceResult`]). Text and bytes carry the
/// resource's URI and its `mime_type`.
///
/// `resources/read` tries the fixed URIs first, then the templates in the order they are
/// written. A template parameter is parsed with `FromStr` (as `id: u32` below); a value that
/// does not parse means the URI does not match that template, so the next one is tried, and
/// when none matches the client gets "resource not found" (-32002).
///
/// A completion method, named by `complete(param = method)`, takes `&self`, the value typed
/// so far (`&str` or `String`), optionally the arguments already chosen
/// (`HashMap<String, String>`, see [`FromCompletionContext`]) and `ctx: Context`, in that
/// order; it may be `async`, and returns `Vec<String>` or another [`IntoCompletion`].
///
/// ```
/// use mcp_runtime::{mcp_server, resource, Context, MCPServer, McpError};
///
/// struct Library;
///
/// #[mcp_server]
/// impl Library {
///     /// The list of books.
///     #[resource(uri = "library://catalogue", mime_type = "text/plain")]
///     fn catalogue(&self) -> &'static str {
///         "Dune\nEmma"
///     }
///
///     /// A book's cover.
///     #[resource(uri = "library://books/{id}/cover", mime_type = "image/png")]
///     async fn cover(&self, id: u32, ctx: Context) -> Result<Vec<u8>, McpError> {
///         if ctx.is_cancelled() || id == 0 {
///             return Err(McpError::resource_not_found(&format!("library://books/{id}/cover")));
///         }
///         Ok(vec![0x89, b'P', b'N', b'G'])
///     }
///
///     /// A book's text.
///     #[resource(uri = "library://books/{id}", complete(id = book_ids))]
///     fn book(&self, id: u32) -> String {
///         format!("The text of book {id}.")
///     }
///
///     fn book_ids(&self, typed: &str) -> Vec<String> {
///         (1..=20).map(|n| n.to_string()).filter(|n| n.starts_with(typed)).collect()
///     }
/// }
///
/// assert_eq!(Library.resources()[0].uri, "library://catalogue");
/// assert_eq!(Library.resource_templates()[1].uri_template, "library://books/{id}");
/// assert!(Library.read_resource("library://books/seven", Context::detached()).is_none());
/// assert!(Library.supports_completions());
/// ```
#[doc(inline)]
pub use mcp_macros::resource;
/// A tool: its arguments, JSON Schema and result all come from the method.
///
/// ```
/// use mcp_runtime::{mcp_server, tool, Json, MCPServer};
/// use schemars::JsonSchema;
/// use serde::Serialize;
///
/// #[derive(Serialize, JsonSchema)]
/// struct Quotient {
///     value: f64,
///     remainder: f64,
/// }
///
/// struct Calculator;
///
/// #[mcp_server]
/// impl Calculator {
///     /// Divide `a` by `b`; dividing by zero is a tool error (`isError: true`).
///     #[tool(read_only, title = "Divide", icon = "https://example.com/divide.svg")]
///     fn divide(
///         &self,
///         #[arg(description = "The dividend")] a: f64,
///         /// The divisor.
///         b: f64,
///     ) -> Result<Json<Quotient>, String> {
///         if b == 0.0 {
///             return Err("division by zero".into());
///         }
///         Ok(Json(Quotient { value: (a / b).trunc(), remainder: a % b }))
///     }
///
///     /// Count the words of `text`: structured content `{"result": n}`.
///     #[tool(structured)]
///     fn words(&self, text: String) -> usize {
///         text.split_whitespace().count()
///     }
/// }
///
/// let tools = Calculator.tools();
/// assert_eq!(tools[0].output_schema.as_ref().unwrap()["required"], serde_json::json!(["value", "remainder"]));
/// assert_eq!(tools[1].output_schema.as_ref().unwrap()["properties"]["result"]["type"], "integer");
/// ```
#[doc(inline)]
pub use mcp_macros::tool;
pub use prompt::IntoGetPromptResult;
pub use protocol::{CallToolResult, Content, PromptMessage, ResourceContents};
pub use resource::{FromArgument, IntoReadResourceResult};
pub use serve::{serve, serve_listener, shutdown_signal};
pub use server::{
    Arguments, BoxFuture, Cacheable, Dispatcher, InFlight, LogLevel, MCPServer, Peer, PeerError,
    RequestEnv, RequestStateKey, ServerEvent, ServerHandle,
};
pub use session::{
    EventStore, EventStoreError, InMemoryEventStore, Principal, Replay, StoredEvent,
};
pub use stdio::{serve_io, serve_stdio};
pub use structured::{Json, StructuredOutput, output_schema};
pub use tool::IntoToolResult;
pub use uri_template::{match_uri_template, uri_template_variables};
