//! Sessions: the table of open sessions, what each holds, idle expiry and the event store.

mod event_store;
mod shared;
mod stream;

pub(crate) use event_store::parse_event_id;
pub use event_store::{EventStore, EventStoreError, InMemoryEventStore, Replay, StoredEvent};
pub(crate) use stream::{Resumed, SseFrame, StreamSink, WhenFull};

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use tokio_util::sync::CancellationToken;

use crate::engine::Peer;
use crate::engine::cluster::Cluster;
use crate::engine::metrics;
pub(crate) use crate::engine::principal::Principal;
use crate::recover::lock;
pub(crate) use shared::Published;

/// One client session.
#[derive(Debug)]
pub(crate) struct Session {
    id: u128,
    /// The id as an `Mcp-Session-Id` value, made once: every response carries it.
    header: axum::http::HeaderValue,
    pub(crate) peer: Arc<Peer>,
    pub(crate) cancel: CancellationToken,
    principal: Option<Principal>,
    last_seen_ms: AtomicU64,
    /// When it opened, for `mcp.server.session.duration`.
    opened: Instant,
    open_streams: AtomicUsize,
    next_stream: AtomicU64,
    /// Streams of requests still running, by stream id (for resumption).
    live: Mutex<HashMap<u64, Arc<StreamSink>>>,
    standalone: OnceLock<Arc<StreamSink>>,
    /// When the session's expiry in the shared store was last refreshed (cluster only).
    touched_ms: AtomicU64,
}

/// The session's id as it travels in `Mcp-Session-Id`: 32 lowercase hex digits.
pub(crate) fn format_id(id: u128) -> String {
    format!("{id:032x}")
}

/// Parses an `Mcp-Session-Id` value (hex, with or without hyphens).
pub(crate) fn parse_id(header: &str) -> Option<u128> {
    uuid::Uuid::try_parse(header).ok().map(|u| u.as_u128())
}

impl Session {
    /// The id.
    pub(crate) fn id(&self) -> u128 {
        self.id
    }

    /// The id as sent to the client.
    pub(crate) fn key(&self) -> String {
        format_id(self.id)
    }

    /// The `Mcp-Session-Id` header every response of the session carries.
    pub(crate) fn header(&self) -> (axum::http::HeaderName, axum::http::HeaderValue) {
        (super::headers::SESSION_ID.clone(), self.header.clone())
    }

    /// Opens a stream for a request; it stays findable for resumption until `end_stream`.
    pub(crate) fn open_stream(&self, store: Option<Arc<dyn EventStore>>) -> Arc<StreamSink> {
        let n = self.next_stream.fetch_add(1, Ordering::Relaxed) + 1;
        let sink = Arc::new(StreamSink::new(
            format!("{}-{n}", self.key()),
            store,
            WhenFull::Wait,
        ));
        lock(&self.live).insert(n, sink.clone());
        sink
    }

    /// Forgets a finished request's stream (its events stay in the store).
    pub(crate) fn end_stream_of(&self, sink: &StreamSink) {
        if let Some(n) = self.stream_number(sink.stream_id()) {
            lock(&self.live).remove(&n);
        }
    }

    fn stream_number(&self, stream_id: &str) -> Option<u64> {
        stream_id
            .strip_prefix(&self.key())?
            .strip_prefix('-')?
            .parse()
            .ok()
    }

    /// The live stream with this id, if its request is still running.
    pub(crate) fn live_stream(&self, stream_id: &str) -> Option<Arc<StreamSink>> {
        if let Some(standalone) = self.standalone.get().filter(|s| s.stream_id() == stream_id) {
            return Some(standalone.clone());
        }
        let n = self.stream_number(stream_id)?;
        lock(&self.live).get(&n).cloned()
    }

    /// Whether a stream id belongs to this session.
    pub(crate) fn owns_stream(&self, stream_id: &str) -> bool {
        stream_id
            .strip_prefix(&self.key())
            .is_some_and(|rest| rest.starts_with('-'))
    }

