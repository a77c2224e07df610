//! [`Timeout`]: how long the tool calls a layer wraps may run.

use std::task::{Context, Poll};
use std::time::Duration;

use tower_layer::Layer;
use tower_service::Service;

use super::{McpFuture, McpRequest, McpService};
use crate::protocol::{ErrorObject, Method};

/// A deadline for the tool calls it wraps, for tools without a `#[tool(timeout = "...")]`
/// of their own: past it the call's future is dropped (which cancels the tool) and the client
/// gets an `isError` result that names the tool and the duration. Other requests pass
/// through.
///
/// The layer sets [`McpRequest::tool_timeout`]; the call is timed where the tool runs, so that
/// the tool's own declaration wins, and of several `Timeout` layers the innermost does (add a
/// server-wide default first, then [`layer_for_tool`](crate::ServerConfig::layer_for_tool)
/// exceptions). Calls run as tasks are timed the same way: the task ends with that result.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::ServerConfig;
/// use mcp_runtime::middleware::Timeout;
///
/// // 30 s for every tool, 5 min for `report`.
/// let config = ServerConfig::new()
///     .layer(Timeout::new(Duration::from_secs(30)))
///     .layer_for_tool("report", Timeout::new(Duration::from_secs(300)));
/// assert!(!config.layers.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout {
    limit: Duration,
}

impl Timeout {
    /// Tool calls may run for `limit`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let timeout = mcp_runtime::middleware::Timeout::new(Duration::from_secs(30));
    /// assert_eq!(timeout.limit(), Duration::from_secs(30));
    /// ```
    pub fn new(limit: Duration) -> Self {
        Timeout { limit }
    }

    /// How long tool calls may run.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(mcp_runtime::middleware::Timeout::new(Duration::ZERO).limit(), Duration::ZERO);
    /// ```
    pub fn limit(&self) -> Duration {
        self.limit
    }
}

impl<'a> Layer<McpService<'a>> for Timeout {
    type Service = Timed<'a>;

    fn layer(&self, inner: McpService<'a>) -> Timed<'a> {
        Timed {
            inner,
            limit: self.limit,
        }
    }
}

/// The service of [`Timeout`].
#[derive(Debug)]
pub struct Timed<'a> {
    inner: McpService<'a>,
    limit: Duration,
}

impl<'a> Service<McpRequest> for Timed<'a> {
    type Response = Box<serde_json::value::RawValue>;
    type Error = ErrorObject;
    type Future = McpFuture<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: McpRequest) -> McpFuture<'a> {
        if request.method == Method::ToolsCall {
            request.set_tool_timeout(Some(self.limit));
        }
        self.inner.call(request)
    }
}
