//! The load generator: hyper 1 clients, one keep-alive connection per worker, each with its
//! own session when the server is stateful. A call counts only when its reply is the
//! JSON-RPC response to its id with the right sum; anything else is a failure, never a panic.

use std::borrow::Cow;
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
static MCP_METHOD: HeaderName = HeaderName::from_static("mcp-method");
static MCP_NAME: HeaderName = HeaderName::from_static("mcp-name");
/// The 2026-07-28 era's version, in its header and in each request's `_meta`.
const MODERN_VERSION: &str = "2026-07-28";

/// Where to send load.
#[derive(Debug, Clone)]
pub struct Target {
    addr: SocketAddr,
    host: HeaderValue,
    stateful: bool,
    /// The `Authorization` header of every request, for servers behind a bearer layer.
    authorization: Option<HeaderValue>,
    /// Calls in the 2026-07-28 era: the `_meta` envelope and the routing headers.
    modern: bool,
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
            authorization: None,
            modern: false,
        })
    }

    /// Calls in the 2026-07-28 era (`true`) or the handshake era.
    pub fn modern(mut self, modern: bool) -> Self {
        self.modern = modern;
        self
    }

    /// Sends `Authorization: <value>` with every request (`None`: no header).
    pub fn authorized(mut self, value: Option<&'static str>) -> Self {
        self.authorization = value.map(HeaderValue::from_static);
        self
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
        if self.target.modern {
            headers.insert(
                MCP_PROTOCOL_VERSION.clone(),
                HeaderValue::from_static(MODERN_VERSION),
            );
            headers.insert(MCP_METHOD.clone(), HeaderValue::from_static("tools/call"));
            headers.insert(MCP_NAME.clone(), HeaderValue::from_static("add"));
        } else if versioned {
            headers.insert(MCP_PROTOCOL_VERSION.clone(), self.version.clone());
        }
        if let Some(session) = &self.session {
            headers.insert(SESSION_ID.clone(), session.clone());
        }
        if let Some(authorization) = &self.target.authorization {
            headers.insert(hyper::header::AUTHORIZATION, authorization.clone());
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
        let version = answer(&reply, |json| initialize_version(json, id))
            .unwrap_or(Err(BadReply::NoResponse))
            .map_err(|bad| format!("initialize: {bad}"))?;
        if let Some(v) = version {
            self.version = v;
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

    /// One `tools/call` of `add(a, 2)`. `Err` when the exchange failed (the connection is
    /// then replaced); `Ok(Err(_))` when the server answered, but not with `a + 2`.
    /// Asks for `payload`: `Ok(Ok(body))` for a 200 JSON reply that names `id` near its start
    /// and can hold the payload (the benchmark verifies one reply in full: [`Payload::verify`]).
    pub async fn call_payload(
        &mut self,
        id: u64,
        payload: Payload,
    ) -> Result<Result<Bytes, BadReply>, BoxError> {
        let reply = self.post(Bytes::from(payload.body(id)), true).await?;
        if reply.status != StatusCode::OK {
            return Ok(Err(BadReply::Status(reply.status)));
        }
        let mut digits = [0u8; 20];
        let id_text = decimal(id, &mut digits);
        let head = &reply.body[..reply.body.len().min(64)];
        let names_id = head
            .windows(id_text.len() + 5)
            .any(|w| w.starts_with(br#""id":"#) && &w[5..] == id_text);
        if reply.sse || !names_id {
            return Ok(Err(BadReply::NoResponse));
        }
        if reply.body.len() < payload.min_len() {
            return Ok(Err(BadReply::WrongAnswer));
        }
        Ok(Ok(reply.body))
    }

    /// In the 2026-07-28 era the call carries the envelope a client such as the Python SDK's
    /// sends: version, capabilities and client info.
    pub async fn call_add(&mut self, id: u64, a: u64) -> Result<Result<(), BadReply>, BoxError> {
        let body = add_body(self.target.modern, id, a);
        let reply = self.post(Bytes::from(body), true).await?;
        Ok(check_add(&reply, id, a + 2))
    }
}

/// The JSON-RPC body of `tools/call` `add(a, 2)`; in the 2026-07-28 era with the envelope.
fn add_body(modern: bool, id: u64, a: u64) -> String {
    if modern {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"add","arguments":{{"a":{a},"b":2}},"_meta":{{"io.modelcontextprotocol/protocolVersion":"{MODERN_VERSION}","io.modelcontextprotocol/clientCapabilities":{{}},"io.modelcontextprotocol/clientInfo":{{"name":"mcp-bench","version":"0.1.0"}}}}}}}}"#
        )
    } else {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"add","arguments":{{"a":{a},"b":2}}}}}}"#
        )
    }
}

