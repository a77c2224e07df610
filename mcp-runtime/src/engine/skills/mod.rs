//! [`Skills`]: the agent skills a server offers (the `io.modelcontextprotocol/skills`
//! extension, SEP-2640), served as `skill://` resources with `skills/list`, `skills/get` and
//! `resources/directory/read`.

mod frontmatter;
mod source;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::protocol::{
    DIRECTORY_MIME_TYPE, DirectoryChild, DirectoryReadResult, ErrorObject, ListSkillsResult,
    ReadResourceResult, Resource, ResourceContents, SkillEntry, SkillFile,
};
use source::{FileInfo, Source, checked_segments};

/// The scheme of skill resources.
const SCHEME: &str = "skill://";
/// Every skill's manifest, at the root of its directory.
const MANIFEST: &str = "SKILL.md";

/// The agent skills a server offers: directories holding a `SKILL.md` (YAML frontmatter
/// with at least `name` and `description`, then instructions) and supporting files.
///
/// Give them to the server with [`ServerConfig::skills`](crate::ServerConfig::skills); it
/// then declares the `io.modelcontextprotocol/skills` extension (with `directoryRead`),
/// answers `skills/list`, `skills/get` and `resources/directory/read`, lists each
/// `SKILL.md` in `resources/list` and serves every skill file through `resources/read` as
/// `skill://<skill>/<path>`.
///
/// ```
/// use mcp_runtime::{ServerConfig, Skills};
///
/// // Read from disk at each request: an edited file is served edited, with no restart.
/// let from_disk = Skills::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/skills"));
/// // Or compiled into the binary.
/// let embedded = Skills::embedded([(
///     "greeting/SKILL.md",
///     &b"---\nname: greeting\ndescription: Greets people\n---\nSay hello.\n"[..],
/// )]);
/// let config = ServerConfig::new().skills(embedded);
/// assert!(config.skills.is_some());
/// # drop(from_disk);
/// ```
#[derive(Debug, Clone)]
pub struct Skills {
    source: Arc<Source>,
}

/// Why a skill or skill file cannot be served.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SkillError {
    /// Not a `skill://` URI this server could serve (`..`, empty segments, ...).
    #[error(
        "invalid skill path {0:?}: expected skill://<skill>/<path> with no empty, `.` or `..` segments"
    )]
    InvalidPath(String),
    /// Resolves outside the skills' root (a symlink pointing out).
    #[error("skill path {0:?} resolves outside the skills directory")]
    OutsideRoot(String),
    /// No such skill or file.
    #[error("no skill file {0:?}")]
    NotFound(String),
    /// A directory where a file was expected.
    #[error("{0:?} is a directory, not a file")]
    IsADirectory(String),
    /// A file where a directory was expected.
    #[error("{0:?} is not a directory")]
    NotADirectory(String),
    /// Larger than a skill file may be.
    #[error("skill or skill file {0:?} is larger than 16 MiB")]
    TooLarge(String),
    /// A `SKILL.md` without usable frontmatter.
    #[error("skill {skill:?}: {reason}")]
    Manifest { skill: String, reason: String },
    /// A page cursor this server did not give.
    #[error("invalid cursor {0:?}")]
    Cursor(String),
    /// Reading the disk failed.
    #[error("reading {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl SkillError {
    fn io(path: &Path, error: std::io::Error) -> Self {
        SkillError::Io {
            path: path.to_owned(),
            error,
        }
    }
}

impl From<SkillError> for ErrorObject {
    /// Bad params for everything the client could fix, internal errors for the disk's.
    fn from(error: SkillError) -> Self {
        match error {
            SkillError::Io { .. } => {
                tracing::error!(%error, "skill file unreadable");
                ErrorObject::internal(error)
            }
            error => ErrorObject::invalid_params(error),
        }
    }
}

/// A parsed `skill://<skill>/<path>` URI; `path` is empty for the skill's own directory.
struct SkillUri<'a> {
    skill: &'a str,
    path: &'a str,
}

impl<'a> SkillUri<'a> {
    fn parse(uri: &'a str) -> Result<Self, SkillError> {
        let rest = uri
            .strip_prefix(SCHEME)
            .ok_or_else(|| SkillError::InvalidPath(uri.to_owned()))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        checked_segments(rest).map_err(|_| SkillError::InvalidPath(uri.to_owned()))?;
        let (skill, path) = rest.split_once('/').unwrap_or((rest, ""));
        Ok(SkillUri { skill, path })
    }
}

