use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::*;

const MANIFEST_TEXT: &str =
    "---\nname: pdf\ndescription: Fill PDF forms\nmetadata:\n  author: me\n---\n# PDF\n";

/// A fresh skills root under the target's temp dir, removed when dropped.
struct TempRoot(PathBuf);

impl TempRoot {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("mcp-skills-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("pdf/references")).unwrap();
        fs::write(dir.join("pdf/SKILL.md"), MANIFEST_TEXT).unwrap();
        fs::write(dir.join("pdf/references/FORMS.md"), "# Forms\n").unwrap();
        fs::write(dir.join("pdf/fill.py"), "print('x')\n").unwrap();
        // Not a skill: no SKILL.md.
        fs::create_dir_all(dir.join("notes")).unwrap();
        fs::write(dir.join("notes/README.md"), "hi").unwrap();
        TempRoot(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn sha(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

fn embedded() -> Skills {
    Skills::embedded([
        ("pdf/SKILL.md", MANIFEST_TEXT.as_bytes()),
        ("pdf/references/FORMS.md", &b"# Forms\n"[..]),
        ("pdf/fill.py", &b"print('x')\n"[..]),
        (
            "../evil/SKILL.md",
            &b"---\nname: evil\ndescription: x\n---\n"[..],
        ),
    ])
}

fn assert_pdf_entry(entry: &SkillEntry) {
    assert_eq!(entry.uri, "skill://pdf/SKILL.md");
    assert_eq!(entry.frontmatter["name"], "pdf");
    assert_eq!(entry.frontmatter["metadata"]["author"], "me");
    let files: Vec<(&str, &str, u64)> = entry
        .resources
        .iter()
        .map(|f| (f.uri.as_str(), f.digest.as_str(), f.size))
        .collect();
    let forms_digest = sha(b"# Forms\n");
    let manifest_digest = sha(MANIFEST_TEXT.as_bytes());
    let fill_digest = sha(b"print('x')\n");
    assert_eq!(
        files,
        [
            (
                "skill://pdf/SKILL.md",
                manifest_digest.as_str(),
                MANIFEST_TEXT.len() as u64
            ),
            ("skill://pdf/fill.py", fill_digest.as_str(), 11),
            ("skill://pdf/references/FORMS.md", forms_digest.as_str(), 8),
        ]
    );
}

#[test]
fn a_directory_and_embedded_files_give_the_same_entries() {
    let root = TempRoot::new("entries");
    for skills in [Skills::from_dir(root.path()), embedded()] {
        let list = skills.list(None, None).unwrap();
        assert_eq!(
            list.skills.len(),
            1,
            "only pdf has a SKILL.md; ../evil is refused"
        );
        assert_eq!(list.next_cursor, None);
        assert_pdf_entry(&list.skills[0]);
        assert_pdf_entry(&skills.get("skill://pdf/SKILL.md").unwrap());
        let manifests = skills.manifests().unwrap();
        assert_eq!(manifests[0].name, "pdf");
        assert_eq!(manifests[0].description.as_deref(), Some("Fill PDF forms"));
        assert_eq!(manifests[0].mime_type.as_deref(), Some("text/markdown"));
    }
}

#[test]
fn skills_list_pages_by_uri_and_refuses_foreign_cursors() {
    let skills = Skills::embedded([
        ("b/SKILL.md", &b"---\nname: b\ndescription: B\n---\n"[..]),
        (
            "a-b/SKILL.md",
            &b"---\nname: a-b\ndescription: AB\n---\n"[..],
        ),
        ("a/SKILL.md", &b"---\nname: a\ndescription: A\n---\n"[..]),
    ]);
    let mut uris = Vec::new();
    let mut cursor = None;
    loop {
        let page = skills.list(cursor.as_deref(), Some(1)).unwrap();
        assert_eq!(page.skills.len(), 1);
        uris.push(page.skills[0].uri.clone());
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(
        uris,
        [
            "skill://a-b/SKILL.md",
            "skill://a/SKILL.md",
            "skill://b/SKILL.md"
        ]
    );
    assert!(matches!(
        skills.list(Some("42"), Some(1)),
        Err(SkillError::Cursor(_))
    ));
}

#[test]
fn reads_are_text_or_base64_with_mime_types() {
    let skills = Skills::embedded([
        ("pdf/SKILL.md", MANIFEST_TEXT.as_bytes()),
        ("pdf/logo.png", &[0x89, b'P', b'N', b'G', 0xff][..]),
    ]);
    let read = serde_json::to_value(skills.read("skill://pdf/SKILL.md").unwrap()).unwrap();
    assert_eq!(read["contents"][0]["mimeType"], "text/markdown");
    assert_eq!(read["contents"][0]["text"], MANIFEST_TEXT);
    let read = serde_json::to_value(skills.read("skill://pdf/logo.png").unwrap()).unwrap();
    assert_eq!(read["contents"][0]["mimeType"], "image/png");
    assert!(read["contents"][0]["blob"].is_string());
}

#[test]
fn directory_read_lists_direct_children_with_directories_marked() {
    let root = TempRoot::new("directory");
    for skills in [Skills::from_dir(root.path()), embedded()] {
        let top = skills.directory("skill://pdf", None, None).unwrap();
        let children: Vec<(&str, &str)> = top
            .resources
            .iter()
            .map(|c| (c.uri.as_str(), c.mime_type.as_str()))
            .collect();
        assert_eq!(
            children,
            [
                ("skill://pdf/SKILL.md", "text/markdown"),
                ("skill://pdf/fill.py", "text/x-python"),
                ("skill://pdf/references", "inode/directory"),
            ]
        );
        let sub = skills
            .directory("skill://pdf/references/", None, None)
            .unwrap();
        assert_eq!(sub.resources[0].uri, "skill://pdf/references/FORMS.md");
        assert_eq!(sub.resources[0].size, Some(8));
        let first = skills.directory("skill://pdf", None, Some(2)).unwrap();
        let next = first.next_cursor.as_deref().unwrap();
        let second = skills
            .directory("skill://pdf", Some(next), Some(2))
            .unwrap();
        assert_eq!(second.resources.len(), 1);
        assert_eq!(second.next_cursor, None);
        for (uri, refused) in [
            ("skill://pdf/SKILL.md", "not a directory"),
            ("skill://pdf/nothing", "no such directory"),
            ("skill://notes", "not a skill"),
        ] {
            let error = skills.directory(uri, None, None).unwrap_err();
            let error = ErrorObject::from(error);
            assert_eq!(error.code, -32602, "{uri}: {refused}");
        }
    }
}

#[test]
fn traversal_is_refused_with_invalid_params() {
    let root = TempRoot::new("traversal");
    fs::write(root.path().join("secret.txt"), "secret").unwrap();
    let outside = TempRoot::new("traversal-outside");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            outside.path().join("pdf/SKILL.md"),
            root.path().join("pdf/escape.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            root.path().join("pdf/fill.py"),
            root.path().join("pdf/inside.py"),
        )
        .unwrap();
    }
    let skills = Skills::from_dir(root.path());
    for uri in [
        "skill://pdf/../secret.txt",
        "skill://../secret.txt",
        "skill:///etc/passwd",
        "skill://pdf//SKILL.md",
        "skill://pdf/./SKILL.md",
        "skill://pdf/..\\secret.txt",
        "file:///etc/passwd",
    ] {
        let error = ErrorObject::from(skills.read(uri).unwrap_err());
        assert_eq!(error.code, -32602, "{uri}");
        let error = ErrorObject::from(skills.directory(uri, None, None).unwrap_err());
        assert_eq!(error.code, -32602, "{uri}");
    }
    #[cfg(unix)]
    {
        let error = skills.read("skill://pdf/escape.md").unwrap_err();
        assert!(matches!(error, SkillError::OutsideRoot(_)), "{error}");
        assert!(
            skills.read("skill://pdf/inside.py").is_ok(),
            "a symlink inside the root"
        );
        let entry = skills.get("skill://pdf/SKILL.md").unwrap();
        let uris: Vec<&str> = entry.resources.iter().map(|f| f.uri.as_str()).collect();
        assert!(!uris.contains(&"skill://pdf/escape.md"), "{uris:?}");
        assert!(uris.contains(&"skill://pdf/inside.py"), "{uris:?}");
    }
}

#[test]
fn a_file_changed_on_disk_is_served_changed() {
    let root = TempRoot::new("changed");
    let skills = Skills::from_dir(root.path());
    let before = skills.get("skill://pdf/SKILL.md").unwrap();
    let changed = MANIFEST_TEXT.replace("Fill PDF forms", "Fill and sign PDF forms");
    fs::write(root.path().join("pdf/SKILL.md"), &changed).unwrap();
    fs::write(root.path().join("pdf/references/NEW.md"), "new").unwrap();
    let after = skills.get("skill://pdf/SKILL.md").unwrap();
    assert_eq!(after.frontmatter["description"], "Fill and sign PDF forms");
    assert_ne!(after.resources[0].digest, before.resources[0].digest);
    assert_eq!(after.resources[0].digest, sha(changed.as_bytes()));
    assert_eq!(after.resources.len(), before.resources.len() + 1);
    let read = serde_json::to_value(skills.read("skill://pdf/SKILL.md").unwrap()).unwrap();
    assert_eq!(read["contents"][0]["text"], changed);
}

#[test]
fn unknown_skills_and_broken_manifests_are_invalid_params() {
    let skills = Skills::embedded([
        ("pdf/SKILL.md", MANIFEST_TEXT.as_bytes()),
        ("broken/SKILL.md", &b"# no frontmatter"[..]),
    ]);
    assert_eq!(
        skills.list(None, None).unwrap().skills.len(),
        1,
        "broken is left out"
    );
    for uri in [
        "skill://nope/SKILL.md",
        "skill://broken/SKILL.md",
        "skill://pdf/other.md",
        "skill://pdf",
    ] {
        assert_eq!(
            ErrorObject::from(skills.get(uri).unwrap_err()).code,
            -32602,
            "{uri}"
        );
    }
}

#[test]
fn oversized_files_are_refused() {
    let root = TempRoot::new("oversized");
    let big = fs::File::create(root.path().join("pdf/big.bin")).unwrap();
    big.set_len(source::MAX_FILE_BYTES + 1).unwrap();
    let skills = Skills::from_dir(root.path());
    assert!(matches!(
        skills.read("skill://pdf/big.bin"),
        Err(SkillError::TooLarge(_))
    ));
}

#[test]
fn a_skill_over_16_mib_in_all_is_left_out() {
    let half: &'static [u8] = Vec::leak(vec![b'x'; 8 * 1024 * 1024 + 1]);
    let skills = Skills::embedded([
        ("pdf/SKILL.md", MANIFEST_TEXT.as_bytes()),
        ("pdf/a.txt", half),
        ("pdf/b.txt", half),
    ]);
    assert!(skills.list(None, None).unwrap().skills.is_empty());
    assert!(matches!(
        skills.get("skill://pdf/SKILL.md"),
        Err(SkillError::TooLarge(_))
    ));
    assert!(
        !format!("{skills:?}").contains("xxxx"),
        "Debug shows paths, not bytes"
    );
}
