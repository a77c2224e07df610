//! `mcp-bench soak`: minutes of mixed abuse beside honest clients, with the server's memory,
//! live tasks and sessions read every 10 s. See `bench/README.md`.

mod abuse;
mod honest;
mod report;
pub mod server;
mod verdict;
mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::load::Target;
use crate::servers::Kind;
use crate::sys;
use abuse::{Abuse, Tally};
use honest::Honest;
use verdict::{Plan, Sample, Verdicts};

pub const USAGE: &str = "\
mcp-bench soak: mixed abuse beside honest clients; RSS, live tasks and sessions over time

USAGE:
    mcp-bench soak [OPTIONS]

OPTIONS:
    --minutes M     minutes of abuse (default 10; fractions allowed)
    --server KIND   the server to start (default ours-soak, the only kind with every tool)
    --addr ADDR     soak a server already running at ADDR (loopback) instead; it must serve
                    the tools of ours-soak at /mcp (and may answer GET /stats)
    --pid PID       with --addr: the process whose RSS is read
    --out DIR       where latest.md and rss.svg go (default bench/results/soak)
    --no-pin        do not pin the server and the load generator to different cores
";

/// Seconds between readings.
const EVERY: f64 = 10.0;
/// Honest clients alone before the abuse, so the baseline reading sees them settled.
const QUIET: f64 = 20.0;

#[derive(Debug, Clone)]
struct SoakOpts {
    minutes: f64,
    server: Kind,
    external: Option<(SocketAddr, u32)>,
    out: PathBuf,
    pin: bool,
}

fn parse(args: &[String]) -> Result<SoakOpts, String> {
    let mut opts = SoakOpts {
        minutes: 10.0,
        server: Kind::OursSoak,
        external: None,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results/soak"),
        pin: true,
    };
    let (mut addr, mut pid) = (None, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--minutes" => {
                let v = value()?;
                opts.minutes = v
                    .parse()
                    .ok()
                    .filter(|m: &f64| *m > 0.0)
                    .ok_or_else(|| format!("--minutes: bad value {v:?}"))?;
            }
            "--server" => {
                let v = value()?;
                opts.server = Kind::parse(&v).ok_or_else(|| format!("unknown server kind {v}"))?;
            }
            "--addr" => {
                let v = value()?;
                addr = Some(
                    v.parse::<SocketAddr>()
                        .map_err(|_| format!("bad address {v}"))?,
                );
            }
            "--pid" => {
                let v = value()?;
                pid = Some(v.parse::<u32>().map_err(|_| format!("bad pid {v}"))?);
            }
            "--out" => opts.out = PathBuf::from(value()?),
            "--no-pin" => opts.pin = false,
            other => return Err(format!("unknown option {other}\n\n{USAGE}")),
        }
    }
    opts.external = match (addr, pid) {
        (Some(addr), Some(pid)) => Some((addr, pid)),
        (None, None) => None,
        _ => return Err("--addr and --pid go together".into()),
    };
    Ok(opts)
}

/// Everything a soak saw.
pub struct Run {
    server: String,
    plan: Plan,
    samples: Vec<Sample>,
    tallies: Vec<Arc<Tally>>,
    verdicts: Verdicts,
    first_honest_error: Option<String>,
    pinned: String,
    cores: usize,
    load_before: Option<f64>,
    load_after: Option<f64>,
    started: String,
}

/// `mcp-bench soak [OPTIONS]`: runs, writes the report, and fails when a verdict failed.
pub fn main(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return Ok(());
    }
    let opts = parse(args)?;
    let pin = opts.pin && sys::cores() >= 2 && opts.external.is_none();
    let started = sys::utc_now();
    let cores = sys::cores();
    let load_before = sys::load_average();
    // The server is started before this process pins itself (children inherit the pinning).
    let (server, addr, pid) = match opts.external {
        Some((addr, pid)) => (None, addr, pid),
        None => {
            let server = crate::spawn_server(opts.server, pin)?;
            let (addr, pid) = (server.addr, server.pid);
            (Some(server), addr, pid)
        }
    };
    let pinned = if pin && sys::pin_to_core(1) {
        "server on core 0, load generator (honest clients and abusers) on core 1".to_owned()
    } else {
        "not pinned".to_owned()
    };
    eprintln!(
        "soak: {} at {addr} (pid {pid}), {} min of abuse, load average {:.2}",
        opts.server.name(),
        opts.minutes,
        load_before.unwrap_or(f64::NAN)
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let grace =
        server::IDLE_TIMEOUT.as_secs_f64() + 3.0 * server::SWEEP_INTERVAL.as_secs_f64() + 10.0;
    let plan = Plan::new(opts.minutes, (grace / EVERY).ceil() * EVERY);
    let (samples, tallies, first_honest_error) = runtime.block_on(soak(addr, pid, plan))?;
    drop(server);
    let verdicts = verdict::judge(&plan, &samples, honest::CLIENTS as u64 + 2);
    let run = Run {
        server: match opts.external {
            Some((addr, _)) => format!("the server at {addr}"),
            None => opts.server.name().to_owned(),
        },
        plan,
        samples,
        tallies,
        verdicts,
        first_honest_error,
        pinned,
        cores,
        load_before,
        load_after: sys::load_average(),
        started,
    };
    report::write(&opts.out, &run)?;
    if run.verdicts.pass() {
        Ok(())
    } else {
        Err("the soak failed a verdict (see the report)".into())
    }
}

