//! What the test binaries share: a live server on 127.0.0.1, small raw-HTTP and in-memory MCP
//! clients, the servers they speak to, and waits with a deadline.

pub mod memory;
pub mod servers;

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mcp_runtime::{HttpConfig, MCPServer, StreamableHttp};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a test waits for something that must happen: long enough for a loaded 2-core
/// machine, short enough to fail rather than hang.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Tries `attempt` every 10 ms until it gives a value; panics, naming `what`, after
/// [`PATIENCE`] of real time (on paused Tokio time too).
pub async fn poll<T>(what: &str, mut attempt: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = attempt().await {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Polls `condition` every 10 ms until it holds, as [`poll`] does.
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    poll(what, async || condition().then_some(())).await;
}

/// How many tasks a server's runtime holds while it serves with no connection open.
///
/// `warm_up` runs on a client runtime of its own, dropped after it with its connections: its
/// answer proves the server has begun serving (which spawns the tasks it keeps), so the count
/// is never too low. The smallest count over the next 200 ms leaves its connection out; should
/// that connection linger, the count is one too high, and a check against it weaker, not wrong.
pub fn serving_task_count(
    metrics: &tokio::runtime::RuntimeMetrics,
    warm_up: impl Future<Output = ()>,
) -> usize {
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a client runtime");
    client.block_on(warm_up);
    drop(client);
    (0..20)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(10));
            metrics.num_alive_tasks()
        })
        .min()
        .unwrap_or(usize::MAX)
}

/// Waits, on a thread outside any runtime, until a server's runtime holds at most `idle`
/// tasks; returns how many it holds then (more than `idle` after [`PATIENCE`]).
pub fn settle_task_count(metrics: &tokio::runtime::RuntimeMetrics, idle: usize) -> usize {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let alive = metrics.num_alive_tasks();
        if alive <= idle || Instant::now() >= deadline {
            return alive;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A server listening on an ephemeral port of 127.0.0.1.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://ADDR/mcp`.
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    /// Starts `server` with `config`.
    pub async fn start(server: impl MCPServer, config: impl Into<HttpConfig>) -> Self {
        let config = config.into();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let url = format!("http://{addr}{}", config.path);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(mcp_runtime::serve_listener(
            server,
            listener,
            config,
            async {
                let _ = stopped.await;
            },
        ));
        TestServer {
            addr,
            url,
            stop: Some(stop),
            task,
        }
    }

    /// Serves an endpoint built first (to keep a clone of it: its sessions, its handle).
    pub async fn serve(endpoint: StreamableHttp) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let url = format!("http://{addr}{}", endpoint.config().path);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(endpoint.serve(listener, async {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            url,
            stop: Some(stop),
            task,
        }
    }

    /// Stops the server and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = &mut self.task;
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("the server stops in time")
            .expect("server task")
            .expect("server result");
    }

    /// A client for this server.
    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }
}

/// One SSE event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseEvent {
    /// `id:`
    pub id: Option<String>,
    /// `event:`
    pub event: Option<String>,
    /// `data:` lines joined with `\n`.
    pub data: String,
    /// `retry:`
    pub retry: Option<u64>,
}

/// Parses an SSE body into events (comments skipped).
pub fn parse_sse(body: &str) -> Vec<SseEvent> {
    let mut events = Vec::new();
    let mut current = SseEvent::default();
    let mut has_fields = false;
    for line in body.lines() {
        if line.is_empty() {
            if has_fields {
                events.push(std::mem::take(&mut current));
                has_fields = false;
            }
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        has_fields = true;
        match field {
            "id" => current.id = Some(value.to_owned()),
            "event" => current.event = Some(value.to_owned()),
            "retry" => current.retry = value.parse().ok(),
            "data" => {
                if !current.data.is_empty() {
                    current.data.push('\n');
                }
                current.data.push_str(value);
            }
            _ => {}
        }
    }
    if has_fields {
        events.push(current);
    }
    events
}

/// A raw HTTP response.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body text.
    pub body: String,
}

impl Reply {
    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the body is an SSE stream.
    pub fn is_sse(&self) -> bool {
        self.header("content-type")
            .is_some_and(|c| c.starts_with("text/event-stream"))
    }

    /// The JSON-RPC messages in the body (one for JSON, every data event for SSE).
    pub fn messages(&self) -> Vec<Value> {
        if self.is_sse() {
            parse_sse(&self.body)
                .into_iter()
                .filter(|e| !e.data.is_empty())
                .map(|e| serde_json::from_str(&e.data).expect("SSE data is JSON"))
                .collect()
        } else if self.body.is_empty() {
            Vec::new()
        } else {
            vec![serde_json::from_str(&self.body).expect("body is JSON")]
        }
    }

    /// The last message (the response, for a request).
    pub fn response(&self) -> Value {
        self.messages().pop().expect("a response message")
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("body is JSON")
    }
}

