//! Where tasks live: the [`TaskStore`] trait and its bounded in-memory implementation.

use crate::protocol::TaskStatus;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime};

use super::TaskRecord;
use crate::engine::BoxFuture;
use crate::recover::lock;

/// Why a [`TaskStore`] could not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaskStoreError {
    /// The store holds as many unexpired tasks as it may; nothing was evicted.
    #[error("the task store is full ({capacity} tasks)")]
    Full {
        /// How many tasks it holds at most.
        capacity: usize,
    },
    /// A task with this id already exists.
    #[error("a task with id {0} already exists")]
    Duplicate(String),
    /// The store's backend failed (a shared store's connection, say).
    #[error("the task store failed: {0}")]
    Backend(String),
}

/// Keeps the observable state of tasks ([`TaskRecord`]s), so that `tasks/get` can answer.
///
/// The runtime writes a task's record whenever it changes (its status, message, input
/// requests or outcome) and reads it for `tasks/get`, `tasks/update` and `tasks/cancel`. The
/// running work itself stays in the process that started it: behind a load balancer, share
/// the store so that any instance can answer polls, and give the instances a
/// [`Cluster`](crate::store::Cluster), whose bus carries `tasks/update` and `tasks/cancel` to
/// the instance running the task. That instance holds a lease on it ([`hold`](Self::hold)),
/// so that a task whose instance died ends `failed` instead of `working` forever.
///
/// A store must not return a task whose TTL has elapsed ([`TaskRecord::is_expired`]), and
/// should reclaim such tasks on its own. [`InMemoryTaskStore`] is the default.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use mcp_runtime::{BoxFuture};
/// use mcp_runtime::store::{TaskRecord, TaskStore, TaskStoreError};
///
/// /// Unbounded and never reclaimed: for illustration only.
/// #[derive(Default)]
/// struct MapStore(Mutex<HashMap<String, TaskRecord>>);
///
/// impl TaskStore for MapStore {
///     fn create<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>> {
///         let mut map = self.0.lock().unwrap();
///         let outcome = match map.contains_key(&task.task_id) {
///             true => Err(TaskStoreError::Duplicate(task.task_id.clone())),
///             false => Ok(drop(map.insert(task.task_id.clone(), task.clone()))),
///         };
///         Box::pin(async move { outcome })
///     }
///     fn save<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>> {
///         if let Some(slot) = self.0.lock().unwrap().get_mut(&task.task_id) {
///             *slot = task.clone();
///         }
///         Box::pin(async { Ok(()) })
///     }
///     fn load<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskStoreError>> {
///         let task = self.0.lock().unwrap().get(id).cloned();
///         let task = task.filter(|t| !t.is_expired(std::time::SystemTime::now()));
///         Box::pin(async move { Ok(task) })
///     }
///     fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), TaskStoreError>> {
///         self.0.lock().unwrap().remove(id);
///         Box::pin(async { Ok(()) })
///     }
/// }
///
/// let config = mcp_runtime::TaskConfig::default().store(MapStore::default());
/// # let _ = config;
/// ```
pub trait TaskStore: Send + Sync + 'static {
    /// Stores a new task. Must not return before a [`load`](Self::load) of its id, from any
    /// instance sharing the store, would find it.
    fn create<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>>;

    /// Replaces the stored state of an existing task (nothing happens if it is gone).
    fn save<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>>;

    /// The task with this id, unless there is none or its TTL has elapsed.
    fn load<'a>(
        &'a self,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskStoreError>>;

    /// Forgets a task.
    fn remove<'a>(&'a self, task_id: &'a str) -> BoxFuture<'a, Result<(), TaskStoreError>>;

    /// The process running the task holds it for `lease` from now: called once the task is
    /// created (before its id is handed out) and then every third of
    /// [`TaskConfig::lease`](crate::TaskConfig::lease) until it ends.
    ///
    /// A store shared between processes should, on [`load`](Self::load), record a task that
    /// is not terminal and whose lease ran out as `failed` (its process stopped), and never
    /// let [`save`](Self::save) overwrite a terminal task, so that neither a late owner nor
    /// a reader undoes the other's ending. The default does nothing: a store in one process
    /// ends with the tasks it runs.
    fn hold<'a>(
        &'a self,
        task_id: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        let _ = (task_id, lease);
        Box::pin(std::future::ready(Ok(())))
    }

    /// How many unexpired tasks it holds in each status, when it can tell at once, without
    /// I/O: what the `mcp.server.tasks` gauge reports. Default: `None`, for stores shared by
    /// several nodes (their count is every node's, and a gauge's callback cannot wait on a
    /// round trip); the gauge then counts the tasks running in this process, `working` or
    /// `input_required`.
    ///
    /// ```
    /// use mcp_runtime::store::{InMemoryTaskStore, TaskStore};
    ///
    /// let counts = InMemoryTaskStore::default().status_counts().expect("it counts");
    /// assert_eq!(counts.get(mcp_runtime::protocol::TaskStatus::Completed), 0);
    /// ```
    fn status_counts(&self) -> Option<TaskCounts> {
        None
    }
}

