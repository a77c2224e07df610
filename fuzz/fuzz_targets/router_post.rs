//! A whole POST through the axum router of a server written with the macros: headers picked
//! from those MCP reads (valid values, other known values, any bytes), and a body that is any
//! bytes or a JSON-RPC message built from parts (each method with realistic params, then
//! edited), in either era, stateless or in a session (opened by an `initialize` first).
//!
//! Checked: no panic anywhere (libFuzzer aborts on one, even one the server catches); the
//! status is one a POST documents; a 4xx carries a JSON-RPC error in JSON; a 200 carries
//! JSON-RPC in JSON or SSE, answering the request's id; a 202 is empty; and a body ends,
//! unless it is a `subscriptions/listen` stream.
//!
//! One current-thread runtime serves every input, with paused time: a body that does not end
//! times out as soon as nothing else can run, at no cost in real time.

#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use mcp_fuzz::Endpoint;
use serde_json::{Map, Value, json};
use tower::ServiceExt;

/// A JSON value of any shape.
#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(n) => Value::from(*n),
            Json::Float(f) => Value::from(*f),
            Json::Str(s) => Value::from(s.as_str()),
            Json::Arr(items) => items.iter().map(Json::value).collect(),
            Json::Obj(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value()))
                    .collect(),
            ),
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    Accept,
    ContentType,
    Host,
    Origin,
    ProtocolVersion,
    SessionId,
    McpMethod,
    McpName,
    ParamRegion,
    LastEventId,
    ContentLength,
    Authorization,
}

impl Header {
    fn name(self) -> HeaderName {
        match self {
            Header::Accept => header::ACCEPT,
            Header::ContentType => header::CONTENT_TYPE,
            Header::Host => header::HOST,
            Header::Origin => header::ORIGIN,
            Header::ProtocolVersion => HeaderName::from_static("mcp-protocol-version"),
            Header::SessionId => HeaderName::from_static("mcp-session-id"),
            Header::McpMethod => HeaderName::from_static("mcp-method"),
            Header::McpName => HeaderName::from_static("mcp-name"),
            Header::ParamRegion => HeaderName::from_static("mcp-param-region"),
            Header::LastEventId => header::HeaderName::from_static("last-event-id"),
            Header::ContentLength => header::CONTENT_LENGTH,
            Header::Authorization => header::AUTHORIZATION,
        }
    }

