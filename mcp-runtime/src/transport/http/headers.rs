//! The request headers MCP cares about.

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};

use super::error::HttpError;
use crate::protocol::{Era, Message, RequestEnvelope, Version};

/// `Mcp-Session-Id`.
pub(crate) static SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
/// `MCP-Protocol-Version`.
pub(crate) static PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// `Last-Event-ID`.
pub(crate) static LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// The headers every POST reads before its body, found in one pass over the map rather than
/// by a lookup each (hashing the name, then probing): five lookups cost 700 instructions per
/// request (callgrind). Each is its first value, as [`HeaderMap::get`] gives it.
pub(crate) struct Head<'a> {
    map: &'a HeaderMap,
    pub(crate) host: Option<&'a HeaderValue>,
    pub(crate) origin: Option<&'a HeaderValue>,
    accept: Option<&'a HeaderValue>,
    content_type: Option<&'a HeaderValue>,
    protocol_version: Option<&'a HeaderValue>,
}

impl<'a> Head<'a> {
    pub(crate) fn read(map: &'a HeaderMap) -> Self {
        let mut head = Head {
            map,
            host: None,
            origin: None,
            accept: None,
            content_type: None,
            protocol_version: None,
        };
        for (name, value) in map {
            let slot = if name == header::HOST {
                &mut head.host
            } else if name == header::ORIGIN {
                &mut head.origin
            } else if name == header::ACCEPT {
                &mut head.accept
            } else if name == header::CONTENT_TYPE {
                &mut head.content_type
            } else if name == PROTOCOL_VERSION {
                &mut head.protocol_version
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        head
    }

    /// What the `MCP-Protocol-Version` header says.
    pub(crate) fn version(&self) -> VersionHeader {
        let Some(value) = self.protocol_version else {
            return VersionHeader::Absent;
        };
        match version_of(value) {
            Some(version) => VersionHeader::Known(version),
            None => VersionHeader::Unknown(clip(value.as_bytes())),
        }
    }
}

/// The revision an `MCP-Protocol-Version` value names, if this server knows it. A value's only
/// whitespace can be spaces and tabs, which `trim_ascii` trims.
fn version_of(value: &HeaderValue) -> Option<Version> {
    Version::parse_bytes(value.as_bytes().trim_ascii())
}

/// The `MCP-Protocol-Version` header of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VersionHeader {
    /// None was sent.
    Absent,
    /// A revision this server knows.
    Known(Version),
    /// Another value (clipped, for the error).
    Unknown(String),
}

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
    headers.get(&PROTOCOL_VERSION).and_then(version_of)
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

fn accepted(first: Option<&HeaderValue>, headers: &HeaderMap) -> Accepted {
    let mut found = Accepted::default();
    if first.is_some_and(|value| value.as_bytes() == SDK_ACCEPT) {
        // Both admitted: further values cannot take anything away.
        return Accepted {
            json: true,
            sse: true,
        };
    }
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
pub(crate) fn check_post_accept(head: &Head<'_>, json_only: bool) -> Result<(), HttpError> {
    let accepted = accepted(head.accept, head.map);
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
    if accepted(headers.get(header::ACCEPT), headers).sse {
        Ok(())
    } else {
        Err(HttpError::NotAcceptable("text/event-stream"))
    }
}

/// POST bodies must be JSON.
pub(crate) fn check_content_type(head: &Head<'_>) -> Result<(), HttpError> {
    let value = head.content_type.and_then(|v| v.to_str().ok());
    let is_json = value.is_some_and(|v| {
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
pub(crate) fn speaks(
    version: VersionHeader,
    message: Option<&Message>,
) -> Result<Speaks, HttpError> {
    match version {
        VersionHeader::Absent => Ok(Speaks::Handshake(Version::HTTP_DEFAULT)),
        VersionHeader::Known(version) => Ok(match version.era() {
            Era::Handshake => Speaks::Handshake(version),
            Era::Stateless => Speaks::Stateless,
        }),
        VersionHeader::Unknown(value) => match message {
            Some(Message::Request(request))
                if RequestEnvelope::names_a_version(request.params.as_deref()) =>
            {
                Ok(Speaks::Stateless)
            }
            _ => Err(HttpError::UnsupportedVersion(value)),
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

    fn accepted_in(headers: &HeaderMap) -> Accepted {
        accepted(headers.get(header::ACCEPT), headers)
    }

    fn post_accept(headers: &HeaderMap, json_only: bool) -> Result<(), HttpError> {
        check_post_accept(&Head::read(headers), json_only)
    }

    fn content_type(headers: &HeaderMap) -> Result<(), HttpError> {
        check_content_type(&Head::read(headers))
    }

    /// The one pass finds each header as a lookup does (its first value), whatever the
    /// order, and reads the version header into what it names.
    #[test]
    fn the_head_is_read_in_one_pass_as_lookups_read_it() {
        let mut h = HeaderMap::new();
        h.append(
            header::ACCEPT,
            HeaderValue::from_static("text/event-stream"),
        );
        h.append("x-other", HeaderValue::from_static("1"));
        h.append(header::HOST, HeaderValue::from_static("localhost:1"));
        h.append(header::ACCEPT, HeaderValue::from_static("application/json"));
        h.append(header::HOST, HeaderValue::from_static("evil.example"));
        h.append(&PROTOCOL_VERSION, HeaderValue::from_static(" 2025-06-18 "));
        let head = Head::read(&h);
        assert_eq!(head.host, h.get(header::HOST));
        assert_eq!(head.accept, h.get(header::ACCEPT));
        assert_eq!(head.origin, None);
        assert_eq!(head.content_type, None);
        assert_eq!(
            head.version(),
            VersionHeader::Known(Version::parse("2025-06-18").unwrap())
        );
        // Both Accept values count, as before the one pass.
        assert!(check_post_accept(&head, false).is_ok());
        h.insert(&PROTOCOL_VERSION, HeaderValue::from_static("1999-01-01"));
        assert_eq!(
            Head::read(&h).version(),
            VersionHeader::Unknown("1999-01-01".into())
        );
        assert_eq!(
            Head::read(&HeaderMap::new()).version(),
            VersionHeader::Absent
        );
        // Read as bytes: tabs are trimmed as spaces are, and a value that is not text is
        // unknown, clipped as text for the error.
        h.insert(
            &PROTOCOL_VERSION,
            HeaderValue::from_static("\t2026-07-28\t"),
        );
        assert_eq!(
            Head::read(&h).version(),
            VersionHeader::Known(Version::V2026_07_28)
        );
        let opaque = HeaderValue::from_bytes(b"2025-06-18\xff").unwrap();
        h.insert(&PROTOCOL_VERSION, opaque);
        assert_eq!(
            Head::read(&h).version(),
            VersionHeader::Unknown("2025-06-18\u{fffd}".into())
        );
    }

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
        assert_eq!(accepted_in(&whole), both);
        let parsed = with_accept("application/json ,text/event-stream");
        assert_eq!(accepted_in(&parsed), both);
        let mut with_json_only = with_accept("application/json");
        with_json_only.append(
            header::ACCEPT,
            "application/json, text/event-stream".parse().unwrap(),
        );
        assert_eq!(
            accepted_in(&with_json_only),
            both,
            "a later value adds to an earlier one"
        );
    }

    #[test]
    fn accept_ranges() {
        assert!(post_accept(&with_accept("application/json, text/event-stream"), false).is_ok());
        assert!(
            post_accept(
                &with_accept("application/json;q=0.9,text/event-stream"),
                false
            )
            .is_ok()
        );
        assert!(post_accept(&with_accept("*/*"), false).is_ok());
        assert!(post_accept(&with_accept("application/json"), false).is_err());
        assert!(post_accept(&with_accept("application/json"), true).is_ok());
        assert!(post_accept(&HeaderMap::new(), true).is_err());
        assert!(check_get_accept(&with_accept("text/*")).is_ok());
        assert!(check_get_accept(&with_accept("application/json")).is_err());
        assert!(check_get_accept(&with_accept("TEXT/Event-Stream ; q=1")).is_ok());
        assert!(post_accept(&with_accept("application/*, text/*"), false).is_ok());
        assert!(post_accept(&with_accept("application/jsonx, text/event-stream"), false).is_err());
    }

    #[test]
    fn content_types() {
        let mut h = HeaderMap::new();
        assert!(content_type(&h).is_err());
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(content_type(&h).is_ok());
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(content_type(&h).is_err());
    }
}
