//! The one dispatch table: every request method, in both eras, routed on its [`Method`].

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::value::RawValue;

use super::{Dispatcher, RequestEnv, empty_result, parse_params, to_raw, to_raw_sized};
use crate::engine::context::Context;
use crate::engine::input::InputExchange;
use crate::engine::principal::Caller;
use crate::engine::registry::ToolRoute;
use crate::engine::trace;
use crate::engine::{BoxFuture, Cacheable, MCPServer, Peer, ServerHandle};
use crate::handler::error::McpError;
use crate::protocol::{
    CallToolParams, CallToolResult, CompleteParams, CompleteResult, Completion, DiscoverResult,
    Era, ErrorObject, GetPromptParams, InitializeParams, InitializeResult, LogLevel, Method,
    Notification, PayloadLen, RequestId, ResourceUriParams, Response, StatelessResult, Version,
};
use crate::recover::catch_panic;

impl Dispatcher {
    /// Answers one request. Results of the 2026-07-28 era leave here complete, with the era's
    /// fields written as they are serialized ([`StatelessResult`]). `tool_timeout` is the
    /// deadline a [`Timeout`](crate::middleware::Timeout) layer set for a tool call.
    pub(crate) async fn route(
        &self,
        id: RequestId,
        method: Method,
        params: Option<Box<RawValue>>,
        env: RequestEnv,
        input: Option<Arc<InputExchange>>,
        tool_timeout: Option<Duration>,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let era = env.era();
        if !self.offers(&method, era) {
            // `server/discover` in the handshake era, `initialize` in 2026-07-28, a
            // subscription on a server that offers none, an unknown name.
            return Err(ErrorObject::method_not_found(method.as_str()));
        }
        let params = params.as_deref();
        match method {
            Method::Initialize => self.initialize(params, &env.peer),
            Method::Ping => Ok(empty_result()),
            Method::SetLogLevel => {
                #[derive(serde::Deserialize)]
                struct SetLevel {
                    level: String,
                }
                let SetLevel { level } = parse_params(params)?;
                let level = LogLevel::parse(&level).ok_or_else(|| {
                    ErrorObject::invalid_params(format!(
                        "unknown log level {level:?}; expected one of debug, info, notice, warning, error, critical, alert, emergency"
                    ))
                })?;
                env.peer.set_log_level(level);
                Ok(empty_result())
            }
            Method::Discover => {
                let result = DiscoverResult {
                    supported_versions: Version::ALL,
                    capabilities: &self.modern_capabilities,
                    instructions: self.instructions.as_deref(),
                };
                self.reply(era, Some(Cacheable::Discover), &result)
            }
            Method::ToolsList => {
                let cursor = cursor(params)?;
                let registry = self.handle.registry();
                let now = registry.snapshot();
                let tools = match era {
                    Era::Stateless => &now.lists().tools,
                    Era::Handshake => &now.lists().legacy_tools,
                };
                let page = match registry.filter() {
                    None => tools.page(cursor.as_deref(), self.page_size, |_| false)?,
                    // A filtered list is the caller's own: never the cached whole list.
                    Some(filter) => {
                        let caller = env.caller.principal.as_ref();
                        tools.page(cursor.as_deref(), self.page_size, |name| {
                            now.tool(name)
                                .is_none_or(|tool| !filter.allows(caller, tool))
                        })?
                    }
                };
                self.reply_page(era, Cacheable::ToolsList, &page)
            }
            Method::ToolsCall => {
                let call: CallToolParams = parse_params(params)?;
                let result = self.call_tool(call, id, env, input, tool_timeout).await?;
                self.reply_large(era, None, &result)
            }
            Method::ResourcesList => {
                if let Some(skills) = &self.skills {
                    let cursor = cursor(params)?;
                    return Box::pin(self.resources_with_skills(era, skills, cursor)).await;
                }
                let now = self.handle.registry().snapshot();
                let resources = &now.lists().resources;
                let page = resources.page(cursor(params)?.as_deref(), self.page_size, |_| false)?;
                self.reply_page(era, Cacheable::ResourcesList, &page)
            }
            Method::ResourceTemplatesList => {
                let now = self.handle.registry().snapshot();
                let templates = &now.lists().templates;
                let page = templates.page(cursor(params)?.as_deref(), self.page_size, |_| false)?;
                self.reply_page(era, Cacheable::ResourceTemplatesList, &page)
            }
            Method::ResourcesRead => {
                let ResourceUriParams { uri } = parse_params(params)?;
                trace::record_target(&Method::ResourcesRead, &uri);
                self.check_uri(&uri)?;
                if let Some(skills) = &self.skills
                    && uri.starts_with("skill://")
                {
                    return Box::pin(self.read_skill_file(era, skills, uri)).await;
                }
                let ctx = self.context(id, progress_token(params), env, input);
                let registry = self.handle.registry();
                let Some(future) = registry.read_resource(&*self.server, &uri, ctx) else {
                    return Err(McpError::resource_not_found(&uri).0);
                };
                let result = self.unpanic(catch_panic(future).await, "resource", &uri)?;
                self.reply_large(era, Some(Cacheable::ResourceRead { uri: &uri }), &result)
            }
            Method::ResourcesSubscribe => {
                let ResourceUriParams { uri } = parse_params(params)?;
                trace::record_target(&Method::ResourcesSubscribe, &uri);
                self.check_uri(&uri)?;
                let skill = self.skills.is_some() && uri.starts_with("skill://");
                if !skill && !self.handle.registry().knows_resource(&uri) {
                    return Err(ErrorObject::invalid_params(format!(
                        "unknown resource {:?}: subscribe to a URI from resources/list or one matching a template",
                        crate::clip::clip(&uri)
                    )));
                }
                env.peer.subscribe(uri)?;
                Ok(empty_result())
            }
            Method::ResourcesUnsubscribe => {
                let ResourceUriParams { uri } = parse_params(params)?;
                trace::record_target(&Method::ResourcesUnsubscribe, &uri);
                env.peer.unsubscribe(&uri);
                Ok(empty_result())
            }
            Method::PromptsList => {
                let now = self.handle.registry().snapshot();
                let prompts = &now.lists().prompts;
                let page = prompts.page(cursor(params)?.as_deref(), self.page_size, |_| false)?;
                self.reply_page(era, Cacheable::PromptsList, &page)
            }
            Method::PromptsGet => {
                let GetPromptParams { name, arguments } = parse_params(params)?;
                trace::record_target(&Method::PromptsGet, &name);
                let ctx = self.context(id, progress_token(params), env, input);
                let registry = self.handle.registry();
                let Some(future) = registry.get_prompt(&*self.server, &name, arguments, ctx) else {
                    return Err(ErrorObject::invalid_params(format!(
                        "Unknown prompt: {name}"
                    )));
                };
                let result = self.unpanic(catch_panic(future).await, "prompt", &name)?;
                self.reply(era, None, &result)
            }
            Method::Complete => {
                let complete: CompleteParams = parse_params(params)?;
                let ctx = self.context(id, progress_token(params), env, None);
                let future = self.server.complete(complete, ctx);
                let Completion {
                    values,
                    total,
                    has_more,
                } = self.unpanic(catch_panic(future).await, "completion", "complete")?;
                let cut = Completion::from_values(values);
                let result = CompleteResult {
                    completion: Completion {
                        total: total.or(cut.total),
                        has_more: has_more.or(cut.has_more),
                        values: cut.values,
                    },
                };
                self.reply(era, None, &result)
            }
            Method::SkillsList | Method::SkillsGet | Method::ResourcesDirectoryRead => {
                Box::pin(self.route_skills(era, &method, params)).await
            }
            // Served by the transport (listen streams) and the tasks extension, or unknown.
            method @ (Method::SubscriptionsListen
            | Method::TasksGet
            | Method::TasksUpdate
            | Method::TasksCancel
            | Method::Other(_)) => Err(ErrorObject::method_not_found(method.as_str())),
        }
    }

