//! [`Context`]: what a tool may ask of the runtime while it runs.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::engine::input::{Halt, InputExchange};
use crate::engine::outbound::Outbound;
use crate::engine::principal::{Caller, Principal};
use crate::engine::tasks::{LiveTask, TaskLink};
use crate::engine::trace;
use crate::engine::{LogLevel, Peer, PeerError, ServerHandle};
use crate::protocol::{ClientCapabilities, RequestId, Version, notification_json, request_json};

mod elicitation;
pub(crate) mod elicitation_schema;
mod roots;
mod sampling;

pub use elicitation::Elicitation;
pub use elicitation_schema::elicitation_schema;

/// The request a handler serves: progress, logging, cancellation and requests to the client.
///
/// Take it as a parameter of any tool (`ctx: Context`); it is not part of the input schema.
///
/// ```
/// use mcp_runtime::{mcp_server, tool, Context};
///
/// struct Worker;
///
/// #[mcp_server]
/// impl Worker {
///     /// Count to `n`, reporting progress.
///     #[tool]
///     async fn count(&self, n: u32, ctx: Context) -> String {
///         for i in 0..n {
///             if ctx.is_cancelled() {
///                 return "cancelled".into();
///             }
///             ctx.progress(f64::from(i + 1), Some(f64::from(n)), None).await;
///         }
///         format!("counted to {n}")
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Context {
    inner: Arc<Inner>,
    /// The key of the next requests to the client in an `InputRequiredResult` (2026-07-28).
    input_key: Option<Arc<str>>,
}

#[derive(Debug)]
struct Inner {
    request_id: RequestId,
    progress_token: Option<Value>,
    cancel: CancellationToken,
    peer: Arc<Peer>,
    outbound: Option<Outbound>,
    server: ServerHandle,
    /// Set for 2026-07-28 requests that may answer `InputRequiredResult`.
    input: Option<Arc<InputExchange>>,
    /// Set when the transport can end the client's stream early (SSE polling).
    close_stream: Option<Arc<tokio::sync::Notify>>,
    /// Set for a call that may become a task (2026-07-28, tasks extension).
    task: Option<Arc<TaskLink>>,
    /// Who sent the request.
    caller: Caller,
}

impl Context {
    pub(crate) fn new(
        request_id: RequestId,
        progress_token: Option<Value>,
        cancel: CancellationToken,
        peer: Arc<Peer>,
        outbound: Option<Outbound>,
        server: ServerHandle,
        caller: Caller,
    ) -> Self {
        Context {
            inner: Arc::new(Inner {
                request_id,
                progress_token,
                cancel,
                peer,
                outbound,
                server,
                input: None,
                close_stream: None,
                task: None,
                caller,
            }),
            input_key: None,
        }
    }

    /// Lets [`close_sse_stream`](Self::close_sse_stream) reach the transport.
    pub(crate) fn with_stream_control(self, close: Option<Arc<tokio::sync::Notify>>) -> Self {
        match close {
            Some(close) => {
                self.fresh_with("stream control", |inner| inner.close_stream = Some(close))
            }
            None => self,
        }
    }

    /// Sets up a context the runtime just made (so not yet shared); a shared one is left as is.
    fn fresh_with(self, what: &str, set: impl FnOnce(&mut Inner)) -> Self {
        let inner = match Arc::try_unwrap(self.inner) {
            Ok(mut inner) => {
                set(&mut inner);
                Arc::new(inner)
            }
            Err(inner) => {
                tracing::error!("{what} was attached to a shared context");
                inner
            }
        };
        Context {
            inner,
            input_key: self.input_key,
        }
    }

    /// Ends the client's SSE stream for this request now, while the request goes on (SSE
    /// polling, 2025-11-25): its later messages and its response wait in the event store and
    /// the client fetches them by reconnecting with `Last-Event-ID` after the `retry`
    /// interval. Returns `false`, doing nothing, when the stream cannot be resumed (no event
    /// store, JSON responses, stdio, or a client older than 2025-11-25).
    ///
    /// ```no_run
    /// # async fn long_job(ctx: mcp_runtime::Context) {
    /// ctx.close_sse_stream(); // don't hold a connection open for the next ten minutes
    /// tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    /// # }
    /// ```
    pub fn close_sse_stream(&self) -> bool {
        if self.live_task().is_some() {
            return false;
        }
        match &self.inner.close_stream {
            Some(close) => {
                close.notify_one();
                true
            }
            None => false,
        }
    }

