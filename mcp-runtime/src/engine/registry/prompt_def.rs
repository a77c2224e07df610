//! [`PromptDef`]: a prompt added while the server runs.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::engine::BoxFuture;
use crate::engine::context::Context;
use crate::handler::error::McpError;
use crate::handler::input_schema::struct_schema;
use crate::handler::prompt::IntoGetPromptResult;
use crate::protocol::{GetPromptResult, Icon, Prompt, PromptArgument};

/// A prompt's handler with its arguments' parsing and its result's conversion erased.
type GetFn = dyn Fn(Map<String, Value>, Context) -> BoxFuture<'static, Result<GetPromptResult, McpError>>
    + Send
    + Sync;

/// A prompt added while the server runs, with
/// [`ServerHandle::add_prompt`](crate::ServerHandle::add_prompt).
///
/// [`new`](Self::new) takes an async closure whose argument is one struct that is
/// `Deserialize + JsonSchema`: its fields are the prompt's arguments (described by their doc
/// comments, required unless they are `Option`s). Clients send prompt arguments as text, so
/// its fields are `String`s (or `Option<String>`). [`raw`](Self::raw) lists arguments you
/// describe and hands the handler what the client sent. Either way a missing required
/// argument or an unknown one is -32602 naming it, before the handler runs. The handler
/// returns what a `#[prompt]` may return
/// ([`IntoGetPromptResult`](crate::convert::IntoGetPromptResult)).
///
/// ```
/// use mcp_runtime::protocol::PromptArgument;
/// use mcp_runtime::{Context, PromptDef};
/// use schemars::JsonSchema;
/// use serde::Deserialize;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct Review {
///     /// The code to review.
///     code: String,
///     /// What to look for.
///     focus: Option<String>,
/// }
///
/// let review = PromptDef::new("review", "Review some code.", |args: Review, _ctx: Context| async move {
///     let focus = args.focus.unwrap_or_else(|| "bugs".into());
///     format!("Review this code for {focus}:\n{}", args.code)
/// });
/// let arguments = &review.prompt().arguments;
/// assert_eq!((arguments[0].name.as_str(), arguments[0].required), ("code", Some(true)));
/// assert_eq!((arguments[1].name.as_str(), arguments[1].required), ("focus", Some(false)));
///
/// let topic = PromptArgument { name: "topic".into(), description: None, required: Some(true) };
/// let haiku = PromptDef::raw("haiku", "A haiku.", vec![topic], |args, _ctx: Context| async move {
///     format!("A haiku about {}.", args["topic"].as_str().unwrap_or("nothing"))
/// });
/// # drop(haiku);
/// ```
#[derive(Clone)]
pub struct PromptDef {
    prompt: Prompt,
    get: Arc<GetFn>,
}

impl fmt::Debug for PromptDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptDef")
            .field("prompt", &self.prompt)
            .finish_non_exhaustive()
    }
}

