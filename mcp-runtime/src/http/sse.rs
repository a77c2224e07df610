//! SSE responses built from a channel of frames, with keep-alive comments.

use std::convert::Infallible;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use futures_util::stream;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::session::SseFrame;

/// SSE field values may not contain line breaks or NUL.
fn safe_id(id: &str) -> bool {
    !id.bytes().any(|b| b == b'\n' || b == b'\r' || b == 0)
}

fn event(frame: SseFrame) -> Event {
    let mut event = Event::default();
    if let Some(id) = frame.id.as_deref().filter(|id| safe_id(id)) {
        event = event.id(id);
    }
    if let Some(retry) = frame.retry {
        event = event.retry(retry);
    }
    match frame.data {
        Some(data) => event.event("message").data(data),
        None => event.data(""),
    }
}

/// An SSE response carrying the frames of `rx` until it closes or `stop` is cancelled.
/// `keep` is held as long as the client listens (e.g. a guard that keeps the session alive).
pub(crate) fn response<K: Send + 'static>(
    rx: mpsc::Receiver<SseFrame>,
    keep_alive: Option<Duration>,
    stop: Option<CancellationToken>,
    keep: K,
    extra_headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
) -> Response {
    let frames = stream::unfold((rx, keep), |(mut rx, keep)| async move {
        let frame = rx.recv().await?;
        Some((Ok::<_, Infallible>(event(frame)), (rx, keep)))
    });
    let frames = match stop {
        Some(token) => frames.take_until(token.cancelled_owned()).boxed(),
        None => frames.boxed(),
    };
    let sse = Sse::new(frames);
    let mut response = match keep_alive {
        Some(interval) => sse
            .keep_alive(KeepAlive::new().interval(interval))
            .into_response(),
        None => sse.into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    for (name, value) in extra_headers {
        headers.insert(name, value);
    }
    response
}
