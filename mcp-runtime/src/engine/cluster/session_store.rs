//! [`SessionStore`]: where the sessions of every node are kept.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::engine::BoxFuture;
use crate::engine::principal::Principal;
use crate::protocol::{ClientCapabilities, Implementation, LogLevel, Version};

/// What a node needs to serve a session it did not open: who opened it, what was negotiated,
/// and what the client asked for since (log level, subscriptions).
///
/// ```
/// use mcp_runtime::store::SessionRecord;
///
/// let record = SessionRecord::new("0123456789abcdef0123456789abcdef");
/// let text = serde_json::to_string(&record).unwrap();
/// assert_eq!(serde_json::from_str::<SessionRecord>(&text).unwrap(), record);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(rename_all = "camelCase")]
pub struct SessionRecord {
    /// The session's id, as in `Mcp-Session-Id` (32 hex digits).
    pub id: String,
    /// Who opened it; only that principal may use it.
    pub principal: Option<PrincipalRecord>,
    /// The negotiated protocol version (`None` until `initialize` is answered).
    pub version: Option<Version>,
    /// Who the client said it is.
    pub client_info: Option<Implementation>,
    /// What the client said it supports.
    pub capabilities: ClientCapabilities,
    /// The least severe log level the client wants (`logging/setLevel`).
    #[serde(with = "level_name")]
    pub log_level: LogLevel,
    /// The resources the client subscribed to.
    pub subscriptions: Vec<String>,
}

impl SessionRecord {
    /// The record of a session that was just opened (nothing negotiated yet).
    pub fn new(id: impl Into<String>) -> Self {
        SessionRecord {
            id: id.into(),
            principal: None,
            version: None,
            client_info: None,
            capabilities: ClientCapabilities::default(),
            log_level: LogLevel::Debug,
            subscriptions: Vec::new(),
        }
    }
}

/// A [`Principal`] as a store keeps it.
///
/// ```
/// use mcp_runtime::Principal;
/// use mcp_runtime::store::PrincipalRecord;
///
/// let alice = Principal::new("alice").with_issuer("https://idp").with_scopes(["a"]);
/// let back = PrincipalRecord::from(&alice).to_principal();
/// assert_eq!(back, alice);
/// assert!(back.has_scope("a"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrincipalRecord {
    /// The subject.
    pub subject: String,
    /// The issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The scopes granted when the session was opened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Other claims.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub claims: Map<String, Value>,
}

impl From<&Principal> for PrincipalRecord {
    fn from(p: &Principal) -> Self {
        PrincipalRecord {
            subject: p.subject().to_owned(),
            issuer: p.issuer().map(str::to_owned),
            scopes: p.scopes().to_vec(),
            claims: p.claims().clone(),
        }
    }
}

impl PrincipalRecord {
    /// The principal again.
    pub fn to_principal(&self) -> Principal {
        let mut p = Principal::new(self.subject.as_str());
        if let Some(issuer) = &self.issuer {
            p = p.with_issuer(issuer.as_str());
        }
        p.with_scopes(self.scopes.iter().cloned())
            .with_claims(self.claims.clone())
    }
}

mod level_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::protocol::LogLevel;

    pub(super) fn serialize<S: Serializer>(level: &LogLevel, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(level.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<LogLevel, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        LogLevel::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown log level {name:?}")))
    }
}

/// Why a session store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionStoreError {
    /// The store cannot be reached now (the request gets 503 with `Retry-After`).
    #[error("the session store is unavailable: {0}")]
    Unavailable(String),
    /// The store holds something this node cannot read.
    #[error("the session store holds an unreadable record: {0}")]
    Corrupt(String),
}

/// Keeps the sessions of every node, so that any node serves any session.
///
/// A session expires when it was not used for `ttl` (the idle timeout; `None`: never), and
/// every use refreshes it. `create` enforces the cap on sessions open in all.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::store::{InMemorySessionStore, SessionRecord, SessionStore};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let store = InMemorySessionStore::default();
/// let ttl = Some(Duration::from_secs(60));
/// assert!(store.create(&SessionRecord::new("a"), ttl, 1).await.unwrap());
/// assert!(!store.create(&SessionRecord::new("b"), ttl, 1).await.unwrap(), "one at most");
/// assert_eq!(store.load("a", ttl).await.unwrap().unwrap().id, "a");
/// assert!(store.remove("a").await.unwrap());
/// assert!(store.load("a", ttl).await.unwrap().is_none());
/// # });
/// ```
pub trait SessionStore: Send + Sync + 'static {
    /// Keeps a new session unless `max_sessions` are open in all; returns whether it did.
    fn create<'a>(
        &'a self,
        record: &'a SessionRecord,
        ttl: Option<Duration>,
        max_sessions: usize,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>>;

    /// The session `id`, its expiry refreshed; `None` when it ended or expired.
    fn load<'a>(
        &'a self,
        id: &'a str,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<Option<SessionRecord>, SessionStoreError>>;

    /// Replaces a session's record (after `logging/setLevel`, a subscription); returns `false`
    /// when the session is gone (it is not brought back).
    fn save<'a>(
        &'a self,
        record: &'a SessionRecord,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>>;

    /// Refreshes a session's expiry; returns `false` when it is gone.
    fn touch<'a>(
        &'a self,
        id: &'a str,
        ttl: Option<Duration>,
    ) -> BoxFuture<'a, Result<bool, SessionStoreError>>;

    /// Ends a session; returns whether it existed.
    fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, SessionStoreError>>;
}