/// How many tasks are in each status ([`TaskStore::status_counts`]).
///
/// ```
/// use mcp_runtime::protocol::TaskStatus;
/// use mcp_runtime::store::TaskCounts;
///
/// let mut counts = TaskCounts::default();
/// counts.add(TaskStatus::Working, 2);
/// assert_eq!(counts.get(TaskStatus::Working), 2);
/// assert_eq!(counts.get(TaskStatus::Failed), 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaskCounts([u64; 5]);

impl TaskCounts {
    /// Every status, in the order of the protocol's lifecycle.
    pub const STATUSES: [TaskStatus; 5] = [
        TaskStatus::Working,
        TaskStatus::InputRequired,
        TaskStatus::Completed,
        TaskStatus::Failed,
        TaskStatus::Cancelled,
    ];

    fn slot(status: TaskStatus) -> usize {
        match status {
            TaskStatus::Working => 0,
            TaskStatus::InputRequired => 1,
            TaskStatus::Completed => 2,
            TaskStatus::Failed => 3,
            TaskStatus::Cancelled => 4,
        }
    }

    /// Adds `n` tasks in `status`.
    ///
    /// ```
    /// # use mcp_runtime::{protocol::TaskStatus, store::TaskCounts};
    /// let mut counts = TaskCounts::default();
    /// counts.add(TaskStatus::Cancelled, 1);
    /// assert_eq!(counts.get(TaskStatus::Cancelled), 1);
    /// ```
    pub fn add(&mut self, status: TaskStatus, n: u64) {
        let slot = &mut self.0[Self::slot(status)];
        *slot = slot.saturating_add(n);
    }

    /// How many tasks are in `status`.
    ///
    /// ```
    /// # use mcp_runtime::{protocol::TaskStatus, store::TaskCounts};
    /// assert_eq!(TaskCounts::default().get(TaskStatus::Working), 0);
    /// ```
    pub fn get(&self, status: TaskStatus) -> u64 {
        self.0[Self::slot(status)]
    }

    /// Adds every count of `other`.
    pub(crate) fn merge(&mut self, other: &TaskCounts) {
        for status in Self::STATUSES {
            self.add(status, other.get(status));
        }
    }
}

/// A [`TaskStore`] in this process's memory, holding at most `capacity` unexpired tasks.
///
/// Expired tasks are invisible at once and reclaimed by one background sweep per store (not
/// one timer per task), started with the first task. When the store is full of unexpired
/// tasks, creating one more fails with [`TaskStoreError::Full`]: no task is dropped before its
/// TTL, as the spec requires. The runtime then runs an `optional` tool without a task and
/// answers a `required` one with an internal error.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::{TaskConfig};
/// use mcp_runtime::store::{InMemoryTaskStore};
///
/// let store = InMemoryTaskStore::new(1_000).sweep_every(Duration::from_secs(1));
/// assert_eq!(store.capacity(), 1_000);
/// let config = TaskConfig::default().store(store);
/// # let _ = config;
/// ```
#[derive(Clone)]
pub struct InMemoryTaskStore {
    shared: Arc<Shared>,
}

struct Shared {
    tasks: Mutex<HashMap<String, TaskRecord>>,
    capacity: usize,
    sweep_every: Duration,
    sweeper_started: AtomicBool,
}

impl std::fmt::Debug for InMemoryTaskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryTaskStore")
            .field("tasks", &self.len())
            .field("capacity", &self.shared.capacity)
            .field("sweep_every", &self.shared.sweep_every)
            .finish()
    }
}

impl Default for InMemoryTaskStore {
    /// Room for 10,000 tasks, swept every 5 seconds.
    fn default() -> Self {
        Self::new(10_000)
    }
}

impl InMemoryTaskStore {
    /// A store for at most `capacity` unexpired tasks (at least one).
    pub fn new(capacity: usize) -> Self {
        InMemoryTaskStore {
            shared: Arc::new(Shared {
                tasks: Mutex::new(HashMap::new()),
                capacity: capacity.max(1),
                sweep_every: Duration::from_secs(5),
                sweeper_started: AtomicBool::new(false),
            }),
        }
    }

    /// How often expired tasks are reclaimed (default 5 s; at least 10 ms). Set it before the
    /// store is shared.
    pub fn sweep_every(self, interval: Duration) -> Self {
        let shared = Arc::try_unwrap(self.shared).unwrap_or_else(|shared| Shared {
            tasks: Mutex::new(lock(&shared.tasks).clone()),
            capacity: shared.capacity,
            sweep_every: shared.sweep_every,
            sweeper_started: AtomicBool::new(false),
        });
        InMemoryTaskStore {
            shared: Arc::new(Shared {
                sweep_every: interval.max(Duration::from_millis(10)),
                ..shared
            }),
        }
    }

