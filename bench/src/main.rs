//! `mcp-bench`: mcp-runtime against bare axum and rmcp 3.11, side by side, in one run.
//!
//! ```text
//! cargo run --release --manifest-path bench/Cargo.toml -- [OPTIONS]
//! ```
//!
//! See `bench/README.md` for what is measured and how.

mod compile;
mod compile_scale;
mod load;
mod payload;
mod redis;
mod report;
mod servers;
mod sink;
mod soak;
mod stdio;
mod sys;

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use load::{Target, Window, Work};
use servers::Kind;

const USAGE: &str = "\
mcp-bench: mcp-runtime against bare axum and rmcp 3.11 (loopback only)

USAGE:
    mcp-bench [OPTIONS]                 run the benchmark, write bench/results/
    mcp-bench serve KIND ADDR           run one server (prints `listening ADDR`)
    mcp-bench load KIND ADDR [OPTIONS]  load a server already running at ADDR (for profiling)
    mcp-bench soak [OPTIONS]            minutes of abuse beside honest clients (soak --help)
    mcp-bench payload [OPTIONS]         1 MiB results (text, base64) against bare axum, MB/s
    mcp-bench stdio [OPTIONS]           tools/call over pipes against rmcp's stdio server
    mcp-bench redis [OPTIONS]           one node on Redis against the same node in memory
    mcp-bench serve-stdio SIDE          serve `add` on stdin/stdout (SIDE: ours, rmcp, floor)
    mcp-bench compile-scale [--sizes L] [--keep] build times of servers of 10, 50, 200 tools, vs rmcp

OPTIONS:
    --seconds S        measured seconds per point (default 5)
    --warmup S         warm-up seconds per point, not measured (default 3)
    --rounds N         rounds; the report shows medians (default 3)
    --concurrency LIST tools/call concurrency levels (default 1,16,64)
    --kinds LIST       servers to run (default: all)
    --idle-sessions N  sessions opened for the memory-per-session test (default 10000)
    --hold N           sessions held by ours at the end, RSS reported (default 100000; 0 skips)
    --max-calls N      bound on calls per point (default 50000000)
    --max-sessions N   bound on sessions opened per session-rate point (default 150000)
    --compile-time     also time clean and incremental debug builds (takes minutes)
    --compile-only     only the compile-time comparison
    --out DIR          where latest.md and throughput.svg go (default bench/results)
    --no-pin           do not pin the server and the load generator to different cores
    --quick            1 round, 1 s warm-up, 2 s per point, no --hold (a smoke test)

KINDS: axum, ours-stateless-json, ours-stateless-json-auth (behind mcp-auth, a known token),
       ours-stateful-json, ours-stateful-sse, ours-2026-json, ours-2026-sse (the 2026-07-28
       era: no session, the envelope on every call), rmcp-stateless-json, rmcp-stateful-sse,
       rmcp-2026-json
";

/// Command-line settings.
#[derive(Debug, Clone)]
pub struct Opts {
    pub seconds: f64,
    pub warmup: f64,
    pub rounds: usize,
    pub concurrency: Vec<usize>,
    pub kinds: Vec<Kind>,
    pub idle_sessions: usize,
    pub hold: usize,
    pub max_calls: u64,
    pub max_sessions: u64,
    pub compile_time: bool,
    pub compile_only: bool,
    pub out: PathBuf,
    pub pin: bool,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            seconds: 5.0,
            warmup: 3.0,
            rounds: 3,
            concurrency: vec![1, 16, 64],
            kinds: Kind::ALL.to_vec(),
            idle_sessions: 10_000,
            hold: 100_000,
            max_calls: 50_000_000,
            max_sessions: 150_000,
            compile_time: false,
            compile_only: false,
            out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results"),
            pin: true,
        }
    }
}

