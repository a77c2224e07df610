//! [`IntrospectionVerifier`]: opaque tokens, checked by asking the authorization server
//! (RFC 7662).

use std::time::{Duration, SystemTime};

use reqwest::Url;
use serde_json::{Map, Value};

use crate::discovery::{
    default_client, discover, error_chain, parse_issuer, read_body, read_json, same_issuer,
};
use crate::error::{ConfigError, FetchError, InvalidToken, VerifyError};
use crate::verifier::{TokenVerifier, VerifiedToken};

/// Verifies tokens through the authorization server's RFC 7662 introspection endpoint, as a
/// confidential client (HTTP Basic with `client_id` and `client_secret`).
///
/// A token is accepted when the answer says `active: true`, its `aud` (a string or an array)
/// names the audience (this server's resource; an answer without `aud` is refused), its `iss`
/// (when present) is the issuer, and `exp`/`nbf` (when present) hold within the leeway. The
/// subject is `sub`, or `client_id` for client-credentials tokens that have no `sub`.
///
/// Each unknown token costs one request to the authorization server; the
/// [`ResourceServer`](crate::ResourceServer) caches accepted tokens (for at most its
/// `token_cache_max_age`, so a revocation is seen within that time).
///
/// ```no_run
/// use mcp_auth::IntrospectionVerifier;
///
/// let verifier = IntrospectionVerifier::new(
///     "https://auth.example.com",
///     "https://mcp.example.com/mcp",
///     "mcp-server",
///     std::env::var("INTROSPECTION_SECRET").unwrap(),
/// )?;
/// # Ok::<_, mcp_auth::ConfigError>(())
/// ```
pub struct IntrospectionVerifier {
    issuer: String,
    issuer_url: Url,
    audience: String,
    client_id: String,
    client_secret: String,
    leeway: Duration,
    client: reqwest::Client,
    /// Configured, or discovered from the issuer's metadata on first use.
    endpoint: tokio::sync::Mutex<Option<String>>,
}

impl std::fmt::Debug for IntrospectionVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectionVerifier")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl IntrospectionVerifier {
    /// Tokens of `issuer` for `audience`, introspected as the client `client_id`.
    ///
    /// Defaults: the endpoint is the `introspection_endpoint` of the issuer's metadata, 30 s
    /// leeway, an HTTP client with rustls and 5 s / 10 s timeouts.
    pub fn new(
        issuer: impl Into<String>,
        audience: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        let issuer = issuer.into();
        Ok(IntrospectionVerifier {
            issuer_url: parse_issuer(&issuer)?,
            issuer,
            audience: audience.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            leeway: Duration::from_secs(30),
            client: default_client()?,
            endpoint: tokio::sync::Mutex::new(None),
        })
    }

    /// The introspection endpoint, skipping metadata discovery.
    pub fn endpoint(self, url: impl Into<String>) -> Self {
        IntrospectionVerifier {
            endpoint: tokio::sync::Mutex::new(Some(url.into())),
            ..self
        }
    }

    /// Clock skew tolerated on `exp` and `nbf` (default: 30 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The HTTP client for the authorization server.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
    }

    async fn endpoint_url(&self) -> Result<String, FetchError> {
        let mut endpoint = self.endpoint.lock().await;
        if let Some(url) = endpoint.as_ref() {
            return Ok(url.clone());
        }
        let metadata = discover(&self.client, &self.issuer_url).await?;
        let url = metadata.introspection_endpoint.ok_or_else(|| {
            FetchError::new("metadata", &self.issuer, "it has no introspection_endpoint")
        })?;
        *endpoint = Some(url.clone());
        Ok(url)
    }

    async fn introspect(&self, token: &str) -> Result<Map<String, Value>, FetchError> {
        let url = self.endpoint_url().await?;
        // RFC 6749 section 2.3.1: the credentials are form-encoded before Basic encoding.
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let response = self
            .client
            .post(&url)
            .basic_auth(encode(&self.client_id), Some(encode(&self.client_secret)))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[("token", token), ("token_type_hint", "access_token")])
            .send()
            .await
            .map_err(|e| FetchError::new("introspection", &url, error_chain(&e)))?;
        if response.status() == reqwest::StatusCode::BAD_REQUEST {
            // Some servers refuse to introspect tokens they do not keep (oidc-provider: its own
            // JWTs) with `unsupported_token_type`: they vouch for nothing, so it is not active.
            let body = read_body("introspection", &url, response).await?;
            let error = serde_json::from_slice::<Value>(&body).ok();
            if error.as_ref().and_then(|e| e.get("error")) == Some(&"unsupported_token_type".into())
            {
                return Ok(Map::from_iter([("active".to_owned(), Value::Bool(false))]));
            }
            return Err(FetchError::status(
                "introspection",
                &url,
                reqwest::StatusCode::BAD_REQUEST,
            ));
        }
        read_json("introspection", &url, response).await
    }

    /// Checks an introspection answer; pure, so it is tested without a server.
    fn accept(
        &self,
        mut answer: Map<String, Value>,
        now: SystemTime,
    ) -> Result<VerifiedToken, InvalidToken> {
        if answer.get("active") != Some(&Value::Bool(true)) {
            return Err(InvalidToken::Inactive);
        }
        match answer.get("iss") {
            None => {
                answer.insert("iss".into(), self.issuer.clone().into());
            }
            Some(Value::String(iss)) if same_issuer(iss, &self.issuer) => {}
            Some(_) => return Err(InvalidToken::Issuer),
        }
        let audience_ok = match answer.get("aud") {
            Some(Value::String(aud)) => *aud == self.audience,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(&self.audience)),
            _ => false,
        };
        if !audience_ok {
            return Err(InvalidToken::Audience);
        }
        if !answer.contains_key("sub")
            && let Some(client_id) = answer.get("client_id").cloned()
        {
            answer.insert("sub".into(), client_id);
        }
        let nbf = answer.get("nbf").and_then(Value::as_u64);
        let token = VerifiedToken::from_claims(answer)?;
        if token.expires_at.is_some_and(|exp| exp + self.leeway < now) {
            return Err(InvalidToken::Expired);
        }
        let not_before = nbf.map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        if not_before.is_some_and(|nbf| nbf > now + self.leeway) {
            return Err(InvalidToken::NotYetValid);
        }
        Ok(token)
    }
}

