//! The verifiers and the layer against a stand-in authorization server on 127.0.0.1.

mod introspection;
mod jwt;
mod layer;
mod support;
