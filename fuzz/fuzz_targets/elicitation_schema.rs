//! The elicitation schema restriction (`convert::elicitation_schema` rewrites schemars' output
//! into the spec's restricted form) on arbitrary JSON Schemas: no panic; what it returns is in
//! the restricted form (a flat object of string, number, integer, boolean, enum and
//! multi-select properties, with only the keywords the spec allows, defaults of the right
//! kind, `required` naming properties); and restricting again changes nothing.
//!
//! An input that starts with `{` is read as JSON text (the seeds); any other builds a schema
//! from schema keywords, so that most inputs are schemas.

#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use mcp_runtime::__fuzz::restrict_elicitation_schema;
use serde_json::{Map, Value, json};

const KEYWORDS: [&str; 24] = [
    "type",
    "properties",
    "required",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "allOf",
    "items",
    "title",
    "description",
    "default",
    "format",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "enumNames",
    "$ref",
    "additionalProperties",
    "pattern",
    "uniqueItems",
];
const TYPES: [&str; 8] = [
    "string", "number", "integer", "boolean", "array", "object", "null", "x",
];
const WORDS: [&str; 8] = ["a", "b", "email", "uri", "date", "date-time", "", "é"];

fn word(u: &mut Unstructured) -> Result<String> {
    Ok(if u.ratio(1, 4)? {
        u.arbitrary::<String>()?
    } else {
        (*u.choose(&WORDS)?).to_owned()
    })
}

fn value(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let choices = if depth > 4 { 6 } else { 9 };
    Ok(match u.choose_index(choices)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.int_in_range(-3i64..=300)?),
        3 => Value::from(u.arbitrary::<f64>()?),
        4 => Value::from(*u.choose(&TYPES)?),
        5 => Value::from(word(u)?),
        6 => Value::Array(
            (0..u.int_in_range(0..=4)?)
                .map(|_| value(u, depth + 1))
                .collect::<Result<_>>()?,
        ),
        7 => Value::Array(
            (0..u.int_in_range(0..=3)?)
                .map(|_| schema(u, depth + 1))
                .collect::<Result<_>>()?,
        ),
        _ => schema(u, depth + 1)?,
    })
}

fn schema(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let mut map = Map::new();
    for _ in 0..u.int_in_range(0..=5)? {
        let keyword = *u.choose(&KEYWORDS)?;
        let v = match keyword {
            "type" if u.ratio(1, 4)? => json!([*u.choose(&TYPES)?, "null"]),
            "type" => Value::from(*u.choose(&TYPES)?),
            "properties" if depth < 4 => {
                let mut properties = Map::new();
                for _ in 0..u.int_in_range(0..=4)? {
                    properties.insert(word(u)?, schema(u, depth + 1)?);
                }
                Value::Object(properties)
            }
            "enum" | "enumNames" | "required" => Value::Array(
                (0..u.int_in_range(0..=4)?)
                    .map(|_| {
                        if u.ratio(1, 6)? {
                            value(u, depth + 1)
                        } else {
                            word(u).map(Value::from)
                        }
                    })
                    .collect::<Result<_>>()?,
            ),
            _ => value(u, depth)?,
        };
        map.insert(keyword.to_owned(), v);
    }
    Ok(Value::Object(map))
}

fn root(u: &mut Unstructured) -> Result<Value> {
    let mut root = schema(u, 1)?;
    if let (Value::Object(map), true) = (&mut root, u.ratio(3, 4)?) {
        map.insert("type".into(), "object".into());
        let mut properties = Map::new();
        for _ in 0..u.int_in_range(0..=4)? {
            properties.insert(word(u)?, schema(u, 2)?);
        }
        map.insert("properties".into(), Value::Object(properties));
    }
    Ok(root)
}

