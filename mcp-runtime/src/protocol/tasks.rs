//! The tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663): a `tools/call` answered
//! with a task handle that the client polls (`tasks/get`), feeds input (`tasks/update`) or
//! cancels (`tasks/cancel`). Wire types only; the runtime is in `server::tasks`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The extension's identifier, under `capabilities.extensions` on both sides.
pub const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// The notification that carries a task's new state on a `subscriptions/listen` stream whose
/// client asked for its `taskIds`.
pub const TASK_STATUS_NOTIFICATION: &str = "notifications/tasks";

/// Whether a tool runs as a task: the tool's `execution.taskSupport`.
///
/// With [`Optional`](Self::Optional) the server decides per call (a call that runs long
/// becomes a task, a quick one answers at once); with [`Required`](Self::Required) every call
/// is a task, and a client that does not support the extension gets
/// `MissingRequiredClientCapability` (-32021).
///
/// ```
/// use mcp_runtime::protocol::TaskSupport;
/// assert_eq!(serde_json::to_string(&TaskSupport::Required).unwrap(), "\"required\"");
/// assert_eq!(TaskSupport::parse("optional"), Some(TaskSupport::Optional));
/// assert!(TaskSupport::Optional.allows_task());
/// assert!(!TaskSupport::Forbidden.allows_task());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskSupport {
    /// Never a task (the default).
    #[default]
    Forbidden,
    /// A task when the server decides so.
    Optional,
    /// Always a task.
    Required,
}

impl TaskSupport {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskSupport::Forbidden => "forbidden",
            TaskSupport::Optional => "optional",
            TaskSupport::Required => "required",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Forbidden, Self::Optional, Self::Required]
            .into_iter()
            .find(|s| s.as_str() == name)
    }

    /// Whether a call may become a task.
    pub fn allows_task(self) -> bool {
        self != TaskSupport::Forbidden
    }
}

/// How a tool executes: the `execution` field of a [`Tool`](super::Tool).
///
/// ```
/// use mcp_runtime::protocol::{TaskSupport, ToolExecution};
/// let json = serde_json::to_value(ToolExecution::new(TaskSupport::Optional)).unwrap();
/// assert_eq!(json, serde_json::json!({"taskSupport": "optional"}));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolExecution {
    /// Whether calls may run as tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_support: Option<TaskSupport>,
}

impl ToolExecution {
    /// An `execution` with this task support.
    pub fn new(task_support: TaskSupport) -> Self {
        ToolExecution {
            task_support: Some(task_support),
        }
    }
}

/// Where a task is in its life. `completed`, `failed` and `cancelled` are terminal.
///
/// ```
/// use mcp_runtime::protocol::TaskStatus;
/// assert_eq!(serde_json::to_string(&TaskStatus::InputRequired).unwrap(), "\"input_required\"");
/// assert!(TaskStatus::Cancelled.is_terminal());
/// assert!(!TaskStatus::Working.is_terminal());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Running.
    Working,
    /// Waiting for the client's answers to its `inputRequests`.
    InputRequired,
    /// Finished with a result (a tool result with `isError: true` included).
    Completed,
    /// Ended by a JSON-RPC error.
    Failed,
    /// Cancelled before it finished.
    Cancelled,
}

impl TaskStatus {
    /// Whether the task is over (its state no longer changes).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }

    /// The wire name.
    ///
    /// ```
    /// assert_eq!(mcp_runtime::protocol::TaskStatus::Working.as_str(), "working");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Working => "working",
            TaskStatus::InputRequired => "input_required",
            TaskStatus::Completed => "completed",
            TaskStatus::Failed => "failed",
            TaskStatus::Cancelled => "cancelled",
        }
    }
}

/// `tasks/get` and `tasks/cancel` params.
///
/// ```
/// use mcp_runtime::protocol::TaskIdParams;
/// let p: TaskIdParams = serde_json::from_str(r#"{"taskId":"t1","_meta":{}}"#).unwrap();
/// assert_eq!(p.task_id, "t1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskIdParams {
    /// The task.
    pub task_id: String,
}

/// `tasks/update` params: answers to the task's outstanding `inputRequests`, by key.
///
/// ```
/// use mcp_runtime::protocol::UpdateTaskParams;
/// let p: UpdateTaskParams = serde_json::from_str(
///     r#"{"taskId":"t1","inputResponses":{"name":{"action":"accept","content":{"name":"Ada"}}}}"#,
/// ).unwrap();
/// assert_eq!(p.input_responses["name"]["action"], "accept");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTaskParams {
    /// The task.
    pub task_id: String,
    /// The client's answers.
    pub input_responses: Map<String, Value>,
}

/// A time as ISO 8601 in UTC with milliseconds (`2026-07-28T10:30:00.000Z`), as `createdAt` and
/// `lastUpdatedAt` carry it.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_millis(1_785_234_600_123);
/// assert_eq!(mcp_runtime::protocol::iso8601(t), "2026-07-28T10:30:00.123Z");
/// ```
pub fn iso8601(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_around_leap_days_and_epochs() {
        let at = |secs: u64| iso8601(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(at(1_709_164_799), "2024-02-28T23:59:59.000Z");
        assert_eq!(at(1_709_251_200), "2024-03-01T00:00:00.000Z");
        assert_eq!(at(4_102_444_800), "2100-01-01T00:00:00.000Z");
        assert_eq!(
            iso8601(UNIX_EPOCH - Duration::from_secs(1)),
            "1970-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn support_names_round_trip() {
        for s in [
            TaskSupport::Forbidden,
            TaskSupport::Optional,
            TaskSupport::Required,
        ] {
            assert_eq!(TaskSupport::parse(s.as_str()), Some(s));
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(json, s.as_str());
        }
        assert_eq!(TaskSupport::parse("never"), None);
    }
}
