//! Tools, resources and prompts added while the server runs, and the per-principal tool filter,
//! in both eras, as a client sees them through `TestClient`.

use mcp_runtime::protocol::{PromptArgument, Tool, Version};
use mcp_runtime::testing::{ServerNotification, TestClient, TestClientBuilder};
use mcp_runtime::{
    Context, McpError, Principal, PromptDef, RegistrationError, ResourceDef, ServerConfig, ToolDef,
    UriVariables, mcp_server, prompt, resource, tool,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// A shop with a tool, a resource, a template and a prompt of its own.
struct Shop;

#[mcp_server(name = "shop", version = "1.0.0")]
impl Shop {
    /// What is in stock.
    #[tool]
    fn stock(&self) -> &'static str {
        "3 apples"
    }

    /// Audit the books (administrators only, with a filter).
    #[tool]
    fn admin_audit(&self) -> &'static str {
        "books balanced"
    }

    /// Load the plugin `name`: a tool added by a tool.
    #[tool]
    fn load(&self, name: String, ctx: Context) -> Result<String, RegistrationError> {
        let answer = format!("{name} loaded");
        let plugin = ToolDef::raw(
            name.clone(),
            "A plugin.",
            json!({"type": "object"}),
            move |_, _| std::future::ready(answer.clone()),
        );
        ctx.server().add_tool(plugin)?;
        Ok(format!("{name} ready"))
    }

    /// The prices.
    #[resource(uri = "shop://prices", mime_type = "text/plain")]
    fn prices(&self) -> &'static str {
        "apples: 1"
    }

    /// An item.
    #[resource(uri = "shop://items/{id}")]
    fn item(&self, id: u32) -> String {
        format!("item {id}")
    }

    /// Welcome a customer.
    #[prompt]
    fn welcome(&self, name: String) -> String {
        format!("Welcome, {name}!")
    }
}

/// A handshake-era client and a 2026-07-28 one, each with its own server.
async fn clients(builder: impl Fn() -> TestClientBuilder) -> [TestClient; 2] {
    [
        builder().connect(Shop).await,
        builder().version(Version::V2026_07_28).connect(Shop).await,
    ]
}

async fn tool_names(client: &TestClient) -> Vec<String> {
    let tools = client.list_tools().await.unwrap();
    tools.into_iter().map(|t| t.name).collect()
}

#[derive(Deserialize, JsonSchema)]
struct Order {
    /// What to order.
    item: String,
    /// How many.
    count: u32,
}

fn order_tool() -> ToolDef {
    ToolDef::new(
        "order",
        "Order items.",
        |order: Order, ctx: Context| async move {
            ctx.info(format!("ordering {}", order.item)).await;
            format!("{} x {} ordered", order.count, order.item)
        },
    )
    .title("Order")
}

#[tokio::test]
async fn a_tool_added_at_run_time_is_listed_called_and_removed() {
    for client in clients(TestClient::builder).await {
        let era = client.protocol_version();
        let handle = client.server_handle();
        assert_eq!(tool_names(&client).await, ["stock", "admin_audit", "load"]);
        handle.add_tool(order_tool()).unwrap();
        assert_eq!(
            client.take_notifications(),
            [ServerNotification::ToolListChanged],
            "{era}"
        );

        let tools = client.list_tools().await.unwrap();
        let order = tools.iter().find(|t| t.name == "order").expect("listed");
        assert_eq!(order.title.as_deref(), Some("Order"));
        assert_eq!(order.description.as_deref(), Some("Order items."));
        assert_eq!(order.input_schema["required"], json!(["item", "count"]));
        assert_eq!(
            order.input_schema["properties"]["count"]["description"],
            "How many."
        );
        assert!(order.execution.is_none(), "run-time tools are no tasks");

        let result = client
            .call_tool("order", json!({"item": "pears", "count": 2}))
            .await
            .unwrap();
        assert_eq!(result.content[0].as_text(), Some("2 x pears ordered"));
        assert_eq!(result.is_error, None);
        assert_eq!(client.logs()[0].data, "ordering pears", "{era}: ctx works");
        let bad = client
            .call_tool("order", json!({"item": "pears"}))
            .await
            .unwrap();
        assert_eq!(bad.is_error, Some(true));
        assert_eq!(
            bad.content[0].as_text(),
            Some("Invalid arguments: missing field `count`")
        );

        client.take_notifications();
        assert!(handle.remove_tool("order"));
        assert_eq!(
            client.take_notifications(),
            [ServerNotification::ToolListChanged]
        );
        let gone = client.call_tool("order", json!({})).await.unwrap_err();
        assert_eq!(gone.code(), -32602);
        assert_eq!(gone.0.message, "Invalid params: Unknown tool: order");
        assert_eq!(tool_names(&client).await, ["stock", "admin_audit", "load"]);
        assert!(!handle.remove_tool("order"), "removed already");
        assert!(
            !handle.remove_tool("stock"),
            "the server's own are not removed"
        );
        assert_eq!(client.take_notifications(), []);
    }
}

