//! [`TokenVerifier`]: turns a bearer token into a [`VerifiedToken`], or says why not.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcp_runtime::Principal;
use serde_json::{Map, Value};

use crate::error::{InvalidToken, VerifyError};

/// Checks bearer tokens. [`JwtVerifier`](crate::JwtVerifier) and
/// [`IntrospectionVerifier`](crate::IntrospectionVerifier) implement it; implement it for
/// anything else (an API-key table, a sidecar).
///
/// The [`ResourceServer`](crate::ResourceServer) caches what a verifier accepts until the
/// token expires, so `verify` runs once per token, not once per request.
///
/// ```
/// use mcp_auth::{InvalidToken, TokenVerifier, VerifiedToken, VerifyError};
/// use mcp_runtime::Principal;
///
/// /// Accepts one fixed token: for local experiments only.
/// struct FixedToken(String);
///
/// impl TokenVerifier for FixedToken {
///     async fn verify(&self, token: &str) -> Result<VerifiedToken, VerifyError> {
///         if token == self.0 {
///             Ok(VerifiedToken::new(Principal::new("developer"), None))
///         } else {
///             Err(InvalidToken::Signature.into())
///         }
///     }
/// }
/// ```
pub trait TokenVerifier: Send + Sync + 'static {
    /// Verifies `token` (the part after `Bearer `).
    fn verify(
        &self,
        token: &str,
    ) -> impl Future<Output = Result<VerifiedToken, VerifyError>> + Send;
}

/// A token that was accepted: who it speaks for and until when.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedToken {
    /// The caller: subject, issuer, scopes and every claim.
    pub principal: Principal,
    /// When the token stops being valid (`exp`); `None` when it does not say.
    pub expires_at: Option<SystemTime>,
}

impl VerifiedToken {
    /// A verified token for `principal`, valid until `expires_at`.
    pub fn new(principal: Principal, expires_at: Option<SystemTime>) -> Self {
        VerifiedToken {
            principal,
            expires_at,
        }
    }

    /// The principal described by a token's claims (JWT claims or an introspection answer):
    /// `sub` (required), `iss`, the scopes from `scope` (space-separated) or `scp` (an array),
    /// `exp`, and every claim.
    ///
    /// ```
    /// let claims = serde_json::json!({"sub": "alice", "scope": "notes:read notes:write", "exp": 4102444800u64});
    /// let token = mcp_auth::VerifiedToken::from_claims(claims.as_object().unwrap().clone()).unwrap();
    /// assert_eq!(token.principal.subject(), "alice");
    /// assert_eq!(token.principal.scopes(), ["notes:read", "notes:write"]);
    /// assert!(token.expires_at.is_some());
    /// ```
    pub fn from_claims(claims: Map<String, Value>) -> Result<Self, InvalidToken> {
        let subject = match claims.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
            _ => return Err(InvalidToken::Claim("sub")),
        };
        let issuer = match claims.get("iss") {
            None => None,
            Some(Value::String(iss)) => Some(iss.clone()),
            Some(_) => return Err(InvalidToken::Claim("iss")),
        };
        let expires_at = match claims.get("exp") {
            None => None,
            Some(exp) => Some(timestamp(exp).ok_or(InvalidToken::Claim("exp"))?),
        };
        let scopes = scopes(&claims)?;
        let mut principal = Principal::new(subject).with_scopes(scopes);
        if let Some(issuer) = issuer {
            principal = principal.with_issuer(issuer);
        }
        Ok(VerifiedToken::new(
            principal.with_claims(claims),
            expires_at,
        ))
    }
}

/// A NumericDate claim (seconds since the epoch) as a time.
fn timestamp(value: &Value) -> Option<SystemTime> {
    let secs = value.as_u64().or_else(|| {
        // Some servers write `exp` as a float; a fractional second does not matter here.
        value
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(|f| f as u64)
    })?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// The scopes granted: `scope` (RFC 8693/9068, space-separated) or `scp` (an array, or a string).
fn scopes(claims: &Map<String, Value>) -> Result<Vec<String>, InvalidToken> {
    let words = |s: &str| s.split_ascii_whitespace().map(str::to_owned).collect();
    match (claims.get("scope"), claims.get("scp")) {
        (Some(Value::String(scope)), _) => Ok(words(scope)),
        (Some(_), _) => Err(InvalidToken::Claim("scope")),
        (None, Some(Value::String(scp))) => Ok(words(scp)),
        (None, Some(Value::Array(items))) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or(InvalidToken::Claim("scp")),
        (None, Some(_)) => Err(InvalidToken::Claim("scp")),
        (None, None) => Ok(Vec::new()),
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`TokenVerifier`] as a trait object, so the layer holds any verifier behind one pointer.
pub(crate) trait DynVerifier: Send + Sync + 'static {
    fn verify_boxed<'a>(
        &'a self,
        token: &'a str,
    ) -> BoxFuture<'a, Result<VerifiedToken, VerifyError>>;
}

impl<T: TokenVerifier> DynVerifier for T {
    fn verify_boxed<'a>(
        &'a self,
        token: &'a str,
    ) -> BoxFuture<'a, Result<VerifiedToken, VerifyError>> {
        Box::pin(self.verify(token))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn scopes_come_from_scope_or_scp() {
        let from = |v| VerifiedToken::from_claims(claims(v)).unwrap().principal;
        let p = from(json!({"sub": "a", "scope": " mcp:read  mcp:admin "}));
        assert_eq!(p.scopes(), ["mcp:read", "mcp:admin"]);
        let p = from(json!({"sub": "a", "scp": ["mcp:read", "mcp:admin"]}));
        assert_eq!(p.scopes(), ["mcp:read", "mcp:admin"]);
        let p = from(json!({"sub": "a", "scp": "mcp:read"}));
        assert_eq!(p.scopes(), ["mcp:read"]);
        assert!(from(json!({"sub": "a"})).scopes().is_empty());
    }

    #[test]
    fn claims_of_the_wrong_type_are_refused() {
        let err = |v| VerifiedToken::from_claims(claims(v)).unwrap_err();
        assert_eq!(err(json!({"scope": "x"})), InvalidToken::Claim("sub"));
        assert_eq!(err(json!({"sub": 7})), InvalidToken::Claim("sub"));
        assert_eq!(
            err(json!({"sub": "a", "iss": 1})),
            InvalidToken::Claim("iss")
        );
        assert_eq!(
            err(json!({"sub": "a", "exp": "soon"})),
            InvalidToken::Claim("exp")
        );
        assert_eq!(
            err(json!({"sub": "a", "scp": [1]})),
            InvalidToken::Claim("scp")
        );
        assert_eq!(
            err(json!({"sub": "a", "scope": ["x"]})),
            InvalidToken::Claim("scope")
        );
    }

    #[test]
    fn the_principal_keeps_issuer_expiry_and_every_claim() {
        let token = VerifiedToken::from_claims(claims(
            json!({"sub": "a", "iss": "https://as.example", "exp": 1000, "tenant": "t1"}),
        ))
        .unwrap();
        assert_eq!(token.principal.issuer(), Some("https://as.example"));
        assert_eq!(token.principal.claims()["tenant"], "t1");
        assert_eq!(
            token.expires_at,
            Some(UNIX_EPOCH + Duration::from_secs(1000))
        );
    }
}
