//! The API the macros generate calls into. Not public: it changes without notice.

use std::fmt::Display;
use std::future::Future;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use crate::args::Args;
pub use crate::completion::{
    FromCompletionContext, FromCompletionValue, IntoCompletion, RefKind, completion_target,
};
pub use crate::context::Context;
pub use crate::error::McpError;
pub use crate::prompt::{IntoGetPromptResult, PromptArguments};
pub use crate::protocol::{
    CallToolResult, CompleteParams, Completion, CompletionArgument, GetPromptResult, Icon,
    IconTheme, Implementation, Prompt, PromptArgument, ReadResourceResult, Resource,
    ResourceTemplate, Tool, ToolAnnotations,
};
pub use crate::resource::{FromArgument, IntoReadResourceResult, TemplateMatch};
pub use crate::server::{Arguments, BoxFuture, MCPServer};
pub use crate::structured::{StructuredOutput, output_schema, structured_result};
pub use crate::tool::IntoToolResult;
pub use ::core;
pub use ::serde_json;
pub use ::std;

/// Boxes a handler's future. The only place the macros require `Send`, so that a handler
/// whose future is not `Send` gets an error naming that handler.
pub fn box_future<'a, F>(future: F) -> BoxFuture<'a, F::Output>
where
    F: Future + Send + 'a,
{
    Box::pin(future)
}

/// The answer to a completion request no completion function serves: no values.
pub fn no_completion<'a>() -> BoxFuture<'a, Result<Completion, McpError>> {
    Box::pin(::core::future::ready(Ok(Completion::default())))
}

/// The error for prompt arguments that failed to parse.
pub fn prompt_arguments_error(outcome: Result<(), McpError>) -> McpError {
    outcome
        .err()
        .unwrap_or_else(|| McpError::invalid_params("Invalid arguments"))
}

/// One argument of a prompt, as `prompts/list` shows it.
pub fn prompt_argument(name: &str, description: Option<&str>, required: bool) -> PromptArgument {
    PromptArgument {
        name: name.to_owned(),
        description: description.map(str::to_owned),
        required: Some(required),
    }
}

/// Builds the JSON Schema of a tool's arguments, one parameter at a time.
pub struct InputSchema {
    generator: SchemaGenerator,
    properties: Map<String, Value>,
    required: Vec<Value>,
}

impl Default for InputSchema {
    fn default() -> Self {
        Self::new()
    }
}

impl InputSchema {
    /// An empty object schema (JSON Schema 2020-12).
    pub fn new() -> Self {
        InputSchema {
            generator: SchemaSettings::draft2020_12().into_generator(),
            properties: Map::new(),
            required: Vec::new(),
        }
    }

    /// Adds the parameter `name` of type `T`.
    pub fn param<T: JsonSchema>(
        mut self,
        name: &str,
        description: Option<&str>,
        required: bool,
    ) -> Self {
        let mut schema = self.generator.subschema_for::<T>().to_value();
        if let (Some(description), Value::Object(map)) = (description, &mut schema) {
            map.insert("description".into(), Value::String(description.into()));
        }
        self.properties.insert(name.into(), schema);
        if required {
            self.required.push(Value::String(name.into()));
        }
        self
    }

    /// The finished schema: an object of the parameters, no others allowed.
    pub fn build(mut self) -> Map<String, Value> {
        let mut schema = Map::new();
        schema.insert("type".into(), Value::String("object".into()));
        schema.insert("properties".into(), Value::Object(self.properties));
        if !self.required.is_empty() {
            schema.insert("required".into(), Value::Array(self.required));
        }
        schema.insert("additionalProperties".into(), Value::Bool(false));
        let defs = self.generator.take_definitions(true);
        if !defs.is_empty() {
            schema.insert("$defs".into(), Value::Object(defs));
        }
        schema
    }
}

/// The schema of a tool whose arguments are one struct `T`: the struct's own schema, with its
/// `$schema` and `$defs` (SEP-1613), without the title schemars makes up from the type's name.
pub fn struct_input_schema<T: JsonSchema>() -> Map<String, Value> {
    let schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    match schema.to_value() {
        Value::Object(mut map) => {
            if map.get("title").and_then(Value::as_str) == Some(&T::schema_name()) {
                map.remove("title");
            }
            map
        }
        other => {
            // A struct always has an object schema; anything else is wrapped so clients see one.
            let mut map = Map::new();
            map.insert("type".into(), Value::String("object".into()));
            map.insert("allOf".into(), Value::Array(vec![other]));
            map
        }
    }
}