#[tokio::test]
async fn a_raw_schema_tool_gets_its_arguments_as_sent() {
    for client in clients(TestClient::builder).await {
        let schema = json!({
            "type": "object",
            "properties": {"text": {"type": "string", "maxLength": 5}},
            "required": ["text"],
        });
        let echo = ToolDef::raw(
            "echo",
            "Say it back.",
            schema.clone(),
            |args, _ctx| async move { Value::Object(args) },
        );
        client.server_handle().add_tool(echo).unwrap();
        let tools = client.list_tools().await.unwrap();
        let listed = tools.iter().find(|t| t.name == "echo").unwrap();
        assert_eq!(Value::Object(listed.input_schema.clone()), schema);
        // Not checked against the schema: the handler sees what was sent.
        let result = client
            .call_tool("echo", json!({"text": "far too long", "extra": 1}))
            .await
            .unwrap();
        assert_eq!(
            result.content[0].as_text(),
            Some(r#"{"text":"far too long","extra":1}"#)
        );
        let none = client.call_tool("echo", Value::Null).await.unwrap();
        assert_eq!(none.content[0].as_text(), Some("{}"));
    }
}

#[tokio::test]
async fn refused_additions_change_nothing() {
    let client = TestClient::new(Shop).await;
    let handle = client.server_handle();
    let raw = |name: &str, schema: Value| ToolDef::raw(name, "", schema, |_, _| async { "" });
    let object = || json!({"type": "object"});
    assert_eq!(
        handle.add_tool(raw("stock", object())),
        Err(RegistrationError::DuplicateTool("stock".into()))
    );
    assert_eq!(
        handle.add_tool(raw("words", json!({"type": "string"}))),
        Err(RegistrationError::NotAnObjectSchema("words".into()))
    );
    assert_eq!(
        handle.add_tool(raw("words", json!(["type", "object"]))),
        Err(RegistrationError::NotAnObjectSchema("words".into()))
    );
    assert_eq!(
        handle.add_tool(raw("", object())),
        Err(RegistrationError::EmptyName("tool"))
    );
    // All or nothing: the second of a batch is a duplicate of the first.
    let batch = [raw("a", object()), raw("b", object()), raw("a", object())];
    assert_eq!(
        handle.add_tools(batch),
        Err(RegistrationError::DuplicateTool("a".into()))
    );
    assert_eq!(
        handle.add_resource(ResourceDef::new("shop://prices", "again", |_| async { "" })),
        Err(RegistrationError::DuplicateResource("shop://prices".into()))
    );
    assert_eq!(
        handle.add_resource(ResourceDef::template(
            "shop://items/{id}",
            "again",
            |_, _| async { "" }
        )),
        Err(RegistrationError::DuplicateTemplate(
            "shop://items/{id}".into()
        ))
    );
    assert_eq!(
        handle.add_resource(ResourceDef::template("shop://all", "all", |_, _| async {
            ""
        })),
        Err(RegistrationError::NotATemplate("shop://all".into()))
    );
    let welcome = PromptDef::raw("welcome", "", Vec::new(), |_, _| async { "" });
    assert_eq!(
        handle.add_prompt(welcome),
        Err(RegistrationError::DuplicatePrompt("welcome".into()))
    );
    assert_eq!(tool_names(&client).await, ["stock", "admin_audit", "load"]);
    assert_eq!(
        client.take_notifications(),
        [],
        "nothing changed, nobody told"
    );
    assert!(
        handle
            .add_tools([raw("a", object()), raw("b", object())])
            .is_ok()
    );
    assert_eq!(
        client.take_notifications(),
        [ServerNotification::ToolListChanged],
        "one notification for a batch"
    );
}

#[tokio::test]
async fn resources_and_templates_added_at_run_time_are_listed_read_and_removed() {
    for client in clients(TestClient::builder).await {
        let era = client.protocol_version();
        let not_found = match era.era() {
            mcp_runtime::protocol::Era::Handshake => -32002,
            mcp_runtime::protocol::Era::Stateless => -32602,
        };
        let handle = client.server_handle();
        let news = ResourceDef::new("shop://news", "news", |_ctx: Context| async {
            "Pears are in."
        })
        .mime_type("text/plain")
        .description("Today's news.");
        let orders = ResourceDef::template(
            "shop://orders/{n}",
            "order",
            |vars: UriVariables, _ctx: Context| async move {
                let n: u32 = vars.parse("n")?;
                Ok::<_, McpError>(format!("order {n} of {}", vars.uri()))
            },
        );
        // Would match the server's own `shop://items/{id}` template's URIs too: the server's
        // templates are tried first.
        let shadow = ResourceDef::template("shop://{kind}/{id}", "anything", |_, _| async {
            "run-time template"
        });
        handle.add_resource(news).unwrap();
        handle.add_resource(orders).unwrap();
        handle.add_resource(shadow).unwrap();
        assert_eq!(
            client.take_notifications(),
            vec![ServerNotification::ResourceListChanged; 3]
        );

        let uris: Vec<String> = (client.list_resources().await.unwrap())
            .into_iter()
            .map(|r| r.uri)
            .collect();
        assert_eq!(uris, ["shop://prices", "shop://news"]);
        let templates: Vec<String> = (client.list_resource_templates().await.unwrap())
            .into_iter()
            .map(|t| t.uri_template)
            .collect();
        assert_eq!(
            templates,
            [
                "shop://items/{id}",
                "shop://orders/{n}",
                "shop://{kind}/{id}"
            ]
        );

        let read = client.read_resource("shop://news").await.unwrap();
        assert_eq!(
            serde_json::to_value(&read).unwrap()["contents"][0],
            json!({"uri": "shop://news", "mimeType": "text/plain", "text": "Pears are in."})
        );
        let order = client.read_resource("shop://orders/7").await.unwrap();
        assert_eq!(
            serde_json::to_value(&order).unwrap()["contents"][0]["text"],
            "order 7 of shop://orders/7"
        );
        let unparsable = client
            .read_resource("shop://orders/seven")
            .await
            .unwrap_err();
        assert_eq!(unparsable.code(), not_found, "{era}");
        let own = client.read_resource("shop://items/1").await.unwrap();
        assert_eq!(
            serde_json::to_value(&own).unwrap()["contents"][0]["text"],
            "item 1"
        );
        let other = client.read_resource("shop://misc/1").await.unwrap();
        assert_eq!(
            serde_json::to_value(&other).unwrap()["contents"][0]["text"],
            "run-time template"
        );

        // A URI a run-time template matches may be subscribed to.
        client.subscribe_resource("shop://orders/7").await.unwrap();
        handle.notify_resource_updated("shop://orders/7");
        assert_eq!(
            client.take_notifications(),
            [ServerNotification::ResourceUpdated {
                uri: "shop://orders/7".into()
            }]
        );

        assert!(handle.remove_resource("shop://news"));
        assert!(handle.remove_resource("shop://orders/{n}"));
        assert!(!handle.remove_resource("shop://prices"), "the server's own");
        assert_eq!(
            client.take_notifications(),
            vec![ServerNotification::ResourceListChanged; 2]
        );
        let gone = client.read_resource("shop://news").await.unwrap_err();
        assert_eq!(gone.code(), not_found);
        let uris = client.list_resources().await.unwrap();
        assert_eq!(uris.len(), 1);
        let templates = client.list_resource_templates().await.unwrap();
        assert_eq!(templates.len(), 2);
    }
}

#[derive(Deserialize, JsonSchema)]
struct Complaint {
    /// What went wrong.
    problem: String,
    /// How upset the customer is.
    mood: Option<String>,
}

#[tokio::test]
async fn prompts_added_at_run_time_are_listed_rendered_and_removed() {
    for client in clients(TestClient::builder).await {
        let handle = client.server_handle();
        let complaint = PromptDef::new(
            "complaint",
            "Answer a complaint.",
            |c: Complaint, _ctx: Context| async move {
                let mood = c.mood.unwrap_or_else(|| "calm".into());
                format!("A {mood} customer says: {}", c.problem)
            },
        )
        .title("Complaint");
        let topic = PromptArgument {
            name: "topic".into(),
            description: Some("What about.".into()),
            required: Some(true),
        };
        let slogan = PromptDef::raw(
            "slogan",
            "A slogan.",
            vec![topic],
            |args, _ctx| async move { format!("Buy {}!", args["topic"].as_str().unwrap_or("?")) },
        );
        handle.add_prompt(complaint).unwrap();
        handle.add_prompt(slogan).unwrap();
        assert_eq!(
            client.take_notifications(),
            vec![ServerNotification::PromptListChanged; 2]
        );

        let prompts = client.list_prompts().await.unwrap();
        let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["welcome", "complaint", "slogan"]);
        let args = &prompts[1].arguments;
        assert_eq!(args[0].name, "problem");
        assert_eq!(args[0].description.as_deref(), Some("What went wrong."));
        assert_eq!(
            (args[0].required, args[1].required),
            (Some(true), Some(false))
        );

        let got = client
            .get_prompt(
                "complaint",
                json!({"problem": "bruised pears", "mood": "angry"}),
            )
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&got.messages[0].content).unwrap()["text"],
            "A angry customer says: bruised pears"
        );
        let got = client
            .get_prompt("slogan", json!({"topic": "pears"}))
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&got.messages[0].content).unwrap()["text"],
            "Buy pears!"
        );
        let missing = client.get_prompt("slogan", json!({})).await.unwrap_err();
        assert_eq!(missing.code(), -32602);
        assert!(
            missing
                .0
                .message
                .contains("missing required argument `topic`")
        );

        assert!(handle.remove_prompt("complaint"));
        assert!(!handle.remove_prompt("welcome"), "the server's own");
        let gone = client.get_prompt("complaint", json!({})).await.unwrap_err();
        assert_eq!(gone.code(), -32602);
        assert_eq!(client.list_prompts().await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn a_tool_may_add_tools_and_run_time_tools_may_be_disabled() {
    for client in clients(TestClient::builder).await {
        let loaded = client
            .call_tool("load", json!({"name": "weather"}))
            .await
            .unwrap();
        assert_eq!(loaded.content[0].as_text(), Some("weather ready"));
        assert_eq!(
            client.take_notifications(),
            [ServerNotification::ToolListChanged],
            "announced before the call returned"
        );
        let weather = client.call_tool("weather", json!({})).await.unwrap();
        assert_eq!(weather.content[0].as_text(), Some("weather loaded"));
        let again = client
            .call_tool("load", json!({"name": "weather"}))
            .await
            .unwrap();
        assert_eq!(again.is_error, Some(true));
        assert_eq!(
            again.content[0].as_text(),
            Some("there is already a tool named `weather`")
        );

        let handle = client.server_handle();
        assert!(handle.set_tool_enabled("weather", false));
        assert!(!handle.is_tool_enabled("weather"));
        assert!(!tool_names(&client).await.contains(&"weather".to_owned()));
        let hidden = client.call_tool("weather", json!({})).await.unwrap_err();
        assert_eq!(hidden.code(), -32602);
        assert!(handle.set_tool_enabled("weather", true));
        assert_eq!(
            tool_names(&client).await,
            ["stock", "admin_audit", "load", "weather"]
        );
        assert_eq!(
            client.take_notifications(),
            vec![ServerNotification::ToolListChanged; 2]
        );
    }
}

#[tokio::test]
async fn run_time_tools_are_paged_with_the_server_own() {
    let paged = || TestClient::builder().config(ServerConfig::new().page_size(Some(2)));
    for client in clients(paged).await {
        client.server_handle().add_tool(order_tool()).unwrap();
        let page = client.request("tools/list", json!({})).await.unwrap();
        assert_eq!(page["tools"].as_array().unwrap().len(), 2);
        assert!(page["nextCursor"].is_string());
        assert_eq!(
            tool_names(&client).await,
            ["stock", "admin_audit", "load", "order"]
        );
    }
}

/// A server with a resource only: no tools, no prompts of its own.
struct Notice;

#[mcp_server]
impl Notice {
    /// The notice board.
    #[resource(uri = "notice://board")]
    fn board(&self) -> &'static str {
        "closed on Sunday"
    }
}

