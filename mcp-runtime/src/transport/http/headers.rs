//! The request headers MCP cares about.

use axum::http::{HeaderMap, HeaderName, header};

use super::error::HttpError;
use crate::protocol::{Era, Message, RequestEnvelope, Version};

/// `Mcp-Session-Id`.
pub(crate) static SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
/// `MCP-Protocol-Version`.
pub(crate) static PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// `Last-Event-ID`.
pub(crate) static LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

const JSON: &str = "application/json";
const SSE: &str = "text/event-stream";

fn str_header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The session id header, if any.
pub(crate) fn session_id(headers: &HeaderMap) -> Option<&str> {
    str_header(headers, &SESSION_ID)
}

/// The revision the `MCP-Protocol-Version` header names, when it names one this server knows.
pub(crate) fn protocol_version(headers: &HeaderMap) -> Option<Version> {
    str_header(headers, &PROTOCOL_VERSION).and_then(|v| Version::parse(v.trim()))
}

/// The `Last-Event-ID` header, if any.
pub(crate) fn last_event_id(headers: &HeaderMap) -> Option<&str> {
    str_header(headers, &LAST_EVENT_ID)
}

/// Which of the two media types MCP answers with the `Accept` header admits (exactly, by
/// `type/*`, or by `*/*`). One pass over the bytes: this runs on every request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Accepted {
    json: bool,
    sse: bool,
}

/// The `Accept` value the official SDKs send with every POST, compared whole before any
/// parsing: splitting and comparing its ranges cost 400 instructions per request (callgrind).
const SDK_ACCEPT: &[u8] = b"application/json, text/event-stream";

fn accepted(headers: &HeaderMap) -> Accepted {
    let mut found = Accepted::default();
    for value in headers.get_all(header::ACCEPT) {
        if value.as_bytes() == SDK_ACCEPT {
            found = Accepted {
                json: true,
                sse: true,
            };
            continue;
        }
        for part in value.as_bytes().split(|b| *b == b',') {
            let range = part.split(|b| *b == b';').next().unwrap_or_default();
            let range = range.trim_ascii();
            if range == b"*/*" {
                return Accepted {
                    json: true,
                    sse: true,
                };
            }
            found.json |= range.eq_ignore_ascii_case(JSON.as_bytes())
                || range.eq_ignore_ascii_case(b"application/*");
            found.sse |=
                range.eq_ignore_ascii_case(SSE.as_bytes()) || range.eq_ignore_ascii_case(b"text/*");
        }
    }
    found
}

/// POST must accept JSON and SSE (JSON alone when the server only answers JSON).
pub(crate) fn check_post_accept(headers: &HeaderMap, json_only: bool) -> Result<(), HttpError> {
    let accepted = accepted(headers);
    if accepted.json && (json_only || accepted.sse) {
        Ok(())
    } else {
        Err(HttpError::NotAcceptable(
            "both application/json and text/event-stream",
        ))
    }
}

/// GET must accept SSE.
pub(crate) fn check_get_accept(headers: &HeaderMap) -> Result<(), HttpError> {
    if accepted(headers).sse {
        Ok(())
    } else {
        Err(HttpError::NotAcceptable("text/event-stream"))
    }
}

/// POST bodies must be JSON.
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), HttpError> {
    let is_json = str_header(headers, &header::CONTENT_TYPE).is_some_and(|v| {
        // What clients send, compared whole before it is split (250 instructions, callgrind).
        v == JSON
            || v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(JSON))
    });
    if is_json {
        Ok(())
    } else {
        Err(HttpError::UnsupportedMediaType)
    }
}

/// What a request speaks, decided once per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Speaks {
    /// The handshake era, at this revision.
    Handshake(Version),
    /// The 2026-07-28 era: the revision itself is checked against the body's `_meta`.
    Stateless,
}

/// What the request speaks: the revision of its `MCP-Protocol-Version` (2025-03-26 without
/// one). A revision this server does not know is the 2026-07-28 era's when the body carries
/// that era's `_meta` envelope (the client then learns the supported versions in its era's
/// own error), and a 400 otherwise.
pub(crate) fn speaks(headers: &HeaderMap, message: Option<&Message>) -> Result<Speaks, HttpError> {
    let Some(value) = headers.get(&PROTOCOL_VERSION) else {
        return Ok(Speaks::Handshake(Version::HTTP_DEFAULT));
    };
    match value.to_str().ok().and_then(|v| Version::parse(v.trim())) {
        Some(version) => Ok(match version.era() {
            Era::Handshake => Speaks::Handshake(version),
            Era::Stateless => Speaks::Stateless,
        }),
        None => match message {
            Some(Message::Request(request))
                if RequestEnvelope::names_a_version(request.params.as_deref()) =>
            {
                Ok(Speaks::Stateless)
            }
            _ => Err(HttpError::UnsupportedVersion(clip(value.as_bytes()))),
        },
    }
}

/// A client's header value for a message or a log line: lossy UTF-8, at most 200 bytes.
pub(crate) fn clip(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(crate::clip::CLIP_BYTES + 4)];
    crate::clip::clip(&String::from_utf8_lossy(cut)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_accept(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static(v));
        h
    }

    /// The SDKs' value, compared whole, reads as its ranges parsed one by one do.
    #[test]
    fn the_sdks_accept_value_reads_as_parsed() {
        let both = Accepted {
            json: true,
            sse: true,
        };
        let whole = with_accept("application/json, text/event-stream");
        assert_eq!(accepted(&whole), both);
        let parsed = with_accept("application/json ,text/event-stream");
        assert_eq!(accepted(&parsed), both);
        let mut with_json_only = with_accept("application/json");
        with_json_only.append(
            header::ACCEPT,
            "application/json, text/event-stream".parse().unwrap(),
        );
        assert_eq!(
            accepted(&with_json_only),
            both,
            "a later value adds to an earlier one"
        );
    }

    #[test]
    fn accept_ranges() {
        assert!(
            check_post_accept(&with_accept("application/json, text/event-stream"), false).is_ok()
        );
        assert!(
            check_post_accept(
                &with_accept("application/json;q=0.9,text/event-stream"),
                false
            )
            .is_ok()
        );
        assert!(check_post_accept(&with_accept("*/*"), false).is_ok());
        assert!(check_post_accept(&with_accept("application/json"), false).is_err());
        assert!(check_post_accept(&with_accept("application/json"), true).is_ok());
        assert!(check_post_accept(&HeaderMap::new(), true).is_err());
        assert!(check_get_accept(&with_accept("text/*")).is_ok());
        assert!(check_get_accept(&with_accept("application/json")).is_err());
        assert!(check_get_accept(&with_accept("TEXT/Event-Stream ; q=1")).is_ok());
        assert!(check_post_accept(&with_accept("application/*, text/*"), false).is_ok());
        assert!(
            check_post_accept(&with_accept("application/jsonx, text/event-stream"), false).is_err()
        );
    }

    #[test]
    fn content_types() {
        let mut h = HeaderMap::new();
        assert!(check_content_type(&h).is_err());
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(check_content_type(&h).is_ok());
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(check_content_type(&h).is_err());
    }
}
