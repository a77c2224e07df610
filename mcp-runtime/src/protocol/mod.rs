//! MCP messages on the wire: the JSON-RPC envelope and the MCP types, with serde.
//!
//! This module depends on nothing else in the crate.

mod annotations;
mod apps;
mod arguments;
pub(crate) mod base64;
mod caching;
mod completion;
mod content;
mod discover;
mod elicitation;
pub(crate) mod envelope;
mod icon;
mod input_required;
mod jsonrpc;
mod lifecycle;
mod logging;
mod meta;
mod method;
mod prompts;
mod resources;
mod roots;
mod sampling;
mod skills;
mod stateless;
mod subscriptions;
mod tasks;
mod tools;
mod version;

pub use annotations::Annotations;
pub use apps::{
    APP_MIME_TYPE, LEGACY_RESOURCE_URI_KEY, ResourceMeta, ToolMeta, UI_EXTENSION, UI_SCHEME,
    UiResourceCsp, UiResourceMeta, UiResourcePermissions, UiToolMeta, UiVisibility, is_ui_uri,
};
pub use arguments::{NotAnObject, ToolArguments};
pub use caching::{CacheHint, CacheScope};
pub use completion::{
    CompleteParams, CompleteResult, Completion, CompletionArgument, CompletionContext,
    CompletionRef,
};
pub(crate) use content::PayloadLen;
pub use content::{Content, ResourceContents};
pub use discover::DiscoverResult;
pub use elicitation::{ElicitAction, ElicitFormParams, ElicitResult, ElicitUrlParams};
pub use envelope::{
    CLIENT_CAPABILITIES_KEY, CLIENT_INFO_KEY, EnvelopeError, LOG_LEVEL_KEY, PROTOCOL_VERSION_KEY,
    RequestEnvelope, SERVER_INFO_KEY, SUBSCRIPTION_ID_KEY,
};
pub use icon::{Icon, IconTheme};
pub use input_required::{InputRequest, InputRequiredResult, InputRetry};
pub use jsonrpc::{
    ErrorObject, JSONRPC_VERSION, Message, MessageError, Notification, Outgoing, Request,
    RequestId, Response, error_codes, error_json, notification_json, request_json, result_json,
};
pub(crate) use jsonrpc::{framed_result, result_head};
pub use lifecycle::{
    ClientCapabilities, Implementation, InitializeParams, InitializeResult, ListChanged,
    ResourcesCapability, ServerCapabilities,
};
pub use logging::LogLevel;
pub use meta::{MetaOnly, RequestMeta};
pub use method::{Feature, Method};
pub use prompts::{GetPromptParams, GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};
pub use resources::{ReadResourceResult, Resource, ResourceTemplate, ResourceUriParams};
pub use roots::{ListRootsResult, Root};
pub use sampling::{
    CreateMessageRequest, CreateMessageResult, IncludeContext, ModelHint, ModelPreferences,
    SamplingContent, SamplingMessage, ToolChoice, ToolChoiceMode,
};
pub use skills::{
    DIRECTORY_MIME_TYPE, DirectoryChild, DirectoryReadParams, DirectoryReadResult, GetSkillResult,
    ListSkillsResult, SKILLS_EXTENSION, SkillEntry, SkillFile,
};
pub(crate) use stateless::InfoJson;
pub use stateless::StatelessResult;
pub use subscriptions::{ListenParams, SubscriptionFilter};
pub use tasks::{
    TASK_STATUS_NOTIFICATION, TASKS_EXTENSION, TaskIdParams, TaskStatus, TaskSupport,
    ToolExecution, UpdateTaskParams, iso8601,
};
pub use tools::{CallToolParams, CallToolResult, Tool, ToolAnnotations};
pub use version::{Era, Version};
