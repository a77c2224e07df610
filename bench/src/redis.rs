//! `mcp-bench redis`: one node on Redis against the same node in memory, in the same run.
//!
//! A `redis-server` from `PATH` runs on a free port for the whole run (skipped, with a
//! message, when there is none). Three pairs ([`Kind::REDIS_PAIRS`]): the handshake era,
//! stateful, JSON responses, without an event store; the same with SSE responses and an event
//! store (in memory / on Redis Streams); and the 2026-07-28 era on a stateful endpoint. For
//! each: `tools/call` per second of the node on Redis against in memory (the target: at least
//! [`FLOOR`]), and Redis commands per call, counted from `INFO commandstats` before and after
//! [`COUNTED_CALLS`] calls of one client in one session (the `INFO` itself left out).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::load::{self, Client, Target, Window, Work};
use crate::servers::Kind;
use crate::{Opts, spawn_server_with};

/// The target: the node on Redis at least this share of the node in memory's calls/s.
const FLOOR: f64 = 0.6;

/// Calls counted for commands per call.
const COUNTED_CALLS: u64 = 2_000;

/// A `redis-server` of this run, killed when dropped.
struct RedisProcess {
    child: Child,
    addr: SocketAddr,
}

impl RedisProcess {
    fn start(binary: &Path) -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let child = Command::new(binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting redis-server: {e}"))?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut redis = RedisProcess { child, addr };
        let deadline = Instant::now() + Duration::from_secs(10);
        while redis.info_commandstats().is_err() {
            if Instant::now() > deadline {
                return Err(format!("redis-server did not answer on {addr}"));
            }
            if let Ok(Some(status)) = redis.child.try_wait() {
                return Err(format!("redis-server exited: {status}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(redis)
    }

    fn url(&self) -> String {
        format!("redis://{}/0", self.addr)
    }

    /// `INFO commandstats`: calls by command name (`get`, `evalsha`, …).
    fn info_commandstats(&self) -> Result<BTreeMap<String, u64>, String> {
        let stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1))
            .map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .map_err(|e| e.to_string())?;
        (&stream)
            .write_all(b"INFO commandstats\r\n")
            .map_err(|e| e.to_string())?;
        let mut reader = BufReader::new(&stream);
        let mut header = String::new();
        reader.read_line(&mut header).map_err(|e| e.to_string())?;
        let len: usize = header
            .trim()
            .strip_prefix('$')
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("unexpected INFO reply {header:?}"))?;
        let mut body = vec![0; len];
        reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&body);
        let mut calls = BTreeMap::new();
        for line in text.lines() {
            // cmdstat_get:calls=12,usec=34,...
            let Some((name, stats)) = line
                .strip_prefix("cmdstat_")
                .and_then(|l| l.split_once(':'))
            else {
                continue;
            };
            let count = stats
                .split(',')
                .find_map(|kv| kv.strip_prefix("calls="))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            calls.insert(name.to_owned(), count);
        }
        Ok(calls)
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn target(kind: Kind, addr: SocketAddr) -> Result<Target, String> {
    Ok(Target::new(addr, kind.stateful())
        .map_err(|e| e.to_string())?
        .modern(kind.modern()))
}

fn env_for(kind: Kind, redis: &RedisProcess) -> Vec<(&'static str, String)> {
    if kind.on_redis() {
        vec![("MCP_BENCH_REDIS_URL", redis.url())]
    } else {
        Vec::new()
    }
}

/// calls/s of `kind` with `clients` clients, and the failed calls with the first failure.
async fn rate(
    kind: Kind,
    clients: usize,
    redis: &RedisProcess,
    opts: &Opts,
) -> Result<(f64, u64, Option<String>), String> {
    let server = spawn_server_with(kind, opts.pin, &env_for(kind, redis))?;
    let window = Window::after(
        Duration::from_secs_f64(opts.warmup),
        Duration::from_secs_f64(opts.seconds),
    );
    let outcome = load::run(
        &target(kind, server.addr)?,
        Work::Call,
        clients,
        window,
        opts.max_calls,
    )
    .await;
    drop(server);
    Ok((outcome.rate(), outcome.failed, outcome.first_error))
}

/// Redis commands per call of `kind` (one client, one session, [`COUNTED_CALLS`] calls after
/// 100 unmeasured ones), in all and by command.
async fn commands_per_call(
    kind: Kind,
    redis: &RedisProcess,
    opts: &Opts,
) -> Result<(f64, BTreeMap<String, f64>), String> {
    let server = spawn_server_with(kind, opts.pin, &env_for(kind, redis))?;
    let target = target(kind, server.addr)?;
    let mut client = Client::connect(&target).await.map_err(|e| e.to_string())?;
    if kind.stateful() {
        client.open_session(1).await.map_err(|e| e.to_string())?;
    }
    let mut id = 10;
    for _ in 0..100 {
        id += 1;
        call_once(kind, &mut client, id).await?;
    }
    let before = redis.info_commandstats()?;
    for _ in 0..COUNTED_CALLS {
        id += 1;
        call_once(kind, &mut client, id).await?;
    }
    let after = redis.info_commandstats()?;
    drop(server);
    let mut by_command = BTreeMap::new();
    let mut total = 0;
    for (name, calls) in &after {
        if name == "info" {
            continue;
        }
        let delta = calls - before.get(name).copied().unwrap_or(0);
        if delta > 0 {
            total += delta;
            by_command.insert(name.clone(), delta as f64 / COUNTED_CALLS as f64);
        }
    }
    Ok((total as f64 / COUNTED_CALLS as f64, by_command))
}

async fn call_once(kind: Kind, client: &mut Client, id: u64) -> Result<(), String> {
    match client.call_add(id, id).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(bad)) => Err(format!("{}: {bad}", kind.name())),
        Err(e) => Err(format!("{}: {e}", kind.name())),
    }
}

