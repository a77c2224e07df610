//! The server under soak (`ours-soak`): our runtime, stateful, SSE, with an event store, a short
//! idle timeout, tools that make abuse possible, and `GET /stats` for what `/proc` cannot tell.

use std::sync::Arc;
use std::time::Duration;

use mcp_runtime::store::InMemoryEventStore;
use mcp_runtime::{Context, HttpConfig, Mode, PeerError, StreamableHttp};
use mcp_runtime::{mcp_server, tool};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

/// Sessions with nothing in flight and no open stream end after this: short, so that the
/// sessions abusers abandon are swept several times within a soak.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the runtime sweeps idle sessions (a quarter of the timeout, as it computes it).
pub const SWEEP_INTERVAL: Duration = Duration::from_millis(7_500);
/// Events kept per stream and in all. Smaller than the default (1,000 and 100,000) so that the
/// store is full, and memory at its plateau, within the warm-up minute at the honest rate.
pub const EVENTS_PER_STREAM: usize = 200;
pub const EVENTS_TOTAL: usize = 20_000;
/// The largest result `big` makes, in KiB.
const BIG_MAX_KIB: u32 = 16 * 1024;

/// The tools abusers and honest clients call.
#[derive(Default)]
pub struct Abused;

/// What `ask` asks the client for.
#[derive(Deserialize, schemars::JsonSchema)]
struct Name {
    /// Your name.
    name: String,
}

#[mcp_server(name = "soak", version = "1.0.0")]
impl Abused {
    /// Add two numbers.
    #[tool]
    async fn add(&self, a: f64, b: f64) -> f64 {
        a + b
    }

    /// Send `steps` progress notifications `interval_ms` apart, then answer. Stops early when
    /// cancelled.
    #[tool]
    async fn slow(&self, steps: u32, interval_ms: u64, ctx: Context) -> String {
        let interval = Duration::from_millis(interval_ms.min(10_000));
        for step in 1..=steps {
            ctx.progress(f64::from(step), Some(f64::from(steps)), None)
                .await;
            tokio::select! {
                () = ctx.cancelled() => return format!("cancelled at {step}"),
                () = tokio::time::sleep(interval) => {}
            }
        }
        format!("done after {steps} steps")
    }

    /// Ask the client for a name (elicitation), and greet it.
    #[tool]
    async fn ask(&self, ctx: Context) -> Result<String, PeerError> {
        let answer = ctx.elicit::<Name>("What is your name?").await?;
        Ok(match answer.accepted() {
            Some(Name { name }) => format!("hello {name}"),
            None => "no name".into(),
        })
    }

    /// A text result of `kib` KiB of `x`.
    #[tool]
    fn big(&self, kib: u32) -> String {
        "x".repeat(kib.min(BIG_MAX_KIB) as usize * 1024)
    }
}

/// What `GET /stats` answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Tokio tasks alive in the server's runtime (`RuntimeMetrics::num_alive_tasks`).
    pub alive_tasks: u64,
    /// Open sessions (`StreamableHttp::session_count`).
    pub sessions: u64,
    /// Events in the event store.
    pub events: u64,
    /// Bytes of live allocations, when the allocator can tell: jemalloc's `stats.allocated`
    /// with the `jemalloc` feature, `None` under the system allocator. Against RSS it tells
    /// memory the program holds from memory the allocator keeps after it was freed.
    #[serde(default)]
    pub heap: Option<u64>,
}

/// jemalloc's count of bytes in live allocations, refreshed first (its statistics are cached
/// per epoch).
#[cfg(feature = "jemalloc")]
fn heap_allocated() -> Option<u64> {
    tikv_jemalloc_ctl::epoch::advance().ok()?;
    tikv_jemalloc_ctl::stats::allocated::read()
        .ok()
        .map(|b| b as u64)
}

#[cfg(not(feature = "jemalloc"))]
fn heap_allocated() -> Option<u64> {
    None
}

/// Serves `/mcp` and `/stats` on `listener` until killed.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    let store = Arc::new(InMemoryEventStore::with_limits(
        EVENTS_PER_STREAM,
        EVENTS_TOTAL,
    ));
    // Questions the client never answers time out like idle sessions do, so that what the
    // abusers leave is reclaimed within the run (the default is 300 s).
    let limits = mcp_runtime::Limits::default().client_request_timeout(Some(IDLE_TIMEOUT));
    let config = HttpConfig::new(Mode::Stateful)
        .event_store(store.clone())
        .session_idle_timeout(Some(IDLE_TIMEOUT))
        .max_sessions(crate::servers::OUR_MAX_SESSIONS)
        .server(mcp_runtime::ServerConfig::new().limits(limits));
    let mcp = StreamableHttp::new(Abused, config);
    let counted = mcp.clone();
    let stats = axum::routing::get(move || {
        let (mcp, store) = (counted.clone(), store.clone());
        async move {
            let stats = Stats {
                alive_tasks: tokio::runtime::Handle::current()
                    .metrics()
                    .num_alive_tasks() as u64,
                sessions: mcp.session_count() as u64,
                events: store.len() as u64,
                heap: heap_allocated(),
            };
            let json = serde_json::to_string(&stats).unwrap_or_default();
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                json,
            )
        }
    });
    let app = axum::Router::new()
        .route("/stats", stats)
        .merge(mcp.router());
    // The endpoint's own accept loop: its header-read and idle timeouts apply to `/stats` too.
    mcp.serve_with(listener, app, std::future::pending()).await
}
