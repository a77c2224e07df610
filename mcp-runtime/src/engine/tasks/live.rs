//! The part of a task that lives in the process running it: its cancellation, the answers
//! its handler waits for, and the link between a call's [`Context`](crate::Context) and the
//! task it may become.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};
use tokio::sync::{Notify, broadcast, oneshot, watch};
use tokio_util::sync::CancellationToken;

use super::{TaskEvent, TaskRecord, TaskStore};
use crate::engine::PeerError;
use crate::engine::input::{capability_for, check_answer};
use crate::protocol::{ClientCapabilities, ErrorObject, InputRequest, TaskStatus};
use crate::recover::lock;

/// How a task ended.
#[derive(Debug)]
pub(crate) enum Ending {
    /// The tool returned this `CallToolResult` (as JSON).
    Completed(Value),
    /// A JSON-RPC error.
    Failed(ErrorObject),
    /// Cancelled, with why.
    Cancelled(&'static str),
}

#[derive(Debug)]
struct State {
    record: TaskRecord,
    /// The handler's requests waiting for an answer, by key.
    waiting: HashMap<String, Waiter>,
    /// Every key used so far: keys are never reused within a task.
    used: HashSet<String>,
}

#[derive(Debug)]
struct Waiter {
    method: String,
    answer: oneshot::Sender<Value>,
}

/// A task running in this process.
pub(crate) struct LiveTask {
    state: Mutex<State>,
    next_key: AtomicUsize,
    /// Cancelled by `tasks/cancel`, the TTL or the server's shutdown.
    pub(crate) cancel: CancellationToken,
    /// What the client declared when it made the call.
    capabilities: ClientCapabilities,
    store: Arc<dyn TaskStore>,
    /// Keeps the store's writes of this task in order.
    writing: tokio::sync::Mutex<()>,
    events: broadcast::Sender<TaskEvent>,
}

impl std::fmt::Debug for LiveTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveTask")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl LiveTask {
    pub(crate) fn new(
        record: TaskRecord,
        cancel: CancellationToken,
        capabilities: ClientCapabilities,
        store: Arc<dyn TaskStore>,
        events: broadcast::Sender<TaskEvent>,
    ) -> Self {
        LiveTask {
            state: Mutex::new(State {
                record,
                waiting: HashMap::new(),
                used: HashSet::new(),
            }),
            next_key: AtomicUsize::new(0),
            cancel,
            capabilities,
            store,
            writing: tokio::sync::Mutex::new(()),
            events,
        }
    }

    /// The task's id.
    pub(crate) fn id(&self) -> String {
        lock(&self.state).record.task_id.clone()
    }

    /// Whether `owner` created the task.
    pub(crate) fn owned_by(&self, owner: &str) -> bool {
        lock(&self.state).record.owner.as_deref() == Some(owner)
    }

    /// The task's status now.
    pub(crate) fn status(&self) -> TaskStatus {
        lock(&self.state).record.status
    }

    /// The task as it is now.
    pub(crate) fn snapshot(&self) -> TaskRecord {
        lock(&self.state).record.clone()
    }

    /// Writes the task's current state to the store and tells status listeners. Writes are
    /// serialized, and each takes the state when it starts, so the store ends with the latest.
    async fn persist(&self) {
        let _writing = self.writing.lock().await;
        let record = self.snapshot();
        if let Err(e) = self.store.save(&record).await {
            tracing::error!(task = %record.task_id, error = %e, "task state not saved");
        }
        // No listener is fine.
        let _ = self.events.send(TaskEvent::of(&record));
    }

