//! Tamper-proof `requestState` for multi round-trip requests (2026-07-28).
//!
//! The state carries the client's answers of earlier rounds through the client and back. It is
//! attacker-controlled input, so it is signed with HMAC-SHA256 and bound to the server, the
//! request (method and a digest of its params), the caller's principal and an expiry.
//!
//! Token: `v1.` + base64url(payload JSON) + `.` + base64url(HMAC over everything before it).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::protocol::Method;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &str = "v1.";
const DEFAULT_TTL: Duration = Duration::from_secs(600);

/// The secret that signs `requestState`, and how long a state stays valid.
///
/// Every server gets a random key by default, so a state is only accepted by the process that
/// minted it. Several instances behind a load balancer must share one: build it from the same
/// secret everywhere with [`from_secret`](Self::from_secret). To rotate, sign with the new
/// secret and keep accepting the old one for one TTL with [`accepting`](Self::accepting).
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::{HttpConfig, Mode, RequestStateKey, ServerConfig};
///
/// let key = RequestStateKey::from_secret(b"a long random secret shared by every instance")?
///     .accepting(b"the secret used before the last rotation, also long")?
///     .ttl(Duration::from_secs(300));
/// let config = HttpConfig::new(Mode::Stateless).server(ServerConfig::new().request_state_key(key));
/// # let _ = config;
/// # Ok::<(), mcp_runtime::RequestStateKeyError>(())
/// ```
#[derive(Clone)]
pub struct RequestStateKey {
    /// The first signs; all verify.
    secrets: Arc<[Vec<u8>]>,
    ttl: Duration,
}

impl std::fmt::Debug for RequestStateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestStateKey")
            .field("secrets", &self.secrets.len())
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl Default for RequestStateKey {
    fn default() -> Self {
        Self::random()
    }
}

/// Why a [`RequestStateKey`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestStateKeyError {
    /// A secret shorter than 32 bytes: an HMAC key that short can be guessed.
    #[error("a request-state secret needs at least {MIN_SECRET} bytes; this one has {0}")]
    TooShort(usize),
    /// The operating system's random source failed: no key can be made safely.
    #[error("the operating system's random source failed: {0}")]
    NoRandomness(String),
}

/// The shortest secret accepted.
const MIN_SECRET: usize = 32;

fn checked(secret: &[u8]) -> Result<&[u8], RequestStateKeyError> {
    if secret.len() < MIN_SECRET {
        return Err(RequestStateKeyError::TooShort(secret.len()));
    }
    Ok(secret)
}

impl RequestStateKey {
    /// A fresh 256-bit key from the operating system's CSPRNG, known only to this process.
    ///
    /// # Panics
    ///
    /// When the OS random source fails: the server refuses to start rather than sign with a
    /// guessable key. [`try_random`](Self::try_random) returns the error instead.
    ///
    /// ```
    /// let key = mcp_runtime::RequestStateKey::random();
    /// # let _ = key;
    /// ```
    pub fn random() -> Self {
        match Self::try_random() {
            Ok(key) => key,
            Err(e) => panic!("cannot make the request-state key: {e}"),
        }
    }

    /// A fresh 256-bit key from the operating system's CSPRNG, or the reason there is none.
    ///
    /// ```
    /// let key = mcp_runtime::RequestStateKey::try_random()?;
    /// # let _ = key;
    /// # Ok::<(), mcp_runtime::RequestStateKeyError>(())
    /// ```
    pub fn try_random() -> Result<Self, RequestStateKeyError> {
        let mut secret = vec![0u8; MIN_SECRET];
        getrandom::fill(&mut secret)
            .map_err(|e| RequestStateKeyError::NoRandomness(e.to_string()))?;
        Self::from_secret(secret)
    }

    /// A key from a shared secret of at least 32 bytes (random ones: it is an HMAC key).
    ///
    /// ```
    /// use mcp_runtime::{RequestStateKey, RequestStateKeyError};
    /// let key = RequestStateKey::from_secret("0123456789abcdef0123456789abcdef")?;
    /// assert_eq!(
    ///     RequestStateKey::from_secret("short").unwrap_err(),
    ///     RequestStateKeyError::TooShort(5)
    /// );
    /// # let _ = key;
    /// # Ok::<(), RequestStateKeyError>(())
    /// ```
    pub fn from_secret(secret: impl AsRef<[u8]>) -> Result<Self, RequestStateKeyError> {
        let secret = checked(secret.as_ref())?;
        Ok(RequestStateKey {
            secrets: Arc::from(vec![secret.to_vec()]),
            ttl: DEFAULT_TTL,
        })
    }

