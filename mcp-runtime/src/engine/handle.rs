//! [`ServerHandle`]: change what the server offers while it runs, and tell the clients.

use std::sync::Arc;

use tokio::sync::broadcast;

use super::registry::{
    Base, Changed, Declared, PromptDef, RegistrationError, Registry, ResourceDef, ToolDef,
};

/// A change the server announces to its clients on their GET streams.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "uri", rename_all = "camelCase")]
pub enum ServerEvent {
    /// `notifications/tools/list_changed`.
    ToolListChanged,
    /// `notifications/resources/list_changed`.
    ResourceListChanged,
    /// `notifications/prompts/list_changed`.
    PromptListChanged,
    /// `notifications/resources/updated`, sent to the sessions subscribed to this URI.
    ResourceUpdated(String),
}

impl ServerEvent {
    /// The notification's method.
    pub fn method(&self) -> &'static str {
        match self {
            ServerEvent::ToolListChanged => "notifications/tools/list_changed",
            ServerEvent::ResourceListChanged => "notifications/resources/list_changed",
            ServerEvent::PromptListChanged => "notifications/prompts/list_changed",
            ServerEvent::ResourceUpdated(_) => "notifications/resources/updated",
        }
    }

    /// The notification's params.
    pub fn params(&self) -> serde_json::Value {
        match self {
            ServerEvent::ResourceUpdated(uri) => serde_json::json!({ "uri": uri }),
            _ => serde_json::json!({}),
        }
    }
}

/// A cheap, cloneable handle on a running server: add and remove tools, resources and prompts,
/// enable or disable tools, and announce changes. Get one from
/// [`Context::server`](crate::Context::server) inside a handler, from
/// [`StreamableHttp::handle`](crate::StreamableHttp::handle), or from
/// [`TestClient::server_handle`](crate::testing::TestClient::server_handle).
///
/// ```
/// use mcp_runtime::{mcp_server, tool, Context, HttpConfig, Mode, StreamableHttp};
///
/// struct Admin;
///
/// #[mcp_server]
/// impl Admin {
///     /// Hide the `danger` tool from everyone.
///     #[tool]
///     fn lock(&self, ctx: Context) -> &'static str {
///         ctx.server().set_tool_enabled("danger", false);
///         "locked"
///     }
///
///     /// Something risky.
///     #[tool]
///     fn danger(&self) -> &'static str { "boom" }
/// }
///
/// let mcp = StreamableHttp::new(Admin, HttpConfig::new(Mode::Stateful));
/// assert!(mcp.handle().set_tool_enabled("danger", false));
/// assert!(!mcp.handle().is_tool_enabled("danger"));
/// ```
///
/// # Tools, resources and prompts added at run time
///
/// [`add_tool`](Self::add_tool), [`add_resource`](Self::add_resource) and
/// [`add_prompt`](Self::add_prompt) add to what the server's `#[mcp_server]` impl offers, while
/// it serves; the `remove_*` methods take them away again. Each change is seen by the next
/// request, in both eras, and every client is told: `notifications/*/list_changed` on each
/// session's GET stream (HTTP), on `subscriptions/listen` streams (2026-07-28) and over stdio.
///
/// - A name (or URI, or URI template) that exists is refused
///   ([`RegistrationError`]): a run-time entry never shadows the server's own.
/// - A server declares `tools`, `resources` and `prompts` only when it has some at start; one
///   that starts with none of a kind and adds them later declares it with
///   [`ServerConfig::declare_tools`](crate::ServerConfig::declare_tools) (and `_resources`,
///   `_prompts`), or adding is refused with [`RegistrationError::NotDeclared`].
/// - What run-time entries do not have: tasks (a run-time tool never runs as one), completions,
///   OAuth scopes (use a [`ToolFilter`](crate::ToolFilter)), and the start-up check of MCP Apps
///   links. Their `x-mcp-header` parameters (2026-07-28) are checked as the server's own.
///
/// ```
/// use mcp_runtime::testing::{ServerNotification, TestClient};
/// use mcp_runtime::{mcp_server, tool, Context, ToolDef};
/// use schemars::JsonSchema;
/// use serde::Deserialize;
/// use serde_json::json;
///
/// struct Plugins;
///
/// #[mcp_server]
/// impl Plugins {
///     /// What is loaded.
///     #[tool]
///     fn loaded(&self) -> &'static str { "base" }
/// }
///
/// #[derive(Deserialize, JsonSchema)]
/// struct Word {
///     word: String,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::new(Plugins).await;
/// let handle = client.server_handle();
/// handle
///     .add_tool(ToolDef::new("reverse", "Reverse a word.", |w: Word, _ctx: Context| async move {
///         w.word.chars().rev().collect::<String>()
///     }))
///     .unwrap();
/// let result = client.call_tool("reverse", json!({"word": "stressed"})).await.unwrap();
/// assert_eq!(result.content[0].as_text(), Some("desserts"));
/// assert_eq!(client.take_notifications(), [ServerNotification::ToolListChanged]);
///
/// assert!(handle.remove_tool("reverse"));
/// assert_eq!(client.call_tool("reverse", json!({})).await.unwrap_err().code(), -32602);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ServerHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    events: broadcast::Sender<ServerEvent>,
    registry: Registry,
}

impl ServerHandle {
    pub(crate) fn new(registry: Registry) -> Self {
        let (events, _) = broadcast::channel(256);
        ServerHandle {
            inner: Arc::new(Inner { events, registry }),
        }
    }

