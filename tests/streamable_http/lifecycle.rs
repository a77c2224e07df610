//! The whole path of issue "Foundation": initialize → initialized → tools/list → tools/call →
//! DELETE, against a live server, in every mode and response format.

use integration_tests::servers::Calculator;
use integration_tests::{Client, TestServer};
use mcp_runtime::{HttpConfig, Mode, StreamableHttp};
use serde_json::{Value, json};

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().expect("text content")
}

async fn exercise_tools(client: &mut Client) {
    let tools = client.request("tools/list", json!({})).await.response();
    let tools = tools["result"]["tools"].as_array().expect("tools").clone();
    let add = tools
        .iter()
        .find(|t| t["name"] == "add")
        .expect("add listed");
    assert_eq!(add["description"], "Add two numbers.");
    assert_eq!(
        add["inputSchema"],
        json!({
            "type": "object",
            "properties": {
                "a": {"type": "number", "format": "double"},
                "b": {"type": "number", "format": "double"}
            },
            "required": ["a", "b"],
            "additionalProperties": false
        })
    );
    let divide = tools
        .iter()
        .find(|t| t["name"] == "divide")
        .expect("divide listed");
    assert_eq!(divide["annotations"], json!({"readOnlyHint": true}));

    let sum = client.call_tool("add", json!({"a": 2, "b": 3.5})).await;
    assert_eq!(text(&sum), "5.5");
    assert_eq!(sum.get("isError"), None);

    let by_zero = client.call_tool("divide", json!({"a": 1, "b": 0})).await;
    assert_eq!(by_zero["isError"], true);
    assert_eq!(text(&by_zero), "division by zero");

    let bad = client.call_tool("add", json!({"a": "two"})).await;
    assert_eq!(bad["isError"], true);
    let message = text(&bad);
    assert!(message.contains("invalid argument `a`"), "{message}");
    assert!(
        message.contains("missing required argument `b`"),
        "{message}"
    );

    let unknown = client
        .request("tools/call", json!({"name": "nope", "arguments": {}}))
        .await
        .response();
    assert_eq!(unknown["error"]["code"], -32602);
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nope")
    );

    let panicked = client.call_tool("explode", json!({})).await;
    assert_eq!(panicked["isError"], true);
    // The panic's text is logged, not sent: it may hold internal details.
    assert_eq!(
        text(&panicked),
        "tool `explode` failed with an internal error"
    );
    // The session survives the panic.
    assert_eq!(
        text(&client.call_tool("add", json!({"a": 1, "b": 1})).await),
        "2"
    );

    let missing = client.request("no/such/method", json!({})).await.response();
    assert_eq!(missing["error"]["code"], -32601);

    let pong = client.request("ping", json!({})).await.response();
    assert_eq!(pong["result"], json!({}));
}

async fn stateful(json_response: bool) {
    let server = TestServer::start(
        Calculator,
        HttpConfig::new(Mode::Stateful).json_response(json_response),
    )
    .await;
    let mut client = server.client();
    let init = client.initialize().await;
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(
        init["result"]["serverInfo"],
        json!({"name": "calculator", "version": "1.0.0"})
    );
    let session = client
        .session
        .clone()
        .expect("session id on the initialize response");
    assert_eq!(session.len(), 32);
    assert!(session.bytes().all(|b| b.is_ascii_hexdigit()));

    let reply = client.request("ping", json!({})).await;
    assert_eq!(reply.is_sse(), !json_response, "{:?}", reply.headers);

    exercise_tools(&mut client).await;

    let deleted = client
        .http
        .delete(&server.url)
        .header("mcp-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let gone = client.request("ping", json!({})).await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    assert_eq!(gone.json()["error"]["code"], -32600);
    assert_eq!(gone.json()["id"], Value::Null);
    server.stop().await;
}

async fn stateless(json_response: bool) {
    let server = TestServer::start(
        Calculator,
        HttpConfig::new(Mode::Stateless).json_response(json_response),
    )
    .await;
    let mut client = server.client();
    let init = client.initialize().await;
    assert_eq!(init["result"]["serverInfo"]["name"], "calculator");
    assert_eq!(client.session, None, "stateless mode assigns no session id");
    exercise_tools(&mut client).await;
    let get = client
        .http
        .get(&server.url)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
    assert_eq!(get.headers()["allow"], "POST");
    let delete = client.http.delete(&server.url).send().await.unwrap();
    assert_eq!(delete.status(), 405);
    server.stop().await;
}

#[tokio::test]
async fn stateful_sse() {
    stateful(false).await;
}

#[tokio::test]
async fn stateful_json() {
    stateful(true).await;
}

#[tokio::test]
async fn stateless_sse() {
    stateless(false).await;
}

#[tokio::test]
async fn stateless_json() {
    stateless(true).await;
}

#[tokio::test]
async fn version_negotiation_echoes_supported_and_answers_latest_otherwise() {
    let server = TestServer::start(Calculator, Mode::Stateful).await;
    for (asked, answered) in [
        ("2024-11-05", "2024-11-05"),
        ("2025-03-26", "2025-03-26"),
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"),
        ("2099-01-01", "2025-11-25"),
    ] {
        let reply = server
            .client()
            .post(&json!({
                "jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": asked, "capabilities": {},
                           "clientInfo": {"name": "t", "version": "0"}}
            }))
            .await;
        assert_eq!(
            reply.response()["result"]["protocolVersion"],
            answered,
            "asked {asked}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn a_failed_initialize_opens_no_session() {
    let server = TestServer::start(Calculator, Mode::Stateful).await;
    let reply = server
        .client()
        .post(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.response()["error"]["code"], -32602);
    assert_eq!(reply.header("mcp-session-id"), None);
    server.stop().await;
}

#[tokio::test]
async fn an_endpoint_built_first_is_served_and_keeps_its_handle() {
    let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateful));
    let handle = endpoint.handle().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(endpoint.serve(listener, async {
        let _ = stopped.await;
    }));
    let mut client = Client::new(&url);
    client.initialize().await;
    let names = |reply: Value| -> Vec<String> {
        reply["result"]["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .map(|t| t["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let before = names(client.request("tools/list", json!({})).await.response());
    assert!(before.contains(&"add".to_owned()));
    // The handle, kept from before serving, reaches the live server.
    assert!(handle.set_tool_enabled("add", false));
    let after = names(client.request("tools/list", json!({})).await.response());
    assert!(!after.contains(&"add".to_owned()), "{after:?}");
    stop.send(()).unwrap();
    served.await.unwrap().unwrap();
    assert!(
        client.http.get(&url).send().await.is_err(),
        "the listener is closed"
    );
}
