//! SSE streams: priming, resumption, server-to-client requests, cancellation, the GET
//! stream, duplicate ids, and what is left behind after requests and shutdown.

use std::sync::atomic::Ordering;
use std::time::Duration;

use integration_tests::memory::MemoryServer;
use integration_tests::servers::{Calculator, Chatty};
use integration_tests::{
    Client, SseReader, TestServer, eventually, serving_task_count, settle_task_count,
};
use mcp_runtime::store::InMemoryEventStore;
use mcp_runtime::{HttpConfig, Mode};
use serde_json::{Value, json};

fn resumable() -> HttpConfig {
    HttpConfig::new(Mode::Stateful)
        .event_store(InMemoryEventStore::default())
        .retry_interval(Some(Duration::from_millis(500)))
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

/// A GET resuming `session`'s stream after `last_event_id`.
async fn resume(
    client: &Client,
    url: &str,
    session: &str,
    last_event_id: &str,
) -> reqwest::Response {
    client
        .http
        .get(url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", session)
        .header("last-event-id", last_event_id)
        .send()
        .await
        .unwrap()
}

fn call(id: i64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
}

#[tokio::test]
async fn sse_responses_start_with_a_priming_event_when_resumable() {
    let server = TestServer::start(Calculator, resumable()).await;
    let mut client = server.client();
    client.initialize().await;
    let mut stream = open(&client, call(1, "add", json!({"a": 1, "b": 2}))).await;
    let priming = stream.next().await.unwrap();
    assert!(priming.id.is_some(), "priming event has an id");
    assert_eq!(priming.data, "");
    assert_eq!(priming.retry, Some(500));
    let (id, response) = stream.next_message().await.unwrap();
    assert!(id.is_some(), "every event has an id");
    assert_eq!(response["result"]["content"][0]["text"], "3");
    assert!(
        stream.next().await.is_none(),
        "the stream ends after the response"
    );
    // A session negotiated before 2025-11-25 gets no priming event.
    let mut old = server.client();
    let init = old
        .post(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}}))
        .await;
    old.session = init.header("mcp-session-id").map(str::to_owned);
    let mut stream = open(&old, call(2, "add", json!({"a": 1, "b": 2}))).await;
    assert!(
        !stream.next().await.unwrap().data.is_empty(),
        "the first event is the response"
    );
    // A 2025-11-25 session is primed even when a request's header names an older version.
    let mixed = client
        .bare_post()
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .header("mcp-protocol-version", "2025-03-26")
        .body(call(3, "add", json!({"a": 1, "b": 2})).to_string());
    let mut stream = SseReader::new(mixed.send().await.unwrap());
    assert_eq!(stream.next().await.unwrap().data, "", "primed");
    server.stop().await;
}

/// An in-memory store that counts how it is called.
#[derive(Default)]
struct Counting {
    inner: InMemoryEventStore,
    single: std::sync::atomic::AtomicUsize,
    batches: std::sync::Mutex<Vec<usize>>,
}

impl mcp_runtime::store::EventStore for Counting {
    fn store<'a>(
        &'a self,
        stream_id: &'a str,
        message: Option<&'a str>,
    ) -> mcp_runtime::BoxFuture<'a, Result<String, mcp_runtime::store::EventStoreError>> {
        self.single.fetch_add(1, Ordering::SeqCst);
        self.inner.store(stream_id, message)
    }
    fn store_all<'a>(
        &'a self,
        stream_id: &'a str,
        messages: &'a [Option<&'a str>],
    ) -> mcp_runtime::BoxFuture<'a, Result<Vec<String>, mcp_runtime::store::EventStoreError>> {
        self.batches.lock().unwrap().push(messages.len());
        self.inner.store_all(stream_id, messages)
    }
    fn replay_after<'a>(
        &'a self,
        last_event_id: &'a str,
    ) -> mcp_runtime::BoxFuture<
        'a,
        Result<Option<mcp_runtime::store::Replay>, mcp_runtime::store::EventStoreError>,
    > {
        self.inner.replay_after(last_event_id)
    }
}

