//! The status-code table of the Streamable HTTP transport, one row per test, raw HTTP against
//! a live server.

use std::time::Duration;

use integration_tests::servers::Calculator;
use integration_tests::{Client, PATIENCE, TestServer, poll, read};
use mcp_runtime::{HttpConfig, Mode, Security, StreamableHttp};
use serde_json::{Value, json};

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

async fn initialized(config: impl Into<HttpConfig>) -> (TestServer, Client) {
    let server = TestServer::start(Calculator, config).await;
    let mut client = server.client();
    client.initialize().await;
    (server, client)
}

/// A POST with the standard Accept and Content-Type and the session id, but no protocol version.
fn raw(client: &Client) -> reqwest::RequestBuilder {
    client
        .bare_post()
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
}

fn assert_jsonrpc_error(body: &str, code: i64) -> Value {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["jsonrpc"], "2.0");
    assert_eq!(v["id"], Value::Null, "{body}");
    assert_eq!(v["error"]["code"], code, "{body}");
    v
}

#[tokio::test]
async fn post_must_accept_json_and_sse() {
    let (server, client) = initialized(Mode::Stateful).await;
    let post = |accept: &'static str| {
        client
            .bare_post()
            .header("content-type", "application/json")
            .header("accept", accept)
            .body(PING)
            .send()
    };
    for accept in ["", "application/json", "text/event-stream", "text/html"] {
        let reply = read(post(accept).await.unwrap()).await;
        assert_eq!(reply.status, 406, "accept {accept:?}");
        assert_jsonrpc_error(&reply.body, -32000);
    }
    // Wildcards accept both, as HTTP says.
    for accept in [
        "*/*",
        "application/*, text/*",
        "application/json;q=0.9, text/event-stream;q=0.8",
    ] {
        assert_eq!(
            post(accept).await.unwrap().status(),
            200,
            "accept {accept:?}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn json_mode_accepts_json_alone() {
    let (server, client) = initialized(HttpConfig::new(Mode::Stateful).json_response(true)).await;
    let reply = read(
        client
            .bare_post()
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(PING)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["result"], json!({}));
    server.stop().await;
}

#[tokio::test]
async fn post_body_must_be_json() {
    let (server, client) = initialized(Mode::Stateful).await;
    let reply = read(
        client
            .bare_post()
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "text/plain")
            .body(PING)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 415);
    assert_jsonrpc_error(&reply.body, -32000);
    server.stop().await;
}

#[tokio::test]
async fn malformed_json_is_a_parse_error_and_wrong_shapes_are_invalid_requests() {
    let (server, client) = initialized(Mode::Stateful).await;
    let reply = read(
        client
            .post_builder()
            .body("{not json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_jsonrpc_error(&reply.body, -32700);
    for body in [
        r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
        r#"{"id":1,"method":"ping"}"#,
        r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
        r#""ping""#,
    ] {
        let reply = read(client.post_builder().body(body).send().await.unwrap()).await;
        assert_eq!(reply.status, 400, "{body}");
        assert_jsonrpc_error(&reply.body, -32600);
    }
    server.stop().await;
}

#[tokio::test]
async fn notifications_and_client_responses_get_202() {
    let (server, client) = initialized(Mode::Stateful).await;
    let reply = client.post(&json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 99}})).await;
    assert_eq!((reply.status, reply.body.as_str()), (202, ""));
    // A response to a request the server never sent is dropped, still with 202.
    let reply = client
        .post(&json!({"jsonrpc": "2.0", "id": "srv-404", "result": {}}))
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (202, ""));
    server.stop().await;
}

