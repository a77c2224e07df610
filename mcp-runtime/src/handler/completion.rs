//! What a completion function (named by `complete(arg = function)` on a `#[prompt]` or a
//! `#[resource]` template) may take and return.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::handler::error::McpError;
use crate::protocol::{Completion, CompletionContext, CompletionRef};

/// Converts what a completion function returns into suggestions.
///
/// Implemented for `Vec<String>`, `Vec<&str>`, [`Completion`] (with `total` and `hasMore`),
/// and `Result<T, E: Into<McpError>>`. More than 100 values are cut to 100, with `hasMore`.
///
/// ```
/// use mcp_runtime::convert::IntoCompletion;
/// let c = vec!["alpha", "beta"].into_completion().unwrap();
/// assert_eq!(c.values, ["alpha", "beta"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a completion function",
    label = "not completion values",
    note = "return `Vec<String>`, `Vec<&str>`, `Completion`, or `Result<T, E: Into<McpError>>` of one of them"
)]
pub trait IntoCompletion {
    /// Performs the conversion.
    fn into_completion(self) -> Result<Completion, McpError>;
}

impl IntoCompletion for Completion {
    fn into_completion(self) -> Result<Completion, McpError> {
        Ok(self)
    }
}

impl IntoCompletion for Vec<String> {
    fn into_completion(self) -> Result<Completion, McpError> {
        Ok(Completion::from_values(self))
    }
}

impl IntoCompletion for Vec<&str> {
    fn into_completion(self) -> Result<Completion, McpError> {
        Ok(Completion::from_values(
            self.into_iter().map(str::to_owned).collect(),
        ))
    }
}

impl<T: IntoCompletion, E: Into<McpError>> IntoCompletion for Result<T, E> {
    fn into_completion(self) -> Result<Completion, McpError> {
        self.map_err(Into::into)?.into_completion()
    }
}

/// The partial value a completion function takes: `String` or `&str`.
///
/// ```
/// use mcp_runtime::convert::FromCompletionValue;
/// let typed = String::from("ru");
/// assert_eq!(<&str>::from_completion_value(&typed), "ru");
/// ```
#[diagnostic::on_unimplemented(
    message = "a completion function cannot take the partial value as `{Self}`",
    label = "not `String` or `&str`",
    note = "take the value typed so far as `value: String` or `value: &str`"
)]
pub trait FromCompletionValue<'a> {
    /// Builds the parameter from the partial value.
    fn from_completion_value(value: &'a str) -> Self;
}

impl<'a> FromCompletionValue<'a> for &'a str {
    fn from_completion_value(value: &'a str) -> Self {
        value
    }
}

impl FromCompletionValue<'_> for String {
    fn from_completion_value(value: &str) -> Self {
        value.to_owned()
    }
}

/// The arguments already chosen (`context.arguments`), as a completion function may take
/// them: `HashMap<String, String>`, `BTreeMap<String, String>`, a JSON map, or
/// [`CompletionContext`].
///
/// ```
/// use std::collections::HashMap;
/// use mcp_runtime::convert::FromCompletionContext;
/// use mcp_runtime::protocol::CompletionContext;
/// let context: CompletionContext =
///     serde_json::from_value(serde_json::json!({"arguments": {"language": "rust"}})).unwrap();
/// let chosen = HashMap::<String, String>::from_completion_context(Some(context));
/// assert_eq!(chosen["language"], "rust");
/// ```
#[diagnostic::on_unimplemented(
    message = "a completion function cannot take the chosen arguments as `{Self}`",
    label = "not a map of the other arguments",
    note = "take them as `HashMap<String, String>`, `BTreeMap<String, String>`, `serde_json::Map<String, Value>` or `CompletionContext`"
)]
pub trait FromCompletionContext {
    /// Builds the parameter from the request's `context` (`None` when it has none).
    fn from_completion_context(context: Option<CompletionContext>) -> Self;
}

fn text(value: Value) -> String {
    match value {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

impl FromCompletionContext for CompletionContext {
    fn from_completion_context(context: Option<CompletionContext>) -> Self {
        context.unwrap_or_default()
    }
}

impl FromCompletionContext for Map<String, Value> {
    fn from_completion_context(context: Option<CompletionContext>) -> Self {
        context.unwrap_or_default().arguments
    }
}

impl FromCompletionContext for HashMap<String, String> {
    fn from_completion_context(context: Option<CompletionContext>) -> Self {
        let arguments = context.unwrap_or_default().arguments;
        arguments.into_iter().map(|(k, v)| (k, text(v))).collect()
    }
}

impl FromCompletionContext for BTreeMap<String, String> {
    fn from_completion_context(context: Option<CompletionContext>) -> Self {
        let arguments = context.unwrap_or_default().arguments;
        arguments.into_iter().map(|(k, v)| (k, text(v))).collect()
    }
}

/// What a completion request is about, for the generated `match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `ref/prompt`: an argument of the prompt named.
    Prompt,
    /// `ref/resource`: a parameter of the URI template given.
    Resource,
}

/// The kind of a completion reference and its prompt name or URI template.
///
/// ```
/// use mcp_runtime::__private::{completion_target, RefKind};
/// use mcp_runtime::protocol::CompletionRef;
/// let r = CompletionRef::Prompt { name: "greet".into() };
/// assert_eq!(completion_target(&r), (RefKind::Prompt, "greet"));
/// ```
pub fn completion_target(reference: &CompletionRef) -> (RefKind, &str) {
    match reference {
        CompletionRef::Prompt { name } => (RefKind::Prompt, name),
        CompletionRef::Resource { uri } => (RefKind::Resource, uri),
    }
}
