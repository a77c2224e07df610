//! SSE responses built from a channel of frames, with keep-alive comments.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use futures_util::{Stream, StreamExt};
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::protocol::{RequestId, framed_result, result_json};
use crate::transport::http::session::SseFrame;

/// SSE field values may not contain line breaks or NUL.
fn safe_id(id: &str) -> bool {
    !id.bytes().any(|b| b == b'\n' || b == b'\r' || b == 0)
}

/// One frame as SSE text. Written here rather than with axum's `Event`, which leaves out the
/// `data:` line when the data is empty: a priming event must have one, or clients (browsers,
/// `eventsource-parser`) never dispatch it and never learn its id.
fn encode(frame: &SseFrame) -> Bytes {
    let mut out = String::with_capacity(frame.data.as_ref().map_or(0, String::len) + 64);
    encode_into(
        &mut out,
        frame.id.as_deref(),
        frame.retry,
        frame.data.as_deref(),
    );
    Bytes::from(out)
}

/// Appends one frame to `out`.
fn encode_into(out: &mut String, id: Option<&str>, retry: Option<Duration>, data: Option<&str>) {
    if let Some(id) = id.filter(|id| safe_id(id)) {
        out.push_str("id: ");
        out.push_str(id);
        out.push('\n');
    }
    if let Some(retry) = retry {
        out.push_str("retry: ");
        out.push_str(itoa::Buffer::new().format(retry.as_millis()));
        out.push('\n');
    }
    match data {
        // JSON as serde_json writes it has no line breaks: one `data:` line, found at SIMD speed.
        Some(data) if memchr::memchr2(b'\n', b'\r', data.as_bytes()).is_none() => {
            out.push_str("event: message\ndata: ");
            out.push_str(data);
            out.push('\n');
        }
        Some(data) => {
            out.push_str("event: message\n");
            let data = if data.contains('\r') {
                std::borrow::Cow::Owned(data.replace("\r\n", "\n"))
            } else {
                std::borrow::Cow::Borrowed(data)
            };
            for line in data.split(['\n', '\r']) {
                out.push_str("data: ");
                out.push_str(line);
                out.push('\n');
            }
        }
        None => out.push_str("data:\n"),
    }
    out.push('\n');
}

/// How many frames wait for a client that reads slower than the server writes. A GET stream
/// whose buffer is full is closed; a request's stream makes its request wait.
pub(crate) const STREAM_BUFFER: usize = 32;

/// An SSE response carrying the frames of `replay`, then those of `rx` until it closes or
/// one of `stop` is cancelled, with a keep-alive comment every `keep_alive`. `keep` is held as long
/// as the client listens (e.g. a guard that keeps the session alive).
pub(crate) fn response<K: Send + 'static>(
    replay: Vec<SseFrame>,
    rx: mpsc::Receiver<SseFrame>,
    keep_alive: Option<Duration>,
    stop: Vec<CancellationToken>,
    keep: K,
    extra_headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
) -> Response {
    let ticker = keep_alive.map(|period| {
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker
    });
    let replay = stream::iter(
        replay
            .into_iter()
            .map(|frame| Ok::<_, Infallible>(encode(&frame))),
    );
    let live = stream::unfold(
        (rx, keep, ticker),
        |(mut rx, keep, mut ticker)| async move {
            let chunk = match &mut ticker {
                Some(ticker) => tokio::select! {
                    frame = rx.recv() => encode(&frame?),
                    _ = ticker.tick() => Bytes::from_static(b":\n\n"),
                },
                None => encode(&rx.recv().await?),
            };
            Some((Ok::<_, Infallible>(chunk), (rx, keep, ticker)))
        },
    );
    let chunks = replay.chain(live);
    let chunks = if stop.is_empty() {
        chunks.boxed()
    } else {
        let stopped = futures_util::future::select_all(
            stop.into_iter()
                .map(|token| Box::pin(token.cancelled_owned())),
        );
        chunks.take_until(stopped).boxed()
    };
    let mut response = Response::new(Body::from_stream(chunks));
    set_sse_headers(&mut response, extra_headers);
    response
}

/// Tells nginx not to buffer the stream (a constant: `from_static` checks its bytes when run).
static X_ACCEL_BUFFERING: HeaderName = HeaderName::from_static("x-accel-buffering");

fn set_sse_headers(
    response: &mut Response,
    extra_headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(X_ACCEL_BUFFERING.clone(), HeaderValue::from_static("no"));
    for (name, value) in extra_headers {
        headers.insert(name, value);
    }
}