#[tokio::test]
async fn a_server_adds_tools_and_prompts_it_had_none_of_when_it_declares_them() {
    let client = TestClient::new(Notice).await;
    assert!(client.capabilities().tools.is_none());
    let echo = || {
        ToolDef::raw("echo", "", json!({"type": "object"}), |_, _| async {
            "echo"
        })
    };
    assert_eq!(
        client.server_handle().add_tool(echo()),
        Err(RegistrationError::NotDeclared("tools"))
    );
    let hello = || PromptDef::raw("hello", "", Vec::new(), |_, _| async { "hello" });
    assert_eq!(
        client.server_handle().add_prompt(hello()),
        Err(RegistrationError::NotDeclared("prompts"))
    );

    let config = || ServerConfig::new().declare_tools().declare_prompts();
    for version in [Version::LATEST_HANDSHAKE, Version::V2026_07_28] {
        let client = TestClient::builder()
            .version(version)
            .config(config())
            .connect(Notice)
            .await;
        let tools = client.capabilities().tools.as_ref().expect("declared");
        assert_eq!(tools.list_changed, Some(true));
        assert!(client.capabilities().prompts.is_some());
        assert!(client.list_tools().await.unwrap().is_empty());
        client.server_handle().add_tool(echo()).unwrap();
        client.server_handle().add_prompt(hello()).unwrap();
        assert_eq!(
            client.take_notifications(),
            [
                ServerNotification::ToolListChanged,
                ServerNotification::PromptListChanged
            ],
            "{version}: the listen filter agrees to what is declared"
        );
        let result = client.call_tool("echo", json!({})).await.unwrap();
        assert_eq!(result.content[0].as_text(), Some("echo"));
        assert_eq!(client.list_prompts().await.unwrap().len(), 1);
    }
}

