//! The notifications a test client receives, typed for assertions.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::protocol::LogLevel;

/// A notification the server sent the test client.
///
/// ```
/// use mcp_runtime::testing::{Progress, ServerNotification};
///
/// let n = ServerNotification::Progress(Progress { progress: 1.0, total: Some(2.0), message: None });
/// assert!(matches!(n, ServerNotification::Progress(p) if p.total == Some(2.0)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerNotification {
    /// `notifications/progress` of a call (the client sends a progress token with every
    /// `tools/call`, `resources/read` and `prompts/get`).
    Progress(Progress),
    /// `notifications/message`: a log message.
    Log(LogMessage),
    /// `notifications/resources/updated`, for a resource the client subscribed to.
    ResourceUpdated {
        /// The resource that changed.
        uri: String,
    },
    /// `notifications/tools/list_changed`.
    ToolListChanged,
    /// `notifications/resources/list_changed`.
    ResourceListChanged,
    /// `notifications/prompts/list_changed`.
    PromptListChanged,
    /// Any other notification, as sent.
    Other {
        /// Its method.
        method: String,
        /// Its params.
        params: Option<Value>,
    },
}

/// The params of a `notifications/progress`, without the token (the client's own).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Progress {
    /// How far along (increases with each notification).
    pub progress: f64,
    /// The total, when known.
    #[serde(default)]
    pub total: Option<f64>,
    /// What is happening.
    #[serde(default)]
    pub message: Option<String>,
}

/// The params of a `notifications/message`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogMessage {
    /// The severity.
    pub level: LogLevel,
    /// Who logged it, if the server said.
    pub logger: Option<String>,
    /// What was logged (any JSON; a string for `ctx.info("...")` and friends).
    pub data: Value,
}

/// Why the server's notification could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the server sent a malformed {method}: {reason}")]
pub(super) struct Malformed {
    method: String,
    reason: String,
}

impl ServerNotification {
    /// Reads a notification from its method and raw params.
    pub(super) fn parse(method: &str, params: Option<&RawValue>) -> Result<Self, Malformed> {
        let text = params.map_or("{}", RawValue::get);
        let malformed = |reason: String| Malformed {
            method: method.to_owned(),
            reason,
        };
        Ok(match method {
            "notifications/progress" => ServerNotification::Progress(
                serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?,
            ),
            "notifications/message" => {
                #[derive(Deserialize)]
                struct Wire {
                    level: String,
                    #[serde(default)]
                    logger: Option<String>,
                    data: Value,
                }
                let wire: Wire =
                    serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
                let level = LogLevel::parse(&wire.level)
                    .ok_or_else(|| malformed(format!("unknown log level {:?}", wire.level)))?;
                ServerNotification::Log(LogMessage {
                    level,
                    logger: wire.logger,
                    data: wire.data,
                })
            }
            "notifications/resources/updated" => {
                #[derive(Deserialize)]
                struct Wire {
                    uri: String,
                }
                let Wire { uri } =
                    serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
                ServerNotification::ResourceUpdated { uri }
            }
            "notifications/tools/list_changed" => ServerNotification::ToolListChanged,
            "notifications/resources/list_changed" => ServerNotification::ResourceListChanged,
            "notifications/prompts/list_changed" => ServerNotification::PromptListChanged,
            other => ServerNotification::Other {
                method: other.to_owned(),
                params: params
                    .map(|p| serde_json::from_str(p.get()))
                    .transpose()
                    .map_err(|e| malformed(e.to_string()))?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(method: &str, params: &str) -> Result<ServerNotification, Malformed> {
        let raw = RawValue::from_string(params.to_owned()).unwrap();
        ServerNotification::parse(method, Some(&raw))
    }

    #[test]
    fn known_notifications_are_typed() {
        assert_eq!(
            parse(
                "notifications/progress",
                r#"{"progressToken":"t","progress":2,"total":4,"message":"half"}"#
            )
            .unwrap(),
            ServerNotification::Progress(Progress {
                progress: 2.0,
                total: Some(4.0),
                message: Some("half".into())
            })
        );
        assert_eq!(
            parse(
                "notifications/message",
                r#"{"level":"warning","logger":"db","data":{"slow":true}}"#
            )
            .unwrap(),
            ServerNotification::Log(LogMessage {
                level: LogLevel::Warning,
                logger: Some("db".into()),
                data: serde_json::json!({"slow": true}),
            })
        );
        assert_eq!(
            ServerNotification::parse("notifications/tools/list_changed", None).unwrap(),
            ServerNotification::ToolListChanged
        );
    }

    #[test]
    fn malformed_params_are_named() {
        let error = parse("notifications/message", r#"{"level":"loud","data":1}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the server sent a malformed notifications/message: unknown log level \"loud\""
        );
        assert!(parse("notifications/progress", r#"{"total":1}"#).is_err());
    }
}
