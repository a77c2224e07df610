//! Typed requests to the client from a tool's `Context`: sampling, elicitation (form and url
//! mode) and roots, over real HTTP. Each request travels on the tools/call POST's SSE
//! stream; the client answers with a POST (202) and the tool's result shows what it got.

use integration_tests::{Client, SseReader, TestServer};
use mcp_runtime::protocol::{CreateMessageRequest, ModelPreferences};
use mcp_runtime::{Context, Elicitation, Mode, PeerError, mcp_server, tool};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

// `Serialize` lets schemars write the field's default into the form.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Plan {
    Free,
    Pro,
}

/// The sign-up form.
#[derive(Debug, Deserialize, JsonSchema)]
struct SignUp {
    /// Your user name.
    username: String,
    #[schemars(email)]
    email: String,
    #[schemars(range(min = 13, max = 120))]
    age: Option<u8>,
    /// Which plan.
    #[serde(default = "free")]
    plan: Plan,
}

fn free() -> Plan {
    Plan::Free
}

/// A nested struct cannot be a form.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)] // only its schema matters
struct Nested {
    sign_up: SignUp,
}

#[derive(Default)]
struct Asker;

#[mcp_server(name = "asker", version = "0.1.0")]
impl Asker {
    /// Ask the client's model, with a system prompt and preferences.
    #[tool]
    async fn sample(&self, prompt: String, ctx: Context) -> Result<String, PeerError> {
        let request = CreateMessageRequest::new(100)
            .system_prompt("Be brief.")
            .user_text(prompt)
            .model_preferences(ModelPreferences::new().hint("small"))
            .temperature(0.5);
        let answer = ctx.create_message(request).await?;
        Ok(format!(
            "{} said: {}",
            answer.model,
            answer.text().unwrap_or_default()
        ))
    }

    /// Ask the client's model for text only.
    #[tool]
    async fn sample_text(&self, prompt: String, ctx: Context) -> Result<String, PeerError> {
        Ok(format!(
            "LLM response: {}",
            ctx.sample_text(prompt, 100).await?
        ))
    }

    /// Ask the user to sign up.
    #[tool]
    async fn sign_up(&self, ctx: Context) -> Result<String, PeerError> {
        Ok(match ctx.elicit::<SignUp>("Please sign up").await? {
            Elicitation::Accept(s) => {
                format!(
                    "accepted {} <{}> age {:?} plan {:?}",
                    s.username, s.email, s.age, s.plan
                )
            }
            Elicitation::Decline => "declined".into(),
            Elicitation::Cancel => "cancelled".into(),
        })
    }

    /// Try to elicit a type that cannot be a form.
    #[tool]
    async fn nested(&self, ctx: Context) -> Result<String, PeerError> {
        ctx.elicit::<Nested>("?").await.map(|_| "sent".into())
    }

    /// Send the SEP-1034 schema exactly, echo the answer.
    #[tool]
    async fn exact(&self, ctx: Context) -> Result<String, PeerError> {
        let answer = ctx.elicit_with_schema("Defaults", sep1034_schema()).await?;
        Ok(serde_json::to_string(&answer.content).unwrap_or_default())
    }

    /// Ask the user to visit a URL.
    #[tool]
    async fn visit(&self, ctx: Context) -> Result<String, PeerError> {
        let action = ctx
            .elicit_url("Sign in", "https://example.com/login", "login-1")
            .await?;
        Ok(format!("{action:?}"))
    }

    /// List the client's roots.
    #[tool]
    async fn roots(&self, ctx: Context) -> Result<String, PeerError> {
        let roots = ctx.list_roots().await?;
        Ok(roots
            .iter()
            .map(|r| format!("{}={}", r.name.as_deref().unwrap_or("-"), r.uri))
            .collect::<Vec<_>>()
            .join(","))
    }
}

fn sep1034_schema() -> Map<String, Value> {
    let schema = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "default": "John Doe"},
            "age": {"type": "integer", "default": 30},
            "score": {"type": "number", "default": 95.5},
            "status": {"type": "string", "enum": ["active", "inactive", "pending"], "default": "active"},
            "verified": {"type": "boolean", "default": true}
        }
    });
    schema.as_object().cloned().unwrap_or_default()
}

