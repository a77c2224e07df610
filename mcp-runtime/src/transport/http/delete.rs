//! DELETE: the client ends its session.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::App;

pub(super) async fn handle(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let ended = app.admit(parts).and_then(|admitted| {
        let headers = &admitted.parts.headers;
        app.require_sessions(headers)?;
        app.session(headers, admitted.principal.as_ref())
    });
    match ended {
        Ok(session) => {
            app.sessions.remove_session(&session);
            StatusCode::OK.into_response()
        }
        Err(error) => error.into_response(),
    }
}
