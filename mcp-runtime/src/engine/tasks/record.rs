//! [`TaskRecord`]: everything a client can observe of a task, as a [`TaskStore`] keeps it.
//!
//! [`TaskStore`]: super::TaskStore

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::protocol::{ErrorObject, InputRequest, TaskStatus, iso8601};

/// The observable state of one task: its status, the input it waits for, its outcome, and
/// whom it belongs to. Serializable, so that a shared store can keep it.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::store::TaskRecord;
/// use mcp_runtime::protocol::TaskStatus;
///
/// let task = TaskRecord::new(Some("alice".into()), Some(Duration::from_secs(60)), None);
/// assert_eq!(task.status, TaskStatus::Working);
/// assert_eq!(task.task_id.len(), 32);
/// let created = task.create_result();
/// assert_eq!(created["resultType"], "task");
/// assert_eq!(created["ttlMs"], 60_000);
/// assert!(created.get("owner").is_none(), "the owner never goes on the wire");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRecord {
    /// The task's id: 128 random bits in hex, unguessable, as the spec requires.
    pub task_id: String,
    /// Who created it (the request's principal), if the application authenticates callers.
    /// Only the same principal can see or change the task.
    pub owner: Option<String>,
    /// Where it is in its life.
    pub status: TaskStatus,
    /// A human-readable note on the status (progress, why it failed…).
    pub status_message: Option<String>,
    /// When it was created.
    pub created_at: SystemTime,
    /// When its status, message, input requests or outcome last changed.
    pub last_updated_at: SystemTime,
    /// How long after creation it may be discarded (`None`: never).
    pub ttl: Option<Duration>,
    /// How often the client should poll.
    pub poll_interval: Option<Duration>,
    /// What the task waits for from the client, by key (while `input_required`).
    pub input_requests: BTreeMap<String, InputRequest>,
    /// The request's result, once `completed`.
    pub result: Option<Value>,
    /// The JSON-RPC error, once `failed`.
    pub error: Option<ErrorObject>,
}

