//! Resources, templates, prompts, completions and structured tools written with the macros:
//! what a client sees of `#[resource]`, `#[prompt]`, `complete(...)` and `Json<T>`, in process
//! with `TestClient` where the socket is not the point, over HTTP where it is (the GET stream
//! of subscriptions, local tools on the multi-threaded server).

use integration_tests::{Client, SseReader, TestServer};
use mcp_runtime::protocol::CompletionRef;
use mcp_runtime::testing::TestClient;
use mcp_runtime::{
    Content, Context, Json, McpError, Mode, PromptMessage, mcp_server, prompt, resource, tool,
};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};

struct Notes;

#[derive(Serialize, JsonSchema)]
struct Count {
    notes: u32,
}

#[mcp_server(name = "notes", version = "1.0.0")]
impl Notes {
    /// The index of all notes.
    #[resource(uri = "notes://index", mime_type = "text/plain")]
    fn index(&self) -> &'static str {
        "1: groceries\n2: ideas"
    }

    /// A note's attachment.
    #[resource(
        uri = "notes://{id}/attachment",
        mime_type = "application/octet-stream"
    )]
    async fn attachment(&self, id: u32) -> Result<Vec<u8>, McpError> {
        match id {
            1 => Ok(vec![0, 1, 2]),
            _ => Err(McpError::resource_not_found(&format!(
                "notes://{id}/attachment"
            ))),
        }
    }

    /// A note.
    #[resource(uri = "notes://{id}", mime_type = "text/plain", complete(id = ids))]
    fn note(&self, id: u32) -> String {
        format!("note {id}")
    }

    /// Summarize a note.
    #[prompt(complete(id = ids))]
    fn summarize(
        &self,
        /// The note's number.
        id: u32,
        style: Option<String>,
    ) -> Vec<PromptMessage> {
        vec![
            PromptMessage::user(format!(
                "Summarize note {id} in a {} style.",
                style.as_deref().unwrap_or("plain")
            )),
            PromptMessage::new(
                mcp_runtime::protocol::Role::User,
                Content::embedded_text(format!("notes://{id}"), "text/plain", format!("note {id}")),
            ),
        ]
    }

    /// How many notes there are.
    #[tool]
    fn count(&self) -> Json<Count> {
        Json(Count { notes: 2 })
    }

    /// Change the index; subscribers hear about it.
    #[tool]
    fn touch(&self, ctx: Context) -> &'static str {
        ctx.server().notify_resource_updated("notes://index");
        "touched"
    }

    fn ids(&self, typed: &str) -> Vec<String> {
        ["1", "2", "12"]
            .into_iter()
            .filter(|id| id.starts_with(typed))
            .map(String::from)
            .collect()
    }
}

async fn start() -> (TestServer, Client) {
    let server = TestServer::start(Notes, Mode::Stateful).await;
    let mut client = server.client();
    let init = client.initialize().await;
    assert_eq!(
        init["result"]["capabilities"],
        json!({
            "tools": {"listChanged": true},
            "resources": {"subscribe": true, "listChanged": true},
            "prompts": {"listChanged": true},
            "logging": {},
            "completions": {}
        })
    );
    (server, client)
}

async fn answer(client: &mut Client, method: &str, params: Value) -> Value {
    let mut response = client.request(method, params).await.response();
    response
        .as_object_mut()
        .and_then(|r| r.remove("result").or_else(|| r.remove("error")))
        .unwrap_or_else(|| panic!("{method}: {response}"))
}

/// Resources as a client sees them: in process, through the dispatcher a transport drives
/// (no socket is the point here).
#[tokio::test]
async fn resources_and_templates_as_a_client_sees_them() {
    let client = TestClient::new(Notes).await;
    assert_eq!(
        json(client.list_resources().await.unwrap()),
        json!([{
            "uri": "notes://index",
            "name": "index",
            "description": "The index of all notes.",
            "mimeType": "text/plain",
        }])
    );
    assert_eq!(
        json(client.list_resource_templates().await.unwrap()),
        json!([
            {
                "uriTemplate": "notes://{id}/attachment",
                "name": "attachment",
                "description": "A note's attachment.",
                "mimeType": "application/octet-stream",
            },
            {
                "uriTemplate": "notes://{id}",
                "name": "note",
                "description": "A note.",
                "mimeType": "text/plain",
            },
        ])
    );
    assert_eq!(
        json(client.read_resource("notes://1/attachment").await.unwrap()),
        json!({"contents": [{
            "uri": "notes://1/attachment",
            "mimeType": "application/octet-stream",
            "blob": "AAEC",
        }]})
    );
    assert_eq!(
        json(client.read_resource("notes://12").await.unwrap()),
        json!({"contents": [{"uri": "notes://12", "mimeType": "text/plain", "text": "note 12"}]})
    );
    // The handler's own not-found, and a parameter that does not parse (no template matches).
    for uri in ["notes://3/attachment", "notes://twelve"] {
        let error = client.read_resource(uri).await.unwrap_err();
        assert_eq!(error.code(), -32002, "{uri}: {error}");
        assert_eq!(error.0.data, Some(json!({"uri": uri})));
    }
}