    /// Also accepts states signed with `secret` (an older key, during a rotation), which
    /// must be 32 bytes or more too.
    ///
    /// ```
    /// use mcp_runtime::RequestStateKey;
    /// let key = RequestStateKey::from_secret([7u8; 32])?.accepting([9u8; 32])?;
    /// # let _ = key;
    /// # Ok::<(), mcp_runtime::RequestStateKeyError>(())
    /// ```
    pub fn accepting(self, secret: impl AsRef<[u8]>) -> Result<Self, RequestStateKeyError> {
        let mut secrets = self.secrets.to_vec();
        secrets.push(checked(secret.as_ref())?.to_vec());
        Ok(RequestStateKey {
            secrets: Arc::from(secrets),
            ttl: self.ttl,
        })
    }

    /// How long a state stays valid after it is minted (default 10 minutes).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    fn mac(secret: &[u8], signed: &str) -> HmacSha256 {
        // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(signed.as_bytes());
        mac
    }

    /// Signs `state` into a token.
    pub(crate) fn seal(&self, mut state: SealedState) -> String {
        state.exp = unix_now().saturating_add(self.ttl.as_secs().max(1));
        let payload = serde_json::to_vec(&state).unwrap_or_default();
        let signed = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(payload));
        let secret = self.secrets.first().map(Vec::as_slice).unwrap_or(&[]);
        let tag = Self::mac(secret, &signed).finalize().into_bytes();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// Verifies a token and checks it belongs to `binding`; returns the answers it carries.
    pub(crate) fn open(
        &self,
        token: &str,
        binding: &StateBinding,
    ) -> Result<Vec<RecordedAnswer>, StateError> {
        let (signed, tag) = token.rsplit_once('.').ok_or(StateError::Malformed)?;
        let payload = signed.strip_prefix(PREFIX).ok_or(StateError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| StateError::Malformed)?;
        let authentic = self
            .secrets
            .iter()
            .any(|secret| Self::mac(secret, signed).verify_slice(&tag).is_ok());
        if !authentic {
            return Err(StateError::BadSignature);
        }
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| StateError::Malformed)?;
        let state: SealedState =
            serde_json::from_slice(&payload).map_err(|_| StateError::Malformed)?;
        if state.exp < unix_now() {
            return Err(StateError::Expired);
        }
        if state.aud != binding.audience
            || state.method != binding.method
            || state.digest != binding.digest
        {
            return Err(StateError::OtherRequest);
        }
        if state.principal != binding.principal {
            return Err(StateError::OtherPrincipal);
        }
        Ok(state.answers)
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Why a `requestState` was refused. The client sees only that it was invalid; the reason is
/// logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StateError {
    #[error("requestState is not a token this server minted")]
    Malformed,
    #[error("requestState failed signature verification")]
    BadSignature,
    #[error("requestState has expired")]
    Expired,
    #[error("requestState belongs to another request")]
    OtherRequest,
    #[error("requestState belongs to another caller")]
    OtherPrincipal,
}

/// What a state is bound to: this server, this request, this caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StateBinding {
    pub(crate) audience: String,
    pub(crate) method: String,
    pub(crate) digest: String,
    pub(crate) principal: Option<String>,
}

impl StateBinding {
    /// The binding of a request: its params without the envelope and retry fields, hashed.
    pub(crate) fn new(
        audience: &str,
        method: &str,
        params: Option<&Value>,
        principal: Option<String>,
    ) -> Self {
        let mut canonical = String::new();
        match params {
            Some(Value::Object(map)) => {
                let salient: serde_json::Map<String, Value> = map
                    .iter()
                    .filter(|(k, _)| {
                        !matches!(k.as_str(), "_meta" | "inputResponses" | "requestState")
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                write_canonical(&Value::Object(salient), &mut canonical);
            }
            Some(other) => write_canonical(other, &mut canonical),
            None => {}
        }
        StateBinding {
            audience: audience.to_owned(),
            method: method.to_owned(),
            digest: URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())),
            principal,
        }
    }
}

/// What a request's state would be bound to, kept unread: the binding (a digest of the
/// params) is made only when a state is opened or sealed, which most requests never do.
#[derive(Debug)]
pub(crate) struct BindingSource {
    audience: Arc<str>,
    method: Method,
    params: Option<Box<RawValue>>,
    principal: Option<String>,
}

impl BindingSource {
    /// `audience` is shared (the server's name), `method` cheap to clone.
    pub(crate) fn new(
        audience: Arc<str>,
        method: Method,
        params: Option<Box<RawValue>>,
        principal: Option<String>,
    ) -> Self {
        BindingSource {
            audience,
            method,
            params,
            principal,
        }
    }

    /// The method, for log lines.
    pub(crate) fn method(&self) -> &str {
        self.method.as_str()
    }

    /// The binding. Params that do not parse (the handler then refuses them) are bound as
    /// their text, so no state made for other params opens with them.
    pub(crate) fn binding(&self) -> StateBinding {
        let params = self.params.as_deref().map(|raw| {
            serde_json::from_str::<Value>(raw.get())
                .unwrap_or_else(|_| Value::String(raw.get().to_owned()))
        });
        StateBinding::new(
            &self.audience,
            self.method.as_str(),
            params.as_ref(),
            self.principal.clone(),
        )
    }
}