/// A finished SSE response: these JSON-RPC messages, one `message` event each, then the end.
/// Written into one buffer: most requests answer at once and take this path.
pub(crate) fn complete(
    messages: Vec<String>,
    extra_headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
) -> Response {
    const FRAMING: usize = "event: message\ndata: \n\n".len();
    let size = messages.iter().map(|m| m.len() + FRAMING).sum();
    let mut body = String::with_capacity(size);
    for data in &messages {
        encode_into(&mut body, None, None, Some(data));
    }
    let mut response = Response::new(Body::from(body));
    set_sse_headers(&mut response, extra_headers);
    response
}

/// A finished SSE response of one result, the response to `id`: its event is written straight
/// into the body's buffer. Building the response's text first, then its event, cost two more
/// allocations and a copy of the result (callgrind, stateful SSE).
pub(crate) fn complete_result(
    id: &RequestId,
    result: &RawValue,
    extra_headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
) -> Response {
    // Raw JSON may hold line breaks between its tokens: each line then needs a `data:` of its
    // own, which `complete` writes.
    if memchr::memchr2(b'\n', b'\r', result.get().as_bytes()).is_some() {
        return complete(vec![result_json(id, result)], extra_headers);
    }
    let body = framed_result("event: message\ndata: ", id, result, "\n\n");
    let mut response = Response::new(Body::from(body));
    set_sse_headers(&mut response, extra_headers);
    response
}

/// An SSE response of JSON-RPC messages, one `message` event each, without ids (2026-07-28
/// streams are not resumable). The stream owns whatever produces the messages: when the
/// client goes away the response body, and so that work, is dropped.
pub(crate) fn message_stream(
    messages: impl Stream<Item = String> + Send + 'static,
    keep_alive: Option<Duration>,
) -> Response {
    let events =
        messages.map(|data| Ok::<_, Infallible>(Event::default().event("message").data(data)));
    let sse = Sse::new(events);
    let mut response = match keep_alive {
        Some(interval) => sse
            .keep_alive(KeepAlive::new().interval(interval))
            .into_response(),
        None => sse.into_response(),
    };
    response.headers_mut().insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(frame: SseFrame) -> String {
        String::from_utf8(encode(&frame).to_vec()).unwrap()
    }

    #[test]
    fn a_priming_event_has_an_empty_data_line() {
        let priming = SseFrame {
            id: Some("s-1/1".into()),
            data: None,
            retry: Some(Duration::from_millis(500)),
        };
        assert_eq!(text(priming), "id: s-1/1\nretry: 500\ndata:\n\n");
    }

    #[test]
    fn a_complete_response_is_every_message_then_the_end() {
        let response = complete(vec!["{\"a\":1}".into(), "x\ny".into()], []);
        let body =
            futures_util::FutureExt::now_or_never(axum::body::to_bytes(response.into_body(), 1024))
                .unwrap()
                .unwrap();
        assert_eq!(
            body,
            "event: message\ndata: {\"a\":1}\n\nevent: message\ndata: x\ndata: y\n\n"
        );
    }

    /// One result's event, written in place, reads as `complete` of its response would;
    /// a raw result with line breaks between its tokens still gets a `data:` per line.
    #[test]
    fn a_complete_result_is_its_response_in_one_event() {
        let body = |response: Response| {
            futures_util::FutureExt::now_or_never(axum::body::to_bytes(response.into_body(), 1024))
                .unwrap()
                .unwrap()
        };
        for (id, raw) in [
            (RequestId::Number(-7), r#"{"content":[],"isError":false}"#),
            (RequestId::from("a\"b"), "{\r\n  \"a\": 1\n}"),
        ] {
            let result = RawValue::from_string(raw.to_owned()).unwrap();
            let expected = body(complete(vec![result_json(&id, &result)], []));
            let response = complete_result(&id, &result, []);
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                "text/event-stream"
            );
            assert_eq!(body(response), expected);
        }
        let one = complete_result(
            &RequestId::Number(3),
            &RawValue::from_string("{}".into()).unwrap(),
            [],
        );
        assert_eq!(
            body(one),
            "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n"
        );
    }

    #[test]
    fn messages_are_message_events_one_data_line_per_line() {
        let message = SseFrame {
            id: None,
            data: Some("{\"a\":1}".into()),
            retry: None,
        };
        assert_eq!(text(message), "event: message\ndata: {\"a\":1}\n\n");
        let odd = SseFrame {
            id: Some("bad\nid".into()),
            data: Some("one\r\ntwo".into()),
            retry: None,
        };
        assert_eq!(text(odd), "event: message\ndata: one\ndata: two\n\n");
    }
}
