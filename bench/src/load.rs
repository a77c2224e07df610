//! The load generator: hyper 1 clients, one keep-alive connection per worker, each with its
//! own session when the server is stateful. A call counts only when its body holds a
//! `result` for its id; anything else is a failure, never a panic.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{ACCEPT, CONTENT_TYPE, HOST, HeaderName, HeaderValue};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::net::TcpStream;

/// Any failure of one exchange.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The protocol version the client asks for.
pub const PROTOCOL_VERSION: &str = "2025-11-25";
/// An exchange that takes longer than this is a failure (and the connection is replaced).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const ACCEPT_BOTH: HeaderValue = HeaderValue::from_static("application/json, text/event-stream");
const JSON: HeaderValue = HeaderValue::from_static("application/json");
static SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
static MCP_PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");

/// Where to send load.
#[derive(Debug, Clone)]
pub struct Target {
    addr: SocketAddr,
    host: HeaderValue,
    stateful: bool,
}

impl Target {
    /// The server at `addr` (127.0.0.1 only), with or without sessions.
    pub fn new(addr: SocketAddr, stateful: bool) -> Result<Self, BoxError> {
        if !addr.ip().is_loopback() {
            return Err(format!("refusing to load {addr}: loopback addresses only").into());
        }
        Ok(Target {
            addr,
            host: HeaderValue::from_str(&addr.to_string())?,
            stateful,
        })
    }
}

/// One answer, read in full.
struct Reply {
    status: StatusCode,
    sse: bool,
    session: Option<HeaderValue>,
    body: Bytes,
}

/// One keep-alive connection, and its session once opened.
pub struct Client {
    sender: SendRequest<Full<Bytes>>,
    target: Target,
    session: Option<HeaderValue>,
    version: HeaderValue,
}

impl Client {
    /// Connects (TCP_NODELAY, HTTP/1.1 keep-alive).
    pub async fn connect(target: &Target) -> Result<Self, BoxError> {
        let stream = tokio::time::timeout(REQUEST_TIMEOUT, TcpStream::connect(target.addr))
            .await
            .map_err(|_| "connect timed out")??;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Client {
            sender,
            target: target.clone(),
            session: None,
            version: HeaderValue::from_static(PROTOCOL_VERSION),
        })
    }

    async fn post(&mut self, body: Bytes, versioned: bool) -> Result<Reply, BoxError> {
        tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(body, versioned))
            .await
            .map_err(|_| "request timed out")?
    }

    async fn exchange(&mut self, body: Bytes, versioned: bool) -> Result<Reply, BoxError> {
        self.sender.ready().await?;
        let mut request = Request::post("/mcp").body(Full::new(body))?;
        let headers = request.headers_mut();
        headers.insert(HOST, self.target.host.clone());
        headers.insert(CONTENT_TYPE, JSON);
        headers.insert(ACCEPT, ACCEPT_BOTH);
        if versioned {
            headers.insert(MCP_PROTOCOL_VERSION.clone(), self.version.clone());
        }
        if let Some(session) = &self.session {
            headers.insert(SESSION_ID.clone(), session.clone());
        }
        let response = self.sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        let sse = parts
            .headers
            .get(CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        Ok(Reply {
            status: parts.status,
            sse,
            session: parts.headers.get(&SESSION_ID).cloned(),
            body,
        })
    }

    /// `initialize` then `notifications/initialized`, as a client opening a session does.
    /// Keeps the session id and the negotiated version for later requests.
    pub async fn open_session(&mut self, id: u64) -> Result<(), BoxError> {
        self.session = None;
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"initialize","params":{{"protocolVersion":"{PROTOCOL_VERSION}","capabilities":{{}},"clientInfo":{{"name":"mcp-bench","version":"0.1.0"}}}}}}"#
        );
        let reply = self.post(Bytes::from(body), false).await?;
        if reply.status != StatusCode::OK {
            return Err(format!("initialize: HTTP {}", reply.status).into());
        }
        let result = result_for(&reply, id).ok_or("initialize: no result in the reply")?;
        #[derive(Deserialize)]
        struct Init<'a> {
            #[serde(rename = "protocolVersion", borrow)]
            protocol_version: Option<&'a str>,
        }
        let init: Init<'_> = serde_json::from_str(&result)?;
        if let Some(v) = init.protocol_version {
            self.version = HeaderValue::from_str(v)?;
        }
        if self.target.stateful {
            self.session = Some(reply.session.ok_or("initialize: no Mcp-Session-Id")?);
        }
        let initialized =
            Bytes::from_static(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        let reply = self.post(initialized, true).await?;
        if !reply.status.is_success() {
            return Err(format!("notifications/initialized: HTTP {}", reply.status).into());
        }
        Ok(())
    }

    /// One `tools/call` of `add`; `Ok(true)` when the reply holds a result for this id.
    pub async fn call_add(&mut self, id: u64, a: u64) -> Result<bool, BoxError> {
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"add","arguments":{{"a":{a},"b":2}}}}}}"#
        );
        let reply = self.post(Bytes::from(body), true).await?;
        Ok(reply.status == StatusCode::OK && holds_result(&reply, id))
    }
}

