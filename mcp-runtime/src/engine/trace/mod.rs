//! The SERVER span of each request and notification received, named and attributed as the
//! OpenTelemetry semantic conventions for MCP say (open-telemetry/semantic-conventions-genai
//! v0.1.0, `docs/gen-ai/mcp.md`, status Development), and the CLIENT span of each request the
//! server sends.
//!
//! Plain `tracing` spans: without a subscriber that wants them they cost one callsite check
//! and nothing else (no parsing, no allocation). With the `otel` feature their parent comes
//! from the W3C trace context in `params._meta`, else from the HTTP `traceparent` header, and
//! requests to the client carry the context in their `_meta` ([`otel`]).

#[cfg(feature = "otel")]
mod otel;

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::HeaderMap;
use serde_json::value::RawValue;
use tracing::Span;
use tracing::field::Empty;

use crate::clip::clip;
use crate::engine::Peer;
use crate::engine::metrics;
use crate::protocol::{ErrorObject, Method, Notification, Request, RequestId, Version};

/// How the client is connected (`network.transport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NetworkTransport {
    /// Streamable HTTP.
    Tcp,
    /// stdio.
    Pipe,
}

impl NetworkTransport {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NetworkTransport::Tcp => "tcp",
            NetworkTransport::Pipe => "pipe",
        }
    }
}

/// Where a message arrived: what its span says besides the message itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'a> {
    /// The session's id (`Mcp-Session-Id`), in a session.
    pub(crate) session: Option<&'a str>,
    /// The protocol version the message speaks, when known.
    pub(crate) version: Option<Version>,
    pub(crate) transport: NetworkTransport,
    /// The HTTP request's headers: its `traceparent` is the parent when `_meta` has none.
    pub(crate) headers: Option<&'a HeaderMap>,
}

/// The tool or prompt `params` name, for the metric (unreadable params give none). Spans take
/// their target from the route, which reads the params anyway ([`record_target`]).
fn name_of(params: Option<&RawValue>) -> Option<Cow<'_, str>> {
    #[derive(serde::Deserialize)]
    struct Named<'a> {
        #[serde(borrow)]
        name: Option<Cow<'a, str>>,
    }
    serde_json::from_str::<Named<'_>>(params?.get()).ok()?.name
}

/// The `_meta` of `params`, read only when it may hold a trace context: a request without
/// one (most) costs a substring search, not a parse.
#[cfg(feature = "otel")]
fn trace_meta(params: Option<&RawValue>) -> Option<&RawValue> {
    #[derive(serde::Deserialize)]
    struct Meta<'a> {
        #[serde(borrow, rename = "_meta")]
        meta: Option<&'a RawValue>,
    }
    let params = params.filter(|p| p.get().contains("traceparent"))?;
    serde_json::from_str::<Meta<'_>>(params.get()).ok()?.meta
}

/// The name of every SERVER span.
const SERVER_SPAN: &str = "mcp.server";

/// One callsite for every SERVER span, its fields the convention's attributes, those known
/// when the message arrives set at once (one call into the subscriber, not one per field).
/// `otel.*` are tracing-opentelemetry's: the span's name, kind and status.
fn server_span(
    method: &str,
    id: Option<&RequestId>,
    site: Site<'_>,
    operation: Option<&str>,
) -> Span {
    tracing::info_span!(
        SERVER_SPAN,
        "otel.name" = method,
        "otel.kind" = "server",
        "otel.status_code" = Empty,
        "otel.status_description" = Empty,
        "mcp.method.name" = method,
        "jsonrpc.request.id" = id.map(|id| tracing::field::display(IdText(id))),
        "mcp.session.id" = site.session,
        "mcp.protocol.version" = site.version.map(Version::as_str),
        "mcp.resource.uri" = Empty,
        "gen_ai.operation.name" = operation,
        "gen_ai.tool.name" = Empty,
        "gen_ai.prompt.name" = Empty,
        "network.transport" = site.transport.as_str(),
        "error.type" = Empty,
        "rpc.response.status_code" = Empty,
    )
}

/// What watches a request while it runs: its SERVER span, when a subscriber wants it, and
/// its duration metric, when metrics are installed.
#[derive(Debug)]
pub(crate) struct Observed {
    span: Option<Span>,
    operation: Option<metrics::Operation>,
}