    /// The handle of a server with nothing in it (a detached context's).
    pub(crate) fn detached() -> Self {
        let base = Base::new(Vec::new(), Vec::new(), Vec::new(), Vec::new());
        Self::new(Registry::new(base, Declared::default(), None))
    }

    /// What the server offers now.
    pub(crate) fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Shows or hides a tool (the server's own or one added at run time). Clients are told the
    /// list changed when it did. Returns `false` when there is no tool of that name.
    pub fn set_tool_enabled(&self, name: &str, enabled: bool) -> bool {
        match self.inner.registry.set_tool_enabled(name, enabled) {
            Some(changed) => {
                self.announce(changed);
                true
            }
            None => false,
        }
    }

    /// Whether a tool exists and is enabled.
    pub fn is_tool_enabled(&self, name: &str) -> bool {
        self.inner.registry.is_tool_enabled(name)
    }

    /// Adds a tool while the server runs; clients are told the tool list changed. Refused when
    /// a tool of that name exists, its input schema is not an object schema, or the server
    /// does not declare tools (see [`ServerConfig::declare_tools`](crate::ServerConfig::declare_tools)).
    pub fn add_tool(&self, tool: ToolDef) -> Result<(), RegistrationError> {
        self.add_tools([tool])
    }

    /// Adds several tools at once (all or none), with one notification: for tools loaded
    /// from a database or a plugin directory.
    ///
    /// ```
    /// # use mcp_runtime::{mcp_server, tool, ToolDef};
    /// # use mcp_runtime::testing::TestClient;
    /// # struct S;
    /// # #[mcp_server]
    /// # impl S {
    /// #     /// T.
    /// #     #[tool]
    /// #     fn t(&self) {}
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let client = TestClient::new(S).await;
    /// let rows = [("ping", "pong"), ("marco", "polo")]; // from your database
    /// let tools = rows.map(|(name, answer)| {
    ///     ToolDef::raw(name, format!("Answers {answer}."), serde_json::json!({"type": "object"}),
    ///         move |_, _| async move { answer })
    /// });
    /// client.server_handle().add_tools(tools).unwrap();
    /// assert_eq!(client.list_tools().await.unwrap().len(), 3);
    /// # }
    /// ```
    pub fn add_tools(
        &self,
        tools: impl IntoIterator<Item = ToolDef>,
    ) -> Result<(), RegistrationError> {
        let changed = self.inner.registry.add_tools(tools)?;
        self.announce(changed);
        Ok(())
    }

    /// Removes a tool added at run time; clients are told. Returns `false` when no tool of that
    /// name was added at run time (the server's own tools are disabled, not removed:
    /// [`set_tool_enabled`](Self::set_tool_enabled)). A call already running goes on.
    pub fn remove_tool(&self, name: &str) -> bool {
        let changed = self.inner.registry.remove_tool(name);
        self.announce(changed);
        changed.tools
    }

    /// Adds a resource or a resource template while the server runs; clients are told the
    /// resource list changed. Refused when one with that URI (or URI template) exists, a
    /// template has no `{name}`, or the server does not declare resources (see
    /// [`ServerConfig::declare_resources`](crate::ServerConfig::declare_resources)).
    pub fn add_resource(&self, resource: ResourceDef) -> Result<(), RegistrationError> {
        let changed = self.inner.registry.add_resource(resource)?;
        self.announce(changed);
        Ok(())
    }

    /// Removes a resource or template added at run time, by the URI (or URI template) it was
    /// added with; clients are told. Returns `false` when there is none.
    pub fn remove_resource(&self, uri: &str) -> bool {
        let changed = self.inner.registry.remove_resource(uri);
        self.announce(changed);
        changed.resources
    }

    /// Adds a prompt while the server runs; clients are told the prompt list changed. Refused
    /// when a prompt of that name exists or the server does not declare prompts (see
    /// [`ServerConfig::declare_prompts`](crate::ServerConfig::declare_prompts)).
    pub fn add_prompt(&self, prompt: PromptDef) -> Result<(), RegistrationError> {
        let changed = self.inner.registry.add_prompt(prompt)?;
        self.announce(changed);
        Ok(())
    }

    /// Removes a prompt added at run time; clients are told. Returns `false` when there is none.
    pub fn remove_prompt(&self, name: &str) -> bool {
        let changed = self.inner.registry.remove_prompt(name);
        self.announce(changed);
        changed.prompts
    }

    /// Tells clients which lists a change touched (after it is in place, so that a client
    /// that lists again sees it).
    fn announce(&self, changed: Changed) {
        if changed.tools {
            self.publish(ServerEvent::ToolListChanged);
        }
        if changed.resources {
            self.publish(ServerEvent::ResourceListChanged);
        }
        if changed.prompts {
            self.publish(ServerEvent::PromptListChanged);
        }
    }

    /// Tells subscribed clients that the resource at `uri` changed.
    pub fn notify_resource_updated(&self, uri: impl Into<String>) {
        self.publish(ServerEvent::ResourceUpdated(uri.into()));
    }

    /// Announces a change to clients (list changes go to every session).
    pub fn publish(&self, event: ServerEvent) {
        // No receiver (no transport listening yet) is fine: nobody to tell.
        let _ = self.inner.events.send(event);
    }

    /// Receives the server's announcements (transports forward them to clients).
    pub fn subscribe(&self) -> broadcast::Receiver<ServerEvent> {
        self.inner.events.subscribe()
    }
}
