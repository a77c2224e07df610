//! A raw-HTTP 2026-07-28 client and a server whose tools use every part of the era, shared by
//! this binary's modules.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use integration_tests::{Reply, read};
use mcp_runtime::{Args, Context, PeerError, mcp_server, prompt, resource, tool};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// The revision under test.
pub const V: &str = "2026-07-28";

/// A 2026-07-28 client: every request carries the `_meta` envelope and the routing headers.
#[derive(Debug, Clone)]
pub struct ModernClient {
    pub http: reqwest::Client,
    pub url: String,
    pub next_id: i64,
    /// `io.modelcontextprotocol/clientCapabilities`.
    pub capabilities: Value,
    /// `io.modelcontextprotocol/logLevel`, if any.
    pub log_level: Option<String>,
    /// Sent with every request (who the caller is, for an authentication layer).
    pub extra_headers: Vec<(String, String)>,
}

impl ModernClient {
    pub fn new(url: &str) -> Self {
        ModernClient {
            http: reqwest::Client::new(),
            url: url.to_owned(),
            next_id: 1,
            capabilities: json!({"elicitation": {}, "sampling": {}, "roots": {}}),
            log_level: None,
            extra_headers: Vec::new(),
        }
    }

    /// `params` with the envelope added to its `_meta`.
    pub fn with_meta(&self, params: Value) -> Value {
        let mut params = match params {
            Value::Object(map) => map,
            _ => Default::default(),
        };
        let meta = params
            .entry("_meta")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("_meta is an object");
        meta.entry("io.modelcontextprotocol/protocolVersion")
            .or_insert(json!(V));
        meta.entry("io.modelcontextprotocol/clientCapabilities")
            .or_insert(self.capabilities.clone());
        meta.entry("io.modelcontextprotocol/clientInfo")
            .or_insert(json!({"name": "modern-test", "version": "1.0.0"}));
        if let Some(level) = &self.log_level {
            meta.entry("io.modelcontextprotocol/logLevel")
                .or_insert(json!(level));
        }
        Value::Object(params)
    }

    /// A POST with the standard headers for `method` (and `Mcp-Name` from `params`).
    pub fn builder(&self, method: &str, params: &Value) -> reqwest::RequestBuilder {
        let mut b = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", V)
            .header("mcp-method", method);
        for (name, value) in &self.extra_headers {
            b = b.header(name, value);
        }
        let name = match method {
            "tools/call" | "prompts/get" => params.get("name"),
            "resources/read" => params.get("uri"),
            "tasks/get" | "tasks/update" | "tasks/cancel" => params.get("taskId"),
            _ => None,
        };
        if let Some(name) = name.and_then(Value::as_str) {
            b = b.header("mcp-name", name);
        }
        b
    }

    /// The JSON-RPC body of a request.
    pub fn body(&mut self, method: &str, params: &Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
    }

