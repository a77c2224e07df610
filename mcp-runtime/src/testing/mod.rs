//! An in-process MCP client for your server's tests: no socket, no process.
//!
//! [`TestClient`] drives your server through the same dispatcher the transports use: each
//! request is encoded as JSON-RPC, parsed as a transport parses it, and answered by the
//! dispatcher's handshake-era entry point (in a session, as the stdio transport runs it) or
//! its 2026-07-28 one (with the request's `_meta` envelope, as the HTTP transport runs it).
//! What a client would see is what the test sees: results, JSON-RPC errors, notifications,
//! and the requests a tool sends the client, answered by handlers you give.
//!
//! ```
//! use mcp_runtime::testing::TestClient;
//! use mcp_runtime::{mcp_server, tool, Context};
//! use serde_json::json;
//!
//! struct Calculator;
//!
//! #[mcp_server(name = "calculator", version = "1.0.0")]
//! impl Calculator {
//!     /// Add two numbers.
//!     #[tool]
//!     async fn add(&self, a: f64, b: f64, ctx: Context) -> f64 {
//!         ctx.info(format!("adding {a} and {b}")).await;
//!         a + b
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! for client in [TestClient::new(Calculator).await, TestClient::modern(Calculator).await] {
//!     let result = client.call_tool("add", json!({"a": 2, "b": 3})).await.unwrap();
//!     assert_eq!(result.content[0].as_text(), Some("5"));
//!     assert_eq!(client.logs()[0].data, "adding 2 and 3");
//!     // An unknown tool is a JSON-RPC error, not a result.
//!     let error = client.call_tool("subtract", json!({})).await.unwrap_err();
//!     assert_eq!(error.code(), -32602);
//! }
//! # }
//! ```
//!
//! The client panics when it cannot connect, or when the server breaks the protocol (a result
//! that does not read as its type, a malformed notification): a test should fail there.

mod builder;
mod exchange;
mod handlers;
mod notifications;

pub use builder::TestClientBuilder;
pub use handlers::ElicitationRequest;
pub use notifications::{LogMessage, Progress, ServerNotification};

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use self::handlers::Handlers;
use crate::engine::principal::Caller;
use crate::engine::{Dispatcher, MCPServer, Peer, ServerEvent, ServerHandle};
use crate::handler::error::McpError;
use crate::protocol::{
    CallToolResult, CompleteResult, Completion, CompletionArgument, CompletionRef, GetPromptResult,
    Implementation, Prompt, ReadResourceResult, Resource, ResourceTemplate, SERVER_INFO_KEY,
    ServerCapabilities, SubscriptionFilter, Tool, Version, error_codes,
};
use crate::recover::lock;

/// An MCP client connected in process to one server, for tests.
///
/// [`new`](Self::new) speaks the handshake era (it initializes for you), [`modern`](Self::modern)
/// speaks 2026-07-28, and [`builder`](Self::builder) chooses the revision, the server's
/// [`ServerConfig`](crate::ServerConfig) and the handlers for sampling, elicitation and roots.
/// Every method takes `&self`: calls may run concurrently (`tokio::join!`).
///
/// Each method returns what the server answered: a JSON-RPC error is an `Err(McpError)` with
/// its code, message and data (an unknown tool is -32602; a tool that fails is an `Ok` result
/// with `is_error: Some(true)`). Lists are read to their end, page by page.
///
/// Notifications are kept in arrival order ([`notifications`](Self::notifications)): the
/// progress and log messages of a call are all there when the call returns (the client sends a
/// progress token with every `tools/call`, `resources/read` and `prompts/get`), and so are the
/// list changes and resource updates a handler announced. The client does not declare the
/// tasks extension: a `task = "required"` tool answers it -32021 in the 2026-07-28 era.
///
/// ```
/// use mcp_runtime::testing::{ServerNotification, TestClient};
/// use mcp_runtime::{mcp_server, resource, tool, Context};
/// use serde_json::json;
///
/// struct Board;
///
/// #[mcp_server]
/// impl Board {
///     /// The message of the day.
///     #[resource(uri = "board://today")]
///     fn today(&self) -> &'static str { "hello" }
///
///     /// Change the message; subscribers hear about it.
///     #[tool]
///     async fn post(&self, ctx: Context) -> &'static str {
///         ctx.progress(1.0, Some(1.0), Some("posting")).await;
///         ctx.server().notify_resource_updated("board://today");
///         "posted"
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let client = TestClient::modern(Board).await;
/// client.subscribe_resource("board://today").await.unwrap();
/// client.call_tool("post", json!({})).await.unwrap();
/// let notifications = client.take_notifications();
/// assert_eq!(client.progress().len(), 0); // taken
/// assert!(matches!(&notifications[0], ServerNotification::Progress(p) if p.progress == 1.0));
/// assert_eq!(
///     notifications[1],
///     ServerNotification::ResourceUpdated { uri: "board://today".into() }
/// );
/// # }
/// ```
pub struct TestClient {
    dispatcher: Dispatcher,
    connection: Connection,
    handlers: Handlers,
    caller: Caller,
    next_id: AtomicI64,
    next_progress: AtomicI64,
    notifications: Mutex<Vec<ServerNotification>>,
    /// The server's announcements, drained after each request.
    events: Mutex<broadcast::Receiver<ServerEvent>>,
    server: ServerSummary,
    /// Cancelled when the client is dropped: requests still running end.
    closed: CancellationToken,
}

/// How the client is connected.
enum Connection {
    /// An initialized session (handshake era).
    Handshake { peer: Arc<Peer> },
    /// No session (2026-07-28): every request carries this `_meta` envelope, and the client
    /// listens to every list change and to its resource subscriptions.
    Stateless {
        envelope: Map<String, Value>,
        resources: Mutex<BTreeSet<String>>,
    },
}

/// What the server said of itself when the client connected.
#[derive(Debug)]
struct ServerSummary {
    info: Implementation,
    capabilities: ServerCapabilities,
    instructions: Option<String>,
    version: Version,
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient")
            .field("server", &self.server.info)
            .field("version", &self.server.version)
            .field("handlers", &self.handlers)
            .finish_non_exhaustive()
    }
}

