//! Reading a tool's arguments: the types they may have ([`ToolArgument`]), the raw arguments
//! a call carries ([`ToolArguments`]) and the parser the generated `call_tool` takes them
//! apart with.

mod raw;

pub use crate::protocol::ToolArguments;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::engine::BoxFuture;
use crate::handler::input_schema;
use crate::protocol::CallToolResult;

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
    parse: fn(&str) -> Result<T, serde_json::Error>,
}

impl<T> Clone for ArgumentType<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ArgumentType<T> {}

/// The [`ArgumentType`] of `T`; with [`struct_argument`], the one place the macros require
/// `T: ToolArgument`. `const`, so that the generated `call_tool` can hold its parameters as
/// constants.
pub const fn argument<T: ToolArgument>() -> ArgumentType<T> {
    ArgumentType {
        subschema: SchemaGenerator::subschema_for::<T>,
        parse: from_json::<T>,
    }
}

/// How to describe and read the arguments of a tool as one struct `T` (`Args<T>`), made by
/// [`struct_argument`]: its schema is the whole input schema.
///
/// Apart from [`ArgumentType`], so that a type used as a flat parameter does not compile the
/// code of a whole schema, nor a struct the code of a property's.
pub struct StructArgument<T> {
    schema: fn() -> Map<String, Value>,
    parse: fn(&str) -> Result<T, serde_json::Error>,
}

impl<T> Clone for StructArgument<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for StructArgument<T> {}

/// The [`StructArgument`] of `T` (see [`argument`]).
pub const fn struct_argument<T: ToolArgument>() -> StructArgument<T> {
    StructArgument {
        schema: input_schema::struct_schema::<T>,
        parse: from_json::<T>,
    }
}

/// Reads a `T` from JSON text: one function per type for both kinds of argument.
fn from_json<T: DeserializeOwned>(json: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(json)
}

impl<T> StructArgument<T> {
    /// `T`'s schema as the whole input schema.
    pub(crate) fn schema(&self) -> Map<String, Value> {
        (self.schema)()
    }
}

impl<T> ArgumentType<T> {
    /// `T`'s schema as a property of the input schema (a `$ref` into `generator`'s `$defs`
    /// for named types): the function, so that the code using it need not be generic.
    pub(crate) const fn subschema(&self) -> fn(&mut SchemaGenerator) -> Schema {
        self.subschema
    }

    /// Reads `T` from JSON text; [`message`] words the error. Only the call through the
    /// pointer is generic: the code around it is compiled once, here.
    fn parse(&self, json: &str) -> Result<T, serde_json::Error> {
        (self.parse)(json)
    }
}

/// A parse error's message for the client, without the position: that is within this one
/// value and so means nothing to the client.
fn message(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(message) => message.to_owned(),
        None => message,
    }
}

/// A schema generator for tool arguments: JSON Schema 2020-12.
pub(crate) fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12().into_generator()
}

/// Tool arguments being taken apart parameter by parameter; collects every problem.
///
/// Reads each value straight from the JSON text the client sent; nothing is copied but the
/// values themselves, into their parameter types.
pub struct ArgumentParser {
    arguments: ToolArguments,
    entries: Vec<raw::Entry>,
    problems: Vec<String>,
}

impl ArgumentParser {
    /// Starts parsing the arguments the client sent.
    pub fn new(arguments: ToolArguments) -> Self {
        let (entries, problems) = match arguments.raw().map(|r| raw::scan(r.get())) {
            None => (Vec::new(), Vec::new()),
            Some(Some(entries)) => (entries, Vec::new()),
            Some(None) => (
                Vec::new(),
                vec!["arguments are not a JSON object".to_owned()],
            ),
        };
        ArgumentParser {
            arguments,
            entries,
            problems,
        }
    }

    /// Takes the argument `name` out: the JSON text of its value, if present. With duplicate
    /// keys the last one counts, as in a map.
    fn take(&mut self, name: &str) -> Option<&str> {
        let text = self.arguments.raw().map_or("", RawValue::get);
        let mut found = None;
        for entry in &mut self.entries {
            if entry.key(text) == name {
                entry.taken = true;
                found = Some(entry.value.clone());
            }
        }
        found.map(|range| &text[range])
    }

