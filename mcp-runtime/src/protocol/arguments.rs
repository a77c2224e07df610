//! [`ToolArguments`]: a call's arguments kept as the JSON text the client sent.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The arguments of a `tools/call` as the client sent them: a JSON object, or nothing.
///
/// Kept as raw JSON text: the generated `call_tool` reads each parameter straight from it,
/// with no intermediate [`Map`] of [`Value`]s.
///
/// ```
/// use mcp_runtime::ToolArguments;
/// let args = ToolArguments::from(serde_json::json!({"a": 1}).as_object().cloned());
/// assert_eq!(args.raw().map(|r| r.get()), Some(r#"{"a":1}"#));
/// assert_eq!(args.to_map()["a"], 1);
/// assert!(ToolArguments::none().raw().is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ToolArguments(Option<Box<RawValue>>);

/// Raw JSON that is not an object cannot be tool arguments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tool arguments must be a JSON object, got {0}")]
pub struct NotAnObject(&'static str);

impl ToolArguments {
    /// No arguments (the client sent none).
    pub fn none() -> Self {
        ToolArguments(None)
    }

    /// Arguments from raw JSON, which must be an object (`null` reads as none).
    ///
    /// ```
    /// use mcp_runtime::ToolArguments;
    /// use serde_json::value::RawValue;
    /// let raw = RawValue::from_string("[1]".into()).unwrap();
    /// assert!(ToolArguments::from_raw(raw).is_err());
    /// ```
    pub fn from_raw(raw: Box<RawValue>) -> Result<Self, NotAnObject> {
        match kind(raw.get()) {
            "an object" => Ok(ToolArguments(Some(raw))),
            "null" => Ok(ToolArguments(None)),
            other => Err(NotAnObject(other)),
        }
    }

    /// The JSON text of the arguments object, if any.
    pub fn raw(&self) -> Option<&RawValue> {
        self.0.as_deref()
    }

    /// The arguments as a map (empty when there are none).
    pub fn to_map(&self) -> Map<String, Value> {
        self.raw()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or_default()
    }
}

impl From<Map<String, Value>> for ToolArguments {
    fn from(map: Map<String, Value>) -> Self {
        // A map of JSON values always serializes.
        ToolArguments(serde_json::value::to_raw_value(&map).ok())
    }
}

impl From<Option<Map<String, Value>>> for ToolArguments {
    fn from(map: Option<Map<String, Value>>) -> Self {
        map.map(Self::from).unwrap_or_default()
    }
}

impl Serialize for ToolArguments {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ToolArguments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Option::<Box<RawValue>>::deserialize(deserializer)? {
            None => Ok(ToolArguments(None)),
            Some(raw) => Self::from_raw(raw).map_err(de::Error::custom),
        }
    }
}

/// What kind of JSON value `text` (valid JSON) is, for error messages.
fn kind(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_objects_are_arguments() {
        let raw = |s: &str| RawValue::from_string(s.to_owned()).unwrap();
        assert!(ToolArguments::from_raw(raw("{}")).is_ok());
        assert!(
            ToolArguments::from_raw(raw("null"))
                .unwrap()
                .raw()
                .is_none()
        );
        let error = ToolArguments::from_raw(raw("5")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "tool arguments must be a JSON object, got a number"
        );
        let parsed: Result<ToolArguments, _> = serde_json::from_str(r#""x""#);
        assert!(parsed.unwrap_err().to_string().contains("got a string"));
    }
}