    /// Values worth trying, valid ones first.
    fn known(self) -> &'static [&'static str] {
        match self {
            Header::Accept => &[
                "application/json, text/event-stream",
                "application/json",
                "text/event-stream",
                "*/*",
                "application/*;q=0.1, text/*",
                "",
            ],
            Header::ContentType => &[
                "application/json",
                "application/json; charset=utf-8",
                "text/plain",
                "APPLICATION/JSON",
            ],
            Header::Host => &[
                "127.0.0.1:8000",
                "localhost",
                "[::1]:1",
                "evil.example",
                "127.0.0.1:x",
            ],
            Header::Origin => &["http://localhost:3000", "https://evil.example", "null"],
            Header::ProtocolVersion => &[
                "2026-07-28",
                "2025-11-25",
                "2025-03-26",
                "2024-11-05",
                "1.0",
                " 2026-07-28 ",
            ],
            Header::SessionId => &["nope", ""],
            Header::McpMethod => &["tools/call", "tools/list", "ping"],
            Header::McpName => &["add", "locate", "=?base64?bG9jYXRl?=", "=?base64?!?="],
            Header::ParamRegion => &["eu", "=?base64?ZXU=?=", ""],
            Header::LastEventId => &["x/1", "0"],
            Header::ContentLength => &["0", "5", "99999999"],
            Header::Authorization => &["Bearer x", "Basic eA=="],
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Text {
    Known(u8),
    /// The session opened by the `initialize` sent first (or `nope`).
    Session,
    Any(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Edit {
    Remove(Header),
    Set(Header, Text),
    Append(Header, Text),
}

const METHODS: [&str; 20] = [
    "tools/call",
    "tools/list",
    "resources/read",
    "resources/list",
    "resources/templates/list",
    "prompts/get",
    "prompts/list",
    "completion/complete",
    "initialize",
    "ping",
    "server/discover",
    "subscriptions/listen",
    "logging/setLevel",
    "resources/subscribe",
    "tasks/get",
    "notifications/initialized",
    "notifications/cancelled",
    "notifications/roots/list_changed",
    "skills/list",
    "nope/nope",
];

#[derive(Arbitrary, Debug)]
enum Id {
    Int(i64),
    Str(String),
    Any(Json),
}

#[derive(Arbitrary, Debug)]
enum BodyPick {
    Raw(Vec<u8>),
    Message {
        method: u8,
        id: Option<Id>,
        variant: u8,
        /// The 2026-07-28 `_meta` envelope (and the headers that go with it).
        modern: bool,
        capabilities: u8,
        edits: Vec<(u8, Json)>,
    },
    /// A response, as a client answers a server's request.
    Response {
        id: Id,
        result: Json,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    endpoint: u8,
    /// Open a session first (stateful endpoints).
    initialize: bool,
    body: BodyPick,
    edits: Vec<Edit>,
}

fn params(method: &str, variant: u8) -> Value {
    let v = usize::from(variant);
    match method {
        "tools/call" => [
            json!({"name": "add", "arguments": {"a": 1, "b": 2.5}}),
            json!({"name": "echo", "arguments": {"text": "hi", "times": 2}}),
            json!({"name": "locate", "arguments": {"region": "eu", "query": "keys", "floor": 3}}),
            json!({"name": "check", "arguments": {"fail": true, "note": null}}),
            json!({"name": "nope"}),
        ][v % 5]
            .clone(),
        "resources/read" | "resources/subscribe" => {
            let uris = ["library://catalogue", "library://books/7", "file:///a/b%20c", "library://books/x", "x"];
            json!({"uri": uris[v % uris.len()]})
        }
        "prompts/get" => json!({"name": "poem", "arguments": {"topic": "sea", "lines": "3"}}),
        "completion/complete" => [
            json!({"ref": {"type": "ref/resource", "uri": "library://books/{id}"}, "argument": {"name": "id", "value": "1"}}),
            json!({"ref": {"type": "ref/prompt", "name": "poem"}, "argument": {"name": "topic", "value": ""}}),
        ][v % 2]
            .clone(),
        "initialize" => {
            let versions = ["2025-11-25", "2025-06-18", "2024-11-05", "2026-07-28", "x"];
            json!({"protocolVersion": versions[v % versions.len()], "capabilities": {},
                   "clientInfo": {"name": "fuzz", "version": "1"}})
        }
        "logging/setLevel" => {
            let levels = ["debug", "error", "loud"];
            json!({"level": levels[v % 3]})
        }
        "subscriptions/listen" => json!({"notifications": {"toolsListChanged": true, "resourceSubscriptions": ["library://catalogue"]}}),
        "tasks/get" => json!({"taskId": "t-1"}),
        "notifications/cancelled" => json!({"requestId": 1, "reason": "fuzz"}),
        _ => json!({}),
    }
}

const PARAM_KEYS: [&str; 8] = [
    "name",
    "arguments",
    "uri",
    "_meta",
    "cursor",
    "ref",
    "argument",
    "level",
];

/// The body, and the headers a well-behaved client sends with it.
fn body(pick: &BodyPick) -> (Vec<u8>, Option<Value>, Vec<(Header, String)>) {
    match pick {
        BodyPick::Raw(bytes) => (bytes.clone(), None, Vec::new()),
        BodyPick::Response { id, result } => {
            let message = json!({"jsonrpc": "2.0", "id": id_value(id), "result": result.value()});
            (message.to_string().into_bytes(), Some(message), Vec::new())
        }
        BodyPick::Message {
            method,
            id,
            variant,
            modern,
            capabilities,
            edits,
        } => {
            let method = METHODS[usize::from(*method) % METHODS.len()];
            let mut params = params(method, *variant);
            let mut headers = Vec::new();
            if *modern {
                let capabilities = [
                    json!({}),
                    json!({"elicitation": {}}),
                    json!({"extensions": {"io.modelcontextprotocol/tasks": {}}}),
                ][usize::from(*capabilities) % 3]
                    .clone();
                params["_meta"] = json!({
                    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientCapabilities": capabilities,
                });
                headers.push((Header::ProtocolVersion, "2026-07-28".to_owned()));
                headers.push((Header::McpMethod, method.to_owned()));
                let name = params
                    .get("name")
                    .or(params.get("uri"))
                    .and_then(Value::as_str);
                if let Some(name) = name {
                    headers.push((Header::McpName, name.to_owned()));
                }
                if let Some(region) = params.pointer("/arguments/region").and_then(Value::as_str) {
                    headers.push((Header::ParamRegion, region.to_owned()));
                }
            }
            for (key, value) in edits {
                let key = PARAM_KEYS[usize::from(*key) % PARAM_KEYS.len()];
                match value {
                    Json::Null => {
                        params.as_object_mut().map(|p| p.remove(key));
                    }
                    other => params[key] = other.value(),
                }
            }
            let mut message = Map::new();
            message.insert("jsonrpc".into(), "2.0".into());
            if let Some(id) = id {
                message.insert("id".into(), id_value(id));
            }
            message.insert("method".into(), method.into());
            message.insert("params".into(), params);
            let message = Value::Object(message);
            (message.to_string().into_bytes(), Some(message), headers)
        }
    }
}

fn id_value(id: &Id) -> Value {
    match id {
        Id::Int(n) => Value::from(*n),
        Id::Str(s) => Value::from(s.as_str()),
        Id::Any(json) => json.value(),
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a current-thread runtime")
    })
}

/// A response read whole, or `None` for a body still open after five (paused) minutes.
struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    session: Option<HeaderValue>,
    body: Option<Vec<u8>>,
}

async fn send(app: &axum::Router, request: Request<Body>) -> Answer {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().expect("an ASCII content type").to_owned());
    let session = response.headers().get("mcp-session-id").cloned();
    let body = tokio::time::timeout(Duration::from_secs(300), response.into_body().collect())
        .await
        .ok()
        .map(|collected| collected.expect("a body that reads").to_bytes().to_vec());
    Answer {
        status,
        content_type,
        session,
        body,
    }
}

fn base_request(headers: &[(Header, String)]) -> axum::http::request::Builder {
    let mut builder = Request::post("/mcp");
    for (name, value) in headers {
        builder = builder.header(name.name(), value.as_str());
    }
    builder
}

async fn open_session(app: &axum::Router) -> Option<HeaderValue> {
    let body = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "fuzz", "version": "1"}}});
    let request = base_request(&defaults())
        .body(Body::from(body.to_string()))
        .expect("a request");
    let answer = send(app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "initialize");
    answer.session
}

