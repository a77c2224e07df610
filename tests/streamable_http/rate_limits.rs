//! Rate limiting in the handshake era against a live server: a token bucket per session; a
//! refused request gets 429 with `Retry-After` and a JSON-RPC error with `data.retryAfter`,
//! whether the endpoint answers in JSON or SSE (with an event store too); another session has
//! its own bucket; a limit scoped to one tool refuses that tool only.

use std::num::NonZeroU32;
use std::time::Duration;

use integration_tests::TestServer;
use integration_tests::servers::Calculator;
use mcp_runtime::middleware::RateLimit;
use mcp_runtime::{HttpConfig, Mode, ServerConfig};
use serde_json::json;

/// Two requests a minute per session: `initialize` and one call, then a refusal.
fn limited(json_response: bool) -> HttpConfig {
    let two = NonZeroU32::new(2).expect("not zero");
    let limit = RateLimit::per_session(two, Duration::from_secs(60));
    HttpConfig::new(Mode::Stateful)
        .json_response(json_response)
        .server(ServerConfig::new().layer(limit))
}

async fn refused_after_two(json_response: bool) {
    refused(limited(json_response)).await;
}

async fn refused(config: HttpConfig) {
    let live = TestServer::start(Calculator, config).await;
    let mut client = live.client();
    client.initialize().await;
    let sum = client.call_tool("add", json!({"a": 1, "b": 2})).await;
    assert_eq!(sum["content"][0]["text"], "3");

    let refused = client
        .request(
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 2}}),
        )
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    let wait: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    // One token per 30 s: the next comes within 30 s, rounded up.
    assert!((1..=30).contains(&wait), "{wait}");
    let error = &refused.json()["error"];
    assert_eq!(error["code"], -32000, "{error}");
    assert_eq!(error["data"]["limit"], "rate_limit");
    assert_eq!(error["data"]["retryAfter"], wait);

    // Another session has a bucket of its own.
    let mut other = live.client();
    other.initialize().await;
    let sum = other.call_tool("add", json!({"a": 2, "b": 2})).await;
    assert_eq!(sum["content"][0]["text"], "4");
    live.stop().await;
}

#[tokio::test]
async fn a_session_over_its_rate_gets_429_with_retry_after_in_json() {
    refused_after_two(true).await;
}

#[tokio::test]
async fn a_session_over_its_rate_gets_429_with_retry_after_in_sse_mode() {
    refused_after_two(false).await;
}

/// With an event store the response is a resumable stream, chosen once the request has been
/// polled: a refusal is still a 429.
#[tokio::test]
async fn a_session_over_its_rate_gets_429_with_an_event_store_too() {
    let config = limited(false).event_store(mcp_runtime::store::InMemoryEventStore::default());
    refused(config).await;
}

/// A limit scoped to one tool (`layer_for_tool`): its calls share the bucket, other requests
/// pass.
#[tokio::test]
async fn a_limit_on_one_tool_refuses_that_tool_only() {
    let limit = RateLimit::per_session(NonZeroU32::MIN, Duration::from_secs(60));
    let config = HttpConfig::new(Mode::Stateful)
        .json_response(true)
        .server(ServerConfig::new().layer_for_tool("divide", limit));
    let live = TestServer::start(Calculator, config).await;
    let mut client = live.client();
    client.initialize().await;
    let third = client.call_tool("divide", json!({"a": 1, "b": 3})).await;
    assert!(third.get("isError").is_none(), "{third}");
    let refused = client
        .request(
            "tools/call",
            json!({"name": "divide", "arguments": {"a": 1, "b": 3}}),
        )
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    for n in 0..3 {
        let sum = client.call_tool("add", json!({"a": n, "b": 1})).await;
        assert_eq!(sum["content"][0]["text"], (n + 1).to_string());
    }
    live.stop().await;
}
