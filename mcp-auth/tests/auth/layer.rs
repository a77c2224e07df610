//! The bearer layer and the metadata router, through `Router::oneshot`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::any;
use mcp_auth::{
    JwtVerifier, ResourceServer, ResourceServerConfig, TokenVerifier, VerifiedToken, VerifyError,
};
use mcp_runtime::{BearerChallenge, HttpConfig, Mode, Principal, StreamableHttp, mcp_server, tool};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::*;

const PRM_URL: &str = "http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp";

/// An endpoint that says who called it and where the runtime would send it for scopes.
async fn echo(request: Request) -> axum::Json<Value> {
    let principal = request.extensions().get::<Principal>();
    // The principal carries the challenge; no separate extension is inserted.
    assert!(request.extensions().get::<BearerChallenge>().is_none());
    let challenge = principal.and_then(Principal::challenge);
    axum::Json(json!({
        "subject": principal.map(|p| p.subject()),
        "issuer": principal.and_then(|p| p.issuer()),
        "scopes": principal.map(|p| p.scopes().to_vec()),
        "resource_metadata": challenge.map(|c| c.resource_metadata()),
    }))
}

fn config(issuer: &str) -> ResourceServerConfig {
    ResourceServerConfig::new(RESOURCE)
        .issuer(issuer)
        .scopes_supported(["mcp:read", "mcp:admin"])
}

fn app(auth: &ResourceServer) -> axum::Router {
    auth.protect(axum::Router::new().route("/mcp", any(echo)))
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, String, Value) {
    let response: Response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, challenge, body)
}

fn get(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::get(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::empty()).unwrap()
}

async fn setup() -> (FakeIssuer, SigningKey, ResourceServer) {
    let key = SigningKey::rsa("k1", RSA1);
    let fake = FakeIssuer::start(&[&key]).await;
    let auth = ResourceServer::new(config(&fake.issuer)).unwrap();
    (fake, key, auth)
}

#[tokio::test]
async fn the_metadata_document_is_exact_at_both_paths() {
    let (fake, _, auth) = setup().await;
    let expected = format!(
        r#"{{"resource":"{RESOURCE}","authorization_servers":["{}"],"scopes_supported":["mcp:read","mcp:admin"],"bearer_methods_supported":["header"]}}"#,
        fake.issuer
    );
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let response = app(&auth).oneshot(get(path, None)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        assert_eq!(std::str::from_utf8(&body).unwrap(), expected, "{path}");
    }
    assert_eq!(auth.metadata_url(), PRM_URL);
    assert_eq!(
        fake.jwks_fetches(),
        0,
        "the metadata needs no authorization server"
    );
}

#[tokio::test]
async fn no_token_gets_the_discovery_challenge() {
    let (_, _, auth) = setup().await;
    let (status, challenge, body) = send(&app(&auth), get("/mcp", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge,
        format!(r#"Bearer scope="mcp:read mcp:admin", resource_metadata="{PRM_URL}""#)
    );
    assert_eq!(body["error"], "unauthorized");
    // Another scheme is no bearer token either.
    let basic = Request::get("/mcp")
        .header(header::AUTHORIZATION, "Basic dXNlcjpwdw==")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app(&auth), basic).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_bad_token_gets_invalid_token() {
    let (fake, key, auth) = setup().await;
    let expired = key.sign(&with(
        claims(&fake.issuer, "alice"),
        json!({"exp": now() - 300}),
    ));
    let (status, challenge, body) = send(&app(&auth), get("/mcp", Some(&expired))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge,
        format!(
            r#"Bearer error="invalid_token", error_description="the token has expired", scope="mcp:read mcp:admin", resource_metadata="{PRM_URL}""#
        )
    );
    assert_eq!(body["error"], "invalid_token");
    let (status, challenge, _) = send(&app(&auth), get("/mcp", Some("not-a-jwt"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        challenge.contains(r#"error_description="the token is malformed""#),
        "{challenge}"
    );
}

#[tokio::test]
async fn a_good_token_reaches_the_endpoint_with_its_principal() {
    let (fake, key, auth) = setup().await;
    let token = key.sign(&claims(&fake.issuer, "alice"));
    let (status, _, body) = send(&app(&auth), get("/mcp", Some(&token))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"subject": "alice", "issuer": fake.issuer, "scopes": ["mcp:read"], "resource_metadata": PRM_URL})
    );
}

#[tokio::test]
async fn a_token_in_the_query_string_is_refused() {
    let (fake, key, auth) = setup().await;
    let token = key.sign(&claims(&fake.issuer, "alice"));
    for uri in [
        format!("/mcp?access_token={token}"),
        format!("/mcp?x=1&access_token={token}"),
    ] {
        // Even with a good header: a token in a URL has leaked already.
        let (status, challenge, body) = send(&app(&auth), get(&uri, Some(&token))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_request""#),
            "{challenge}"
        );
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("only in the Authorization header"),
            "{body}"
        );
    }
    let (status, _, _) = send(&app(&auth), get("/mcp?access_token_hint=1", Some(&token))).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "only the access_token parameter is refused"
    );
}

/// Counts the verifications that reach the verifier.
struct Counting {
    inner: JwtVerifier,
    calls: Arc<AtomicUsize>,
}

impl TokenVerifier for Counting {
    async fn verify(&self, token: &str) -> Result<VerifiedToken, VerifyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.verify(token).await
    }
}

