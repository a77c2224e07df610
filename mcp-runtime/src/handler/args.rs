//! [`Args`]: a tool's arguments as one struct.

/// Marks a tool parameter that holds all of the tool's arguments as one struct.
///
/// The struct's `JsonSchema` becomes the tool's input schema, so its doc comments describe the
/// arguments and its `$defs` are kept.
///
/// ```
/// use mcp_runtime::{mcp_server, tool, Args};
/// use schemars::JsonSchema;
/// use serde::Deserialize;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct AddParams {
///     /// The first addend.
///     a: f64,
///     /// The second addend.
///     b: f64,
/// }
///
/// struct Calculator;
///
/// #[mcp_server]
/// impl Calculator {
///     /// Add two numbers.
///     #[tool]
///     fn add(&self, Args(p): Args<AddParams>) -> f64 {
///         p.a + p.b
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Args<T>(pub T);