    /// [`route`](Self::route) for a `tools/call` whose params were read ahead: the same
    /// answer, without reading them again. The method is one the server offers in the
    /// request's era (the caller checked).
    pub(crate) async fn route_tool_call(
        &self,
        id: RequestId,
        call: CallToolParams,
        env: RequestEnv,
        input: Option<Arc<InputExchange>>,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let era = env.era();
        let result = self.call_tool(call, id, env, input, None).await?;
        self.reply_large(era, None, &result)
    }

    /// Serializes a result for `era`: as it is for the handshake era, complete with the
    /// 2026-07-28 fields (caching hints for `cacheable` results) otherwise.
    pub(crate) fn reply<T: Serialize>(
        &self,
        era: Era,
        cacheable: Option<Cacheable<'_>>,
        result: &T,
    ) -> Result<Box<RawValue>, ErrorObject> {
        self.reply_sized(era, cacheable, result, 0)
    }

    /// [`reply`](Self::reply) for a result that says how much text or data it carries: a
    /// large one is written into a buffer sized for it (see [`to_raw_sized`]).
    pub(crate) fn reply_large<T: Serialize + PayloadLen>(
        &self,
        era: Era,
        cacheable: Option<Cacheable<'_>>,
        result: &T,
    ) -> Result<Box<RawValue>, ErrorObject> {
        self.reply_sized(era, cacheable, result, result.payload_len())
    }