type Soaked = (Vec<Sample>, Vec<Arc<Tally>>, Option<String>);

async fn soak(addr: SocketAddr, pid: u32, plan: Plan) -> Result<Soaked, String> {
    let target = Target::new(addr, true).map_err(|e| e.to_string())?;
    let start = Instant::now() + Duration::from_secs_f64(QUIET);
    let at = |t: f64| {
        if t >= 0.0 {
            start + Duration::from_secs_f64(t)
        } else {
            start - Duration::from_secs_f64(-t)
        }
    };
    let end = at(plan.abuse + plan.grace);
    let honest = Arc::new(Honest::default());
    let honest_tasks = honest::start(&target, end + Duration::from_secs(1), &honest);
    let mut samples = Vec::new();
    let mut abusers = None;
    let mut k = -(QUIET / EVERY) as i64 + 1;
    loop {
        let t = k as f64 * EVERY;
        if t > plan.abuse + plan.grace + 1e-9 {
            break;
        }
        tokio::time::sleep_until(at(t).into()).await;
        let sample = read(addr, pid, t, &honest).await?;
        eprintln!(
            "  t={t:>5.0} s  {:<7}  RSS {:>7.1} MiB  heap {:>7}  tasks {:>6}  sessions {:>6}  events {:>6}  fds {:>5}  honest {:>6} ok {} failed, slowest {:.1} ms",
            plan.phase(t).name(),
            sample.rss as f64 / 1048576.0,
            sample
                .stats
                .and_then(|s| s.heap)
                .map_or("-".into(), |h| format!("{:.1} MiB", h as f64 / 1048576.0)),
            sample
                .stats
                .map_or("-".into(), |s| s.alive_tasks.to_string()),
            sample.stats.map_or("-".into(), |s| s.sessions.to_string()),
            sample.stats.map_or("-".into(), |s| s.events.to_string()),
            sample.fds,
            sample.honest_ok,
            sample.honest_failed,
            sample.honest_slowest_ms,
        );
        samples.push(sample);
        if k == 0 {
            // The baseline is read: the abuse starts.
            abusers = Some(abuse::start(Abuse {
                addr,
                until: at(plan.abuse),
            }));
        }
        if t < plan.abuse && t + EVERY > plan.abuse + 1e-9 {
            // The abuse ends between two readings: one more at its end, for the last window.
            tokio::time::sleep_until(at(plan.abuse).into()).await;
            samples.push(read(addr, pid, plan.abuse, &honest).await?);
        }
        k += 1;
    }
    for task in honest_tasks {
        let _ = task.await;
    }
    let tallies = match abusers {
        Some((tallies, tasks)) => {
            for task in tasks {
                let _ = task.await;
            }
            tallies
        }
        None => Vec::new(),
    };
    Ok((samples, tallies, honest.first_error()))
}

/// One reading: `/proc` for RSS, threads and descriptors; `GET /stats` for the rest.
async fn read(addr: SocketAddr, pid: u32, t: f64, honest: &Honest) -> Result<Sample, String> {
    let rss = sys::rss_bytes(pid).ok_or("cannot read the server's VmRSS: did it exit?")?;
    let (honest_ok, honest_failed, honest_slowest_ms) = honest.take();
    Ok(Sample {
        t,
        rss,
        stats: stats(addr).await,
        threads: sys::threads(pid).unwrap_or(0),
        fds: sys::open_fds(pid).unwrap_or(0),
        honest_ok,
        honest_failed,
        honest_slowest_ms,
    })
}

/// What `GET /stats` answers, if the server has it.
async fn stats(addr: SocketAddr) -> Option<server::Stats> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        let request = format!("GET /stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.ok()?;
        let at = response.windows(4).position(|w| w == b"\r\n\r\n")?;
        response
            .starts_with(b"HTTP/1.1 200")
            .then(|| serde_json::from_slice(&response[at + 4..]).ok())?
    };
    tokio::time::timeout(Duration::from_secs(5), exchange)
        .await
        .ok()
        .flatten()
}
