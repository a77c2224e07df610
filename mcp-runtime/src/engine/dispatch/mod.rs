//! Routes a JSON-RPC message to the method that handles it.

mod route;
mod skills;
mod stateless;

pub(crate) use route::{panic_report, panicked_tool, run_tool, start_tool, unknown_tool};
pub(crate) use stateless::{StatelessCall, unsupported_version};

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use futures_util::FutureExt;
use futures_util::future::Either;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use super::ServerConfig;
use super::apps::{self, InvalidServer};
use super::handle::ServerHandle;
use super::input::{Gate, Gated, InputExchange};
use super::limits::Limits;
use super::middleware::{self, McpFuture, McpRequest, McpService};
use super::outbound::Outbound;
use super::principal::{Caller, Principal};
use super::registry::{Base, Declared, Registry};
use super::request_state::RequestStateKey;
use super::skills::Skills;
use super::tasks::Tasks;
use super::trace::{self, NetworkTransport, Site, Traced};
use super::{MCPServer, NotBegun, Peer};
use crate::engine::context::Context;
use crate::handler::scopes::RequiredScopes;
use crate::protocol::{
    CacheHint, CallToolParams, Era, ErrorObject, Implementation, InfoJson, ListChanged, Method,
    Request, RequestId, ResourcesCapability, SKILLS_EXTENSION, ServerCapabilities, TASKS_EXTENSION,
    TaskSupport, Tool, UI_EXTENSION, Version, error_json, result_json,
};

/// Answers MCP methods for one server, whatever the transport. Built once per server: it
/// serializes the lists once.
pub(crate) struct Dispatcher {
    pub(super) server: Arc<dyn MCPServer>,
    pub(super) info: Implementation,
    /// `info` serialized once: every 2026-07-28 result carries it.
    pub(super) info_json: InfoJson,
    /// The server's name, shared by the request states it binds (2026-07-28).
    pub(super) audience: Arc<str>,
    pub(super) instructions: Option<String>,
    pub(super) capabilities: ServerCapabilities,
    page_size: Option<usize>,
    pub(super) handle: ServerHandle,
    /// Signs the `requestState` of multi round-trip requests (2026-07-28).
    pub(super) state_key: RequestStateKey,
    /// `ttlMs`/`cacheScope` of cacheable results when the server gives none (2026-07-28).
    pub(super) cache_hint: CacheHint,
    /// The tools that may run as tasks, and how.
    task_support: HashMap<String, TaskSupport>,
    /// The tasks extension, when a tool may run as a task.
    pub(super) tasks: Option<Arc<Tasks>>,
    /// What one session may hold ([`ServerConfig::limits`]), shared by its peers.
    pub(super) limits: Arc<Limits>,
    /// Whether clients are told the text of a handler's panic.
    pub(super) panic_details: bool,
    /// The OAuth scopes handlers require; `None` when none does (no check, no cost).
    scopes: Option<RequiredScopes>,
    /// The capabilities of `server/discover`: the declared ones and the extensions.
    pub(super) modern_capabilities: ServerCapabilities,
    /// The skills extension, when the server has skills.
    pub(super) skills: Option<Skills>,
    /// How this dispatcher's clients are connected, for spans.
    pub(super) transport: NetworkTransport,
    /// The middleware ([`ServerConfig::layer`]).
    pub(super) layers: super::middleware::Layers,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// A request registered as in flight (see [`Dispatcher::begin`]); dropping it frees the id.
#[derive(Debug)]
pub(crate) struct InFlight {
    _registration: super::peer::InFlightGuard,
}

/// Where one request is being served: its client, its outbound stream, its cancellation.
#[derive(Debug, Clone)]
pub(crate) struct RequestEnv {
    /// The client.
    pub(crate) peer: Arc<Peer>,
    /// Messages related to the request (progress, logs, requests to the client) go here;
    /// `None` when the response is plain JSON and cannot carry them.
    pub(crate) outbound: Option<Outbound>,
    /// Cancelled by `notifications/cancelled` or when the session ends.
    pub(crate) cancel: CancellationToken,
    /// Set when the transport can end the client's stream early and let it resume
    /// (SSE polling); [`Context::close_sse_stream`] notifies it.
    pub(crate) close_stream: Option<Arc<tokio::sync::Notify>>,
    /// Who sent the request, as the transport knows it.
    pub(crate) caller: Caller,
}

impl RequestEnv {
    /// The era the request speaks: its client's negotiated version's (the handshake era
    /// before `initialize`).
    pub(crate) fn era(&self) -> Era {
        self.peer
            .protocol_version()
            .map_or(Era::Handshake, Version::era)
    }

