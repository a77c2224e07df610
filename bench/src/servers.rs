//! The servers under test, each with the same one-line `add(a, b)` tool, run as
//! `mcp-bench serve KIND ADDR` in a process of their own.

use std::io::Write;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

/// The size of a large payload: 1 MiB of text, or of bytes before base64.
pub const PAYLOAD_BYTES: usize = 1 << 20;

/// Sessions the bench lets our server hold (the default, 10,000, is below the 100k test).
pub const OUR_MAX_SESSIONS: usize = 1_000_000;

/// Every server the benchmark runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A bare axum handler: parse the JSON-RPC body, answer the same result. The limit.
    Axum,
    /// mcp-runtime, stateless, JSON responses.
    OursStateless,
    /// mcp-runtime, stateless, JSON responses, behind mcp-auth's bearer layer (a known token:
    /// what every call after a client's first costs).
    OursAuth,
    /// mcp-runtime, stateful, JSON responses.
    OursJson,
    /// mcp-runtime, stateful, SSE responses (the default configuration).
    OursSse,
    /// rmcp 3.11, stateless, JSON responses.
    RmcpStateless,
    /// rmcp 3.11, stateful (sessions), SSE responses (its default configuration).
    RmcpSse,
    /// mcp-runtime's stateless server, called in the 2026-07-28 era: no session, each request
    /// with its `_meta` envelope and the `Mcp-Method`/`Mcp-Name` headers; JSON responses.
    Ours2026Json,
    /// The same, with SSE responses (the server's choice when the client accepts both).
    Ours2026Sse,
    /// rmcp 3.11's stateless JSON server, called in the 2026-07-28 era.
    Rmcp2026Json,
    /// ours-stateless-json with spans on: a `tracing` registry records every span at INFO
    /// (the runtime's request spans), and nothing exports them.
    OursTraced,
    /// ours-stateless-json exporting traces and metrics over OTLP/HTTP (the `otel` feature's
    /// `telemetry::init_from_env`) to a sink in the benchmark process that answers 200.
    OursOtel,
    /// Bare axum answering `tools/call` `text` with 1 MiB of text and `resources/read` with
    /// 1 MiB of bytes in base64, built per request as a handler would (`mcp-bench payload`).
    AxumPayload,
    /// mcp-runtime, stateless, JSON responses, with the same tool and resource.
    OursPayload,
    /// mcp-runtime, stateful, SSE, with an event store, a short idle timeout, the tools the
    /// soak's abusers need and `GET /stats` (`mcp-bench soak`; not in the benchmark).
    OursSoak,
    /// ours-stateful-json as one node of several: sessions and bus on Redis
    /// (`MCP_BENCH_REDIS_URL`; `mcp-bench redis`).
    OursJsonRedis,
    /// ours-stateful-sse with an in-memory event store (`mcp-bench redis`'s baseline).
    OursSseEvents,
    /// The same on Redis: sessions, bus, and the event store on Redis Streams.
    OursSseRedisEvents,
    /// The 2026-07-28 era served by a stateful endpoint (what a node serving both eras runs),
    /// JSON responses, in memory (`mcp-bench redis`'s baseline).
    Ours2026Stateful,
    /// The same with its sessions and bus on Redis.
    Ours2026Redis,
}

impl Kind {
    /// All kinds, in the order they are run and shown.
    pub const ALL: [Kind; 12] = [
        Kind::Axum,
        Kind::OursStateless,
        Kind::OursAuth,
        Kind::OursTraced,
        Kind::OursOtel,
        Kind::OursJson,
        Kind::OursSse,
        Kind::Ours2026Json,
        Kind::Ours2026Sse,
        Kind::RmcpStateless,
        Kind::RmcpSse,
        Kind::Rmcp2026Json,
    ];