#[tokio::test]
async fn missing_session_is_400_and_unknown_is_404() {
    let (server, mut client) = initialized(Mode::Stateful).await;
    let session = client.session.take();
    let reply = client.request("ping", json!({})).await;
    assert_eq!(reply.status, 400);
    assert_jsonrpc_error(&reply.body, -32600);
    for bogus in ["0123456789abcdef0123456789abcdef", "not-a-session-id"] {
        client.session = Some(bogus.into());
        let reply = client.request("ping", json!({})).await;
        assert_eq!(reply.status, 404, "{bogus}");
        assert_jsonrpc_error(&reply.body, -32600);
    }
    client.session = session;
    assert_eq!(client.request("ping", json!({})).await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn initialize_on_an_existing_session_is_refused() {
    let (server, client) = initialized(Mode::Stateful).await;
    let reply = client
        .post(&json!({"jsonrpc": "2.0", "id": 9, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}}))
        .await;
    assert_eq!(reply.status, 400);
    assert_jsonrpc_error(&reply.body, -32600);
    server.stop().await;
}

#[tokio::test]
async fn protocol_version_header_must_be_supported_but_need_not_be_the_negotiated_one() {
    let (server, client) = initialized(Mode::Stateful).await;
    let reply = read(
        raw(&client)
            .header("mcp-protocol-version", "1999-01-01")
            .body(PING)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 400);
    let error = assert_jsonrpc_error(&reply.body, -32600);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2025-11-25"),
        "lists the supported versions"
    );
    for version in ["2025-03-26", "2024-11-05", "2025-06-18", "2025-11-25"] {
        let reply = read(
            raw(&client)
                .header("mcp-protocol-version", version)
                .body(PING)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, 200, "{version}");
    }
    server.stop().await;
}

#[tokio::test]
async fn bad_origin_is_403_and_bad_host_is_421() {
    let (server, client) = initialized(Mode::Stateful).await;
    let port = server.addr.port();
    let reply = read(
        client
            .post_builder()
            .header("origin", "http://evil.example.com")
            .body(PING)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 403);
    assert_jsonrpc_error(&reply.body, -32000);
    let reply = read(
        client
            .post_builder()
            .header("host", "evil.example.com")
            .body(PING)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 421);
    assert_jsonrpc_error(&reply.body, -32000);
    for (host, origin) in [
        (
            format!("127.0.0.1:{port}"),
            format!("http://127.0.0.1:{port}"),
        ),
        (
            format!("localhost:{port}"),
            format!("http://localhost:{port}"),
        ),
    ] {
        let reply = read(
            client
                .post_builder()
                .header("host", host)
                .header("origin", origin)
                .body(PING)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, 200);
    }
    server.stop().await;
}

#[tokio::test]
async fn every_method_checks_host_and_origin_before_anything_else() {
    let (server, client) = initialized(Mode::Stateful).await;
    let session = client.session.clone().unwrap();
    let evil_origin = |method: reqwest::Method| {
        client
            .http
            .request(method, &client.url)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &session)
            .header("origin", "http://evil.example.com")
    };
    for method in [
        reqwest::Method::GET,
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
    ] {
        let reply = read(evil_origin(method.clone()).send().await.unwrap()).await;
        assert_eq!(reply.status, 403, "{method}");
        assert_jsonrpc_error(&reply.body, -32000);
    }
    let reply = read(
        client
            .http
            .put(&client.url)
            .header("host", "evil.example.com")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 421);
    // The refused DELETE did not end the session.
    let reply = read(client.post_builder().body(PING).send().await.unwrap()).await;
    assert_eq!(reply.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn configured_allow_lists_replace_the_loopback_defaults() {
    let config = HttpConfig::new(Mode::Stateful).security(Security::allow(
        ["mcp.example.com"],
        ["https://app.example.com"],
    ));
    let server = TestServer::start(Calculator, config).await;
    let client = server.client();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}});
    let reply = read(
        client
            .post_builder()
            .body(init.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 421, "127.0.0.1 is not on the list");
    let reply = read(
        client
            .post_builder()
            .header("host", "mcp.example.com")
            .header("origin", "https://app.example.com")
            .body(init.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 200);
    let disabled = TestServer::start(
        Calculator,
        HttpConfig::new(Mode::Stateful).security(Security::Disabled),
    )
    .await;
    let reply = read(
        disabled
            .client()
            .post_builder()
            .header("host", "evil.example.com")
            .body(init.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 200);
    server.stop().await;
    disabled.stop().await;
}

#[tokio::test]
async fn other_methods_get_405_with_allow() {
    let (server, client) = initialized(Mode::Stateful).await;
    for method in [reqwest::Method::PUT, reqwest::Method::PATCH] {
        let reply = read(
            client
                .http
                .request(method.clone(), &server.url)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("allow"), Some("GET, POST, DELETE"));
        assert_jsonrpc_error(&reply.body, -32000);
    }
    server.stop().await;
}

#[tokio::test]
async fn a_second_standalone_get_stream_is_409() {
    let (server, client) = initialized(Mode::Stateful).await;
    let session = client.session.clone().unwrap();
    let get = || {
        client
            .http
            .get(&server.url)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &session)
            .send()
    };
    let first = get().await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "text/event-stream");
    let second = read(get().await.unwrap()).await;
    assert_eq!(second.status, 409);
    assert_jsonrpc_error(&second.body, -32000);
    drop(first);
    // Once the first stream is gone, a new one may open.
    let reopened = poll(
        "a new GET stream opens after the old one closed",
        async || {
            let r = get().await.unwrap();
            (r.status() == 200).then_some(r)
        },
    )
    .await;
    assert_eq!(reopened.headers()["content-type"], "text/event-stream");
    let wrong_accept = read(
        client
            .http
            .get(&server.url)
            .header("accept", "application/json")
            .header("mcp-session-id", &session)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(wrong_accept.status, 406);
    server.stop().await;
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let (server, client) =
        initialized(HttpConfig::new(Mode::Stateful).max_request_body(1024)).await;
    let big =
        json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x".repeat(2000)}});
    let reply = client.post(&big).await;
    assert_eq!(reply.status, 413);
    assert_jsonrpc_error(&reply.body, -32000);
    // Also when the body is chunked (no Content-Length to check up front).
    let chunks = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(big.to_string())]);
    let reply = read(
        client
            .post_builder()
            .body(reqwest::Body::wrap_stream(chunks))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 413);
    server.stop().await;
}

