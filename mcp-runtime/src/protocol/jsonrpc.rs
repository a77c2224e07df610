//! The JSON-RPC 2.0 envelope: ids, incoming messages and outgoing frames.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The `jsonrpc` member every message carries.
pub const JSONRPC_VERSION: &str = "2.0";

/// A JSON-RPC request id: a string or an integer (MCP forbids `null`).
///
/// ```
/// use mcp_runtime::protocol::RequestId;
/// let id: RequestId = serde_json::from_str("7").unwrap();
/// assert_eq!(id, RequestId::Number(7));
/// assert_eq!(serde_json::to_string(&RequestId::from("a")).unwrap(), "\"a\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum RequestId {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(Arc<str>),
}

// By hand rather than `#[serde(untagged)]`, which buffers the value first: ids are read
// on every message.
impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Id;
        impl serde::de::Visitor<'_> for Id {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<RequestId, E> {
                i64::try_from(n)
                    .map(RequestId::Number)
                    .map_err(|_| E::custom("integer id out of range"))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(s.into()))
            }
        }
        d.deserialize_any(Id)
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        RequestId::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        RequestId::String(s.into())
    }
}

/// For messages and logs: a string id is quoted and clipped to a few hundred bytes (a client
/// chooses it).
impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => write!(f, "{:?}", crate::clip::clip(s)),
        }
    }
}

/// A JSON-RPC error object.
///
/// ```
/// use mcp_runtime::protocol::ErrorObject;
/// let e = ErrorObject::method_not_found("nope");
/// assert_eq!(e.code, -32601);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error code (see [`error_codes`](crate::protocol::error_codes)).
    pub code: i32,
    /// A short human-readable message.
    pub message: String,
    /// Extra data, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl ErrorObject {
    /// An error with a code and a message and no data.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        ErrorObject {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// -32700: the body is not JSON.
    pub fn parse_error(detail: impl fmt::Display) -> Self {
        Self::new(error_codes::PARSE_ERROR, format!("Parse error: {detail}"))
    }

    /// -32600: JSON, but not a valid JSON-RPC message.
    pub fn invalid_request(detail: impl fmt::Display) -> Self {
        Self::new(
            error_codes::INVALID_REQUEST,
            format!("Invalid request: {detail}"),
        )
    }

    /// -32601: no such method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            error_codes::METHOD_NOT_FOUND,
            format!("Method not found: {}", crate::clip::clip(method)),
        )
    }

    /// -32602: the params are wrong.
    pub fn invalid_params(detail: impl fmt::Display) -> Self {
        Self::new(
            error_codes::INVALID_PARAMS,
            format!("Invalid params: {detail}"),
        )
    }

    /// -32603: the server failed.
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self::new(
            error_codes::INTERNAL_ERROR,
            format!("Internal error: {detail}"),
        )
    }

    /// Attaches `data` to the error.
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ErrorObject {}

/// Standard JSON-RPC and MCP error codes.
pub mod error_codes {
    /// Invalid JSON.
    pub const PARSE_ERROR: i32 = -32700;
    /// Not a valid request object.
    pub const INVALID_REQUEST: i32 = -32600;
    /// Unknown method.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i32 = -32602;
    /// Internal error.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// Generic server error used by transports (the TS and Python SDKs use it too).
    pub const SERVER_ERROR: i32 = -32000;
    /// A resource was not found (2025-11-25).
    pub const RESOURCE_NOT_FOUND: i32 = -32002;
    /// The request was cancelled before it produced a response.
    pub const REQUEST_CANCELLED: i32 = -32800;
    /// 2026-07-28: the HTTP headers do not match the body, or a required header is missing
    /// or malformed (HTTP 400).
    pub const HEADER_MISMATCH: i32 = -32020;
    /// 2026-07-28: the request needs a client capability the client did not declare (HTTP 400).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i32 = -32021;
    /// 2026-07-28: the request's protocol version is not one the server speaks (HTTP 400).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i32 = -32022;
}

/// An incoming JSON-RPC request.
#[derive(Debug)]
pub struct Request {
    /// The request id.
    pub id: RequestId,
    /// The method.
    pub method: super::Method,
    /// The raw params, parsed lazily by the handler that owns them.
    pub params: Option<Box<RawValue>>,
}

/// An incoming JSON-RPC notification.
#[derive(Debug)]
pub struct Notification {
    /// The method name.
    pub method: String,
    /// The raw params.
    pub params: Option<Box<RawValue>>,
}

/// An incoming JSON-RPC response (the client answering a server-to-client request).
#[derive(Debug)]
pub struct Response {
    /// The id of the server's request this answers.
    pub id: RequestId,
    /// The result, or the client's error.
    pub outcome: Result<Box<RawValue>, ErrorObject>,
}