    /// The name on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Axum => "axum",
            Kind::OursStateless => "ours-stateless-json",
            Kind::OursAuth => "ours-stateless-json-auth",
            Kind::OursJson => "ours-stateful-json",
            Kind::OursSse => "ours-stateful-sse",
            Kind::RmcpStateless => "rmcp-stateless-json",
            Kind::RmcpSse => "rmcp-stateful-sse",
            Kind::Ours2026Json => "ours-2026-json",
            Kind::Ours2026Sse => "ours-2026-sse",
            Kind::Rmcp2026Json => "rmcp-2026-json",
            Kind::OursTraced => "ours-stateless-json-traced",
            Kind::OursOtel => "ours-stateless-json-otel",
            Kind::AxumPayload => "axum-payload",
            Kind::OursPayload => "ours-payload",
            Kind::OursSoak => "ours-soak",
            Kind::OursJsonRedis => "ours-stateful-json-redis",
            Kind::OursSseEvents => "ours-stateful-sse-events",
            Kind::OursSseRedisEvents => "ours-stateful-sse-redis-events",
            Kind::Ours2026Stateful => "ours-2026-json-stateful",
            Kind::Ours2026Redis => "ours-2026-json-redis",
        }
    }

    /// Parses [`name`](Self::name).
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .chain([Kind::OursSoak, Kind::AxumPayload, Kind::OursPayload])
            .chain(Kind::REDIS_PAIRS.into_iter().flat_map(|(a, b)| [a, b]))
            .find(|k| k.name() == name)
    }

    /// `mcp-bench redis`'s pairs: the same node in memory, then on Redis.
    pub const REDIS_PAIRS: [(Kind, Kind); 3] = [
        (Kind::OursJson, Kind::OursJsonRedis),
        (Kind::OursSseEvents, Kind::OursSseRedisEvents),
        (Kind::Ours2026Stateful, Kind::Ours2026Redis),
    ];

    /// Whether it keeps its state in Redis (at `MCP_BENCH_REDIS_URL`).
    pub fn on_redis(self) -> bool {
        matches!(
            self,
            Kind::OursJsonRedis | Kind::OursSseRedisEvents | Kind::Ours2026Redis
        )
    }

    /// Whether each client opens a session first.
    pub fn stateful(self) -> bool {
        matches!(
            self,
            Kind::OursJson
                | Kind::OursSse
                | Kind::RmcpSse
                | Kind::OursSoak
                | Kind::OursJsonRedis
                | Kind::OursSseEvents
                | Kind::OursSseRedisEvents
        )
    }

    /// Whether its clients speak the 2026-07-28 era (no `initialize`, the envelope on every
    /// request).
    pub fn modern(self) -> bool {
        matches!(
            self,
            Kind::Ours2026Json
                | Kind::Ours2026Sse
                | Kind::Rmcp2026Json
                | Kind::Ours2026Stateful
                | Kind::Ours2026Redis
        )
    }

    /// Whether this is one of ours.
    pub fn ours(self) -> bool {
        matches!(
            self,
            Kind::OursStateless
                | Kind::OursAuth
                | Kind::OursTraced
                | Kind::OursOtel
                | Kind::OursJson
                | Kind::OursSse
                | Kind::Ours2026Json
                | Kind::Ours2026Sse
                | Kind::OursPayload
                | Kind::OursSoak
                | Kind::OursJsonRedis
                | Kind::OursSseEvents
                | Kind::OursSseRedisEvents
                | Kind::Ours2026Stateful
                | Kind::Ours2026Redis
        )
    }

    /// The same server without authorization or telemetry, for kinds that add one.
    pub fn unauthorized(self) -> Option<Kind> {
        matches!(self, Kind::OursAuth | Kind::OursTraced | Kind::OursOtel)
            .then_some(Kind::OursStateless)
    }

    /// Environment the server process needs (`sink`: where OTLP goes, for the otel kind).
    pub fn env(self, sink: impl FnOnce() -> Option<String>) -> Vec<(&'static str, String)> {
        match self {
            Kind::OursOtel => match sink() {
                Some(endpoint) => vec![
                    ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
                    ("OTEL_SERVICE_NAME", "mcp-bench".to_owned()),
                    ("RUST_LOG", "warn".to_owned()),
                ],
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The `Authorization` header its clients send.
    pub fn bearer(self) -> Option<&'static str> {
        (self == Kind::OursAuth).then_some("Bearer bench-token")
    }

    /// The rmcp server ours is compared with (rmcp has no stateful JSON mode: its
    /// `json_response` applies only without sessions).
    pub fn rmcp_peer(self) -> Option<Kind> {
        match self {
            Kind::OursStateless => Some(Kind::RmcpStateless),
            Kind::OursJson | Kind::OursSse => Some(Kind::RmcpSse),
            Kind::Ours2026Json | Kind::Ours2026Sse => Some(Kind::Rmcp2026Json),
            _ => None,
        }
    }
}

/// `mcp-bench serve KIND ADDR`: serves until killed. Prints `listening ADDR` once bound.
pub fn main(args: &[String]) -> Result<(), String> {
    let [kind, addr] = args else {
        return Err("usage: mcp-bench serve KIND ADDR".into());
    };
    let kind = Kind::parse(kind).ok_or_else(|| format!("unknown server kind {kind}"))?;
    if let Ok(core) = std::env::var("MCP_BENCH_PIN") {
        // Fallback when `taskset` is missing: the parent asks the child to pin itself.
        if let Ok(core) = core.parse() {
            crate::sys::pin_to_core(core);
        }
    }
    // Worker threads default to the cores this process may use: one when pinned.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime
        .block_on(serve(kind, addr))
        .map_err(|e| format!("{}: {e}", kind.name()))
}

async fn serve(kind: Kind, addr: &str) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening {local}")?;
        out.flush()?;
    }
    match kind {
        Kind::Axum => bare_axum::serve(listener).await,
        Kind::OursStateless | Kind::Ours2026Json => {
            ours::serve(listener, mcp_runtime::Mode::Stateless, true).await
        }
        Kind::Ours2026Sse => ours::serve(listener, mcp_runtime::Mode::Stateless, false).await,
        Kind::OursAuth => ours::serve_authorized(listener).await,
        Kind::OursJson => ours::serve(listener, mcp_runtime::Mode::Stateful, true).await,
        Kind::OursSse => ours::serve(listener, mcp_runtime::Mode::Stateful, false).await,
        Kind::RmcpStateless | Kind::Rmcp2026Json => peer_rmcp::serve(listener, false).await,
        Kind::RmcpSse => peer_rmcp::serve(listener, true).await,
        Kind::OursTraced => {
            use tracing_subscriber::layer::SubscriberExt as _;
            use tracing_subscriber::util::SubscriberInitExt as _;
            tracing_subscriber::registry()
                .with(tracing_subscriber::filter::LevelFilter::INFO)
                .try_init()
                .map_err(std::io::Error::other)?;
            ours::serve(listener, mcp_runtime::Mode::Stateless, true).await
        }
        Kind::OursOtel => {
            let _telemetry = mcp_runtime::telemetry::init_from_env_with("warn")
                .map_err(std::io::Error::other)?;
            ours::serve(listener, mcp_runtime::Mode::Stateless, true).await
        }
        Kind::OursSoak => crate::soak::server::serve(listener).await,
        Kind::AxumPayload => bare_axum::serve_payload(listener).await,
        Kind::OursPayload => ours::serve_payload(listener).await,
        Kind::OursJsonRedis => ours::serve_backed(listener, true, ours::Backing::Redis).await,
        Kind::OursSseEvents => {
            ours::serve_backed(listener, false, ours::Backing::MemoryEvents).await
        }
        Kind::OursSseRedisEvents => {
            ours::serve_backed(listener, false, ours::Backing::RedisEvents).await
        }
        Kind::Ours2026Stateful => ours::serve_backed(listener, true, ours::Backing::Memory).await,
        Kind::Ours2026Redis => ours::serve_backed(listener, true, ours::Backing::Redis).await,
    }
}

