//! `x-mcp-header` (2026-07-28, Streamable HTTP): tool parameters a client mirrors into
//! `Mcp-Param-{Name}` headers, and the server's check that each header matches its argument.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use crate::protocol::Tool;

/// The schema annotation.
const ANNOTATION: &str = "x-mcp-header";
/// The header name prefix.
const PREFIX: &str = "Mcp-Param-";

/// Schema keywords whose values are instance data, not schemas.
const DATA_KEYWORDS: [&str; 4] = ["default", "examples", "const", "enum"];

/// Decodes a header value: trims optional whitespace, then unwraps the `=?base64?…?=`
/// sentinel. `None` when the sentinel holds malformed base64 or not UTF-8. A plain value is
/// borrowed.
pub(crate) fn decode_header_value(raw: &str) -> Option<Cow<'_, str>> {
    let value = raw.trim_matches([' ', '\t']);
    let Some(payload) = value
        .strip_prefix("=?base64?")
        .and_then(|rest| rest.strip_suffix("?="))
    else {
        return Some(Cow::Borrowed(value));
    };
    let bytes = STANDARD.decode(payload).ok()?;
    String::from_utf8(bytes).ok().map(Cow::Owned)
}

/// The JSON type an annotated parameter may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Integer,
    Boolean,
}

/// One annotated parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ParamHeader {
    /// The chain of `properties` keys from the schema root.
    path: Vec<String>,
    /// `Mcp-Param-{Name}` as declared.
    header: String,
    kind: Kind,
}

/// The annotated parameters of every tool that has valid annotations.
#[derive(Debug, Default)]
pub(crate) struct ParamHeaders {
    by_tool: HashMap<String, Vec<ParamHeader>>,
}

impl ParamHeaders {
    /// Reads the annotations of `tools`; a tool whose annotations break the spec's rules is
    /// left unchecked (conforming clients drop it) and logged.
    pub(crate) fn new(tools: &[Tool]) -> Self {
        let mut by_tool = HashMap::new();
        for tool in tools {
            match annotations(&tool.input_schema) {
                Ok(headers) if headers.is_empty() => {}
                Ok(headers) => {
                    by_tool.insert(tool.name.clone(), headers);
                }
                Err(problem) => tracing::warn!(
                    tool = %tool.name,
                    problem,
                    "invalid x-mcp-header annotation: clients will drop this tool"
                ),
            }
        }
        ParamHeaders { by_tool }
    }

    /// Checks the `Mcp-Param-*` headers of a call to `tool` against its arguments.
    /// `header(name)` returns every value of the header `name` (lowercase).
    /// Whether `tool` has arguments mirrored in headers (what [`check`](Self::check) checks).
    pub(crate) fn covers(&self, tool: &str) -> bool {
        self.by_tool.contains_key(tool)
    }