pub(crate) fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut opts = Opts::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        fn num<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
            v.parse().map_err(|_| format!("{name}: bad value {v:?}"))
        }
        match arg.as_str() {
            "--seconds" => opts.seconds = num(arg, &value(arg)?)?,
            "--warmup" => opts.warmup = num(arg, &value(arg)?)?,
            "--rounds" => opts.rounds = num::<usize>(arg, &value(arg)?)?.max(1),
            "--concurrency" => {
                opts.concurrency = value(arg)?
                    .split(',')
                    .map(|c| num::<usize>(arg, c.trim()).map(|c| c.max(1)))
                    .collect::<Result<_, _>>()?
            }
            "--kinds" => {
                opts.kinds = value(arg)?
                    .split(',')
                    .map(|k| Kind::parse(k.trim()).ok_or_else(|| format!("unknown kind {k}")))
                    .collect::<Result<_, _>>()?
            }
            "--idle-sessions" => opts.idle_sessions = num(arg, &value(arg)?)?,
            "--hold" => opts.hold = num(arg, &value(arg)?)?,
            "--max-calls" => opts.max_calls = num(arg, &value(arg)?)?,
            "--max-sessions" => opts.max_sessions = num(arg, &value(arg)?)?,
            "--compile-time" => opts.compile_time = true,
            "--compile-only" => {
                opts.compile_time = true;
                opts.compile_only = true;
            }
            "--out" => opts.out = PathBuf::from(value(arg)?),
            "--no-pin" => opts.pin = false,
            "--quick" => {
                opts.rounds = 1;
                opts.warmup = 1.0;
                opts.seconds = 2.0;
                opts.hold = 0;
            }
            other => return Err(format!("unknown option {other}\n\n{USAGE}")),
        }
    }
    Ok(opts)
}

/// `--features jemalloc`: the whole benchmark (and the soak's server) on jemalloc, whose
/// `stats.allocated` the soak reads to tell live memory from memory kept by the allocator.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => servers::main(&args[1..]),
        Some("load") => load_main(&args[1..]),
        Some("soak") => soak::main(&args[1..]),
        Some("payload") => payload::main(&args[1..]),
        Some("redis") => redis::main(&args[1..]),
        Some("stdio") => stdio::main(&args[1..]),
        Some("compile-scale") => compile_scale::main(&args[1..]),
        Some("serve-stdio") => stdio::serve_main(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => parse_opts(&args).and_then(bench_main),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mcp-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A server in a child process, killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub pid: u32,
    pub addr: SocketAddr,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `mcp-bench serve KIND 127.0.0.1:0`, on core 0 when pinning.
pub(crate) fn spawn_server(kind: Kind, pin: bool) -> Result<ServerProcess, String> {
    spawn_server_with(kind, pin, &[])
}

/// [`spawn_server`] with more environment for the server.
pub(crate) fn spawn_server_with(
    kind: Kind,
    pin: bool,
    env: &[(&str, String)],
) -> Result<ServerProcess, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let taskset = if pin { sys::which("taskset") } else { None };
    let mut command = match &taskset {
        Some(taskset) => {
            let mut c = Command::new(taskset);
            c.arg("-c").arg("0").arg(&exe);
            c
        }
        None => {
            let mut c = Command::new(&exe);
            if pin {
                c.env("MCP_BENCH_PIN", "0");
            }
            c
        }
    };
    command.envs(kind.env(sink::endpoint));
    command.envs(env.iter().map(|(k, v)| (k, v)));
    command
        .args(["serve", kind.name(), "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = command
        .spawn()
        .map_err(|e| format!("starting {}: {e}", kind.name()))?;
    let pid = child.id();
    let mut line = String::new();
    let read = child
        .stdout
        .take()
        .map(|out| std::io::BufReader::new(out).read_line(&mut line));
    let addr = line
        .trim()
        .strip_prefix("listening ")
        .and_then(|a| a.parse::<SocketAddr>().ok());
    match (read, addr) {
        (Some(Ok(_)), Some(addr)) => Ok(ServerProcess { child, pid, addr }),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!(
                "{} did not start (said {:?})",
                kind.name(),
                line.trim()
            ))
        }
    }
}

/// One `tools/call` point.
#[derive(Debug, Clone)]
pub struct CallPoint {
    pub rps: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub ok: u64,
    pub failed: u64,
    pub server_cpu: f64,
    pub client_cpu: f64,
    /// Cores used by other processes during the measured interval.
    pub other_cpu: f64,
    /// Measurements made (more than one when other processes disturbed the first).
    pub tries: usize,
    pub first_error: Option<String>,
}

/// One session-creation point.
#[derive(Debug, Clone)]
pub struct SessionPoint {
    pub per_sec: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub ok: u64,
    pub failed: u64,
    pub other_cpu: f64,
    pub tries: usize,
    pub first_error: Option<String>,
}

/// One memory point.
#[derive(Debug, Clone)]
pub struct MemoryPoint {
    pub sessions: u64,
    pub rss_before: u64,
    pub rss_after: u64,
    pub failed: u64,
    pub first_error: Option<String>,
}

impl MemoryPoint {
    /// Bytes of RSS per idle session.
    pub fn per_session(&self) -> f64 {
        if self.sessions == 0 {
            return f64::NAN;
        }
        (self.rss_after as f64 - self.rss_before as f64) / self.sessions as f64
    }
}

