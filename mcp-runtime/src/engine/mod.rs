//! The server side of MCP, independent of any transport: the [`MCPServer`] trait the macros
//! implement, what the server knows of its client ([`Peer`]) and the method dispatcher.

pub(crate) mod apps;
pub(crate) mod cluster;
mod composite;
mod config;
pub(crate) mod context;
pub(crate) mod dispatch;
mod handle;
pub(crate) mod input;
pub(crate) mod limits;
pub(crate) mod lists;
pub(crate) mod local;
pub(crate) mod metrics;
pub(crate) mod middleware;
pub(crate) mod outbound;
mod peer;
pub(crate) mod principal;
pub(crate) mod registry;
mod request_state;
pub(crate) mod skills;
pub(crate) mod tasks;
pub(crate) mod trace;

pub use crate::protocol::LogLevel;
pub use apps::InvalidServer;
pub use composite::{Composite, CompositeError};
pub use config::ServerConfig;
pub(crate) use dispatch::{Dispatcher, InFlight, RequestEnv};
pub use handle::{ServerEvent, ServerHandle};
pub use limits::Limits;
pub use peer::PeerError;
pub(crate) use peer::{Answer, NotBegun, Peer};
pub use registry::{PromptDef, RegistrationError, ResourceDef, ToolDef, ToolFilter, UriVariables};
pub use request_state::{RequestStateKey, RequestStateKeyError};
pub use skills::Skills;
pub use tasks::{InMemoryTaskStore, TaskConfig, TaskCounts, TaskRecord, TaskStore, TaskStoreError};
pub(crate) use trace::NetworkTransport;

pub(crate) use dispatch::{StatelessCall, unsupported_version};

use std::future::Future;
use std::pin::Pin;

use serde_json::{Map, Value};

use crate::engine::context::Context;
use crate::handler::arguments::ToolArguments;
use crate::handler::error::McpError;
use crate::handler::scopes::RequiredScopes;
use crate::protocol::{
    CacheHint, CallToolResult, CompleteParams, Completion, GetPromptResult, Implementation, Prompt,
    ReadResourceResult, Resource, ResourceTemplate, ServerCapabilities, Tool,
};

