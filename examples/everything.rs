//! Everything the official MCP conformance suite asks of a server, written only with the
//! macros: tools of every content kind, logging, progress, sampling, elicitation, resources,
//! a template, prompts and completions.
//!
//! ```text
//! cargo run --example everything              # http://127.0.0.1:8000/mcp
//! cargo run --example everything 127.0.0.1:3917
//! npx @modelcontextprotocol/conformance server --url http://127.0.0.1:3917/mcp --suite all
//! ```
//!
//! Names, texts and data are those of the suite's reference server
//! (`examples/servers/typescript/everything-server.ts` in `modelcontextprotocol/conformance`).

use std::time::Duration;

use mcp_runtime::protocol::{CreateMessageRequest, Role};
use mcp_runtime::{
    Args, Content, Context, Elicitation, HttpConfig, InMemoryEventStore, McpError, Mode, PeerError,
    PromptMessage, ResourceContents, mcp_server, prompt, resource, tool,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x05, 0x02, 0x00, 0x5f, 0xc8, 0xf1, 0xd2, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A WAV header with two bytes of silence.
const WAV: &[u8] = &[
    0x52, 0x49, 0x46, 0x46, 0x26, 0x00, 0x00, 0x00, 0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20,
    0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x40, 0x1f, 0x00, 0x00, 0x00, 0x7d, 0x00, 0x00,
    0x02, 0x00, 0x10, 0x00, 0x64, 0x61, 0x74, 0x61, 0x02, 0x00, 0x00, 0x00,
];

#[derive(Default)]
struct Everything;

/// What `test_elicitation` asks the user for.
#[derive(Debug, Deserialize, JsonSchema)]
struct UserInfo {
    /// Your username.
    username: String,
    /// Your email address.
    #[schemars(email)]
    email: String,
}

// The arguments of `json_schema_2020_12_tool`. No doc comment: the suite wants this schema
// exactly, with `$schema`, `$defs` and `additionalProperties` (SEP-1613), and the composition
// and conditional keywords and `$anchor` of SEP-2106.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend(
    "allOf" = [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if" = {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
    "then" = {"required": ["phone"]},
    "else" = {"required": ["email"]},
))]
#[allow(dead_code)]
struct PersonArgs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Address")]
    address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String", extend("enum" = ["phone", "email"]))]
    contact_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    email: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "address", extend("$anchor" = "addressDef"))]
#[allow(dead_code)]
struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    city: Option<String>,
}

/// A JSON object, for `elicit_with_schema`.
fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// What the user answered, as the tool's text.
fn describe(action: impl std::fmt::Debug, content: Option<Map<String, Value>>) -> String {
    let content = content.map_or_else(|| "none".to_owned(), |c| Value::Object(c).to_string());
    format!("Elicitation completed: action={action:?}, content={content}")
}

