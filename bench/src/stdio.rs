//! `mcp-bench stdio`: `tools/call` of `add` over pipes, ours against rmcp's stdio server.
//!
//! Each server runs as a child process (`mcp-bench serve-stdio ours|rmcp|floor`, pinned to
//! core 0); the client, on core 1, opens the session (`initialize`,
//! `notifications/initialized`) and keeps `depth` calls in flight on the one pipe, judging
//! every reply as the HTTP benchmark does. The figure is calls per second after a warm-up;
//! medians over rounds.
//!
//! A third server, the floor, is no MCP server at all: a blocking loop on std's stdin and
//! stdout that parses each line and answers `add` with its sum. It measures what the pipes,
//! the two processes' wake-ups and the client cost on this machine, which bounds what any
//! server can reach with one call in flight.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::load::judge_add;

/// The target: ours at least this many times rmcp's calls per second.
const FLOOR: f64 = 2.0;

/// The servers compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Rmcp,
    Floor,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Rmcp => "rmcp",
            Side::Floor => "floor",
        }
    }
}

/// `mcp-bench serve-stdio ours|rmcp|floor`: serves `add` on stdin and stdout until stdin
/// closes.
pub fn serve_main(args: &[String]) -> Result<(), String> {
    let side = match args.first().map(String::as_str) {
        Some("ours") => Side::Ours,
        Some("rmcp") => Side::Rmcp,
        Some("floor") => return serve_floor().map_err(|e| format!("floor: {e}")),
        _ => return Err("usage: mcp-bench serve-stdio ours|rmcp|floor".into()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime
        .block_on(async {
            match side {
                Side::Ours => crate::servers::ours::serve_stdio().await,
                Side::Rmcp => crate::servers::peer_rmcp::serve_stdio().await,
                Side::Floor => Ok(()), // served above, without a runtime
            }
        })
        .map_err(|e| format!("{}: {e}", side.name()))
}

/// The floor: answers `initialize` and `tools/call` of `add` on std's blocking stdin and
/// stdout, one line at a time, with no framework and no async runtime.
fn serve_floor() -> std::io::Result<()> {
    use std::io::{BufRead, Write};

    #[derive(Deserialize)]
    struct Call {
        id: Option<serde_json::Value>,
        method: String,
        #[serde(default)]
        params: Option<Params>,
    }
    #[derive(Deserialize)]
    struct Params {
        arguments: Option<Add>,
    }
    #[derive(Deserialize)]
    struct Add {
        a: f64,
        b: f64,
    }

    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut reply = String::new();
    for line in stdin.lines() {
        let line = line?;
        let Ok(call) = serde_json::from_str::<Call>(&line) else {
            continue;
        };
        let Some(id) = call.id else {
            continue; // a notification
        };
        reply.clear();
        match (call.method.as_str(), call.params.and_then(|p| p.arguments)) {
            ("initialize", _) => {
                let _ = write!(
                    reply,
                    r#"{{"jsonrpc":"2.0","id":{id},"result":{{"protocolVersion":"2025-11-25","capabilities":{{"tools":{{}}}},"serverInfo":{{"name":"floor","version":"0"}}}}}}"#
                );
            }
            ("tools/call", Some(Add { a, b })) => {
                let _ = write!(
                    reply,
                    r#"{{"jsonrpc":"2.0","id":{id},"result":{{"content":[{{"type":"text","text":"{}"}}],"isError":false}}}}"#,
                    a + b
                );
            }
            _ => {
                let _ = write!(
                    reply,
                    r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":-32601,"message":"not here"}}}}"#
                );
            }
        }
        reply.push('\n');
        stdout.write_all(reply.as_bytes())?;
        stdout.flush()?;
    }
    Ok(())
}

/// One server process and its pipes; killed when dropped.
struct Pipe {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    line: String,
}

impl Pipe {
    fn spawn(side: Side, pin: bool) -> Result<Pipe, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let taskset = pin.then(|| crate::sys::which("taskset")).flatten();
        let mut command = match &taskset {
            Some(taskset) => {
                let mut c = Command::new(taskset);
                c.arg("-c").arg("0").arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        command
            .arg("serve-stdio")
            .arg(side.name())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| format!("spawn: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        Ok(Pipe {
            child,
            stdin: BufWriter::new(stdin),
            stdout: BufReader::new(stdout),
            line: String::new(),
        })
    }

    async fn send(&mut self, line: &str) -> Result<(), String> {
        self.stdin
            .write_all(line.as_bytes())
            .await
            .and(self.stdin.write_all(b"\n").await)
            .map_err(|e| format!("write: {e}"))
    }

    async fn flush(&mut self) -> Result<(), String> {
        self.stdin.flush().await.map_err(|e| format!("flush: {e}"))
    }

    /// The next line, within 10 s.
    async fn recv(&mut self) -> Result<&str, String> {
        self.line.clear();
        let read = tokio::time::timeout(
            Duration::from_secs(10),
            self.stdout.read_line(&mut self.line),
        )
        .await
        .map_err(|_| "no reply within 10 s")?
        .map_err(|e| format!("read: {e}"))?;
        if read == 0 {
            return Err("the server closed stdout".into());
        }
        Ok(self.line.trim_end())
    }

    async fn open_session(&mut self) -> Result<(), String> {
        self.send(r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcp-bench","version":"0.1.0"}}}"#).await?;
        self.flush().await?;
        let reply = self.recv().await?;
        if !reply.contains(r#""result""#) {
            return Err(format!("initialize: {reply}"));
        }
        self.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            .await?;
        self.flush().await
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

#[derive(Deserialize)]
struct IdOnly {
    id: Option<u64>,
}

/// Calls per second with `depth` calls in flight; `Err` on the first wrong reply.
async fn point(
    side: Side,
    depth: usize,
    warmup: f64,
    seconds: f64,
    pin: bool,
) -> Result<f64, String> {
    let mut pipe = Pipe::spawn(side, pin)?;
    pipe.open_session().await?;
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(warmup);
    let end = measure_from + Duration::from_secs_f64(seconds);
    let mut outstanding = HashSet::with_capacity(depth * 2);
    let mut next_id: u64 = 1;
    let mut ok: u64 = 0;
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        while outstanding.len() < depth {
            let id = next_id;
            next_id += 1;
            let a = id & 0xff_ffff;
            let body = format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"add","arguments":{{"a":{a},"b":2}}}}}}"#
            );
            pipe.send(&body).await?;
            outstanding.insert(id);
        }
        pipe.flush().await?;
        let line = pipe.recv().await?;
        let Some(id) = serde_json::from_str::<IdOnly>(line).ok().and_then(|m| m.id) else {
            continue; // a notification
        };
        if !outstanding.remove(&id) {
            return Err(format!(
                "{}: a reply to id {id}, which was not asked",
                side.name()
            ));
        }
        match judge_add(line.as_bytes(), id, (id & 0xff_ffff) + 2) {
            Some(Ok(())) => {}
            Some(Err(bad)) => return Err(format!("{}: {bad}", side.name())),
            None => return Err(format!("{}: not the answer to {id}: {line}", side.name())),
        }
        if Instant::now() >= measure_from {
            ok += 1;
        }
    }
    Ok(ok as f64 / seconds)
}

