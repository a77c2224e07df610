//! Servers as users write them: generic over a store, state behind `Arc`, several servers in
//! one crate, several impl blocks on one type, elided lifetimes, a server in a nested module,
//! and `#[tool(local)]` tools whose future is not `Send`. Called directly (no transport).

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use mcp_runtime::{CallToolResult, Context, MCPServer, mcp_server, prompt, resource, tool};
use serde_json::{Value, json};

async fn call(server: &impl MCPServer, name: &str, arguments: Value) -> CallToolResult {
    let future = server
        .call_tool(
            name,
            arguments.as_object().cloned().into(),
            Context::detached(),
        )
        .unwrap_or_else(|| panic!("no tool named {name}"));
    future.await
}

fn text(result: &CallToolResult) -> &str {
    assert_eq!(result.content.len(), 1, "{result:?}");
    result.content[0].as_text().expect("a text block")
}

fn tool_names(server: &impl MCPServer) -> Vec<String> {
    server.tools().into_iter().map(|tool| tool.name).collect()
}

/// Where a key-value server keeps its data.
trait Store: Send + Sync + 'static {
    fn get(&self, key: &str) -> Option<String>;
    fn put(&self, key: String, value: String) -> Result<(), String>;
    fn len(&self) -> usize;
}

#[derive(Default)]
struct MemoryStore(Mutex<HashMap<String, String>>);

impl Store for MemoryStore {
    fn get(&self, key: &str) -> Option<String> {
        self.0.lock().unwrap().get(key).cloned()
    }

    fn put(&self, key: String, value: String) -> Result<(), String> {
        self.0.lock().unwrap().insert(key, value);
        Ok(())
    }

    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// A store that refuses writes.
struct Frozen;

impl Store for Frozen {
    fn get(&self, key: &str) -> Option<String> {
        (key == "answer").then(|| "42".to_owned())
    }

    fn put(&self, _: String, _: String) -> Result<(), String> {
        Err("this store is read-only".into())
    }

    fn len(&self) -> usize {
        1
    }
}

/// A server generic over its store.
struct KeyValue<S: Store> {
    store: S,
}

#[mcp_server(name = "kv")]
impl<S: Store> KeyValue<S> {
    /// Read a key.
    #[tool(read_only)]
    fn get(&self, key: String) -> Result<String, String> {
        self.store.get(&key).ok_or_else(|| format!("no key {key}"))
    }

    /// Write a key.
    #[tool]
    async fn put(&self, key: String, value: String) -> Result<String, String> {
        self.store.put(key, value)?;
        Ok(format!("{} keys", self.size()))
    }
}

// More methods of the server, in a plain impl block: only one block of a type carries
// `#[mcp_server]` (it implements `MCPServer`), and its tools may call methods of the others.
impl<S: Store> KeyValue<S> {
    fn new(store: S) -> Self {
        KeyValue { store }
    }

    fn size(&self) -> usize {
        self.store.len()
    }
}

#[tokio::test]
async fn generic_server_over_a_store_trait() {
    let memory = KeyValue::new(MemoryStore::default());
    assert_eq!(memory.server_info().name, "kv");
    let result = call(&memory, "put", json!({ "key": "a", "value": "1" })).await;
    assert_eq!(text(&result), "1 keys");
    assert_eq!(
        text(&call(&memory, "get", json!({ "key": "a" })).await),
        "1"
    );
    let missing = call(&memory, "get", json!({ "key": "b" })).await;
    assert_eq!((text(&missing), missing.is_error), ("no key b", Some(true)));

    let frozen = KeyValue::new(Frozen);
    assert_eq!(tool_names(&frozen), tool_names(&memory));
    assert_eq!(
        text(&call(&frozen, "get", json!({ "key": "answer" })).await),
        "42"
    );
    let refused = call(&frozen, "put", json!({ "key": "a", "value": "1" })).await;
    assert_eq!(
        (text(&refused), refused.is_error),
        ("this store is read-only", Some(true))
    );
}

/// State shared between clones, behind `Arc`.
#[derive(Clone, Default)]
struct Counter {
    count: Arc<Mutex<u64>>,
    calls: Arc<AtomicU64>,
}

#[mcp_server(name = "counter")]
impl Counter {
    /// Add `by` (1 when left out).
    #[tool]
    fn increment(&self, by: Option<u64>) -> u64 {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let mut count = self.count.lock().unwrap();
        *count += by.unwrap_or(1);
        *count
    }

