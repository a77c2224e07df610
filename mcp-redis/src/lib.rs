//! Several nodes of one MCP server behind a load balancer, sharing Redis: any node serves any
//! session.
//!
//! [`Redis::connect`] opens one multiplexed connection (redis-rs's `ConnectionManager`, which
//! reconnects by itself with exponential backoff and resubscribes after a reconnect) and gives
//! the [`Cluster`] to put in each node's [`HttpConfig`](mcp_runtime::HttpConfig):
//! - sessions ([`RedisSessionStore`]): one key per session holding its record as JSON,
//!   expiring with the idle timeout and refreshed by activity, and a sorted set of the open
//!   ones for the cap on sessions in all;
//! - the bus ([`RedisBus`]): one pub/sub channel.
//!
//! ```no_run
//! use mcp_redis::{Redis, RedisConfig};
//! use mcp_runtime::{mcp_server, tool, HttpConfig, Mode};
//!
//! struct Hello;
//!
//! #[mcp_server]
//! impl Hello {
//!     /// Greet.
//!     #[tool]
//!     fn hello(&self) -> &'static str { "hi" }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let redis = Redis::connect(RedisConfig::new("redis://127.0.0.1:6379/0")).await?;
//!     let config = HttpConfig::new(Mode::Stateful).cluster(redis.cluster());
//!     mcp_runtime::serve(Hello, "0.0.0.0:8000", config).await?;
//!     Ok(())
//! }
//! ```
//!
//! What Redis holds is lost when a Redis without persistence restarts: every session (clients
//! get 404 and initialize again), and what was published while it was down.

mod bus;
mod events;
mod sessions;
mod tasks;

pub use bus::RedisBus;
pub use events::RedisEventStore;
pub use sessions::RedisSessionStore;
pub use tasks::{RedisTaskStore, TASK_ABANDONED};

use std::time::Duration;

use mcp_runtime::RequestStateKey;
use mcp_runtime::store::Cluster;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{IntoConnectionInfo, ProtocolVersion};

/// Where Redis is and how to use it.
///
/// ```
/// use std::time::Duration;
/// use mcp_redis::RedisConfig;
///
/// let config = RedisConfig::new("redis://127.0.0.1:6379/0")
///     .prefix("calc")
///     .timeout(Duration::from_millis(500));
/// assert_eq!(config.prefix, "calc");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RedisConfig {
    /// The server, as a `redis://` URL.
    pub url: String,
    /// What every key and channel name starts with, so that servers can share one Redis.
    /// Default: `mcp`.
    pub prefix: String,
    /// How long one operation may take before the request that needs it gets 503. Default:
    /// 2 s.
    pub timeout: Duration,
}

