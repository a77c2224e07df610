//! MCP messages on the wire: the JSON-RPC envelope and the MCP types, with serde.
//!
//! This module depends on nothing else in the crate.

mod completion;
mod content;
mod elicitation;
mod jsonrpc;
mod lifecycle;
mod meta;
mod prompts;
mod resources;
mod roots;
mod sampling;
mod tools;
pub mod version;

pub use completion::{
    CompleteParams, CompleteResult, Completion, CompletionArgument, CompletionContext,
    CompletionRef,
};
pub use content::{Content, ResourceContents};
pub use elicitation::{ElicitAction, ElicitFormParams, ElicitResult, ElicitUrlParams};
pub use jsonrpc::{
    ErrorObject, JSONRPC_VERSION, Message, MessageError, Notification, Outgoing, Request,
    RequestId, Response, error_codes, error_json, notification_json, request_json, result_json,
};
pub use lifecycle::{
    ClientCapabilities, Implementation, InitializeParams, InitializeResult, ListChanged,
    ResourcesCapability, ServerCapabilities,
};
pub use meta::{MetaOnly, RequestMeta};
pub use prompts::{GetPromptParams, GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};
pub use resources::{ReadResourceResult, Resource, ResourceTemplate, ResourceUriParams};
pub use roots::{ListRootsResult, Root};
pub use sampling::{
    CreateMessageRequest, CreateMessageResult, IncludeContext, ModelHint, ModelPreferences,
    SamplingContent, SamplingMessage, ToolChoice, ToolChoiceMode,
};
pub use tools::{CallToolParams, CallToolResult, Tool, ToolAnnotations};
