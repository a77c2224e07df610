//! Hostile clients through the router (the socket is not the point): a GET stream that never
//! reads, params the header checks cannot read, oversized listen filters.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::store::InMemoryEventStore;
use crate::{HttpConfig, Limits, Mode, ServerConfig, StreamableHttp, mcp_server, tool};

struct Greeter;

/// The arguments of `region`: `region` travels in `Mcp-Param-Region` too.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct RegionArgs {
    /// The region.
    #[schemars(extend("x-mcp-header" = "Region"))]
    region: String,
}

#[mcp_server(crate = crate)]
impl Greeter {
    /// Greet.
    #[tool]
    fn greet(&self, name: String) -> String {
        format!("hello {name}")
    }

    /// Say which region.
    #[tool]
    fn region(&self, crate::Args(args): crate::Args<RegionArgs>) -> String {
        args.region
    }
}

fn post(body: Value, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json, text/event-stream");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn open_session(app: &axum::Router) -> String {
    let request = post(
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
               "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "t", "version": "1"}}}),
        &[],
    );
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn get(session: &str, last_event_id: Option<&str>) -> Request<Body> {
    let mut request = Request::get("/mcp")
        .header(header::HOST, "127.0.0.1")
        .header(header::ACCEPT, "text/event-stream")
        .header("mcp-session-id", session)
        .header("mcp-protocol-version", "2025-11-25");
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    request.body(Body::empty()).unwrap()
}

/// The `(id, data)` of each SSE event in `text` that carries data.
fn events(text: &str) -> Vec<(String, String)> {
    text.split("\n\n")
        .filter_map(|event| {
            let id = event.lines().find_map(|l| l.strip_prefix("id: "))?;
            let data = event.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((id.to_owned(), data.to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn a_get_stream_that_never_reads_holds_up_nobody_and_can_resume() {
    let endpoint = StreamableHttp::new(
        Greeter,
        HttpConfig::new(Mode::Stateful)
            .json_response(true)
            .keep_alive(None)
            .event_store(Arc::new(InMemoryEventStore::default())),
    );
    let app = endpoint.router();
    let (stalled, reading) = (open_session(&app).await, open_session(&app).await);
    // The stalled client's body is never polled: its buffer fills.
    let stalled_body = app.clone().oneshot(get(&stalled, None)).await.unwrap();
    let mut reading_body = app
        .clone()
        .oneshot(get(&reading, None))
        .await
        .unwrap()
        .into_body()
        .into_data_stream();
    let announcements = 200;
    let mut received = String::new();
    for i in 0..announcements {
        // Each announcement completes although one client never reads.
        tokio::time::timeout(
            Duration::from_secs(5),
            endpoint.notify_all("notifications/message", json!({"level": "info", "data": i})),
        )
        .await
        .expect("nothing waits on the stalled client");
        while let Some(Ok(chunk)) = reading_body.next().now_or_never().flatten() {
            received.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
    while events(&received).len() < announcements {
        let chunk = tokio::time::timeout(Duration::from_secs(5), reading_body.next())
            .await
            .expect("the reading client gets every announcement")
            .unwrap()
            .unwrap();
        received.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    // The stalled stream was closed when its buffer filled: its body ends after what fit.
    let got = axum::body::to_bytes(stalled_body.into_body(), usize::MAX)
        .await
        .unwrap();
    let got = events(std::str::from_utf8(&got).unwrap());
    assert!(
        !got.is_empty() && got.len() < announcements,
        "{} events",
        got.len()
    );
    // It resumes from its last event and misses nothing.
    let last = got.last().unwrap().0.clone();
    let resumed = app
        .clone()
        .oneshot(get(&stalled, Some(&last)))
        .await
        .unwrap();
    let mut resumed = resumed.into_body().into_data_stream();
    let mut rest = String::new();
    while events(&rest).len() < announcements - got.len() {
        let chunk = tokio::time::timeout(Duration::from_secs(5), resumed.next())
            .await
            .expect("the replay arrives")
            .unwrap()
            .unwrap();
        rest.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let data: Vec<String> = got
        .into_iter()
        .chain(events(&rest))
        .map(|(_, data)| data)
        .collect();
    let expected: Vec<String> = (0..announcements)
        .map(|i| {
            json!({"jsonrpc": "2.0", "method": "notifications/message",
                   "params": {"level": "info", "data": i}})
            .to_string()
        })
        .collect();
    assert_eq!(data, expected);
    // A second client cannot take over the stream while it is live.
    let (status, _) = send(&app, get(&stalled, Some(&last))).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

use futures_util::FutureExt;

fn modern(id: i64, method: &str, params: Value, extra: &[(&str, &str)]) -> Request<Body> {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let mut headers = vec![
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", method),
    ];
    headers.extend_from_slice(extra);
    post(
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        &headers,
    )
}

#[tokio::test]
async fn params_the_header_checks_cannot_read_are_refused_not_waved_through() {
    let app = StreamableHttp::new(Greeter, HttpConfig::new(Mode::Stateless)).router();
    let mut deep = json!("eu");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    // `Mcp-Name: greet` and `Mcp-Param-Region: us` for a call of `region` whose params nest
    // deeper than a JSON parser goes: refused, never run.
    let request = modern(
        1,
        "tools/call",
        json!({"name": "region", "arguments": {"region": "eu", "deep": deep}}),
        &[("mcp-name", "greet"), ("mcp-param-region", "us")],
    );
    let (status, body) = send(&app, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        [-32602, -32020].contains(&body["error"]["code"].as_i64().unwrap()),
        "{body}"
    );
    // The honest call goes through.
    let request = modern(
        2,
        "tools/call",
        json!({"name": "region", "arguments": {"region": "eu"}}),
        &[("mcp-name", "region"), ("mcp-param-region", "eu")],
    );
    let (status, body) = send(&app, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["content"][0]["text"], "eu");
}

#[tokio::test]
async fn listen_filters_are_bounded() {
    let limits = Limits::default()
        .max_listen_task_ids(3)
        .max_subscriptions_per_session(2);
    let app = StreamableHttp::new(
        Greeter,
        HttpConfig::new(Mode::Stateless).server(ServerConfig::new().limits(limits)),
    )
    .router();
    for (id, filter, limit) in [
        (
            1,
            json!({"taskIds": ["a", "b", "c", "d"]}),
            "max_listen_task_ids",
        ),
        (
            2,
            json!({"resourceSubscriptions": ["x://1", "x://2", "x://3"]}),
            "max_subscriptions_per_session",
        ),
    ] {
        let request = modern(
            id,
            "subscriptions/listen",
            json!({"notifications": filter}),
            &[],
        );
        let (status, body) = send(&app, request).await;
        assert_eq!(body["error"]["code"], -32602, "{status} {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(limit),
            "{body}"
        );
    }
}

#[tokio::test]
async fn panic_details_are_sent_only_when_asked_for() {
    struct Bomb;

    #[mcp_server(crate = crate)]
    impl Bomb {
        /// Explode.
        #[tool]
        fn boom(&self) -> String {
            panic!("secret internal state")
        }
    }

    for (details, expected) in [
        (false, "tool `boom` failed with an internal error"),
        (true, "tool `boom` panicked: secret internal state"),
    ] {
        let config = HttpConfig::new(Mode::Stateless)
            .json_response(true)
            .server(ServerConfig::new().panic_details(details));
        let app = StreamableHttp::new(Bomb, config).router();
        let (_, body) = send(
            &app,
            post(
                json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": "boom", "arguments": {}}}),
                &[("mcp-protocol-version", "2025-11-25")],
            ),
        )
        .await;
        assert_eq!(body["result"]["isError"], true);
        assert_eq!(body["result"]["content"][0]["text"], expected);
    }
}