    /// An environment with a fresh cancellation token.
    #[cfg(test)]
    pub(crate) fn new(
        peer: Arc<Peer>,
        outbound: Option<tokio::sync::mpsc::Sender<String>>,
    ) -> Self {
        RequestEnv {
            peer,
            outbound: outbound.map(Outbound::from),
            cancel: CancellationToken::new(),
            close_stream: None,
            caller: Caller::default(),
        }
    }
}

pub(super) fn to_raw<T: Serialize>(value: &T) -> Result<Box<RawValue>, ErrorObject> {
    serde_json::value::to_raw_value(value).map_err(ErrorObject::internal)
}

/// Results carrying at least this much text or data are written into a buffer sized for them.
const SIZED_AHEAD: usize = 64 * 1024;
/// Room in that buffer for what surrounds the payload.
const MARGIN: usize = 512;

/// [`to_raw`] for a result carrying `payload` bytes of text or data. A large one is written
/// into a buffer of about its size: one that doubles as it fills ends up at twice the result,
/// an allocation above the allocator's threshold for fresh pages on every response (256 page
/// faults per MiB, measured), and copied on the way. Reading the buffer back as JSON costs
/// less than either.
pub(super) fn to_raw_sized<T: Serialize>(
    value: &T,
    payload: usize,
) -> Result<Box<RawValue>, ErrorObject> {
    if payload < SIZED_AHEAD {
        return to_raw(value);
    }
    // The fields around the payload take a little more (escapes too, when the text has any;
    // a result that outgrows the buffer still gets there by doubling). The margin stays
    // within the page the payload's own string ends in, so that the allocator, which maps
    // fresh pages for blocks larger than any it has freed, serves this one from memory it
    // already has, as it did the payload's string.
    let mut json = Vec::with_capacity(payload + MARGIN);
    serde_json::to_writer(&mut json, value).map_err(ErrorObject::internal)?;
    let json = String::from_utf8(json).map_err(ErrorObject::internal)?;
    RawValue::from_string(json).map_err(ErrorObject::internal)
}

pub(super) fn parse_params<T: DeserializeOwned>(
    params: Option<&RawValue>,
) -> Result<T, ErrorObject> {
    let text = params.map_or("{}", RawValue::get);
    serde_json::from_str(text).map_err(ErrorObject::invalid_params)
}

pub(super) fn empty_result() -> Box<RawValue> {
    RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| unreachable!("`{{}}` is valid JSON"))
}

impl Dispatcher {
    /// Wraps a server, as `config` says, for clients connected over `transport` (tests).
    ///
    /// # Panics
    ///
    /// When the server is invalid (see [`try_new`](Self::try_new)).
    #[cfg(test)]
    pub(crate) fn new(
        server: impl MCPServer,
        config: &ServerConfig,
        transport: NetworkTransport,
    ) -> Self {
        Self::try_new(server, config, transport)
            .unwrap_or_else(|error| panic!("invalid MCP server: {error}"))
    }

    /// Wraps a server, as `config` says, for clients connected over `transport`, once it is
    /// checked (a tool's app must be a resource the server serves); lists its tools once.
    pub(crate) fn try_new(
        server: impl MCPServer,
        config: &ServerConfig,
        transport: NetworkTransport,
    ) -> Result<Self, InvalidServer> {
        Self::from_arc(Arc::new(server), config, transport)
    }

