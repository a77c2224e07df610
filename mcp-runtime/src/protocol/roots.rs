//! `roots/list`: the directories and files the client lets the server work on.

use serde::{Deserialize, Serialize};

/// A root: a `file://` URI the server may operate on, with an optional display name.
///
/// ```
/// use mcp_runtime::protocol::Root;
/// let root: Root = serde_json::from_str(r#"{"uri":"file:///home/ada/project","name":"project"}"#).unwrap();
/// assert_eq!(root.name.as_deref(), Some("project"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    /// The root's URI (`file://` for now, per the spec).
    pub uri: String,
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The client's answer to `roots/list`.
///
/// ```
/// use mcp_runtime::protocol::ListRootsResult;
/// let r: ListRootsResult = serde_json::from_str(r#"{"roots":[{"uri":"file:///tmp"}]}"#).unwrap();
/// assert_eq!(r.roots[0].uri, "file:///tmp");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRootsResult {
    /// The roots.
    pub roots: Vec<Root>,
}
