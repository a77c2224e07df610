//! [`RedisTaskStore`]: task records in Redis, so that any node answers `tasks/get`, with the
//! lease of the node running each task.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mcp_runtime::BoxFuture;
use mcp_runtime::protocol::{ErrorObject, TaskStatus};
use mcp_runtime::store::{TaskRecord, TaskStore, TaskStoreError};
use redis::aio::ConnectionManager;

/// What a task whose node stopped renewing its lease ends with.
pub const TASK_ABANDONED: &str =
    "the node running this task stopped (its lease expired before the task ended)";

/// Replaces a task's record unless the stored one is terminal: a task's ending is final, so
/// neither a late owner nor a reader undoes another's. 1 when replaced.
const SAVE: &str = r#"
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if ok and type(record) == 'table' then
  local status = record['status']
  if status == 'completed' or status == 'failed' or status == 'cancelled' then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return 1
"#;

/// Replaces a task's record only if it is still exactly `ARGV[1]` and no one holds its lease
/// (`KEYS[2]`): how a reader records an abandoned task failed. 1 when replaced.
const FAIL_ABANDONED: &str = r#"
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
"#;

/// How long a task without a TTL is kept.
const NO_TTL_KEPT: Duration = Duration::from_secs(24 * 3600);

/// A [`TaskStore`] on Redis: `PREFIX:task:ID` holds the record as JSON, expiring with the
/// task's TTL (a day for a task without one). The running work stays on the node that started
/// it; any node reads its state.
///
/// The node running a task holds `PREFIX:task:ID:lease` (its expiry renewed, see
/// [`TaskConfig::lease`](mcp_runtime::TaskConfig::lease)). A read (`tasks/get`, a listen
/// stream) that finds a task not yet ended and no lease records it `failed` with
/// [`TASK_ABANDONED`], by a Lua compare-and-set, so an owner that ended it meanwhile wins; and a
/// save never replaces a task that has ended. Costs: `load` is one `MGET`, `save` one
/// `EVALSHA`, `hold` one `SET`.
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
    save: Arc<redis::Script>,
    fail_abandoned: Arc<redis::Script>,
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
            save: Arc::new(redis::Script::new(SAVE)),
            fail_abandoned: Arc::new(redis::Script::new(FAIL_ABANDONED)),
        }
    }

    fn key(&self, id: &str) -> String {
        format!("{}:task:{id}", self.prefix)
    }

    fn lease_key(&self, id: &str) -> String {
        format!("{}:task:{id}:lease", self.prefix)
    }

    /// Runs `invocation` (EVALSHA, loading the script when Redis lacks it) within the timeout.
    async fn run<T: redis::FromRedisValue>(
        &self,
        invocation: redis::ScriptInvocation<'_>,
    ) -> Result<T, TaskStoreError> {
        let mut connection = self.connection.clone();
        match tokio::time::timeout(self.timeout, invocation.invoke_async(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(TaskStoreError::Backend(format!("Redis: {e}"))),
            Err(_) => Err(TaskStoreError::Backend(format!(
                "Redis did not answer within {:?}",
                self.timeout
            ))),
        }
    }

    /// Records `task` (read as `stored`) failed because its node stopped, unless it changed
    /// or is held meanwhile; returns the task as it is now.
    async fn fail_abandoned(
        &self,
        mut task: TaskRecord,
        stored: Vec<u8>,
    ) -> Result<Option<TaskRecord>, TaskStoreError> {
        let id = task.task_id.clone();
        task.status = TaskStatus::Failed;
        task.status_message = Some(TASK_ABANDONED.to_owned());
        task.error = Some(ErrorObject::internal(TASK_ABANDONED));
        task.input_requests.clear();
        task.last_updated_at = SystemTime::now().max(task.created_at);
        let failed = encode(&task)?;
        let mut invocation = self.fail_abandoned.prepare_invoke();
        invocation
            .key(self.key(&id))
            .key(self.lease_key(&id))
            .arg(stored)
            .arg(failed);
        let replaced: i64 = self.run(invocation).await?;
        if replaced == 1 {
            tracing::warn!(task = %id, "task failed: the node running it stopped renewing its lease");
            return Ok(Some(task));
        }
        // Its owner ended or renewed it meanwhile: what is stored now is the truth.
        let mut get = redis::cmd("GET");
        get.arg(self.key(&id));
        let body: Option<Vec<u8>> = self.query(get).await?;
        body.map(|b| decode(&id, &b)).transpose()
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

fn decode(id: &str, body: &[u8]) -> Result<TaskRecord, TaskStoreError> {
    serde_json::from_slice(body).map_err(|e| {
        tracing::warn!(task = %id, error = %e, "unreadable task record");
        TaskStoreError::Backend(format!("unreadable task record: {e}"))
    })
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
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
            let mut invocation = self.save.prepare_invoke();
            invocation.key(self.key(&task.task_id)).arg(encode(task)?);
            let replaced: i64 = self.run(invocation).await?;
            if replaced == 0 {
                tracing::debug!(task = %task.task_id, "task not saved: gone or already ended");
            }
            Ok(())
        })
    }

    fn load<'a>(
        &'a self,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskStoreError>> {
        Box::pin(async move {
            let mut get = redis::cmd("MGET");
            get.arg(self.key(task_id)).arg(self.lease_key(task_id));
            let (body, lease): (Option<Vec<u8>>, Option<Vec<u8>>) = self.query(get).await?;
            let Some(body) = body else { return Ok(None) };
            let task = decode(task_id, &body)?;
            if task.is_expired(SystemTime::now()) {
                return Ok(None);
            }
            if lease.is_none() && !task.status.is_terminal() {
                return self.fail_abandoned(task, body).await;
            }
            Ok(Some(task))
        })
    }

    fn hold<'a>(
        &'a self,
        task_id: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        Box::pin(async move {
            let mut set = redis::cmd("SET");
            set.arg(self.lease_key(task_id))
                .arg(1)
                .arg("PX")
                .arg(millis(lease));
            let _: Option<String> = self.query(set).await?;
            Ok(())
        })
    }

    fn remove<'a>(&'a self, task_id: &'a str) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        Box::pin(async move {
            let mut del = redis::cmd("DEL");
            del.arg(self.key(task_id)).arg(self.lease_key(task_id));
            let _: i64 = self.query(del).await?;
            Ok(())
        })
    }
}
