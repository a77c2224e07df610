//! `subscriptions/listen` (2026-07-28): one long-lived stream of the change notifications a
//! client opted into, replacing the GET stream and `resources/subscribe`.

use serde::{Deserialize, Serialize};

/// The notification types a client opts into, and that the server agrees to send.
///
/// ```
/// use mcp_runtime::protocol::SubscriptionFilter;
/// let filter: SubscriptionFilter =
///     serde_json::from_str(r#"{"toolsListChanged":true,"resourceSubscriptions":["a://b"]}"#).unwrap();
/// assert!(filter.wants_tools());
/// assert!(!filter.wants_prompts());
/// assert!(filter.wants_resource("a://b"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionFilter {
    /// `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_list_changed: Option<bool>,
    /// `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts_list_changed: Option<bool>,
    /// `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_list_changed: Option<bool>,
    /// `notifications/resources/updated` for these URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_subscriptions: Option<Vec<String>>,
    /// `notifications/tasks` (status changes) for these tasks (the tasks extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_ids: Option<Vec<String>>,
}

impl SubscriptionFilter {
    /// Whether tool list changes are wanted.
    pub fn wants_tools(&self) -> bool {
        self.tools_list_changed == Some(true)
    }

    /// Whether prompt list changes are wanted.
    pub fn wants_prompts(&self) -> bool {
        self.prompts_list_changed == Some(true)
    }

    /// Whether resource list changes are wanted.
    pub fn wants_resource_list(&self) -> bool {
        self.resources_list_changed == Some(true)
    }

    /// Whether updates of the resource at `uri` are wanted.
    pub fn wants_resource(&self, uri: &str) -> bool {
        self.resource_subscriptions
            .as_ref()
            .is_some_and(|uris| uris.iter().any(|u| u == uri))
    }

    /// Whether status changes of the task `id` are wanted.
    ///
    /// ```
    /// use mcp_runtime::protocol::SubscriptionFilter;
    /// let filter: SubscriptionFilter = serde_json::from_str(r#"{"taskIds":["t1"]}"#).unwrap();
    /// assert!(filter.wants_task("t1") && !filter.wants_task("t2"));
    /// ```
    pub fn wants_task(&self, id: &str) -> bool {
        self.task_ids
            .as_ref()
            .is_some_and(|ids| ids.iter().any(|t| t == id))
    }
}

/// `subscriptions/listen` params.
#[derive(Debug, Clone, Deserialize)]
pub struct ListenParams {
    /// What the client opts into.
    pub notifications: SubscriptionFilter,
}
