//! GET: the session's stream of server-initiated messages, or the resumption of a stream.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use super::error::HttpError;
use super::sse::STREAM_BUFFER;
use super::{App, headers, sse};
use crate::transport::http::session::{Resumed, Session, SseFrame, parse_event_id};

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
    let session = app.session(headers, admitted.principal.as_ref()).await?;
    let (tx, rx) = mpsc::channel(STREAM_BUFFER);
    let replay = match (&app.config.event_store, headers::last_event_id(headers)) {
        (Some(_), Some(last)) => resume(&app, &session, last, tx).await?,
        _ => {
            let sink = session.standalone(app.config.event_store.as_ref());
            if !sink.attach_exclusive(tx).await {
                return Err(HttpError::StreamConflict);
            }
            if app.config.event_store.is_some() {
                sink.prime(app.config.retry_interval).await;
            }
            Vec::new()
        }
    };
    let guard = session.stream_guard();
    Ok(sse::response(
        replay,
        rx,
        app.config.keep_alive,
        vec![session.cancel.clone(), app.sessions.drain_token().clone()],
        guard,
        Some(session.header()),
    ))
}

/// The frames a client that lost its stream missed since `last`. If that stream is still
/// live (the GET stream, or a request still running), the client is attached to it after
/// them, unless another client listens on it (409); otherwise `tx` is dropped and the
/// response ends after the replay.
async fn resume(
    app: &App,
    session: &Arc<Session>,
    last: &str,
    tx: mpsc::Sender<SseFrame>,
) -> Result<Vec<SseFrame>, HttpError> {
    let Some(store) = &app.config.event_store else {
        return Ok(Vec::new());
    };
    let unknown = || HttpError::UnknownEvent(headers::clip(last.as_bytes()));
    let (stream_id, _) = parse_event_id(last).ok_or_else(unknown)?;
    if !session.owns_stream(stream_id) {
        return Err(unknown());
    }
    let store_failed = |e: crate::transport::http::session::EventStoreError| {
        tracing::warn!(error = %e, "resumption failed");
        HttpError::Body(e.to_string())
    };
    match session.live_stream(stream_id) {
        Some(sink) => match sink.resume(last, tx).await.map_err(store_failed)? {
            Resumed::Live(replay) => Ok(replay),
            Resumed::UnknownEvent => Err(unknown()),
            Resumed::Busy => Err(HttpError::StreamConflict),
        },
        None => {
            let replay = store
                .replay_after(last)
                .await
                .map_err(store_failed)?
                .filter(|r| r.stream_id == stream_id)
                .ok_or_else(unknown)?;
            let ended = replay.events.iter().any(ends_stream);
            let follows = app.sessions.cluster().is_some() && !ended && !is_standalone(stream_id);
            let last = replay
                .events
                .last()
                .map_or_else(|| last.to_owned(), |e| e.id.clone());
            if follows {
                // The request may run on another node, writing to the shared store: the
                // client gets its events as they come, until its response.
                tokio::spawn(follow(
                    store.clone(),
                    last,
                    tx,
                    session.cancel.clone(),
                    app.sessions.drain_token().clone(),
                ));
            }
            Ok(replay.events.into_iter().map(SseFrame::stored).collect())
        }
    }
}

/// Whether a stored event is the response to the client's request (an `id` and no
/// `method`): the last event of a request's stream.
fn ends_stream(event: &crate::transport::http::session::StoredEvent) -> bool {
    #[derive(serde::Deserialize)]
    struct Shape {
        id: Option<serde::de::IgnoredAny>,
        method: Option<serde::de::IgnoredAny>,
    }
    event.message.as_deref().is_some_and(|m| {
        serde_json::from_str::<Shape>(m).is_ok_and(|s| s.id.is_some() && s.method.is_none())
    })
}

/// The GET stream of a session (`ID-0`), which has no end.
fn is_standalone(stream_id: &str) -> bool {
    stream_id.ends_with("-0")
}

/// How often a resumed stream of a request running on another node is read from the store.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// Sends the events stored after `last` to `tx` as they come, until the request's response
/// (or the client leaves, the session ends, the server drains, or ten minutes pass).
async fn follow(
    store: std::sync::Arc<dyn crate::store::EventStore>,
    mut last: String,
    tx: mpsc::Sender<SseFrame>,
    ended: tokio_util::sync::CancellationToken,
    drain: tokio_util::sync::CancellationToken,
) {
    let give_up = tokio::time::Instant::now() + std::time::Duration::from_secs(600);
    while tokio::time::Instant::now() < give_up && !tx.is_closed() {
        tokio::select! {
            () = ended.cancelled() => return,
            () = drain.cancelled() => return,
            () = tokio::time::sleep(FOLLOW_EVERY) => {}
        }
        let replay = match store.replay_after(&last).await {
            Ok(Some(replay)) => replay,
            Ok(None) => return, // trimmed or expired meanwhile: the client resumes again
            Err(e) => {
                tracing::warn!(error = %e, "following a stream of another node failed");
                return;
            }
        };
        for event in replay.events {
            let done = ends_stream(&event);
            last.clone_from(&event.id);
            if tx.send(SseFrame::stored(event)).await.is_err() || done {
                return;
            }
        }
    }
}
