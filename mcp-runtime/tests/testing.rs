//! `mcp_runtime::testing::TestClient` against a server with every feature, in both eras:
//! each method, the client's handlers for a tool's requests, collected notifications, and
//! errors as a client sees them.

use mcp_runtime::protocol::{
    CompletionRef, CreateMessageResult, ElicitAction, ElicitResult, Role, Root, SamplingContent,
    Version,
};
use mcp_runtime::testing::{
    ElicitationRequest, LogMessage, Progress, ServerNotification, TestClient, TestClientBuilder,
};
use mcp_runtime::{
    Context, Elicitation, LogLevel, McpError, PeerError, Principal, ServerConfig, mcp_server,
    prompt, resource, tool,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// What `whoami` asks the user.
#[derive(Deserialize, JsonSchema)]
struct Name {
    /// Your name.
    name: String,
}

struct Kitchen;

#[mcp_server(name = "kitchen", version = "2.0.0", instructions = "Cook carefully.")]
impl Kitchen {
    /// Add two numbers.
    #[tool]
    fn add(&self, a: i64, b: i64) -> i64 {
        a + b
    }

    /// Burn the dish: a tool error.
    #[tool]
    fn burn(&self) -> Result<String, String> {
        Err("the oven is on fire".into())
    }

    /// Bake in three steps, reporting progress and logging.
    #[tool]
    async fn bake(&self, ctx: Context) -> &'static str {
        ctx.debug("preheating").await;
        for step in 1..=3 {
            ctx.progress(f64::from(step), Some(3.0), Some("baking"))
                .await;
        }
        ctx.warning("a little dark").await;
        "baked"
    }

    /// Ask the user's name.
    #[tool]
    async fn whoami(&self, ctx: Context) -> Result<String, PeerError> {
        Ok(match ctx.elicit::<Name>("Who are you?").await? {
            Elicitation::Accept(Name { name }) => format!("hello {name}"),
            Elicitation::Decline => "declined".into(),
            Elicitation::Cancel => "cancelled".into(),
        })
    }

    /// Send the user to a page.
    #[tool]
    async fn visit(&self, ctx: Context) -> Result<String, PeerError> {
        let action = ctx
            .elicit_url("Sign in", "https://example.com/in", "in-1")
            .await?;
        Ok(format!("{action:?}"))
    }

    /// Ask the client's model, then its roots.
    #[tool]
    async fn taste(&self, dish: String, ctx: Context) -> Result<String, PeerError> {
        let verdict = ctx.sample_text(format!("How is the {dish}?"), 20).await?;
        let roots = ctx.list_roots().await?;
        let uris: Vec<_> = roots.iter().map(|r| r.uri.as_str()).collect();
        Ok(format!("{verdict} ({})", uris.join(",")))
    }

    /// Change the menu; subscribers hear about it.
    #[tool]
    fn reprint(&self, ctx: Context) -> &'static str {
        ctx.server().notify_resource_updated("kitchen://menu");
        ctx.server().notify_resource_updated("kitchen://dishes/1");
        "reprinted"
    }

    /// Who is calling.
    #[tool]
    fn chef(&self, ctx: Context) -> String {
        ctx.auth()
            .map_or_else(|| "nobody".into(), |p| p.subject().to_owned())
    }

    /// The menu.
    #[resource(uri = "kitchen://menu", mime_type = "text/plain")]
    fn menu(&self) -> &'static str {
        "1: soup\n2: stew\n12: salad"
    }

    /// A dish.
    #[resource(uri = "kitchen://dishes/{id}", mime_type = "text/plain", complete(id = dish_ids))]
    fn dish(&self, id: u32) -> Result<String, McpError> {
        match id {
            1 => Ok("soup".into()),
            2 => Ok("stew".into()),
            12 => Ok("salad".into()),
            _ => Err(McpError::resource_not_found(&format!(
                "kitchen://dishes/{id}"
            ))),
        }
    }

    /// A recipe.
    #[prompt(complete(dish = dish_names))]
    fn recipe(&self, dish: String, servings: Option<u32>) -> String {
        format!("Write a recipe for {dish} for {}.", servings.unwrap_or(2))
    }

    fn dish_ids(&self, typed: &str) -> Vec<String> {
        ["1", "2", "12"]
            .into_iter()
            .filter(|id| id.starts_with(typed))
            .map(String::from)
            .collect()
    }

    fn dish_names(&self, typed: &str) -> Vec<String> {
        ["soup", "stew", "salad"]
            .into_iter()
            .filter(|d| d.starts_with(typed))
            .map(String::from)
            .collect()
    }
}

