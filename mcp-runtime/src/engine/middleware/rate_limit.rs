//! Rate limiting ([`RateLimit`]): a token bucket per principal or per session, checked when a
//! request reaches the layer, before the layers and the handler it wraps.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use tower_layer::Layer;
use tower_service::Service;

use super::{McpFuture, McpRequest, McpService};
use crate::engine::principal::Principal;
use crate::protocol::{ErrorObject, error_codes};

/// The `data.limit` of a refusal: how clients and the HTTP transport recognize it.
const LIMIT: &str = "rate_limit";

/// Whose requests share a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateKey {
    /// The authenticated principal's (all its sessions together); requests without one share
    /// the bucket of their session, or, without a session either, one anonymous bucket.
    Principal,
    /// The session's; requests without a session (2026-07-28) share their principal's
    /// bucket, or the anonymous one.
    Session,
}

/// A rate limit on the requests it wraps, as a layer
/// ([`ServerConfig::layer`](crate::ServerConfig::layer), or scoped to a method or a tool):
/// `requests` per `period` on average, with bursts of up to `burst` (a token bucket, GCRA).
/// A refused request gets a JSON-RPC error (-32000, `data.limit = "rate_limit"`,
/// `data.retryAfter` in whole seconds) at once; over HTTP, a `429 Too Many Requests` response
/// with `Retry-After`, in both protocol eras (when no layer outside it made the request wait
/// first: the response's status is chosen when the request is first polled).
///
/// The buckets are made when the first request reaches the layer, and shared by its clones:
/// a layer added to two scopes counts their requests together.
///
/// ```
/// use std::num::NonZeroU32;
/// use std::time::Duration;
/// use mcp_runtime::ServerConfig;
/// use mcp_runtime::middleware::RateLimit;
///
/// // 10 requests a second per principal, 20 at once; tool calls 1 a second on top.
/// let ten = NonZeroU32::new(10).expect("not zero");
/// let limit = RateLimit::per_principal(ten, Duration::from_secs(1))
///     .burst(NonZeroU32::new(20).expect("not zero"));
/// let calls = RateLimit::per_principal(NonZeroU32::MIN, Duration::from_secs(1));
/// let config = ServerConfig::new()
///     .layer(limit)
///     .layer_for_method(mcp_runtime::protocol::Method::ToolsCall, calls);
/// assert!(!config.layers.is_empty());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RateLimit {
    /// Whose requests share a bucket.
    pub key: RateKey,
    /// How many requests a bucket refills per [`period`](Self::period).
    pub requests: NonZeroU32,
    /// The refill period.
    pub period: Duration,
    /// How many requests a full bucket lets through at once. Default: `requests`.
    pub burst: NonZeroU32,
    /// The buckets, made from the fields above on first use.
    buckets: Arc<OnceLock<RateLimiter>>,
}

impl PartialEq for RateLimit {
    fn eq(&self, other: &Self) -> bool {
        (self.key, self.requests, self.period, self.burst)
            == (other.key, other.requests, other.period, other.burst)
    }
}

impl Eq for RateLimit {}

impl RateLimit {
    /// `requests` per `period` for each principal.
    ///
    /// ```
    /// # use std::{num::NonZeroU32, time::Duration};
    /// let limit = mcp_runtime::middleware::RateLimit::per_principal(NonZeroU32::MIN, Duration::from_secs(1));
    /// assert_eq!(limit.key, mcp_runtime::middleware::RateKey::Principal);
    /// ```
    pub fn per_principal(requests: NonZeroU32, period: Duration) -> Self {
        Self::new(RateKey::Principal, requests, period)
    }

    /// `requests` per `period` for each session.
    ///
    /// ```
    /// # use std::{num::NonZeroU32, time::Duration};
    /// let limit = mcp_runtime::middleware::RateLimit::per_session(NonZeroU32::MIN, Duration::from_secs(1));
    /// assert_eq!(limit.key, mcp_runtime::middleware::RateKey::Session);
    /// ```
    pub fn per_session(requests: NonZeroU32, period: Duration) -> Self {
        Self::new(RateKey::Session, requests, period)
    }

