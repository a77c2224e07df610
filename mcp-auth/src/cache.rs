//! Accepted tokens, remembered until they expire: a known token costs a hash and a lookup.

use std::time::{Duration, Instant, SystemTime};

use dashmap::DashMap;
use mcp_runtime::Principal;
use sha2::{Digest, Sha256};

use crate::verifier::VerifiedToken;

/// Accepted tokens by the SHA-256 of the token (the tokens themselves are not kept), each
/// until its expiry or the maximum age, whichever comes first. Refused tokens are not cached:
/// a token refused while the authorization server was down may be good a moment later.
pub(crate) struct TokenCache {
    entries: DashMap<[u8; 32], Entry>,
    capacity: usize,
    max_age: Duration,
}

struct Entry {
    principal: Principal,
    until: Instant,
}

impl TokenCache {
    /// A cache of at most `capacity` tokens (0: no caching), each kept at most `max_age`.
    pub(crate) fn new(capacity: usize, max_age: Duration) -> Self {
        TokenCache {
            entries: DashMap::new(),
            capacity,
            max_age,
        }
    }

    fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The principal of an accepted token that has not expired.
    pub(crate) fn get(&self, token: &str) -> Option<Principal> {
        if self.capacity == 0 {
            return None;
        }
        let key = Self::key(token);
        let now = Instant::now();
        let found = self
            .entries
            .get(&key)
            .map(|e| (e.until > now, e.principal.clone()));
        match found {
            Some((true, principal)) => Some(principal),
            Some((false, _)) => {
                self.entries.remove_if(&key, |_, e| e.until <= now);
                None
            }
            None => None,
        }
    }

    /// Remembers an accepted token.
    pub(crate) fn insert(&self, token: &str, verified: &VerifiedToken) {
        if self.capacity == 0 {
            return;
        }
        let now = Instant::now();
        let mut until = now + self.max_age;
        if let Some(expires_at) = verified.expires_at {
            match expires_at.duration_since(SystemTime::now()) {
                Ok(left) => until = until.min(now + left),
                Err(_) => return, // already expired (accepted within the leeway)
            }
        }
        if self.entries.len() >= self.capacity {
            self.make_room(now);
        }
        self.entries.insert(
            Self::key(token),
            Entry {
                principal: verified.principal.clone(),
                until,
            },
        );
    }

    /// Drops expired entries, then, if the cache is still full, an eighth of it (arbitrary
    /// ones: a full cache is rare and an evicted token is only verified again).
    fn make_room(&self, now: Instant) {
        self.entries.retain(|_, e| e.until > now);
        if self.entries.len() >= self.capacity {
            let victims: Vec<[u8; 32]> = self
                .entries
                .iter()
                .take((self.capacity / 8).max(1))
                .map(|e| *e.key())
                .collect();
            for key in victims {
                self.entries.remove(&key);
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(subject: &str, expires_in: Option<i64>) -> VerifiedToken {
        let expires_at = expires_in.map(|secs| {
            let now = SystemTime::now();
            if secs >= 0 {
                now + Duration::from_secs(secs as u64)
            } else {
                now - Duration::from_secs(secs.unsigned_abs())
            }
        });
        VerifiedToken::new(Principal::new(subject), expires_at)
    }

    #[test]
    fn a_cached_token_answers_until_it_expires() {
        let cache = TokenCache::new(10, Duration::from_secs(600));
        cache.insert("t1", &token("alice", Some(3600)));
        assert_eq!(cache.get("t1").unwrap().subject(), "alice");
        assert!(cache.get("t2").is_none());
        cache.insert("expired", &token("bob", Some(-5)));
        assert!(cache.get("expired").is_none());
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn max_age_bounds_tokens_without_expiry() {
        let cache = TokenCache::new(10, Duration::ZERO);
        cache.insert("t", &token("alice", None));
        assert!(cache.get("t").is_none());
        assert_eq!(cache.len(), 0, "the stale entry is dropped on lookup");
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let cache = TokenCache::new(16, Duration::from_secs(600));
        for i in 0..100 {
            cache.insert(&format!("t{i}"), &token("alice", Some(3600)));
            assert!(cache.len() <= 16);
        }
        assert!(cache.get("t99").is_some(), "the newest entry is kept");
        let off = TokenCache::new(0, Duration::from_secs(600));
        off.insert("t", &token("alice", None));
        assert!(off.get("t").is_none());
    }
}
