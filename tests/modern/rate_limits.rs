//! Rate limiting in the 2026-07-28 era (no session) against a live server: a bucket per
//! principal; a refused request gets 429 with `Retry-After` and `data.retryAfter`, and another
//! principal is not held back.

use std::num::NonZeroU32;
use std::time::Duration;

use integration_tests::servers::Calculator;
use mcp_runtime::middleware::RateLimit;
use mcp_runtime::{HttpConfig, Mode, ServerConfig, StreamableHttp};
use serde_json::json;

use crate::support::ModernClient;

fn as_user(url: &str, user: &str) -> ModernClient {
    let mut client = ModernClient::new(url);
    client.extra_headers.push(("x-user".into(), user.into()));
    client
}

#[tokio::test]
async fn a_principal_over_its_rate_gets_429_with_retry_after() {
    let three = NonZeroU32::new(3).expect("not zero");
    let limit = RateLimit::per_principal(three, Duration::from_secs(60));
    let config = HttpConfig::new(Mode::Stateful).server(ServerConfig::new().layer(limit));
    let endpoint = StreamableHttp::new(Calculator, config);
    let (url, task) = integration_tests::serve_with_users(&endpoint).await;

    let mut alice = as_user(&url, "alice");
    for n in 0..3 {
        let result = alice
            .result(
                "tools/call",
                json!({"name": "add", "arguments": {"a": n, "b": 1}}),
            )
            .await;
        assert_eq!(result["content"][0]["text"], (n + 1).to_string());
    }
    let refused = alice
        .request(
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 1}}),
        )
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    let wait: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=20).contains(&wait), "{wait}");
    let error = &refused.response()["error"];
    assert_eq!(error["data"]["limit"], "rate_limit", "{error}");
    assert_eq!(error["data"]["retryAfter"], wait);

    // Bob's bucket is full.
    let mut bob = as_user(&url, "bob");
    let result = bob
        .result(
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 1}}),
        )
        .await;
    assert_eq!(result["content"][0]["text"], "2");
    endpoint.shutdown();
    task.abort();
}
