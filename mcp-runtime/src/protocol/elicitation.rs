//! `elicitation/create`: the server asks the user, through the client, for input.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Form-mode `elicitation/create` params: a message and the flat schema of the form.
///
/// `mode` is left out on the wire: `form` is its default, and clients before 2025-11-25
/// do not know the field.
///
/// ```
/// use mcp_runtime::protocol::ElicitFormParams;
/// let schema = serde_json::json!({"type": "object", "properties": {"name": {"type": "string"}}});
/// let params = ElicitFormParams::new("Who are you?", schema.as_object().cloned().unwrap_or_default());
/// assert_eq!(serde_json::to_value(&params).unwrap()["requestedSchema"], schema);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitFormParams {
    /// What is asked, shown to the user.
    pub message: String,
    /// The form: `{"type":"object","properties":{...},"required":[...]}` with flat
    /// primitive properties.
    pub requested_schema: Map<String, Value>,
}

impl ElicitFormParams {
    /// Params from a message and a schema.
    ///
    /// ```
    /// let params = mcp_runtime::protocol::ElicitFormParams::new("Confirm?", Default::default());
    /// assert_eq!(params.message, "Confirm?");
    /// ```
    pub fn new(message: impl Into<String>, requested_schema: Map<String, Value>) -> Self {
        ElicitFormParams {
            message: message.into(),
            requested_schema,
        }
    }
}

/// URL-mode `elicitation/create` params: the user completes the interaction out of band,
/// in a browser, and the data never passes through the client.
///
/// ```
/// use mcp_runtime::protocol::ElicitUrlParams;
/// let params = ElicitUrlParams::new("Sign in", "https://example.com/login", "e-1");
/// assert_eq!(
///     serde_json::to_value(&params).unwrap(),
///     serde_json::json!({
///         "mode": "url",
///         "message": "Sign in",
///         "url": "https://example.com/login",
///         "elicitationId": "e-1"
///     })
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename = "url", rename_all = "camelCase")]
pub struct ElicitUrlParams {
    /// Why the user should go there, shown to the user.
    pub message: String,
    /// Where the user should go.
    pub url: String,
    /// Identifies the elicitation (unique within the server; opaque to the client).
    pub elicitation_id: String,
}

impl ElicitUrlParams {
    /// Params from a message, a URL and an elicitation id.
    ///
    /// ```
    /// let p = mcp_runtime::protocol::ElicitUrlParams::new("Pay", "https://example.com/pay", "p-7");
    /// assert_eq!(p.elicitation_id, "p-7");
    /// ```
    pub fn new(
        message: impl Into<String>,
        url: impl Into<String>,
        elicitation_id: impl Into<String>,
    ) -> Self {
        ElicitUrlParams {
            message: message.into(),
            url: url.into(),
            elicitation_id: elicitation_id.into(),
        }
    }
}

/// What the user did with an elicitation.
///
/// ```
/// use mcp_runtime::protocol::ElicitAction;
/// assert_eq!(serde_json::to_value(ElicitAction::Decline).unwrap(), "decline");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitAction {
    /// The user submitted the form or agreed to the interaction.
    Accept,
    /// The user explicitly refused.
    Decline,
    /// The user dismissed the request without choosing.
    Cancel,
}

/// The client's answer to `elicitation/create`.
///
/// ```
/// use mcp_runtime::protocol::{ElicitAction, ElicitResult};
/// let r: ElicitResult =
///     serde_json::from_str(r#"{"action":"accept","content":{"name":"Ada"}}"#).unwrap();
/// assert_eq!(r.action, ElicitAction::Accept);
/// assert_eq!(r.content.unwrap()["name"], "Ada");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElicitResult {
    /// What the user did.
    pub action: ElicitAction,
    /// The submitted values (form mode, `accept` only): strings, numbers, booleans and
    /// arrays of strings, keyed by property name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Map<String, Value>>,
}

impl ElicitResult {
    /// The user submitted the form with these values.
    ///
    /// ```
    /// use mcp_runtime::protocol::{ElicitAction, ElicitResult};
    /// let values = serde_json::json!({"name": "Ada"});
    /// let r = ElicitResult::accept(values.as_object().cloned().unwrap_or_default());
    /// assert_eq!(r.action, ElicitAction::Accept);
    /// assert_eq!(r.content.unwrap()["name"], "Ada");
    /// ```
    pub fn accept(content: Map<String, Value>) -> Self {
        ElicitResult {
            action: ElicitAction::Accept,
            content: Some(content),
        }
    }

    /// The user agreed to a URL-mode interaction, or accepted with no values.
    ///
    /// ```
    /// let r = mcp_runtime::protocol::ElicitResult::accepted();
    /// assert_eq!(serde_json::to_value(&r).unwrap(), serde_json::json!({"action": "accept"}));
    /// ```
    pub fn accepted() -> Self {
        ElicitResult {
            action: ElicitAction::Accept,
            content: None,
        }
    }

    /// The user explicitly refused.
    ///
    /// ```
    /// let r = mcp_runtime::protocol::ElicitResult::decline();
    /// assert_eq!(serde_json::to_value(&r).unwrap(), serde_json::json!({"action": "decline"}));
    /// ```
    pub fn decline() -> Self {
        ElicitResult {
            action: ElicitAction::Decline,
            content: None,
        }
    }

    /// The user dismissed the request without choosing.
    ///
    /// ```
    /// let r = mcp_runtime::protocol::ElicitResult::cancel();
    /// assert_eq!(r.action, mcp_runtime::protocol::ElicitAction::Cancel);
    /// ```
    pub fn cancel() -> Self {
        ElicitResult {
            action: ElicitAction::Cancel,
            content: None,
        }
    }
}
