//! `mcp-bench compile-scale`: build times of generated servers of 10, 50 and 200 tools, ours
//! against rmcp 3.11, as users of proc-macro frameworks feel them, and against the same tools
//! dispatched by hand with no macro of ours (`plain`): what rustc, LLVM and the linker take for
//! the user's own code, under any framework.
//!
//! Each tool takes three typed parameters; every fourth takes a struct as its third. Each
//! server is its own crate in a temp dir (its own workspace and target dir). Its dependencies
//! are built first (not timed); then the server crate alone is rebuilt from clean (`cargo
//! clean -p`, then `cargo build`: the "crate build"), and rebuilt after one tool's body is
//! edited (the "incremental rebuild", median of five). Debug builds, `--offline`. The share
//! of macro expansion comes from rustc's own `-Z time-passes` (`expand_crate`), enabled on
//! the stable compiler with `RUSTC_BOOTSTRAP=1` for the server crate only.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const SIZES: [usize; 3] = [10, 50, 200];
const INCREMENTAL_RUNS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Rmcp,
    /// The same tool methods called by a hand-written `match`, no macro of ours: the floor
    /// any framework's rebuild stands on (rustc, LLVM and the linker on the user's code).
    Plain,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Rmcp => "rmcp",
            Side::Plain => "plain",
        }
    }

    /// The side whose dependencies (and target directory) this one uses.
    fn dependencies(self) -> Side {
        match self {
            Side::Plain => Side::Ours,
            side => side,
        }
    }
}

/// The generated server's `Cargo.toml`.
fn manifest(side: Side, root: &Path) -> String {
    let deps = match side {
        Side::Ours => format!(
            "mcp-runtime = {{ path = {:?} }}\nschemars = {{ version = \"1\", features = [\"preserve_order\"] }}\n",
            root.join("mcp-runtime")
        ),
        Side::Plain => format!(
            "mcp-runtime = {{ path = {:?} }}\nschemars = {{ version = \"1\", features = [\"preserve_order\"] }}\nserde_json = \"1\"\n",
            root.join("mcp-runtime")
        ),
        Side::Rmcp => "rmcp = { version = \"=3.11.0\", default-features = false, features = [\"server\", \"macros\", \"transport-streamable-http-server\"] }\naxum = { version = \"0.8\", default-features = false, features = [\"http1\", \"tokio\"] }\n".to_owned(),
    };
    format!(
        "[package]\nname = \"gen-{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\n{deps}tokio = {{ version = \"1.47\", features = \
         [\"rt-multi-thread\", \"macros\", \"net\"] }}\nserde = {{ version = \"1\", features = \
         [\"derive\"] }}\n",
        side.name()
    )
}

/// The parameter structs of our and the hand-written server: one per four tools.
fn points(s: &mut String, tools: usize) {
    for i in (0..tools).step_by(4) {
        let _ = writeln!(
            s,
            "#[derive(Deserialize, schemars::JsonSchema)]\npub struct Point{i} {{ pub x: f64, pub y: f64 }}\n"
        );
    }
}

/// The tool methods of our and the hand-written server, each under `attr`.
fn tool_methods(s: &mut String, tools: usize, attr: &str) {
    for i in 0..tools {
        let (third, used) = if i % 4 == 0 {
            (format!("p: Point{i}"), "p.x + p.y")
        } else {
            ("c: String".into(), "c.len() as f64")
        };
        let _ = writeln!(
            s,
            "    /// Tool {i}.\n{attr}    async fn tool_{i}(&self, a: f64, b: i64, {third}) -> String {{\n        format!(\"{{}}\", a + b as f64 + {used} /*body*/)\n    }}\n"
        );
    }
}

