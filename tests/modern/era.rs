//! The 2026-07-28 era on the same endpoint as the handshake era: routing, `server/discover`,
//! every refusal with its status and code, `resultType` and caching hints, per-request
//! logging, `subscriptions/listen`, cancellation by disconnect, and nothing left behind.

use std::sync::atomic::Ordering;
use std::time::Duration;

use integration_tests::servers::Calculator;
use integration_tests::{
    SseReader, TestServer, eventually, read, serving_task_count, settle_task_count,
};
use mcp_runtime::protocol::CacheHint;
use mcp_runtime::{HttpConfig, Mode, ServerConfig};
use serde_json::{Value, json};

use crate::support::{Desk, ModernClient, V};

#[tokio::test]
async fn one_endpoint_serves_both_eras_at_once() {
    for mode in [Mode::Stateful, Mode::Stateless] {
        let server = TestServer::start(Calculator, mode).await;
        let mut legacy = server.client();
        if mode == Mode::Stateful {
            legacy.initialize().await;
        }
        let modern = ModernClient::new(&server.url);
        let calls = (0..10).map(|i| {
            let mut legacy = legacy.clone();
            legacy.next_id = 1000 + i; // ids in flight together must differ within a session
            let mut modern = modern.clone();
            async move {
                let (old, new) = tokio::join!(
                    legacy.call_tool("add", json!({"a": i, "b": 1})),
                    modern.result(
                        "tools/call",
                        json!({"name": "add", "arguments": {"a": i, "b": 2}})
                    ),
                );
                assert_eq!(old["content"][0]["text"], (i + 1).to_string());
                assert!(
                    old.get("resultType").is_none(),
                    "handshake results unchanged"
                );
                assert_eq!(new["content"][0]["text"], (i + 2).to_string());
                assert_eq!(new["resultType"], "complete");
            }
        });
        futures_util::future::join_all(calls).await;
        let mut modern = modern.clone();
        let reply = modern.request("tools/list", json!({})).await;
        assert!(
            reply.header("mcp-session-id").is_none(),
            "no session minted"
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn discover_names_versions_capabilities_and_the_server() {
    let server = TestServer::start(Desk::default(), Mode::Stateful).await;
    let mut client = ModernClient::new(&server.url);
    let reply = client.request("server/discover", json!({})).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.header("mcp-session-id").is_none(),
        "no session minted"
    );
    let result = reply.response()["result"].clone();
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["supportedVersions"][0], V);
    assert!(
        result["supportedVersions"]
            .as_array()
            .unwrap()
            .contains(&json!("2025-11-25"))
    );
    assert_eq!(result["capabilities"]["tools"]["listChanged"], true);
    assert_eq!(result["capabilities"]["resources"]["subscribe"], true);
    assert_eq!(result["instructions"], "A desk for tests.");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "desk"
    );
    assert_eq!(result["ttlMs"], 0);
    assert_eq!(result["cacheScope"], "private");
    // A session id from an older client is ignored, not echoed.
    let params = client.with_meta(json!({}));
    let body = client.body("server/discover", &params);
    let reply = read(
        client
            .builder("server/discover", &params)
            .header("mcp-session-id", "0123456789abcdef0123456789abcdef")
            .header("last-event-id", "x")
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.header("mcp-session-id").is_none());
    server.stop().await;
}

/// Sends `body` with `headers` (and the standard content headers).
async fn raw(url: &str, headers: &[(&str, &str)], body: &Value) -> integration_tests::Reply {
    let mut b = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    read(b.body(body.to_string()).send().await.unwrap()).await
}

fn assert_error(reply: &integration_tests::Reply, status: u16, code: i64, id: i64) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["error"]["code"], code, "{}", reply.body);
    assert_eq!(body["id"], id, "errors echo the request id: {}", reply.body);
    body
}

