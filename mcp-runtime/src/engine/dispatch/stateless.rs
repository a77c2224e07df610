//! The 2026-07-28 era, whatever the transport: a client per request from its `_meta`
//! envelope, multi round-trip requests, and the tasks extension. The method table itself is
//! the one of both eras ([`route`](super::route)).

use std::future::Future;
use std::sync::Arc;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Either, ready};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::{Dispatcher, RequestEnv};
use crate::engine::Peer;
use crate::engine::input::InputExchange;
use crate::engine::middleware::{self, McpFuture, McpRequest, McpResult, McpService, ServiceFn};
use crate::engine::outbound::Outbound;
use crate::engine::principal::Caller;
use crate::engine::registry::ToolRoute;
use crate::engine::request_state::BindingSource;
use crate::engine::tasks::{TaskCall, TaskEvent, Tasks};
use crate::engine::trace::{self, Site, Traced};
use crate::protocol::{
    CallToolParams, Era, ErrorObject, Feature, InputRetry, LogLevel, Method, Request,
    RequestEnvelope, SubscriptionFilter, TASKS_EXTENSION, TaskSupport, Version, error_codes,
};

/// A 2026-07-28 request as a transport hands it over, its envelope already checked.
#[derive(Debug)]
pub(crate) struct StatelessCall {
    /// The request's `_meta` envelope.
    pub(crate) envelope: RequestEnvelope,
    /// Its `inputResponses` and `requestState`, when it retries a multi round-trip request.
    pub(crate) retry: InputRetry,
    /// The params of a `tools/call` when the transport's checks already read them (the route
    /// reads them otherwise).
    pub(crate) tool_call: Option<CallToolParams>,
    /// Where progress and log notifications go (`None`: a plain JSON answer).
    pub(crate) outbound: Option<Outbound>,
    /// Cancelled when the server shuts down.
    pub(crate) cancel: CancellationToken,
    /// Who sent the request.
    pub(crate) caller: Caller,
}

impl Dispatcher {
    /// Whether `method` exists on this server in `era`; otherwise the client gets -32601.
    /// In the 2026-07-28 era a feature the server does not declare has no methods; both eras
    /// refuse `resources/subscribe` when the server declares no subscriptions.
    pub(crate) fn offers(&self, method: &Method, era: Era) -> bool {
        if !method.exists_in(era) {
            return false;
        }
        match (era, method.feature()) {
            (_, Feature::ResourceSubscriptions) => self.has(Feature::ResourceSubscriptions),
            (_, Feature::Skills) => self.has(Feature::Skills),
            (Era::Handshake, _) => true,
            (Era::Stateless, feature) => self.has(feature),
        }
    }

    /// Whether the server offers `feature`.
    fn has(&self, feature: Feature) -> bool {
        let caps = &self.capabilities;
        let resources = caps.resources.as_ref();
        match feature {
            Feature::Always => true,
            Feature::Tools => caps.tools.is_some(),
            Feature::Resources => resources.is_some(),
            Feature::ResourceSubscriptions => resources.is_some_and(|r| r.subscribe == Some(true)),
            Feature::Prompts => caps.prompts.is_some(),
            Feature::Completions => caps.completions.is_some(),
            Feature::Logging => caps.logging.is_some(),
            Feature::Tasks => self.tasks.is_some(),
            Feature::Skills => self.skills.is_some(),
            Feature::Notifications => {
                caps.tools
                    .as_ref()
                    .is_some_and(|t| t.list_changed == Some(true))
                    || caps
                        .prompts
                        .as_ref()
                        .is_some_and(|p| p.list_changed == Some(true))
                    || resources
                        .is_some_and(|r| r.list_changed == Some(true) || r.subscribe == Some(true))
                    || self.tasks.is_some()
            }
            _ => false,
        }
    }

