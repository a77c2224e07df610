//! [`RedisSessionStore`]: sessions as JSON records under expiring keys.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use mcp_runtime::BoxFuture;
use mcp_runtime::store::{SessionRecord, SessionStore, SessionStoreError};
use redis::Script;
use redis::aio::ConnectionManager;

use crate::RedisConfig;

/// A [`SessionStore`] on Redis.
///
/// - `PREFIX:session:ID`: the record as JSON, expiring after the idle timeout (`PX`);
/// - `PREFIX:sessions`: a sorted set of the open sessions, scored by when each expires, which
///   the cap on sessions in all counts (after dropping the expired ones).
///
/// Each operation is one Lua script (atomic, one round trip), with Redis's clock for every
/// expiry so that nodes' clocks do not matter.
///
/// ```no_run
/// use mcp_runtime::store::{SessionRecord, SessionStore};
/// # async fn run(redis: mcp_redis::Redis) {
/// let found = redis.sessions().load("0123456789abcdef0123456789abcdef", None).await;
/// # let _ = found;
/// # }
/// ```
#[derive(Clone)]
pub struct RedisSessionStore {
    connection: ConnectionManager,
    keys: Arc<Keys>,
    timeout: Duration,
}

struct Keys {
    prefix: String,
    open: String,
}

impl std::fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.keys.prefix)
            .finish_non_exhaustive()
    }
}

/// `now` in ms by Redis's clock, as a Lua prelude.
const NOW: &str = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) ";

/// KEYS: open set, record. ARGV: id, ttl ms (0: none), max, record.
static CREATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
        local ttl = tonumber(ARGV[2])
        if ttl > 0 then
            redis.call('SET', KEYS[2], ARGV[4], 'PX', ttl)
            redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
        else
            redis.call('SET', KEYS[2], ARGV[4])
            redis.call('ZADD', KEYS[1], '+inf', ARGV[1])
        end
        return 1"
    ))
});

/// KEYS: open set, record. ARGV: id, ttl ms (0: none). Returns the record, refreshed.
static LOAD: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
        local record = redis.call('GET', KEYS[2])
        if not record then redis.call('ZREM', KEYS[1], ARGV[1]) return false end
        local ttl = tonumber(ARGV[2])
        if ttl > 0 then
            redis.call('PEXPIRE', KEYS[2], ttl)
            redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
        end
        return record"
    ))
});

/// KEYS: open set, record. ARGV: id, ttl ms (0: none), record (empty: only refresh).
static SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{NOW}
        if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('ZREM', KEYS[1], ARGV[1]) return 0 end
        local ttl = tonumber(ARGV[2])
        if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'KEEPTTL') end
        if ttl > 0 then
            redis.call('PEXPIRE', KEYS[2], ttl)
            redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
        end
        return 1"
    ))
});

/// KEYS: open set, record. ARGV: id.
static REMOVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "redis.call('ZREM', KEYS[1], ARGV[1])
        return redis.call('DEL', KEYS[2])",
    )
});

fn ttl_ms(ttl: Option<Duration>) -> u64 {
    ttl.map_or(0, |t| {
        u64::try_from(t.as_millis()).unwrap_or(u64::MAX).max(1)
    })
}

impl RedisSessionStore {
    pub(crate) fn new(connection: ConnectionManager, config: &RedisConfig) -> Self {
        RedisSessionStore {
            connection,
            keys: Arc::new(Keys {
                prefix: config.prefix.clone(),
                open: format!("{}:sessions", config.prefix),
            }),
            timeout: config.timeout,
        }
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    fn record_key(&self, id: &str) -> String {
        format!("{}:session:{id}", self.keys.prefix)
    }

    /// Runs `script` with the open set and the record of `id` as keys, within the timeout.
    async fn run<T: redis::FromRedisValue>(
        &self,
        script: &Script,
        id: &str,
        args: &[&[u8]],
    ) -> Result<T, SessionStoreError> {
        let mut invocation = script.key(&self.keys.open);
        invocation.key(self.record_key(id)).arg(id);
        for arg in args {
            invocation.arg(*arg);
        }
        let mut connection = self.connection.clone();
        match tokio::time::timeout(self.timeout, invocation.invoke_async(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "Redis session store failed");
                Err(SessionStoreError::Unavailable(e.to_string()))
            }
            Err(_) => {
                tracing::warn!(timeout = ?self.timeout, "Redis session store did not answer");
                Err(SessionStoreError::Unavailable(format!(
                    "no answer within {:?}",
                    self.timeout
                )))
            }
        }
    }
}

fn encode(record: &SessionRecord) -> Result<Vec<u8>, SessionStoreError> {
    serde_json::to_vec(record).map_err(|e| SessionStoreError::Corrupt(e.to_string()))
}

impl SessionStore for RedisSessionStore {
    fn create<'a>(
        &'a self,
        record: &'a SessionRecord,
        ttl: Option<Duration>,
        max_sessions: usize,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        Box::pin(async move {
            let body = encode(record)?;
            let ttl = ttl_ms(ttl).to_string();
            let max = max_sessions.to_string();
            let created: i64 = self
                .run(
                    &CREATE,
                    &record.id,
                    &[ttl.as_bytes(), max.as_bytes(), &body],
                )
                .await?;
            Ok(created == 1)
        })
    }

    fn load<'a>(
        &'a self,
        id: &'a str,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, SessionStoreError>> {
        Box::pin(async move {
            let ttl = ttl_ms(ttl).to_string();
            let body: Option<Vec<u8>> = self.run(&LOAD, id, &[ttl.as_bytes()]).await?;
            body.map(|body| {
                serde_json::from_slice(&body).map_err(|e| {
                    tracing::warn!(session = %id, error = %e, "unreadable session record");
                    SessionStoreError::Corrupt(e.to_string())
                })
            })
            .transpose()
        })
    }

    fn save<'a>(
        &'a self,
        record: &'a SessionRecord,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        Box::pin(async move {
            let body = encode(record)?;
            let ttl = ttl_ms(ttl).to_string();
            let saved: i64 = self
                .run(&SAVE, &record.id, &[ttl.as_bytes(), &body])
                .await?;
            Ok(saved == 1)
        })
    }

    fn touch<'a>(
        &'a self,
        id: &'a str,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        Box::pin(async move {
            let ttl = ttl_ms(ttl).to_string();
            let touched: i64 = self.run(&SAVE, id, &[ttl.as_bytes(), b""]).await?;
            Ok(touched == 1)
        })
    }

    fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        Box::pin(async move {
            let removed: i64 = self.run(&REMOVE, id, &[]).await?;
            Ok(removed > 0)
        })
    }
}
