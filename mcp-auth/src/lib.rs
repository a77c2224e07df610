//! OAuth 2.1 resource server for MCP servers built with `mcp-runtime`, as the MCP
//! authorization specification asks (both protocol eras; it works on HTTP, below them).
//!
//! - [`ResourceServer`] publishes the RFC 9728 Protected Resource Metadata and guards the MCP
//!   endpoint with a tower layer: a request without an acceptable bearer token gets 401 with
//!   `WWW-Authenticate: Bearer resource_metadata="..."`, which is how MCP clients discover
//!   the authorization server; an accepted token becomes the request's
//!   [`Principal`](mcp_runtime::Principal), which binds sessions and tasks to the caller.
//! - [`JwtVerifier`] checks JWT access tokens against the issuer's published keys (RFC 8414
//!   or OpenID discovery, JWKS cached and refetched on rotation), including the audience
//!   (RFC 8707: a token minted for another resource is refused).
//! - [`IntrospectionVerifier`] checks opaque tokens with the authorization server (RFC 7662).
//! - [`TokenVerifier`] is the trait for anything else.
//!
//! Accepted tokens are cached until they expire, so a known token costs a hash and a lookup.
//! An authorization server that is down does not stop the server from starting: requests get
//! 401 (and a WARN log line) until it answers.
//!
//! ```no_run
//! use mcp_auth::{ResourceServer, ResourceServerConfig};
//! use mcp_runtime::{HttpConfig, Mode, StreamableHttp, mcp_server, tool};
//!
//! struct Notes;
//! #[mcp_server]
//! impl Notes {
//!     /// Say hello.
//!     #[tool]
//!     fn hello(&self) -> &'static str { "hello" }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = ResourceServer::new(
//!     ResourceServerConfig::new("http://127.0.0.1:8000/mcp")
//!         .issuer("http://127.0.0.1:3000")
//!         .scopes_supported(["mcp:read", "mcp:admin"]),
//! )?;
//! let mcp = StreamableHttp::new(Notes, HttpConfig::new(Mode::Stateful));
//! let app = auth.protect(mcp.router());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

mod cache;
mod challenge;
mod config;
mod discovery;
mod error;
mod introspection;
mod jwks;
mod jwt;
mod layer;
mod metadata;
mod server;
mod verifier;

pub use config::ResourceServerConfig;
pub use error::{ConfigError, FetchError, InvalidToken, VerifyError};
pub use introspection::IntrospectionVerifier;
pub use jsonwebtoken::Algorithm;
pub use jwt::{DEFAULT_ALGORITHMS, JwtVerifier};
pub use layer::{BearerAuth, BearerAuthLayer, ResponseFuture};
pub use metadata::WELL_KNOWN_PATH;
pub use server::ResourceServer;
pub use verifier::{TokenVerifier, VerifiedToken};