/// A raw-HTTP MCP client with a session.
#[derive(Debug, Clone)]
pub struct Client {
    /// The HTTP client.
    pub http: reqwest::Client,
    /// The endpoint.
    pub url: String,
    /// The session id, once initialized.
    pub session: Option<String>,
    /// The next request id.
    pub next_id: i64,
    /// The negotiated protocol version, sent as `MCP-Protocol-Version` once known.
    pub version: Option<String>,
}

impl Client {
    /// A client for `url`.
    pub fn new(url: &str) -> Self {
        Client {
            http: reqwest::Client::new(),
            url: url.to_owned(),
            session: None,
            next_id: 1,
            version: None,
        }
    }

    /// A POST with the standard headers (and the session id, if any), not yet sent.
    pub fn post_builder(&self) -> reqwest::RequestBuilder {
        let mut b = self
            .http
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json");
        if let Some(s) = &self.session {
            b = b.header("mcp-session-id", s);
        }
        if let Some(v) = &self.version {
            b = b.header("mcp-protocol-version", v);
        }
        b
    }

    /// A POST with only the session id header (if any), not yet sent.
    pub fn bare_post(&self) -> reqwest::RequestBuilder {
        let b = self.http.post(&self.url);
        match &self.session {
            Some(s) => b.header("mcp-session-id", s),
            None => b,
        }
    }

    /// POSTs a JSON body and reads the whole response.
    pub async fn post(&self, body: &Value) -> Reply {
        read(
            self.post_builder()
                .body(body.to_string())
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    /// `initialize` + `notifications/initialized`; remembers the session id.
    pub async fn initialize(&mut self) -> Value {
        let reply = self
            .post(&json!({
                "jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {"sampling": {}, "elicitation": {}},
                    "clientInfo": {"name": "test-client", "version": "1.0.0"}
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

    /// Sends a request with a fresh id and returns the whole reply.
    pub async fn request(&mut self, method: &str, params: Value) -> Reply {
        let id = self.next_id;
        self.next_id += 1;
        self.post(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await
    }

    /// Calls a tool and returns its result object.
    pub async fn call_tool(&mut self, name: &str, arguments: Value) -> Value {
        let reply = self
            .request("tools/call", json!({"name": name, "arguments": arguments}))
            .await;
        assert_eq!(reply.status, 200, "tools/call: {}", reply.body);
        let response = reply.response();
        response
            .get("result")
            .cloned()
            .unwrap_or_else(|| panic!("no result in {response}"))
    }
}

/// Reads a whole response.
pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("body");
    Reply {
        status,
        headers,
        body,
    }
}

/// Reads SSE events from a live response as they arrive.
pub struct SseReader {
    stream:
        std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
    /// The response's status.
    pub status: u16,
    /// The response's headers.
    pub headers: reqwest::header::HeaderMap,
}

impl SseReader {
    /// Starts reading `response`.
    pub fn new(response: reqwest::Response) -> Self {
        SseReader {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            stream: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        }
    }

    /// The next event, or `None` when the stream ends. Panics after [`PATIENCE`].
    pub async fn next(&mut self) -> Option<SseEvent> {
        use futures_util::StreamExt;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse_sse(&block).into_iter().next() {
                    return Some(event);
                }
                continue; // a comment (keep-alive)
            }
            let chunk = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("an SSE event in time");
            match chunk {
                Some(Ok(bytes)) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Some(Err(e)) => panic!("SSE stream failed: {e}"),
                None => return None,
            }
        }
    }

    /// The next event that carries a message, parsed.
    pub async fn next_message(&mut self) -> Option<(Option<String>, Value)> {
        while let Some(event) = self.next().await {
            if !event.data.is_empty() {
                let value = serde_json::from_str(&event.data).expect("SSE data is JSON");
                return Some((event.id, value));
            }
        }
        None
    }
}

/// Serves `endpoint` on an ephemeral port of 127.0.0.1 behind a stand-in authentication
/// layer: the caller is the [`Principal`](mcp_runtime::Principal) named by the `x-user`
/// header (`anonymous` without one). Returns the URL and the serving task (abort it to stop).
pub async fn serve_with_users(
    endpoint: &StreamableHttp,
) -> (String, JoinHandle<std::io::Result<()>>) {
    let app = endpoint.router().layer(axum::middleware::map_request(
        |mut request: axum::extract::Request| async move {
            let user = request
                .headers()
                .get("x-user")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("anonymous")
                .to_owned();
            request
                .extensions_mut()
                .insert(mcp_runtime::Principal::new(user));
            request
        },
    ));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "http://{}{}",
        listener.local_addr().expect("addr"),
        endpoint.config().path
    );
    (
        url,
        tokio::spawn(async move { axum::serve(listener, app).await }),
    )
}
