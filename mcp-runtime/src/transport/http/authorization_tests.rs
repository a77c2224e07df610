//! Per-tool scopes and the caller's identity, through the router (no socket: the point is
//! what the endpoint answers).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::{
    BearerChallenge, Context, HttpConfig, Mode, Principal, StreamableHttp, mcp_server, tool,
};

struct Admin;

#[mcp_server(crate = crate, scopes = ["mcp:read"])]
impl Admin {
    /// Who is calling, and what the request carried.
    #[tool]
    fn whoami(&self, ctx: Context) -> Value {
        json!({
            "subject": ctx.auth().map(Principal::subject),
            "tenant": ctx.headers().and_then(|h| h.get("x-tenant")).and_then(|v| v.to_str().ok()),
        })
    }

    /// Reset everything.
    #[tool(scopes = ["mcp:admin"])]
    fn reset(&self) -> &'static str {
        "reset"
    }
}

const PRM: &str = "http://127.0.0.1/.well-known/oauth-protected-resource/mcp";

/// The endpoint, under a stand-in authentication layer: `x-scopes` become alice's scopes.
fn app(mode: Mode) -> axum::Router {
    app_with(HttpConfig::new(mode))
}

fn app_with(config: HttpConfig) -> axum::Router {
    guarded(Admin, config)
}

/// `server`'s endpoint under the stand-in authentication layer.
fn guarded(server: impl crate::MCPServer, config: HttpConfig) -> axum::Router {
    StreamableHttp::new(server, config.json_response(true))
        .router()
        .layer(axum::middleware::from_fn(
            |mut request: axum::extract::Request, next: axum::middleware::Next| async move {
                let scopes: Vec<String> = request
                    .headers()
                    .get("x-scopes")
                    .and_then(|v| v.to_str().ok())
                    .map(|s| s.split(' ').map(str::to_owned).collect())
                    .unwrap_or_default();
                let alice = Principal::new("alice").with_scopes(scopes);
                // Either way of naming the challenge: on the principal, or beside it.
                if request.headers().contains_key("x-challenge-on-principal") {
                    let alice = alice.with_challenge(BearerChallenge::new(PRM));
                    request.extensions_mut().insert(alice);
                } else {
                    request.extensions_mut().insert(alice);
                    request.extensions_mut().insert(BearerChallenge::new(PRM));
                }
                next.run(request).await
            },
        ))
}

fn post(body: Value, scopes: &str, extra: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json, text/event-stream")
        .header("x-scopes", scopes);
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Option<String>, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    let session = response.headers().get("mcp-session-id").cloned();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let mut body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let Some(session) = session {
        body["session"] = json!(session.to_str().unwrap());
    }
    (status, challenge, body)
}

fn call(id: i64, name: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": {}}})
}

#[tokio::test]
async fn a_challenge_carried_by_the_principal_is_named_in_the_403() {
    let app = app(Mode::Stateless);
    let (status, challenge, _) = send(
        &app,
        post(
            call(1, "reset"),
            "mcp:read",
            &[("x-challenge-on-principal", "1")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        challenge.as_deref(),
        Some(
            "Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:admin\", \
             resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource/mcp\""
        )
    );
}

#[tokio::test]
async fn a_missing_scope_is_a_403_challenge_and_a_step_up_works_in_the_same_session() {
    let app = app(Mode::Stateful);
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}});
    let (status, _, body) = send(&app, post(init, "mcp:read", &[])).await;
    assert_eq!(status, StatusCode::OK);
    let session = body["session"].as_str().unwrap().to_owned();
    let in_session = [
        ("mcp-session-id", session.as_str()),
        ("mcp-protocol-version", "2025-11-25"),
        ("x-tenant", "acme"),
    ];

    let (status, challenge, body) =
        send(&app, post(call(2, "reset"), "mcp:read", &in_session)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        challenge.as_deref(),
        Some(
            "Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:admin\", \
             resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource/mcp\""
        )
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("mcp:admin")
    );

    // The server-wide scope applies to every tool.
    let (status, challenge, _) = send(&app, post(call(3, "whoami"), "", &in_session)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(challenge.unwrap().contains("scope=\"mcp:read\""));

    // The same caller with a token that has the scope: same session, now allowed.
    let (status, _, body) = send(
        &app,
        post(call(4, "reset"), "mcp:read mcp:admin", &in_session),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["content"][0]["text"], "reset");

    let (_, _, body) = send(&app, post(call(5, "whoami"), "mcp:read", &in_session)).await;
    let text = body["result"]["content"][0]["text"].as_str().unwrap();
    let who: Value = serde_json::from_str(text).unwrap();
    assert_eq!(who, json!({"subject": "alice", "tenant": "acme"}));
}

