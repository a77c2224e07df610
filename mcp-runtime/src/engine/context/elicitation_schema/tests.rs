//! Whole-schema comparisons: what schemars gives for common field types, restricted.

#![allow(dead_code)] // the structs exist for their schemas

use std::collections::{BTreeSet, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::elicitation_schema;
use crate::engine::PeerError;

fn schema<T: JsonSchema>() -> Value {
    match elicitation_schema::<T>() {
        Ok(map) => Value::Object(map),
        Err(e) => panic!("{e}"),
    }
}

fn refusal<T: JsonSchema>() -> String {
    match elicitation_schema::<T>() {
        Err(PeerError::InvalidSchema(why)) => why,
        other => panic!("expected InvalidSchema, got {other:?}"),
    }
}

/// A person.
#[derive(Deserialize, JsonSchema)]
#[schemars(title = "Person form")]
#[serde(deny_unknown_fields)]
struct Person {
    /// Full name.
    #[schemars(length(min = 1, max = 100))]
    name: String,
    #[schemars(email)]
    email: String,
    #[schemars(range(min = 0, max = 150))]
    age: u32,
    height: f64,
    subscribed: bool,
    #[schemars(regex(pattern = "^[a-z]+$"))]
    handle: String,
    id: i64,
}

#[test]
fn strings_numbers_and_booleans() {
    assert_eq!(
        schema::<Person>(),
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Full name.", "minLength": 1, "maxLength": 100},
                "email": {"type": "string", "format": "email"},
                "age": {"type": "integer", "minimum": 0, "maximum": 150},
                "height": {"type": "number"},
                "subscribed": {"type": "boolean"},
                "handle": {"type": "string"},
                "id": {"type": "integer"}
            },
            "required": ["name", "email", "age", "height", "subscribed", "handle", "id"]
        })
    );
}

#[derive(Deserialize, Serialize, JsonSchema, Default)]
#[serde(rename_all = "lowercase")]
enum Status {
    #[default]
    Active,
    Inactive,
    Pending,
}

fn john_doe() -> String {
    "John Doe".into()
}

fn thirty() -> u32 {
    30
}

fn score() -> f64 {
    95.5
}

fn yes() -> bool {
    true
}

/// The SEP-1034 fields, as a Rust user would write them.
#[derive(Deserialize, JsonSchema)]
struct Defaults {
    /// Your name.
    #[serde(default = "john_doe")]
    name: String,
    #[serde(default = "thirty")]
    age: u32,
    #[schemars(default = "score")]
    score: f64,
    #[serde(default)]
    status: Status,
    #[serde(default = "yes")]
    verified: bool,
}

#[test]
fn defaults_and_descriptions() {
    assert_eq!(
        schema::<Defaults>(),
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Your name.", "default": "John Doe"},
                "age": {"type": "integer", "minimum": 0, "default": 30},
                "score": {"type": "number", "default": 95.5},
                "status": {"type": "string", "enum": ["active", "inactive", "pending"], "default": "active"},
                "verified": {"type": "boolean", "default": true}
            }
            // schemars also counts `score` as optional, though serde requires it: hence the
            // advice to put defaults in `#[serde(default = ...)]`.
        })
    );
}

#[derive(Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
enum Titled {
    #[schemars(title = "First Option")]
    #[serde(rename = "value1")]
    One,
    #[schemars(title = "Second Option")]
    #[serde(rename = "value2")]
    Two,
    /// Documented but untitled: shown by its value.
    #[serde(rename = "value3")]
    Three,
}

/// Variants with doc comments only stay a plain enum.
#[derive(Deserialize, JsonSchema, PartialEq, Eq, Hash)]
enum Documented {
    /// The first.
    A,
    /// The second.
    B,
}

#[derive(Deserialize, JsonSchema)]
struct Choices {
    /// Pick one.
    plain: Status,
    titled: Titled,
    documented: Documented,
    #[schemars(extend("enumNames" = ["Active", "Inactive", "Pending"]))]
    legacy: Status,
    #[schemars(length(min = 1, max = 3))]
    many: Vec<Status>,
    #[schemars(length(min = 1, max = 3))]
    many_titled: BTreeSet<Titled>,
    set: std::collections::HashSet<Documented>,
}

