//! Resources, prompts, completions, pagination and run-time tool changes, through a server
//! that implements `MCPServer` by hand (what the macros generate, written out): in process
//! with `TestClient`, and over HTTP for paging and the GET streams of list changes.

use integration_tests::{Client, SseReader, TestServer};
use mcp_runtime::convert::match_uri_template;
use mcp_runtime::protocol::{
    CompleteParams, Completion, CompletionRef, GetPromptResult, Implementation, Prompt,
    PromptArgument, PromptMessage, ReadResourceResult, Resource, ResourceContents,
    ResourceTemplate, Tool,
};
use mcp_runtime::testing::TestClient;
use mcp_runtime::{
    BoxFuture, CallToolResult, Context, HttpConfig, MCPServer, McpError, Mode, ServerConfig,
    ServerEvent, ToolArguments,
};
use serde_json::{Value, json};

struct Library;

impl MCPServer for Library {
    fn server_info(&self) -> Implementation {
        Implementation::new("library", "0.1.0")
    }

    fn tools(&self) -> Vec<Tool> {
        (0..5)
            .map(|i| {
                Tool::new(
                    format!("tool{i}"),
                    json!({"type": "object"})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    fn call_tool<'a>(
        &'a self,
        name: &str,
        _: ToolArguments,
        ctx: Context,
    ) -> Option<BoxFuture<'a, CallToolResult>> {
        let name = name.to_owned();
        Some(Box::pin(async move {
            match name.as_str() {
                "tool0" => {
                    ctx.server().set_tool_enabled("tool4", false);
                    ctx.server().notify_resource_updated("test://books/1");
                }
                // An update, then a marker every session hears: what a session did not get
                // before the marker, it will not get.
                "tool1" => {
                    ctx.server().notify_resource_updated("test://books/1");
                    ctx.server().publish(ServerEvent::PromptListChanged);
                }
                _ => {}
            }
            CallToolResult::text(name)
        }))
    }

    fn resources(&self) -> Vec<Resource> {
        vec![
            Resource::new("test://static", "static").with_mime_type("text/plain"),
            Resource::new("test://books/1", "book one"),
        ]
    }

    fn resource_templates(&self) -> Vec<ResourceTemplate> {
        vec![ResourceTemplate::new("test://books/{id}", "book")]
    }

    fn read_resource<'a>(
        &'a self,
        uri: &str,
        _: Context,
    ) -> Option<BoxFuture<'a, Result<ReadResourceResult, McpError>>> {
        let uri = uri.to_owned();
        if uri == "test://static" {
            return Some(Box::pin(async move {
                Ok(ReadResourceResult::one(ResourceContents::text(
                    uri,
                    "text/plain",
                    "static text",
                )))
            }));
        }
        let id = match_uri_template("test://books/{id}", &uri)?.remove(0).1;
        Some(Box::pin(async move {
            if id == "missing" {
                return Err(McpError::resource_not_found(&uri));
            }
            if id == "panic" {
                panic!("bad book");
            }
            Ok(ReadResourceResult::one(ResourceContents::text(
                uri,
                "text/plain",
                format!("book {id}"),
            )))
        }))
    }

    fn prompts(&self) -> Vec<Prompt> {
        let mut p = Prompt::new("greet");
        p.description = Some("Greet someone.".into());
        p.arguments = vec![PromptArgument {
            name: "who".into(),
            description: None,
            required: Some(true),
        }];
        vec![p]
    }

