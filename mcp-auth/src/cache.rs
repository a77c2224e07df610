//! Accepted tokens, remembered until they expire: a known token costs a hash and a lookup.

use std::hash::{BuildHasherDefault, Hasher};
use std::time::{Duration, Instant, SystemTime};

use dashmap::DashMap;
use mcp_runtime::Principal;
use siphasher::sip128::SipHasher24;

use crate::verifier::VerifiedToken;

/// Accepted tokens by a keyed 128-bit hash of the token (the tokens themselves are not kept),
/// each until its expiry or the maximum age, whichever comes first. Refused tokens are not
/// cached: a token refused while the authorization server was down may be good a moment later.
///
/// The key is SipHash-2-4 with 128-bit output under a random key drawn when the cache is made.
/// SipHash is a PRF: without the key, which never leaves the process, nobody can make a token
/// whose hash matches a cached one (a hit stands for a verified token, so that is the property
/// that matters), and the keys are never shown. It costs a fraction of SHA-256 per request,
/// which this used before (3.5k of the layer's 7.8k instructions per call under callgrind).
pub(crate) struct TokenCache {
    entries: DashMap<u128, Entry, BuildHasherDefault<KeyIsHash>>,
    capacity: usize,
    max_age: Duration,
    hash_key: [u8; 16],
}

struct Entry {
    principal: Principal,
    until: Instant,
}

impl TokenCache {
    /// A cache of at most `capacity` tokens (0: no caching), each kept at most `max_age`.
    /// Without the operating system's random numbers there is no secret key, so nothing is
    /// cached (every token is verified), with a warning.
    pub(crate) fn new(capacity: usize, max_age: Duration) -> Self {
        let mut hash_key = [0u8; 16];
        let capacity = match getrandom::fill(&mut hash_key) {
            Ok(()) => capacity,
            Err(error) => {
                tracing::warn!(%error, "no random key for the token cache: tokens are not cached");
                0
            }
        };
        TokenCache {
            entries: DashMap::default(),
            capacity,
            max_age,
            hash_key,
        }
    }

    fn key(&self, token: &str) -> u128 {
        use siphasher::sip128::Hasher128 as _;
        let mut hasher = SipHasher24::new_with_key(&self.hash_key);
        hasher.write(token.as_bytes());
        hasher.finish128().as_u128()
    }

    /// The principal of an accepted token that has not expired.
    pub(crate) fn get(&self, token: &str) -> Option<Principal> {
        if self.capacity == 0 {
            return None;
        }
        let key = self.key(token);
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
            self.key(token),
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
            let victims: Vec<u128> = self
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

/// The map's hasher: a key is already the output of a keyed PRF, uniform and unknown to
/// clients, so its low 64 bits are the hash (hashing it again cost about 100 instructions per
/// call under callgrind).
#[derive(Default)]
struct KeyIsHash(u64);

impl Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u128` keys are hashed here; this fallback folds any other input.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, key: u128) {
        self.0 = key as u64;
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

    #[test]
    fn keys_are_secret_per_cache_and_tell_tokens_apart() {
        let a = TokenCache::new(10, Duration::from_secs(600));
        let b = TokenCache::new(10, Duration::from_secs(600));
        assert_eq!(a.key("token"), a.key("token"));
        assert_ne!(a.key("token"), a.key("token2"));
        assert_ne!(
            a.key("token"),
            b.key("token"),
            "each cache draws its own key"
        );
    }
}