/// Why a reply is not the right answer to a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadReply {
    /// The HTTP status was not 200.
    Status(StatusCode),
    /// No JSON-RPC response whose top-level `id` is the call's (nor an event holding one).
    NoResponse,
    /// A JSON-RPC error for the call (its `error` member, cut short).
    Error(String),
    /// A response with neither `result` nor `error`.
    NoResult,
    /// A result with `"isError": true`.
    ToolError,
    /// A result that is not exactly one text block holding the expected sum.
    WrongAnswer,
}

impl std::fmt::Display for BadReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadReply::Status(status) => write!(f, "HTTP {status}"),
            BadReply::NoResponse => f.write_str("no JSON-RPC response with the call's id"),
            BadReply::Error(error) => write!(f, "a JSON-RPC error: {error}"),
            BadReply::NoResult => f.write_str("a response without a result"),
            BadReply::ToolError => f.write_str("a result with isError: true"),
            BadReply::WrongAnswer => f.write_str("a result that is not the expected sum"),
        }
    }
}

/// The check of every call: a 200 whose body (or one SSE event's data) is the JSON-RPC
/// response to `id`, with a `result` that is one text block holding `sum`, not `isError`.
fn check_add(reply: &Reply, id: u64, sum: u64) -> Result<(), BadReply> {
    if reply.status != StatusCode::OK {
        return Err(BadReply::Status(reply.status));
    }
    answer(reply, |json| judge_add(json, id, sum)).unwrap_or(Err(BadReply::NoResponse))
}

/// Applies `judge` to the reply's JSON (the body, or the data of each SSE event in turn)
/// and returns its first answer: `judge` answers `None` for a message that is not the
/// response it looks for.
fn answer<T>(reply: &Reply, mut judge: impl FnMut(&[u8]) -> Option<T>) -> Option<T> {
    if reply.sse {
        SseData::new(&reply.body).find_map(|data| judge(&data))
    } else {
        judge(&reply.body)
    }
}

/// A JSON-RPC message, as far as the checks need it; `R` is the expected `result`.
#[derive(Deserialize)]
struct Response<'a, R> {
    #[serde(borrow)]
    jsonrpc: Option<&'a str>,
    id: Option<u64>,
    result: Option<R>,
    error: Option<&'a RawValue>,
}

/// The result of `add`: exactly one content block (a `[_; 1]` rejects more).
#[derive(Deserialize)]
struct AddResult<'a> {
    #[serde(borrow)]
    content: [TextBlock<'a>; 1],
    #[serde(rename = "isError")]
    is_error: Option<bool>,
}

#[derive(Deserialize)]
struct TextBlock<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// The verdict on one message: `None` when it is not a response to `id` (a notification, an
/// empty event, another id). The usual right answer is recognized by comparing bytes (a
/// parse of every reply cost the generator 14% more instructions per call against bare
/// axum); anything else goes to the parse, which decides.
pub(crate) fn judge_add(json: &[u8], id: u64, sum: u64) -> Option<Result<(), BadReply>> {
    if is_usual_answer(json, id, sum) {
        return Some(Ok(()));
    }
    parse_add(json, id, sum)
}