fn strings(value: Option<&Value>) -> Vec<&str> {
    let items = value.and_then(Value::as_array).expect("an array");
    items
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

fn only(map: &Map<String, Value>, allowed: &[&str]) {
    for key in map.keys() {
        assert!(
            allowed.contains(&key.as_str()),
            "keyword {key:?} in {map:?}"
        );
    }
}

/// The options of an enum property, or of a multi-select's items.
fn options(map: &Map<String, Value>, titled_key: &str) -> Vec<String> {
    if let Some(list) = map.get(titled_key) {
        let members = list.as_array().expect("titled options are an array");
        return members
            .iter()
            .map(|m| {
                let m = m.as_object().expect("a titled option is an object");
                only(m, &["const", "title"]);
                assert!(m["title"].is_string());
                m["const"].as_str().expect("a string option").to_owned()
            })
            .collect();
    }
    strings(map.get("enum"))
        .into_iter()
        .map(str::to_owned)
        .collect()
}

fn check_property(name: &str, property: &Value) {
    let p = property.as_object().expect("a property is an object");
    for key in ["title", "description"] {
        assert!(p.get(key).is_none_or(Value::is_string), "{name}: {key}");
    }
    let default = p.get("default");
    let count = |key: &str| assert!(p.get(key).is_none_or(Value::is_u64), "{name}: {key}");
    match p.get("type").and_then(Value::as_str) {
        Some("string") if p.contains_key("enum") || p.contains_key("oneOf") => {
            only(
                p,
                &[
                    "type",
                    "title",
                    "description",
                    "default",
                    "enum",
                    "enumNames",
                    "oneOf",
                ],
            );
            assert!(!(p.contains_key("enum") && p.contains_key("oneOf")));
            let values = options(p, "oneOf");
            assert!(!values.is_empty(), "{name}: an enum with no values");
            if let Some(names) = p.get("enumNames") {
                assert_eq!(strings(Some(names)).len(), values.len());
            }
            assert!(
                default.is_none_or(|d| d.as_str().is_some_and(|d| values.iter().any(|v| v == d)))
            );
        }
        Some("string") => {
            only(
                p,
                &[
                    "type",
                    "title",
                    "description",
                    "default",
                    "minLength",
                    "maxLength",
                    "format",
                ],
            );
            count("minLength");
            count("maxLength");
            let format = p
                .get("format")
                .map(|f| f.as_str().expect("a string format"));
            assert!(format.is_none_or(|f| ["email", "uri", "date", "date-time"].contains(&f)));
            assert!(default.is_none_or(Value::is_string));
        }
        Some("number" | "integer") => {
            only(
                p,
                &[
                    "type",
                    "title",
                    "description",
                    "default",
                    "minimum",
                    "maximum",
                ],
            );
            for key in ["minimum", "maximum", "default"] {
                assert!(p.get(key).is_none_or(Value::is_number), "{name}: {key}");
            }
        }
        Some("boolean") => {
            only(p, &["type", "title", "description", "default"]);
            assert!(default.is_none_or(Value::is_boolean));
        }
        Some("array") => {
            only(
                p,
                &[
                    "type",
                    "title",
                    "description",
                    "default",
                    "minItems",
                    "maxItems",
                    "items",
                ],
            );
            count("minItems");
            count("maxItems");
            let items = p["items"].as_object().expect("items");
            if items.contains_key("anyOf") {
                only(items, &["anyOf"]);
            } else {
                only(items, &["type", "enum"]);
                assert_eq!(items["type"], "string");
            }
            let values = options(items, "anyOf");
            assert!(!values.is_empty(), "{name}: a multi-select with no values");
            assert!(default.is_none_or(|d| {
                d.as_array().is_some_and(|d| {
                    d.iter()
                        .all(|d| d.as_str().is_some_and(|d| values.iter().any(|v| v == d)))
                })
            }));
        }
        other => panic!("{name}: a property of type {other:?}"),
    }
}

fn check(schema: Value) {
    let Ok(restricted) = restrict_elicitation_schema(schema.clone()) else {
        return;
    };
    only(&restricted, &["type", "properties", "required"]);
    assert_eq!(restricted["type"], "object");
    let properties = restricted["properties"].as_object().expect("properties");
    for (name, property) in properties {
        check_property(name, property);
    }
    if let Some(required) = restricted.get("required") {
        let required = strings(Some(required));
        assert!(!required.is_empty());
        assert!(
            required.iter().all(|r| properties.contains_key(*r)),
            "required {required:?}"
        );
    }
    let again = restrict_elicitation_schema(Value::Object(restricted.clone()));
    assert_eq!(
        again.as_ref(),
        Ok(&restricted),
        "restricting twice, from {schema}"
    );
}

fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'{') {
        if let Ok(schema) = serde_json::from_slice::<Value>(data) {
            check(schema);
        }
        return;
    }
    let mut u = Unstructured::new(data);
    if let Ok(schema) = root(&mut u) {
        check(schema);
    }
});