/// What watches `request`; `None` (no allocation) when no subscriber wants its span and no
/// metrics are installed.
pub(crate) fn observe(request: &Request, site: Site<'_>) -> Option<Box<Observed>> {
    let method = clip(request.method.as_str());
    let operation = (request.method == Method::ToolsCall).then_some("execute_tool");
    let span = Some(server_span(&method, Some(&request.id), site, operation))
        .filter(|span| !span.is_disabled());
    let mut operation = metrics::Operation::start(request, site.version, site.transport);
    if span.is_none() && operation.is_none() {
        return None;
    }
    if let Some(operation) = &mut operation
        && operation.wants_target()
        && let Some(name) = name_of(request.params.as_deref())
    {
        operation.set_target(&name);
    }
    if let Some(span) = &span {
        arrived(span, site, request.params.as_deref());
    }
    Some(Box::new(Observed { span, operation }))
}

/// Names the current request's SERVER span for the tool, prompt or resource its params name,
/// once the route has read them (the span does not parse them a second time). The URI is an
/// attribute, never the span's name (high cardinality).
pub(crate) fn record_target(method: &Method, target: &str) {
    let (field, names) = match method {
        Method::ToolsCall => ("gen_ai.tool.name", true),
        Method::PromptsGet => ("gen_ai.prompt.name", true),
        Method::ResourcesRead | Method::ResourcesSubscribe | Method::ResourcesUnsubscribe => {
            ("mcp.resource.uri", false)
        }
        _ => return,
    };
    // Nothing to name when no subscriber was ever set (a load and a branch).
    if !tracing::dispatcher::has_been_set() {
        return;
    }
    // The current span without a handle of it (`Span::current` clones it, and closes the
    // clone).
    tracing::dispatcher::get_default(|dispatch| {
        let current = dispatch.current_span();
        let (Some(id), Some(metadata)) = (current.id(), current.metadata()) else {
            return;
        };
        // Only the request's own span: a layer may have entered one of its own.
        if metadata.name() != SERVER_SPAN {
            return;
        }
        let fields = metadata.fields();
        let Some(field) = fields.field(field) else {
            return;
        };
        let target = clip(target);
        let target: &str = &target;
        let value = [(&field, Some(&target as &dyn tracing::Value))];
        dispatch.record(id, &tracing::span::Record::new(&fields.value_set(&value)));
        // The span's name (`otel.name` is tracing-opentelemetry's alone): its OpenTelemetry
        // span started when the request's span was first entered, and takes a new name only
        // through its own API. A resource's URI never names it (high cardinality).
        #[cfg(feature = "otel")]
        if names {
            otel::rename(id, dispatch, method.as_str(), target);
        }
        #[cfg(not(feature = "otel"))]
        let _ = names;
    });
}

/// Handles a notification inside its SERVER span, measured as the convention's
/// `mcp.server.operation.duration` says for notifications received (until it is acknowledged,
/// which the transport does once `handle` returns).
pub(crate) fn notified<R>(
    notification: &Notification,
    site: Site<'_>,
    handle: impl FnOnce() -> R,
) -> R {
    let measured = metrics::Notified::start(&notification.method, site.version, site.transport);
    let handled = notification_span(notification, site).in_scope(handle);
    if let Some(measured) = measured {
        measured.finish();
    }
    handled
}

/// The SERVER span of a notification (disabled when no subscriber wants it).
pub(crate) fn notification_span(notification: &Notification, site: Site<'_>) -> Span {
    let method = clip(&notification.method);
    let span = server_span(&method, None, site, None);
    if !span.is_disabled() {
        arrived(&span, site, notification.params.as_deref());
    }
    span
}

/// With `otel`, sets the span's parent from the trace context the message carries.
fn arrived(span: &Span, site: Site<'_>, params: Option<&RawValue>) {
    #[cfg(feature = "otel")]
    otel::set_parent(span, trace_meta(params), site.headers);
    #[cfg(not(feature = "otel"))]
    let _ = (span, params, site.headers);
}

/// Records the protocol version on the current request's span, once `initialize` agreed on it.
pub(crate) fn record_version(version: Version) {
    Span::current().record("mcp.protocol.version", version.as_str());
}

/// Marks the current request's span (and its metric) as failed by the tool: a result with
/// `isError` (the JSON-RPC call itself succeeded).
pub(crate) fn record_tool_error() {
    metrics::mark_tool_error();
    let span = Span::current();
    span.record("error.type", "tool_error");
    span.record("otel.status_code", "error");
}

