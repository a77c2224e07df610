//! The spans a real dispatcher makes, read by a subscriber layer that records their fields.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

use crate::engine::principal::Caller;
use crate::engine::{Dispatcher, NetworkTransport, Peer, RequestEnv};
use crate::protocol::{Message, Request};

struct Calc;

#[crate::mcp_server(crate = crate)]
impl Calc {
    /// Add.
    #[crate::tool]
    fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }

    /// Always fails, as a tool error.
    #[crate::tool]
    fn refuse(&self) -> Result<String, String> {
        Err("refused".into())
    }

    /// Greet.
    #[crate::prompt]
    fn greet(&self, name: String) -> String {
        format!("Hello {name}")
    }

    /// A note.
    #[crate::resource(uri = "note://one", mime_type = "text/plain")]
    fn note(&self) -> &'static str {
        "one"
    }
}

/// A span as the layer saw it: its name and every field recorded, as text.
#[derive(Debug, Clone, Default)]
struct Seen {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

impl Seen {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

impl Visit for Seen {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields
            .insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.fields
            .insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// Records every span's fields, in creation order.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

/// A span's place in the recorder.
struct Slot(usize);

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        let mut seen = Seen {
            name: attrs.metadata().name(),
            ..Seen::default()
        };
        attrs.record(&mut seen);
        let mut spans = self.0.lock().expect("recorder");
        spans.push(seen);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Slot(spans.len() - 1));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: LayerContext<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let extensions = span.extensions();
        let Some(Slot(slot)) = extensions.get::<Slot>() else {
            return;
        };
        let mut spans = self.0.lock().expect("recorder");
        values.record(&mut spans[*slot]);
    }
}

impl Recorder {
    /// Makes this recorder the thread's subscriber until the guard drops.
    fn install(&self) -> DefaultGuard {
        tracing::subscriber::set_default(Registry::default().with(self.clone()))
    }

    /// The SERVER spans recorded.
    fn servers(&self) -> Vec<Seen> {
        let spans = self.0.lock().expect("recorder");
        spans
            .iter()
            .filter(|s| s.get("otel.kind") == Some("server"))
            .cloned()
            .collect()
    }
}

fn request(json: &str) -> Request {
    match Message::parse(json.as_bytes()) {
        Ok(Message::Request(request)) => request,
        other => panic!("not a request: {other:?}"),
    }
}

fn dispatcher(transport: NetworkTransport) -> Dispatcher {
    Dispatcher::new(Calc, &crate::ServerConfig::default(), transport)
}

/// A session's peer after `initialize` at 2025-11-25.
fn session_peer(dispatcher: &Dispatcher) -> Arc<Peer> {
    let peer = dispatcher.session_peer().in_session("0123abcd".into());
    let client = crate::protocol::Implementation::new("test", "1");
    assert!(peer.initialize(
        crate::protocol::Version::V2025_11_25,
        client,
        Default::default()
    ));
    Arc::new(peer)
}

/// Answers one request in a session; the JSON text of the response.
async fn answer(dispatcher: &Dispatcher, json: &str) -> String {
    let env = RequestEnv::new(session_peer(dispatcher), None);
    dispatcher
        .handle_request(request(json), env)
        .await
        .expect("an answer")
}