impl Drop for TestClient {
    fn drop(&mut self) {
        self.closed.cancel();
        if let Connection::Handshake { peer } = &self.connection {
            peer.close();
        }
    }
}

impl TestClient {
    /// Connects to `server` in the handshake era ([`Version::LATEST_HANDSHAKE`]), with no
    /// sampling, elicitation or roots handler.
    ///
    /// # Panics
    /// When the server refuses to initialize.
    pub async fn new(server: impl MCPServer) -> TestClient {
        Self::builder().connect(server).await
    }

    /// Connects to `server` in the 2026-07-28 era, with no sampling, elicitation or roots
    /// handler.
    ///
    /// # Panics
    /// When the server refuses `server/discover`.
    pub async fn modern(server: impl MCPServer) -> TestClient {
        Self::builder()
            .version(Version::V2026_07_28)
            .connect(server)
            .await
    }

    /// A client to configure before it connects.
    pub fn builder() -> TestClientBuilder {
        TestClientBuilder::default()
    }

    /// The revision the client speaks (the one `initialize` settled on, in the handshake era).
    pub fn protocol_version(&self) -> Version {
        self.server.version
    }

    /// The server's name and version (`serverInfo`).
    pub fn server_info(&self) -> &Implementation {
        &self.server.info
    }

    /// What the server declared it supports.
    pub fn capabilities(&self) -> &ServerCapabilities {
        &self.server.capabilities
    }

    /// The server's instructions for the model, if any.
    pub fn instructions(&self) -> Option<&str> {
        self.server.instructions.as_deref()
    }

    /// The server's handle, as its transport would hold it: announce changes, disable tools,
    /// or add tools, resources and prompts from the test, as a file watcher, a plugin loader
    /// or an admin task would.
    pub fn server_handle(&self) -> &ServerHandle {
        self.dispatcher.handle()
    }

