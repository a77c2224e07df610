//! How the Streamable HTTP endpoint behaves: [`Mode`], [`HttpConfig`] and [`Security`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::engine::ServerConfig;
use crate::engine::cluster::Cluster;
use crate::transport::http::session::EventStore;

/// Whether the server keeps sessions between requests.
///
/// ```
/// assert_ne!(mcp_runtime::Mode::Stateful, mcp_runtime::Mode::Stateless);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// `initialize` opens a session (`Mcp-Session-Id`); later requests carry its id.
    /// Needed for server-to-client requests, the GET stream and resumability.
    #[default]
    Stateful,
    /// Every request stands alone: no session id, nothing kept between requests.
    Stateless,
}

/// DNS-rebinding protection: which `Host` and `Origin` headers are accepted.
///
/// Patterns are `host` or `host:port`; `host:*` accepts any port. Origins are full origins
/// (`http://localhost:*`). A request with a bad `Host` gets 421 and one with a bad `Origin`
/// gets 403; a request without `Origin` (not from a browser) is accepted.
///
/// ```
/// use mcp_runtime::Security;
/// // Behind a reverse proxy that serves `mcp.example.com`:
/// let security = Security::allow(["mcp.example.com"], ["https://app.example.com"]);
/// assert!(security.host_allowed("mcp.example.com"));
/// assert!(!security.host_allowed("evil.example.com"));
/// assert!(Security::loopback().host_allowed("127.0.0.1:8000"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Security {
    /// The default. Bound to a loopback address (or mounted in your own router, where the
    /// address is unknown): `Host` and `Origin` must be loopback names. Bound to any other
    /// address (`0.0.0.0`, a public IP): `Origin`, when a browser sends one, must still be a
    /// loopback origin (403 otherwise), and `Host` is not checked, since the server cannot
    /// know its public names; set [`Security::allow`] to check it.
    #[default]
    Auto,
    /// Check `Host` and `Origin` against these lists.
    Allow {
        /// Accepted `Host` values.
        hosts: Vec<String>,
        /// Accepted `Origin` values.
        origins: Vec<String>,
    },
    /// No checks (only behind something else that checks). Logged as a warning when the
    /// endpoint is built.
    Disabled,
}

impl Security {
    /// Accept exactly these hosts and origins.
    pub fn allow<H, O>(hosts: H, origins: O) -> Self
    where
        H: IntoIterator,
        H::Item: Into<String>,
        O: IntoIterator,
        O::Item: Into<String>,
    {
        Security::Allow {
            hosts: hosts.into_iter().map(Into::into).collect(),
            origins: origins.into_iter().map(Into::into).collect(),
        }
    }

    /// Loopback names on any port: `127.0.0.1`, `localhost`, `[::1]`.
    pub fn loopback() -> Self {
        Self::allow(LOOPBACK_HOSTS, LOOPBACK_ORIGINS)
    }

    /// What requests are checked against for a server bound to `addr` (`None`: unknown,
    /// treated as loopback, the safe choice).
    pub(crate) fn checks(&self, addr: Option<SocketAddr>) -> Checks {
        let list = |patterns: &[&str]| Some(patterns.iter().map(|p| Pattern::new(p)).collect());
        match self {
            Security::Auto if addr.is_none_or(|a| a.ip().is_loopback()) => Checks {
                hosts: list(&LOOPBACK_HOSTS),
                origins: list(&LOOPBACK_ORIGINS),
            },
            Security::Auto => Checks {
                hosts: None,
                origins: list(&LOOPBACK_ORIGINS),
            },
            Security::Allow { hosts, origins } => Checks {
                hosts: Some(hosts.iter().map(|p| Pattern::new(p)).collect()),
                origins: Some(origins.iter().map(|p| Pattern::new(p)).collect()),
            },
            Security::Disabled => Checks {
                hosts: None,
                origins: None,
            },
        }
    }

