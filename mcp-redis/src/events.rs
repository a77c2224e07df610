//! [`RedisEventStore`]: SSE events on Redis Streams, so a client resumes on any node.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use mcp_runtime::BoxFuture;
use mcp_runtime::store::{EventStore, EventStoreError, Replay, StoredEvent};
use redis::aio::ConnectionManager;
use redis::{Script, Value};

/// An [`EventStore`] on Redis Streams: one stream per SSE stream (`PREFIX:events:ID`), entries
/// numbered from one counter (`PREFIX:events:seq`), so an event id (`ID/N`) names its stream
/// and its entry (`0-N`). Bounded per stream by `MAXLEN` (exact: a client whose last event was
/// trimmed is told it cannot resume rather than missing events) and in time by an expiry
/// refreshed by each event; the whole is bounded by Redis's `maxmemory`.
///
/// ```no_run
/// # async fn run(redis: mcp_redis::Redis) {
/// use mcp_runtime::{HttpConfig, Mode};
/// let config = HttpConfig::new(Mode::Stateful)
///     .event_store(redis.event_store(1_000, std::time::Duration::from_secs(1800)))
///     .cluster(redis.cluster());
/// # let _ = config;
/// # }
/// ```
#[derive(Clone)]
pub struct RedisEventStore {
    connection: ConnectionManager,
    prefix: Arc<str>,
    per_stream: usize,
    ttl: Duration,
    timeout: Duration,
}

impl std::fmt::Debug for RedisEventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisEventStore")
            .field("prefix", &self.prefix)
            .field("per_stream", &self.per_stream)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// KEYS: stream, counter. ARGV: maxlen, ttl ms, then a kind ('m' message, 'p' priming) and
/// a text per event. Numbers the events from the counter, in order, and returns the last
/// number (the first is that minus the count plus one).
static STORE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "local count = (#ARGV - 2) / 2
        local last = redis.call('INCRBY', KEYS[2], count)
        for i = 1, count do
            local n = last - count + i
            redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '0-' .. n, ARGV[1 + 2 * i], ARGV[2 + 2 * i])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return last",
    )
});

/// KEYS: stream. ARGV: the last entry's id. Nil when it is gone; else the entries after it.
static REPLAY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then return false end
        return redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+')",
    )
});

impl RedisEventStore {
    pub(crate) fn new(
        connection: ConnectionManager,
        prefix: &str,
        per_stream: usize,
        ttl: Duration,
        timeout: Duration,
    ) -> Self {
        RedisEventStore {
            connection,
            prefix: prefix.into(),
            per_stream: per_stream.max(1),
            ttl,
            timeout,
        }
    }

    fn stream_key(&self, stream_id: &str) -> String {
        format!("{}:events:{stream_id}", self.prefix)
    }

    async fn bounded<T>(
        &self,
        work: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, EventStoreError> {
        match tokio::time::timeout(self.timeout, work).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(EventStoreError(format!("Redis: {e}"))),
            Err(_) => Err(EventStoreError(format!(
                "Redis did not answer within {:?}",
                self.timeout
            ))),
        }
    }
}

/// Splits `STREAM/N` (N canonical, as the runtime writes ids).
fn split(id: &str) -> Option<(&str, u64)> {
    let (stream, n) = id.rsplit_once('/')?;
    let canonical = !n.starts_with('0') && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    Some((stream, n.parse().ok().filter(|_| canonical)?))
}

/// One `XRANGE` entry: `[id, [field, value]]`.
fn entry(stream_id: &str, value: &Value) -> Option<StoredEvent> {
    let Value::Array(parts) = value else {
        return None;
    };
    let id = match parts.first()? {
        Value::BulkString(id) => std::str::from_utf8(id).ok()?,
        Value::SimpleString(id) => id.as_str(),
        _ => return None,
    };
    let n = id.strip_prefix("0-")?;
    let Value::Array(fields) = parts.get(1)? else {
        return None;
    };
    let text = |v: &Value| match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    };
    let kind = text(fields.first()?)?;
    Some(StoredEvent {
        id: format!("{stream_id}/{n}"),
        message: if kind == "m" {
            text(fields.get(1)?)
        } else {
            None
        },
    })
}

impl RedisEventStore {
    /// Stores `messages` of `stream_id` in one `EVALSHA` and returns the last one's number.
    async fn store_numbered(
        &self,
        stream_id: &str,
        messages: &[Option<&str>],
    ) -> Result<u64, EventStoreError> {
        let mut invocation = STORE.key(self.stream_key(stream_id));
        invocation
            .key(format!("{}:events:seq", self.prefix))
            .arg(self.per_stream)
            .arg(
                u64::try_from(self.ttl.as_millis())
                    .unwrap_or(u64::MAX)
                    .max(1),
            );
        for message in messages {
            invocation
                .arg(if message.is_some() { "m" } else { "p" })
                .arg(message.unwrap_or(""));
        }
        let mut connection = self.connection.clone();
        self.bounded(invocation.invoke_async(&mut connection)).await
    }
}

impl EventStore for RedisEventStore {
    fn store<'a>(
        &'a self,
        stream_id: &'a str,
        message: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, EventStoreError>> {
        Box::pin(async move {
            let n = self.store_numbered(stream_id, &[message]).await?;
            Ok(format!("{stream_id}/{n}"))
        })
    }

    /// One round trip for all of them (one `EVALSHA`).
    fn store_all<'a>(
        &'a self,
        stream_id: &'a str,
        messages: &'a [Option<&'a str>],
    ) -> BoxFuture<'a, Result<Vec<String>, EventStoreError>> {
        Box::pin(async move {
            if messages.is_empty() {
                return Ok(Vec::new());
            }
            let last = self.store_numbered(stream_id, messages).await?;
            let count = messages.len() as u64;
            Ok((last + 1 - count..=last)
                .map(|n| format!("{stream_id}/{n}"))
                .collect())
        })
    }

    fn replay_after<'a>(
        &'a self,
        last_event_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Replay>, EventStoreError>> {
        Box::pin(async move {
            let Some((stream_id, n)) = split(last_event_id) else {
                return Ok(None);
            };
            let mut invocation = REPLAY.key(self.stream_key(stream_id));
            invocation.arg(format!("0-{n}"));
            let mut connection = self.connection.clone();
            let found: Value = self
                .bounded(invocation.invoke_async(&mut connection))
                .await?;
            let entries = match found {
                Value::Array(entries) => entries,
                _ => return Ok(None),
            };
            let events = entries
                .iter()
                .map(|e| entry(stream_id, e))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| EventStoreError("an unreadable stream entry".into()))?;
            Ok(Some(Replay {
                stream_id: stream_id.to_owned(),
                events,
            }))
        })
    }

    fn forget_streams<'a>(
        &'a self,
        stream_prefix: &'a str,
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        Box::pin(async move {
            // Glob characters in the prefix are matched literally.
            let mut pattern = self.stream_key("");
            for c in stream_prefix.chars() {
                if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('*');
            let mut connection = self.connection.clone();
            let mut cursor = 0u64;
            loop {
                let mut scan = redis::cmd("SCAN");
                scan.arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000);
                let (next, keys): (u64, Vec<String>) =
                    self.bounded(scan.query_async(&mut connection)).await?;
                if !keys.is_empty() {
                    let mut del = redis::cmd("DEL");
                    del.arg(&keys);
                    let _: i64 = self.bounded(del.query_async(&mut connection)).await?;
                }
                if next == 0 {
                    return Ok(());
                }
                cursor = next;
            }
        })
    }
}
