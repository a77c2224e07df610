//! Everything the official MCP conformance suite asks of a server, written only with the
//! macros: tools of every content kind, logging, progress, sampling, elicitation, resources,
//! a template, prompts and completions; the 2026-07-28 era's multi round-trip requests,
//! `x-mcp-header` parameters and diagnostic tools; long-running tools as tasks (the
//! `io.modelcontextprotocol/tasks` extension); and a tool with an interactive view, an MCP App
//! (the `io.modelcontextprotocol/ui` extension).
//!
//! ```text
//! cargo run --example everything              # http://127.0.0.1:8000/mcp
//! cargo run --example everything 127.0.0.1:3917
//! npx @modelcontextprotocol/conformance server --url http://127.0.0.1:3917/mcp --suite all
//! npx @modelcontextprotocol/conformance@0.2.0-alpha.12 server \
//!     --url http://127.0.0.1:3917/mcp --requirements 2026-07-28
//! ```
//!
//! Names, texts and data are those of the suite's reference server
//! (`examples/servers/typescript/everything-server.ts` in `modelcontextprotocol/conformance`)
//! and of the fixtures its scenarios name.

use std::time::Duration;

use mcp_runtime::protocol::{CreateMessageRequest, Role};
use mcp_runtime::store::InMemoryEventStore;
use mcp_runtime::{
    Args, CallToolResult, Content, Context, Elicitation, HttpConfig, McpError, Mode, PeerError,
    PromptMessage, ResourceContents, ServerConfig, ServerEvent, Skills, StreamableHttp, mcp_server,
    prompt, resource, tool,
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

/// A name, asked of the user.
#[derive(Debug, Deserialize, JsonSchema)]
struct Name {
    /// Your name.
    name: String,
}

/// A favorite color, asked of the user.
#[derive(Debug, Deserialize, JsonSchema)]
struct Color {
    /// Your favorite color.
    color: String,
}

/// A yes or no, asked of the user.
#[derive(Debug, Deserialize, JsonSchema)]
struct Confirm {
    /// Yes or no.
    confirm: bool,
}

/// Context for a prompt, asked of the user.
#[derive(Debug, Deserialize, JsonSchema)]
struct PromptContext {
    /// What the prompt should be about.
    context: String,
}

/// The arguments of `test_custom_header`: `region` travels in `Mcp-Param-Region` too.
#[derive(Debug, Deserialize, JsonSchema)]
struct RegionArgs {
    /// The region to look in.
    #[schemars(extend("x-mcp-header" = "Region"))]
    region: String,
}

/// The text of a sampling answer, for a tool's result.
fn sampled(answer: mcp_runtime::protocol::CreateMessageResult) -> String {
    answer.text().unwrap_or_else(|| "(no text)".into())
}

/// The user's name from an elicitation, or what they did instead.
fn named(answer: Elicitation<Name>) -> String {
    match answer {
        Elicitation::Accept(Name { name }) => name,
        other => format!("(the user chose {:?})", other.action()),
    }
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

#[mcp_server(
    name = "mcp-conformance-test-server",
    version = "1.0.0",
    title = "MCP Conformance Test Server",
    description = "Every feature the conformance suite exercises.",
    website_url = "https://modelcontextprotocol.io",
    icon(
        src = "data:image/svg+xml;base64,PHN2Zy8+",
        mime_type = "image/svg+xml",
        sizes = "any"
    )
)]
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

    /// Asks for the user's name (multi round-trip request), then greets.
    #[tool]
    async fn test_input_required_result_elicitation(
        &self,
        ctx: Context,
    ) -> Result<String, PeerError> {
        let asked = ctx.with_input_key("user_name");
        let name = named(asked.elicit::<Name>("What is your name?").await?);
        Ok(format!("Hello, {name}!"))
    }

    /// Asks the client's model a question (multi round-trip request).
    #[tool]
    async fn test_input_required_result_sampling(&self, ctx: Context) -> Result<String, PeerError> {
        let request = CreateMessageRequest::new(100).user_text("What is the capital of France?");
        let answer = ctx
            .with_input_key("capital_question")
            .create_message(request)
            .await?;
        Ok(format!("The model says: {}", sampled(answer)))
    }

    /// Asks for the client's roots (multi round-trip request).
    #[tool]
    async fn test_input_required_result_list_roots(
        &self,
        ctx: Context,
    ) -> Result<String, PeerError> {
        let roots = ctx.with_input_key("client_roots").list_roots().await?;
        let uris: Vec<&str> = roots.iter().map(|r| r.uri.as_str()).collect();
        Ok(format!("The client's roots: {}", uris.join(", ")))
    }

    /// Asks for a confirmation; the answer comes back through the signed request state.
    #[tool]
    async fn test_input_required_result_request_state(
        &self,
        ctx: Context,
    ) -> Result<String, PeerError> {
        Ok(format!(
            "state-ok: confirmed={:?}",
            confirmation(&ctx).await?
        ))
    }

    /// Asks for a name, a greeting from the model and the roots in one round.
    #[tool]
    async fn test_input_required_result_multiple_inputs(
        &self,
        ctx: Context,
    ) -> Result<String, PeerError> {
        let (asker, sampler, lister) = (
            ctx.with_input_key("user_name"),
            ctx.with_input_key("greeting"),
            ctx.with_input_key("client_roots"),
        );
        let (name, greeting, roots) = tokio::join!(
            asker.elicit::<Name>("What is your name?"),
            sampler.create_message(CreateMessageRequest::new(50).user_text("Generate a greeting")),
            lister.list_roots(),
        );
        Ok(format!(
            "{}: {} ({} roots)",
            named(name?),
            sampled(greeting?),
            roots?.len()
        ))
    }

    /// Asks for a name, then, in a second round, a color.
    #[tool]
    async fn test_input_required_result_multi_round(
        &self,
        ctx: Context,
    ) -> Result<String, PeerError> {
        let name = named(
            ctx.with_input_key("step1")
                .elicit::<Name>("Step 1: What is your name?")
                .await?,
        );
        let color = ctx
            .with_input_key("step2")
            .elicit::<Color>("Step 2: What is your favorite color?")
            .await?;
        let color = color
            .accepted()
            .map_or_else(|| "nothing".into(), |c| c.color);
        Ok(format!("{name} likes {color}"))
    }

    /// Asks for a confirmation; a tampered request state is refused.
    #[tool]
    async fn test_input_required_result_tampered_state(
        &self,
        ctx: Context,
    ) -> Result<String, PeerError> {
        Ok(format!("confirmed={:?}", confirmation(&ctx).await?))
    }

    /// Asks only for what the client declared it supports.
    #[tool]
    async fn test_input_required_result_capabilities(
        &self,
        ctx: Context,
    ) -> Result<String, PeerError> {
        let caps = ctx.client_capabilities().clone();
        let mut got = Vec::new();
        if caps.supports("elicitation") {
            let asked = ctx.with_input_key("user_name");
            got.push(named(asked.elicit::<Name>("What is your name?").await?));
        }
        if caps.supports("sampling") {
            let request = CreateMessageRequest::new(20).user_text("Say hi");
            got.push(sampled(
                ctx.with_input_key("greeting")
                    .create_message(request)
                    .await?,
            ));
        }
        Ok(format!(
            "asked for {} input(s): {}",
            got.len(),
            got.join(", ")
        ))
    }

    /// Needs the client's sampling capability (-32021 without it).
    #[tool]
    async fn test_missing_capability(&self, ctx: Context) -> Result<&'static str, PeerError> {
        ctx.require_capability("sampling").await?;
        Ok("the client supports sampling")
    }

    /// Asks for a name over the request's own stream (never a request of its own).
    #[tool]
    async fn test_streaming_elicitation(&self, ctx: Context) -> Result<String, PeerError> {
        let name = named(ctx.elicit::<Name>("What is your name?").await?);
        Ok(format!("Hello, {name}!"))
    }

    /// Logs one message (sent only when the request asks for a log level).
    #[tool]
    async fn test_logging_tool(&self, ctx: Context) -> &'static str {
        ctx.info("Tool execution started").await;
        "logged"
    }

    /// Announces that the tool list changed.
    #[tool]
    fn test_trigger_tool_change(&self, ctx: Context) -> &'static str {
        ctx.server().publish(ServerEvent::ToolListChanged);
        "tool list change announced"
    }

    /// Announces that the prompt list changed.
    #[tool]
    fn test_trigger_prompt_change(&self, ctx: Context) -> &'static str {
        ctx.server().publish(ServerEvent::PromptListChanged);
        "prompt list change announced"
    }

    /// Looks in a region, mirrored into the `Mcp-Param-Region` header.
    #[tool]
    fn test_custom_header(&self, Args(args): Args<RegionArgs>) -> String {
        format!("region: {}", args.region)
    }

    /// Greets, at once: never a task.
    #[tool]
    fn greet(&self, name: String) -> String {
        format!("Hello, {name}!")
    }

    /// Sleeps `seconds`, then answers: a task when it takes a while.
    #[tool(task = "optional")]
    async fn slow_compute(
        &self,
        /// How long to work.
        seconds: f64,
        /// A label for the result.
        label: Option<String>,
        ctx: Context,
    ) -> String {
        let total = seconds.max(0.0);
        let steps = 4u32;
        for step in 1..=steps {
            tokio::time::sleep(Duration::from_secs_f64(total / f64::from(steps))).await;
            let done = f64::from(step) * 100.0 / f64::from(steps);
            ctx.progress(done, Some(100.0), Some("computing")).await;
        }
        let label = label.unwrap_or_else(|| "compute".into());
        format!("{label}: done after {total}s")
    }

    /// Works for a second, then fails as a tool (`isError`): always a task.
    #[tool(task = "required")]
    async fn failing_job(&self) -> Result<String, String> {
        tokio::time::sleep(Duration::from_secs(1)).await;
        Err("the job failed: the input was rejected".into())
    }

    /// Works a little, then crashes: a task that fails with a JSON-RPC error.
    #[tool(task = "required")]
    async fn protocol_error_job(&self) -> String {
        tokio::time::sleep(Duration::from_millis(300)).await;
        panic!("the job crashed")
    }

    /// Asks, inside a task, whether to delete `filename`.
    #[tool(task = "optional")]
    async fn confirm_delete(
        &self,
        /// The file to delete.
        filename: String,
        ctx: Context,
    ) -> Result<String, PeerError> {
        ctx.start_task().await;
        let question = format!("Delete {filename}?");
        let answer = ctx
            .with_input_key("confirm")
            .elicit::<Confirm>(question)
            .await?;
        Ok(match answer.accepted() {
            Some(Confirm { confirm: true }) => format!("{filename} deleted"),
            _ => format!("{filename} kept"),
        })
    }

    /// Asks, inside a task, two things at once.
    #[tool(task = "optional")]
    async fn multi_input(&self, ctx: Context) -> Result<String, PeerError> {
        ctx.start_task().await;
        let (first, second) = (ctx.with_input_key("name"), ctx.with_input_key("confirm"));
        let (name, confirm) = tokio::join!(
            first.elicit::<Name>("What is your name?"),
            second.elicit::<Confirm>("Go ahead?"),
        );
        let go = confirm?.accepted().is_some_and(|c| c.confirm);
        Ok(format!("{} (go ahead: {go})", named(name?)))
    }

    /// Asks for the user's name before it becomes a task, then greets after a while.
    #[tool(task = "required")]
    async fn test_tool_with_task(&self, ctx: Context) -> Result<String, PeerError> {
        let asked = ctx.with_input_key("user_name");
        let name = named(asked.elicit::<Name>("What is your name?").await?);
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok(format!("Hello, {name}! Your task is done."))
    }

    /// Convert a temperature from Celsius to Fahrenheit; hosts that render MCP Apps also show
    /// it on a thermometer.
    #[tool(read_only, app = "ui://everything/thermometer")]
    fn convert_temperature(
        &self,
        #[arg(description = "Degrees Celsius")] celsius: f64,
    ) -> CallToolResult {
        let fahrenheit = celsius * 9.0 / 5.0 + 32.0;
        let mut result = CallToolResult::text(format!("{celsius} °C is {fahrenheit} °F."));
        // What the view draws; the text above is for the model and for clients without apps.
        result.structured_content = Some(json!({"celsius": celsius, "fahrenheit": fahrenheit}));
        result
    }

    /// A thermometer showing `convert_temperature`'s results: an MCP App, one HTML page that
    /// loads nothing from elsewhere.
    #[resource(
        uri = "ui://everything/thermometer",
        name = "Thermometer",
        app(prefers_border = true)
    )]
    fn thermometer(&self) -> &'static str {
        include_str!("apps/thermometer.html")
    }

    /// A static text resource for testing.
    #[resource(
        uri = "test://static-text",
        name = "Static Text Resource",
        mime_type = "text/plain",
        audience = "user assistant",
        priority = 0.5
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

    /// A prompt that first asks the user for context (multi round-trip request).
    #[prompt]
    async fn test_input_required_result_prompt(&self, ctx: Context) -> Result<String, McpError> {
        let answer = ctx
            .with_input_key("user_context")
            .elicit::<PromptContext>("What context should the prompt use?")
            .await
            .map_err(McpError::internal)?;
        let context = answer
            .accepted()
            .map_or_else(|| "nothing".into(), |c| c.context);
        Ok(format!("Write about: {context}"))
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

/// Asks the user to confirm under the input key `confirm`; `None` when they did not accept.
async fn confirmation(ctx: &Context) -> Result<Option<bool>, PeerError> {
    let answer = ctx
        .with_input_key("confirm")
        .elicit::<Confirm>("Please confirm")
        .await?;
    Ok(answer.accepted().map(|c| c.confirm))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs on stderr; traces and metrics over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set
    // (flushed when the guard drops, after the server stopped).
    let telemetry = mcp_runtime::telemetry::init_from_env().map_err(std::io::Error::other)?;
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    // Events are kept so that a client can resume a stream with `Last-Event-ID`; priming events
    // carry the `retry` interval.
    // Agent skills (SEP-2640), read from the repository at each request.
    let skills = Skills::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/skills"));
    let config = HttpConfig::new(Mode::Stateful)
        .server(ServerConfig::new().skills(skills))
        .event_store(InMemoryEventStore::default())
        .retry_interval(Some(Duration::from_millis(500)));
    // Several nodes behind a load balancer share sessions through Redis (MCP_REDIS_URL).
    let config = examples::redis_from_env(config).await?;
    let endpoint = StreamableHttp::new(Everything, config);
    let mut app = endpoint.router();
    // The runtime's metrics as Prometheus text at GET /metrics (the `prometheus` feature).
    if let Some(prometheus) = telemetry.prometheus() {
        app = app.merge(prometheus.router());
    }
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    endpoint
        .serve_with(listener, app, mcp_runtime::shutdown_signal())
        .await
}
