//! The input schemas `#[tool]` generates for representative signatures, compared with the JSON
//! clients get: no `null` unions for optional arguments, integer formats and bounds, enums,
//! lists and maps, and `$defs` for named types, flat or in `Args<T>`.
#![allow(dead_code)] // The types are only described, never read.

use std::collections::{BTreeMap, HashMap};

use mcp_runtime::{Args, MCPServer, mcp_server, tool};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// A unit enum without variant docs.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Unit {
    Celsius,
    Fahrenheit,
}

/// A unit enum whose variants have docs.
#[derive(Deserialize, JsonSchema)]
enum Documented {
    /// Up.
    Up,
    /// Down.
    Down,
}

/// An enum with data.
#[derive(Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Shape {
    /// A circle.
    Circle { radius: f64 },
    /// A square.
    Square { side: f64 },
}

/// A point.
#[derive(Deserialize, JsonSchema)]
struct Point {
    x: f64,
    /// Left out: 0.
    y: Option<f64>,
}

/// A search.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Query {
    /// The text.
    #[serde(rename = "q")]
    text: String,
    max_results: Option<u16>,
    #[serde(default)]
    tags: Vec<String>,
    near: Option<Point>,
    unit: Unit,
}

struct Schemas;

#[mcp_server]
impl Schemas {
    #[tool]
    #[allow(clippy::too_many_arguments)]
    fn integers(
        &self,
        a: i8,
        b: i16,
        c: i32,
        d: i64,
        e: u8,
        f: u16,
        g: u32,
        h: u64,
        i: usize,
        j: isize,
    ) {
        let _ = (a, b, c, d, e, f, g, h, i, j);
    }

    #[tool]
    fn scalars(&self, a: f32, b: f64, c: bool, d: String, e: char) {
        let _ = (a, b, c, d, e);
    }

    #[tool]
    fn optionals(
        &self,
        plain: Option<u32>,
        named: Option<Point>,
        listed: Option<Vec<String>>,
        chosen: Option<Unit>,
        nullable: Option<Option<i32>>,
    ) {
        let _ = (plain, named, listed, chosen, nullable);
    }

    #[tool]
    fn enums(&self, unit: Unit, documented: Documented, shape: Shape) {
        let _ = (unit, documented, shape);
    }

    #[tool]
    fn collections(
        &self,
        list: Vec<u8>,
        map: HashMap<String, i64>,
        sorted: BTreeMap<String, Point>,
        points: Vec<Point>,
    ) {
        let _ = (list, map, sorted, points);
    }

    #[tool]
    fn search(&self, Args(query): Args<Query>) {
        let _ = query;
    }

    /// Left out, `null`, or a number: three different things.
    #[tool]
    fn tristate(&self, value: Option<Option<i32>>) -> String {
        format!("{value:?}")
    }
}

fn input_schema(name: &str) -> Value {
    let tool = Schemas.tools().into_iter().find(|tool| tool.name == name);
    Value::Object(
        tool.unwrap_or_else(|| panic!("no tool {name}"))
            .input_schema,
    )
}

