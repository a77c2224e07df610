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
pub(crate) use recorder::{Notified, Operation, install, register, session_ended};

#[cfg(not(feature = "_metrics"))]
mod noop;
#[cfg(not(feature = "_metrics"))]
pub(crate) use noop::{Notified, Operation, register, session_ended};

use std::cell::Cell;

thread_local! {
    /// Set by `call_tool` when the result has `isError`, read by the request's
    /// `trace::Traced` at the end of the same poll (the result is JSON text by then), for the
    /// metric's and the audit event's outcome.
    static TOOL_ERROR: Cell<bool> = const { Cell::new(false) };
}

/// Marks the request being polled on this thread as failed by its tool (`isError`).
pub(crate) fn mark_tool_error() {
    TOOL_ERROR.with(|flag| flag.set(true));
}

/// Clears the mark, before a request's work is polled.
pub(crate) fn clear_tool_error() {
    TOOL_ERROR.with(|flag| flag.set(false));
}

/// Whether the work polled since [`clear_tool_error`] marked a tool error.
pub(crate) fn tool_error_marked() -> bool {
    TOOL_ERROR.with(Cell::get)
}

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
    /// Tasks by status ([`Dispatcher::task_counts`](crate::engine::Dispatcher::task_counts)).
    pub(crate) tasks: crate::engine::TaskCounts,
}

/// Something the gauges read when they are collected (an HTTP endpoint, registered with
/// [`register`] while it lives).
#[cfg_attr(not(feature = "_metrics"), allow(dead_code))] // read only by the metrics recorder
pub(crate) trait GaugeSource: Send + Sync {
    /// Adds what it holds to `readings`.
    fn read(&self, readings: &mut Readings);
}