/// A boxed, `Send` future: what [`MCPServer`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An MCP server: what `#[mcp_server]` implements for your type.
///
/// You rarely implement it by hand; annotate an `impl` block instead:
///
/// ```
/// use mcp_runtime::{mcp_server, tool, MCPServer};
///
/// struct Echo;
///
/// #[mcp_server(name = "echo", version = "1.0.0")]
/// impl Echo {
///     /// Say it back.
///     #[tool]
///     fn echo(&self, text: String) -> String {
///         text
///     }
/// }
///
/// assert_eq!(Echo.server_info().name, "echo");
/// assert_eq!(Echo.tools()[0].name, "echo");
/// ```
pub trait MCPServer: Send + Sync + 'static {
    /// The server's name and version, sent in the `initialize` result.
    fn server_info(&self) -> Implementation;

    /// Usage hints for the model, sent in the `initialize` result.
    fn instructions(&self) -> Option<String> {
        None
    }

    /// What the server supports. `None` (the default) derives it from what the server has:
    /// tools, resources, prompts and completions when it has some, and logging always.
    fn capabilities(&self) -> Option<ServerCapabilities> {
        None
    }

    /// The tools, as `tools/list` shows them. Called once when the server starts.
    fn tools(&self) -> Vec<Tool>;

    /// Calls the tool `name`, or returns `None` when there is no such tool.
    ///
    /// Arguments that do not fit the tool's parameters give a result with `isError: true`
    /// naming the argument, so the model can correct itself. `arguments` is the JSON object
    /// the client sent, unparsed; a hand-written server reads it with
    /// [`ToolArguments::to_map`] or deserializes [`ToolArguments::raw`] into its own type.
    fn call_tool<'a>(
        &'a self,
        name: &str,
        arguments: ToolArguments,
        ctx: Context,
    ) -> Option<BoxFuture<'a, CallToolResult>>;

    /// The fixed resources, as `resources/list` shows them. Called once at start.
    fn resources(&self) -> Vec<Resource> {
        Vec::new()
    }

    /// The resource templates, as `resources/templates/list` shows them. Called once at start.
    fn resource_templates(&self) -> Vec<ResourceTemplate> {
        Vec::new()
    }

    /// Reads the resource at `uri`, or returns `None` when no resource or template matches
    /// (the client then gets "resource not found").
    fn read_resource<'a>(
        &'a self,
        uri: &str,
        ctx: Context,
    ) -> Option<BoxFuture<'a, Result<ReadResourceResult, McpError>>> {
        let _ = (uri, ctx);
        None
    }

    /// The prompts, as `prompts/list` shows them. Called once at start.
    fn prompts(&self) -> Vec<Prompt> {
        Vec::new()
    }

    /// Renders the prompt `name`, or returns `None` when there is no such prompt.
    fn get_prompt<'a>(
        &'a self,
        name: &str,
        arguments: Option<Map<String, Value>>,
        ctx: Context,
    ) -> Option<BoxFuture<'a, Result<GetPromptResult, McpError>>> {
        let _ = (name, arguments, ctx);
        None
    }

    /// Whether [`complete`](Self::complete) offers anything (declares `completions`).
    fn supports_completions(&self) -> bool {
        false
    }

    /// Suggests values for a prompt argument or a template parameter.
    fn complete<'a>(
        &'a self,
        request: CompleteParams,
        ctx: Context,
    ) -> BoxFuture<'a, Result<Completion, McpError>> {
        let _ = (request, ctx);
        Box::pin(async { Ok(Completion::default()) })
    }

    /// The OAuth scopes callers need for each tool, resource and prompt (`scopes = [...]` on
    /// the attributes); checked by the transport before a handler runs. Called once at start.
    /// Default: none.
    fn required_scopes(&self) -> RequiredScopes {
        RequiredScopes::default()
    }

    /// How long a call of the tool `name` may run (`timeout = "30s"` on its `#[tool]`); when
    /// it runs longer its future is dropped and the client gets an `isError` result saying
    /// so. `None` (the default) takes the deadline of a
    /// [`Timeout`](crate::middleware::Timeout) layer, if one wraps the call.
    fn tool_timeout(&self, name: &str) -> Option<std::time::Duration> {
        let _ = name;
        None
    }

    /// Whether the tool `name` may ask the client for input while it runs (sampling,
    /// elicitation, roots: all through its [`Context`]). `#[mcp_server]` answers `false` for
    /// the tools whose method takes no `Context`; the default is `true`. A 2026-07-28 call
    /// of a tool that may not, on its first try, runs without an input exchange (what would
    /// stop it to ask the client), which it would never use.
    ///
    /// ```
    /// use mcp_runtime::{MCPServer, mcp_server, tool};
    ///
    /// struct Calc;
    ///
    /// #[mcp_server]
    /// impl Calc {
    ///     /// Adds two numbers.
    ///     #[tool]
    ///     fn add(&self, a: f64, b: f64) -> f64 {
    ///         a + b
    ///     }
    /// }
    ///
    /// assert!(!Calc.tool_may_ask_input("add"));
    /// ```
    fn tool_may_ask_input(&self, name: &str) -> bool {
        let _ = name;
        true
    }

    /// How long a 2026-07-28 client may reuse `result`, and who may cache it (`ttlMs` and
    /// `cacheScope`). `None` (the default) takes the dispatcher's hint
    /// ([`ServerConfig::cache_hint`], itself "stale at once, private" by default).
    fn cache_hint(&self, result: Cacheable<'_>) -> Option<CacheHint> {
        let _ = result;
        None
    }
}

/// A 2026-07-28 result that carries caching hints, as [`MCPServer::cache_hint`] sees it.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::Cacheable;
/// use mcp_runtime::protocol::CacheHint;
///
/// fn hint(result: Cacheable<'_>) -> Option<CacheHint> {
///     match result {
///         Cacheable::ToolsList => Some(CacheHint::public(Duration::from_secs(300))),
///         Cacheable::ResourceRead { uri } if uri.starts_with("user://") => {
///             Some(CacheHint::private(Duration::from_secs(5)))
///         }
///         _ => None,
///     }
/// }
/// assert_eq!(hint(Cacheable::ToolsList).unwrap().ttl_ms, 300_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cacheable<'a> {
    /// `server/discover`.
    Discover,
    /// `tools/list`.
    ToolsList,
    /// `prompts/list`.
    PromptsList,
    /// `resources/list`.
    ResourcesList,
    /// `resources/templates/list`.
    ResourceTemplatesList,
    /// `resources/read` of `uri`.
    ResourceRead {
        /// The resource read.
        uri: &'a str,
    },
    /// `skills/list` (skills extension).
    SkillsList,
    /// `skills/get` of the skill whose `SKILL.md` is `uri` (skills extension).
    Skill {
        /// The skill's `SKILL.md` URI.
        uri: &'a str,
    },
    /// `resources/directory/read` of `uri` (skills extension).
    DirectoryRead {
        /// The directory read.
        uri: &'a str,
    },
}
