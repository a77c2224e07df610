#![doc = include_str!("../GUIDE.md")]

mod clip;
mod engine;
mod handler;
#[cfg(feature = "_metrics")]
pub mod metrics;
pub mod middleware;
pub mod protocol;
mod recover;
#[cfg(feature = "otel")]
pub mod telemetry;
pub mod testing;
mod transport;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// Crate-private parsers and checks for the fuzz targets (`fuzz/`). Not public API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzz;

pub use engine::Limits;
pub use engine::context::{Context, Elicitation};
pub use engine::principal::{BearerChallenge, Principal};
pub use engine::{
    BoxFuture, Cacheable, Composite, CompositeError, InvalidServer, LogLevel, MCPServer, PeerError,
    PromptDef, RegistrationError, RequestStateKey, RequestStateKeyError, ResourceDef, ServerConfig,
    ServerEvent, ServerHandle, Skills, TaskConfig, ToolDef, ToolFilter, UriVariables,
};
pub use handler::args::Args;
pub use handler::error::McpError;
pub use handler::scopes::RequiredScopes;
pub use handler::structured::Json;
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
///
/// The server may be generic, and keep its state behind `Arc`s or locks (tools take `&self`
/// and may run concurrently). One impl block of the type carries `#[mcp_server]`; the others
/// are plain, and its tools may call their methods. To split a server's tools across types,
/// put them together with [`Composite`]. Without `name` and `version`, they are
/// those of the crate that defines the server.
///
/// ```
/// use std::sync::Mutex;
///
/// use mcp_runtime::{mcp_server, tool, MCPServer};
///
/// trait Store: Send + Sync + 'static {
///     fn get(&self, key: &str) -> Option<String>;
/// }
///
/// struct KeyValue<S: Store> {
///     store: S,
///     reads: Mutex<u64>,
/// }
///
/// #[mcp_server]
/// impl<S: Store> KeyValue<S> {
///     /// Read a key.
///     #[tool(read_only)]
///     fn get(&self, key: String) -> Result<String, String> {
///         self.count_read();
///         self.store.get(&key).ok_or_else(|| format!("no key {key}"))
///     }
/// }
///
/// impl<S: Store> KeyValue<S> {
///     fn count_read(&self) {
///         *self.reads.lock().unwrap() += 1;
///     }
/// }
///
/// struct Empty;
/// impl Store for Empty {
///     fn get(&self, _: &str) -> Option<String> { None }
/// }
///
/// let server = KeyValue { store: Empty, reads: Mutex::new(0) };
/// assert_eq!(server.server_info().name, env!("CARGO_PKG_NAME"));
/// assert_eq!(server.tools()[0].name, "get");
/// ```
#[doc(inline)]
pub use mcp_macros::mcp_server;
/// A prompt: its arguments come from the method's parameters.
///
/// `T` parameters are required arguments and `Option<T>` optional ones; the client sends
/// strings, parsed with `FromStr` ([`FromArgument`](convert::FromArgument)), so `String`, numbers, `bool` and your
/// own `FromStr` types all work. A missing, unparsable or unknown argument is an
/// invalid-params error (-32602) naming it. A method may return `Vec<PromptMessage>`,
/// [`PromptMessage`], [`GetPromptResult`](protocol::GetPromptResult), a string (one user
/// message), [`Content`], or a `Result` of one of them whose error is `Into<McpError>` (see
/// [`IntoGetPromptResult`](convert::IntoGetPromptResult)). Completion methods are as for [`resource`].
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
/// error is `Into<McpError>` (see [`IntoReadResourceResult`](convert::IntoReadResourceResult)). Text and bytes carry the
/// resource's URI and its `mime_type`.
///
/// `resources/read` tries the fixed URIs first, then the templates in the order they are
/// written. A template parameter is parsed with `FromStr` (as `id: u32` below); a value that
/// does not parse means the URI does not match that template, so the next one is tried, and
/// when none matches the client gets "resource not found" (-32002).
///
/// A completion method, named by `complete(param = method)`, takes `&self`, the value typed
/// so far (`&str` or `String`), optionally the arguments already chosen
/// (`HashMap<String, String>`, see [`FromCompletionContext`](convert::FromCompletionContext)) and `ctx: Context`, in that
/// order; it may be `async`, and returns `Vec<String>` or another [`IntoCompletion`](convert::IntoCompletion).
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
///
/// # Input schemas
///
/// Each parameter is a property of the `inputSchema` (JSON Schema 2020-12, from
/// `schemars::JsonSchema`); its type must also be `serde::Deserialize`. An `Option<T>`
/// parameter is an optional `T`: not required, and not nullable either (strict clients reject
/// `["integer", "null"]`). A `null` the client sends anyway counts as left out, except for an
/// `Option<Option<T>>` parameter, which asks for `null` in the schema and tells it apart:
/// `None` left out, `Some(None)` null. Named types (structs, enums) go to the schema's
/// `$defs`; optional fields of structs are not nullable either.
///
/// # MCP Apps
///
/// `app = "ui://..."` links an interactive view that hosts render next to the tool's result
/// (the `io.modelcontextprotocol/ui` extension): an `#[resource(uri = "ui://...", app)]` of the
/// same impl block, which serves HTML as `text/html;profile=mcp-app` (a missing one is a compile
/// error). The tool still returns text, for clients that render no view; `visibility` says who
/// may call it.
///
/// ```
/// use mcp_runtime::{mcp_server, resource, tool, MCPServer};
///
/// struct Clock;
///
/// #[mcp_server]
/// impl Clock {
///     /// The time; hosts that render apps show a clock.
///     #[tool(app = "ui://clock/view.html")]
///     fn time(&self) -> &'static str {
///         "12:00"
///     }
///
///     /// Ticks the clock (for the view only).
///     #[tool(app = "ui://clock/view.html", visibility = ["app"])]
///     fn tick(&self) -> &'static str {
///         "12:01"
///     }
///
///     /// The clock.
///     #[resource(uri = "ui://clock/view.html", app(prefers_border = false))]
///     fn view(&self) -> &'static str {
///         "<!doctype html><p id=time>12:00</p>"
///     }
/// }
///
/// let tools = Clock.tools();
/// assert_eq!(tools[0].ui().unwrap().resource_uri.as_deref(), Some("ui://clock/view.html"));
/// assert_eq!(Clock.resources()[0].mime_type.as_deref(), Some("text/html;profile=mcp-app"));
/// assert_eq!(Clock.resources()[0].ui().unwrap().prefers_border, Some(false));
/// ```
///
/// # Tools whose future is not `Send`
///
/// Tools run on the server's worker threads, which move tasks between them, so a tool's future
/// must be `Send`. One that holds an `Rc`, a `RefCell` borrow or a `std` lock guard across an
/// `.await` is a compile error naming the tool and the value. Drop such values before the
/// `.await` (or use `Arc`, `tokio::sync::Mutex`), or mark the tool `#[tool(local)]`:
///
/// - it runs on a thread of the runtime's blocking pool, in a `LocalSet`, driven by the
///   server's runtime (multi-threaded or not): timers, I/O and `tokio::spawn` work as usual,
///   and `tokio::task::spawn_local` too (for tasks that end with the tool);
/// - on a clone of the server: `Self: Clone`, with the state that tools change behind an `Arc`
///   so that the clone shares it. Its arguments are parsed first, and moved to that thread;
/// - cancellation, progress, requests to the client and panics work as for any tool;
/// - each running call holds a thread of the blocking pool (512 by default): prefer `Send`
///   futures for tools that many clients call at once.
///
/// ```
/// use std::rc::Rc;
/// use std::sync::{Arc, Mutex};
///
/// use mcp_runtime::{mcp_server, tool, Context, MCPServer};
///
/// #[derive(Clone, Default)]
/// struct Notes {
///     notes: Arc<Mutex<Vec<String>>>,
/// }
///
/// #[mcp_server]
/// impl Notes {
///     /// Take a note.
///     #[tool(local)]
///     async fn note(&self, text: String) -> usize {
///         let draft = Rc::new(text); // not `Send`, and held across the `.await`
///         tokio::task::yield_now().await;
///         let mut notes = self.notes.lock().unwrap();
///         notes.push(draft.to_string());
///         notes.len()
///     }
/// }
///
/// # #[tokio::main] async fn main() {
/// let notes = Notes::default();
/// let arguments = serde_json::json!({"text": "buy milk"}).as_object().cloned();
/// let call = notes.call_tool("note", arguments.into(), Context::detached()).unwrap();
/// assert_eq!(call.await.content[0].as_text(), Some("1"));
/// assert_eq!(notes.notes.lock().unwrap().len(), 1); // the clone shares the `Arc`
/// # }
/// ```
#[doc(inline)]
pub use mcp_macros::tool;
pub use protocol::{CallToolResult, Content, PromptMessage, ResourceContents, ToolArguments};
pub use transport::http::StreamableHttp;
pub use transport::http::config::{HttpConfig, Mode, Security};
pub use transport::http::endpoint::EndpointService;
pub use transport::http::guard::{Admission, Guard};
pub use transport::http::serve::{serve, serve_listener, shutdown_signal};
pub use transport::stdio::{serve_io, serve_io_with, serve_stdio, serve_stdio_with};

