//! DELETE: the client ends its session.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::App;
use super::error::HttpError;

pub(super) async fn handle(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, _) = request.into_parts();
    match end(&app, parts).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => error.into_response(),
    }
}

/// Ends the session the request names, on every node (with a cluster).
async fn end(app: &Arc<App>, parts: axum::http::request::Parts) -> Result<(), HttpError> {
    let admitted = app.admit(parts)?;
    let headers = &admitted.parts.headers;
    app.require_sessions(headers)?;
    let session = app.session(headers, admitted.principal.as_ref()).await?;
    app.sessions.end(&session).await.map_err(|e| {
        tracing::warn!(session = %session.key(), error = %e, "the session could not be ended everywhere");
        HttpError::StoreUnavailable
    })?;
    Ok(())
}
