//! Scale-out: what the nodes of one server share when any node may serve any session.
//!
//! Two traits, both with in-memory implementations (one process, or tests that run several
//! endpoints in it) and Redis ones in the `mcp-redis` crate:
//! - [`SessionStore`]: the sessions themselves (who opened them, what was negotiated, the log
//!   level and subscriptions), expiring with the idle timeout and refreshed by activity;
//! - [`Bus`]: messages between nodes (a client's answer to a question a tool on another node
//!   asked, a cancellation, an announcement, the end of a session).
//!
//! A server without a [`Cluster`] keeps its sessions in its own table, as before: none of this
//! is on its request path.

mod bus;
mod memory;
mod session_store;

pub use bus::{Bus, BusError, BusMessage, ClientAnswer, Envelope};
pub use memory::{InMemorySessionStore, LocalBus};
pub use session_store::{PrincipalRecord, SessionRecord, SessionStore, SessionStoreError};

use std::sync::Arc;

/// What the nodes of one server share: the session store and the bus between them. Give the
/// same one (or, across processes, the same Redis) to every node.
///
/// ```
/// use mcp_runtime::{HttpConfig, Mode};
/// use mcp_runtime::store::{Cluster, InMemorySessionStore, LocalBus};
///
/// // Two endpoints in one process that serve each other's sessions (what Redis does across
/// // processes: see the `mcp-redis` crate).
/// let cluster = Cluster::new(InMemorySessionStore::default(), LocalBus::default());
/// let a = HttpConfig::new(Mode::Stateful).cluster(cluster.clone());
/// let b = HttpConfig::new(Mode::Stateful).cluster(cluster);
/// assert!(a.cluster.is_some() && b.cluster.is_some());
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Cluster {
    /// Where sessions are kept.
    pub sessions: Arc<dyn SessionStore>,
    /// How nodes tell each other.
    pub bus: Arc<dyn Bus>,
}

impl Cluster {
    /// A cluster sharing `sessions` and talking over `bus`.
    pub fn new(sessions: impl SessionStore, bus: impl Bus) -> Self {
        Cluster {
            sessions: Arc::new(sessions),
            bus: Arc::new(bus),
        }
    }

    /// The same, from shared stores.
    pub fn from_arcs(sessions: Arc<dyn SessionStore>, bus: Arc<dyn Bus>) -> Self {
        Cluster { sessions, bus }
    }
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").finish_non_exhaustive()
    }
}
