//! What a server tells its operators, against live servers: the audit log, read by the
//! process's global subscriber (so a binary of its own). The metrics are in `metrics.rs`.

mod audit;
