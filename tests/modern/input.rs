//! Multi round-trip requests (2026-07-28): a handler that asks the client for input through
//! the same `Context` API as in the handshake era answers `InputRequiredResult`s, and finishes
//! when the client retries with the answers and the request state.

use std::sync::atomic::Ordering;

use integration_tests::{SseReader, TestServer};
use mcp_runtime::Mode;
use serde_json::{Value, json};

use crate::support::{Desk, ModernClient};

fn accept(field: &str, value: &str) -> Value {
    json!({"action": "accept", "content": {field: value}})
}

/// What a state that is not this server's own, for this request, is told.
const INVALID_STATE: &str = "Invalid params: requestState is invalid or expired";

/// A refusal: HTTP 400 with this JSON-RPC error code and message.
fn assert_refused((status, error): (u16, Value), code: i64, message: &str, case: &str) {
    assert_eq!(status, 400, "{case}: {error}");
    assert_eq!(error["code"], code, "{case}: {error}");
    assert_eq!(error["message"], message, "{case}: {error}");
}

#[tokio::test]
async fn a_two_round_elicitation_completes_through_retries() {
    for mode in [Mode::Stateless, Mode::Stateful] {
        let server = TestServer::start(Desk::default(), mode).await;
        let mut client = ModernClient::new(&server.url);
        let call = json!({"name": "greet", "arguments": {}});

        let first = client.result("tools/call", call.clone()).await;
        assert_eq!(first["resultType"], "input_required");
        let asked = first["inputRequests"].as_object().unwrap();
        assert_eq!(
            asked.keys().collect::<Vec<_>>(),
            ["name"],
            "one question at a time"
        );
        assert_eq!(asked["name"]["method"], "elicitation/create");
        assert_eq!(asked["name"]["params"]["message"], "Your name?");
        let state1 = first["requestState"].as_str().unwrap().to_owned();

        let mut retry = call.clone();
        retry["inputResponses"] = json!({"name": accept("name", "Ada")});
        retry["requestState"] = json!(state1);
        let second = client.result("tools/call", retry).await;
        assert_eq!(second["resultType"], "input_required");
        assert_eq!(
            second["inputRequests"]["color"]["params"]["message"],
            "Favorite color?"
        );
        let state2 = second["requestState"].as_str().unwrap().to_owned();
        assert_ne!(state1, state2, "the state now carries the first answer");

        // The second retry sends only the new answer: the first comes back from the state.
        let mut last = call.clone();
        last["inputResponses"] = json!({"color": accept("color", "teal")});
        last["requestState"] = json!(state2);
        let done = client.result("tools/call", last).await;
        assert_eq!(done["resultType"], "complete");
        assert_eq!(done["content"][0]["text"], "Hello Ada, who likes teal");
        server.stop().await;
    }
}