    /// The count, after the others are done.
    #[tool(read_only)]
    async fn get(&self) -> u64 {
        tokio::task::yield_now().await;
        *self.count.lock().unwrap()
    }

    /// Add `by`, keeping a note in an `Rc` across an `.await`: the future is not `Send`, so
    /// the tool is `local`. It runs on a clone of the server, which shares the `Arc`s.
    #[tool(local)]
    async fn increment_slowly(&self, by: u64, ctx: Context) -> Result<String, String> {
        let note = Rc::new(format!("adding {by}"));
        tokio::task::yield_now().await;
        if ctx.is_cancelled() {
            return Err("cancelled".into());
        }
        let count = self.increment(Some(by));
        Ok(format!("{note}: {count}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_behind_arc_is_shared_by_concurrent_calls() {
    let counter = Counter::default();
    let calls = (0..50).map(|_| call(&counter, "increment", json!({})));
    futures_util::future::join_all(calls).await;
    assert_eq!(text(&call(&counter, "get", json!({})).await), "50");
    assert_eq!(
        text(&call(&counter, "increment", json!({ "by": 5 })).await),
        "55"
    );
    assert_eq!(counter.calls.load(Ordering::Relaxed), 51);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_tools_run_futures_that_are_not_send() {
    let counter = Counter::default();
    let result = call(&counter, "increment_slowly", json!({ "by": 2 })).await;
    assert_eq!(text(&result), "adding 2: 2");
    // On the clone, whose `Arc`s are the original's.
    assert_eq!(*counter.count.lock().unwrap(), 2);
    let calls = (0..10).map(|_| call(&counter, "increment_slowly", json!({ "by": 1 })));
    futures_util::future::join_all(calls).await;
    assert_eq!(text(&call(&counter, "get", json!({})).await), "12");
    // Arguments are checked before the tool's thread starts.
    let result = call(&counter, "increment_slowly", json!({ "by": "two" })).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).starts_with("Invalid arguments: invalid argument `by`"));
}

#[tokio::test]
async fn local_tools_run_on_a_current_thread_runtime_too() {
    let counter = Counter::default();
    let result = call(&counter, "increment_slowly", json!({ "by": 3 })).await;
    assert_eq!(text(&result), "adding 3: 3");
}

/// Tools that return what they borrow from the server: lifetimes elided or named.
struct Profile {
    name: String,
    tags: Vec<String>,
}

#[mcp_server(name = "profile")]
impl Profile {
    /// The name.
    #[tool]
    fn name(&self) -> &str {
        &self.name
    }

    /// A greeting, borrowed when there is nobody to greet.
    #[tool]
    fn greet(&self, who: Option<String>) -> Cow<'_, str> {
        match who {
            Some(who) => Cow::Owned(format!("{} greets {who}", self.name)),
            None => Cow::Borrowed(&self.name),
        }
    }

    /// The tags, as JSON (the lifetime named, as some write it).
    #[tool]
    #[allow(clippy::needless_lifetimes)]
    async fn tags<'a>(&'a self) -> &'a [String] {
        &self.tags
    }

    /// The first tag.
    #[tool]
    fn first_tag(&self) -> Result<&String, &'static str> {
        self.tags.first().ok_or("no tags")
    }

    /// The name, as a resource.
    #[resource(uri = "profile://name")]
    fn name_resource(&self) -> &str {
        &self.name
    }

    /// Introduce yourself.
    #[prompt]
    fn intro(&self) -> &str {
        &self.name
    }
}