    /// Wraps a shared server.
    fn from_arc(
        server: Arc<dyn MCPServer>,
        config: &ServerConfig,
        transport: NetworkTransport,
    ) -> Result<Self, InvalidServer> {
        let tools = server.tools();
        let resources = server.resources();
        apps::check(server.as_ref(), &tools, &resources)?;
        let templates = server.resource_templates();
        let prompts = server.prompts();
        let uses_apps = apps::uses_apps(&tools, &resources, &templates);
        let skills = config.skills.clone();
        let listed = |has: bool| {
            has.then_some(ListChanged {
                list_changed: Some(true),
            })
        };
        let mut capabilities = server.capabilities().unwrap_or_else(|| ServerCapabilities {
            tools: listed(!tools.is_empty() || config.declare_tools),
            resources: (!resources.is_empty() || !templates.is_empty() || config.declare_resources)
                .then_some(ResourcesCapability {
                    subscribe: Some(true),
                    list_changed: Some(true),
                }),
            prompts: listed(!prompts.is_empty() || config.declare_prompts),
            logging: Some(Default::default()),
            completions: server.supports_completions().then(Default::default),
            experimental: None,
            extensions: None,
        });
        if skills.is_some() {
            declare_skills(&mut capabilities);
        }
        if uses_apps {
            declare_extension(&mut capabilities, UI_EXTENSION);
        }
        let task_support: HashMap<String, TaskSupport> = tools
            .iter()
            .map(|t| (t.name.clone(), t.task_support()))
            .filter(|(_, support)| support.allows_task())
            .collect();
        // Only servers with a tool that may run as a task offer the tasks extension.
        let tasks = (!task_support.is_empty()).then(|| Tasks::new(config.tasks.clone()));
        let tasks = tasks.map(Arc::new);
        let modern_capabilities = modern_capabilities(&capabilities, tasks.is_some());
        // What may be added at run time: the lists the server declares.
        let declared = Declared {
            tools: capabilities.tools.is_some(),
            resources: capabilities.resources.is_some(),
            prompts: capabilities.prompts.is_some(),
        };
        let base = Base::new(tools, resources, templates, prompts);
        let registry = Registry::new(base, declared, config.tool_filter.clone());
        let info = server.server_info();
        Ok(Dispatcher {
            audience: info.name.as_str().into(),
            info_json: InfoJson::new(&info),
            info,
            instructions: server.instructions(),
            capabilities,
            page_size: config.page_size,
            handle: ServerHandle::new(registry),
            state_key: config.request_state_key.clone(),
            cache_hint: config.cache_hint,
            task_support,
            tasks,
            modern_capabilities,
            limits: Arc::new(config.limits.clone()),
            panic_details: config.panic_details,
            scopes: Some(server.required_scopes()).filter(|s| !s.is_empty()),
            skills,
            transport,
            layers: config.layers.clone(),
            server,
        })
    }

    /// How calls of `tool` may run as tasks (`forbidden` for unknown tools).
    pub(crate) fn task_support(&self, tool: &str) -> TaskSupport {
        self.task_support.get(tool).copied().unwrap_or_default()
    }

    /// The tools the server listed at start.
    pub(crate) fn listed_tools(&self) -> &[Tool] {
        self.handle.registry().static_tools()
    }

    /// A handle to enable or disable tools and announce changes to clients.
    pub(crate) fn handle(&self) -> &ServerHandle {
        &self.handle
    }

    pub(super) fn context(
        &self,
        id: RequestId,
        progress_token: Option<serde_json::Value>,
        env: RequestEnv,
        input: Option<Arc<InputExchange>>,
    ) -> Context {
        Context::new(
            id,
            progress_token,
            env.cancel,
            env.peer,
            env.outbound,
            self.handle.clone(),
            env.caller,
        )
        .with_stream_control(env.close_stream)
        .with_input(input)
    }

