//! `completion/complete`: suggestions for prompt arguments and template parameters.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What is being completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum CompletionRef {
    /// An argument of a prompt.
    #[serde(rename = "ref/prompt")]
    Prompt {
        /// The prompt's name.
        name: String,
    },
    /// A parameter of a resource template.
    #[serde(rename = "ref/resource")]
    Resource {
        /// The template (or URI).
        uri: String,
    },
}

impl CompletionRef {
    /// An argument of the prompt `name`.
    ///
    /// ```
    /// use mcp_runtime::protocol::CompletionRef;
    /// assert_eq!(
    ///     serde_json::to_value(CompletionRef::prompt("summarize")).unwrap(),
    ///     serde_json::json!({"type": "ref/prompt", "name": "summarize"})
    /// );
    /// ```
    pub fn prompt(name: impl Into<String>) -> Self {
        CompletionRef::Prompt { name: name.into() }
    }

    /// A parameter of the resource template `uri_template`.
    ///
    /// ```
    /// use mcp_runtime::protocol::CompletionRef;
    /// let r = CompletionRef::resource("notes://{id}");
    /// assert_eq!(r, CompletionRef::Resource { uri: "notes://{id}".into() });
    /// ```
    pub fn resource(uri_template: impl Into<String>) -> Self {
        CompletionRef::Resource {
            uri: uri_template.into(),
        }
    }
}

/// The argument being completed and what the user typed so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionArgument {
    /// The argument's name.
    pub name: String,
    /// The partial value.
    pub value: String,
}

/// `completion/complete` params.
#[derive(Debug, Clone, Deserialize)]
pub struct CompleteParams {
    /// What is being completed.
    #[serde(rename = "ref")]
    pub reference: CompletionRef,
    /// The argument.
    pub argument: CompletionArgument,
    /// Arguments already resolved (`context.arguments`).
    #[serde(default)]
    pub context: Option<CompletionContext>,
}

/// Values of other arguments already chosen.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CompletionContext {
    /// Argument name to value.
    #[serde(default)]
    pub arguments: Map<String, Value>,
}

/// Suggestions (at most 100 are sent).
///
/// ```
/// use mcp_runtime::protocol::Completion;
/// let c = Completion::from_values(vec!["alpha".into(), "beta".into()]);
/// assert_eq!(c.values.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// The suggested values.
    pub values: Vec<String>,
    /// How many values exist in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Whether there are more than those sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
}

impl Completion {
    /// Suggestions from a list, cut to the 100 the protocol allows.
    pub fn from_values(mut values: Vec<String>) -> Self {
        let total = values.len();
        values.truncate(100);
        Completion {
            has_more: Some(total > values.len()),
            total: Some(total as u64),
            values,
        }
    }
}

/// `completion/complete` result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompleteResult {
    /// The suggestions.
    pub completion: Completion,
}
