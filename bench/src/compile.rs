//! Compile time: clean and incremental debug builds of our quickstart
//! (`examples/quickstart.rs`) against the same server written with rmcp
//! (`bench/peers/rmcp-quickstart`). Both are built from copies in a temp dir, so the
//! work tree is never touched.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Incremental builds per side; the report shows the median.
const INCREMENTAL_RUNS: usize = 3;

/// Seconds per build.
#[derive(Debug, Clone)]
pub struct CompileTimes {
    pub ours_clean: f64,
    pub rmcp_clean: f64,
    pub ours_incremental: f64,
    pub rmcp_incremental: f64,
    pub incremental_runs: usize,
    pub load_before: Option<f64>,
    pub load_after: Option<f64>,
}

struct Side {
    name: &'static str,
    dir: PathBuf,
    /// The file holding the `add` tool.
    tool_file: PathBuf,
    build_args: Vec<&'static str>,
    target: PathBuf,
}

/// Copies `from` into `to`, leaving out `target`, `bench` and hidden entries at the top.
fn copy_tree(from: &Path, to: &Path, top: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str == "target" || (top && (name_str == "bench" || name_str.starts_with('.'))) {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            copy_tree(&path, &to.join(&name), false)?;
        } else {
            std::fs::copy(&path, to.join(&name))?;
        }
    }
    Ok(())
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.stdin(Stdio::null()).stdout(Stdio::null());
    command
}

fn run(side: &Side, args: &[&str]) -> Result<f64, String> {
    let started = Instant::now();
    let output = cargo()
        .args(args)
        .current_dir(&side.dir)
        .env("CARGO_TARGET_DIR", &side.target)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{}: cargo: {e}", side.name))?;
    let secs = started.elapsed().as_secs_f64();
    if output.status.success() {
        Ok(secs)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        Err(format!(
            "{}: cargo {} failed:\n{}",
            side.name,
            args.join(" "),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ))
    }
}

/// Edits the body of the `add` tool (`a + b` <-> `b + a`), as a developer would.
fn touch_tool_body(side: &Side) -> Result<(), String> {
    let text = std::fs::read_to_string(&side.tool_file)
        .map_err(|e| format!("{}: {e}", side.tool_file.display()))?;
    let at = text
        .find("fn add")
        .ok_or_else(|| format!("{}: no `fn add`", side.tool_file.display()))?;
    let (head, tail) = text.split_at(at);
    let tail = if tail.contains("a + b") {
        tail.replacen("a + b", "b + a", 1)
    } else if tail.contains("b + a") {
        tail.replacen("b + a", "a + b", 1)
    } else {
        return Err(format!("{}: no `a + b` in add", side.tool_file.display()));
    };
    std::fs::write(&side.tool_file, format!("{head}{tail}"))
        .map_err(|e| format!("{}: {e}", side.tool_file.display()))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Times the builds. Dependencies are downloaded first (not timed); builds run `--offline`.
pub fn measure() -> Result<CompileTimes, String> {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = bench.parent().ok_or("bench has no parent directory")?;
    let tmp = std::env::temp_dir().join(format!("mcp-bench-compile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = measure_in(root, bench, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn measure_in(root: &Path, bench: &Path, tmp: &Path) -> Result<CompileTimes, String> {
    let ours_dir = tmp.join("ours");
    copy_tree(root, &ours_dir, true).map_err(|e| format!("copying the workspace: {e}"))?;
    let rmcp_dir = tmp.join("rmcp");
    copy_tree(&bench.join("peers/rmcp-quickstart"), &rmcp_dir, true)
        .map_err(|e| format!("copying the rmcp peer: {e}"))?;
    let sides = [
        Side {
            name: "ours",
            tool_file: ours_dir.join("examples/quickstart.rs"),
            dir: ours_dir,
            build_args: vec![
                "build",
                "--offline",
                "-p",
                "examples",
                "--example",
                "quickstart",
            ],
            target: tmp.join("target-ours"),
        },
        Side {
            name: "rmcp",
            tool_file: rmcp_dir.join("src/main.rs"),
            dir: rmcp_dir,
            build_args: vec!["build", "--offline"],
            target: tmp.join("target-rmcp"),
        },
    ];
    for side in &sides {
        eprintln!("compile time: fetching dependencies of {}", side.name);
        run(side, &["fetch"])?;
    }
    let load_before = crate::sys::load_average();
    let mut clean = Vec::new();
    for side in &sides {
        eprintln!("compile time: clean debug build of {}", side.name);
        let secs = run(side, &side.build_args)?;
        eprintln!("  {:.1} s", secs);
        clean.push(secs);
    }
    let mut incremental = vec![Vec::new(), Vec::new()];
    for i in 0..INCREMENTAL_RUNS {
        for (n, side) in sides.iter().enumerate() {
            touch_tool_body(side)?;
            eprintln!(
                "compile time: incremental build {}/{INCREMENTAL_RUNS} of {}",
                i + 1,
                side.name
            );
            let secs = run(side, &side.build_args)?;
            eprintln!("  {:.1} s", secs);
            incremental[n].push(secs);
        }
    }
    let [ours_incr, rmcp_incr] =
        <[Vec<f64>; 2]>::try_from(incremental).map_err(|_| "internal: two sides expected")?;
    Ok(CompileTimes {
        ours_clean: clean[0],
        rmcp_clean: clean[1],
        ours_incremental: median(ours_incr),
        rmcp_incremental: median(rmcp_incr),
        incremental_runs: INCREMENTAL_RUNS,
        load_before,
        load_after: crate::sys::load_average(),
    })
}