/// The generated server: `tools` tools, the body of tool 0 marked for editing.
fn source(side: Side, tools: usize) -> String {
    let mut s = String::new();
    match side {
        Side::Ours => {
            s.push_str("use mcp_runtime::{HttpConfig, Mode, mcp_server, tool};\nuse serde::Deserialize;\n\n");
            points(&mut s, tools);
            s.push_str("#[derive(Default)]\nstruct Generated;\n\n#[mcp_server(name = \"generated\", version = \"1.0.0\")]\nimpl Generated {\n");
            tool_methods(&mut s, tools, "    #[tool]\n");
            s.push_str("}\n\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {\n    mcp_runtime::serve(Generated, \"127.0.0.1:0\", HttpConfig::new(Mode::Stateless)).await\n}\n");
        }
        Side::Plain => {
            s.push_str("use std::future::Future;\nuse std::pin::Pin;\n\nuse mcp_runtime::{HttpConfig, Mode, mcp_server, tool};\nuse serde::Deserialize;\nuse serde::de::DeserializeOwned;\nuse serde_json::Value;\n\n");
            points(&mut s, tools);
            s.push_str("struct Generated;\n\nimpl Generated {\n");
            tool_methods(&mut s, tools, "");
            s.push_str("}\n\ntype ToolFuture<'a> = Pin<Box<dyn Future<Output = String> + Send + 'a>>;\n\nfn arg<T: DeserializeOwned>(args: &Value, name: &str) -> Option<T> {\n    T::deserialize(args.get(name)?).ok()\n}\n\n/// The dispatch the macros would write, by hand.\nfn call<'a>(server: &'a Generated, name: &str, args: &Value) -> Option<ToolFuture<'a>> {\n    match name {\n");
            for i in 0..tools {
                let third = if i % 4 == 0 { "p" } else { "c" };
                let _ = writeln!(
                    s,
                    "        \"tool_{i}\" => Some(Box::pin(server.tool_{i}(arg(args, \"a\")?, arg(args, \"b\")?, arg(args, \"{third}\")?))),"
                );
            }
            s.push_str("        _ => None,\n    }\n}\n\n/// One tool through the macros, so that the same runtime is linked.\n#[derive(Default)]\nstruct Linked;\n\n#[mcp_server(name = \"linked\", version = \"1.0.0\")]\nimpl Linked {\n    /// Echo.\n    #[tool]\n    async fn echo(&self, text: String) -> String {\n        text\n    }\n}\n\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {\n    if let Some(name) = std::env::args().nth(1) {\n        if let Some(future) = call(&Generated, &name, &Value::Null) {\n            println!(\"{}\", future.await);\n        }\n    }\n    mcp_runtime::serve(Linked, \"127.0.0.1:0\", HttpConfig::new(Mode::Stateless)).await\n}\n");
        }
        Side::Rmcp => {
            s.push_str("use std::sync::Arc;\n\nuse rmcp::handler::server::router::tool::ToolRouter;\nuse rmcp::handler::server::wrapper::Parameters;\nuse rmcp::model::{ServerCapabilities, ServerConfig};\nuse rmcp::transport::streamable_http_server::session::local::LocalSessionManager;\nuse rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};\nuse rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};\nuse serde::Deserialize;\n\n");
            for i in 0..tools {
                if i % 4 == 0 {
                    let _ = writeln!(
                        s,
                        "#[derive(Deserialize, schemars::JsonSchema)]\npub struct Point{i} {{ pub x: f64, pub y: f64 }}\n\n#[derive(Deserialize, schemars::JsonSchema)]\npub struct Args{i} {{ pub a: f64, pub b: i64, pub p: Point{i} }}\n"
                    );
                } else {
                    let _ = writeln!(
                        s,
                        "#[derive(Deserialize, schemars::JsonSchema)]\npub struct Args{i} {{ pub a: f64, pub b: i64, pub c: String }}\n"
                    );
                }
            }
            s.push_str("#[derive(Debug, Clone)]\nstruct Generated {\n    tool_router: ToolRouter<Self>,\n}\n\n#[tool_router]\nimpl Generated {\n    fn new() -> Self {\n        Self { tool_router: Self::tool_router() }\n    }\n\n");
            for i in 0..tools {
                let (third, used) = if i % 4 == 0 {
                    ("p", "p.x + p.y")
                } else {
                    ("c", "c.len() as f64")
                };
                let _ = writeln!(
                    s,
                    "    #[tool(description = \"Tool {i}.\")]\n    async fn tool_{i}(&self, Parameters(Args{i} {{ a, b, {third} }}): Parameters<Args{i}>) -> String {{\n        format!(\"{{}}\", a + b as f64 + {used} /*body*/)\n    }}\n"
                );
            }
            s.push_str("}\n\n#[tool_handler(router = self.tool_router)]\nimpl ServerHandler for Generated {\n    fn get_info(&self) -> ServerConfig {\n        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())\n    }\n}\n\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {\n    let service: StreamableHttpService<Generated, LocalSessionManager> = StreamableHttpService::new(\n        || Ok(Generated::new()),\n        Arc::new(LocalSessionManager::default()),\n        StreamableHttpServerConfig::default(),\n    );\n    let app = axum::Router::new().nest_service(\"/mcp\", service);\n    let listener = tokio::net::TcpListener::bind(\"127.0.0.1:0\").await?;\n    axum::serve(listener, app).await\n}\n");
        }
    }
    s
}