    /// Sends `method` with `params` (the envelope added) and reads the whole reply.
    pub async fn request(&mut self, method: &str, params: Value) -> Reply {
        let params = self.with_meta(params);
        let body = self.body(method, &params);
        read(
            self.builder(method, &params)
                .body(body.to_string())
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    /// The result of a request that must succeed.
    pub async fn result(&mut self, method: &str, params: Value) -> Value {
        let reply = self.request(method, params).await;
        assert_eq!(reply.status, 200, "{method}: {}", reply.body);
        let response = reply.response();
        response
            .get("result")
            .cloned()
            .unwrap_or_else(|| panic!("{method}: no result in {response}"))
    }

    /// The error of a request that must fail, with its HTTP status.
    pub async fn error(&mut self, method: &str, params: Value) -> (u16, Value) {
        let reply = self.request(method, params).await;
        let response = reply.response();
        let error = response
            .get("error")
            .cloned()
            .unwrap_or_else(|| panic!("{method}: no error in {response}"));
        (reply.status, error)
    }
}

/// Counts drops, to see a handler's future go away.
pub struct CountOnDrop(pub Arc<AtomicUsize>);

impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Arguments of `locate`, one of them mirrored into `Mcp-Param-Region`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Locate {
    /// Where to look.
    #[schemars(extend("x-mcp-header" = "Region"))]
    pub region: String,
    /// What to look for.
    pub query: String,
}

/// A server whose tools use every part of the 2026-07-28 era; the same code serves the
/// handshake era.
#[derive(Default)]
pub struct Desk {
    /// `hang` calls started.
    pub started: Arc<AtomicUsize>,
    /// `hang` futures dropped.
    pub dropped: Arc<AtomicUsize>,
    /// Times `survey` ran past its questions.
    pub surveys: Arc<AtomicUsize>,
}

fn form(message: &str, field: &str) -> Value {
    json!({
        "message": message,
        "requestedSchema": {
            "type": "object",
            "properties": {field: {"type": "string"}},
            "required": [field]
        }
    })
}

#[mcp_server(name = "desk", version = "2.0.0", instructions = "A desk for tests.")]
impl Desk {
    /// Ask for a name, then a color, then greet.
    #[tool]
    async fn greet(&self, ctx: Context) -> Result<String, PeerError> {
        let name = ctx
            .with_input_key("name")
            .request_with_capability(
                "elicitation",
                "elicitation/create",
                form("Your name?", "name"),
            )
            .await?;
        let color = ctx
            .with_input_key("color")
            .request_with_capability(
                "elicitation",
                "elicitation/create",
                form("Favorite color?", "color"),
            )
            .await?;
        Ok(format!(
            "Hello {}, who likes {}",
            name["content"]["name"].as_str().unwrap_or("?"),
            color["content"]["color"].as_str().unwrap_or("?")
        ))
    }

    /// Ask for a name, a model's greeting and the roots, all at once.
    #[tool]
    async fn survey(&self, ctx: Context) -> Result<String, PeerError> {
        let (asker, sampler, lister) = (
            ctx.with_input_key("user_name"),
            ctx.with_input_key("greeting"),
            ctx.with_input_key("client_roots"),
        );
        let (name, greeting, roots) = tokio::join!(
            asker.request("elicitation/create", form("What is your name?", "name")),
            sampler.request(
                "sampling/createMessage",
                json!({"messages": [{"role": "user", "content": {"type": "text", "text": "Hi"}}], "maxTokens": 50})
            ),
            lister.request("roots/list", json!({})),
        );
        let (name, greeting, roots) = (name?, greeting?, roots?);
        self.surveys.fetch_add(1, Ordering::SeqCst);
        Ok(format!(
            "{} / {} / {} roots",
            name["content"]["name"].as_str().unwrap_or("?"),
            greeting["content"]["text"].as_str().unwrap_or("?"),
            roots["roots"].as_array().map_or(0, Vec::len)
        ))
    }

    /// Needs the client's sampling capability.
    #[tool]
    async fn needs_sampling(&self, ctx: Context) -> Result<String, PeerError> {
        ctx.require_capability("sampling").await?;
        Ok("the client samples".into())
    }

    /// Logs and reports progress.
    #[tool]
    async fn chatter(&self, ctx: Context) -> &'static str {
        ctx.info("hello from the tool").await;
        ctx.progress(1.0, Some(1.0), Some("all done")).await;
        "chatted"
    }

    /// Waits a minute (or until dropped).
    #[tool]
    async fn hang(&self) -> &'static str {
        let _dropped = CountOnDrop(self.dropped.clone());
        self.started.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        "woke up"
    }

    /// Shows or hides `hang`.
    #[tool]
    fn toggle(&self, ctx: Context) -> &'static str {
        let server = ctx.server();
        server.set_tool_enabled("hang", !server.is_tool_enabled("hang"));
        "toggled"
    }

    /// Announces that `uri` changed.
    #[tool]
    fn touch(&self, uri: String, ctx: Context) -> String {
        ctx.server().notify_resource_updated(uri.clone());
        uri
    }

    /// Looks something up in a region.
    #[tool]
    fn locate(&self, Args(args): Args<Locate>) -> String {
        format!("{} in {}", args.query, args.region)
    }

    /// The desk's note.
    #[resource(uri = "desk://note", mime_type = "text/plain")]
    fn note(&self) -> &'static str {
        "remember the milk"
    }

    /// A note that asks who reads it.
    #[resource(uri = "desk://secret", mime_type = "text/plain")]
    async fn secret(&self, ctx: Context) -> Result<String, String> {
        let who = ctx
            .with_input_key("who")
            .request("elicitation/create", form("Who are you?", "who"))
            .await
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "for {}",
            who["content"]["who"].as_str().unwrap_or("?")
        ))
    }

    /// A prompt that first asks for context.
    #[prompt]
    async fn briefing(&self, ctx: Context) -> Result<String, String> {
        let answer = ctx
            .with_input_key("user_context")
            .request("elicitation/create", form("What context?", "context"))
            .await
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "Brief me on {}",
            answer["content"]["context"].as_str().unwrap_or("?")
        ))
    }
}