/// One client of each era, built alike.
async fn both(build: impl Fn() -> TestClientBuilder) -> [TestClient; 2] {
    [
        build().connect(Kitchen).await,
        build().version(Version::V2026_07_28).connect(Kitchen).await,
    ]
}

fn text(result: &mcp_runtime::CallToolResult) -> &str {
    result.content[0].as_text().unwrap_or("")
}

#[tokio::test]
async fn both_eras_connect_and_describe_the_server() {
    let [legacy, modern] = both(TestClient::builder).await;
    assert_eq!(legacy.protocol_version(), Version::V2025_11_25);
    assert_eq!(modern.protocol_version(), Version::V2026_07_28);
    for client in [&legacy, &modern] {
        assert_eq!(client.server_info().name, "kitchen");
        assert_eq!(client.server_info().version, "2.0.0");
        assert_eq!(client.instructions(), Some("Cook carefully."));
        let capabilities = client.capabilities();
        assert!(capabilities.completions.is_some());
        assert_eq!(
            capabilities.resources.as_ref().and_then(|r| r.subscribe),
            Some(true)
        );
    }
    // An older handshake revision is negotiated as asked.
    let old = TestClient::builder()
        .version(Version::V2025_03_26)
        .connect(Kitchen)
        .await;
    assert_eq!(old.protocol_version(), Version::V2025_03_26);
}

#[tokio::test]
async fn tools_list_and_call_in_both_eras() {
    for client in both(TestClient::builder).await {
        let era = client.protocol_version();
        let tools = client.list_tools().await.unwrap();
        let names: Vec<_> = tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "add", "burn", "bake", "whoami", "visit", "taste", "reprint", "chef"
            ],
            "{era}"
        );
        let sum = client
            .call_tool("add", json!({"a": 2, "b": 40}))
            .await
            .unwrap();
        // The same result in both eras: the 2026-07-28 envelope is not the tool's.
        assert_eq!(sum, mcp_runtime::CallToolResult::text("42"), "{era}");

        let burnt = client.call_tool("burn", Value::Null).await.unwrap();
        assert_eq!(burnt.is_error, Some(true), "{era}");
        assert_eq!(text(&burnt), "the oven is on fire");

        let bad_arguments = client
            .call_tool("add", json!({"a": "two", "b": 1}))
            .await
            .unwrap();
        assert_eq!(bad_arguments.is_error, Some(true), "{era}");
        assert!(
            text(&bad_arguments).contains("`a`"),
            "{era}: {bad_arguments:?}"
        );

        let unknown = client.call_tool("fry", json!({})).await.unwrap_err();
        assert_eq!(unknown.code(), -32602, "{era}");
        assert_eq!(unknown.0.message, "Invalid params: Unknown tool: fry");
    }
}

