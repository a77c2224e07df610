//! The abusers: each a loop on connections of its own, paced so the machine is not simply
//! saturated, stopping at a deadline. What each saw is tallied by outcome; an outcome a sound
//! server would not give is "unexpected", reported but not a failure of the soak (only honest
//! calls decide that).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::wire::{self, Conn, Events, Extra};
use crate::load::BoxError;

/// The outcomes of one abuser.
#[derive(Debug)]
pub struct Tally {
    pub name: &'static str,
    pub does: &'static str,
    pub pace: &'static str,
    inner: Mutex<Counts>,
}

#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Expected outcomes by label.
    pub outcomes: BTreeMap<String, u64>,
    pub unexpected: u64,
    pub first_unexpected: Option<String>,
}

impl Tally {
    fn new(name: &'static str, does: &'static str, pace: &'static str) -> Arc<Tally> {
        Arc::new(Tally {
            name,
            does,
            pace,
            inner: Mutex::default(),
        })
    }

    fn record(&self, outcome: Result<String, BoxError>) {
        let Ok(mut counts) = self.inner.lock() else {
            return;
        };
        match outcome {
            Ok(label) => *counts.outcomes.entry(label).or_default() += 1,
            Err(e) => {
                counts.unexpected += 1;
                counts.first_unexpected.get_or_insert_with(|| e.to_string());
            }
        }
    }

    pub fn counts(&self) -> Counts {
        self.inner.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Where to abuse and until when.
#[derive(Debug, Clone, Copy)]
pub struct Abuse {
    pub addr: SocketAddr,
    pub until: Instant,
}

impl Abuse {
    fn running(&self) -> bool {
        Instant::now() < self.until
    }

    /// Runs `run` unless the deadline comes first (then it is dropped, connections and all).
    async fn bounded<T>(&self, run: impl Future<Output = T>) -> Option<T> {
        tokio::select! {
            out = run => Some(out),
            () = tokio::time::sleep_until(self.until.into()) => None,
        }
    }

    async fn pause(&self, d: Duration) {
        let _ = self.bounded(tokio::time::sleep(d)).await;
    }

    /// `run` again and again, `pace` apart, each outcome tallied.
    async fn repeat<F: Future<Output = Result<String, BoxError>>>(
        self,
        tally: Arc<Tally>,
        pace: Duration,
        mut run: impl FnMut(u64) -> F,
    ) {
        let mut n = 0;
        while self.running() {
            n += 1;
            if let Some(outcome) = self.bounded(run(n)).await {
                tally.record(outcome);
            }
            self.pause(pace).await;
        }
    }
}

/// Starts every abuser; each task ends by the deadline. Returns their tallies.
pub fn start(abuse: Abuse) -> (Vec<Arc<Tally>>, Vec<tokio::task::JoinHandle<()>>) {
    let mut tallies = Vec::new();
    let mut tasks = Vec::new();
    let addr = abuse.addr;
    let mut add = |tally: Arc<Tally>| {
        tallies.push(tally.clone());
        tally
    };

    let t = add(Tally::new(
        "abandon",
        "opens a session, calls `add` once, leaves without DELETE",
        "5/s",
    ));
    tasks.push(tokio::spawn(abuse.repeat(
        t,
        Duration::from_millis(200),
        move |_| abandon(addr),
    )));

    let t = add(Tally::new(
        "drop mid-stream",
        "starts `slow` (30 progress, 100 ms apart) over SSE, drops the connection after 3; \
         every other time resumes with `Last-Event-ID`, reads one event, drops again; \
         no DELETE",
        "2 loops, 1 s apart",
    ));
    for _ in 0..2 {
        let t = t.clone();
        tasks.push(tokio::spawn(abuse.repeat(
            t,
            Duration::from_secs(1),
            move |n| drop_mid_stream(addr, n.is_multiple_of(2)),
        )));
    }

    let t = add(Tally::new(
        "cancel",
        "starts `slow` (100 progress, 100 ms apart), sends `notifications/cancelled` after the \
         first; the stream must end within 5 s; then DELETE",
        "1 s apart",
    ));
    tasks.push(tokio::spawn(abuse.repeat(
        t,
        Duration::from_secs(1),
        move |_| cancel(addr),
    )));

    let t = add(Tally::new(
        "unanswered",
        "declares elicitation, calls `ask`, reads the `elicitation/create` and never answers; \
         drops the connection, no DELETE",
        "every 2 s",
    ));
    tasks.push(tokio::spawn(abuse.repeat(
        t,
        Duration::from_secs(2),
        move |_| unanswered(addr),
    )));

    let t = add(Tally::new(
        "4 MiB bodies",
        "in one session, POSTs a `ping` padded to exactly 4 MiB (200 expected), then one byte \
         over the limit (413 expected), in turn",
        "1 s apart",
    ));
    tasks.push(tokio::spawn(big_bodies(abuse, t)));

    let t = add(Tally::new(
        "large result",
        "in one session, calls `big` for a 1 MiB result and reads it whole",
        "every 2 s",
    ));
    tasks.push(tokio::spawn(large_results(abuse, t)));

    let t = add(Tally::new(
        "non-reading",
        "raw sockets that send a request and never read: a GET stream, `slow` (2,000 \
         progress, 5 ms apart), `big` (8 MiB), in turn; each held 60 s then closed",
        "one more every 10 s (6 held)",
    ));
    tasks.push(tokio::spawn(non_reading(abuse, t)));

    let t = add(Tally::new(
        "slowloris",
        "raw sockets sending a request head one header line every 5 s, never finished; held \
         up to 120 s or until the server closes them",
        "4 at a time",
    ));
    for i in 0..4 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            // Staggered, so that they do not all start and end together.
            abuse.pause(Duration::from_secs(i * 7)).await;
            while abuse.running() {
                t.record(slowloris(abuse).await);
                abuse.pause(Duration::from_millis(100)).await;
            }
        }));
    }
    (tallies, tasks)
}