    /// Takes a required parameter (`null` counts as missing, unless `T` accepts it).
    pub fn required<T>(&mut self, name: &str, ty: ArgumentType<T>) -> Option<T> {
        let Some(json) = self.take(name) else {
            self.missing(name);
            return None;
        };
        let null = json == "null";
        match ty.parse(json) {
            Ok(value) => Some(value),
            Err(error) => {
                self.unread(name, null, true, error);
                None
            }
        }
    }

    /// Takes an optional parameter: `Some(None)` when it is absent, or `null` and `T` does not
    /// accept `null` (for `x: Option<Option<T>>`, `null` is `Some(None)`).
    pub fn optional<T>(&mut self, name: &str, ty: ArgumentType<T>) -> Option<Option<T>> {
        let Some(json) = self.take(name) else {
            return Some(None);
        };
        let null = json == "null";
        match ty.parse(json) {
            Ok(value) => Some(Some(value)),
            Err(error) => self.unread(name, null, false, error).then_some(None),
        }
    }

    /// Notes that the required argument `name` is missing.
    fn missing(&mut self, name: &str) {
        self.problems
            .push(format!("missing required argument `{name}`"));
    }

    /// The argument `name` (`null` or not, `required` or not) did not read as its type: notes
    /// the problem, or returns `true` for an optional one that is `null` (absent). Takes what
    /// [`required`](Self::required) and [`optional`](Self::optional) would otherwise compile
    /// once per type.
    fn unread(&mut self, name: &str, null: bool, required: bool, error: serde_json::Error) -> bool {
        match (null, required) {
            (true, true) => self.missing(name),
            (true, false) => return true,
            (false, _) => {
                let message = message(&error);
                self.problems
                    .push(format!("invalid argument `{name}`: {message}"));
            }
        }
        false
    }

    /// Ends parsing for a call whose parameters did not all read: the `isError` result naming
    /// every bad or unknown argument, as a ready future.
    fn reject(self) -> Rejected {
        rejected(arguments_error(self.finish()))
    }

    /// Ends parsing for a call whose parameters all read: its rejection if there were unknown
    /// arguments. Non-generic, so that the generic code around it stays small.
    fn reject_if_any(self) -> Option<Rejected> {
        self.finish().err().map(rejected)
    }

