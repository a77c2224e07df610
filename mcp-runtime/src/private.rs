//! The API the macros generate calls into. Not public: it changes without notice.

use std::fmt::Display;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::Poll;

use serde::Serialize;
use serde_json::{Map, Value};

pub use crate::engine::context::Context;
pub use crate::engine::local::{LocalTool, LocalToolServer, clone_server};
pub use crate::engine::{BoxFuture, MCPServer};
pub use crate::handler::scopes::RequiredScopes;
/// Prompt arguments as the client sent them.
pub type Arguments = Option<serde_json::Map<String, serde_json::Value>>;
pub use crate::handler::args::Args;
pub use crate::handler::arguments::{
    ArgumentParser, ArgumentType, FlatParam, FlatParams, Optional, Rejected, Required,
    StructArgument, ToolArgument, ToolArguments, args_struct, argument, flat_arguments,
    no_arguments, optional, required, struct_argument,
};
pub use crate::handler::completion::{
    FromCompletionContext, FromCompletionValue, IntoCompletion, RefKind, completion_target,
};
pub use crate::handler::error::McpError;
pub use crate::handler::input_schema::{
    ParamSchema, input_schema, param_schema, struct_input_schema,
};
pub use crate::handler::prompt::{IntoGetPromptResult, PromptArguments};
pub use crate::handler::resource::{FromArgument, IntoReadResourceResult, TemplateMatch};
pub use crate::handler::structured::{StructuredOutput, output_schema, structured_result};
pub use crate::handler::tool::IntoToolResult;
pub use crate::protocol::{
    APP_MIME_TYPE, Annotations, CallToolResult, CompleteParams, Completion, CompletionArgument,
    GetPromptResult, Icon, IconTheme, Implementation, Prompt, PromptArgument, ReadResourceResult,
    Resource, ResourceMeta, ResourceTemplate, Role, TaskSupport, Tool, ToolAnnotations,
    ToolExecution, UiResourceCsp, UiResourceMeta, UiResourcePermissions, UiVisibility,
};
use crate::protocol::{ToolMeta, UiToolMeta};
pub use ::core;
pub use ::serde_json;
pub use ::std;

// The prelude's names, which the generated code spells through this module so that user items
// with the same names change nothing.
pub use ::core::convert::From;
pub use ::core::default::Default;
pub use ::core::option::Option::{self, None, Some};
pub use ::core::primitive::{bool, str};
pub use ::core::result::Result::{self, Err, Ok};
pub use ::core::time::Duration;
pub use ::std::string::String;
pub use ::std::vec::Vec;

/// Boxes a resource's, prompt's or completion's future. With [`tool_future`], the only place
/// the macros require `Send`, so that a handler whose future is not `Send` gets an error
/// naming that handler.
pub fn box_future<'a, F>(future: F) -> BoxFuture<'a, F::Output>
where
    F: Future + Send + 'a,
{
    Box::pin(future)
}

/// Boxes a tool's future (see [`box_future`]). rustc shows the line of the `Send` bound in its
/// error, so that line says what to do.
pub fn tool_future<'a, F>(future: F) -> BoxFuture<'a, F::Output>
where
    F: Future + Send + 'a, // A tool whose future is not `Send` can be `#[tool(local)]`.
{
    Box::pin(future)
}

/// A tool for `tools/list`, with its description (the doc comment) if it has one.
pub fn tool(name: &str, description: Option<&str>, input_schema: Map<String, Value>) -> Tool {
    let mut tool = Tool::new(name, input_schema);
    tool.description = description.map(str::to_owned);
    tool
}

/// A tool's `_meta` for `app = "ui://..."` and `visibility = [...]` (MCP Apps), with the flat
/// `ui/resourceUri` that older hosts read.
pub fn tool_ui(resource_uri: Option<&str>, visibility: Option<&[UiVisibility]>) -> ToolMeta {
    ToolMeta::app(UiToolMeta {
        resource_uri: resource_uri.map(str::to_owned),
        visibility: visibility.map(<[UiVisibility]>::to_vec),
    })
}

/// An app's contents with the view's `_meta.ui` from `#[resource(app(...))]` on each part
/// that does not carry its own.
pub fn app_read(
    read: Result<ReadResourceResult, McpError>,
    ui: UiResourceMeta,
) -> Result<ReadResourceResult, McpError> {
    let mut read = read?;
    for contents in &mut read.contents {
        let meta = contents
            .meta_mut()
            .get_or_insert_with(ResourceMeta::default);
        if meta.ui.is_none() {
            meta.ui = Some(ui.clone());
        }
    }
    Ok(read)
}

/// `Some(text)`, for a descriptor's optional text field.
pub fn some_text(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// The items as a `Vec`, for a descriptor's lists.
pub fn vec<T, const N: usize>(items: [T; N]) -> Vec<T> {
    Vec::from(items)
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
        serialized_result(value)
    }
}

/// A value serialized to JSON text, or the error saying why it could not be.
fn serialized_result<T: SerializeOutput>(value: T) -> CallToolResult {
    match serde_json::to_string(&value) {
        Ok(text) => CallToolResult::text(text),
        Err(e) => CallToolResult::error(format!("the tool's result could not be serialized: {e}")),
    }
}

/// The output type of a future, as a value to pick its conversion by (see
/// [`IntoResultOutput`]).
pub struct OutputOf<T>(PhantomData<T>);