fn defaults() -> Vec<(Header, String)> {
    vec![
        (Header::Accept, "application/json, text/event-stream".into()),
        (Header::ContentType, "application/json".into()),
        (Header::Host, "127.0.0.1:8000".into()),
    ]
}

/// The JSON-RPC messages of an SSE body (its `data:` lines joined per event).
fn sse_messages(body: &str) -> Vec<Value> {
    let mut messages = Vec::new();
    for event in body.split("\n\n").filter(|e| !e.trim().is_empty()) {
        let data: Vec<&str> = event
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| d.strip_prefix(' ').unwrap_or(d))
            .collect();
        let data = data.join("\n");
        if data.is_empty() {
            continue; // a priming event
        }
        let message: Value = serde_json::from_str(&data)
            .unwrap_or_else(|e| panic!("SSE data is not JSON ({e}): {data:?}"));
        messages.push(message);
    }
    messages
}

fn is_jsonrpc(message: &Value) -> bool {
    message["jsonrpc"] == "2.0"
        && (message.get("method").is_some_and(Value::is_string)
            || message.get("result").is_some()
            || message["error"]["code"].is_i64() && message["error"]["message"].is_string())
}

const POST_STATUSES: [u16; 10] = [200, 202, 400, 403, 404, 406, 413, 415, 421, 503];