    /// Where a message from `peer` arrived, for its span.
    pub(crate) fn site<'a>(&self, peer: &'a Peer, caller: &'a Caller) -> Site<'a> {
        Site {
            session: peer.session_id(),
            version: peer.protocol_version(),
            transport: self.transport,
            headers: caller.headers.as_deref(),
        }
    }

    /// The scopes `method` with these `params` requires when `principal` lacks one of them
    /// (`None`: it may go on). Only tools, resources and prompts require scopes.
    pub(crate) fn missing_scopes(
        &self,
        method: &Method,
        params: Option<&RawValue>,
        principal: Option<&Principal>,
    ) -> Option<Vec<&'static str>> {
        let scopes = self.scopes.as_ref()?;
        #[derive(serde::Deserialize)]
        struct Target<'a> {
            #[serde(borrow)]
            name: Option<std::borrow::Cow<'a, str>>,
            #[serde(borrow)]
            uri: Option<std::borrow::Cow<'a, str>>,
        }
        let target = || {
            params
                .and_then(|p| serde_json::from_str::<Target<'_>>(p.get()).ok())
                .unwrap_or(Target {
                    name: None,
                    uri: None,
                })
        };
        let needed = match method {
            Method::ToolsCall => {
                let target = target();
                let name = target.name.as_deref().unwrap_or("");
                // A tool hidden from the caller is unknown to it, scopes and all.
                let registry = self.handle.registry();
                if registry.filter().is_some() && !registry.callable(name, principal) {
                    return None;
                }
                scopes.for_tool(name)
            }
            Method::PromptsGet => scopes.for_prompt(target().name.as_deref().unwrap_or("")),
            Method::ResourcesRead => scopes.for_resource(target().uri.as_deref().unwrap_or("")),
            _ => return None,
        };
        let granted = |scope: &&str| principal.is_some_and(|p| p.has_scope(scope));
        (!needed.iter().all(granted)).then_some(needed)
    }

    /// Handles a request and returns the JSON text of its response, or `None` when the
    /// request was cancelled (cancelled requests get no response).
    ///
    /// The request is registered as in flight when its future is first polled; a transport
    /// that reads further messages before it polls (and so might read a
    /// `notifications/cancelled` for it) registers it first with [`begin`](Self::begin).
    pub(crate) fn handle_request(
        &self,
        request: Request,
        env: RequestEnv,
    ) -> impl Future<Output = Option<String>> + Send + '_ {
        // Plain functions that return the inner future, rather than `async fn`s around it: an
        // async layer keeps its own copy of the arguments, and this future is boxed per request.
        match self.begin(&request, &env) {
            Ok(in_flight) => Either::Left(self.handle_begun(request, env, in_flight)),
            Err(refusal) => Either::Right(std::future::ready(Some(refusal))),
        }
    }

    /// Completes when no task runs in this process any more (after a shutdown cancelled them,
    /// once each has recorded its end).
    pub(crate) async fn tasks_settled(&self) {
        let Some(tasks) = &self.tasks else { return };
        while tasks.running_count() > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// The tasks by status, for the tasks gauge: as the store counts them, else those running
    /// in this process ([`TaskStore::status_counts`](crate::store::TaskStore::status_counts)).
    #[cfg_attr(not(feature = "_metrics"), allow(dead_code))] // read only by the metrics recorder
    pub(crate) fn task_counts(&self) -> super::TaskCounts {
        self.tasks
            .as_ref()
            .map_or_else(Default::default, |tasks| tasks.counts())
    }

    /// Joins the other nodes on `bus` as `node`, for the tasks running on either side.
    pub(crate) fn join_cluster(&self, bus: Arc<dyn crate::engine::cluster::Bus>, node: u64) {
        if let Some(tasks) = &self.tasks {
            tasks.join(bus, node);
        }
    }

    /// Acts on another node's message about a task running here.
    pub(crate) async fn heard(&self, envelope: &crate::engine::cluster::Envelope) {
        if let Some(tasks) = &self.tasks {
            tasks.heard(envelope).await;
        }
    }

    /// The peer of a new session, held to the server's [`Limits`].
    pub(crate) fn session_peer(&self) -> Peer {
        Peer::new(true).with_limits(self.limits.clone())
    }

    /// Registers a request as in flight, so its id is taken and `notifications/cancelled`
    /// reaches it from now on. `Err` holds the error response for an id already in flight.
    pub(crate) fn begin(&self, request: &Request, env: &RequestEnv) -> Result<InFlight, String> {
        match env.peer.begin_request(&request.id, &env.cancel) {
            Ok(guard) => Ok(InFlight {
                _registration: guard,
            }),
            Err(NotBegun::Duplicate) => {
                let error = ErrorObject::invalid_request(format!(
                    "request id {} is already in use by a request in flight in this session",
                    request.id
                ));
                Err(error_json(Some(&request.id), &error))
            }
            Err(NotBegun::TooMany(error)) => {
                tracing::warn!(id = %request.id, "request refused: too many in flight in its session");
                Err(error_json(Some(&request.id), &error))
            }
        }
    }

    /// Handles a request registered with [`begin`](Self::begin); see
    /// [`handle_request`](Self::handle_request).
    pub(crate) fn handle_begun(
        &self,
        request: Request,
        env: RequestEnv,
        in_flight: InFlight,
    ) -> impl Future<Output = Option<String>> + Send + '_ {
        let id = request.id.clone();
        self.outcome_of_begun(request, env, in_flight)
            .map(move |outcome| Some(reply_json(&id, outcome?)))
    }

    /// [`handle_begun`](Self::handle_begun), its outcome before it is written: the HTTP
    /// transport answers a rate-limit refusal with 429.
    pub(crate) fn outcome_of_begun(
        &self,
        request: Request,
        env: RequestEnv,
        in_flight: InFlight,
    ) -> impl Future<Output = Option<Result<Box<RawValue>, ErrorObject>>> + Send + '_ {
        let site = self.site(&env.peer, &env.caller);
        let observed = trace::observe(&request, site);
        Traced::new(observed, self.answer(request, env, None, in_flight, None))
    }

    /// Runs a registered request to its result or error; `None` when it was cancelled. With
    /// an `input` exchange the handler may stop for client input (2026-07-28). `tool_call`:
    /// the params of a `tools/call` already read (by a server without layers), which the
    /// route then does not read again.
    pub(super) fn answer(
        &self,
        request: Request,
        env: RequestEnv,
        input: Option<Arc<InputExchange>>,
        in_flight: InFlight,
        tool_call: Option<CallToolParams>,
    ) -> impl Future<Output = Option<Result<Box<RawValue>, ErrorObject>>> + Send + '_ {
        let cancel = env.cancel.clone();
        let Request { id, method, params } = request;
        let layered = !self.layers.is_empty();
        // Inline: the route, and a 2026-07-28 tool call gated for client input (the era's
        // most common request; its gate is no larger than the route). Boxed, the other ways:
        // only servers with middleware and other requests that may ask for input take them,
        // and inline they would grow every request's future.
        let work = match input.clone() {
            // A tool call whose params were read ahead (2026-07-28, a tool that cannot ask).
            None if !layered => match tool_call {
                Some(call) => Run::Call {
                    call: self.route_tool_call(id, call, env, None),
                },
                None => Run::Route {
                    route: self.route(id, method, params, env, None, None),
                },
            },
            None => Run::boxed(self.layered(id, method, params, env, None)),
            Some(exchange) if layered => {
                let work = self.layered(id, method, params, env, input);
                Run::boxed(Gate::new(work, exchange).map(ungated))
            }
            Some(exchange) => match tool_call {
                Some(call) => Run::GatedCall {
                    call: Gate::new(self.route_tool_call(id, call, env, input), exchange),
                },
                None => {
                    let work = self.route(id, method, params, env, input, None);
                    Run::boxed(Gate::new(work, exchange).map(ungated))
                }
            },
        };
        UntilCancelled {
            cancel,
            cancelled: None,
            work,
            _in_flight: in_flight,
        }
    }
}