#[tokio::test]
async fn a_response_ready_at_once_is_stored_with_its_priming_event_in_one_call() {
    let store = std::sync::Arc::new(Counting::default());
    let config = HttpConfig::new(Mode::Stateful).event_store(store.clone());
    let server = TestServer::start(Calculator, config).await;
    let mut client = server.client();
    client.initialize().await;
    assert_eq!(
        *store.batches.lock().unwrap(),
        [2],
        "initialize: priming and response"
    );
    let mut stream = open(&client, call(1, "add", json!({"a": 1, "b": 2}))).await;
    let priming = stream.next().await.unwrap();
    assert_eq!(priming.data, "");
    let (response_id, response) = stream.next_message().await.unwrap();
    assert_eq!(response["result"]["content"][0]["text"], "3");
    assert!(stream.next().await.is_none());
    assert_eq!(*store.batches.lock().unwrap(), [2, 2]);
    assert_eq!(
        store.single.load(Ordering::SeqCst),
        0,
        "no event stored alone"
    );
    // Both were stored, in order: resuming from the priming event replays the response.
    let resumed = resume(
        &client,
        &server.url,
        client.session.as_deref().unwrap(),
        &priming.id.unwrap(),
    )
    .await;
    assert_eq!(resumed.status(), 200);
    let mut replay = SseReader::new(resumed);
    let (replayed_id, replayed) = replay.next_message().await.unwrap();
    assert_eq!(replayed_id, response_id);
    assert_eq!(replayed, response);
    server.stop().await;
}

#[tokio::test]
async fn a_dropped_stream_resumes_with_exactly_the_missed_events() {
    let chatty = Chatty::default();
    let finished = chatty.finished.clone();
    let server = TestServer::start(chatty, resumable()).await;
    let mut client = server.client();
    client.initialize().await;
    let session = client.session.clone().unwrap();

    // Another stream in the same session, whose events must not leak into the replay.
    let mut other = open(&client, call(50, "ticks", json!({"n": 2, "ms": 10}))).await;

    let mut stream = open(&client, call(1, "ticks", json!({"n": 4, "ms": 60}))).await;
    let priming = stream.next().await.unwrap();
    let (first_id, first) = stream.next_message().await.unwrap();
    assert_eq!(first["params"]["data"], "tick 0");
    let first_id = first_id.unwrap();
    assert!(
        first_id.starts_with(&session),
        "event ids encode the session's stream: {first_id}"
    );
    assert_ne!(priming.id.unwrap(), first_id);
    drop(stream); // the client goes away mid-request; the request goes on

    while other.next().await.is_some() {}

    // Whether or not the server has seen the client go, a resumption replays from its store.
    let resumed = resume(&client, &server.url, &session, &first_id).await;
    assert_eq!(resumed.status(), 200);
    let mut resumed = SseReader::new(resumed);
    let mut seen = Vec::new();
    while let Some((id, message)) = resumed.next_message().await {
        assert!(id.unwrap().starts_with(&session));
        seen.push(message);
    }
    let ticks: Vec<_> = seen
        .iter()
        .filter_map(|m| m["params"]["data"].as_str())
        .collect();
    assert_eq!(
        ticks,
        ["tick 1", "tick 2", "tick 3"],
        "exactly the missed events, in order"
    );
    let last = seen.last().unwrap();
    assert_eq!(last["id"], 1);
    assert_eq!(last["result"]["content"][0]["text"], "done");
    assert_eq!(
        finished.load(Ordering::SeqCst),
        2,
        "a disconnect does not cancel"
    );

    // Resuming a finished stream replays what is left and ends.
    let again = resume(&client, &server.url, &session, &first_id).await;
    let mut again = SseReader::new(again);
    let mut count = 0;
    while again.next_message().await.is_some() {
        count += 1;
    }
    assert_eq!(count, 4);

    // Unknown ids and other sessions' ids are refused.
    let mut stranger = server.client();
    stranger.initialize().await;
    for (sess, last) in [
        (session.as_str(), "nope/1"),
        (stranger.session.as_deref().unwrap(), first_id.as_str()),
    ] {
        let r = resume(&client, &server.url, sess, last).await;
        assert_eq!(r.status(), 400, "{sess} {last}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_tool_can_end_its_stream_early_and_the_client_resumes_sse_polling() {
    let server = TestServer::start(Chatty::default(), resumable()).await;
    let mut client = server.client();
    client.initialize().await;
    let mut stream = open(&client, call(1, "poll_me", json!({}))).await;
    let priming = stream.next().await.unwrap();
    assert_eq!(priming.retry, Some(500));
    let (before_id, before) = stream.next_message().await.unwrap();
    assert_eq!(before["params"]["data"], "before");
    assert!(
        stream.next().await.is_none(),
        "the server ended the stream before the response"
    );
    let resumed = resume(
        &client,
        &server.url,
        client.session.as_deref().unwrap(),
        &before_id.unwrap(),
    )
    .await;
    let mut resumed = SseReader::new(resumed);
    let (_, after) = resumed.next_message().await.unwrap();
    assert_eq!(after["params"]["data"], "after");
    let (_, response) = resumed.next_message().await.unwrap();
    assert_eq!(
        response["result"]["content"][0]["text"],
        "polled (closed: true)"
    );
    assert!(resumed.next().await.is_none());

    // Without an event store there is nothing to resume from: the stream stays open.
    let plain = TestServer::start(Chatty::default(), Mode::Stateful).await;
    let mut client = plain.client();
    client.initialize().await;
    let result = client.call_tool("poll_me", json!({})).await;
    assert_eq!(result["content"][0]["text"], "polled (closed: false)");
    plain.stop().await;
    server.stop().await;
}

#[tokio::test]
async fn server_to_client_requests_travel_on_the_post_stream() {
    let server = TestServer::start(Chatty::default(), Mode::Stateful).await;
    let mut client = server.client();
    client.initialize().await;
    let mut stream = open(&client, call(7, "ask", json!({"prompt": "hello"}))).await;
    let (_, request) = stream.next_message().await.unwrap();
    assert_eq!(request["method"], "sampling/createMessage");
    assert_eq!(request["params"]["messages"][0]["content"]["text"], "hello");
    assert_eq!(request["params"]["maxTokens"], 100);
    let answer = client
        .post(&json!({"jsonrpc": "2.0", "id": request["id"], "result": {
            "role": "assistant", "model": "m", "content": {"type": "text", "text": "hi there"}}}))
        .await;
    assert_eq!(answer.status, 202);
    let (_, response) = stream.next_message().await.unwrap();
    assert_eq!(response["id"], 7);
    assert_eq!(
        response["result"]["content"][0]["text"],
        "LLM response: hi there"
    );
    server.stop().await;
}

#[tokio::test]
async fn asking_a_client_without_the_capability_is_a_clear_tool_error() {
    let server = TestServer::start(Chatty::default(), Mode::Stateful).await;
    let client = server.client();
    let init = client
        .post(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}}))
        .await;
    let mut client = Client {
        session: init.header("mcp-session-id").map(str::to_owned),
        ..client.clone()
    };
    let result = client.call_tool("ask", json!({"prompt": "hello"})).await;
    assert_eq!(result["isError"], true);
    assert!(
        result["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("sampling"),
        "{result}"
    );
    server.stop().await;
}