/// The traits that turn a method's parameters and return value into MCP arguments and
/// results. The macros use them; their names show up in compile errors, each with a note
/// that says what to write instead.
pub mod convert {
    pub use crate::engine::context::elicitation_schema;
    pub use crate::handler::completion::{
        FromCompletionContext, FromCompletionValue, IntoCompletion,
    };
    pub use crate::handler::prompt::IntoGetPromptResult;
    pub use crate::handler::resource::{FromArgument, IntoReadResourceResult};
    pub use crate::handler::structured::{StructuredOutput, output_schema};
    pub use crate::handler::tool::IntoToolResult;
    pub use crate::handler::uri_template::{match_uri_template, uri_template_variables};
    pub use crate::protocol::NotAnObject;
}

/// Where state outlives a request: SSE events kept for resumption, tasks, and, for a server
/// run as several nodes, the sessions and the bus between nodes ([`Cluster`](store::Cluster)).
/// The in-memory stores are the defaults; implement the traits to keep them elsewhere (the
/// `mcp-redis` crate keeps them in Redis).
pub mod store {
    pub use crate::engine::cluster::{
        Bus, BusError, BusMessage, ClientAnswer, Cluster, Envelope, InMemorySessionStore, LocalBus,
        PrincipalRecord, SessionRecord, SessionStore, SessionStoreError,
    };
    pub use crate::engine::{InMemoryTaskStore, TaskCounts, TaskRecord, TaskStore, TaskStoreError};
    pub use crate::transport::http::session::{
        EventStore, EventStoreError, InMemoryEventStore, Replay, StoredEvent,
    };
}