    /// Whether a `Host` header value is accepted.
    pub fn host_allowed(&self, host: &str) -> bool {
        // As a server with an unknown (so loopback) address checks it.
        self.checks(None).host_allowed(host)
    }

    /// Whether an `Origin` header value is accepted.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.checks(None).origin_allowed(origin)
    }
}

/// [`Security`] resolved for the address the server listens on: the allow lists requests are
/// checked against (`None`: that header is not checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checks {
    pub(crate) hosts: Option<Vec<Pattern>>,
    pub(crate) origins: Option<Vec<Pattern>>,
}

/// An allow-list entry, read once at start-up: `x` (exact, case-insensitive) or `x:*` (`x`
/// with or without any port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    base: Box<str>,
    any_port: bool,
}

impl Pattern {
    fn new(pattern: &str) -> Self {
        match pattern.strip_suffix(":*") {
            Some(base) => Pattern {
                base: base.into(),
                any_port: true,
            },
            None => Pattern {
                base: pattern.into(),
                any_port: false,
            },
        }
    }

    fn matches(&self, value: &str) -> bool {
        let (value, base) = (value.as_bytes(), self.base.as_bytes());
        let Some((head, rest)) = value.split_at_checked(base.len()) else {
            return false;
        };
        // Compared exactly first (one `memcmp`): hosts are sent in lower case, and comparing
        // byte by byte ignoring case cost 180 instructions per request (callgrind).
        if head != base && !head.eq_ignore_ascii_case(base) {
            return false;
        }
        match rest {
            [] => true,
            [b':', port @ ..] if self.any_port => {
                !port.is_empty() && port.iter().all(u8::is_ascii_digit)
            }
            _ => false,
        }
    }
}

impl Checks {
    /// Whether a `Host` value passes.
    pub(crate) fn host_allowed(&self, host: &str) -> bool {
        self.hosts
            .as_ref()
            .is_none_or(|hosts| hosts.iter().any(|p| p.matches(host)))
    }

    /// Whether an `Origin` value passes.
    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        self.origins
            .as_ref()
            .is_none_or(|origins| origins.iter().any(|p| p.matches(origin)))
    }

    /// Says at startup what is checked, loudly when nothing is.
    pub(crate) fn log(&self) {
        match (&self.hosts, &self.origins) {
            (None, None) => tracing::warn!(
                "DNS-rebinding protection is off (Security::Disabled): any Host and Origin are served"
            ),
            (None, Some(_)) => tracing::info!(
                "bound to a non-loopback address: Host is not checked (set Security::allow to check it); browser Origins other than loopback get 403"
            ),
            _ => {}
        }
    }
}

const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1:*", "localhost:*", "[::1]:*"];
const LOOPBACK_ORIGINS: [&str; 6] = [
    "http://127.0.0.1:*",
    "http://localhost:*",
    "http://[::1]:*",
    "https://127.0.0.1:*",
    "https://localhost:*",
    "https://[::1]:*",
];

