//! Structured tool output: [`Json`], and the `outputSchema` that goes with it.
//!
//! The spec wants `structuredContent` to be a JSON object, described by an `outputSchema`
//! whose root is `"type": "object"`. A type whose schema is not an object (a number, a list,
//! an enum, an `Option`) is wrapped: schema `{"type":"object","properties":{"result":...}}`
//! and content `{"result": value}`.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::handler::tool::IntoToolResult;
use crate::protocol::CallToolResult;
use crate::recover::{read, write};

/// A tool result returned as structured content: the tool gets an `outputSchema` generated
/// from `T`, and each call returns `structuredContent` plus the same JSON as text.
///
/// `T` is any owned (`'static`) `Serialize + JsonSchema` type. When its schema is not an
/// object, the value is wrapped as `{"result": value}` (in the schema too), since the spec
/// wants an object.
/// `#[tool(structured)]` does the same for a tool that returns `T` itself.
///
/// ```
/// use mcp_runtime::{mcp_server, tool, Json, MCPServer};
/// use schemars::JsonSchema;
/// use serde::Serialize;
///
/// #[derive(Serialize, JsonSchema)]
/// struct Sum {
///     total: f64,
/// }
///
/// struct Calculator;
///
/// #[mcp_server]
/// impl Calculator {
///     /// Add two numbers.
///     #[tool]
///     fn add(&self, a: f64, b: f64) -> Json<Sum> {
///         Json(Sum { total: a + b })
///     }
/// }
///
/// let schema = Calculator.tools()[0].output_schema.clone().unwrap();
/// assert_eq!(schema["properties"]["total"]["type"], "number");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

/// What a structured tool may return: a `Serialize + JsonSchema` type (implemented for all).
///
/// ```
/// fn structured<T: mcp_runtime::convert::StructuredOutput>() {}
/// structured::<Vec<u32>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a tool's structured output",
    label = "not `Serialize + JsonSchema`",
    note = "derive `serde::Serialize` and `schemars::JsonSchema` for it"
)]
pub trait StructuredOutput: Serialize + JsonSchema + 'static {}
// Not recommended through: the error names `StructuredOutput` and its note.
#[diagnostic::do_not_recommend]
impl<T: Serialize + JsonSchema + 'static> StructuredOutput for T {}

/// `Json<T>` serializes as `T`.
impl<T: Serialize> Serialize for Json<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T: StructuredOutput> IntoToolResult for Json<T> {
    fn into_tool_result(self) -> CallToolResult {
        structured_result(self.0)
    }
}

/// The `outputSchema` of a tool returning `T` (or `Json<T>`): `T`'s JSON Schema (2020-12),
/// wrapped in `{"result": ...}` unless it describes an object.
///
/// ```
/// let schema = mcp_runtime::convert::output_schema::<Vec<u32>>();
/// assert_eq!(schema["type"], "object");
/// assert_eq!(schema["properties"]["result"]["type"], "array");
/// assert_eq!(schema["required"], serde_json::json!(["result"]));
/// ```
pub fn output_schema<T: StructuredOutput>() -> Map<String, Value> {
    let (mut schema, object) = root_schema::<T>();
    remember(TypeId::of::<T>(), object);
    if object {
        return schema;
    }
    let defs = schema.remove("$defs");
    let mut properties = Map::new();
    properties.insert("result".into(), Value::Object(schema));
    let mut wrapper = Map::new();
    wrapper.insert("type".into(), "object".into());
    wrapper.insert("properties".into(), Value::Object(properties));
    wrapper.insert("required".into(), Value::Array(vec!["result".into()]));
    if let Some(defs) = defs {
        wrapper.insert("$defs".into(), defs);
    }
    wrapper
}