struct Crate {
    side: Side,
    dir: PathBuf,
    /// One per framework, shared by the sizes: the dependencies are built once.
    target: PathBuf,
}

impl Crate {
    fn cargo(&self, args: &[&str]) -> Result<(f64, String), String> {
        let started = Instant::now();
        let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("RUSTFLAGS")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cargo: {e}"))?;
        let secs = started.elapsed().as_secs_f64();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if output.status.success() {
            Ok((secs, text))
        } else {
            let tail: Vec<&str> = text.lines().rev().take(20).collect();
            Err(format!(
                "{}: cargo {} failed:\n{}",
                self.side.name(),
                args.join(" "),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ))
        }
    }

    fn build(&self) -> Result<f64, String> {
        self.cargo(&["build", "--offline", "--quiet"]).map(|r| r.0)
    }

    /// Swaps two operands in tool 0's body, as a developer editing it would.
    fn edit_tool_body(&self) -> Result<(), String> {
        let path = self.dir.join("src/main.rs");
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        let edited = if text.contains("a + b as f64 + p.x + p.y /*body*/") {
            text.replacen(
                "a + b as f64 + p.x + p.y /*body*/",
                "p.x + p.y + a + b as f64 /*body*/",
                1,
            )
        } else {
            text.replacen(
                "p.x + p.y + a + b as f64 /*body*/",
                "a + b as f64 + p.x + p.y /*body*/",
                1,
            )
        };
        std::fs::write(&path, edited).map_err(|e| e.to_string())
    }

    /// Seconds rustc spends expanding macros in the crate (`expand_crate` of `-Z time-passes`).
    fn expansion_seconds(&self) -> Result<f64, String> {
        let package = format!("gen-{}", self.side.name());
        self.cargo(&["clean", "--offline", "-p", &package])?;
        let started = Instant::now();
        let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["rustc", "--offline", "--quiet", "--", "-Z", "time-passes"])
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("RUSTC_BOOTSTRAP", "1")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cargo rustc: {e}"))?;
        let _ = started;
        let text = String::from_utf8_lossy(&output.stderr);
        text.lines()
            .filter(|l| l.trim_end().ends_with("expand_crate"))
            .find_map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|t| t.trim_end_matches(';').parse::<f64>().ok())
            })
            .ok_or_else(|| format!("{}: no expand_crate in -Z time-passes", self.side.name()))
    }
}

struct Row {
    tools: usize,
    side: Side,
    crate_build: f64,
    incremental: f64,
    expansion: f64,
}

