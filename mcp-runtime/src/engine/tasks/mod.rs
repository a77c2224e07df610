//! Long-running tools as tasks: the `io.modelcontextprotocol/tasks` extension (SEP-2663) in
//! the 2026-07-28 era.
//!
//! A tool marked `#[tool(task = "optional" | "required")]` is written as an ordinary async
//! method. When the client declares the extension on its `tools/call`, the call starts like
//! any other: a quick one answers with its result, and a request to the client made now
//! travels as a multi round-trip request. Once the call has run for
//! [`TaskConfig::start_after`] (at once for `required` tools), or when the handler calls
//! [`Context::start_task`](crate::Context::start_task), the client gets a `CreateTaskResult`
//! and the handler goes on in the background ([`run`]). From then on its progress becomes the
//! task's status message, its requests to the client become the task's `inputRequests`
//! ([`live`]), `tasks/cancel` cancels it, and its result or error is kept in a
//! [`TaskStore`] ([`store`], [`record`]) for `tasks/get` ([`methods`]).

mod live;
mod methods;
mod record;
mod run;
mod store;

pub use record::TaskRecord;
pub use store::{InMemoryTaskStore, TaskCounts, TaskStore, TaskStoreError};

pub(crate) use live::{LiveTask, TaskLink};
pub(crate) use run::TaskCall;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::engine::cluster::{Bus, BusError, BusMessage, Envelope};
use crate::recover::lock;
use serde_json::Value;
use tokio::sync::broadcast;

/// How a server runs tasks: where they are kept, how long, and when a call becomes one.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::{HttpConfig, Mode, ServerConfig, TaskConfig};
/// use mcp_runtime::store::InMemoryTaskStore;
///
/// let tasks = TaskConfig::default()
///     .store(InMemoryTaskStore::new(50_000))
///     .ttl(Some(Duration::from_secs(24 * 3600)))
///     .poll_interval(Duration::from_secs(2))
///     .start_after(Duration::from_millis(500));
/// let config = HttpConfig::new(Mode::Stateless).server(ServerConfig::new().tasks(tasks));
/// # let _ = config;
/// ```
#[derive(Clone)]
pub struct TaskConfig {
    /// Where task state is kept. Default: an [`InMemoryTaskStore`] of 10,000 tasks.
    pub store: Arc<dyn TaskStore>,
    /// How long after its creation a task may be discarded (`ttlMs`); a task still running
    /// then is cancelled. `None` keeps tasks until the server stops. Default: one hour.
    pub ttl: Option<Duration>,
    /// How often clients should poll (`pollIntervalMs`). Default: 500 ms.
    pub poll_interval: Duration,
    /// How long a call of an `optional` tool runs before it becomes a task (a call that
    /// finishes sooner answers with its result). Default: 250 ms.
    pub start_after: Duration,
    /// Tasks one authenticated principal may have running at once. At the cap a `required`
    /// tool's call gets `-32000` and an `optional` one runs inline. Default: 100.
    pub max_running_per_principal: usize,
    /// How long the process running a task holds it without renewing ([`TaskStore::hold`]);
    /// it renews every third of this. A shared store records a task whose holder stopped
    /// renewing `failed` when it is next read. Default: 30 s.
    pub lease: Duration,
}

impl std::fmt::Debug for TaskConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskConfig")
            .field("ttl", &self.ttl)
            .field("poll_interval", &self.poll_interval)
            .field("start_after", &self.start_after)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            store: Arc::new(InMemoryTaskStore::default()),
            ttl: Some(Duration::from_secs(3600)),
            poll_interval: Duration::from_millis(500),
            start_after: Duration::from_millis(250),
            max_running_per_principal: 100,
            lease: Duration::from_secs(30),
        }
    }
}

impl TaskConfig {
    /// Sets [`store`](Self::store).
    pub fn store(mut self, store: impl TaskStore) -> Self {
        self.store = Arc::new(store);
        self
    }

    /// Sets [`ttl`](Self::ttl).
    pub fn ttl(mut self, ttl: Option<Duration>) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets [`poll_interval`](Self::poll_interval) (at least 1 ms).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Sets [`max_running_per_principal`](Self::max_running_per_principal).
    ///
    /// ```
    /// let tasks = mcp_runtime::TaskConfig::default().max_running_per_principal(5);
    /// assert_eq!(tasks.max_running_per_principal, 5);
    /// ```
    pub fn max_running_per_principal(mut self, n: usize) -> Self {
        self.max_running_per_principal = n;
        self
    }