#[tokio::test]
async fn resources_templates_and_reads_in_both_eras() {
    for client in both(TestClient::builder).await {
        let era = client.protocol_version();
        let resources = client.list_resources().await.unwrap();
        assert_eq!(resources.len(), 1);
        assert_eq!(resources[0].uri, "kitchen://menu");
        let templates = client.list_resource_templates().await.unwrap();
        assert_eq!(templates[0].uri_template, "kitchen://dishes/{id}");

        let menu = client.read_resource("kitchen://menu").await.unwrap();
        assert_eq!(
            serde_json::to_value(&menu).unwrap(),
            json!({"contents": [{"uri": "kitchen://menu", "mimeType": "text/plain", "text": "1: soup\n2: stew\n12: salad"}]})
        );
        let stew = client.read_resource("kitchen://dishes/2").await.unwrap();
        assert_eq!(
            serde_json::to_value(&stew).unwrap()["contents"][0]["text"],
            "stew"
        );
        // Not found is -32002 in the handshake era and -32602 in 2026-07-28.
        let missing = client
            .read_resource("kitchen://dishes/7")
            .await
            .unwrap_err();
        let expected = if era == Version::V2026_07_28 {
            -32602
        } else {
            -32002
        };
        assert_eq!(missing.code(), expected, "{era}");
        assert_eq!(
            missing.0.data,
            Some(json!({"uri": "kitchen://dishes/7"})),
            "{era}"
        );
    }
}

#[tokio::test]
async fn prompts_and_completions_in_both_eras() {
    for client in both(TestClient::builder).await {
        let era = client.protocol_version();
        let prompts = client.list_prompts().await.unwrap();
        assert_eq!(prompts[0].name, "recipe");
        let recipe = client
            .get_prompt("recipe", json!({"dish": "soup", "servings": "4"}))
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&recipe.messages).unwrap(),
            json!([{"role": "user", "content": {"type": "text", "text": "Write a recipe for soup for 4."}}]),
            "{era}"
        );
        let missing = client.get_prompt("recipe", Value::Null).await.unwrap_err();
        assert_eq!(missing.code(), -32602, "{era}");
        assert!(missing.0.message.contains("`dish`"), "{era}: {missing}");

        let ids = client
            .complete(CompletionRef::resource("kitchen://dishes/{id}"), "id", "1")
            .await
            .unwrap();
        assert_eq!(ids.values, ["1", "12"], "{era}");
        assert_eq!(ids.total, Some(2));
        let dishes = client
            .complete_with_context(
                CompletionRef::prompt("recipe"),
                "dish",
                "s",
                json!({"servings": "2"}),
            )
            .await
            .unwrap();
        assert_eq!(dishes.values, ["soup", "stew", "salad"], "{era}");
    }
}

#[tokio::test]
async fn progress_and_logs_of_a_call_are_collected_in_order() {
    for client in both(TestClient::builder).await {
        let era = client.protocol_version();
        let baked = client.call_tool("bake", json!({})).await.unwrap();
        assert_eq!(text(&baked), "baked");
        let step = |n: f64| {
            ServerNotification::Progress(Progress {
                progress: n,
                total: Some(3.0),
                message: Some("baking".into()),
            })
        };
        let log = |level, data: &str| {
            ServerNotification::Log(LogMessage {
                level,
                logger: None,
                data: json!(data),
            })
        };
        assert_eq!(
            client.take_notifications(),
            [
                log(LogLevel::Debug, "preheating"),
                step(1.0),
                step(2.0),
                step(3.0),
                log(LogLevel::Warning, "a little dark"),
            ],
            "{era}"
        );
        assert!(client.notifications().is_empty(), "{era}: taken");
        client.call_tool("bake", json!({})).await.unwrap();
        assert_eq!(client.progress().len(), 3);
        assert_eq!(client.logs().len(), 2);
    }
}

#[tokio::test]
async fn the_log_level_filters_in_both_eras() {
    for client in both(|| TestClient::builder().log_level(LogLevel::Warning)).await {
        client.call_tool("bake", json!({})).await.unwrap();
        let levels: Vec<_> = client.logs().iter().map(|l| l.level).collect();
        assert_eq!(levels, [LogLevel::Warning], "{}", client.protocol_version());
    }
}

