//! [`ToolFilter`]: which tools a caller sees and may call.

use std::fmt;
use std::sync::Arc;

use crate::engine::principal::Principal;
use crate::protocol::Tool;

/// Decides which tools a caller sees in `tools/list` and may call, in both eras: set it with
/// [`ServerConfig::tool_filter`](crate::ServerConfig::tool_filter).
///
/// It gets the caller's [`Principal`] (`None` without authentication, and over stdio) and a
/// tool, the server's own or one added at run time. A tool it hides is, to that caller, a tool
/// that does not exist: left out of `tools/list`, and a call of it is -32602 "Unknown tool",
/// the answer for a name no tool has. (A tool's scopes, `#[tool(scopes = [...])]`, are checked
/// only for the tools a caller sees.)
///
/// ```
/// use mcp_runtime::{Principal, ToolFilter};
/// use mcp_runtime::protocol::Tool;
///
/// // Tools named `admin_*` only for callers with the `admin` scope.
/// let filter = ToolFilter::new(|caller: Option<&Principal>, tool: &Tool| {
///     !tool.name.starts_with("admin_") || caller.is_some_and(|p| p.has_scope("admin"))
/// });
/// let admin_tool = Tool::new("admin_reset", Default::default());
/// assert!(!filter.allows(None, &admin_tool));
/// assert!(filter.allows(Some(&Principal::new("root").with_scopes(["admin"])), &admin_tool));
/// ```
#[derive(Clone)]
pub struct ToolFilter(Arc<Allows>);

type Allows = dyn Fn(Option<&Principal>, &Tool) -> bool + Send + Sync;

impl ToolFilter {
    /// A filter that shows `tool` to `caller` when `allows(caller, tool)` is `true`.
    pub fn new(allows: impl Fn(Option<&Principal>, &Tool) -> bool + Send + Sync + 'static) -> Self {
        ToolFilter(Arc::new(allows))
    }

    /// Whether `caller` sees `tool`, and may call it.
    pub fn allows(&self, caller: Option<&Principal>, tool: &Tool) -> bool {
        (self.0)(caller, tool)
    }
}

impl fmt::Debug for ToolFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ToolFilter(..)")
    }
}