#[tokio::test]
async fn one_session_too_many_is_503_and_the_others_keep_working() {
    let (server, mut first) = initialized(HttpConfig::new(Mode::Stateful).max_sessions(2)).await;
    let mut second = server.client();
    second.initialize().await;
    let reply = server
        .client()
        .post(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}}))
        .await;
    assert_eq!(reply.status, 503);
    assert_jsonrpc_error(&reply.body, -32000);
    assert_eq!(first.request("ping", json!({})).await.status, 200);
    assert_eq!(second.request("ping", json!({})).await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn idle_sessions_expire_and_then_answer_404() {
    // Sessions age on the wall clock, which paused Tokio time does not move: the timeout is
    // long next to the busy session's pings 10 ms apart, so only the idle one can reach it.
    let config = HttpConfig::new(Mode::Stateful).session_idle_timeout(Some(Duration::from_secs(2)));
    let endpoint = StreamableHttp::new(Calculator, config);
    let sessions = endpoint.clone();
    let server = TestServer::serve(endpoint).await;
    let mut idle = server.client();
    idle.initialize().await;
    let mut busy = server.client();
    busy.initialize().await;
    poll("the idle session ends", async || {
        assert_eq!(
            busy.request("ping", json!({})).await.status,
            200,
            "activity keeps a session alive"
        );
        (sessions.session_count() < 2).then_some(())
    })
    .await;
    assert_eq!(sessions.session_count(), 1);
    assert_eq!(
        busy.request("ping", json!({})).await.status,
        200,
        "activity keeps a session alive"
    );
    let reply = idle.request("ping", json!({})).await;
    assert_eq!(reply.status, 404, "the idle session ended");
    server.stop().await;
}

#[tokio::test]
async fn delete_ends_the_session_and_a_second_delete_is_404() {
    let (server, client) = initialized(Mode::Stateful).await;
    let session = client.session.clone().unwrap();
    let delete = || {
        client
            .http
            .delete(&server.url)
            .header("mcp-session-id", &session)
            .send()
    };
    assert_eq!(delete().await.unwrap().status(), 200);
    assert_eq!(delete().await.unwrap().status(), 404);
    assert_eq!(
        client
            .http
            .delete(&server.url)
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    server.stop().await;
}

#[tokio::test]
async fn the_endpoint_path_is_configurable() {
    let (server, mut client) =
        initialized(HttpConfig::new(Mode::Stateful).path("/api/v1/mcp")).await;
    assert!(server.url.ends_with("/api/v1/mcp"));
    assert_eq!(client.request("ping", json!({})).await.status, 200);
    let elsewhere = client
        .http
        .post(format!("http://{}/mcp", server.addr))
        .body(PING)
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 404);
    server.stop().await;
}

#[tokio::test]
async fn idle_streams_get_keep_alive_comments() {
    let (server, client) =
        initialized(HttpConfig::new(Mode::Stateful).keep_alive(Some(Duration::from_millis(50))))
            .await;
    let get = client
        .http
        .get(&server.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", client.session.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    let mut body = get.bytes_stream();
    let mut seen = String::new();
    use futures_util::StreamExt;
    while !seen.lines().any(|l| l.starts_with(':')) {
        let chunk = tokio::time::timeout(PATIENCE, body.next())
            .await
            .expect("a keep-alive comment in time")
            .expect("stream open")
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(body);
    server.stop().await;
}

#[tokio::test]
async fn after_shutdown_no_session_opens() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mcp = mcp_runtime::StreamableHttp::new(Calculator, Mode::Stateful.into());
    let app = mcp.router();
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    let mut client = Client::new(&format!("http://{addr}/mcp"));
    client.initialize().await;
    mcp.shutdown();
    assert_eq!(mcp.session_count(), 0);
    assert_eq!(
        client.request("ping", json!({})).await.status,
        404,
        "its session ended"
    );
    let reply = Client::new(&client.url)
        .post(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}}))
        .await;
    assert_eq!(reply.status, 503);
    assert_jsonrpc_error(&reply.body, -32000);
    task.abort();
}

