//! [`ToolDef`]: a tool added while the server runs.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::engine::BoxFuture;
use crate::engine::context::Context;
use crate::handler::arguments::{ToolArgument, struct_argument, struct_arguments};
use crate::handler::tool::IntoToolResult;
use crate::protocol::{CallToolResult, Icon, Tool, ToolAnnotations, ToolArguments};

/// A tool's handler with its arguments' parsing and its result's conversion erased.
type CallFn = dyn Fn(ToolArguments, Context) -> BoxFuture<'static, CallToolResult> + Send + Sync;

/// A tool added while the server runs, with
/// [`ServerHandle::add_tool`](crate::ServerHandle::add_tool): its description, as
/// `tools/list` shows it, and its handler.
///
/// [`new`](Self::new) takes an async closure whose argument is one struct that is
/// `Deserialize + JsonSchema`: its schema is the tool's input schema, as for an
/// [`Args<T>`](crate::Args) parameter of a `#[tool]`, and arguments that do not fit give an
/// `isError` result naming the problem. [`raw`](Self::raw) takes a JSON Schema you made (from
/// a database, a plugin's manifest) and hands the handler the arguments as a JSON object,
/// unchecked. Either handler returns what a `#[tool]` may return
/// ([`IntoToolResult`](crate::convert::IntoToolResult)); its future must be `Send`.
///
/// ```
/// use mcp_runtime::{Context, ToolDef};
/// use schemars::JsonSchema;
/// use serde::Deserialize;
/// use serde_json::json;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct Greeting {
///     /// Who to greet.
///     name: String,
/// }
///
/// let greet = ToolDef::new("greet", "Greet someone.", |args: Greeting, _ctx: Context| async move {
///     format!("Hello, {}!", args.name)
/// })
/// .title("Greeter");
/// assert_eq!(greet.tool().input_schema["required"], json!(["name"]));
///
/// let shout = ToolDef::raw(
///     "shout",
///     "Say it loudly.",
///     json!({"type": "object", "properties": {"text": {"type": "string"}}}),
///     |args, _ctx| async move {
///         args.get("text").and_then(|t| t.as_str()).unwrap_or_default().to_uppercase()
///     },
/// );
/// assert_eq!(shout.tool().name, "shout");
/// ```
#[derive(Clone)]
pub struct ToolDef {
    tool: Tool,
    call: Arc<CallFn>,
    /// Set by [`raw`](Self::raw) for a schema that is not a JSON object; `add_tool` refuses it.
    pub(super) not_an_object: bool,
}

impl fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolDef")
            .field("tool", &self.tool)
            .finish_non_exhaustive()
    }
}

impl ToolDef {
    /// A tool whose arguments are one `A`: its JSON Schema is the input schema, and each call's
    /// arguments are deserialized into it (arguments that do not fit give an `isError` result).
    pub fn new<A, F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        handler: F,
    ) -> Self
    where
        A: ToolArgument + 'static,
        F: Fn(A, Context) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoToolResult,
    {
        let ty = struct_argument::<A>();
        let call = move |arguments: ToolArguments, ctx: Context| -> BoxFuture<'static, _> {
            match struct_arguments(ty, arguments) {
                Ok(args) => {
                    let running = handler(args, ctx);
                    Box::pin(async move { running.await.into_tool_result() })
                }
                Err(refused) => Box::pin(std::future::ready(refused)),
            }
        };
        Self::with_handler(name, description, ty.schema(), Arc::new(call))
    }

    /// A tool with the input schema `input_schema` (a JSON Schema object, `"type": "object"`),
    /// whose handler gets the arguments as the client sent them (an empty object for none).
    /// They are not checked against the schema: the handler checks what it needs.
    pub fn raw<F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        input_schema: Value,
        handler: F,
    ) -> Self
    where
        F: Fn(Map<String, Value>, Context) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: IntoToolResult,
    {
        let (schema, not_an_object) = match input_schema {
            Value::Object(schema) => (schema, false),
            _ => (Map::new(), true),
        };
        let call = move |arguments: ToolArguments, ctx: Context| -> BoxFuture<'static, _> {
            let running = handler(arguments.to_map(), ctx);
            Box::pin(async move { running.await.into_tool_result() })
        };
        let mut def = Self::with_handler(name, description, schema, Arc::new(call));
        def.not_an_object = not_an_object;
        def
    }

    fn with_handler(
        name: impl Into<String>,
        description: impl Into<String>,
        input_schema: Map<String, Value>,
        call: Arc<CallFn>,
    ) -> Self {
        let mut tool = Tool::new(name, input_schema);
        tool.description = Some(description.into()).filter(|d: &String| !d.is_empty());
        ToolDef {
            tool,
            call,
            not_an_object: false,
        }
    }

    /// A display name.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.tool.title = Some(title.into());
        self
    }

    /// Hints about the tool's behaviour (read-only, destructive, idempotent, open world).
    ///
    /// ```
    /// use mcp_runtime::ToolDef;
    /// use mcp_runtime::protocol::ToolAnnotations;
    /// let def = ToolDef::raw("now", "The time.", serde_json::json!({"type": "object"}), |_, _| async { "12:00" })
    ///     .annotations(ToolAnnotations { read_only_hint: Some(true), ..Default::default() });
    /// assert_eq!(def.tool().annotations.as_ref().unwrap().read_only_hint, Some(true));
    /// ```
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.tool.annotations = Some(annotations);
        self
    }

    /// An icon clients may show (repeat for more sizes or themes).
    pub fn icon(mut self, icon: Icon) -> Self {
        self.tool.icons.push(icon);
        self
    }

    /// The JSON Schema of the `structuredContent` the tool returns (build its results with
    /// [`CallToolResult::structured`]).
    pub fn output_schema(mut self, schema: Map<String, Value>) -> Self {
        self.tool.output_schema = Some(schema);
        self
    }

    /// The tool as `tools/list` shows it.
    pub fn tool(&self) -> &Tool {
        &self.tool
    }

    /// Starts a call.
    pub(crate) fn call(
        &self,
        arguments: ToolArguments,
        ctx: Context,
    ) -> BoxFuture<'static, CallToolResult> {
        (self.call)(arguments, ctx)
    }
}
