//! Streamable HTTP on axum: one endpoint answering POST, GET and DELETE.

mod body;
pub(crate) mod config;
mod connection;
mod delete;
pub(crate) mod endpoint;
mod error;
mod get;
pub(crate) mod guard;
pub(crate) mod headers;
mod post;
mod routes;
mod security;
pub(crate) mod serve;
pub(crate) mod session;
mod sse;
pub(crate) mod stateless;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use axum::Router;

use crate::engine::metrics;
use crate::engine::principal::{BearerChallenge, Principal};
use crate::engine::{Dispatcher, InvalidServer, MCPServer, NetworkTransport};
use crate::transport::http::config::{Checks, HttpConfig, Mode};
use crate::transport::http::session::{Session, SessionLimits, SessionManager};
use error::HttpError;

/// The MCP endpoint of one server: build it once, take its [`router`](Self::router), and
/// call [`shutdown`](Self::shutdown) to end every session.
///
/// ```
/// use mcp_runtime::{mcp_server, tool, HttpConfig, Mode, StreamableHttp};
///
/// struct Hello;
///
/// #[mcp_server]
/// impl Hello {
///     /// Greet.
///     #[tool]
///     fn hello(&self) -> &'static str { "hi" }
/// }
///
/// let mcp = StreamableHttp::new(Hello, HttpConfig::new(Mode::Stateful));
/// // Nest the endpoint in your own app, beside your routes and under your layers.
/// let app = axum::Router::new()
///     .route("/health", axum::routing::get(|| async { "ok" }))
///     .merge(mcp.router());
/// # let _ = app;
/// ```
#[derive(Clone, Debug)]
pub struct StreamableHttp {
    pub(crate) app: Arc<App>,
}

/// What every handler shares.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) dispatcher: Dispatcher,
    pub(crate) config: HttpConfig,
    pub(crate) sessions: SessionManager,
    /// The `x-mcp-header` parameters of each tool (2026-07-28).
    pub(crate) param_headers: stateless::param_headers::ParamHeaders,
    background_started: AtomicBool,
    /// What `Host` and `Origin` are checked against, once [`StreamableHttp::serve`] knows the
    /// address it listens on; until then (a router mounted in your own server), `fallback`.
    checks: std::sync::OnceLock<Checks>,
    fallback_checks: Checks,
}

impl Drop for App {
    fn drop(&mut self) {
        self.sessions.shutdown();
    }
}

impl StreamableHttp {
    /// The endpoint for `server` with `config`.
    ///
    /// # Panics
    ///
    /// When the server is invalid, which only a hand-written [`MCPServer`] can be (a tool
    /// linking an app the server does not serve); [`try_new`](Self::try_new) returns the
    /// error instead.
    pub fn new(server: impl MCPServer, config: HttpConfig) -> Self {
        Self::try_new(server, config).unwrap_or_else(|error| panic!("invalid MCP server: {error}"))
    }

    /// The endpoint for `server` with `config`, once the server is checked: each tool's app
    /// (MCP Apps) must be a `ui://` resource the server serves.
    pub fn try_new(server: impl MCPServer, config: HttpConfig) -> Result<Self, InvalidServer> {
        let dispatcher = Dispatcher::try_new(server, &config.server, NetworkTransport::Tcp)?;
        Ok(Self::from_dispatcher(dispatcher, config))
    }

    /// A handle on the server: enable or disable tools, announce resource updates.
    pub fn handle(&self) -> &crate::ServerHandle {
        self.app.dispatcher.handle()
    }

    fn from_dispatcher(dispatcher: Dispatcher, mut config: HttpConfig) -> Self {
        let fallback_checks = config.security.checks(None);
        if config.security == crate::Security::Disabled {
            fallback_checks.log();
        }
        if config.mode == Mode::Stateless && config.event_store.is_some() {
            tracing::warn!("stateless mode keeps no streams: the event store is not used");
            config.event_store = None;
        }
        if config.mode == Mode::Stateless && config.cluster.is_some() {
            tracing::warn!("stateless mode has no sessions to share: the cluster is not used");
            config.cluster = None;
        }
        let sessions = SessionManager::new(
            SessionLimits {
                max_sessions: config.max_sessions,
                max_per_principal: config.max_sessions_per_principal,
                idle_timeout: config.session_idle_timeout,
            },
            config.event_store.clone(),
        )
        .with_cluster(config.cluster.clone());
        if let (Some(cluster), Some(node)) = (&config.cluster, sessions.node()) {
            dispatcher.join_cluster(cluster.bus.clone(), node);
        }
        let param_headers = stateless::param_headers::ParamHeaders::new(dispatcher.listed_tools());
        let app = Arc::new(App {
            dispatcher,
            config,
            sessions,
            param_headers,
            background_started: AtomicBool::new(false),
            checks: std::sync::OnceLock::new(),
            fallback_checks,
        });
        let source: Arc<dyn metrics::GaugeSource> = app.clone();
        metrics::register(Arc::downgrade(&source));
        StreamableHttp { app }
    }