/// The Streamable HTTP endpoint's settings, with the defaults of the Python SDK's session
/// manager, and the protocol-level [`ServerConfig`] every transport takes.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::{HttpConfig, Mode, ServerConfig};
///
/// let config = HttpConfig::new(Mode::Stateful)
///     .json_response(true)
///     .session_idle_timeout(Some(Duration::from_secs(600)))
///     .max_sessions(50_000)
///     .server(ServerConfig::new().page_size(Some(100)));
/// assert_eq!(config.path, "/mcp");
/// assert_eq!(config.max_request_body, 4 * 1024 * 1024);
/// assert_eq!(config.server.page_size, Some(100));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Stateful (sessions) or stateless. Default: stateful.
    pub mode: Mode,
    /// Answer requests with one JSON body instead of an SSE stream. Default: `false` (SSE).
    /// JSON responses cannot carry progress, logs or requests to the client. A client that
    /// disconnects before the answer does not cancel the request (it runs to its end, and
    /// its answer is lost; with SSE and an event store, the answer waits for resumption).
    pub json_response: bool,
    /// The endpoint path. Default: `/mcp`.
    pub path: String,
    /// Where SSE events are kept for resumption (`Last-Event-ID`). Default: none.
    pub event_store: Option<Arc<dyn EventStore>>,
    /// The session store and bus shared with the server's other nodes, so that any node
    /// serves any session (stateful mode). Default: none (sessions live in this process).
    pub cluster: Option<Cluster>,
    /// Host/Origin validation. Default: [`Security::Auto`].
    pub security: Security,
    /// The SSE `retry:` field sent with priming events. Default: none.
    pub retry_interval: Option<Duration>,
    /// Interval of SSE keep-alive comments on idle streams. Default: 15 s.
    pub keep_alive: Option<Duration>,
    /// A session with nothing in flight and no open stream for this long is ended.
    /// Default: 30 minutes.
    pub session_idle_timeout: Option<Duration>,
    /// Sessions open at once; one more gets 503. Default: 10,000.
    pub max_sessions: usize,
    /// Largest accepted request body in bytes; larger gets 413. Default: 4 MiB.
    pub max_request_body: usize,
    /// Sessions one authenticated [`Principal`](crate::Principal) may have open at once;
    /// one more gets 429 with `Retry-After`. Default: 100.
    pub max_sessions_per_principal: usize,
    /// How long a request body may take to arrive; slower gets 408. Default: 30 s.
    pub body_read_timeout: Option<Duration>,
    /// How long a client may take to send a request's headers (the first request of a
    /// connection, or the next one on a kept-alive connection, counted from the end of the
    /// previous response); slower is disconnected, up to a quarter of this late.
    /// Applies to [`serve`](crate::serve) and [`StreamableHttp::serve`](crate::StreamableHttp::serve);
    /// a router mounted in your own server has your server's settings. Default: 10 s.
    pub header_read_timeout: Duration,
    /// A connection that moves no bytes for this long, with no request in flight, is closed
    /// (up to a quarter of the shorter of this and `header_read_timeout` late; SSE keep-alive
    /// comments count as moving). `serve` only. Default: 60 s.
    pub idle_connection_timeout: Option<Duration>,
    /// Connections open at once; the next waits in the listen backlog until one closes.
    /// `serve` only; raise `ulimit -n` to match. Default: 10,000.
    pub max_connections: usize,
    /// The largest request head (request line and headers) in bytes; larger is refused with
    /// 431. `serve` only. Default: 64 KiB (at least 8 KiB).
    pub max_header_bytes: usize,
    /// On shutdown, how long requests in flight may take to finish before they are
    /// cancelled; the server returns at most a second after it. `serve` only. Default: 10 s.
    pub shutdown_timeout: Duration,
    /// What is not HTTP: paging, caching hints, the request-state key, tasks. Default:
    /// [`ServerConfig::default`].
    pub server: ServerConfig,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("mode", &self.mode)
            .field("json_response", &self.json_response)
            .field("path", &self.path)
            .field("event_store", &self.event_store.is_some())
            .field("cluster", &self.cluster.is_some())
            .field("security", &self.security)
            .field("retry_interval", &self.retry_interval)
            .field("keep_alive", &self.keep_alive)
            .field("session_idle_timeout", &self.session_idle_timeout)
            .field("max_sessions", &self.max_sessions)
            .field("max_request_body", &self.max_request_body)
            .field(
                "max_sessions_per_principal",
                &self.max_sessions_per_principal,
            )
            .field("body_read_timeout", &self.body_read_timeout)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("idle_connection_timeout", &self.idle_connection_timeout)
            .field("max_connections", &self.max_connections)
            .field("max_header_bytes", &self.max_header_bytes)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("server", &self.server)
            .finish()
    }
}

impl From<Mode> for HttpConfig {
    fn from(mode: Mode) -> Self {
        HttpConfig::new(mode)
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self::new(Mode::Stateful)
    }
}