    fn reply_sized<T: Serialize>(
        &self,
        era: Era,
        cacheable: Option<Cacheable<'_>>,
        result: &T,
        payload: usize,
    ) -> Result<Box<RawValue>, ErrorObject> {
        match era {
            Era::Handshake => to_raw_sized(result, payload),
            Era::Stateless => {
                let hint = cacheable.map(|kind| self.hint(kind));
                let result = StatelessResult::with_info_json(result, &self.info_json, hint);
                to_raw_sized(&result, payload)
            }
        }
    }

    /// A list page: the whole list's cached JSON when it can be sent as it is.
    pub(super) fn reply_page(
        &self,
        era: Era,
        cacheable: Cacheable<'_>,
        page: &crate::engine::lists::Page<'_>,
    ) -> Result<Box<RawValue>, ErrorObject> {
        match (era, page.cached()) {
            (Era::Handshake, Some(whole)) => Ok(whole.to_owned()),
            _ => self.reply(era, Some(cacheable), page),
        }
    }

    /// A handler's outcome, its panic (caught) an internal error instead of a dead session.
    fn unpanic<T>(
        &self,
        outcome: Result<Result<T, McpError>, String>,
        kind: &str,
        name: &str,
    ) -> Result<T, ErrorObject> {
        match outcome {
            Ok(outcome) => outcome.map_err(|e| e.0),
            Err(panic) => Err(ErrorObject::internal(panic_report(
                kind,
                name,
                &panic,
                self.panic_details,
            ))),
        }
    }

    /// Refuses a URI longer than [`Limits::max_uri_bytes`](crate::Limits::max_uri_bytes).
    fn check_uri(&self, uri: &str) -> Result<(), ErrorObject> {
        let max = self.limits.max_uri_bytes;
        if uri.len() > max {
            return Err(crate::engine::limits::uri_too_long(uri.len(), max));
        }
        Ok(())
    }