impl Dispatcher {
    /// A request through the server's layers, then its route.
    fn layered(
        &self,
        id: RequestId,
        method: Method,
        params: Option<Box<RawValue>>,
        env: RequestEnv,
        input: Option<Arc<InputExchange>>,
    ) -> impl Future<Output = middleware::McpResult> + Send + '_ {
        let request = McpRequest::new(id, method, params, &env);
        let route = middleware::Route {
            dispatcher: self,
            env,
            input,
        };
        middleware::run(&self.layers, request, McpService::new(route))
    }
}

/// A gated request's outcome: the handler's, or the result it was stopped with.
fn ungated(gated: Gated<middleware::McpResult>) -> middleware::McpResult {
    match gated {
        Gated::Done(outcome) => outcome,
        Gated::Stopped(outcome) => outcome.and_then(|v| to_raw(&v)),
    }
}

/// A response's JSON text.
pub(crate) fn reply_json(id: &RequestId, outcome: Result<Box<RawValue>, ErrorObject>) -> String {
    match outcome {
        Ok(result) => result_json(id, &result),
        Err(error) => error_json(Some(id), &error),
    }
}

pin_project_lite::pin_project! {
    /// What a request runs (see [`Dispatcher::answer`]).
    #[project = RunProjection]
    enum Run<'a, R, C> {
        /// Its route.
        Route { #[pin] route: R },
        /// A tool call's route.
        Call { #[pin] call: C },
        /// A tool call's route, stopped if it asks the client for input.
        GatedCall { #[pin] call: Gate<C> },
        /// Anything else.
        Boxed { work: McpFuture<'a> },
    }
}

impl<'a, R, C> Run<'a, R, C> {
    fn boxed(work: impl Future<Output = middleware::McpResult> + Send + 'a) -> Self {
        Run::Boxed {
            work: Box::pin(work),
        }
    }
}

impl<R, C> Future for Run<'_, R, C>
where
    R: Future<Output = middleware::McpResult>,
    C: Future<Output = middleware::McpResult>,
{
    type Output = middleware::McpResult;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            RunProjection::Route { route } => route.poll(cx),
            RunProjection::Call { call } => call.poll(cx),
            RunProjection::GatedCall { call } => call.poll(cx).map(ungated),
            RunProjection::Boxed { work } => work.as_mut().poll(cx),
        }
    }
}

pin_project_lite::pin_project! {
    /// A request's work until it ends, or until its cancellation token fires first (then
    /// `None`); it holds the request's in-flight registration as long. A plain future rather
    /// than `select!` in an `async` block, which would keep the work twice in its state: this
    /// future is boxed for every request.
    struct UntilCancelled<F> {
        cancel: CancellationToken,
        // The token's wake-up, registered at the first poll that leaves the work pending: a
        // request that finishes in its first poll (most do) never registers one. Polling it
        // cost 400 instructions per request (callgrind, stateful SSE).
        cancelled: Option<Pin<Box<WaitForCancellationFutureOwned>>>,
        #[pin]
        work: F,
        _in_flight: InFlight,
    }
}

impl<F: Future> Future for UntilCancelled<F> {
    type Output = Option<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // Cancellation first: a cancelled request gets no response, even if it could finish.
        if this.cancel.is_cancelled() {
            return Poll::Ready(None);
        }
        let Poll::Ready(output) = this.work.poll(cx) else {
            // Pending: woken when the token fires, which the check above then sees. A
            // cancellation landing before the registration is seen by its first poll.
            let cancel = this.cancel;
            let cancelled = this
                .cancelled
                .get_or_insert_with(|| Box::pin(cancel.clone().cancelled_owned()));
            return match cancelled.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        };
        // Again once the work is done: a cancellation from another thread may have landed
        // while it ran, and the work may have finished *because* of it (a tool that returns
        // when `ctx.cancelled()` fires). Such a request gets no response either.
        if this.cancel.is_cancelled() {
            return Poll::Ready(None);
        }
        Poll::Ready(Some(output))
    }
}

