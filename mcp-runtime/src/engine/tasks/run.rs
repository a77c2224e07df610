//! A `tools/call` that may become a task: started in the request, moved to the background
//! when it turns into one, and driven there to its end.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use futures_util::FutureExt;
use serde_json::value::RawValue;

use super::live::{Ending, LiveTask};
use super::{TaskLink, TaskRecord, Tasks};
use crate::engine::context::Context;
use crate::engine::dispatch::{
    panic_report, panicked_tool, parse_params, run_tool, start_tool, to_raw, unknown_tool,
};
use crate::engine::input::{Gate, Gated, InputExchange};
use crate::engine::middleware::{self, Layers, McpFuture, McpRequest, McpResult, McpService};
use crate::engine::{Dispatcher, InFlight, MCPServer, RequestEnv, ServerHandle};
use crate::protocol::{CallToolParams, CallToolResult, Era, ErrorObject, Request, TaskSupport};

/// The call through the server's layers to the tool, owned (so it can move to the
/// background), stopped where it waits for multi round-trip input. Its result is the tool's
/// `CallToolResult`, without the era's fields.
type Work = Pin<Box<dyn Future<Output = Gated<McpResult>> + Send>>;

/// What runs a task's tool: the server's own, and its layers.
struct ToolRunner {
    server: Arc<dyn MCPServer>,
    handle: ServerHandle,
    layers: Layers,
    panic_details: bool,
    /// The tool's panic, when it panicked: a call that never became a task answers it as an
    /// inline call does (an `isError` result), while a task fails with it.
    panicked: Arc<OnceLock<String>>,
}

impl ToolRunner {
    /// Runs `request` through the layers (as any request), then calls the tool on an owned
    /// handle of the server, within its timeout, catching a panic, as an inline call does. The
    /// tool is known to exist; one that vanished in between is refused as any unknown tool.
    fn work(self, request: McpRequest, ctx: Context) -> McpFuture<'static> {
        let ToolRunner {
            server,
            handle,
            layers,
            panic_details,
            panicked,
        } = self;
        let mut ctx = Some(ctx);
        let bottom = middleware::ServiceFn(move |request: McpRequest| -> McpFuture<'static> {
            let (server, handle, ctx) = (server.clone(), handle.clone(), ctx.take());
            let panicked = panicked.clone();
            Box::pin(async move {
                let ctx = ctx.ok_or_else(|| ErrorObject::internal("a tool call ran twice"))?;
                let call: CallToolParams = parse_params(request.params.as_deref())?;
                let result = match start_tool(&*server, &handle, call, ctx) {
                    Ok((name, future)) => {
                        let limit = server.tool_timeout(&name).or(request.tool_timeout());
                        // A crash fails the task (a tool error is a result).
                        run_tool(&name, future, limit).await.map_err(|panic| {
                            let report = panic_report("tool", &name, &panic, panic_details);
                            let _ = panicked.set(panic);
                            ErrorObject::internal(report)
                        })?
                    }
                    Err(error) => CallToolResult::error(error.message),
                };
                if result.is_error == Some(true) {
                    crate::engine::trace::record_tool_error();
                }
                to_raw(&result)
            })
        });
        Box::pin(async move { middleware::run(&layers, request, McpService::new(bottom)).await })
    }
}

/// What a tool's run ended with, as a task sees it: a layer's error fails it.
fn ending(gated: Gated<McpResult>) -> Ending {
    match gated {
        Gated::Done(Ok(result)) => match serde_json::from_str(result.get()) {
            Ok(value) => Ending::Completed(value),
            Err(e) => Ending::Failed(ErrorObject::internal(e)),
        },
        Gated::Done(Err(error)) => Ending::Failed(error),
        Gated::Stopped(outcome) => Ending::Failed(outcome.err().unwrap_or_else(|| {
            ErrorObject::internal("the task stopped to ask for input outside the task")
        })),
    }
}

