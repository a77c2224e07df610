//! The checks a 2026-07-28 POST passes before it is served, first failure wins: the `_meta`
//! envelope (-32602), the routing headers against the body (-32020), the protocol version
//! (-32022) and the `Mcp-Param-*` headers of a tool call (-32020).

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::super::{App, headers};
use crate::engine::StatelessCall;
use crate::engine::principal::{Caller, Principal};
use crate::engine::registry::ToolRoute;
use crate::protocol::envelope::{EnvelopeError, StatelessParams};
use crate::protocol::{Era, ErrorObject, Method, Request, Version, error_codes};
use crate::transport::http::stateless::param_headers::{ParamHeaders, decode_header_value};

/// `Mcp-Method`.
static METHOD: HeaderName = HeaderName::from_static("mcp-method");
/// `Mcp-Name`.
static NAME: HeaderName = HeaderName::from_static("mcp-name");

fn mismatch(message: impl Into<String>) -> ErrorObject {
    ErrorObject::new(
        error_codes::HEADER_MISMATCH,
        format!("Header mismatch: {}", message.into()),
    )
}

/// The routing headers of a request, each as [`single`] reads it, found in one pass over the
/// headers rather than one lookup (and hash) each.
struct Routing<'a> {
    version: Option<&'a str>,
    method: Option<&'a str>,
    name: Option<&'a str>,
}

impl<'a> Routing<'a> {
    fn read(headers: &'a HeaderMap) -> Result<Self, ErrorObject> {
        // Each header's values: its first, and whether it has more.
        let mut found: [(Option<&'a HeaderValue>, bool); 3] = [(None, false); 3];
        for (name, value) in headers {
            let slot = if name == headers::PROTOCOL_VERSION {
                &mut found[0]
            } else if name == METHOD {
                &mut found[1]
            } else if name == NAME {
                &mut found[2]
            } else {
                continue;
            };
            match slot.0 {
                None => slot.0 = Some(value),
                Some(_) => slot.1 = true,
            }
        }
        let [version, method, name] = found;
        Ok(Routing {
            version: single(&headers::PROTOCOL_VERSION, version)?,
            method: single(&METHOD, method)?,
            name: single(&NAME, name)?,
        })
    }
}

/// The one value of a routing header, from its first value and whether it has more: `Ok(None)`
/// when absent, an error when repeated or not visible ASCII.
fn single<'a>(
    name: &HeaderName,
    (first, repeated): (Option<&'a HeaderValue>, bool),
) -> Result<Option<&'a str>, ErrorObject> {
    let Some(first) = first else {
        return Ok(None);
    };
    if repeated {
        return Err(mismatch(format!("{name} header appears more than once")));
    }
    first
        .to_str()
        // Only spaces and tabs can surround a visible-ASCII value (trimmed as bytes: a
        // pattern of chars cost 200 instructions per request).
        .map(|v| Some(v.trim_ascii()))
        .map_err(|_| mismatch(format!("{name} header contains invalid characters")))
}

/// Runs the checks for a request from `caller`; returns the call that passed them, boxed (see
/// [`super::serve`]) and built here, where its parts were read: returned to be boxed by the
/// caller, they were copied once more (520 bytes).
pub(crate) fn check(
    app: &App,
    headers: &HeaderMap,
    request: &Request,
    caller: Caller,
) -> Result<Box<StatelessCall>, ErrorObject> {
    let Routing {
        version: header_version,
        method: header_method,
        name: header_name,
    } = Routing::read(headers)?;
    // Read once, and failing closed: params the checks cannot read (not an object, or a
    // field they read given twice) are refused, never waved through to a handler that
    // might read them after all.
    let params: Option<StatelessParams<'_>> = match request.params.as_deref() {
        None => None,
        Some(raw) => Some(StatelessParams::read(raw).map_err(|e| {
            ErrorObject::invalid_params(format!("params must be a readable JSON object: {e}"))
        })?),
    };
    let envelope = params
        .as_ref()
        .map_or(Err(EnvelopeError::MissingMeta), StatelessParams::envelope)
        .map_err(|e| ErrorObject::invalid_params(e.to_string()))?;
    if header_version != Some(envelope.protocol_version.as_str()) {
        return Err(mismatch(format!(
            "MCP-Protocol-Version header {:?} does not match _meta protocol version {:?}",
            header_version.unwrap_or("(missing)"),
            envelope.protocol_version
        )));
    }
    match header_method {
        None => return Err(mismatch("the Mcp-Method header is required")),
        Some(m) if request.method != m => {
            return Err(mismatch(format!(
                "Mcp-Method header {m:?} does not match body method {:?}",
                request.method
            )));
        }
        Some(_) => {}
    }
    // A tool call's params, read from this pass (see `StatelessParams::tool_call`).
    let tool_call = match (&request.method, params.as_ref()) {
        (Method::ToolsCall, Some(params)) => params.tool_call(),
        _ => None,
    };
    // The field `Mcp-Name` mirrors (a tool call's `name`), read once: from the tool call
    // when it has the plain shape (reading it again cost 350 instructions, callgrind).
    let routed = match &tool_call {
        Some(call) => Some(std::borrow::Cow::Borrowed(call.name.as_str())),
        None => request
            .method
            .name_field()
            .and_then(|field| params.as_ref().and_then(|p| p.string(field))),
    };
    if let Some(body) = routed.as_deref() {
        let Some(raw) = header_name else {
            return Err(mismatch(format!(
                "the Mcp-Name header is required for {}",
                request.method
            )));
        };
        if decode_header_value(raw).as_deref() != Some(body) {
            return Err(mismatch(format!(
                "Mcp-Name header value {:?} does not match body value {:?}",
                headers::clip(raw.as_bytes()),
                headers::clip(body.as_bytes())
            )));
        }
    }
    if Version::parse(&envelope.protocol_version).map(Version::era) != Some(Era::Stateless) {
        return Err(crate::engine::unsupported_version(
            &envelope.protocol_version,
        ));
    }
    if request.method == Method::ToolsCall
        && let (Some(params), Some(tool)) = (params.as_ref(), routed.as_deref())
    {
        check_param_headers(app, headers, params, tool, caller.principal.as_ref())?;
    }
    let retry = params
        .as_ref()
        .map(StatelessParams::retry)
        .unwrap_or_default();
    Ok(Box::new(StatelessCall {
        envelope,
        retry,
        tool_call,
        outbound: None,
        // The request's peer is its own and this era has no `notifications/cancelled`:
        // nothing cancels this token but the shutdown (see `post::dispatch`).
        cancel: app.sessions.shutdown_token().clone(),
        caller,
    }))
}

