//! Response bodies written from more than one buffer, so that a large result is sent from
//! where serialization wrote it instead of being copied behind the response's envelope.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use serde_json::value::RawValue;

use crate::protocol::{RequestId, result_head, result_json};

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
