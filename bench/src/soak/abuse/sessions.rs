//! Abusers that misbehave within the protocol: sessions left without DELETE, SSE streams
//! dropped mid-response (and resumed), cancelled calls, questions to the client never answered.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::{Method, StatusCode};

use crate::load::BoxError;
use crate::soak::wire::{self, Conn, Events, Extra};

/// Whether a message is JSON-RPC `method`.
pub(super) fn is_method(data: &str, method: &str) -> bool {
    data.contains(&format!(r#""method":"{method}""#))
}

/// Whether a message is the response to request `id`.
pub(super) fn is_response(data: &str, id: u64) -> bool {
    serde_json::from_str::<serde_json::Value>(data)
        .is_ok_and(|v| v.get("id") == Some(&id.into()) && v.get("method").is_none())
}

/// Starts `tool` in a new session and returns the session and its open SSE stream.
async fn start_call(
    addr: SocketAddr,
    capabilities: &str,
    id: u64,
    tool: &str,
    arguments: &str,
) -> Result<(String, Conn, Events), BoxError> {
    let mut conn = Conn::connect(addr).await?;
    let session = conn.open_session(capabilities).await?;
    let extra = Extra {
        session: Some(&session),
        ..Extra::default()
    };
    let response = conn
        .send(Method::POST, extra, wire::call(id, tool, arguments).into())
        .await?;
    if response.status() != StatusCode::OK {
        return Err(format!("{tool}: HTTP {}", response.status()).into());
    }
    Ok((session, conn, Events::new(response)))
}

/// Reads events until `want` says one is it; returns it, with the id of the last event read.
async fn read_until(
    events: &mut Events,
    what: &str,
    mut want: impl FnMut(&str) -> bool,
) -> Result<(String, Option<String>), BoxError> {
    let mut last = None;
    while let Some(event) = events.next().await? {
        last = event.id.or(last);
        if want(&event.data) {
            return Ok((event.data, last));
        }
    }
    Err(format!("the stream ended before {what}").into())
}

pub(super) async fn abandon(addr: SocketAddr) -> Result<String, BoxError> {
    let mut conn = Conn::connect(addr).await?;
    let session = conn.open_session("{}").await?;
    let (status, body) = conn
        .post_all(Some(&session), wire::call(1, "add", r#"{"a":1,"b":2}"#))
        .await?;
    let body = String::from_utf8_lossy(&body);
    if status != StatusCode::OK || !body.contains(r#""text":"3""#) {
        return Err(format!("add in an abandoned session: HTTP {status}: {body:.200}").into());
    }
    Ok("session abandoned".into())
}

pub(super) async fn drop_mid_stream(addr: SocketAddr, resume: bool) -> Result<String, BoxError> {
    let (session, conn, mut events) =
        start_call(addr, "{}", 1, "slow", r#"{"steps":30,"interval_ms":100}"#).await?;
    let mut last = None;
    for _ in 0..3 {
        let (_, id) = read_until(&mut events, "3 progress notifications", |d| {
            is_method(d, "notifications/progress")
        })
        .await?;
        last = id.or(last);
    }
    drop((events, conn));
    if !resume {
        return Ok("dropped after 3 progress".into());
    }
    let last = last.ok_or("no event id to resume from")?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut conn = Conn::connect(addr).await?;
    let extra = Extra {
        session: Some(&session),
        last_event_id: Some(&last),
    };
    let response = conn.send(Method::GET, extra, Bytes::new()).await?;
    if response.status() != StatusCode::OK {
        return Err(format!("resumption: HTTP {}", response.status()).into());
    }
    let mut events = Events::new(response);
    read_until(&mut events, "a progress notification or the answer", |d| {
        is_method(d, "notifications/progress") || is_response(d, 1)
    })
    .await?;
    Ok("dropped, resumed, dropped again".into())
}

pub(super) async fn cancel(addr: SocketAddr) -> Result<String, BoxError> {
    let (session, _conn, mut events) =
        start_call(addr, "{}", 1, "slow", r#"{"steps":100,"interval_ms":100}"#).await?;
    read_until(&mut events, "the first progress", |d| {
        is_method(d, "notifications/progress")
    })
    .await?;
    let mut other = Conn::connect(addr).await?;
    let cancelled = r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"reason":"soak"}}"#;
    let (status, _) = other.post_all(Some(&session), cancelled).await?;
    if status != StatusCode::ACCEPTED {
        return Err(format!("notifications/cancelled: HTTP {status}").into());
    }
    let sent = Instant::now();
    let mut answer = None;
    while let Some(event) = events.next().await? {
        if is_response(&event.data, 1) {
            answer = Some(event.data);
        }
    }
    let took = sent.elapsed();
    if took > Duration::from_secs(5) {
        return Err(format!("the stream ended {took:?} after the cancellation").into());
    }
    let ended = match answer {
        Some(a) if a.contains("-32800") => "ended with error -32800",
        Some(a) if a.contains("done after") => {
            return Err(
                format!("the call ran to its end despite the cancellation: {a:.200}").into(),
            );
        }
        Some(_) => "ended with another answer",
        None => "ended without an answer",
    };
    let deleted = other.delete(&session).await?;
    if deleted != StatusCode::OK {
        return Err(format!("DELETE after cancel: HTTP {deleted}").into());
    }
    Ok(format!("cancelled; stream {ended}; DELETE 200"))
}

pub(super) async fn unanswered(addr: SocketAddr) -> Result<String, BoxError> {
    let capabilities = r#"{"elicitation":{"form":{}}}"#;
    let (_session, _conn, mut events) = start_call(addr, capabilities, 1, "ask", "{}").await?;
    read_until(&mut events, "the elicitation request", |d| {
        is_method(d, "elicitation/create")
    })
    .await?;
    Ok("question left unanswered, session abandoned".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_told_from_requests_and_notifications() {
        assert!(is_response(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#, 1));
        assert!(!is_response(r#"{"jsonrpc":"2.0","id":2,"result":{}}"#, 1));
        let ask = r#"{"jsonrpc":"2.0","id":1,"method":"elicitation/create","params":{}}"#;
        assert!(!is_response(ask, 1));
        assert!(is_method(ask, "elicitation/create"));
    }
}
