//! The `requestedSchema` of a form elicitation, generated from a Rust type.
//!
//! The spec allows a restricted JSON Schema: one flat object whose properties are strings,
//! numbers, integers, booleans, single-select enums and multi-select enums. schemars
//! describes more than that, so its output is rewritten into that form, or refused.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::engine::PeerError;

/// String formats the spec's `StringSchema` allows.
const STRING_FORMATS: [&str; 4] = ["email", "uri", "date", "date-time"];

/// The form-mode `requestedSchema` for `T`, as [`Context::elicit`](crate::Context::elicit)
/// sends it.
///
/// Fields become properties (doc comments give `description`, `#[schemars(title = "...")]`
/// gives `title`, `#[serde(default)]` or `#[serde(default = "path")]` gives `default`);
/// `Option` fields and fields with a default are not required. The default is written only
/// when the field's type implements `Serialize`. Prefer serde's `default` to
/// `#[schemars(default = ...)]`: the latter makes the field optional in the form while serde
/// still requires it in the answer. A unit enum gives `{"type":"string","enum":[...]}`, or the
/// titled `oneOf` form when its variants have `#[schemars(title = "...")]`; a `Vec` or set
/// of such an enum gives a multi-select. Keywords the spec does not allow (numeric
/// `format`s, `pattern`, `uniqueItems`, `additionalProperties`, `$schema`, ...) are
/// dropped.
///
/// # Errors
/// [`PeerError::InvalidSchema`] when `T` is not a struct of such fields (nested structs,
/// lists of free values, maps, `serde_json::Value`...).
///
/// ```
/// use schemars::JsonSchema;
/// use serde::Deserialize;
///
/// #[derive(Deserialize, JsonSchema)]
/// struct Contact {
///     /// Your name.
///     name: String,
///     #[schemars(range(min = 0, max = 150))]
///     age: Option<u8>,
/// }
///
/// let schema = mcp_runtime::convert::elicitation_schema::<Contact>().unwrap();
/// assert_eq!(
///     serde_json::Value::Object(schema),
///     serde_json::json!({
///         "type": "object",
///         "properties": {
///             "name": {"type": "string", "description": "Your name."},
///             "age": {"type": "integer", "minimum": 0, "maximum": 150}
///         },
///         "required": ["name"]
///     })
/// );
/// ```
pub fn elicitation_schema<T: JsonSchema>() -> Result<Map<String, Value>, PeerError> {
    let mut settings = SchemaSettings::draft2020_12();
    settings.inline_subschemas = true;
    let schema = settings.into_generator().into_root_schema_for::<T>();
    restrict(schema.to_value(), &T::schema_name()).map_err(PeerError::InvalidSchema)
}

/// Rewrites a root schema into the spec's restricted form.
pub(crate) fn restrict(schema: Value, type_name: &str) -> Result<Map<String, Value>, String> {
    let not_a_form = || format!("`{type_name}` must be a struct with named fields to be a form");
    let Value::Object(root) = schema else {
        return Err(not_a_form());
    };
    // A flattened enum adds alternatives at the top, which a flat form cannot offer.
    let alternatives = ["oneOf", "anyOf", "allOf", "$ref"]
        .iter()
        .any(|k| root.contains_key(*k));
    if root.get("type").and_then(Value::as_str) != Some("object") || alternatives {
        return Err(not_a_form());
    }
    let properties = match root.get("properties") {
        Some(Value::Object(properties)) => properties,
        Some(_) => return Err(not_a_form()),
        None if root
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(false)) =>
        {
            return Err(not_a_form());
        }
        None => &Map::new(),
    };
    let mut restricted = Map::new();
    for (name, property) in properties {
        let property = restrict_property(property)
            .map_err(|why| format!("field `{name}` of `{type_name}` {why}"))?;
        restricted.insert(name.clone(), Value::Object(property));
    }
    let required: Vec<Value> = match root.get("required") {
        Some(Value::Array(names)) => names
            .iter()
            .filter(|n| n.as_str().is_some_and(|n| restricted.contains_key(n)))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let mut out = Map::new();
    out.insert("type".into(), "object".into());
    out.insert("properties".into(), Value::Object(restricted));
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    Ok(out)
}

