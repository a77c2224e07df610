//! [`McpError`]: what a resource, prompt or completion handler returns when it fails.

use std::fmt;

use crate::protocol::{ErrorObject, error_codes};

/// A JSON-RPC error a handler returns; the client sees its code and message.
///
/// Plain strings convert into an internal error (-32603), so `Err("...".into())` and `?` on
/// `Result<_, String>` work.
///
/// ```
/// use mcp_runtime::McpError;
/// let e = McpError::resource_not_found("test://nope");
/// assert_eq!(e.code(), -32002);
/// let e: McpError = "disk on fire".into();
/// assert_eq!(e.code(), -32603);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct McpError(pub ErrorObject);

impl McpError {
    /// An error with any code.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        McpError(ErrorObject::new(code, message))
    }

    /// -32002: no resource with this URI.
    pub fn resource_not_found(uri: &str) -> Self {
        McpError(
            ErrorObject::new(
                error_codes::RESOURCE_NOT_FOUND,
                format!("Resource not found: {uri}"),
            )
            .with_data(serde_json::json!({ "uri": uri })),
        )
    }

    /// -32602: the request's parameters are wrong.
    pub fn invalid_params(message: impl fmt::Display) -> Self {
        McpError(ErrorObject::invalid_params(message))
    }

    /// -32603: the server failed.
    pub fn internal(message: impl fmt::Display) -> Self {
        McpError(ErrorObject::new(
            error_codes::INTERNAL_ERROR,
            message.to_string(),
        ))
    }

    /// The JSON-RPC error code.
    pub fn code(&self) -> i32 {
        self.0.code
    }
}

impl fmt::Display for McpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for McpError {}

impl From<ErrorObject> for McpError {
    fn from(e: ErrorObject) -> Self {
        McpError(e)
    }
}

impl From<String> for McpError {
    fn from(message: String) -> Self {
        McpError::internal(message)
    }
}

impl From<&str> for McpError {
    fn from(message: &str) -> Self {
        McpError::internal(message)
    }
}

impl From<std::io::Error> for McpError {
    fn from(e: std::io::Error) -> Self {
        McpError::internal(e)
    }
}

impl From<serde_json::Error> for McpError {
    fn from(e: serde_json::Error) -> Self {
        McpError::internal(e)
    }
}
