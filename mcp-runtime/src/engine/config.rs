//! [`ServerConfig`]: how the server answers, whatever the transport.

use std::sync::Arc;

use super::limits::Limits;
use super::middleware::{Layers, McpLayer, Scope};
use super::principal::Principal;
use super::registry::ToolFilter;
use super::request_state::RequestStateKey;
use super::skills::Skills;
use super::tasks::TaskConfig;
use crate::protocol::{CacheHint, Method, Tool};

/// Protocol-level settings, taken by every transport ([`HttpConfig::server`](crate::HttpConfig::server),
/// [`serve_stdio_with`](crate::serve_stdio_with)).
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::{ServerConfig, TaskConfig};
/// use mcp_runtime::protocol::CacheHint;
///
/// let config = ServerConfig::new()
///     .page_size(Some(50))
///     .cache_hint(CacheHint::public(Duration::from_secs(300)))
///     .tasks(TaskConfig::default().ttl(Some(Duration::from_secs(600))));
/// assert_eq!(config.page_size, Some(50));
/// assert_eq!(config.cache_hint.ttl_ms, 300_000);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Items per page of `tools/list`, `resources/list`, `resources/templates/list` and
    /// `prompts/list` (with opaque `nextCursor`s). Default: `None`, everything in one page.
    pub page_size: Option<usize>,
    /// `ttlMs` and `cacheScope` of 2026-07-28 list, read and discover results, unless the
    /// server's [`MCPServer::cache_hint`](crate::MCPServer::cache_hint) says otherwise.
    /// Default: [`CacheHint::NONE`] (stale at once, private).
    pub cache_hint: CacheHint,
    /// Signs the `requestState` of 2026-07-28 multi round-trip requests. Default: a random
    /// key of this process; instances behind one load balancer must share a key.
    pub request_state_key: RequestStateKey,
    /// How tools marked `#[tool(task = "...")]` run as tasks (2026-07-28, tasks extension):
    /// the store, the TTL, the poll interval. Default: [`TaskConfig::default`].
    pub tasks: TaskConfig,
    /// The agent skills the server offers (the `io.modelcontextprotocol/skills`
    /// extension, declared only when set). Default: `None`.
    pub skills: Option<Skills>,
    /// What one client session may make the server hold: requests in flight, questions to
    /// the client and their timeout, subscriptions, URI and client-info sizes. Default:
    /// [`Limits::default`], whose table lists each.
    pub limits: Limits,
    /// Whether a client is told the text of a handler's panic. Default: `false`, it gets
    /// "tool `x` failed with an internal error" (the text, which may hold internal details,
    /// is logged either way).
    pub panic_details: bool,
    /// Which tools each caller sees and may call ([`ToolFilter`]). Default: `None`, every
    /// caller sees every tool.
    pub tool_filter: Option<ToolFilter>,
    /// Declare the `tools` capability even when the server has no tool at start, because it
    /// adds them at run time ([`ServerHandle::add_tool`](crate::ServerHandle::add_tool)).
    /// Default: `false`, declared when the server has tools.
    pub declare_tools: bool,
    /// As [`declare_tools`](Self::declare_tools), for resources and templates.
    pub declare_resources: bool,
    /// As [`declare_tools`](Self::declare_tools), for prompts.
    pub declare_prompts: bool,
    /// Middleware around requests ([`layer`](Self::layer)), outermost first: the built-in
    /// [`Timeout`](crate::middleware::Timeout), [`RateLimit`](crate::middleware::RateLimit)
    /// and [`Audit`](crate::middleware::Audit), and your own. Default: none.
    pub layers: Layers,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            page_size: None,
            cache_hint: CacheHint::NONE,
            request_state_key: RequestStateKey::random(),
            tasks: TaskConfig::default(),
            skills: None,
            limits: Limits::default(),
            panic_details: false,
            tool_filter: None,
            declare_tools: false,
            declare_resources: false,
            declare_prompts: false,
            layers: Layers::default(),
        }
    }
}