#[tokio::test]
async fn refusals_have_the_spec_status_and_code() {
    let server = TestServer::start(Desk::default(), Mode::Stateless).await;
    let url = &server.url;
    let client = ModernClient::new(url);
    let meta = |v: &str| {
        json!({"io.modelcontextprotocol/protocolVersion": v,
               "io.modelcontextprotocol/clientCapabilities": {}})
    };
    let request = |id: i64, method: &str, params: Value| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    let std = |method: &'static str| vec![("mcp-protocol-version", V), ("mcp-method", method)];

    // _meta missing, or without a required key: -32602, 400.
    let reply = raw(
        url,
        &std("server/discover"),
        &request(1, "server/discover", json!({})),
    )
    .await;
    assert_error(&reply, 400, -32602, 1);
    let reply = raw(
        url,
        &std("server/discover"),
        &request(
            2,
            "server/discover",
            json!({"_meta": {"io.modelcontextprotocol/protocolVersion": V}}),
        ),
    )
    .await;
    assert_error(&reply, 400, -32602, 2);
    // clientInfo is optional.
    let reply = raw(
        url,
        &std("server/discover"),
        &request(3, "server/discover", json!({"_meta": meta(V)})),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Header and _meta disagree: -32020. Both name an unknown version: -32022 with the list.
    let reply = raw(
        url,
        &std("server/discover"),
        &request(4, "server/discover", json!({"_meta": meta("2099-01-01")})),
    )
    .await;
    assert_error(&reply, 400, -32020, 4);
    let reply = raw(
        url,
        &[
            ("mcp-protocol-version", "2099-01-01"),
            ("mcp-method", "server/discover"),
        ],
        &request(5, "server/discover", json!({"_meta": meta("2099-01-01")})),
    )
    .await;
    let body = assert_error(&reply, 400, -32022, 5);
    assert_eq!(body["error"]["data"]["requested"], "2099-01-01");
    assert_eq!(body["error"]["data"]["supported"][0], V);

    // Mcp-Method missing, different, or of another case: -32020.
    for headers in [
        vec![("mcp-protocol-version", V)],
        vec![("mcp-protocol-version", V), ("mcp-method", "prompts/list")],
        vec![("mcp-protocol-version", V), ("mcp-method", "TOOLS/LIST")],
    ] {
        let reply = raw(
            url,
            &headers,
            &request(6, "tools/list", json!({"_meta": meta(V)})),
        )
        .await;
        assert_error(&reply, 400, -32020, 6);
    }
    // Header names are case-insensitive; values may carry whitespace.
    let reply = raw(
        url,
        &[("MCP-PROTOCOL-VERSION", V), ("MCP-METHOD", "tools/list")],
        &request(7, "tools/list", json!({"_meta": meta(V)})),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Mcp-Name missing or different: -32020; base64 sentinel and padding accepted.
    let call = |id: i64| {
        request(
            id,
            "tools/call",
            json!({"name": "toggle", "arguments": {}, "_meta": meta(V)}),
        )
    };
    let mut tool_call = std("tools/call");
    let reply = raw(url, &tool_call, &call(8)).await;
    assert_error(&reply, 400, -32020, 8);
    tool_call.push(("mcp-name", "touch"));
    let reply = raw(url, &tool_call, &call(9)).await;
    assert_error(&reply, 400, -32020, 9);
    tool_call.pop();
    tool_call.push(("mcp-name", "=?base64?dG9nZ2xl?="));
    let reply = raw(url, &tool_call, &call(10)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    tool_call.pop();
    tool_call.push(("mcp-name", "  toggle  "));
    let reply = raw(url, &tool_call, &call(11)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Removed and unknown methods: 404 with -32601.
    for (id, method) in [
        (12, "initialize"),
        (13, "ping"),
        (14, "logging/setLevel"),
        (15, "resources/subscribe"),
        (16, "resources/unsubscribe"),
        (17, "unknown/method"),
    ] {
        let mut headers = std("x");
        headers[1].1 = method;
        let reply = raw(
            url,
            &headers,
            &request(id, method, json!({"_meta": meta(V)})),
        )
        .await;
        assert_error(&reply, 404, -32601, id);
    }

    // A missing client capability: -32021 naming it.
    let mut no_caps = client.clone();
    no_caps.capabilities = json!({});
    let (status, error) = no_caps
        .error(
            "tools/call",
            json!({"name": "needs_sampling", "arguments": {}}),
        )
        .await;
    assert_eq!((status, error["code"].as_i64()), (400, Some(-32021)));
    assert_eq!(error["data"]["requiredCapabilities"]["sampling"], json!({}));

    // GET and DELETE of this era: 405, Allow: POST.
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let reply = read(
            reqwest::Client::new()
                .request(method.clone(), url)
                .header("accept", "text/event-stream")
                .header("mcp-protocol-version", V)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("allow"), Some("POST"));
    }
    server.stop().await;
}

#[tokio::test]
async fn param_headers_must_match_their_arguments() {
    let server = TestServer::start(Desk::default(), Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    let tools = client.result("tools/list", json!({})).await;
    let locate = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "locate")
        .unwrap()
        .clone();
    assert_eq!(
        locate["inputSchema"]["properties"]["region"]["x-mcp-header"], "Region",
        "{locate}"
    );
    let params = client
        .with_meta(json!({"name": "locate", "arguments": {"region": "Zürich", "query": "tea"}}));
    let send = |client: &mut ModernClient, region: Option<&str>| {
        let body = client.body("tools/call", &params);
        let mut b = client.builder("tools/call", &params);
        if let Some(region) = region {
            b = b.header("mcp-param-region", region);
        }
        async move { read(b.body(body.to_string()).send().await.unwrap()).await }
    };
    // "Zürich" is not ASCII: the client sends it Base64-encoded.
    let ok = send(&mut client, Some("=?base64?WsO8cmljaA==?=")).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        ok.response()["result"]["content"][0]["text"],
        "tea in Zürich"
    );
    for bad in [None, Some("Bern"), Some("=?base64?WsO8cmljaA?=")] {
        let reply = send(&mut client, bad).await;
        assert_eq!(reply.status, 400, "{bad:?}: {}", reply.body);
        assert_eq!(reply.response()["error"]["code"], -32020, "{bad:?}");
    }
    server.stop().await;
}

#[tokio::test]
async fn every_result_has_a_result_type_and_cacheable_ones_hints() {
    let config = HttpConfig::new(Mode::Stateless)
        .server(ServerConfig::new().cache_hint(CacheHint::public(Duration::from_secs(60))));
    let server = TestServer::start(Desk::default(), config).await;
    let mut client = ModernClient::new(&server.url);
    for (method, params, cacheable) in [
        ("server/discover", json!({}), true),
        ("tools/list", json!({}), true),
        ("prompts/list", json!({}), true),
        ("resources/list", json!({}), true),
        ("resources/templates/list", json!({}), true),
        ("resources/read", json!({"uri": "desk://note"}), true),
        (
            "tools/call",
            json!({"name": "toggle", "arguments": {}}),
            false,
        ),
    ] {
        let result = client.result(method, params).await;
        assert_eq!(result["resultType"], "complete", "{method}");
        if cacheable {
            assert_eq!(result["ttlMs"], 60_000, "{method}");
            assert_eq!(result["cacheScope"], "public", "{method}");
        } else {
            assert!(result.get("ttlMs").is_none(), "{method}");
        }
    }
    // Resource not found is invalid params in this era, with the URI.
    let (status, error) = client
        .error("resources/read", json!({"uri": "desk://nope"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(error["code"], -32602);
    assert_eq!(error["data"]["uri"], "desk://nope");
    server.stop().await;
}

#[tokio::test]
async fn logs_only_at_the_level_the_request_asks() {
    let server = TestServer::start(Desk::default(), Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    let params = json!({"name": "chatter", "arguments": {}, "_meta": {"progressToken": "p1"}});
    let quiet = client.request("tools/call", params.clone()).await;
    let methods = |reply: &integration_tests::Reply| -> Vec<String> {
        reply
            .messages()
            .iter()
            .filter_map(|m| m["method"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        methods(&quiet),
        ["notifications/progress"],
        "no logs without a level"
    );
    client.log_level = Some("info".into());
    let chatty = client.request("tools/call", params.clone()).await;
    assert_eq!(
        methods(&chatty),
        ["notifications/message", "notifications/progress"]
    );
    assert_eq!(chatty.response()["result"]["content"][0]["text"], "chatted");
    client.log_level = Some("error".into());
    let errors_only = client.request("tools/call", params).await;
    assert_eq!(methods(&errors_only), ["notifications/progress"]);
    server.stop().await;
}

/// Opens a listen stream for `filter`.
async fn listen(client: &mut ModernClient, filter: Value) -> SseReader {
    let params = client.with_meta(json!({"notifications": filter}));
    let body = client.body("subscriptions/listen", &params);
    let response = client
        .builder("subscriptions/listen", &params)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    SseReader::new(response)
}

#[tokio::test]
async fn listen_streams_carry_the_notifications_asked_for() {
    let server = TestServer::start(Desk::default(), Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    let mut tools = listen(
        &mut client,
        json!({"toolsListChanged": true, "resourceSubscriptions": ["desk://note"]}),
    )
    .await;
    let (_, ack) = tools.next_message().await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(ack["params"]["notifications"]["toolsListChanged"], true);
    assert_eq!(
        ack["params"]["notifications"]["resourceSubscriptions"],
        json!(["desk://note"])
    );
    let subscription = ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"].clone();
    assert!(!subscription.is_null());
    let mut prompts_only = listen(&mut client, json!({"promptsListChanged": true})).await;
    let (_, ack2) = prompts_only.next_message().await.unwrap();
    assert_eq!(ack2["method"], "notifications/subscriptions/acknowledged");

    client
        .result("tools/call", json!({"name": "toggle", "arguments": {}}))
        .await;
    let (_, changed) = tools.next_message().await.unwrap();
    assert_eq!(changed["method"], "notifications/tools/list_changed");
    assert_eq!(
        changed["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        subscription
    );
    client
        .result(
            "tools/call",
            json!({"name": "touch", "arguments": {"uri": "desk://other"}}),
        )
        .await;
    client
        .result(
            "tools/call",
            json!({"name": "touch", "arguments": {"uri": "desk://note"}}),
        )
        .await;
    let (_, updated) = tools.next_message().await.unwrap();
    assert_eq!(updated["method"], "notifications/resources/updated");
    assert_eq!(
        updated["params"]["uri"], "desk://note",
        "only the subscribed URI"
    );

    // The prompts-only stream got none of it: the next thing it sees is the shutdown result.
    server.stop().await;
    let (_, last) = prompts_only.next_message().await.unwrap();
    assert_eq!(last["id"], 2);
    assert_eq!(last["result"]["resultType"], "complete");
    assert!(prompts_only.next_message().await.is_none());
}

/// A silent handler's answer is still to come as JSON until the keep-alive interval, then it
/// is an SSE stream that owns the handler. The client goes away before, then after: each is
/// its own case, whatever the machine's speed.
#[tokio::test]
async fn closing_the_stream_cancels_the_request() {
    for (keep_alive, as_a_stream) in [
        (Duration::from_secs(3600), false),
        (Duration::from_millis(50), true),
    ] {
        let desk = Desk::default();
        let (started, dropped) = (desk.started.clone(), desk.dropped.clone());
        let server = TestServer::start(
            desk,
            HttpConfig::new(Mode::Stateful).keep_alive(Some(keep_alive)),
        )
        .await;
        let mut client = ModernClient::new(&server.url);
        let params = client.with_meta(json!({"name": "hang", "arguments": {}}));
        let body = client.body("tools/call", &params);
        let pending = client
            .builder("tools/call", &params)
            .body(body.to_string())
            .send();
        if as_a_stream {
            // The head comes once the interval has passed, the handler running all along.
            let response = pending.await.unwrap();
            assert_eq!(started.load(Ordering::SeqCst), 1, "the tool started");
            assert_eq!(response.headers()["content-type"], "text/event-stream");
            drop(response);
        } else {
            let request = tokio::spawn(pending);
            eventually("the tool started", || started.load(Ordering::SeqCst) == 1).await;
            request.abort();
            assert!(request.await.unwrap_err().is_cancelled(), "no answer yet");
        }
        eventually("the tool's future is dropped", || {
            dropped.load(Ordering::SeqCst) == 1
        })
        .await;
        server.stop().await;
    }
}

#[test]
fn modern_requests_leave_nothing_behind() {
    for mode in [Mode::Stateful, Mode::Stateless] {
        let server_rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = server_rt.block_on(TestServer::start(Desk::default(), mode));
        let metrics = server_rt.metrics();
        let url = server.url.clone();
        let idle = serving_task_count(&metrics, async {
            let reply = ModernClient::new(&url)
                .request("server/discover", json!({}))
                .await;
            assert_eq!(reply.status, 200, "{}", reply.body);
        });
        let client_rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        client_rt.block_on(async {
            let client = ModernClient::new(&url);
            let calls: Vec<_> = (0..30)
                .map(|i| {
                    let mut c = client.clone();
                    tokio::spawn(async move {
                        let name = ["chatter", "greet", "toggle"][i % 3];
                        c.request("tools/call", json!({"name": name, "arguments": {}}))
                            .await
                            .status
                    })
                })
                .collect();
            for call in calls {
                assert_eq!(call.await.unwrap(), 200);
            }
            // A listen stream that the client closes.
            let mut c = client.clone();
            let mut stream = listen(&mut c, json!({"toolsListChanged": true})).await;
            assert!(stream.next_message().await.is_some());
        });
        drop(client_rt);
        let alive = settle_task_count(&metrics, idle);
        assert!(alive <= idle, "{mode:?}: tasks idle {idle}, after {alive}");
        server_rt.block_on(server.stop());
    }
}
