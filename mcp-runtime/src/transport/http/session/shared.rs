//! Sessions shared with other nodes ([`Cluster`]): published on `initialize`, found in the
//! store by a node that has not seen them, kept fresh by activity, ended everywhere, and the
//! bus messages that concern them.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{EventStore, Lookup, Principal, Session, SessionManager, format_id, parse_id};
use crate::engine::cluster::{
    BusError, BusMessage, ClientAnswer, Cluster, Envelope, SessionStoreError,
};
use crate::engine::{Peer, ServerEvent};

/// Why a shared operation failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SharedError {
    #[error(transparent)]
    Store(#[from] SessionStoreError),
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// What publishing a new session gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Published {
    /// Kept; other nodes can serve it.
    Open,
    /// `max_sessions` are open across the nodes.
    Full,
}

/// Ends session `id` in the store, tells the other nodes, and drops its events.
pub(super) async fn end(
    cluster: &Cluster,
    node: u64,
    id: &str,
    events: Option<&dyn EventStore>,
) -> Result<bool, SharedError> {
    let existed = cluster.sessions.remove(id).await?;
    let message = BusMessage::SessionEnded {
        session: id.to_owned(),
    };
    cluster
        .bus
        .publish(&Envelope {
            from: node,
            message,
        })
        .await?;
    if let Some(events) = events {
        if let Err(e) = events.forget_streams(&format!("{id}-")).await {
            tracing::warn!(error = %e, "could not forget an ended session's events");
        }
    }
    Ok(existed)
}

impl SessionManager {
    /// The cluster this manager shares its sessions with, if any.
    pub(crate) fn cluster(&self) -> Option<&Cluster> {
        self.cluster.as_ref().map(|(c, _)| c)
    }

    /// The peer of a session new to this process: with a cluster, its requests to the client
    /// are numbered from a random start, so that no two nodes ask with one id.
    pub(crate) fn prepare_peer(&self, peer: Peer) -> Peer {
        match self.cluster {
            Some(_) => {
                let start = (uuid::Uuid::new_v4().as_u128() >> 88) as i64;
                peer.with_request_ids_from(start << 20)
            }
            None => peer,
        }
    }

    /// Keeps a session just initialized in the shared store (nothing without a cluster).
    pub(crate) async fn publish(&self, session: &Session) -> Result<Published, SharedError> {
        let Some((cluster, _)) = &self.cluster else {
            return Ok(Published::Open);
        };
        let record = session
            .peer
            .record(session.key(), session.principal.as_ref());
        let created = cluster
            .sessions
            .create(&record, self.idle_timeout, self.max_sessions)
            .await?;
        Ok(if created {
            Published::Open
        } else {
            Published::Full
        })
    }

    /// Finds the session a request names: in this process, or (with a cluster) in the shared
    /// store, then kept here. `peer` makes the peer of a session found in the store.
    pub(crate) async fn lookup(
        &self,
        header: Option<&str>,
        principal: Option<&Principal>,
        peer: impl FnOnce() -> Peer,
    ) -> Result<Arc<Session>, Lookup> {
        let Some((cluster, _)) = &self.cluster else {
            return self.get(header, principal);
        };
        match self.get(header, principal) {
            // Closed: ended elsewhere (its refresh found it gone); forget it and ask the store.
            Ok(session) if session.cancel.is_cancelled() => {
                self.remove(session.id);
            }
            Ok(session) => {
                self.refresh(&session);
                return Ok(session);
            }
            Err(Lookup::NotFound) => {}
            Err(other) => return Err(other),
        }
        let header = header.ok_or(Lookup::Missing)?;
        let id = parse_id(header).ok_or(Lookup::NotFound)?;
        let key = format_id(id);
        let record = match cluster.sessions.load(&key, self.idle_timeout).await {
            Ok(Some(record)) => record,
            Ok(None) => return Err(Lookup::NotFound),
            Err(e) => {
                tracing::warn!(error = %e, "session lookup failed");
                return Err(Lookup::Unavailable);
            }
        };
        let owner = record.principal.as_ref().map(|p| p.to_principal());
        if owner.as_ref() != principal {
            tracing::warn!(session = %key, "session used by another principal");
            return Err(Lookup::NotFound);
        }
        if self.shutdown.is_cancelled() {
            return Err(Lookup::NotFound);
        }
        let peer = self.prepare_peer(peer());
        peer.restore(&record);
        let fresh = self.new_session(id, owner, peer);
        let session = self.sessions.entry(id).or_insert_with(|| {
            self.count.fetch_add(1, Ordering::AcqRel);
            if let Some(p) = fresh.principal.as_ref() {
                *self.per_principal.entry(p.as_str().to_owned()).or_insert(0) += 1;
            }
            fresh
        });
        let session = session.clone();
        tracing::debug!(session = %key, "session found in the shared store");
        Ok(session)
    }

