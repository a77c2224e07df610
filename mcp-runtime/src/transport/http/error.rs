//! HTTP-level failures and the responses they become: a status and a JSON-RPC error body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::protocol::{ErrorObject, MessageError, error_codes, error_json};
use crate::transport::http::session::Lookup;

/// Why a request was refused before (or instead of) reaching the server's methods.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    #[error("Not Acceptable: the client must accept {0}")]
    NotAcceptable(&'static str),
    #[error("Unsupported Media Type: Content-Type must be application/json")]
    UnsupportedMediaType,
    #[error("Payload Too Large: the body exceeds {0} bytes")]
    PayloadTooLarge(usize),
    #[error("could not read the request body: {0}")]
    Body(String),
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("Bad Request: Mcp-Session-Id header is required")]
    MissingSession,
    #[error("Session not found")]
    UnknownSession,
    #[error("Bad Request: the session is already initialized")]
    AlreadyInitialized,
    #[error(
        "Bad Request: Unsupported protocol version: {0} (supported versions: {supported})",
        supported = crate::protocol::Version::all_names().collect::<Vec<_>>().join(", ")
    )]
    UnsupportedVersion(String),
    #[error("Bad Request: Last-Event-ID {0:?} is unknown or expired")]
    UnknownEvent(String),
    #[error("Method Not Allowed")]
    MethodNotAllowed(&'static str),
    #[error("Conflict: only one SSE stream is allowed per session")]
    StreamConflict,
    #[error("Service Unavailable: too many sessions")]
    TooManySessions,
    #[error(
        "Too Many Requests: this principal has {0} sessions open (the limit); end one with DELETE"
    )]
    TooManySessionsForPrincipal(usize),
    #[error("Request Timeout: the body did not arrive within {0:?}")]
    BodyTimeout(std::time::Duration),
    #[error("Service Unavailable: the server is shutting down")]
    ShuttingDown,
    #[error("Service Unavailable: the shared session store cannot be reached; retry later")]
    StoreUnavailable,
    #[error("Invalid Host header: {0}")]
    BadHost(String),
    #[error("Invalid Origin header: {0}")]
    BadOrigin(String),
    #[error("Forbidden: this needs the scope(s) {}", .needed.join(" "))]
    InsufficientScope {
        /// Every scope the request needs (the challenge names them all, so a client that
        /// steps up asks for what it has and what it lacks).
        needed: Vec<&'static str>,
        /// Where the client learns how to get a token, when an authentication layer said.
        resource_metadata: Option<String>,
    },
}

impl From<Lookup> for HttpError {
    fn from(lookup: Lookup) -> Self {
        match lookup {
            Lookup::Missing => HttpError::MissingSession,
            Lookup::NotFound => HttpError::UnknownSession,
            Lookup::Unavailable => HttpError::StoreUnavailable,
        }
    }
}

impl HttpError {
    fn status(&self) -> StatusCode {
        match self {
            HttpError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            HttpError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HttpError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            HttpError::Body(_)
            | HttpError::Message(_)
            | HttpError::MissingSession
            | HttpError::AlreadyInitialized
            | HttpError::UnsupportedVersion(_)
            | HttpError::UnknownEvent(_) => StatusCode::BAD_REQUEST,
            HttpError::UnknownSession => StatusCode::NOT_FOUND,
            HttpError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            HttpError::StreamConflict => StatusCode::CONFLICT,
            HttpError::TooManySessions | HttpError::ShuttingDown | HttpError::StoreUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            HttpError::TooManySessionsForPrincipal(_) => StatusCode::TOO_MANY_REQUESTS,
            HttpError::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            HttpError::BadHost(_) => StatusCode::MISDIRECTED_REQUEST,
            HttpError::BadOrigin(_) | HttpError::InsufficientScope { .. } => StatusCode::FORBIDDEN,
        }
    }

    fn error_object(&self) -> ErrorObject {
        match self {
            HttpError::Message(e) => e.to_error_object(),
            HttpError::MissingSession
            | HttpError::UnknownSession
            | HttpError::AlreadyInitialized
            | HttpError::UnsupportedVersion(_)
            | HttpError::UnknownEvent(_)
            | HttpError::Body(_) => {
                ErrorObject::new(error_codes::INVALID_REQUEST, self.to_string())
            }
            _ => ErrorObject::new(error_codes::SERVER_ERROR, self.to_string()),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error()
            || status == StatusCode::FORBIDDEN
            || status == StatusCode::MISDIRECTED_REQUEST
        {
            tracing::warn!(%status, error = %self, "request refused");
        } else {
            tracing::debug!(%status, error = %self, "request refused");
        }
        let body = error_json(None, &self.error_object());
        let mut response = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        match self {
            HttpError::TooManySessions
            | HttpError::ShuttingDown
            | HttpError::StoreUnavailable
            | HttpError::TooManySessionsForPrincipal(_) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            HttpError::MethodNotAllowed(allow) => {
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            HttpError::InsufficientScope {
                needed,
                resource_metadata,
            } => {
                // Scopes are RFC 6749 scope-tokens and the URL came from the server's own
                // configuration: neither can hold a quote, so the value is well-formed.
                let mut challenge = format!(
                    "Bearer error=\"insufficient_scope\", scope=\"{}\"",
                    needed.join(" ")
                );
                if let Some(url) = resource_metadata {
                    challenge.push_str(&format!(", resource_metadata=\"{url}\""));
                }
                match HeaderValue::from_str(&challenge) {
                    Ok(value) => {
                        response
                            .headers_mut()
                            .insert(header::WWW_AUTHENTICATE, value);
                    }
                    Err(e) => tracing::error!(error = %e, "unusable WWW-Authenticate challenge"),
                }
            }
            _ => {}
        }
        response
    }
}
