//! One SSE stream of a session: events go to the event store first, then to the client
//! attached at that moment, so a client that reconnects misses nothing.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};

use super::event_store::{EventStore, EventStoreError};

/// One SSE event on its way to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseFrame {
    /// The event id, when an event store assigned one.
    pub(crate) id: Option<String>,
    /// The JSON text of the message; `None` for a priming event (empty data).
    pub(crate) data: Option<String>,
    /// The `retry:` field, on priming events.
    pub(crate) retry: Option<Duration>,
}

/// The sending end of one stream; see the module docs.
#[derive(Debug)]
pub(crate) struct StreamSink {
    stream_id: String,
    store: Option<Arc<dyn EventStore>>,
    client: Mutex<Option<mpsc::Sender<SseFrame>>>,
    when_full: WhenFull,
}

/// What a stream does when its client's buffer is full (the client reads slower than the
/// server writes, or not at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WhenFull {
    /// Wait for room: the stream of one request, whose only writer is that request, so only
    /// it waits.
    Wait,
    /// Close the client's stream at once; events keep going to the event store, and the
    /// client resumes with `Last-Event-ID` (without a store it misses them). The GET stream:
    /// announcements to every session are written by one task, which must never wait on one
    /// client.
    Close,
}

/// Streams closed because their client did not read, since the process started.
static CLOSED_SLOW: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl std::fmt::Debug for dyn EventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventStore")
    }
}

/// How a resumption went.
#[derive(Debug)]
pub(crate) enum Resumed {
    /// The client is attached: it gets these missed events first, then new ones live.
    Live(Vec<SseFrame>),
    /// The event id is unknown to the store.
    UnknownEvent,
    /// Another client is attached to the stream and still listening.
    Busy,
}

impl StreamSink {
    pub(crate) fn new(
        stream_id: String,
        store: Option<Arc<dyn EventStore>>,
        when_full: WhenFull,
    ) -> Self {
        StreamSink {
            stream_id,
            store,
            client: Mutex::new(None),
            when_full,
        }
    }

    /// The stream's id (it starts with the session's id).
    pub(crate) fn stream_id(&self) -> &str {
        &self.stream_id
    }

    /// Attaches a client that will receive every event sent from now on.
    pub(crate) async fn attach(&self, client: mpsc::Sender<SseFrame>) {
        *self.client.lock().await = Some(client);
    }

    /// Attaches a client unless one is attached and still listening; returns whether it did.
    pub(crate) async fn attach_exclusive(&self, client: mpsc::Sender<SseFrame>) -> bool {
        let mut slot = self.client.lock().await;
        if slot.as_ref().is_some_and(|tx| !tx.is_closed()) {
            return false;
        }
        *slot = Some(client);
        true
    }

    /// Ends the attached client's HTTP stream; events keep going to the store.
    pub(crate) async fn detach(&self) {
        *self.client.lock().await = None;
    }

    /// Stores a priming event (an id and empty data) and sends it with `retry`.
    pub(crate) async fn prime(&self, retry: Option<Duration>) {
        self.emit(None, retry).await;
    }

    /// Stores and sends one message.
    pub(crate) async fn send(&self, message: String) {
        self.emit(Some(message), None).await;
    }

    /// Stores and sends several messages, after a priming event when `prime` holds its
    /// `retry` field: all of them stored at once ([`EventStore::store_all`], one round trip
    /// to a shared store), then sent in order. A response that is ready when its stream opens
    /// goes out this way with its priming event.
    pub(crate) async fn send_all(&self, prime: Option<Option<Duration>>, messages: Vec<String>) {
        let mut events: Vec<(Option<String>, Option<Duration>)> =
            Vec::with_capacity(messages.len() + 1);
        if let Some(retry) = prime {
            events.push((None, retry));
        }
        events.extend(messages.into_iter().map(|m| (Some(m), None)));
        let mut client = self.client.lock().await;
        let ids: Vec<Option<String>> = match &self.store {
            None => vec![None; events.len()],
            Some(store) => {
                let messages: Vec<Option<&str>> =
                    events.iter().map(|(data, _)| data.as_deref()).collect();
                match store.store_all(&self.stream_id, &messages).await {
                    Ok(ids) if ids.len() == events.len() => ids.into_iter().map(Some).collect(),
                    Ok(ids) => {
                        tracing::warn!(stream = %self.stream_id, events = events.len(), ids = ids.len(), "event store returned a wrong number of ids; events sent without ids");
                        vec![None; events.len()]
                    }
                    Err(EventStoreError(e)) => {
                        tracing::warn!(stream = %self.stream_id, error = %e, "event store failed; events sent without ids");
                        vec![None; events.len()]
                    }
                }
            }
        };
        for ((data, retry), id) in events.into_iter().zip(ids) {
            if data.is_none() && id.is_none() {
                continue; // a priming event without an id means nothing
            }
            if !self
                .deliver(&mut client, SseFrame { id, data, retry })
                .await
            {
                return;
            }
        }
    }

