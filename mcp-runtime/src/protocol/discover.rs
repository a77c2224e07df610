//! `server/discover` (2026-07-28): what the server speaks and offers, asked before anything else.

use serde::Serialize;
use serde_json::{Map, Value};

use super::envelope::SERVER_INFO_KEY;
use super::lifecycle::{Implementation, ServerCapabilities};

/// The `server/discover` result, before the era's common fields (`resultType`, `ttlMs`,
/// `cacheScope`) are added. The server names itself in `_meta`, as the spec asks.
///
/// ```
/// use mcp_runtime::protocol::{DiscoverResult, Implementation, ServerCapabilities};
/// let info = Implementation::new("calc", "1.0.0");
/// let caps = ServerCapabilities::default();
/// let result = DiscoverResult::new(&["2026-07-28"], &caps, &info, None);
/// let json = serde_json::to_value(&result).unwrap();
/// assert_eq!(json["supportedVersions"][0], "2026-07-28");
/// assert_eq!(json["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "calc");
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoverResult<'a> {
    /// Every revision the server speaks, newest first.
    pub supported_versions: &'a [&'a str],
    /// What the server offers.
    pub capabilities: &'a ServerCapabilities,
    /// Usage hints for the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<&'a str>,
    /// `{"io.modelcontextprotocol/serverInfo": …}`.
    #[serde(rename = "_meta")]
    pub meta: Map<String, Value>,
}

impl<'a> DiscoverResult<'a> {
    /// The result for a server.
    pub fn new(
        supported_versions: &'a [&'a str],
        capabilities: &'a ServerCapabilities,
        server_info: &Implementation,
        instructions: Option<&'a str>,
    ) -> Self {
        let mut meta = Map::new();
        meta.insert(
            SERVER_INFO_KEY.to_owned(),
            serde_json::to_value(server_info).unwrap_or(Value::Null),
        );
        DiscoverResult {
            supported_versions,
            capabilities,
            instructions,
            meta,
        }
    }
}
