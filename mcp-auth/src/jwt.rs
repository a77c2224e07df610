//! [`JwtVerifier`]: access tokens that are JWTs signed by the issuer's published keys.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, Validation};
use reqwest::Url;
use serde_json::{Map, Value};

use crate::discovery::{default_client, parse_issuer};
use crate::error::{ConfigError, InvalidToken, VerifyError};
use crate::jwks::{KeySource, RefetchPolicy};
use crate::verifier::{TokenVerifier, VerifiedToken};

/// The asymmetric algorithms accepted unless [`JwtVerifier::algorithms`] says otherwise.
pub const DEFAULT_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Verifies JWT access tokens (RFC 9068) against the issuer's published keys.
///
/// On first use it reads the issuer's RFC 8414 (or OpenID) metadata, then the key set at its
/// `jwks_uri`, and keeps the keys. A token signed with a key it does not know makes it fetch
/// the key set again (key rotation), at most once per
/// [`unknown_kid_refetch`](Self::unknown_kid_refetch). While the authorization server cannot
/// be reached, tokens are refused with [`VerifyError::Unavailable`] and the fetch is retried
/// with backoff (1 s doubling to 30 s): a server started before its authorization server
/// works as soon as that one answers.
///
/// A token is accepted when its signature verifies with one of the issuer's keys under an
/// accepted algorithm (never `none`; HMAC only with [`hmac_secret`](Self::hmac_secret)), `iss`
/// is the issuer, `aud` names the audience (this server's resource: RFC 8707), `exp` is in the
/// future and `nbf` in the past (both within [`leeway`](Self::leeway)), and it has a `sub`.
///
/// ```no_run
/// use std::time::Duration;
/// use mcp_auth::JwtVerifier;
///
/// let verifier = JwtVerifier::new("https://auth.example.com", "https://mcp.example.com/mcp")?
///     .leeway(Duration::from_secs(60));
/// # Ok::<_, mcp_auth::ConfigError>(())
/// ```
pub struct JwtVerifier {
    issuer: String,
    issuer_url: Url,
    audience: String,
    algorithms: Vec<Algorithm>,
    hmac: Option<DecodingKey>,
    leeway: Duration,
    jwks_uri: Option<String>,
    policy: RefetchPolicy,
    client: reqwest::Client,
    /// Made on first use, from the settings above.
    keys: OnceLock<KeySource>,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("algorithms", &self.algorithms)
            .field("hmac", &self.hmac.is_some())
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// Tokens of `issuer` (the authorization server's issuer identifier) for `audience`
    /// (this server's resource, the canonical URL of its MCP endpoint).
    ///
    /// Defaults: the algorithms of [`DEFAULT_ALGORITHMS`], 30 s leeway, keys discovered from
    /// the issuer's metadata, refetched at most every 30 s for an unknown `kid` and every 15
    /// minutes anyway, over an HTTP client with rustls and 5 s / 10 s timeouts.
    pub fn new(
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        let issuer = issuer.into();
        let issuer_url = parse_issuer(&issuer)?;
        // A build that enables both crypto backends of jsonwebtoken has no default: pick ours.
        if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
            let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
        }
        Ok(JwtVerifier {
            issuer,
            issuer_url,
            audience: audience.into(),
            algorithms: DEFAULT_ALGORITHMS.to_vec(),
            hmac: None,
            leeway: Duration::from_secs(30),
            jwks_uri: None,
            policy: RefetchPolicy {
                unknown_kid: Duration::from_secs(30),
                max_age: Duration::from_secs(15 * 60),
            },
            client: default_client()?,
            keys: OnceLock::new(),
        })
    }

    /// The algorithms accepted (default: [`DEFAULT_ALGORITHMS`]). HMAC algorithms here are
    /// ignored unless [`hmac_secret`](Self::hmac_secret) is set too.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Accepts HS256 tokens signed with this shared secret (default: no HMAC at all). Only
    /// for authorization servers that cannot sign asymmetrically: whoever holds the secret
    /// can mint tokens.
    pub fn hmac_secret(mut self, secret: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key = DecodingKey::from_secret(secret.as_ref())
            .map_err(|_| ConfigError::Algorithms("the HMAC secret must not be empty"))?;
        self.hmac = Some(key);
        if !self
            .algorithms
            .iter()
            .any(|a| a.family() == AlgorithmFamily::Hmac)
        {
            self.algorithms.push(Algorithm::HS256);
        }
        Ok(self)
    }

    /// Clock skew tolerated on `exp` and `nbf` (default: 30 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The key set's URL, skipping metadata discovery (default: the metadata's `jwks_uri`).
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// Least time between two key-set fetches caused by a token with an unknown `kid`
    /// (default: 30 s). Lower means faster pick-up of a rotated key, higher means fewer
    /// requests to the authorization server when someone sends made-up tokens.
    pub fn unknown_kid_refetch(mut self, interval: Duration) -> Self {
        self.policy.unknown_kid = interval;
        self
    }

    /// Age after which the key set is fetched again even if every token's key is known, so
    /// a key the issuer withdrew stops verifying (default: 15 minutes). While the fetch
    /// fails, the old keys go on verifying.
    pub fn jwks_max_age(mut self, max_age: Duration) -> Self {
        self.policy.max_age = max_age;
        self
    }

    /// The HTTP client for the authorization server (default: rustls, 5 s connect and 10 s
    /// total timeouts, 3 redirects).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
    }

    /// The issuer, as configured.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    fn keys(&self) -> &KeySource {
        self.keys.get_or_init(|| {
            KeySource::new(
                self.issuer.clone(),
                self.issuer_url.clone(),
                self.jwks_uri.clone(),
                self.client.clone(),
                self.policy,
            )
        })
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        let trimmed = self.issuer.trim_end_matches('/');
        validation.set_issuer(&[trimmed.to_owned(), format!("{trimmed}/")]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.leeway.as_secs();
        validation.validate_nbf = true;
        validation
    }

    fn decode(
        &self,
        token: &str,
        key: &DecodingKey,
        alg: Algorithm,
    ) -> Result<VerifiedToken, InvalidToken> {
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &self.validation(alg))
            .map_err(|e| invalid(e.kind()))?;
        VerifiedToken::from_claims(data.claims)
    }
}

