//! The JSON Schema of a tool's arguments (`inputSchema`), built from the parameters' types.
//!
//! Schemas follow JSON Schema 2020-12, as schemars writes them, with one change: a property
//! that may be left out (an `Option<T>` parameter or struct field) is not also nullable.
//! Strict clients reject `"type": ["integer", "null"]`, and leaving the argument out already
//! says "none". Nullability stays where the user asks for it: `Option<Option<T>>`
//! parameters, required fields, and items of lists.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

use crate::handler::arguments::{ArgumentType, StructArgument, generator};

/// One flat parameter as the input schema describes it, made by [`param_schema`] in the
/// constant the macro writes for [`input_schema`].
pub struct ParamSchema {
    name: &'static str,
    subschema: fn(&mut SchemaGenerator) -> Schema,
    required: bool,
    description: Option<&'static str>,
}

/// The parameter `name` of type `T` (for `x: Option<T>`, an optional `T`), with its
/// description if it has one.
pub const fn param_schema<T>(
    name: &'static str,
    ty: ArgumentType<T>,
    required: bool,
    description: Option<&'static str>,
) -> ParamSchema {
    ParamSchema {
        name,
        subschema: ty.subschema(),
        required,
        description,
    }
}

/// The JSON Schema of a tool's flat parameters: an object of them, no others allowed. Not
/// generic, and given the parameters as a constant: compiled once, here, not per tool.
pub fn input_schema(params: &[ParamSchema]) -> Map<String, Value> {
    let mut generator = generator();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for param in params {
        let mut schema = (param.subschema)(&mut generator).to_value();
        strip_optional_nulls(&mut schema);
        if let (Value::Object(schema), Some(description)) = (&mut schema, param.description) {
            schema.insert("description".into(), Value::String(description.into()));
        }
        properties.insert(param.name.into(), schema);
        if param.required {
            required.push(Value::String(param.name.into()));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), Value::String("object".into()));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), Value::Bool(false));
    let mut defs = generator.take_definitions(true);
    if !defs.is_empty() {
        defs.values_mut().for_each(strip_optional_nulls);
        schema.insert("$defs".into(), Value::Object(defs));
    }
    schema
}

/// The schema of a tool whose arguments are one struct `T` (`Args<T>`): the struct's own
/// schema, with its `$schema` and `$defs` (SEP-1613), without the title schemars makes up
/// from the type's name.
pub fn struct_input_schema<T>(ty: StructArgument<T>) -> Map<String, Value> {
    ty.schema()
}

/// [`struct_input_schema`] of `T`.
pub(crate) fn struct_schema<T: JsonSchema>() -> Map<String, Value> {
    let schema = generator().into_root_schema_for::<T>().to_value();
    root_schema(schema, &T::schema_name())
}

/// [`struct_schema`]'s work past schemars', not generic: `schema` is the root schema of the
/// type named `name`.
fn root_schema(mut schema: Value, name: &str) -> Map<String, Value> {
    strip_optional_nulls(&mut schema);
    match schema {
        Value::Object(mut map) => {
            if map.get("title").and_then(Value::as_str) == Some(name) {
                map.shift_remove("title");
            }
            map
        }
        other => {
            // `true` / `false` schemas: wrapped, so that clients see an object.
            let mut map = Map::new();
            map.insert("type".into(), Value::String("object".into()));
            map.insert("allOf".into(), Value::Array(vec![other]));
            map
        }
    }
}

/// Makes the properties of every object schema in `schema` that are not required
/// non-nullable (see the module's documentation).
fn strip_optional_nulls(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    let required: Vec<Value> = match map.get("required") {
        Some(Value::Array(required)) => required.clone(),
        _ => Vec::new(),
    };
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            if !required.iter().any(|r| r.as_str() == Some(name)) {
                remove_null(property);
            }
        }
    }
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties" | "$defs" | "patternProperties", Value::Object(schemas)) => {
                schemas.values_mut().for_each(strip_optional_nulls);
            }
            ("anyOf" | "oneOf" | "allOf" | "prefixItems", Value::Array(schemas)) => {
                schemas.iter_mut().for_each(strip_optional_nulls);
            }
            (
                "items"
                | "additionalProperties"
                | "unevaluatedProperties"
                | "contains"
                | "not"
                | "if"
                | "then"
                | "else",
                value,
            ) => strip_optional_nulls(value),
            _ => {}
        }
    }
}

/// The schema without its `null` alternative, as schemars adds it for `Option<T>`:
/// `"type": [T, "null"]`, `"anyOf": [T, {"type": "null"}]`, `null` in an `enum`, and the
/// `"default": null` of `#[serde(default)]`.
fn remove_null(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    if let Some(Value::Array(types)) = map.get_mut("type") {
        if types.len() > 1 {
            types.retain(|t| t != "null");
            if let [single] = &types[..] {
                let single = single.clone();
                map.insert("type".into(), single);
            }
        }
    }
    if let Some(Value::Array(alternatives)) = map.get("anyOf") {
        let is_null = |s: &Value| s.get("type").and_then(Value::as_str) == Some("null");
        if let [a, b] = &alternatives[..] {
            let other = match (is_null(a), is_null(b)) {
                (false, true) => Some(a.clone()),
                (true, false) => Some(b.clone()),
                _ => None,
            };
            if let Some(Value::Object(other)) = other {
                map.shift_remove("anyOf");
                for (key, value) in other {
                    map.entry(key).or_insert(value);
                }
            }
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        if values.len() > 1 {
            values.retain(|v| !v.is_null());
        }
    }
    if map.get("default") == Some(&Value::Null) {
        map.shift_remove("default");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn optional_properties_are_not_nullable() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "a": {"type": ["integer", "null"], "default": null},
                "b": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "null"}], "description": "B."},
                "c": {"type": ["string", "null"], "enum": ["x", "y", null]},
                "kept": {"type": ["integer", "null"]},
                "list": {"type": "array", "items": {"type": ["integer", "null"]}},
            },
            "required": ["kept", "list"],
            "$defs": {
                "B": {
                    "type": "object",
                    "properties": {"inner": {"type": ["boolean", "null"]}},
                },
            },
        });
        strip_optional_nulls(&mut schema);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": "integer"},
                    "b": {"$ref": "#/$defs/B", "description": "B."},
                    "c": {"type": "string", "enum": ["x", "y"]},
                    "kept": {"type": ["integer", "null"]},
                    "list": {"type": "array", "items": {"type": ["integer", "null"]}},
                },
                "required": ["kept", "list"],
                "$defs": {
                    "B": {"type": "object", "properties": {"inner": {"type": "boolean"}}},
                },
            })
        );
    }
}