#[test]
fn single_and_multi_select_enums() {
    assert_eq!(
        schema::<Choices>(),
        json!({
            "type": "object",
            "properties": {
                "plain": {"type": "string", "description": "Pick one.", "enum": ["active", "inactive", "pending"]},
                "titled": {"type": "string", "oneOf": [
                    {"const": "value1", "title": "First Option"},
                    {"const": "value2", "title": "Second Option"},
                    {"const": "value3", "title": "value3"}
                ]},
                "documented": {
                    "type": "string",
                    "description": "Variants with doc comments only stay a plain enum.",
                    "enum": ["A", "B"]
                },
                "legacy": {
                    "type": "string",
                    "enum": ["active", "inactive", "pending"],
                    "enumNames": ["Active", "Inactive", "Pending"]
                },
                "many": {"type": "array", "minItems": 1, "maxItems": 3,
                    "items": {"type": "string", "enum": ["active", "inactive", "pending"]}},
                "many_titled": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"anyOf": [
                    {"const": "value1", "title": "First Option"},
                    {"const": "value2", "title": "Second Option"},
                    {"const": "value3", "title": "value3"}
                ]}},
                "set": {"type": "array", "items": {"type": "string", "enum": ["A", "B"]}}
            },
            "required": ["plain", "titled", "documented", "legacy", "many", "many_titled", "set"]
        })
    );
}

#[derive(Deserialize, JsonSchema)]
struct Optional {
    /// A nickname, if any.
    nick: Option<String>,
    #[schemars(range(min = 1, max = 10))]
    rating: Option<u8>,
    status: Option<Status>,
    titled: Option<Titled>,
    #[serde(default)]
    maybe: Option<bool>,
    many: Option<Vec<Status>>,
    #[serde(rename = "dueDate")]
    #[schemars(extend("format" = "date"))]
    due: Option<String>,
}

#[test]
fn option_fields_are_optional_and_not_nullable() {
    assert_eq!(
        schema::<Optional>(),
        json!({
            "type": "object",
            "properties": {
                "nick": {"type": "string", "description": "A nickname, if any."},
                "rating": {"type": "integer", "minimum": 1, "maximum": 10},
                "status": {"type": "string", "enum": ["active", "inactive", "pending"]},
                "titled": {"type": "string", "oneOf": [
                    {"const": "value1", "title": "First Option"},
                    {"const": "value2", "title": "Second Option"},
                    {"const": "value3", "title": "value3"}
                ]},
                "maybe": {"type": "boolean"},
                "many": {"type": "array", "items": {"type": "string", "enum": ["active", "inactive", "pending"]}},
                "dueDate": {"type": "string", "format": "date"}
            }
        })
    );
}

#[derive(Deserialize, JsonSchema)]
struct Titles {
    #[schemars(title = "Your name")]
    name: String,
    c: char,
    #[schemars(extend("format" = "uuid"))]
    id: String,
}

#[test]
fn titles_stay_and_unknown_formats_go() {
    assert_eq!(
        schema::<Titles>(),
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "title": "Your name"},
                "c": {"type": "string", "minLength": 1, "maxLength": 1},
                "id": {"type": "string"}
            },
            "required": ["name", "c", "id"]
        })
    );
}

#[derive(Deserialize, JsonSchema)]
struct Empty {}

#[test]
fn a_struct_without_fields_is_an_empty_form() {
    assert_eq!(
        schema::<Empty>(),
        json!({"type": "object", "properties": {}})
    );
}

#[derive(Deserialize, JsonSchema)]
struct Address {
    street: String,
}

#[derive(Deserialize, JsonSchema)]
struct WithAddress {
    name: String,
    address: Address,
}

#[derive(Deserialize, JsonSchema)]
struct WithList {
    tags: Vec<String>,
}

#[derive(Deserialize, JsonSchema)]
struct WithAny {
    extra: Value,
}

#[derive(Deserialize, JsonSchema)]
enum Shape {
    Circle { radius: f64 },
    Square(f64),
}

#[derive(Deserialize, JsonSchema)]
struct WithShape {
    shape: Shape,
}

#[derive(Deserialize, JsonSchema)]
struct WithMap {
    labels: HashMap<String, String>,
}

#[test]
fn what_cannot_be_a_form_is_refused_with_the_field_named() {
    let why = refusal::<WithAddress>();
    assert!(
        why.contains("field `address` of `WithAddress`") && why.contains("nested object"),
        "{why}"
    );
    let why = refusal::<WithList>();
    assert!(
        why.contains("`tags`") && why.contains("free values"),
        "{why}"
    );
    let why = refusal::<WithAny>();
    assert!(why.contains("`extra`"), "{why}");
    let why = refusal::<WithShape>();
    assert!(why.contains("`shape`"), "{why}");
    let why = refusal::<WithMap>();
    assert!(why.contains("`labels`"), "{why}");
}

#[derive(Deserialize, JsonSchema)]
struct WithFlattenedShape {
    name: String,
    #[serde(flatten)]
    shape: Shape,
}

#[test]
fn what_is_not_a_struct_is_refused() {
    assert!(refusal::<WithFlattenedShape>().contains("struct with named fields"));
    assert!(refusal::<String>().contains("struct with named fields"));
    assert!(refusal::<HashMap<String, String>>().contains("struct with named fields"));
    assert!(refusal::<Status>().contains("struct with named fields"));
}
