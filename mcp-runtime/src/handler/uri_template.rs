//! Matching URIs against RFC 6570 templates (simple `{name}` expressions).

/// Matches `uri` against `template` and returns the value of each `{name}`, in order.
///
/// A `{name}` matches one or more characters up to the next literal part of the template
/// (never a `/`); values are percent-decoded. `{+name}` (reserved expansion) may span `/`.
///
/// ```
/// use mcp_runtime::convert::match_uri_template;
/// let vars = match_uri_template("test://template/{id}/data", "test://template/123/data").unwrap();
/// assert_eq!(vars, vec![("id", "123".to_string())]);
/// assert!(match_uri_template("test://template/{id}/data", "test://template/1/2/data").is_none());
/// assert_eq!(
///     match_uri_template("file:///{+path}", "file:///a/b%20c.txt").unwrap(),
///     vec![("path", "a/b c.txt".to_string())]
/// );
/// ```
pub fn match_uri_template<'t>(template: &'t str, uri: &str) -> Option<Vec<(&'t str, String)>> {
    let mut vars = Vec::new();
    let mut rest_t = template;
    let mut rest_u = uri;
    loop {
        match rest_t.find('{') {
            None => return (rest_t == rest_u).then_some(vars),
            Some(open) => {
                let literal = &rest_t[..open];
                rest_u = rest_u.strip_prefix(literal)?;
                let close = rest_t[open..].find('}')? + open;
                let expr = &rest_t[open + 1..close];
                let (name, reserved) = match expr.strip_prefix('+') {
                    Some(name) => (name, true),
                    None => (expr, false),
                };
                rest_t = &rest_t[close + 1..];
                let next_literal = rest_t.find('{').map_or(rest_t, |i| &rest_t[..i]);
                let end = if next_literal.is_empty() {
                    rest_u.len()
                } else if reserved {
                    rest_u.rfind(next_literal)?
                } else {
                    rest_u.find(next_literal)?
                };
                let value = &rest_u[..end];
                if value.is_empty() || (!reserved && value.contains('/')) {
                    return None;
                }
                vars.push((name, percent_decode(value)?));
                rest_u = &rest_u[end..];
            }
        }
    }
}

/// The `{name}`s of a template, in order.
///
/// ```
/// assert_eq!(mcp_runtime::convert::uri_template_variables("a://{x}/{+y}"), vec!["x", "y"]);
/// ```
pub fn uri_template_variables(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let expr = &rest[open + 1..open + close];
        names.push(expr.strip_prefix('+').unwrap_or(expr));
        rest = &rest[open + close + 1..];
    }
    names
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Two hex digits, no more: `from_str_radix` alone would also take a sign (`%+F`).
            let hex = s.get(i + 1..i + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_and_rejects() {
        let t = "test://template/{id}/data";
        assert_eq!(
            match_uri_template(t, "test://template/abc/data").unwrap(),
            vec![("id", "abc".into())]
        );
        assert!(match_uri_template(t, "test://template//data").is_none());
        assert!(match_uri_template(t, "test://template/abc/datum").is_none());
        assert!(match_uri_template(t, "test://other/abc/data").is_none());
        let two = "db://{table}/{row}";
        assert_eq!(
            match_uri_template(two, "db://users/42").unwrap(),
            vec![("table", "users".into()), ("row", "42".into())]
        );
        assert!(match_uri_template("x://{a}", "x://%zz").is_none());
        // Found by the `uri_template` fuzz target: `u8::from_str_radix` takes a sign.
        assert!(match_uri_template("x://{a}", "x://A%+FA").is_none());
        assert!(match_uri_template("x://{a}", "x://%-1").is_none());
        assert_eq!(
            match_uri_template("x://{a}", "x://%41%e2%82%AC").unwrap(),
            vec![("a", "A€".into())]
        );
        assert_eq!(
            match_uri_template("x://fixed", "x://fixed").unwrap(),
            vec![]
        );
    }
}
