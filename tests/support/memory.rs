//! The endpoint without a socket: requests go straight into its axum router.
//!
//! Nothing waits on the network, so on paused Tokio time (`start_paused = true`) the clock
//! moves only when every task waits on a timer: a test decides exactly what runs before what.

use std::future::Future;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::response::Response;
use mcp_runtime::{HttpConfig, MCPServer, StreamableHttp};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::Reply;

/// An endpoint served in memory.
pub struct MemoryServer {
    /// The endpoint (its handle, its sessions).
    pub endpoint: StreamableHttp,
    router: Router,
    path: String,
}

impl MemoryServer {
    /// The endpoint for `server` with `config`.
    pub fn new(server: impl MCPServer, config: impl Into<HttpConfig>) -> Self {
        let endpoint = StreamableHttp::new(server, config.into());
        let router = endpoint.router();
        let path = endpoint.config().path.clone();
        MemoryServer {
            endpoint,
            router,
            path,
        }
    }

    /// A client without a session.
    pub fn client(&self) -> MemoryClient {
        MemoryClient {
            router: self.router.clone(),
            path: self.path.clone(),
            session: None,
            version: None,
            next_id: 1,
        }
    }
}

/// A client of a [`MemoryServer`], with the headers of [`Client`](crate::Client).
#[derive(Clone)]
pub struct MemoryClient {
    router: Router,
    path: String,
    /// The session id, once initialized.
    pub session: Option<String>,
    /// The negotiated protocol version.
    pub version: Option<String>,
    /// The next request id.
    pub next_id: i64,
}

impl MemoryClient {
    /// POSTs `body`: the future is the whole exchange up to the response head, and dropping
    /// it is what a client closing its connection does to the server.
    pub fn send(&self, body: &Value) -> impl Future<Output = Response> + Send + 'static {
        let mut request = Request::post(&self.path)
            .header("host", "localhost")
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json");
        if let Some(session) = &self.session {
            request = request.header("mcp-session-id", session);
        }
        if let Some(version) = &self.version {
            request = request.header("mcp-protocol-version", version);
        }
        let request = request
            .body(Body::from(body.to_string()))
            .expect("a valid request");
        let router = self.router.clone();
        async move {
            match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
    }

    /// POSTs `body` and reads the whole response.
    pub async fn post(&self, body: &Value) -> Reply {
        read(self.send(body).await).await
    }

    /// `initialize` + `notifications/initialized`; remembers the session id.
    pub async fn initialize(&mut self) -> Value {
        let reply = self
            .post(&json!({
                "jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "memory-client", "version": "1.0.0"}
                }
            }))
            .await;
        assert_eq!(reply.status, 200, "initialize: {}", reply.body);
        self.session = reply.header("mcp-session-id").map(str::to_owned);
        let response = reply.response();
        self.version = response["result"]["protocolVersion"]
            .as_str()
            .map(str::to_owned);
        let initialized = self
            .post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        assert_eq!(initialized.status, 202, "initialized: {}", initialized.body);
        response
    }

    /// The body of a `tools/call` request with a fresh id.
    pub fn tool_call(&mut self, name: &str, arguments: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
               "params": {"name": name, "arguments": arguments}})
    }

    /// Calls a tool and returns its result object.
    pub async fn call_tool(&mut self, name: &str, arguments: Value) -> Value {
        let body = self.tool_call(name, arguments);
        let reply = self.post(&body).await;
        assert_eq!(reply.status, 200, "tools/call: {}", reply.body);
        let response = reply.response();
        response
            .get("result")
            .cloned()
            .unwrap_or_else(|| panic!("no result in {response}"))
    }
}

/// Reads a whole in-memory response.
pub async fn read(response: Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).expect("a UTF-8 body"),
    }
}