impl TokenVerifier for IntrospectionVerifier {
    async fn verify(&self, token: &str) -> Result<VerifiedToken, VerifyError> {
        let answer = self.introspect(token).await.inspect_err(|error| {
            if error.is_unreachable() {
                tracing::warn!(issuer = %self.issuer, %error, "authorization server unreachable: tokens cannot be introspected and requests get 401 until it answers");
            } else {
                tracing::warn!(issuer = %self.issuer, %error, "authorization server answered introspection with an error: requests get 401");
            }
        })?;
        Ok(self.accept(answer, SystemTime::now())?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const RESOURCE: &str = "https://mcp.example.com/mcp";

    fn verifier() -> IntrospectionVerifier {
        IntrospectionVerifier::new("https://as.example", RESOURCE, "rs", "secret").unwrap()
    }

    fn accept(answer: Value) -> Result<VerifiedToken, InvalidToken> {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        verifier().accept(answer.as_object().unwrap().clone(), now)
    }

    #[test]
    fn an_active_token_for_this_resource_is_accepted() {
        let token = accept(json!({
            "active": true, "client_id": "app", "aud": [RESOURCE, "other"],
            "scope": "mcp:read", "exp": 1_000_100, "nbf": 999_000,
        }))
        .unwrap();
        // No `sub`: a client-credentials token speaks for its client.
        assert_eq!(token.principal.subject(), "app");
        assert_eq!(token.principal.issuer(), Some("https://as.example"));
        assert_eq!(token.principal.scopes(), ["mcp:read"]);
    }

    #[test]
    fn refusals() {
        let base = json!({"active": true, "sub": "u", "aud": RESOURCE});
        let with = |extra: Value| {
            let mut answer = base.clone();
            answer
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            accept(answer).err()
        };
        assert_eq!(with(json!({"active": false})), Some(InvalidToken::Inactive));
        assert_eq!(
            with(json!({"active": "true"})),
            Some(InvalidToken::Inactive)
        );
        assert_eq!(
            with(json!({"aud": "https://other.example/mcp"})),
            Some(InvalidToken::Audience)
        );
        assert_eq!(with(json!({"aud": null})), Some(InvalidToken::Audience));
        assert_eq!(
            with(json!({"iss": "https://evil.example"})),
            Some(InvalidToken::Issuer)
        );
        assert_eq!(with(json!({"exp": 999_000})), Some(InvalidToken::Expired));
        assert_eq!(with(json!({"exp": 999_990})), None, "within the leeway");
        assert_eq!(
            with(json!({"nbf": 1_000_100})),
            Some(InvalidToken::NotYetValid)
        );
        assert_eq!(with(json!({"sub": null})), Some(InvalidToken::Claim("sub")));
    }
}