    /// The stream for server-initiated messages (the GET stream), created on first use.
    pub(crate) fn standalone(&self, store: Option<&Arc<dyn EventStore>>) -> &Arc<StreamSink> {
        self.standalone.get_or_init(|| {
            Arc::new(StreamSink::new(
                format!("{}-0", self.key()),
                store.cloned(),
                WhenFull::Close,
            ))
        })
    }

    /// Whether the GET stream was ever opened (or an event was kept for it).
    pub(crate) fn has_standalone(&self) -> bool {
        self.standalone.get().is_some()
    }

    /// Counts an open SSE stream until the guard drops.
    pub(crate) fn stream_guard(self: &Arc<Self>) -> StreamGuard {
        self.open_streams.fetch_add(1, Ordering::AcqRel);
        StreamGuard(self.clone())
    }

    /// Ends the session: cancels its requests and streams.
    pub(crate) fn close(&self) {
        self.cancel.cancel();
        self.peer.close();
    }
}

/// Keeps a session from expiring while one of its streams is open.
#[derive(Debug)]
pub(crate) struct StreamGuard(Arc<Session>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.open_streams.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why no session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `max_sessions` are open.
    Full,
    /// The principal has `max_sessions_per_principal` open.
    PrincipalFull,
    /// The endpoint shut down.
    ShuttingDown,
}

/// Why a request found no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// No `Mcp-Session-Id` header.
    Missing,
    /// Unknown, ended or owned by another principal.
    NotFound,
    /// The shared session store cannot be reached.
    Unavailable,
}

/// The table of open sessions. No global lock: a sharded concurrent map.
#[derive(Debug)]
pub(crate) struct SessionManager {
    sessions: DashMap<u128, Arc<Session>>,
    count: AtomicUsize,
    max_sessions: usize,
    /// Sessions open per principal (by identity), for `max_per_principal`.
    per_principal: DashMap<String, usize>,
    max_per_principal: usize,
    idle_timeout: Option<Duration>,
    epoch: Instant,
    shutdown: CancellationToken,
    /// Cancelled when the server starts shutting down: no session opens any more and
    /// long-lived streams end, while requests in flight finish.
    drain: CancellationToken,
    /// Where the sessions' events are kept, to forget them when a session ends.
    store: Option<Arc<dyn EventStore>>,
    /// The store and bus shared with other nodes, and this node's id on the bus.
    cluster: Option<(Cluster, u64)>,
}

/// The caps a [`SessionManager`] enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionLimits {
    /// Sessions open at once, in all.
    pub(crate) max_sessions: usize,
    /// Sessions open at once by one authenticated principal.
    pub(crate) max_per_principal: usize,
    /// How long a session may stay idle.
    pub(crate) idle_timeout: Option<Duration>,
}

impl SessionManager {
    pub(crate) fn new(limits: SessionLimits, store: Option<Arc<dyn EventStore>>) -> Self {
        SessionManager {
            sessions: DashMap::new(),
            count: AtomicUsize::new(0),
            max_sessions: limits.max_sessions,
            per_principal: DashMap::new(),
            max_per_principal: limits.max_per_principal,
            idle_timeout: limits.idle_timeout,
            epoch: Instant::now(),
            shutdown: CancellationToken::new(),
            drain: CancellationToken::new(),
            store,
            cluster: None,
        }
    }

    /// Shares the sessions with other nodes through `cluster`.
    /// This node's id on the bus, with a cluster.
    pub(crate) fn node(&self) -> Option<u64> {
        self.cluster.as_ref().map(|(_, node)| *node)
    }

    pub(crate) fn with_cluster(mut self, cluster: Option<Cluster>) -> Self {
        let node = u64::try_from(uuid::Uuid::new_v4().as_u128() >> 64).unwrap_or_default();
        self.cluster = cluster.map(|c| (c, node));
        self
    }

    /// Counts a session of `principal`, unless it has `max_per_principal` open.
    fn admit_principal(&self, principal: Option<&Principal>) -> bool {
        let Some(principal) = principal else {
            return true;
        };
        let mut open = self
            .per_principal
            .entry(principal.as_str().to_owned())
            .or_insert(0);
        if *open >= self.max_per_principal {
            return false;
        }
        *open += 1;
        true
    }

