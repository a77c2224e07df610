//! Answers one 2026-07-28 request without a task of its own.
//!
//! The handler runs in the request's future. If it finishes before it sends a notification,
//! the answer is one JSON body whose HTTP status fits its error (404 for an unknown method,
//! 400 for bad params…). Once it sends one, or has run silently for the keep-alive interval,
//! the answer becomes an SSE stream that owns the handler: the client closing the stream drops
//! the handler, which is how this era cancels a request.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use futures_util::stream;
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use super::super::post::retry_after;
use super::super::{App, sse};
use super::{json_response, status_for};
use crate::engine::StatelessCall;
use crate::engine::middleware::rate_limit;
use crate::engine::outbound::LazyOutbound;
use crate::protocol::{ErrorObject, Request, RequestId, error_codes, error_json, result_json};

type Outcome = Option<Result<Box<RawValue>, ErrorObject>>;
type Work = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// How long a request refused by the rate limit should wait.
fn refused_for(outcome: &Outcome) -> Option<u64> {
    match outcome {
        Some(Err(error)) => rate_limit::retry_after(error),
        _ => None,
    }
}

/// The JSON text of the response to `id`.
fn message(id: &RequestId, outcome: Outcome) -> (StatusCode, String) {
    match outcome {
        Some(Ok(result)) => (StatusCode::OK, result_json(id, &result)),
        Some(Err(error)) => {
            let status = match rate_limit::retry_after(&error) {
                Some(_) => StatusCode::TOO_MANY_REQUESTS,
                None => status_for(error.code),
            };
            (status, error_json(Some(id), &error))
        }
        None => {
            let error = ErrorObject::new(
                error_codes::REQUEST_CANCELLED,
                "Request cancelled: the server is shutting down",
            );
            (StatusCode::OK, error_json(Some(id), &error))
        }
    }
}

/// Runs the request and answers it in JSON or SSE.
pub(super) async fn answer(
    app: Arc<App>,
    request: Request,
    mut call: Box<StatelessCall>,
) -> Response {
    let id = request.id.clone();
    if app.config.json_response {
        // Boxed: inline, the dispatcher's future would make this one as large, and it is
        // moved whole (unresumed) at each level above.
        let outcome = Box::pin(app.dispatcher.handle_stateless(request, call)).await;
        return json_answer(&id, outcome);
    }
    // The channel for its messages is made only if it sends one, or when the answer waits.
    let (outbound, lazy) = LazyOutbound::new();
    call.outbound = Some(outbound);
    let runner = app.clone();
    let mut work: Work =
        Box::pin(async move { runner.dispatcher.handle_stateless(request, call).await });
    // Most calls finish in their first poll: they get no keep-alive timer, which costs its
    // making and its drop even when it is never polled.
    let polled = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await;
    if let Poll::Ready(outcome) = polled {
        let mut first = Vec::new();
        lazy.drain_into(&mut first);
        return finished(&app, &id, first, None, outcome);
    }
    let mut rx = lazy.into_receiver();
    let window = app.config.keep_alive.unwrap_or(Duration::from_secs(15));
    let mut first = Vec::new();
    tokio::select! {
        biased;
        Some(frame) = rx.recv() => first.push(frame),
        outcome = &mut work => return finished(&app, &id, first, Some(&mut rx), outcome),
        () = tokio::time::sleep(window) => {}
    }
    sse::message_stream(streamed(id, first, work, rx), app.config.keep_alive)
}

/// The answer of a request whose handler finished before its stream began, after the frames
/// in `first` and those still in `rx`: one JSON body, or an SSE stream when the handler sent
/// notifications.
fn finished(
    app: &App,
    id: &RequestId,
    mut first: Vec<String>,
    rx: Option<&mut mpsc::Receiver<String>>,
    outcome: Outcome,
) -> Response {
    if let Some(rx) = rx {
        while let Ok(frame) = rx.try_recv() {
            first.push(frame);
        }
    }
    if first.is_empty() {
        return json_answer(id, outcome);
    }
    first.push(message(id, outcome).1);
    sse::message_stream(stream::iter(first), app.config.keep_alive)
}

/// The JSON response to `id`: a large result is sent from its own buffer
/// ([`result_body`](super::super::body::result_body)), not copied behind the envelope.
fn json_answer(id: &RequestId, outcome: Outcome) -> Response {
    match outcome {
        Some(Ok(result)) => {
            json_response(StatusCode::OK, super::super::body::result_body(id, result))
        }
        outcome => {
            let wait = refused_for(&outcome);
            let (status, body) = message(id, outcome);
            retry_after(json_response(status, body), wait)
        }
    }
}

/// What the SSE stream still has to do.
enum Phase {
    Running {
        work: Work,
        rx: mpsc::Receiver<String>,
    },
    Finished,
}

/// The frames already received, then the handler's notifications as they come, then its
/// response.
fn streamed(
    id: RequestId,
    first: Vec<String>,
    work: Work,
    rx: mpsc::Receiver<String>,
) -> impl futures_util::Stream<Item = String> + Send + 'static {
    use futures_util::StreamExt;
    let live = stream::unfold(
        (Phase::Running { work, rx }, id),
        |(phase, id)| async move {
            let Phase::Running { mut work, mut rx } = phase else {
                return None;
            };
            tokio::select! {
                biased;
                Some(frame) = rx.recv() => Some((vec![frame], (Phase::Running { work, rx }, id))),
                outcome = &mut work => {
                    let mut frames = Vec::new();
                    while let Ok(frame) = rx.try_recv() {
                        frames.push(frame);
                    }
                    frames.push(message(&id, outcome).1);
                    Some((frames, (Phase::Finished, id)))
                }
            }
        },
    )
    .flat_map(stream::iter);
    stream::iter(first).chain(live)
}