fn answering() -> TestClientBuilder {
    TestClient::builder()
        .on_sampling(|request| async move {
            let asked = request.messages[0].text().unwrap_or_default();
            Ok(CreateMessageResult {
                role: Role::Assistant,
                content: vec![SamplingContent::text(format!("'{asked}': tasty"))],
                model: "critic-1".into(),
                stop_reason: None,
            })
        })
        .on_elicitation(|request| async move {
            match request {
                ElicitationRequest::Form(form) => {
                    assert_eq!(form.message, "Who are you?");
                    assert_eq!(form.requested_schema["required"], json!(["name"]));
                    let values = json!({"name": "Ada"});
                    Ok(ElicitResult::accept(
                        values.as_object().cloned().unwrap_or_default(),
                    ))
                }
                ElicitationRequest::Url(url) => {
                    assert_eq!(url.url, "https://example.com/in");
                    Ok(ElicitResult::decline())
                }
                _ => Err(McpError::internal("an unknown kind of elicitation")),
            }
        })
        .roots(vec![
            Root {
                uri: "file:///pantry".into(),
                name: Some("pantry".into()),
            },
            Root {
                uri: "file:///fridge".into(),
                name: None,
            },
        ])
}

#[tokio::test]
async fn sampling_elicitation_and_roots_handlers_answer_tools_in_both_eras() {
    for client in both(answering).await {
        let era = client.protocol_version();
        let tasted = client
            .call_tool("taste", json!({"dish": "stew"}))
            .await
            .unwrap();
        assert_eq!(
            text(&tasted),
            "'How is the stew?': tasty (file:///pantry,file:///fridge)",
            "{era}"
        );
        let greeted = client.call_tool("whoami", json!({})).await.unwrap();
        assert_eq!(text(&greeted), "hello Ada", "{era}");
        let visited = client.call_tool("visit", json!({})).await.unwrap();
        assert_eq!(text(&visited), "Decline", "{era}");
    }
}

#[tokio::test]
async fn a_client_without_handlers_declares_nothing() {
    let [legacy, modern] = both(TestClient::builder).await;
    // Handshake era: the tool hears "missing capability" and fails as a tool.
    let result = legacy.call_tool("whoami", json!({})).await.unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("elicitation"), "{result:?}");
    // 2026-07-28: the request itself fails with -32021, naming what it needs.
    let error = modern.call_tool("whoami", json!({})).await.unwrap_err();
    assert_eq!(error.code(), -32021);
    assert_eq!(
        error.0.data.unwrap()["requiredCapabilities"],
        json!({"elicitation": {"form": {}}})
    );
}

#[tokio::test]
async fn handler_errors_reach_the_tool_or_end_the_request() {
    let refusing = || {
        TestClient::builder()
            .on_elicitation(|_| async { Err(McpError::new(-1, "user closed the dialog")) })
    };
    let [legacy, modern] = both(refusing).await;
    // Handshake era: the client answers with a JSON-RPC error, which the tool sees.
    let result = legacy.call_tool("whoami", json!({})).await.unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("user closed the dialog"),
        "{result:?}"
    );
    // 2026-07-28: an answer cannot be an error; the client gives up the request.
    let error = modern.call_tool("whoami", json!({})).await.unwrap_err();
    assert_eq!(error, McpError::new(-1, "user closed the dialog"));
}

#[tokio::test]
async fn elicitation_answers_reach_the_tool_as_typed_values() {
    let cancelling =
        || TestClient::builder().on_elicitation(|_| async { Ok(ElicitResult::cancel()) });
    for client in both(cancelling).await {
        let result = client.call_tool("whoami", json!({})).await.unwrap();
        assert_eq!(text(&result), "cancelled", "{}", client.protocol_version());
    }
    let accepting =
        || TestClient::builder().on_elicitation(|_| async { Ok(ElicitResult::accepted()) });
    for client in both(accepting).await {
        let era = client.protocol_version();
        let result = client.call_tool("visit", json!({})).await.unwrap();
        assert_eq!(
            text(&result),
            format!("{:?}", ElicitAction::Accept),
            "{era}"
        );
        // Accepted with no values: the form's `name` is missing.
        let result = client.call_tool("whoami", json!({})).await.unwrap();
        assert_eq!(result.is_error, Some(true), "{era}");
    }
}