fn file_uri(skill: &str, path: &str) -> String {
    format!("{SCHEME}{skill}/{path}")
}

fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for byte in hash.iter() {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

impl Skills {
    /// The skills in `root`: each sub-directory holding a `SKILL.md` is one skill, named by
    /// the directory. Nothing is read until a request needs it, and then from disk, so a
    /// changed file is served changed; paths that resolve outside `root` are refused.
    pub fn from_dir(root: impl Into<PathBuf>) -> Self {
        Skills {
            source: Arc::new(Source::Dir(root.into())),
        }
    }

    /// Skills compiled into the binary, as `(path, bytes)` with paths relative to the skills'
    /// root (`<skill>/SKILL.md`, `<skill>/references/FORMS.md`, ...), e.g. from
    /// `include_bytes!`. A path with an empty, `.` or `..` segment is left out.
    ///
    /// ```
    /// use mcp_runtime::Skills;
    /// let skills = Skills::embedded([
    ///     ("notes/SKILL.md", &b"---\nname: notes\ndescription: Takes notes\n---\n"[..]),
    ///     ("notes/templates/daily.md", &b"# Today\n"[..]),
    /// ]);
    /// # drop(skills);
    /// ```
    pub fn embedded(files: impl IntoIterator<Item = (&'static str, &'static [u8])>) -> Self {
        let files = files
            .into_iter()
            .filter(|(path, _)| {
                let ok = checked_segments(path).is_ok_and(|s| s.len() >= 2);
                if !ok {
                    tracing::warn!(path, "embedded skill file left out: not <skill>/<path>");
                }
                ok
            })
            .map(|(path, bytes)| (path.to_owned(), bytes))
            .collect();
        Skills {
            source: Arc::new(Source::Embedded(files)),
        }
    }

    /// The entry of `skill`: its frontmatter, and every file with its digest and size.
    fn entry(&self, skill: &str) -> Result<SkillEntry, SkillError> {
        let manifest = self.source.read(skill, MANIFEST)?;
        let text = String::from_utf8_lossy(&manifest);
        let frontmatter = frontmatter::parse(&text).map_err(|reason| SkillError::Manifest {
            skill: skill.to_owned(),
            reason,
        })?;
        let mut resources = vec![SkillFile {
            uri: file_uri(skill, MANIFEST),
            digest: digest(&manifest),
            size: manifest.len() as u64,
        }];
        for FileInfo { path, .. } in self.source.files(skill)? {
            if path == MANIFEST {
                continue;
            }
            // Digest and size of the bytes read now, so they always agree.
            let bytes = self.source.read(skill, &path)?;
            resources.push(SkillFile {
                uri: file_uri(skill, &path),
                digest: digest(&bytes),
                size: bytes.len() as u64,
            });
        }
        if resources.iter().map(|f| f.size).sum::<u64>() > source::MAX_FILE_BYTES {
            return Err(SkillError::TooLarge(skill.to_owned()));
        }
        Ok(SkillEntry {
            uri: file_uri(skill, MANIFEST),
            frontmatter,
            resources,
        })
    }

    /// The skills that can be served (a skill whose `SKILL.md` is unusable is left out).
    fn entries(&self) -> Result<Vec<SkillEntry>, SkillError> {
        let mut entries = Vec::new();
        for skill in self.source.skill_names()? {
            match self.entry(&skill) {
                Ok(entry) => entries.push(entry),
                Err(error @ SkillError::Io { .. }) => return Err(error),
                Err(error) => tracing::warn!(%error, "skill left out"),
            }
        }
        entries.sort_by(|a, b| a.uri.cmp(&b.uri));
        Ok(entries)
    }

    /// `skills/list`: a page of `page_size` skills (all without one) from `cursor`.
    pub(crate) fn list(
        &self,
        cursor: Option<&str>,
        page_size: Option<usize>,
    ) -> Result<ListSkillsResult, SkillError> {
        let (skills, next_cursor) = page(self.entries()?, cursor, page_size, |e| &e.uri)?;
        Ok(ListSkillsResult {
            skills,
            next_cursor,
        })
    }

    /// `skills/get`: the entry of the skill whose `SKILL.md` is `uri`.
    pub(crate) fn get(&self, uri: &str) -> Result<SkillEntry, SkillError> {
        let parsed = SkillUri::parse(uri)?;
        if parsed.path != MANIFEST {
            return Err(SkillError::NotFound(uri.to_owned()));
        }
        self.entry(parsed.skill)
    }

    /// The `resources/list` entries: each servable skill's `SKILL.md`.
    pub(crate) fn manifests(&self) -> Result<Vec<Resource>, SkillError> {
        Ok(self
            .entries()?
            .into_iter()
            .map(|entry| {
                let text = |key: &str| entry.frontmatter[key].as_str().unwrap_or("").to_owned();
                Resource::new(entry.uri.clone(), text("name"))
                    .with_description(text("description"))
                    .with_mime_type(frontmatter::mime_type(MANIFEST))
                    .with_size(entry.resources[0].size)
            })
            .collect())
    }

    /// `resources/read` of a skill file: text when it is UTF-8, base64 otherwise.
    pub(crate) fn read(&self, uri: &str) -> Result<ReadResourceResult, SkillError> {
        let parsed = SkillUri::parse(uri)?;
        if parsed.path.is_empty() {
            return Err(SkillError::IsADirectory(uri.to_owned()));
        }
        let bytes = self.source.read(parsed.skill, parsed.path)?;
        let name = parsed.path.rsplit('/').next().unwrap_or(parsed.path);
        let mime_type = frontmatter::mime_type(name);
        Ok(ReadResourceResult::one(match String::from_utf8(bytes) {
            Ok(text) => ResourceContents::text(uri, mime_type, text),
            Err(bytes) => ResourceContents::Blob {
                uri: uri.to_owned(),
                mime_type: Some(mime_type.to_owned()),
                blob: crate::protocol::base64::encode(bytes.as_bytes()),
                meta: None,
            },
        }))
    }

    /// `resources/directory/read`: the direct children of a skill's directory (the skill's
    /// own, `skill://<skill>`, or one below it), sub-directories as `inode/directory`.
    pub(crate) fn directory(
        &self,
        uri: &str,
        cursor: Option<&str>,
        page_size: Option<usize>,
    ) -> Result<DirectoryReadResult, SkillError> {
        let parsed = SkillUri::parse(uri)?;
        // Only skills are directories here: the skill must have its SKILL.md.
        self.source.read(parsed.skill, MANIFEST)?;
        let files = self.source.files(parsed.skill)?;
        if files.iter().any(|f| f.path == parsed.path) {
            return Err(SkillError::NotADirectory(uri.to_owned()));
        }
        let prefix = match parsed.path {
            "" => String::new(),
            path => format!("{path}/"),
        };
        let base = uri.strip_suffix('/').unwrap_or(uri);
        let mut children: Vec<DirectoryChild> = Vec::new();
        for file in files.iter() {
            let Some(rest) = file.path.strip_prefix(&prefix) else {
                continue;
            };
            let child = match rest.split_once('/') {
                Some((dir, _)) => DirectoryChild {
                    uri: format!("{base}/{dir}"),
                    name: dir.to_owned(),
                    mime_type: DIRECTORY_MIME_TYPE.to_owned(),
                    size: None,
                },
                None => DirectoryChild {
                    uri: format!("{base}/{rest}"),
                    name: rest.to_owned(),
                    mime_type: frontmatter::mime_type(rest).to_owned(),
                    size: Some(file.size),
                },
            };
            if children.last().is_none_or(|last| last.uri != child.uri) {
                children.push(child);
            }
        }
        if children.is_empty() {
            return Err(SkillError::NotFound(uri.to_owned()));
        }
        children.sort_by(|a, b| a.uri.cmp(&b.uri));
        children.dedup_by(|a, b| a.uri == b.uri);
        let (resources, next_cursor) = page(children, cursor, page_size, |c| &c.uri)?;
        Ok(DirectoryReadResult {
            resources,
            next_cursor,
        })
    }
}

/// The page of `items` (sorted by `key`) after `cursor`, which is the last key of the page
/// before: a page stays right when items come or go between requests.
fn page<T>(
    items: Vec<T>,
    cursor: Option<&str>,
    page_size: Option<usize>,
    key: impl Fn(&T) -> &str,
) -> Result<(Vec<T>, Option<String>), SkillError> {
    let start = match cursor {
        None => 0,
        Some(after) if after.starts_with(SCHEME) => items.partition_point(|i| key(i) <= after),
        Some(other) => return Err(SkillError::Cursor(other.to_owned())),
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).collect();
    let size = page_size.unwrap_or(usize::MAX).max(1);
    if rest.len() <= size {
        return Ok((rest, None));
    }
    rest.truncate(size);
    let next = rest.last().map(|last| key(last).to_owned());
    Ok((rest, next))
}
