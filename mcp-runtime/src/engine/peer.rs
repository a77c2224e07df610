//! What the server knows of one client and how it talks back to it.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::value::RawValue;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::engine::limits::{self, Limits};
use crate::protocol::{
    ClientCapabilities, ErrorObject, Implementation, LogLevel, RequestId, Version,
};
use crate::recover::lock;

/// The client's side of one session (or of one request, in stateless mode).
///
/// Holds no buffers and no task: an idle peer is a few words of memory.
#[derive(Debug, Default)]
pub(crate) struct Peer {
    protocol_version: OnceLock<Version>,
    client: OnceLock<(Option<Implementation>, ClientCapabilities)>,
    initialized: AtomicBool,
    log_level: AtomicU8,
    in_flight: Mutex<HashMap<RequestId, CancellationToken>>,
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Answer>>>,
    next_request_id: AtomicI64,
    accepts_requests: bool,
    subscriptions: Mutex<HashSet<String>>,
    /// The session's caps; `None`: the defaults (peers of one request, which hold nothing).
    limits: Option<Arc<Limits>>,
    /// The id of the HTTP session this peer is the client of, for its spans.
    session_id: Option<Box<str>>,
}

/// The defaults, shared by peers that were given none.
static DEFAULT_LIMITS: std::sync::LazyLock<Limits> = std::sync::LazyLock::new(Limits::default);

/// Why a request was not registered as in flight.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NotBegun {
    /// Its id is taken by a request in flight.
    Duplicate,
    /// The session has the most requests in flight it may.
    TooMany(ErrorObject),
}

/// The client's answer to a server-to-client request: its result or its error.
pub(crate) type Answer = Result<Box<RawValue>, ErrorObject>;

/// Why a server-to-client request failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    /// The client did not declare the capability the request needs.
    #[error("the client does not support `{0}` (it did not declare the capability)")]
    MissingCapability(&'static str),
    /// The transport cannot carry a request to the client (stateless mode or JSON responses).
    #[error(
        "this request cannot reach the client: server-to-client requests need a stateful session with SSE responses"
    )]
    NoChannel,
    /// The client answered with an error.
    #[error("the client answered with an error: {0}")]
    Client(ErrorObject),
    /// The session ended or the request was cancelled before the client answered.
    #[error("the session ended before the client answered")]
    Closed,
    /// The client did not answer within
    /// [`Limits::client_request_timeout`](crate::Limits::client_request_timeout).
    #[error("the client did not answer within {0:?}")]
    Timeout(std::time::Duration),
    /// The session already waits on as many answers as
    /// [`Limits::max_pending_client_requests`](crate::Limits::max_pending_client_requests)
    /// allows.
    #[error("{0} requests to the client already await an answer (`max_pending_client_requests`)")]
    TooManyPending(usize),
    /// The client's answer did not have the expected shape.
    #[error("the client's answer is malformed: {0}")]
    Malformed(String),
    /// The schema of an elicitation cannot be sent: the spec allows only a flat object of
    /// strings, numbers, booleans and enums.
    #[error("the elicitation schema is not allowed: {0}")]
    InvalidSchema(String),
}

/// The stored log level of a client that wants no log messages.
const LOGGING_OFF: u8 = 8;

/// Removes a request from the in-flight table when its handling ends, however it ends.
#[derive(Debug)]
pub(crate) struct InFlightGuard(Option<(Arc<Peer>, RequestId)>);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if let Some((peer, id)) = &self.0 {
            lock(&peer.in_flight).remove(id);
        }
    }
}

impl Peer {
    /// A peer for a session that can carry server-to-client requests (`true`) or not.
    pub(crate) fn new(accepts_requests: bool) -> Self {
        Peer {
            accepts_requests,
            ..Default::default()
        }
    }

    /// Records the `initialize` handshake. Returns `false` if the peer was already initialized.
    /// The peer of a session held to `limits`.
    pub(crate) fn with_limits(mut self, limits: Arc<Limits>) -> Self {
        self.limits = Some(limits);
        self
    }

    /// The peer of the HTTP session `id` (`Mcp-Session-Id`).
    pub(crate) fn in_session(mut self, id: String) -> Self {
        self.session_id = Some(id.into_boxed_str());
        self
    }

    /// The id of the HTTP session this peer is the client of.
    pub(crate) fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// The caps this peer is held to.
    pub(crate) fn limits(&self) -> &Limits {
        self.limits.as_deref().unwrap_or(&DEFAULT_LIMITS)
    }