/// CPU used during a measured interval, in cores: by the server, by the load generator,
/// and by every other process on the machine (user time, and time stolen by a hypervisor).
#[derive(Debug, Clone, Copy)]
pub struct CpuShares {
    pub server: f64,
    pub client: f64,
    pub other: f64,
}

/// A point is measured again (up to [`TRIES`] times in all) when other processes used more
/// than this share of a core during it; the least disturbed try is kept.
const CONTENTION_LIMIT: f64 = 0.10;
const TRIES: usize = 3;

/// Samples CPU times at the window's edges.
fn sample_cpu(pid: u32, window: Window) -> tokio::task::JoinHandle<CpuShares> {
    tokio::spawn(async move {
        let me = std::process::id();
        let read = || {
            let server = sys::cpu_seconds(pid).unwrap_or((f64::NAN, f64::NAN));
            let client = sys::cpu_seconds(me).unwrap_or((f64::NAN, f64::NAN));
            let machine = sys::machine_user_seconds().unwrap_or(f64::NAN);
            (server, client, machine)
        };
        tokio::time::sleep_until(window.start.into()).await;
        let (s0, c0, m0) = read();
        tokio::time::sleep_until(window.end.into()).await;
        let (s1, c1, m1) = read();
        let secs = window.end.duration_since(window.start).as_secs_f64();
        let ours_user = (s1.0 - s0.0) + (c1.0 - c0.0);
        CpuShares {
            server: (s1.1 - s0.1) / secs,
            client: (c1.1 - c0.1) / secs,
            other: ((m1 - m0 - ours_user) / secs).max(0.0),
        }
    })
}

async fn call_point(kind: Kind, workers: usize, opts: &Opts) -> Result<CallPoint, String> {
    let mut best: Option<CallPoint> = None;
    for attempt in 1..=TRIES {
        let mut point = call_point_once(kind, workers, opts).await?;
        point.tries = attempt;
        let other = point.other_cpu;
        if best.as_ref().is_none_or(|b| other < b.other_cpu) {
            best = Some(point);
        }
        if other <= CONTENTION_LIMIT || other.is_nan() || attempt == TRIES {
            break;
        }
        eprintln!(
            "  {:<20} c={workers:<3} other processes used {:.0}% of a core: measuring again",
            kind.name(),
            other * 100.0
        );
    }
    best.ok_or_else(|| "no try".into())
}

async fn call_point_once(kind: Kind, workers: usize, opts: &Opts) -> Result<CallPoint, String> {
    let server = spawn_server(kind, opts.pin)?;
    let target = Target::new(server.addr, kind.stateful())
        .map_err(|e| e.to_string())?
        .authorized(kind.bearer())
        .modern(kind.modern());
    let window = Window::after(
        Duration::from_secs_f64(opts.warmup),
        Duration::from_secs_f64(opts.seconds),
    );
    let cpu = sample_cpu(server.pid, window);
    let exports = sink::exports();
    let mut outcome = load::run(&target, Work::Call, workers, window, opts.max_calls).await;
    if kind == Kind::OursOtel {
        // Sent while the point ran (the batch processor exports every few seconds).
        eprintln!(
            "  {:<20} the OTLP sink received {} exports during the point",
            kind.name(),
            sink::exports() - exports
        );
    }
    let cpu = cpu.await.unwrap_or(CpuShares {
        server: f64::NAN,
        client: f64::NAN,
        other: f64::NAN,
    });
    drop(server);
    Ok(CallPoint {
        rps: outcome.rate(),
        p50_us: outcome.quantile_us(0.50),
        p99_us: outcome.quantile_us(0.99),
        ok: outcome.ok,
        failed: outcome.failed,
        server_cpu: cpu.server,
        client_cpu: cpu.client,
        other_cpu: cpu.other,
        tries: 1,
        first_error: outcome.first_error,
    })
}

/// Workers opening sessions in the session-rate test.
const SESSION_WORKERS: usize = 16;

async fn session_point(kind: Kind, opts: &Opts) -> Result<SessionPoint, String> {
    let mut best: Option<SessionPoint> = None;
    for attempt in 1..=TRIES {
        let mut point = session_point_once(kind, opts).await?;
        point.tries = attempt;
        let other = point.other_cpu;
        if best.as_ref().is_none_or(|b| other < b.other_cpu) {
            best = Some(point);
        }
        if other <= CONTENTION_LIMIT || other.is_nan() || attempt == TRIES {
            break;
        }
        eprintln!(
            "  {:<20} sessions: other processes used {:.0}% of a core: measuring again",
            kind.name(),
            other * 100.0
        );
    }
    best.ok_or_else(|| "no try".into())
}

