//! Two endpoints sharing one in-memory session store and bus, as nodes behind a load balancer
//! share Redis: any node serves any session, and what concerns a session reaches it wherever
//! its streams are. (The same over real Redis and nginx: `.ci/suites/60-scale-out.sh`.)

use std::sync::atomic::Ordering;
use std::time::Duration;

use integration_tests::servers::{Calculator, Chatty};
use integration_tests::{Client, SseReader, TestServer, eventually};
use mcp_runtime::store::{Cluster, InMemorySessionStore, LocalBus};
use mcp_runtime::{HttpConfig, MCPServer, Mode, StreamableHttp};
use serde_json::{Value, json};

/// Two nodes of `server` sharing one cluster.
async fn two_nodes<S: MCPServer + Clone>(
    server: S,
    config: HttpConfig,
) -> (TestServer, TestServer, StreamableHttp) {
    let cluster = Cluster::new(InMemorySessionStore::default(), LocalBus::default());
    let a = StreamableHttp::new(server.clone(), config.clone().cluster(cluster.clone()));
    let b = StreamableHttp::new(server, config.cluster(cluster));
    let b_handle = b.clone();
    (
        TestServer::serve(a).await,
        TestServer::serve(b).await,
        b_handle,
    )
}

/// The same client, speaking to `node`.
fn on(client: &Client, node: &TestServer) -> Client {
    let mut moved = client.clone();
    moved.url = node.url.clone();
    moved
}

async fn open(client: &Client, body: Value) -> SseReader {
    SseReader::new(
        client
            .post_builder()
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
}

fn call(id: i64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
}

#[derive(Clone, Default)]
struct SharedCalculator;

#[mcp_runtime::mcp_server(name = "calc", version = "0.1.0")]
impl SharedCalculator {
    /// Add.
    #[mcp_runtime::tool]
    fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }

    /// Subtract.
    #[mcp_runtime::tool]
    fn sub(&self, a: f64, b: f64) -> f64 {
        a - b
    }

    /// Logs at `info`, then answers.
    #[mcp_runtime::tool]
    async fn chat(&self, ctx: mcp_runtime::Context) -> String {
        ctx.info("hello").await;
        "said".into()
    }
}

/// The `notifications/message` of a `chat` call on `client`'s node, and its answer.
async fn chat_logs(client: &Client) -> Vec<Value> {
    let mut stream = open(client, call(9, "chat", json!({}))).await;
    let mut logs = Vec::new();
    while let Some((_, message)) = stream.next_message().await {
        if message["method"] == "notifications/message" {
            logs.push(message["params"]["data"].clone());
        } else {
            assert_eq!(message["result"]["content"][0]["text"], "said");
        }
    }
    logs
}