impl Dispatcher {
    /// The answer to a call that finished without becoming a task: as any other call's (a
    /// panic of `name`'s, recorded in `panicked`, is an `isError` result, as inline).
    fn plain_answer(
        &self,
        name: &str,
        panicked: &OnceLock<String>,
        gated: Gated<McpResult>,
    ) -> Result<Box<RawValue>, ErrorObject> {
        if let (Gated::Done(Err(_)), Some(panic)) = (&gated, panicked.get()) {
            crate::engine::trace::record_tool_error();
            let result = panicked_tool(name, panic, self.panic_details);
            return self.reply_large(Era::Stateless, None, &result);
        }
        match gated {
            Gated::Done(outcome) => {
                let result: CallToolResult =
                    serde_json::from_str(outcome?.get()).map_err(ErrorObject::internal)?;
                self.reply_large(Era::Stateless, None, &result)
            }
            Gated::Stopped(outcome) => outcome.and_then(|v| to_raw(&v)),
        }
    }
}

/// How long a call of a tool with this support runs before it becomes a task.
fn start_after(support: TaskSupport, configured: Duration) -> Duration {
    match support {
        TaskSupport::Required => Duration::ZERO,
        _ => configured,
    }
}

/// A `tools/call` that may become a task: where tasks go, how the tool runs as one, and whose
/// the task will be.
#[derive(Debug)]
pub(crate) struct TaskCall {
    pub(crate) tasks: Arc<Tasks>,
    pub(crate) support: TaskSupport,
    /// The caller's principal: the task's owner.
    pub(crate) owner: Option<String>,
}

impl Dispatcher {
    /// Answers a `tools/call` of a task tool from a client that declared the extension: its
    /// result if it finishes soon (an `optional` tool) or stops for multi round-trip input,
    /// else a `CreateTaskResult` while the call goes on in the background. `None` when the
    /// server shut down first.
    pub(crate) async fn call_as_task(
        &self,
        request: Request,
        env: RequestEnv,
        input: Option<Arc<InputExchange>>,
        in_flight: InFlight,
        task: TaskCall,
    ) -> Option<Result<Box<RawValue>, ErrorObject>> {
        let _in_flight = in_flight;
        let TaskCall {
            tasks,
            support,
            owner,
        } = task;
        let mut call: CallToolParams = match parse_params(request.params.as_deref()) {
            Ok(call) => call,
            Err(error) => return Some(Err(error)),
        };
        let caller = env.caller.principal.as_ref();
        if !self.handle.registry().callable(&call.name, caller) {
            return Some(Err(unknown_tool(&call.name)));
        }
        let name = call.name.clone();
        let link = Arc::new(TaskLink::default());
        let capabilities = env.peer.client_capabilities().clone();
        // The task cancels its token when it ends (and `tasks/cancel` does): a token of its
        // own, under the request's, which may be the server's shutdown token itself.
        let mut env = env;
        env.cancel = env.cancel.child_token();
        let cancel = env.cancel.clone();
        let progress_token = call.meta.take().and_then(|m| m.progress_token);
        let Request { id, method, params } = request;
        let through = McpRequest::new(id.clone(), method, params, &env);
        let ctx = self
            .context(id, progress_token, env, input.clone())
            .with_task(link.clone());
        let panicked = Arc::new(OnceLock::new());
        let runner = ToolRunner {
            server: self.server.clone(),
            handle: self.handle.clone(),
            layers: self.layers.clone(),
            panic_details: self.panic_details,
            panicked: panicked.clone(),
        };
        let tool = runner.work(through, ctx);
        let mut work: Work = match input {
            Some(exchange) => Box::pin(Gate::new(tool, exchange)),
            None => Box::pin(tool.map(Gated::Done)),
        };

        let early = tokio::select! {
            biased;
            () = cancel.cancelled() => return None,
            gated = &mut work => Some(gated),
            () = link.start_requested() => None,
            () = tokio::time::sleep(start_after(support, tasks.config.start_after)) => None,
        };
        let config = &tasks.config;
        let mut record = TaskRecord::new(owner, config.ttl, Some(config.poll_interval));
        if let Some(gated) = early {
            let finished_in_time = matches!(gated, Gated::Done(_));
            if support != TaskSupport::Required || !finished_in_time {
                link.decline();
                return Some(self.plain_answer(&name, &panicked, gated));
            }
            // A `required` tool is always a task, even one that is already done.
            ending(gated).apply(&mut record);
            return Some(match config.store.create(&record).await {
                Ok(()) => to_raw(&record.create_result()),
                Err(e) => Err(ErrorObject::internal(format!("cannot create a task: {e}"))),
            });
        }

        // Scoped so the error is not kept across the waits below (this future is boxed per
        // request, and its size is bounded by a test).
        let run_inline = {
            let created = if tasks.over_quota(record.owner.as_deref()) {
                Err(tasks.quota_error())
            } else {
                config
                    .store
                    .create(&record)
                    .await
                    .map_err(|e| ErrorObject::internal(format!("cannot create a task: {e}")))
            };
            match created {
                Ok(()) => {
                    // Before the id is handed out, so no reader finds the task unheld.
                    if let Err(e) = config.store.hold(&record.task_id, config.lease).await {
                        tracing::warn!(task = %record.task_id, error = %e, "task lease not taken");
                    }
                    false
                }
                Err(e) => {
                    link.decline();
                    if support == TaskSupport::Required {
                        tracing::warn!(tool = %name, error = %e.message, "task refused");
                        return Some(Err(e));
                    }
                    tracing::warn!(tool = %name, error = %e.message, "no room for a task: the call runs inline");
                    true
                }
            }
        };
        if run_inline {
            return tokio::select! {
                biased;
                () = cancel.cancelled() => None,
                gated = work => Some(self.plain_answer(&name, &panicked, gated)),
            };
        }
        let live = Arc::new(LiveTask::new(
            record.clone(),
            cancel,
            capabilities,
            config.store.clone(),
            tasks.events.clone(),
        ));
        tasks.running().insert(record.task_id.clone(), live.clone());
        link.begin(live.clone());
        tracing::debug!(task = %record.task_id, tool = %name, "tools/call became a task");
        tokio::spawn(drive(work, live, tasks.clone(), name, record.expires_at()));
        Some(to_raw(&record.create_result()))
    }
}

