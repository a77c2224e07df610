//! What a `#[prompt]` method may return ([`IntoGetPromptResult`]), and how the arguments a
//! client sends are taken apart.

use serde_json::{Map, Value};

use crate::handler::error::McpError;
use crate::handler::resource::FromArgument;
use crate::protocol::{Content, GetPromptResult, PromptMessage, Role};

/// Converts what a `#[prompt]` method returns into a `prompts/get` result.
///
/// - `Vec<PromptMessage>`, one [`PromptMessage`], or the whole [`GetPromptResult`];
/// - text (`String`, `&str`): one user message with that text;
/// - one [`Content`] block: one user message with it;
/// - `Result<T, E>` with `E: Into<McpError>`: `Err` becomes the JSON-RPC error the client gets.
///
/// ```
/// use mcp_runtime::convert::IntoGetPromptResult;
/// let result = "Summarize this.".into_get_prompt_result().unwrap();
/// assert_eq!(
///     serde_json::to_value(result).unwrap(),
///     serde_json::json!({"messages": [
///         {"role": "user", "content": {"type": "text", "text": "Summarize this."}}
///     ]})
/// );
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a prompt",
    label = "not prompt messages",
    note = "return `Vec<PromptMessage>`, `PromptMessage`, `GetPromptResult`, a string (one user message), `Content`, or `Result<T, E: Into<McpError>>` of one of them"
)]
pub trait IntoGetPromptResult {
    /// Performs the conversion.
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError>;
}

fn messages(messages: Vec<PromptMessage>) -> Result<GetPromptResult, McpError> {
    Ok(GetPromptResult {
        description: None,
        messages,
    })
}

impl IntoGetPromptResult for GetPromptResult {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        Ok(self)
    }
}

impl IntoGetPromptResult for Vec<PromptMessage> {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        messages(self)
    }
}

impl IntoGetPromptResult for PromptMessage {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        messages(vec![self])
    }
}

impl IntoGetPromptResult for Content {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        messages(vec![PromptMessage::new(Role::User, self)])
    }
}

impl IntoGetPromptResult for String {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        messages(vec![PromptMessage::user(self)])
    }
}

impl IntoGetPromptResult for &str {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        messages(vec![PromptMessage::user(self)])
    }
}

impl<T: IntoGetPromptResult, E: Into<McpError>> IntoGetPromptResult for Result<T, E> {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        self.map_err(Into::into)?.into_get_prompt_result()
    }
}

/// A prompt's arguments being taken apart parameter by parameter; collects every problem.
///
/// Prompt arguments are strings. Each is parsed with [`FromArgument`] (`FromStr`); a number
/// or boolean sent as JSON is parsed from its JSON text.
///
/// ```
/// use mcp_runtime::__private::PromptArguments;
/// let args = serde_json::json!({"topic": "rust", "count": "3"});
/// let mut parser = PromptArguments::new(args.as_object().cloned());
/// assert_eq!(parser.required::<String>("topic").as_deref(), Some("rust"));
/// assert_eq!(parser.optional::<u8>("count"), Some(Some(3)));
/// assert!(parser.finish().is_ok());
/// ```
#[derive(Debug)]
pub struct PromptArguments {
    map: Map<String, Value>,
    problems: Vec<String>,
}

impl PromptArguments {
    /// Starts parsing the arguments the client sent.
    pub fn new(arguments: Option<Map<String, Value>>) -> Self {
        PromptArguments {
            map: arguments.unwrap_or_default(),
            problems: Vec::new(),
        }
    }

    /// Takes a required argument.
    pub fn required<T: FromArgument>(&mut self, name: &str) -> Option<T> {
        match self.map.remove(name) {
            None | Some(Value::Null) => {
                self.problems
                    .push(format!("missing required argument `{name}`"));
                None
            }
            Some(value) => self.convert(name, value),
        }
    }

    /// Takes an optional argument (`None` when absent or `null`).
    pub fn optional<T: FromArgument>(&mut self, name: &str) -> Option<Option<T>> {
        match self.map.remove(name) {
            None | Some(Value::Null) => Some(None),
            Some(value) => self.convert(name, value).map(Some),
        }
    }

    fn convert<T: FromArgument>(&mut self, name: &str, value: Value) -> Option<T> {
        let parsed = match &value {
            Value::String(text) => T::from_argument(text),
            other => T::from_argument(&other.to_string()),
        };
        parsed
            .map_err(|e| {
                self.problems
                    .push(format!("invalid argument `{name}`: {e}"))
            })
            .ok()
    }

    /// Ends parsing: `Err` is an invalid-params error (-32602) naming every missing, bad or
    /// unknown argument.
    pub fn finish(self) -> Result<(), McpError> {
        let mut problems = self.problems;
        for name in self.map.keys() {
            problems.push(format!("unknown argument `{name}`"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(McpError::invalid_params(problems.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_problem_is_named() {
        let args = json!({"n": "x", "flag": true, "extra": "?"});
        let mut parser = PromptArguments::new(args.as_object().cloned());
        assert_eq!(parser.required::<String>("topic"), None);
        assert_eq!(parser.required::<u32>("n"), None);
        assert_eq!(parser.optional::<bool>("flag"), Some(Some(true)));
        let error = parser.finish().unwrap_err();
        assert_eq!(error.code(), -32602);
        assert_eq!(
            error.0.message,
            "Invalid params: missing required argument `topic`; invalid argument `n`: \
             invalid digit found in string; unknown argument `extra`"
        );
    }

    #[test]
    fn results() {
        let json = |r: Result<GetPromptResult, McpError>| serde_json::to_value(r.unwrap()).unwrap();
        let one =
            json!({"messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}]});
        assert_eq!(json(String::from("hi").into_get_prompt_result()), one);
        assert_eq!(
            json(PromptMessage::user("hi").into_get_prompt_result()),
            one
        );
        assert_eq!(json(Content::text("hi").into_get_prompt_result()), one);
        assert_eq!(
            json(vec![PromptMessage::user("hi")].into_get_prompt_result()),
            one
        );
        let failed: Result<String, &str> = Err("no");
        assert_eq!(failed.into_get_prompt_result().unwrap_err().code(), -32603);
    }
}