    fn new(key: RateKey, requests: NonZeroU32, period: Duration) -> Self {
        RateLimit {
            key,
            requests,
            period,
            burst: requests,
            buckets: Arc::default(),
        }
    }

    /// Sets [`burst`](Self::burst).
    ///
    /// ```
    /// # use std::{num::NonZeroU32, time::Duration};
    /// let five = NonZeroU32::new(5).expect("not zero");
    /// let limit = mcp_runtime::middleware::RateLimit::per_session(NonZeroU32::MIN, Duration::from_secs(1)).burst(five);
    /// assert_eq!(limit.burst, five);
    /// ```
    pub fn burst(mut self, burst: NonZeroU32) -> Self {
        self.burst = burst;
        self.buckets = Arc::default();
        self
    }

    fn limiter(&self) -> &RateLimiter {
        self.buckets.get_or_init(|| RateLimiter::new(self))
    }
}

impl<'a> Layer<McpService<'a>> for RateLimit {
    type Service = Limited<'a>;

    fn layer(&self, inner: McpService<'a>) -> Limited<'a> {
        self.limiter();
        Limited {
            inner,
            limit: self.clone(),
        }
    }
}

/// The service of [`RateLimit`].
#[derive(Debug)]
pub struct Limited<'a> {
    inner: McpService<'a>,
    limit: RateLimit,
}

impl<'a> Service<McpRequest> for Limited<'a> {
    type Response = Box<serde_json::value::RawValue>;
    type Error = ErrorObject;
    type Future = McpFuture<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ErrorObject>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: McpRequest) -> McpFuture<'a> {
        let limiter = self.limit.limiter();
        match limiter.admit(request.principal(), request.session_id()) {
            Ok(()) => self.inner.call(request),
            Err(refusal) => Box::pin(std::future::ready(Err(refusal))),
        }
    }
}

/// The buckets of one [`RateLimit`].
struct RateLimiter {
    key: RateKey,
    buckets: DefaultKeyedRateLimiter<Bucket>,
    /// Checks since the last sweep of idle buckets.
    checks: AtomicU32,
}

/// Idle buckets are forgotten every this many checks.
const SWEEP_EVERY: u32 = 4096;

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// A bucket's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Bucket {
    Principal(String),
    Session(String),
    Anonymous,
}

impl RateLimiter {
    fn new(limit: &RateLimit) -> Self {
        // One request per `period / requests`; a zero interval (a huge rate) is no limit.
        let interval = limit.period / limit.requests.get();
        let quota = Quota::with_period(interval)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(limit.burst);
        RateLimiter {
            key: limit.key,
            buckets: DefaultKeyedRateLimiter::keyed(quota),
            checks: AtomicU32::new(0),
        }
    }

    /// Takes a token from the caller's bucket; `Err` is the refusal the client gets.
    fn admit(
        &self,
        principal: Option<&Principal>,
        session: Option<&str>,
    ) -> Result<(), ErrorObject> {
        let principal = principal.map(Principal::as_str);
        let bucket = match (self.key, principal, session) {
            (RateKey::Principal, Some(principal), _)
            | (RateKey::Session, Some(principal), None) => Bucket::Principal(principal.to_owned()),
            (_, _, Some(session)) => Bucket::Session(session.to_owned()),
            (_, None, None) => Bucket::Anonymous,
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            // Buckets full again hold nothing worth keeping.
            self.buckets.retain_recent();
        }
        let Err(not_until) = self.buckets.check_key(&bucket) else {
            return Ok(());
        };
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        // Whole seconds, rounded up: a client that waits as long is admitted.
        let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        tracing::info!(?bucket, retry_after, "request refused by the rate limit");
        Err(ErrorObject::new(
            error_codes::SERVER_ERROR,
            format!("rate limit exceeded: retry after {retry_after} s"),
        )
        .with_data(serde_json::json!({ "limit": LIMIT, "retryAfter": retry_after })))
    }
}

/// The `Retry-After` seconds of a rate-limit refusal, `None` for any other error.
pub(crate) fn retry_after(error: &ErrorObject) -> Option<u64> {
    let data = error.data.as_ref()?;
    (error.code == error_codes::SERVER_ERROR && data.get("limit")? == LIMIT)
        .then(|| data.get("retryAfter")?.as_u64())
        .flatten()
}
