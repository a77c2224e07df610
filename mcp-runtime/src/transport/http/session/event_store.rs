//! Resumability: where SSE events are kept so a client can reconnect with `Last-Event-ID`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::BoxFuture;

/// One stored event: its id and its JSON-RPC message (`None` for a priming event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The SSE event id.
    pub id: String,
    /// The JSON text of the message, or `None` for a priming event (empty data).
    pub message: Option<String>,
}

/// The events a client missed on one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The stream the events belong to.
    pub stream_id: String,
    /// The events after the client's last one, oldest first.
    pub events: Vec<StoredEvent>,
}

/// Why the event store failed.
#[derive(Debug, thiserror::Error)]
#[error("event store: {0}")]
pub struct EventStoreError(pub String);

/// Keeps SSE events so that clients can resume a stream after a disconnect.
///
/// Event ids must be unique across all streams the store serves and must let
/// [`replay_after`](Self::replay_after) find their stream.
///
/// ```
/// use mcp_runtime::store::{EventStore, InMemoryEventStore};
///
/// # tokio_test_block(async {
/// let store = InMemoryEventStore::default();
/// let first = store.store("s1", Some("{\"a\":1}")).await.unwrap();
/// store.store("s2", Some("{\"other\":1}")).await.unwrap();
/// let second = store.store("s1", Some("{\"a\":2}")).await.unwrap();
/// let replay = store.replay_after(&first).await.unwrap().unwrap();
/// assert_eq!(replay.stream_id, "s1");
/// assert_eq!(replay.events.len(), 1);
/// assert_eq!(replay.events[0].id, second);
/// # });
/// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub trait EventStore: Send + Sync + 'static {
    /// Stores an event of `stream_id` and returns its new id.
    fn store<'a>(
        &'a self,
        stream_id: &'a str,
        message: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, EventStoreError>>;

    /// The events stored after `last_event_id` on its stream, or `None` when the id is unknown
    /// (never issued, or already dropped).
    fn replay_after<'a>(
        &'a self,
        last_event_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Replay>, EventStoreError>>;
}

/// An [`EventStore`] in memory, bounded per stream and in total; the oldest events go first.
///
/// Defaults: 1,000 events per stream, 100,000 in all.
///
/// ```
/// use mcp_runtime::{HttpConfig, Mode};
/// use mcp_runtime::store::{InMemoryEventStore};
///
/// // Clients that lose their SSE stream reconnect with `Last-Event-ID` and get what they missed.
/// let config = HttpConfig::new(Mode::Stateful)
///     .event_store(InMemoryEventStore::with_limits(100, 10_000));
/// assert!(config.event_store.is_some());
/// ```
#[derive(Debug)]
pub struct InMemoryEventStore {
    per_stream: usize,
    total: usize,
    next: AtomicU64,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    streams: HashMap<String, VecDeque<(u64, Option<String>)>>,
    /// Every stored event by age, to enforce the total cap (entries of events already dropped by
    /// the per-stream cap stay until they reach the front, so this is bounded by `total` too).
    order: VecDeque<(String, u64)>,
}

impl Default for InMemoryEventStore {
    fn default() -> Self {
        Self::with_limits(1_000, 100_000)
    }
}

impl InMemoryEventStore {
    /// A store keeping at most `per_stream` events of each stream and `total` in all.
    pub fn with_limits(per_stream: usize, total: usize) -> Self {
        InMemoryEventStore {
            per_stream: per_stream.max(1),
            total: total.max(1),
            next: AtomicU64::new(1),
            inner: Mutex::default(),
        }
    }

    /// How many events are stored.
    pub fn len(&self) -> usize {
        self.lock().streams.values().map(VecDeque::len).sum()
    }