    /// Sets [`start_after`](Self::start_after).
    pub fn start_after(mut self, delay: Duration) -> Self {
        self.start_after = delay;
        self
    }

    /// Sets [`lease`](Self::lease) (at least 30 ms).
    ///
    /// ```
    /// use std::time::Duration;
    /// let tasks = mcp_runtime::TaskConfig::default().lease(Duration::from_secs(3));
    /// assert_eq!(tasks.lease, Duration::from_secs(3));
    /// ```
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(30));
        self
    }
}

/// A task's state changed: what status listeners (`subscriptions/listen` with `taskIds`)
/// are sent.
#[derive(Debug, Clone)]
pub(crate) struct TaskEvent {
    pub(crate) task_id: String,
    /// The `DetailedTask`, as `tasks/get` would answer now.
    pub(crate) detailed: Value,
}

impl TaskEvent {
    pub(crate) fn of(record: &TaskRecord) -> Self {
        TaskEvent {
            task_id: record.task_id.clone(),
            detailed: record.detailed(),
        }
    }
}

/// The tasks of one server: its configuration, the tasks running in this process, and the
/// status changes for listeners.
pub(crate) struct Tasks {
    pub(crate) config: TaskConfig,
    running: Mutex<HashMap<String, Arc<LiveTask>>>,
    events: broadcast::Sender<TaskEvent>,
    /// The bus to the other nodes and this node's id on it, with a cluster.
    remote: OnceLock<(Arc<dyn Bus>, u64)>,
}

impl std::fmt::Debug for Tasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tasks")
            .field("config", &self.config)
            .field("running", &self.running_count())
            .finish()
    }
}

impl Tasks {
    pub(crate) fn new(config: TaskConfig) -> Self {
        let (events, _) = broadcast::channel(256);
        Tasks {
            config,
            running: Mutex::new(HashMap::new()),
            events,
            remote: OnceLock::new(),
        }
    }

    /// Joins the nodes on `bus` as `node`: `tasks/cancel` and `tasks/update` of a task running
    /// on another node are sent there.
    pub(crate) fn join(&self, bus: Arc<dyn Bus>, node: u64) {
        if self.remote.set((bus, node)).is_err() {
            tracing::warn!("tasks joined a cluster twice; the first is kept");
        }
    }

    /// Sends `message` to the other nodes: `Ok(false)` without a cluster, `Err` when the bus
    /// failed (logged).
    async fn tell(&self, message: BusMessage) -> Result<bool, BusError> {
        let Some((bus, node)) = self.remote.get() else {
            return Ok(false);
        };
        let envelope = Envelope {
            from: *node,
            message,
        };
        bus.publish(&envelope)
            .await
            .map(|()| true)
            .inspect_err(|e| {
                tracing::warn!(error = %e, "could not reach the node running a task");
            })
    }