    pub(crate) fn initialize(
        &self,
        version: Version,
        client: Implementation,
        capabilities: ClientCapabilities,
    ) -> bool {
        if self.initialized.swap(true, Ordering::AcqRel) {
            return false;
        }
        let _ = self.protocol_version.set(version);
        let _ = self.client.set((Some(client), capabilities));
        true
    }

    /// The client of one 2026-07-28 request, as its `_meta` describes it: no handshake, and
    /// no log messages unless the request asked for a level.
    ///
    pub(crate) fn for_request(
        version: Version,
        client: Option<Implementation>,
        capabilities: ClientCapabilities,
        log_level: Option<LogLevel>,
    ) -> Arc<Self> {
        // Shared at once and filled in place: the peer is 440 bytes, and each move of it
        // before it was shared was a copy.
        let peer = Arc::new(Peer::new(false));
        peer.initialized.store(true, Ordering::Release);
        let _ = peer.protocol_version.set(version);
        let _ = peer.client.set((client, capabilities));
        peer.log_level.store(
            log_level.map_or(LOGGING_OFF, |l| l as u8),
            Ordering::Relaxed,
        );
        peer
    }

    /// Numbers its requests to the client from `start`: the peers of one session on several
    /// nodes must not ask with the same id, since any node may receive the answer.
    pub(crate) fn with_request_ids_from(self, start: i64) -> Self {
        self.next_request_id.store(start, Ordering::Relaxed);
        self
    }

    /// The state of a session opened on another node, as its record holds it.
    pub(crate) fn restore(&self, record: &crate::engine::cluster::SessionRecord) {
        if let Some(version) = record.version {
            self.initialized.store(true, Ordering::Release);
            let _ = self.protocol_version.set(version);
            let _ = self
                .client
                .set((record.client_info.clone(), record.capabilities.clone()));
        }
        self.apply(record);
    }

    /// What a session's record says the client asked for since `initialize` (its log level
    /// and subscriptions), as another node changed it.
    pub(crate) fn apply(&self, record: &crate::engine::cluster::SessionRecord) {
        self.set_log_level(record.log_level);
        *lock(&self.subscriptions) = record.subscriptions.iter().cloned().collect();
    }

    /// The record of this peer's session, for a session store.
    pub(crate) fn record(
        &self,
        id: String,
        principal: Option<&crate::engine::principal::Principal>,
    ) -> crate::engine::cluster::SessionRecord {
        let mut record = crate::engine::cluster::SessionRecord::new(id);
        record.principal = principal.map(Into::into);
        record.version = self.protocol_version();
        if let Some((info, capabilities)) = self.client.get() {
            record.client_info = info.clone();
            record.capabilities = capabilities.clone();
        }
        record.log_level =
            LogLevel::ALL[usize::from(self.log_level.load(Ordering::Relaxed)).min(7)];
        let mut subscriptions: Vec<String> = lock(&self.subscriptions).iter().cloned().collect();
        subscriptions.sort();
        record.subscriptions = subscriptions;
        record
    }

    /// Whether `initialize` has been answered.
    pub(crate) fn is_initialized(&self) -> bool {
        self.initialized.load(Ordering::Acquire)
    }

    /// The negotiated protocol version, once initialized.
    pub(crate) fn protocol_version(&self) -> Option<Version> {
        self.protocol_version.get().copied()
    }

    /// Who the client said it is.
    pub(crate) fn client_info(&self) -> Option<&Implementation> {
        self.client.get().and_then(|(info, _)| info.as_ref())
    }

    /// What the client said it supports (empty before `initialize`).
    pub(crate) fn client_capabilities(&self) -> &ClientCapabilities {
        static EMPTY: OnceLock<ClientCapabilities> = OnceLock::new();
        match self.client.get() {
            Some((_, caps)) => caps,
            None => EMPTY.get_or_init(ClientCapabilities::default),
        }
    }

    /// Whether the client wants log messages of `level`.
    pub(crate) fn wants_log(&self, level: LogLevel) -> bool {
        level as u8 >= self.log_level.load(Ordering::Relaxed)
    }

    /// The minimum level of log messages the client wants (`Emergency` when it wants none).
    #[cfg(test)]
    pub(crate) fn log_level(&self) -> LogLevel {
        LogLevel::ALL[usize::from(self.log_level.load(Ordering::Relaxed)).min(7)]
    }

    /// Sets the minimum log level (`logging/setLevel`).
    pub(crate) fn set_log_level(&self, level: LogLevel) {
        self.log_level.store(level as u8, Ordering::Relaxed);
    }

