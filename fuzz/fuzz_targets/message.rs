//! `Message::parse` (every POST body and stdio line) against a reference classifier written
//! with serde_json's generic types: the same verdict (not JSON / not a message / request /
//! notification / response) and, for a message, the same id, method, params and outcome.
//! Then the 2026-07-28 `_meta` envelope of a request: `RequestEnvelope::parse` agrees with
//! `names_a_version` and keeps what `_meta` says.

#![no_main]

use std::fmt;

use libfuzzer_sys::fuzz_target;
use mcp_runtime::protocol::{
    CLIENT_CAPABILITIES_KEY, CLIENT_INFO_KEY, ErrorObject, LOG_LEVEL_KEY, Message, MessageError,
    PROTOCOL_VERSION_KEY, RequestEnvelope, RequestId,
};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// What the reference says a body is.
#[derive(Debug, PartialEq)]
enum Verdict {
    NotJson,
    Invalid,
    Request {
        id: RequestId,
        method: String,
        params: Option<String>,
    },
    Notification {
        method: String,
        params: Option<String>,
    },
    Response {
        id: RequestId,
        outcome: Result<String, ErrorObject>,
    },
}

/// The members of a JSON object, in order, duplicates kept, values raw.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// The reference: JSON-RPC 2.0 as MCP reads it. A member that is `null` counts as absent,
/// except `id` (present and `null` is an invalid id); `jsonrpc` must be the string "2.0".
fn reference(body: &[u8]) -> Verdict {
    if serde_json::from_slice::<IgnoredAny>(body).is_err() {
        return Verdict::NotJson;
    }
    let Ok(text) = std::str::from_utf8(body) else {
        // JSON whose strings are not UTF-8: only the first byte decides what it is.
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        return if first == Some(&b'{') {
            Verdict::NotJson
        } else {
            Verdict::Invalid
        };
    };
    let Ok(Members(members)) = serde_json::from_str::<Members>(text) else {
        return Verdict::Invalid;
    };
    const FIELDS: [&str; 6] = ["jsonrpc", "id", "method", "params", "result", "error"];
    let mut fields: [Option<&RawValue>; 6] = [None; 6];
    for (key, value) in &members {
        if let Some(i) = FIELDS.iter().position(|f| f == key) {
            if fields[i].is_some() {
                return Verdict::Invalid; // a duplicate field
            }
            fields[i] = Some(value);
        }
    }
    let [jsonrpc, id, method, params, result, error] = fields;
    fn non_null(raw: Option<&RawValue>) -> Option<&RawValue> {
        raw.filter(|r| r.get() != "null")
    }
    let method = match non_null(method).map(|m| serde_json::from_str::<String>(m.get())) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(_)) => return Verdict::Invalid,
    };
    let error = match non_null(error).map(|e| serde_json::from_str::<ErrorObject>(e.get())) {
        None => None,
        Some(Ok(e)) => Some(e),
        Some(Err(_)) => return Verdict::Invalid,
    };
    let params = non_null(params).map(|p| p.get().to_owned());
    let result = non_null(result).map(|r| r.get().to_owned());
    match jsonrpc.map(|j| serde_json::from_str::<Value>(j.get())) {
        Some(Ok(Value::String(v))) if v == "2.0" => {}
        _ => return Verdict::Invalid,
    }
    let id = match id.map(|i| serde_json::from_str::<Value>(i.get())) {
        None => None,
        Some(Ok(Value::String(s))) => Some(RequestId::String(s.into())),
        Some(Ok(Value::Number(n))) if n.as_i64().is_some() => {
            Some(RequestId::Number(n.as_i64().unwrap_or_default()))
        }
        Some(_) => return Verdict::Invalid,
    };
    match (method, id, result, error) {
        (Some(method), Some(id), None, None) => Verdict::Request { id, method, params },
        (Some(method), None, None, None) => Verdict::Notification { method, params },
        (None, Some(id), Some(result), None) => Verdict::Response {
            id,
            outcome: Ok(result),
        },
        (None, Some(id), None, Some(error)) => Verdict::Response {
            id,
            outcome: Err(error),
        },
        _ => Verdict::Invalid,
    }
}