#[tokio::test]
async fn subscribed_resources_updates_arrive_in_both_eras() {
    for client in both(TestClient::builder).await {
        let era = client.protocol_version();
        client.subscribe_resource("kitchen://menu").await.unwrap();
        client.call_tool("reprint", json!({})).await.unwrap();
        // Only the subscribed URI, not kitchen://dishes/1.
        assert_eq!(
            client.take_notifications(),
            [ServerNotification::ResourceUpdated {
                uri: "kitchen://menu".into()
            }],
            "{era}"
        );
        client.unsubscribe_resource("kitchen://menu").await.unwrap();
        client.call_tool("reprint", json!({})).await.unwrap();
        assert_eq!(client.notifications(), [], "{era}");
    }
}

#[tokio::test]
async fn tool_changes_from_the_server_handle_reach_the_client() {
    for client in both(TestClient::builder).await {
        let era = client.protocol_version();
        assert!(client.server_handle().set_tool_enabled("burn", false));
        assert_eq!(
            client.notifications(),
            [ServerNotification::ToolListChanged],
            "{era}"
        );
        let tools = client.list_tools().await.unwrap();
        assert!(tools.iter().all(|t| t.name != "burn"), "{era}");
        let error = client.call_tool("burn", json!({})).await.unwrap_err();
        assert_eq!(error.code(), -32602, "{era}");
    }
}

#[tokio::test]
async fn lists_are_read_to_the_end_page_by_page() {
    let paged = || TestClient::builder().config(ServerConfig::new().page_size(Some(3)));
    for client in both(paged).await {
        assert_eq!(client.list_tools().await.unwrap().len(), 8);
        // One page is what the raw request gets.
        let first = client.request("tools/list", json!({})).await.unwrap();
        assert_eq!(first["tools"].as_array().map(Vec::len), Some(3));
        assert!(first["nextCursor"].is_string());
    }
}

#[tokio::test]
async fn raw_requests_follow_the_era() {
    let [legacy, modern] = both(TestClient::builder).await;
    assert_eq!(
        legacy.request("ping", Value::Null).await.unwrap(),
        json!({})
    );
    // `ping` is gone in 2026-07-28; `server/discover` is new.
    assert_eq!(
        modern
            .request("ping", Value::Null)
            .await
            .unwrap_err()
            .code(),
        -32601
    );
    let discovered = modern.request("server/discover", json!({})).await.unwrap();
    assert_eq!(discovered["resultType"], "complete");
    assert_eq!(
        legacy
            .request("server/discover", json!({}))
            .await
            .unwrap_err()
            .code(),
        -32601
    );
}

#[tokio::test]
async fn the_principal_reaches_the_tool() {
    let signed_in = || TestClient::builder().principal(Principal::new("alice"));
    for client in both(signed_in).await {
        let result = client.call_tool("chef", json!({})).await.unwrap();
        assert_eq!(text(&result), "alice");
    }
    let anonymous = TestClient::new(Kitchen).await;
    let result = anonymous.call_tool("chef", json!({})).await.unwrap();
    assert_eq!(text(&result), "nobody");
}

#[tokio::test]
async fn concurrent_calls_share_one_client() {
    let client = answering().connect(Kitchen).await;
    let (a, b, c) = tokio::join!(
        client.call_tool("whoami", json!({})),
        client.call_tool("add", json!({"a": 1, "b": 1})),
        client.call_tool("taste", json!({"dish": "soup"})),
    );
    assert_eq!(text(&a.unwrap()), "hello Ada");
    assert_eq!(text(&b.unwrap()), "2");
    assert!(text(&c.unwrap()).starts_with("'How is the soup?'"));
}

/// Tests may share a client between tasks: it and its calls' futures are `Send` (a compile-time
/// check).
#[test]
fn the_client_and_its_calls_can_cross_tasks() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<TestClient>();
    let call = async {
        let client = answering().connect(Kitchen).await;
        client.call_tool("whoami", json!({})).await
    };
    send(&call);
}

