//! DNS-rebinding protection: `Host` and `Origin` checked against allow lists.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::HttpError;
use crate::config::Security;

/// Refuses requests whose `Host` (421) or `Origin` (403) is not allowed.
pub(crate) async fn check_host_and_origin(
    State(security): State<Arc<Security>>,
    request: Request,
    next: Next,
) -> Response {
    if let Security::Allow { .. } = *security {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| request.uri().authority().map(|a| a.as_str()));
        match host {
            Some(host) if security.host_allowed(host) => {}
            other => {
                return HttpError::BadHost(other.unwrap_or("(none)").to_owned()).into_response();
            }
        }
        if let Some(origin) = request.headers().get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            if !security.origin_allowed(origin) {
                return HttpError::BadOrigin(origin.to_owned()).into_response();
            }
        }
    }
    next.run(request).await
}