fn measure(tmp: &Path, root: &Path, tools: usize, side: Side) -> Result<Row, String> {
    let dir = tmp.join(format!("{}-{tools}", side.name()));
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("Cargo.toml"), manifest(side, root)).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/main.rs"), source(side, tools)).map_err(|e| e.to_string())?;
    // The hand-written server has our dependencies: it shares their build.
    let target = tmp.join(format!("target-{}", side.dependencies().name()));
    let krate = Crate { side, dir, target };
    if root.join("Cargo.lock").exists() && side.dependencies() == Side::Ours {
        // The workspace's versions, so the dependencies are the ones already downloaded.
        let _ = std::fs::copy(root.join("Cargo.lock"), krate.dir.join("Cargo.lock"));
    }
    eprintln!(
        "compile-scale: {} with {tools} tools: dependencies",
        side.name()
    );
    krate.cargo(&["fetch"])?;
    krate.build()?;
    let package = format!("gen-{}", side.name());
    krate.cargo(&["clean", "--offline", "-p", &package])?;
    let crate_build = krate.build()?;
    let mut incremental = Vec::new();
    for _ in 0..INCREMENTAL_RUNS {
        krate.edit_tool_body()?;
        incremental.push(krate.build()?);
    }
    let expansion = krate.expansion_seconds()?;
    let row = Row {
        tools,
        side,
        crate_build,
        incremental: crate::report::median(incremental),
        expansion,
    };
    eprintln!(
        "  crate {:.2} s, incremental {:.2} s, expansion {:.2} s",
        row.crate_build, row.incremental, row.expansion
    );
    Ok(row)
}