    fn initialize(
        &self,
        params: Option<&RawValue>,
        peer: &Peer,
    ) -> Result<Box<RawValue>, ErrorObject> {
        let size = params.map_or(0, |p| p.get().len());
        let max = self.limits.max_client_info_bytes;
        if size > max {
            return Err(ErrorObject::invalid_params(format!(
                "initialize params are {size} bytes; the limit is {max} (`max_client_info_bytes`)"
            )));
        }
        let params: InitializeParams = parse_params(params)?;
        let version = Version::negotiate(&params.protocol_version);
        if !peer.initialize(version, params.client_info, params.capabilities) {
            return Err(ErrorObject::invalid_request(
                "the session is already initialized; start a new session to initialize again",
            ));
        }
        trace::record_version(version);
        to_raw(&InitializeResult {
            protocol_version: version.as_str(),
            capabilities: &self.capabilities,
            server_info: &self.info,
            instructions: self.instructions.as_deref(),
        })
    }

    async fn call_tool(
        &self,
        mut call: CallToolParams,
        id: RequestId,
        env: RequestEnv,
        input: Option<Arc<InputExchange>>,
        tool_timeout: Option<Duration>,
    ) -> Result<CallToolResult, ErrorObject> {
        let progress_token = call.meta.take().and_then(|m| m.progress_token);
        let ctx = self.context(id, progress_token, env, input);
        let (name, future) = start_tool(&*self.server, &self.handle, call, ctx)?;
        // `run_tool`'s body, inline: an `async fn` would keep its own copy of the arguments.
        let result = match self.server.tool_timeout(&name).or(tool_timeout) {
            None => catch_panic(future).await,
            // Boxed, with all it keeps: the timer would otherwise grow every request's future.
            Some(limit) => Box::pin(timed(&name, limit, catch_panic(future))).await,
        }
        .unwrap_or_else(|panic| panicked_tool(&name, &panic, self.panic_details));
        if result.is_error == Some(true) {
            trace::record_tool_error();
        }
        Ok(result)
    }

    /// Handles a notification from `caller`, the client `peer`, in its span.
    pub(crate) fn handle_notification(
        &self,
        notification: Notification,
        peer: &Peer,
        caller: &Caller,
    ) {
        let site = self.site(peer, caller);
        trace::notified(&notification, site, || self.notified(&notification, peer));
    }

    fn notified(&self, notification: &Notification, peer: &Peer) {
        match notification.method.as_str() {
            "notifications/initialized" => {}
            "notifications/cancelled" => {
                #[derive(serde::Deserialize)]
                struct Cancelled {
                    #[serde(rename = "requestId")]
                    request_id: RequestId,
                }
                match parse_params::<Cancelled>(notification.params.as_deref()) {
                    Ok(c) => {
                        if !peer.cancel(&c.request_id) {
                            tracing::debug!(id = %c.request_id, "cancellation for a request not in flight");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "malformed notifications/cancelled"),
                }
            }
            other => tracing::debug!(method = other, "ignored notification"),
        }
    }

    /// Delivers the client's answer to a server-to-client request.
    pub(crate) fn handle_response(&self, response: Response, peer: &Peer) {
        if !peer.complete(&response.id, response.outcome) {
            tracing::warn!(id = %response.id, "dropped a response to an unknown request id");
        }
    }
}

/// Starts a call of the tool `call.name` (naming the request's span for it): -32602 when there
/// is no such tool, it is disabled, or the caller may not see it. The one way every tool call starts, inline or as a task, in
/// both eras, to the server's own tools and those added at run time.
pub(crate) fn start_tool<'a>(
    server: &'a dyn MCPServer,
    handle: &ServerHandle,
    call: CallToolParams,
    ctx: Context,
) -> Result<(String, BoxFuture<'a, CallToolResult>), ErrorObject> {
    // Here, not in the async callers: a borrow of `call` there would keep it in their state.
    trace::record_target(&Method::ToolsCall, &call.name);
    let route = handle.registry().route_tool(&call.name, ctx.auth());
    // A tool's arguments are parsed before its future is made: a panic there (a `Deserialize`
    // impl's) is the call's, raised again from its future as a panic in the tool would be.
    let started = std::panic::catch_unwind(AssertUnwindSafe(|| match route {
        ToolRoute::Static => server.call_tool(&call.name, call.arguments, ctx),
        ToolRoute::RunTime(def) => Some(def.call(call.arguments, ctx)),
        ToolRoute::Unknown => None,
    }));
    let future = started.unwrap_or_else(|panic| Some(Box::pin(panicked(panic))));
    match future {
        Some(future) => Ok((call.name, future)),
        None => Err(unknown_tool(&call.name)),
    }
}

