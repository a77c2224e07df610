//! [`RedisTaskStore`]: task records in Redis, so that any node answers `tasks/get`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mcp_runtime::BoxFuture;
use mcp_runtime::store::{TaskRecord, TaskStore, TaskStoreError};
use redis::aio::ConnectionManager;

/// How long a task without a TTL is kept.
const NO_TTL_KEPT: Duration = Duration::from_secs(24 * 3600);

/// A [`TaskStore`] on Redis: `PREFIX:task:ID` holds the record as JSON, expiring with the
/// task's TTL (a day for a task without one). The running work stays on the node that started
/// it; any node reads its state.
///
/// ```no_run
/// # async fn run(redis: mcp_redis::Redis) {
/// use mcp_runtime::{ServerConfig, TaskConfig};
/// let server = ServerConfig::new().tasks(TaskConfig::default().store(redis.task_store()));
/// # let _ = server;
/// # }
/// ```
#[derive(Clone)]
pub struct RedisTaskStore {
    connection: ConnectionManager,
    prefix: Arc<str>,
    timeout: Duration,
}

impl std::fmt::Debug for RedisTaskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisTaskStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisTaskStore {
    pub(crate) fn new(connection: ConnectionManager, prefix: &str, timeout: Duration) -> Self {
        RedisTaskStore {
            connection,
            prefix: prefix.into(),
            timeout,
        }
    }

    fn key(&self, id: &str) -> String {
        format!("{}:task:{id}", self.prefix)
    }

    async fn query<T: redis::FromRedisValue>(
        &self,
        command: redis::Cmd,
    ) -> Result<T, TaskStoreError> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(self.timeout, command.query_async(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(TaskStoreError::Backend(format!("Redis: {e}"))),
            Err(_) => Err(TaskStoreError::Backend(format!(
                "Redis did not answer within {:?}",
                self.timeout
            ))),
        }
    }
}

fn encode(task: &TaskRecord) -> Result<Vec<u8>, TaskStoreError> {
    serde_json::to_vec(task).map_err(|e| TaskStoreError::Backend(e.to_string()))
}

/// Milliseconds until the task may be discarded (at least one).
fn remaining_ms(task: &TaskRecord) -> u64 {
    let until = task.created_at + task.ttl.unwrap_or(NO_TTL_KEPT);
    let left = until
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    u64::try_from(left.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl TaskStore for RedisTaskStore {
    fn create<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        Box::pin(async move {
            let mut set = redis::cmd("SET");
            set.arg(self.key(&task.task_id))
                .arg(encode(task)?)
                .arg("NX")
                .arg("PX")
                .arg(remaining_ms(task));
            let created: Option<String> = self.query(set).await?;
            match created {
                Some(_) => Ok(()),
                None => Err(TaskStoreError::Duplicate(task.task_id.clone())),
            }
        })
    }

    fn save<'a>(&'a self, task: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        Box::pin(async move {
            let mut set = redis::cmd("SET");
            set.arg(self.key(&task.task_id))
                .arg(encode(task)?)
                .arg("XX")
                .arg("KEEPTTL");
            let _: Option<String> = self.query(set).await?;
            Ok(())
        })
    }

    fn load<'a>(
        &'a self,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskStoreError>> {
        Box::pin(async move {
            let mut get = redis::cmd("GET");
            get.arg(self.key(task_id));
            let body: Option<Vec<u8>> = self.query(get).await?;
            let Some(body) = body else { return Ok(None) };
            let task: TaskRecord = serde_json::from_slice(&body).map_err(|e| {
                tracing::warn!(task = %task_id, error = %e, "unreadable task record");
                TaskStoreError::Backend(format!("unreadable task record: {e}"))
            })?;
            Ok(Some(task).filter(|t| !t.is_expired(SystemTime::now())))
        })
    }

    fn remove<'a>(&'a self, task_id: &'a str) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        Box::pin(async move {
            let mut del = redis::cmd("DEL");
            del.arg(self.key(task_id));
            let _: i64 = self.query(del).await?;
            Ok(())
        })
    }
}