/// Tool arguments being taken apart parameter by parameter; collects every problem.
pub struct ArgumentParser {
    map: Map<String, Value>,
    problems: Vec<String>,
}

impl ArgumentParser {
    /// Starts parsing the arguments the client sent.
    pub fn new(arguments: Arguments) -> Self {
        ArgumentParser {
            map: arguments.unwrap_or_default(),
            problems: Vec::new(),
        }
    }

    /// Takes a required parameter.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        match self.map.remove(name) {
            None | Some(Value::Null) => {
                self.problems
                    .push(format!("missing required argument `{name}`"));
                None
            }
            Some(value) => self.convert(name, value),
        }
    }

    /// Takes an optional parameter (`None` when absent or `null`).
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str) -> Option<Option<T>> {
        match self.map.remove(name) {
            None | Some(Value::Null) => Some(None),
            Some(value) => self.convert(name, value).map(Some),
        }
    }

    fn convert<T: DeserializeOwned>(&mut self, name: &str, value: Value) -> Option<T> {
        match serde_json::from_value(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems
                    .push(format!("invalid argument `{name}`: {e}"));
                None
            }
        }
    }

    /// Ends parsing: `Err` holds an `isError` result naming every bad or unknown argument.
    pub fn finish(self) -> Result<(), CallToolResult> {
        let mut problems = self.problems;
        for name in self.map.keys() {
            problems.push(format!("unknown argument `{name}`"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CallToolResult::error(format!(
                "Invalid arguments: {}",
                problems.join("; ")
            )))
        }
    }
}

/// The error result for arguments that failed to parse.
pub fn arguments_error(outcome: Result<(), CallToolResult>) -> CallToolResult {
    outcome
        .err()
        .unwrap_or_else(|| CallToolResult::error("Invalid arguments"))
}

/// Parses a tool's arguments as one struct.
pub fn struct_arguments<T: DeserializeOwned>(arguments: Arguments) -> Result<T, CallToolResult> {
    let value = Value::Object(arguments.unwrap_or_default());
    T::deserialize(value).map_err(|e| CallToolResult::error(format!("Invalid arguments: {e}")))
}

/// The `isError` result of a tool that returned `Err(error)`.
pub fn error_result<E: Display>(error: E) -> CallToolResult {
    CallToolResult::error(error.to_string())
}

/// Tag: the value converts through [`IntoToolResult`].
pub struct IntoResultTag;
/// Tag: the value is serialized to JSON text.
pub struct SerializeTag;

/// Picks [`IntoResultTag`] for types that implement [`IntoToolResult`] (tried first).
pub trait IntoResultKind {
    /// The tag.
    fn __tool_result_kind(&self) -> IntoResultTag {
        IntoResultTag
    }
}
impl<T: IntoToolResult> IntoResultKind for T {}

/// Picks [`SerializeTag`] for every other type (tried second, through autoref). The bound is
/// checked by [`SerializeTag::convert`], so that a type that is neither gets an error saying so.
pub trait SerializeKind {
    /// The tag.
    fn __tool_result_kind(&self) -> SerializeTag {
        SerializeTag
    }
}
impl<T> SerializeKind for &T {}

/// A tool's return value that is not [`IntoToolResult`]: any `Serialize` type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a tool",
    label = "neither `IntoToolResult` nor `serde::Serialize`",
    note = "return a string, a number, `Content`, `CallToolResult`, `Result<T, E: Display>`, or any `serde::Serialize` type"
)]
pub trait SerializeOutput: Serialize {}
impl<T: Serialize> SerializeOutput for T {}

impl IntoResultTag {
    /// Converts through [`IntoToolResult`].
    pub fn convert<T: IntoToolResult>(self, value: T) -> CallToolResult {
        value.into_tool_result()
    }
}

impl SerializeTag {
    /// Serializes to JSON text.
    pub fn convert<T: SerializeOutput>(self, value: T) -> CallToolResult {
        match serde_json::to_string(&value) {
            Ok(text) => CallToolResult::text(text),
            Err(e) => {
                CallToolResult::error(format!("the tool's result could not be serialized: {e}"))
            }
        }
    }
}