/// A tool call that panicked before its future was made: raises the panic again when polled,
/// where [`run_tool`]'s catch reports it.
async fn panicked(panic: Box<dyn std::any::Any + Send>) -> CallToolResult {
    std::panic::resume_unwind(panic)
}

/// Runs a started tool call to its result, or its panic's message: within `limit` (the
/// tool's own `#[tool(timeout)]`, else a [`Timeout`](crate::middleware::Timeout) layer's). The
/// one way every tool call runs, inline or as a task.
pub(crate) async fn run_tool(
    name: &str,
    future: BoxFuture<'_, CallToolResult>,
    limit: Option<Duration>,
) -> Result<CallToolResult, String> {
    match limit {
        None => catch_panic(future).await,
        // Boxed, with all it keeps: the timer would otherwise grow every request's future.
        Some(limit) => Box::pin(timed(name, limit, catch_panic(future))).await,
    }
}

/// A tool call's outcome within `limit`, else the timeout's result (the call's future
/// dropped, which cancels it).
async fn timed(
    name: &str,
    limit: std::time::Duration,
    call: impl Future<Output = Result<CallToolResult, String>>,
) -> Result<CallToolResult, String> {
    match tokio::time::timeout(limit, call).await {
        Ok(outcome) => outcome,
        Err(_) => Ok(timed_out(name, limit)),
    }
}

/// The result of a tool call that ran past its timeout (its future was dropped, which
/// cancelled it): an error the model can read.
pub(crate) fn timed_out(name: &str, limit: std::time::Duration) -> CallToolResult {
    let limit = DurationText(limit);
    tracing::warn!(tool = name, timeout = %limit, "tool call timed out");
    CallToolResult::error(format!(
        "tool `{name}` timed out after {limit} and was cancelled"
    ))
}

/// A duration as `#[tool(timeout = "...")]` writes it: `30s`, `1500ms`.
struct DurationText(std::time::Duration);

impl std::fmt::Display for DurationText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.0.as_millis();
        if ms % 1000 == 0 {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

/// -32602 for a tool that does not exist (or is disabled).
pub(crate) fn unknown_tool(name: &str) -> ErrorObject {
    ErrorObject::invalid_params(format!("Unknown tool: {name}"))
}

/// The result of a tool that panicked: an error the model can read; the session lives on.
pub(crate) fn panicked_tool(name: &str, panic: &str, details: bool) -> CallToolResult {
    CallToolResult::error(panic_report("tool", name, panic, details))
}

/// What a client is told of a handler's panic, which is logged here: its text when the
/// server opted in ([`ServerConfig::panic_details`](crate::ServerConfig::panic_details)),
/// otherwise only that it failed, since the text may hold internal details.
pub(crate) fn panic_report(kind: &str, name: &str, panic: &str, details: bool) -> String {
    tracing::error!(kind, name, panic = %panic, "handler panicked");
    if details {
        format!("{kind} `{name}` panicked: {panic}")
    } else {
        format!("{kind} `{name}` failed with an internal error")
    }
}

/// The `cursor` of a list request.
pub(super) fn cursor(params: Option<&RawValue>) -> Result<Option<String>, ErrorObject> {
    #[derive(serde::Deserialize)]
    struct Paginated {
        cursor: Option<String>,
    }
    Ok(parse_params::<Paginated>(params)?.cursor)
}

/// The progress token in `params._meta`, if any.
fn progress_token(params: Option<&RawValue>) -> Option<serde_json::Value> {
    parse_params::<crate::protocol::MetaOnly>(params)
        .ok()
        .and_then(|m| m.meta)
        .and_then(|m| m.progress_token)
}
