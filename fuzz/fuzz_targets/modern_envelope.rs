//! The 2026-07-28 request checks: what a POST speaks (`MCP-Protocol-Version`, or the body's
//! `_meta` when the header names an unknown version), then the ladder (`_meta` envelope,
//! `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`, the version, `Mcp-Param-*`).
//!
//! Inputs are built from parts so that most reach the ladder: a body with an envelope, and
//! headers that copy the body (as a client does), pad it, base64-wrap it, or say something
//! else. Two properties:
//! - sound: what the ladder accepts has one header of each kind, equal to the body's value;
//! - complete: a request whose headers all copy its body, at 2026-07-28, is accepted.

#![no_main]

use arbitrary::Arbitrary;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use mcp_fuzz::Endpoint;
use mcp_runtime::__fuzz;
use mcp_runtime::protocol::{
    CLIENT_CAPABILITIES_KEY, CLIENT_INFO_KEY, Era, LOG_LEVEL_KEY, Message, Method,
    PROTOCOL_VERSION_KEY, Version, error_codes,
};
use serde_json::{Map, Value, json};

const METHODS: [&str; 10] = [
    "tools/call",
    "tools/list",
    "resources/read",
    "prompts/get",
    "completion/complete",
    "server/discover",
    "subscriptions/listen",
    "ping",
    "initialize",
    "tasks/get",
];
const VERSIONS: [&str; 5] = [
    "2026-07-28",
    "2025-11-25",
    "2025-06-18",
    "2024-11-05",
    "2099-01-01",
];
const TOOLS: [&str; 4] = ["locate", "add", "echo", "nope"];

#[derive(Arbitrary, Debug)]
enum Pick {
    Known(u8),
    Other(String),
}

impl Pick {
    fn of(&self, list: &[&str]) -> String {
        match self {
            Pick::Known(i) => list[usize::from(*i) % list.len()].to_owned(),
            Pick::Other(s) => s.clone(),
        }
    }
    fn is_known(&self) -> bool {
        matches!(self, Pick::Known(_))
    }
}

/// How a client writes a header from the body's value.
#[derive(Arbitrary, Debug, Clone)]
enum HeaderText {
    Copy,
    Padded,
    Base64,
    Raw(Vec<u8>),
}

impl HeaderText {
    fn faithful(&self) -> bool {
        !matches!(self, HeaderText::Raw(_))
    }
}

#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Empty,
}

impl Json {
    fn value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Int(n) => Value::from(*n),
            Json::Float(f) => Value::from(*f),
            Json::Str(s) => Value::from(s.as_str()),
            Json::Empty => json!({}),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    method: Pick,
    meta_version: Option<Pick>,
    capabilities: Option<Json>,
    client_info: Option<Json>,
    log_level: Option<Json>,
    /// The `name` (tools/call, prompts/get) or `uri` (resources/read) of the params.
    name: Option<Pick>,
    uri_suffix: String,
    region: Option<Json>,
    floor: Option<Json>,
    query: Option<String>,
    /// Params that are not an object.
    params_not_object: Option<Json>,
    version_headers: Vec<HeaderText>,
    version_header_says: Option<Pick>,
    method_headers: Vec<HeaderText>,
    name_headers: Vec<HeaderText>,
    region_headers: Vec<HeaderText>,
    floor_headers: Vec<HeaderText>,
    extra_headers: Vec<(u8, Vec<u8>)>,
}

fn header_value(text: &HeaderText, value: &str) -> Option<HeaderValue> {
    match text {
        HeaderText::Copy => HeaderValue::from_str(value).ok(),
        HeaderText::Padded => HeaderValue::from_str(&format!(" \t{value} ")).ok(),
        HeaderText::Base64 => {
            HeaderValue::from_str(&format!("=?base64?{}?=", STANDARD.encode(value))).ok()
        }
        HeaderText::Raw(bytes) => HeaderValue::from_bytes(bytes).ok(),
    }
}