#[tokio::test]
async fn a_known_token_is_answered_from_the_cache() {
    let key = SigningKey::rsa("k1", RSA1);
    let fake = FakeIssuer::start(&[&key]).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let verifier = Counting {
        inner: JwtVerifier::new(fake.issuer.clone(), RESOURCE).unwrap(),
        calls: calls.clone(),
    };
    let auth = ResourceServer::with_verifier(config(&fake.issuer), verifier).unwrap();
    let app = app(&auth);
    let alice = key.sign(&claims(&fake.issuer, "alice"));
    for _ in 0..5 {
        let (status, _, body) = send(&app, get("/mcp", Some(&alice))).await;
        assert_eq!(
            (status, body["subject"].as_str()),
            (StatusCode::OK, Some("alice"))
        );
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "verified once, then cached"
    );
    let bob = key.sign(&claims(&fake.issuer, "bob"));
    assert_eq!(send(&app, get("/mcp", Some(&bob))).await.0, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // Refusals are not cached: they may be the authorization server's fault.
    let stranger = key.sign(&claims("https://evil.example", "eve"));
    for _ in 0..2 {
        assert_eq!(
            send(&app, get("/mcp", Some(&stranger))).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    // No cache: every request verifies.
    let uncached = ResourceServer::with_verifier(
        config(&fake.issuer).token_cache_capacity(0),
        Counting {
            inner: JwtVerifier::new(fake.issuer.clone(), RESOURCE).unwrap(),
            calls: calls.clone(),
        },
    )
    .unwrap();
    for _ in 0..2 {
        assert_eq!(
            send(&self::app(&uncached), get("/mcp", Some(&alice)))
                .await
                .0,
            StatusCode::OK
        );
    }
    assert_eq!(calls.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn required_scopes_are_checked_with_a_step_up_challenge() {
    let key = SigningKey::rsa("k1", RSA1);
    let fake = FakeIssuer::start(&[&key]).await;
    let auth = ResourceServer::new(config(&fake.issuer).required_scopes(["mcp:read"])).unwrap();
    let reader = key.sign(&claims(&fake.issuer, "alice"));
    let nobody = key.sign(&with(
        claims(&fake.issuer, "bob"),
        json!({"scope": "other"}),
    ));
    assert_eq!(
        send(&app(&auth), get("/mcp", Some(&reader))).await.0,
        StatusCode::OK
    );
    for _ in 0..2 {
        // The second time from the cache: still refused.
        let (status, challenge, _) = send(&app(&auth), get("/mcp", Some(&nobody))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            challenge,
            format!(
                r#"Bearer error="insufficient_scope", error_description="the token lacks a scope this server requires", scope="mcp:read", resource_metadata="{PRM_URL}""#
            )
        );
    }
    let (_, challenge, _) = send(&app(&auth), get("/mcp", None)).await;
    assert!(
        challenge.contains(r#"scope="mcp:read""#),
        "required scopes are asked for: {challenge}"
    );
}

#[tokio::test]
async fn an_unreachable_authorization_server_gets_401_not_a_crash() {
    let addr = closed_port().await;
    let issuer = format!("http://{addr}");
    let auth = ResourceServer::new(config(&issuer)).unwrap();
    let token = SigningKey::rsa("k1", RSA1).sign(&claims(&issuer, "alice"));
    let (status, challenge, _) = send(&app(&auth), get("/mcp", Some(&token))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        challenge.contains("the authorization server is unreachable"),
        "{challenge}"
    );
    // The metadata is still served: clients can find the authorization server themselves.
    assert_eq!(
        send(
            &app(&auth),
            get("/.well-known/oauth-protected-resource/mcp", None)
        )
        .await
        .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn configuration_errors_are_reported_when_built() {
    use mcp_auth::ConfigError;
    let err = |config| ResourceServer::new(config).unwrap_err();
    assert_eq!(
        err(ResourceServerConfig::new(RESOURCE)),
        ConfigError::NoIssuer
    );
    assert!(matches!(
        err(ResourceServerConfig::new("/mcp").issuer("https://as.example")),
        ConfigError::Resource(_)
    ));
    assert!(matches!(
        err(ResourceServerConfig::new(RESOURCE).issuer("as.example")),
        ConfigError::Issuer(_)
    ));
}

struct Notes;

#[mcp_server(name = "notes", version = "1.0.0")]
impl Notes {
    /// Say hello.
    #[tool]
    fn hello(&self) -> &'static str {
        "hello"
    }
}

fn mcp_post(token: &str, session: Option<&str>, body: Value) -> Request<Body> {
    let mut request = Request::post("/mcp")
        .header(header::HOST, "127.0.0.1:8000")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT, "application/json, text/event-stream")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(session) = session {
        request = request
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", "2025-11-25");
    }
    request.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn the_runtime_binds_sessions_to_the_token_subject() {
    let (fake, key, auth) = setup().await;
    let mcp = StreamableHttp::new(Notes, HttpConfig::new(Mode::Stateful).json_response(true));
    let app = auth.protect(mcp.router());
    let alice = key.sign(&claims(&fake.issuer, "alice"));
    let bob = key.sign(&claims(&fake.issuer, "bob"));
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}});
    let response = app
        .clone()
        .oneshot(mcp_post(&alice, None, initialize))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let session = response.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let (status, _, body) = send(&app, mcp_post(&alice, Some(&session), list.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["result"]["tools"][0]["name"], "hello");
    let (status, _, _) = send(&app, mcp_post(&bob, Some(&session), list)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another subject does not see alice's session"
    );
}

/// `StreamableHttp::serve_layered` and `serve_guarded`, over a socket: the bearer check
/// covers every method at the endpoint's path (a new token verified, then cached), the
/// metadata is served beside it, and other paths are 404.
#[tokio::test]
async fn serve_layered_and_serve_guarded_check_the_endpoint_and_serve_the_metadata_beside_it() {
    for guarded in [false, true] {
        serve_behind_auth(guarded).await;
    }
}

async fn serve_behind_auth(guarded: bool) {
    let (fake, key, auth) = setup().await;
    let mcp = StreamableHttp::new(Notes, HttpConfig::new(Mode::Stateful).json_response(true));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stopped = async {
        let _ = stopped.await;
    };
    let metadata = auth.metadata_router();
    let served = if guarded {
        tokio::spawn(mcp.serve_guarded(listener, auth.clone(), metadata, stopped))
    } else {
        tokio::spawn(mcp.serve_layered(listener, auth.layer(), metadata, stopped))
    };
    let http = reqwest::Client::new();
    let alice = key.sign(&claims(&fake.issuer, "alice"));
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}});
    let post = |token: Option<&str>| {
        let mut request = http
            .post(format!("{base}/mcp"))
            .header(header::ACCEPT, "application/json, text/event-stream")
            .header(header::CONTENT_TYPE, "application/json")
            .body(initialize.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let refused = post(None).await.unwrap();
    assert_eq!(refused.status(), 401);
    let challenge = refused.headers()[header::WWW_AUTHENTICATE]
        .to_str()
        .unwrap();
    assert!(challenge.contains(PRM_URL), "{challenge}");
    // Another key's signature: verified (not cached), and refused.
    let forged = SigningKey::rsa("k1", RSA2).sign(&claims(&fake.issuer, "mallory"));
    assert_eq!(post(Some(&forged)).await.unwrap().status(), 401);
    // A new token (verified), then the same one (cached): both admitted.
    for _ in 0..2 {
        let admitted = post(Some(&alice)).await.unwrap();
        assert_eq!(admitted.status(), 200);
        assert!(admitted.headers().contains_key("mcp-session-id"));
        let reply: Value = admitted.json().await.unwrap();
        assert_eq!(reply["result"]["serverInfo"]["name"], "notes", "{reply}");
    }
    // Every method at the path is behind the layer; the endpoint answers those it admits.
    let put = |token: Option<&str>| {
        let mut request = http.put(format!("{base}/mcp"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(put(None).await.unwrap().status(), 401);
    let not_allowed = put(Some(&alice)).await.unwrap();
    assert_eq!(not_allowed.status(), 405);
    assert_eq!(not_allowed.headers()[header::ALLOW], "GET, POST, DELETE");
    let metadata = http
        .get(format!("{base}/.well-known/oauth-protected-resource/mcp"))
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status(), 200);
    let document: Value = metadata.json().await.unwrap();
    assert_eq!(document["resource"], RESOURCE);
    let elsewhere = http.get(format!("{base}/other")).send().await.unwrap();
    assert_eq!(elsewhere.status(), 404);
    let _ = stop.send(());
    served.await.unwrap().unwrap();
}
