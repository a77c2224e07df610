//! Middleware over MCP requests: tower [`Layer`]s whose services take an [`McpRequest`] (the
//! typed method, its params and who sent it) and answer its result, around the whole server,
//! one method or one tool ([`ServerConfig::layer`](crate::ServerConfig::layer)).
//!
//! The stack is built for each request from the layers whose scope matches it, around the
//! dispatcher's own route; a server without layers takes the route directly and pays nothing.
//! The built-in layers are [`Timeout`], [`RateLimit`] and [`Audit`].

mod audit;
pub(crate) mod rate_limit;
mod timeout;

pub use audit::{AUDIT_TARGET, Audit};
pub use rate_limit::{RateKey, RateLimit};
pub use timeout::Timeout;

use std::borrow::Cow;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use serde_json::value::RawValue;
use tower_layer::Layer;
use tower_service::Service;

use super::dispatch::{Dispatcher, RequestEnv};
use super::input::InputExchange;
use super::principal::Principal;
use crate::protocol::{ErrorObject, Method, RequestId};

/// What a middleware's service answers: the result (its JSON, as the handler made it), or a
/// JSON-RPC error.
pub type McpResult = Result<Box<RawValue>, ErrorObject>;

/// A boxed future of an [`McpResult`].
pub type McpFuture<'a> = Pin<Box<dyn Future<Output = McpResult> + Send + 'a>>;

/// One MCP request on its way to its handler.
///
/// ```
/// use mcp_runtime::middleware::McpRequest;
/// use mcp_runtime::protocol::Method;
///
/// fn is_tool_call(request: &McpRequest) -> bool {
///     request.method == Method::ToolsCall
/// }
/// # let _ = is_tool_call;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct McpRequest {
    /// The JSON-RPC id.
    pub id: RequestId,
    /// The method.
    pub method: Method,
    /// The params, as the client sent them (a layer may replace them).
    pub params: Option<Box<RawValue>>,
    principal: Option<Principal>,
    session: Option<String>,
    tool_timeout: Option<Duration>,
}

impl McpRequest {
    /// A request from `env`'s caller and session.
    pub(crate) fn new(
        id: RequestId,
        method: Method,
        params: Option<Box<RawValue>>,
        env: &RequestEnv,
    ) -> Self {
        McpRequest {
            id,
            method,
            params,
            principal: env.caller.principal.clone(),
            session: env.peer.session_id().map(str::to_owned),
            tool_timeout: None,
        }
    }

    /// How long the tool of a `tools/call` may run when it declares no
    /// `#[tool(timeout = "...")]` of its own, as the innermost [`Timeout`] layer set it.
    ///
    /// ```
    /// # fn f(request: &mcp_runtime::middleware::McpRequest) {
    /// if let Some(limit) = request.tool_timeout() {
    ///     tracing::debug!(?limit, "the tool call has a deadline");
    /// }
    /// # }
    /// ```
    pub fn tool_timeout(&self) -> Option<Duration> {
        self.tool_timeout
    }

    /// Sets [`tool_timeout`](Self::tool_timeout) (what [`Timeout`] does); past it the call is
    /// cancelled and the client gets an `isError` result that says it timed out.
    ///
    /// ```
    /// # fn f(mut request: mcp_runtime::middleware::McpRequest) {
    /// request.set_tool_timeout(Some(std::time::Duration::from_secs(5)));
    /// # }
    /// ```
    pub fn set_tool_timeout(&mut self, limit: Option<Duration>) {
        self.tool_timeout = limit;
    }

    /// Who sent it, when an authentication layer said so.
    ///
    /// ```
    /// # fn f(request: &mcp_runtime::middleware::McpRequest) {
    /// let who = request.principal().map_or("anonymous", |p| p.as_str());
    /// # let _ = who;
    /// # }
    /// ```
    pub fn principal(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    /// The session's id, in a session.
    ///
    /// ```
    /// # fn f(request: &mcp_runtime::middleware::McpRequest) {
    /// let session = request.session_id().unwrap_or("-");
    /// # let _ = session;
    /// # }
    /// ```
    pub fn session_id(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// The tool a `tools/call` (or prompt a `prompts/get`) names; `None` for other methods
    /// or unreadable params.
    ///
    /// ```
    /// # fn f(request: &mcp_runtime::middleware::McpRequest) {
    /// if request.target().as_deref() == Some("delete_everything") {
    ///     // ...
    /// }
    /// # }
    /// ```
    pub fn target(&self) -> Option<Cow<'_, str>> {
        if !matches!(self.method, Method::ToolsCall | Method::PromptsGet) {
            return None;
        }
        target_of(self.params.as_deref())
    }
}

/// The `name` in `params`.
fn target_of(params: Option<&RawValue>) -> Option<Cow<'_, str>> {
    #[derive(serde::Deserialize)]
    struct Named<'a> {
        #[serde(borrow)]
        name: Cow<'a, str>,
    }
    let params = params?;
    serde_json::from_str::<Named<'_>>(params.get())
        .ok()
        .map(|n| n.name)
}

/// The service a layer wraps: the rest of the stack, down to the handler. Always ready.
pub struct McpService<'a> {
    inner: Box<
        dyn Service<
                McpRequest,
                Response = Box<RawValue>,
                Error = ErrorObject,
                Future = McpFuture<'a>,
            > + Send
            + 'a,
    >,
}

impl std::fmt::Debug for McpService<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpService").finish_non_exhaustive()
    }
}

