//! The audit log ([`Audit`]): one structured `tracing` event per request, at its end.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use serde_json::value::RawValue;
use tower_layer::Layer;
use tower_service::Service;

use super::{McpFuture, McpRequest, McpResult, McpService};
use crate::clip::clip;
use crate::engine::metrics::{self, Outcome};
use crate::protocol::{ErrorObject, Method};

/// The `tracing` target of the audit events: filter them to a sink of their own with it
/// (`RUST_LOG=mcp_runtime::audit=info`, or a per-layer filter).
pub const AUDIT_TARGET: &str = "mcp_runtime::audit";

/// The audit log, as a layer: one `INFO` event at the target [`AUDIT_TARGET`] when each
/// request it wraps ends, with the fields `principal`, `session`, `method`, `tool` (or
/// `prompt`), `duration_ms`, `outcome` (`ok`, `tool_error`, `cancelled`, or the JSON-RPC error
/// code) and `arguments`, which says `redacted` unless [`arguments`](Self::arguments) is on.
///
/// Where it sits says what it sees: outermost, it logs requests a [`RateLimit`](super::RateLimit)
/// refused too (outcome `-32000`); the duration is that of the layers inside it and the
/// handler. A tool call run as a task is logged when its task ends.
///
/// ```
/// use mcp_runtime::ServerConfig;
/// use mcp_runtime::middleware::Audit;
///
/// // Arguments may hold personal data: logged only when asked for.
/// let config = ServerConfig::new().layer(Audit::new().arguments(true));
/// assert!(!config.layers.is_empty());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Audit {
    /// Whether a tool call's `arguments` (clipped to 256 bytes) go into its event. Default:
    /// `false`, `arguments = "redacted"`.
    pub log_arguments: bool,
}

impl Audit {
    /// An audit log without arguments.
    ///
    /// ```
    /// assert!(!mcp_runtime::middleware::Audit::new().log_arguments);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`log_arguments`](Self::log_arguments).
    ///
    /// ```
    /// assert!(mcp_runtime::middleware::Audit::new().arguments(true).log_arguments);
    /// ```
    pub fn arguments(mut self, on: bool) -> Self {
        self.log_arguments = on;
        self
    }
}

impl<'a> Layer<McpService<'a>> for Audit {
    type Service = Audited<'a>;

    fn layer(&self, inner: McpService<'a>) -> Audited<'a> {
        Audited { inner, log: *self }
    }
}

/// The service of [`Audit`].
#[derive(Debug)]
pub struct Audited<'a> {
    inner: McpService<'a>,
    log: Audit,
}

impl<'a> Service<McpRequest> for Audited<'a> {
    type Response = Box<RawValue>;
    type Error = ErrorObject;
    type Future = McpFuture<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: McpRequest) -> McpFuture<'a> {
        let record = AuditRecord::new(&self.log, &request);
        Box::pin(Recorded {
            work: self.inner.call(request),
            record: Some(record),
        })
    }
}

/// A request's work and its audit record, written when the work ends or is dropped (the
/// request was cancelled).
struct Recorded<'a> {
    work: McpFuture<'a>,
    record: Option<AuditRecord>,
}

impl Future for Recorded<'_> {
    type Output = McpResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<McpResult> {
        metrics::clear_tool_error();
        let result = std::task::ready!(self.work.as_mut().poll(cx));
        let outcome = match &result {
            Err(error) => Outcome::Error(error.code),
            Ok(_) if metrics::tool_error_marked() => Outcome::ToolError,
            Ok(_) => Outcome::Ok,
        };
        if let Some(record) = self.record.take() {
            record.finish(outcome);
        }
        Poll::Ready(result)
    }
}

impl Drop for Recorded<'_> {
    fn drop(&mut self) {
        if let Some(record) = self.record.take() {
            record.finish(Outcome::Cancelled);
        }
    }
}

/// One request being audited.
#[derive(Debug)]
struct AuditRecord {
    start: Instant,
    method: Method,
    principal: Option<String>,
    session: Option<String>,
    /// The tool or prompt named in the params.
    target: Option<String>,
    /// The arguments' JSON, clipped, when the log takes them.
    arguments: Option<String>,
}

impl AuditRecord {
    fn new(log: &Audit, request: &McpRequest) -> Self {
        let arguments = match (log.log_arguments, &request.method) {
            (true, Method::ToolsCall) => arguments_of(request.params.as_deref()),
            _ => None,
        };
        AuditRecord {
            start: Instant::now(),
            method: request.method.clone(),
            principal: request.principal().map(|p| p.as_str().to_owned()),
            session: request.session_id().map(str::to_owned),
            target: request.target().map(|t| clip(&t).into_owned()),
            arguments,
        }
    }

    /// Writes the event.
    fn finish(self, outcome: Outcome) {
        let outcome: std::borrow::Cow<'static, str> = match outcome {
            Outcome::Ok => "ok".into(),
            Outcome::ToolError => "tool_error".into(),
            Outcome::Cancelled => "cancelled".into(),
            Outcome::Error(code) => code.to_string().into(),
        };
        let duration_ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (tool, prompt) = match self.method {
            Method::ToolsCall => (self.target.as_deref(), None),
            Method::PromptsGet => (None, self.target.as_deref()),
            _ => (None, None),
        };
        let arguments = match (&self.arguments, self.method == Method::ToolsCall) {
            (Some(arguments), _) => arguments.as_str(),
            (None, true) => "redacted",
            (None, false) => "",
        };
        tracing::info!(
            target: AUDIT_TARGET,
            principal = self.principal.as_deref().unwrap_or(""),
            session = self.session.as_deref().unwrap_or(""),
            method = &*clip(self.method.as_str()),
            tool = tool.unwrap_or(""),
            prompt = prompt.unwrap_or(""),
            duration_ms,
            outcome = &*outcome,
            arguments,
            "mcp request"
        );
    }
}

/// The `arguments` of a tool call's params, clipped.
fn arguments_of(params: Option<&RawValue>) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Call<'a> {
        #[serde(borrow)]
        arguments: Option<&'a RawValue>,
    }
    let call: Call<'_> = serde_json::from_str(params?.get()).ok()?;
    call.arguments.map(|a| clip(a.get()).into_owned())
}
