//! [`ResourceServer`]: the configuration, a verifier and the token cache, turned into an
//! axum router for the metadata and a tower layer for the MCP endpoint.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::IntoResponse;
use axum::routing::get;
use mcp_runtime::{BearerChallenge, Principal};
use sha2::{Digest, Sha256};

use crate::cache::TokenCache;
use crate::challenge::{ChallengeParams, Rejection};
use crate::config::ResourceServerConfig;
use crate::error::{ConfigError, VerifyError, capped};
use crate::jwt::JwtVerifier;
use crate::layer::BearerAuthLayer;
use crate::metadata::{MetadataLocation, ProtectedResourceMetadata, WELL_KNOWN_PATH};
use crate::verifier::{DynVerifier, TokenVerifier};

/// The longest token accepted; real access tokens are a few KiB at most.
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// An OAuth 2.1 resource server for an MCP endpoint: it publishes the RFC 9728 metadata and
/// guards the endpoint with bearer tokens. Cheap to clone.
///
/// ```no_run
/// use mcp_auth::{ResourceServer, ResourceServerConfig};
/// use mcp_runtime::{HttpConfig, Mode, StreamableHttp, mcp_server, tool};
///
/// struct Notes;
/// #[mcp_server]
/// impl Notes {
///     /// Say hello.
///     #[tool]
///     fn hello(&self) -> &'static str { "hello" }
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let auth = ResourceServer::new(
///     ResourceServerConfig::new("https://mcp.example.com/mcp")
///         .issuer("https://auth.example.com")
///         .scopes_supported(["notes:read"]),
/// )?;
/// let mcp = StreamableHttp::new(Notes, HttpConfig::new(Mode::Stateful));
/// // The endpoint behind the bearer layer, and the metadata beside it (open to all).
/// let app = auth.protect(mcp.router());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ResourceServer {
    inner: Arc<Inner>,
}

struct Inner {
    config: ResourceServerConfig,
    location: MetadataLocation,
    /// The metadata document, serialized once.
    metadata: Arc<str>,
    challenge: ChallengeParams,
    bearer_challenge: BearerChallenge,
    verifier: Box<dyn DynVerifier>,
    cache: TokenCache,
}

impl std::fmt::Debug for ResourceServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceServer")
            .field("config", &self.inner.config)
            .field("metadata_url", &self.inner.location.url)
            .finish_non_exhaustive()
    }
}

impl ResourceServer {
    /// A resource server accepting JWT access tokens of the first authorization server
    /// (a [`JwtVerifier`] with its defaults). Nothing is fetched yet: the authorization
    /// server's metadata and keys are read on the first request.
    pub fn new(config: ResourceServerConfig) -> Result<Self, ConfigError> {
        let issuer = config
            .authorization_servers
            .first()
            .ok_or(ConfigError::NoIssuer)?;
        let verifier = JwtVerifier::new(issuer.clone(), config.resource.clone())?;
        Self::with_verifier(config, verifier)
    }

