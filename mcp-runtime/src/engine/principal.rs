//! Who is calling: the identity an authentication layer established for a request, and the
//! transport's own record of the request.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde_json::{Map, Value};

/// Who is calling, as established by an authentication layer (the OAuth resource server of
/// `mcp-auth`, or the application's own middleware).
///
/// Insert it as a request extension and a session opened by one principal answers only that
/// principal (anyone else gets 404); tasks are bound the same way. Two principals are the same
/// caller when their issuer and subject are equal: a token with more scopes (a step-up) goes
/// on in the same session. Tools read it with [`Context::auth`](crate::Context::auth).
///
/// ```
/// use mcp_runtime::Principal;
///
/// let alice = Principal::new("alice")
///     .with_issuer("https://auth.example.com")
///     .with_scopes(["notes:read", "notes:write"]);
/// assert_eq!(alice.subject(), "alice");
/// assert!(alice.has_scope("notes:write"));
/// // The same caller with fewer scopes is still the same caller.
/// assert_eq!(alice, Principal::new("alice").with_issuer("https://auth.example.com"));
/// assert_ne!(alice, Principal::new("alice"));
/// ```
#[derive(Clone)]
pub struct Principal(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    subject: Arc<str>,
    issuer: Option<Arc<str>>,
    scopes: Vec<String>,
    claims: Map<String, Value>,
    /// Where the caller's client can get a token with more scopes.
    challenge: Option<BearerChallenge>,
    /// `issuer` and `subject` in one string, made once: sessions and tasks compare it.
    key: Arc<str>,
}

impl Principal {
    /// A principal with this subject (no issuer, no scopes, no claims).
    pub fn new(subject: impl Into<Arc<str>>) -> Self {
        let subject = subject.into();
        Principal(Arc::new(Inner {
            key: subject.clone(),
            subject,
            issuer: None,
            scopes: Vec::new(),
            claims: Map::new(),
            challenge: None,
        }))
    }

    fn edit(self, f: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Arc::try_unwrap(self.0).unwrap_or_else(|shared| Inner {
            subject: shared.subject.clone(),
            issuer: shared.issuer.clone(),
            scopes: shared.scopes.clone(),
            claims: shared.claims.clone(),
            challenge: shared.challenge.clone(),
            key: shared.key.clone(),
        });
        f(&mut inner);
        inner.key = match &inner.issuer {
            None => inner.subject.clone(),
            // A space cannot appear in an issuer URL: the key is unambiguous.
            Some(issuer) => format!("{issuer} {}", inner.subject).into(),
        };
        Principal(Arc::new(inner))
    }

    /// The issuer that vouches for the subject (a token's `iss`).
    pub fn with_issuer(self, issuer: impl Into<Arc<str>>) -> Self {
        let issuer = issuer.into();
        self.edit(|inner| inner.issuer = Some(issuer))
    }

    /// The scopes granted (a token's `scope`).
    pub fn with_scopes<S: Into<String>>(self, scopes: impl IntoIterator<Item = S>) -> Self {
        let scopes = scopes.into_iter().map(Into::into).collect();
        self.edit(|inner| inner.scopes = scopes)
    }

    /// Every claim of the token, for tools that need more than the subject and scopes.
    pub fn with_claims(self, claims: Map<String, Value>) -> Self {
        self.edit(|inner| inner.claims = claims)
    }

    /// Where this caller's client learns how to get a token with more scopes: the runtime
    /// names it in the 403 `insufficient_scope` challenge when a tool, resource or prompt
    /// needs a scope the caller lacks. An authentication layer that knows it sets it here, once
    /// per verified token, rather than inserting a [`BearerChallenge`] extension per request.
    ///
    /// ```
    /// use mcp_runtime::{BearerChallenge, Principal};
    ///
    /// let prm = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
    /// let alice = Principal::new("alice").with_challenge(BearerChallenge::new(prm));
    /// assert_eq!(alice.challenge().map(|c| c.resource_metadata()), Some(prm));
    /// ```
    pub fn with_challenge(self, challenge: BearerChallenge) -> Self {
        self.edit(|inner| inner.challenge = Some(challenge))
    }

    /// The challenge set by [`with_challenge`](Self::with_challenge).
    pub fn challenge(&self) -> Option<&BearerChallenge> {
        self.0.challenge.as_ref()
    }

    /// The subject (a token's `sub`).
    pub fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The issuer, when one was set.
    pub fn issuer(&self) -> Option<&str> {
        self.0.issuer.as_deref()
    }

    /// The scopes granted.
    pub fn scopes(&self) -> &[String] {
        &self.0.scopes
    }

    /// Whether `scope` was granted.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.0.scopes.iter().any(|s| s == scope)
    }

    /// The token's claims (empty unless set).
    pub fn claims(&self) -> &Map<String, Value> {
        &self.0.claims
    }

    /// The identity as one string: the subject, prefixed with the issuer when there is one.
    /// Sessions and tasks are bound to it.
    pub fn as_str(&self) -> &str {
        &self.0.key
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Claims may hold personal data: only the identity and scopes are shown.
        f.debug_struct("Principal")
            .field("subject", &self.0.subject)
            .field("issuer", &self.0.issuer)
            .field("scopes", &self.0.scopes)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Principal {
    fn eq(&self, other: &Self) -> bool {
        self.0.key == other.0.key
    }
}

impl Eq for Principal {}

impl Hash for Principal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.key.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::Principal;

    #[test]
    fn identity_is_issuer_and_subject() {
        let a = Principal::new("alice").with_issuer("https://a.example");
        assert_eq!(a.as_str(), "https://a.example alice");
        assert_ne!(a, Principal::new("alice").with_issuer("https://b.example"));
        let stepped_up = a.clone().with_scopes(["admin"]);
        assert_eq!(a, stepped_up);
        assert!(stepped_up.has_scope("admin"));
        assert!(!a.has_scope("admin"));
    }
}

/// Where a client learns how to get a token: the URL of the server's RFC 9728 Protected
/// Resource Metadata document.
///
/// An authentication layer attaches it to the [`Principal`]
/// ([`Principal::with_challenge`]) or inserts it as a request extension; when a
/// request then lacks a scope that a tool, resource or prompt requires, the 403 answer's
/// `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` challenge names it as
/// `resource_metadata`, so the client can step up.
///
/// ```
/// use mcp_runtime::BearerChallenge;
///
/// let challenge = BearerChallenge::new("https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
/// assert!(challenge.resource_metadata().ends_with("/mcp"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerChallenge {
    resource_metadata: Arc<str>,
}

impl BearerChallenge {
    /// A challenge pointing at this metadata URL.
    pub fn new(resource_metadata: impl Into<Arc<str>>) -> Self {
        BearerChallenge {
            resource_metadata: resource_metadata.into(),
        }
    }

    /// The metadata URL.
    pub fn resource_metadata(&self) -> &str {
        &self.resource_metadata
    }
}

/// What the transport knows of a request's sender: the [`Principal`] an authentication layer
/// established, and the HTTP request's headers (none over stdio).
#[derive(Debug, Clone, Default)]
pub(crate) struct Caller {
    pub(crate) principal: Option<Principal>,
    pub(crate) headers: Option<Arc<axum::http::HeaderMap>>,
    /// Where a client that lacks a scope learns how to get one.
    pub(crate) challenge: Option<BearerChallenge>,
}

impl Caller {
    /// The caller's identity as tasks and request state bind to it.
    pub(crate) fn identity(&self) -> Option<String> {
        self.principal.as_ref().map(|p| p.as_str().to_owned())
    }
}
