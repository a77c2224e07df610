//! `server/discover` (2026-07-28): what the server speaks and offers, asked before anything else.

use super::lifecycle::ServerCapabilities;
use super::version::Version;
use serde::Serialize;

/// The `server/discover` result, before the era's common fields (`resultType`, `ttlMs`,
/// `cacheScope`, the server's identity in `_meta`) are written around it
/// ([`StatelessResult`](super::StatelessResult)).
///
/// ```
/// use mcp_runtime::protocol::{DiscoverResult, ServerCapabilities, Version};
/// let caps = ServerCapabilities::default();
/// let result = DiscoverResult { supported_versions: Version::ALL, capabilities: &caps, instructions: None };
/// let json = serde_json::to_value(&result).unwrap();
/// assert_eq!(json["supportedVersions"][0], "2026-07-28");
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoverResult<'a> {
    /// Every revision the server speaks, newest first.
    pub supported_versions: &'a [Version],
    /// What the server offers.
    pub capabilities: &'a ServerCapabilities,
    /// Usage hints for the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<&'a str>,
}
