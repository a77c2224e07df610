//! The issuer's signing keys: discovered lazily, cached, refetched on an unknown `kid` at a
//! bounded rate, retried with backoff while the authorization server is down.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use reqwest::Url;
use serde_json::Value;

use crate::discovery::{discover, get_json};
use crate::error::{FetchError, InvalidToken, VerifyError, capped};

/// First wait after a failed fetch; it doubles on each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait between two tries while the authorization server is down.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Most keys kept from one key set (a key set is a handful; this bounds a hostile one).
const MAX_KEYS: usize = 64;

/// One verification key of the issuer.
pub(crate) struct Key {
    pub(crate) kid: Option<String>,
    /// The JWK's `alg`, when it names one: the key then verifies only that algorithm.
    pub(crate) alg: Option<Algorithm>,
    pub(crate) key: DecodingKey,
}

impl Key {
    fn fits(&self, kid: Option<&str>, alg: Algorithm) -> bool {
        self.key.family() == alg.family()
            && self.alg.is_none_or(|a| a == alg)
            && (kid.is_none() || self.kid.as_deref() == kid)
    }
}

/// The keys of one fetch.
#[derive(Default)]
pub(crate) struct KeySet {
    keys: Vec<Key>,
    /// When they were fetched; `None` before the first successful fetch.
    fetched_at: Option<Instant>,
}

impl KeySet {
    /// The keys that may have signed a token with this `kid` (any key, without one) and `alg`.
    pub(crate) fn candidates(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> impl Iterator<Item = &Key> {
        self.keys.iter().filter(move |k| k.fits(kid, alg))
    }

    /// Parses a JWKS document, keeping the public signature keys and skipping the others
    /// (encryption keys, symmetric keys, key types this crate cannot use).
    pub(crate) fn parse(document: &Value) -> Result<Vec<Key>, &'static str> {
        let Some(keys) = document.get("keys").and_then(Value::as_array) else {
            return Err("no `keys` array");
        };
        let mut parsed = Vec::new();
        for raw in keys.iter().take(MAX_KEYS) {
            let Ok(jwk) = serde_json::from_value::<Jwk>(raw.clone()) else {
                tracing::debug!(key = %capped(&raw.to_string()), "JWKS: skipping a key that does not parse");
                continue;
            };
            if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature)
                || matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_))
            {
                continue; // encryption keys and shared secrets never verify access tokens
            }
            let Ok(key) = DecodingKey::from_jwk(&jwk) else {
                continue;
            };
            let alg = match jwk.common.key_algorithm.map(Algorithm::try_from) {
                None => None,
                Some(Ok(alg)) if alg.family() == key.family() => Some(alg),
                Some(_) => continue, // an `alg` this crate does not know, or of another family
            };
            parsed.push(Key {
                kid: jwk.common.key_id,
                alg,
                key,
            });
        }
        Ok(parsed)
    }
}

/// How often keys may be fetched again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefetchPolicy {
    /// Least time between two fetches caused by an unknown `kid`.
    pub(crate) unknown_kid: Duration,
    /// Keys older than this are fetched again (removed keys stop verifying).
    pub(crate) max_age: Duration,
}

/// Where the keys come from and the keys of the last successful fetch.
pub(crate) struct KeySource {
    /// The issuer as configured, for log lines.
    issuer_id: String,
    issuer: Url,
    jwks_uri: Option<String>,
    client: reqwest::Client,
    policy: RefetchPolicy,
    current: RwLock<Arc<KeySet>>,
    /// Held while fetching: one fetch at a time, the others wait for its result.
    refresh: tokio::sync::Mutex<Refresh>,
}

#[derive(Default)]
struct Refresh {
    /// From the configuration or from discovery, once known.
    jwks_uri: Option<String>,
    failures: u32,
    /// No new try before this instant (backoff after a failure).
    retry_at: Option<Instant>,
    last_error: Option<FetchError>,
}

/// Why the cached keys do not answer a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Miss {
    /// Nothing was ever fetched.
    Empty,
    /// No key fits the token's `kid` and algorithm.
    UnknownKey,
    /// A key fits, but the set is older than the maximum age.
    Stale,
}

impl Miss {
    /// Why a fetch happens, for the log.
    fn reason(self) -> &'static str {
        match self {
            Miss::Empty => "first use",
            Miss::UnknownKey => "a token names an unknown key",
            Miss::Stale => "the keys reached their maximum age",
        }
    }
}

impl KeySource {
    pub(crate) fn new(
        issuer_id: String,
        issuer: Url,
        jwks_uri: Option<String>,
        client: reqwest::Client,
        policy: RefetchPolicy,
    ) -> Self {
        KeySource {
            refresh: tokio::sync::Mutex::new(Refresh {
                jwks_uri: jwks_uri.clone(),
                ..Refresh::default()
            }),
            issuer_id,
            issuer,
            jwks_uri,
            client,
            policy,
            current: RwLock::new(Arc::default()),
        }
    }