async fn session_point_once(kind: Kind, opts: &Opts) -> Result<SessionPoint, String> {
    let server = spawn_server(kind, opts.pin)?;
    let target = Target::new(server.addr, true).map_err(|e| e.to_string())?;
    let window = Window::after(
        Duration::from_secs_f64(opts.warmup.min(1.0)),
        Duration::from_secs_f64(opts.seconds),
    );
    let cpu = sample_cpu(server.pid, window);
    let mut outcome = load::run(
        &target,
        Work::OpenSession,
        SESSION_WORKERS,
        window,
        opts.max_sessions,
    )
    .await;
    let other_cpu = cpu.await.map_or(f64::NAN, |c| c.other);
    drop(server);
    Ok(SessionPoint {
        per_sec: outcome.rate(),
        p50_us: outcome.quantile_us(0.50),
        p99_us: outcome.quantile_us(0.99),
        ok: outcome.ok,
        failed: outcome.failed,
        other_cpu,
        tries: 1,
        first_error: outcome.first_error,
    })
}

/// Connections used to open sessions in the memory tests.
const MEMORY_CONNECTIONS: usize = 16;

/// RSS before and after opening `count` idle sessions (after a warm-up of 100 sessions,
/// with the same number of client connections open at both readings).
async fn memory_point(kind: Kind, count: usize, opts: &Opts) -> Result<MemoryPoint, String> {
    let server = spawn_server(kind, opts.pin)?;
    let target = Target::new(server.addr, true).map_err(|e| e.to_string())?;
    let (warm, mut warm_out) = load::open_sessions(&target, 100, MEMORY_CONNECTIONS).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = sys::rss_bytes(server.pid).ok_or("cannot read the server's VmRSS")?;
    drop(warm);
    let (held, out) = load::open_sessions(&target, count, MEMORY_CONNECTIONS).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = sys::rss_bytes(server.pid).ok_or("cannot read the server's VmRSS")?;
    drop(held);
    drop(server);
    warm_out.failed += out.failed;
    Ok(MemoryPoint {
        sessions: out.ok,
        rss_before: before,
        rss_after: after,
        failed: warm_out.failed,
        first_error: warm_out.first_error.or(out.first_error),
    })
}

/// Everything measured, by round.
#[derive(Debug, Default)]
pub struct Results {
    pub calls: Vec<(usize, Kind, usize, CallPoint)>,
    pub sessions: Vec<(usize, Kind, SessionPoint)>,
    pub memory: Vec<(usize, Kind, MemoryPoint)>,
    pub hold: Vec<(Kind, MemoryPoint)>,
    pub compile: Option<compile::CompileTimes>,
    pub compile_error: Option<String>,
    pub load_before: Option<f64>,
    pub load_after: Option<f64>,
    pub pinned: String,
    pub cores: usize,
    pub started: String,
    pub elapsed: Duration,
}