/// `mcp-bench stdio [--seconds S] [--warmup S] [--rounds N] [--concurrency DEPTHS] [--out DIR]`:
/// writes `stdio.md` to the output directory.
pub fn main(args: &[String]) -> Result<(), String> {
    let mut opts = crate::parse_opts(args)?;
    if !args.iter().any(|a| a == "--concurrency") {
        opts.concurrency = vec![1, 16];
    }
    // Counted before pinning: the count follows this process's affinity.
    let cores = crate::sys::cores();
    if opts.pin && !crate::sys::pin_to_core(1) {
        eprintln!("stdio: could not pin the client to core 1");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (mut rows, mut verdicts) = (String::new(), String::new());
    for &depth in &opts.concurrency {
        let mut rates = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..opts.rounds {
            for (i, side) in [Side::Ours, Side::Rmcp, Side::Floor]
                .into_iter()
                .enumerate()
            {
                let rate =
                    runtime.block_on(point(side, depth, opts.warmup, opts.seconds, opts.pin))?;
                eprintln!("  {:<5} depth {depth:<3} {rate:>9.0} calls/s", side.name());
                rates[i].push(rate);
            }
        }
        let [ours, rmcp, floor] = rates.map(crate::report::median);
        let ratio = ours / rmcp;
        let (ours_floor, rmcp_floor, floor_rmcp) = (ours / floor, rmcp / floor, floor / rmcp);
        let _ = writeln!(
            rows,
            "| ours | {depth} | {ours:.0} | {ratio:.2}x | {ours_floor:.2}x |"
        );
        let _ = writeln!(
            rows,
            "| rmcp | {depth} | {rmcp:.0} | – | {rmcp_floor:.2}x |"
        );
        let _ = writeln!(
            rows,
            "| floor | {depth} | {floor:.0} | {floor_rmcp:.2}x | – |"
        );
        let verdict = if !ratio.is_finite() {
            "not measured".to_owned()
        } else if ratio >= FLOOR {
            "met".to_owned()
        } else if floor_rmcp < FLOOR {
            // No server can beat the floor: the target asks for more than this machine gives.
            format!("**missed**: out of reach here, the floor itself is {floor_rmcp:.2}x rmcp's")
        } else {
            "**missed**".to_owned()
        };
        let _ = writeln!(
            verdicts,
            "| stdio, {depth} in flight: ≥ {FLOOR}x rmcp's calls/s | {ratio:.2}x \
             ({ours_floor:.2}x the floor's) | {verdict} |"
        );
    }
    let md = format!(
        "# mcp-bench stdio: tools/call over pipes\n\nRun {} on {} ({} cores, Linux {}); server on \
         core 0, client on core 1. Command: `cargo run --release --manifest-path \
         bench/Cargo.toml -- stdio{}`\n\nEach server is a child process serving the quickstart's \
         `add` on stdin/stdout (ours: `serve_stdio`; rmcp 3.11: `serve(stdio())`). The client \
         opens the session, then keeps N calls in flight on the pipe and judges every reply \
         (id and sum). The floor is no MCP server: a blocking loop on std's stdin and stdout \
         that parses each line and answers `add`, the least any server costs here (pipes, \
         wake-ups, the client). Calls per second after {} s of warm-up, over {} s; medians of \
         {} rounds.\n\n## Targets (issue: Performance round 2)\n\n| target | measured | verdict \
         |\n| --- | --- | --- |\n{verdicts}\n## Figures\n\n| server | in flight | calls/s | \
         ×rmcp | ×floor |\n| --- | ---: | ---: | ---: | ---: |\n{rows}",
        crate::sys::utc_now(),
        crate::sys::cpu_model(),
        cores,
        crate::sys::kernel(),
        args.iter().map(|a| format!(" {a}")).collect::<String>(),
        opts.warmup,
        opts.seconds,
        opts.rounds,
    );
    std::fs::create_dir_all(&opts.out).map_err(|e| e.to_string())?;
    let path = opts.out.join("stdio.md");
    std::fs::write(&path, &md).map_err(|e| format!("{}: {e}", path.display()))?;
    print!("{md}");
    eprintln!("wrote {}", path.display());
    Ok(())
}
