//! Resumability: where SSE events are kept so a client can reconnect with `Last-Event-ID`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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

    /// Stores several events of `stream_id` in order (`None` is a priming event) and returns
    /// their new ids, in the same order. The runtime calls it for a response that is ready
    /// when its stream opens (its priming event and the response). A shared store should
    /// write them in one round trip; the default stores them one after the other.
    ///
    /// ```
    /// use mcp_runtime::store::{EventStore, InMemoryEventStore};
    ///
    /// # tokio_test_block(async {
    /// let store = InMemoryEventStore::default();
    /// let ids = store.store_all("s1", &[None, Some("{\"a\":1}")]).await.unwrap();
    /// let replay = store.replay_after(&ids[0]).await.unwrap().unwrap();
    /// assert_eq!(replay.events.len(), 1);
    /// assert_eq!(replay.events[0].id, ids[1]);
    /// # });
    /// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
    /// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// ```
    fn store_all<'a>(
        &'a self,
        stream_id: &'a str,
        messages: &'a [Option<&'a str>],
    ) -> BoxFuture<'a, Result<Vec<String>, EventStoreError>> {
        Box::pin(async move {
            let mut ids = Vec::with_capacity(messages.len());
            for message in messages {
                ids.push(self.store(stream_id, *message).await?);
            }
            Ok(ids)
        })
    }

    /// The events stored after `last_event_id` on its stream, or `None` when the id is unknown
    /// (never issued, or already dropped).
    fn replay_after<'a>(
        &'a self,
        last_event_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Replay>, EventStoreError>>;

    /// Forgets every stream whose id starts with `stream_prefix`: the streams of a session
    /// that ended (their ids are the session id, `-` and a number; the prefix ends with `-`).
    /// Nobody can resume them any more, so a store should free them. The default does
    /// nothing (a store whose entries expire by themselves may keep it).
    fn forget_streams<'a>(
        &'a self,
        stream_prefix: &'a str,
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        let _ = stream_prefix;
        Box::pin(async { Ok(()) })
    }

    /// How many bytes the store holds, for the `mcp.server.event_store.size` gauge; `None`
    /// (the default) for a store that does not count them. Called when metrics are
    /// collected: it must not block for long.
    ///
    /// ```
    /// use mcp_runtime::store::{EventStore, InMemoryEventStore};
    ///
    /// assert_eq!(InMemoryEventStore::default().stored_bytes(), Some(0));
    /// ```
    fn stored_bytes(&self) -> Option<usize> {
        None
    }
}

/// An [`EventStore`] in memory, bounded per stream and in total, by count and by bytes; the
/// oldest events go first, and the streams of ended sessions are dropped at once.
///
/// Defaults: 1,000 events and 4 MiB per stream, 100,000 events and 64 MiB in all. A stream
/// always keeps its newest event, even one larger than the per-stream cap, so a large response
/// can still be resumed. A client whose last event was dropped cannot resume (its `GET` gets
/// 404) rather than silently missing events.
///
/// ```
/// use mcp_runtime::{HttpConfig, Mode};
/// use mcp_runtime::store::{InMemoryEventStore};
///
/// // Clients that lose their SSE stream reconnect with `Last-Event-ID` and get what they missed.
/// let store = InMemoryEventStore::with_limits(100, 10_000).with_byte_limits(1 << 20, 32 << 20);
/// let config = HttpConfig::new(Mode::Stateful).event_store(store);
/// assert!(config.event_store.is_some());
/// ```
#[derive(Debug)]
pub struct InMemoryEventStore {
    per_stream: usize,
    total: usize,
    per_stream_bytes: usize,
    total_bytes: usize,
    next: AtomicU64,
    inner: Mutex<Inner>,
}

/// What an event costs besides its text: its id, its place in the order, the allocations.
const EVENT_OVERHEAD: usize = 64;

#[derive(Debug, Default)]
struct Inner {
    streams: HashMap<Arc<str>, Stream>,
    /// Every stored event by age, to enforce the totals. Entries of events already dropped
    /// (by a per-stream cap, or with their session) are skipped when they reach the front, and
    /// compacted away when they outnumber the live events.
    order: VecDeque<(Arc<str>, u64)>,
    events: usize,
    bytes: usize,
}

#[derive(Debug, Default)]
struct Stream {
    events: VecDeque<(u64, Option<String>)>,
    bytes: usize,
}

fn cost(message: Option<&str>) -> usize {
    message.map_or(0, str::len) + EVENT_OVERHEAD
}

impl Inner {
    /// Drops the oldest event of `stream` (which must have one).
    fn pop_front(&mut self, stream: &str) -> Option<u64> {
        let s = self.streams.get_mut(stream)?;
        let (seq, message) = s.events.pop_front()?;
        let size = cost(message.as_deref());
        s.bytes -= size;
        self.bytes -= size;
        self.events -= 1;
        if s.events.is_empty() {
            self.streams.remove(stream);
        }
        Some(seq)
    }