impl TokenVerifier for JwtVerifier {
    async fn verify(&self, token: &str) -> Result<VerifiedToken, VerifyError> {
        let header = Header::parse(token)?;
        let alg = header.alg;
        if !self.algorithms.contains(&alg) {
            return Err(InvalidToken::Algorithm.into());
        }
        if alg.family() == AlgorithmFamily::Hmac {
            let key = self.hmac.as_ref().ok_or(InvalidToken::Algorithm)?;
            return Ok(self.decode(token, key, alg)?);
        }
        let kid = header.kid.as_deref();
        let set = self.keys().lookup(kid, alg).await?;
        let mut outcome = Err(InvalidToken::UnknownKey);
        // Without a `kid`, any key of the family may have signed: try a few.
        for key in set.candidates(kid, alg).take(4) {
            outcome = self.decode(token, &key.key, alg);
            if !matches!(outcome, Err(InvalidToken::Signature)) {
                break;
            }
        }
        Ok(outcome?)
    }
}

/// The JOSE header fields read before choosing a key. Read here rather than by
/// `jsonwebtoken::decode_header` so that `alg: none` or an unknown algorithm is reported as
/// such, not as a malformed token.
struct Header {
    alg: Algorithm,
    kid: Option<String>,
}

impl Header {
    fn parse(token: &str) -> Result<Header, InvalidToken> {
        let mut parts = token.split('.');
        let (Some(header), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidToken::Malformed);
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| InvalidToken::Malformed)?;
        let header: Map<String, Value> =
            serde_json::from_slice(&bytes).map_err(|_| InvalidToken::Malformed)?;
        let alg = match header.get("alg") {
            Some(Value::String(alg)) => alg.parse().map_err(|_| InvalidToken::Algorithm)?,
            _ => return Err(InvalidToken::Malformed),
        };
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(InvalidToken::Malformed),
        };
        Ok(Header { alg, kid })
    }
}

/// What a `jsonwebtoken` error means for the client.
fn invalid(kind: &ErrorKind) -> InvalidToken {
    match kind {
        ErrorKind::InvalidSignature => InvalidToken::Signature,
        ErrorKind::ExpiredSignature => InvalidToken::Expired,
        ErrorKind::ImmatureSignature => InvalidToken::NotYetValid,
        ErrorKind::InvalidAudience => InvalidToken::Audience,
        ErrorKind::InvalidIssuer => InvalidToken::Issuer,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => InvalidToken::Algorithm,
        ErrorKind::MissingRequiredClaim(claim) | ErrorKind::InvalidClaimFormat(claim) => {
            InvalidToken::Claim(match claim.as_str() {
                "exp" => "exp",
                "nbf" => "nbf",
                "iss" => "iss",
                "aud" => "aud",
                "sub" => "sub",
                _ => "registered claims",
            })
        }
        _ => InvalidToken::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(part: &str) -> String {
        URL_SAFE_NO_PAD.encode(part)
    }

    #[test]
    fn the_header_names_the_algorithm_and_key() {
        let token = format!("{}.e30.sig", encode(r#"{"alg":"ES256","kid":"k1"}"#));
        let header = Header::parse(&token).unwrap();
        assert_eq!(header.alg, Algorithm::ES256);
        assert_eq!(header.kid.as_deref(), Some("k1"));
    }

    #[test]
    fn alg_none_and_unknown_algorithms_are_algorithm_errors() {
        for alg in ["none", "None", "XS256"] {
            let token = format!("{}.e30.", encode(&format!(r#"{{"alg":"{alg}"}}"#)));
            assert_eq!(
                Header::parse(&token).err(),
                Some(InvalidToken::Algorithm),
                "{alg}"
            );
        }
    }

    #[test]
    fn malformed_tokens() {
        for token in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            "!!.e30.sig",
            &format!("{}.e30.x", encode("[]")),
        ] {
            assert_eq!(
                Header::parse(token).err(),
                Some(InvalidToken::Malformed),
                "{token}"
            );
        }
        let kid_number = format!("{}.e30.x", encode(r#"{"alg":"RS256","kid":1}"#));
        assert_eq!(
            Header::parse(&kid_number).err(),
            Some(InvalidToken::Malformed)
        );
    }
}