/// The `Mcp-Param-*` headers of a call of `tool`.
fn check_param_headers(
    app: &App,
    headers: &HeaderMap,
    params: &StatelessParams<'_>,
    tool: &str,
    caller: Option<&Principal>,
) -> Result<(), ErrorObject> {
    let registry = app.dispatcher.handle().registry();
    let header = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    };
    // One lookup says where the call goes. The dispatcher refuses unknown tools (and those
    // hidden from the caller); a start-up tool without annotations has nothing to check (the
    // annotations cover start-up tools only).
    let checked =
        match registry.route_tool(tool, caller) {
            ToolRoute::Unknown => Ok(()),
            ToolRoute::Static if !app.param_headers.covers(tool) => Ok(()),
            ToolRoute::Static => app
                .param_headers
                .check(tool, params.arguments().as_ref(), header),
            // A tool added at run time is read now: its annotations are not among those of start-up.
            ToolRoute::RunTime(added) => ParamHeaders::new(std::slice::from_ref(added.tool()))
                .check(tool, params.arguments().as_ref(), header),
        };
    checked.map_err(mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            let value = HeaderValue::from_bytes(value).expect("a header value");
            map.append(HeaderName::from_static(name), value);
        }
        map
    }

    /// The one pass over the headers reads each routing header as a lookup of it did: absent,
    /// trimmed, refused when repeated (however far apart) or not visible ASCII.
    #[test]
    fn routing_headers_are_read_in_one_pass() {
        let map = headers(&[
            ("mcp-method", b" tools/call\t"),
            ("content-type", b"application/json"),
            ("mcp-protocol-version", b"2026-07-28"),
        ]);
        let routing = Routing::read(&map).expect("readable");
        assert_eq!(routing.version, Some("2026-07-28"));
        assert_eq!(routing.method, Some("tools/call"));
        assert_eq!(routing.name, None);
        let twice = headers(&[
            ("mcp-name", b"add"),
            ("accept", b"*/*"),
            ("mcp-name", b"add"),
        ]);
        let error = Routing::read(&twice).err().expect("refused");
        assert_eq!(error.code, error_codes::HEADER_MISMATCH);
        assert!(
            error
                .message
                .contains("mcp-name header appears more than once")
        );
        let bad = headers(&[("mcp-method", b"tools/call\xff")]);
        let error = Routing::read(&bad).err().expect("refused");
        assert!(
            error
                .message
                .contains("mcp-method header contains invalid characters")
        );
    }
}