fn verdict(parsed: &Result<Message, MessageError>) -> Verdict {
    let raw = |p: &Option<Box<RawValue>>| p.as_ref().map(|p| p.get().to_owned());
    match parsed {
        Err(MessageError::Parse(_)) => Verdict::NotJson,
        Err(MessageError::Invalid(_)) => Verdict::Invalid,
        Ok(Message::Request(r)) => {
            // The method is parsed once into a `Method`: it must give its name back.
            Verdict::Request {
                id: r.id.clone(),
                method: r.method.as_str().to_owned(),
                params: raw(&r.params),
            }
        }
        Ok(Message::Notification(n)) => Verdict::Notification {
            method: n.method.clone(),
            params: raw(&n.params),
        },
        Ok(Message::Response(r)) => Verdict::Response {
            id: r.id.clone(),
            outcome: match &r.outcome {
                Ok(result) => Ok(result.get().to_owned()),
                Err(error) => Err(error.clone()),
            },
        },
    }
}

/// Whether `raw` is an object in which one of `keys` appears more than once.
fn repeats(raw: &str, keys: &[&str]) -> bool {
    serde_json::from_str::<Members>(raw).is_ok_and(|m| {
        keys.iter()
            .any(|k| m.0.iter().filter(|(n, _)| n == k).count() > 1)
    })
}

/// The envelope keeps what `_meta` says, and is there exactly when `_meta` has the required
/// keys with the right types, each once (a `_meta`, or an envelope key in it, given twice is
/// refused: which one counts would be ambiguous).
fn check_envelope(params: Option<&RawValue>) {
    let parsed = RequestEnvelope::parse(params);
    let envelope_keys = [
        PROTOCOL_VERSION_KEY,
        CLIENT_CAPABILITIES_KEY,
        CLIENT_INFO_KEY,
        LOG_LEVEL_KEY,
    ];
    let raw_meta = params
        .and_then(|p| serde_json::from_str::<Members>(p.get()).ok())
        .and_then(|m| m.0.into_iter().find(|(k, _)| k == "_meta"))
        .map(|(_, v)| v);
    let ambiguous = params.is_some_and(|p| repeats(p.get(), &["_meta"]))
        || raw_meta
            .as_deref()
            .is_some_and(|m| repeats(m.get(), &envelope_keys));
    if ambiguous {
        assert!(parsed.is_err(), "an ambiguous envelope is refused");
        assert!(!RequestEnvelope::names_a_version(params), "names_a_version");
        return;
    }
    let meta = match params.map(|p| serde_json::from_str::<Value>(p.get())) {
        // Params that skipping reads but decoding refuses: a lone surrogate escape, which
        // JSON's grammar allows and serde_json's strings do not. The envelope skips keys it
        // does not know (and reads client info leniently), so such a string there may be
        // accepted; the reference, built on `Value`, has no verdict on these params.
        Some(Err(_)) => return,
        Some(Ok(params)) => params.get("_meta").cloned(),
        None => None,
    };
    let Some(Value::Object(meta)) = meta else {
        assert!(parsed.is_err(), "an envelope without a _meta object");
        return;
    };
    let version = meta.get(PROTOCOL_VERSION_KEY);
    assert_eq!(
        RequestEnvelope::names_a_version(params),
        version.is_some(),
        "names_a_version"
    );
    let log_level_ok = matches!(
        meta.get(LOG_LEVEL_KEY),
        None | Some(Value::Null) | Some(Value::String(_))
    );
    let capabilities = meta.get(CLIENT_CAPABILITIES_KEY);
    match (version, capabilities) {
        (Some(Value::String(v)), Some(Value::Object(c))) if log_level_ok => {
            let envelope = parsed.expect("a well-formed envelope is accepted");
            assert_eq!(&envelope.protocol_version, v);
            assert_eq!(&envelope.client_capabilities.0, c);
            assert_eq!(
                envelope.log_level.as_deref(),
                meta.get(LOG_LEVEL_KEY).and_then(Value::as_str)
            );
        }
        _ => assert!(parsed.is_err(), "a malformed envelope is refused"),
    }
}

fuzz_target!(|body: &[u8]| {
    let parsed = Message::parse(body);
    let expected = reference(body);
    assert_eq!(
        verdict(&parsed),
        expected,
        "{:?}",
        String::from_utf8_lossy(body)
    );
    if let Ok(Message::Request(request)) = &parsed {
        check_envelope(request.params.as_deref());
    }
});
