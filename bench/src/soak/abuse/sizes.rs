//! Abusers of sizes: request bodies at the limit and one byte over it, large results.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::StatusCode;

use super::sessions::is_response;
use super::{Abuse, Tally};
use crate::load::BoxError;
use crate::soak::wire::{self, Conn};

/// A `ping` of exactly `size` bytes (its `_meta` padded).
fn padded_ping(id: u64, size: usize) -> Vec<u8> {
    let head =
        format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping","params":{{"_meta":{{"pad":""#);
    let tail = r#""}}}"#;
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(head.as_bytes());
    body.resize(size.saturating_sub(tail.len()).max(head.len()), b'x');
    body.extend_from_slice(tail.as_bytes());
    body
}

const BODY_LIMIT: usize = 4 * 1024 * 1024;

pub(super) async fn big_bodies(abuse: Abuse, tally: Arc<Tally>) {
    let mut open: Option<(Conn, String)> = None;
    let mut n = 0u64;
    while abuse.running() {
        n += 1;
        let over = n.is_multiple_of(2);
        let run = async {
            if open.is_none() {
                let mut conn = Conn::connect(abuse.addr).await?;
                let session = conn.open_session("{}").await?;
                open = Some((conn, session));
            }
            let Some((conn, session)) = open.as_mut() else {
                unreachable!("opened above")
            };
            let size = BODY_LIMIT + usize::from(over);
            let outcome = conn.post_all(Some(session), padded_ping(n, size)).await;
            judge_body(over, outcome)
        };
        if let Some(outcome) = abuse.bounded(run).await {
            if outcome.is_err() || over {
                open = None; // a refused body may leave the connection unusable
            }
            tally.record(outcome);
        }
        abuse.pause(Duration::from_secs(1)).await;
    }
}

fn judge_body(
    over: bool,
    outcome: Result<(StatusCode, Bytes), BoxError>,
) -> Result<String, BoxError> {
    match (over, outcome) {
        (false, Ok((StatusCode::OK, body)))
            if String::from_utf8_lossy(&body).contains("result") =>
        {
            Ok("4 MiB: 200".into())
        }
        (true, Ok((StatusCode::PAYLOAD_TOO_LARGE, _))) => Ok("4 MiB + 1: 413".into()),
        (true, Err(e)) => Ok(format!("4 MiB + 1: connection closed ({e:.60})")),
        (over, Ok((status, body))) => Err(format!(
            "{}: HTTP {status}: {:.200}",
            if over { "4 MiB + 1" } else { "4 MiB" },
            String::from_utf8_lossy(&body)
        )
        .into()),
        (false, Err(e)) => Err(format!("4 MiB: {e}").into()),
    }
}

pub(super) async fn large_results(abuse: Abuse, tally: Arc<Tally>) {
    let mut open: Option<(Conn, String)> = None;
    let mut n = 0u64;
    while abuse.running() {
        n += 1;
        let run = async {
            if open.is_none() {
                let mut conn = Conn::connect(abuse.addr).await?;
                let session = conn.open_session("{}").await?;
                open = Some((conn, session));
            }
            let Some((conn, session)) = open.as_mut() else {
                unreachable!("opened above")
            };
            let (status, body) = conn
                .post_all(Some(session), wire::call(n, "big", r#"{"kib":1024}"#))
                .await?;
            if status != StatusCode::OK {
                return Err(format!("big: HTTP {status}").into());
            }
            let text = String::from_utf8_lossy(&body);
            let answer = text
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .find(|d| is_response(d, n))
                .ok_or("big: no answer in the stream")?;
            let json: serde_json::Value = serde_json::from_str(answer)?;
            let len = json["result"]["content"][0]["text"]
                .as_str()
                .map_or(0, str::len);
            if len != 1024 * 1024 {
                return Err(format!("big: a text of {len} bytes, not 1 MiB").into());
            }
            Ok::<_, BoxError>("1 MiB read whole".to_owned())
        };
        if let Some(outcome) = abuse.bounded(run).await {
            if outcome.is_err() {
                open = None;
            }
            tally.record(outcome);
        }
        abuse.pause(Duration::from_secs(2)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_pings_have_the_exact_size_and_stay_json() {
        for size in [BODY_LIMIT, BODY_LIMIT + 1, 200] {
            let body = padded_ping(7, size);
            assert_eq!(body.len(), size);
            let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
            assert_eq!(json["method"], "ping");
        }
    }
}