#[tokio::test]
async fn borrowed_results() {
    let profile = Profile {
        name: "Ada".into(),
        tags: vec!["math".into(), "engines".into()],
    };
    assert_eq!(text(&call(&profile, "name", json!({})).await), "Ada");
    assert_eq!(text(&call(&profile, "greet", json!({})).await), "Ada");
    assert_eq!(
        text(&call(&profile, "greet", json!({ "who": "Charles" })).await),
        "Ada greets Charles"
    );
    assert_eq!(
        text(&call(&profile, "tags", json!({})).await),
        r#"["math","engines"]"#
    );
    assert_eq!(
        text(&call(&profile, "first_tag", json!({})).await),
        r#""math""#
    );
    let read = profile.read_resource("profile://name", Context::detached());
    let read = serde_json::to_value(read.unwrap().await.unwrap()).unwrap();
    assert_eq!(read["contents"][0]["text"], "Ada");
    let prompt = profile.get_prompt("intro", None, Context::detached());
    let prompt = serde_json::to_value(prompt.unwrap().await.unwrap()).unwrap();
    assert_eq!(prompt["messages"][0]["content"]["text"], "Ada");
}

/// A point, used by the nested server through `super::`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Point {
    x: i64,
    y: i64,
}

/// A server two modules down, using a type from the crate root.
mod outer {
    pub(crate) mod inner {
        use mcp_runtime::{mcp_server, tool};

        pub(crate) struct Deep;

        #[mcp_server(name = "deep")]
        impl Deep {
            /// Move a point right.
            #[tool]
            fn shift(&self, point: super::super::Point, by: Option<i64>) -> (i64, i64) {
                (point.x + by.unwrap_or(1), point.y)
            }
        }
    }
}

#[tokio::test]
async fn server_in_a_nested_module() {
    let deep = outer::inner::Deep;
    let result = call(&deep, "shift", json!({ "point": { "x": 1, "y": 2 } })).await;
    assert_eq!(text(&result), "[2,2]");
    let schema = &deep.tools()[0].input_schema;
    assert_eq!(schema["$defs"]["Point"]["required"], json!(["x", "y"]));
}

#[test]
fn several_servers_in_one_crate_keep_their_own_tools() {
    let kv = KeyValue::new(Frozen);
    assert_eq!(tool_names(&kv), ["get", "put"]);
    assert_eq!(
        tool_names(&Counter::default()),
        ["increment", "get", "increment_slowly"]
    );
    assert_eq!(tool_names(&outer::inner::Deep), ["shift"]);
    let names: Vec<String> = [
        kv.server_info(),
        Counter::default().server_info(),
        outer::inner::Deep.server_info(),
    ]
    .into_iter()
    .map(|info| info.name)
    .collect();
    assert_eq!(names, ["kv", "counter", "deep"]);
}

/// A server that says who it is: title, description, home page and icons.
struct Branded;

#[mcp_server(
    name = "branded",
    version = "3.1.0",
    title = "Branded Server",
    description = "Shows how a server presents itself.",
    website_url = "https://example.com/branded",
    icon(
        src = "https://example.com/b.svg",
        mime_type = "image/svg+xml",
        sizes = "any"
    ),
    icon = "https://example.com/b-dark.png"
)]
impl Branded {
    /// Ping.
    #[tool]
    fn ping(&self) -> &'static str {
        "pong"
    }
}

#[tokio::test]
async fn server_info_carries_title_description_website_and_icons() {
    let info = Branded.server_info();
    assert_eq!(
        serde_json::to_value(&info).unwrap(),
        json!({
            "name": "branded",
            "version": "3.1.0",
            "title": "Branded Server",
            "description": "Shows how a server presents itself.",
            "websiteUrl": "https://example.com/branded",
            "icons": [
                {"src": "https://example.com/b.svg", "mimeType": "image/svg+xml", "sizes": ["any"]},
                {"src": "https://example.com/b-dark.png"}
            ]
        })
    );
    // And the initialize result sends it (over in-memory stdio).
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (mut to_server, server_input) = tokio::io::duplex(64 * 1024);
    let (from_server, server_output) = tokio::io::duplex(64 * 1024);
    let serving = tokio::spawn(mcp_runtime::serve_io(Branded, server_input, server_output));
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1", "icons": [{"not": "an icon"}]}}});
    to_server
        .write_all(format!("{init}\n").as_bytes())
        .await
        .unwrap();
    let mut lines = BufReader::new(from_server).lines();
    let reply = lines.next_line().await.unwrap().expect("a reply");
    drop(to_server);
    serving.await.unwrap().unwrap();
    let reply: Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(
        reply["result"]["serverInfo"]["websiteUrl"],
        "https://example.com/branded"
    );
    assert_eq!(reply["result"]["serverInfo"]["title"], "Branded Server");
}