    fn current(&self) -> Arc<KeySet> {
        // A panic while holding the lock left a whole `Arc`: the value is still good.
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn miss(&self, set: &KeySet, kid: Option<&str>, alg: Algorithm, now: Instant) -> Option<Miss> {
        let Some(fetched_at) = set.fetched_at else {
            return Some(Miss::Empty);
        };
        if set.candidates(kid, alg).next().is_none() {
            Some(Miss::UnknownKey)
        } else if now.duration_since(fetched_at) >= self.policy.max_age {
            Some(Miss::Stale)
        } else {
            None
        }
    }

    /// The key set to verify a token with this `kid` and `alg`: the cached one when a key
    /// fits, otherwise after a fetch when the policy allows one.
    pub(crate) async fn lookup(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Arc<KeySet>, VerifyError> {
        let seen = self.current();
        let miss = match self.miss(&seen, kid, alg, Instant::now()) {
            None => return Ok(seen),
            Some(miss) => miss,
        };
        let mut refresh = match miss {
            // Stale keys still verify: never wait for someone else's refresh.
            Miss::Stale => match self.refresh.try_lock() {
                Ok(guard) => guard,
                Err(_) => return Ok(seen),
            },
            _ => self.refresh.lock().await,
        };
        // Someone may have fetched while this request waited for the lock.
        let set = self.current();
        let now = Instant::now();
        let miss = match self.miss(&set, kid, alg, now) {
            None => return Ok(set),
            Some(miss) => miss,
        };
        if let Some(retry_at) = refresh.retry_at.filter(|at| now < *at) {
            return match (miss, refresh.last_error.clone()) {
                (Miss::Stale, _) => Ok(set),
                (_, Some(error)) => {
                    let wait = retry_at.duration_since(now).as_secs_f32();
                    tracing::debug!(issuer = %self.issuer_id, wait_s = wait, "authorization server unreachable: not retrying yet");
                    Err(error.into())
                }
                (_, None) => Err(InvalidToken::UnknownKey.into()),
            };
        }
        if miss == Miss::UnknownKey
            && set
                .fetched_at
                .is_some_and(|at| now.duration_since(at) < self.policy.unknown_kid)
        {
            // Rate limit: random `kid`s must not make us hammer the authorization server.
            return Err(InvalidToken::UnknownKey.into());
        }
        match self.fetch(&mut refresh).await {
            Ok(keys) => {
                let count = keys.len();
                let fresh = Arc::new(KeySet {
                    keys,
                    fetched_at: Some(Instant::now()),
                });
                *self
                    .current
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = fresh.clone();
                if refresh.failures > 0 {
                    tracing::info!(issuer = %self.issuer_id, keys = count, "authorization server reachable again");
                }
                refresh.failures = 0;
                refresh.retry_at = None;
                refresh.last_error = None;
                tracing::info!(issuer = %self.issuer_id, keys = count, reason = miss.reason(), "fetched the issuer's signing keys (JWKS)");
                Ok(fresh)
            }
            Err(error) => {
                refresh.failures = refresh.failures.saturating_add(1);
                let backoff = FIRST_BACKOFF
                    .saturating_mul(1 << refresh.failures.min(16).saturating_sub(1))
                    .min(MAX_BACKOFF);
                refresh.retry_at = Some(Instant::now() + backoff);
                refresh.last_error = Some(error.clone());
                // Rediscover next time: the key set may have moved.
                refresh.jwks_uri = self.jwks_uri.clone();
                let retry_in_s = backoff.as_secs();
                if error.is_unreachable() {
                    tracing::warn!(issuer = %self.issuer_id, %error, retry_in_s, "authorization server unreachable: tokens cannot be verified and requests get 401 until it answers");
                } else {
                    tracing::warn!(issuer = %self.issuer_id, %error, retry_in_s, "authorization server answered with an error: tokens cannot be verified and requests get 401 until it answers");
                }
                match miss {
                    Miss::Stale => Ok(set),
                    _ => Err(error.into()),
                }
            }
        }
    }

    async fn fetch(&self, refresh: &mut Refresh) -> Result<Vec<Key>, FetchError> {
        let jwks_uri = match &refresh.jwks_uri {
            Some(uri) => uri.clone(),
            None => {
                let metadata = discover(&self.client, &self.issuer).await?;
                let uri = metadata.jwks_uri.ok_or_else(|| {
                    FetchError::new("metadata", self.issuer.as_str(), "it has no jwks_uri")
                })?;
                refresh.jwks_uri = Some(uri.clone());
                uri
            }
        };
        let document: Value = get_json(&self.client, "JWKS", &jwks_uri).await?;
        KeySet::parse(&document).map_err(|reason| FetchError::new("JWKS", &jwks_uri, reason))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    // A P-256 public key (RFC 7515 appendix A.3).
    fn ec_key(kid: &str, extra: Value) -> Value {
        let mut key = json!({
            "kty": "EC", "crv": "P-256", "kid": kid,
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        });
        key.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        key
    }

    #[test]
    fn parse_keeps_public_signature_keys_only() {
        let doc = json!({"keys": [
            ec_key("sig", json!({"use": "sig", "alg": "ES256"})),
            ec_key("any", json!({})),
            ec_key("enc", json!({"use": "enc"})),
            ec_key("wrong-family", json!({"alg": "RS256"})),
            {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"},
            {"kty": "weird", "kid": "unknown"},
        ]});
        let keys = KeySet::parse(&doc).unwrap();
        let kids: Vec<_> = keys.iter().map(|k| k.kid.as_deref().unwrap()).collect();
        assert_eq!(kids, ["sig", "any"]);
        let set = KeySet {
            keys,
            fetched_at: None,
        };
        assert_eq!(set.candidates(Some("sig"), Algorithm::ES256).count(), 1);
        assert_eq!(set.candidates(None, Algorithm::ES256).count(), 2);
        assert_eq!(set.candidates(Some("sig"), Algorithm::RS256).count(), 0);
        assert_eq!(set.candidates(Some("gone"), Algorithm::ES256).count(), 0);
        assert!(KeySet::parse(&json!({"nokeys": []})).is_err());
    }
}