    /// Routes requests to the client through a multi round-trip exchange (2026-07-28).
    pub(crate) fn with_input(self, input: Option<Arc<InputExchange>>) -> Self {
        match input {
            Some(input) => self.fresh_with("an input exchange", |inner| inner.input = Some(input)),
            None => self,
        }
    }

    /// Ties the context to the task its call may become.
    pub(crate) fn with_task(self, link: Arc<TaskLink>) -> Self {
        self.fresh_with("a task link", |inner| inner.task = Some(link))
    }

    /// The task this call runs as, once it became one.
    fn live_task(&self) -> Option<&Arc<LiveTask>> {
        self.inner.task.as_ref().and_then(|link| link.live())
    }

    /// Turns this call into a task now, if it can be one: the client gets its task handle at
    /// once and this handler goes on in the background. Returns whether the call is a task
    /// (from now on, or already).
    ///
    /// A call can be a task when its tool is `#[tool(task = "optional")]` or
    /// `#[tool(task = "required")]` and the client declared the tasks extension on it
    /// (2026-07-28). Otherwise this returns `false` at once and the call goes on as any other,
    /// so the same code serves every client. Without this call, the runtime makes a task of a
    /// call that runs longer than [`TaskConfig::start_after`](crate::TaskConfig::start_after)
    /// (at once for `required` tools).
    ///
    /// Requests to the client made before the call is a task travel as multi round-trip
    /// requests; after, they become the task's `inputRequests`, answered by `tasks/update`. So
    /// ask what decides whether to start before this call, and what the work needs after it.
    ///
    /// ```no_run
    /// # use mcp_runtime::{Context, PeerError};
    /// # async fn delete_all(_: &str) {}
    /// # #[derive(serde::Deserialize, schemars::JsonSchema)] struct Confirm { confirm: bool }
    /// # async fn f(ctx: Context, path: String) -> Result<String, PeerError> {
    /// ctx.start_task().await; // the client polls from here on
    /// let answer = ctx.elicit::<Confirm>(format!("Delete everything under {path}?")).await?;
    /// if answer.accepted().is_some_and(|c| c.confirm) {
    ///     delete_all(&path).await;
    /// }
    /// # Ok(String::new()) }
    /// ```
    pub async fn start_task(&self) -> bool {
        match &self.inner.task {
            Some(link) => link.request_start().await,
            None => false,
        }
    }

    /// The id of the task this call runs as, once it is one.
    ///
    /// ```
    /// assert_eq!(mcp_runtime::Context::detached().task_id(), None);
    /// ```
    pub fn task_id(&self) -> Option<String> {
        self.live_task().map(|task| task.id())
    }

    /// The same context, whose requests to the client travel under `key` in a 2026-07-28
    /// `InputRequiredResult` (the key of `inputRequests` and `inputResponses`). Without one,
    /// the runtime numbers them (`input-0`, `input-1`, …). The handshake era ignores it.
    ///
    /// ```no_run
    /// # async fn f(ctx: mcp_runtime::Context) -> Result<(), mcp_runtime::PeerError> {
    /// let roots = ctx
    ///     .with_input_key("client_roots")
    ///     .request_with_capability("roots", "roots/list", serde_json::json!({}))
    ///     .await?;
    /// # let _ = roots; Ok(()) }
    /// ```
    pub fn with_input_key(&self, key: impl Into<String>) -> Context {
        Context {
            inner: self.inner.clone(),
            input_key: Some(Arc::from(key.into())),
        }
    }

    /// The running server: enable or disable tools, announce resource updates.
    pub fn server(&self) -> &ServerHandle {
        &self.inner.server
    }

    /// A context attached to no client, for calling handlers in unit tests: notifications go
    /// nowhere and requests to the client fail with [`PeerError::NoChannel`].
    ///
    /// ```
    /// let ctx = mcp_runtime::Context::detached();
    /// assert!(!ctx.is_cancelled());
    /// ```
    pub fn detached() -> Self {
        Self::new(
            RequestId::Number(0),
            None,
            CancellationToken::new(),
            Arc::new(Peer::new(false)),
            None,
            ServerHandle::detached(),
            Caller::default(),
        )
    }