/// Whether a reply holds a response with a `result` for `id`: the check of every call.
/// A scan rather than a parse, so the generator, which shares the machine with the server,
/// stays cheaper than the fastest server (a full parse of each reply cost it about an
/// eighth of its time): a JSON object whose `id` member is `id` and which has a `result`
/// member (an escaped `\"result\":` inside a string does not match).
fn holds_result(reply: &Reply, id: u64) -> bool {
    if reply.sse {
        let mut found = false;
        for line in reply.body.split(|&b| b == b'\n') {
            if let Some(data) = line.strip_prefix(b"data:") {
                found |= json_holds_result(data, id);
            }
        }
        found
    } else {
        json_holds_result(&reply.body, id)
    }
}

fn json_holds_result(json: &[u8], id: u64) -> bool {
    let json = json.trim_ascii();
    json.first() == Some(&b'{')
        && find(json, b"\"result\"")
            .is_some_and(|at| json[at + 8..].trim_ascii_start().first() == Some(&b':'))
        && member_is(json, b"\"id\"", id)
}

/// Whether some `"id": N` (spaces allowed) in `json` has the number `id`.
fn member_is(json: &[u8], key: &[u8], id: u64) -> bool {
    let mut rest = json;
    while let Some(at) = find(rest, key) {
        rest = &rest[at + key.len()..];
        let Some(value) = rest.trim_ascii_start().strip_prefix(b":") else {
            continue;
        };
        let value = value.trim_ascii_start();
        let digits = value.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0
            && std::str::from_utf8(&value[..digits])
                .ok()
                .and_then(|d| d.parse::<u64>().ok())
                == Some(id)
        {
            return true;
        }
    }
    false
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `result` of the JSON-RPC response to `id` in a reply (a JSON body, or the `data:`
/// of an SSE event), as JSON text.
fn result_for(reply: &Reply, id: u64) -> Option<String> {
    if reply.sse {
        sse_data(&reply.body).find_map(|data| response_result(data.as_bytes(), id))
    } else {
        response_result(&reply.body, id)
    }
}

fn response_result(json: &[u8], id: u64) -> Option<String> {
    #[derive(Deserialize)]
    struct Response<'a> {
        #[serde(borrow, default)]
        id: Option<&'a RawValue>,
        #[serde(borrow, default)]
        result: Option<&'a RawValue>,
    }
    let response: Response<'_> = serde_json::from_slice(json).ok()?;
    let same_id = response.id?.get().parse::<u64>().ok()? == id;
    response
        .result
        .filter(|_| same_id)
        .map(|r| r.get().to_owned())
}

/// The data of each event of an SSE body (multi-line data joined with `\n`).
fn sse_data(body: &[u8]) -> impl Iterator<Item = String> + '_ {
    let text = std::str::from_utf8(body).unwrap_or("");
    let mut events = Vec::new();
    let mut data: Option<String> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            events.extend(data.take());
        } else if let Some(value) = line.strip_prefix("data:") {
            let value = value.strip_prefix(' ').unwrap_or(value);
            match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_owned()),
            }
        }
    }
    events.extend(data);
    events.into_iter().filter(|d| !d.is_empty())
}