/// 128 bits from the OS's CSPRNG, as 32 hex digits.
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    if let Err(e) = getrandom::fill(&mut bytes) {
        // Not expected on any supported OS; a v4 UUID is the next best thing.
        tracing::error!(error = %e, "no OS randomness for a task id; using a v4 UUID");
        return uuid::Uuid::new_v4().simple().to_string();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl TaskRecord {
    /// A new `working` task with a fresh random id.
    pub fn new(owner: Option<String>, ttl: Option<Duration>, poll: Option<Duration>) -> Self {
        let now = SystemTime::now();
        TaskRecord {
            task_id: random_id(),
            owner,
            status: TaskStatus::Working,
            status_message: None,
            created_at: now,
            last_updated_at: now,
            ttl,
            poll_interval: poll,
            input_requests: BTreeMap::new(),
            result: None,
            error: None,
        }
    }

    /// When the task may be discarded (`None`: never).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// let task = mcp_runtime::store::TaskRecord::new(None, Some(Duration::from_secs(1)), None);
    /// assert!(!task.is_expired(SystemTime::now()));
    /// assert!(task.is_expired(SystemTime::now() + Duration::from_secs(2)));
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.ttl.map(|ttl| self.created_at + ttl)
    }

    /// Whether the task's TTL has elapsed at `now`.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expires_at().is_some_and(|at| at <= now)
    }

    /// Whether `principal` may see this task: its owner, or anyone when it has none.
    pub fn is_visible_to(&self, principal: Option<&str>) -> bool {
        match &self.owner {
            None => true,
            Some(owner) => principal == Some(owner.as_str()),
        }
    }

    /// Marks a change now.
    pub(crate) fn touch(&mut self) {
        self.last_updated_at = SystemTime::now().max(self.created_at);
    }

    /// The `Task` fields every task-bearing message carries.
    fn task_fields(&self) -> Map<String, Value> {
        let mut task = Map::new();
        task.insert("taskId".into(), json!(self.task_id));
        task.insert("status".into(), json!(self.status));
        if let Some(message) = &self.status_message {
            task.insert("statusMessage".into(), json!(message));
        }
        task.insert("createdAt".into(), json!(iso8601(self.created_at)));
        task.insert("lastUpdatedAt".into(), json!(iso8601(self.last_updated_at)));
        let ttl = self.ttl.map(|t| duration_ms(t).max(1));
        task.insert("ttlMs".into(), json!(ttl));
        if let Some(poll) = self.poll_interval {
            task.insert("pollIntervalMs".into(), json!(duration_ms(poll).max(1)));
        }
        task
    }

    /// The `CreateTaskResult` that answers the call which created the task:
    /// `resultType: "task"` and the task's fields, without its outcome.
    pub fn create_result(&self) -> Value {
        let mut result = Map::new();
        result.insert("resultType".into(), json!("task"));
        result.extend(self.task_fields());
        Value::Object(result)
    }

    /// The `DetailedTask` that `tasks/get` answers and status notifications carry: the task's
    /// fields and, by status, its `inputRequests`, `result` or `error`.
    ///
    /// ```
    /// use mcp_runtime::store::TaskRecord;
    /// use mcp_runtime::protocol::TaskStatus;
    /// let mut task = TaskRecord::new(None, None, None);
    /// task.status = TaskStatus::Completed;
    /// task.result = Some(serde_json::json!({"content": []}));
    /// let detailed = task.detailed();
    /// assert_eq!(detailed["status"], "completed");
    /// assert_eq!(detailed["ttlMs"], serde_json::Value::Null);
    /// assert!(detailed["result"]["content"].is_array());
    /// ```
    pub fn detailed(&self) -> Value {
        let mut task = self.task_fields();
        match self.status {
            TaskStatus::InputRequired => {
                task.insert("inputRequests".into(), json!(self.input_requests));
            }
            TaskStatus::Completed => {
                task.insert("result".into(), self.result.clone().unwrap_or(json!({})));
            }
            TaskStatus::Failed => {
                let error = self.error.clone().unwrap_or_else(|| {
                    ErrorObject::internal("the task failed without an error object")
                });
                task.insert("error".into(), json!(error));
            }
            TaskStatus::Working | TaskStatus::Cancelled => {}
        }
        Value::Object(task)
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_hex() {
        let a = TaskRecord::new(None, None, None);
        let b = TaskRecord::new(None, None, None);
        assert_ne!(a.task_id, b.task_id);
        assert!(a.task_id.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn wire_shapes_by_status() {
        let mut task = TaskRecord::new(None, Some(Duration::from_millis(1500)), None);
        task.poll_interval = Some(Duration::from_millis(250));
        let created = task.create_result();
        for absent in ["result", "error", "inputRequests", "requestState", "ttl"] {
            assert!(created.get(absent).is_none(), "{absent}");
        }
        assert_eq!(created["pollIntervalMs"], 250);
        assert_eq!(created["ttlMs"], 1500);

        task.status = TaskStatus::InputRequired;
        task.input_requests.insert(
            "name".into(),
            InputRequest::new("elicitation/create", json!({})),
        );
        assert_eq!(
            task.detailed()["inputRequests"]["name"]["method"],
            "elicitation/create"
        );

        task.status = TaskStatus::Failed;
        task.error = Some(ErrorObject::internal("boom"));
        let failed = task.detailed();
        assert_eq!(failed["error"]["code"], -32603);
        assert!(failed.get("result").is_none() && failed.get("inputRequests").is_none());

        task.status = TaskStatus::Cancelled;
        let cancelled = task.detailed();
        assert!(cancelled.get("error").is_none());
    }

    #[test]
    fn visibility_follows_the_owner() {
        let mine = TaskRecord::new(Some("alice".into()), None, None);
        assert!(mine.is_visible_to(Some("alice")));
        assert!(!mine.is_visible_to(Some("bob")));
        assert!(!mine.is_visible_to(None));
        let anyone = TaskRecord::new(None, None, None);
        assert!(anyone.is_visible_to(Some("bob")) && anyone.is_visible_to(None));
    }

    #[test]
    fn records_round_trip_through_json() {
        let task = TaskRecord::new(Some("o".into()), Some(Duration::from_secs(5)), None);
        let back: TaskRecord =
            serde_json::from_value(serde_json::to_value(&task).unwrap()).unwrap();
        assert_eq!(back, task);
    }
}