    /// The configuration in force.
    pub fn config(&self) -> &HttpConfig {
        &self.app.config
    }

    /// An axum router serving the endpoint at the configured path, with Host/Origin checks.
    pub fn router(&self) -> Router {
        Router::new().route_service(&self.app.config.path, self.service())
    }

    /// The endpoint as a tower service, for every request to its path (what
    /// [`router`](Self::router) routes there).
    ///
    /// ```
    /// # use mcp_runtime::{mcp_server, tool, HttpConfig, Mode, StreamableHttp};
    /// # struct Hello;
    /// # #[mcp_server] impl Hello { /// Greet.
    /// #   #[tool] fn hello(&self) -> &'static str { "hi" } }
    /// let mcp = StreamableHttp::new(Hello, HttpConfig::new(Mode::Stateful));
    /// // The same endpoint at a second path.
    /// let app = mcp.router().route_service("/v1/mcp", mcp.service());
    /// # let _ = app;
    /// ```
    pub fn service(&self) -> endpoint::EndpointService {
        endpoint::EndpointService {
            app: self.app.clone(),
        }
    }

    /// How many sessions are open.
    pub fn session_count(&self) -> usize {
        self.app.sessions.len()
    }

    /// Sends a notification to every session on its GET stream (for example
    /// `notifications/tools/list_changed`). With an event store it is kept for sessions that
    /// are not listening now; without one, sessions not listening miss it.
    pub async fn notify_all(&self, method: &str, params: serde_json::Value) {
        let frame = crate::protocol::notification_json(method, &params);
        self.app.broadcast(&frame, |_| true).await;
    }

    /// Ends every session and stream. Requests in flight are cancelled.
    pub fn shutdown(&self) {
        self.app.sessions.shutdown();
    }
}

/// What every handler does first: the Host/Origin checks, then who is calling (the
/// [`Principal`] and [`BearerChallenge`] an authentication layer inserted).
pub(crate) struct Admitted {
    pub(crate) parts: axum::http::request::Parts,
    pub(crate) principal: Option<Principal>,
    pub(crate) challenge: Option<BearerChallenge>,
}

/// The gauges read what the endpoint holds.
impl metrics::GaugeSource for App {
    fn read(&self, readings: &mut metrics::Readings) {
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        readings.sessions += count(self.sessions.len());
        readings.streams += count(self.sessions.open_streams());
        if let Some(bytes) = self
            .config
            .event_store
            .as_ref()
            .and_then(|s| s.stored_bytes())
        {
            readings.event_store_bytes += count(bytes);
        }
        readings.tasks.merge(&self.dispatcher.task_counts());
    }
}

impl App {
    /// What `Host` and `Origin` are checked against.
    fn checks(&self) -> &Checks {
        self.checks.get().unwrap_or(&self.fallback_checks)
    }

    /// Resolves the checks for the address the endpoint listens on (the first call wins).
    pub(crate) fn listening_on(&self, addr: std::net::SocketAddr) {
        let checks = self.config.security.checks(Some(addr));
        checks.log();
        let _ = self.checks.set(checks);
    }

    /// The preamble of GET and DELETE (POST checks its headers in one pass, then
    /// [`identify`](Self::identify)).
    fn admit(&self, parts: axum::http::request::Parts) -> Result<Admitted, HttpError> {
        security::check(
            self.checks(),
            &headers::Head::read(&parts.headers),
            &parts.uri,
        )?;
        Ok(self.identify(parts))
    }

    /// Who sent a request that passed the checks: the principal a guard or layer inserted.
    fn identify(&self, mut parts: axum::http::request::Parts) -> Admitted {
        let principal = parts.extensions.remove::<Principal>();
        // The principal's own challenge, else one the layer inserted beside it.
        let challenge = match principal.as_ref().and_then(Principal::challenge) {
            Some(challenge) => Some(challenge.clone()),
            None => parts.extensions.remove::<BearerChallenge>(),
        };
        Admitted {
            parts,
            principal,
            challenge,
        }
    }

    /// GET and DELETE exist only for handshake-era sessions: 405 otherwise.
    fn require_sessions(&self, headers: &axum::http::HeaderMap) -> Result<(), HttpError> {
        let version = headers::Head::read(headers).version();
        let stateless = matches!(
            headers::speaks(version, None),
            Ok(headers::Speaks::Stateless)
        );
        if self.config.mode == Mode::Stateless || stateless {
            return Err(HttpError::MethodNotAllowed("POST"));
        }
        Ok(())
    }