#[tokio::test]
async fn a_changed_session_travels_with_its_record_and_applies_at_once() {
    let cluster = Cluster::new(InMemorySessionStore::default(), LocalBus::default());
    let a = TestServer::serve(StreamableHttp::new(
        SharedCalculator,
        HttpConfig::new(Mode::Stateful).cluster(cluster.clone()),
    ))
    .await;
    let mut client = a.client();
    client.initialize().await;
    assert_eq!(chat_logs(&client).await, [json!("hello")]);
    // Another node changed the level to `error`: its message carries the record, and the store
    // is not read again (it still says `debug` here), so a reload could not race with the
    // client's next request.
    let mut record = mcp_runtime::store::SessionRecord::new(client.session.clone().unwrap());
    record.version = Some(mcp_runtime::protocol::Version::V2025_11_25);
    record.log_level = mcp_runtime::LogLevel::Error;
    cluster
        .bus
        .publish(&mcp_runtime::store::Envelope {
            from: u64::MAX,
            message: mcp_runtime::store::BusMessage::SessionChanged {
                record: Box::new(record),
            },
        })
        .await
        .unwrap();
    let mut quiet = false;
    for _ in 0..50 {
        if chat_logs(&client).await.is_empty() {
            quiet = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(quiet, "the level from the message applies");
    a.stop().await;
}

#[tokio::test]
async fn a_session_opened_on_one_node_is_served_by_the_other_and_ended_from_it() {
    let (a, b, _) = two_nodes(SharedCalculator, HttpConfig::new(Mode::Stateful)).await;
    let mut client = a.client();
    client.initialize().await;
    let mut on_b = on(&client, &b);
    for i in 0..4 {
        let node = if i % 2 == 0 { &mut client } else { &mut on_b };
        let result = node.call_tool("add", json!({"a": i, "b": 1})).await;
        assert_eq!(result["content"][0]["text"], format!("{}", i + 1));
    }
    let deleted = on_b
        .http
        .delete(&b.url)
        .header("mcp-session-id", on_b.session.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    for node in [&mut client, &mut on_b] {
        let after = node.request("tools/list", json!({})).await;
        assert_eq!(after.status, 404, "ended everywhere: {}", after.body);
    }
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn an_unknown_session_is_404_on_every_node() {
    let (a, b, _) = two_nodes(SharedCalculator, HttpConfig::new(Mode::Stateful)).await;
    for node in [&a, &b] {
        let mut client = node.client();
        client.session = Some("0123456789abcdef0123456789abcdef".into());
        client.version = Some("2025-11-25".into());
        assert_eq!(client.request("tools/list", json!({})).await.status, 404);
    }
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn the_session_cap_counts_every_nodes_sessions() {
    let (a, b, _) = two_nodes(
        SharedCalculator,
        HttpConfig::new(Mode::Stateful).max_sessions(1),
    )
    .await;
    a.client().initialize().await;
    let refused = b
        .client()
        .post(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}}),
        )
        .await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.header("retry-after"), Some("5"));
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_question_asked_on_one_node_is_answered_through_the_other() {
    let (a, b, _) = two_nodes(Chatty::default(), HttpConfig::new(Mode::Stateful)).await;
    let mut client = a.client();
    client.initialize().await;
    let mut stream = open(&client, call(7, "ask", json!({"prompt": "hello"}))).await;
    let (_, request) = stream.next_message().await.unwrap();
    assert_eq!(request["method"], "sampling/createMessage");
    let answer = on(&client, &b)
        .post(&json!({"jsonrpc": "2.0", "id": request["id"], "result": {
            "role": "assistant", "model": "m", "content": {"type": "text", "text": "from b"}}}))
        .await;
    assert_eq!(answer.status, 202);
    let (_, response) = stream.next_message().await.unwrap();
    assert_eq!(response["id"], 7);
    assert_eq!(
        response["result"]["content"][0]["text"],
        "LLM response: from b"
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_cancellation_sent_to_one_node_stops_the_request_on_the_other() {
    let chatty = Chatty::default();
    let (started, stopped) = (chatty.started.clone(), chatty.stopped.clone());
    let (a, b, _) = two_nodes(chatty, HttpConfig::new(Mode::Stateful)).await;
    let mut client = a.client();
    client.initialize().await;
    let _stream = open(&client, call(3, "wait", json!({}))).await;
    eventually("the call runs on a", || started.load(Ordering::SeqCst) == 1).await;
    let cancelled = on(&client, &b)
        .post(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}}))
        .await;
    assert_eq!(cancelled.status, 202);
    eventually("the call on a stops", || {
        stopped.load(Ordering::SeqCst) == 1
    })
    .await;
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_list_change_on_one_node_reaches_the_get_stream_on_the_other() {
    let (a, b, b_endpoint) = two_nodes(Calculator, HttpConfig::new(Mode::Stateful)).await;
    let mut client = a.client();
    client.initialize().await;
    let get = client
        .http
        .get(&a.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", client.session.clone().unwrap())
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    let mut listening = SseReader::new(get);
    assert_eq!(listening.status, 200);
    // b must know of the bus before the change: it does once it served the session.
    let mut on_b = on(&client, &b);
    assert_eq!(on_b.request("tools/list", json!({})).await.status, 200);
    assert!(b_endpoint.handle().set_tool_enabled("add", false));
    let (_, notification) = tokio::time::timeout(Duration::from_secs(5), listening.next_message())
        .await
        .expect("the announcement in time")
        .unwrap();
    assert_eq!(notification["method"], "notifications/tools/list_changed");
    a.stop().await;
    b.stop().await;
}
