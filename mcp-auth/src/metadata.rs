//! RFC 9728 Protected Resource Metadata: where it lives and what it says.

use reqwest::Url;
use serde::Serialize;

use crate::config::ResourceServerConfig;
use crate::error::ConfigError;

/// The well-known path of the metadata document (RFC 9728 section 3).
pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

/// The metadata document, in the order the RFC lists its fields.
#[derive(Debug, Serialize)]
pub(crate) struct ProtectedResourceMetadata<'a> {
    resource: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    authorization_servers: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    scopes_supported: &'a [String],
    bearer_methods_supported: [&'static str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_documentation: Option<&'a str>,
}

impl<'a> ProtectedResourceMetadata<'a> {
    pub(crate) fn new(config: &'a ResourceServerConfig) -> Self {
        ProtectedResourceMetadata {
            resource: &config.resource,
            authorization_servers: &config.authorization_servers,
            scopes_supported: &config.scopes_supported,
            // Tokens in a query string leak into logs and histories; a body is not an option
            // for GET and DELETE.
            bearer_methods_supported: ["header"],
            resource_name: config.resource_name.as_deref(),
            resource_documentation: config.resource_documentation.as_deref(),
        }
    }
}

/// Where the metadata of `resource` is published: its origin, the well-known path, then its
/// path (`https://h/mcp` -> `https://h/.well-known/oauth-protected-resource/mcp`), and the
/// path this server routes it at.
pub(crate) struct MetadataLocation {
    pub(crate) url: String,
    pub(crate) route: String,
}

impl MetadataLocation {
    pub(crate) fn of(resource: &str) -> Result<Self, ConfigError> {
        let url = match Url::parse(resource) {
            Ok(url)
                if matches!(url.scheme(), "http" | "https")
                    && url.has_host()
                    && url.fragment().is_none() =>
            {
                url
            }
            _ => return Err(ConfigError::Resource(resource.to_owned())),
        };
        let path = url.path().trim_end_matches('/');
        let route = format!("{WELL_KNOWN_PATH}{path}");
        Ok(MetadataLocation {
            url: format!("{}{route}", url.origin().ascii_serialization()),
            route,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_url_inserts_the_well_known_path() {
        let at = MetadataLocation::of("https://mcp.example.com:8443/api/mcp").unwrap();
        assert_eq!(
            at.url,
            "https://mcp.example.com:8443/.well-known/oauth-protected-resource/api/mcp"
        );
        assert_eq!(at.route, "/.well-known/oauth-protected-resource/api/mcp");
        let root = MetadataLocation::of("https://mcp.example.com/").unwrap();
        assert_eq!(
            root.url,
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
        for bad in [
            "/mcp",
            "mcp.example.com/mcp",
            "ftp://h/mcp",
            "https://h/mcp#x",
        ] {
            assert!(MetadataLocation::of(bad).is_err(), "{bad}");
        }
    }
}