    /// Who is calling, when an authentication layer established it (for example the OAuth
    /// resource server of `mcp-auth`): the token's subject, issuer, scopes and claims.
    /// `None` over stdio and without authentication.
    ///
    /// ```
    /// use mcp_runtime::{mcp_server, tool, Context};
    ///
    /// struct Notes;
    ///
    /// #[mcp_server]
    /// impl Notes {
    ///     /// Who am I?
    ///     #[tool]
    ///     fn whoami(&self, ctx: Context) -> String {
    ///         match ctx.auth() {
    ///             Some(caller) => format!("{} ({})", caller.subject(), caller.scopes().join(" ")),
    ///             None => "anonymous".into(),
    ///         }
    ///     }
    /// }
    /// assert!(mcp_runtime::Context::detached().auth().is_none());
    /// ```
    pub fn auth(&self) -> Option<&Principal> {
        self.inner.caller.principal.as_ref()
    }

    /// The headers of the HTTP request being served (`None` over stdio), for what a tool needs
    /// of them: a tenant, a locale, a correlation id. Credentials are better read through
    /// [`auth`](Self::auth), once a layer has checked them.
    ///
    /// ```
    /// # fn f(ctx: mcp_runtime::Context) {
    /// let tenant = ctx
    ///     .headers()
    ///     .and_then(|h| h.get("x-tenant"))
    ///     .and_then(|v| v.to_str().ok());
    /// # let _ = tenant; }
    /// ```
    pub fn headers(&self) -> Option<&axum::http::HeaderMap> {
        self.inner.caller.headers.as_deref()
    }

    /// The JSON-RPC id of the request being served.
    pub fn request_id(&self) -> &RequestId {
        &self.inner.request_id
    }

    /// What the client declared it supports.
    pub fn client_capabilities(&self) -> &ClientCapabilities {
        self.inner.peer.client_capabilities()
    }

    /// The protocol version of the session, once negotiated (in the 2026-07-28 era, the
    /// request's).
    pub fn protocol_version(&self) -> Option<Version> {
        self.inner.peer.protocol_version()
    }