/// `serve` answers requests to the endpoint's path itself, not through the router: the same
/// requests get the same answers from both, whatever the method, path, mode and host.
#[tokio::test]
async fn serve_answers_every_request_as_the_router_does() {
    for mode in [Mode::Stateful, Mode::Stateless] {
        let direct = TestServer::serve(StreamableHttp::new(Calculator, mode.into())).await;
        let endpoint = StreamableHttp::new(Calculator, mode.into());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let routed_addr = listener.local_addr().unwrap();
        let router = endpoint.router();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let routed = tokio::spawn(endpoint.serve_with(listener, router, async {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::new();
        let answer = async |addr: std::net::SocketAddr, method: &reqwest::Method, path, host| {
            let response = http
                .request(method.clone(), format!("http://{addr}{path}"))
                .header("host", host)
                .header("accept", "application/json, text/event-stream")
                .header("content-type", "application/json")
                .body(PING)
                .send()
                .await
                .unwrap();
            let reply = read(response).await;
            let allow = reply.header("allow").map(str::to_owned);
            let content_type = reply.header("content-type").map(str::to_owned);
            (reply.status, allow, content_type, reply.body)
        };
        let mut seen = std::collections::BTreeSet::new();
        for method in ["POST", "GET", "DELETE", "HEAD", "PUT", "PATCH", "OPTIONS"] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            for path in ["/mcp", "/mcp/", "/MCP", "/other", "/mcp?x=1"] {
                for host in ["localhost", "evil.example.com"] {
                    let ours = answer(direct.addr, &method, path, host).await;
                    let theirs = answer(routed_addr, &method, path, host).await;
                    assert_eq!(ours, theirs, "{mode:?} {method} {path} host {host}");
                    seen.insert(ours.0);
                }
            }
        }
        // The table covers refusals of every kind, not one answer repeated.
        for status in [404, 405, 421] {
            assert!(seen.contains(&status), "{mode:?}: {status} in {seen:?}");
        }
        direct.stop().await;
        let _ = stop.send(());
        routed.await.unwrap().unwrap();
    }
}

/// A path with parameters is routed by the router, under `serve` too.
#[tokio::test]
async fn serve_routes_a_path_with_parameters() {
    let config = HttpConfig::new(Mode::Stateless).path("/tenants/{tenant}/mcp");
    let server = TestServer::serve(StreamableHttp::new(Calculator, config)).await;
    let mut client = Client::new(&format!("http://{}/tenants/acme/mcp", server.addr));
    client.initialize().await;
    let result = client.call_tool("add", json!({"a": 2, "b": 3})).await;
    assert_eq!(result["content"][0]["text"], "5", "{result}");
    let other = reqwest::get(format!("http://{}/tenants/acme", server.addr))
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    server.stop().await;
}

/// A guard of the test's own: `x-key: now` is admitted at once as `now`, `x-key: later` after
/// an await as `later`, anything else refused with 401.
struct KeyGuard;

impl mcp_runtime::Guard for KeyGuard {
    fn check(&self, mut request: axum::http::Request<()>) -> mcp_runtime::Admission {
        use axum::response::IntoResponse;
        use mcp_runtime::{Admission, Principal};
        let key = request
            .headers()
            .get("x-key")
            .map(|v| v.as_bytes().to_vec());
        match key.as_deref() {
            Some(b"now") => {
                request.extensions_mut().insert(Principal::new("now"));
                Admission::Admit(request)
            }
            Some(b"later") => Admission::Later(Box::pin(async move {
                tokio::task::yield_now().await;
                request.extensions_mut().insert(Principal::new("later"));
                Ok(request)
            })),
            _ => {
                Admission::Refuse((axum::http::StatusCode::UNAUTHORIZED, "no key").into_response())
            }
        }
    }
}

/// `serve_guarded`: refused requests never reach the endpoint, admitted ones are served with
/// the principal the guard inserted (sessions are bound to it), at a literal path and at one
/// with parameters (routed).
#[tokio::test]
async fn serve_guarded_admits_refuses_and_decides_later() {
    for path in ["/mcp", "/t/{tenant}/mcp"] {
        let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateful).path(path));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}{}",
            listener.local_addr().unwrap(),
            path.replace("{tenant}", "acme")
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let beside = axum::Router::new().route("/health", axum::routing::get(|| async { "ok" }));
        let served = tokio::spawn(endpoint.serve_guarded(listener, KeyGuard, beside, async {
            let _ = stopped.await;
        }));
        let keyed = |key: Option<&'static str>| {
            let mut client = Client::new(&url);
            if let Some(key) = key {
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert("x-key", reqwest::header::HeaderValue::from_static(key));
                client.http = reqwest::Client::builder()
                    .default_headers(headers)
                    .build()
                    .unwrap();
            }
            client
        };
        for refused in [None, Some("wrong")] {
            let reply = read(
                keyed(refused)
                    .post_builder()
                    .body(PING)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(
                (reply.status, reply.body.as_str()),
                (401, "no key"),
                "{path} {refused:?}"
            );
        }
        let mut now = keyed(Some("now"));
        now.initialize().await;
        assert_eq!(
            now.call_tool("add", json!({"a": 1, "b": 2})).await["content"][0]["text"],
            "3"
        );
        let mut later = keyed(Some("later"));
        later.initialize().await;
        assert_eq!(
            later.call_tool("add", json!({"a": 2, "b": 2})).await["content"][0]["text"],
            "4"
        );
        // `later`'s session is not `now`'s: the guard's principal reached the runtime.
        later.session.clone_from(&now.session);
        let reply = later.request("tools/list", json!({})).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        let health =
            reqwest::get(url.replace(path.replace("{tenant}", "acme").as_str(), "/health"))
                .await
                .unwrap();
        assert_eq!(health.text().await.unwrap(), "ok");
        let _ = stop.send(());
        served.await.unwrap().unwrap();
    }
}