/// Our server: the quickstart's `add`, served by `serve_listener`.
pub(crate) mod ours {
    use mcp_runtime::{HttpConfig, Mode, mcp_server, resource, tool};
    use tokio::net::TcpListener;

    #[derive(Default)]
    pub(super) struct Calculator;

    #[mcp_server(name = "calculator", version = "1.0.0")]
    impl Calculator {
        /// Add two numbers.
        #[tool]
        async fn add(&self, a: f64, b: f64) -> f64 {
            a + b
        }
    }

    pub(super) async fn serve(
        listener: TcpListener,
        mode: Mode,
        json: bool,
    ) -> std::io::Result<()> {
        let config = HttpConfig::new(mode)
            .json_response(json)
            .max_sessions(super::OUR_MAX_SESSIONS);
        mcp_runtime::serve_listener(Calculator, listener, config, std::future::pending()).await
    }

    /// Where a stateful node keeps what it shares.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) enum Backing {
        /// Its own memory, no event store.
        Memory,
        /// Its own memory, with an event store.
        MemoryEvents,
        /// Redis (sessions, bus), no event store.
        Redis,
        /// Redis, with the event store on Redis Streams.
        RedisEvents,
    }

    /// A stateful node, in memory or as one of several on the Redis at `MCP_BENCH_REDIS_URL`.
    pub(super) async fn serve_backed(
        listener: TcpListener,
        json: bool,
        backing: Backing,
    ) -> std::io::Result<()> {
        let mut config = HttpConfig::new(Mode::Stateful)
            .json_response(json)
            .max_sessions(super::OUR_MAX_SESSIONS);
        let redis = match backing {
            Backing::Memory => None,
            Backing::MemoryEvents => {
                config = config.event_store(mcp_runtime::store::InMemoryEventStore::default());
                None
            }
            Backing::Redis | Backing::RedisEvents => {
                let url = std::env::var("MCP_BENCH_REDIS_URL")
                    .map_err(|_| std::io::Error::other("MCP_BENCH_REDIS_URL is not set"))?;
                let redis = mcp_redis::Redis::connect(mcp_redis::RedisConfig::new(url))
                    .await
                    .map_err(std::io::Error::other)?;
                config = config.cluster(redis.cluster());
                Some(redis)
            }
        };
        if let (Backing::RedisEvents, Some(redis)) = (backing, &redis) {
            let ttl = std::time::Duration::from_secs(1800);
            config = config.event_store(redis.event_store(1_000, ttl));
        }
        mcp_runtime::serve_listener(Calculator, listener, config, std::future::pending()).await
    }

    /// The large-payload server: a tool and a resource of [`PAYLOAD_BYTES`](super::PAYLOAD_BYTES).
    #[derive(Default)]
    pub(super) struct Payloads;

    #[mcp_server(name = "payloads", version = "1.0.0")]
    impl Payloads {
        /// `kib` KiB of text.
        #[tool]
        fn text(&self, kib: u32) -> String {
            "x".repeat((kib as usize * 1024).min(super::PAYLOAD_BYTES))
        }

        /// 1 MiB of bytes (base64 in the result).
        #[resource(uri = "bench://blob", mime_type = "application/octet-stream")]
        fn blob(&self) -> Vec<u8> {
            vec![0xA5; super::PAYLOAD_BYTES]
        }
    }

    /// The quickstart's `add` over stdin and stdout (`mcp-bench stdio`).
    pub(crate) async fn serve_stdio() -> std::io::Result<()> {
        mcp_runtime::serve_stdio(Calculator).await
    }

    pub(super) async fn serve_payload(listener: TcpListener) -> std::io::Result<()> {
        let config = HttpConfig::new(Mode::Stateless).json_response(true);
        mcp_runtime::serve_listener(Payloads, listener, config, std::future::pending()).await
    }

    /// Accepts the one token the load generator sends. Only the first call reaches it: the
    /// resource server caches what it accepted, as it does for JWTs and introspection.
    struct KnownToken;

    impl mcp_auth::TokenVerifier for KnownToken {
        async fn verify(
            &self,
            token: &str,
        ) -> Result<mcp_auth::VerifiedToken, mcp_auth::VerifyError> {
            if token != "bench-token" {
                return Err(mcp_auth::InvalidToken::Malformed.into());
            }
            let principal = mcp_runtime::Principal::new("bench").with_scopes(["mcp:read"]);
            Ok(mcp_auth::VerifiedToken::new(principal, None))
        }
    }

    /// Stateless JSON, behind the bearer check (the quickstart's configuration plus auth),
    /// served as the documentation shows (`StreamableHttp::serve_guarded`): like the server
    /// without authorization, the endpoint is called directly, not through a router, so that
    /// the two differ only by the authorization.
    pub(super) async fn serve_authorized(listener: TcpListener) -> std::io::Result<()> {
        let config = mcp_auth::ResourceServerConfig::new("http://127.0.0.1/mcp")
            .issuer("https://auth.bench.invalid")
            .scopes_supported(["mcp:read"]);
        let auth = mcp_auth::ResourceServer::with_verifier(config, KnownToken)
            .map_err(std::io::Error::other)?;
        let mcp = mcp_runtime::StreamableHttp::new(
            Calculator,
            HttpConfig::new(Mode::Stateless).json_response(true),
        );
        let metadata = auth.metadata_router();
        mcp.serve_guarded(listener, auth, metadata, std::future::pending())
            .await
    }
}

