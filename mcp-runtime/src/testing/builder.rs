//! [`TestClientBuilder`]: what the test client declares and answers, chosen before it
//! connects.

use std::future::Future;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::handlers::{ElicitationRequest, Handlers};
use super::{Connection, ServerSummary, TestClient};
use crate::engine::principal::{Caller, Principal};
use crate::engine::{Dispatcher, MCPServer, NetworkTransport, ServerConfig};
use crate::handler::error::McpError;
use crate::protocol::{
    CLIENT_CAPABILITIES_KEY, CLIENT_INFO_KEY, CreateMessageRequest, CreateMessageResult,
    ElicitResult, Era, Implementation, LOG_LEVEL_KEY, LogLevel, PROTOCOL_VERSION_KEY, Root,
    SERVER_INFO_KEY, ServerCapabilities, Version,
};

/// Builds a [`TestClient`]: the protocol revision it speaks, the server's settings, and the
/// handlers that answer a tool's requests to the client. Each handler also declares its
/// capability (`sampling`, `elicitation` in form and URL mode, `roots`); without one, the
/// client does not declare it, and a tool that asks gets
/// [`PeerError::MissingCapability`](crate::PeerError::MissingCapability) (-32021 in the
/// 2026-07-28 era).
///
/// ```
/// use mcp_runtime::protocol::{CreateMessageResult, ElicitResult, Role, Root, SamplingContent, Version};
/// use mcp_runtime::testing::TestClient;
/// use mcp_runtime::{mcp_server, tool, Context, PeerError};
///
/// struct Poet;
///
/// #[mcp_server]
/// impl Poet {
///     /// Write a poem with the client's model, in the first root.
///     #[tool]
///     async fn poem(&self, ctx: Context) -> Result<String, PeerError> {
///         let roots = ctx.list_roots().await?;
///         let text = ctx.sample_text("A haiku, please", 50).await?;
///         Ok(format!("{} in {}", text, roots[0].uri))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::builder()
///     .version(Version::V2026_07_28)
///     .roots(vec![Root { uri: "file:///poems".into(), name: None }])
///     .on_sampling(|request| async move {
///         assert_eq!(request.max_tokens, 50);
///         Ok(CreateMessageResult {
///             role: Role::Assistant,
///             content: vec![SamplingContent::text("old pond")],
///             model: "test-model".into(),
///             stop_reason: None,
///         })
///     })
///     .on_elicitation(|_| async { Ok(ElicitResult::decline()) })
///     .connect(Poet)
///     .await;
/// let result = client.call_tool("poem", serde_json::json!({})).await.unwrap();
/// assert_eq!(result.content[0].as_text(), Some("old pond in file:///poems"));
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `connect`"]
pub struct TestClientBuilder {
    version: Version,
    config: ServerConfig,
    handlers: Handlers,
    log_level: Option<LogLevel>,
    principal: Option<Principal>,
    /// Extensions the client declares (`capabilities.extensions`).
    extensions: Map<String, Value>,
}

impl Default for TestClientBuilder {
    fn default() -> Self {
        TestClientBuilder {
            version: Version::LATEST_HANDSHAKE,
            config: ServerConfig::default(),
            handlers: Handlers::default(),
            log_level: None,
            principal: None,
            extensions: Map::new(),
        }
    }
}

impl TestClientBuilder {
    /// The revision the client speaks: a handshake-era one (it then initializes a session), or
    /// [`Version::V2026_07_28`] (every request carries its `_meta` envelope). Default:
    /// [`Version::LATEST_HANDSHAKE`].
    pub fn version(mut self, version: Version) -> Self {
        self.version = version;
        self
    }