    /// The session a request names (`Mcp-Session-Id`), if `principal` may use it: one of
    /// this process's, or (with a cluster) one another node opened.
    async fn session(
        self: &Arc<Self>,
        headers: &axum::http::HeaderMap,
        principal: Option<&Principal>,
    ) -> Result<Arc<Session>, HttpError> {
        if self.sessions.cluster().is_none() {
            return self
                .sessions
                .get(headers::session_id(headers), principal)
                .map_err(HttpError::from);
        }
        // This node may serve sessions it never opened: it must hear the others from now on.
        self.ensure_background();
        self.sessions
            .lookup(headers::session_id(headers), principal, || {
                self.dispatcher.session_peer()
            })
            .await
            .map_err(HttpError::from)
    }

    /// Starts the endpoint's one background task the first time a session opens: it ends idle
    /// sessions and forwards server announcements to sessions' GET streams. No task per
    /// session. It stops when the endpoint is dropped or shut down.
    pub(crate) fn ensure_background(self: &Arc<Self>) {
        if self.background_started.load(Ordering::Acquire)
            || self.background_started.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let weak: Weak<App> = Arc::downgrade(self);
        let stop = self.sessions.shutdown_token().clone();
        let mut events = self.dispatcher.handle().subscribe();
        let interval = self.sessions.sweep_interval();
        let mut bus = self.sessions.cluster().map(|c| c.bus.subscribe());
        tokio::spawn(async move {
            // Announcements of other nodes, republished here (so that this node's
            // `subscriptions/listen` streams hear them too), until they come back round: those
            // are not sent to the bus again. Matched by value, so a local twin is as good.
            let mut echoes: std::collections::VecDeque<crate::ServerEvent> = Default::default();
            let mut tick =
                tokio::time::interval(interval.unwrap_or(std::time::Duration::from_secs(3600)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let event = tokio::select! {
                    () = stop.cancelled() => break,
                    _ = tick.tick() => None,
                    event = events.recv() => match event {
                        Ok(event) => Some(Heard::Local(event)),
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!(missed = n, "server announcements dropped: too many at once");
                            continue;
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                    },
                    heard = next_envelope(bus.as_mut()) => match heard {
                        Ok(envelope) => Some(Heard::Bus(envelope)),
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!(missed = n, "messages from other nodes dropped: too many at once");
                            continue;
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                            tracing::error!("the bus between nodes closed");
                            bus = None;
                            continue;
                        }
                    },
                };
                let Some(app) = weak.upgrade() else { break };
                match event {
                    None => {
                        if interval.is_some() {
                            app.sessions.sweep();
                            app.sessions.refresh_held();
                        }
                    }
                    Some(Heard::Local(event)) => {
                        app.announce(&event).await;
                        if echoes.front() == Some(&event) {
                            echoes.pop_front();
                        } else {
                            app.sessions
                                .tell(crate::store::BusMessage::Announce { event })
                                .await;
                        }
                    }
                    Some(Heard::Bus(envelope)) => {
                        app.dispatcher.heard(&envelope).await;
                        if let Some(event) = app.sessions.on_bus(&envelope).await {
                            if echoes.len() >= 256 {
                                echoes.pop_front(); // lagged: never coming back
                            }
                            echoes.push_back(event.clone());
                            app.dispatcher.handle().publish(event);
                        }
                    }
                }
            }
        });
    }

    /// Sends a server announcement to the sessions it concerns (those held by this process).
    async fn announce(&self, event: &crate::ServerEvent) {
        let frame = crate::protocol::notification_json(event.method(), &event.params());
        match event {
            crate::ServerEvent::ResourceUpdated(uri) => {
                self.broadcast(&frame, |s| s.peer.is_subscribed(uri)).await
            }
            _ => self.broadcast(&frame, |_| true).await,
        }
    }

    /// Sends `frame` on the GET stream of every session `concerned` picks. Sessions not
    /// listening keep it only when there is an event store.
    async fn broadcast(&self, frame: &str, concerned: impl Fn(&Session) -> bool) {
        let store = self.config.event_store.as_ref();
        // With a cluster every node holding the session hears the announcement: only one that
        // had its GET stream keeps it, or a shared event store would get it twice.
        let keeps_unheard = store.is_some() && self.sessions.cluster().is_none();
        for session in self.sessions.all() {
            if concerned(&session) && (keeps_unheard || session.has_standalone()) {
                session.standalone(store).send(frame.to_owned()).await;
            }
        }
    }
}

/// What the background task heard: an announcement of this node, or a message of another.
enum Heard {
    Local(crate::ServerEvent),
    Bus(Arc<crate::store::Envelope>),
}

/// The next message on the bus; never without one.
async fn next_envelope(
    bus: Option<&mut tokio::sync::broadcast::Receiver<Arc<crate::store::Envelope>>>,
) -> Result<Arc<crate::store::Envelope>, tokio::sync::broadcast::error::RecvError> {
    match bus {
        Some(bus) => bus.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod authorization_tests;
#[cfg(test)]
mod era_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod skills_tests;
