//! What a tool may return: [`IntoToolResult`].

use std::borrow::Cow;
use std::fmt::Display;

use crate::protocol::{CallToolResult, Content};

/// Converts a tool's return value into a `tools/call` result.
///
/// Implemented for text-like values (strings, numbers, `bool`, `char`), `()` (no content),
/// [`Content`], `Vec<Content>`, [`CallToolResult`] (full control), `serde_json::Value`
/// (JSON text), and `Result<T, E: Display>`, whose `Err` becomes a result with
/// `isError: true` and the error's message. A `#[tool]` may also return any other
/// `serde::Serialize` value: it becomes JSON text.
///
/// ```
/// use mcp_runtime::convert::IntoToolResult;
/// let ok: Result<f64, String> = Ok(2.5);
/// assert_eq!(ok.into_tool_result().content[0].as_text(), Some("2.5"));
/// let err: Result<f64, String> = Err("division by zero".into());
/// assert_eq!(err.into_tool_result().is_error, Some(true));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a tool",
    label = "this type is not a tool result",
    note = "return a string, a number, `Content`, `CallToolResult`, `Result<T, E: Display>`, or any `serde::Serialize` type"
)]
pub trait IntoToolResult {
    /// Performs the conversion.
    fn into_tool_result(self) -> CallToolResult;
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> CallToolResult {
        self
    }
}

impl IntoToolResult for Content {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(vec![self])
    }
}

impl IntoToolResult for Vec<Content> {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(self)
    }
}

impl IntoToolResult for () {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::success(Vec::new())
    }
}

impl IntoToolResult for serde_json::Value {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::text(self.to_string())
    }
}

impl<T: IntoToolResult, E: Display> IntoToolResult for Result<T, E> {
    fn into_tool_result(self) -> CallToolResult {
        match self {
            Ok(value) => value.into_tool_result(),
            Err(error) => CallToolResult::error(error.to_string()),
        }
    }
}

macro_rules! text_results {
    ($($ty:ty),* $(,)?) => {$(
        impl IntoToolResult for $ty {
            fn into_tool_result(self) -> CallToolResult {
                CallToolResult::text(self.to_string())
            }
        }
    )*};
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::text(self)
    }
}

impl IntoToolResult for Cow<'_, str> {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::text(self.into_owned())
    }
}

text_results!(
    &str, char, bool, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64,
);
