//! The audit log ([`AuditLog`]): one structured `tracing` event per request, at its end.

use std::time::Instant;

use serde_json::value::RawValue;

use super::metrics::Outcome;
use crate::clip::clip;
use crate::protocol::Method;

/// The `tracing` target of the audit events: filter them to a sink of their own with it
/// (`RUST_LOG=mcp_runtime::audit=info`, or a per-layer filter).
pub const AUDIT_TARGET: &str = "mcp_runtime::audit";

/// The audit log ([`ServerConfig::audit`](crate::ServerConfig::audit)): one `INFO` event per
/// request at the target [`AUDIT_TARGET`] when it ends, with the fields `principal`,
/// `session`, `method`, `tool` (or `prompt`), `duration_ms`, `outcome` (`ok`, `tool_error`,
/// `cancelled`, or the JSON-RPC error code) and `arguments`, which says `redacted` unless
/// [`arguments`](Self::arguments) is on.
///
/// ```
/// use mcp_runtime::{AuditLog, ServerConfig};
///
/// // Arguments may hold personal data: logged only when asked for.
/// let config = ServerConfig::new().audit(Some(AuditLog::new().arguments(true)));
/// assert!(config.audit.is_some_and(|audit| audit.log_arguments));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditLog {
    /// Whether a tool call's `arguments` (clipped to 256 bytes) go into its event. Default:
    /// `false`, `arguments = "redacted"`.
    pub log_arguments: bool,
}

impl AuditLog {
    /// An audit log without arguments.
    ///
    /// ```
    /// assert!(!mcp_runtime::AuditLog::new().log_arguments);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`log_arguments`](Self::log_arguments).
    ///
    /// ```
    /// assert!(mcp_runtime::AuditLog::new().arguments(true).log_arguments);
    /// ```
    pub fn arguments(mut self, on: bool) -> Self {
        self.log_arguments = on;
        self
    }
}

/// One request being audited.
#[derive(Debug)]
pub(crate) struct AuditRecord {
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
    pub(crate) fn new(
        log: &AuditLog,
        method: &Method,
        principal: Option<&str>,
        session: Option<&str>,
        target: Option<&str>,
        arguments: Option<&RawValue>,
    ) -> Self {
        AuditRecord {
            start: Instant::now(),
            method: method.clone(),
            principal: principal.map(str::to_owned),
            session: session.map(str::to_owned),
            target: target.map(|t| clip(t).into_owned()),
            arguments: arguments
                .filter(|_| log.log_arguments)
                .map(|a| clip(a.get()).into_owned()),
        }
    }

    /// Writes the event.
    pub(crate) fn finish(self, outcome: Outcome) {
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