#[mcp_server(name = "mcp-conformance-test-server", version = "1.0.0")]
impl Everything {
    /// Tests simple text content response.
    #[tool]
    fn test_simple_text(&self) -> &'static str {
        "This is a simple text response for testing."
    }

    /// Tests image content response.
    #[tool]
    fn test_image_content(&self) -> Content {
        Content::image_png(PNG)
    }

    /// Tests audio content response.
    #[tool]
    fn test_audio_content(&self) -> Content {
        Content::audio_bytes(WAV, "audio/wav")
    }

    /// Tests embedded resource content response.
    #[tool]
    fn test_embedded_resource(&self) -> Content {
        Content::embedded_text(
            "test://embedded-resource",
            "text/plain",
            "This is an embedded resource content.",
        )
    }

    /// Tests response with multiple content types (text, image, resource).
    #[tool]
    fn test_multiple_content_types(&self) -> Vec<Content> {
        vec![
            Content::text("Multiple content types test:"),
            Content::image_png(PNG),
            Content::embedded_text(
                "test://mixed-content-resource",
                "application/json",
                json!({"test": "data", "value": 123}).to_string(),
            ),
        ]
    }

    /// Tests tool that emits log messages during execution.
    #[tool]
    async fn test_tool_with_logging(&self, ctx: Context) -> &'static str {
        ctx.info("Tool execution started").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        ctx.info("Tool processing data").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        ctx.info("Tool execution completed").await;
        "Tool with logging executed successfully"
    }

    /// Tests tool that reports progress notifications.
    #[tool]
    async fn test_tool_with_progress(&self, ctx: Context) -> &'static str {
        let steps = [(0.0, "Starting"), (50.0, "Halfway"), (100.0, "Done")];
        for (i, (progress, message)) in steps.into_iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            ctx.progress(progress, Some(100.0), Some(message)).await;
        }
        "Progress test completed"
    }

    /// Tests error response handling.
    #[tool]
    fn test_error_handling(&self) -> Result<String, String> {
        Err("This tool intentionally returns an error for testing".into())
    }

    /// Tests server-initiated sampling (LLM completion request).
    #[tool]
    async fn test_sampling(
        &self,
        /// The prompt to send to the LLM.
        prompt: String,
        ctx: Context,
    ) -> Result<String, PeerError> {
        let request = CreateMessageRequest::new(100).user_text(prompt);
        let answer = ctx.create_message(request).await?;
        let text = answer.text().unwrap_or_else(|| "(no text)".into());
        Ok(format!("LLM response: {text}"))
    }

    /// Tests server-initiated elicitation (user input request).
    #[tool]
    async fn test_elicitation(
        &self,
        /// The message to show the user.
        message: String,
        ctx: Context,
    ) -> Result<String, PeerError> {
        Ok(match ctx.elicit::<UserInfo>(message).await? {
            Elicitation::Accept(user) => format!(
                "User response: action=accept, username={}, email={}",
                user.username, user.email
            ),
            other => format!("User response: action={:?}", other.action()),
        })
    }

    /// Tests elicitation with default values per SEP-1034.
    #[tool]
    async fn test_elicitation_sep1034_defaults(&self, ctx: Context) -> Result<String, PeerError> {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "User name", "default": "John Doe"},
                "age": {"type": "integer", "description": "User age", "default": 30},
                "score": {"type": "number", "description": "User score", "default": 95.5},
                "status": {
                    "type": "string",
                    "description": "User status",
                    "enum": ["active", "inactive", "pending"],
                    "default": "active",
                },
                "verified": {"type": "boolean", "description": "Verification status", "default": true},
            },
            "required": [],
        });
        let answer = ctx
            .elicit_with_schema(
                "Please review and update the form fields with defaults",
                object(schema),
            )
            .await?;
        Ok(describe(answer.action, answer.content))
    }

    /// Tests elicitation with enum schema improvements per SEP-1330.
    #[tool]
    async fn test_elicitation_sep1330_enums(&self, ctx: Context) -> Result<String, PeerError> {
        let schema = json!({
            "type": "object",
            "properties": {
                "untitledSingle": {
                    "type": "string",
                    "description": "Choose an option",
                    "enum": ["option1", "option2", "option3"],
                },
                "titledSingle": {
                    "type": "string",
                    "description": "Choose a titled option",
                    "oneOf": [
                        {"const": "value1", "title": "First Option"},
                        {"const": "value2", "title": "Second Option"},
                        {"const": "value3", "title": "Third Option"},
                    ],
                },
                "legacyEnum": {
                    "type": "string",
                    "description": "Choose a legacy option",
                    "enum": ["opt1", "opt2", "opt3"],
                    "enumNames": ["Option One", "Option Two", "Option Three"],
                },
                "untitledMulti": {
                    "type": "array",
                    "description": "Choose multiple options",
                    "minItems": 1,
                    "maxItems": 3,
                    "items": {"type": "string", "enum": ["option1", "option2", "option3"]},
                },
                "titledMulti": {
                    "type": "array",
                    "description": "Choose multiple titled options",
                    "minItems": 1,
                    "maxItems": 3,
                    "items": {
                        "anyOf": [
                            {"const": "value1", "title": "First Choice"},
                            {"const": "value2", "title": "Second Choice"},
                            {"const": "value3", "title": "Third Choice"},
                        ],
                    },
                },
            },
            "required": [],
        });
        let answer = ctx
            .elicit_with_schema("Please select options from the enum fields", object(schema))
            .await?;
        Ok(describe(answer.action, answer.content))
    }

    /// Tool with JSON Schema 2020-12 features.
    #[tool]
    fn json_schema_2020_12_tool(&self, Args(person): Args<PersonArgs>) -> String {
        format!(
            "JSON Schema 2020-12 tool called with name={:?}",
            person.name.as_deref().unwrap_or("")
        )
    }

    /// Tests SSE stream resumption: the server ends the stream early (SSE polling) and the
    /// client fetches the result by reconnecting with `Last-Event-ID`.
    #[tool]
    async fn test_reconnection(&self, ctx: Context) -> &'static str {
        ctx.close_sse_stream();
        tokio::time::sleep(Duration::from_millis(100)).await;
        "Reconnection test completed successfully"
    }

    /// A static text resource for testing.
    #[resource(
        uri = "test://static-text",
        name = "Static Text Resource",
        mime_type = "text/plain"
    )]
    fn static_text(&self) -> &'static str {
        "This is the content of the static text resource."
    }

    /// A static binary resource (image) for testing.
    #[resource(
        uri = "test://static-binary",
        name = "Static Binary Resource",
        mime_type = "image/png"
    )]
    fn static_binary(&self) -> &'static [u8] {
        PNG
    }

    /// A resource that can be subscribed to for updates.
    #[resource(
        uri = "test://watched-resource",
        name = "Watched Resource",
        mime_type = "text/plain"
    )]
    fn watched_resource(&self) -> &'static str {
        "Watched resource content"
    }

    /// A resource template with parameter substitution.
    #[resource(
        uri = "test://template/{id}/data",
        name = "Resource Template",
        mime_type = "application/json",
        complete(id = complete_template_id)
    )]
    fn template(&self, id: String) -> String {
        json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")}).to_string()
    }

    /// A simple prompt without arguments.
    #[prompt(title = "Simple Test Prompt")]
    fn test_simple_prompt(&self) -> &'static str {
        "This is a simple prompt for testing."
    }

    /// A prompt with required arguments.
    #[prompt(title = "Prompt With Arguments", complete(arg1 = complete_arg1))]
    fn test_prompt_with_arguments(
        &self,
        /// First test argument.
        arg1: String,
        /// Second test argument.
        arg2: String,
    ) -> String {
        format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
    }

    /// A prompt that includes an embedded resource.
    #[prompt(title = "Prompt With Embedded Resource")]
    fn test_prompt_with_embedded_resource(
        &self,
        /// URI of the resource to embed.
        #[arg(name = "resourceUri")]
        resource_uri: String,
    ) -> Vec<PromptMessage> {
        let resource = ResourceContents::text(
            resource_uri,
            "text/plain",
            "Embedded resource content for testing.",
        );
        vec![
            PromptMessage::new(Role::User, Content::resource(resource)),
            PromptMessage::user("Please process the embedded resource above."),
        ]
    }

    /// A prompt that includes image content.
    #[prompt(title = "Prompt With Image")]
    fn test_prompt_with_image(&self) -> Vec<PromptMessage> {
        vec![
            PromptMessage::new(Role::User, Content::image_png(PNG)),
            PromptMessage::user("Please analyze the image above."),
        ]
    }

    fn complete_arg1(&self, value: &str) -> Vec<&'static str> {
        ["paris", "park", "party", "test", "testValue1"]
            .into_iter()
            .filter(|v| v.starts_with(value))
            .collect()
    }

    fn complete_template_id(&self, value: &str) -> Result<Vec<String>, McpError> {
        Ok((1..=3)
            .map(|n| format!("{n}{n}{n}"))
            .filter(|id| id.starts_with(value))
            .collect())
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    // Events are kept so that a client can resume a stream with `Last-Event-ID`; priming events
    // carry the `retry` interval.
    let config = HttpConfig::new(Mode::Stateful)
        .event_store(InMemoryEventStore::default())
        .retry_interval(Some(Duration::from_millis(500)));
    mcp_runtime::serve(Everything, addr, config).await
}