impl HttpConfig {
    /// The defaults, in `mode`.
    pub fn new(mode: Mode) -> Self {
        HttpConfig {
            mode,
            json_response: false,
            path: "/mcp".to_owned(),
            event_store: None,
            cluster: None,
            security: Security::Auto,
            retry_interval: None,
            keep_alive: Some(Duration::from_secs(15)),
            session_idle_timeout: Some(Duration::from_secs(30 * 60)),
            max_sessions: 10_000,
            max_request_body: 4 * 1024 * 1024,
            max_sessions_per_principal: 100,
            body_read_timeout: Some(Duration::from_secs(30)),
            header_read_timeout: Duration::from_secs(10),
            idle_connection_timeout: Some(Duration::from_secs(60)),
            max_connections: 10_000,
            max_header_bytes: 64 * 1024,
            shutdown_timeout: Duration::from_secs(10),
            server: ServerConfig::default(),
        }
    }

    /// Sets [`json_response`](Self::json_response).
    pub fn json_response(mut self, on: bool) -> Self {
        self.json_response = on;
        self
    }

    /// Sets [`path`](Self::path).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sets [`event_store`](Self::event_store).
    pub fn event_store(mut self, store: impl EventStore) -> Self {
        self.event_store = Some(Arc::new(store));
        self
    }

    /// Sets [`cluster`](Self::cluster): serve sessions opened on other nodes, and tell them.
    ///
    /// ```
    /// use mcp_runtime::{HttpConfig, Mode};
    /// use mcp_runtime::store::{Cluster, InMemorySessionStore, LocalBus};
    ///
    /// let shared = Cluster::new(InMemorySessionStore::default(), LocalBus::default());
    /// let config = HttpConfig::new(Mode::Stateful).cluster(shared);
    /// assert!(config.cluster.is_some());
    /// ```
    pub fn cluster(mut self, cluster: Cluster) -> Self {
        self.cluster = Some(cluster);
        self
    }

    /// Sets [`security`](Self::security).
    pub fn security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// Sets [`retry_interval`](Self::retry_interval).
    pub fn retry_interval(mut self, interval: Option<Duration>) -> Self {
        self.retry_interval = interval;
        self
    }

    /// Sets [`keep_alive`](Self::keep_alive).
    pub fn keep_alive(mut self, interval: Option<Duration>) -> Self {
        self.keep_alive = interval;
        self
    }