    fn get_prompt<'a>(
        &'a self,
        name: &str,
        arguments: Option<serde_json::Map<String, serde_json::Value>>,
        _: Context,
    ) -> Option<BoxFuture<'a, Result<GetPromptResult, McpError>>> {
        (name == "greet").then(|| -> BoxFuture<'a, _> {
            Box::pin(async move {
                let who = arguments
                    .and_then(|a| a.get("who").and_then(Value::as_str).map(str::to_owned))
                    .ok_or_else(|| McpError::invalid_params("missing required argument `who`"))?;
                Ok(GetPromptResult {
                    description: None,
                    messages: vec![PromptMessage::user(format!("Hello, {who}!"))],
                })
            })
        })
    }

    fn supports_completions(&self) -> bool {
        true
    }

    fn complete<'a>(
        &'a self,
        request: CompleteParams,
        _: Context,
    ) -> BoxFuture<'a, Result<Completion, McpError>> {
        Box::pin(async move {
            let CompletionRef::Prompt { name } = request.reference else {
                return Ok(Completion::default());
            };
            let all: Vec<String> = (0..150)
                .map(|i| format!("{name}-{}{i}", request.argument.value))
                .collect();
            Ok(Completion::from_values(all))
        })
    }
}

async fn start(config: HttpConfig) -> (TestServer, Client) {
    let server = TestServer::start(Library, config).await;
    let mut client = server.client();
    client.initialize().await;
    (server, client)
}

async fn result(client: &mut Client, method: &str, params: Value) -> Value {
    let response = client.request(method, params).await.response();
    response
        .get("result")
        .cloned()
        .unwrap_or_else(|| panic!("{method}: {response}"))
}

async fn error(client: &mut Client, method: &str, params: Value) -> Value {
    let response = client.request(method, params).await.response();
    response
        .get("error")
        .cloned()
        .unwrap_or_else(|| panic!("{method}: {response}"))
}

// What a client sees of the server's methods needs no socket: `TestClient` drives the same
// dispatcher in process. Paging and run-time changes below go over HTTP.

#[tokio::test]
async fn capabilities_follow_what_the_server_has() {
    let client = TestClient::new(Library).await;
    assert_eq!(
        serde_json::to_value(client.capabilities()).unwrap(),
        json!({
            "tools": {"listChanged": true},
            "resources": {"subscribe": true, "listChanged": true},
            "prompts": {"listChanged": true},
            "logging": {},
            "completions": {}
        })
    );
}

#[tokio::test]
async fn resources_list_read_and_not_found() {
    let client = TestClient::new(Library).await;
    let list = client.list_resources().await.unwrap();
    assert_eq!(
        serde_json::to_value(&list[0]).unwrap(),
        json!({"uri": "test://static", "name": "static", "mimeType": "text/plain"})
    );
    let templates = client.list_resource_templates().await.unwrap();
    assert_eq!(
        serde_json::to_value(templates).unwrap(),
        json!([{"uriTemplate": "test://books/{id}", "name": "book"}])
    );
    let read = client.read_resource("test://books/42").await.unwrap();
    assert_eq!(
        serde_json::to_value(&read.contents[0]).unwrap(),
        json!({"uri": "test://books/42", "mimeType": "text/plain", "text": "book 42"})
    );
    for uri in ["test://nowhere", "test://books/missing"] {
        let e = client.read_resource(uri).await.unwrap_err();
        assert_eq!(e.code(), -32002, "{uri}");
        assert_eq!(e.0.data, Some(json!({"uri": uri})));
    }
    let e = client
        .read_resource("test://books/panic")
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32603);
    assert_eq!(
        client.request("ping", json!({})).await,
        Ok(json!({})),
        "the session survives a panic"
    );
    let e = client
        .request("resources/read", json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32602);
}

#[tokio::test]
async fn prompts_list_and_get() {
    let client = TestClient::new(Library).await;
    let list = client.list_prompts().await.unwrap();
    assert_eq!(
        serde_json::to_value(&list[0].arguments).unwrap(),
        json!([{"name": "who", "required": true}])
    );
    let got = client
        .get_prompt("greet", json!({"who": "Ada"}))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(got.messages).unwrap(),
        json!([{"role": "user", "content": {"type": "text", "text": "Hello, Ada!"}}])
    );
    let missing = client.get_prompt("greet", Value::Null).await.unwrap_err();
    assert_eq!(missing.code(), -32602);
    let unknown = client.get_prompt("nope", Value::Null).await.unwrap_err();
    assert_eq!(unknown.code(), -32602);
}

