//! The 2026-07-28 era, whatever the transport: `server/discover`, the methods the era removed
//! or the server does not offer, a client per request, multi round-trip requests, and the
//! fields every result gains (`resultType`, caching hints, `serverInfo`).

use std::sync::Arc;

use serde_json::value::RawValue;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::input::InputExchange;
use super::request_state::StateBinding;
use super::tasks::{TaskCall, TaskEvent, Tasks, is_task_method};
use super::{Cacheable, Dispatcher, LogLevel, Peer, RequestEnv};
use crate::protocol::{
    CacheHint, DiscoverResult, ErrorObject, InputRetry, Request, RequestEnvelope, SERVER_INFO_KEY,
    SubscriptionFilter, TASKS_EXTENSION, TaskSupport, error_codes, version,
};

/// A 2026-07-28 request as a transport hands it over, its envelope already checked.
#[derive(Debug)]
pub(crate) struct ModernCall {
    /// The request's `_meta` envelope.
    pub(crate) envelope: RequestEnvelope,
    /// Where progress and log notifications go (`None`: a plain JSON answer).
    pub(crate) outbound: Option<mpsc::Sender<String>>,
    /// Cancelled when the server shuts down.
    pub(crate) cancel: CancellationToken,
    /// The caller, as the application's authentication established it.
    pub(crate) principal: Option<String>,
}

/// The methods whose results carry `ttlMs` and `cacheScope`.
fn cacheable<'a>(method: &str, params: Option<&'a Value>) -> Option<Cacheable<'a>> {
    Some(match method {
        "server/discover" => Cacheable::Discover,
        "tools/list" => Cacheable::ToolsList,
        "prompts/list" => Cacheable::PromptsList,
        "resources/list" => Cacheable::ResourcesList,
        "resources/templates/list" => Cacheable::ResourceTemplatesList,
        "resources/read" => Cacheable::ResourceRead {
            uri: params
                .and_then(|p| p.get("uri"))
                .and_then(Value::as_str)
                .unwrap_or(""),
        },
        _ => return None,
    })
}

/// The methods that may answer `InputRequiredResult`.
fn takes_input(method: &str) -> bool {
    matches!(method, "tools/call" | "prompts/get" | "resources/read")
}

