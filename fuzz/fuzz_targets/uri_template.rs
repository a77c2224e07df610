//! URI template matching (`resources/read` and resource scopes): no panic on any template and
//! URI; a match names the template's variables in order; a URI made by expanding a template
//! matches it back to the values expanded; and percent-decoding is RFC 3986's (`%` and two
//! hex digits, UTF-8).

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mcp_fuzz::percent_encode;
use mcp_runtime::convert::{match_uri_template, uri_template_variables};

#[derive(Arbitrary, Debug)]
enum Part {
    Literal(String),
    Variable { reserved: bool, value: String },
}

#[derive(Arbitrary, Debug)]
enum Input {
    /// Any template against any URI.
    Raw { template: String, uri: String },
    /// A template made of parts, against its own expansion.
    RoundTrip(Vec<Part>),
    /// One simple variable against any text.
    Decode(String),
}

/// RFC 3986 percent-decoding into UTF-8 text: the reference.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
            let (high, low) = (hex(bytes.get(i + 1))?, hex(bytes.get(i + 2))?);
            out.push(u8::try_from(high * 16 + low).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn raw(template: &str, uri: &str) {
    let Some(vars) = match_uri_template(template, uri) else {
        return;
    };
    let names: Vec<&str> = vars.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        uri_template_variables(template),
        "{template:?} {uri:?}"
    );
    assert!(vars.iter().all(|(_, value)| !value.is_empty()));
}

fn round_trip(parts: &[Part]) {
    let mut template = String::new();
    let mut uri = String::new();
    let mut expected = Vec::new();
    // The expansion of each part, to say where a value's end is unambiguous.
    let mut pieces: Vec<(bool, Option<bool>, String)> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Literal(text) => {
                if text.contains(['{', '}']) {
                    return;
                }
                template.push_str(text);
                pieces.push((true, None, text.clone()));
            }
            Part::Variable { reserved, value } => {
                let name = format!("v{i}");
                template.push_str(&format!("{{{}{name}}}", if *reserved { "+" } else { "" }));
                let encoded = percent_encode(value, |b| *reserved && b == b'/');
                pieces.push((false, Some(*reserved), encoded));
                expected.push((name, value.clone()));
            }
        }
    }
    for piece in &pieces {
        uri.push_str(&piece.2);
    }
    // The matcher reads a value up to the first (`{+x}`: the last) occurrence of the next
    // literal: the property holds where that occurrence is the literal's own.
    let mut offset = 0;
    for (i, (is_literal, reserved, text)) in pieces.iter().enumerate() {
        if let Some(reserved) = reserved {
            if text.is_empty() {
                return;
            }
            let next = pieces.get(i + 1);
            let rest = &uri[offset..];
            match next {
                None => {}
                Some((true, _, literal)) if !literal.is_empty() => {
                    let found = if *reserved {
                        rest.rfind(literal.as_str())
                    } else {
                        rest.find(literal.as_str())
                    };
                    if found != Some(text.len()) {
                        return;
                    }
                }
                // Two variables in a row: the first takes all.
                Some(_) => return,
            }
        }
        let _ = is_literal;
        offset += text.len();
    }
    let got = match_uri_template(&template, &uri)
        .unwrap_or_else(|| panic!("{uri:?} does not match {template:?}"));
    let got: Vec<(String, String)> = got.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
    assert_eq!(got, expected, "{uri:?} against {template:?}");
}

fuzz_target!(|input: Input| match input {
    Input::Raw { template, uri } => raw(&template, &uri),
    Input::RoundTrip(parts) => round_trip(&parts),
    Input::Decode(text) => {
        let got = match_uri_template("x://{v}", &format!("x://{text}"));
        let expected = (!text.is_empty() && !text.contains('/'))
            .then(|| decode(&text))
            .flatten();
        assert_eq!(
            got.map(|vars| vars[0].1.clone()),
            expected,
            "percent-decoding {text:?}"
        );
    }
});