    /// Asks the client for input through the task: the request joins the task's
    /// `inputRequests` (status `input_required`) until `tasks/update` answers it.
    pub(crate) async fn ask(
        &self,
        key: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, PeerError> {
        let Some(capability) = capability_for(method) else {
            return Err(PeerError::NoChannel);
        };
        if !self.capabilities.supports(capability) {
            return Err(PeerError::MissingCapability(capability));
        }
        let (tx, rx) = oneshot::channel();
        {
            let mut state = lock(&self.state);
            if state.record.status.is_terminal() {
                return Err(PeerError::Closed);
            }
            let key = self.fresh_key(&mut state, key);
            state
                .record
                .input_requests
                .insert(key.clone(), InputRequest::new(method.to_owned(), params));
            state.record.status = TaskStatus::InputRequired;
            state.record.touch();
            state.waiting.insert(
                key,
                Waiter {
                    method: method.to_owned(),
                    answer: tx,
                },
            );
        }
        self.persist().await;
        tokio::select! {
            answer = rx => answer.map_err(|_| PeerError::Closed),
            () = self.cancel.cancelled() => Err(PeerError::Closed),
        }
    }

    /// A key no request of this task used before: the handler's, or a numbered one.
    fn fresh_key(&self, state: &mut State, wanted: Option<&str>) -> String {
        let mut key = match wanted {
            Some(k) if !state.used.contains(k) => k.to_owned(),
            _ => {
                let base = wanted.unwrap_or("input");
                format!("{base}-{}", self.next_key.fetch_add(1, Ordering::Relaxed))
            }
        };
        while state.used.contains(&key) {
            key = format!("input-{}", self.next_key.fetch_add(1, Ordering::Relaxed));
        }
        state.used.insert(key.clone());
        key
    }

    /// Hands the client's answers to the requests waiting for them. Keys that wait for
    /// nothing are ignored; an answer of the wrong shape refuses the whole update (-32602)
    /// and leaves every request waiting. Returns how many answers were delivered.
    pub(crate) async fn answer(&self, responses: Map<String, Value>) -> Result<usize, ErrorObject> {
        let delivered = {
            let mut state = lock(&self.state);
            for (key, answer) in &responses {
                if let Some(waiter) = state.waiting.get(key) {
                    check_answer(&waiter.method, answer).map_err(|problem| {
                        ErrorObject::invalid_params(format!("inputResponses.{key}: {problem}"))
                    })?;
                }
            }
            let mut delivered = 0;
            for (key, answer) in responses {
                let Some(waiter) = state.waiting.remove(&key) else {
                    tracing::debug!(key, "tasks/update answer for no outstanding request");
                    continue;
                };
                state.record.input_requests.remove(&key);
                // The handler may be gone (cancelled); the answer then goes nowhere.
                let _ = waiter.answer.send(answer);
                delivered += 1;
            }
            if delivered > 0 {
                if state.waiting.is_empty() && state.record.status == TaskStatus::InputRequired {
                    state.record.status = TaskStatus::Working;
                }
                state.record.touch();
            }
            delivered
        };
        if delivered > 0 {
            self.persist().await;
        }
        Ok(delivered)
    }

    /// Sets the status message (what `ctx.progress` reports inside a task).
    pub(crate) async fn set_message(&self, message: String) {
        {
            let mut state = lock(&self.state);
            if state.record.status.is_terminal()
                || state.record.status_message.as_deref() == Some(&message)
            {
                return;
            }
            state.record.status_message = Some(message);
            state.record.touch();
        }
        self.persist().await;
    }

    /// Ends the task, unless it already ended.
    pub(crate) async fn finish(&self, ending: Ending) {
        {
            let mut state = lock(&self.state);
            if !ending.apply(&mut state.record) {
                return;
            }
            state.waiting.clear();
        }
        self.persist().await;
    }
}

impl Ending {
    /// Ends `record` this way, unless it already ended; returns whether it changed.
    pub(crate) fn apply(self, record: &mut TaskRecord) -> bool {
        if record.status.is_terminal() {
            return false;
        }
        record.input_requests.clear();
        match self {
            Ending::Completed(result) => {
                record.status = TaskStatus::Completed;
                record.result = Some(result);
            }
            Ending::Failed(error) => {
                record.status = TaskStatus::Failed;
                record.status_message = Some(error.message.clone());
                record.error = Some(error);
            }
            Ending::Cancelled(why) => {
                record.status = TaskStatus::Cancelled;
                record.status_message = Some(why.to_owned());
            }
        }
        record.touch();
        true
    }
}

/// Whether a call became a task, as its handler's `start_task` waits to learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Not yet.
    Pending,
    /// It is a task now.
    Task,
    /// It runs to its end without one.
    Declined,
}

/// Ties a call that may become a task to its handler's [`Context`](crate::Context).
#[derive(Debug)]
pub(crate) struct TaskLink {
    live: OnceLock<Arc<LiveTask>>,
    start: Notify,
    decided: watch::Sender<Decision>,
}

impl Default for TaskLink {
    fn default() -> Self {
        TaskLink {
            live: OnceLock::new(),
            start: Notify::new(),
            decided: watch::Sender::new(Decision::Pending),
        }
    }
}

impl TaskLink {
    /// The task, once the call became one.
    pub(crate) fn live(&self) -> Option<&Arc<LiveTask>> {
        self.live.get()
    }

