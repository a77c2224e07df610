//! The Streamable HTTP transport against live servers on 127.0.0.1: the whole session, the
//! status-code table, and SSE streams.

mod cluster;
mod hostile;
mod lifecycle;
mod middleware;
mod rate_limits;
mod status;
mod streams;
mod timeouts;
