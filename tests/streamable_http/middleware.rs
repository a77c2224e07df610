//! Middleware over MCP requests against a live server: tower layers around the whole server,
//! one method and one tool (`ServerConfig::layer`, `layer_for_method`, `layer_for_tool`), in
//! the order they were added.

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use integration_tests::TestServer;
use integration_tests::servers::Calculator;
use mcp_runtime::middleware::{Layer, McpFuture, McpRequest, McpService, Service};
use mcp_runtime::protocol::{ErrorObject, Method};
use mcp_runtime::{HttpConfig, Mode, ServerConfig};
use serde_json::json;
use serde_json::value::RawValue;

/// Notes each request it sees as `label method target`, then passes it on.
#[derive(Clone)]
struct Note {
    label: &'static str,
    seen: Arc<Mutex<Vec<String>>>,
}

struct Noted<'a> {
    note: Note,
    inner: McpService<'a>,
}

impl<'a> Layer<McpService<'a>> for Note {
    type Service = Noted<'a>;
    fn layer(&self, inner: McpService<'a>) -> Noted<'a> {
        Noted {
            note: self.clone(),
            inner,
        }
    }
}

impl<'a> Service<McpRequest> for Noted<'a> {
    type Response = Box<RawValue>;
    type Error = ErrorObject;
    type Future = McpFuture<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: McpRequest) -> McpFuture<'a> {
        let target = request.target().map(|t| t.into_owned()).unwrap_or_default();
        let line = format!("{} {} {target}", self.note.label, request.method.as_str());
        self.note.seen.lock().expect("not poisoned").push(line);
        self.inner.call(request)
    }
}

/// Refuses `divide` (answers itself, the tool never runs) and turns `add`'s `b` into 10.
#[derive(Clone)]
struct Policy;

struct Policed<'a>(McpService<'a>);

impl<'a> Layer<McpService<'a>> for Policy {
    type Service = Policed<'a>;
    fn layer(&self, inner: McpService<'a>) -> Policed<'a> {
        Policed(inner)
    }
}

impl<'a> Service<McpRequest> for Policed<'a> {
    type Response = Box<RawValue>;
    type Error = ErrorObject;
    type Future = McpFuture<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut request: McpRequest) -> McpFuture<'a> {
        if request.target().as_deref() == Some("divide") {
            let refusal = ErrorObject::invalid_params("divide is switched off by policy");
            return Box::pin(std::future::ready(Err(refusal)));
        }
        if request.target().as_deref() == Some("add") {
            let params = json!({"name": "add", "arguments": {"a": 1, "b": 10}});
            request.params = serde_json::value::to_raw_value(&params).ok();
        }
        self.0.call(request)
    }
}

#[tokio::test]
async fn layers_wrap_the_server_a_method_and_a_tool_in_order() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let note = |label| Note {
        label,
        seen: seen.clone(),
    };
    let server = ServerConfig::new()
        .layer(note("server"))
        .layer_for_method(Method::ToolsList, note("list"))
        .layer_for_tool("add", note("add"))
        .layer_for_method(Method::ToolsCall, Policy);
    let live = TestServer::start(Calculator, HttpConfig::new(Mode::Stateful).server(server)).await;
    let mut client = live.client();
    client.initialize().await;
    client.request("tools/list", json!({})).await;
    // The policy rewrote `b`: 1 + 10.
    let sum = client.call_tool("add", json!({"a": 1, "b": 2})).await;
    assert_eq!(sum["content"][0]["text"], "11", "{sum}");
    // The policy answered for `divide`: a JSON-RPC error, the tool never ran.
    let refused = client
        .request(
            "tools/call",
            json!({"name": "divide", "arguments": {"a": 1, "b": 0}}),
        )
        .await
        .response();
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    assert_eq!(
        refused["error"]["message"],
        "Invalid params: divide is switched off by policy"
    );

    let seen = seen.lock().expect("not poisoned").clone();
    assert_eq!(
        seen,
        [
            "server initialize ",
            "server tools/list ",
            "list tools/list ",
            "server tools/call add",
            "add tools/call add",
            "server tools/call divide",
        ]
    );
    live.stop().await;
}