/// Runs a task's work to its end: completion, failure, `tasks/cancel`, its TTL or the
/// server's shutdown.
async fn drive(
    work: Work,
    live: Arc<LiveTask>,
    tasks: Arc<Tasks>,
    name: String,
    expires: Option<SystemTime>,
) {
    let id = live.id();
    let expiry = async move {
        match expires {
            Some(at) => {
                let left = at.duration_since(SystemTime::now()).unwrap_or_default();
                tokio::time::sleep(left).await;
            }
            None => std::future::pending().await,
        }
    };
    let mut expired = false;
    let renewing = renew_lease(tasks.config.store.clone(), id.clone(), tasks.config.lease);
    let ending = tokio::select! {
        biased;
        // `tasks/cancel` ends the task itself first; this is the server shutting down.
        () = live.cancel.cancelled() => Ending::Cancelled("the server is shutting down"),
        () = renewing => Ending::Failed(ErrorObject::internal("the task's lease stopped")),
        () = expiry => {
            expired = true;
            Ending::Cancelled("the task's TTL elapsed")
        }
        gated = work => ending(gated),
    };
    live.cancel.cancel();
    live.finish(ending).await;
    tasks.running().remove(&id);
    if expired {
        if let Err(e) = tasks.config.store.remove(&id).await {
            tracing::warn!(task = %id, error = %e, "expired task not removed");
        }
    }
    tracing::debug!(task = %id, tool = %name, "task ended");
}

/// Renews the lease on task `id` every third of `lease`, as long as it is polled (the task
/// runs). A failed renewal is logged and retried at the next tick.
async fn renew_lease(store: std::sync::Arc<dyn super::TaskStore>, id: String, lease: Duration) {
    let mut tick = tokio::time::interval(lease / 3);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await; // the first tick is now: the lease was just taken
    loop {
        tick.tick().await;
        if let Err(e) = store.hold(&id, lease).await {
            tracing::warn!(task = %id, error = %e, "task lease not renewed");
        }
    }
}
