//! `_meta` on requests.

use serde::Deserialize;
use serde_json::Value;

/// The parts of a request's `params._meta` the server reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequestMeta {
    /// The token to echo in `notifications/progress` (a string or a number, echoed exactly).
    #[serde(rename = "progressToken", default)]
    pub progress_token: Option<Value>,
}

/// Params that only matter for their `_meta` (any other field is ignored).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MetaOnly {
    /// The `_meta` object.
    #[serde(rename = "_meta", default)]
    pub meta: Option<RequestMeta>,
}