    /// Answers a 2026-07-28 request: its complete result (with the era's fields), an
    /// `InputRequiredResult`, or an error. `None` when the server shut down first.
    pub(crate) fn handle_stateless(
        &self,
        request: Request,
        call: Box<StatelessCall>,
    ) -> impl Future<Output = Option<Result<Box<RawValue>, ErrorObject>>> + Send + '_ {
        let site = Site {
            session: None,
            version: Version::parse(&call.envelope.protocol_version),
            transport: self.transport,
            headers: call.caller.headers.as_deref(),
        };
        let observed = trace::observe(&request, site);
        // Prepared now (in the request's span), so that the future keeps only the work that
        // waits, not the request and its envelope beside it: as an `async fn` it made the
        // boxed future 3,080 bytes (776 now), above glibc's thread cache and copied whole
        // (840 instructions per call, callgrind).
        Traced::start(observed, || {
            self.stateless_work(request, call).map(|outcome| {
                outcome.map(|result| {
                    result.map_err(|mut error| {
                        if error.code == error_codes::RESOURCE_NOT_FOUND {
                            // 2026-07-28 moved "resource not found" to invalid params.
                            error.code = error_codes::INVALID_PARAMS;
                        }
                        error
                    })
                })
            })
        })
    }

    /// Everything a 2026-07-28 request needs before it waits, done at once; the future it
    /// returns is the waiting: the request's route (inline), or a boxed task branch.
    fn stateless_work(
        &self,
        mut request: Request,
        mut call: Box<StatelessCall>,
    ) -> impl Future<Output = Option<Result<Box<RawValue>, ErrorObject>>> + Send + '_ {
        let refused = |error| Either::Left(ready(Some(Err(error))));
        let method = &request.method;
        // `subscriptions/listen` is a stream: only a transport can serve it.
        if !self.offers(method, Era::Stateless) || *method == Method::SubscriptionsListen {
            return refused(ErrorObject::method_not_found(method.as_str()));
        }
        // Params as a value, for the tasks extension, which reads more than the handler.
        // Unreadable params fail here, closed. Other requests leave the params to their
        // handler: the input exchange reads only its two fields, and binds its state to the
        // params only if it opens or seals one.
        let params: Option<Value> =
            if method.is_task_method() || (self.tasks.is_some() && *method == Method::ToolsCall) {
                match request
                    .params
                    .as_deref()
                    .map(|p| serde_json::from_str(p.get()))
                {
                    None => None,
                    Some(Ok(value)) => Some(value),
                    Some(Err(e)) => return refused(ErrorObject::invalid_params(e)),
                }
            } else {
                None
            };
        let route = self.task_route(method, params.as_ref(), &call);
        // Params read ahead go to the route itself (a layer may change the params), which does
        // not read the request's params again: they move to the input exchange, which binds a
        // request state to them, instead of being copied.
        let tool_call = match route {
            TaskRoute::No if self.layers.is_empty() => call.tool_call.take(),
            _ => None,
        };
        let kept = match tool_call {
            Some(_) => request.params.take(),
            None => None,
        };
        // A first try of a start-up tool that cannot ask for input (its method takes no
        // `Context`) gets no input exchange: it would never use it (1.1k instructions per call,
        // callgrind). A retry keeps one, which checks its state.
        let first_try = call.retry.input_responses.is_none() && call.retry.request_state.is_none();
        let may_ask = match &tool_call {
            Some(tool) if first_try => self.tool_may_ask_input(&tool.name, &call.caller),
            _ => request.method.may_ask_input(),
        };
        let (env, input) = match self.prepare(&request, call, kept, may_ask) {
            Ok(prepared) => prepared,
            Err(error) => return refused(error),
        };
        let Ok(in_flight) = self.begin(&request, &env) else {
            return refused(ErrorObject::invalid_request(format!(
                "request id {} is already in flight",
                request.id
            )));
        };
        // The branches of the tasks extension are boxed: inline, these rare branches would
        // make every request's future larger.
        let boxed: BoxFuture<'_, Option<Result<Box<RawValue>, ErrorObject>>> = match route {
            TaskRoute::No => {
                let answer = self.answer(request, env, input, in_flight, tool_call);
                return Either::Right(Either::Left(answer));
            }
            TaskRoute::Refused(error) => return refused(error),
            TaskRoute::Method(tasks) if self.layers.is_empty() => {
                let owner = env.caller.identity();
                Box::pin(async move {
                    let _in_flight = in_flight;
                    let served = tasks.serve(&request.method, params.as_ref(), owner.as_deref());
                    Some(
                        served
                            .await
                            .and_then(|value| self.reply(Era::Stateless, None, &value)),
                    )
                })
            }
            TaskRoute::Method(tasks) => {
                let owner = env.caller.identity();
                let Request { id, method, params } = request;
                let through = McpRequest::new(id, method, params, &env);
                Box::pin(async move {
                    let _in_flight = in_flight;
                    Some(self.layered_task_method(tasks, owner, through).await)
                })
            }
            TaskRoute::Call(tasks, support) => {
                let task = TaskCall {
                    tasks,
                    support,
                    owner: env.caller.identity(),
                };
                Box::pin(self.call_as_task(request, env, input, in_flight, task))
            }
        };
        Either::Right(Either::Right(boxed))
    }

    /// The per-request client and, if its handler `may_ask` the client for input, its input
    /// exchange. The call moves into them: its client's info and retry fields, its caller,
    /// cancellation and outbound channel (cloning the token and the caller cost 140
    /// instructions per call, callgrind), and the request's params when they were taken from
    /// it (`params`; otherwise the exchange keeps a copy).
    fn prepare(
        &self,
        request: &Request,
        call: Box<StatelessCall>,
        params: Option<Box<RawValue>>,
        may_ask: bool,
    ) -> Result<(RequestEnv, Option<Arc<InputExchange>>), ErrorObject> {
        let StatelessCall {
            envelope,
            retry,
            tool_call: _,
            outbound,
            cancel,
            caller,
        } = *call;
        let RequestEnvelope {
            protocol_version,
            client_capabilities,
            client_info,
            log_level,
        } = envelope;
        let version = Version::parse(&protocol_version)
            .filter(|v| v.era() == Era::Stateless)
            .ok_or_else(|| unsupported_version(&protocol_version))?;
        let log_level = match log_level.as_deref() {
            None => None,
            Some(name) => Some(LogLevel::parse(name).ok_or_else(|| {
                ErrorObject::invalid_params(format!("unknown log level {name:?}"))
            })?),
        };
        let input = if may_ask {
            let binding = BindingSource::new(
                self.audience.clone(),
                request.method.clone(),
                params.or_else(|| request.params.clone()),
                caller.identity(),
            );
            Some(Arc::new(InputExchange::new(
                retry,
                client_capabilities.clone(),
                binding,
                self.state_key.clone(),
            )?))
        } else {
            None
        };
        let peer = Peer::for_request(version, client_info, client_capabilities, log_level);
        let env = RequestEnv {
            peer,
            outbound,
            cancel,
            close_stream: None,
            caller,
        };
        Ok((env, input))
    }

    /// Whether a call of `tool` by `caller` may ask the client for input: a tool added at
    /// run time may (its handler gets a `Context`); a start-up tool says.
    fn tool_may_ask_input(&self, tool: &str, caller: &Caller) -> bool {
        match self
            .handle
            .registry()
            .route_tool(tool, caller.principal.as_ref())
        {
            ToolRoute::Static => self.server.tool_may_ask_input(tool),
            ToolRoute::RunTime(_) | ToolRoute::Unknown => true,
        }
    }

    /// Whether the request belongs to the tasks extension, and how.
    fn task_route(
        &self,
        method: &Method,
        params: Option<&Value>,
        call: &StatelessCall,
    ) -> TaskRoute {
        let envelope = &call.envelope;
        let Some(tasks) = &self.tasks else {
            return TaskRoute::No;
        };
        let declared = envelope
            .client_capabilities
            .supports_extension(TASKS_EXTENSION);
        if method.is_task_method() {
            return match declared {
                true => TaskRoute::Method(tasks.clone()),
                false => TaskRoute::Refused(missing_tasks_extension()),
            };
        }
        if *method != Method::ToolsCall {
            return TaskRoute::No;
        }
        let tool = params
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let caller = call.caller.principal.as_ref();
        if !self.handle.registry().callable(tool, caller) {
            return TaskRoute::No; // refused as an unknown tool
        }
        match self.task_support(tool) {
            TaskSupport::Forbidden => TaskRoute::No,
            support if declared => TaskRoute::Call(tasks.clone(), support),
            TaskSupport::Optional => TaskRoute::No,
            TaskSupport::Required => TaskRoute::Refused(missing_tasks_extension()),
        }
    }

    pub(super) fn hint(&self, result: crate::engine::Cacheable<'_>) -> crate::protocol::CacheHint {
        self.server.cache_hint(result).unwrap_or(self.cache_hint)
    }

    /// The notification types of `filter` this server honours.
    pub(crate) fn agreed_subscriptions(&self, filter: &SubscriptionFilter) -> SubscriptionFilter {
        let caps = &self.capabilities;
        let yes = |asked: bool, offered: bool| (asked && offered).then_some(true);
        let resources = caps.resources.as_ref();
        SubscriptionFilter {
            tools_list_changed: yes(
                filter.wants_tools(),
                caps.tools
                    .as_ref()
                    .is_some_and(|t| t.list_changed == Some(true)),
            ),
            prompts_list_changed: yes(
                filter.wants_prompts(),
                caps.prompts
                    .as_ref()
                    .is_some_and(|p| p.list_changed == Some(true)),
            ),
            resources_list_changed: yes(
                filter.wants_resource_list(),
                resources.is_some_and(|r| r.list_changed == Some(true)),
            ),
            resource_subscriptions: filter
                .resource_subscriptions
                .clone()
                .filter(|_| resources.is_some_and(|r| r.subscribe == Some(true))),
            // Decided with the tasks themselves: see `agreed_task_ids`.
            task_ids: None,
        }
    }

    /// Refuses a listen filter larger than the limits: more task ids than
    /// [`Limits::max_listen_task_ids`](crate::Limits::max_listen_task_ids), more resource URIs
    /// than [`Limits::max_subscriptions_per_session`](crate::Limits::max_subscriptions_per_session),
    /// or a URI longer than [`Limits::max_uri_bytes`](crate::Limits::max_uri_bytes).
    pub(crate) fn check_listen_filter(
        &self,
        filter: &SubscriptionFilter,
    ) -> Result<(), ErrorObject> {
        let limits = &self.limits;
        if let Some(ids) = &filter.task_ids
            && ids.len() > limits.max_listen_task_ids
        {
            return Err(ErrorObject::invalid_params(format!(
                "taskIds has {} entries; the limit is {} (`max_listen_task_ids`)",
                ids.len(),
                limits.max_listen_task_ids
            )));
        }
        if let Some(uris) = &filter.resource_subscriptions {
            if uris.len() > limits.max_subscriptions_per_session {
                return Err(ErrorObject::invalid_params(format!(
                    "resourceSubscriptions has {} entries; the limit is {} (`max_subscriptions_per_session`)",
                    uris.len(),
                    limits.max_subscriptions_per_session
                )));
            }
            if let Some(long) = uris.iter().find(|u| u.len() > limits.max_uri_bytes) {
                return Err(crate::engine::limits::uri_too_long(
                    long.len(),
                    limits.max_uri_bytes,
                ));
            }
        }
        Ok(())
    }

    /// The tasks of `wanted` whose status changes `principal` may follow on a listen stream:
    /// those that exist and are theirs, each once. -32021 when the client asks for task
    /// notifications without declaring the tasks extension.
    pub(crate) async fn agreed_task_ids(
        &self,
        wanted: Option<&[String]>,
        envelope: &RequestEnvelope,
        principal: Option<&str>,
    ) -> Result<Option<Vec<String>>, ErrorObject> {
        let (Some(wanted), Some(tasks)) = (wanted, &self.tasks) else {
            return Ok(None);
        };
        let mut seen = std::collections::HashSet::with_capacity(wanted.len());
        let wanted: Vec<String> = wanted
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .cloned()
            .collect();
        let wanted = wanted.as_slice();
        if !envelope
            .client_capabilities
            .supports_extension(TASKS_EXTENSION)
        {
            return Err(missing_tasks_extension());
        }
        Ok(Some(tasks.visible(wanted, principal).await))
    }

    /// The current state of each of `ids`, as task events.
    pub(crate) async fn task_states(&self, ids: &[String]) -> Vec<TaskEvent> {
        let Some(tasks) = &self.tasks else {
            return Vec::new();
        };
        tasks.records(ids).await.iter().map(TaskEvent::of).collect()
    }

    /// Receives every task's status changes, when the server runs tasks.
    pub(crate) fn task_events(&self) -> Option<broadcast::Receiver<TaskEvent>> {
        self.tasks.as_ref().map(|t| t.subscribe())
    }
}