/// An initialized client that declared `capabilities`.
async fn client_with(server: &TestServer, capabilities: Value) -> Client {
    let mut client = server.client();
    let reply = client
        .post(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": capabilities,
                "clientInfo": {"name": "test-client", "version": "1.0.0"}
            }}),
        )
        .await;
    assert_eq!(reply.status, 200, "initialize: {}", reply.body);
    client.session = reply.header("mcp-session-id").map(str::to_owned);
    client.version = reply.response()["result"]["protocolVersion"]
        .as_str()
        .map(str::to_owned);
    let initialized = client
        .post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    assert_eq!(initialized.status, 202);
    client
}

async fn everything(server: &TestServer) -> Client {
    client_with(
        server,
        json!({"sampling": {}, "elicitation": {"form": {}, "url": {}}, "roots": {}}),
    )
    .await
}

/// Calls `tool`, takes the one request it sends to the client, answers it with `answer`
/// (the whole JSON-RPC body but `jsonrpc` and `id`), and returns the request and the
/// tool's result.
async fn round_trip(client: &Client, tool: &str, answer: Value) -> (Value, Value) {
    round_trip_with(client, tool, json!({}), answer).await
}

/// Like [`round_trip`] for a tool that takes arguments.
async fn round_trip_with(
    client: &Client,
    tool: &str,
    arguments: Value,
    answer: Value,
) -> (Value, Value) {
    let call = json!({"jsonrpc": "2.0", "id": 42, "method": "tools/call",
        "params": {"name": tool, "arguments": arguments}});
    let response = client
        .post_builder()
        .body(call.to_string())
        .send()
        .await
        .expect("send");
    let mut stream = SseReader::new(response);
    let (_, request) = stream
        .next_message()
        .await
        .expect("a request to the client");
    assert_eq!(request["jsonrpc"], "2.0");
    assert!(
        request["id"].is_string() || request["id"].is_number(),
        "{request}"
    );
    let mut body = answer;
    body["jsonrpc"] = json!("2.0");
    body["id"] = request["id"].clone();
    let posted = client.post(&body).await;
    assert_eq!(posted.status, 202, "{}", posted.body);
    let (_, response) = stream.next_message().await.expect("the tool's response");
    assert_eq!(response["id"], 42, "{response}");
    (request, response["result"].clone())
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text in {result}"))
}

#[tokio::test]
async fn create_message_sends_the_spec_request_and_returns_the_answer() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let client = everything(&server).await;
    let answer = json!({"result": {"role": "assistant", "model": "tiny-1", "stopReason": "endTurn",
        "content": {"type": "text", "text": "hi there"}}});
    let (request, result) =
        round_trip_with(&client, "sample", json!({"prompt": "hello"}), answer).await;
    assert_eq!(request["method"], "sampling/createMessage");
    assert_eq!(
        request["params"],
        json!({
            "messages": [{"role": "user", "content": {"type": "text", "text": "hello"}}],
            "systemPrompt": "Be brief.",
            "modelPreferences": {"hints": [{"name": "small"}]},
            "temperature": 0.5,
            "maxTokens": 100
        })
    );
    assert_eq!(result["isError"], Value::Null, "{result}");
    assert_eq!(text(&result), "tiny-1 said: hi there");
    server.stop().await;
}

#[tokio::test]
async fn sample_text_joins_the_text_blocks_of_an_array_answer() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let client = everything(&server).await;
    let answer = json!({"result": {"role": "assistant", "model": "m",
        "content": [{"type": "text", "text": "two "}, {"type": "text", "text": "parts"}]}});
    let (request, result) =
        round_trip_with(&client, "sample_text", json!({"prompt": "p"}), answer).await;
    assert_eq!(
        request["params"],
        json!({"messages": [{"role": "user", "content": {"type": "text", "text": "p"}}], "maxTokens": 100})
    );
    assert_eq!(text(&result), "LLM response: two parts");
    server.stop().await;
}