#[cfg(test)]
mod until_cancelled {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use tokio_util::sync::CancellationToken;

    use super::UntilCancelled;

    /// The race a stress run found: the token is cancelled after the first check, and the
    /// work finishes because of it in the same poll. The request must still count as
    /// cancelled (no response), not answer "cancelled" as its result.
    #[test]
    fn work_that_finishes_because_of_the_cancellation_is_cancelled() {
        let token = CancellationToken::new();
        let peer = std::sync::Arc::new(crate::engine::Peer::new(false));
        let in_flight = super::InFlight {
            _registration: peer
                .begin_request(&crate::protocol::RequestId::Number(1), &token)
                .expect("a free id"),
        };
        let cancelling = token.clone();
        let work = std::future::poll_fn(move |_| {
            cancelling.cancel(); // lands between the check and the work, as from another thread
            Poll::Ready("cancelled")
        });
        let mut future = pin!(UntilCancelled {
            cancel: token,
            cancelled: None,
            work,
            _in_flight: in_flight,
        });
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(None));
    }

    fn registered(token: &CancellationToken, id: i64) -> super::InFlight {
        let peer = std::sync::Arc::new(crate::engine::Peer::new(false));
        super::InFlight {
            _registration: peer
                .begin_request(&crate::protocol::RequestId::Number(id), token)
                .expect("a free id"),
        }
    }

    /// Work left pending registers for the token's wake-up: cancelling it later, from
    /// elsewhere, ends the request with no response. Work that is not cancelled answers.
    #[tokio::test]
    async fn pending_work_is_woken_and_ended_by_a_later_cancellation() {
        let token = CancellationToken::new();
        let future = UntilCancelled {
            cancel: token.clone(),
            cancelled: None,
            work: std::future::pending::<&str>(),
            _in_flight: registered(&token, 1),
        };
        let waiting = tokio::spawn(future);
        // On this test's one thread, the yield lets it run: polled once, left pending.
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        token.cancel();
        let ended = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
            .await
            .expect("woken by the cancellation")
            .expect("not panicked");
        assert_eq!(ended, None);
        let token = CancellationToken::new();
        let (tx, rx) = tokio::sync::oneshot::channel::<&str>();
        let answering = tokio::spawn(UntilCancelled {
            cancel: token.clone(),
            cancelled: None,
            work: async move { rx.await.unwrap_or("dropped") },
            _in_flight: registered(&token, 2),
        });
        tokio::task::yield_now().await;
        tx.send("answer").expect("still waiting");
        assert_eq!(answering.await.expect("not panicked"), Some("answer"));
    }
}

