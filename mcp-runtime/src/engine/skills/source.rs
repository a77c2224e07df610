//! Where skill files come from: a directory read at request time, or files embedded in the
//! binary. Paths here are relative (`<skill>/<segment>/...`), already checked by
//! [`checked_segments`]; reads are bounded, and never leave the root.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::SkillError;

/// The most bytes one skill may have, all its files together (the SEP's limit), and so
/// one file.
pub(crate) const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The most files one skill may have (the SEP's limit).
pub(crate) const MAX_FILES: usize = 512;
/// How deep a skill's directories may nest.
const MAX_DEPTH: usize = 16;

/// One file of a skill: its path below the skill's directory, and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileInfo {
    pub(crate) path: String,
    pub(crate) size: u64,
}

/// The segments of a relative path, or why it is refused: empty segments (and so absolute
/// paths), `.`, `..`, backslashes and NULs never name a skill file.
pub(crate) fn checked_segments(path: &str) -> Result<Vec<&str>, SkillError> {
    let segments: Vec<&str> = path.split('/').collect();
    let bad = |s: &&str| s.is_empty() || *s == "." || *s == ".." || s.contains(['\\', '\0']);
    if segments.iter().any(bad) {
        return Err(SkillError::InvalidPath(path.to_owned()));
    }
    Ok(segments)
}

pub(crate) enum Source {
    /// Skills are the sub-directories of this root that hold a `SKILL.md`.
    Dir(PathBuf),
    /// `(path, bytes)`, paths relative to the root (`<skill>/SKILL.md`, ...).
    Embedded(Vec<(String, &'static [u8])>),
}

impl std::fmt::Debug for Source {
    /// Paths, not the embedded bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Dir(root) => f.debug_tuple("Dir").field(root).finish(),
            Source::Embedded(files) => f
                .debug_tuple("Embedded")
                .field(&files.iter().map(|(path, _)| path).collect::<Vec<_>>())
                .finish(),
        }
    }
}

impl Source {
    /// The names of the skills, sorted: the directories with a `SKILL.md`.
    pub(crate) fn skill_names(&self) -> Result<Vec<String>, SkillError> {
        let mut names = match self {
            Source::Dir(root) => {
                let mut names = Vec::new();
                for entry in fs::read_dir(root).map_err(|e| SkillError::io(root, e))? {
                    let entry = entry.map_err(|e| SkillError::io(root, e))?;
                    let Ok(name) = entry.file_name().into_string() else {
                        continue;
                    };
                    let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                    if is_dir && self.file_size(&name, "SKILL.md").is_ok() {
                        names.push(name);
                    }
                }
                names
            }
            Source::Embedded(files) => files
                .iter()
                .filter_map(|(path, _)| path.strip_suffix("/SKILL.md"))
                .filter(|skill| !skill.contains('/'))
                .map(str::to_owned)
                .collect(),
        };
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Every file of `skill`, sorted by path; at most [`MAX_FILES`].
    pub(crate) fn files(&self, skill: &str) -> Result<Vec<FileInfo>, SkillError> {
        checked_segments(skill)?;
        let mut files = Vec::new();
        match self {
            Source::Dir(root) => {
                let root = canonical_root(root)?;
                walk(&root, &root.join(skill), "", 0, &mut files)?;
            }
            Source::Embedded(embedded) => {
                let prefix = format!("{skill}/");
                files.extend(embedded.iter().filter_map(|(path, bytes)| {
                    let rel = path.strip_prefix(&prefix)?;
                    Some(FileInfo {
                        path: rel.to_owned(),
                        size: bytes.len() as u64,
                    })
                }));
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        if files.len() > MAX_FILES {
            tracing::warn!(
                skill,
                files = files.len(),
                "skill has too many files; served the first {MAX_FILES}"
            );
            files.truncate(MAX_FILES);
        }
        Ok(files)
    }

    /// The size of `skill`'s file `path`, checked as [`read`](Self::read) checks it.
    fn file_size(&self, skill: &str, path: &str) -> Result<u64, SkillError> {
        match self {
            Source::Dir(root) => Ok(self.open(root, skill, path)?.1),
            Source::Embedded(_) => self.read(skill, path).map(|b| b.len() as u64),
        }
    }

    /// The bytes of `skill`'s file `path` (at most [`MAX_FILE_BYTES`]).
    pub(crate) fn read(&self, skill: &str, path: &str) -> Result<Vec<u8>, SkillError> {
        let not_found = || SkillError::NotFound(format!("{skill}/{path}"));
        match self {
            Source::Dir(root) => {
                let (file, size) = self.open(root, skill, path)?;
                let mut bytes = Vec::with_capacity(size.min(MAX_FILE_BYTES) as usize);
                file.take(MAX_FILE_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| SkillError::io(&root.join(skill).join(path), e))?;
                if bytes.len() as u64 > MAX_FILE_BYTES {
                    return Err(SkillError::TooLarge(format!("{skill}/{path}")));
                }
                Ok(bytes)
            }
            Source::Embedded(files) => {
                let full = format!("{skill}/{path}");
                let (_, bytes) = files
                    .iter()
                    .find(|(p, _)| *p == full)
                    .ok_or_else(not_found)?;
                Ok(bytes.to_vec())
            }
        }
    }

    /// Opens a file below `root`, refusing what resolves outside it (`..`, symlinks).
    fn open(&self, root: &Path, skill: &str, path: &str) -> Result<(fs::File, u64), SkillError> {
        checked_segments(skill)?;
        checked_segments(path)?;
        let root = canonical_root(root)?;
        let wanted = root.join(skill).join(path);
        let resolved = match wanted.canonicalize() {
            Ok(resolved) => resolved,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SkillError::NotFound(format!("{skill}/{path}")));
            }
            Err(e) => return Err(SkillError::io(&wanted, e)),
        };
        if !resolved.starts_with(&root) {
            return Err(SkillError::OutsideRoot(format!("{skill}/{path}")));
        }
        let metadata = fs::metadata(&resolved).map_err(|e| SkillError::io(&resolved, e))?;
        if metadata.is_dir() {
            return Err(SkillError::IsADirectory(format!("{skill}/{path}")));
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(SkillError::TooLarge(format!("{skill}/{path}")));
        }
        let file = fs::File::open(&resolved).map_err(|e| SkillError::io(&resolved, e))?;
        Ok((file, metadata.len()))
    }
}

fn canonical_root(root: &Path) -> Result<PathBuf, SkillError> {
    root.canonicalize().map_err(|e| SkillError::io(root, e))
}

/// Collects the files below `dir` (whose path below the skill is `rel`); a symlink counts
/// only when it resolves to a file inside `root`, and is never followed into a directory.
fn walk(
    root: &Path,
    dir: &Path,
    rel: &str,
    depth: usize,
    files: &mut Vec<FileInfo>,
) -> Result<(), SkillError> {
    if depth > MAX_DEPTH || files.len() > MAX_FILES {
        return Ok(());
    }
    for entry in fs::read_dir(dir).map_err(|e| SkillError::io(dir, e))? {
        let entry = entry.map_err(|e| SkillError::io(dir, e))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if checked_segments(&name).is_err() {
            continue;
        }
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(root, &entry.path(), &path, depth + 1, files)?;
            continue;
        }
        let Ok(resolved) = entry.path().canonicalize() else {
            continue;
        };
        let Ok(metadata) = fs::metadata(&resolved) else {
            continue;
        };
        if resolved.starts_with(root) && metadata.is_file() {
            files.push(FileInfo {
                path,
                size: metadata.len(),
            });
        }
    }
    Ok(())
}