    /// Whether the order entry `(stream, seq)` still names a stored event.
    fn is_live(&self, stream: &str, seq: u64) -> bool {
        self.streams
            .get(stream)
            .and_then(|s| s.events.front())
            .is_some_and(|(front, _)| *front <= seq)
    }

    /// Drops the order's entries for events that are gone, once they are most of it.
    fn compact(&mut self) {
        if self.order.len() > 2 * self.events + 1024 {
            let order = std::mem::take(&mut self.order);
            self.order = order
                .into_iter()
                .filter(|(stream, seq)| self.is_live(stream, *seq))
                .collect();
        }
    }
}

impl Default for InMemoryEventStore {
    fn default() -> Self {
        Self::with_limits(1_000, 100_000)
    }
}

impl InMemoryEventStore {
    /// A store keeping at most `per_stream` events of each stream and `total` in all (and the
    /// default byte caps, 4 MiB per stream and 64 MiB in all).
    pub fn with_limits(per_stream: usize, total: usize) -> Self {
        InMemoryEventStore {
            per_stream: per_stream.max(1),
            total: total.max(1),
            per_stream_bytes: 4 << 20,
            total_bytes: 64 << 20,
            next: AtomicU64::new(1),
            inner: Mutex::default(),
        }
    }

    /// Caps the bytes kept per stream and in all (message text plus a small overhead per
    /// event).
    ///
    /// ```
    /// use mcp_runtime::store::InMemoryEventStore;
    /// let store = InMemoryEventStore::default().with_byte_limits(1 << 20, 16 << 20);
    /// assert_eq!(store.bytes(), 0);
    /// ```
    pub fn with_byte_limits(mut self, per_stream: usize, total: usize) -> Self {
        self.per_stream_bytes = per_stream.max(1);
        self.total_bytes = total.max(1);
        self
    }

    /// How many events are stored.
    pub fn len(&self) -> usize {
        self.lock().events
    }

    /// Whether no event is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many bytes the stored events count for (text plus a fixed overhead per event).
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        crate::recover::lock(&self.inner)
    }

    fn store_now(&self, stream_id: &str, message: Option<&str>) -> String {
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        let size = cost(message);
        let mut guard = self.lock();
        let inner = &mut *guard;
        let key: Arc<str> = match inner.streams.get_key_value(stream_id) {
            Some((key, _)) => key.clone(),
            None => Arc::from(stream_id),
        };
        let stream = inner.streams.entry(key.clone()).or_default();
        stream.events.push_back((seq, message.map(str::to_owned)));
        stream.bytes += size;
        inner.events += 1;
        inner.bytes += size;
        inner.order.push_back((key, seq));
        // Per stream: the oldest go, but never the newest.
        while let Some(stream) = inner.streams.get(stream_id) {
            let over =
                stream.events.len() > self.per_stream || stream.bytes > self.per_stream_bytes;
            if !over || stream.events.len() <= 1 {
                break;
            }
            inner.pop_front(stream_id);
        }
        // In all: the oldest of any stream go.
        while inner.events > self.total || inner.bytes > self.total_bytes {
            let Some((stream, old)) = inner.order.pop_front() else {
                break;
            };
            if inner
                .streams
                .get(&*stream)
                .and_then(|s| s.events.front())
                .is_some_and(|(front, _)| *front == old)
            {
                inner.pop_front(&stream);
            }
        }
        inner.compact();
        event_id(stream_id, seq)
    }

    fn replay_now(&self, last_event_id: &str) -> Option<Replay> {
        let (stream_id, seq) = parse_event_id(last_event_id)?;
        let inner = self.lock();
        let stream = inner.streams.get(stream_id)?;
        // The client's last event must still be known (or older than what we keep, but then
        // some events are lost and an honest store says it cannot replay).
        let at = stream.events.binary_search_by_key(&seq, |(s, _)| *s).ok()?;
        Some(Replay {
            stream_id: stream_id.to_owned(),
            events: stream
                .events
                .iter()
                .skip(at + 1)
                .map(|(s, m)| StoredEvent {
                    id: event_id(stream_id, *s),
                    message: m.clone(),
                })
                .collect(),
        })
    }

    fn forget_now(&self, stream_prefix: &str) {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let (mut events, mut bytes) = (0, 0);
        inner.streams.retain(|id, stream| {
            let keep = !id.starts_with(stream_prefix);
            if !keep {
                events += stream.events.len();
                bytes += stream.bytes;
            }
            keep
        });
        inner.events -= events;
        inner.bytes -= bytes;
        inner.compact();
    }
}

fn event_id(stream_id: &str, seq: u64) -> String {
    let mut id = String::with_capacity(stream_id.len() + 21);
    id.push_str(stream_id);
    id.push('/');
    id.push_str(itoa::Buffer::new().format(seq));
    id
}