/// When a point is measured: warm-up runs before `start`, nothing after `end`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Start of the measured interval.
    pub start: Instant,
    /// End of the measured interval (and of the load).
    pub end: Instant,
}

impl Window {
    /// Warm-up from now, then `measure`.
    pub fn after(warmup: Duration, measure: Duration) -> Self {
        let start = Instant::now() + warmup;
        Window {
            start,
            end: start + measure,
        }
    }

    fn holds(&self, from: Instant, to: Instant) -> bool {
        from >= self.start && to <= self.end
    }
}

/// What the workers of one point did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Operations that succeeded within the window.
    pub ok: u64,
    /// Operations that failed (any time, warm-up included).
    pub failed: u64,
    /// Latencies of the successful operations in the window, in nanoseconds.
    pub latencies: Vec<u32>,
    /// The measured interval's length (shorter when the count bound stopped the load).
    pub measured: Duration,
    /// The first error seen, if any.
    pub first_error: Option<String>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.ok += other.ok;
        self.failed += other.failed;
        self.latencies.extend(other.latencies);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn error(&mut self, e: impl std::fmt::Display) {
        self.failed += 1;
        if self.first_error.is_none() {
            self.first_error = Some(e.to_string());
        }
    }

    /// Successful operations per second.
    pub fn rate(&self) -> f64 {
        let secs = self.measured.as_secs_f64();
        if secs > 0.0 {
            self.ok as f64 / secs
        } else {
            0.0
        }
    }

    /// The `q` quantile of the latencies, in microseconds (sorts them).
    pub fn quantile_us(&mut self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        self.latencies.sort_unstable();
        let i = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
        f64::from(self.latencies[i.min(self.latencies.len() - 1)]) / 1000.0
    }
}

/// What the workers do, over and over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// `tools/call` of `add` (in the worker's session when stateful).
    Call,
    /// Open a new session: `initialize` + `notifications/initialized`.
    OpenSession,
}

/// Runs `workers` workers doing `work` until `window.end`, or until `max_ops` operations
/// have started (then the measured interval ends early).
pub async fn run(
    target: &Target,
    work: Work,
    workers: usize,
    window: Window,
    max_ops: u64,
) -> Outcome {
    let budget = Arc::new(AtomicU64::new(max_ops));
    let stopped_at = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let mut tasks = Vec::with_capacity(workers);
    for w in 0..workers {
        let target = target.clone();
        let budget = budget.clone();
        let stopped_at = stopped_at.clone();
        tasks.push(tokio::spawn(async move {
            worker(&target, work, w as u64, window, &budget, &stopped_at).await
        }));
    }
    let mut total = Outcome::default();
    for task in tasks {
        match task.await {
            Ok(outcome) => total.merge(outcome),
            Err(e) => total.error(format!("worker failed: {e}")),
        }
    }
    let end = stopped_at
        .lock()
        .ok()
        .and_then(|s| *s)
        .map_or(window.end, |s| s.min(window.end));
    total.measured = end.saturating_duration_since(window.start);
    total
}