    /// `tools/list`, every page.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, McpError> {
        self.list_all("tools/list", "tools").await
    }

    /// `tools/call`: the tool's result (`is_error` set when the tool failed), or -32602 for
    /// an unknown tool.
    ///
    /// `arguments` is the JSON object of arguments (`null` for none).
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: Value,
    ) -> Result<CallToolResult, McpError> {
        let params = json!({"name": name, "arguments": arguments, "_meta": self.progress_meta()});
        let raw = self.exchange("tools/call", params).await?;
        let mut result: CallToolResult = decode("tools/call", &raw);
        // The 2026-07-28 era names the server in every result's `_meta`: the era's envelope,
        // not the tool's, so results compare alike in both eras.
        if let Some(meta) = &mut result.meta {
            meta.remove(SERVER_INFO_KEY);
            if meta.is_empty() {
                result.meta = None;
            }
        }
        Ok(result)
    }

    /// `resources/list`, every page.
    pub async fn list_resources(&self) -> Result<Vec<Resource>, McpError> {
        self.list_all("resources/list", "resources").await
    }

    /// `resources/templates/list`, every page.
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, McpError> {
        self.list_all("resources/templates/list", "resourceTemplates")
            .await
    }

    /// `resources/read`. A URI no resource matches is -32002 in the handshake era and -32602
    /// in the 2026-07-28 era.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, McpError> {
        let params = json!({"uri": uri, "_meta": self.progress_meta()});
        let raw = self.exchange("resources/read", params).await?;
        Ok(decode("resources/read", &raw))
    }

    /// Follows updates of the resource at `uri`: `resources/subscribe` in the handshake era;
    /// in the 2026-07-28 era, the URI joins the client's listen filter, as
    /// `subscriptions/listen` would carry it. -32601 when the server offers no subscriptions.
    pub async fn subscribe_resource(&self, uri: &str) -> Result<(), McpError> {
        match &self.connection {
            Connection::Handshake { .. } => {
                self.exchange("resources/subscribe", json!({"uri": uri}))
                    .await?;
            }
            Connection::Stateless { resources, .. } => {
                let asked = SubscriptionFilter {
                    resource_subscriptions: Some(vec![uri.to_owned()]),
                    ..SubscriptionFilter::default()
                };
                if !self
                    .dispatcher
                    .agreed_subscriptions(&asked)
                    .wants_resource(uri)
                {
                    return Err(McpError::new(
                        error_codes::METHOD_NOT_FOUND,
                        "the server offers no resource subscriptions",
                    ));
                }
                lock(resources).insert(uri.to_owned());
            }
        }
        Ok(())
    }

    /// Stops following updates of the resource at `uri`.
    pub async fn unsubscribe_resource(&self, uri: &str) -> Result<(), McpError> {
        self.drain_events();
        match &self.connection {
            Connection::Handshake { .. } => {
                self.exchange("resources/unsubscribe", json!({"uri": uri}))
                    .await?;
            }
            Connection::Stateless { resources, .. } => {
                lock(resources).remove(uri);
            }
        }
        Ok(())
    }

    /// `prompts/list`, every page.
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, McpError> {
        self.list_all("prompts/list", "prompts").await
    }

    /// `prompts/get` with `arguments`, a JSON object of strings (`null` for none).
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: Value,
    ) -> Result<GetPromptResult, McpError> {
        let mut params = json!({"name": name, "_meta": self.progress_meta()});
        if !arguments.is_null() {
            params["arguments"] = arguments;
        }
        let raw = self.exchange("prompts/get", params).await?;
        Ok(decode("prompts/get", &raw))
    }

    /// `completion/complete`: suggestions for the argument `argument` of a prompt or a
    /// resource template, given what is typed so far.
    ///
    /// ```
    /// # use mcp_runtime::{mcp_server, prompt};
    /// use mcp_runtime::protocol::CompletionRef;
    /// use mcp_runtime::testing::TestClient;
    /// # struct Colours;
    /// # #[mcp_server]
    /// # impl Colours {
    /// #     /// Paint.
    /// #     #[prompt(complete(colour = colours))]
    /// #     fn paint(&self, colour: String) -> String { colour }
    /// #     fn colours(&self, typed: &str) -> Vec<String> {
    /// #         ["red", "green"].into_iter().filter(|c| c.starts_with(typed)).map(String::from).collect()
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = TestClient::new(Colours).await;
    /// let completion = client.complete(CompletionRef::prompt("paint"), "colour", "gr").await.unwrap();
    /// assert_eq!(completion.values, ["green"]);
    /// # }
    /// ```
    pub async fn complete(
        &self,
        reference: CompletionRef,
        argument: &str,
        value: &str,
    ) -> Result<Completion, McpError> {
        self.complete_with_context(reference, argument, value, Value::Null)
            .await
    }

    /// [`complete`](Self::complete) with the arguments already chosen, a JSON object of
    /// strings (`context.arguments`).
    pub async fn complete_with_context(
        &self,
        reference: CompletionRef,
        argument: &str,
        value: &str,
        chosen: Value,
    ) -> Result<Completion, McpError> {
        let argument = CompletionArgument {
            name: argument.to_owned(),
            value: value.to_owned(),
        };
        let mut params = json!({"ref": reference, "argument": argument});
        if !chosen.is_null() {
            params["context"] = json!({ "arguments": chosen });
        }
        let raw = self.exchange("completion/complete", params).await?;
        let result: CompleteResult = decode("completion/complete", &raw);
        Ok(result.completion)
    }

    /// Any request, for what has no method of its own (`ping`, `logging/setLevel`,
    /// `skills/list`...): its result as JSON (with the era's fields), or the server's error.
    /// In the 2026-07-28 era the client adds its `_meta` envelope to `params` (a JSON object,
    /// or `null`), and answers input requests.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, McpError> {
        let raw = self.exchange(method, params).await?;
        Ok(decode(method, &raw))
    }

    /// Every notification received so far, in order.
    pub fn notifications(&self) -> Vec<ServerNotification> {
        self.drain_events();
        lock(&self.notifications).clone()
    }

    /// Every notification received so far, forgetting them: the next call starts afresh.
    pub fn take_notifications(&self) -> Vec<ServerNotification> {
        self.drain_events();
        std::mem::take(&mut *lock(&self.notifications))
    }

    /// The progress notifications received so far, in order.
    pub fn progress(&self) -> Vec<Progress> {
        let notifications = self.notifications();
        notifications
            .into_iter()
            .filter_map(|n| match n {
                ServerNotification::Progress(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    /// The log messages received so far, in order.
    pub fn logs(&self) -> Vec<LogMessage> {
        let notifications = self.notifications();
        notifications
            .into_iter()
            .filter_map(|n| match n {
                ServerNotification::Log(l) => Some(l),
                _ => None,
            })
            .collect()
    }

    /// `_meta` with a fresh progress token.
    fn progress_meta(&self) -> Value {
        let n = self.next_progress.fetch_add(1, Ordering::Relaxed);
        json!({ "progressToken": format!("test-{n}") })
    }

    /// The client's listen filter (2026-07-28): every list change, and its subscriptions.
    fn listening(&self) -> SubscriptionFilter {
        let resources = match &self.connection {
            Connection::Stateless { resources, .. } => lock(resources).iter().cloned().collect(),
            Connection::Handshake { .. } => Vec::new(),
        };
        SubscriptionFilter {
            tools_list_changed: Some(true),
            prompts_list_changed: Some(true),
            resources_list_changed: Some(true),
            resource_subscriptions: Some(resources),
            task_ids: None,
        }
    }

    /// Every item of a paginated list.
    async fn list_all<T: DeserializeOwned>(
        &self,
        method: &str,
        key: &str,
    ) -> Result<Vec<T>, McpError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let params = match &cursor {
                Some(cursor) => json!({ "cursor": cursor }),
                None => json!({}),
            };
            let raw = self.exchange(method, params).await?;
            let mut page: Map<String, Value> = decode(method, &raw);
            let list = page.remove(key).unwrap_or_else(|| {
                panic!(
                    "TestClient: the {method} result has no `{key}`: {}",
                    raw.get()
                )
            });
            let list: Vec<T> = serde_json::from_value(list).unwrap_or_else(|e| {
                panic!("TestClient: the {method} result's `{key}` do not read: {e}")
            });
            items.extend(list);
            match page.remove("nextCursor") {
                Some(Value::String(next)) => {
                    assert_ne!(
                        cursor.as_ref(),
                        Some(&next),
                        "TestClient: {method} gave the same cursor twice"
                    );
                    cursor = Some(next);
                }
                _ => return Ok(items),
            }
        }
    }
}

/// Reads a result as `T`; a result that does not read breaks the protocol, and the test.
fn decode<T: DeserializeOwned>(method: &str, raw: &RawValue) -> T {
    serde_json::from_str(raw.get()).unwrap_or_else(|e| {
        panic!(
            "TestClient: the {method} result does not read as expected: {e}: {}",
            raw.get()
        )
    })
}
