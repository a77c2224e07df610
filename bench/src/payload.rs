//! `mcp-bench payload`: large results, ours against bare axum making the same JSON body.
//!
//! A tool returning 1 MiB of text and a resource of 1 MiB of bytes (base64 in the result),
//! each asked by `C` clients on keep-alive connections; the figure is MB/s of payload
//! delivered (replies per second × payload size). Before each point one reply is verified in
//! full (parsed, every byte of the payload checked); during the point each reply must be a 200
//! JSON body that names its id and can hold the payload.

use std::fmt::Write as _;
use std::time::Duration;

use crate::load::{self, Client, Payload, Target, Window, Work};
use crate::servers::{Kind, PAYLOAD_BYTES};
use crate::{Opts, spawn_server};

/// The target: ours at least this share of bare axum's MB/s.
const FLOOR: f64 = 0.7;

struct Point {
    mb_per_s: f64,
    reply_bytes: usize,
    failed: u64,
    first_error: Option<String>,
}

async fn point(kind: Kind, payload: Payload, clients: usize, opts: &Opts) -> Result<Point, String> {
    let server = spawn_server(kind, opts.pin)?;
    let target = Target::new(server.addr, false).map_err(|e| e.to_string())?;
    let mut client = Client::connect(&target).await.map_err(|e| e.to_string())?;
    let id = 7;
    let body = client
        .call_payload(id, payload)
        .await
        .map_err(|e| format!("{}: {e}", kind.name()))?
        .map_err(|bad| format!("{}: {bad}", kind.name()))?;
    payload
        .verify(&body, id)
        .map_err(|e| format!("{} answered {}: {e}", kind.name(), payload.name()))?;
    drop(client);
    let window = Window::after(
        Duration::from_secs_f64(opts.warmup),
        Duration::from_secs_f64(opts.seconds),
    );
    let outcome = load::run(
        &target,
        Work::Payload(payload),
        clients,
        window,
        opts.max_calls,
    )
    .await;
    drop(server);
    Ok(Point {
        mb_per_s: outcome.rate() * PAYLOAD_BYTES as f64 / 1e6,
        reply_bytes: body.len(),
        failed: outcome.failed,
        first_error: outcome.first_error,
    })
}

/// What the rounds of one server at one point measured.
#[derive(Default)]
struct Figures {
    rates: Vec<f64>,
    bytes: usize,
    failed: u64,
    error: Option<String>,
}