#[tokio::test]
async fn json_responses_cannot_carry_requests_to_the_client() {
    let server = TestServer::start(
        Chatty::default(),
        HttpConfig::new(Mode::Stateful).json_response(true),
    )
    .await;
    let mut client = server.client();
    client.initialize().await;
    let result = client.call_tool("ask", json!({"prompt": "hello"})).await;
    assert_eq!(result["isError"], true);
    assert!(
        result["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("SSE"),
        "{result}"
    );
    server.stop().await;
}

#[tokio::test]
async fn cancellation_stops_the_request_and_closes_its_stream() {
    let chatty = Chatty::default();
    let (started, stopped) = (chatty.started.clone(), chatty.stopped.clone());
    let server = TestServer::start(chatty, Mode::Stateful).await;
    let mut client = server.client();
    client.initialize().await;
    let mut stream = open(&client, call(3, "wait", json!({}))).await;
    // A future dropped before its first poll never ran: cancel the tool once it runs.
    eventually("the tool started", || started.load(Ordering::SeqCst) == 1).await;
    let cancel = client
        .post(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3, "reason": "test"}}))
        .await;
    assert_eq!(cancel.status, 202);
    let (_, last) = stream.next_message().await.unwrap();
    assert_eq!(last["error"]["code"], -32800);
    assert!(stream.next().await.is_none());
    assert_eq!(
        stopped.load(Ordering::SeqCst),
        1,
        "the tool's future was dropped"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_cancellation_sent_right_after_the_request_is_never_lost() {
    let server = TestServer::start(Chatty::default(), Mode::Stateful).await;
    let mut client = server.client();
    client.initialize().await;
    for id in 100..120 {
        let mut stream = open(&client, call(id, "wait", json!({}))).await;
        let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id}});
        assert_eq!(client.post(&cancel).await.status, 202);
        let (_, last) = stream.next_message().await.unwrap();
        assert_eq!(last["error"]["code"], -32800, "request {id}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_duplicate_in_flight_id_is_refused_at_once() {
    let chatty = Chatty::default();
    let started = chatty.started.clone();
    let server = TestServer::start(chatty, Mode::Stateful).await;
    let mut client = server.client();
    client.initialize().await;
    let _first = open(&client, call(5, "wait", json!({}))).await;
    eventually("the first call runs", || {
        started.load(Ordering::SeqCst) == 1
    })
    .await;
    // `wait` waits 30 s: an answer before then is the refusal, not a queue behind it.
    let second = tokio::time::timeout(
        Duration::from_secs(20),
        client.post(&call(5, "ticks", json!({"n": 0, "ms": 0}))),
    )
    .await
    .expect("answered at once, not hung");
    let response = second.response();
    assert_eq!(response["id"], 5);
    assert_eq!(response["error"]["code"], -32600);
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in flight")
    );
    server.stop().await;
}