impl<'a> McpService<'a> {
    pub(crate) fn new<S>(service: S) -> Self
    where
        S: Service<McpRequest, Response = Box<RawValue>, Error = ErrorObject> + Send + 'a,
        S::Future: Send + 'a,
    {
        McpService {
            inner: Box::new(Boxing(service, PhantomData)),
        }
    }
}

impl<'a> Service<McpRequest> for McpService<'a> {
    type Response = Box<RawValue>;
    type Error = ErrorObject;
    type Future = McpFuture<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: McpRequest) -> McpFuture<'a> {
        self.inner.call(request)
    }
}

/// A service whose future is boxed (for `'a`).
struct Boxing<'a, S>(S, PhantomData<&'a ()>);

impl<'a, S> Service<McpRequest> for Boxing<'a, S>
where
    S: Service<McpRequest, Response = Box<RawValue>, Error = ErrorObject>,
    S::Future: Send + 'a,
{
    type Response = Box<RawValue>;
    type Error = ErrorObject;
    type Future = McpFuture<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: McpRequest) -> McpFuture<'a> {
        Box::pin(self.0.call(request))
    }
}

/// A tower layer over MCP requests, as the runtime keeps it. Every `L: Layer<McpService<'a>>`
/// (for every `'a`) whose service takes an [`McpRequest`] and answers an [`McpResult`] is
/// one; you do not implement this trait yourself.
pub trait McpLayer: Send + Sync + 'static {
    /// Wraps `inner`.
    fn wrap<'a>(&self, inner: McpService<'a>) -> McpService<'a>;
}

impl<L> McpLayer for L
where
    L: Send + Sync + 'static,
    L: for<'a> Layer<McpService<'a>>,
    for<'a> <L as Layer<McpService<'a>>>::Service:
        Service<McpRequest, Response = Box<RawValue>, Error = ErrorObject> + Send + 'a,
    for<'a> <<L as Layer<McpService<'a>>>::Service as Service<McpRequest>>::Future: Send + 'a,
{
    fn wrap<'a>(&self, inner: McpService<'a>) -> McpService<'a> {
        McpService::new(self.layer(inner))
    }
}

/// Which requests a layer wraps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    Server,
    Method(Method),
    Tool(String),
}

/// The layers of a server, outermost first ([`ServerConfig::layer`](crate::ServerConfig::layer)).
#[derive(Clone, Default)]
pub struct Layers {
    layers: Vec<(Scope, Arc<dyn McpLayer>)>,
}

impl std::fmt::Debug for Layers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.layers.iter().map(|(scope, _)| scope))
            .finish()
    }
}

impl Layers {
    pub(crate) fn push(&mut self, scope: Scope, layer: Arc<dyn McpLayer>) {
        self.layers.push((scope, layer));
    }

    /// Whether there is none.
    ///
    /// ```
    /// assert!(mcp_runtime::ServerConfig::new().layers.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    fn tool_scoped(&self) -> bool {
        self.layers
            .iter()
            .any(|(scope, _)| matches!(scope, Scope::Tool(_)))
    }
}

/// The dispatcher's own route, at the bottom of the stack of a request.
pub(crate) struct Route<'a> {
    pub(crate) dispatcher: &'a Dispatcher,
    pub(crate) env: RequestEnv,
    pub(crate) input: Option<Arc<InputExchange>>,
}

impl<'a> Service<McpRequest> for Route<'a> {
    type Response = Box<RawValue>;
    type Error = ErrorObject;
    type Future = McpFuture<'a>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: McpRequest) -> McpFuture<'a> {
        let dispatcher = self.dispatcher;
        let (env, input) = (self.env.clone(), self.input.clone());
        let McpRequest {
            id,
            method,
            params,
            tool_timeout,
            ..
        } = request;
        Box::pin(dispatcher.route(id, method, params, env, input, tool_timeout))
    }
}

/// A service answering with a function's future: the bottom of a stack that is not the
/// dispatcher's route (a tool call run as a task).
pub(crate) struct ServiceFn<F>(pub(crate) F);

impl<'a, F> Service<McpRequest> for ServiceFn<F>
where
    F: FnMut(McpRequest) -> McpFuture<'a>,
{
    type Response = Box<RawValue>;
    type Error = ErrorObject;
    type Future = McpFuture<'a>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: McpRequest) -> McpFuture<'a> {
        (self.0)(request)
    }
}

/// Runs `request` through the layers whose scope matches it, then `bottom`.
pub(crate) async fn run<'a>(
    layers: &Layers,
    request: McpRequest,
    bottom: McpService<'a>,
) -> McpResult {
    let tool = (layers.tool_scoped() && request.method == Method::ToolsCall)
        .then(|| target_of(request.params.as_deref()).map(Cow::into_owned))
        .flatten();
    let applies = |scope: &Scope| match scope {
        Scope::Server => true,
        Scope::Method(method) => *method == request.method,
        Scope::Tool(name) => tool.as_deref() == Some(name.as_str()),
    };
    let mut service = bottom;
    // Innermost first, so that the first layer added is the outermost.
    for (_, layer) in layers
        .layers
        .iter()
        .rev()
        .filter(|(scope, _)| applies(scope))
    {
        service = layer.wrap(service);
    }
    std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
    service.call(request).await
}

/// The layer that wraps nothing (tower's `Identity`, for the examples and for tests).
pub use tower_layer::Identity;