    /// Acts on another node's message about a task running here.
    pub(crate) async fn heard(&self, envelope: &Envelope) {
        if self
            .remote
            .get()
            .is_some_and(|(_, node)| *node == envelope.from)
        {
            return;
        }
        match &envelope.message {
            BusMessage::TaskCancel { task } => {
                if let Some(live) = self.live(task) {
                    tracing::debug!(task = %task, "cancelled through another node");
                    live.finish(live::Ending::Cancelled("cancelled by the client"))
                        .await;
                    live.cancel.cancel();
                }
            }
            BusMessage::TaskUpdate { task, responses } => {
                if let Some(live) = self.live(task) {
                    match live.answer(responses.clone()).await {
                        Ok(n) => {
                            tracing::debug!(task = %task, delivered = n, "answers through another node")
                        }
                        Err(e) => {
                            tracing::warn!(task = %task, error = %e.message, "answers through another node refused")
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<LiveTask>>> {
        lock(&self.running)
    }

    pub(crate) fn running_count(&self) -> usize {
        self.running().len()
    }

    /// The tasks by status, as the store counts them, else those running in this process.
    #[cfg_attr(not(feature = "_metrics"), allow(dead_code))] // read only by the metrics recorder
    pub(crate) fn counts(&self) -> TaskCounts {
        if let Some(counts) = self.config.store.status_counts() {
            return counts;
        }
        let mut counts = TaskCounts::default();
        for task in self.running().values() {
            counts.add(task.status(), 1);
        }
        counts
    }

    /// Whether `owner` has as many tasks running in this process as
    /// [`TaskConfig::max_running_per_principal`] allows (anonymous callers have no quota).
    fn over_quota(&self, owner: Option<&str>) -> bool {
        let Some(owner) = owner else { return false };
        let running = self.running();
        running.values().filter(|t| t.owned_by(owner)).count()
            >= self.config.max_running_per_principal
    }

    /// The error of a task refused by [`over_quota`](Self::over_quota).
    fn quota_error(&self) -> crate::protocol::ErrorObject {
        crate::engine::limits::reached(
            "max_running_per_principal",
            self.config.max_running_per_principal,
            "this principal has too many tasks running; wait for one to finish or cancel one",
        )
    }

    /// The task `id`, if it runs in this process.
    fn live(&self, id: &str) -> Option<Arc<LiveTask>> {
        self.running().get(id).cloned()
    }

    /// Receives every task's status changes.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<TaskEvent> {
        self.events.subscribe()
    }

    /// The tasks of `ids` that exist and that `principal` may see.
    pub(crate) async fn visible(&self, ids: &[String], principal: Option<&str>) -> Vec<String> {
        let mut visible = Vec::new();
        for id in ids {
            match self.config.store.load(id).await {
                Ok(Some(task)) if task.is_visible_to(principal) => visible.push(id.clone()),
                Ok(_) => {}
                Err(e) => tracing::warn!(task = %id, error = %e, "task store failed"),
            }
        }
        visible
    }

    /// The current records of `ids` (those that still exist).
    pub(crate) async fn records(&self, ids: &[String]) -> Vec<TaskRecord> {
        let mut records = Vec::new();
        for id in ids {
            if let Ok(Some(task)) = self.config.store.load(id).await {
                records.push(task);
            }
        }
        records
    }
}

#[cfg(test)]
mod counts {
    use std::sync::Arc;

    use tokio_util::sync::CancellationToken;

    use super::{InMemoryTaskStore, LiveTask, TaskConfig, TaskRecord, TaskStore, Tasks};
    use crate::engine::BoxFuture;
    use crate::engine::tasks::TaskStoreError;
    use crate::protocol::TaskStatus;

    /// A store that cannot count its tasks (as a shared one).
    struct Uncounted(InMemoryTaskStore);

    impl TaskStore for Uncounted {
        fn create<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>> {
            self.0.create(task)
        }
        fn save<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>> {
            self.0.save(task)
        }
        fn load<'a>(
            &'a self,
            id: &'a str,
        ) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskStoreError>> {
            self.0.load(id)
        }
        fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), TaskStoreError>> {
            self.0.remove(id)
        }
    }

    fn run(tasks: &Tasks, status: TaskStatus) {
        let mut record = TaskRecord::new(None, None, None);
        record.status = status;
        let live = LiveTask::new(
            record.clone(),
            CancellationToken::new(),
            Default::default(),
            tasks.config.store.clone(),
            tasks.events.clone(),
        );
        tasks.running().insert(record.task_id, Arc::new(live));
    }

    #[tokio::test]
    async fn a_store_that_counts_gives_every_status() {
        let store = InMemoryTaskStore::new(10);
        for status in [
            TaskStatus::Completed,
            TaskStatus::Cancelled,
            TaskStatus::Working,
        ] {
            let mut record = TaskRecord::new(None, None, None);
            record.status = status;
            store.create(&record).await.expect("stored");
        }
        let tasks = Tasks::new(TaskConfig::default().store(store));
        // What runs here is in the store already: not counted twice.
        run(&tasks, TaskStatus::Working);
        let counts = tasks.counts();
        assert_eq!(counts.get(TaskStatus::Completed), 1);
        assert_eq!(counts.get(TaskStatus::Cancelled), 1);
        assert_eq!(counts.get(TaskStatus::Working), 1);
        assert_eq!(counts.get(TaskStatus::Failed), 0);
    }

    #[tokio::test]
    async fn otherwise_the_tasks_running_here_by_their_status() {
        let store = InMemoryTaskStore::new(10);
        let mut done = TaskRecord::new(None, None, None);
        done.status = TaskStatus::Completed;
        store.create(&done).await.expect("stored");
        let tasks = Tasks::new(TaskConfig::default().store(Uncounted(store)));
        run(&tasks, TaskStatus::Working);
        run(&tasks, TaskStatus::Working);
        run(&tasks, TaskStatus::InputRequired);
        let counts = tasks.counts();
        assert_eq!(counts.get(TaskStatus::Working), 2);
        assert_eq!(counts.get(TaskStatus::InputRequired), 1);
        assert_eq!(
            counts.get(TaskStatus::Completed),
            0,
            "the store's are not known"
        );
    }
}
