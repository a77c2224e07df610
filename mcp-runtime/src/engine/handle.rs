//! [`ServerHandle`]: change what the server offers while it runs, and tell the clients.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use crate::recover::{read, write};
use tokio::sync::broadcast;

/// A change the server announces to its clients on their GET streams.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A cheap, cloneable handle on a running server: enable or disable tools and announce
/// changes. Get one from [`Context::server`](crate::Context::server) inside a handler, or from
/// [`StreamableHttp::handle`](crate::StreamableHttp::handle).
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
#[derive(Debug, Clone)]
pub struct ServerHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    events: broadcast::Sender<ServerEvent>,
    disabled_tools: RwLock<HashSet<String>>,
    tool_names: HashSet<String>,
}

impl ServerHandle {
    pub(crate) fn new(tool_names: HashSet<String>) -> Self {
        let (events, _) = broadcast::channel(256);
        ServerHandle {
            inner: Arc::new(Inner {
                events,
                disabled_tools: RwLock::default(),
                tool_names,
            }),
        }
    }

    /// Shows or hides a tool. Clients are told the list changed when it did.
    /// Returns `false` when there is no tool of that name.
    pub fn set_tool_enabled(&self, name: &str, enabled: bool) -> bool {
        if !self.inner.tool_names.contains(name) {
            return false;
        }
        let changed = {
            let mut disabled = write(&self.inner.disabled_tools);
            if enabled {
                disabled.remove(name)
            } else {
                disabled.insert(name.to_owned())
            }
        };
        if changed {
            self.publish(ServerEvent::ToolListChanged);
        }
        true
    }

    /// Whether a tool exists and is enabled.
    pub fn is_tool_enabled(&self, name: &str) -> bool {
        self.inner.tool_names.contains(name) && !read(&self.inner.disabled_tools).contains(name)
    }

    /// Whether the tool `name` was disabled (known or not). Cheaper than
    /// [`is_tool_enabled`](Self::is_tool_enabled) when nothing is disabled: no hashing.
    pub(crate) fn is_tool_disabled(&self, name: &str) -> bool {
        let disabled = read(&self.inner.disabled_tools);
        !disabled.is_empty() && disabled.contains(name)
    }

    /// Whether any tool is disabled (so lists must be filtered).
    pub(crate) fn any_tool_disabled(&self) -> bool {
        !read(&self.inner.disabled_tools).is_empty()
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
