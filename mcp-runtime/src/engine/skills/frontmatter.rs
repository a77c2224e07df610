//! The YAML frontmatter of a `SKILL.md`, and the MIME types of skill files.

use serde_json::{Map, Value};

/// The frontmatter of `text` as a JSON object: the YAML between a leading `---` line and the
/// next `---` line. `Err` says why there is none a skill can use (it needs a non-empty
/// `name` and `description`).
pub(crate) fn parse(text: &str) -> Result<Map<String, Value>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or("SKILL.md does not begin with a `---` frontmatter line")?;
    let mut yaml_len = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim_end_matches([' ', '\t']) == "---" {
            yaml_len = Some(offset);
            break;
        }
        offset += line.len();
    }
    let yaml = &body[..yaml_len.ok_or("SKILL.md frontmatter has no closing `---` line")?];
    let value: Value =
        serde_yaml::from_str(yaml).map_err(|e| format!("SKILL.md frontmatter: {e}"))?;
    let Value::Object(map) = value else {
        return Err("SKILL.md frontmatter is not a mapping".to_owned());
    };
    for field in ["name", "description"] {
        if map
            .get(field)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(format!("SKILL.md frontmatter has no non-empty `{field}`"));
        }
    }
    Ok(map)
}

/// The MIME type of a skill file, from its name.
pub(crate) fn mime_type(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("md" | "markdown") => "text/markdown",
        Some("txt") => "text/plain",
        Some("json") => "application/json",
        Some("yaml" | "yml") => "application/yaml",
        Some("toml") => "application/toml",
        Some("csv") => "text/csv",
        Some("html" | "htm") => "text/html",
        Some("xml") => "application/xml",
        Some("py") => "text/x-python",
        Some("sh") => "application/x-sh",
        Some("js" | "mjs") => "text/javascript",
        Some("ts") => "application/typescript",
        Some("rs") => "text/x-rust",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontmatter_is_the_yaml_between_the_dashes() {
        let text = "---\nname: pdf\ndescription: \"Fill forms: fast\"\nmetadata:\n  author: me\n  tags: [a, b]\n---\n# Body\n---\n";
        let map = parse(text).unwrap();
        assert_eq!(map["name"], "pdf");
        assert_eq!(map["description"], "Fill forms: fast");
        assert_eq!(
            map["metadata"],
            serde_json::json!({"author": "me", "tags": ["a", "b"]})
        );
        let crlf = "\u{feff}---\r\nname: a\r\ndescription: b\r\n--- \r\nbody";
        assert_eq!(parse(crlf).unwrap()["description"], "b");
    }

    #[test]
    fn a_skill_md_without_usable_frontmatter_is_refused() {
        assert!(parse("# no frontmatter").is_err());
        assert!(parse("---\nname: a\ndescription: b\n").is_err(), "unclosed");
        assert!(parse("---\n- a\n- b\n---\n").is_err(), "not a mapping");
        assert!(parse("---\nname: a\n---\n").is_err(), "no description");
        assert!(parse("---\nname: ''\ndescription: b\n---\n").is_err());
        assert!(parse("---\nname: [unclosed\n---\n").is_err(), "bad YAML");
    }

    #[test]
    fn mime_types_follow_the_extension() {
        assert_eq!(mime_type("SKILL.md"), "text/markdown");
        assert_eq!(mime_type("fill.PY"), "text/x-python");
        assert_eq!(mime_type("LICENSE"), "application/octet-stream");
    }
}
