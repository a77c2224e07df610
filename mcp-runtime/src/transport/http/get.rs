//! GET: the session's stream of server-initiated messages, or the resumption of a stream.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use super::error::HttpError;
use super::{App, headers, sse};
use crate::transport::http::session::{Session, SseFrame};

pub(super) async fn handle(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, _) = request.into_parts();
    match serve(app, parts).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn serve(app: Arc<App>, parts: axum::http::request::Parts) -> Result<Response, HttpError> {
    let admitted = app.admit(parts)?;
    let headers = &admitted.parts.headers;
    app.require_sessions(headers)?;
    headers::check_get_accept(headers)?;
    let session = app.session(headers, admitted.principal.as_ref())?;
    let (tx, rx) = mpsc::channel(32);
    match (&app.config.event_store, headers::last_event_id(headers)) {
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
        Some(session.header()),
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