/// Marks `span` as failed with a JSON-RPC error: its code as `error.type` and
/// `rpc.response.status_code`, its message as the status description.
fn record_error(span: &Span, error: &ErrorObject) {
    let code = error.code.to_string();
    span.record("error.type", &*code);
    span.record("rpc.response.status_code", &*code);
    span.record("otel.status_code", "error");
    span.record("otel.status_description", &*clip(&error.message));
}

/// A request id as the convention writes it: the number, or the string unquoted (clipped).
struct IdText<'a>(&'a RequestId);

impl fmt::Display for IdText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => f.write_str(&clip(s)),
        }
    }
}

/// The CLIENT span of a request the server sends (sampling, elicitation, roots); with `otel`
/// its context goes into the request's `_meta`, so the client's work joins the trace.
pub(crate) fn client_request(
    method: &str,
    id: &RequestId,
    params: &mut serde_json::Value,
    peer: &Peer,
) -> Span {
    let span = tracing::info_span!(
        "mcp.client",
        "otel.name" = method,
        "otel.kind" = "client",
        "otel.status_code" = Empty,
        "otel.status_description" = Empty,
        "mcp.method.name" = method,
        "jsonrpc.request.id" = %IdText(id),
        "mcp.session.id" = peer.session_id(),
        "mcp.protocol.version" = peer.protocol_version().map(Version::as_str),
        "error.type" = Empty,
        "rpc.response.status_code" = Empty,
    );
    #[cfg(feature = "otel")]
    if !span.is_disabled() {
        otel::inject(&span, params);
    }
    #[cfg(not(feature = "otel"))]
    let _ = params;
    span
}

/// Marks a CLIENT span as failed: the client's JSON-RPC error, or why no answer came.
pub(crate) fn record_client_failure(span: &Span, error: &crate::engine::PeerError) {
    match error {
        crate::engine::PeerError::Client(error) => record_error(span, error),
        other => {
            let kind = match other {
                crate::engine::PeerError::Timeout(_) => "timeout",
                _ => "_OTHER",
            };
            span.record("error.type", kind);
            span.record("otel.status_code", "error");
            span.record("otel.status_description", tracing::field::display(other));
        }
    }
}

pin_project_lite::pin_project! {
    /// A request's work inside its SERVER span: entered on every poll (so the handler's logs
    /// and spans nest under it), and given the outcome when the work ends, as is its duration
    /// metric. What watches is boxed: 8 bytes in every request's future, and no allocation
    /// without a subscriber or metrics.
    pub(crate) struct Traced<F> {
        observed: Option<Box<Observed>>,
        #[pin]
        work: F,
    }
}

impl<F> Traced<F> {
    pub(crate) fn new(observed: Option<Box<Observed>>, work: F) -> Self {
        Traced { observed, work }
    }

    /// The work `start` makes, made inside the span (as if in its first poll): what it logs
    /// nests under the request's span as the work's own logs do.
    pub(crate) fn start(observed: Option<Box<Observed>>, start: impl FnOnce() -> F) -> Self {
        let work = match observed.as_ref().and_then(|o| o.span.as_ref()) {
            Some(span) => span.in_scope(start),
            None => start(),
        };
        Traced { observed, work }
    }
}

impl<F> Future for Traced<F>
where
    F: Future<Output = Option<Result<Box<RawValue>, ErrorObject>>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(observed) = this.observed.as_deref_mut() else {
            return this.work.poll(cx);
        };
        let ends = observed.operation.is_some();
        if ends {
            metrics::clear_tool_error();
        }
        let poll = match &observed.span {
            Some(span) => span.in_scope(|| this.work.poll(cx)),
            None => this.work.poll(cx),
        };
        let outcome = std::task::ready!(poll);
        if let (Some(span), Some(Err(error))) = (&observed.span, &outcome) {
            record_error(span, error);
        }
        if ends {
            let ended = match &outcome {
                None => metrics::Outcome::Cancelled,
                Some(Err(error)) => metrics::Outcome::Error(error.code),
                Some(Ok(_)) if metrics::tool_error_marked() => metrics::Outcome::ToolError,
                Some(Ok(_)) => metrics::Outcome::Ok,
            };
            if let Some(operation) = observed.operation.take() {
                operation.finish(ended);
            }
        }
        Poll::Ready(outcome)
    }
}

#[cfg(test)]
mod tests;