/// Any message a client can send.
#[derive(Debug)]
pub enum Message {
    /// A request: it expects a response.
    Request(Request),
    /// A notification: no response.
    Notification(Notification),
    /// A response to a request the server sent.
    Response(Response),
}

/// The wire shape of every message, classified by [`Message::parse`]. `jsonrpc` and `id`
/// borrow from the body; only what the message keeps is copied out.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    jsonrpc: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    method: Option<std::borrow::Cow<'a, str>>,
    params: Option<Box<RawValue>>,
    result: Option<Box<RawValue>>,
    error: Option<ErrorObject>,
}

/// Keeps a field that is present with the value `null` apart from a missing one.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&'de RawValue>::deserialize(d).map(Some)
}

/// Why a body is not a message.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// Not JSON at all (-32700).
    #[error("{0}")]
    Parse(serde_json::Error),
    /// JSON, but not a JSON-RPC message (-32600).
    #[error("{0}")]
    Invalid(String),
}

impl MessageError {
    /// The JSON-RPC error object to answer with.
    pub fn to_error_object(&self) -> ErrorObject {
        match self {
            MessageError::Parse(e) => ErrorObject::parse_error(e),
            MessageError::Invalid(m) => ErrorObject::invalid_request(m),
        }
    }
}

impl Message {
    /// Parses and classifies one message.
    ///
    /// ```
    /// use mcp_runtime::protocol::Message;
    /// let m = Message::parse(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).unwrap();
    /// assert!(matches!(m, Message::Request(r) if r.method == "ping"));
    /// assert!(Message::parse(b"{").is_err());
    /// ```
    pub fn parse(body: &[u8]) -> Result<Message, MessageError> {
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'[') {
            // Validate it is JSON first, so a broken array is still a parse error.
            serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(MessageError::Parse)?;
            return Err(MessageError::Invalid(
                "JSON-RPC batches are not supported; send one message per request".into(),
            ));
        }
        if first != Some(&b'{') {
            serde_json::from_slice::<serde::de::IgnoredAny>(body).map_err(MessageError::Parse)?;
            return Err(MessageError::Invalid(
                "a JSON-RPC message must be a JSON object".into(),
            ));
        }
        // Validated as UTF-8 once here, so serde_json reads it as `str` and does not check
        // each string and raw value again.
        let body = std::str::from_utf8(body).map_err(|e| {
            MessageError::Parse(serde::de::Error::custom(format_args!(
                "the body is not UTF-8: {e}"
            )))
        })?;
        // Whether the body is JSON decides between -32700 and -32600, not which error serde
        // met first: a bad field is reported where it is read, before a syntax error further
        // on, and JSON that serde_json cannot decode (a lone surrogate escape in `method`) is
        // a syntax error to it.
        let env: Envelope = serde_json::from_str(body).map_err(|e| {
            match serde_json::from_str::<serde::de::IgnoredAny>(body) {
                Ok(_) => MessageError::Invalid(e.to_string()),
                Err(syntax) => MessageError::Parse(syntax),
            }
        })?;
        match env.jsonrpc.map(RawValue::get) {
            Some("\"2.0\"") => {}
            Some(other) => {
                return Err(MessageError::Invalid(format!(
                    "`jsonrpc` must be \"2.0\", got {other}"
                )));
            }
            None => return Err(MessageError::Invalid("missing `jsonrpc: \"2.0\"`".into())),
        }
        let id = match env.id {
            None => None,
            Some(raw) => Some(parse_id(raw)?),
        };
        match (env.method, id, env.result, env.error) {
            (Some(method), Some(id), None, None) => Ok(Message::Request(Request {
                id,
                method: super::Method::parse(&method),
                params: env.params,
            })),
            (Some(method), None, None, None) => Ok(Message::Notification(Notification {
                method: method.into_owned(),
                params: env.params,
            })),
            (None, Some(id), Some(result), None) => Ok(Message::Response(Response {
                id,
                outcome: Ok(result),
            })),
            (None, Some(id), None, Some(error)) => Ok(Message::Response(Response {
                id,
                outcome: Err(error),
            })),
            (None, None, _, _) => Err(MessageError::Invalid(
                "a message needs a `method` (request or notification) or an `id` with `result` or `error` (response)".into(),
            )),
            _ => Err(MessageError::Invalid(
                "a message must be exactly one of request, notification or response".into(),
            )),
        }
    }
}

fn parse_id(raw: &RawValue) -> Result<RequestId, MessageError> {
    // The usual id, an integer: the raw text is a valid JSON number, so when it parses as an
    // `i64` (no fraction, exponent or overflow) that is its value. `-0` is the exception:
    // serde_json reads it as a float, which is refused.
    let text = raw.get();
    if text != "-0"
        && let Ok(n) = text.parse::<i64>()
    {
        return Ok(RequestId::Number(n));
    }
    serde_json::from_str::<RequestId>(raw.get()).map_err(|_| {
        MessageError::Invalid(format!(
            "`id` must be a string or an integer, got {}",
            raw.get()
        ))
    })
}