impl PromptDef {
    /// A prompt whose arguments are the fields of `A`.
    pub fn new<A, F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        handler: F,
    ) -> Self
    where
        A: DeserializeOwned + JsonSchema + 'static,
        F: Fn(A, Context) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoGetPromptResult,
    {
        let get = move |arguments: Map<String, Value>, ctx: Context| -> BoxFuture<'static, _> {
            match serde_json::from_value::<A>(Value::Object(arguments)) {
                Ok(args) => {
                    let getting = handler(args, ctx);
                    Box::pin(async move { getting.await.into_get_prompt_result() })
                }
                Err(e) => Box::pin(std::future::ready(Err(McpError::invalid_params(format!(
                    "Invalid arguments: {e}"
                ))))),
            }
        };
        Self::with_handler(name, description, arguments_of::<A>(), Arc::new(get))
    }

    /// A prompt with these arguments, whose handler gets them as the client sent them (an
    /// empty object for none).
    pub fn raw<F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        arguments: Vec<PromptArgument>,
        handler: F,
    ) -> Self
    where
        F: Fn(Map<String, Value>, Context) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoGetPromptResult,
    {
        let get = move |arguments: Map<String, Value>, ctx: Context| -> BoxFuture<'static, _> {
            let getting = handler(arguments, ctx);
            Box::pin(async move { getting.await.into_get_prompt_result() })
        };
        Self::with_handler(name, description, arguments, Arc::new(get))
    }

    fn with_handler(
        name: impl Into<String>,
        description: impl Into<String>,
        arguments: Vec<PromptArgument>,
        get: Arc<GetFn>,
    ) -> Self {
        let mut prompt = Prompt::new(name);
        prompt.description = Some(description.into()).filter(|d: &String| !d.is_empty());
        prompt.arguments = arguments;
        PromptDef { prompt, get }
    }

    /// A display name.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.prompt.title = Some(title.into());
        self
    }

    /// An icon clients may show (repeat for more sizes or themes).
    pub fn icon(mut self, icon: Icon) -> Self {
        self.prompt.icons.push(icon);
        self
    }

    /// The prompt as `prompts/list` shows it.
    pub fn prompt(&self) -> &Prompt {
        &self.prompt
    }

    /// Renders the prompt: -32602 for a missing required argument or an unknown one.
    pub(crate) fn get(
        &self,
        arguments: Option<Map<String, Value>>,
        ctx: Context,
    ) -> BoxFuture<'static, Result<GetPromptResult, McpError>> {
        let arguments = arguments.unwrap_or_default();
        let declared = &self.prompt.arguments;
        let mut problems: Vec<String> = declared
            .iter()
            .filter(|a| a.required == Some(true))
            .filter(|a| arguments.get(&a.name).is_none_or(Value::is_null))
            .map(|a| format!("missing required argument `{}`", a.name))
            .collect();
        problems.extend(
            arguments
                .keys()
                .filter(|k| !declared.iter().any(|a| &a.name == *k))
                .take(10)
                .map(|k| format!("unknown argument `{}`", crate::clip::clip(k))),
        );
        if !problems.is_empty() {
            let error = McpError::invalid_params(problems.join("; "));
            return Box::pin(std::future::ready(Err(error)));
        }
        (self.get)(arguments, ctx)
    }
}

/// The prompt arguments `A` describes: its properties, required as its schema says.
fn arguments_of<A: JsonSchema>() -> Vec<PromptArgument> {
    let schema = struct_schema::<A>();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(Value::Object(properties)) = schema.get("properties") else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, property)| PromptArgument {
            name: name.clone(),
            description: property
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            required: Some(required.contains(&name.as_str())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, JsonSchema)]
    struct Topic {
        /// What about.
        topic: String,
        mood: Option<String>,
    }

    fn topic() -> PromptDef {
        PromptDef::new("t", "", |args: Topic, _| async move {
            format!("{} {}", args.topic, args.mood.unwrap_or_default())
        })
    }

    #[test]
    fn arguments_come_from_the_struct() {
        let def = topic();
        let args = &def.prompt().arguments;
        assert_eq!(args.len(), 2);
        assert_eq!(args[0].description.as_deref(), Some("What about."));
        assert_eq!(args[0].required, Some(true));
        assert_eq!(args[1].required, Some(false));
        assert_eq!(
            def.prompt().description,
            None,
            "an empty description is none"
        );
    }

    #[tokio::test]
    async fn missing_and_unknown_arguments_are_refused_before_the_handler() {
        let def = topic();
        let args = serde_json::json!({"mood": "glad", "colour": "red"});
        let error = def
            .get(args.as_object().cloned(), Context::detached())
            .await
            .unwrap_err();
        assert_eq!(error.code(), -32602);
        assert_eq!(
            error.0.message,
            "Invalid params: missing required argument `topic`; unknown argument `colour`"
        );
        let args = serde_json::json!({"topic": "rain"});
        let result = def
            .get(args.as_object().cloned(), Context::detached())
            .await
            .unwrap();
        assert_eq!(result.messages.len(), 1);
    }
}