/// `mcp-bench payload [--seconds S] [--warmup S] [--rounds N] [--concurrency LIST] [--out DIR]`:
/// writes `payload.md` to the output directory.
pub fn main(args: &[String]) -> Result<(), String> {
    let mut opts = crate::parse_opts(args)?;
    if !args.iter().any(|a| a == "--concurrency") {
        opts.concurrency = vec![1, 4];
    }
    // Counted before pinning: the count follows this process's affinity.
    let cores = crate::sys::cores();
    if opts.pin && !crate::sys::pin_to_core(1) {
        eprintln!("payload: could not pin the load generator to core 1");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut rows = String::new();
    let mut verdicts = String::new();
    for payload in [Payload::Text, Payload::Blob] {
        for &clients in &opts.concurrency {
            // Each round runs the baseline and ours back to back and takes its ratio there:
            // the machine's speed drifts over a run, by 30% at times.
            let kinds = [Kind::AxumPayload, Kind::OursPayload];
            let mut figures: Vec<Figures> = kinds.iter().map(|_| Figures::default()).collect();
            let mut ratios = Vec::new();
            for _ in 0..opts.rounds {
                let mut rates = [0.0; 2];
                for (i, &kind) in kinds.iter().enumerate() {
                    let p = runtime.block_on(point(kind, payload, clients, &opts))?;
                    eprintln!(
                        "  {:<13} {:<38} c={clients:<3} {:>8.1} MB/s  failed {}",
                        kind.name(),
                        payload.name(),
                        p.mb_per_s,
                        p.failed
                    );
                    rates[i] = p.mb_per_s;
                    let f = &mut figures[i];
                    f.rates.push(p.mb_per_s);
                    f.bytes = p.reply_bytes;
                    f.failed += p.failed;
                    f.error = f.error.take().or(p.first_error);
                }
                ratios.push(rates[1] / rates[0]);
            }
            let ours = crate::report::median(ratios.clone());
            let all = ratios
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(", ");
            for (kind, f) in kinds.iter().zip(&figures) {
                let rate = crate::report::median(f.rates.clone());
                let _ = writeln!(
                    rows,
                    "| {} | {} | {clients} | {rate:.0} | {} | {} | {}{} |",
                    payload.name(),
                    kind.name(),
                    f.bytes,
                    if *kind == Kind::AxumPayload {
                        "–".to_owned()
                    } else {
                        format!("{ours:.2}x ({all})")
                    },
                    f.failed,
                    f.error
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                );
            }
            let failed = figures[0].failed + figures[1].failed;
            let verdict = match (ours.is_finite(), failed) {
                (_, f) if f > 0 => "**failed calls**",
                (true, _) if ours >= FLOOR => "met",
                (true, _) => "**missed**",
                _ => "not measured",
            };
            let _ = writeln!(
                verdicts,
                "| {} c={clients}: ≥ {FLOOR}x bare axum's MB/s | {ours:.2}x | {verdict} |",
                payload.name()
            );
        }
    }
    let machine = format!(
        "{} ({} cores, Linux {})",
        crate::sys::cpu_model(),
        cores,
        crate::sys::kernel()
    );
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# mcp-bench payload: large results\n\nRun {} on {}; server on core 0, load generator on \
         core 1. Command: `cargo run --release --manifest-path bench/Cargo.toml -- payload{}`\n\n\
         Bare axum (`axum-payload`) builds the same JSON-RPC body per request (the text repeated, \
         or the bytes base64-encoded, then serialized with serde_json); ours (`ours-payload`) is \
         a `#[tool]` returning a `String` and a `#[resource]` returning `Vec<u8>`, stateless, \
         JSON responses. MB/s counts the payload (1 MiB = {PAYLOAD_BYTES} bytes) delivered per \
         second; medians of {} rounds of {} s after {} s of warm-up, bare axum and ours back to \
         back in each round; ×axum is the median of the rounds' ratios (each round's in \
         brackets). One reply per point is verified in full before it.\n\nCopies of the payload per response, ours: \
         a tool's `String` is moved into its result (not copied); serialization writes the \
         result once, escaped, into a buffer sized ahead from the result's text or data (axum's \
         `serde_json::to_vec` grows its buffer by doubling), and that buffer is sent as it is, \
         between the envelope's head and its closing brace (one vectored write, \
         `Content-Length` known), for results of 64 KiB or more. Checked by \
         `transport::http::body`'s test (the bytes sent are the result's own buffer), with \
         callgrind (`memcpy` per 1 MiB text response: 2.1 MB ours, as axum's; \
         3.1 MB before the buffer was sized ahead, 5.2 MB before the result was sent in place) \
         and with `perf stat` (page faults per response: none after the first, as axum's; 257 \
         before the buffer was sized ahead). The sized buffer costs a scan: it is checked as \
         UTF-8 and as JSON when it becomes the result's `RawValue` (14.6M instructions per \
         response against axum's 11.6M; 12.6M before, with the page faults).\n\n## Targets (issue: Performance round 2)\n\n| target | \
         measured | verdict |\n| --- | --- | --- |\n{verdicts}\n## Figures\n\n| payload | server \
         | clients | MB/s | reply bytes | ×axum | failed |\n| --- | --- | ---: | ---: | ---: | ---: \
         | ---: |\n{rows}",
        crate::sys::utc_now(),
        machine,
        args.iter().map(|a| format!(" {a}")).collect::<String>(),
        opts.rounds,
        opts.seconds,
        opts.warmup,
    );
    std::fs::create_dir_all(&opts.out).map_err(|e| e.to_string())?;
    let path = opts.out.join("payload.md");
    std::fs::write(&path, &md).map_err(|e| format!("{}: {e}", path.display()))?;
    print!("{md}");
    eprintln!("wrote {}", path.display());
    Ok(())
}