    /// Refreshes a session's expiry in the store, at most every quarter of the idle timeout
    /// (in the background); a session gone from the store is dropped here too.
    fn refresh(&self, session: &Arc<Session>) {
        let (Some((cluster, _)), Some(ttl)) = (&self.cluster, self.idle_timeout) else {
            return;
        };
        let now = self.now_ms();
        let every = u64::try_from(ttl.as_millis() / 4).unwrap_or(u64::MAX);
        let last = session.touched_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) < every
            || session
                .touched_ms
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let store = cluster.sessions.clone();
        let session = session.clone();
        runtime.spawn(async move {
            match store.touch(&session.key(), Some(ttl)).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(session = %session.key(), "session ended elsewhere");
                    session.close();
                }
                Err(e) => tracing::warn!(error = %e, "could not refresh a session's expiry"),
            }
        });
    }

    /// Keeps the store's expiry of sessions held open here (a GET stream, a long request),
    /// which make no requests that would refresh it.
    pub(crate) fn refresh_held(&self) {
        if self.cluster.is_none() {
            return;
        }
        for session in self.all() {
            if session.open_streams.load(Ordering::Acquire) > 0 || session.peer.in_flight() > 0 {
                self.refresh(&session);
            }
        }
    }

    /// Ends a session everywhere and waits for the store (DELETE).
    pub(crate) async fn end(&self, session: &Session) -> Result<bool, SharedError> {
        let removed = self.remove(session.id);
        match &self.cluster {
            None => Ok(removed),
            Some((cluster, node)) => {
                end(cluster, *node, &session.key(), self.store.as_deref()).await
            }
        }
    }

    /// Saves a session's state after a request changed it (log level, subscriptions) and
    /// tells the nodes that hold it.
    pub(crate) async fn save(&self, session: &Session) {
        let Some((cluster, node)) = &self.cluster else {
            return;
        };
        let record = session
            .peer
            .record(session.key(), session.principal.as_ref());
        let saved = async {
            cluster.sessions.save(&record, self.idle_timeout).await?;
            let message = BusMessage::SessionChanged {
                record: Box::new(record),
            };
            cluster
                .bus
                .publish(&Envelope {
                    from: *node,
                    message,
                })
                .await?;
            Ok::<_, SharedError>(())
        };
        if let Err(e) = saved.await {
            tracing::warn!(session = %session.key(), error = %e, "could not share a session's new state");
        }
    }

    /// Sends `message` to the other nodes (errors are logged: the bus is best effort).
    pub(crate) async fn tell(&self, message: BusMessage) {
        let Some((cluster, node)) = &self.cluster else {
            return;
        };
        let envelope = Envelope {
            from: *node,
            message,
        };
        if let Err(e) = cluster.bus.publish(&envelope).await {
            tracing::warn!(error = %e, "could not tell the other nodes");
        }
    }

    /// A client's answer that no request of this process waits for: the node whose tool asked
    /// gets it.
    pub(crate) async fn forward_answer(
        &self,
        session: &Session,
        id: crate::protocol::RequestId,
        outcome: crate::engine::Answer,
    ) {
        let outcome = match outcome {
            Ok(result) => ClientAnswer::Result(result),
            Err(error) => ClientAnswer::Error(error),
        };
        self.tell(BusMessage::Answer {
            session: session.key(),
            id,
            outcome,
        })
        .await;
    }

    /// Acts on a message from another node; returns an announcement for this node's streams.
    pub(crate) async fn on_bus(&self, envelope: &Envelope) -> Option<ServerEvent> {
        let (_, node) = self.cluster.as_ref()?;
        if envelope.from == *node {
            return None;
        }
        let local = |session: &str| {
            parse_id(session).and_then(|id| self.sessions.get(&id).map(|s| s.clone()))
        };
        match &envelope.message {
            BusMessage::Answer {
                session,
                id,
                outcome,
            } => {
                if let Some(s) = local(session) {
                    let outcome = match outcome.clone() {
                        ClientAnswer::Result(result) => Ok(result),
                        ClientAnswer::Error(error) => Err(error),
                    };
                    if s.peer.try_complete(id, outcome).is_ok() {
                        tracing::debug!(session = %session, id = %id, "answer from another node delivered");
                    }
                }
            }
            BusMessage::Cancel { session, id } => {
                if let Some(s) = local(session) {
                    if s.peer.cancel(id) {
                        tracing::debug!(session = %session, id = %id, "cancelled from another node");
                    }
                }
            }
            BusMessage::SessionEnded { session } => {
                if let Some(id) = parse_id(session) {
                    if self.remove(id) {
                        tracing::debug!(session = %session, "session ended on another node");
                    }
                }
            }
            BusMessage::SessionChanged { record } => {
                if let Some(s) = local(&record.id) {
                    s.peer.apply(record);
                }
            }
            BusMessage::Announce { event } => return Some(event.clone()),
            // Not a session's: the dispatcher's tasks act on these.
            BusMessage::TaskCancel { .. } | BusMessage::TaskUpdate { .. } => {}
        }
        None
    }
}