/// [`judge_add`] by a full parse with borrowed structs.
fn parse_add(json: &[u8], id: u64, sum: u64) -> Option<Result<(), BadReply>> {
    let response = match serde_json::from_slice::<Response<'_, AddResult<'_>>>(json) {
        Ok(response) => response,
        // A message that is not shaped as a right answer: say what it is instead.
        Err(_) => return diagnose(json, id),
    };
    if response.id != Some(id) || response.jsonrpc != Some("2.0") {
        return None;
    }
    Some(match (response.result, response.error) {
        (_, Some(error)) => Err(BadReply::Error(cut(error.get()))),
        (None, None) => Err(BadReply::NoResult),
        (Some(result), None) => {
            let [block] = &result.content;
            if result.is_error == Some(true) {
                Err(BadReply::ToolError)
            } else if block.kind == "text" && block.text.parse::<f64>() == Ok(sum as f64) {
                Ok(())
            } else {
                Err(BadReply::WrongAnswer)
            }
        }
    })
}

/// Whether `json` is, byte for byte, the right answer as every server here writes it:
/// compact, members in this order, `isError` absent or false. Only a valid right answer
/// matches; another layout of the same answer is left to [`parse_add`].
fn is_usual_answer(json: &[u8], id: u64, sum: u64) -> bool {
    let mut digits = [0; 20];
    json.strip_prefix(br#"{"jsonrpc":"2.0","id":"#)
        .and_then(|rest| rest.strip_prefix(decimal(id, &mut digits)))
        .and_then(|rest| rest.strip_prefix(br#","result":{"content":[{"type":"text","text":""#))
        .and_then(|rest| rest.strip_prefix(decimal(sum, &mut digits)))
        .is_some_and(|rest| matches!(rest, br#""}]}}"# | br#""}],"isError":false}}"#))
}

/// `n` in decimal, written into the end of `buf`.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

/// What a message that failed the strict parse is, when it is a response to `id`.
fn diagnose(json: &[u8], id: u64) -> Option<Result<(), BadReply>> {
    let response: Response<'_, &RawValue> = serde_json::from_slice(json).ok()?;
    if response.id != Some(id) {
        return None;
    }
    Some(Err(match (response.result, response.error) {
        (_, Some(error)) => BadReply::Error(cut(error.get())),
        (Some(_), None) => BadReply::WrongAnswer,
        (None, None) => BadReply::NoResult,
    }))
}

/// At most 200 bytes of `text` (on a char boundary), for error messages.
fn cut(text: &str) -> String {
    let mut end = text.len().min(200);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// The protocol version an `initialize` response to `id` agreed on (`Ok(None)` if it names
/// none), or why the message is not that response.
fn initialize_version(json: &[u8], id: u64) -> Option<Result<Option<HeaderValue>, BadReply>> {
    #[derive(Deserialize)]
    struct Init<'a> {
        #[serde(rename = "protocolVersion", borrow)]
        protocol_version: Option<&'a str>,
    }
    let Ok(response) = serde_json::from_slice::<Response<'_, Init<'_>>>(json) else {
        return diagnose(json, id).map(|verdict| verdict.map(|()| None));
    };
    if response.id != Some(id) {
        return None;
    }
    Some(match (response.result, response.error) {
        (_, Some(error)) => Err(BadReply::Error(cut(error.get()))),
        (None, None) => Err(BadReply::NoResult),
        (Some(init), None) => Ok(init
            .protocol_version
            .and_then(|v| HeaderValue::from_str(v).ok())),
    })
}

/// The data of each non-empty event of an SSE body, borrowed unless an event has several
/// `data:` lines (joined with `\n`, as the SSE spec says).
struct SseData<'a> {
    rest: &'a [u8],
}

impl<'a> SseData<'a> {
    fn new(body: &'a [u8]) -> Self {
        SseData { rest: body }
    }
}

impl<'a> Iterator for SseData<'a> {
    type Item = Cow<'a, [u8]>;

    fn next(&mut self) -> Option<Cow<'a, [u8]>> {
        let mut data: Option<Cow<'a, [u8]>> = None;
        while !self.rest.is_empty() {
            let (line, rest) = match self.rest.iter().position(|&b| b == b'\n') {
                Some(at) => (&self.rest[..at], &self.rest[at + 1..]),
                None => (self.rest, &self.rest[self.rest.len()..]),
            };
            self.rest = rest;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                match data.take() {
                    Some(d) if !d.is_empty() => return Some(d),
                    _ => continue,
                }
            }
            if let Some(value) = line.strip_prefix(b"data:") {
                let value = value.strip_prefix(b" ").unwrap_or(value);
                data = Some(match data.take() {
                    None => Cow::Borrowed(value),
                    Some(first) => {
                        let mut joined = first.into_owned();
                        joined.push(b'\n');
                        joined.extend_from_slice(value);
                        Cow::Owned(joined)
                    }
                });
            }
        }
        data.filter(|d| !d.is_empty())
    }
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
    /// Ask for a large payload (`mcp-bench payload`).
    Payload(Payload),
}

/// The large payloads `mcp-bench payload` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// `tools/call` of `text` with `kib` 1024: a text block of 1 MiB.
    Text,
    /// `resources/read` of `bench://blob`: 1 MiB of bytes, in base64.
    Blob,
}

impl Payload {
    pub fn name(self) -> &'static str {
        match self {
            Payload::Text => "1 MiB text (tools/call)",
            Payload::Blob => "1 MiB binary (resources/read, base64)",
        }
    }

    fn body(self, id: u64) -> String {
        match self {
            Payload::Text => format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"text","arguments":{{"kib":1024}}}}}}"#
            ),
            Payload::Blob => format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"resources/read","params":{{"uri":"bench://blob"}}}}"#
            ),
        }
    }

    /// The smallest reply that can hold the payload.
    fn min_len(self) -> usize {
        match self {
            Payload::Text => crate::servers::PAYLOAD_BYTES,
            Payload::Blob => crate::servers::PAYLOAD_BYTES.div_ceil(3) * 4,
        }
    }

    /// Whether `json` is the whole right answer to `id`: parsed, the payload checked byte by
    /// byte. Too slow for every reply; the benchmark checks one per server this way.
    pub fn verify(self, json: &[u8], id: u64) -> Result<(), String> {
        use base64::Engine;
        let reply: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| format!("not JSON: {e}"))?;
        if reply["id"] != id {
            return Err(format!("id {} instead of {id}", reply["id"]));
        }
        let size = crate::servers::PAYLOAD_BYTES;
        match self {
            Payload::Text => {
                let text = reply["result"]["content"][0]["text"]
                    .as_str()
                    .ok_or("no text block")?;
                (text.len() == size && text.bytes().all(|b| b == b'x'))
                    .then_some(())
                    .ok_or_else(|| format!("a text of {} bytes, not {size} x", text.len()))
            }
            Payload::Blob => {
                let blob = reply["result"]["contents"][0]["blob"]
                    .as_str()
                    .ok_or("no blob")?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(blob)
                    .map_err(|e| format!("bad base64: {e}"))?;
                (bytes.len() == size && bytes.iter().all(|&b| b == 0xA5))
                    .then_some(())
                    .ok_or_else(|| format!("{} bytes, not {size} of 0xA5", bytes.len()))
            }
        }
    }
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
                Work::OpenSession => client.open_session(id).await.map(Ok),
                Work::Payload(payload) => {
                    client.call_payload(id, payload).await.map(|r| r.map(drop))
                }
            };
            let finished = Instant::now();
            match result {
                Ok(Ok(())) => {
                    if window.holds(started, finished) {
                        out.ok += 1;
                        let nanos = finished.duration_since(started).as_nanos();
                        out.latencies.push(u32::try_from(nanos).unwrap_or(u32::MAX));
                    }
                }
                Ok(Err(bad)) => out.error(bad),
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

    /// The check of a call with id 7 and `a` = 7 (so the sum is 9), on a JSON body.
    fn check_json(body: &'static str) -> Result<(), BadReply> {
        check_add(&reply(false, body), 7, 9)
    }

    #[test]
    fn the_right_answer_counts_whatever_its_layout() {
        let right = [
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"9"}],"isError":false}}"#,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"9"}]}}"#,
            r#"{"result":{"isError":false,"content":[{"text":"9.0","type":"text"}]},"id":7,"jsonrpc":"2.0"}"#,
            " { \"jsonrpc\" : \"2.0\" , \"id\" : 7 , \"result\" : { \"content\" : [ { \"type\" : \"text\" , \"text\" : \"9\" } ] } } \n",
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"\u0039"}],"structuredContent":{"x":1},"_meta":{}}}"#,
        ];
        for body in right {
            assert_eq!(check_json(body), Ok(()), "{body}");
        }
    }

    #[test]
    fn a_result_or_id_nested_elsewhere_does_not_count() {
        let cases = [
            // The call's id only inside the result; the response is for another id.
            (
                r#"{"jsonrpc":"2.0","id":8,"result":{"id":7,"content":[{"type":"text","text":"9"}]}}"#,
                BadReply::NoResponse,
            ),
            // A notification whose params look like the answer.
            (
                r#"{"jsonrpc":"2.0","method":"notifications/message","params":{"id":7,"result":{"content":[{"type":"text","text":"9"}]}}}"#,
                BadReply::NoResponse,
            ),
            // The right id, but the result is nested one level down.
            (
                r#"{"jsonrpc":"2.0","id":7,"params":{"result":{"content":[{"type":"text","text":"9"}]}}}"#,
                BadReply::NoResult,
            ),
            // Two ids: a duplicate key is not a response.
            (
                r#"{"jsonrpc":"2.0","id":8,"result":{"content":[{"type":"text","text":"9"}]},"id":7}"#,
                BadReply::NoResponse,
            ),
            // Not JSON-RPC 2.0.
            (
                r#"{"jsonrpc":"1.0","id":7,"result":{"content":[{"type":"text","text":"9"}]}}"#,
                BadReply::NoResponse,
            ),
            // An id that is a string.
            (
                r#"{"jsonrpc":"2.0","id":"7","result":{"content":[{"type":"text","text":"9"}]}}"#,
                BadReply::NoResponse,
            ),
            ("garbage", BadReply::NoResponse),
            ("", BadReply::NoResponse),
        ];
        for (body, wrong) in cases {
            assert_eq!(check_json(body), Err(wrong), "{body}");
        }
    }

    #[test]
    fn an_error_mentioning_result_and_id_does_not_count() {
        let body = r#"{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"\"result\": 9, \"id\": 7","data":{"id":7,"result":{"content":[{"type":"text","text":"9"}]}}}}"#;
        match check_json(body) {
            Err(BadReply::Error(error)) => {
                assert!(error.starts_with(r#"{"code":-32603"#), "{error}")
            }
            other => panic!("{other:?}"),
        }
        // An error for another id, with the call's id and a result in its data.
        let other = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x","data":{"id":7,"result":{}}}}"#;
        assert_eq!(check_json(other), Err(BadReply::NoResponse));
    }

    #[test]
    fn a_wrong_sum_or_shape_does_not_count() {
        let cases = [
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"10"}]}}"#,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"9.5"}]}}"#,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"nine"}]}}"#,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"image","text":"9"}]}}"#,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":9}]}}"#,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[]}}"#,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"9"},{"type":"text","text":"9"}]}}"#,
            r#"{"jsonrpc":"2.0","id":7,"result":{}}"#,
            r#"{"jsonrpc":"2.0","id":7,"result":9}"#,
        ];
        for body in cases {
            assert_eq!(check_json(body), Err(BadReply::WrongAnswer), "{body}");
        }
    }

    #[test]
    fn a_tool_error_does_not_count_even_with_the_sum() {
        let body = r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"9"}],"isError":true}}"#;
        assert_eq!(check_json(body), Err(BadReply::ToolError));
    }

    #[test]
    fn the_wrong_id_or_status_does_not_count() {
        let body = r#"{"jsonrpc":"2.0","id":17,"result":{"content":[{"type":"text","text":"9"}]}}"#;
        assert_eq!(check_json(body), Err(BadReply::NoResponse));
        let mut bad = reply(
            false,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"9"}]}}"#,
        );
        bad.status = StatusCode::ACCEPTED;
        assert_eq!(
            check_add(&bad, 7, 9),
            Err(BadReply::Status(StatusCode::ACCEPTED))
        );
    }

    #[test]
    fn sse_replies_are_judged_event_by_event() {
        // A priming event, a notification, then the answer split over two data lines.
        let right = "id: 0\nretry: 3000\ndata:\n\n\
            event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"id\":7}}\n\n\
            event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\r\ndata: \"result\":{\"content\":[{\"type\":\"text\",\"text\":\"9\"}]}}\r\n\r\n";
        assert_eq!(check_add(&reply(true, right), 7, 9), Ok(()));
        let no_answer = ": keep-alive\n\nid: 0\ndata:\n\n";
        assert_eq!(
            check_add(&reply(true, no_answer), 7, 9),
            Err(BadReply::NoResponse)
        );
        let error = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-1,\"message\":\"\\\"result\\\":\"}}\n\n";
        assert!(matches!(
            check_add(&reply(true, error), 7, 9),
            Err(BadReply::Error(_))
        ));
        // The answer in an SSE body read as JSON is no answer.
        let sse_as_json = "data: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"9\"}]}}\n\n";
        assert_eq!(
            check_add(&reply(false, sse_as_json), 7, 9),
            Err(BadReply::NoResponse)
        );
    }

    /// What each server of the benchmark answers `add(7, 2)` with (id 7), as captured.
    const REAL_ANSWERS: [&str; 2] = [
        r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"9"}],"isError":false}}"#,
        r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"9"}]}}"#,
    ];

    #[test]
    fn every_server_s_answer_is_recognized_without_a_parse() {
        for body in REAL_ANSWERS {
            assert!(is_usual_answer(body.as_bytes(), 7, 9), "{body}");
            assert_eq!(parse_add(body.as_bytes(), 7, 9), Some(Ok(())));
        }
    }

    #[test]
    fn the_comparison_accepts_nothing_the_parse_rejects() {
        // Every body of the tests above, and every one-byte change of the real answers.
        let mut bodies: Vec<Vec<u8>> = REAL_ANSWERS.iter().map(|b| b.as_bytes().to_vec()).collect();
        for body in REAL_ANSWERS {
            for at in 0..body.len() {
                for byte in *b"{}[]\",:0179 .e\\tfa-\n" {
                    let mut changed = body.as_bytes().to_vec();
                    changed[at] = byte;
                    bodies.push(changed.clone());
                    changed.insert(at, byte);
                    bodies.push(changed);
                }
                let mut removed = body.as_bytes().to_vec();
                removed.remove(at);
                bodies.push(removed);
            }
        }
        for body in &bodies {
            if is_usual_answer(body, 7, 9) {
                // Only the real answers themselves (a byte replaced by the same byte).
                assert!(REAL_ANSWERS.iter().any(|real| real.as_bytes() == body));
                assert_eq!(parse_add(body, 7, 9), Some(Ok(())));
            }
        }
    }

    #[test]
    fn a_payload_is_verified_byte_by_byte() {
        use base64::Engine;
        let size = crate::servers::PAYLOAD_BYTES;
        let text = |t: &str| {
            serde_json::to_vec(&serde_json::json!({"jsonrpc":"2.0","id":7,"result":{
                "content":[{"type":"text","text":t}],"isError":false}}))
            .expect("JSON")
        };
        assert_eq!(Payload::Text.verify(&text(&"x".repeat(size)), 7), Ok(()));
        assert!(Payload::Text.verify(&text(&"x".repeat(size)), 8).is_err());
        assert!(
            Payload::Text
                .verify(&text(&"x".repeat(size - 1)), 7)
                .is_err()
        );
        assert!(
            Payload::Text
                .verify(&text(&format!("{}y", "x".repeat(size - 1))), 7)
                .is_err()
        );
        let blob = |bytes: Vec<u8>| {
            let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
            serde_json::to_vec(&serde_json::json!({"jsonrpc":"2.0","id":7,"result":{
                "contents":[{"uri":"bench://blob","blob":b64}]}}))
            .expect("JSON")
        };
        assert_eq!(Payload::Blob.verify(&blob(vec![0xA5; size]), 7), Ok(()));
        assert!(Payload::Blob.verify(&blob(vec![0xA4; size]), 7).is_err());
        assert!(Payload::Blob.verify(&text(&"x".repeat(size)), 7).is_err());
    }

    #[test]
    fn calls_carry_the_envelope_only_in_the_2026_era() {
        let old: serde_json::Value = serde_json::from_str(&add_body(false, 7, 40)).expect("JSON");
        assert_eq!(old["params"]["arguments"]["a"], 40);
        assert!(old["params"].get("_meta").is_none());
        let new: serde_json::Value = serde_json::from_str(&add_body(true, 7, 40)).expect("JSON");
        assert_eq!(new["id"], 7);
        assert_eq!(new["params"]["name"], "add");
        let meta = &new["params"]["_meta"];
        assert_eq!(
            meta["io.modelcontextprotocol/protocolVersion"],
            MODERN_VERSION
        );
        assert!(meta["io.modelcontextprotocol/clientCapabilities"].is_object());
    }

    #[test]
    fn decimals_are_written_without_allocating() {
        let mut buf = [0; 20];
        assert_eq!(decimal(0, &mut buf), b"0");
        assert_eq!(decimal(16_777_217, &mut buf), b"16777217");
        assert_eq!(decimal(u64::MAX, &mut buf), u64::MAX.to_string().as_bytes());
        // A prefix of the right id is not the right id.
        let long_id =
            r#"{"jsonrpc":"2.0","id":77,"result":{"content":[{"type":"text","text":"9"}]}}"#;
        assert!(!is_usual_answer(long_id.as_bytes(), 7, 9));
        assert_eq!(parse_add(long_id.as_bytes(), 7, 9), None);
    }

    #[test]
    fn sse_data_is_borrowed_unless_split() {
        let body = b"data: one\n\n: comment\ndata:two\r\ndata: three\n\ndata:\n\ndata: last";
        let events: Vec<Cow<'_, [u8]>> = SseData::new(body).collect();
        assert_eq!(
            events,
            [&b"one"[..], &b"two\nthree"[..], &b"last"[..]].map(Cow::Borrowed)
        );
        assert!(matches!(events[0], Cow::Borrowed(_)));
        assert!(matches!(events[1], Cow::Owned(_)));
    }

    #[test]
    fn initialize_answers_its_version() {
        let json = reply(
            false,
            r#"{"jsonrpc":"2.0","id":3,"result":{"protocolVersion":"2025-06-18","capabilities":{}}}"#,
        );
        let version = answer(&json, |j| initialize_version(j, 3));
        assert_eq!(
            version,
            Some(Ok(Some(HeaderValue::from_static("2025-06-18"))))
        );
        assert_eq!(answer(&json, |j| initialize_version(j, 4)), None);
        let error = reply(
            false,
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"x"}}"#,
        );
        assert!(matches!(
            answer(&error, |j| initialize_version(j, 3)),
            Some(Err(BadReply::Error(_)))
        ));
    }
}