    /// Whether server-to-client requests can reach this client.
    pub(crate) fn accepts_requests(&self) -> bool {
        self.accepts_requests
    }

    /// Subscribes to updates of a resource.
    /// Subscribes to `uri`, unless the session holds the most subscriptions it may.
    pub(crate) fn subscribe(&self, uri: String) -> Result<(), ErrorObject> {
        let max = self.limits().max_subscriptions_per_session;
        let mut subscriptions = lock(&self.subscriptions);
        if subscriptions.len() >= max && !subscriptions.contains(&uri) {
            return Err(limits::reached(
                "max_subscriptions_per_session",
                max,
                "this session has too many subscriptions; unsubscribe from one first",
            ));
        }
        subscriptions.insert(uri);
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn subscription_count(&self) -> usize {
        lock(&self.subscriptions).len()
    }

    /// Ends a subscription (unknown URIs are ignored).
    pub(crate) fn unsubscribe(&self, uri: &str) {
        lock(&self.subscriptions).remove(uri);
    }

    /// Whether the client subscribed to this resource.
    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        lock(&self.subscriptions).contains(uri)
    }

    /// Registers a request as in flight, or returns `None` if its id already is.
    pub(crate) fn begin_request(
        self: &Arc<Self>,
        id: &RequestId,
        cancel: &CancellationToken,
    ) -> Result<InFlightGuard, NotBegun> {
        if !self.accepts_requests {
            // A peer that cannot be asked anything lives for one request (stateless HTTP, a
            // 2026-07-28 request): no other request can share its ids or cancel by id. Its
            // token is not even cloned (a clone and its drop lock the token's node: 90
            // instructions per request, callgrind).
            return Ok(InFlightGuard(None));
        }
        let max = self.limits().max_in_flight_per_session;
        let mut in_flight = lock(&self.in_flight);
        if in_flight.len() >= max {
            return Err(NotBegun::TooMany(limits::reached(
                "max_in_flight_per_session",
                max,
                "too many requests in flight in this session; wait for one to finish",
            )));
        }
        match in_flight.entry(id.clone()) {
            Entry::Occupied(_) => Err(NotBegun::Duplicate),
            Entry::Vacant(slot) => {
                slot.insert(cancel.clone());
                Ok(InFlightGuard(Some((self.clone(), id.clone()))))
            }
        }
    }

    /// The number of requests being handled.
    pub(crate) fn in_flight(&self) -> usize {
        lock(&self.in_flight).len()
    }

