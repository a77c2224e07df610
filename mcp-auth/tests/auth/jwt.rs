//! `JwtVerifier`: what it accepts, what it refuses and when it fetches keys.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mcp_auth::{InvalidToken, JwtVerifier, TokenVerifier, VerifyError};
use serde_json::json;

use crate::support::*;

async fn issuer_and_verifier() -> (FakeIssuer, SigningKey, JwtVerifier) {
    let key = SigningKey::rsa("k1", RSA1);
    let fake = FakeIssuer::start(&[&key]).await;
    let verifier = JwtVerifier::new(fake.issuer.clone(), RESOURCE).unwrap();
    (fake, key, verifier)
}

fn refusal(result: Result<mcp_auth::VerifiedToken, VerifyError>) -> InvalidToken {
    match result {
        Err(VerifyError::Invalid(reason)) => reason,
        Err(other) => panic!("expected an invalid token, got {other}"),
        Ok(token) => panic!("expected a refusal, got {:?}", token.principal),
    }
}

#[tokio::test]
async fn a_good_token_becomes_the_principal() {
    let (fake, key, verifier) = issuer_and_verifier().await;
    let claims = with(
        claims(&fake.issuer, "alice"),
        json!({"scope": "mcp:read mcp:admin", "tenant": "t1"}),
    );
    let token = verifier.verify(&key.sign(&claims)).await.unwrap();
    let principal = &token.principal;
    assert_eq!(principal.subject(), "alice");
    assert_eq!(principal.issuer(), Some(fake.issuer.as_str()));
    assert_eq!(principal.scopes(), ["mcp:read", "mcp:admin"]);
    assert_eq!(principal.claims()["tenant"], "t1");
    assert!(token.expires_at.is_some());
    assert_eq!(fake.jwks_fetches(), 1);
}

#[tokio::test]
async fn scopes_may_come_as_an_scp_array() {
    let (fake, key, verifier) = issuer_and_verifier().await;
    let claims = with(
        claims(&fake.issuer, "alice"),
        json!({"scope": null, "scp": ["mcp:read", "mcp:admin"]}),
    );
    let token = verifier.verify(&key.sign(&claims)).await.unwrap();
    assert_eq!(token.principal.scopes(), ["mcp:read", "mcp:admin"]);
}

#[tokio::test]
async fn a_token_for_another_resource_is_refused() {
    let (fake, key, verifier) = issuer_and_verifier().await;
    for aud in [
        json!("http://127.0.0.1:9999/mcp"),
        json!(["https://other.example"]),
        json!(""),
    ] {
        let token = key.sign(&with(claims(&fake.issuer, "alice"), json!({"aud": aud})));
        assert_eq!(
            refusal(verifier.verify(&token).await),
            InvalidToken::Audience,
            "{aud}"
        );
    }
    // An audience list that names this resource is fine.
    let token = key.sign(&with(
        claims(&fake.issuer, "alice"),
        json!({"aud": ["https://other.example", RESOURCE]}),
    ));
    assert!(verifier.verify(&token).await.is_ok());
    let no_aud = key.sign(&with(claims(&fake.issuer, "alice"), json!({"aud": null})));
    assert_eq!(
        refusal(verifier.verify(&no_aud).await),
        InvalidToken::Claim("aud")
    );
}

#[tokio::test]
async fn a_token_of_another_issuer_is_refused() {
    let (fake, key, verifier) = issuer_and_verifier().await;
    let token = key.sign(&claims("https://evil.example", "alice"));
    assert_eq!(refusal(verifier.verify(&token).await), InvalidToken::Issuer);
    let no_iss = key.sign(&with(claims(&fake.issuer, "alice"), json!({"iss": null})));
    assert_eq!(
        refusal(verifier.verify(&no_iss).await),
        InvalidToken::Claim("iss")
    );
}