impl Dispatcher {
    /// `tasks/get`, `tasks/update` or `tasks/cancel` through the server's layers.
    async fn layered_task_method(
        &self,
        tasks: Arc<Tasks>,
        owner: Option<String>,
        request: McpRequest,
    ) -> McpResult {
        let bottom = ServiceFn(move |request: McpRequest| -> McpFuture<'_> {
            let (tasks, owner) = (tasks.clone(), owner.clone());
            Box::pin(async move {
                // Read again: a layer may have changed them.
                let params: Option<Value> = match request.params.as_deref() {
                    None => None,
                    Some(p) => {
                        Some(serde_json::from_str(p.get()).map_err(ErrorObject::invalid_params)?)
                    }
                };
                let served = tasks.serve(&request.method, params.as_ref(), owner.as_deref());
                self.reply(Era::Stateless, None, &served.await?)
            })
        });
        middleware::run(&self.layers, request, McpService::new(bottom)).await
    }
}

/// How a request relates to the tasks extension.
enum TaskRoute {
    /// It does not.
    No,
    /// It needs the extension, which the client did not declare.
    Refused(ErrorObject),
    /// `tasks/get`, `tasks/update` or `tasks/cancel`.
    Method(Arc<Tasks>),
    /// A call of a tool that may run as a task.
    Call(Arc<Tasks>, TaskSupport),
}

/// -32021: the request needs the tasks extension.
fn missing_tasks_extension() -> ErrorObject {
    ErrorObject::new(
        error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY,
        format!("Missing required client capability: the {TASKS_EXTENSION} extension"),
    )
    .with_data(json!({ "requiredCapabilities": { "extensions": { TASKS_EXTENSION: {} } } }))
}

/// -32022 with the versions this server speaks.
pub(crate) fn unsupported_version(requested: &str) -> ErrorObject {
    ErrorObject::new(
        error_codes::UNSUPPORTED_PROTOCOL_VERSION,
        "Unsupported protocol version",
    )
    .with_data(json!({ "supported": Version::ALL, "requested": requested }))
}