/// The rate limit without HTTP (as stdio serves it): the refusal is a JSON-RPC error with
/// `data.retryAfter`, in both eras. (Buckets per principal on one server: the HTTP tests.)
#[tokio::test]
async fn the_rate_limit_refuses_with_a_retry_hint_in_both_eras() {
    use std::num::NonZeroU32;
    use std::time::Duration;

    use mcp_runtime::middleware::RateLimit;

    for version in [Version::V2025_11_25, Version::V2026_07_28] {
        // A layer of its own per server: clones of one share their buckets.
        let limit = RateLimit::per_principal(NonZeroU32::MIN, Duration::from_secs(60))
            .burst(NonZeroU32::new(4).expect("not zero"));
        let config = ServerConfig::new().layer(limit);
        let alice = TestClient::builder()
            .version(version)
            .config(config)
            .principal(Principal::new("alice"))
            .connect(Kitchen)
            .await;
        // Four tokens, some taken by connecting: within five calls one is refused.
        let mut refusal = None;
        for _ in 0..5 {
            match alice.call_tool("add", json!({"a": 1, "b": 2})).await {
                Ok(result) => assert_eq!(text(&result), "3"),
                Err(error) => {
                    refusal = Some(error);
                    break;
                }
            }
        }
        let McpError(error) = refusal.expect("refused within five calls");
        assert_eq!(error.code, -32000, "{version:?}: {error:?}");
        let data = error.data.expect("data");
        assert_eq!(data["limit"], "rate_limit");
        let wait = data["retryAfter"].as_u64().expect("seconds");
        assert!((1..=60).contains(&wait), "{wait}");
    }
}

/// An argument whose `Deserialize` panics.
#[derive(JsonSchema)]
struct Fragile;

impl<'de> Deserialize<'de> for Fragile {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        panic!("fragile")
    }
}

struct Porcelain;

#[mcp_server(name = "porcelain", version = "1.0.0")]
impl Porcelain {
    /// Takes an argument that cannot be read without a panic.
    #[tool]
    async fn handle(&self, cup: Fragile) -> &'static str {
        let Fragile = cup;
        "unreachable"
    }
}

#[tokio::test]
async fn a_panic_while_reading_arguments_is_the_tool_s() {
    for version in [Version::V2025_11_25, Version::V2026_07_28] {
        let client = TestClient::builder()
            .version(version)
            .connect(Porcelain)
            .await;
        let result = client
            .call_tool("handle", json!({"cup": 1}))
            .await
            .expect("a result");
        assert_eq!(result.is_error, Some(true), "{version:?}");
        assert_eq!(text(&result), "tool `handle` failed with an internal error");
        // The session survives the panic.
        let again = client.call_tool("handle", json!({"cup": 2})).await;
        assert_eq!(again.expect("a result").is_error, Some(true));
    }
}

struct Builds;

#[mcp_server]
impl Builds {
    /// Build (always a task), until cancelled.
    #[tool(task = "required")]
    async fn build(&self, ctx: Context) -> &'static str {
        ctx.cancelled().await;
        "stopped"
    }
}

/// A client that declares the tasks extension gets a task for a task tool, and drives it with
/// `request`; one that does not is refused (-32021, as over HTTP).
#[tokio::test]
async fn a_declared_extension_lets_a_test_drive_a_task() {
    let modern = || TestClient::builder().version(Version::V2026_07_28);
    let plain = modern().connect(Builds).await;
    let refused = plain
        .request("tools/call", json!({"name": "build"}))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), -32021, "{refused:?}");

    let tasks = modern()
        .extension(mcp_runtime::protocol::TASKS_EXTENSION, json!({}))
        .connect(Builds)
        .await;
    let created = tasks
        .request("tools/call", json!({"name": "build"}))
        .await
        .unwrap();
    assert_eq!(created["resultType"], "task", "{created}");
    let id = created["taskId"].clone();
    let working = tasks
        .request("tasks/get", json!({"taskId": id}))
        .await
        .unwrap();
    assert_eq!(working["status"], "working", "{working}");
    tasks
        .request("tasks/cancel", json!({"taskId": id}))
        .await
        .unwrap();
    let cancelled = tasks
        .request("tasks/get", json!({"taskId": id}))
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
}
