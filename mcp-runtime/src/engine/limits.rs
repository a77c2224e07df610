//! [`Limits`]: what one client may hold of the server, whatever the transport.

use std::time::Duration;

use crate::protocol::ErrorObject;

/// Caps on what one client session can make the server hold, each with a clear error at the
/// cap. Part of [`ServerConfig`](crate::ServerConfig); the HTTP-level ones (connections,
/// timeouts, sessions) are in [`HttpConfig`](crate::HttpConfig).
///
/// | limit | default | at the cap |
/// | --- | --- | --- |
/// | `max_in_flight_per_session` | 100 | the request gets `-32000` ("too many requests in flight") |
/// | `max_pending_client_requests` | 32 | the tool's `ctx.request` fails with [`PeerError::TooManyPending`](crate::PeerError::TooManyPending) |
/// | `client_request_timeout` | 300 s | the tool's `ctx.request` fails with [`PeerError::Timeout`](crate::PeerError::Timeout) |
/// | `max_subscriptions_per_session` | 1,000 | `resources/subscribe` gets `-32000` |
/// | `max_uri_bytes` | 8 KiB | `resources/subscribe` and `resources/read` get `-32602` |
/// | `max_client_info_bytes` | 64 KiB | `initialize` gets `-32602` (its params hold the stored client info and capabilities) |
/// | `max_listen_task_ids` | 1,000 | `subscriptions/listen` gets `-32602` (ids are deduplicated first) |
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::{Limits, ServerConfig};
///
/// let config = ServerConfig::new().limits(
///     Limits::default()
///         .max_in_flight_per_session(10)
///         .client_request_timeout(Some(Duration::from_secs(60))),
/// );
/// assert_eq!(config.limits.max_in_flight_per_session, 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Requests of one session running at once.
    pub max_in_flight_per_session: usize,
    /// Requests the server sent one session's client (sampling, elicitation, roots) and that
    /// await an answer.
    pub max_pending_client_requests: usize,
    /// How long a request to the client waits for its answer; `None` waits for ever (until
    /// the request is cancelled or the session ends).
    pub client_request_timeout: Option<Duration>,
    /// Resources one session may subscribe to.
    pub max_subscriptions_per_session: usize,
    /// The length of a resource URI a client sends.
    pub max_uri_bytes: usize,
    /// The size of `initialize`'s params, which hold the client info and capabilities the
    /// session keeps.
    pub max_client_info_bytes: usize,
    /// Task ids in one `subscriptions/listen` (2026-07-28, tasks extension).
    pub max_listen_task_ids: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_in_flight_per_session: 100,
            max_pending_client_requests: 32,
            client_request_timeout: Some(Duration::from_secs(300)),
            max_subscriptions_per_session: 1_000,
            max_uri_bytes: 8 * 1024,
            max_client_info_bytes: 64 * 1024,
            max_listen_task_ids: 1_000,
        }
    }
}

impl Limits {
    /// Sets [`max_in_flight_per_session`](Self::max_in_flight_per_session).
    ///
    /// ```
    /// let limits = mcp_runtime::Limits::default().max_in_flight_per_session(8);
    /// assert_eq!(limits.max_in_flight_per_session, 8);
    /// ```
    pub fn max_in_flight_per_session(mut self, n: usize) -> Self {
        self.max_in_flight_per_session = n.max(1);
        self
    }

    /// Sets [`max_pending_client_requests`](Self::max_pending_client_requests).
    ///
    /// ```
    /// let limits = mcp_runtime::Limits::default().max_pending_client_requests(4);
    /// assert_eq!(limits.max_pending_client_requests, 4);
    /// ```
    pub fn max_pending_client_requests(mut self, n: usize) -> Self {
        self.max_pending_client_requests = n.max(1);
        self
    }

    /// Sets [`client_request_timeout`](Self::client_request_timeout).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let limits = mcp_runtime::Limits::default().client_request_timeout(None);
    /// assert_eq!(limits.client_request_timeout, None);
    /// ```
    pub fn client_request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.client_request_timeout = timeout;
        self
    }

    /// Sets [`max_subscriptions_per_session`](Self::max_subscriptions_per_session).
    ///
    /// ```
    /// let limits = mcp_runtime::Limits::default().max_subscriptions_per_session(10);
    /// assert_eq!(limits.max_subscriptions_per_session, 10);
    /// ```
    pub fn max_subscriptions_per_session(mut self, n: usize) -> Self {
        self.max_subscriptions_per_session = n;
        self
    }

    /// Sets [`max_uri_bytes`](Self::max_uri_bytes).
    ///
    /// ```
    /// let limits = mcp_runtime::Limits::default().max_uri_bytes(1024);
    /// assert_eq!(limits.max_uri_bytes, 1024);
    /// ```
    pub fn max_uri_bytes(mut self, n: usize) -> Self {
        self.max_uri_bytes = n;
        self
    }

    /// Sets [`max_client_info_bytes`](Self::max_client_info_bytes).
    ///
    /// ```
    /// let limits = mcp_runtime::Limits::default().max_client_info_bytes(16 * 1024);
    /// assert_eq!(limits.max_client_info_bytes, 16 * 1024);
    /// ```
    pub fn max_client_info_bytes(mut self, n: usize) -> Self {
        self.max_client_info_bytes = n;
        self
    }

    /// Sets [`max_listen_task_ids`](Self::max_listen_task_ids).
    ///
    /// ```
    /// let limits = mcp_runtime::Limits::default().max_listen_task_ids(50);
    /// assert_eq!(limits.max_listen_task_ids, 50);
    /// ```
    pub fn max_listen_task_ids(mut self, n: usize) -> Self {
        self.max_listen_task_ids = n;
        self
    }
}

/// The error of a request refused at a cap: `-32000`, naming the limit, with `data` that says
/// which and how much.
pub(crate) fn reached(limit: &'static str, max: usize, what: &str) -> ErrorObject {
    ErrorObject::new(
        crate::protocol::error_codes::SERVER_ERROR,
        format!("{what}: the limit is {max} (`{limit}`)"),
    )
    .with_data(serde_json::json!({ "limit": limit, "max": max }))
}

/// The error of a URI longer than the limit: `-32602`.
pub(crate) fn uri_too_long(len: usize, max: usize) -> ErrorObject {
    ErrorObject::invalid_params(format!(
        "the URI is {len} bytes long; the limit is {max} (`max_uri_bytes`)"
    ))
}
