//! [`ResourceServerConfig`]: what the resource server says about itself and how it caches.

use std::time::Duration;

/// The settings of a [`ResourceServer`](crate::ResourceServer); every field has a builder
/// method, and only `resource` has no default.
///
/// ```
/// use std::time::Duration;
/// use mcp_auth::ResourceServerConfig;
///
/// let config = ResourceServerConfig::new("https://mcp.example.com/mcp")
///     .issuer("https://auth.example.com")
///     .scopes_supported(["notes:read", "notes:write"])
///     .token_cache_max_age(Duration::from_secs(60));
/// assert_eq!(config.authorization_servers, ["https://auth.example.com"]);
/// assert_eq!(config.token_cache_capacity, 10_000);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResourceServerConfig {
    /// This server's resource identifier: the canonical URL of its MCP endpoint, as clients
    /// use it (`https://mcp.example.com/mcp`). Tokens must name it in `aud` (RFC 8707), and
    /// the metadata lives at its origin under `/.well-known/oauth-protected-resource` plus
    /// its path. No default.
    pub resource: String,
    /// The authorization servers' issuer identifiers, published in the metadata; with
    /// [`ResourceServer::new`](crate::ResourceServer::new) the first one signs the tokens
    /// accepted. Default: none (set one with [`issuer`](Self::issuer)).
    pub authorization_servers: Vec<String>,
    /// The scopes published as `scopes_supported`, and named in the 401 challenge's `scope`
    /// when `required_scopes` is empty. Default: none (the field is left out).
    pub scopes_supported: Vec<String>,
    /// Scopes every request needs, whatever it asks for: a token without one of them gets
    /// 403 `insufficient_scope`. Per-tool scopes belong on the tools instead. Default: none.
    pub required_scopes: Vec<String>,
    /// A human-readable name published as `resource_name`. Default: none.
    pub resource_name: Option<String>,
    /// A URL of documentation for developers, published as `resource_documentation`.
    /// Default: none.
    pub resource_documentation: Option<String>,
    /// How many accepted tokens are remembered (0: verify every request). Default: 10,000.
    pub token_cache_capacity: usize,
    /// How long an accepted token is remembered at most, even if it expires later: the delay
    /// before a revoked token is refused when the verifier can see revocations
    /// (introspection). Default: 10 minutes.
    pub token_cache_max_age: Duration,
}

impl ResourceServerConfig {
    /// The defaults, for the MCP endpoint at `resource`.
    pub fn new(resource: impl Into<String>) -> Self {
        ResourceServerConfig {
            resource: resource.into(),
            authorization_servers: Vec::new(),
            scopes_supported: Vec::new(),
            required_scopes: Vec::new(),
            resource_name: None,
            resource_documentation: None,
            token_cache_capacity: 10_000,
            token_cache_max_age: Duration::from_secs(600),
        }
    }

    /// The one authorization server (its issuer identifier).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers = vec![issuer.into()];
        self
    }

    /// Several authorization servers (the first signs the tokens with
    /// [`ResourceServer::new`](crate::ResourceServer::new)).
    pub fn authorization_servers<S: Into<String>>(
        mut self,
        issuers: impl IntoIterator<Item = S>,
    ) -> Self {
        self.authorization_servers = issuers.into_iter().map(Into::into).collect();
        self
    }

    /// See [`scopes_supported`](Self#structfield.scopes_supported).
    pub fn scopes_supported<S: Into<String>>(
        mut self,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// See [`required_scopes`](Self#structfield.required_scopes).
    pub fn required_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.required_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// See [`resource_name`](Self#structfield.resource_name).
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// See [`resource_documentation`](Self#structfield.resource_documentation).
    pub fn resource_documentation(mut self, url: impl Into<String>) -> Self {
        self.resource_documentation = Some(url.into());
        self
    }

    /// See [`token_cache_capacity`](Self#structfield.token_cache_capacity).
    pub fn token_cache_capacity(mut self, capacity: usize) -> Self {
        self.token_cache_capacity = capacity;
        self
    }

    /// See [`token_cache_max_age`](Self#structfield.token_cache_max_age).
    pub fn token_cache_max_age(mut self, max_age: Duration) -> Self {
        self.token_cache_max_age = max_age;
        self
    }
}