    /// Sets [`session_idle_timeout`](Self::session_idle_timeout).
    pub fn session_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.session_idle_timeout = timeout;
        self
    }

    /// Sets [`max_sessions`](Self::max_sessions).
    pub fn max_sessions(mut self, n: usize) -> Self {
        self.max_sessions = n;
        self
    }

    /// Sets [`server`](Self::server).
    pub fn server(mut self, server: ServerConfig) -> Self {
        self.server = server;
        self
    }

    /// Sets [`max_sessions_per_principal`](Self::max_sessions_per_principal).
    ///
    /// ```
    /// let config = mcp_runtime::HttpConfig::default().max_sessions_per_principal(5);
    /// assert_eq!(config.max_sessions_per_principal, 5);
    /// ```
    pub fn max_sessions_per_principal(mut self, n: usize) -> Self {
        self.max_sessions_per_principal = n;
        self
    }

    /// Sets [`body_read_timeout`](Self::body_read_timeout).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let config = mcp_runtime::HttpConfig::default().body_read_timeout(Some(Duration::from_secs(5)));
    /// assert_eq!(config.body_read_timeout, Some(Duration::from_secs(5)));
    /// ```
    pub fn body_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Sets [`header_read_timeout`](Self::header_read_timeout).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let config = mcp_runtime::HttpConfig::default().header_read_timeout(Duration::from_secs(3));
    /// assert_eq!(config.header_read_timeout, Duration::from_secs(3));
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets [`idle_connection_timeout`](Self::idle_connection_timeout).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let config = mcp_runtime::HttpConfig::default().idle_connection_timeout(None);
    /// assert_eq!(config.idle_connection_timeout, None);
    /// ```
    pub fn idle_connection_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_connection_timeout = timeout;
        self
    }

    /// Sets [`max_connections`](Self::max_connections).
    ///
    /// ```
    /// let config = mcp_runtime::HttpConfig::default().max_connections(500);
    /// assert_eq!(config.max_connections, 500);
    /// ```
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Sets [`max_header_bytes`](Self::max_header_bytes) (at least 8 KiB).
    ///
    /// ```
    /// let config = mcp_runtime::HttpConfig::default().max_header_bytes(16 * 1024);
    /// assert_eq!(config.max_header_bytes, 16 * 1024);
    /// ```
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes.max(8 * 1024);
        self
    }

    /// Sets [`shutdown_timeout`](Self::shutdown_timeout).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let config = mcp_runtime::HttpConfig::default().shutdown_timeout(Duration::from_secs(2));
    /// assert_eq!(config.shutdown_timeout, Duration::from_secs(2));
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Sets [`max_request_body`](Self::max_request_body).
    pub fn max_request_body(mut self, bytes: usize) -> Self {
        self.max_request_body = bytes;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_python_sdk_session_manager() {
        let c = HttpConfig::default();
        assert_eq!(c.mode, Mode::Stateful);
        assert!(!c.json_response);
        assert_eq!(c.path, "/mcp");
        assert!(c.event_store.is_none());
        assert_eq!(c.security, Security::Auto);
        assert_eq!(c.retry_interval, None);
        assert_eq!(c.keep_alive, Some(Duration::from_secs(15)));
        assert_eq!(c.session_idle_timeout, Some(Duration::from_secs(1800)));
        assert_eq!(c.max_sessions, 10_000);
        assert_eq!(c.max_request_body, 4 * 1024 * 1024);
        assert_eq!(c.server.page_size, None);
        assert_eq!(HttpConfig::from(Mode::Stateless).mode, Mode::Stateless);
    }

    #[test]
    fn port_wildcards() {
        assert!(Pattern::new("localhost:*").matches("localhost"));
        assert!(Pattern::new("localhost:*").matches("LOCALHOST:8080"));
        assert!(!Pattern::new("localhost:*").matches("localhost:"));
        assert!(!Pattern::new("localhost:*").matches("localhost.evil.com"));
        assert!(!Pattern::new("localhost:*").matches("localhost:80x"));
        assert!(Pattern::new("http://[::1]:*").matches("http://[::1]:3000"));
        assert!(Pattern::new("example.com").matches("example.com"));
        assert!(!Pattern::new("example.com").matches("example.com:80"));
        assert!(Pattern::new("example.com").matches("EXAMPLE.com"));
        assert!(!Pattern::new("localhost:*").matches("local"));
        assert!(!Pattern::new("localhost:*").matches("localhost:８０"));
    }

    #[test]
    fn auto_checks_origins_on_every_bind_and_hosts_on_loopback() {
        let local: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let public: SocketAddr = "0.0.0.0:0".parse().unwrap();
        let on_loopback = Security::Auto.checks(Some(local));
        assert_eq!(on_loopback, Security::loopback().checks(None));
        assert!(!on_loopback.host_allowed("evil.example.com"));
        assert_eq!(
            Security::Auto.checks(None),
            on_loopback,
            "unknown is loopback"
        );
        let on_public = Security::Auto.checks(Some(public));
        assert!(on_public.host_allowed("mcp.example.com:8000"));
        assert!(!on_public.origin_allowed("http://evil.example"));
        assert!(on_public.origin_allowed("http://localhost:6274"));
        let off = Security::Disabled.checks(Some(local));
        assert!(off.host_allowed("evil.example.com") && off.origin_allowed("http://evil.example"));
        assert!(!Security::Auto.host_allowed("evil.example.com"));
        assert!(Security::Disabled.host_allowed("evil.example.com"));
    }
}
