//! What a server tells its operators, against live servers: metrics (Prometheus text) and the
//! audit log. Both are process-wide (one set of instruments, one global subscriber), so they
//! have this binary of their own.

mod audit;
mod metrics;
