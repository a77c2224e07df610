//! Multi round-trip requests (2026-07-28): `InputRequiredResult` and the client's retry.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// A request the server needs the client to fulfil before it can finish: an
/// `elicitation/create`, `sampling/createMessage` or `roots/list`, as `{method, params}`.
///
/// ```
/// use mcp_runtime::protocol::InputRequest;
/// let r = InputRequest::new("roots/list", serde_json::json!({}));
/// assert_eq!(serde_json::to_value(&r).unwrap()["method"], "roots/list");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRequest {
    /// The method the client would have been asked in the handshake era.
    pub method: String,
    /// Its params.
    pub params: Value,
}

impl InputRequest {
    /// A request for `method` with `params`.
    pub fn new(method: impl Into<String>, params: Value) -> Self {
        InputRequest {
            method: method.into(),
            params,
        }
    }
}

/// The interim result that asks the client for input: `resultType: "input_required"`, the
/// requests keyed by server-chosen ids, and the opaque state to echo back.
///
/// ```
/// use mcp_runtime::protocol::{InputRequest, InputRequiredResult};
/// let mut result = InputRequiredResult::new("state".into());
/// result.input_requests.insert("r0".into(), InputRequest::new("roots/list", serde_json::json!({})));
/// let json = serde_json::to_value(&result).unwrap();
/// assert_eq!(json["resultType"], "input_required");
/// assert_eq!(json["requestState"], "state");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputRequiredResult {
    /// Always `"input_required"`.
    pub result_type: &'static str,
    /// What the server needs, by key.
    pub input_requests: BTreeMap<String, InputRequest>,
    /// Opaque state the client echoes on its retry.
    pub request_state: String,
}

impl InputRequiredResult {
    /// A result with no requests yet and this state.
    pub fn new(request_state: String) -> Self {
        InputRequiredResult {
            result_type: "input_required",
            input_requests: BTreeMap::new(),
            request_state,
        }
    }
}

/// The retry fields a client adds to the original params: `inputResponses` and
/// `requestState`. A field present with `null` reads as `Some(Value::Null)`.
///
/// ```
/// use mcp_runtime::protocol::InputRetry;
/// let retry: InputRetry = serde_json::from_str(r#"{"name":"t","inputResponses":null}"#).unwrap();
/// assert_eq!(retry.input_responses, Some(serde_json::Value::Null));
/// assert_eq!(retry.request_state, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputRetry {
    /// The client's answers, by the keys of the previous `inputRequests`.
    #[serde(default, deserialize_with = "present")]
    pub input_responses: Option<Value>,
    /// The state the server sent with its last `InputRequiredResult`.
    #[serde(default, deserialize_with = "present")]
    pub request_state: Option<Value>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}
