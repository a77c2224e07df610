//! The 2026-07-28 era on the same endpoint as the handshake era: routing and refusals, multi
//! round-trip input, tasks, and MCP Apps in both eras, spoken to by the client in `support`.

mod apps;
mod era;
mod input;
mod rate_limits;
mod run_time;
mod support;
mod tasks;
