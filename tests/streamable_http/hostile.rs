//! Hostile and slow clients against live servers: each cap and timeout holds, with the error
//! the client is told, and nothing shared waits on one client.

use std::sync::Arc;
use std::time::{Duration, Instant};

use integration_tests::servers::{Calculator, Chatty};
use integration_tests::{Client, SseReader, TestServer, eventually};
use mcp_runtime::store::InMemoryEventStore;
use mcp_runtime::{
    Context, HttpConfig, Limits, Mode, ServerConfig, StreamableHttp, mcp_server, resource, tool,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Reads until the server closes the connection; `true` if it did within `within`.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let read_to_end = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(within, read_to_end).await.is_ok()
}

/// An HTTP/1.1 request head for the endpoint, not yet finished.
fn head(addr: std::net::SocketAddr) -> String {
    format!("POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n")
}

#[tokio::test]
async fn requests_whose_headers_never_end_are_disconnected() {
    let config = HttpConfig::new(Mode::Stateful).header_read_timeout(Duration::from_millis(300));
    let server = TestServer::start(Calculator, config).await;
    let mut loris = Vec::new();
    for _ in 0..50 {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        stream
            .write_all(head(server.addr).as_bytes())
            .await
            .unwrap();
        loris.push(stream);
    }
    for stream in &mut loris {
        assert!(
            closed_by_server(stream, Duration::from_secs(10)).await,
            "a connection whose head never ends is closed"
        );
    }
    // Honest clients are served all along.
    let mut client = server.client();
    client.initialize().await;
    server.stop().await;
}

/// The head timeout runs only while the connection waits for a head: a call answered on an
/// SSE stream that stays open four times as long is not cut, and the connection then serves
/// the next call.
#[tokio::test]
async fn a_response_streaming_longer_than_the_head_timeout_is_not_cut() {
    let config = HttpConfig::new(Mode::Stateful).header_read_timeout(Duration::from_millis(300));
    let server = TestServer::start(Calculator, config).await;
    let mut client = server.client();
    client.initialize().await;
    let result = client.call_tool("slow", json!({"ms": 1200})).await;
    assert_eq!(result["content"][0]["text"], "done");
    let result = client.call_tool("add", json!({"a": 1, "b": 2})).await;
    assert_eq!(result["content"][0]["text"], "3");
    server.stop().await;
}