/// Splits an event id into its stream and sequence number; `None` for anything else.
pub(crate) fn parse_event_id(id: &str) -> Option<(&str, u64)> {
    let (stream, seq) = id.rsplit_once('/')?;
    // Only the numbers `event_id` writes (no sign, no leading zero): no other text may stand
    // for an issued id.
    let canonical = !seq.starts_with('0') && seq.bytes().all(|b| b.is_ascii_digit());
    Some((stream, seq.parse().ok().filter(|_| canonical)?))
}

/// A shared store: keep an `Arc` to watch it (its size, say) while the endpoint uses it.
///
/// ```
/// use std::sync::Arc;
/// use mcp_runtime::{HttpConfig, Mode};
/// use mcp_runtime::store::InMemoryEventStore;
///
/// let store = Arc::new(InMemoryEventStore::default());
/// let config = HttpConfig::new(Mode::Stateful).event_store(store.clone());
/// assert_eq!(store.bytes(), 0);
/// # let _ = config;
/// ```
impl<S: EventStore> EventStore for Arc<S> {
    fn store<'a>(
        &'a self,
        stream_id: &'a str,
        message: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, EventStoreError>> {
        (**self).store(stream_id, message)
    }

    fn store_all<'a>(
        &'a self,
        stream_id: &'a str,
        messages: &'a [Option<&'a str>],
    ) -> BoxFuture<'a, Result<Vec<String>, EventStoreError>> {
        (**self).store_all(stream_id, messages)
    }

    fn replay_after<'a>(
        &'a self,
        last_event_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Replay>, EventStoreError>> {
        (**self).replay_after(last_event_id)
    }

    fn forget_streams<'a>(
        &'a self,
        stream_prefix: &'a str,
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        (**self).forget_streams(stream_prefix)
    }
}

impl EventStore for InMemoryEventStore {
    fn stored_bytes(&self) -> Option<usize> {
        Some(self.bytes())
    }

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

    fn forget_streams<'a>(
        &'a self,
        stream_prefix: &'a str,
    ) -> BoxFuture<'a, Result<(), EventStoreError>> {
        self.forget_now(stream_prefix);
        Box::pin(async { Ok(()) })
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

    #[test]
    fn bytes_are_capped_per_stream_and_in_all_keeping_each_streams_newest() {
        let mb = "x".repeat(1 << 20);
        let store = InMemoryEventStore::default().with_byte_limits(3 << 20, 5 << 20);
        for _ in 0..10 {
            store.store_now("a-1", Some(&mb));
        }
        assert_eq!(
            store.len(),
            2,
            "3 MiB per stream holds two 1 MiB events and overheads"
        );
        for _ in 0..10 {
            store.store_now("b-1", Some(&mb));
        }
        assert!(store.bytes() <= 5 << 20, "{} bytes", store.bytes());
        let big = "y".repeat(4 << 20);
        let id = store.store_now("c-1", Some(&big));
        assert!(store.bytes() <= 5 << 20);
        assert!(store.replay_now(&id).is_some(), "the newest event stays");
    }

    #[test]
    fn forgetting_a_session_frees_its_streams_only() {
        let store = InMemoryEventStore::default();
        let kept = store.store_now("s1-1", Some("a"));
        store.store_now("s2-0", Some("b"));
        store.store_now("s2-1", Some("c"));
        store.forget_now("s2-");
        assert_eq!(store.len(), 1);
        assert_eq!(store.bytes(), 1 + EVENT_OVERHEAD);
        assert!(store.replay_now(&kept).is_some());
    }

    #[test]
    fn the_order_does_not_grow_with_forgotten_sessions() {
        let store = InMemoryEventStore::default();
        for session in 0..10_000 {
            let prefix = format!("s{session}-");
            store.store_now(&format!("{prefix}1"), Some("x"));
            store.forget_now(&prefix);
        }
        assert_eq!(store.len(), 0);
        assert!(
            store.lock().order.len() <= 1025,
            "{}",
            store.lock().order.len()
        );
    }

    #[test]
    fn event_ids_that_are_not_ours_are_unknown() {
        assert_eq!(parse_event_id("a-1/7"), Some(("a-1", 7)));
        for bad in [
            "",
            "/",
            "a-1/",
            "a-1/+7",
            "a-1/7x",
            "a-1/99999999999999999999999",
            "nope",
        ] {
            assert_eq!(parse_event_id(bad), None, "{bad:?}");
        }
    }

    /// Found by the `last_event_id` fuzz target: the total cap counts the events kept, after
    /// the per-stream cap dropped its own (not every event ever stored).
    #[test]
    fn the_total_counts_kept_events() {
        let store = InMemoryEventStore::with_limits(1, 3);
        let first = store.store_now("", Some("1"));
        store.store_now("a", Some("2"));
        store.store_now("c/d", Some("3"));
        store.store_now("a", None);
        assert_eq!(store.len(), 3);
        assert!(
            store.replay_now(&first).is_some(),
            "three kept: the first is one"
        );
    }
}
