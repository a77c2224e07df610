//! The checks a 2026-07-28 POST passes before it is served, first failure wins: the `_meta`
//! envelope (-32602), the routing headers against the body (-32020), the protocol version
//! (-32022) and the `Mcp-Param-*` headers of a tool call (-32020).

use axum::http::{HeaderMap, HeaderName};

use super::super::{App, headers};
use crate::engine::principal::Principal;
use crate::protocol::envelope::{EnvelopeError, StatelessParams};
use crate::protocol::{
    CallToolParams, Era, ErrorObject, InputRetry, Method, Request, RequestEnvelope, Version,
    error_codes,
};
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

/// What a request that passed the checks carries for the dispatcher.
pub(crate) struct Checked {
    pub(crate) envelope: RequestEnvelope,
    /// The retry fields of a multi round-trip request (none on a first try).
    pub(crate) retry: InputRetry,
    /// A tool call's params, read by the checks' pass (see [`StatelessParams::tool_call`]).
    pub(crate) tool_call: Option<CallToolParams>,
}

/// Runs the checks for a request from `caller`; returns the request's envelope and retry
/// fields.
pub(crate) fn check(
    app: &App,
    headers: &HeaderMap,
    request: &Request,
    caller: Option<&Principal>,
) -> Result<Checked, ErrorObject> {
    let header_version = single(headers, &headers::PROTOCOL_VERSION)?;
    let header_method = single(headers, &METHOD)?;
    let header_name = single(headers, &NAME)?;
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
    // The field `Mcp-Name` mirrors (a tool call's `name`), read once.
    let routed = request
        .method
        .name_field()
        .and_then(|field| params.as_ref().and_then(|p| p.string(field)));
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
        check_param_headers(app, headers, params, tool, caller)?;
    }
    let retry = params
        .as_ref()
        .map(StatelessParams::retry)
        .unwrap_or_default();
    let tool_call = match (&request.method, params.as_ref()) {
        (Method::ToolsCall, Some(params)) => params.tool_call(),
        _ => None,
    };
    Ok(Checked {
        envelope,
        retry,
        tool_call,
    })
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
    if !registry.callable(tool, caller) {
        return Ok(()); // the dispatcher refuses unknown tools (and those hidden from the caller)
    }
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
        None if !app.param_headers.covers(tool) => Ok(()),
        None => app
            .param_headers
            .check(tool, params.arguments().as_ref(), header),
        Some(added) => ParamHeaders::new(std::slice::from_ref(added.tool())).check(
            tool,
            params.arguments().as_ref(),
            header,
        ),
    };
    checked.map_err(mismatch)
}