impl Dispatcher {
    /// Whether `method` exists in the 2026-07-28 era on this server; otherwise the client
    /// gets -32601 (HTTP 404). The era removed `initialize`, `ping`, `logging/setLevel` and
    /// `resources/(un)subscribe`; a feature the server does not declare has no methods.
    pub(crate) fn offers_modern(&self, method: &str) -> bool {
        let caps = &self.capabilities;
        match method {
            "server/discover" => true,
            "tools/list" | "tools/call" => caps.tools.is_some(),
            "prompts/list" | "prompts/get" => caps.prompts.is_some(),
            "resources/list" | "resources/templates/list" | "resources/read" => {
                caps.resources.is_some()
            }
            "completion/complete" => caps.completions.is_some(),
            "tasks/get" | "tasks/update" | "tasks/cancel" => self.tasks.is_some(),
            "subscriptions/listen" => {
                let resources = caps.resources.as_ref();
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
    pub(crate) async fn handle_modern(
        &self,
        request: Request,
        call: ModernCall,
    ) -> Option<Result<Box<RawValue>, ErrorObject>> {
        let method = request.method.clone();
        let params: Option<Value> = request
            .params
            .as_deref()
            .and_then(|p| serde_json::from_str(p.get()).ok());
        let outcome = match self.prepare(&request, &call, params.as_ref()) {
            Err(error) => Err(error),
            Ok(None) => self.discover(),
            Ok(Some((env, input))) => match self.begin(&request, &env) {
                Ok(in_flight) => match self.task_route(&method, params.as_ref(), &call.envelope) {
                    TaskRoute::No => self.answer(request, env, input, in_flight).await?,
                    TaskRoute::Refused(error) => Err(error),
                    TaskRoute::Method(tasks) => {
                        let principal = call.principal.as_deref();
                        tasks.serve(&method, params.as_ref(), principal).await
                    }
                    TaskRoute::Call(tasks, support) => {
                        let task = TaskCall {
                            tasks,
                            support,
                            owner: call.principal.clone(),
                        };
                        self.call_as_task(request, env, input, in_flight, task)
                            .await?
                    }
                },
                Err(_) => Err(ErrorObject::invalid_request(format!(
                    "request id {} is already in flight",
                    request.id
                ))),
            },
        };
        Some(match outcome {
            Ok(raw) => Ok(self.complete_result(&method, params.as_ref(), raw)),
            Err(mut error) => {
                if error.code == error_codes::RESOURCE_NOT_FOUND {
                    // 2026-07-28 moved "resource not found" to invalid params.
                    error.code = error_codes::INVALID_PARAMS;
                }
                Err(error)
            }
        })
    }

    /// The per-request client and input exchange, or `None` for `server/discover`.
    #[allow(clippy::type_complexity)]
    fn prepare(
        &self,
        request: &Request,
        call: &ModernCall,
        params: Option<&Value>,
    ) -> Result<Option<(RequestEnv, Option<Arc<InputExchange>>)>, ErrorObject> {
        let method = request.method.as_str();
        if !self.offers_modern(method) || method == "subscriptions/listen" {
            return Err(ErrorObject::method_not_found(method));
        }
        if method == "server/discover" {
            return Ok(None);
        }
        let envelope = &call.envelope;
        let Some(version) = version::MODERN
            .iter()
            .copied()
            .find(|v| *v == envelope.protocol_version)
        else {
            return Err(unsupported_version(&envelope.protocol_version));
        };
        let log_level = match envelope.log_level.as_deref() {
            None => None,
            Some(name) => Some(LogLevel::parse(name).ok_or_else(|| {
                ErrorObject::invalid_params(format!("unknown log level {name:?}"))
            })?),
        };
        let peer = Arc::new(Peer::for_request(
            version,
            envelope.client_info.clone(),
            envelope.client_capabilities.clone(),
            log_level,
        ));
        let input = if takes_input(method) {
            let retry: InputRetry = params
                .and_then(|p| serde_json::from_value(p.clone()).ok())
                .unwrap_or_default();
            let binding =
                StateBinding::new(&self.info.name, method, params, call.principal.clone());
            Some(Arc::new(InputExchange::new(
                retry,
                envelope.client_capabilities.clone(),
                binding,
                self.state_key.clone(),
            )?))
        } else {
            None
        };
        let env = RequestEnv {
            peer,
            outbound: call.outbound.clone(),
            cancel: call.cancel.clone(),
            close_stream: None,
        };
        Ok(Some((env, input)))
    }

    /// Whether the request belongs to the tasks extension, and how.
    fn task_route(
        &self,
        method: &str,
        params: Option<&Value>,
        envelope: &RequestEnvelope,
    ) -> TaskRoute {
        let Some(tasks) = &self.tasks else {
            return TaskRoute::No;
        };
        let declared = envelope
            .client_capabilities
            .supports_extension(TASKS_EXTENSION);
        if is_task_method(method) {
            return match declared {
                true => TaskRoute::Method(tasks.clone()),
                false => TaskRoute::Refused(missing_tasks_extension()),
            };
        }
        if method != "tools/call" {
            return TaskRoute::No;
        }
        let tool = params
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if !self.handle.is_tool_enabled(tool) {
            return TaskRoute::No; // refused as an unknown tool
        }
        match self.task_support(tool) {
            TaskSupport::Forbidden => TaskRoute::No,
            support if declared => TaskRoute::Call(tasks.clone(), support),
            TaskSupport::Optional => TaskRoute::No,
            TaskSupport::Required => TaskRoute::Refused(missing_tasks_extension()),
        }
    }

    fn discover(&self) -> Result<Box<RawValue>, ErrorObject> {
        let result = DiscoverResult::new(
            version::ALL,
            &self.modern_capabilities,
            &self.info,
            self.instructions.as_deref(),
        );
        serde_json::value::to_raw_value(&result).map_err(ErrorObject::internal)
    }

    fn hint(&self, result: Cacheable<'_>) -> CacheHint {
        self.server.cache_hint(result).unwrap_or(self.cache_hint)
    }

    /// Adds `resultType`, the caching hints of cacheable results and the server's name in
    /// `_meta` (unless the result has a `_meta` of its own) to a result object.
    fn complete_result(
        &self,
        method: &str,
        params: Option<&Value>,
        raw: Box<RawValue>,
    ) -> Box<RawValue> {
        let text = raw.get();
        let Some(body) = text.strip_prefix('{') else {
            return raw;
        };
        if body.starts_with("\"resultType\"") {
            return raw; // an `InputRequiredResult`
        }
        let mut out = String::with_capacity(text.len() + 160);
        out.push_str("{\"resultType\":\"complete\"");
        if let Some(kind) = cacheable(method, params) {
            let hint = self.hint(kind);
            out.push_str(&format!(
                ",\"ttlMs\":{},\"cacheScope\":\"{}\"",
                hint.ttl_ms,
                hint.scope.as_str()
            ));
        }
        if !text.contains("\"_meta\"") {
            let info = json!({ SERVER_INFO_KEY: &self.info });
            out.push_str(",\"_meta\":");
            out.push_str(&info.to_string());
        }
        let body = body.trim_start();
        if !body.starts_with('}') {
            out.push(',');
        }
        out.push_str(body);
        RawValue::from_string(out).unwrap_or(raw)
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

    /// The tasks of `wanted` whose status changes `principal` may follow on a listen stream:
    /// those that exist and are theirs. -32021 when the client asks for task notifications
    /// without declaring the tasks extension.
    pub(crate) async fn agreed_task_ids(
        &self,
        wanted: Option<&[String]>,
        envelope: &RequestEnvelope,
        principal: Option<&str>,
    ) -> Result<Option<Vec<String>>, ErrorObject> {
        let (Some(wanted), Some(tasks)) = (wanted, &self.tasks) else {
            return Ok(None);
        };
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
    .with_data(json!({ "supported": version::ALL, "requested": requested }))
}