/// `serve_layered`: the layer sees every request to the endpoint and can change its response,
/// at a literal path (called directly) and at one with parameters (routed).
#[tokio::test]
async fn serve_layered_runs_the_layer_around_the_endpoint() {
    fn mark(mut response: axum::response::Response) -> axum::response::Response {
        response
            .headers_mut()
            .insert("x-layered", axum::http::HeaderValue::from_static("yes"));
        response
    }
    for path in ["/mcp", "/t/{tenant}/mcp"] {
        let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateless).path(path));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let url = format!("http://{addr}{}", path.replace("{tenant}", "acme"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let beside = axum::Router::new().route("/health", axum::routing::get(|| async { "ok" }));
        let layer = tower::util::MapResponseLayer::new(mark as fn(_) -> _);
        let served = tokio::spawn(endpoint.serve_layered(listener, layer, beside, async {
            let _ = stopped.await;
        }));
        let mut client = Client::new(&url);
        client.initialize().await;
        let reply = read(client.post_builder().body(PING).send().await.unwrap()).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.header("x-layered"), Some("yes"), "{path}");
        let refused = read(client.http.put(&url).send().await.unwrap()).await;
        assert_eq!(refused.status, 405, "{path}");
        assert_eq!(
            refused.header("x-layered"),
            Some("yes"),
            "{path}: every method is layered"
        );
        let health = reqwest::get(format!("http://{addr}/health")).await.unwrap();
        assert!(
            health.headers().get("x-layered").is_none(),
            "{path}: beside is not layered"
        );
        assert_eq!(health.text().await.unwrap(), "ok");
        let _ = stop.send(());
        served.await.unwrap().unwrap();
    }
}
