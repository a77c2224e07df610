//! How messages reach the engine: Streamable HTTP ([`http`]) and stdio ([`stdio`]).

pub(crate) mod http;
pub(crate) mod stdio;
