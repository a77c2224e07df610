//! A stand-in authorization server for the unit tests of the verifiers and the layer: OpenID
//! metadata and a JWKS on 127.0.0.1, with keys the tests control. The real-provider tests are
//! in `.ci/suites/40-oauth.sh`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub(crate) const RESOURCE: &str = "http://127.0.0.1:8000/mcp";

// Test-only keys, generated with `openssl genpkey`; they protect nothing.
pub(crate) const RSA1: &str = include_str!("../keys/rsa1.pem");
pub(crate) const RSA2: &str = include_str!("../keys/rsa2.pem");
pub(crate) const EC1: &str = include_str!("../keys/ec1.pem");

/// A signing key and its `kid`.
#[derive(Clone)]
pub(crate) struct SigningKey {
    pub(crate) kid: &'static str,
    pub(crate) alg: Algorithm,
    pub(crate) key: EncodingKey,
}

impl SigningKey {
    pub(crate) fn rsa(kid: &'static str, pem: &str) -> Self {
        SigningKey {
            kid,
            alg: Algorithm::RS256,
            key: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        }
    }

    pub(crate) fn ec(kid: &'static str, pem: &str) -> Self {
        SigningKey {
            kid,
            alg: Algorithm::ES256,
            key: EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        }
    }

    /// The public half as a JWK, as an authorization server publishes it.
    pub(crate) fn jwk(&self) -> Value {
        let mut jwk = Jwk::from_encoding_key(&self.key, self.alg).unwrap();
        jwk.common.key_id = Some(self.kid.to_owned());
        serde_json::to_value(jwk).unwrap()
    }

    /// A JWT of `claims` signed with this key, naming its `kid`.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.to_owned());
        header.typ = Some("at+jwt".into());
        jsonwebtoken::encode(&header, claims, &self.key).unwrap()
    }
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The claims of a good access token of `issuer` for [`RESOURCE`].
pub(crate) fn claims(issuer: &str, sub: &str) -> Value {
    json!({
        "iss": issuer, "sub": sub, "aud": RESOURCE, "scope": "mcp:read",
        "iat": now(), "exp": now() + 600, "client_id": sub, "jti": format!("{sub}-{}", now()),
    })
}

/// `claims` with some fields replaced (null removes one).
pub(crate) fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

/// The stand-in authorization server.
#[derive(Clone)]
pub(crate) struct FakeIssuer {
    pub(crate) issuer: String,
    /// The issuer its metadata names (normally `issuer`).
    announced: Arc<Mutex<String>>,
    keys: Arc<Mutex<Vec<Value>>>,
    jwks_fetches: Arc<AtomicUsize>,
}

impl FakeIssuer {
    /// Serves on a fresh port.
    pub(crate) async fn start(keys: &[&SigningKey]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, keys)
    }

    /// Serves on `listener`.
    pub(crate) fn serve(listener: tokio::net::TcpListener, keys: &[&SigningKey]) -> Self {
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let fake = FakeIssuer {
            announced: Arc::new(Mutex::new(issuer.clone())),
            issuer,
            keys: Arc::new(Mutex::new(keys.iter().map(|k| k.jwk()).collect())),
            jwks_fetches: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/.well-known/openid-configuration", get(metadata))
            .route("/jwks", get(jwks))
            .route("/introspect", post(introspect))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    /// Publishes these keys from now on (a rotation).
    pub(crate) fn publish(&self, keys: &[&SigningKey]) {
        *self.keys.lock().unwrap() = keys.iter().map(|k| k.jwk()).collect();
    }

    /// Makes its metadata name another issuer (a misconfigured or hostile server).
    pub(crate) fn announce(&self, issuer: &str) {
        *self.announced.lock().unwrap() = issuer.to_owned();
    }

    /// How often the key set was fetched.
    pub(crate) fn jwks_fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }
}

async fn metadata(State(fake): State<FakeIssuer>) -> Json<Value> {
    Json(json!({
        "issuer": *fake.announced.lock().unwrap(),
        "jwks_uri": format!("{}/jwks", fake.issuer),
        "token_endpoint": format!("{}/token", fake.issuer),
        "introspection_endpoint": format!("{}/introspect", fake.issuer),
    }))
}

/// RFC 7662 for the client `rs` (secret `s3cret`): `active-TOKEN` is active for [`RESOURCE`]
/// (the subject is TOKEN), `other-TOKEN` is active for another resource, `jwt` is refused as
/// oidc-provider refuses its own JWTs, anything else is inactive.
async fn introspect(
    headers: HeaderMap,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    use base64::Engine;
    let expected = base64::engine::general_purpose::STANDARD.encode("rs:s3cret");
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Basic {expected}"))
    {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let token = form.get("token").map(String::as_str).unwrap_or_default();
    let answer = if let Some(sub) = token.strip_prefix("active-") {
        json!({"active": true, "sub": sub, "aud": RESOURCE, "scope": "mcp:read", "exp": now() + 60, "client_id": "app"})
    } else if let Some(sub) = token.strip_prefix("other-") {
        json!({"active": true, "sub": sub, "aud": "https://other.example/mcp", "exp": now() + 60})
    } else if token == "jwt" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_token_type"})),
        )
            .into_response();
    } else {
        json!({"active": false})
    };
    Json(answer).into_response()
}

async fn jwks(State(fake): State<FakeIssuer>) -> Json<Value> {
    fake.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    Json(json!({"keys": *fake.keys.lock().unwrap()}))
}

/// A port where nothing listens (bound, then released).
pub(crate) async fn closed_port() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}