    /// The server's protocol settings (paging, caching hints, tasks, skills), as a transport
    /// takes them. Default: [`ServerConfig::default`].
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// Answers `sampling/createMessage`; an `Err` is the error the client sends back.
    pub fn on_sampling<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(CreateMessageRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CreateMessageResult, McpError>> + Send + 'static,
    {
        self.handlers.set_sampling(handler);
        self
    }

    /// Answers `elicitation/create`, in form and URL mode; an `Err` is the error the client
    /// sends back.
    pub fn on_elicitation<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(ElicitationRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ElicitResult, McpError>> + Send + 'static,
    {
        self.handlers.set_elicitation(handler);
        self
    }

    /// Answers `roots/list`; an `Err` is the error the client sends back.
    pub fn on_roots<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<Root>, McpError>> + Send + 'static,
    {
        self.handlers.set_roots(handler);
        self
    }

    /// Answers `roots/list` with these roots.
    pub fn roots(self, roots: Vec<Root>) -> Self {
        self.on_roots(move || std::future::ready(Ok(roots.clone())))
    }

    /// The lowest level of log messages the client wants. Default: every level, in both eras
    /// (a handshake-era session starts at `debug`; in the 2026-07-28 era the client asks for
    /// `debug` in each request's envelope, where a client that asks nothing gets no logs).
    pub fn log_level(mut self, level: LogLevel) -> Self {
        self.log_level = Some(level);
        self
    }

    /// Who is calling, as an authentication layer would establish it: tools read it with
    /// [`Context::auth`](crate::Context::auth), and tasks are bound to it. (Scopes are checked
    /// by the HTTP transport, not here.)
    pub fn principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }

    /// Declares the extension `name` with its `settings` in the client's capabilities
    /// (`capabilities.extensions`), as a client that supports it does: with the tasks
    /// extension ([`TASKS_EXTENSION`](crate::protocol::TASKS_EXTENSION)), a 2026-07-28 call of
    /// a task tool answers with a task, driven with [`request`](TestClient::request)
    /// (`tasks/get`, `tasks/update`, `tasks/cancel`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcp_runtime::protocol::{TASKS_EXTENSION, Version};
    /// use mcp_runtime::testing::TestClient;
    /// use mcp_runtime::{mcp_server, tool};
    /// use serde_json::json;
    ///
    /// struct Builder;
    ///
    /// #[mcp_server]
    /// impl Builder {
    ///     /// Build the project (always a task).
    ///     #[tool(task = "required")]
    ///     async fn build(&self) -> &'static str {
    ///         tokio::time::sleep(Duration::from_millis(20)).await;
    ///         "built"
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = TestClient::builder()
    ///     .version(Version::V2026_07_28)
    ///     .extension(TASKS_EXTENSION, json!({}))
    ///     .connect(Builder)
    ///     .await;
    /// let created = client.request("tools/call", json!({"name": "build"})).await.unwrap();
    /// assert_eq!(created["resultType"], "task");
    /// let id = created["taskId"].clone();
    /// let done = loop {
    ///     let task = client.request("tasks/get", json!({"taskId": id})).await.unwrap();
    ///     if task["status"] != "working" {
    ///         break task;
    ///     }
    ///     tokio::time::sleep(Duration::from_millis(10)).await;
    /// };
    /// assert_eq!(done["status"], "completed");
    /// assert_eq!(done["result"]["content"][0]["text"], "built");
    /// # }
    /// ```
    pub fn extension(mut self, name: impl Into<String>, settings: Value) -> Self {
        self.extensions.insert(name.into(), settings);
        self
    }

    /// Connects to `server`, in process: a handshake-era client initializes its session
    /// (`initialize`, then `notifications/initialized`), a 2026-07-28 client asks
    /// `server/discover`.
    ///
    /// # Panics
    /// When the server refuses to initialize or discover, as test set-up does.
    pub async fn connect(self, server: impl MCPServer) -> TestClient {
        // In process: the closest of the conventions' `network.transport` values is a pipe.
        let dispatcher = Dispatcher::try_new(server, &self.config, NetworkTransport::Pipe)
            .unwrap_or_else(|error| panic!("invalid MCP server: {error}"));
        let events = Mutex::new(dispatcher.handle().subscribe());
        let client_info =
            json!({"name": "mcp-runtime-test-client", "version": env!("CARGO_PKG_VERSION")});
        let mut capabilities = self.handlers.capabilities();
        if !self.extensions.is_empty() {
            capabilities
                .0
                .insert("extensions".into(), Value::Object(self.extensions));
        }
        let connection = match self.version.era() {
            Era::Handshake => Connection::Handshake {
                peer: Arc::new(dispatcher.session_peer()),
            },
            Era::Stateless => {
                let level = self.log_level.unwrap_or(LogLevel::Debug);
                let mut envelope = Map::new();
                envelope.insert(PROTOCOL_VERSION_KEY.into(), json!(self.version));
                envelope.insert(CLIENT_CAPABILITIES_KEY.into(), json!(capabilities));
                envelope.insert(CLIENT_INFO_KEY.into(), client_info.clone());
                envelope.insert(LOG_LEVEL_KEY.into(), json!(level.as_str()));
                Connection::Stateless {
                    envelope,
                    resources: Mutex::default(),
                }
            }
        };
        let mut client = TestClient {
            dispatcher,
            connection,
            handlers: self.handlers,
            caller: Caller {
                principal: self.principal,
                ..Caller::default()
            },
            next_id: AtomicI64::new(1),
            next_progress: AtomicI64::new(1),
            notifications: Mutex::default(),
            events,
            server: ServerSummary {
                info: Implementation::new("", ""),
                capabilities: ServerCapabilities::default(),
                instructions: None,
                version: self.version,
            },
            closed: CancellationToken::new(),
        };
        client.server = match &client.connection {
            Connection::Handshake { peer } => {
                let params = json!({
                    "protocolVersion": self.version,
                    "capabilities": capabilities,
                    "clientInfo": client_info,
                });
                let summary = initialize(&client, params).await;
                client.notify("notifications/initialized", peer);
                if let Some(level) = self.log_level {
                    let set = client
                        .exchange("logging/setLevel", json!({"level": level.as_str()}))
                        .await;
                    set.unwrap_or_else(|e| panic!("TestClient: logging/setLevel failed: {e}"));
                }
                summary
            }
            Connection::Stateless { .. } => discover(&client, self.version).await,
        };
        client
    }
}

/// The `initialize` exchange: what the server says of itself.
async fn initialize(client: &TestClient, params: Value) -> ServerSummary {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Initialized {
        protocol_version: Version,
        capabilities: ServerCapabilities,
        server_info: Implementation,
        #[serde(default)]
        instructions: Option<String>,
    }
    let raw = client
        .exchange("initialize", params)
        .await
        .unwrap_or_else(|e| panic!("TestClient: initialize failed: {e}"));
    let result: Initialized = super::decode("initialize", &raw);
    ServerSummary {
        info: result.server_info,
        capabilities: result.capabilities,
        instructions: result.instructions,
        version: result.protocol_version,
    }
}

/// The `server/discover` exchange (2026-07-28): the server's identity is in the result's
/// `_meta`.
async fn discover(client: &TestClient, version: Version) -> ServerSummary {
    #[derive(Deserialize)]
    struct Discovered {
        capabilities: ServerCapabilities,
        #[serde(default)]
        instructions: Option<String>,
        #[serde(rename = "_meta", default)]
        meta: Map<String, Value>,
    }
    let raw = client
        .exchange("server/discover", json!({}))
        .await
        .unwrap_or_else(|e| panic!("TestClient: server/discover failed: {e}"));
    let mut result: Discovered = super::decode("server/discover", &raw);
    let info = result
        .meta
        .remove(SERVER_INFO_KEY)
        .and_then(|info| serde_json::from_value(info).ok())
        .unwrap_or_else(|| panic!("TestClient: server/discover named no server: {}", raw.get()));
    ServerSummary {
        info,
        capabilities: result.capabilities,
        instructions: result.instructions,
        version,
    }
}