/// Tools named `admin_*` only for callers with the `admin` scope.
fn admin_only(caller: Option<&Principal>, tool: &Tool) -> bool {
    !tool.name.starts_with("admin_") || caller.is_some_and(|p| p.has_scope("admin"))
}

#[tokio::test]
async fn the_tool_filter_decides_per_principal_what_is_listed_and_callable() {
    let alice = Principal::new("alice").with_scopes(["shop"]);
    let root = Principal::new("root").with_scopes(["shop", "admin"]);
    let filtered = |who: Option<Principal>| {
        move || {
            let builder = TestClient::builder().config(ServerConfig::new().tool_filter(admin_only));
            match who.clone() {
                Some(principal) => builder.principal(principal),
                None => builder,
            }
        }
    };
    for who in [None, Some(alice)] {
        for client in clients(filtered(who.clone())).await {
            let era = client.protocol_version();
            let purge = ToolDef::raw("admin_purge", "", json!({"type": "object"}), |_, _| async {
                "purged"
            });
            client.server_handle().add_tool(purge).unwrap();
            client.server_handle().add_tool(order_tool()).unwrap();
            assert_eq!(
                tool_names(&client).await,
                ["stock", "load", "order"],
                "{era} {who:?}"
            );
            // A hidden tool is answered as one that does not exist, so it does not leak.
            for name in ["admin_audit", "admin_purge", "admin_nothing"] {
                let error = client.call_tool(name, json!({})).await.unwrap_err();
                assert_eq!(error.code(), -32602);
                assert_eq!(
                    error.0.message,
                    format!("Invalid params: Unknown tool: {name}")
                );
            }
            let stock = client.call_tool("stock", json!({})).await.unwrap();
            assert_eq!(stock.content[0].as_text(), Some("3 apples"));
        }
    }
    for client in clients(filtered(Some(root))).await {
        let purge = ToolDef::raw("admin_purge", "", json!({"type": "object"}), |_, _| async {
            "purged"
        });
        client.server_handle().add_tool(purge).unwrap();
        assert_eq!(
            tool_names(&client).await,
            ["stock", "admin_audit", "load", "admin_purge"]
        );
        let audit = client.call_tool("admin_audit", json!({})).await.unwrap();
        assert_eq!(audit.content[0].as_text(), Some("books balanced"));
        let purged = client.call_tool("admin_purge", json!({})).await.unwrap();
        assert_eq!(purged.content[0].as_text(), Some("purged"));
    }
}
