//! Annotations: hints to the client about who a piece of content or a resource is for, how
//! much it matters, and when it last changed.

use serde::{Deserialize, Serialize};

use super::prompts::Role;

/// How a client should treat a content block or a resource.
///
/// ```
/// use mcp_runtime::protocol::{Annotations, Role};
/// let a = Annotations::for_audience([Role::User]).with_priority(0.9);
/// assert_eq!(
///     serde_json::to_value(&a).unwrap(),
///     serde_json::json!({"audience": ["user"], "priority": 0.9})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    /// Who it is meant for (none: anyone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audience: Vec<Role>,
    /// How important it is, from 0 (optional) to 1 (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<f64>,
    /// When it last changed (ISO 8601, e.g. `2025-01-12T15:00:58Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Annotations {
    /// Annotations naming who the content is for.
    pub fn for_audience(audience: impl IntoIterator<Item = Role>) -> Self {
        Annotations {
            audience: audience.into_iter().collect(),
            ..Self::default()
        }
    }

    /// Sets the priority, clamped to 0..=1.
    ///
    /// ```
    /// let a = mcp_runtime::protocol::Annotations::default().with_priority(7.0);
    /// assert_eq!(a.priority, Some(1.0));
    /// ```
    pub fn with_priority(mut self, priority: f64) -> Self {
        self.priority = Some(if priority.is_nan() {
            0.0
        } else {
            priority.clamp(0.0, 1.0)
        });
        self
    }

    /// Sets when it last changed (ISO 8601).
    pub fn with_last_modified(mut self, timestamp: impl Into<String>) -> Self {
        self.last_modified = Some(timestamp.into());
        self
    }
}