/// Where `null` appears in `schema` (as a type, or a `null` schema): the paths.
fn nulls(schema: &Value, path: &str, found: &mut Vec<String>) {
    match schema {
        Value::String(s) if s == "null" => found.push(path.to_owned()),
        Value::Null => found.push(path.to_owned()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nulls(item, &format!("{path}/{i}"), found);
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                nulls(value, &format!("{path}/{key}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn only_option_option_is_nullable() {
    let mut found = Vec::new();
    for tool in Schemas.tools() {
        nulls(&Value::Object(tool.input_schema), &tool.name, &mut found);
    }
    assert_eq!(
        found,
        [
            "optionals/properties/nullable/type/1",
            "tristate/properties/value/type/1"
        ]
    );
}

/// The definition of `Point` wherever it is used: its optional field is not nullable.
fn point() -> Value {
    json!({
        "type": "object",
        "properties": {
            "x": { "type": "number", "format": "double" },
            "y": { "type": "number", "format": "double", "description": "Left out: 0." },
        },
        "required": ["x"],
        "description": "A point.",
    })
}

fn unit() -> Value {
    json!({
        "type": "string",
        "enum": ["celsius", "fahrenheit"],
        "description": "A unit enum without variant docs.",
    })
}

#[test]
fn integers_have_their_format_and_bounds() {
    assert_eq!(
        input_schema("integers"),
        json!({
            "type": "object",
            "properties": {
                "a": { "type": "integer", "format": "int8", "minimum": -128, "maximum": 127 },
                "b": { "type": "integer", "format": "int16", "minimum": -32768, "maximum": 32767 },
                "c": { "type": "integer", "format": "int32" },
                "d": { "type": "integer", "format": "int64" },
                "e": { "type": "integer", "format": "uint8", "minimum": 0, "maximum": 255 },
                "f": { "type": "integer", "format": "uint16", "minimum": 0, "maximum": 65535 },
                "g": { "type": "integer", "format": "uint32", "minimum": 0 },
                "h": { "type": "integer", "format": "uint64", "minimum": 0 },
                "i": { "type": "integer", "format": "uint", "minimum": 0 },
                "j": { "type": "integer", "format": "int" },
            },
            "required": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"],
            "additionalProperties": false,
        })
    );
}

#[test]
fn scalars() {
    assert_eq!(
        input_schema("scalars"),
        json!({
            "type": "object",
            "properties": {
                "a": { "type": "number", "format": "float" },
                "b": { "type": "number", "format": "double" },
                "c": { "type": "boolean" },
                "d": { "type": "string" },
                "e": { "type": "string", "minLength": 1, "maxLength": 1 },
            },
            "required": ["a", "b", "c", "d", "e"],
            "additionalProperties": false,
        })
    );
}

/// `Option<T>` is `T`, not required; `Option<Option<T>>` asks for `null` too.
#[test]
fn optional_arguments_are_not_required_and_not_nullable() {
    assert_eq!(
        input_schema("optionals"),
        json!({
            "type": "object",
            "properties": {
                "plain": { "type": "integer", "format": "uint32", "minimum": 0 },
                "named": { "$ref": "#/$defs/Point" },
                "listed": { "type": "array", "items": { "type": "string" } },
                "chosen": { "$ref": "#/$defs/Unit" },
                "nullable": { "type": ["integer", "null"], "format": "int32" },
            },
            "additionalProperties": false,
            "$defs": { "Point": point(), "Unit": unit() },
        })
    );
}

/// Unit enums are string enums (`oneOf` of `const`s when the variants have docs, so the model
/// sees them); other enums follow their serde representation.
#[test]
fn enums_are_defined_once_and_referenced() {
    assert_eq!(
        input_schema("enums"),
        json!({
            "type": "object",
            "properties": {
                "unit": { "$ref": "#/$defs/Unit" },
                "documented": { "$ref": "#/$defs/Documented" },
                "shape": { "$ref": "#/$defs/Shape" },
            },
            "required": ["unit", "documented", "shape"],
            "additionalProperties": false,
            "$defs": {
                "Unit": unit(),
                "Documented": {
                    "oneOf": [
                        { "type": "string", "const": "Up", "description": "Up." },
                        { "type": "string", "const": "Down", "description": "Down." },
                    ],
                    "description": "A unit enum whose variants have docs.",
                },
                "Shape": {
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {
                                "kind": { "type": "string", "const": "circle" },
                                "radius": { "type": "number", "format": "double" },
                            },
                            "required": ["kind", "radius"],
                            "description": "A circle.",
                        },
                        {
                            "type": "object",
                            "properties": {
                                "kind": { "type": "string", "const": "square" },
                                "side": { "type": "number", "format": "double" },
                            },
                            "required": ["kind", "side"],
                            "description": "A square.",
                        },
                    ],
                    "description": "An enum with data.",
                },
            },
        })
    );
}

#[test]
fn lists_and_maps() {
    assert_eq!(
        input_schema("collections"),
        json!({
            "type": "object",
            "properties": {
                "list": {
                    "type": "array",
                    "items": { "type": "integer", "format": "uint8", "minimum": 0, "maximum": 255 },
                },
                "map": {
                    "type": "object",
                    "additionalProperties": { "type": "integer", "format": "int64" },
                },
                "sorted": {
                    "type": "object",
                    "additionalProperties": { "$ref": "#/$defs/Point" },
                },
                "points": { "type": "array", "items": { "$ref": "#/$defs/Point" } },
            },
            "required": ["list", "map", "sorted", "points"],
            "additionalProperties": false,
            "$defs": { "Point": point() },
        })
    );
}

/// `Args<T>`: `T`'s own schema, serde renames applied, nested types in its `$defs`, optional
/// fields not nullable.
#[test]
fn args_struct_keeps_its_defs_and_renames() {
    assert_eq!(
        input_schema("search"),
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "description": "A search.",
            "type": "object",
            "properties": {
                "q": { "type": "string", "description": "The text." },
                "maxResults": {
                    "type": "integer",
                    "format": "uint16",
                    "minimum": 0,
                    "maximum": 65535,
                },
                "tags": { "type": "array", "items": { "type": "string" }, "default": [] },
                "near": { "$ref": "#/$defs/Point" },
                "unit": { "$ref": "#/$defs/Unit" },
            },
            "required": ["q", "unit"],
            "$defs": { "Point": point(), "Unit": unit() },
        })
    );
}

/// What the schemas promise is what the parser accepts: left out or `null` is `None`.
#[tokio::test]
async fn optional_arguments_may_be_left_out_or_null() {
    let call = |arguments: Value| {
        Schemas
            .call_tool(
                "optionals",
                arguments.as_object().cloned().into(),
                mcp_runtime::Context::detached(),
            )
            .expect("a tool")
    };
    for arguments in [
        json!({}),
        json!({ "plain": null, "named": null, "listed": null, "chosen": null, "nullable": null }),
        json!({ "plain": 1, "named": { "x": 1.0 }, "listed": ["a"], "chosen": "celsius", "nullable": 2 }),
    ] {
        let result = call(arguments.clone()).await;
        assert_eq!(result.is_error, None, "{arguments}: {result:?}");
    }
    let result = call(json!({ "named": { "y": 1.0 } })).await;
    assert_eq!(result.is_error, Some(true));
}

#[tokio::test]
async fn option_option_tells_null_from_left_out() {
    let call = |arguments: Value| {
        Schemas
            .call_tool(
                "tristate",
                arguments.as_object().cloned().into(),
                mcp_runtime::Context::detached(),
            )
            .expect("a tool")
    };
    let text =
        |result: mcp_runtime::CallToolResult| result.content[0].as_text().unwrap().to_owned();
    assert_eq!(text(call(json!({})).await), "None");
    assert_eq!(text(call(json!({ "value": null })).await), "Some(None)");
    assert_eq!(text(call(json!({ "value": 3 })).await), "Some(Some(3))");
}