#[tokio::test]
async fn idle_connections_are_closed_but_slow_calls_are_not() {
    let config = HttpConfig::new(Mode::Stateful)
        .json_response(true)
        .idle_connection_timeout(Some(Duration::from_millis(300)));
    let server = TestServer::start(Calculator, config).await;
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    assert!(
        closed_by_server(&mut idle, Duration::from_secs(10)).await,
        "a connection that sends nothing is closed"
    );
    // A call that runs longer than the idle timeout (no byte moves meanwhile) is answered.
    let mut client = server.client();
    client.initialize().await;
    let result = client.call_tool("slow", json!({"ms": 900})).await;
    assert_eq!(result["content"][0]["text"], "done");
    server.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let config = HttpConfig::new(Mode::Stateless)
        .max_connections(2)
        .idle_connection_timeout(Some(Duration::from_millis(500)));
    let server = TestServer::start(Calculator, config).await;
    let _a = TcpStream::connect(server.addr).await.unwrap();
    let _b = TcpStream::connect(server.addr).await.unwrap();
    // The third connects (the kernel's backlog) but is not served while two are open...
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let send = |http: reqwest::Client| {
        let url = server.url.clone();
        let list = list.clone();
        async move {
            http.post(url)
                .header("accept", "application/json, text/event-stream")
                .header("content-type", "application/json")
                .header("mcp-protocol-version", "2025-11-25")
                .body(list.to_string())
                .send()
                .await
        }
    };
    assert!(send(http).await.is_err(), "not served at the cap");
    // ...and is once the idle ones are closed.
    let reply = send(reqwest::Client::new()).await.unwrap();
    assert_eq!(reply.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn oversized_heads_get_431_and_slow_bodies_408() {
    let config = HttpConfig::new(Mode::Stateful)
        .max_header_bytes(16 * 1024)
        .body_read_timeout(Some(Duration::from_millis(300)));
    let server = TestServer::start(Calculator, config).await;
    let reply = server
        .client()
        .post_builder()
        .header("x-padding", "a".repeat(64 * 1024))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 431);

    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let request = format!(
        "{}Accept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{{\"jsonrpc\"",
        head(server.addr)
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("did not arrive"), "{response}");
    server.stop().await;
}

#[tokio::test]
async fn browser_origins_are_refused_on_every_bind() {
    let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateful));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(endpoint.serve(listener, async {
        let _ = stopped.await;
    }));
    let url = format!("http://127.0.0.1:{port}/mcp");
    let initialize = json!({
        "jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}
    });
    let post = |origin: Option<&'static str>, host: &'static str| {
        let mut request = reqwest::Client::new()
            .post(&url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .header("host", host)
            .body(initialize.to_string());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    let evil = post(Some("http://evil.example"), "mcp.example.com")
        .await
        .unwrap();
    assert_eq!(
        evil.status(),
        403,
        "a foreign browser origin, bound to 0.0.0.0"
    );
    let body = evil.text().await.unwrap();
    assert!(body.contains("Invalid Origin"), "{body}");
    let local = post(Some("http://localhost:6274"), "mcp.example.com")
        .await
        .unwrap();
    assert_eq!(local.status(), 200, "a loopback origin (the Inspector)");
    let plain = post(None, "mcp.example.com").await.unwrap();
    assert_eq!(
        plain.status(),
        200,
        "no Origin (not a browser); Host unknown on 0.0.0.0"
    );
    let _ = stop.send(());
    task.await.unwrap().unwrap();
}

/// A tool that asks the client and reports what became of the question.
#[derive(Clone, Default)]
struct Asker;

#[mcp_server(name = "asker", version = "1.0.0")]
impl Asker {
    /// Ask the client for roots and say what happened.
    #[tool]
    async fn ask(&self, ctx: Context) -> String {
        match ctx.request("roots/list", json!({})).await {
            Ok(_) => "answered".into(),
            Err(e) => format!("error: {e}"),
        }
    }
}

#[tokio::test]
async fn questions_to_the_client_time_out_and_are_capped() {
    let limits = Limits::default()
        .client_request_timeout(Some(Duration::from_millis(300)))
        .max_pending_client_requests(1);
    let config = HttpConfig::new(Mode::Stateful).server(ServerConfig::new().limits(limits));
    let server = TestServer::start(Asker, config).await;
    let mut client = server.client();
    client.initialize().await;
    // The first question is never answered: it times out, and the tool hears why.
    let ask = call(1, "ask", json!({}));
    let first = client.post(&ask);
    // The second comes while the first waits: refused at once, at the cap.
    let second = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        client.post(&call(2, "ask", json!({}))).await
    };
    let (first, second) = tokio::join!(first, second);
    let text = |reply: &integration_tests::Reply| {
        let messages = reply.messages();
        let last = messages.last().cloned().unwrap_or(Value::Null);
        last["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    assert!(
        text(&first).contains("did not answer within"),
        "{}",
        first.body
    );
    assert!(
        first.body.contains("notifications/cancelled"),
        "the client is told to stop working on it: {}",
        first.body
    );
    assert!(
        text(&second).contains("max_pending_client_requests"),
        "{}",
        second.body
    );
    server.stop().await;
}

fn call(id: i64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": name, "arguments": arguments}})
}

#[tokio::test]
async fn requests_in_flight_per_session_are_capped() {
    let limits = Limits::default().max_in_flight_per_session(2);
    let config = HttpConfig::new(Mode::Stateful).server(ServerConfig::new().limits(limits));
    let server = TestServer::start(Chatty::default(), config).await;
    let mut client = server.client();
    client.initialize().await;
    let _first = SseReader::new(open(&client, call(1, "wait", json!({}))).await);
    let _second = SseReader::new(open(&client, call(2, "wait", json!({}))).await);
    let third = client.post(&call(3, "wait", json!({}))).await;
    let error = &third.response()["error"];
    assert_eq!(error["code"], -32000, "{}", third.body);
    assert_eq!(error["data"]["limit"], "max_in_flight_per_session");
    // Another session is not affected.
    let mut other = server.client();
    other.initialize().await;
    let reply = other.request("tools/list", json!({})).await;
    assert!(reply.response()["result"]["tools"].is_array());
    server.stop().await;
}

async fn open(client: &Client, body: Value) -> reqwest::Response {
    client
        .post_builder()
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

/// Resources to subscribe to.
struct Library;

#[mcp_server(name = "library", version = "1.0.0")]
impl Library {
    /// A book.
    #[resource(uri = "books://{id}")]
    fn book(&self, id: String) -> String {
        format!("book {id}")
    }

    /// The catalogue.
    #[resource(uri = "books://catalogue")]
    fn catalogue(&self) -> String {
        "all books".into()
    }
}

#[tokio::test]
async fn subscriptions_are_to_known_resources_of_bounded_size_and_number() {
    let limits = Limits::default()
        .max_subscriptions_per_session(2)
        .max_uri_bytes(1024);
    let config = HttpConfig::new(Mode::Stateful).server(ServerConfig::new().limits(limits));
    let server = TestServer::start(Library, config).await;
    let mut client = server.client();
    client.initialize().await;
    let mut subscribe = async |uri: String| {
        client
            .request("resources/subscribe", json!({"uri": uri}))
            .await
            .response()
    };
    assert!(subscribe("books://catalogue".into()).await["result"].is_object());
    assert!(
        subscribe("books://42".into()).await["result"].is_object(),
        "a template's URI"
    );
    let unknown = subscribe("films://1".into()).await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown resource")
    );
    let long = subscribe(format!("books://{}", "x".repeat(1024 * 1024))).await;
    assert_eq!(long["error"]["code"], -32602);
    assert!(
        long["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_uri_bytes")
    );
    let third = subscribe("books://43".into()).await;
    assert_eq!(
        third["error"]["data"]["limit"], "max_subscriptions_per_session",
        "{third}"
    );
    server.stop().await;

    // A server without resources has no subscriptions at all.
    let server = TestServer::start(Calculator, HttpConfig::new(Mode::Stateful)).await;
    let mut client = server.client();
    client.initialize().await;
    let none = client
        .request("resources/subscribe", json!({"uri": "books://catalogue"}))
        .await
        .response();
    assert_eq!(none["error"]["code"], -32601, "{none}");
    server.stop().await;
}

#[tokio::test]
async fn oversized_client_info_is_refused() {
    let limits = Limits::default().max_client_info_bytes(4096);
    let config = HttpConfig::new(Mode::Stateful).server(ServerConfig::new().limits(limits));
    let server = TestServer::start(Calculator, config).await;
    let reply = server
        .client()
        .post(&json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "x".repeat(100_000), "version": "1"}}
        }))
        .await;
    let error = &reply.response()["error"];
    assert_eq!(error["code"], -32602, "{}", reply.body);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("max_client_info_bytes")
    );
    assert!(
        reply.header("mcp-session-id").is_none(),
        "no session is kept"
    );
    server.stop().await;
}