    /// Ends parsing: `Err` holds an `isError` result naming every bad or unknown argument.
    #[allow(clippy::result_large_err)] // the error is the call's result, made once, cold
    pub fn finish(self) -> Result<(), CallToolResult> {
        let ArgumentParser {
            arguments,
            entries,
            mut problems,
        } = self;
        // Most calls: every argument taken, nothing wrong.
        if problems.is_empty() && entries.iter().all(|e| e.taken) {
            return Ok(());
        }
        let text = arguments.raw().map_or("", RawValue::get);
        // Named up to a point: a body may hold a hundred thousand stray keys.
        const NAMED: usize = 10;
        let mut seen = std::collections::HashSet::new();
        let mut more = 0usize;
        for entry in entries.iter().filter(|e| !e.taken) {
            let name = entry.key(text);
            if seen.insert(name) {
                if seen.len() <= NAMED {
                    problems.push(format!("unknown argument `{name}`"));
                } else {
                    more += 1;
                }
            }
        }
        if more > 0 {
            problems.push(format!("{more} more unknown arguments"));
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
pub(crate) fn arguments_error(outcome: Result<(), CallToolResult>) -> CallToolResult {
    outcome
        .err()
        .unwrap_or_else(|| CallToolResult::error("Invalid arguments"))
}

/// A tool call refused before its future was made (its arguments did not parse): the
/// `isError` result, as the call's future.
pub type Rejected = BoxFuture<'static, CallToolResult>;

/// The error result `error` as a ready future; non-generic, so that it is compiled once, here.
fn rejected(error: CallToolResult) -> Rejected {
    Box::pin(std::future::ready(error))
}

/// One flat parameter of a tool (made by [`required`] or [`optional`]), or a tuple of them.
pub trait FlatParam {
    /// What the tool gets: `T` for a required parameter, `Option<T>` for an optional one, a
    /// tuple of those for a tuple.
    type Value;

    /// Takes the parameter out of `parser`; `None` when it is missing or invalid (the parser
    /// holds the problem).
    fn take(&self, parser: &mut ArgumentParser) -> Option<Self::Value>;
}

/// A required parameter (see [`ArgumentParser::required`]), made by [`required`].
pub struct Required<T> {
    name: &'static str,
    ty: ArgumentType<T>,
}

/// An optional parameter (see [`ArgumentParser::optional`]), made by [`optional`].
pub struct Optional<T> {
    name: &'static str,
    ty: ArgumentType<T>,
}

/// The required parameter `name` of type `T`. `const`, so that the generated code's list of
/// parameters is a constant, not code run on each call.
pub const fn required<T>(name: &'static str, ty: ArgumentType<T>) -> Required<T> {
    Required { name, ty }
}

/// The optional parameter `name` (an `Option<T>`, `None` when absent); `const` as [`required`].
pub const fn optional<T>(name: &'static str, ty: ArgumentType<T>) -> Optional<T> {
    Optional { name, ty }
}

impl<T> FlatParam for Required<T> {
    type Value = T;

    fn take(&self, parser: &mut ArgumentParser) -> Option<T> {
        parser.required(self.name, self.ty)
    }
}

impl<T> FlatParam for Optional<T> {
    type Value = Option<T>;

    fn take(&self, parser: &mut ArgumentParser) -> Option<Option<T>> {
        parser.optional(self.name, self.ty)
    }
}

/// A tool's flat parameters, in order: a tuple of up to 12 [`FlatParam`]s (past that, the
/// macro nests a tuple of the rest as the twelfth).
///
/// Implemented per arity, each in one function: tools whose parameters have the same types
/// share one copy of the code that reads them.
pub trait FlatParams {
    /// The parameters' values: a tuple of the same shape.
    type Values;

    /// Parses the arguments the client sent: the parameters' values, else the `isError`
    /// result naming every bad or unknown argument.
    fn parse(&self, arguments: ToolArguments) -> Result<Self::Values, Rejected>;
}

/// `FlatParam` and `FlatParams` for the tuple of the parameters `$p`, whose values are bound to
/// `$v` on the way.
macro_rules! flat_tuple {
    ($($p:ident $v:ident),+) => {
        impl<$($p: FlatParam),+> FlatParam for ($($p,)+) {
            type Value = ($($p::Value,)+);

            fn take(&self, parser: &mut ArgumentParser) -> Option<Self::Value> {
                let ($($v,)+) = self;
                // Every one is taken, so that every problem is named.
                $(let $v = $v.take(parser);)+
                match ($($v,)+) {
                    ($(Some($v),)+) => Some(($($v,)+)),
                    _ => None,
                }
            }
        }

        impl<$($p: FlatParam),+> FlatParams for ($($p,)+) {
            type Values = ($($p::Value,)+);

            fn parse(&self, arguments: ToolArguments) -> Result<Self::Values, Rejected> {
                let mut parser = ArgumentParser::new(arguments);
                let ($($v,)+) = self;
                $(let $v = $v.take(&mut parser);)+
                // Written for few moves of the values: this is compiled once per signature.
                let ($(Some($v),)+) = ($($v,)+) else {
                    return Err(parser.reject());
                };
                match parser.reject_if_any() {
                    None => Ok(($($v,)+)),
                    Some(rejected) => Err(rejected),
                }
            }
        }
    };
}

flat_tuple!(A a);
flat_tuple!(A a, B b);
flat_tuple!(A a, B b, C c);
flat_tuple!(A a, B b, C c, D d);
flat_tuple!(A a, B b, C c, D d, E e);
flat_tuple!(A a, B b, C c, D d, E e, F f);
flat_tuple!(A a, B b, C c, D d, E e, F f, G g);
flat_tuple!(A a, B b, C c, D d, E e, F f, G g, H h);
flat_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i);
flat_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
flat_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
flat_tuple!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);

/// Parses a tool's flat parameters `params` (a constant the macro writes): their values, else
/// the `isError` result as a ready future.
///
/// Called by the generated `call_tool` before the tool's future is made, so that the parsing
/// is not compiled into every tool's future.
pub fn flat_arguments<P: FlatParams>(
    arguments: ToolArguments,
    params: &P,
) -> Result<P::Values, Rejected> {
    params.parse(arguments)
}

/// Checks the arguments of a tool without flat parameters (all are unknown): `Err` names
/// them, as a ready future.
pub fn no_arguments(arguments: ToolArguments) -> Result<(), Rejected> {
    ArgumentParser::new(arguments).finish().map_err(rejected)
}

/// Parses a tool's arguments as one struct (`Args<T>`) before its
/// future is made: the struct, else the `isError` result as a ready future.
pub fn args_struct<T>(ty: &StructArgument<T>, arguments: ToolArguments) -> Result<T, Rejected> {
    struct_arguments(*ty, arguments).map_err(rejected)
}

/// Parses a tool's arguments as one struct (`Args<T>`).
#[allow(clippy::result_large_err)] // the error is the call's result, made once, cold
pub(crate) fn struct_arguments<T>(
    ty: StructArgument<T>,
    arguments: ToolArguments,
) -> Result<T, CallToolResult> {
    let json = arguments.raw().map_or("{}", RawValue::get);
    match (ty.parse)(json) {
        Ok(value) => Ok(value),
        Err(error) => Err(struct_error(&error)),
    }
}

/// The error result of arguments that did not read as the tool's struct.
fn struct_error(error: &serde_json::Error) -> CallToolResult {
    CallToolResult::error(format!("Invalid arguments: {}", message(error)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parser(arguments: Value) -> ArgumentParser {
        ArgumentParser::new(arguments.as_object().cloned().into())
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

    #[test]
    fn reads_values_in_place_and_names_every_problem() {
        let mut p = parser(json!({"a": 1, "b": "two", "c\"q": true, "extra": [1], "more": {}}));
        assert_eq!(p.required("a", argument::<u8>()), Some(1));
        assert_eq!(p.required("b", argument::<u8>()), None);
        assert_eq!(p.required("c\"q", argument::<bool>()), Some(true));
        assert_eq!(p.required("missing", argument::<u8>()), None);
        let error = p.finish().unwrap_err();
        assert_eq!(
            error.content[0].as_text(),
            Some(
                "Invalid arguments: invalid argument `b`: invalid type: string \"two\", expected u8; \
                 missing required argument `missing`; unknown argument `extra`; unknown argument `more`"
            )
        );
    }

    #[test]
    fn the_last_of_duplicate_keys_counts() {
        let raw = RawValue::from_string(r#"{"a": 1, "a": 2, "z": 0, "z": 0}"#.into()).unwrap();
        let mut p = ArgumentParser::new(ToolArguments::from_raw(raw).unwrap());
        assert_eq!(p.required("a", argument::<u8>()), Some(2));
        let error = p.finish().unwrap_err();
        assert_eq!(
            error.content[0].as_text(),
            Some("Invalid arguments: unknown argument `z`")
        );
    }

    #[test]
    fn struct_arguments_read_the_whole_object() {
        #[derive(serde::Deserialize, schemars::JsonSchema, Debug, PartialEq)]
        struct Point {
            x: i32,
        }
        let args = ToolArguments::from(json!({"x": 3}).as_object().cloned());
        assert_eq!(
            struct_arguments(struct_argument::<Point>(), args).ok(),
            Some(Point { x: 3 })
        );
        let error =
            struct_arguments(struct_argument::<Point>(), ToolArguments::none()).unwrap_err();
        assert_eq!(
            error.content[0].as_text(),
            Some("Invalid arguments: missing field `x`")
        );
    }

    #[test]
    fn many_stray_keys_are_counted_not_listed() {
        let mut object = Map::new();
        for i in 0..50_000 {
            object.insert(format!("k{i}"), Value::from(i));
        }
        object.insert("a".into(), Value::from(1));
        let mut p = ArgumentParser::new(object.into());
        assert_eq!(p.required("a", argument::<u8>()), Some(1));
        let error = p.finish().unwrap_err();
        let text = error.content[0].as_text().unwrap();
        assert!(
            text.ends_with("unknown argument `k9`; 49990 more unknown arguments"),
            "{text}"
        );
    }
}