/// Declares the skills extension (with `directoryRead`, which this runtime answers) and the
/// `resources` capability its files are read through, in both eras' capabilities.
fn declare_skills(capabilities: &mut ServerCapabilities) {
    capabilities
        .resources
        .get_or_insert_with(ResourcesCapability::default);
    capabilities
        .extensions
        .get_or_insert_with(Default::default)
        .insert(
            SKILLS_EXTENSION.to_owned(),
            serde_json::json!({ "directoryRead": true }),
        );
}

/// Declares the extension `id` with no settings, unless the server's capabilities already
/// declare it.
fn declare_extension(capabilities: &mut ServerCapabilities, id: &str) {
    capabilities
        .extensions
        .get_or_insert_with(Default::default)
        .entry(id)
        .or_insert_with(|| serde_json::json!({}));
}

/// The capabilities `server/discover` shows: the declared ones, with the tasks extension
/// when a tool may run as a task.
fn modern_capabilities(declared: &ServerCapabilities, tasks: bool) -> ServerCapabilities {
    let mut capabilities = declared.clone();
    if tasks {
        declare_extension(&mut capabilities, TASKS_EXTENSION);
    }
    capabilities
}
#[cfg(test)]
mod future_size {
    use std::sync::Arc;

    use super::{Dispatcher, NetworkTransport, Peer, RequestEnv};
    use crate::protocol::Request;