/// What each pair is, and its commands-per-call target (`None`: reported only).
fn describe(redis_kind: Kind) -> (&'static str, Option<f64>) {
    match redis_kind {
        Kind::OursJsonRedis => ("handshake era, stateful, JSON, no event store", Some(1.0)),
        Kind::OursSseRedisEvents => ("handshake era, stateful, SSE, with an event store", None),
        Kind::Ours2026Redis => ("2026-07-28, no tasks", Some(0.0)),
        _ => ("", None),
    }
}

/// `mcp-bench redis [--seconds S] [--warmup S] [--rounds N] [--concurrency LIST] [--out DIR]`:
/// writes `redis/redis.md` under the output directory.
pub fn main(args: &[String]) -> Result<(), String> {
    let mut opts = crate::parse_opts(args)?;
    if !args.iter().any(|a| a == "--concurrency") {
        opts.concurrency = vec![1, 16];
    }
    let Some(binary) = crate::sys::which("redis-server") else {
        println!(
            "SKIPPED: mcp-bench redis needs redis-server on PATH (apt-get install redis-server)"
        );
        return Ok(());
    };
    // Read before pinning, which leaves this process one core.
    let machine = format!(
        "{} ({} cores, Linux {})",
        crate::sys::cpu_model(),
        crate::sys::cores(),
        crate::sys::kernel()
    );
    if opts.pin && !crate::sys::pin_to_core(1) {
        eprintln!("redis: could not pin the load generator to core 1");
    }
    let redis = RedisProcess::start(&binary)?;
    eprintln!("redis-server at {}", redis.url());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let load_before = crate::sys::load_average();
    let mut rate_rows = String::new();
    let mut verdicts = String::new();
    let mut command_rows = String::new();
    for (memory, on_redis) in Kind::REDIS_PAIRS {
        let (what, command_target) = describe(on_redis);
        for &clients in &opts.concurrency {
            let mut ratios = Vec::new();
            let (mut mem_rates, mut redis_rates) = (Vec::new(), Vec::new());
            let mut failures = Vec::new();
            for round in 0..opts.rounds {
                // Which goes first alternates, so a load that drifts during the run (other
                // builds on the machine) does not favour one side.
                let ((m, m_failed, m_error), (r, r_failed, r_error)) = if round % 2 == 0 {
                    let m = runtime.block_on(rate(memory, clients, &redis, &opts))?;
                    (m, runtime.block_on(rate(on_redis, clients, &redis, &opts))?)
                } else {
                    let r = runtime.block_on(rate(on_redis, clients, &redis, &opts))?;
                    (runtime.block_on(rate(memory, clients, &redis, &opts))?, r)
                };
                eprintln!(
                    "  {:<32} c={clients:<3} memory {m:>8.0}/s  redis {r:>8.0}/s  {:.2}x  failed {}/{}",
                    what,
                    r / m,
                    m_failed,
                    r_failed
                );
                ratios.push(r / m);
                mem_rates.push(m);
                redis_rates.push(r);
                if m_failed + r_failed > 0 {
                    failures.push(format!(
                        "{} failed ({})",
                        m_failed + r_failed,
                        m_error.or(r_error).unwrap_or_default()
                    ));
                }
            }
            let ratio = crate::report::median(ratios.iter().copied());
            let verdict = match (failures.is_empty(), ratio >= FLOOR) {
                (false, _) => "**failed calls**",
                (true, true) => "met",
                (true, false) => "**missed**",
            };
            let _ = writeln!(
                rate_rows,
                "| {what} | {clients} | {:.0} | {:.0} | {ratio:.2}x ({}) | {} |",
                crate::report::median(mem_rates),
                crate::report::median(redis_rates),
                ratios
                    .iter()
                    .map(|r| format!("{r:.2}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if failures.is_empty() {
                    "0".to_owned()
                } else {
                    failures.join("; ")
                }
            );
            let _ = writeln!(
                verdicts,
                "| {what}, {clients} client(s): calls/s on Redis ≥ {FLOOR}x in memory | {ratio:.2}x | {verdict} |"
            );
        }
        let (per_call, by_command) =
            runtime.block_on(commands_per_call(on_redis, &redis, &opts))?;
        eprintln!("  {what}: {per_call:.3} Redis commands per call {by_command:?}");
        let breakdown = if by_command.is_empty() {
            "none".to_owned()
        } else {
            by_command
                .iter()
                .map(|(name, n)| format!("{} {n:.3}", name.to_uppercase()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(command_rows, "| {what} | {per_call:.3} | {breakdown} |");
        let verdict = match command_target {
            Some(max) if per_call <= max + 1e-9 => "met",
            Some(_) => "**missed**",
            None => "reported",
        };
        let target_text = match command_target {
            Some(max) => format!("≤ {max}"),
            None => "reported".to_owned(),
        };
        let _ = writeln!(
            verdicts,
            "| {what}: Redis commands per call {target_text} | {per_call:.3} | {verdict} |"
        );
    }
    let load_after = crate::sys::load_average();
    let load_text = |l: Option<f64>| l.map_or("unknown".to_owned(), |l| format!("{l:.2}"));
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# mcp-bench redis: one node on Redis against the same node in memory\n\n\
         Run {} on {}; server on core 0, load generator on core 1, redis-server (from PATH, \
         no persistence) unpinned. Load average {} before, {} after. Command: `cargo run \
         --release --manifest-path bench/Cargo.toml -- redis{}`\n\n\
         Each pair is the same `add` server, stateful endpoint (`Mode::Stateful`): in memory, \
         then as one node of several with its sessions and bus on Redis (`mcp-redis`), and \
         for the event-store pair its SSE events on Redis Streams. calls/s are medians of {} \
         rounds of {} s after {} s of warm-up, memory and Redis one after the other in each \
         round (which goes first alternates between rounds); the ratio is taken within each \
         round (all rounds' ratios in brackets). A node on Redis does what the node in memory \
         does and more: a ratio above 1 is the machine's noise. Redis commands \
         per call: `INFO commandstats` before and after {COUNTED_CALLS} sequential calls of \
         one client in one open session (after 100 unmeasured), the `INFO` calls left out; \
         what the node does on its own meanwhile (session refreshes on its sweep) is counted \
         too. `INFO commandstats` counts the commands a Lua script runs as well as the \
         `EVALSHA` that ran it: the event store's one round trip per call is `EVALSHA` running \
         `INCRBY`, then `XADD` for the priming event and for the response, and `PEXPIRE`.\n\n\
         The machine is shared with other builds (2 cores): absolute rates move between runs; \
         the ratios within one run are what count.\n\n\
         ## Targets (issue 15)\n\n| target | measured | verdict |\n| --- | --- | --- |\n\
         {verdicts}\n## calls/s\n\n| pair | clients | in memory | on Redis | on Redis / in \
         memory | failed |\n| --- | ---: | ---: | ---: | ---: | --- |\n{rate_rows}\n\
         ## Redis commands per tools/call\n\n| pair | commands per call | by command |\n| --- \
         | ---: | --- |\n{command_rows}",
        crate::sys::utc_now(),
        machine,
        load_text(load_before),
        load_text(load_after),
        args.iter().map(|a| format!(" {a}")).collect::<String>(),
        opts.rounds,
        opts.seconds,
        opts.warmup,
    );
    let dir = opts.out.join("redis");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("redis.md");
    std::fs::write(&path, &md).map_err(|e| format!("{}: {e}", path.display()))?;
    print!("{md}");
    eprintln!("wrote {}", path.display());
    Ok(())
}