#[tokio::test]
async fn the_get_stream_carries_server_initiated_notifications() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mcp = mcp_runtime::StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateful));
    let app = mcp.router();
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    let mut client = Client::new(&format!("http://{addr}/mcp"));
    client.initialize().await;
    let get = client
        .http
        .get(&client.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", client.session.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    // The GET handler attached the stream before it answered: no wait needed.
    let mut stream = SseReader::new(get);
    mcp.notify_all("notifications/tools/list_changed", json!({}))
        .await;
    let (_, message) = stream.next_message().await.unwrap();
    assert_eq!(message["method"], "notifications/tools/list_changed");
    mcp.shutdown();
    assert!(
        stream.next().await.is_none(),
        "shutdown ends the GET stream"
    );
    task.abort();
}

#[tokio::test]
async fn the_get_stream_hears_of_tools_added_at_run_time() {
    let endpoint = mcp_runtime::StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateful));
    let handle = endpoint.handle().clone();
    let server = TestServer::serve(endpoint).await;
    let mut client = server.client();
    client.initialize().await;
    let get = client
        .http
        .get(&client.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", client.session.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    // The GET handler attached the stream before it answered: no wait needed.
    let mut stream = SseReader::new(get);
    let twice = mcp_runtime::ToolDef::raw(
        "twice",
        "Double a number.",
        json!({"type": "object", "properties": {"n": {"type": "number"}}}),
        |args, _| async move { args["n"].as_f64().unwrap_or(0.0) * 2.0 },
    );
    handle.add_tool(twice).unwrap();
    let (_, message) = stream.next_message().await.unwrap();
    assert_eq!(message["method"], "notifications/tools/list_changed");
    let listed = client.request("tools/list", json!({})).await.response();
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(names.contains(&"twice"), "{names:?}");
    let result = client.call_tool("twice", json!({"n": 21})).await;
    assert_eq!(result["content"][0]["text"], "42");
    server.stop().await;
}

#[test]
fn stateless_requests_leave_nothing_behind() {
    // The server gets a runtime of its own, so its task count is the server's alone.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = server_rt.block_on(TestServer::start(Calculator, Mode::Stateless));
    let metrics = server_rt.metrics();
    let url = server.url.clone();
    let idle = serving_task_count(&metrics, async {
        let result = Client::new(&url)
            .call_tool("add", json!({"a": 0, "b": 0}))
            .await;
        assert_eq!(result["content"][0]["text"], "0");
    });
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    client_rt.block_on(async {
        let client = Client::new(&url);
        let calls: Vec<_> = (0..50)
            .map(|i| {
                let mut c = client.clone();
                tokio::spawn(async move { (i, c.call_tool("add", json!({"a": i, "b": 1})).await) })
            })
            .collect();
        for call in calls {
            let (i, result) = call.await.unwrap();
            assert_eq!(result["content"][0]["text"], (i + 1).to_string());
        }
    });
    drop(client_rt); // closes the client's connections
    let alive = settle_task_count(&metrics, idle);
    assert!(
        alive <= idle,
        "server tasks when idle {idle}, after the burst {alive}"
    );
    server_rt.block_on(server.stop());
}

