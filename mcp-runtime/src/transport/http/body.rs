//! Request bodies read into one buffer, and response bodies written from more than one, so
//! that a large result is sent from where serialization wrote it instead of being copied
//! behind the response's envelope.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use serde_json::value::RawValue;

use super::error::HttpError;
use crate::protocol::{RequestId, result_head, result_json};

/// A request body of at most `limit` bytes, whole. Most bodies arrive as one frame, which is
/// kept as it is, without a copy; later frames are appended to one buffer. A body whose
/// declared length exceeds the limit is refused before any of it is read.
///
/// Written instead of [`axum::body::to_bytes`], which queues every frame (a `VecDeque`, one
/// allocation) before joining them: reading a one-frame body cost it 1.5k instructions per
/// request (callgrind, stateful SSE).
///
/// Generic, so that hyper's body is read as it is, not boxed into an axum [`Body`] first.
pub(crate) async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, HttpError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<axum::BoxError>,
{
    if body.size_hint().lower() > limit as u64 {
        return Err(HttpError::PayloadTooLarge(limit));
    }
    let mut body = std::pin::pin!(body);
    let mut first = Bytes::new();
    let mut joined: Option<Vec<u8>> = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| HttpError::Body(e.into().to_string()))?;
        // Trailers carry nothing a JSON-RPC message needs.
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let read = joined.as_ref().map_or(first.len(), Vec::len);
        if data.len() > limit.saturating_sub(read) {
            return Err(HttpError::PayloadTooLarge(limit));
        }
        match &mut joined {
            Some(all) => all.extend_from_slice(&data),
            None if first.is_empty() => first = data,
            None => {
                let mut all = Vec::with_capacity(first.len() + data.len());
                all.extend_from_slice(&first);
                all.extend_from_slice(&data);
                joined = Some(all);
            }
        }
    }
    Ok(joined.map_or(first, Bytes::from))
}

/// Results at least this long go out in place; shorter ones are copied into one buffer, which
/// costs less than the extra frames.
const IN_PLACE: usize = 64 * 1024;

/// The JSON body of the response to `id` with `result`. A large result is not copied: the body
/// is the envelope's head, the result's own buffer and the closing brace, which hyper writes
/// with one vectored write (its length is known, so it goes with `Content-Length`).
pub(crate) fn result_body(id: &RequestId, result: Box<RawValue>) -> Body {
    if result.get().len() < IN_PLACE {
        return Body::from(result_json(id, &result));
    }
    let result: Box<str> = result.into();
    Body::new(Parts {
        parts: [
            Bytes::from(result_head(id, 0)),
            Bytes::from(result.into_boxed_bytes()),
            Bytes::from_static(b"}"),
        ],
        next: 0,
    })
}

/// A body of a few buffers, sent in order.
struct Parts {
    parts: [Bytes; 3],
    next: usize,
}

impl http_body::Body for Parts {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = &mut *self;
        let frame = this.parts.get_mut(this.next).map(|part| {
            this.next += 1;
            Ok(Frame::data(std::mem::take(part)))
        });
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.next >= self.parts.len()
    }

    fn size_hint(&self) -> SizeHint {
        let left = self.parts.get(self.next..).unwrap_or_default();
        SizeHint::with_exact(left.iter().map(|p| p.len() as u64).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn collected(body: Body) -> (Vec<usize>, String) {
        let mut body = body;
        let mut frames = Vec::new();
        let mut text = Vec::new();
        while let Some(frame) = body.frame().await {
            let data = frame.unwrap().into_data().unwrap();
            frames.push(data.len());
            text.extend_from_slice(&data);
        }
        (frames, String::from_utf8(text).unwrap())
    }

    fn streamed(frames: Vec<Result<&'static [u8], &'static str>>) -> Body {
        Body::from_stream(futures_util::stream::iter(frames.into_iter().map(
            |frame| frame.map(Bytes::from_static).map_err(std::io::Error::other),
        )))
    }

    /// A body of one frame is the frame itself, not a copy; frames after the first are
    /// joined in order.
    #[tokio::test]
    async fn a_request_body_of_one_frame_is_kept_and_more_are_joined() {
        let frame = Bytes::from(b"{\"jsonrpc\":\"2.0\"}".to_vec());
        let address = frame.as_ptr();
        let read = read_body(Body::from(frame), 1024).await.expect("read");
        assert_eq!(read.as_ptr(), address, "the frame, not a copy");
        let read = read_body(streamed(vec![Ok(b"ab"), Ok(b""), Ok(b"cd"), Ok(b"e")]), 5)
            .await
            .expect("read");
        assert_eq!(&read[..], b"abcde");
        let empty = read_body(Body::empty(), 0).await.expect("read");
        assert!(empty.is_empty());
    }

    /// The limit counts every frame, and a stream error is the body's error.
    #[tokio::test]
    async fn a_request_body_over_the_limit_or_broken_is_refused() {
        let over = read_body(streamed(vec![Ok(b"abc"), Ok(b"def")]), 5).await;
        assert!(
            matches!(over, Err(HttpError::PayloadTooLarge(5))),
            "{over:?}"
        );
        let broken = read_body(streamed(vec![Ok(b"abc"), Err("reset by peer")]), 64).await;
        match broken {
            Err(HttpError::Body(message)) => {
                assert!(message.contains("reset by peer"), "{message}")
            }
            other => panic!("expected a body error, got {other:?}"),
        }
    }

    /// A body that declares more than the limit is refused before any of it is read.
    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_unread() {
        struct Declared;
        impl http_body::Body for Declared {
            type Data = Bytes;
            type Error = Infallible;
            fn poll_frame(
                self: Pin<&mut Self>,
                _: &mut Context<'_>,
            ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
                panic!("read although its declared length is over the limit")
            }
            fn size_hint(&self) -> SizeHint {
                SizeHint::with_exact(1 << 20)
            }
        }
        let refused = read_body(Body::new(Declared), 1024).await;
        assert!(
            matches!(refused, Err(HttpError::PayloadTooLarge(1024))),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn a_large_result_goes_out_in_place_and_reads_as_one_response() {
        let text = "x".repeat(IN_PLACE);
        let result = serde_json::value::to_raw_value(&serde_json::json!({ "text": text })).unwrap();
        let address = result.get().as_ptr();
        let expected = result_json(&RequestId::from("a\"b"), &result);
        let body = result_body(&RequestId::from("a\"b"), result);
        assert_eq!(
            http_body::Body::size_hint(&body).exact(),
            Some(expected.len() as u64),
            "a known length: Content-Length, not chunks"
        );
        let mut body = body;
        let head = body.frame().await.unwrap().unwrap().into_data().unwrap();
        let middle = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(
            middle.as_ptr(),
            address,
            "the result's own buffer, not a copy"
        );
        let (rest, tail) = collected(body).await;
        assert_eq!(rest, [1]);
        let whole = [&head[..], &middle[..], tail.as_bytes()].concat();
        assert_eq!(String::from_utf8(whole).unwrap(), expected);
        let parsed: serde_json::Value = serde_json::from_str(&expected).unwrap();
        assert_eq!(
            parsed["result"]["text"].as_str().map(str::len),
            Some(IN_PLACE)
        );
    }

    #[tokio::test]
    async fn a_small_result_is_one_buffer() {
        let result = serde_json::value::to_raw_value(&serde_json::json!({"n": 1})).unwrap();
        let (frames, text) = collected(result_body(&RequestId::Number(7), result)).await;
        assert_eq!(frames.len(), 1);
        assert_eq!(text, r#"{"jsonrpc":"2.0","id":7,"result":{"n":1}}"#);
    }
}
