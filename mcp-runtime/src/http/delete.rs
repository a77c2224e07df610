//! DELETE: the client ends its session.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::HttpError;
use super::post::lookup_error;
use super::{App, headers, modern};
use crate::config::Mode;
use crate::session::Principal;

pub(super) async fn handle(
    State(app): State<Arc<App>>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
) -> Response {
    if app.config.mode == Mode::Stateless || modern::names_modern_version(&headers) {
        return HttpError::MethodNotAllowed("POST").into_response();
    }
    let principal = principal.map(|Extension(p)| p);
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