    /// Called by the handler: become a task now. Returns whether it is one.
    pub(crate) async fn request_start(&self) -> bool {
        let mut decided = self.decided.subscribe();
        match *decided.borrow_and_update() {
            Decision::Task => return true,
            Decision::Declined => return false,
            Decision::Pending => {}
        }
        self.start.notify_one();
        matches!(
            decided
                .wait_for(|d| *d != Decision::Pending)
                .await
                .as_deref(),
            Ok(Decision::Task)
        )
    }

    /// Completes when the handler asked to become a task.
    pub(crate) async fn start_requested(&self) {
        self.start.notified().await
    }

    /// The call is the task `live` from now on.
    pub(crate) fn begin(&self, live: Arc<LiveTask>) {
        if self.live.set(live).is_err() {
            tracing::error!("a call became a task twice");
        }
        self.decided.send_replace(Decision::Task);
    }

    /// The call will not become a task.
    pub(crate) fn decline(&self) {
        self.decided.send_replace(Decision::Declined);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::InMemoryTaskStore;
    use serde_json::json;

    async fn live(caps: Value) -> Arc<LiveTask> {
        let store = Arc::new(InMemoryTaskStore::default());
        let record = TaskRecord::new(None, None, None);
        store.create(&record).await.unwrap();
        let caps = ClientCapabilities(caps.as_object().cloned().unwrap_or_default());
        let (events, _) = broadcast::channel(8);
        Arc::new(LiveTask::new(
            record,
            CancellationToken::new(),
            caps,
            store,
            events,
        ))
    }

    fn form() -> Value {
        json!({"message": "?", "requestedSchema": {"type": "object", "properties": {}}})
    }

    #[tokio::test]
    async fn answers_reach_their_requests_one_key_at_a_time() {
        let task = live(json!({"elicitation": {}})).await;
        let (a, b) = (task.clone(), task.clone());
        let first =
            tokio::spawn(async move { a.ask(Some("a"), "elicitation/create", form()).await });
        let second =
            tokio::spawn(async move { b.ask(Some("a"), "elicitation/create", form()).await });
        while task.snapshot().input_requests.len() < 2 {
            tokio::task::yield_now().await;
        }
        let keys: Vec<String> = task.snapshot().input_requests.keys().cloned().collect();
        assert!(
            keys.contains(&"a".to_owned()) && keys.len() == 2,
            "{keys:?}"
        );
        assert_eq!(task.snapshot().status, TaskStatus::InputRequired);

        let bad = task
            .answer(json!({"a": {"nope": 1}}).as_object().unwrap().clone())
            .await;
        assert_eq!(bad.unwrap_err().code, -32602);
        let accept = json!({"action": "accept", "content": {}});
        let one = json!({"a": accept, "never-asked": accept});
        assert_eq!(task.answer(one.as_object().unwrap().clone()).await, Ok(1));
        assert_eq!(task.snapshot().status, TaskStatus::InputRequired);
        let other = keys.iter().find(|k| *k != "a").unwrap().clone();
        let rest = json!({ other: accept });
        assert_eq!(task.answer(rest.as_object().unwrap().clone()).await, Ok(1));
        assert_eq!(task.snapshot().status, TaskStatus::Working);
        assert_eq!(first.await.unwrap().unwrap(), accept);
        assert_eq!(second.await.unwrap().unwrap(), accept);
    }

    #[tokio::test]
    async fn capabilities_and_endings() {
        let task = live(json!({})).await;
        assert_eq!(
            task.ask(None, "sampling/createMessage", json!({})).await,
            Err(PeerError::MissingCapability("sampling"))
        );
        assert_eq!(
            task.ask(None, "ping", json!({})).await,
            Err(PeerError::NoChannel)
        );
        task.finish(Ending::Cancelled("stopped")).await;
        task.finish(Ending::Completed(json!({}))).await;
        let record = task.snapshot();
        assert_eq!(
            record.status,
            TaskStatus::Cancelled,
            "terminal states stick"
        );
        assert_eq!(record.status_message.as_deref(), Some("stopped"));
    }

    #[tokio::test]
    async fn a_link_tells_the_handler_what_was_decided() {
        let link = Arc::new(TaskLink::default());
        let asking = {
            let link = link.clone();
            tokio::spawn(async move { link.request_start().await })
        };
        link.start_requested().await;
        link.decline();
        assert!(!asking.await.unwrap());
        assert!(!link.request_start().await, "declined stays declined");
    }
}
