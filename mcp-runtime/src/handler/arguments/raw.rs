//! The one-pass scan that finds each argument of a
//! [`ToolArguments`](crate::protocol::ToolArguments) in its JSON text without copying.

use std::ops::Range;

/// Where one argument is in the arguments text.
#[derive(Debug)]
pub(super) struct Entry {
    key: Key,
    /// The value's JSON text.
    pub(super) value: Range<usize>,
    /// Whether a parameter took it.
    pub(super) taken: bool,
}

/// A key: where it is in the text, or unescaped when it had escapes.
#[derive(Debug)]
enum Key {
    At(Range<usize>),
    Unescaped(String),
}

impl Entry {
    pub(super) fn key<'t>(&'t self, text: &'t str) -> &'t str {
        match &self.key {
            Key::At(range) => &text[range.clone()],
            Key::Unescaped(key) => key,
        }
    }
}

/// Finds every member of the object `text` in one pass over its bytes, copying nothing
/// (`None` if `text` is not an object).
///
/// `text` is valid JSON (a [`RawValue`]), so finding where things end is enough: each value
/// is parsed, and so checked, when a parameter takes it. Written by hand because it runs
/// on every call: serde_json's raw values cost several times as much.
pub(super) fn scan(text: &str) -> Option<Vec<Entry>> {
    let bytes = text.as_bytes();
    let mut i = skip_space(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    let mut entries = Vec::new();
    i = skip_space(bytes, i + 1);
    if bytes.get(i) == Some(&b'}') {
        return Some(entries);
    }
    loop {
        let (end, escaped) = string_end(bytes, i)?;
        let key = if escaped {
            Key::Unescaped(serde_json::from_str(text.get(i..end)?).ok()?)
        } else {
            Key::At(i + 1..end - 1)
        };
        i = skip_space(bytes, end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_space(bytes, i + 1);
        let end = value_end(bytes, start)?;
        entries.push(Entry {
            key,
            value: start..end,
            taken: false,
        });
        i = skip_space(bytes, end);
        match bytes.get(i) {
            Some(b',') => i = skip_space(bytes, i + 1),
            Some(b'}') => return Some(entries),
            _ => return None,
        }
    }
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The end (after the closing quote) of the string starting at `i`, and whether it has
/// escapes.
fn string_end(bytes: &[u8], i: usize) -> Option<(usize, bool)> {
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let mut escaped = false;
    let mut j = i + 1;
    loop {
        match bytes.get(j)? {
            b'"' => return Some((j + 1, escaped)),
            b'\\' => {
                escaped = true;
                j += 2;
            }
            _ => j += 1,
        }
    }
}

/// The end of the value starting at `i`.
fn value_end(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' => string_end(bytes, i).map(|(end, _)| end),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match bytes.get(j)? {
                    b'"' => {
                        j = string_end(bytes, j)?.0;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while bytes
                .get(j)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn scan_finds_members_in_place() {
        let text =
            r#" { "a" : 1, "b\n": {"x": [1, "]}", {"y": "\"}"}]}, "c": "s" , "d":[] ,"e":-1.5e3} "#;
        let entries = scan(text).unwrap();
        let found: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.key(text), &text[e.value.clone()]))
            .collect();
        assert_eq!(
            found,
            [
                ("a", "1"),
                ("b\n", r#"{"x": [1, "]}", {"y": "\"}"}]}"#),
                ("c", r#""s""#),
                ("d", "[]"),
                ("e", "-1.5e3")
            ]
        );
        assert!(scan("[1]").is_none());
        assert_eq!(scan(" {} ").map(|e| e.len()), Some(0));
    }

    #[test]
    fn scan_agrees_with_serde_json_compact_and_pretty() {
        let object = serde_json::json!({
            "n": 0, "neg": -12.5e-3, "t": true, "f": false, "z": null,
            "s": "a \"quoted\" \\ string with } and ] and , inside",
            "unicode": "é😀\u{0}\t", "": "empty key", "k\"ey": 1,
            "arr": [[], {}, [1, [2, [3]]], {"a": {"b": [{"c": "}"}]}}],
            "obj": {"nested": {"deeper": {"s": "]"}}}
        });
        for text in [
            serde_json::to_string(&object).unwrap(),
            serde_json::to_string_pretty(&object).unwrap(),
        ] {
            let entries = scan(&text).unwrap();
            let map = object.as_object().unwrap();
            assert_eq!(entries.len(), map.len());
            for entry in &entries {
                let value: Value = serde_json::from_str(&text[entry.value.clone()]).unwrap();
                assert_eq!(
                    Some(&value),
                    map.get(entry.key(&text)),
                    "{}",
                    entry.key(&text)
                );
            }
        }
    }

    /// A seeded xorshift, for random JSON that repeats run to run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }

        fn text(&mut self) -> String {
            const PIECES: [&str; 10] = ["a", "\"", "\\", "\n", "}", "]", ",", ":", "é", "😀"];
            let len = self.below(8);
            (0..len).map(|_| PIECES[self.below(10) as usize]).collect()
        }

        /// Nesting, escapes, exotic numbers and keys.
        fn value(&mut self, depth: u32) -> Value {
            match self.below(if depth > 3 { 4 } else { 6 }) {
                0 => Value::Null,
                1 => Value::from(self.below(u64::MAX) as i64),
                2 => Value::from(self.below(1 << 20) as f64 / 7.0 - 1e5),
                3 => Value::String(self.text()),
                4 => Value::Array((0..self.below(4)).map(|_| self.value(depth + 1)).collect()),
                _ => self.object(depth + 1),
            }
        }

        fn object(&mut self, depth: u32) -> Value {
            let mut object = serde_json::Map::new();
            for i in 0..self.below(5) {
                let key = format!("{}{i}", self.text());
                let value = self.value(depth);
                object.insert(key, value);
            }
            Value::Object(object)
        }
    }

    #[test]
    fn scan_agrees_with_serde_json_on_random_objects() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..500 {
            let object = rng.object(0);
            for text in [
                serde_json::to_string(&object).unwrap(),
                serde_json::to_string_pretty(&object).unwrap(),
            ] {
                // Read back by serde_json itself, whose float parsing is not exactly the
                // inverse of its printing: the scanner must agree with the reader.
                let map: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
                let entries = scan(&text).unwrap();
                assert_eq!(entries.len(), map.len(), "{text}");
                for entry in &entries {
                    let value: Value = serde_json::from_str(&text[entry.value.clone()]).unwrap();
                    assert_eq!(Some(&value), map.get(entry.key(&text)), "{text}");
                }
            }
        }
    }
}
