//! What can go wrong: a token that is refused, an authorization server that cannot be reached,
//! a configuration that cannot work.

use thiserror::Error;

/// Why a token was not accepted. The message is ours (never the token or a client value), so
/// it can go into the `error_description` of the 401 answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InvalidToken {
    /// Not a well-formed token (not three base64url parts, bad JSON, unparsable header).
    #[error("the token is malformed")]
    Malformed,
    /// The header names an algorithm this server does not accept (`none`, HMAC, ...).
    #[error("the token's signing algorithm is not accepted")]
    Algorithm,
    /// No key of the issuer's key set matches the token's `kid` and algorithm.
    #[error("the token was signed with a key the authorization server does not publish")]
    UnknownKey,
    /// The signature does not verify.
    #[error("the token's signature is invalid")]
    Signature,
    /// `exp` is in the past (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// `aud` does not name this resource (RFC 8707): the token was minted for someone else.
    #[error("the token was not issued for this resource")]
    Audience,
    /// `iss` is not the configured authorization server.
    #[error("the token was issued by another authorization server")]
    Issuer,
    /// A claim this server needs is missing or has the wrong type.
    #[error("the token lacks a valid `{0}` claim")]
    Claim(&'static str),
    /// Introspection said the token is not active (revoked, expired or unknown).
    #[error("the token is not active")]
    Inactive,
}

/// Why a token could not be verified.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The token is not acceptable: the answer is 401 with `error="invalid_token"`.
    #[error(transparent)]
    Invalid(#[from] InvalidToken),
    /// The authorization server (its metadata, keys or introspection endpoint) could not be
    /// reached or answered nonsense, so the token could not be checked now. The answer is
    /// still 401; the server recovers by itself once the authorization server answers.
    #[error("authorization server unreachable: {0}")]
    Unavailable(#[from] FetchError),
}

/// A request to the authorization server that failed.
#[derive(Debug, Clone, Error)]
#[error("{what} from {url}: {reason}")]
pub struct FetchError {
    /// What was being fetched ("metadata", "JWKS", "introspection").
    pub what: &'static str,
    /// The URL asked.
    pub url: String,
    /// What went wrong, in words.
    pub reason: String,
    /// The HTTP status when the server answered (with an error); `None` when it could not be
    /// reached or its answer could not be read.
    pub status: Option<u16>,
}

impl FetchError {
    pub(crate) fn new(what: &'static str, url: &str, reason: impl ToString) -> Self {
        FetchError {
            what,
            url: capped(url).into_owned(),
            reason: capped(&reason.to_string()).into_owned(),
            status: None,
        }
    }

    pub(crate) fn status(what: &'static str, url: &str, status: reqwest::StatusCode) -> Self {
        FetchError {
            status: Some(status.as_u16()),
            ..FetchError::new(what, url, format!("HTTP {status}"))
        }
    }

    /// Whether the authorization server could not be reached at all (rather than answering
    /// with an error), for log lines that say which.
    pub fn is_unreachable(&self) -> bool {
        self.status.is_none()
    }
}

/// A configuration that cannot work, reported when the [`ResourceServer`](crate::ResourceServer)
/// is built rather than on the first request.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The resource is not an absolute `http(s)` URL without a fragment.
    #[error("the resource must be an absolute http(s) URL without a fragment, got {0:?}")]
    Resource(String),
    /// An issuer is not an absolute `http(s)` URL without a query or fragment.
    #[error("an issuer must be an absolute http(s) URL without query or fragment, got {0:?}")]
    Issuer(String),
    /// No authorization server was configured and no verifier was given.
    #[error("no authorization server: set `issuer` (or pass a verifier)")]
    NoIssuer,
    /// No algorithm is allowed, or one that cannot be allowed (`none`, HMAC without a secret).
    #[error("algorithms: {0}")]
    Algorithms(&'static str),
    /// The HTTP client for the authorization server could not be built.
    #[error("HTTP client: {0}")]
    HttpClient(String),
}

/// The longest value written to a log line or an error message.
pub(crate) const LOG_CAP: usize = 256;

/// `value`, cut to [`LOG_CAP`] bytes (on a character boundary) with a marker when cut: log
/// lines never carry unbounded client or server values.
pub(crate) fn capped(value: &str) -> std::borrow::Cow<'_, str> {
    if value.len() <= LOG_CAP {
        return value.into();
    }
    let mut end = LOG_CAP;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...({} bytes)", &value[..end], value.len()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_cuts_long_values_on_a_char_boundary() {
        assert_eq!(capped("short"), "short");
        let long = "é".repeat(300); // 600 bytes, two per char
        let cut = capped(&long);
        assert!(cut.starts_with(&"é".repeat(128)));
        assert!(cut.ends_with("...(600 bytes)"));
        assert!(cut.len() < LOG_CAP + 20);
    }
}