    fn release_principal(&self, principal: Option<&Principal>) {
        if let Some(principal) = principal {
            self.per_principal
                .remove_if_mut(principal.as_str(), |_, open| {
                    *open = open.saturating_sub(1);
                    *open == 0
                });
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Opens a session, unless `max_sessions` are open or the manager shut down.
    pub(crate) fn create(
        &self,
        principal: Option<Principal>,
        peer: Peer,
    ) -> Result<Arc<Session>, Refusal> {
        if self.drain.is_cancelled() {
            return Err(Refusal::ShuttingDown);
        }
        // With a cluster the cap counts every node's sessions: the store enforces it.
        if self.count.fetch_add(1, Ordering::AcqRel) >= self.max_sessions && self.cluster.is_none()
        {
            self.count.fetch_sub(1, Ordering::AcqRel);
            return Err(Refusal::Full);
        }
        if !self.admit_principal(principal.as_ref()) {
            self.count.fetch_sub(1, Ordering::AcqRel);
            return Err(Refusal::PrincipalFull);
        }
        let session = self.new_session(uuid::Uuid::new_v4().as_u128(), principal, peer);
        self.sessions.insert(session.id, session.clone());
        if self.shutdown.is_cancelled() {
            // Shut down while we were opening it: shutdown may have missed it in the table.
            self.remove(session.id);
            return Err(Refusal::ShuttingDown);
        }
        tracing::debug!(session = %session.key(), "session opened");
        Ok(session)
    }

    /// Where a new session's stream numbers start: 0, or with a cluster a random number, so
    /// that two nodes serving one session never name two streams alike in a shared event
    /// store.
    fn first_stream(&self) -> u64 {
        match self.cluster {
            Some(_) => u64::try_from(uuid::Uuid::new_v4().as_u128() >> 96).unwrap_or(0) << 16,
            None => 0,
        }
    }

    fn new_session(&self, id: u128, principal: Option<Principal>, peer: Peer) -> Arc<Session> {
        let header = axum::http::HeaderValue::from_maybe_shared(axum::body::Bytes::from(
            format_id(id).into_bytes(),
        ))
        .unwrap_or_else(|_| unreachable!("hex digits are a valid header value"));
        let now = self.now_ms();
        Arc::new(Session {
            id,
            header,
            peer: Arc::new(peer.in_session(format_id(id))),
            cancel: self.shutdown.child_token(),
            principal,
            last_seen_ms: AtomicU64::new(now),
            opened: Instant::now(),
            open_streams: AtomicUsize::new(0),
            next_stream: AtomicU64::new(self.first_stream()),
            live: Mutex::default(),
            standalone: OnceLock::new(),
            touched_ms: AtomicU64::new(now),
        })
    }

    /// Finds the session named by an `Mcp-Session-Id` header and marks it active.
    pub(crate) fn get(
        &self,
        header: Option<&str>,
        principal: Option<&Principal>,
    ) -> Result<Arc<Session>, Lookup> {
        let header = header.ok_or(Lookup::Missing)?;
        let id = parse_id(header).ok_or(Lookup::NotFound)?;
        let session = self
            .sessions
            .get(&id)
            .map(|s| s.clone())
            .ok_or(Lookup::NotFound)?;
        if session.principal.as_ref() != principal {
            tracing::warn!(session = %session.key(), "session used by another principal");
            return Err(Lookup::NotFound);
        }
        session.last_seen_ms.store(self.now_ms(), Ordering::Relaxed);
        Ok(session)
    }

    /// Ends a session in this process; returns whether it existed. With a cluster the
    /// session lives on in the store (see `end`); without, it is gone and so are its events.
    pub(crate) fn remove(&self, id: u128) -> bool {
        match self.sessions.remove(&id) {
            Some((_, session)) => {
                self.count.fetch_sub(1, Ordering::AcqRel);
                self.release_principal(session.principal.as_ref());
                session.close();
                if self.cluster.is_none() {
                    self.forget_events(&session);
                }
                metrics::session_ended(session.opened.elapsed(), session.peer.protocol_version());
                tracing::debug!(session = %session.key(), "session closed");
                true
            }
            None => false,
        }
    }

    /// Drops the ended session's events from the store: nobody can resume them any more.
    fn forget_events(&self, session: &Session) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let prefix = format!("{}-", session.key());
        let forget = async move {
            if let Err(e) = store.forget_streams(&prefix).await {
                tracing::warn!(error = %e, "could not forget an ended session's events");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(forget)),
            Err(_) => drop(futures_util::FutureExt::now_or_never(forget)),
        }
    }

    /// Ends a session by reference, everywhere (with a cluster, in the background: see
    /// `end` to wait for it).
    pub(crate) fn remove_session(&self, session: &Session) -> bool {
        let removed = self.remove(session.id);
        if let Some((cluster, node)) = self.cluster.clone() {
            let id = session.key();
            let forget = self.store.clone();
            let end = async move {
                if let Err(e) = shared::end(&cluster, node, &id, forget.as_deref()).await {
                    tracing::warn!(session = %id, error = %e, "could not end the session in the shared store");
                }
            };
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                drop(runtime.spawn(end));
            }
        }
        removed
    }

