//! The 2026-07-28 request envelope: the `_meta` every request carries instead of a handshake.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::lifecycle::{ClientCapabilities, Implementation};

/// `_meta` key of the request's protocol version (required).
pub const PROTOCOL_VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key of the client's capabilities for this request (required).
pub const CLIENT_CAPABILITIES_KEY: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key of the client's name and version (optional).
pub const CLIENT_INFO_KEY: &str = "io.modelcontextprotocol/clientInfo";
/// `_meta` key of the log level the client wants for this request (optional; no logs without).
pub const LOG_LEVEL_KEY: &str = "io.modelcontextprotocol/logLevel";
/// Result `_meta` key naming the server.
pub const SERVER_INFO_KEY: &str = "io.modelcontextprotocol/serverInfo";
/// Notification and result `_meta` key naming the `subscriptions/listen` stream.
pub const SUBSCRIPTION_ID_KEY: &str = "io.modelcontextprotocol/subscriptionId";

/// What a 2026-07-28 request says about its client, read from `params._meta`.
///
/// ```
/// use mcp_runtime::protocol::RequestEnvelope;
/// let params = serde_json::value::RawValue::from_string(r#"{"_meta":{
///     "io.modelcontextprotocol/protocolVersion":"2026-07-28",
///     "io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}}}"#.into()).unwrap();
/// let envelope = RequestEnvelope::parse(Some(&params)).unwrap();
/// assert_eq!(envelope.protocol_version, "2026-07-28");
/// assert!(envelope.client_capabilities.supports("elicitation"));
/// assert!(RequestEnvelope::parse(None).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RequestEnvelope {
    /// The revision the request speaks.
    pub protocol_version: String,
    /// What the client supports for this request.
    pub client_capabilities: ClientCapabilities,
    /// Who the client says it is (display only; absent or malformed reads as `None`).
    pub client_info: Option<Implementation>,
    /// The log level the client asked for, as sent (`None`: the client wants no logs).
    pub log_level: Option<String>,
}

/// Why a request's `_meta` envelope is unusable (-32602).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// No `params._meta` object.
    #[error(
        "params._meta must be an object carrying the required {PROTOCOL_VERSION_KEY:?} and {CLIENT_CAPABILITIES_KEY:?} keys"
    )]
    MissingMeta,
    /// `_meta` lacks required keys.
    #[error("params._meta is missing the required key(s): {0}")]
    MissingKeys(String),
    /// A key has the wrong JSON type.
    #[error("params._meta {0:?} must be {1}")]
    WrongType(&'static str, &'static str),
}

#[derive(Deserialize)]
struct Params {
    #[serde(rename = "_meta", default)]
    meta: Option<Value>,
}

impl RequestEnvelope {
    /// Reads the envelope from a request's raw params.
    pub fn parse(params: Option<&RawValue>) -> Result<Self, EnvelopeError> {
        let meta = params
            .and_then(|p| serde_json::from_str::<Params>(p.get()).ok())
            .and_then(|p| p.meta);
        let Some(Value::Object(meta)) = meta else {
            return Err(EnvelopeError::MissingMeta);
        };
        Self::from_meta(meta)
    }

    fn from_meta(mut meta: Map<String, Value>) -> Result<Self, EnvelopeError> {
        let missing: Vec<&str> = [PROTOCOL_VERSION_KEY, CLIENT_CAPABILITIES_KEY]
            .into_iter()
            .filter(|k| !meta.contains_key(*k))
            .collect();
        if !missing.is_empty() {
            return Err(EnvelopeError::MissingKeys(missing.join(", ")));
        }
        let Some(Value::String(protocol_version)) = meta.remove(PROTOCOL_VERSION_KEY) else {
            return Err(EnvelopeError::WrongType(PROTOCOL_VERSION_KEY, "a string"));
        };
        let Some(Value::Object(capabilities)) = meta.remove(CLIENT_CAPABILITIES_KEY) else {
            return Err(EnvelopeError::WrongType(
                CLIENT_CAPABILITIES_KEY,
                "an object",
            ));
        };
        let client_info = meta
            .remove(CLIENT_INFO_KEY)
            .and_then(|v| serde_json::from_value(v).ok());
        let log_level = match meta.remove(LOG_LEVEL_KEY) {
            None | Some(Value::Null) => None,
            Some(Value::String(level)) => Some(level),
            Some(_) => return Err(EnvelopeError::WrongType(LOG_LEVEL_KEY, "a string")),
        };
        Ok(RequestEnvelope {
            protocol_version,
            client_capabilities: ClientCapabilities(capabilities),
            client_info,
            log_level,
        })
    }

    /// Whether `params._meta` names a protocol version: the mark of a 2026-07-28 client.
    ///
    /// ```
    /// use mcp_runtime::protocol::RequestEnvelope;
    /// let modern = serde_json::value::RawValue::from_string(
    ///     r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#.into()).unwrap();
    /// assert!(RequestEnvelope::names_a_version(Some(&modern)));
    /// assert!(!RequestEnvelope::names_a_version(None));
    /// ```
    pub fn names_a_version(params: Option<&RawValue>) -> bool {
        params
            .and_then(|p| serde_json::from_str::<Params>(p.get()).ok())
            .and_then(|p| p.meta)
            .is_some_and(|m| m.get(PROTOCOL_VERSION_KEY).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<RequestEnvelope, EnvelopeError> {
        let raw = RawValue::from_string(json.to_owned()).unwrap();
        RequestEnvelope::parse(Some(&raw))
    }

    #[test]
    fn required_keys_and_types() {
        assert_eq!(parse("{}"), Err(EnvelopeError::MissingMeta));
        assert_eq!(parse("[1]"), Err(EnvelopeError::MissingMeta));
        assert_eq!(parse(r#"{"_meta":5}"#), Err(EnvelopeError::MissingMeta));
        assert!(matches!(
            parse(r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#),
            Err(EnvelopeError::MissingKeys(k)) if k == CLIENT_CAPABILITIES_KEY
        ));
        assert!(matches!(
            parse(
                r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":7,"io.modelcontextprotocol/clientCapabilities":{}}}"#
            ),
            Err(EnvelopeError::WrongType(PROTOCOL_VERSION_KEY, _))
        ));
        let ok = parse(
            r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
                "io.modelcontextprotocol/clientCapabilities":{},
                "io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"},
                "io.modelcontextprotocol/logLevel":"info"}}"#,
        )
        .unwrap();
        assert_eq!(ok.client_info.unwrap().name, "c");
        assert_eq!(ok.log_level.as_deref(), Some("info"));
    }
}
