//! OAuth 2.1 resource server for MCP servers built with `mcp-runtime`, as the MCP
//! authorization specification asks.
//!
//! - [`JwtVerifier`] checks JWT access tokens against the issuer's published keys (RFC 8414
//!   or OpenID discovery, JWKS cached and refetched on rotation), including the audience
//!   (RFC 8707: a token minted for another resource is refused).
//! - [`IntrospectionVerifier`] checks opaque tokens with the authorization server (RFC 7662).
//! - [`TokenVerifier`] is the trait for anything else.

mod discovery;
mod error;
mod introspection;
mod jwks;
mod jwt;
mod verifier;

pub use error::{ConfigError, FetchError, InvalidToken, VerifyError};
pub use introspection::IntrospectionVerifier;
pub use jsonwebtoken::Algorithm;
pub use jwt::{DEFAULT_ALGORITHMS, JwtVerifier};
pub use verifier::{TokenVerifier, VerifiedToken};