/// A message the server sends, serialized once into the bytes of one frame.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Outgoing<'a> {
    /// A successful response.
    Result {
        /// Always "2.0".
        jsonrpc: &'static str,
        /// The id being answered.
        id: &'a RequestId,
        /// The result.
        result: &'a RawValue,
    },
    /// An error response; `id` is `None` when the request's id is unknown.
    Error {
        /// Always "2.0".
        jsonrpc: &'static str,
        /// The id being answered (serialized as `null` when unknown).
        id: Option<&'a RequestId>,
        /// The error.
        error: &'a ErrorObject,
    },
    /// A server-to-client notification or request.
    Call {
        /// Always "2.0".
        jsonrpc: &'static str,
        /// Present for requests.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a RequestId>,
        /// The method.
        method: &'a str,
        /// The params.
        #[serde(skip_serializing_if = "Option::is_none")]
        params: Option<&'a serde_json::Value>,
    },
}

impl Outgoing<'_> {
    /// Serializes the frame to a JSON string.
    pub fn to_json(&self) -> String {
        // Serializing these shapes cannot fail: every field is a string, number or valid raw JSON.
        serde_json::to_string(self).unwrap_or_else(|e| {
            tracing::error!(error = %e, "failed to serialize an outgoing JSON-RPC message");
            String::from(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error: serialization failed"}}"#)
        })
    }
}

/// Builds the JSON text of a response to `id` with `result`.
///
/// Written by hand into one buffer of the exact size: every successful call ends here.
pub fn result_json(id: &RequestId, result: &RawValue) -> String {
    framed_result("", id, result, "")
}

/// The text of the response to `id` with `result` between `before` and `after`, in one buffer
/// of the exact size: an SSE event is written whole, not copied around a response built first.
pub(crate) fn framed_result(
    before: &str,
    id: &RequestId,
    result: &RawValue,
    after: &str,
) -> String {
    let result = result.get();
    let mut out = result_head_after(before, id, result.len() + 1 + after.len());
    out.push_str(result);
    out.push('}');
    out.push_str(after);
    out
}

/// The text of a response to `id` up to its result (`{"jsonrpc":"2.0","id":ID,"result":`), in
/// a buffer with room for `more` bytes after it. The result and a closing `}` complete it.
pub(crate) fn result_head(id: &RequestId, more: usize) -> String {
    result_head_after("", id, more)
}

/// [`result_head`] after `before`.
fn result_head_after(before: &str, id: &RequestId, more: usize) -> String {
    const HEAD: &str = r#"{"jsonrpc":"2.0","id":"#;
    const RESULT: &str = r#","result":"#;
    let mut number = itoa::Buffer::new();
    let quoted;
    let id = match id {
        RequestId::Number(n) => number.format(*n),
        RequestId::String(s) => {
            quoted = serde_json::Value::from(&**s).to_string();
            quoted.as_str()
        }
    };
    let mut out = String::with_capacity(before.len() + HEAD.len() + id.len() + RESULT.len() + more);
    out.push_str(before);
    out.push_str(HEAD);
    out.push_str(id);
    out.push_str(RESULT);
    out
}

/// Builds the JSON text of an error response (`id: null` when `id` is `None`).
pub fn error_json(id: Option<&RequestId>, error: &ErrorObject) -> String {
    Outgoing::Error {
        jsonrpc: JSONRPC_VERSION,
        id,
        error,
    }
    .to_json()
}

/// Builds the JSON text of a notification.
pub fn notification_json(method: &str, params: &serde_json::Value) -> String {
    Outgoing::Call {
        jsonrpc: JSONRPC_VERSION,
        id: None,
        method,
        params: Some(params),
    }
    .to_json()
}