/// The limit: axum parsing a JSON-RPC `tools/call` body and answering the same result.
mod bare_axum {
    use axum::body::Bytes;
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;
    use serde::{Deserialize, Serialize};
    use serde_json::value::RawValue;
    use tokio::net::TcpListener;

    #[derive(Deserialize)]
    struct Call<'a> {
        #[serde(borrow)]
        id: &'a RawValue,
        method: &'a str,
        params: Params,
    }

    #[derive(Deserialize)]
    struct Params {
        name: String,
        arguments: Args,
    }

    #[derive(Deserialize)]
    struct Args {
        a: f64,
        b: f64,
    }

    #[derive(Serialize)]
    struct Reply<'a> {
        jsonrpc: &'static str,
        id: &'a RawValue,
        result: CallResult,
    }

    #[derive(Serialize)]
    struct CallResult {
        content: [Text; 1],
        #[serde(rename = "isError")]
        is_error: bool,
    }

    #[derive(Serialize)]
    struct Text {
        #[serde(rename = "type")]
        kind: &'static str,
        text: String,
    }

    async fn handle(body: Bytes) -> Response {
        let Ok(call) = serde_json::from_slice::<Call<'_>>(&body) else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        if call.method != "tools/call" || call.params.name != "add" {
            return StatusCode::NOT_FOUND.into_response();
        }
        let Args { a, b } = call.params.arguments;
        let reply = Reply {
            jsonrpc: "2.0",
            id: call.id,
            result: CallResult {
                content: [Text {
                    kind: "text",
                    text: (a + b).to_string(),
                }],
                is_error: false,
            },
        };
        match serde_json::to_vec(&reply) {
            Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }

    pub(super) async fn serve(listener: TcpListener) -> std::io::Result<()> {
        let app = axum::Router::new().route("/mcp", post(handle));
        axum::serve(super::nodelay(listener), app).await
    }

    #[derive(Deserialize)]
    struct Asked<'a> {
        #[serde(borrow)]
        id: &'a RawValue,
        method: &'a str,
    }

    #[derive(Serialize)]
    struct BlobReply<'a> {
        jsonrpc: &'static str,
        id: &'a RawValue,
        result: BlobResult,
    }

    #[derive(Serialize)]
    struct BlobResult {
        contents: [Blob; 1],
    }

    #[derive(Serialize)]
    struct Blob {
        uri: &'static str,
        #[serde(rename = "mimeType")]
        mime_type: &'static str,
        blob: String,
    }

    /// The large payloads, made per request as a handler would: the text repeated, the bytes
    /// encoded, the reply serialized.
    async fn handle_payload(body: Bytes) -> Response {
        use base64::Engine;
        let Ok(asked) = serde_json::from_slice::<Asked<'_>>(&body) else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        let size = super::PAYLOAD_BYTES;
        let json = match asked.method {
            "tools/call" => serde_json::to_vec(&Reply {
                jsonrpc: "2.0",
                id: asked.id,
                result: CallResult {
                    content: [Text {
                        kind: "text",
                        text: "x".repeat(size),
                    }],
                    is_error: false,
                },
            }),
            "resources/read" => serde_json::to_vec(&BlobReply {
                jsonrpc: "2.0",
                id: asked.id,
                result: BlobResult {
                    contents: [Blob {
                        uri: "bench://blob",
                        mime_type: "application/octet-stream",
                        blob: base64::engine::general_purpose::STANDARD.encode(vec![0xA5; size]),
                    }],
                },
            }),
            _ => return StatusCode::NOT_FOUND.into_response(),
        };
        match json {
            Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }

    pub(super) async fn serve_payload(listener: TcpListener) -> std::io::Result<()> {
        let app = axum::Router::new().route("/mcp", post(handle_payload));
        axum::serve(super::nodelay(listener), app).await
    }
}