fuzz_target!(|input: Input| {
    let kind = Endpoint::ALL[usize::from(input.endpoint) % Endpoint::ALL.len()];
    let fresh = matches!(kind, Endpoint::Stateful | Endpoint::StatefulJson).then(|| kind.build());
    let endpoint = fresh.as_ref().unwrap_or_else(|| kind.shared());
    let app = endpoint.router();
    let (bytes, message, client_headers) = body(&input.body);
    runtime().block_on(async {
        let session = match (&fresh, input.initialize) {
            (Some(_), true) => open_session(&app).await,
            _ => None,
        };
        let mut headers = defaults();
        if let Some(session) = &session {
            let session = session.to_str().expect("an ASCII session id").to_owned();
            headers.push((Header::SessionId, session));
            headers.push((Header::ProtocolVersion, "2025-11-25".into()));
        }
        for (name, value) in client_headers {
            headers.retain(|(n, _)| *n != name);
            headers.push((name, value));
        }
        let mut builder = base_request(&headers);
        for edit in &input.edits {
            let Some(map) = builder.headers_mut() else {
                break;
            };
            let (name, text) = match edit {
                Edit::Remove(name) => {
                    map.remove(name.name());
                    continue;
                }
                Edit::Set(name, text) | Edit::Append(name, text) => (name, text),
            };
            let value = match text {
                Text::Known(i) => {
                    HeaderValue::from_static(name.known()[usize::from(*i) % name.known().len()])
                }
                Text::Session => session.clone().unwrap_or(HeaderValue::from_static("nope")),
                Text::Any(bytes) => match HeaderValue::from_bytes(bytes) {
                    Ok(value) => value,
                    Err(_) => continue,
                },
            };
            match edit {
                Edit::Append(..) => map.append(name.name(), value),
                _ => map.insert(name.name(), value).is_some(),
            };
        }
        let request = builder.body(Body::from(bytes)).expect("a request");
        let answer = send(&app, request).await;
        check(&answer, message.as_ref());
    });
    if let Some(endpoint) = fresh {
        endpoint.shutdown();
    }
});

fn check(answer: &Answer, message: Option<&Value>) {
    let status = answer.status.as_u16();
    assert!(POST_STATUSES.contains(&status), "status {status}");
    let method = message
        .and_then(|m| m.get("method"))
        .and_then(Value::as_str);
    let Some(body) = &answer.body else {
        assert_eq!(
            method,
            Some("subscriptions/listen"),
            "a body that does not end"
        );
        assert_eq!(answer.content_type.as_deref(), Some("text/event-stream"));
        return;
    };
    let request_id = message
        .filter(|m| m.get("method").is_some())
        .and_then(|m| m.get("id"));
    let content_type = answer.content_type.as_deref();
    if status == 202 {
        assert!(body.is_empty(), "202 with a body");
        return;
    }
    match content_type {
        Some("application/json") => {
            let reply: Value = serde_json::from_slice(body).unwrap_or_else(|e| {
                panic!(
                    "{status} body is not JSON ({e}): {:?}",
                    String::from_utf8_lossy(body)
                )
            });
            assert!(is_jsonrpc(&reply), "{status}: {reply}");
            if status != 200 {
                assert!(
                    reply["error"]["code"].is_i64(),
                    "{status} without an error: {reply}"
                );
            }
            // A 200 answers the request (an error about the request itself may have no id).
            if let (200, Some(id), Some(_)) = (status, request_id, reply.get("result")) {
                assert_eq!(&reply["id"], id, "{reply}");
            }
        }
        Some("text/event-stream") => {
            assert_eq!(status, 200, "SSE with status {status}");
            let text = std::str::from_utf8(body).expect("an SSE body is UTF-8");
            let messages = sse_messages(text);
            assert!(messages.iter().all(is_jsonrpc), "{text}");
            if let Some(id) = request_id {
                assert!(
                    messages
                        .iter()
                        .any(|m| &m["id"] == id && m.get("method").is_none()),
                    "no answer to {id} in {text}"
                );
            }
        }
        other => panic!("status {status} with content type {other:?}"),
    }
}