#[tokio::test]
async fn expiry_and_not_before_hold_within_the_leeway() {
    let (fake, key, verifier) = issuer_and_verifier().await;
    let at = |changes| key.sign(&with(claims(&fake.issuer, "alice"), changes));
    let expired = at(json!({"exp": now() - 120}));
    assert_eq!(
        refusal(verifier.verify(&expired).await),
        InvalidToken::Expired
    );
    let just_expired = at(json!({"exp": now() - 10}));
    assert!(verifier.verify(&just_expired).await.is_ok(), "30 s leeway");
    let early = at(json!({"nbf": now() + 120}));
    assert_eq!(
        refusal(verifier.verify(&early).await),
        InvalidToken::NotYetValid
    );
    let nearly = at(json!({"nbf": now() + 10}));
    assert!(verifier.verify(&nearly).await.is_ok(), "30 s leeway");
    let no_exp = at(json!({"exp": null}));
    assert_eq!(
        refusal(verifier.verify(&no_exp).await),
        InvalidToken::Claim("exp")
    );
    let strict = JwtVerifier::new(fake.issuer.clone(), RESOURCE)
        .unwrap()
        .leeway(Duration::ZERO);
    assert_eq!(
        refusal(strict.verify(&just_expired).await),
        InvalidToken::Expired
    );
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let (fake, key, verifier) = issuer_and_verifier().await;
    let token = key.sign(&claims(&fake.issuer, "alice"));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    // Grant ourselves a scope: the payload changes, the signature does not.
    let payload = with(claims(&fake.issuer, "alice"), json!({"scope": "mcp:admin"}));
    parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
    assert_eq!(
        refusal(verifier.verify(&parts.join(".")).await),
        InvalidToken::Signature
    );
    // The same kid, another key.
    let impostor = SigningKey::rsa("k1", RSA2);
    let forged = impostor.sign(&claims(&fake.issuer, "alice"));
    assert_eq!(
        refusal(verifier.verify(&forged).await),
        InvalidToken::Signature
    );
}

#[tokio::test]
async fn alg_none_is_refused() {
    let (fake, _, verifier) = issuer_and_verifier().await;
    let encode = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let payload = encode(claims(&fake.issuer, "alice"));
    for header in [json!({"alg": "none"}), json!({"alg": "none", "kid": "k1"})] {
        let token = format!("{}.{payload}.", encode(header));
        assert_eq!(
            refusal(verifier.verify(&token).await),
            InvalidToken::Algorithm
        );
    }
    assert_eq!(fake.jwks_fetches(), 0, "refused before looking for keys");
}

#[tokio::test]
async fn hmac_is_refused_unless_configured() {
    let (fake, _, verifier) = issuer_and_verifier().await;
    let claims = claims(&fake.issuer, "alice");
    let hs256 = |secret: &[u8]| {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret).unwrap()).unwrap()
    };
    // Key confusion: the RSA public key (known to all) used as an HMAC secret.
    let public_jwk = SigningKey::rsa("k1", RSA1).jwk().to_string();
    let confused = hs256(public_jwk.as_bytes());
    assert_eq!(
        refusal(verifier.verify(&confused).await),
        InvalidToken::Algorithm
    );

    let with_secret = JwtVerifier::new(fake.issuer.clone(), RESOURCE)
        .unwrap()
        .hmac_secret(b"a shared secret of the AS")
        .unwrap();
    assert!(
        with_secret
            .verify(&hs256(b"a shared secret of the AS"))
            .await
            .is_ok()
    );
    assert_eq!(
        refusal(with_secret.verify(&hs256(b"another secret")).await),
        InvalidToken::Signature
    );
    // Asymmetric tokens still work beside it.
    let rsa = SigningKey::rsa("k1", RSA1).sign(&claims);
    assert!(with_secret.verify(&rsa).await.is_ok());
}

#[tokio::test]
async fn only_the_configured_algorithms_are_accepted() {
    let rsa = SigningKey::rsa("k1", RSA1);
    let ec = SigningKey::ec("e1", EC1);
    let fake = FakeIssuer::start(&[&rsa, &ec]).await;
    let verifier = JwtVerifier::new(fake.issuer.clone(), RESOURCE).unwrap();
    let claims = claims(&fake.issuer, "alice");
    assert!(verifier.verify(&rsa.sign(&claims)).await.is_ok());
    assert!(verifier.verify(&ec.sign(&claims)).await.is_ok());
    let es_only = JwtVerifier::new(fake.issuer.clone(), RESOURCE)
        .unwrap()
        .algorithms([Algorithm::ES256]);
    assert!(es_only.verify(&ec.sign(&claims)).await.is_ok());
    assert_eq!(
        refusal(es_only.verify(&rsa.sign(&claims)).await),
        InvalidToken::Algorithm
    );
}