/// Tools whose answers are large.
struct Big;

#[mcp_server(name = "big", version = "1.0.0")]
impl Big {
    /// Two megabytes of text.
    #[tool]
    fn blob(&self) -> String {
        "b".repeat(2 << 20)
    }
}

#[tokio::test]
async fn ended_sessions_leave_no_events_and_the_store_stays_within_its_bytes() {
    let store = Arc::new(InMemoryEventStore::default().with_byte_limits(8 << 20, 32 << 20));
    let config = HttpConfig::new(Mode::Stateful).event_store(store.clone());
    let server = TestServer::start(Big, config).await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        let mut client = server.client();
        client.initialize().await;
        for _ in 0..10 {
            let result = client.call_tool("blob", json!({})).await;
            assert_eq!(
                result["content"][0]["text"].as_str().unwrap().len(),
                2 << 20
            );
            assert!(store.bytes() <= 32 << 20, "{} bytes", store.bytes());
        }
        clients.push(client);
    }
    assert!(
        store.bytes() > 8 << 20,
        "events are kept while sessions live"
    );
    for client in &clients {
        let reply = client
            .http
            .delete(&client.url)
            .header("mcp-session-id", client.session.as_deref().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
    }
    eventually("the ended sessions' events are dropped", || {
        store.bytes() == 0
    })
    .await;
    server.stop().await;
}

