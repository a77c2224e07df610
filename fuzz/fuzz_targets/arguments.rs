//! The argument scanner (`ArgumentParser`, which finds each argument in the JSON text by hand)
//! against serde_json: the same verdict on what are arguments, the same keys (the last of
//! duplicates winning), and the same value for each parameter type.
//!
//! The input is the `arguments` JSON text as a client sends it; each key is read as a type
//! picked from the key, so every type meets every kind of value.
//!
//! Arguments are kept as raw JSON, which serde_json validates without decoding: a lone
//! surrogate escape (`"\ud800"`) or a number out of range (`1e400`) passes there and fails
//! only when decoded. So the reference reads the members raw too, and decodes each value
//! alone, as a parameter would.

#![no_main]

use std::fmt;

use libfuzzer_sys::fuzz_target;
use mcp_runtime::__private::{ArgumentParser, ArgumentType, ToolArgument, argument};
use mcp_runtime::ToolArguments;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The members of an object, values raw; duplicates resolved as in a map (the last value,
/// at the first one's place).
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members: Vec<(String, Box<RawValue>)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Box<RawValue>>()? {
                    match members.iter_mut().find(|(k, _)| *k == key) {
                        Some(member) => member.1 = value,
                        None => members.push((key, value)),
                    }
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads `key` as `T` both ways and compares; returns whether it was read.
fn compare<T: ToolArgument + PartialEq + fmt::Debug>(
    parser: &mut ArgumentParser,
    key: &str,
    raw: &RawValue,
    ty: ArgumentType<T>,
) -> bool {
    let reference = serde_json::from_str::<T>(raw.get()).ok();
    let got = parser.required(key, ty);
    assert_eq!(got, reference, "argument {key:?} = {}", raw.get());
    got.is_some()
}

fn read(parser: &mut ArgumentParser, key: &str, raw: &RawValue) -> bool {
    let pick = key
        .bytes()
        .fold(key.len(), |h, b| h.wrapping_mul(31) ^ usize::from(b));
    match pick % 9 {
        0 => compare(parser, key, raw, argument::<Value>()),
        1 => compare(parser, key, raw, argument::<String>()),
        2 => compare(parser, key, raw, argument::<i64>()),
        3 => compare(parser, key, raw, argument::<u8>()),
        4 => compare(parser, key, raw, argument::<f64>()),
        5 => compare(parser, key, raw, argument::<bool>()),
        6 => compare(parser, key, raw, argument::<Option<i64>>()),
        7 => compare(parser, key, raw, argument::<Vec<Value>>()),
        _ => compare(parser, key, raw, argument::<Map<String, Value>>()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // What a `tools/call` does with its `arguments`, and what serde_json says they are.
    let Ok(arguments) = serde_json::from_str::<ToolArguments>(text) else {
        assert!(
            serde_json::from_str::<Option<Map<String, Value>>>(text).is_err(),
            "refused arguments that serde_json reads: {text}"
        );
        return;
    };
    if let Ok(map) = serde_json::from_str::<Option<Map<String, Value>>>(text) {
        assert_eq!(arguments.to_map(), map.unwrap_or_default(), "to_map");
    }
    let members = match serde_json::from_str::<Option<Members>>(text) {
        Ok(members) => members.map(|m| m.0).unwrap_or_default(),
        Err(e) => {
            // A key that does not decode (a lone surrogate): the call is refused.
            assert!(e.to_string().contains("escape"), "{e}: {text}");
            let error = ArgumentParser::new(arguments).finish();
            assert!(
                error.is_err(),
                "a key that does not decode got through: {text}"
            );
            return;
        }
    };
    let mut parser = ArgumentParser::new(arguments);
    let mut all_read = true;
    for (key, raw) in &members {
        all_read &= read(&mut parser, key, raw);
    }
    // Names that are not keys are absent.
    for key in ["", "missing", "a", "\u{0}"] {
        if !members.iter().any(|(k, _)| k == key) {
            assert_eq!(parser.optional(key, argument::<Value>()), Some(None));
        }
    }
    // Every key was taken: no unknown argument, unless a value did not read.
    assert_eq!(
        parser.finish().is_ok(),
        all_read,
        "finish after reading every key of {text}"
    );
});