impl ServerConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`page_size`](Self::page_size) (at least 1).
    pub fn page_size(mut self, size: Option<usize>) -> Self {
        self.page_size = size.map(|n| n.max(1));
        self
    }

    /// Sets [`cache_hint`](Self::cache_hint).
    pub fn cache_hint(mut self, hint: CacheHint) -> Self {
        self.cache_hint = hint;
        self
    }

    /// Sets [`request_state_key`](Self::request_state_key).
    pub fn request_state_key(mut self, key: RequestStateKey) -> Self {
        self.request_state_key = key;
        self
    }

    /// Sets [`tasks`](Self::tasks).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcp_runtime::{ServerConfig, TaskConfig};
    /// let config = ServerConfig::new().tasks(TaskConfig::default().poll_interval(Duration::from_secs(1)));
    /// assert_eq!(config.tasks.poll_interval, Duration::from_secs(1));
    /// ```
    pub fn tasks(mut self, tasks: TaskConfig) -> Self {
        self.tasks = tasks;
        self
    }

    /// Sets [`limits`](Self::limits).
    ///
    /// ```
    /// use mcp_runtime::{Limits, ServerConfig};
    /// let config = ServerConfig::new().limits(Limits::default().max_subscriptions_per_session(10));
    /// assert_eq!(config.limits.max_subscriptions_per_session, 10);
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Adds a tower layer around every request (outside the layers added after it): its
    /// service takes an [`McpRequest`](crate::middleware::McpRequest) and answers its result
    /// (see [`crate::middleware`]). The requests of the 2026-07-28 tasks extension are wrapped
    /// too: `tasks/get`, `tasks/update` and `tasks/cancel` as any request, and a tool call that
    /// may run as a task while it runs (its result, or the layer's error, is the task's end).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcp_runtime::ServerConfig;
    /// use mcp_runtime::middleware::{Audit, Timeout};
    ///
    /// // The audit log sees every request, and tool calls may run 30 s.
    /// let config = ServerConfig::new()
    ///     .layer(Audit::new())
    ///     .layer(Timeout::new(Duration::from_secs(30)));
    /// assert!(!config.layers.is_empty());
    /// ```
    pub fn layer(mut self, layer: impl McpLayer) -> Self {
        self.layers.push(Scope::Server, Arc::new(layer));
        self
    }

    /// [`layer`](Self::layer), around requests of `method` only.
    ///
    /// ```
    /// use mcp_runtime::ServerConfig;
    /// use mcp_runtime::protocol::Method;
    ///
    /// let config = ServerConfig::new()
    ///     .layer_for_method(Method::ToolsList, mcp_runtime::middleware::Identity::new());
    /// assert!(!config.layers.is_empty());
    /// ```
    pub fn layer_for_method(mut self, method: Method, layer: impl McpLayer) -> Self {
        self.layers.push(Scope::Method(method), Arc::new(layer));
        self
    }

    /// [`layer`](Self::layer), around calls of the tool `name` only.
    ///
    /// ```
    /// use mcp_runtime::ServerConfig;
    ///
    /// let config = ServerConfig::new().layer_for_tool("add", mcp_runtime::middleware::Identity::new());
    /// assert!(!config.layers.is_empty());
    /// ```
    pub fn layer_for_tool(mut self, name: &str, layer: impl McpLayer) -> Self {
        self.layers
            .push(Scope::Tool(name.to_owned()), Arc::new(layer));
        self
    }

    /// Sets [`panic_details`](Self::panic_details).
    ///
    /// ```
    /// let config = mcp_runtime::ServerConfig::new().panic_details(true);
    /// assert!(config.panic_details);
    /// ```
    pub fn panic_details(mut self, on: bool) -> Self {
        self.panic_details = on;
        self
    }

    /// Sets [`tool_filter`](Self::tool_filter): `allows(caller, tool)` decides whether
    /// `caller` sees `tool` in `tools/list` and may call it (a hidden tool is "Unknown tool",
    /// -32602, as one that does not exist).
    ///
    /// ```
    /// use mcp_runtime::{Principal, ServerConfig};
    /// use mcp_runtime::protocol::Tool;
    ///
    /// // Each tenant sees its own tools (`acme_*`, `globex_*`) and the shared ones.
    /// let config = ServerConfig::new().tool_filter(|caller: Option<&Principal>, tool: &Tool| {
    ///     match tool.name.split_once('_') {
    ///         Some((tenant, _)) => caller.is_some_and(|p| p.subject() == tenant),
    ///         None => true,
    ///     }
    /// });
    /// let globex = Tool::new("globex_report", Default::default());
    /// let filter = config.tool_filter.unwrap();
    /// assert!(filter.allows(Some(&Principal::new("globex")), &globex));
    /// assert!(!filter.allows(Some(&Principal::new("acme")), &globex));
    /// ```
    pub fn tool_filter(
        mut self,
        allows: impl Fn(Option<&Principal>, &Tool) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.tool_filter = Some(ToolFilter::new(allows));
        self
    }

    /// Sets [`declare_tools`](Self::declare_tools): the server declares tools (with
    /// `listChanged`) though it has none at start.
    ///
    /// ```
    /// let config = mcp_runtime::ServerConfig::new().declare_tools().declare_prompts();
    /// assert!(config.declare_tools && config.declare_prompts && !config.declare_resources);
    /// ```
    pub fn declare_tools(mut self) -> Self {
        self.declare_tools = true;
        self
    }

    /// Sets [`declare_resources`](Self::declare_resources): the server declares resources
    /// (with `subscribe` and `listChanged`) though it has none at start.
    pub fn declare_resources(mut self) -> Self {
        self.declare_resources = true;
        self
    }

    /// Sets [`declare_prompts`](Self::declare_prompts): the server declares prompts (with
    /// `listChanged`) though it has none at start.
    pub fn declare_prompts(mut self) -> Self {
        self.declare_prompts = true;
        self
    }

    /// Sets [`skills`](Self::skills): the server declares the skills extension and serves
    /// them.
    ///
    /// ```
    /// use mcp_runtime::{HttpConfig, ServerConfig, Skills};
    /// let skills = Skills::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/skills"));
    /// let config = HttpConfig::default().server(ServerConfig::new().skills(skills));
    /// # drop(config);
    /// ```
    pub fn skills(mut self, skills: Skills) -> Self {
        self.skills = Some(skills);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_documented_ones() {
        let config = ServerConfig::new();
        assert_eq!(config.page_size, None);
        assert_eq!(config.cache_hint, CacheHint::NONE);
        assert_eq!(
            config.tasks.poll_interval,
            TaskConfig::default().poll_interval
        );
        assert_eq!(ServerConfig::new().page_size(Some(0)).page_size, Some(1));
    }
}