#[tokio::test]
async fn concurrent_questions_travel_together() {
    let desk = Desk::default();
    let surveys = desk.surveys.clone();
    let server = TestServer::start(desk, Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    let call = json!({"name": "survey", "arguments": {}});
    let first = client.result("tools/call", call.clone()).await;
    let mut keys: Vec<_> = first["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(keys, ["client_roots", "greeting", "user_name"]);
    assert_eq!(
        first["inputRequests"]["client_roots"]["method"],
        "roots/list"
    );
    assert_eq!(
        surveys.load(Ordering::SeqCst),
        0,
        "stopped before its side effects"
    );
    let mut retry = call.clone();
    retry["inputResponses"] = json!({
        "user_name": accept("name", "Ada"),
        "greeting": {"role": "assistant", "content": {"type": "text", "text": "Hi!"}, "model": "m"},
        "client_roots": {"roots": [{"uri": "file:///a"}, {"uri": "file:///b"}]},
        "unexpected": {"action": "accept"}
    });
    retry["requestState"] = first["requestState"].clone();
    let done = client.result("tools/call", retry).await;
    assert_eq!(done["content"][0]["text"], "Ada / Hi! / 2 roots");
    assert_eq!(surveys.load(Ordering::SeqCst), 1);
    server.stop().await;
}

#[tokio::test]
async fn the_request_state_cannot_be_forged_or_moved() {
    let server = TestServer::start(Desk::default(), Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    let call = json!({"name": "greet", "arguments": {}});
    let first = client.result("tools/call", call.clone()).await;
    let state = first["requestState"].as_str().unwrap().to_owned();
    let answers = json!({"name": accept("name", "Ada")});

    let mut tampered = state.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    for (bad, message) in [
        (json!(format!("{state}-TAMPERED")), INVALID_STATE),
        (json!(String::from_utf8(tampered).unwrap()), INVALID_STATE),
        (json!("not a state"), INVALID_STATE),
        (json!(7), "Invalid params: requestState must be a string"),
    ] {
        let mut retry = call.clone();
        retry["inputResponses"] = answers.clone();
        retry["requestState"] = bad.clone();
        let refusal = client.error("tools/call", retry).await;
        assert_refused(refusal, -32602, message, &bad.to_string());
    }
    // A state is bound to its request: another tool cannot use it.
    let mut moved = json!({"name": "survey", "arguments": {}});
    moved["requestState"] = json!(state);
    let refusal = client.error("tools/call", moved).await;
    assert_refused(refusal, -32602, INVALID_STATE, "moved to another tool");
    // A state minted by another server instance (another key) is foreign.
    let other = TestServer::start(Desk::default(), Mode::Stateless).await;
    let mut elsewhere = ModernClient::new(&other.url);
    let mut retry = call.clone();
    retry["requestState"] = json!(state);
    let refusal = elsewhere.error("tools/call", retry).await;
    assert_refused(refusal, -32602, INVALID_STATE, "minted elsewhere");
    other.stop().await;
    server.stop().await;
}

/// A tool whose method takes no `Context` cannot ask the client for input: the macro says
/// so, and its first try runs without an input exchange. A retry sent to it still has its
/// request state checked, as for any tool.
#[tokio::test]
async fn a_tool_without_context_never_asks_and_its_retries_are_still_checked() {
    use mcp_runtime::MCPServer;
    let desk = Desk::default();
    for (tool, may_ask) in [
        ("locate", false),
        ("hang", false),
        ("greet", true),
        ("touch", true),
        ("no-such-tool", true),
    ] {
        assert_eq!(desk.tool_may_ask_input(tool), may_ask, "{tool}");
    }
    let server = TestServer::start(desk, Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    client
        .extra_headers
        .push(("mcp-param-region".into(), "attic".into()));
    let call = json!({"name": "locate", "arguments": {"region": "attic", "query": "keys"}});
    let done = client.result("tools/call", call.clone()).await;
    assert_eq!(done["resultType"], "complete");
    assert_eq!(done["content"][0]["text"], "keys in attic");

    let greeting = json!({"name": "greet", "arguments": {}});
    let asked = client.result("tools/call", greeting).await;
    for (bad, message) in [
        (asked["requestState"].clone(), INVALID_STATE),
        (json!("not a state"), INVALID_STATE),
        (json!(7), "Invalid params: requestState must be a string"),
    ] {
        let mut retry = call.clone();
        retry["requestState"] = bad.clone();
        let refusal = client.error("tools/call", retry).await;
        assert_refused(refusal, -32602, message, &format!("locate with {bad}"));
    }
    server.stop().await;
}

#[tokio::test]
async fn bad_answers_are_refused_and_missing_ones_asked_again() {
    let server = TestServer::start(Desk::default(), Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    // Answers under keys nobody asked for: asked again.
    let again = client
        .result(
            "tools/call",
            json!({"name": "greet", "arguments": {}, "inputResponses": {"wrong": accept("x", "y")}}),
        )
        .await;
    assert_eq!(again["resultType"], "input_required");
    assert!(again["inputRequests"]["name"].is_object());
    // An answer of the wrong shape, or inputResponses that is not an object: invalid params.
    let not_an_object = "Invalid params: inputResponses must be an object of results keyed by \
                         the ids of inputRequests";
    for (responses, message) in [
        (
            json!({"name": 12345}),
            "Invalid params: inputResponses.name: must be an object",
        ),
        (Value::Null, not_an_object),
        (json!([1]), not_an_object),
    ] {
        let refusal = client
            .error(
                "tools/call",
                json!({"name": "greet", "arguments": {}, "inputResponses": responses}),
            )
            .await;
        assert_refused(refusal, -32602, message, &responses.to_string());
    }
    // Questions the client cannot answer are not asked: -32021 instead.
    client.capabilities = json!({"sampling": {}});
    let (status, error) = client
        .error("tools/call", json!({"name": "greet", "arguments": {}}))
        .await;
    assert_eq!(
        error["data"]["requiredCapabilities"]["elicitation"],
        json!({})
    );
    assert_refused(
        (status, error),
        -32021,
        "this request needs the client capability `elicitation`",
        "no elicitation",
    );
    server.stop().await;
}

#[tokio::test]
async fn prompts_and_resources_ask_too_and_lists_never_do() {
    let server = TestServer::start(Desk::default(), Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    let first = client
        .result("prompts/get", json!({"name": "briefing"}))
        .await;
    assert_eq!(first["resultType"], "input_required");
    assert!(first["inputRequests"]["user_context"].is_object());
    let done = client
        .result(
            "prompts/get",
            json!({"name": "briefing",
                   "inputResponses": {"user_context": accept("context", "tea")},
                   "requestState": first["requestState"]}),
        )
        .await;
    assert_eq!(done["resultType"], "complete");
    assert_eq!(done["messages"][0]["content"]["text"], "Brief me on tea");

    let first = client
        .result("resources/read", json!({"uri": "desk://secret"}))
        .await;
    assert_eq!(first["resultType"], "input_required");
    assert!(
        first.get("ttlMs").is_none(),
        "an interim result is not cacheable"
    );
    let done = client
        .result(
            "resources/read",
            json!({"uri": "desk://secret",
                   "inputResponses": {"who": accept("who", "Ada")},
                   "requestState": first["requestState"]}),
        )
        .await;
    assert_eq!(done["contents"][0]["text"], "for Ada");
    assert_eq!(done["ttlMs"], 0);

    for method in ["tools/list", "prompts/list", "resources/list"] {
        let result = client.result(method, json!({})).await;
        assert_eq!(result["resultType"], "complete", "{method}");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_same_tool_asks_on_the_stream_in_the_handshake_era() {
    let server = TestServer::start(Desk::default(), Mode::Stateful).await;
    let mut legacy = server.client();
    legacy.initialize().await;
    let body = json!({"jsonrpc": "2.0", "id": 50, "method": "tools/call",
                      "params": {"name": "greet", "arguments": {}}});
    let mut stream = SseReader::new(
        legacy
            .post_builder()
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    );
    // `greet` asks its two questions as requests on the stream, one after the other.
    for (field, value) in [("name", "Ada"), ("color", "teal")] {
        let (_, request) = stream.next_message().await.unwrap();
        assert_eq!(request["method"], "elicitation/create");
        let answer = legacy
            .post(&json!({"jsonrpc": "2.0", "id": request["id"], "result": accept(field, value)}))
            .await;
        assert_eq!(answer.status, 202);
    }
    let (_, response) = stream.next_message().await.unwrap();
    assert_eq!(response["id"], 50);
    assert_eq!(
        response["result"]["content"][0]["text"],
        "Hello Ada, who likes teal"
    );
    assert!(response["result"].get("resultType").is_none());
    server.stop().await;
}

/// A `#[tool(local)]` tool, whose future runs on a thread of its own, asks the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_tool_asks_the_client_too() {
    use integration_tests::servers::library::notebook::Notebook;

    let notebook = Notebook::default();
    let dropped = notebook.dropped.clone();
    let server = TestServer::start(notebook, Mode::Stateless).await;
    let mut client = ModernClient::new(&server.url);
    let call = json!({"name": "sign", "arguments": {}});
    let first = client.result("tools/call", call.clone()).await;
    assert_eq!(first["resultType"], "input_required", "{first}");
    assert_eq!(
        first["inputRequests"]["input-0"]["params"]["message"],
        "Your name?"
    );
    let mut retry = call.clone();
    retry["inputResponses"] = json!({"input-0": accept("name", "Ada")});
    retry["requestState"] = first["requestState"].clone();
    let done = client.result("tools/call", retry).await;
    assert_eq!(done["content"][0]["text"], "signed: Ada", "{done}");
    // Both runs' futures were dropped: the stopped one and the finished one.
    assert_eq!(dropped.load(Ordering::SeqCst), 2);
    server.stop().await;
}