    struct Echo;

    #[crate::mcp_server(crate = crate)]
    impl Echo {
        /// Echo.
        #[crate::tool]
        fn echo(&self, text: String) -> String {
            text
        }
    }

    /// The transport boxes this future for every request that does not finish at once; it
    /// was 1,368 bytes when each layer was an `async fn` keeping its own copy of the
    /// arguments (and past glibc's 1,032-byte small-allocation cache). A bound, not a timing:
    /// 800 bytes after the core refactor, 808 with the session limits, 816 with the request's
    /// span (boxed: see `trace::Traced`), still 816 with metrics and middleware (boxed, taken
    /// only by servers with layers), 848 once the tool deadline a `Timeout` layer sets became
    /// a parameter of the route (16 bytes in `route`'s and `call_tool`'s first state; the same
    /// allocation class, well under glibc's 1,032-byte cache).
    #[test]
    fn a_request_future_stays_small() {
        let dispatcher =
            Dispatcher::new(Echo, &crate::ServerConfig::default(), NetworkTransport::Tcp);
        let request = Request {
            id: 1.into(),
            method: crate::protocol::Method::ToolsCall,
            params: None,
        };
        let env = RequestEnv::new(Arc::new(Peer::new(false)), None);
        let future = dispatcher.handle_request(request, env);
        let size = std::mem::size_of_val(&future);
        assert!(size <= 848, "handle_request's future is {size} bytes");
    }
}

#[cfg(test)]
mod sized_ahead {
    use super::{SIZED_AHEAD, to_raw, to_raw_sized};
    use crate::protocol::{
        CallToolResult, Content, PayloadLen, ReadResourceResult, ResourceContents,
    };

    /// A large result written into a buffer sized ahead is the same JSON as one written the
    /// usual way, also when escapes make it outgrow the buffer, and so is a small one.
    #[test]
    fn results_sized_ahead_are_the_same_json() {
        let plain = "x".repeat(SIZED_AHEAD * 2);
        // Every quote and newline doubles in JSON: past the slack the buffer grows.
        let escaped = "\"\n".repeat(SIZED_AHEAD);
        for text in [plain, escaped, "small".to_owned()] {
            let result = CallToolResult::success(vec![Content::text(text.clone())]);
            assert_eq!(result.payload_len(), text.len());
            let sized = to_raw_sized(&result, result.payload_len()).expect("serialized");
            let usual = to_raw(&result).expect("serialized");
            assert_eq!(sized.get(), usual.get());
            let back: CallToolResult = serde_json::from_str(sized.get()).expect("valid JSON");
            assert_eq!(back, result);
        }
    }

    /// What a result counts: its text and base64 data, in every block and part.
    #[test]
    fn a_result_counts_its_text_and_data() {
        let result = CallToolResult::success(vec![
            Content::text("abc"),
            Content::image("AAAA", "image/png"),
            Content::resource_link("file:///a", "a"),
        ]);
        assert_eq!(result.payload_len(), 3 + 4);
        let read = ReadResourceResult {
            contents: vec![
                ResourceContents::text("file:///a", "text/plain", "hello"),
                ResourceContents::blob("file:///b", "text/plain", "QUJD"),
            ],
        };
        assert_eq!(read.payload_len(), 5 + 4);
    }
}