#[tokio::test]
async fn sampling_answers_that_are_errors_or_malformed_are_tool_errors() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let client = everything(&server).await;
    let refused = json!({"error": {"code": -1, "message": "User rejected sampling request"}});
    let (_, result) =
        round_trip_with(&client, "sample_text", json!({"prompt": "p"}), refused).await;
    assert_eq!(result["isError"], true);
    assert!(
        text(&result).contains("User rejected sampling request"),
        "{result}"
    );
    let no_model =
        json!({"result": {"role": "assistant", "content": {"type": "text", "text": "x"}}});
    let (_, result) = round_trip_with(&client, "sample", json!({"prompt": "p"}), no_model).await;
    assert_eq!(result["isError"], true);
    assert!(text(&result).contains("model"), "{result}");
    let image_only = json!({"result": {"role": "assistant", "model": "m",
        "content": {"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"}}});
    let (_, result) =
        round_trip_with(&client, "sample_text", json!({"prompt": "p"}), image_only).await;
    assert_eq!(result["isError"], true);
    assert!(text(&result).contains("no text"), "{result}");
    server.stop().await;
}

#[tokio::test]
async fn elicit_sends_the_generated_form_and_parses_an_accepted_answer() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let client = everything(&server).await;
    let answer = json!({"result": {"action": "accept",
        "content": {"username": "ada", "email": "ada@example.com", "age": 36, "plan": "pro"}}});
    let (request, result) = round_trip(&client, "sign_up", answer).await;
    assert_eq!(request["method"], "elicitation/create");
    assert_eq!(
        request["params"],
        json!({
            "message": "Please sign up",
            "requestedSchema": {
                "type": "object",
                "properties": {
                    "username": {"type": "string", "description": "Your user name."},
                    "email": {"type": "string", "format": "email"},
                    "age": {"type": "integer", "minimum": 13, "maximum": 120},
                    "plan": {"type": "string", "description": "Which plan.", "enum": ["free", "pro"], "default": "free"}
                },
                "required": ["username", "email"]
            }
        })
    );
    assert_eq!(
        text(&result),
        "accepted ada <ada@example.com> age Some(36) plan Pro"
    );
    // Optional fields may be left out; defaults then apply.
    let answer = json!({"result": {"action": "accept", "content": {"username": "bo", "email": "bo@example.com"}}});
    let (_, result) = round_trip(&client, "sign_up", answer).await;
    assert_eq!(
        text(&result),
        "accepted bo <bo@example.com> age None plan Free"
    );
    server.stop().await;
}

#[tokio::test]
async fn declined_and_cancelled_elicitations_reach_the_tool() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let client = everything(&server).await;
    let (_, result) =
        round_trip(&client, "sign_up", json!({"result": {"action": "decline"}})).await;
    assert_eq!(text(&result), "declined");
    let (_, result) = round_trip(&client, "sign_up", json!({"result": {"action": "cancel"}})).await;
    assert_eq!(text(&result), "cancelled");
    server.stop().await;
}

#[tokio::test]
async fn answers_of_the_wrong_shape_are_tool_errors_naming_the_problem() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let client = everything(&server).await;
    let wrong_type = json!({"result": {"action": "accept", "content": {"username": 5, "email": "e@example.com"}}});
    let (_, result) = round_trip(&client, "sign_up", wrong_type).await;
    assert_eq!(result["isError"], true);
    let message = text(&result);
    assert!(
        message.contains("SignUp") && message.contains("invalid type"),
        "{message}"
    );
    let missing = json!({"result": {"action": "accept", "content": {"username": "ada"}}});
    let (_, result) = round_trip(&client, "sign_up", missing).await;
    assert_eq!(result["isError"], true);
    assert!(text(&result).contains("missing field `email`"), "{result}");
    let bad_enum = json!({"result": {"action": "accept",
        "content": {"username": "ada", "email": "e@example.com", "plan": "gold"}}});
    let (_, result) = round_trip(&client, "sign_up", bad_enum).await;
    assert_eq!(result["isError"], true);
    assert!(text(&result).contains("gold"), "{result}");
    let bad_action = json!({"result": {"action": "maybe"}});
    let (_, result) = round_trip(&client, "sign_up", bad_action).await;
    assert_eq!(result["isError"], true);
    assert!(text(&result).contains("maybe"), "{result}");
    server.stop().await;
}

