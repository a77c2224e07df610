//! GET: the session's stream of server-initiated messages, or the resumption of a stream.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use super::error::HttpError;
use super::post::{lookup_error, session_header};
use super::{App, headers, security, sse};
use crate::transport::http::config::Mode;
use crate::transport::http::session::{Principal, Session, SseFrame};

pub(super) async fn handle(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    if let Err(refusal) = security::check(&app.config.security, &parts) {
        return refusal.into_response();
    }
    let principal = parts.extensions.remove::<Principal>();
    match serve(app, principal, parts.headers).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn serve(
    app: Arc<App>,
    principal: Option<Principal>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    if app.config.mode == Mode::Stateless
        || matches!(
            headers::speaks(&headers, None),
            Ok(headers::Speaks::Stateless)
        )
    {
        return Err(HttpError::MethodNotAllowed("POST"));
    }
    headers::check_get_accept(&headers)?;
    let session = app
        .sessions
        .get(headers::session_id(&headers), principal.as_ref())
        .map_err(lookup_error)?;
    let (tx, rx) = mpsc::channel(32);
    match (&app.config.event_store, headers::last_event_id(&headers)) {
        (Some(_), Some(last)) => resume(&app, &session, last.to_owned(), tx).await?,
        _ => {
            let sink = session.standalone(app.config.event_store.as_ref());
            if !sink.attach_exclusive(tx).await {
                return Err(HttpError::StreamConflict);
            }
            if app.config.event_store.is_some() {
                sink.prime(app.config.retry_interval).await;
            }
        }
    }
    let guard = session.stream_guard();
    Ok(sse::response(
        rx,
        app.config.keep_alive,
        Some(session.cancel.clone()),
        guard,
        session_header(&session),
    ))
}

/// Replays what the client missed on the stream of `last`, then keeps that stream live if its
/// request is still running (or, for the GET stream, always).
async fn resume(
    app: &App,
    session: &Arc<Session>,
    last: String,
    tx: mpsc::Sender<SseFrame>,
) -> Result<(), HttpError> {
    let Some(store) = app.config.event_store.clone() else {
        return Ok(());
    };
    let replay = store
        .replay_after(&last)
        .await
        .map_err(|e| HttpError::Body(e.to_string()))?
        .filter(|r| session.owns_stream(&r.stream_id))
        .ok_or_else(|| HttpError::UnknownEvent(last.clone()))?;
    // Replays go through a task: they may hold more events than the channel before the
    // response body is polled.
    match session.live_stream(&replay.stream_id) {
        Some(sink) => {
            tokio::spawn(async move {
                if let Err(e) = sink.resume(&last, tx).await {
                    tracing::warn!(error = %e, "resumption failed");
                }
            });
        }
        None => {
            tokio::spawn(async move {
                for event in replay.events {
                    let frame = SseFrame {
                        id: Some(event.id),
                        data: event.message,
                        retry: None,
                    };
                    if tx.send(frame).await.is_err() {
                        break;
                    }
                }
            });
        }
    }
    Ok(())
}