/// The result of a structured tool that returned `value`: `structuredContent` (wrapped as
/// [`output_schema`] says) and its JSON text.
pub fn structured_result<T: StructuredOutput>(value: T) -> CallToolResult {
    let json = match serde_json::to_value(&value) {
        Ok(json) => json,
        Err(e) => {
            return CallToolResult::error(format!(
                "the tool's result could not be serialized: {e}"
            ));
        }
    };
    if is_object::<T>() {
        CallToolResult::structured(json)
    } else {
        let mut wrapper = Map::new();
        wrapper.insert("result".into(), json);
        CallToolResult::structured(Value::Object(wrapper))
    }
}

/// `T`'s root schema without `$schema` and the generated title, and whether it is an object.
fn root_schema<T: JsonSchema>() -> (Map<String, Value>, bool) {
    let schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut map = match schema.to_value() {
        Value::Object(map) => map,
        // `true` / `false` schemas: anything / nothing.
        other => {
            let mut map = Map::new();
            if other == Value::Bool(false) {
                map.insert("not".into(), Value::Object(Map::new()));
            }
            map
        }
    };
    map.remove("$schema");
    if map.get("title").and_then(Value::as_str) == Some(&T::schema_name()) {
        map.remove("title");
    }
    let object = map.get("type").and_then(Value::as_str) == Some("object");
    (map, object)
}

/// Whether `T` is sent unwrapped; computed once per type, as schemas are.
fn is_object<T: StructuredOutput>() -> bool {
    let id = TypeId::of::<T>();
    let known = read(cache()).get(&id).copied();
    known.unwrap_or_else(|| {
        let object = root_schema::<T>().1;
        remember(id, object);
        object
    })
}

fn cache() -> &'static RwLock<HashMap<TypeId, bool>> {
    static CACHE: OnceLock<RwLock<HashMap<TypeId, bool>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn remember(id: TypeId, object: bool) {
    write(cache()).insert(id, object);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Serialize, JsonSchema)]
    struct Point {
        x: i32,
        y: i32,
    }

    #[derive(Serialize, JsonSchema)]
    #[allow(dead_code)]
    enum Shape {
        Dot(Point),
        Empty,
    }

    #[test]
    fn objects_are_sent_as_they_are() {
        assert_eq!(
            Value::Object(output_schema::<Point>()),
            json!({
                "type": "object",
                "properties": {
                    "x": {"type": "integer", "format": "int32"},
                    "y": {"type": "integer", "format": "int32"},
                },
                "required": ["x", "y"],
            })
        );
        let result = Json(Point { x: 1, y: 2 }).into_tool_result();
        assert_eq!(
            serde_json::to_value(result).unwrap(),
            json!({
                "content": [{"type": "text", "text": r#"{"x":1,"y":2}"#}],
                "structuredContent": {"x": 1, "y": 2},
            })
        );
    }

    #[test]
    fn other_values_are_wrapped_with_their_defs() {
        assert_eq!(
            Value::Object(output_schema::<Vec<Shape>>()),
            json!({
                "type": "object",
                "properties": {
                    "result": {"type": "array", "items": {"$ref": "#/$defs/Shape"}},
                },
                "required": ["result"],
                "$defs": {
                    "Point": output_schema::<Point>(),
                    "Shape": {
                        "oneOf": [
                            {"type": "string", "enum": ["Empty"]},
                            {
                                "type": "object",
                                "properties": {"Dot": {"$ref": "#/$defs/Point"}},
                                "additionalProperties": false,
                                "required": ["Dot"],
                            },
                        ],
                    },
                },
            })
        );
        let result = structured_result(vec![Shape::Empty]);
        assert_eq!(
            serde_json::to_value(result).unwrap(),
            json!({
                "content": [{"type": "text", "text": r#"{"result":["Empty"]}"#}],
                "structuredContent": {"result": ["Empty"]},
            })
        );
        // Without the schema asked for first, the cache is filled on the first call.
        let result = structured_result(7u8);
        assert_eq!(result.structured_content, Some(json!({"result": 7})));
    }
}
