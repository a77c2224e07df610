//! Tool timeouts against a live server: `#[tool(timeout = "...")]` and the server default
//! (a `Timeout` layer). The call's future is dropped and the client gets an
//! `isError` result naming the tool and the duration; the session lives on.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use integration_tests::{TestServer, eventually};
use mcp_runtime::middleware::Timeout;
use mcp_runtime::{HttpConfig, Mode, ServerConfig, mcp_server, tool};
use serde_json::json;

/// Counts the calls whose future was dropped or finished.
#[derive(Default)]
struct Sleepy {
    stopped: Arc<AtomicUsize>,
}

struct CountOnDrop(Arc<AtomicUsize>);

impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[mcp_server(name = "sleepy", version = "0.1.0")]
impl Sleepy {
    /// Sleeps `ms` milliseconds; may run 100 ms.
    #[tool(timeout = "100ms")]
    async fn nap(&self, ms: u64) -> String {
        let _count = CountOnDrop(self.stopped.clone());
        tokio::time::sleep(Duration::from_millis(ms)).await;
        "rested".into()
    }

    /// Sleeps `ms` milliseconds; the server default applies.
    #[tool]
    async fn doze(&self, ms: u64) -> String {
        let _count = CountOnDrop(self.stopped.clone());
        tokio::time::sleep(Duration::from_millis(ms)).await;
        "rested".into()
    }

    /// Its own timeout is longer than the server default, and wins.
    #[tool(timeout = "5s")]
    async fn slumber(&self, ms: u64) -> String {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        "rested".into()
    }
}

fn text(result: &serde_json::Value) -> &str {
    result["content"][0]["text"].as_str().expect("text content")
}

#[tokio::test]
async fn a_tool_past_its_timeout_is_cancelled_and_the_client_told() {
    let stopped = Arc::new(AtomicUsize::new(0));
    let server = Sleepy {
        stopped: stopped.clone(),
    };
    let config = HttpConfig::new(Mode::Stateful)
        .server(ServerConfig::new().layer(Timeout::new(Duration::from_millis(300))));
    let live = TestServer::start(server, config).await;
    let mut client = live.client();
    client.initialize().await;

    // Within its timeout: the result.
    let quick = client.call_tool("nap", json!({"ms": 1})).await;
    assert_eq!(text(&quick), "rested");
    assert_eq!(quick.get("isError"), None);

    // Past it: an error result naming the tool and the duration, well before the nap ends.
    let started = std::time::Instant::now();
    let late = client.call_tool("nap", json!({"ms": 60_000})).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(late["isError"], true, "{late}");
    assert_eq!(
        text(&late),
        "tool `nap` timed out after 100ms and was cancelled"
    );
    // Its future was dropped: both calls' guards ran.
    eventually("the timed-out call's future is dropped", || {
        stopped.load(Ordering::SeqCst) == 2
    })
    .await;

    // A tool without its own timeout gets the server's.
    let dozed = client.call_tool("doze", json!({"ms": 60_000})).await;
    assert_eq!(dozed["isError"], true, "{dozed}");
    assert_eq!(
        text(&dozed),
        "tool `doze` timed out after 300ms and was cancelled"
    );

    // A tool's own timeout wins over the server's, even when longer.
    let slept = client.call_tool("slumber", json!({"ms": 600})).await;
    assert_eq!(text(&slept), "rested", "{slept}");

    // The session lives on.
    let again = client.call_tool("nap", json!({"ms": 1})).await;
    assert_eq!(text(&again), "rested");
    live.stop().await;
}

/// `Timeout` is a layer: scoped to one tool it overrides the server-wide one added before it
/// (the innermost decides), and other tools keep the server's.
#[tokio::test]
async fn a_tool_scoped_timeout_overrides_the_server_one() {
    let config = HttpConfig::new(Mode::Stateful).server(
        ServerConfig::new()
            .layer(Timeout::new(Duration::from_millis(300)))
            .layer_for_tool("doze", Timeout::new(Duration::from_secs(5))),
    );
    let live = TestServer::start(Sleepy::default(), config).await;
    let mut client = live.client();
    client.initialize().await;

    let dozed = client.call_tool("doze", json!({"ms": 600})).await;
    assert_eq!(text(&dozed), "rested", "{dozed}");
    let late = client.call_tool("nap", json!({"ms": 60_000})).await;
    assert_eq!(
        text(&late),
        "tool `nap` timed out after 100ms and was cancelled",
        "its own timeout still wins"
    );
    live.stop().await;
}