#[tokio::test]
async fn an_unknown_kid_fetches_the_keys_again_once() {
    let old = SigningKey::rsa("k1", RSA1);
    let new = SigningKey::rsa("k2", RSA2);
    let fake = FakeIssuer::start(&[&old]).await;
    let verifier = JwtVerifier::new(fake.issuer.clone(), RESOURCE)
        .unwrap()
        .unknown_kid_refetch(Duration::ZERO);
    let claims = claims(&fake.issuer, "alice");
    assert!(verifier.verify(&old.sign(&claims)).await.is_ok());
    assert_eq!(fake.jwks_fetches(), 1);

    fake.publish(&[&new, &old]); // rotation: the new key signs, the old one still verifies
    assert!(verifier.verify(&new.sign(&claims)).await.is_ok());
    assert_eq!(fake.jwks_fetches(), 2, "one fetch for the new kid");
    assert!(verifier.verify(&new.sign(&claims)).await.is_ok());
    assert!(verifier.verify(&old.sign(&claims)).await.is_ok());
    assert_eq!(fake.jwks_fetches(), 2, "both keys known now");
}

#[tokio::test]
async fn unknown_kid_fetches_are_rate_limited() {
    let old = SigningKey::rsa("k1", RSA1);
    let new = SigningKey::rsa("k2", RSA2);
    let fake = FakeIssuer::start(&[&old]).await;
    let interval = Duration::from_secs(2);
    let verifier = JwtVerifier::new(fake.issuer.clone(), RESOURCE)
        .unwrap()
        .unknown_kid_refetch(interval);
    let claims = claims(&fake.issuer, "alice");
    // Signed first: RSA signing is slow in debug builds, and the interval is short.
    let (old_token, new_token) = (old.sign(&claims), new.sign(&claims));
    let made_up: Vec<String> = ["x1", "x2", "x3", "x4", "x5"]
        .into_iter()
        .map(|kid| SigningKey::rsa(kid, RSA2).sign(&claims))
        .collect();
    let fetched = std::time::Instant::now();
    assert!(verifier.verify(&old_token).await.is_ok());
    fake.publish(&[&new, &old]);
    // Right after a fetch: refused without asking the authorization server.
    assert_eq!(
        refusal(verifier.verify(&new_token).await),
        InvalidToken::UnknownKey
    );
    for token in &made_up {
        assert_eq!(
            refusal(verifier.verify(token).await),
            InvalidToken::UnknownKey
        );
    }
    assert!(fetched.elapsed() < interval, "the test itself was too slow");
    assert_eq!(fake.jwks_fetches(), 1, "no fetch within the interval");
    tokio::time::sleep(interval.saturating_sub(fetched.elapsed()) + Duration::from_millis(50))
        .await;
    assert!(verifier.verify(&new_token).await.is_ok());
    assert_eq!(fake.jwks_fetches(), 2);
}

#[tokio::test]
async fn an_unreachable_issuer_is_retried_until_it_answers() {
    let addr = closed_port().await;
    let issuer = format!("http://{addr}");
    let verifier = JwtVerifier::new(issuer.clone(), RESOURCE).unwrap();
    let key = SigningKey::rsa("k1", RSA1);
    let token = key.sign(&claims(&issuer, "alice"));
    match verifier.verify(&token).await {
        Err(VerifyError::Unavailable(error)) => assert_eq!(error.what, "metadata"),
        other => panic!("expected unavailable, got {other:?}"),
    }
    // Within the backoff the authorization server is not asked again.
    assert!(matches!(
        verifier.verify(&token).await,
        Err(VerifyError::Unavailable(_))
    ));

    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let fake = FakeIssuer::serve(listener, &[&key]);
    let mut waited = Duration::ZERO;
    loop {
        match verifier.verify(&token).await {
            Ok(_) => break,
            Err(VerifyError::Unavailable(_)) if waited < Duration::from_secs(5) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                waited += Duration::from_millis(100);
            }
            Err(e) => panic!("did not recover after {waited:?}: {e}"),
        }
    }
    assert!(
        waited >= Duration::from_millis(500),
        "it waited for the backoff: {waited:?}"
    );
    assert_eq!(fake.jwks_fetches(), 1);
}

#[tokio::test]
async fn metadata_for_another_issuer_is_not_trusted() {
    let (fake, key, verifier) = issuer_and_verifier().await;
    fake.announce("https://evil.example");
    match verifier
        .verify(&key.sign(&claims(&fake.issuer, "alice")))
        .await
    {
        Err(VerifyError::Unavailable(error)) => assert!(error.reason.contains("describes issuer")),
        other => panic!("expected unavailable, got {other:?}"),
    }
    assert_eq!(fake.jwks_fetches(), 0);
}

#[tokio::test]
async fn a_token_without_kid_is_checked_against_the_keys_of_its_algorithm() {
    let (fake, key, verifier) = issuer_and_verifier().await;
    let header = Header::new(Algorithm::RS256);
    let token = jsonwebtoken::encode(&header, &claims(&fake.issuer, "alice"), &key.key).unwrap();
    assert!(verifier.verify(&token).await.is_ok());
}
