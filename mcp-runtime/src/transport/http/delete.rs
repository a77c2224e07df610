//! DELETE: the client ends its session.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error::HttpError;
use super::post::lookup_error;
use super::{App, headers, security};
use crate::transport::http::config::Mode;
use crate::transport::http::session::Principal;

pub(super) async fn handle(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    if let Err(refusal) = security::check(&app.config.security, &parts) {
        return refusal.into_response();
    }
    let headers = parts.headers;
    if app.config.mode == Mode::Stateless
        || matches!(
            headers::speaks(&headers, None),
            Ok(headers::Speaks::Stateless)
        )
    {
        return HttpError::MethodNotAllowed("POST").into_response();
    }
    let principal = parts.extensions.remove::<Principal>();
    match app
        .sessions
        .get(headers::session_id(&headers), principal.as_ref())
    {
        Ok(session) => {
            app.sessions.remove_session(&session);
            StatusCode::OK.into_response()
        }
        Err(lookup) => lookup_error(lookup).into_response(),
    }
}