    /// How many tasks it holds at most.
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// How many tasks it holds now, expired ones not yet reclaimed included.
    ///
    /// ```
    /// assert_eq!(mcp_runtime::store::InMemoryTaskStore::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        lock(&self.shared.tasks).len()
    }

    /// Whether it holds no task.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reclaims every expired task now; returns how many went.
    pub fn sweep(&self) -> usize {
        self.shared.sweep(SystemTime::now())
    }

    /// Starts the store's one sweeper, if a Tokio runtime is there to run it. It holds the
    /// store weakly and ends with it.
    fn ensure_sweeper(&self) {
        if self.shared.sweeper_started.load(Ordering::Acquire) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return; // swept on the next create made inside a runtime
        };
        if self.shared.sweeper_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Shared> = Arc::downgrade(&self.shared);
        let every = self.shared.sweep_every;
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(shared) = weak.upgrade() else { break };
                let gone = shared.sweep(SystemTime::now());
                if gone > 0 {
                    tracing::debug!(reclaimed = gone, "expired tasks reclaimed");
                }
            }
        });
    }
}

impl Shared {
    fn sweep(&self, now: SystemTime) -> usize {
        let mut tasks = lock(&self.tasks);
        let before = tasks.len();
        tasks.retain(|_, task| !task.is_expired(now));
        before - tasks.len()
    }
}

impl TaskStore for InMemoryTaskStore {
    fn status_counts(&self) -> Option<TaskCounts> {
        let now = SystemTime::now();
        let mut counts = TaskCounts::default();
        for task in lock(&self.shared.tasks).values() {
            if !task.is_expired(now) {
                counts.add(task.status, 1);
            }
        }
        Some(counts)
    }

    fn create<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        self.ensure_sweeper();
        let outcome = {
            let mut tasks = lock(&self.shared.tasks);
            if tasks.len() >= self.shared.capacity {
                let now = SystemTime::now();
                tasks.retain(|_, t| !t.is_expired(now));
            }
            if tasks.contains_key(&task.task_id) {
                Err(TaskStoreError::Duplicate(task.task_id.clone()))
            } else if tasks.len() >= self.shared.capacity {
                Err(TaskStoreError::Full {
                    capacity: self.shared.capacity,
                })
            } else {
                tasks.insert(task.task_id.clone(), task.clone());
                Ok(())
            }
        };
        Box::pin(std::future::ready(outcome))
    }

    fn save<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        if let Some(slot) = lock(&self.shared.tasks).get_mut(&task.task_id) {
            *slot = task.clone();
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn load<'a>(
        &'a self,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskStoreError>> {
        let now = SystemTime::now();
        let task = lock(&self.shared.tasks)
            .get(task_id)
            .filter(|t| !t.is_expired(now))
            .cloned();
        Box::pin(std::future::ready(Ok(task)))
    }

    fn remove<'a>(&'a self, task_id: &'a str) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        lock(&self.shared.tasks).remove(task_id);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(ttl_ms: u64) -> TaskRecord {
        TaskRecord::new(None, Some(Duration::from_millis(ttl_ms)), None)
    }

    #[tokio::test]
    async fn full_stores_refuse_until_tasks_expire() {
        let store = InMemoryTaskStore::new(2);
        let (a, b) = (task(40), task(60_000));
        store.create(&a).await.unwrap();
        store.create(&b).await.unwrap();
        assert_eq!(
            store.create(&a).await,
            Err(TaskStoreError::Duplicate(a.task_id.clone()))
        );
        assert_eq!(
            store.create(&task(1)).await,
            Err(TaskStoreError::Full { capacity: 2 })
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(store.load(&a.task_id).await, Ok(None), "expired: invisible");
        store
            .create(&task(1))
            .await
            .expect("the expired one made room");
        assert_eq!(store.len(), 2);
    }

    #[tokio::test]
    async fn save_replaces_and_remove_forgets() {
        let store = InMemoryTaskStore::default();
        let mut t = task(60_000);
        store.save(&t).await.unwrap(); // unknown: ignored
        assert!(store.is_empty());
        store.create(&t).await.unwrap();
        t.status_message = Some("halfway".into());
        store.save(&t).await.unwrap();
        let loaded = store.load(&t.task_id).await.unwrap().unwrap();
        assert_eq!(loaded.status_message.as_deref(), Some("halfway"));
        store.remove(&t.task_id).await.unwrap();
        assert_eq!(store.load(&t.task_id).await, Ok(None));
    }

    #[tokio::test]
    async fn one_sweeper_reclaims_expired_tasks() {
        let store = InMemoryTaskStore::new(10).sweep_every(Duration::from_millis(20));
        for _ in 0..3 {
            store.create(&task(10)).await.unwrap();
        }
        let keeper = TaskRecord::new(None, None, None);
        store.create(&keeper).await.unwrap();
        assert_eq!(store.len(), 4);
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(store.len(), 1, "only the task without a TTL is left");
        assert_eq!(store.sweep(), 0);
    }
}
