//! The in-memory [`SessionStore`] and [`Bus`]: several endpoints of one process sharing their
//! sessions (tests of scale-out without Redis, or one process with several listeners).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use super::bus::{Bus, BusError, Envelope};
use super::session_store::{SessionRecord, SessionStore, SessionStoreError};
use crate::engine::BoxFuture;
use crate::recover::lock;

/// A [`SessionStore`] in this process's memory; expired sessions are dropped when met.
///
/// ```
/// use mcp_runtime::store::{InMemorySessionStore, SessionRecord, SessionStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = InMemorySessionStore::default();
/// store.create(&SessionRecord::new("a"), None, 10).await.unwrap();
/// assert_eq!(store.len(), 1);
/// # });
/// ```
#[derive(Debug, Default)]
pub struct InMemorySessionStore {
    sessions: Mutex<HashMap<String, (SessionRecord, Option<Instant>)>>,
}

fn deadline(ttl: Option<Duration>) -> Option<Instant> {
    ttl.and_then(|ttl| Instant::now().checked_add(ttl))
}

impl InMemorySessionStore {
    /// How many sessions are kept (expired ones included until met).
    pub fn len(&self) -> usize {
        lock(&self.sessions).len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<String, (SessionRecord, Option<Instant>)>> {
        let mut sessions = lock(&self.sessions);
        let now = Instant::now();
        sessions.retain(|_, (_, until)| until.is_none_or(|t| t > now));
        sessions
    }
}

impl SessionStore for InMemorySessionStore {
    fn create<'a>(
        &'a self,
        record: &'a SessionRecord,
        ttl: Option<Duration>,
        max_sessions: usize,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        let mut sessions = self.live();
        let created = sessions.len() < max_sessions;
        if created {
            sessions.insert(record.id.clone(), (record.clone(), deadline(ttl)));
        }
        drop(sessions);
        Box::pin(async move { Ok(created) })
    }

    fn load<'a>(
        &'a self,
        id: &'a str,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, SessionStoreError>> {
        let found = self.live().get_mut(id).map(|(record, until)| {
            *until = deadline(ttl);
            record.clone()
        });
        Box::pin(async move { Ok(found) })
    }

    fn save<'a>(
        &'a self,
        record: &'a SessionRecord,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        let saved = self
            .live()
            .get_mut(&record.id)
            .map(|kept| *kept = (record.clone(), deadline(ttl)))
            .is_some();
        Box::pin(async move { Ok(saved) })
    }

    fn touch<'a>(
        &'a self,
        id: &'a str,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        let touched = self
            .live()
            .get_mut(id)
            .map(|(_, until)| *until = deadline(ttl))
            .is_some();
        Box::pin(async move { Ok(touched) })
    }

    fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, SessionStoreError>> {
        let removed = self.live().remove(id).is_some();
        Box::pin(async move { Ok(removed) })
    }
}

/// A [`Bus`] within this process (a broadcast channel).
///
/// ```
/// use mcp_runtime::store::{Bus, LocalBus};
/// let bus = LocalBus::default();
/// let _node = bus.subscribe();
/// ```
#[derive(Debug, Clone)]
pub struct LocalBus {
    tx: broadcast::Sender<Arc<Envelope>>,
}

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl Bus for LocalBus {
    fn publish<'a>(&'a self, envelope: &'a Envelope) -> BoxFuture<'a, Result<(), BusError>> {
        // Nobody listening is fine: no node to tell.
        let _ = self.tx.send(Arc::new(envelope.clone()));
        Box::pin(async { Ok(()) })
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.tx.subscribe()
    }
}