#[tokio::test]
async fn sessions_per_principal_are_capped() {
    let endpoint = StreamableHttp::new(
        Calculator,
        HttpConfig::new(Mode::Stateful).max_sessions_per_principal(2),
    );
    // Who calls is what an authentication layer says: here, the `x-user` header.
    let (url, task) = integration_tests::serve_with_users(&endpoint).await;
    let initialize = |user: &'static str| {
        reqwest::Client::new()
            .post(&url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .header("x-user", user)
            .body(
                json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                       "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                                  "clientInfo": {"name": "t", "version": "1"}}})
                .to_string(),
            )
            .send()
    };
    assert_eq!(initialize("alice").await.unwrap().status(), 200);
    assert_eq!(initialize("alice").await.unwrap().status(), 200);
    let third = initialize("alice").await.unwrap();
    assert_eq!(third.status(), 429);
    assert_eq!(third.headers()["retry-after"], "5");
    assert_eq!(
        initialize("bob").await.unwrap().status(),
        200,
        "others are not affected"
    );
    assert_eq!(endpoint.session_count(), 3);
    task.abort();
}

/// A tool that never finishes unless cancelled, and one that finishes soon.
struct Stubborn;

#[mcp_server(name = "stubborn", version = "1.0.0")]
impl Stubborn {
    /// Sleep for ever (until cancelled).
    #[tool]
    async fn forever(&self, ctx: Context) -> String {
        ctx.cancelled().await;
        "cancelled".into()
    }

    /// Answer after `ms` milliseconds.
    #[tool]
    async fn soon(&self, ms: u64) -> String {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        "done".into()
    }
}

#[tokio::test]
async fn shutdown_drains_then_cancels_within_its_deadline() {
    let deadline = Duration::from_millis(800);
    let config = HttpConfig::new(Mode::Stateful)
        .json_response(true)
        .shutdown_timeout(deadline);
    let server = TestServer::start(Stubborn, config).await;
    let mut client = server.client();
    client.initialize().await;
    let mut stuck = TcpStream::connect(server.addr).await.unwrap();
    let half = format!(
        "{}Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{{",
        head(server.addr)
    );
    stuck.write_all(half.as_bytes()).await.unwrap();
    let (soon, forever) = (
        call(1, "soon", json!({"ms": 300})),
        call(2, "forever", json!({})),
    );
    let (soon, forever) = (client.post(&soon), client.post(&forever));
    let stop = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        server.stop().await;
        started.elapsed()
    };
    let (soon, forever, took) = tokio::join!(soon, forever, stop);
    assert_eq!(
        soon.response()["result"]["content"][0]["text"],
        "done",
        "a request in flight finishes during the drain"
    );
    assert!(
        forever.status != 200 || forever.response()["result"]["content"][0]["text"] != "done",
        "the stuck one is cancelled: {}",
        forever.body
    );
    assert!(
        took < deadline + Duration::from_secs(2),
        "the server returned {took:?} after the signal"
    );
}
