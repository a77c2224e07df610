//! The audit log (`ServerConfig::audit`): one `tracing` event per request, with the principal,
//! the method, the tool, the duration and the outcome; arguments only when asked for. Read by
//! a real subscriber layer installed as the process's global subscriber.

use std::sync::{Arc, Mutex, OnceLock};

use integration_tests::servers::Calculator;
use integration_tests::{Client, eventually};
use mcp_runtime::middleware::{AUDIT_TARGET, Audit};
use mcp_runtime::{HttpConfig, Mode, ServerConfig, StreamableHttp};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

type Event = std::collections::BTreeMap<String, String>;

/// Keeps every audit event's fields.
#[derive(Clone, Default)]
struct Audits(Arc<Mutex<Vec<Event>>>);

impl Audits {
    fn of_session(&self, session: &str) -> Vec<Event> {
        let events = self.0.lock().expect("not poisoned");
        events
            .iter()
            .filter(|e| e.get("session").map(String::as_str) == Some(session))
            .cloned()
            .collect()
    }
}

struct Fields<'a>(&'a mut Event);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Audits {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != AUDIT_TARGET {
            return;
        }
        let mut fields = Event::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().expect("not poisoned").push(fields);
    }
}

/// The process's subscriber: the server's tasks run on other threads.
fn audits() -> Audits {
    static AUDITS: OnceLock<Audits> = OnceLock::new();
    AUDITS
        .get_or_init(|| {
            let audits = Audits::default();
            tracing::subscriber::set_global_default(Registry::default().with(audits.clone()))
                .expect("the first global subscriber");
            audits
        })
        .clone()
}

/// Calls `add`, `divide` by zero and an unknown tool as `user` on an endpoint with `log`;
/// returns the audit events of that session.
async fn calls(log: Audit, user: &str) -> Vec<Event> {
    let audits = audits();
    let config = HttpConfig::new(Mode::Stateful).server(ServerConfig::new().layer(log));
    let endpoint = StreamableHttp::new(Calculator, config);
    let (url, task) = integration_tests::serve_with_users(&endpoint).await;
    let mut client = Client::new(&url);
    client.http = reqwest::Client::builder()
        .default_headers(
            [(
                reqwest::header::HeaderName::from_static("x-user"),
                user.parse().expect("a header value"),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .expect("a client");
    client.initialize().await;
    client.call_tool("add", json!({"a": 1, "b": 2})).await;
    client.call_tool("divide", json!({"a": 1, "b": 0})).await;
    client
        .request(
            "tools/call",
            json!({"name": "nope", "arguments": {"secret": "x"}}),
        )
        .await;
    let session = client.session.clone().expect("a session");
    eventually("four audit events", || {
        audits.of_session(&session).len() == 4
    })
    .await;
    endpoint.shutdown();
    task.abort();
    audits.of_session(&session)
}

#[tokio::test]
async fn every_request_gets_one_audit_event_with_arguments_redacted() {
    let events = calls(Audit::new(), "alice").await;
    let methods: Vec<&str> = events.iter().map(|e| e["method"].as_str()).collect();
    assert_eq!(
        methods,
        ["initialize", "tools/call", "tools/call", "tools/call"],
        "{events:?}"
    );
    for event in &events {
        assert_eq!(event["principal"], "alice", "{event:?}");
        assert!(event["duration_ms"].parse::<u64>().is_ok(), "{event:?}");
    }
    let (add, divide, unknown) = (&events[1], &events[2], &events[3]);
    assert_eq!(add["tool"], "add");
    assert_eq!(add["outcome"], "ok");
    assert_eq!(add["arguments"], "redacted");
    assert_eq!(divide["tool"], "divide");
    assert_eq!(divide["outcome"], "tool_error");
    assert_eq!(unknown["tool"], "nope");
    assert_eq!(unknown["outcome"], "-32602");
    assert_eq!(unknown["arguments"], "redacted");
    assert_eq!(
        events[0]["arguments"], "",
        "not a tool call: no arguments field value"
    );
}

#[tokio::test]
async fn arguments_are_logged_only_when_the_server_opts_in() {
    let events = calls(Audit::new().arguments(true), "bob").await;
    assert_eq!(events[1]["principal"], "bob");
    assert_eq!(
        events[1]["arguments"],
        r#"{"a": 1, "b": 2}"#.replace(' ', "")
    );
    assert_eq!(events[3]["arguments"], r#"{"secret":"x"}"#);
}