#[tokio::test]
async fn a_type_that_cannot_be_a_form_is_a_tool_error_and_nothing_is_sent() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let mut client = everything(&server).await;
    let reply = client
        .request("tools/call", json!({"name": "nested", "arguments": {}}))
        .await;
    let messages = reply.messages();
    assert_eq!(messages.len(), 1, "only the response: {messages:?}");
    let result = &messages[0]["result"];
    assert_eq!(result["isError"], true);
    assert!(
        text(result).contains("field `sign_up` of `Nested` is a nested object"),
        "{result}"
    );
    server.stop().await;
}

#[tokio::test]
async fn an_exact_schema_is_sent_unchanged() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let client = everything(&server).await;
    let answer =
        json!({"result": {"action": "accept", "content": {"name": "Jo", "verified": false}}});
    let (request, result) = round_trip(&client, "exact", answer).await;
    assert_eq!(
        request["params"]["requestedSchema"],
        Value::Object(sep1034_schema())
    );
    assert_eq!(request["params"].get("mode"), None);
    assert_eq!(text(&result), r#"{"name":"Jo","verified":false}"#);
    server.stop().await;
}

#[tokio::test]
async fn url_mode_sends_the_url_and_returns_the_action() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let client = everything(&server).await;
    let (request, result) =
        round_trip(&client, "visit", json!({"result": {"action": "accept"}})).await;
    assert_eq!(
        request["params"],
        json!({"mode": "url", "message": "Sign in", "url": "https://example.com/login", "elicitationId": "login-1"})
    );
    assert_eq!(text(&result), "Accept");
    server.stop().await;
}

#[tokio::test]
async fn elicitation_modes_follow_the_declared_capabilities() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    // `elicitation: {}` means form mode only.
    let mut form_only = client_with(&server, json!({"elicitation": {}})).await;
    let result = form_only.call_tool("visit", json!({})).await;
    assert_eq!(result["isError"], true);
    assert!(text(&result).contains("elicitation.url"), "{result}");
    let (request, _) = round_trip(
        &form_only,
        "sign_up",
        json!({"result": {"action": "cancel"}}),
    )
    .await;
    assert_eq!(request["method"], "elicitation/create");
    // A url-only client gets no forms.
    let mut url_only = client_with(&server, json!({"elicitation": {"url": {}}})).await;
    let result = url_only.call_tool("sign_up", json!({})).await;
    assert_eq!(result["isError"], true);
    assert!(text(&result).contains("elicitation.form"), "{result}");
    server.stop().await;
}

#[tokio::test]
async fn list_roots_returns_the_clients_roots() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let client = everything(&server).await;
    let answer = json!({"result": {"roots": [
        {"uri": "file:///home/ada/project", "name": "project"},
        {"uri": "file:///tmp"}
    ]}});
    let (request, result) = round_trip(&client, "roots", answer).await;
    assert_eq!(request["method"], "roots/list");
    assert_eq!(
        text(&result),
        "project=file:///home/ada/project,-=file:///tmp"
    );
    server.stop().await;
}

#[tokio::test]
async fn requests_the_client_did_not_declare_are_tool_errors() {
    let server = TestServer::start(Asker, Mode::Stateful).await;
    let mut client = client_with(&server, json!({})).await;
    for (tool, capability) in [
        ("roots", "`roots`"),
        ("sample_text", "`sampling`"),
        ("sign_up", "`elicitation.form`"),
    ] {
        let arguments = if tool == "sample_text" {
            json!({"prompt": "p"})
        } else {
            json!({})
        };
        let result = client.call_tool(tool, arguments).await;
        assert_eq!(result["isError"], true, "{tool}: {result}");
        assert!(text(&result).contains(capability), "{tool}: {result}");
    }
    server.stop().await;
}