#[tokio::test]
async fn shutdown_ends_sessions_streams_and_requests() {
    let chatty = Chatty::default();
    let started = chatty.started.clone();
    let server = TestServer::start(chatty, Mode::Stateful).await;
    let mut client = server.client();
    client.initialize().await;
    let get = client
        .http
        .get(&server.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", client.session.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    let mut standalone = SseReader::new(get);
    let mut waiting = open(&client, call(1, "wait", json!({}))).await;
    eventually("the request is in flight", || {
        started.load(Ordering::SeqCst) == 1
    })
    .await;
    server.stop().await; // returns only when every connection has drained
    let (_, last) = waiting.next_message().await.unwrap();
    assert_eq!(
        last["error"]["code"], -32800,
        "the request in flight gets an error"
    );
    assert!(standalone.next().await.is_none());
}

#[tokio::test]
async fn a_session_belongs_to_the_principal_that_opened_it() {
    use axum::extract::Request;
    use axum::middleware::Next;
    async fn auth(mut request: Request, next: Next) -> axum::response::Response {
        if let Some(user) = request
            .headers()
            .get("x-user")
            .and_then(|v| v.to_str().ok())
        {
            let principal = mcp_runtime::Principal::new(user);
            request.extensions_mut().insert(principal);
        }
        next.run(request).await
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mcp = mcp_runtime::StreamableHttp::new(Calculator, Mode::Stateful.into());
    let app = mcp.router().layer(axum::middleware::from_fn(auth));
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}/mcp");
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}});
    let alice = Client::new(&url);
    let reply = integration_tests::read(
        alice
            .post_builder()
            .header("x-user", "alice")
            .body(init.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    let session = reply.header("mcp-session-id").unwrap().to_owned();
    let alice = Client {
        session: Some(session),
        ..alice.clone()
    };
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}).to_string();
    let as_user = |user: Option<&'static str>| {
        let mut b = alice.post_builder().body(ping.clone());
        if let Some(u) = user {
            b = b.header("x-user", u);
        }
        b.send()
    };
    assert_eq!(as_user(Some("alice")).await.unwrap().status(), 200);
    assert_eq!(as_user(Some("bob")).await.unwrap().status(), 404);
    assert_eq!(as_user(None).await.unwrap().status(), 404);
    mcp.shutdown();
    task.abort();
}

#[tokio::test]
async fn a_failing_stream_ends_its_session_with_an_error_not_a_hang() {
    struct PanickingStore;
    impl mcp_runtime::store::EventStore for PanickingStore {
        fn store<'a>(
            &'a self,
            _: &'a str,
            message: Option<&'a str>,
        ) -> mcp_runtime::BoxFuture<'a, Result<String, mcp_runtime::store::EventStoreError>>
        {
            let message = message.map(str::to_owned);
            Box::pin(async move {
                if message.is_some_and(|m| m.contains("\"content\"")) {
                    panic!("store broke");
                }
                Ok("e/1".to_owned())
            })
        }
        fn replay_after<'a>(
            &'a self,
            _: &'a str,
        ) -> mcp_runtime::BoxFuture<
            'a,
            Result<Option<mcp_runtime::store::Replay>, mcp_runtime::store::EventStoreError>,
        > {
            Box::pin(async { Ok(None) })
        }
    }
    let config = HttpConfig::new(Mode::Stateful).event_store(PanickingStore);
    let server = TestServer::start(Calculator, config).await;
    let mut client = server.client();
    client.initialize().await;
    let mut stream = open(&client, call(1, "add", json!({"a": 1, "b": 2}))).await;
    let (_, error) = stream.next_message().await.expect("an error, not a hang");
    assert_eq!(error["id"], 1);
    assert_eq!(error["error"]["code"], -32603);
    assert!(stream.next().await.is_none());
    assert_eq!(
        client.request("ping", json!({})).await.status,
        404,
        "the session was ended"
    );
    server.stop().await;
}

// In memory on paused time, the client gives up at 40 ms exactly, while the tool sleeps to its
// first tick at 50 ms: dropping the exchange is what the server does when a client hangs up.
#[tokio::test(start_paused = true)]
async fn with_json_responses_a_disconnect_does_not_cancel_either() {
    for mode in [Mode::Stateful, Mode::Stateless] {
        let chatty = Chatty::default();
        let finished = chatty.finished.clone();
        let server = MemoryServer::new(chatty, HttpConfig::new(mode).json_response(true));
        let mut client = server.client();
        client.initialize().await;
        let gone = tokio::time::timeout(
            Duration::from_millis(40),
            client.send(&call(7, "ticks", json!({"n": 3, "ms": 50}))),
        )
        .await;
        assert!(
            gone.is_err(),
            "{mode:?}: the client gave up before the answer"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(
            finished.load(Ordering::SeqCst),
            1,
            "{mode:?}: the request ran to its end"
        );
        // A request that waits, with the client still there, gets its answer.
        let done = client.call_tool("ticks", json!({"n": 1, "ms": 20})).await;
        assert_eq!(done["content"][0]["text"], "done", "{mode:?}");
        server.endpoint.shutdown();
    }
}