    /// Whether the client cancelled the request (or the session ended).
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancel.is_cancelled()
    }

    /// Whether the handler has been stopped to ask the client for input (2026-07-28): the
    /// runtime ends the call with an `InputRequiredResult` once the handler yields.
    pub(crate) fn is_stopped_for_input(&self) -> bool {
        self.inner
            .input
            .as_ref()
            .is_some_and(|input| input.halted())
    }

    /// Completes when the request is cancelled; use it in `tokio::select!`.
    pub async fn cancelled(&self) {
        self.inner.cancel.cancelled().await
    }

    /// Reports progress, if the client asked for it with a progress token (otherwise a no-op).
    /// `progress` must increase from one call to the next.
    ///
    /// Inside a task, where no notification can reach the client, progress becomes the
    /// task's `statusMessage` instead (`message (progress/total)`), whatever the token.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        if let Some(task) = self.live_task() {
            let amount = match total {
                Some(total) => format!("{progress}/{total}"),
                None => format!("{progress}"),
            };
            let status = match message {
                Some(message) => format!("{message} ({amount})"),
                None => amount,
            };
            task.set_message(status).await;
            return;
        }
        let Some(token) = &self.inner.progress_token else {
            return;
        };
        let mut params = json!({ "progressToken": token, "progress": progress });
        if let Some(total) = total {
            params["total"] = json!(total);
        }
        if let Some(message) = message {
            params["message"] = json!(message);
        }
        self.notify("notifications/progress", params).await;
    }

    /// Sends a log message (`notifications/message`) if the client's level lets it through.
    ///
    /// Inside a task, which has no stream to the client, the message goes to the server's own
    /// log (`tracing`, target `mcp_runtime::task`) instead.
    pub async fn log(&self, level: LogLevel, logger: Option<&str>, data: impl Serialize) {
        if let Some(task) = self.live_task() {
            let data = serde_json::to_value(data).unwrap_or_else(|e| Value::String(e.to_string()));
            let (task, logger) = (task.id(), logger.unwrap_or(""));
            match level {
                LogLevel::Debug => {
                    tracing::debug!(target: "mcp_runtime::task", task, logger, %data)
                }
                LogLevel::Info | LogLevel::Notice => {
                    tracing::info!(target: "mcp_runtime::task", task, logger, %data)
                }
                LogLevel::Warning => {
                    tracing::warn!(target: "mcp_runtime::task", task, logger, %data)
                }
                _ => tracing::error!(target: "mcp_runtime::task", task, logger, %data),
            }
            return;
        }
        if !self.inner.peer.wants_log(level) {
            return;
        }
        let data = serde_json::to_value(data).unwrap_or_else(|e| Value::String(e.to_string()));
        let mut params = json!({ "level": level.as_str(), "data": data });
        if let Some(logger) = logger {
            params["logger"] = json!(logger);
        }
        self.notify("notifications/message", params).await;
    }

    /// Logs `message` at `debug`.
    pub async fn debug(&self, message: impl Into<String>) {
        self.log(LogLevel::Debug, None, message.into()).await
    }

    /// Logs `message` at `info`.
    pub async fn info(&self, message: impl Into<String>) {
        self.log(LogLevel::Info, None, message.into()).await
    }

    /// Logs `message` at `warning`.
    pub async fn warning(&self, message: impl Into<String>) {
        self.log(LogLevel::Warning, None, message.into()).await
    }

    /// Logs `message` at `error`.
    pub async fn error(&self, message: impl Into<String>) {
        self.log(LogLevel::Error, None, message.into()).await
    }

    /// Sends a notification related to this request. It is dropped when the response
    /// cannot carry it (JSON responses) or the client went away without an event store.
    pub async fn notify(&self, method: &str, params: Value) {
        if self.live_task().is_some() {
            tracing::debug!(
                method,
                "notification dropped: tasks have no stream to the client"
            );
            return;
        }
        if let Some(outbound) = &self.inner.outbound {
            let sent = outbound.sender().send(notification_json(method, &params));
            if sent.await.is_err() {
                tracing::debug!(
                    method,
                    "notification dropped: the response stream is closed"
                );
            }
        } else {
            tracing::debug!(method, "notification dropped: this response is plain JSON");
        }
    }

    /// Sends a request to the client and waits for its answer. Fails at once when the
    /// transport cannot carry it, and when the request is cancelled.
    ///
    /// In the 2026-07-28 era the request travels in an `InputRequiredResult`: the handler is
    /// stopped here, and run again from the start when the client retries with its answer,
    /// which this call then returns. Your code does not change; it must only ask the same
    /// questions in the same order on every run (do side effects after the questions).
    ///
    /// Inside a task, the request joins the task's `inputRequests` (status `input_required`)
    /// and this call returns the answer the client gives with `tasks/update`.
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, PeerError> {
        if let Some(task) = self.live_task() {
            return task.ask(self.input_key.as_deref(), method, params).await;
        }
        if let Some(input) = &self.inner.input {
            return match input.ask(self.input_key.as_deref(), method, params) {
                Ok(answer) => Ok(answer),
                Err(Halt::Unsupported) => Err(PeerError::NoChannel),
                Err(Halt::Stop) => {
                    // The runtime drops this future; a spawned copy ends with the request.
                    input.over().await;
                    Err(PeerError::Closed)
                }
            };
        }
        let peer = &self.inner.peer;
        let Some(tx) = self
            .inner
            .outbound
            .as_ref()
            .filter(|_| peer.accepts_requests())
        else {
            return Err(PeerError::NoChannel);
        };
        let (id, rx) = peer.register_outgoing()?;
        // Forgets the question however this ends, also when the caller drops this future.
        let _pending = Pending { peer, id: &id };
        let mut params = params;
        let span = trace::client_request(method, &id, &mut params, peer);
        let answer = self.ask(tx.sender(), &id, method, &params, rx).await;
        if let Err(error) = &answer {
            trace::record_client_failure(&span, error);
        }
        answer
    }

    /// Sends a request to the client and waits for its answer, the client's cancellation
    /// or the timeout.
    async fn ask(
        &self,
        tx: &mpsc::Sender<String>,
        id: &RequestId,
        method: &str,
        params: &Value,
        rx: oneshot::Receiver<crate::engine::peer::Answer>,
    ) -> Result<Value, PeerError> {
        let peer = &self.inner.peer;
        if tx.send(request_json(id, method, params)).await.is_err() {
            return Err(PeerError::Closed);
        }
        let timeout = peer.limits().client_request_timeout;
        let expired = async {
            match timeout {
                Some(after) => tokio::time::sleep(after).await,
                None => std::future::pending().await,
            }
        };
        let answer = tokio::select! {
            answer = rx => answer,
            () = self.inner.cancel.cancelled() => return Err(PeerError::Closed),
            () = expired => {
                let after = timeout.unwrap_or_default();
                tracing::warn!(%method, ?after, "the client did not answer a request in time");
                // Tell the client to stop working on it, as the spec has a requester do.
                let cancelled = crate::protocol::notification_json(
                    "notifications/cancelled",
                    &serde_json::json!({ "requestId": id, "reason": "timed out" }),
                );
                let _ = tx.try_send(cancelled);
                return Err(PeerError::Timeout(after));
            }
        };
        match answer {
            Ok(Ok(raw)) => {
                serde_json::from_str(raw.get()).map_err(|e| PeerError::Malformed(e.to_string()))
            }
            Ok(Err(error)) => Err(PeerError::Client(error)),
            Err(_) => Err(PeerError::Closed),
        }
    }

    /// Like [`request`](Self::request), but first checks that the client declared `capability`.
    pub async fn request_with_capability(
        &self,
        capability: &'static str,
        method: &str,
        params: Value,
    ) -> Result<Value, PeerError> {
        self.require_capability(capability).await?;
        self.request(method, params).await
    }

    /// Checks that the client declared `capability` (`sampling`, `elicitation`, `roots`…)
    /// before doing work that needs it.
    ///
    /// In the handshake era a missing capability is an error your code sees. In the 2026-07-28
    /// era, where the client declares capabilities per request, the spec has the server answer
    /// the request with `MissingRequiredClientCapability` (-32021) instead: the handler is
    /// stopped here and never sees the error.
    ///
    /// ```no_run
    /// # async fn f(ctx: mcp_runtime::Context) -> Result<(), mcp_runtime::PeerError> {
    /// ctx.require_capability("sampling").await?;
    /// # Ok(()) }
    /// ```
    pub async fn require_capability(&self, capability: &'static str) -> Result<(), PeerError> {
        if self.client_capabilities().supports(capability) {
            return Ok(());
        }
        Err(self.missing_capability(capability).await)
    }

    /// Reports that the client lacks `capability` (which may name a sub-capability such as
    /// `elicitation.url`): the error in the handshake era; in 2026-07-28 the request is
    /// answered with -32021 and this never returns to the handler.
    pub(crate) async fn missing_capability(&self, capability: &'static str) -> PeerError {
        if self.live_task().is_some() {
            // The call was answered long ago: the handler hears of it.
            return PeerError::MissingCapability(capability);
        }
        if let Some(input) = &self.inner.input {
            input.require_capability(capability);
            input.over().await;
            return PeerError::Closed;
        }
        PeerError::MissingCapability(capability)
    }
}

/// A request to the client awaiting its answer: forgotten when dropped, so neither a
/// cancelled tool nor a dropped future leaves its entry behind.
struct Pending<'a> {
    peer: &'a Peer,
    id: &'a RequestId,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.peer.forget_outgoing(self.id);
    }
}

#[cfg(test)]
mod pending_tests {
    use super::*;

    #[tokio::test]
    async fn a_dropped_question_leaves_no_pending_entry() {
        let peer = Arc::new(Peer::new(true));
        let (tx, mut rx) = mpsc::channel(4);
        let ctx = Context::new(
            RequestId::Number(1),
            None,
            CancellationToken::new(),
            peer.clone(),
            Some(tx.into()),
            ServerHandle::detached(),
            Caller::default(),
        );
        let mut asking = Box::pin(ctx.request("roots/list", serde_json::json!({})));
        assert!(futures_util::FutureExt::now_or_never(asking.as_mut()).is_none());
        assert!(rx.recv().await.is_some(), "the question was sent");
        assert_eq!(peer.pending(), 1);
        drop(asking);
        assert_eq!(
            peer.pending(),
            0,
            "dropping the future forgets the question"
        );
    }
}
