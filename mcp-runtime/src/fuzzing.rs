//! Crate-private parsers and checks, exposed to the fuzz targets in `fuzz/` only.
//!
//! **Not public API**: compiled only with the `fuzzing` feature (off by default), hidden
//! from the docs, and changed without notice. Each item is a thin wrapper over the function
//! the server itself runs, so a fuzz target exercises the real code, not a copy.
//!
//! The public parts the targets also use need no wrapper: [`Message::parse`],
//! [`RequestEnvelope`](crate::protocol::RequestEnvelope),
//! [`match_uri_template`](crate::convert::match_uri_template), the `ArgumentParser` of
//! `__private`, [`InMemoryEventStore`](crate::store::InMemoryEventStore) (which parses
//! `Last-Event-ID`) and [`StreamableHttp::router`].

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use crate::StreamableHttp;
use crate::engine::principal::Caller;
use crate::protocol::{ErrorObject, Message, Request, RequestEnvelope, Version};
use crate::transport::http::headers::{self, Speaks};
use crate::transport::http::stateless::{ladder, param_headers};

/// What a POST speaks, as the HTTP transport decides it: `Ok(Some(version))` for the
/// handshake era at that revision, `Ok(None)` for the 2026-07-28 era, `Err` (the 400's
/// message) for a version header the server cannot place.
///
/// ```
/// use axum::http::{HeaderMap, HeaderValue};
/// use mcp_runtime::__fuzz::speaks;
/// let mut headers = HeaderMap::new();
/// assert!(matches!(speaks(&headers, None), Ok(Some(_))));
/// headers.insert("mcp-protocol-version", HeaderValue::from_static("2026-07-28"));
/// assert!(matches!(speaks(&headers, None), Ok(None)));
/// headers.insert("mcp-protocol-version", HeaderValue::from_static("1999-01-01"));
/// assert!(speaks(&headers, None).is_err());
/// ```
pub fn speaks(headers: &HeaderMap, message: Option<&Message>) -> Result<Option<Version>, String> {
    match headers::speaks(headers::Head::read(headers).version(), message) {
        Ok(Speaks::Handshake(version)) => Ok(Some(version)),
        Ok(Speaks::Stateless) => Ok(None),
        Err(refusal) => Err(refusal.to_string()),
    }
}

/// The checks a 2026-07-28 request passes before it is served (the `_meta` envelope,
/// `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`, the version, `Mcp-Param-*`), against
/// the tools of `endpoint`.
///
/// ```
/// use axum::http::{HeaderMap, HeaderValue};
/// use mcp_runtime::protocol::Message;
/// use mcp_runtime::{mcp_server, tool, HttpConfig, Mode, StreamableHttp};
///
/// struct Hello;
/// #[mcp_server]
/// impl Hello {
///     /// Greet.
///     #[tool]
///     fn hello(&self) -> &'static str { "hi" }
/// }
///
/// let endpoint = StreamableHttp::new(Hello, HttpConfig::new(Mode::Stateless));
/// let body = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{
///     "io.modelcontextprotocol/protocolVersion":"2026-07-28",
///     "io.modelcontextprotocol/clientCapabilities":{}}}}"#;
/// let Ok(Message::Request(request)) = Message::parse(body) else { panic!() };
/// let mut headers = HeaderMap::new();
/// headers.insert("mcp-protocol-version", HeaderValue::from_static("2026-07-28"));
/// assert_eq!(mcp_runtime::__fuzz::stateless_checks(&endpoint, &headers, &request).unwrap_err().code, -32020);
/// headers.insert("mcp-method", HeaderValue::from_static("tools/list"));
/// assert!(mcp_runtime::__fuzz::stateless_checks(&endpoint, &headers, &request).is_ok());
/// ```
pub fn stateless_checks(
    endpoint: &StreamableHttp,
    headers: &HeaderMap,
    request: &Request,
) -> Result<RequestEnvelope, ErrorObject> {
    ladder::check(&endpoint.app, headers, request, Caller::default()).map(|call| call.envelope)
}

/// An `Mcp-Name` or `Mcp-Param-*` header value decoded (whitespace trimmed, the
/// `=?base64?…?=` sentinel unwrapped); `None` when the sentinel holds bad base64 or UTF-8.
///
/// ```
/// use mcp_runtime::__fuzz::decode_header_value;
/// assert_eq!(decode_header_value(" =?base64?aGk=?= ").as_deref(), Some("hi"));
/// assert_eq!(decode_header_value("=?base64?!?="), None);
/// ```
pub fn decode_header_value(raw: &str) -> Option<String> {
    param_headers::decode_header_value(raw).map(std::borrow::Cow::into_owned)
}

/// Rewrites a JSON Schema into the restricted form of an elicitation's `requestedSchema`,
/// as [`elicitation_schema`](crate::convert::elicitation_schema) does with schemars' output.
///
/// ```
/// use mcp_runtime::__fuzz::restrict_elicitation_schema;
/// let schema = serde_json::json!({"type": "object", "properties": {"n": {"type": ["integer", "null"]}}});
/// let restricted = restrict_elicitation_schema(schema).unwrap();
/// assert_eq!(restricted["properties"]["n"], serde_json::json!({"type": "integer"}));
/// assert!(restrict_elicitation_schema(serde_json::json!([])).is_err());
/// ```
pub fn restrict_elicitation_schema(schema: Value) -> Result<Map<String, Value>, String> {
    crate::engine::context::elicitation_schema::restrict(schema, "Fuzzed")
}