#[tokio::test]
// The span is named for its target (`tools/call add`) through OpenTelemetry's API once the
// route has read the params: `.ci/suites/45-otel.sh` checks the exported names. A plain
// subscriber sees `otel.name` as the method, and the target in its own attribute.
async fn a_tool_call_is_a_server_span_named_for_its_tool() {
    let recorder = Recorder::default();
    let _guard = recorder.install();
    let dispatcher = dispatcher(NetworkTransport::Tcp);
    let reply = answer(
        &dispatcher,
        r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#,
    )
    .await;
    assert!(reply.contains(r#""text":"3""#), "{reply}");
    let spans = recorder.servers();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let span = &spans[0];
    assert_eq!(span.name, "mcp.server");
    assert_eq!(span.get("otel.name"), Some("tools/call"));
    assert_eq!(span.get("mcp.method.name"), Some("tools/call"));
    assert_eq!(span.get("jsonrpc.request.id"), Some("7"));
    assert_eq!(span.get("gen_ai.tool.name"), Some("add"));
    assert_eq!(span.get("gen_ai.operation.name"), Some("execute_tool"));
    assert_eq!(span.get("mcp.session.id"), Some("0123abcd"));
    assert_eq!(span.get("mcp.protocol.version"), Some("2025-11-25"));
    assert_eq!(span.get("network.transport"), Some("tcp"));
    assert_eq!(span.get("error.type"), None);
    assert_eq!(span.get("otel.status_code"), None);
}

#[tokio::test]
async fn a_tool_result_with_is_error_is_a_tool_error() {
    let recorder = Recorder::default();
    let _guard = recorder.install();
    let dispatcher = dispatcher(NetworkTransport::Pipe);
    let reply = answer(
        &dispatcher,
        r#"{"jsonrpc":"2.0","id":"call-1","method":"tools/call","params":{"name":"refuse"}}"#,
    )
    .await;
    assert!(reply.contains(r#""isError":true"#), "{reply}");
    let span = &recorder.servers()[0];
    assert_eq!(span.get("otel.name"), Some("tools/call"));
    // A string id as it is, without the quotes log lines give it.
    assert_eq!(span.get("jsonrpc.request.id"), Some("call-1"));
    assert_eq!(span.get("network.transport"), Some("pipe"));
    assert_eq!(span.get("error.type"), Some("tool_error"));
    assert_eq!(span.get("otel.status_code"), Some("error"));
    // The JSON-RPC call succeeded: no status code.
    assert_eq!(span.get("rpc.response.status_code"), None);
}

#[tokio::test]
async fn a_json_rpc_error_sets_the_error_type_code_and_status() {
    let recorder = Recorder::default();
    let _guard = recorder.install();
    let dispatcher = dispatcher(NetworkTransport::Tcp);
    let reply = answer(
        &dispatcher,
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"nope"}}"#,
    )
    .await;
    assert!(reply.contains("-32602"), "{reply}");
    let span = &recorder.servers()[0];
    assert_eq!(span.get("otel.name"), Some("tools/call"));
    assert_eq!(span.get("error.type"), Some("-32602"));
    assert_eq!(span.get("rpc.response.status_code"), Some("-32602"));
    assert_eq!(span.get("otel.status_code"), Some("error"));
    assert_eq!(
        span.get("otel.status_description"),
        Some("Invalid params: Unknown tool: nope")
    );
}

#[tokio::test]
async fn prompts_and_resources_name_their_target() {
    let recorder = Recorder::default();
    let _guard = recorder.install();
    let dispatcher = dispatcher(NetworkTransport::Tcp);
    answer(
        &dispatcher,
        r#"{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{"name":"greet","arguments":{"name":"Ada"}}}"#,
    )
    .await;
    answer(
        &dispatcher,
        r#"{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"note://one"}}"#,
    )
    .await;
    answer(
        &dispatcher,
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#,
    )
    .await;
    let spans = recorder.servers();
    assert_eq!(spans[0].get("otel.name"), Some("prompts/get"));
    assert_eq!(spans[0].get("gen_ai.prompt.name"), Some("greet"));
    assert_eq!(spans[0].get("gen_ai.operation.name"), None);
    // The URI is an attribute, never the span's name (high cardinality).
    assert_eq!(spans[1].get("otel.name"), Some("resources/read"));
    assert_eq!(spans[1].get("mcp.resource.uri"), Some("note://one"));
    assert_eq!(spans[2].get("otel.name"), Some("tools/list"));
    assert_eq!(spans[2].get("gen_ai.tool.name"), None);
}

#[tokio::test]
async fn initialize_records_the_version_it_agreed_on() {
    let recorder = Recorder::default();
    let _guard = recorder.install();
    let dispatcher = dispatcher(NetworkTransport::Tcp);
    let peer = Arc::new(dispatcher.session_peer().in_session("s".into()));
    let env = RequestEnv::new(peer, None);
    let init = request(
        r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
    );
    dispatcher
        .handle_request(init, env)
        .await
        .expect("answered");
    let span = &recorder.servers()[0];
    assert_eq!(span.get("otel.name"), Some("initialize"));
    assert_eq!(span.get("mcp.protocol.version"), Some("2025-06-18"));
    assert_eq!(span.get("mcp.session.id"), Some("s"));
}

#[test]
fn notifications_get_a_span_without_request_id() {
    let recorder = Recorder::default();
    let _guard = recorder.install();
    let dispatcher = dispatcher(NetworkTransport::Pipe);
    let peer = session_peer(&dispatcher);
    let Ok(Message::Notification(notification)) =
        Message::parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
    else {
        panic!("a notification");
    };
    dispatcher.handle_notification(notification, &peer, &Caller::default());
    let span = &recorder.servers()[0];
    assert_eq!(span.get("otel.name"), Some("notifications/initialized"));
    assert_eq!(
        span.get("mcp.method.name"),
        Some("notifications/initialized")
    );
    assert_eq!(span.get("jsonrpc.request.id"), None);
    assert_eq!(span.get("network.transport"), Some("pipe"));
}

#[tokio::test]
async fn without_a_subscriber_that_wants_it_no_span_is_made() {
    // Set explicitly: other tests' subscribers, alive on other threads, make the callsite
    // "always" interesting, and then only a subscriber on this thread can say no.
    let _guard = tracing::subscriber::set_default(tracing::subscriber::NoSubscriber::default());
    let dispatcher = dispatcher(NetworkTransport::Tcp);
    let add = request(
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#,
    );
    let (peer, caller) = (session_peer(&dispatcher), Caller::default());
    // No span; metrics, installed by another test of this binary, may still watch it.
    let observed = super::observe(&add, dispatcher.site(&peer, &caller));
    assert!(observed.is_none_or(|o| o.span.is_none()));
    let reply = answer(
        &dispatcher,
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#,
    )
    .await;
    assert!(reply.contains(r#""text":"3""#), "{reply}");
}

/// With the `otel` feature: the parent from `_meta`, else from the `traceparent` header, and
/// the context written into requests to the client.
#[cfg(feature = "otel")]
mod otel {
    use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    const CLIENT_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const HEADER_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

    fn install() -> DefaultGuard {
        let tracer = SdkTracerProvider::builder().build().tracer("test");
        let subscriber =
            Registry::default().with(tracing_opentelemetry::layer().with_tracer(tracer));
        tracing::subscriber::set_default(subscriber)
    }

    fn headers(traceparent: &str) -> axum::http::HeaderMap {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("traceparent", traceparent.parse().expect("a header value"));
        headers
    }

    /// The trace id of the span made for `json` arriving with `caller`'s headers.
    fn trace_of(json: &str, caller: &Caller) -> String {
        let dispatcher = dispatcher(NetworkTransport::Tcp);
        let peer = session_peer(&dispatcher);
        let span = super::super::observe(&request(json), dispatcher.site(&peer, caller))
            .and_then(|observed| observed.span)
            .expect("a span");
        span.context().span().span_context().trace_id().to_string()
    }

    #[test]
    fn the_parent_comes_from_meta_before_the_header() {
        let _guard = install();
        let call = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"add","_meta":{{"traceparent":"00-{CLIENT_TRACE}-00f067aa0ba902b7-01"}}}}}}"#
        );
        let header = Caller {
            headers: Some(Arc::new(headers(&format!(
                "00-{HEADER_TRACE}-b7ad6b7169203331-01"
            )))),
            ..Caller::default()
        };
        assert_eq!(trace_of(&call, &Caller::default()), CLIENT_TRACE);
        assert_eq!(trace_of(&call, &header), CLIENT_TRACE);
        let plain = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
        assert_eq!(trace_of(plain, &header), HEADER_TRACE);
        // Neither: a trace of its own.
        let own = trace_of(plain, &Caller::default());
        assert!(own != CLIENT_TRACE && own != HEADER_TRACE, "{own}");
        // A malformed traceparent is ignored, never an error.
        let bad = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"traceparent":"00-zz-yy-01"}}}"#;
        assert_eq!(trace_of(bad, &header), HEADER_TRACE);
    }

    #[test]
    fn requests_to_the_client_carry_their_span_in_meta() {
        let _guard = install();
        let server = tracing::info_span!("server");
        let _entered = server.enter();
        let mut params = serde_json::json!({ "messages": [], "_meta": { "other": 1 } });
        let peer = Peer::new(true).in_session("s1".into());
        let span =
            super::super::client_request("sampling/createMessage", &7.into(), &mut params, &peer);
        let cx = span.context();
        let context = cx.span().span_context().clone();
        let traceparent = params["_meta"]["traceparent"]
            .as_str()
            .expect("traceparent");
        assert_eq!(
            traceparent,
            format!("00-{}-{}-01", context.trace_id(), context.span_id())
        );
        assert_eq!(
            context.trace_id(),
            server.context().span().span_context().trace_id()
        );
        assert_eq!(params["_meta"]["other"], 1, "other _meta keys stay");
    }
}