#[tokio::test]
async fn prompts_and_completions_as_a_client_sees_them() {
    let client = TestClient::new(Notes).await;
    assert_eq!(
        client.capabilities().completions,
        Some(Default::default()),
        "completion methods declare the capability"
    );
    assert_eq!(
        json(client.list_prompts().await.unwrap()),
        json!([{
            "name": "summarize",
            "description": "Summarize a note.",
            "arguments": [
                {"name": "id", "description": "The note's number.", "required": true},
                {"name": "style", "required": false},
            ],
        }])
    );
    let summary = client
        .get_prompt("summarize", json!({"id": "2", "style": "terse"}))
        .await
        .unwrap();
    assert_eq!(
        json(summary),
        json!({"messages": [
            {"role": "user", "content": {"type": "text", "text": "Summarize note 2 in a terse style."}},
            {"role": "user", "content": {"type": "resource", "resource": {
                "uri": "notes://2", "mimeType": "text/plain", "text": "note 2",
            }}},
        ]})
    );
    let missing = client
        .get_prompt("summarize", Value::Null)
        .await
        .unwrap_err();
    assert_eq!(
        missing,
        McpError::invalid_params("missing required argument `id`")
    );
    let unparsable = client
        .get_prompt("summarize", json!({"id": "two"}))
        .await
        .unwrap_err();
    assert_eq!(
        unparsable,
        McpError::invalid_params("invalid argument `id`: invalid digit found in string")
    );
    for reference in [
        CompletionRef::prompt("summarize"),
        CompletionRef::resource("notes://{id}"),
    ] {
        let completion = client.complete(reference, "id", "1").await.unwrap();
        assert_eq!(
            json(completion),
            json!({"values": ["1", "12"], "total": 2, "hasMore": false})
        );
    }
    let none = client
        .complete(CompletionRef::prompt("summarize"), "style", "")
        .await
        .unwrap();
    assert_eq!(
        json(none),
        json!({"values": [], "total": 0, "hasMore": false})
    );
}

fn json(value: impl Serialize) -> Value {
    serde_json::to_value(value).expect("results serialize")
}

#[tokio::test]
async fn structured_tools_and_subscriptions_over_http() {
    let (server, mut client) = start().await;
    let tools = answer(&mut client, "tools/list", json!({})).await;
    assert_eq!(
        tools["tools"][0]["outputSchema"],
        json!({
            "type": "object",
            "properties": {"notes": {"type": "integer", "format": "uint32", "minimum": 0}},
            "required": ["notes"],
        })
    );
    assert_eq!(
        client.call_tool("count", json!({})).await,
        json!({
            "content": [{"type": "text", "text": r#"{"notes":2}"#}],
            "structuredContent": {"notes": 2},
        })
    );

    let session = client.session.clone().unwrap();
    let get = client
        .http
        .get(&server.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", session)
        .send();
    let mut stream = SseReader::new(get.await.unwrap());
    assert_eq!(
        answer(
            &mut client,
            "resources/subscribe",
            json!({"uri": "notes://index"})
        )
        .await,
        json!({})
    );
    // The GET handler attached the stream before it answered: no wait needed.
    client.call_tool("touch", json!({})).await;
    let (_, notification) = stream.next_message().await.unwrap();
    assert_eq!(
        notification,
        json!({
            "jsonrpc": "2.0",
            "method": "notifications/resources/updated",
            "params": {"uri": "notes://index"},
        })
    );
    server.stop().await;
}

/// A server defined in another crate (the `integration_tests` library, two modules down) with
/// `#[tool(local)]` tools, served over HTTP on the multi-threaded runtime.
mod from_another_crate {
    use std::sync::atomic::Ordering;

    use integration_tests::servers::library::notebook::Notebook;
    use integration_tests::{SseReader, TestServer, eventually};
    use mcp_runtime::Mode;
    use serde_json::json;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn local_tools_stream_progress_while_they_run() {
        let notebook = Notebook::default();
        let pages = notebook.pages.clone();
        let server = TestServer::start(notebook, Mode::Stateful).await;
        let mut client = server.client();
        let init = client.initialize().await;
        // `#[mcp_server]`'s defaults are those of the crate that defines the server.
        assert_eq!(init["result"]["serverInfo"]["name"], "integration-tests");

        // More progress notifications than the request's channel holds (16): the transport
        // forwards them while the tool runs on its own thread.
        let reply = client
            .request(
                "tools/call",
                json!({"name": "write", "arguments": {"lines": 40}, "_meta": {"progressToken": "w"}}),
            )
            .await;
        let messages = reply.messages();
        let progress = messages
            .iter()
            .filter(|m| m["method"] == "notifications/progress")
            .count();
        assert_eq!(progress, 40);
        let response = messages.last().unwrap();
        assert_eq!(
            response["result"]["content"][0]["text"], "page 1 written",
            "{response}"
        );
        assert_eq!(pages.lock().unwrap()[0].lines().count(), 40);
        let result = client.call_tool("count", json!({})).await;
        assert_eq!(result["content"][0]["text"], "1");
        server.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancelling_a_local_tool_ends_it() {
        let notebook = Notebook::default();
        let (started, dropped) = (notebook.started.clone(), notebook.dropped.clone());
        let server = TestServer::start(notebook, Mode::Stateful).await;
        let mut client = server.client();
        client.initialize().await;
        let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "ponder", "arguments": {}}});
        let mut stream = SseReader::new(
            client
                .post_builder()
                .body(call.to_string())
                .send()
                .await
                .unwrap(),
        );
        // A future dropped before its first poll never ran: cancel the tool once it runs.
        eventually("the tool started", || started.load(Ordering::SeqCst) == 1).await;
        let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}});
        assert_eq!(client.post(&cancel).await.status, 202);
        let (_, last) = stream.next_message().await.unwrap();
        assert_eq!(last["error"]["code"], -32800);
        // The tool's thread saw the cancellation and dropped the tool's future.
        eventually("the tool's future is dropped", || {
            dropped.load(Ordering::SeqCst) == 1
        })
        .await;
        server.stop().await;
    }
}