#[tokio::test]
async fn scopes_hold_in_the_stateless_era_too() {
    let app = app(Mode::Stateless);
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let request = |scopes: &str| {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "reset", "arguments": {}, "_meta": meta}});
        post(
            body,
            scopes,
            &[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "reset"),
            ],
        )
    };
    let (status, challenge, _) = send(&app, request("mcp:read")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(challenge.unwrap().contains("scope=\"mcp:read mcp:admin\""));
    let (status, _, body) = send(&app, request("mcp:read mcp:admin")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["resultType"], "complete");
    assert_eq!(body["result"]["content"][0]["text"], "reset");
}

#[tokio::test]
async fn a_tool_the_filter_hides_is_unknown_not_a_scope_challenge() {
    // `reset` is shown only to operators; others must not learn that it exists.
    let only_operators = crate::ServerConfig::new().tool_filter(|caller, tool| {
        tool.name != "reset" || caller.is_some_and(|p| p.has_scope("ops"))
    });
    let app = app_with(HttpConfig::new(Mode::Stateless).server(only_operators));
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let request = |scopes: &str| {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "reset", "arguments": {}, "_meta": meta}});
        post(
            body,
            scopes,
            &[
                ("mcp-protocol-version", "2026-07-28"),
                ("mcp-method", "tools/call"),
                ("mcp-name", "reset"),
            ],
        )
    };
    let (status, challenge, body) = send(&app, request("mcp:read")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(challenge, None);
    assert_eq!(body["error"]["code"], -32602);
    assert_eq!(
        body["error"]["message"],
        "Invalid params: Unknown tool: reset"
    );
    // An operator sees it, and its scopes hold for them as before.
    let (status, challenge, _) = send(&app, request("mcp:read ops")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(challenge.unwrap().contains("scope=\"mcp:read mcp:admin\""));
    let (status, _, body) = send(&app, request("mcp:read mcp:admin ops")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["content"][0]["text"], "reset");
}

struct Open;

#[mcp_server(crate = crate)]
impl Open {
    /// Anyone may ask.
    #[tool]
    fn hello(&self) -> &'static str {
        "hello"
    }
}

/// A member's scopes hold under its composite name, and only over its own tools.
#[tokio::test]
async fn a_composites_members_keep_their_scopes_under_the_new_names() {
    let suite = crate::Composite::new("suite", "1.0.0")
        .mount("admin", Admin)
        .and_then(|c| c.merge(Open))
        .unwrap();
    let app = guarded(suite, HttpConfig::new(Mode::Stateless));
    let (status, challenge, _) = send(&app, post(call(1, "admin_reset"), "mcp:read", &[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(challenge.unwrap().contains("scope=\"mcp:read mcp:admin\""));
    let (status, challenge, _) = send(&app, post(call(2, "admin_whoami"), "", &[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(challenge.unwrap().contains("scope=\"mcp:read\""));
    let both = "mcp:read mcp:admin";
    let (status, _, body) = send(&app, post(call(3, "admin_reset"), both, &[])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["content"][0]["text"], "reset");
    // The other member's tool needs nothing.
    let (status, _, body) = send(&app, post(call(4, "hello"), "", &[])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["content"][0]["text"], "hello");
}