/// Adds the headers `texts` write of `value`; false when one cannot be written, or when the
/// value is not visible ASCII and so could only have been sent base64-wrapped.
fn add(headers: &mut HeaderMap, name: &'static str, texts: &[HeaderText], value: &str) -> bool {
    let mut faithful = true;
    for text in texts {
        let plain_ok = value.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            && value.trim_matches([' ', '\t']) == value;
        faithful &= text.faithful() && (plain_ok || matches!(text, HeaderText::Base64));
        match header_value(text, value) {
            Some(v) => {
                headers.append(HeaderName::from_static(name), v);
            }
            None => faithful = false,
        }
    }
    faithful
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every value of `name`, trimmed as the ladder trims.
fn values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a [u8]> {
    headers.get_all(name).iter().map(|v| v.as_bytes()).collect()
}

fn decoded_single(headers: &HeaderMap, name: &str) -> Option<String> {
    let all = values(headers, name);
    assert!(all.len() <= 1, "accepted with {} {name} headers", all.len());
    let raw = std::str::from_utf8(all.first()?).expect("accepted a non-ASCII header");
    Some(__fuzz::decode_header_value(raw).expect("accepted a malformed header"))
}

fuzz_target!(|input: Input| {
    let method = input.method.of(&METHODS);
    let mut meta = Map::new();
    if let Some(v) = &input.meta_version {
        meta.insert(PROTOCOL_VERSION_KEY.into(), v.of(&VERSIONS).into());
    }
    if let Some(c) = &input.capabilities {
        meta.insert(CLIENT_CAPABILITIES_KEY.into(), c.value());
    }
    if let Some(c) = &input.client_info {
        meta.insert(CLIENT_INFO_KEY.into(), c.value());
    }
    if let Some(l) = &input.log_level {
        meta.insert(LOG_LEVEL_KEY.into(), l.value());
    }
    let mut params = Map::new();
    params.insert("_meta".into(), Value::Object(meta.clone()));
    let name = input.name.as_ref().map(|n| match method.as_str() {
        "resources/read" => format!("library://books/{}", input.uri_suffix),
        _ => n.of(&TOOLS),
    });
    if let Some(name) = &name {
        let field = if method == "resources/read" {
            "uri"
        } else {
            "name"
        };
        params.insert(field.into(), name.clone().into());
    }
    let mut arguments = Map::new();
    if let Some(region) = &input.region {
        arguments.insert("region".into(), region.value());
    }
    if let Some(floor) = &input.floor {
        arguments.insert("floor".into(), floor.value());
    }
    if let Some(query) = &input.query {
        arguments.insert("query".into(), query.clone().into());
    }
    params.insert("arguments".into(), Value::Object(arguments.clone()));
    let params = match &input.params_not_object {
        Some(other) => other.value(),
        None => Value::Object(params),
    };
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let message = Message::parse(body.to_string().as_bytes());
    let message = message.unwrap_or_else(|e| panic!("{body} is not a message: {e}"));

    // Headers that copy the body (or not).
    let mut headers = HeaderMap::new();
    // What the body says, as sent (params that are not the built object carry no `_meta`).
    let meta_version = body
        .pointer("/params/_meta")
        .and_then(|m| m.get(PROTOCOL_VERSION_KEY))
        .and_then(Value::as_str);
    let says = input
        .version_header_says
        .as_ref()
        .map(|v| v.of(&VERSIONS))
        .or(meta_version.map(str::to_owned))
        .unwrap_or_default();
    let mut faithful = add(
        &mut headers,
        "mcp-protocol-version",
        &input.version_headers,
        &says,
    ) && input.version_headers.len() == 1
        && !matches!(input.version_headers[0], HeaderText::Base64)
        && Some(says.as_str()) == meta_version;
    faithful &= add(&mut headers, "mcp-method", &input.method_headers, &method)
        && input.method_headers.len() == 1
        && !matches!(input.method_headers[0], HeaderText::Base64);
    let name_field = Method::parse(&method).name_field();
    let name_value = name_field
        .and_then(|f| params.get(f))
        .and_then(Value::as_str);
    faithful &= add(
        &mut headers,
        "mcp-name",
        &input.name_headers,
        name_value.unwrap_or("x"),
    ) && input.name_headers.len() == usize::from(name_value.is_some());
    let region = arguments.get("region").filter(|v| !v.is_null());
    let floor = arguments.get("floor").filter(|v| !v.is_null());
    for (texts, value, name) in [
        (&input.region_headers, region, "mcp-param-region"),
        (&input.floor_headers, floor, "mcp-param-floor"),
    ] {
        let rendered = value.and_then(scalar);
        faithful &= add(
            &mut headers,
            name,
            texts,
            rendered.as_deref().unwrap_or("x"),
        ) && texts.len() == usize::from(rendered.is_some());
    }
    for (i, bytes) in &input.extra_headers {
        const NAMES: [&str; 4] = [
            "mcp-param-query",
            "mcp-param-region",
            "mcp-name",
            "mcp-method",
        ];
        if let Ok(v) = HeaderValue::from_bytes(bytes) {
            headers.append(HeaderName::from_static(NAMES[usize::from(*i) % 4]), v);
            faithful = false;
        }
    }

    match __fuzz::speaks(&headers, Some(&message)) {
        Ok(Some(version)) => {
            assert_eq!(version.era(), Era::Handshake);
            return;
        }
        Err(_) => {
            // An unknown version header, and no version in `_meta`.
            assert_eq!(
                meta_version, None,
                "a version in _meta makes the request 2026-07-28"
            );
            return;
        }
        Ok(None) => {}
    }
    let Message::Request(request) = message else {
        panic!("{body} is not a request");
    };

    let endpoint = Endpoint::StatelessJson.shared();
    let outcome = __fuzz::stateless_checks(endpoint, &headers, &request);
    let well_formed = input.method.is_known()
        && matches!(&input.meta_version, Some(v) if v.is_known())
        && meta_version == Some("2026-07-28")
        && meta
            .get(CLIENT_CAPABILITIES_KEY)
            .is_some_and(Value::is_object)
        && matches!(
            meta.get(LOG_LEVEL_KEY),
            None | Some(Value::Null | Value::String(_))
        )
        && input.params_not_object.is_none()
        && (method != "tools/call" || region.is_none_or(|r| scalar(r).is_some()))
        && (method != "tools/call" || floor.is_none_or(|f| scalar(f).is_some()));
    match outcome {
        Ok(envelope) => {
            // Sound: one header of each kind, each equal to the body.
            assert_eq!(
                decoded_single(&headers, "mcp-protocol-version").as_deref(),
                meta_version
            );
            assert_eq!(
                Version::parse(&envelope.protocol_version).map(Version::era),
                Some(Era::Stateless)
            );
            let header_method = values(&headers, "mcp-method");
            assert_eq!(header_method.len(), 1);
            assert_eq!(
                std::str::from_utf8(header_method[0]).map(|m| m.trim_matches([' ', '\t'])),
                Ok(method.as_str())
            );
            if let Some(name) = name_value {
                assert_eq!(decoded_single(&headers, "mcp-name").as_deref(), Some(name));
            }
            if request.method == Method::ToolsCall && name_value == Some("locate") {
                let header = decoded_single(&headers, "mcp-param-region");
                assert_eq!(header.is_some(), region.and_then(scalar).is_some());
                if let (Some(header), Some(Value::String(body))) = (header, region) {
                    assert_eq!(&header, body);
                }
                let header = decoded_single(&headers, "mcp-param-floor");
                assert_eq!(header.is_some(), floor.and_then(scalar).is_some());
            }
        }
        Err(error) => {
            assert!(
                [
                    error_codes::INVALID_PARAMS,
                    error_codes::HEADER_MISMATCH,
                    error_codes::UNSUPPORTED_PROTOCOL_VERSION
                ]
                .contains(&error.code),
                "{error:?}"
            );
            // Complete: a faithful client at 2026-07-28 is never refused.
            assert!(
                !(faithful && well_formed),
                "refused a faithful request: {error:?}\nbody {body}\nheaders {headers:?}"
            );
        }
    }
});
