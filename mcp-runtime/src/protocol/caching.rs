//! 2026-07-28 caching hints: `ttlMs` and `cacheScope` on list, read and discover results.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Who may cache a result: like HTTP `Cache-Control: public` or `private`.
///
/// ```
/// use mcp_runtime::protocol::CacheScope;
/// assert_eq!(serde_json::to_string(&CacheScope::Public).unwrap(), "\"public\"");
/// assert_eq!(CacheScope::default(), CacheScope::Private);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheScope {
    /// Holds no user-specific data: shared caches may serve it to anyone.
    Public,
    /// May be cached only within the same authorization context (the default).
    #[default]
    Private,
}

impl CacheScope {
    /// The wire name.
    ///
    /// ```
    /// assert_eq!(mcp_runtime::protocol::CacheScope::Private.as_str(), "private");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            CacheScope::Public => "public",
            CacheScope::Private => "private",
        }
    }
}

/// How long a client may reuse a result, and who may cache it.
///
/// The default, [`CacheHint::NONE`], is "stale at once, private": the safe choice for a server
/// that says nothing.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::protocol::{CacheHint, CacheScope};
/// let hint = CacheHint::public(Duration::from_secs(60));
/// assert_eq!(hint.ttl_ms, 60_000);
/// assert_eq!(hint.scope, CacheScope::Public);
/// assert_eq!(CacheHint::default(), CacheHint::NONE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheHint {
    /// Milliseconds the result stays fresh (`ttlMs`); 0 means stale at once.
    pub ttl_ms: u64,
    /// Who may cache it (`cacheScope`).
    pub scope: CacheScope,
}

impl Default for CacheHint {
    fn default() -> Self {
        Self::NONE
    }
}

impl CacheHint {
    /// Stale at once, private.
    pub const NONE: CacheHint = CacheHint {
        ttl_ms: 0,
        scope: CacheScope::Private,
    };

    /// Fresh for `ttl`, cacheable by anyone.
    pub fn public(ttl: Duration) -> Self {
        CacheHint {
            ttl_ms: millis(ttl),
            scope: CacheScope::Public,
        }
    }

    /// Fresh for `ttl`, cacheable only within the same authorization context.
    pub fn private(ttl: Duration) -> Self {
        CacheHint {
            ttl_ms: millis(ttl),
            scope: CacheScope::Private,
        }
    }
}

/// JSON numbers are safe only up to 2^53 - 1 in JavaScript clients.
const MAX_SAFE_MS: u64 = (1 << 53) - 1;

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis())
        .unwrap_or(MAX_SAFE_MS)
        .min(MAX_SAFE_MS)
}
