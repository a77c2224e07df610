//! The checks a 2026-07-28 POST passes before it is served, first failure wins: the `_meta`
//! envelope (-32602), the routing headers against the body (-32020), the protocol version
//! (-32022) and the `Mcp-Param-*` headers of a tool call (-32020).

use axum::http::{HeaderMap, HeaderName};
use serde_json::{Map, Value};

use super::super::{App, headers};
use crate::engine::principal::Principal;
use crate::protocol::{Era, ErrorObject, Method, Request, RequestEnvelope, Version, error_codes};
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

/// The one value of a routing header: `Ok(None)` when absent, an error when repeated or not
/// visible ASCII.
fn single<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Result<Option<&'a str>, ErrorObject> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(mismatch(format!("{name} header appears more than once")));
    }
    first
        .to_str()
        .map(|v| Some(v.trim_matches([' ', '\t'])))
        .map_err(|_| mismatch(format!("{name} header contains invalid characters")))
}

/// Runs the checks for a request from `caller`; returns the request's envelope.
pub(crate) fn check(
    app: &App,
    headers: &HeaderMap,
    request: &Request,
    caller: Option<&Principal>,
) -> Result<RequestEnvelope, ErrorObject> {
    let header_version = single(headers, &headers::PROTOCOL_VERSION)?;
    let header_method = single(headers, &METHOD)?;
    let header_name = single(headers, &NAME)?;
    let envelope = RequestEnvelope::parse(request.params.as_deref())
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
    // Parsed once, and failing closed: params the checks cannot read are refused, never
    // waved through to a handler that might read them after all.
    let params: Option<Map<String, Value>> = match request.params.as_deref() {
        None => None,
        Some(raw) => Some(serde_json::from_str(raw.get()).map_err(|e| {
            ErrorObject::invalid_params(format!("params must be a readable JSON object: {e}"))
        })?),
    };
    if let Some(field) = request.method.name_field() {
        let body = params
            .as_ref()
            .and_then(|p| p.get(field))
            .and_then(Value::as_str);
        if let Some(body) = body {
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
    }
    if Version::parse(&envelope.protocol_version).map(Version::era) != Some(Era::Stateless) {
        return Err(crate::engine::unsupported_version(
            &envelope.protocol_version,
        ));
    }
    if request.method == Method::ToolsCall {
        check_param_headers(app, headers, params.as_ref(), caller)?;
    }
    Ok(envelope)
}

fn check_param_headers(
    app: &App,
    headers: &HeaderMap,
    params: Option<&Map<String, Value>>,
    caller: Option<&Principal>,
) -> Result<(), ErrorObject> {
    let Some(tool) = params.and_then(|p| p.get("name")).and_then(Value::as_str) else {
        return Ok(());
    };
    let registry = app.dispatcher.handle().registry();
    if !registry.callable(tool, caller) {
        return Ok(()); // the dispatcher refuses unknown tools (and those hidden from the caller)
    }
    let arguments = params
        .and_then(|p| p.get("arguments"))
        .and_then(Value::as_object);
    let header = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    };
    // A tool added at run time is read now: its annotations are not among those of start-up.
    let added = registry.run_time_tool(tool, caller);
    let checked = match added {
        None => app.param_headers.check(tool, arguments, header),
        Some(added) => {
            ParamHeaders::new(std::slice::from_ref(added.tool())).check(tool, arguments, header)
        }
    };
    checked.map_err(mismatch)
}