fn bench_main(opts: Opts) -> Result<(), String> {
    let started = Instant::now();
    let mut results = Results {
        load_before: sys::load_average(),
        cores: sys::cores(),
        started: sys::utc_now(),
        ..Results::default()
    };
    eprintln!(
        "mcp-bench: {} cores, load average {:.2}",
        results.cores,
        results.load_before.unwrap_or(f64::NAN)
    );
    // Builds first, before this process pins itself (children inherit the pinning).
    if opts.compile_time {
        match compile::measure() {
            Ok(times) => results.compile = Some(times),
            Err(e) => {
                eprintln!("compile time: {e}");
                results.compile_error = Some(e);
            }
        }
    }
    if !opts.compile_only {
        let pin = opts.pin && sys::cores() >= 2;
        let opts = Opts {
            pin,
            ..opts.clone()
        };
        results.pinned = if !pin {
            "not pinned".into()
        } else if sys::pin_to_core(1) {
            let how = if sys::which("taskset").is_some() {
                "`taskset -c 0`"
            } else {
                "sched_setaffinity"
            };
            format!("servers on core 0 ({how}), load generator on core 1 (sched_setaffinity)")
        } else {
            "servers on core 0; pinning the load generator failed".into()
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(run_rounds(&opts, &mut results))?;
        results.load_after = sys::load_average();
        results.elapsed = started.elapsed();
        report::write(&opts, &results)?;
    } else {
        results.elapsed = started.elapsed();
        report::write(&opts, &results)?;
    }
    Ok(())
}

async fn run_rounds(opts: &Opts, results: &mut Results) -> Result<(), String> {
    let stateful: Vec<Kind> = opts
        .kinds
        .iter()
        .copied()
        .filter(|k| k.stateful())
        .collect();
    for round in 0..opts.rounds {
        eprintln!("round {}/{}", round + 1, opts.rounds);
        for &kind in &opts.kinds {
            for &c in &opts.concurrency {
                let point = call_point(kind, c, opts).await?;
                eprintln!(
                    "  {:<20} c={c:<3} {:>9.0} req/s  p50 {:>8.1} µs  p99 {:>8.1} µs  cpu srv {:>3.0}% gen {:>3.0}% other {:>3.0}%  failed {}{}",
                    kind.name(),
                    point.rps,
                    point.p50_us,
                    point.p99_us,
                    point.server_cpu * 100.0,
                    point.client_cpu * 100.0,
                    point.other_cpu * 100.0,
                    point.failed,
                    point
                        .first_error
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                );
                results.calls.push((round, kind, c, point));
            }
        }
        for &kind in &stateful {
            let point = session_point(kind, opts).await?;
            eprintln!(
                "  {:<20} sessions {:>9.0}/s  p50 {:>8.1} µs  p99 {:>8.1} µs  other {:>3.0}%  failed {}{}",
                kind.name(),
                point.per_sec,
                point.p50_us,
                point.p99_us,
                point.other_cpu * 100.0,
                point.failed,
                point
                    .first_error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            );
            results.sessions.push((round, kind, point));
        }
        for &kind in &stateful {
            let point = memory_point(kind, opts.idle_sessions, opts).await?;
            eprintln!(
                "  {:<20} {} idle sessions: RSS {:.1} -> {:.1} MiB, {:.0} bytes/session  failed {}",
                kind.name(),
                point.sessions,
                point.rss_before as f64 / 1048576.0,
                point.rss_after as f64 / 1048576.0,
                point.per_session(),
                point.failed
            );
            results.memory.push((round, kind, point));
        }
    }
    if opts.hold > 0 {
        for kind in [Kind::OursSse, Kind::OursJson] {
            if !opts.kinds.contains(&kind) {
                continue;
            }
            let point = memory_point(kind, opts.hold, opts).await?;
            eprintln!(
                "  {:<20} holding {} sessions: RSS {:.1} MiB ({:.0} bytes/session)  failed {}",
                kind.name(),
                point.sessions,
                point.rss_after as f64 / 1048576.0,
                point.per_session(),
                point.failed
            );
            results.hold.push((kind, point));
        }
    }
    Ok(())
}

/// `mcp-bench load KIND ADDR [--payload text|blob] [--concurrency N] [--seconds S] [--warmup S]`: load a server
/// started elsewhere (under valgrind or perf, say) and print what it did.
fn load_main(args: &[String]) -> Result<(), String> {
    let [kind, addr, rest @ ..] = args else {
        return Err("usage: mcp-bench load KIND ADDR [--concurrency N] [--seconds S] [--warmup S] [--max-calls N] [--payload text|blob]".into());
    };
    // `--payload text|blob` asks for a large payload (a payload kind) instead of `add`.
    let (work, rest) = match rest {
        [flag, what, rest @ ..] if flag == "--payload" => match what.as_str() {
            "text" => (Work::Payload(load::Payload::Text), rest),
            "blob" => (Work::Payload(load::Payload::Blob), rest),
            _ => return Err(format!("unknown payload {what}: text or blob")),
        },
        _ => (Work::Call, rest),
    };
    let kind = Kind::parse(kind).ok_or_else(|| format!("unknown server kind {kind}"))?;
    let addr: SocketAddr = addr.parse().map_err(|_| format!("bad address {addr}"))?;
    let opts = parse_opts(rest)?;
    let workers = opts.concurrency.first().copied().unwrap_or(16);
    let target = Target::new(addr, kind.stateful())
        .map_err(|e| e.to_string())?
        .authorized(kind.bearer())
        .modern(kind.modern());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut outcome = runtime.block_on(load::run(
        &target,
        work,
        workers,
        Window::after(
            Duration::from_secs_f64(opts.warmup),
            Duration::from_secs_f64(opts.seconds),
        ),
        opts.max_calls,
    ));
    let (p50, p99) = (outcome.quantile_us(0.5), outcome.quantile_us(0.99));
    println!(
        "{} c={workers}: {} calls in {:.2} s = {:.0} req/s, p50 {p50:.1} µs, p99 {p99:.1} µs, failed {}{}",
        kind.name(),
        outcome.ok,
        outcome.measured.as_secs_f64(),
        outcome.rate(),
        outcome.failed,
        outcome
            .first_error
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    );
    Ok(())
}