/// The official SDK, rmcp 3.11, in its documented shape.
pub(crate) mod peer_rmcp {
    use std::sync::Arc;

    use rmcp::handler::server::router::tool::ToolRouter;
    use rmcp::handler::server::wrapper::Parameters;
    use rmcp::model::{ServerCapabilities, ServerConfig};
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService,
    };
    use rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};
    use tokio::net::TcpListener;

    #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
    pub(super) struct AddArgs {
        a: f64,
        b: f64,
    }

    #[derive(Debug, Clone)]
    pub(super) struct Calculator {
        tool_router: ToolRouter<Self>,
    }

    #[tool_router]
    impl Calculator {
        fn new() -> Self {
            Self {
                tool_router: Self::tool_router(),
            }
        }

        #[tool(description = "Add two numbers.")]
        async fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> String {
            (a + b).to_string()
        }
    }

    #[tool_handler(router = self.tool_router)]
    impl ServerHandler for Calculator {
        fn get_info(&self) -> ServerConfig {
            ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
        }
    }

    /// The same calculator over stdin and stdout, as rmcp's documentation serves it.
    pub(crate) async fn serve_stdio() -> std::io::Result<()> {
        use rmcp::ServiceExt;
        let service = Calculator::new()
            .serve(rmcp::transport::stdio())
            .await
            .map_err(std::io::Error::other)?;
        service
            .waiting()
            .await
            .map(drop)
            .map_err(std::io::Error::other)
    }

    pub(super) async fn serve(listener: TcpListener, sessions: bool) -> std::io::Result<()> {
        let config = if sessions {
            StreamableHttpServerConfig::default()
        } else {
            StreamableHttpServerConfig::default()
                .with_legacy_session_mode(false)
                .with_json_response(true)
        };
        let service: StreamableHttpService<Calculator, LocalSessionManager> =
            StreamableHttpService::new(
                || Ok(Calculator::new()),
                Arc::new(LocalSessionManager::default()),
                config,
            );
        let app = axum::Router::new().nest_service("/mcp", service);
        axum::serve(super::nodelay(listener), app).await
    }
}

/// TCP_NODELAY on every accepted socket, as our `serve_listener` does: otherwise the peers
/// would measure Nagle's algorithm rather than themselves.
pub(crate) fn nodelay(
    listener: TcpListener,
) -> impl axum::serve::Listener<Addr = std::net::SocketAddr> {
    listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    })
}