async fn worker(
    target: &Target,
    work: Work,
    w: u64,
    window: Window,
    budget: &AtomicU64,
    stopped_at: &std::sync::Mutex<Option<Instant>>,
) -> Outcome {
    let mut out = Outcome::default();
    // Ids unique across workers: the worker number in the high bits.
    let mut seq = w << 40;
    let mut next_id = move || {
        seq += 1;
        seq
    };
    'connection: while Instant::now() < window.end {
        let mut client = match Client::connect(target).await {
            Ok(client) => client,
            Err(e) => {
                out.error(e);
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if work == Work::Call
            && target.stateful
            && let Err(e) = client.open_session(next_id()).await
        {
            out.error(e);
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        loop {
            if Instant::now() >= window.end {
                break 'connection;
            }
            if budget
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
                .is_err()
            {
                if let Ok(mut stopped) = stopped_at.lock() {
                    stopped.get_or_insert_with(Instant::now);
                }
                break 'connection;
            }
            let id = next_id();
            let started = Instant::now();
            let result = match work {
                Work::Call => client.call_add(id, id & 0xff_ffff).await,
                Work::OpenSession => client.open_session(id).await.map(|()| true),
            };
            let finished = Instant::now();
            match result {
                Ok(true) => {
                    if window.holds(started, finished) {
                        out.ok += 1;
                        let nanos = finished.duration_since(started).as_nanos();
                        out.latencies.push(u32::try_from(nanos).unwrap_or(u32::MAX));
                    }
                }
                Ok(false) => out.error("a reply without a result"),
                Err(e) => {
                    out.error(e);
                    continue 'connection;
                }
            }
        }
    }
    out
}

/// Opens `count` sessions over `connections` keep-alive connections and returns the
/// clients, still connected, with how many sessions failed to open.
pub async fn open_sessions(
    target: &Target,
    count: usize,
    connections: usize,
) -> (Vec<Client>, Outcome) {
    let per = count.div_ceil(connections.max(1));
    let mut tasks = Vec::new();
    for w in 0..connections {
        let n = per.min(count.saturating_sub(w * per));
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Outcome::default();
            let mut client = match Client::connect(&target).await {
                Ok(c) => c,
                Err(e) => {
                    out.error(e);
                    return (None, out);
                }
            };
            for i in 0..n {
                let id = ((w as u64) << 40) + i as u64 + 1;
                match client.open_session(id).await {
                    Ok(()) => out.ok += 1,
                    Err(e) => {
                        out.error(e);
                        match Client::connect(&target).await {
                            Ok(c) => client = c,
                            Err(e) => {
                                out.error(e);
                                return (None, out);
                            }
                        }
                    }
                }
            }
            (Some(client), out)
        }));
    }
    let mut clients = Vec::new();
    let mut total = Outcome::default();
    for task in tasks {
        match task.await {
            Ok((client, out)) => {
                clients.extend(client);
                total.merge(out);
            }
            Err(e) => total.error(format!("worker failed: {e}")),
        }
    }
    (clients, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(sse: bool, body: &'static str) -> Reply {
        Reply {
            status: StatusCode::OK,
            sse,
            session: None,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn results_are_found_only_for_their_id() {
        let json = reply(false, r#"{"jsonrpc":"2.0","id":7,"result":{"content":[]}}"#);
        assert_eq!(result_for(&json, 7).as_deref(), Some(r#"{"content":[]}"#));
        assert_eq!(result_for(&json, 8), None);
        let error = reply(
            false,
            r#"{"jsonrpc":"2.0","id":7,"error":{"code":-1,"message":"x"}}"#,
        );
        assert_eq!(result_for(&error, 7), None);
        assert_eq!(result_for(&reply(false, "garbage"), 7), None);
    }

    #[test]
    fn the_fast_check_agrees_with_the_parse() {
        let cases = [
            (false, r#"{"jsonrpc":"2.0","id":7,"result":{"content":[]}}"#),
            (false, r#"{"jsonrpc":"2.0","id":17,"result":{}}"#),
            (false, r#"{"jsonrpc": "2.0", "id" : 7, "result" : {}}"#),
            (
                false,
                r#"{"jsonrpc":"2.0","id":7,"error":{"code":-1,"message":"\"result\": no"}}"#,
            ),
            (false, "garbage"),
            (
                true,
                "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n\n",
            ),
            (true, "id: 0\nretry: 3000\ndata:\n\n"),
        ];
        for (sse, body) in cases {
            let r = reply(sse, body);
            assert_eq!(holds_result(&r, 7), result_for(&r, 7).is_some(), "{body}");
        }
    }

    #[test]
    fn sse_bodies_are_searched_event_by_event() {
        let body = "id: 0\nretry: 3000\ndata:\n\nevent: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\r\ndata: \"result\":{}}\r\n\r\n";
        assert_eq!(result_for(&reply(true, body), 3).as_deref(), Some("{}"));
        assert_eq!(result_for(&reply(true, ": keep-alive\n\n"), 3), None);
    }
}
