//! Reading a tool's arguments: the types they may have ([`ToolArgument`]) and the parser the
//! generated `call_tool` takes them apart with.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::input_schema;
use crate::protocol::CallToolResult;
use crate::server::Arguments;

/// What a tool argument may be: a type that deserializes from JSON and has a JSON Schema.
/// Implemented for every such type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a tool argument",
    label = "not `Deserialize + JsonSchema`",
    note = "a tool argument is deserialized from JSON and described by a JSON Schema: derive \
            `serde::Deserialize` and `schemars::JsonSchema` for it, or use a type that has them"
)]
pub trait ToolArgument: DeserializeOwned + JsonSchema {}
// Not recommended through: the error names `ToolArgument` and its note, not serde's traits.
#[diagnostic::do_not_recommend]
impl<T: DeserializeOwned + JsonSchema> ToolArgument for T {}

/// How to describe and read a tool argument of type `T`, made by [`argument`].
///
/// The generated code asks for it in `tools` and in `call_tool`, at the parameter's type: a
/// type that is not a [`ToolArgument`] gets one error there, not one per use.
pub struct ArgumentType<T> {
    subschema: fn(&mut SchemaGenerator) -> Schema,
    struct_schema: fn() -> Map<String, Value>,
    parse: fn(Value) -> Result<T, serde_json::Error>,
}

impl<T> Clone for ArgumentType<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ArgumentType<T> {}

/// The [`ArgumentType`] of `T`; the one place the macros require `T: ToolArgument`.
pub fn argument<T: ToolArgument>() -> ArgumentType<T> {
    ArgumentType {
        subschema: |generator| generator.subschema_for::<T>(),
        struct_schema: input_schema::struct_schema::<T>,
        parse: serde_json::from_value::<T>,
    }
}

impl<T> ArgumentType<T> {
    /// `T`'s schema as a property of the input schema (a `$ref` into `generator`'s `$defs`
    /// for named types).
    pub(crate) fn subschema(&self, generator: &mut SchemaGenerator) -> Schema {
        (self.subschema)(generator)
    }

    /// `T`'s schema as the whole input schema (for `Args<T>`).
    pub(crate) fn struct_schema(&self) -> Map<String, Value> {
        (self.struct_schema)()
    }

    fn parse(&self, value: Value) -> Result<T, serde_json::Error> {
        (self.parse)(value)
    }
}

/// A schema generator for tool arguments: JSON Schema 2020-12.
pub(crate) fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12().into_generator()
}

/// Tool arguments being taken apart parameter by parameter; collects every problem.
pub struct ArgumentParser {
    map: Map<String, Value>,
    problems: Vec<String>,
}

impl ArgumentParser {
    /// Starts parsing the arguments the client sent.
    pub fn new(arguments: Arguments) -> Self {
        ArgumentParser {
            map: arguments.unwrap_or_default(),
            problems: Vec::new(),
        }
    }

    /// Takes a required parameter (`null` counts as missing, unless `T` accepts it).
    pub fn required<T>(&mut self, name: &str, ty: ArgumentType<T>) -> Option<T> {
        match self.map.remove(name) {
            None => {
                self.problems
                    .push(format!("missing required argument `{name}`"));
                None
            }
            Some(Value::Null) => match ty.parse(Value::Null) {
                Ok(value) => Some(value),
                Err(_) => {
                    self.problems
                        .push(format!("missing required argument `{name}`"));
                    None
                }
            },
            Some(value) => self.convert(name, ty, value),
        }
    }

    /// Takes an optional parameter: `Some(None)` when it is absent, or `null` and `T` does not
    /// accept `null` (for `x: Option<Option<T>>`, `null` is `Some(None)`).
    pub fn optional<T>(&mut self, name: &str, ty: ArgumentType<T>) -> Option<Option<T>> {
        match self.map.remove(name) {
            None => Some(None),
            Some(Value::Null) => Some(ty.parse(Value::Null).ok()),
            Some(value) => self.convert(name, ty, value).map(Some),
        }
    }

    fn convert<T>(&mut self, name: &str, ty: ArgumentType<T>, value: Value) -> Option<T> {
        match ty.parse(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems
                    .push(format!("invalid argument `{name}`: {e}"));
                None
            }
        }
    }

    /// Ends parsing: `Err` holds an `isError` result naming every bad or unknown argument.
    pub fn finish(self) -> Result<(), CallToolResult> {
        let mut problems = self.problems;
        for name in self.map.keys() {
            problems.push(format!("unknown argument `{name}`"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CallToolResult::error(format!(
                "Invalid arguments: {}",
                problems.join("; ")
            )))
        }
    }
}

/// The error result for arguments that failed to parse.
pub fn arguments_error(outcome: Result<(), CallToolResult>) -> CallToolResult {
    outcome
        .err()
        .unwrap_or_else(|| CallToolResult::error("Invalid arguments"))
}

/// Parses a tool's arguments as one struct (`Args<T>`).
pub fn struct_arguments<T>(ty: ArgumentType<T>, arguments: Arguments) -> Result<T, CallToolResult> {
    let value = Value::Object(arguments.unwrap_or_default());
    ty.parse(value)
        .map_err(|e| CallToolResult::error(format!("Invalid arguments: {e}")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parser(arguments: Value) -> ArgumentParser {
        ArgumentParser::new(arguments.as_object().cloned())
    }

    #[test]
    fn null_is_absent_unless_the_type_takes_it() {
        let mut p = parser(json!({"a": null, "b": null, "c": null, "d": 1}));
        assert_eq!(p.optional("a", argument::<u32>()), Some(None));
        assert_eq!(p.optional("b", argument::<Option<u32>>()), Some(Some(None)));
        assert_eq!(
            p.optional("d", argument::<Option<u32>>()),
            Some(Some(Some(1)))
        );
        assert_eq!(p.optional("e", argument::<Option<u32>>()), Some(None));
        assert_eq!(p.required("c", argument::<u32>()), None);
        let error = p.finish().unwrap_err();
        assert_eq!(
            error.content[0].as_text(),
            Some("Invalid arguments: missing required argument `c`")
        );
        let mut p = parser(json!({"unit": null}));
        assert_eq!(p.required("unit", argument::<()>()), Some(()));
        assert!(p.finish().is_ok());
    }
}