    /// A resource server accepting what `verifier` accepts ([`JwtVerifier`] with other
    /// settings, [`IntrospectionVerifier`](crate::IntrospectionVerifier), your own).
    pub fn with_verifier(
        config: ResourceServerConfig,
        verifier: impl TokenVerifier,
    ) -> Result<Self, ConfigError> {
        let location = MetadataLocation::of(&config.resource)?;
        for issuer in &config.authorization_servers {
            crate::discovery::parse_issuer(issuer)?;
        }
        let metadata = serde_json::to_string(&ProtectedResourceMetadata::new(&config))
            .expect("the metadata document serializes")
            .into();
        let scope = if config.required_scopes.is_empty() {
            &config.scopes_supported
        } else {
            &config.required_scopes
        };
        let challenge = ChallengeParams {
            resource_metadata: location.url.clone(),
            scope: scope.join(" "),
            required_scope: config.required_scopes.join(" "),
        };
        Ok(ResourceServer {
            inner: Arc::new(Inner {
                cache: TokenCache::new(config.token_cache_capacity, config.token_cache_max_age),
                bearer_challenge: BearerChallenge::new(location.url.clone()),
                config,
                location,
                metadata,
                challenge,
                verifier: Box::new(verifier),
            }),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &ResourceServerConfig {
        &self.inner.config
    }

    /// The URL of the metadata document, as challenges name it.
    pub fn metadata_url(&self) -> &str {
        &self.inner.location.url
    }

    /// The RFC 9728 metadata document.
    ///
    /// ```
    /// # use mcp_auth::{ResourceServer, ResourceServerConfig};
    /// let auth = ResourceServer::new(
    ///     ResourceServerConfig::new("https://mcp.example.com/mcp")
    ///         .issuer("https://auth.example.com")
    ///         .scopes_supported(["mcp:read"]),
    /// )
    /// .unwrap();
    /// assert_eq!(
    ///     auth.metadata(),
    ///     r#"{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://auth.example.com"],"scopes_supported":["mcp:read"],"bearer_methods_supported":["header"]}"#
    /// );
    /// ```
    pub fn metadata(&self) -> &str {
        &self.inner.metadata
    }

    /// An axum router answering GET for the metadata at `/.well-known/oauth-protected-resource`
    /// and at the same path followed by the resource's path (`.../oauth-protected-resource/mcp`),
    /// with `Access-Control-Allow-Origin: *` so that browser clients can read it.
    pub fn metadata_router(&self) -> Router {
        let document = self.inner.metadata.clone();
        let serve = get(move || {
            let document = document.clone();
            async move {
                (
                    [
                        (header::CONTENT_TYPE, "application/json"),
                        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                        (header::CACHE_CONTROL, "max-age=3600"),
                    ],
                    document.to_string(),
                )
                    .into_response()
            }
        });
        let mut router = Router::new().route(WELL_KNOWN_PATH, serve.clone());
        if self.inner.location.route != WELL_KNOWN_PATH {
            router = router.route(&self.inner.location.route, serve);
        }
        router
    }

    /// The tower layer that guards the MCP endpoint: apply it to the runtime's router.
    pub fn layer(&self) -> BearerAuthLayer {
        BearerAuthLayer::new(self.clone())
    }

    /// The MCP endpoint's router behind the bearer layer, merged with the metadata router:
    /// one call for the usual setup.
    pub fn protect(&self, mcp: Router) -> Router {
        mcp.layer(self.layer()).merge(self.metadata_router())
    }

    /// Verifies `token` as a request's bearer token would be: from the cache, or through the
    /// verifier (caching what it accepts).
    pub async fn verify(&self, token: &str) -> Result<Principal, VerifyError> {
        if let Some(principal) = self.inner.cache.get(token) {
            return Ok(principal);
        }
        let mut verified = self.inner.verifier.verify_boxed(token).await?;
        // Attached once per token, so a cached call inserts one extension, not two.
        verified.principal = verified
            .principal
            .with_challenge(self.inner.bearer_challenge.clone());
        self.inner.cache.insert(token, &verified);
        Ok(verified.principal)
    }

    pub(crate) fn cached(&self, token: &str) -> Option<Principal> {
        self.inner.cache.get(token)
    }

    /// Reads the bearer token of a request: from the `Authorization` header only.
    pub(crate) fn bearer_token<'r>(
        &self,
        uri: &Uri,
        headers: &'r HeaderMap,
    ) -> Result<&'r str, Rejection> {
        if uri.query().is_some_and(|q| {
            form_urlencoded::parse(q.as_bytes()).any(|(name, _)| name == "access_token")
        }) {
            return Err(Rejection::InvalidRequest(
                "access tokens are accepted only in the Authorization header (Bearer), \
                 never in the query string",
            ));
        }
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let Some(value) = values.next() else {
            return Err(Rejection::NoToken);
        };
        if values.next().is_some() {
            return Err(Rejection::InvalidRequest(
                "more than one Authorization header",
            ));
        }
        bearer_of(value)
    }

    /// Lets a request through: checks the required scopes, then hands the runtime the caller
    /// and where to send it for more scopes.
    pub(crate) fn admit(
        &self,
        principal: Principal,
        extensions: &mut axum::http::Extensions,
    ) -> Result<(), Rejection> {
        let required = &self.inner.config.required_scopes;
        if let Some(missing) = required.iter().find(|s| !principal.has_scope(s)) {
            tracing::info!(subject = %capped(principal.subject()), scope = %missing, "bearer token lacks a required scope");
            return Err(Rejection::InsufficientScope);
        }
        // The principal carries its step-up challenge (set when the token was verified).
        extensions.insert(principal);
        Ok(())
    }

    pub(crate) fn refuse(&self, rejection: Rejection) -> axum::response::Response {
        rejection.into_response(&self.inner.challenge)
    }

    /// Logs a refused token without the token: its fingerprint correlates log lines.
    pub(crate) fn log_refusal(&self, token: &str, error: &VerifyError) {
        let fingerprint = fingerprint(token);
        match error {
            VerifyError::Invalid(reason) => {
                tracing::info!(token = %fingerprint, %reason, "bearer token refused")
            }
            // The verifier logged the cause at WARN when the fetch failed.
            VerifyError::Unavailable(_) => tracing::info!(
                token = %fingerprint,
                "bearer token refused: the authorization server is unavailable, the token was not verified"
            ),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive).
fn bearer_of(value: &HeaderValue) -> Result<&str, Rejection> {
    let Ok(value) = value.to_str() else {
        return Err(Rejection::MalformedToken);
    };
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Rejection::NoToken); // another scheme (Basic...): ask for a bearer token
    }
    let token = token.trim_matches(' ');
    if token.is_empty() {
        return Err(Rejection::InvalidRequest(
            "the Authorization header has no bearer token",
        ));
    }
    if token.len() > MAX_TOKEN_LEN || !is_token68(token) {
        return Err(Rejection::MalformedToken);
    }
    Ok(token)
}

/// RFC 9110 token68: what a bearer token is made of.
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// The first 8 bytes of the token's SHA-256, in hex: enough to tell tokens apart in logs.
pub(crate) fn fingerprint(token: &str) -> String {
    Sha256::digest(token.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(value: &str) -> HeaderValue {
        HeaderValue::from_str(value).unwrap()
    }

    #[test]
    fn bearer_tokens_come_from_the_authorization_header() {
        assert_eq!(
            bearer_of(&header("Bearer abc.def-_~+/==")).ok(),
            Some("abc.def-_~+/==")
        );
        assert_eq!(bearer_of(&header("bearer  abc ")).ok(), Some("abc"));
        assert!(matches!(
            bearer_of(&header("Basic dXNlcjpwdw==")),
            Err(Rejection::NoToken)
        ));
        assert!(matches!(
            bearer_of(&header("Bearer")),
            Err(Rejection::InvalidRequest(_))
        ));
        assert!(matches!(
            bearer_of(&header("Bearer a b")),
            Err(Rejection::MalformedToken)
        ));
        assert!(matches!(
            bearer_of(&header("Bearer ===")),
            Err(Rejection::MalformedToken)
        ));
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_LEN + 1));
        assert!(matches!(
            bearer_of(&header(&long)),
            Err(Rejection::MalformedToken)
        ));
    }

    #[test]
    fn fingerprints_are_short_and_stable() {
        assert_eq!(fingerprint("token"), fingerprint("token"));
        assert_eq!(fingerprint("token").len(), 16);
        assert_ne!(fingerprint("token"), fingerprint("token2"));
    }
}