/// `mcp-bench compile-scale [--sizes 10,50,200] [--keep] [--out DIR]`: writes
/// `compile-scale.md`. `--keep` leaves the generated crates in the temp dir, for profiling.
pub fn main(args: &[String]) -> Result<(), String> {
    let mut sizes = SIZES.to_vec();
    let mut keep = false;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--keep" {
            keep = true;
        } else if arg == "--sizes" {
            let list = it.next().ok_or("--sizes needs a value")?;
            sizes = list
                .split(',')
                .map(|n| {
                    n.trim()
                        .parse()
                        .map_err(|_| format!("--sizes: bad value {n:?}"))
                })
                .collect::<Result<_, _>>()?;
        } else {
            rest.push(arg.clone());
        }
    }
    let opts = crate::parse_opts(&rest)?;
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = bench.parent().ok_or("bench has no parent directory")?;
    let tmp = std::env::temp_dir().join(format!("mcp-bench-scale-{}", std::process::id()));
    let load_before = crate::sys::load_average();
    let mut rows = Vec::new();
    let result = (|| {
        for &tools in &sizes {
            for side in [Side::Ours, Side::Rmcp, Side::Plain] {
                rows.push(measure(&tmp, root, tools, side)?);
            }
        }
        Ok::<(), String>(())
    })();
    if keep {
        eprintln!("compile-scale: kept {}", tmp.display());
    } else {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result?;
    let (mut table, mut verdicts) = (String::new(), String::new());
    for size in rows.chunks(3) {
        let [ours, rmcp, plain] = size else { continue };
        for r in size {
            let _ = writeln!(
                table,
                "| {} | {} | {:.2} | {:.2} | {:.2} ({:.0}%) |",
                r.tools,
                r.side.name(),
                r.crate_build,
                r.incremental,
                r.expansion,
                100.0 * r.expansion / r.crate_build
            );
        }
        let (build, incr) = (
            ours.crate_build / rmcp.crate_build,
            ours.incremental / rmcp.incremental,
        );
        let verdict = |ok: bool| if ok { "met" } else { "**missed**" };
        let _ = writeln!(
            verdicts,
            "| {} tools: crate build ≤ 0.25x rmcp's | {:.2} s vs {:.2} s: {build:.2}x | {} |",
            ours.tools,
            ours.crate_build,
            rmcp.crate_build,
            verdict(build <= 0.25)
        );
        let _ = writeln!(
            verdicts,
            "| {} tools: macro expansion < 10% of the crate build | {:.0}% | {} |",
            ours.tools,
            100.0 * ours.expansion / ours.crate_build,
            verdict(ours.expansion < 0.1 * ours.crate_build)
        );
        if ours.tools == 200 {
            let _ = writeln!(
                verdicts,
                "| 200 tools: incremental rebuild < 0.8 s and ≤ 0.3x rmcp's | {:.2} s vs {:.2} s: {incr:.2}x (hand-written, no macros: {:.2} s) | {} |",
                ours.incremental,
                rmcp.incremental,
                plain.incremental,
                verdict(ours.incremental < 0.8 && incr <= 0.3)
            );
        }
    }
    let md = format!(
        "# mcp-bench compile-scale: build times of generated servers\n\nRun {} on {} ({} cores, \
         Linux {}); load average {:.2} at the start, {:.2} at the end. Command: `cargo run \
         --release --manifest-path bench/Cargo.toml -- compile-scale`\n\nServers of 10, 50 and \
         200 tools, three typed parameters each (`f64`, `i64`, and a `String` or, for every \
         fourth tool, a struct), written with our `#[mcp_server]`/`#[tool]` and with rmcp 3.11's \
         `#[tool_router]`/`#[tool]` (a `Parameters` struct per tool, as rmcp requires), and \
         \"plain\": the same tool methods called by a hand-written `match` that reads each \
         argument with serde and boxes the future, no macro of ours on them (one one-tool \
         `#[mcp_server]` beside them, so that the same runtime is linked): the floor under any \
         framework's figures, rustc, LLVM and the linker on the user's own code. Debug \
         builds with dependencies prebuilt: the crate build is `cargo build` after `cargo clean \
         -p` of the server crate; the incremental rebuild follows an edit of one tool's body \
         (median of {INCREMENTAL_RUNS}); expansion is rustc's `expand_crate` pass (`-Z \
         time-passes`), macro expansion including our proc macros.\n\n## Targets (issue: \
         Performance round 2)\n\n| target | measured | verdict |\n| --- | --- | --- \
         |\n{verdicts}\n## Figures (seconds)\n\n| tools | framework | crate build | incremental \
         rebuild | macro expansion |\n| ---: | --- | ---: | ---: | ---: |\n{table}",
        crate::sys::utc_now(),
        crate::sys::cpu_model(),
        crate::sys::cores(),
        crate::sys::kernel(),
        load_before.unwrap_or(f64::NAN),
        crate::sys::load_average().unwrap_or(f64::NAN),
    );
    std::fs::create_dir_all(&opts.out).map_err(|e| e.to_string())?;
    let path = opts.out.join("compile-scale.md");
    std::fs::write(&path, &md).map_err(|e| format!("{}: {e}", path.display()))?;
    print!("{md}");
    eprintln!("wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written server has the very tool methods ours has, without `#[tool]`: the
    /// floor is the same user code.
    #[test]
    fn plain_has_our_tool_methods() {
        let methods = |side| {
            source(side, 10)
                .lines()
                .filter(|l| !l.trim().starts_with("#[tool]"))
                .skip_while(|l| !l.starts_with("impl Generated"))
                .skip(1)
                .take_while(|l| *l != "}")
                .collect::<Vec<_>>()
                .join("\n")
        };
        let ours = methods(Side::Ours);
        assert_eq!(ours.matches("async fn tool_").count(), 10);
        assert_eq!(ours.matches("/*body*/").count(), 10);
        assert_eq!(ours, methods(Side::Plain));
        let plain = source(Side::Plain, 10);
        assert_eq!(plain.matches("=> Some(Box::pin(server.tool_").count(), 10);
    }
}