/// Builds the JSON text of a server-to-client request.
pub fn request_json(id: &RequestId, method: &str, params: &serde_json::Value) -> String {
    Outgoing::Call {
        jsonrpc: JSONRPC_VERSION,
        id: Some(id),
        method,
        params: Some(params),
    }
    .to_json()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(body: &str) -> String {
        match Message::parse(body.as_bytes()) {
            Err(MessageError::Invalid(m)) => m,
            other => panic!("expected Invalid for {body}, got {other:?}"),
        }
    }

    #[test]
    fn classifies_the_three_kinds() {
        let req = Message::parse(br#"{"jsonrpc":"2.0","id":"a","method":"m","params":{"x":1}}"#);
        match req.unwrap() {
            Message::Request(r) => {
                assert_eq!(r.id, RequestId::from("a"));
                assert_eq!(r.params.unwrap().get(), r#"{"x":1}"#);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Message::parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap(),
            Message::Notification(n) if n.method == "notifications/initialized"
        ));
        assert!(matches!(
            Message::parse(br#"{"jsonrpc":"2.0","id":3,"result":{}}"#).unwrap(),
            Message::Response(Response {
                id: RequestId::Number(3),
                outcome: Ok(_)
            })
        ));
        assert!(matches!(
            Message::parse(br#"{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"x"}}"#)
                .unwrap(),
            Message::Response(Response { outcome: Err(e), .. }) if e.code == 1
        ));
    }

    #[test]
    fn integer_ids_read_by_the_fast_path_read_as_serde_reads_them() {
        for id in [
            "0",
            "-0",
            "7",
            "-7",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "1e3",
            "1.0",
            "-0.0",
            "\"7\"",
            "\"a\\u0062\"",
            "null",
            "[]",
        ] {
            let raw = RawValue::from_string(id.to_owned()).unwrap();
            let serde = serde_json::from_str::<RequestId>(id).ok();
            assert_eq!(parse_id(&raw).ok(), serde, "{id}");
        }
    }

    #[test]
    fn rejects_malformed_messages() {
        assert!(matches!(
            Message::parse(b"{nope"),
            Err(MessageError::Parse(_))
        ));
        assert!(invalid(r#"{"jsonrpc":"2.0","id":null,"method":"m"}"#).contains("`id`"));
        assert!(invalid(r#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#).contains("`id`"));
        assert!(
            invalid(r#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"m"}"#).contains("`id`")
        );
        assert!(invalid(r#"{"jsonrpc":"2.0","id":{},"method":"m"}"#).contains("`id`"));
        assert!(invalid(r#"{"id":1,"method":"m"}"#).contains("jsonrpc"));
        assert!(invalid(r#"{"jsonrpc":"1.0","id":1,"method":"m"}"#).contains("2.0"));
        assert!(invalid(r#"{"jsonrpc":"2.0"}"#).contains("method"));
        assert!(invalid(r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#).contains("batches"));
        assert!(invalid(r#"{"jsonrpc":"2.0","method":5}"#).contains("string"));
        assert!(invalid(r#"42"#).contains("object"));
        assert!(matches!(Message::parse(b""), Err(MessageError::Parse(_))));
        assert!(matches!(
            Message::parse(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}"),
            Err(MessageError::Parse(e)) if e.to_string().contains("not UTF-8")
        ));
    }

    /// Found by the `message` fuzz target: serde reports a duplicate or mistyped field as
    /// soon as it reads it, before the syntax error further on; and JSON it cannot decode is
    /// a syntax error to it.
    #[test]
    fn a_body_that_is_not_json_is_a_parse_error_whatever_comes_first() {
        for body in [
            r#"{"jsonrpc":"2.0","id":1,"id":1,"method":"m","params":{"a":,}}"#,
            r#"{"jsonrpc":"2.0","method":5,"params":[}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","error":{"code":"x"},"#,
        ] {
            assert!(
                matches!(Message::parse(body.as_bytes()), Err(MessageError::Parse(_))),
                "{body}"
            );
        }
        assert!(invalid(r#"{"jsonrpc":"2.0","id":1,"id":1,"method":"m"}"#).contains("duplicate"));
        assert!(invalid(r#"{"jsonrpc":"2.0","method":"a\ud800b"}"#).contains("escape"));
    }

    #[test]
    fn serializes_frames() {
        let id = RequestId::Number(1);
        let raw = RawValue::from_string("{}".into()).unwrap();
        assert_eq!(
            result_json(&id, &raw),
            r#"{"jsonrpc":"2.0","id":1,"result":{}}"#
        );
        assert_eq!(
            result_json(&RequestId::from("a\"b"), &raw),
            r#"{"jsonrpc":"2.0","id":"a\"b","result":{}}"#
        );
        assert_eq!(
            result_json(&RequestId::Number(-7), &raw),
            r#"{"jsonrpc":"2.0","id":-7,"result":{}}"#
        );
        assert_eq!(
            error_json(None, &ErrorObject::new(-32600, "bad")),
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad"}}"#
        );
        assert_eq!(
            notification_json("n", &serde_json::json!({"a":1})),
            r#"{"jsonrpc":"2.0","method":"n","params":{"a":1}}"#
        );
    }

    #[test]
    fn client_chosen_values_are_clipped_in_messages() {
        let huge = "x".repeat(1 << 20);
        let id = RequestId::String(huge.clone().into());
        assert!(id.to_string().len() < 300);
        let error = ErrorObject::method_not_found(&huge);
        assert!(error.message.len() < 300, "{}", error.message.len());
    }
}
