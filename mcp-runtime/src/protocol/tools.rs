//! `tools/list` and `tools/call`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::apps::{ToolMeta, UiToolMeta};
use super::content::{Content, PayloadLen};
use super::icon::Icon;
use super::tasks::{TaskSupport, ToolExecution};

/// A tool as listed by `tools/list`.
///
/// ```
/// use mcp_runtime::protocol::Tool;
/// let tool = Tool::new("add", serde_json::json!({"type": "object"}).as_object().unwrap().clone());
/// assert_eq!(tool.name, "add");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    /// The unique name clients call it by.
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the tool does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON Schema of the arguments object.
    pub input_schema: Map<String, Value>,
    /// JSON Schema of `structuredContent`, when the tool returns structured output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Map<String, Value>>,
    /// Behaviour hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ToolAnnotations>,
    /// Icons a client may show for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// How it executes: whether calls may run as tasks (shown to 2026-07-28 clients only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ToolExecution>,
    /// Metadata (`_meta`): the view that renders its results (MCP Apps), and other keys.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ToolMeta>,
}

impl Tool {
    /// A tool with a name and an input schema.
    pub fn new(name: impl Into<String>, input_schema: Map<String, Value>) -> Self {
        Tool {
            name: name.into(),
            title: None,
            description: None,
            input_schema,
            output_schema: None,
            annotations: None,
            icons: Vec::new(),
            execution: None,
            meta: None,
        }
    }

    /// The tool with an app: `_meta.ui` (the `ui://` view that renders its results, who may
    /// call it), and the deprecated flat `_meta["ui/resourceUri"]` that older hosts read.
    /// Other `_meta` keys are kept.
    ///
    /// ```
    /// use mcp_runtime::protocol::{Tool, UiToolMeta};
    /// let tool = Tool::new("show_clock", Default::default()).with_ui(UiToolMeta::new("ui://clock"));
    /// assert_eq!(tool.ui().and_then(|ui| ui.resource_uri.as_deref()), Some("ui://clock"));
    /// let json = serde_json::to_value(&tool).unwrap();
    /// assert_eq!(json["_meta"]["ui"]["resourceUri"], "ui://clock");
    /// assert_eq!(json["_meta"]["ui/resourceUri"], "ui://clock");
    /// ```
    pub fn with_ui(mut self, ui: UiToolMeta) -> Self {
        let other = self.meta.take().map(|m| m.other).unwrap_or_default();
        let mut meta = ToolMeta::app(ui);
        meta.other = other;
        self.meta = Some(meta);
        self
    }

    /// The tool's `_meta.ui`, if it has one.
    pub fn ui(&self) -> Option<&UiToolMeta> {
        self.meta.as_ref()?.ui.as_ref()
    }

    /// The tool with this task support (`execution.taskSupport`).
    ///
    /// ```
    /// use mcp_runtime::protocol::{TaskSupport, Tool};
    /// let tool = Tool::new("build", Default::default()).with_task_support(TaskSupport::Required);
    /// assert_eq!(tool.task_support(), TaskSupport::Required);
    /// assert_eq!(Tool::new("add", Default::default()).task_support(), TaskSupport::Forbidden);
    /// ```
    pub fn with_task_support(mut self, support: TaskSupport) -> Self {
        self.execution = Some(ToolExecution::new(support));
        self
    }

    /// Whether calls may run as tasks (`forbidden` when the tool says nothing).
    pub fn task_support(&self) -> TaskSupport {
        self.execution
            .and_then(|e| e.task_support)
            .unwrap_or_default()
    }
}

/// Hints about a tool's behaviour (clients must not trust them from untrusted servers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The tool does not modify its environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// The tool may perform destructive updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// Calling it twice with the same arguments has no further effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// The tool talks to an open world of external entities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

/// `tools/call` params.
#[derive(Debug, Clone, Deserialize)]
pub struct CallToolParams {
    /// The tool to call.
    pub name: String,
    /// Its arguments.
    #[serde(default)]
    pub arguments: super::ToolArguments,
    /// Request metadata (the progress token).
    #[serde(rename = "_meta", default)]
    pub meta: Option<super::meta::RequestMeta>,
}

/// The result of a tool call.
///
/// ```
/// use mcp_runtime::protocol::CallToolResult;
/// let r = CallToolResult::error("division by zero");
/// assert_eq!(r.is_error, Some(true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolResult {
    /// The content blocks.
    pub content: Vec<Content>,
    /// Structured output matching the tool's `outputSchema`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// `true` when the tool failed; the content says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// Metadata for the client (`_meta`), outside what the model sees.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Map<String, Value>>,
}

impl PayloadLen for CallToolResult {
    fn payload_len(&self) -> usize {
        self.content.iter().map(|c| c.payload_len()).sum()
    }
}

impl CallToolResult {
    /// A successful result with these blocks.
    pub fn success(content: Vec<Content>) -> Self {
        CallToolResult {
            content,
            ..Default::default()
        }
    }

    /// A successful result with one text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::success(vec![Content::text(text)])
    }

    /// A successful result with structured content, and its JSON text as the one text block
    /// (for clients that do not read `structuredContent`).
    ///
    /// ```
    /// use mcp_runtime::CallToolResult;
    /// let r = CallToolResult::structured(serde_json::json!({"sum": 3}));
    /// assert_eq!(r.content[0].as_text(), Some(r#"{"sum":3}"#));
    /// assert_eq!(r.structured_content, Some(serde_json::json!({"sum": 3})));
    /// ```
    pub fn structured(value: Value) -> Self {
        CallToolResult {
            content: vec![Content::text(value.to_string())],
            structured_content: Some(value),
            ..Default::default()
        }
    }

    /// A failed result (`isError: true`) with one text block saying why.
    pub fn error(message: impl Into<String>) -> Self {
        CallToolResult {
            content: vec![Content::text(message)],
            is_error: Some(true),
            ..Default::default()
        }
    }
}