    pub(crate) fn check(
        &self,
        tool: &str,
        arguments: Option<&Map<String, Value>>,
        header: impl Fn(&str) -> Vec<Option<String>>,
    ) -> Result<(), String> {
        let Some(params) = self.by_tool.get(tool) else {
            return Ok(());
        };
        for param in params {
            let values = header(&param.header.to_ascii_lowercase());
            if values.len() > 1 {
                return Err(format!("{} header appears more than once", param.header));
            }
            let raw = values.into_iter().next();
            let argument = param.path.join(".");
            let value = value_at(arguments, &param.path).filter(|v| !v.is_null());
            let rendered = value.and_then(render);
            match (raw, value, rendered) {
                (None, None, _) | (None, Some(_), None) => {}
                (Some(_), None, _) => {
                    return Err(format!(
                        "{} header is present but argument `{argument}` is absent",
                        param.header
                    ));
                }
                (None, Some(_), Some(_)) => {
                    return Err(format!(
                        "{} header is missing but argument `{argument}` is present",
                        param.header
                    ));
                }
                (Some(raw), Some(value), rendered) => {
                    let decoded = raw
                        .as_deref()
                        .and_then(decode_header_value)
                        .ok_or_else(|| format!("{} header value is malformed", param.header))?;
                    let same = match rendered {
                        Some(rendered) => matches(param.kind, value, &rendered, &decoded),
                        None => false,
                    };
                    if !same {
                        return Err(format!(
                            "{} header value {decoded:?} does not match argument `{argument}`",
                            param.header
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn value_at<'a>(arguments: Option<&'a Map<String, Value>>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut node = arguments?.get(first)?;
    for key in rest {
        node = node.as_object()?.get(key)?;
    }
    Some(node)
}

/// How a client writes an argument into a header.
fn render(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Integers compare numerically (`42` matches `42.0`), everything else as text.
fn matches(kind: Kind, value: &Value, rendered: &str, decoded: &str) -> bool {
    if kind == Kind::Integer {
        if let (Some(body), Some(header)) = (value.as_f64(), parse_decimal(decoded)) {
            return body == header;
        }
    }
    decoded == rendered
}

/// A plain decimal (`-12`, `42.0`), no exponent.
fn parse_decimal(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && fraction.is_empty());
    plain.then(|| text.parse().ok()).flatten()
}

/// An RFC 9110 token: the characters allowed in a header name.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The annotations of one input schema, or why they are invalid.
fn annotations(schema: &Map<String, Value>) -> Result<Vec<ParamHeader>, String> {
    let mut found = Vec::new();
    walk(schema, Some(Vec::new()), &mut found)?;
    let mut seen: Vec<String> = Vec::new();
    for header in &found {
        let folded = header.header.to_ascii_lowercase();
        if seen.contains(&folded) {
            return Err(format!("{} is declared twice", header.header));
        }
        seen.push(folded);
    }
    Ok(found)
}

/// Visits every schema position; `path` is `Some` while the chain from the root is made of
/// `properties` keys only.
fn walk(
    schema: &Map<String, Value>,
    path: Option<Vec<String>>,
    found: &mut Vec<ParamHeader>,
) -> Result<(), String> {
    if let Some(token) = schema.get(ANNOTATION) {
        let Some(path) = path.as_ref().filter(|p| !p.is_empty()) else {
            return Err(format!(
                "{ANNOTATION} is only allowed on properties reached through `properties` alone"
            ));
        };
        let where_ = path.join(".");
        let token = token
            .as_str()
            .filter(|t| is_token(t))
            .ok_or_else(|| format!("{ANNOTATION} of `{where_}` is not a header name token"))?;
        let kind = match schema.get("type").and_then(Value::as_str) {
            Some("string") => Kind::String,
            Some("integer") => Kind::Integer,
            Some("boolean") => Kind::Boolean,
            _ => {
                return Err(format!(
                    "{ANNOTATION} of `{where_}` is only allowed on string, integer and boolean properties"
                ));
            }
        };
        found.push(ParamHeader {
            path: path.clone(),
            header: format!("{PREFIX}{token}"),
            kind,
        });
    }
    for (keyword, value) in schema {
        if keyword == ANNOTATION || DATA_KEYWORDS.contains(&keyword.as_str()) {
            continue;
        }
        if keyword == "properties" {
            if let Value::Object(properties) = value {
                for (name, sub) in properties {
                    if let Value::Object(sub) = sub {
                        let child = path.as_ref().map(|p| {
                            let mut p = p.clone();
                            p.push(name.clone());
                            p
                        });
                        walk(sub, child, found)?;
                    }
                }
            }
            continue;
        }
        visit_elsewhere(value, found)?;
    }
    Ok(())
}

/// Schemas under any keyword but `properties`: off the chain.
fn visit_elsewhere(value: &Value, found: &mut Vec<ParamHeader>) -> Result<(), String> {
    match value {
        Value::Object(map) => walk(map, None, found),
        Value::Array(items) => items.iter().try_for_each(|v| visit_elsewhere(v, found)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(schema: Value) -> Tool {
        Tool::new("t", schema.as_object().cloned().unwrap_or_default())
    }

    fn headers(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Vec<Option<String>> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| Some(v.clone()))
                .collect()
        }
    }

    fn region_tool() -> ParamHeaders {
        ParamHeaders::new(&[tool(json!({
            "type": "object",
            "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "n": {"type": "integer", "x-mcp-header": "N"},
                "nested": {"type": "object", "properties": {
                    "flag": {"type": "boolean", "x-mcp-header": "Flag"}
                }}
            }
        }))])
    }

    #[test]
    fn headers_must_match_arguments() {
        let p = region_tool();
        let args = json!({"region": "us-west1", "n": 42, "nested": {"flag": true}});
        let args = args.as_object();
        let ok = headers(&[
            ("Mcp-Param-Region", "us-west1"),
            ("mcp-param-n", "42.0"),
            ("MCP-PARAM-FLAG", "true"),
        ]);
        assert_eq!(p.check("t", args, ok), Ok(()));
        let wrong = headers(&[
            ("Mcp-Param-Region", "eu"),
            ("Mcp-Param-N", "42"),
            ("Mcp-Param-Flag", "true"),
        ]);
        assert!(p.check("t", args, wrong).unwrap_err().contains("Region"));
        let missing = headers(&[("Mcp-Param-N", "42"), ("Mcp-Param-Flag", "true")]);
        assert!(p.check("t", args, missing).unwrap_err().contains("missing"));
        let absent_arg = json!({});
        assert!(
            p.check(
                "t",
                absent_arg.as_object(),
                headers(&[("Mcp-Param-N", "1")])
            )
            .unwrap_err()
            .contains("absent")
        );
        assert_eq!(p.check("t", absent_arg.as_object(), headers(&[])), Ok(()));
        assert_eq!(p.check("other", args, headers(&[])), Ok(()));
    }

    #[test]
    fn base64_sentinel_values() {
        assert_eq!(decode_header_value("plain").as_deref(), Some("plain"));
        assert_eq!(decode_header_value("  padded\t").as_deref(), Some("padded"));
        assert_eq!(
            decode_header_value("=?base64?SGVsbG8sIOS4lueVjA==?=").as_deref(),
            Some("Hello, 世界")
        );
        assert_eq!(
            decode_header_value("=?base64?SGVsbG8?="),
            None,
            "bad padding"
        );
        assert_eq!(
            decode_header_value("=?base64?SGVs!!!bG8=?="),
            None,
            "bad chars"
        );
        assert_eq!(
            decode_header_value("=?base64?SGVsbG8=").as_deref(),
            Some("=?base64?SGVsbG8="),
            "no suffix: literal"
        );
        let p = region_tool();
        let args = json!({"region": "Hello"});
        assert_eq!(
            p.check(
                "t",
                args.as_object(),
                headers(&[("Mcp-Param-Region", "=?base64?SGVsbG8=?=")])
            ),
            Ok(())
        );
    }

    #[test]
    fn invalid_annotations_leave_the_tool_unchecked() {
        for schema in [
            json!({"type": "object", "properties": {"x": {"type": "number", "x-mcp-header": "X"}}}),
            json!({"type": "object", "properties": {"x": {"type": "string", "x-mcp-header": "bad name"}}}),
            json!({"type": "object", "properties": {
                "a": {"type": "string", "x-mcp-header": "A"},
                "b": {"type": "string", "x-mcp-header": "a"}}}),
            json!({"type": "object", "properties": {"list": {"type": "array",
                "items": {"type": "string", "x-mcp-header": "Item"}}}}),
            json!({"type": "object", "$defs": {"d": {"type": "string", "x-mcp-header": "D"}}}),
        ] {
            let p = ParamHeaders::new(&[tool(schema.clone())]);
            assert!(p.by_tool.is_empty(), "{schema}");
        }
    }
}