/// The [`OutputOf`] of `future`.
pub fn output_of<F: Future>(_future: &F) -> OutputOf<F::Output> {
    OutputOf(PhantomData)
}

/// The [`OutputOf`] the `Ok` values of `future`, whose output is a `Result`.
pub fn ok_output_of<F, T, E>(_future: &F) -> OutputOf<T>
where
    F: Future<Output = Result<T, E>>,
{
    OutputOf(PhantomData)
}

/// The `Err` values of `future`, whose output is a `Result`, to convert into error results
/// (see [`ErrorOf::converter`]).
pub fn error_of<F, T, E>(_future: &F) -> ErrorOf<E>
where
    F: Future<Output = Result<T, E>>,
{
    ErrorOf(PhantomData)
}

/// [`IntoResultKind`] for an [`OutputOf`]: picks conversion through [`IntoToolResult`] when
/// the output type implements it (tried first: it takes the `OutputOf` by value).
pub trait IntoResultOutput {
    /// [`IntoResultAs`].
    type Kind;
    /// The kind.
    fn __tool_output_kind(self) -> Self::Kind;
}
impl<T: IntoToolResult> IntoResultOutput for OutputOf<T> {
    type Kind = IntoResultAs<T>;
    fn __tool_output_kind(self) -> IntoResultAs<T> {
        IntoResultAs(PhantomData)
    }
}

/// [`SerializeKind`] for an [`OutputOf`]: picks serialization for every other type (tried
/// second, through autoref).
pub trait SerializeOutputKind {
    /// [`SerializeAs`].
    type Kind;
    /// The kind.
    fn __tool_output_kind(&self) -> Self::Kind;
}
impl<T> SerializeOutputKind for OutputOf<T> {
    type Kind = SerializeAs<T>;
    fn __tool_output_kind(&self) -> SerializeAs<T> {
        SerializeAs(PhantomData)
    }
}

/// `T` converts through [`IntoToolResult`].
pub struct IntoResultAs<T>(PhantomData<T>);
/// `T` is serialized to JSON text.
pub struct SerializeAs<T>(PhantomData<T>);
/// `E` becomes an error result.
pub struct ErrorOf<E>(PhantomData<E>);

impl<T: IntoToolResult> IntoResultAs<T> {
    /// The conversion.
    pub fn converter(self) -> Converter<T> {
        Converter(T::into_tool_result)
    }
}

impl<T> SerializeAs<T> {
    /// The conversion. Where a type that is neither `IntoToolResult` nor `Serialize` is
    /// reported (the future itself is not, so it is reported once).
    pub fn converter(self) -> Converter<T>
    where
        T: SerializeOutput,
    {
        Converter(serialized_result::<T>)
    }
}

impl<E> ErrorOf<E> {
    /// The conversion of errors; where an error type that is not `Display` is reported.
    pub fn converter(self) -> fn(E) -> CallToolResult
    where
        E: Display,
    {
        error_result::<E>
    }
}

/// How an `async` tool's output becomes its result, picked once the types are known.
pub struct Converter<T>(fn(T) -> CallToolResult);

impl<T> Converter<T> {
    /// `future`, its output converted.
    pub fn wrap<F: Future<Output = T>>(self, future: F) -> Converted<F, T> {
        Converted {
            future,
            convert: self.0,
        }
    }

    /// The same for a `Result` output, its errors converted by `errors`.
    pub fn or_errors<E>(self, errors: fn(E) -> CallToolResult) -> FallibleConverter<T, E> {
        FallibleConverter {
            ok: self.0,
            err: errors,
        }
    }
}

/// [`Converter`] for an output that is a `Result`.
pub struct FallibleConverter<T, E> {
    ok: fn(T) -> CallToolResult,
    err: fn(E) -> CallToolResult,
}

impl<T, E> FallibleConverter<T, E> {
    /// `future`, its output converted.
    pub fn wrap<F: Future<Output = Result<T, E>>>(self, future: F) -> ConvertedResult<F, T, E> {
        ConvertedResult {
            future,
            ok: self.ok,
            err: self.err,
        }
    }
}

pin_project_lite::pin_project! {
    /// An `async` tool's future with its output converted: a combinator, not an `async` block
    /// per tool. rustc proves an `async` block `Send` only once the function holding it is
    /// type-checked, so each one stayed a pending obligation while the rest of `call_tool` was
    /// checked, which made its type checking grow faster than the number of tools. The
    /// conversion is a function chosen when the future is made, so the future's own `Future`
    /// impl has no bound to fail a second time.
    pub struct Converted<F, T> {
        #[pin]
        future: F,
        convert: fn(T) -> CallToolResult,
    }
}

impl<F: Future> Future for Converted<F, F::Output> {
    type Output = CallToolResult;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<CallToolResult> {
        let this = self.project();
        this.future.poll(cx).map(*this.convert)
    }
}

pin_project_lite::pin_project! {
    /// [`Converted`] for an output that is a `Result`.
    pub struct ConvertedResult<F, T, E> {
        #[pin]
        future: F,
        ok: fn(T) -> CallToolResult,
        err: fn(E) -> CallToolResult,
    }
}

impl<F, T, E> Future for ConvertedResult<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = CallToolResult;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<CallToolResult> {
        let this = self.project();
        this.future.poll(cx).map(|output| match output {
            Ok(value) => (this.ok)(value),
            Err(error) => (this.err)(error),
        })
    }
}