    async fn emit(&self, data: Option<String>, retry: Option<Duration>) {
        // The lock is held across the store, so an event is either in a replay or sent live
        // to the client that resumed, never both or neither.
        let mut client = self.client.lock().await;
        let id = match &self.store {
            Some(store) => match store.store(&self.stream_id, data.as_deref()).await {
                Ok(id) => Some(id),
                Err(EventStoreError(e)) => {
                    tracing::warn!(stream = %self.stream_id, error = %e, "event store failed; event sent without an id");
                    None
                }
            },
            None => None,
        };
        if data.is_none() && id.is_none() {
            return; // a priming event without an id means nothing
        }
        self.deliver(&mut client, SseFrame { id, data, retry })
            .await;
    }

    /// Sends a frame to the attached client, if any; a client that is gone (or, for
    /// [`WhenFull::Close`], does not read) is detached. Returns whether a client is still
    /// attached.
    async fn deliver(&self, client: &mut Option<mpsc::Sender<SseFrame>>, frame: SseFrame) -> bool {
        let Some(tx) = client.as_ref() else {
            return false;
        };
        let gone = match self.when_full {
            WhenFull::Wait => tx.send(frame).await.is_err(),
            WhenFull::Close => match tx.try_send(frame) {
                Ok(()) => false,
                Err(mpsc::error::TrySendError::Closed(_)) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    let total = CLOSED_SLOW.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    tracing::warn!(
                        stream = %self.stream_id,
                        resumable = self.store.is_some(),
                        closed_slow_streams = total,
                        "stream closed: its client does not read fast enough"
                    );
                    true
                }
            },
        };
        if gone {
            tracing::debug!(stream = %self.stream_id, "client gone; events go to the store only");
            *client = None;
        }
        !gone
    }

    /// Sends a last message straight to the client (not stored) and ends its stream.
    pub(crate) async fn fail(&self, message: String) {
        if let Some(tx) = self.client.lock().await.take() {
            // Best effort: a client that does not read does not get it.
            let _ = tx.try_send(SseFrame {
                id: None,
                data: Some(message),
                retry: None,
            });
        }
    }

    /// Attaches `client` after the events it missed since `last_event_id`, which it must be
    /// sent first. The replay is read under the lock that sending takes, so every event is
    /// either in it or sent live after it, never both or neither; and nothing here waits on
    /// the client.
    pub(crate) async fn resume(
        &self,
        last_event_id: &str,
        client: mpsc::Sender<SseFrame>,
    ) -> Result<Resumed, EventStoreError> {
        let mut slot = self.client.lock().await;
        let Some(store) = &self.store else {
            return Ok(Resumed::UnknownEvent);
        };
        if slot.as_ref().is_some_and(|tx| !tx.is_closed()) {
            return Ok(Resumed::Busy);
        }
        let Some(replay) = store.replay_after(last_event_id).await? else {
            return Ok(Resumed::UnknownEvent);
        };
        if replay.stream_id != self.stream_id {
            return Ok(Resumed::UnknownEvent);
        }
        *slot = Some(client);
        Ok(Resumed::Live(
            replay.events.into_iter().map(SseFrame::stored).collect(),
        ))
    }
}

impl SseFrame {
    /// A stored event, as replayed.
    pub(crate) fn stored(event: super::StoredEvent) -> Self {
        SseFrame {
            id: Some(event.id),
            data: event.message,
            retry: None,
        }
    }
}