    /// Whether no event is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        crate::recover::lock(&self.inner)
    }

    fn store_now(&self, stream_id: &str, message: Option<&str>) -> String {
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        let mut inner = self.lock();
        let events = inner.streams.entry(stream_id.to_owned()).or_default();
        events.push_back((seq, message.map(str::to_owned)));
        if events.len() > self.per_stream {
            events.pop_front();
        }
        inner.order.push_back((stream_id.to_owned(), seq));
        while inner.order.len() > self.total {
            let Some((stream, old)) = inner.order.pop_front() else {
                break;
            };
            if let Some(events) = inner.streams.get_mut(&stream) {
                if events.front().is_some_and(|(s, _)| *s == old) {
                    events.pop_front();
                }
                if events.is_empty() {
                    inner.streams.remove(&stream);
                }
            }
        }
        event_id(stream_id, seq)
    }

    fn replay_now(&self, last_event_id: &str) -> Option<Replay> {
        let (stream_id, seq) = parse_event_id(last_event_id)?;
        let inner = self.lock();
        let events = inner.streams.get(stream_id)?;
        // The client's last event must still be known (or older than what we keep, but then
        // some events are lost and an honest store says it cannot replay).
        if !events.iter().any(|(s, _)| *s == seq) {
            return None;
        }
        Some(Replay {
            stream_id: stream_id.to_owned(),
            events: events
                .iter()
                .filter(|(s, _)| *s > seq)
                .map(|(s, m)| StoredEvent {
                    id: event_id(stream_id, *s),
                    message: m.clone(),
                })
                .collect(),
        })
    }
}

/// Event ids are `<stream id>/<sequence number>`.
fn event_id(stream_id: &str, seq: u64) -> String {
    format!("{stream_id}/{seq}")
}

fn parse_event_id(id: &str) -> Option<(&str, u64)> {
    let (stream, seq) = id.rsplit_once('/')?;
    // Only the numbers `event_id` writes (no sign, no leading zero): no other text may stand
    // for an issued id.
    let canonical = !seq.starts_with('0') && seq.bytes().all(|b| b.is_ascii_digit());
    Some((stream, seq.parse().ok().filter(|_| canonical)?))
}

impl EventStore for InMemoryEventStore {
    fn store<'a>(
        &'a self,
        stream_id: &'a str,
        message: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, EventStoreError>> {
        let id = self.store_now(stream_id, message);
        Box::pin(async move { Ok(id) })
    }

    fn replay_after<'a>(
        &'a self,
        last_event_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Replay>, EventStoreError>> {
        let replay = self.replay_now(last_event_id);
        Box::pin(async move { Ok(replay) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_only_the_events_after_on_the_same_stream() {
        let store = InMemoryEventStore::default();
        let a1 = store.store_now("a", None);
        let _b1 = store.store_now("b", Some("b1"));
        let a2 = store.store_now("a", Some("a2"));
        let a3 = store.store_now("a", Some("a3"));
        let replay = store.replay_now(&a1).unwrap();
        assert_eq!(replay.stream_id, "a");
        let ids: Vec<_> = replay.events.iter().map(|e| e.id.clone()).collect();
        assert_eq!(ids, vec![a2, a3.clone()]);
        assert!(store.replay_now(&a3).unwrap().events.is_empty());
        assert!(store.replay_now("nope").is_none());
        assert!(store.replay_now("a/999").is_none());
        // Found by the `last_event_id` fuzz target: ids the store never issued are unknown,
        // even when they parse to the number of one it did.
        for alias in ["a/03", "a/+3", "a/ 3", "a/3 ", "a/"] {
            assert!(store.replay_now(alias).is_none(), "{alias}");
        }
    }

    #[test]
    fn caps_drop_the_oldest_events() {
        let store = InMemoryEventStore::with_limits(2, 3);
        let a1 = store.store_now("a", Some("1"));
        let a2 = store.store_now("a", Some("2"));
        store.store_now("a", Some("3"));
        assert!(
            store.replay_now(&a1).is_none(),
            "a1 fell off the per-stream cap"
        );
        assert_eq!(store.replay_now(&a2).unwrap().events.len(), 1);
        store.store_now("b", Some("1"));
        store.store_now("b", Some("2"));
        assert_eq!(store.len(), 3, "total cap");
        assert!(store.replay_now(&a2).is_none());
    }
}