/// Whether a message is JSON-RPC `method`.
fn is_method(data: &str, method: &str) -> bool {
    data.contains(&format!(r#""method":"{method}""#))
}

/// Whether a message is the response to request `id`.
fn is_response(data: &str, id: u64) -> bool {
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

async fn abandon(addr: SocketAddr) -> Result<String, BoxError> {
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

async fn drop_mid_stream(addr: SocketAddr, resume: bool) -> Result<String, BoxError> {
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

async fn cancel(addr: SocketAddr) -> Result<String, BoxError> {
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

async fn unanswered(addr: SocketAddr) -> Result<String, BoxError> {
    let capabilities = r#"{"elicitation":{"form":{}}}"#;
    let (_session, _conn, mut events) = start_call(addr, capabilities, 1, "ask", "{}").await?;
    read_until(&mut events, "the elicitation request", |d| {
        is_method(d, "elicitation/create")
    })
    .await?;
    Ok("question left unanswered, session abandoned".into())
}

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

async fn big_bodies(abuse: Abuse, tally: Arc<Tally>) {
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

async fn large_results(abuse: Abuse, tally: Arc<Tally>) {
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

/// How long a non-reading socket is held, and how often one more is opened.
const HOLD: Duration = Duration::from_secs(60);
const NON_READING_EVERY: Duration = Duration::from_secs(10);

async fn non_reading(abuse: Abuse, tally: Arc<Tally>) {
    let mut held: Vec<(tokio::net::TcpStream, Instant)> = Vec::new();
    let mut n = 0u64;
    while abuse.running() {
        n += 1;
        held.retain(|(_, until)| Instant::now() < *until);
        let run = async {
            let mut conn = Conn::connect(abuse.addr).await?;
            let session = conn.open_session("{}").await?;
            let (label, stream) = match n % 3 {
                0 => {
                    let head = wire::head(abuse.addr, "GET", &session, 0);
                    ("GET stream", wire::raw(abuse.addr, &head, b"").await?)
                }
                1 => {
                    let body = wire::call(1, "slow", r#"{"steps":2000,"interval_ms":5}"#);
                    let head = wire::head(abuse.addr, "POST", &session, body.len());
                    ("slow", wire::raw(abuse.addr, &head, body.as_bytes()).await?)
                }
                _ => {
                    let body = wire::call(1, "big", r#"{"kib":8192}"#);
                    let head = wire::head(abuse.addr, "POST", &session, body.len());
                    (
                        "big (8 MiB)",
                        wire::raw(abuse.addr, &head, body.as_bytes()).await?,
                    )
                }
            };
            Ok::<_, BoxError>((label, stream))
        };
        match abuse.bounded(run).await {
            Some(Ok((label, stream))) => {
                held.push((stream, Instant::now() + HOLD));
                tally.record(Ok(format!("{label}: held unread 60 s")));
            }
            Some(Err(e)) => tally.record(Err(e)),
            None => break,
        }
        abuse.pause(NON_READING_EVERY).await;
    }
    drop(held);
}

/// How long a slowloris connection is kept, and how often it sends one more header line.
const SLOWLORIS_HOLD: Duration = Duration::from_secs(120);
const SLOWLORIS_DRIP: Duration = Duration::from_secs(5);

async fn slowloris(abuse: Abuse) -> Result<String, BoxError> {
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n",
        abuse.addr
    );
    let mut stream = wire::raw(abuse.addr, &head, b"").await?;
    let opened = Instant::now();
    let mut buf = [0u8; 512];
    let mut line = 0u64;
    // Rounded to 5 s, so that the tally groups them.
    let after = || opened.elapsed().as_secs() / 5 * 5;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(abuse.until.into()) => {
                return Ok("still open when the abuse ended".into());
            }
            read = stream.read(&mut buf) => {
                let answer = match read {
                    Ok(0) | Err(_) => String::new(),
                    Ok(n) => {
                        let text = String::from_utf8_lossy(&buf[..n]);
                        format!(" with \"{}\"", text.lines().next().unwrap_or_default())
                    }
                };
                return Ok(format!("closed by the server after ~{} s{answer}", after()));
            }
            () = tokio::time::sleep(SLOWLORIS_DRIP) => {
                if opened.elapsed() >= SLOWLORIS_HOLD {
                    return Err("held 120 s: the server never closed an unfinished request head".into());
                }
                line += 1;
                let header = format!("X-Soak-{line}: 1\r\n");
                if stream.write_all(header.as_bytes()).await.is_err() {
                    return Ok(format!("closed by the server after ~{} s", after()));
                }
            }
        }
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

    #[test]
    fn responses_are_told_from_requests_and_notifications() {
        assert!(is_response(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#, 1));
        assert!(!is_response(r#"{"jsonrpc":"2.0","id":2,"result":{}}"#, 1));
        let ask = r#"{"jsonrpc":"2.0","id":1,"method":"elicitation/create","params":{}}"#;
        assert!(!is_response(ask, 1));
        assert!(is_method(ask, "elicitation/create"));
    }
}
