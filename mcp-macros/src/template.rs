//! URI templates as `#[resource(uri = "...")]` takes them: RFC 6570 simple (`{name}`) and
//! reserved (`{+name}`) expressions, the ones `mcp_runtime::match_uri_template` matches.

/// One `{name}` of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Var {
    pub(crate) name: String,
}

/// The variables of `template`, in order (none for a fixed URI), or why it cannot be matched.
pub(crate) fn parse(template: &str) -> Result<Vec<Var>, String> {
    let mut vars: Vec<Var> = Vec::new();
    let mut rest = template;
    // Whether the last thing read was an expression, so that a literal must follow.
    let mut after_var = false;
    while !rest.is_empty() {
        let open = rest.find('{');
        let close = rest.find('}');
        match (open, close) {
            (_, Some(close)) if open.is_none_or(|open| close < open) => {
                return Err("`}` without a matching `{`; write only `{name}` expressions".into());
            }
            (None, _) => break,
            (Some(open), _) => {
                if open == 0 && after_var {
                    return Err(
                        "two `{...}` expressions need some text between them, or the \
                                URI cannot be split into their values"
                            .into(),
                    );
                }
                let Some(len) = rest[open..].find('}') else {
                    return Err("`{` without a matching `}`".into());
                };
                let expr = &rest[open + 1..open + len];
                let name = expr.strip_prefix('+').unwrap_or(expr);
                if let Some(op) = name.chars().next().filter(|c| "#./;?&=,!@|".contains(*c)) {
                    return Err(format!(
                        "`{{{op}...}}` expressions are not supported; use `{{name}}`, or \
                         `{{+name}}` for a value that may contain `/`"
                    ));
                }
                if name.is_empty() {
                    return Err("empty `{}`; name the parameter: `{name}`".into());
                }
                if name.contains([',', '*', ':']) {
                    return Err(format!(
                        "`{{{expr}}}`: lists, prefixes and explode modifiers are not \
                         supported; use one `{{name}}` per parameter"
                    ));
                }
                if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return Err(format!(
                        "`{{{expr}}}`: a parameter name has letters, digits and `_` only"
                    ));
                }
                if vars.iter().any(|v| v.name == name) {
                    return Err(format!("`{{{name}}}` appears twice"));
                }
                vars.push(Var {
                    name: name.to_owned(),
                });
                rest = &rest[open + len + 1..];
                after_var = true;
                continue;
            }
        }
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(template: &str) -> Vec<String> {
        parse(template)
            .unwrap_or_else(|e| panic!("{template}: {e}"))
            .into_iter()
            .map(|v| v.name)
            .collect()
    }

    #[test]
    fn variables_in_order() {
        assert!(names("test://static-text").is_empty());
        assert_eq!(names("test://template/{id}/data"), ["id"]);
        assert_eq!(names("db://{table}/{row_id}"), ["table", "row_id"]);
        assert_eq!(names("file:///{+path}"), ["path"]);
        assert_eq!(names("x://{a}-{b}"), ["a", "b"]);
    }

    #[test]
    fn unsupported_templates() {
        let cases = [
            ("x://{a}{b}", "two `{...}` expressions need some text"),
            ("x://{a", "`{` without a matching `}`"),
            ("x://a}", "`}` without a matching `{`"),
            ("x://{}", "empty `{}`"),
            ("x://{?q}", "`{?...}` expressions are not supported"),
            ("x://{#frag}", "`{#...}` expressions are not supported"),
            ("x://{a,b}", "lists, prefixes and explode modifiers"),
            ("x://{a*}", "lists, prefixes and explode modifiers"),
            ("x://{a:3}", "lists, prefixes and explode modifiers"),
            ("x://{a-b}", "letters, digits and `_` only"),
            ("x://{a}/{a}", "`{a}` appears twice"),
        ];
        for (template, expected) in cases {
            let error = parse(template).unwrap_err();
            assert!(error.contains(expected), "{template}: {error}");
        }
    }
}
