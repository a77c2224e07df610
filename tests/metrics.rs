//! The runtime's metrics read as a Prometheus server would (the `prometheus` feature): a live
//! server, a real client over HTTP, then `GET /metrics` parsed line by line. The instruments
//! are process-wide and every server in the process feeds them, so this binary has one test
//! and one server of its own.

use integration_tests::Client;
use integration_tests::servers::Calculator;
use mcp_runtime::metrics::Prometheus;
use std::time::Duration;

use mcp_runtime::protocol::TaskStatus;
use mcp_runtime::store::{InMemoryTaskStore, TaskRecord, TaskStore};
use mcp_runtime::{HttpConfig, Mode, ServerConfig, StreamableHttp, TaskConfig};
use serde_json::json;

/// The value of the sample named `name` whose labels include every `labels` pair (`None`
/// when there is none).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        let (labels_text, value) = match rest.strip_prefix('{') {
            Some(rest) => rest.split_once("} ")?,
            None => ("", rest.strip_prefix(' ')?),
        };
        let all = labels
            .iter()
            .all(|(key, want)| labels_text.contains(&format!("{key}=\"{want}\"")));
        all.then(|| value.trim().parse().ok()).flatten()
    })
}

async fn scrape(metrics_url: &str) -> String {
    let response = reqwest::get(metrics_url).await.expect("GET /metrics");
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"].to_str().expect("ascii");
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response.text().await.expect("body")
}

#[tokio::test]
async fn calls_sessions_and_gauges_show_on_the_metrics_route() {
    let prometheus = Prometheus::install().expect("the first install in this process");
    assert!(
        matches!(
            Prometheus::install(),
            Err(mcp_runtime::metrics::PrometheusError::AlreadyInstalled)
        ),
        "a second install is refused"
    );
    let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateful));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = endpoint.router().merge(prometheus.router());
    let serving = endpoint.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serving.serve_with(listener, app, async {
        let _ = stopped.await;
    }));
    let metrics_url = format!("http://{addr}/metrics");

    let mut client = Client::new(&format!("http://{addr}/mcp"));
    client.initialize().await;
    let sum = client.call_tool("add", json!({"a": 1, "b": 2})).await;
    assert_eq!(sum["content"][0]["text"], "3");
    client.call_tool("add", json!({"a": 2, "b": 2})).await;
    let by_zero = client.call_tool("divide", json!({"a": 1, "b": 0})).await;
    assert_eq!(by_zero["isError"], true);
    let unknown = client
        .request(
            "tools/call",
            json!({"name": "made-up-name", "arguments": {}}),
        )
        .await
        .response();
    assert_eq!(unknown["error"]["code"], -32602);

    // A notification the protocol does not define: measured, under `_OTHER`.
    let made_up = client
        .post(&json!({"jsonrpc": "2.0", "method": "notifications/made-up"}))
        .await;
    assert_eq!(made_up.status, 202);

    let text = scrape(&metrics_url).await;
    let count = "mcp_server_operation_duration_seconds_count";
    // Notifications received are operations too (the convention: "request or notification
    // duration as observed on the receiver"), without error.type.
    let initialized = [
        ("mcp_method_name", "notifications/initialized"),
        ("network_transport", "tcp"),
        ("mcp_protocol_version", "2025-11-25"),
    ];
    assert_eq!(sample(&text, count, &initialized), Some(1.0), "{text}");
    let other = [("mcp_method_name", "_OTHER")];
    assert_eq!(sample(&text, count, &other), Some(1.0), "{text}");
    assert!(!text.contains("made-up"), "{text}");
    let add = [
        ("mcp_method_name", "tools/call"),
        ("gen_ai_tool_name", "add"),
        ("network_transport", "tcp"),
        ("mcp_protocol_version", "2025-11-25"),
    ];
    assert_eq!(sample(&text, count, &add), Some(2.0), "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with(count)
            && l.contains("gen_ai_tool_name=\"add\"")
            && l.contains("error_type")),
        "a successful call has no error.type: {text}"
    );
    let tool_error = [("gen_ai_tool_name", "divide"), ("error_type", "tool_error")];
    assert_eq!(sample(&text, count, &tool_error), Some(1.0), "{text}");
    // The unknown tool: its code, and no series named after what the client made up.
    let invalid = [
        ("mcp_method_name", "tools/call"),
        ("error_type", "-32602"),
        ("rpc_response_status_code", "-32602"),
    ];
    assert_eq!(sample(&text, count, &invalid), Some(1.0), "{text}");
    assert!(!text.contains("made-up-name"), "{text}");
    let initialize = [("mcp_method_name", "initialize")];
    assert_eq!(sample(&text, count, &initialize), Some(1.0), "{text}");
    // Buckets in seconds, as the convention sets them.
    let bucket = [("gen_ai_tool_name", "add"), ("le", "300")];
    assert_eq!(
        sample(
            &text,
            "mcp_server_operation_duration_seconds_bucket",
            &bucket
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "mcp_server_sessions", &[]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "mcp_server_requests_in_flight", &[]),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "mcp_server_session_duration_seconds_count", &[]),
        None
    );

    // The session ends: its duration is recorded and the gauge falls.
    let session = client.session.clone().expect("a session id");
    let deleted = reqwest::Client::new()
        .delete(&client.url)
        .header("mcp-session-id", session)
        .send()
        .await
        .expect("DELETE");
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let text = scrape(&metrics_url).await;
    assert_eq!(
        sample(&text, "mcp_server_sessions", &[]),
        Some(0.0),
        "{text}"
    );
    let ended = [("mcp_protocol_version", "2025-11-25")];
    assert_eq!(
        sample(&text, "mcp_server_session_duration_seconds_count", &ended),
        Some(1.0),
        "{text}"
    );

    // Tasks by status, as the store counts them: a server whose in-memory store holds two
    // completed tasks, one failed and one working (a task store is shared, so the gauge
    // reports it, not only what runs here).
    let store = InMemoryTaskStore::new(100);
    for status in [
        TaskStatus::Completed,
        TaskStatus::Completed,
        TaskStatus::Failed,
        TaskStatus::Working,
    ] {
        let mut record = TaskRecord::new(None, Some(Duration::from_secs(600)), None);
        record.status = status;
        store.create(&record).await.expect("stored");
    }
    let tasks = TaskConfig::default().store(store.clone());
    let config = HttpConfig::new(Mode::Stateless).server(ServerConfig::new().tasks(tasks));
    let jobs = StreamableHttp::new(Jobs, config);
    let text = scrape(&metrics_url).await;
    for (status, n) in [
        ("working", 1.0),
        ("input_required", 0.0),
        ("completed", 2.0),
        ("failed", 1.0),
        ("cancelled", 0.0),
    ] {
        let labels = [("mcp_task_status", status)];
        assert_eq!(
            sample(&text, "mcp_server_tasks", &labels),
            Some(n),
            "{status}: {text}"
        );
    }
    drop(jobs);

    let _ = stop.send(());
    task.await.expect("server task").expect("server result");
}

/// A server with a tool that may run as a task.
struct Jobs;

#[mcp_runtime::mcp_server(name = "jobs", version = "1.0.0")]
impl Jobs {
    /// Works a while.
    #[mcp_runtime::tool(task = "optional")]
    async fn work(&self) -> &'static str {
        "done"
    }
}
