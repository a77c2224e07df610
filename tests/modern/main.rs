//! The 2026-07-28 era on the same endpoint as the handshake era: routing and refusals, multi
//! round-trip input, and tasks, spoken to by the client in `support`.

mod era;
mod input;
mod support;
mod tasks;