    /// How many sessions are open.
    pub(crate) fn len(&self) -> usize {
        self.sessions.len()
    }

    /// How many SSE streams the sessions hold open.
    #[cfg_attr(not(feature = "_metrics"), allow(dead_code))] // read only by the metrics recorder
    pub(crate) fn open_streams(&self) -> usize {
        self.sessions
            .iter()
            .map(|s| s.open_streams.load(Ordering::Relaxed))
            .sum()
    }

    /// Ends every session idle for longer than the timeout; returns how many.
    pub(crate) fn sweep(&self) -> usize {
        let Some(timeout) = self.idle_timeout else {
            return 0;
        };
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let now = self.now_ms();
        let idle: Vec<u128> = self
            .sessions
            .iter()
            .filter(|s| {
                s.peer.in_flight() == 0
                    && s.open_streams.load(Ordering::Acquire) == 0
                    && now.saturating_sub(s.last_seen_ms.load(Ordering::Relaxed)) >= timeout_ms
            })
            .map(|s| s.id)
            .collect();
        let n = idle.into_iter().filter(|id| self.remove(*id)).count();
        if n > 0 {
            tracing::info!(expired = n, "idle sessions ended");
        }
        n
    }

    /// How often the sweeper runs.
    pub(crate) fn sweep_interval(&self) -> Option<Duration> {
        self.idle_timeout
            .map(|t| (t / 4).clamp(Duration::from_millis(10), Duration::from_secs(30)))
    }

    /// A token cancelled when the manager shuts down.
    pub(crate) fn shutdown_token(&self) -> &CancellationToken {
        &self.shutdown
    }

    /// Ends every session and stops the sweeper.
    pub(crate) fn shutdown(&self) {
        self.drain.cancel();
        self.shutdown.cancel();
        let ids: Vec<u128> = self.sessions.iter().map(|s| s.id).collect();
        for id in ids {
            self.remove(id);
        }
    }

    /// Starts a graceful shutdown: no new session, long-lived streams end.
    pub(crate) fn drain(&self) {
        self.drain.cancel();
    }

    /// A token cancelled when the server starts shutting down: long-lived streams stop on it.
    pub(crate) fn drain_token(&self) -> &CancellationToken {
        &self.drain
    }

