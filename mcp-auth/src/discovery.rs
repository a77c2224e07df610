//! Talking to the authorization server: its RFC 8414 / OpenID metadata, and bounded JSON GETs.

use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{ConfigError, FetchError};

/// The largest metadata, key set or introspection answer read (they are a few KiB).
const MAX_BODY: usize = 1024 * 1024;

/// The HTTP client used for the authorization server when none is given: rustls, short
/// timeouts (a slow authorization server must not hold requests for long), few redirects.
pub(crate) fn default_client() -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("mcp-auth/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ConfigError::HttpClient(e.to_string()))
}

/// An issuer identifier checked once: an absolute http(s) URL without query or fragment.
pub(crate) fn parse_issuer(issuer: &str) -> Result<Url, ConfigError> {
    match Url::parse(issuer) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.has_host()
                && url.query().is_none()
                && url.fragment().is_none() =>
        {
            Ok(url)
        }
        _ => Err(ConfigError::Issuer(issuer.to_owned())),
    }
}

/// Two issuer identifiers are the same issuer (a trailing slash aside).
pub(crate) fn same_issuer(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// What the resource server needs from the authorization server's metadata.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ServerMetadata {
    pub(crate) issuer: String,
    pub(crate) jwks_uri: Option<String>,
    pub(crate) introspection_endpoint: Option<String>,
}

/// Where an issuer's metadata may live, in the order the MCP authorization spec tries them:
/// RFC 8414 with the path inserted, OpenID Connect with the path inserted, then appended.
pub(crate) fn metadata_urls(issuer: &Url) -> Vec<String> {
    let origin = issuer.origin().ascii_serialization();
    let path = issuer.path().trim_end_matches('/');
    let mut urls = vec![
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
        format!("{origin}/.well-known/openid-configuration{path}"),
    ];
    if !path.is_empty() {
        urls.push(format!("{origin}{path}/.well-known/openid-configuration"));
    }
    urls
}

/// Fetches the issuer's metadata from the first well-known URL that has it, and checks that
/// it describes this issuer (RFC 8414 section 3.3).
pub(crate) async fn discover(
    client: &reqwest::Client,
    issuer: &Url,
) -> Result<ServerMetadata, FetchError> {
    let mut last = None;
    for url in metadata_urls(issuer) {
        match get_json::<ServerMetadata>(client, "metadata", &url).await {
            Ok(metadata) if same_issuer(&metadata.issuer, issuer.as_str()) => return Ok(metadata),
            Ok(metadata) => {
                return Err(FetchError::new(
                    "metadata",
                    &url,
                    format!("it describes issuer {:?}", metadata.issuer),
                ));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| FetchError::new("metadata", issuer.as_str(), "no URL to try")))
}

/// GETs `url` and parses the JSON answer, reading at most [`MAX_BODY`] bytes.
pub(crate) async fn get_json<T: DeserializeOwned>(
    client: &reqwest::Client,
    what: &'static str,
    url: &str,
) -> Result<T, FetchError> {
    let response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| FetchError::new(what, url, error_chain(&e)))?;
    read_json(what, url, response).await
}

/// Reads a JSON answer of at most [`MAX_BODY`] bytes; a non-2xx status is an error.
pub(crate) async fn read_json<T: DeserializeOwned>(
    what: &'static str,
    url: &str,
    response: reqwest::Response,
) -> Result<T, FetchError> {
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::status(what, url, status));
    }
    let body = read_body(what, url, response).await?;
    serde_json::from_slice(&body).map_err(|e| FetchError::new(what, url, format!("bad JSON: {e}")))
}

/// Reads a body of at most [`MAX_BODY`] bytes.
pub(crate) async fn read_body(
    what: &'static str,
    url: &str,
    mut response: reqwest::Response,
) -> Result<Vec<u8>, FetchError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::new(what, url, error_chain(&e)))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(FetchError::new(what, url, "answer larger than 1 MiB"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error and its causes on one line ("error sending request: connection refused").
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_urls_follow_the_spec_order() {
        let root = parse_issuer("https://as.example").unwrap();
        assert_eq!(
            metadata_urls(&root),
            [
                "https://as.example/.well-known/oauth-authorization-server",
                "https://as.example/.well-known/openid-configuration",
            ]
        );
        let tenant = parse_issuer("https://as.example:8443/tenants/a/").unwrap();
        assert_eq!(
            metadata_urls(&tenant),
            [
                "https://as.example:8443/.well-known/oauth-authorization-server/tenants/a",
                "https://as.example:8443/.well-known/openid-configuration/tenants/a",
                "https://as.example:8443/tenants/a/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn issuers_must_be_plain_http_urls() {
        assert!(parse_issuer("http://127.0.0.1:3000").is_ok());
        for bad in [
            "as.example",
            "ftp://as.example",
            "https://as.example/?x=1",
            "https://a/#f",
        ] {
            assert_eq!(parse_issuer(bad), Err(ConfigError::Issuer(bad.into())));
        }
        assert!(same_issuer("https://as.example/", "https://as.example"));
        assert!(!same_issuer("https://as.example/a", "https://as.example"));
    }
}