#[tokio::test]
async fn completions_are_cut_to_100_with_total_and_has_more() {
    let client = TestClient::new(Library).await;
    let done = client
        .complete(CompletionRef::prompt("greet"), "who", "A")
        .await
        .unwrap();
    assert_eq!(done.values.len(), 100);
    assert_eq!(done.values[0], "greet-A0");
    assert_eq!(done.total, Some(150));
    assert_eq!(done.has_more, Some(true));
}

#[tokio::test]
async fn lists_paginate_with_opaque_cursors() {
    let (server, mut client) =
        start(HttpConfig::new(Mode::Stateful).server(ServerConfig::new().page_size(Some(2)))).await;
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let page = result(&mut client, "tools/list", params).await;
        let tools = page["tools"].as_array().unwrap();
        assert!(tools.len() <= 2);
        names.extend(tools.iter().map(|t| t["name"].as_str().unwrap().to_owned()));
        cursor = page["nextCursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(names, ["tool0", "tool1", "tool2", "tool3", "tool4"]);
    assert_eq!(
        error(&mut client, "tools/list", json!({"cursor": "garbage"})).await["code"],
        -32602
    );
    assert_eq!(
        error(&mut client, "resources/list", json!({"cursor": "o999"})).await["code"],
        -32602
    );
    server.stop().await;
}

#[tokio::test]
async fn tools_change_at_run_time_and_subscribers_hear_about_it() {
    let (server, mut client) = start(Mode::Stateful.into()).await;
    let session = client.session.clone().unwrap();
    let mut other = server.client();
    other.initialize().await;
    let get = |s: String| {
        client
            .http
            .get(&server.url)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", s)
            .send()
    };
    let mut stream = SseReader::new(get(session).await.unwrap());
    let mut other_stream = SseReader::new(get(other.session.clone().unwrap()).await.unwrap());
    assert_eq!(
        result(
            &mut client,
            "resources/subscribe",
            json!({"uri": "test://books/1"})
        )
        .await,
        json!({})
    );
    // Both GET handlers attached their streams before they answered: no wait needed.
    client.call_tool("tool0", json!({})).await;

    let mut seen = Vec::new();
    for _ in 0..2 {
        let (_, m) = stream.next_message().await.unwrap();
        seen.push(m["method"].as_str().unwrap().to_owned());
        if m["method"] == "notifications/resources/updated" {
            assert_eq!(m["params"]["uri"], "test://books/1");
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "notifications/resources/updated",
            "notifications/tools/list_changed"
        ]
    );
    let (_, m) = other_stream.next_message().await.unwrap();
    assert_eq!(
        m["method"], "notifications/tools/list_changed",
        "not subscribed: only the list change"
    );
    client.call_tool("tool1", json!({})).await;
    assert_eq!(
        next_method(&mut other_stream).await,
        "notifications/prompts/list_changed",
        "not subscribed: no update, neither tool0's nor tool1's, came before the marker"
    );
    let (_, m) = stream.next_message().await.unwrap();
    assert_eq!(m["method"], "notifications/resources/updated");
    assert_eq!(m["params"]["uri"], "test://books/1");
    assert_eq!(
        next_method(&mut stream).await,
        "notifications/prompts/list_changed"
    );

    let tools = result(&mut client, "tools/list", json!({})).await;
    let names: Vec<_> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert!(!names.contains(&json!("tool4")));
    let e = client
        .request("tools/call", json!({"name": "tool4"}))
        .await
        .response();
    assert_eq!(
        e["error"]["code"], -32602,
        "a disabled tool cannot be called"
    );

    assert_eq!(
        result(
            &mut client,
            "resources/unsubscribe",
            json!({"uri": "test://books/1"})
        )
        .await,
        json!({})
    );
    client.call_tool("tool1", json!({})).await;
    assert_eq!(
        next_method(&mut stream).await,
        "notifications/prompts/list_changed",
        "unsubscribed: no update came before the marker"
    );
    server.stop().await;
}

async fn next_method(stream: &mut SseReader) -> String {
    let (_, message) = stream.next_message().await.expect("a notification");
    message["method"].as_str().expect("a method").to_owned()
}
