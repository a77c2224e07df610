//! Middleware over MCP requests: tower layers around the whole server
//! ([`ServerConfig::layer`](crate::ServerConfig::layer)), one method
//! ([`layer_for_method`](crate::ServerConfig::layer_for_method)) or one tool
//! ([`layer_for_tool`](crate::ServerConfig::layer_for_tool)). A layer's service takes an
//! [`McpRequest`] (the typed method, its params, the principal and session) and answers an
//! [`McpResult`]; it may answer itself, change the request, or call the service it wraps.
//! Without layers the request takes the dispatcher's route directly, at no cost.
//!
//! A layer of your own is a few lines of tower:
//!
//! ```
//! use std::task::{Context, Poll};
//! use std::time::Instant;
//!
//! use mcp_runtime::middleware::{Layer, McpFuture, McpRequest, McpService, Service};
//! use mcp_runtime::protocol::ErrorObject;
//!
//! /// Logs how long each request took.
//! #[derive(Clone)]
//! struct Timing;
//!
//! impl<'a> Layer<McpService<'a>> for Timing {
//!     type Service = Timed<'a>;
//!     fn layer(&self, inner: McpService<'a>) -> Timed<'a> {
//!         Timed(inner)
//!     }
//! }
//!
//! struct Timed<'a>(McpService<'a>);
//!
//! impl<'a> Service<McpRequest> for Timed<'a> {
//!     type Response = Box<serde_json::value::RawValue>;
//!     type Error = ErrorObject;
//!     type Future = McpFuture<'a>;
//!
//!     fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
//!         self.0.poll_ready(cx)
//!     }
//!
//!     fn call(&mut self, request: McpRequest) -> McpFuture<'a> {
//!         let (method, started) = (request.method.clone(), Instant::now());
//!         let answer = self.0.call(request);
//!         Box::pin(async move {
//!             let result = answer.await;
//!             tracing::info!(method = method.as_str(), elapsed = ?started.elapsed(), ok = result.is_ok());
//!             result
//!         })
//!     }
//! }
//!
//! let config = mcp_runtime::ServerConfig::new().layer(Timing);
//! # let _ = config;
//! ```

pub use crate::engine::middleware::{
    AUDIT_TARGET, Audit, Identity, Layers, McpFuture, McpLayer, McpRequest, McpResult, McpService,
    RateKey, RateLimit, Timeout,
};
pub use tower_layer::Layer;
pub use tower_service::Service;