    /// Every open session (for server-initiated broadcasts).
    pub(crate) fn all(&self) -> Vec<Arc<Session>> {
        self.sessions.iter().map(|s| s.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_sessions: usize, idle_timeout: Option<Duration>) -> SessionLimits {
        SessionLimits {
            max_sessions,
            max_per_principal: 3,
            idle_timeout,
        }
    }

    #[test]
    fn sessions_per_principal_are_capped_and_released() {
        let m = SessionManager::new(limits(10, None), None);
        let alice = Principal::new("alice");
        let first = m.create(Some(alice.clone()), Peer::new(true)).unwrap();
        m.create(Some(alice.clone()), Peer::new(true)).unwrap();
        m.create(Some(alice.clone()), Peer::new(true)).unwrap();
        assert_eq!(
            m.create(Some(alice.clone()), Peer::new(true)).unwrap_err(),
            Refusal::PrincipalFull
        );
        assert!(
            m.create(Some(Principal::new("bob")), Peer::new(true))
                .is_ok(),
            "others are not affected"
        );
        assert!(
            m.create(None, Peer::new(true)).is_ok(),
            "nor anonymous sessions"
        );
        assert_eq!(m.len(), 5);
        assert!(m.remove_session(&first));
        assert!(
            m.create(Some(alice), Peer::new(true)).is_ok(),
            "a slot freed by an ended session"
        );
    }

    #[tokio::test]
    async fn an_ended_session_leaves_no_events() {
        let store = Arc::new(InMemoryEventStore::default());
        let m = SessionManager::new(limits(10, None), Some(store.clone()));
        let gone = m.create(None, Peer::new(true)).unwrap();
        let stays = m.create(None, Peer::new(true)).unwrap();
        for session in [&gone, &stays] {
            session
                .open_stream(Some(store.clone()))
                .send("{}".into())
                .await;
            session
                .standalone(Some(&(store.clone() as Arc<dyn EventStore>)))
                .send("{}".into())
                .await;
        }
        assert_eq!(store.len(), 4);
        m.remove_session(&gone);
        tokio::task::yield_now().await;
        assert_eq!(
            store.len(),
            2,
            "only the ended session's events are dropped"
        );
    }

    #[test]
    fn ids_round_trip_and_garbage_is_not_found() {
        let id = uuid::Uuid::new_v4().as_u128();
        assert_eq!(parse_id(&format_id(id)), Some(id));
        assert_eq!(parse_id("not-a-session"), None);
    }

    #[test]
    fn max_sessions_is_exact() {
        let m = SessionManager::new(limits(2, None), None);
        let a = m.create(None, Peer::new(true)).unwrap();
        m.create(None, Peer::new(true)).unwrap();
        assert_eq!(m.create(None, Peer::new(true)).unwrap_err(), Refusal::Full);
        assert!(m.remove_session(&a));
        assert!(m.create(None, Peer::new(true)).is_ok());
    }

    #[test]
    fn nothing_opens_after_shutdown() {
        let m = SessionManager::new(limits(10, None), None);
        let s = m.create(None, Peer::new(true)).unwrap();
        m.shutdown();
        assert!(s.cancel.is_cancelled());
        assert_eq!(m.len(), 0);
        assert_eq!(
            m.create(None, Peer::new(true)).unwrap_err(),
            Refusal::ShuttingDown
        );
    }

    #[test]
    fn sessions_answer_only_their_principal() {
        let m = SessionManager::new(limits(10, None), None);
        let alice = Principal::new("alice");
        let s = m.create(Some(alice.clone()), Peer::new(true)).unwrap();
        let key = s.key();
        assert!(m.get(Some(&key), Some(&alice)).is_ok());
        assert_eq!(m.get(Some(&key), None).unwrap_err(), Lookup::NotFound);
        assert_eq!(
            m.get(Some(&key), Some(&Principal::new("bob"))).unwrap_err(),
            Lookup::NotFound
        );
        assert_eq!(m.get(None, None).unwrap_err(), Lookup::Missing);
    }

    #[tokio::test]
    async fn sweep_ends_only_idle_sessions() {
        let m = SessionManager::new(limits(10, Some(Duration::from_millis(20))), None);
        let idle = m.create(None, Peer::new(true)).unwrap();
        let streaming = m.create(None, Peer::new(true)).unwrap();
        let _guard = streaming.stream_guard();
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(m.sweep(), 1);
        assert!(idle.cancel.is_cancelled());
        assert!(m.get(Some(&streaming.key()), None).is_ok());
    }
}
