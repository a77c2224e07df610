//! The runtime's metrics, named as the OpenTelemetry semantic conventions for MCP say
//! (open-telemetry/semantic-conventions-genai v0.1.0, `docs/gen-ai/mcp.md`):
//! `mcp.server.operation.duration` and `mcp.server.session.duration`, plus gauges of what the
//! server holds (sessions, streams, requests in flight, event store bytes, tasks).
//!
//! Fed where the SERVER spans end (`trace::Traced`) and where a session ends. Without the
//! `otel` or `prometheus` feature every entry here is an empty inline function; with one, the
//! instruments exist only once [`crate::metrics::record_with`] installed them, so a server
//! that exports no metrics pays one atomic load per request and allocates nothing.

#[cfg(feature = "_metrics")]
mod recorder;
#[cfg(feature = "_metrics")]
pub(crate) use recorder::{Operation, install, mark_tool_error, register, session_ended};

#[cfg(not(feature = "_metrics"))]
mod noop;
#[cfg(not(feature = "_metrics"))]
pub(crate) use noop::{Operation, mark_tool_error, register, session_ended};

/// How an operation ended, for `error.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A result (without `isError`).
    Ok,
    /// A `tools/call` result with `isError`.
    ToolError,
    /// A JSON-RPC error with this code.
    Error(i32),
    /// Cancelled: no response was sent.
    Cancelled,
}

/// What a server holds right now, summed over its endpoints for the gauges.
#[cfg_attr(not(feature = "_metrics"), allow(dead_code))] // read only by the metrics recorder
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Readings {
    /// Open sessions.
    pub(crate) sessions: u64,
    /// Open SSE streams.
    pub(crate) streams: u64,
    /// Bytes the event store holds (stores that count them).
    pub(crate) event_store_bytes: u64,
    /// Tasks working in this process.
    pub(crate) tasks_working: u64,
}

/// Something the gauges read when they are collected (an HTTP endpoint, registered with
/// [`register`] while it lives).
#[cfg_attr(not(feature = "_metrics"), allow(dead_code))] // read only by the metrics recorder
pub(crate) trait GaugeSource: Send + Sync {
    /// Adds what it holds to `readings`.
    fn read(&self, readings: &mut Readings);
}