    /// Cancels an in-flight request (`notifications/cancelled`); unknown ids are ignored.
    pub(crate) fn cancel(&self, id: &RequestId) -> bool {
        match lock(&self.in_flight).get(id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Cancels every in-flight request and fails every pending server-to-client request.
    pub(crate) fn close(&self) {
        for token in lock(&self.in_flight).values() {
            token.cancel();
        }
        lock(&self.pending).clear();
    }

    /// Allocates an id for a server-to-client request and the receiver of its answer.
    /// Registers a request to the client, unless the session already waits on as many
    /// answers as it may.
    pub(crate) fn register_outgoing(
        &self,
    ) -> Result<(RequestId, oneshot::Receiver<Answer>), PeerError> {
        let max = self.limits().max_pending_client_requests;
        let mut pending = lock(&self.pending);
        if pending.len() >= max {
            return Err(PeerError::TooManyPending(max));
        }
        let n = self.next_request_id.fetch_add(1, Ordering::Relaxed);
        let id = RequestId::String(format!("srv-{n}").into());
        let (tx, rx) = oneshot::channel();
        pending.insert(id.clone(), tx);
        Ok((id, rx))
    }

    /// How many requests to the client await an answer.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        lock(&self.pending).len()
    }

    /// Forgets a server-to-client request that will not be answered (the sender gave up).
    pub(crate) fn forget_outgoing(&self, id: &RequestId) {
        lock(&self.pending).remove(id);
    }

    /// Delivers the client's answer to a server-to-client request asked from this process;
    /// gives it back when none with that id waits here.
    pub(crate) fn try_complete(&self, id: &RequestId, outcome: Answer) -> Result<(), Answer> {
        match lock(&self.pending).remove(id) {
            Some(tx) => {
                // The asker gave up meanwhile: the answer is dropped, as `complete` does.
                let _ = tx.send(outcome);
                Ok(())
            }
            None => Err(outcome),
        }
    }

    /// Delivers the client's answer to a server-to-client request.
    /// Returns `false` (and the answer is dropped) when no request with that id waits.
    pub(crate) fn complete(&self, id: &RequestId, outcome: Answer) -> bool {
        match lock(&self.pending).remove(id) {
            Some(tx) => tx.send(outcome).is_ok(),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_in_flight_ids_are_refused_until_the_first_ends() {
        let peer = Arc::new(Peer::new(true));
        let id = RequestId::Number(1);
        let first = peer.begin_request(&id, &CancellationToken::new());
        assert!(first.is_ok());
        assert_eq!(
            peer.begin_request(&id, &CancellationToken::new())
                .unwrap_err(),
            NotBegun::Duplicate
        );
        drop(first);
        assert!(peer.begin_request(&id, &CancellationToken::new()).is_ok());
    }

    #[test]
    fn single_request_peers_track_no_ids() {
        let peer = Arc::new(Peer::new(false));
        let id = RequestId::Number(1);
        let _first = peer.begin_request(&id, &CancellationToken::new());
        assert!(peer.begin_request(&id, &CancellationToken::new()).is_ok());
        assert_eq!(peer.in_flight(), 0);
    }

    #[test]
    fn cancel_reaches_the_in_flight_token() {
        let peer = Arc::new(Peer::new(true));
        let token = CancellationToken::new();
        let _g = peer.begin_request(&RequestId::from("a"), &token);
        assert!(!peer.cancel(&RequestId::from("b")));
        assert!(peer.cancel(&RequestId::from("a")));
        assert!(token.is_cancelled());
    }

    #[tokio::test]
    async fn answers_reach_the_waiting_request_once() {
        let peer = Peer::new(true);
        let (id, rx) = peer.register_outgoing().unwrap();
        let raw = RawValue::from_string("{\"ok\":true}".into()).unwrap();
        assert!(peer.complete(&id, Ok(raw.clone())));
        assert!(!peer.complete(&id, Ok(raw)));
        assert_eq!(rx.await.unwrap().unwrap().get(), "{\"ok\":true}");
    }

    #[test]
    fn log_levels_round_trip() {
        let peer = Peer::new(false);
        assert_eq!(peer.log_level(), LogLevel::Debug);
        peer.set_log_level(LogLevel::Error);
        assert_eq!(peer.log_level(), LogLevel::Error);
        for l in LogLevel::ALL {
            assert_eq!(LogLevel::parse(l.as_str()), Some(l));
        }
    }

    fn limited() -> Arc<Limits> {
        Arc::new(
            Limits::default()
                .max_in_flight_per_session(2)
                .max_pending_client_requests(2)
                .max_subscriptions_per_session(2),
        )
    }

    #[test]
    fn requests_in_flight_are_capped_per_session() {
        let peer = Arc::new(Peer::new(true).with_limits(limited()));
        let a = peer.begin_request(&RequestId::Number(1), &CancellationToken::new());
        let _b = peer.begin_request(&RequestId::Number(2), &CancellationToken::new());
        let NotBegun::TooMany(error) = peer
            .begin_request(&RequestId::Number(3), &CancellationToken::new())
            .unwrap_err()
        else {
            panic!("expected the cap")
        };
        assert_eq!(error.code, crate::protocol::error_codes::SERVER_ERROR);
        assert!(
            error.message.contains("max_in_flight_per_session"),
            "{}",
            error.message
        );
        drop(a);
        assert!(
            peer.begin_request(&RequestId::Number(3), &CancellationToken::new())
                .is_ok()
        );
    }

    #[test]
    fn pending_client_requests_are_capped_and_freed() {
        let peer = Peer::new(true).with_limits(limited());
        let (first, _rx1) = peer.register_outgoing().unwrap();
        let _second = peer.register_outgoing().unwrap();
        assert_eq!(
            peer.register_outgoing().unwrap_err(),
            PeerError::TooManyPending(2)
        );
        peer.forget_outgoing(&first);
        assert!(peer.register_outgoing().is_ok());
        peer.close();
        assert_eq!(peer.pending(), 0, "an ended session forgets its questions");
    }

    #[test]
    fn subscriptions_are_capped_but_resubscribing_is_free() {
        let peer = Peer::new(true).with_limits(limited());
        peer.subscribe("a://1".into()).unwrap();
        peer.subscribe("a://2".into()).unwrap();
        peer.subscribe("a://2".into()).unwrap();
        let error = peer.subscribe("a://3".into()).unwrap_err();
        assert!(error.message.contains("max_subscriptions_per_session"));
        peer.unsubscribe("a://1");
        peer.subscribe("a://3".into()).unwrap();
        assert_eq!(peer.subscription_count(), 2);
    }
}
