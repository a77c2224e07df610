//! Methods exist in their era only, and only for what the server offers (through the router).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::{HttpConfig, Mode, StreamableHttp, mcp_server, tool};

struct Calculator;

#[mcp_server(crate = crate)]
impl Calculator {
    /// Add.
    #[tool]
    fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }
}

async fn post(app: &axum::Router, body: Value) -> (StatusCode, Value) {
    let request = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json, text/event-stream")
        .body(Body::from(body.to_string()))
        .unwrap();
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

#[tokio::test]
async fn handshake_era_requests_reach_only_handshake_methods_the_server_offers() {
    let app = StreamableHttp::new(
        Calculator,
        HttpConfig::new(Mode::Stateless).json_response(true),
    )
    .router();
    // A 2026-07-28 method sent without the era's headers: not a method of this era (a client
    // probing with it must not read a half-formed discover result as support).
    let (status, body) = post(
        &app,
        json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["error"]["code"], -32601, "{body}");
    assert_eq!(
        body["error"]["message"],
        "Method not found: server/discover"
    );
    // No resources, so no subscriptions.
    let subscribe = json!({"jsonrpc": "2.0", "id": 2, "method": "resources/subscribe",
        "params": {"uri": "file:///x"}});
    let (_, body) = post(&app, subscribe).await;
    assert_eq!(body["error"]["code"], -32601, "{body}");
    // What the era has still answers.
    let (_, body) = post(&app, json!({"jsonrpc": "2.0", "id": 3, "method": "ping"})).await;
    assert_eq!(body["result"], json!({}), "{body}");
    let (_, body) = post(
        &app,
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/list"}),
    )
    .await;
    assert_eq!(body["result"]["tools"][0]["name"], "add", "{body}");
}