impl RedisConfig {
    /// The defaults, for the Redis at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        RedisConfig {
            url: url.into(),
            prefix: "mcp".to_owned(),
            timeout: Duration::from_secs(2),
        }
    }

    /// Sets [`prefix`](Self::prefix).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Sets [`timeout`](Self::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Why Redis could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisSetupError {
    /// Redis failed a command.
    #[error("Redis failed: {0}")]
    Command(#[source] redis::RedisError),
    /// What Redis holds is not usable.
    #[error("Redis holds an unusable request-state secret: {0}")]
    Secret(#[source] mcp_runtime::RequestStateKeyError),
    /// The URL is not a Redis URL.
    #[error("invalid Redis URL: {0}")]
    Url(#[source] redis::RedisError),
    /// Redis did not answer.
    #[error("cannot connect to Redis: {0}")]
    Connect(#[source] redis::RedisError),
}

/// A connection to the Redis the nodes share, and the stores on it.
#[derive(Clone)]
pub struct Redis {
    sessions: RedisSessionStore,
    bus: RedisBus,
    connection: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis").finish_non_exhaustive()
    }
}

impl Redis {
    /// Connects (RESP3, for pub/sub on the same connection) and subscribes to the bus.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), mcp_redis::RedisSetupError> {
    /// let redis = mcp_redis::Redis::connect(mcp_redis::RedisConfig::new("redis://127.0.0.1/")).await?;
    /// let cluster = redis.cluster();
    /// # let _ = cluster;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(config: RedisConfig) -> Result<Self, RedisSetupError> {
        let info = config
            .url
            .as_str()
            .into_connection_info()
            .map_err(RedisSetupError::Url)?;
        let settings = info
            .redis_settings()
            .clone()
            .set_protocol(ProtocolVersion::RESP3);
        let client =
            redis::Client::open(info.set_redis_settings(settings)).map_err(RedisSetupError::Url)?;
        let channel = format!("{}:bus", config.prefix);
        let (bus, pushes) = RedisBus::prepare(channel);
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout))
            .set_response_timeout(Some(config.timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2))
            .set_automatic_resubscription()
            .set_push_sender(pushes);
        let connection = ConnectionManager::new_with_config(client, manager)
            .await
            .map_err(RedisSetupError::Connect)?;
        let bus = bus
            .subscribed(connection.clone(), config.timeout)
            .await
            .map_err(RedisSetupError::Connect)?;
        Ok(Redis {
            sessions: RedisSessionStore::new(connection.clone(), &config),
            bus,
            connection,
            prefix: config.prefix,
        })
    }

    /// The key that signs 2026-07-28 `requestState`, the same on every node: a client's
    /// retry may land on another node than the request that asked it for input. Made at
    /// random by the first node that asks and kept in Redis (`PREFIX:request-state-secret`),
    /// so whoever can read Redis can sign states too (as they can read sessions).
    ///
    /// ```no_run
    /// # async fn run(redis: mcp_redis::Redis) -> Result<(), mcp_redis::RedisSetupError> {
    /// use mcp_runtime::{HttpConfig, Mode, ServerConfig};
    /// let server = ServerConfig::new().request_state_key(redis.request_state_key().await?);
    /// let config = HttpConfig::new(Mode::Stateful).server(server).cluster(redis.cluster());
    /// # let _ = config;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn request_state_key(&self) -> Result<RequestStateKey, RedisSetupError> {
        let key = format!("{}:request-state-secret", self.prefix);
        let candidate = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let mut connection = self.connection.clone();
        let mut set = redis::cmd("SET");
        set.arg(&key).arg(&candidate).arg("NX").arg("GET");
        // `SET NX GET` answers the secret kept before, or nil when ours was kept.
        let kept: Option<String> = set
            .query_async(&mut connection)
            .await
            .map_err(RedisSetupError::Command)?;
        RequestStateKey::from_secret(kept.unwrap_or(candidate)).map_err(RedisSetupError::Secret)
    }

    /// The session store and bus, for [`HttpConfig::cluster`](mcp_runtime::HttpConfig::cluster).
    pub fn cluster(&self) -> Cluster {
        Cluster::new(self.sessions.clone(), self.bus.clone())
    }

    /// An event store on Redis Streams (resumption with `Last-Event-ID` on any node), keeping
    /// at most `per_stream` events of each stream, each stream for `ttl` after its last event.
    pub fn event_store(&self, per_stream: usize, ttl: Duration) -> RedisEventStore {
        RedisEventStore::new(
            self.connection.clone(),
            &self.prefix,
            per_stream,
            ttl,
            self.sessions.timeout(),
        )
    }

    /// A task store: task state readable from any node, the work staying where it started,
    /// under a lease that node renews (a task whose node stopped renewing is read as failed).
    pub fn task_store(&self) -> RedisTaskStore {
        RedisTaskStore::new(
            self.connection.clone(),
            &self.prefix,
            self.sessions.timeout(),
        )
    }

    /// The session store.
    pub fn sessions(&self) -> &RedisSessionStore {
        &self.sessions
    }

    /// The bus.
    pub fn bus(&self) -> &RedisBus {
        &self.bus
    }
}
