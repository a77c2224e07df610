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
}

impl std::fmt::Debug for dyn EventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventStore")
    }
}

/// How a resumption went.
#[derive(Debug)]
pub(crate) enum Resumed {
    /// Replayed, and the stream is live: new events follow.
    Live,
    /// The event id is unknown to the store.
    UnknownEvent,
}

impl StreamSink {
    pub(crate) fn new(stream_id: String, store: Option<Arc<dyn EventStore>>) -> Self {
        StreamSink {
            stream_id,
            store,
            client: Mutex::new(None),
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
        if let Some(tx) = client.as_ref() {
            if tx.send(SseFrame { id, data, retry }).await.is_err() {
                tracing::debug!(stream = %self.stream_id, "client disconnected; events go to the store only");
                *client = None;
            }
        }
    }

    /// Sends a last message straight to the client (not stored) and ends its stream.
    pub(crate) async fn fail(&self, message: String) {
        if let Some(tx) = self.client.lock().await.take() {
            let _ = tx
                .send(SseFrame {
                    id: None,
                    data: Some(message),
                    retry: None,
                })
                .await;
        }
    }

    /// Replays the events after `last_event_id` to `client`, then attaches it live.
    pub(crate) async fn resume(
        &self,
        last_event_id: &str,
        client: mpsc::Sender<SseFrame>,
    ) -> Result<Resumed, EventStoreError> {
        let mut slot = self.client.lock().await;
        let Some(store) = &self.store else {
            return Ok(Resumed::UnknownEvent);
        };
        let Some(replay) = store.replay_after(last_event_id).await? else {
            return Ok(Resumed::UnknownEvent);
        };
        if replay.stream_id != self.stream_id {
            return Ok(Resumed::UnknownEvent);
        }
        for event in replay.events {
            let frame = SseFrame {
                id: Some(event.id),
                data: event.message,
                retry: None,
            };
            if client.send(frame).await.is_err() {
                return Ok(Resumed::Live); // gone again; the next resume starts from its last id
            }
        }
        *slot = Some(client);
        Ok(Resumed::Live)
    }
}
