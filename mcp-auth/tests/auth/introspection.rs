//! `IntrospectionVerifier` against the stand-in's RFC 7662 endpoint.

use mcp_auth::{IntrospectionVerifier, InvalidToken, TokenVerifier, VerifyError};

use crate::support::*;

async fn verifier(secret: &str) -> IntrospectionVerifier {
    let fake = FakeIssuer::start(&[]).await;
    // The endpoint comes from the issuer's metadata.
    IntrospectionVerifier::new(fake.issuer.clone(), RESOURCE, "rs", secret).unwrap()
}

#[tokio::test]
async fn an_active_token_for_this_resource_is_accepted() {
    let verifier = verifier("s3cret").await;
    let token = verifier.verify("active-alice").await.unwrap();
    assert_eq!(token.principal.subject(), "alice");
    assert_eq!(token.principal.scopes(), ["mcp:read"]);
    assert!(
        token
            .principal
            .issuer()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(token.expires_at.is_some());
}

#[tokio::test]
async fn inactive_foreign_and_unsupported_tokens_are_refused() {
    let verifier = verifier("s3cret").await;
    let refusal = |r: Result<_, VerifyError>| match r {
        Err(VerifyError::Invalid(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        refusal(verifier.verify("made-up").await),
        InvalidToken::Inactive
    );
    assert_eq!(
        refusal(verifier.verify("other-alice").await),
        InvalidToken::Audience
    );
    // oidc-provider's answer for its own JWTs: 400 unsupported_token_type.
    assert_eq!(
        refusal(verifier.verify("jwt").await),
        InvalidToken::Inactive
    );
}

#[tokio::test]
async fn wrong_client_credentials_are_the_servers_error_not_the_tokens() {
    let verifier = verifier("wrong").await;
    match verifier.verify("active-alice").await {
        Err(VerifyError::Unavailable(error)) => {
            assert_eq!(error.status, Some(401));
            assert!(!error.is_unreachable());
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_is_unavailable() {
    let addr = closed_port().await;
    let verifier =
        IntrospectionVerifier::new(format!("http://{addr}"), RESOURCE, "rs", "s3cret").unwrap();
    match verifier.verify("active-alice").await {
        Err(VerifyError::Unavailable(error)) => assert!(error.is_unreachable()),
        other => panic!("expected unavailable, got {other:?}"),
    }
}