/// JSON with object keys sorted at every level, so equal params hash equally.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// One answer of an earlier round: the key it was asked under and the client's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RecordedAnswer {
    #[serde(rename = "k")]
    pub(crate) key: String,
    #[serde(rename = "r")]
    pub(crate) answer: Value,
}

/// The signed payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SealedState {
    aud: String,
    method: String,
    digest: String,
    #[serde(default)]
    principal: Option<String>,
    exp: u64,
    answers: Vec<RecordedAnswer>,
}

impl SealedState {
    /// The state for `binding` carrying `answers` (the expiry is set when sealed).
    pub(crate) fn new(binding: &StateBinding, answers: Vec<RecordedAnswer>) -> Self {
        SealedState {
            aud: binding.audience.clone(),
            method: binding.method.clone(),
            digest: binding.digest.clone(),
            principal: binding.principal.clone(),
            exp: 0,
            answers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn binding(args: Value) -> StateBinding {
        StateBinding::new(
            "srv",
            "tools/call",
            Some(&json!({"name": "t", "arguments": args, "_meta": {"x": 1}})),
            Some("alice".into()),
        )
    }

    fn answers() -> Vec<RecordedAnswer> {
        vec![RecordedAnswer {
            key: "user_name".into(),
            answer: json!({"action": "accept", "content": {"name": "Alice"}}),
        }]
    }

    #[test]
    fn round_trips_and_binds_to_the_request() {
        let key = RequestStateKey::random();
        let b = binding(json!({"a": 1, "b": [1, {"y": 2, "x": 1}]}));
        let token = key.seal(SealedState::new(&b, answers()));
        assert_eq!(key.open(&token, &b).unwrap(), answers());
        // Same params in another key order: same request.
        let same = binding(json!({"b": [1, {"x": 1, "y": 2}], "a": 1}));
        assert_eq!(key.open(&token, &same), Ok(answers()));
        assert_eq!(
            key.open(&token, &binding(json!({"a": 2}))),
            Err(StateError::OtherRequest)
        );
        let mut bob = b.clone();
        bob.principal = Some("bob".into());
        assert_eq!(key.open(&token, &bob), Err(StateError::OtherPrincipal));
    }

    #[test]
    fn tampering_and_foreign_keys_are_refused() {
        let key = RequestStateKey::from_secret([7u8; 32]).unwrap();
        let b = binding(json!({}));
        let token = key.seal(SealedState::new(&b, answers()));
        assert_eq!(key.open(&token, &b), Ok(answers()), "untouched, it opens");
        assert_eq!(
            key.open(&format!("{token}-TAMPERED"), &b),
            Err(StateError::BadSignature)
        );
        let (signed, tag) = token.rsplit_once('.').unwrap();
        // Another payload under the original tag: the answers dropped.
        let forged_payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&SealedState::new(&b, Vec::new())).unwrap());
        assert_eq!(
            key.open(&format!("{PREFIX}{forged_payload}.{tag}"), &b),
            Err(StateError::BadSignature)
        );
        // The original payload under a tag with one bit flipped.
        let mut flipped = URL_SAFE_NO_PAD.decode(tag).unwrap();
        flipped[0] ^= 1;
        let flipped = URL_SAFE_NO_PAD.encode(flipped);
        assert_eq!(
            key.open(&format!("{signed}.{flipped}"), &b),
            Err(StateError::BadSignature)
        );
        let other = RequestStateKey::from_secret([8u8; 32]).unwrap();
        assert_eq!(other.open(&token, &b), Err(StateError::BadSignature));
        // Rotation: the new key still accepts states of the old one.
        let rotated = RequestStateKey::from_secret([8u8; 32])
            .unwrap()
            .accepting([7u8; 32])
            .unwrap();
        assert_eq!(rotated.open(&token, &b), Ok(answers()));
        assert_eq!(key.open("garbage", &b), Err(StateError::Malformed));
    }

    #[test]
    fn expired_states_are_refused() {
        let key = RequestStateKey::random();
        let b = binding(json!({}));
        let mut state = SealedState::new(&b, answers());
        state.exp = 1;
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&state).unwrap());
        let signed = format!("{PREFIX}{payload}");
        let tag = RequestStateKey::mac(&key.secrets[0], &signed)
            .finalize()
            .into_bytes();
        let token = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag));
        assert_eq!(key.open(&token, &b), Err(StateError::Expired));
    }

    #[test]
    fn short_secrets_are_refused() {
        assert_eq!(
            RequestStateKey::from_secret([1u8; 31]).unwrap_err(),
            RequestStateKeyError::TooShort(31)
        );
        let key = RequestStateKey::from_secret([1u8; 32]).unwrap();
        assert_eq!(
            key.accepting(b"old").unwrap_err(),
            RequestStateKeyError::TooShort(3)
        );
        assert!(RequestStateKey::try_random().is_ok());
    }
}
