//! Refusals: the status, the `WWW-Authenticate: Bearer` challenge (RFC 6750 section 3, with
//! RFC 9728's `resource_metadata`) and a small JSON body saying the same.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::VerifyError;

/// Why a request was not let through.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// No bearer token: 401, a challenge without an error code.
    NoToken,
    /// A token that is refused, or that cannot be checked now: 401 `invalid_token`.
    InvalidToken(VerifyError),
    /// A token that is not a bearer token's shape (bad characters, too long): 401.
    MalformedToken,
    /// The request is not one we can read a token from (a token in the query string, two
    /// `Authorization` headers, an empty token): 400 `invalid_request`.
    InvalidRequest(&'static str),
    /// The token lacks a scope every request needs: 403 `insufficient_scope`.
    InsufficientScope,
}

/// What every challenge names: the metadata URL and the scopes to ask for.
pub(crate) struct ChallengeParams {
    pub(crate) resource_metadata: String,
    /// Space-separated; empty when unknown.
    pub(crate) scope: String,
    /// The scopes every request needs (for 403), space-separated.
    pub(crate) required_scope: String,
}

impl Rejection {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Rejection::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Rejection::InsufficientScope => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The RFC 6750 error code and description, when there is one.
    fn error(&self) -> Option<(&'static str, String)> {
        match self {
            Rejection::NoToken => None,
            Rejection::InvalidToken(VerifyError::Invalid(reason)) => {
                Some(("invalid_token", reason.to_string()))
            }
            Rejection::InvalidToken(VerifyError::Unavailable(error)) if !error.is_unreachable() => {
                Some((
                    "invalid_token",
                    "the token cannot be verified now: the authorization server answered with an \
                     error"
                        .to_owned(),
                ))
            }
            Rejection::InvalidToken(_) => Some((
                "invalid_token",
                "the token cannot be verified now: the authorization server is unreachable"
                    .to_owned(),
            )),
            Rejection::MalformedToken => {
                Some(("invalid_token", "the token is malformed".to_owned()))
            }
            Rejection::InvalidRequest(why) => Some(("invalid_request", (*why).to_owned())),
            Rejection::InsufficientScope => Some((
                "insufficient_scope",
                "the token lacks a scope this server requires".to_owned(),
            )),
        }
    }

    /// The `WWW-Authenticate` value.
    pub(crate) fn challenge(&self, params: &ChallengeParams) -> String {
        let mut value = String::from("Bearer ");
        let mut fields = Vec::new();
        if let Some((code, description)) = self.error() {
            fields.push(("error", code.to_owned()));
            fields.push(("error_description", description));
        }
        let scope = match self {
            Rejection::InsufficientScope => &params.required_scope,
            _ => &params.scope,
        };
        if !scope.is_empty() {
            fields.push(("scope", scope.clone()));
        }
        fields.push(("resource_metadata", params.resource_metadata.clone()));
        for (i, (name, content)) in fields.iter().enumerate() {
            if i > 0 {
                value.push_str(", ");
            }
            value.push_str(name);
            value.push_str("=\"");
            quote_into(&mut value, content);
            value.push('"');
        }
        value
    }

    pub(crate) fn into_response(self, params: &ChallengeParams) -> Response {
        let challenge = self.challenge(params);
        let (code, description) = self.error().unwrap_or((
            "unauthorized",
            "this MCP server needs an OAuth access token in the Authorization header (Bearer); \
             the WWW-Authenticate header says where to get one"
                .to_owned(),
        ));
        let body = serde_json::json!({"error": code, "error_description": description});
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// Appends `text` as the inside of an RFC 9110 quoted-string; characters a header cannot
/// carry become `?` (the values are ours or configured, so this is a safety net).
fn quote_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::InvalidToken;

    fn params() -> ChallengeParams {
        ChallengeParams {
            resource_metadata: "https://h/.well-known/oauth-protected-resource/mcp".into(),
            scope: "mcp:read mcp:admin".into(),
            required_scope: "mcp:read".into(),
        }
    }

    #[test]
    fn challenges() {
        let p = params();
        assert_eq!(
            Rejection::NoToken.challenge(&p),
            r#"Bearer scope="mcp:read mcp:admin", resource_metadata="https://h/.well-known/oauth-protected-resource/mcp""#
        );
        assert_eq!(
            Rejection::InvalidToken(InvalidToken::Expired.into()).challenge(&p),
            r#"Bearer error="invalid_token", error_description="the token has expired", scope="mcp:read mcp:admin", resource_metadata="https://h/.well-known/oauth-protected-resource/mcp""#
        );
        assert!(Rejection::InsufficientScope
            .challenge(&p)
            .starts_with(r#"Bearer error="insufficient_scope", error_description="the token lacks a scope this server requires", scope="mcp:read""#));
        let no_scope = ChallengeParams {
            scope: String::new(),
            ..params()
        };
        assert_eq!(
            Rejection::NoToken.challenge(&no_scope),
            r#"Bearer resource_metadata="https://h/.well-known/oauth-protected-resource/mcp""#
        );
    }

    #[test]
    fn quoted_strings_are_escaped() {
        let mut out = String::new();
        quote_into(&mut out, "a\"b\\c\u{e9}\n");
        assert_eq!(out, r#"a\"b\\c??"#);
    }

    #[test]
    fn statuses() {
        assert_eq!(Rejection::NoToken.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(Rejection::MalformedToken.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            Rejection::InvalidRequest("x").status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(Rejection::InsufficientScope.status(), StatusCode::FORBIDDEN);
    }
}
