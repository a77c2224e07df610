//! The agent skills extension (`io.modelcontextprotocol/skills`, SEP-2640): `skills/list`,
//! `skills/get` and `resources/directory/read`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The extension's identifier in the capabilities' `extensions` map.
pub const SKILLS_EXTENSION: &str = "io.modelcontextprotocol/skills";

/// The MIME type of a directory resource (a child of `resources/directory/read`).
pub const DIRECTORY_MIME_TYPE: &str = "inode/directory";

/// One skill, as `skills/list` and `skills/get` show it.
///
/// ```
/// use mcp_runtime::protocol::{SkillEntry, SkillFile};
/// let entry = SkillEntry {
///     uri: "skill://greeting/SKILL.md".into(),
///     frontmatter: serde_json::json!({"name": "greeting", "description": "Greets"})
///         .as_object().unwrap().clone(),
///     resources: vec![SkillFile { uri: "skill://greeting/SKILL.md".into(), digest: "sha256:00".into(), size: 3 }],
/// };
/// assert_eq!(serde_json::to_value(&entry).unwrap()["resources"][0]["size"], 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillEntry {
    /// The URI of the skill's `SKILL.md` (`skill://<skill-path>/SKILL.md`).
    pub uri: String,
    /// The `SKILL.md` YAML frontmatter, as a JSON object.
    pub frontmatter: Map<String, Value>,
    /// Every file of the skill, `SKILL.md` included, each once.
    pub resources: Vec<SkillFile>,
}

/// One file of a skill: where to read it, and what a reader can check it against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillFile {
    /// The file's resource URI.
    pub uri: String,
    /// `sha256:` and the 64 lowercase hex digits of the SHA-256 of its bytes.
    pub digest: String,
    /// Its length in bytes.
    pub size: u64,
}

/// The result of `skills/list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListSkillsResult {
    /// The skills of this page.
    pub skills: Vec<SkillEntry>,
    /// Where the next page starts, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The result of `skills/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetSkillResult {
    /// The skill.
    pub skill: SkillEntry,
}

/// A child of a directory, as `resources/directory/read` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryChild {
    /// The child's URI.
    pub uri: String,
    /// Its name (the last path segment).
    pub name: String,
    /// Its MIME type; [`DIRECTORY_MIME_TYPE`] for a sub-directory.
    pub mime_type: String,
    /// Its size in bytes (files only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// The result of `resources/directory/read`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryReadResult {
    /// The direct children of this page.
    pub resources: Vec<DirectoryChild>,
    /// Where the next page starts, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The params of `resources/directory/read`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryReadParams {
    /// The directory's URI.
    pub uri: String,
    /// Where the page starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