/// What a property is, once nullability is peeled off.
enum Kind {
    String,
    Number(&'static str),
    Boolean,
    Enum(Options),
    MultiSelect(Options),
}

/// The choices of an enum: values and, for the titled form, display titles.
struct Options {
    values: Vec<String>,
    titles: Vec<Option<String>>,
}

/// Rewrites one property; the error says why it cannot be a form field.
fn restrict_property(schema: &Value) -> Result<Map<String, Value>, String> {
    let Value::Object(schema) = schema else {
        return Err(
            "accepts any JSON value; a form field must be a string, number, boolean or enum".into(),
        );
    };
    let schema = without_null(schema)?;
    let kind = kind_of(&schema)?;
    let mut out = Map::new();
    match &kind {
        Kind::String => {
            out.insert("type".into(), "string".into());
            copy_counts(&schema, &mut out, &["minLength", "maxLength"]);
            let format = schema.get("format").and_then(Value::as_str);
            if let Some(format) = format.filter(|f| STRING_FORMATS.contains(f)) {
                out.insert("format".into(), format.into());
            }
        }
        Kind::Number(ty) => {
            out.insert("type".into(), (*ty).into());
            for key in ["minimum", "maximum"] {
                if let Some(bound) = schema.get(key).filter(|b| b.is_number()) {
                    out.insert(key.into(), bound.clone());
                }
            }
        }
        Kind::Boolean => {
            out.insert("type".into(), "boolean".into());
        }
        Kind::Enum(options) => {
            out.insert("type".into(), "string".into());
            if options.is_titled() {
                out.insert("oneOf".into(), options.titled());
            } else {
                out.insert("enum".into(), options.untitled());
                // The legacy titled form, kept when the names match the values one to one.
                let names = schema.get("enumNames").and_then(Value::as_array);
                if let Some(names) = names
                    .filter(|n| n.len() == options.values.len() && n.iter().all(Value::is_string))
                {
                    out.insert("enumNames".into(), Value::Array(names.clone()));
                }
            }
        }
        Kind::MultiSelect(options) => {
            out.insert("type".into(), "array".into());
            copy_counts(&schema, &mut out, &["minItems", "maxItems"]);
            let items = if options.is_titled() {
                Map::from_iter([("anyOf".to_owned(), options.titled())])
            } else {
                Map::from_iter([
                    ("type".to_owned(), Value::from("string")),
                    ("enum".to_owned(), options.untitled()),
                ])
            };
            out.insert("items".into(), Value::Object(items));
        }
    }
    for key in ["title", "description"] {
        if let Some(text) = schema.get(key).filter(|t| t.is_string()) {
            out.insert(key.into(), text.clone());
        }
    }
    if let Some(default) = schema.get("default").filter(|d| kind.admits(d)) {
        out.insert("default".into(), default.clone());
    }
    Ok(out)
}

/// `Option<T>`'s schema without its `null`: `type: [T, "null"]`, `null` in `enum`, and
/// `anyOf: [T, {"type": "null"}]` all become `T`.
fn without_null(schema: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut schema = schema.clone();
    if let Some(Value::Array(types)) = schema.get("type") {
        let types: Vec<&Value> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .collect();
        match types.as_slice() {
            [one] => {
                let one = (*one).clone();
                schema.insert("type".into(), one);
            }
            _ => return Err("has several types; a form field has exactly one".into()),
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if schema.get("default").is_some_and(Value::is_null) {
        schema.remove("default");
    }
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = schema.get(key) else {
            continue;
        };
        let non_null: Vec<&Value> = members.iter().filter(|m| !is_null_schema(m)).collect();
        if non_null.len() == members.len() {
            continue;
        }
        let [Value::Object(inner)] = non_null.as_slice() else {
            return Err("is a union of several types; a form field has exactly one".into());
        };
        let inner = without_null(inner)?;
        schema.remove(key);
        for (k, v) in inner {
            schema.entry(k).or_insert(v);
        }
    }
    Ok(schema)
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

fn kind_of(schema: &Map<String, Value>) -> Result<Kind, String> {
    if schema.contains_key("$ref") {
        return Err(
            "refers to a recursive type; a form field must be a string, number, boolean or enum"
                .into(),
        );
    }
    let ty = schema.get("type").and_then(Value::as_str);
    if let Some(options) = enum_options(schema)? {
        return match ty {
            None | Some("string") => Ok(Kind::Enum(options)),
            Some(_) => Err("is an enum of non-string values; form enums hold strings".into()),
        };
    }
    match ty {
        Some("string") => Ok(Kind::String),
        Some("number") => Ok(Kind::Number("number")),
        Some("integer") => Ok(Kind::Number("integer")),
        Some("boolean") => Ok(Kind::Boolean),
        Some("array") => {
            let items = match schema.get("items") {
                Some(Value::Object(items)) => items,
                _ => return Err("is a list without an item schema; a form list must be a multi-select of a string enum".into()),
            };
            match enum_options(items)? {
                Some(options)
                    if matches!(
                        items.get("type").and_then(Value::as_str),
                        None | Some("string")
                    ) =>
                {
                    Ok(Kind::MultiSelect(options))
                }
                _ => Err(
                    "is a list of free values; a form list must be a multi-select of a string enum"
                        .into(),
                ),
            }
        }
        Some("object") => Err(
            "is a nested object; form fields must be flat (strings, numbers, booleans, enums)"
                .into(),
        ),
        _ => Err(
            "has no single primitive type; a form field must be a string, number, boolean or enum"
                .into(),
        ),
    }
}

/// The choices of an enum schema (`enum`, `const`, or `oneOf`/`anyOf` of those), if it is one.
fn enum_options(schema: &Map<String, Value>) -> Result<Option<Options>, String> {
    let mut options = Options {
        values: Vec::new(),
        titles: Vec::new(),
    };
    if let Some(values) = schema.get("enum") {
        options.push_values(values, None)?;
    } else if let Some(value) = schema.get("const") {
        options.push_values(&Value::Array(vec![value.clone()]), None)?;
    } else if let Some(Value::Array(members)) = schema.get("oneOf").or_else(|| schema.get("anyOf"))
    {
        for member in members {
            let title = member.get("title").and_then(Value::as_str);
            match (member.get("const"), member.get("enum")) {
                (Some(value), _) => {
                    options.push_values(&Value::Array(vec![value.clone()]), title)?
                }
                (None, Some(values)) => options.push_values(values, None)?,
                (None, None) => {
                    return Err(
                        "is an enum with data-carrying variants; form enums are plain strings"
                            .into(),
                    );
                }
            }
        }
    } else {
        return Ok(None);
    }
    if options.values.is_empty() {
        return Err("is an enum with no values".into());
    }
    Ok(Some(options))
}

impl Options {
    fn push_values(&mut self, values: &Value, title: Option<&str>) -> Result<(), String> {
        let Value::Array(values) = values else {
            return Err("has a malformed `enum`".into());
        };
        for value in values {
            let Value::String(value) = value else {
                return Err("is an enum of non-string values; form enums hold strings".into());
            };
            self.values.push(value.clone());
            self.titles.push(title.map(str::to_owned));
        }
        Ok(())
    }

    /// Titled when any variant has a title; the others then show their value.
    fn is_titled(&self) -> bool {
        self.titles.iter().any(Option::is_some)
    }

    fn untitled(&self) -> Value {
        self.values
            .iter()
            .map(|v| Value::from(v.as_str()))
            .collect()
    }

    fn titled(&self) -> Value {
        self.values
            .iter()
            .zip(&self.titles)
            .map(|(value, title)| {
                let title = title.as_deref().unwrap_or(value);
                Value::Object(Map::from_iter([
                    ("const".to_owned(), Value::from(value.as_str())),
                    ("title".to_owned(), Value::from(title)),
                ]))
            })
            .collect()
    }
}

impl Kind {
    /// Whether `default` is a value of this kind (others are dropped, not sent).
    fn admits(&self, default: &Value) -> bool {
        match self {
            Kind::String => default.is_string(),
            Kind::Number(_) => default.is_number(),
            Kind::Boolean => default.is_boolean(),
            Kind::Enum(options) => default
                .as_str()
                .is_some_and(|d| options.values.iter().any(|v| v == d)),
            Kind::MultiSelect(options) => default.as_array().is_some_and(|items| {
                items.iter().all(|i| {
                    i.as_str()
                        .is_some_and(|d| options.values.iter().any(|v| v == d))
                })
            }),
        }
    }
}

/// Copies non-negative integer keywords (`minLength`, `maxItems`...).
fn copy_counts(from: &Map<String, Value>, to: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(count) = from.get(*key).filter(|c| c.is_u64()) {
            to.insert((*key).into(), count.clone());
        }
    }
}

#[cfg(test)]
mod tests;
