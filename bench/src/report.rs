//! The report: medians over rounds, ratios computed within each round (so every ratio is
//! against the baseline measured in the same round), a Markdown file and an SVG chart.

use std::fmt::Write as _;
use std::path::Path;

use crate::servers::Kind;
use crate::{Opts, Results};

/// The median of the finite values (NaN when there are none).
fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// One row of the throughput table.
#[derive(Debug, Clone)]
struct CallRow {
    kind: Kind,
    concurrency: usize,
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    server_cpu: f64,
    client_cpu: f64,
    other_cpu: f64,
    tries: usize,
    failed: u64,
    first_error: Option<String>,
    vs_axum: f64,
    vs_rmcp: f64,
    p99_vs_axum: f64,
    p99_vs_rmcp: f64,
}

fn call_rows(opts: &Opts, results: &Results) -> Vec<CallRow> {
    let point = |round: usize, kind: Kind, c: usize| {
        results
            .calls
            .iter()
            .find(|(r, k, cc, _)| *r == round && *k == kind && *cc == c)
            .map(|(_, _, _, p)| p)
    };
    let ratio = |kind: Kind, base: Option<Kind>, c: usize, f: &dyn Fn(&crate::CallPoint) -> f64| {
        let Some(base) = base else { return f64::NAN };
        median((0..opts.rounds).filter_map(|r| {
            let ours = point(r, kind, c)?;
            let other = point(r, base, c)?;
            Some(f(ours) / f(other))
        }))
    };
    let mut rows = Vec::new();
    for &kind in &opts.kinds {
        for &c in &opts.concurrency {
            let points: Vec<_> = (0..opts.rounds).filter_map(|r| point(r, kind, c)).collect();
            if points.is_empty() {
                continue;
            }
            let base = (kind != Kind::Axum).then_some(Kind::Axum);
            let peer = kind.rmcp_peer();
            rows.push(CallRow {
                kind,
                concurrency: c,
                rps: median(points.iter().map(|p| p.rps)),
                p50_us: median(points.iter().map(|p| p.p50_us)),
                p99_us: median(points.iter().map(|p| p.p99_us)),
                server_cpu: median(points.iter().map(|p| p.server_cpu)),
                client_cpu: median(points.iter().map(|p| p.client_cpu)),
                other_cpu: median(points.iter().map(|p| p.other_cpu)),
                tries: points.iter().map(|p| p.tries).sum(),
                failed: points.iter().map(|p| p.failed).sum(),
                first_error: points.iter().find_map(|p| p.first_error.clone()),
                vs_axum: ratio(kind, base, c, &|p| p.rps),
                vs_rmcp: ratio(kind, peer, c, &|p| p.rps),
                p99_vs_axum: ratio(kind, base, c, &|p| p.p99_us),
                p99_vs_rmcp: ratio(kind, peer, c, &|p| p.p99_us),
            });
        }
    }
    rows
}

fn fmt_ratio(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}x")
    } else {
        "–".into()
    }
}

fn fmt_num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "–".into()
    }
}

fn fmt_pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", x * 100.0)
    } else {
        "–".into()
    }
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / 1_048_576.0)
}

/// A target's verdict.
fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "not measured",
    }
}

struct Summary {
    calls: Vec<CallRow>,
    /// (kind, sessions/s, p50 µs, p99 µs, failed, ratio to rmcp)
    sessions: Vec<(Kind, f64, f64, f64, u64, f64)>,
    /// (kind, sessions, before, after, bytes/session, ratio to rmcp, failed)
    memory: Vec<(Kind, f64, f64, f64, f64, f64, u64)>,
}

fn summarize(opts: &Opts, results: &Results) -> Summary {
    let calls = call_rows(opts, results);
    let session_in = |round: usize, kind: Kind| {
        results
            .sessions
            .iter()
            .find(|(r, k, _)| *r == round && *k == kind)
            .map(|(_, _, p)| p)
    };
    let mut sessions = Vec::new();
    let mut kinds: Vec<Kind> = results.sessions.iter().map(|(_, k, _)| *k).collect();
    kinds.dedup();
    kinds.sort_by_key(|k| Kind::ALL.iter().position(|x| x == k));
    kinds.dedup();
    for kind in kinds.clone() {
        let points: Vec<_> = (0..opts.rounds)
            .filter_map(|r| session_in(r, kind))
            .collect();
        let vs = median((0..opts.rounds).filter_map(|r| {
            let ours = session_in(r, kind)?;
            let rmcp = session_in(r, Kind::RmcpSse)?;
            Some(ours.per_sec / rmcp.per_sec)
        }));
        sessions.push((
            kind,
            median(points.iter().map(|p| p.per_sec)),
            median(points.iter().map(|p| p.p50_us)),
            median(points.iter().map(|p| p.p99_us)),
            points.iter().map(|p| p.failed).sum(),
            if kind == Kind::RmcpSse { f64::NAN } else { vs },
        ));
    }
    let memory_in = |round: usize, kind: Kind| {
        results
            .memory
            .iter()
            .find(|(r, k, _)| *r == round && *k == kind)
            .map(|(_, _, p)| p)
    };
    let mut memory = Vec::new();
    for kind in kinds {
        let points: Vec<_> = (0..opts.rounds)
            .filter_map(|r| memory_in(r, kind))
            .collect();
        if points.is_empty() {
            continue;
        }
        let rmcp = median(
            (0..opts.rounds).filter_map(|r| memory_in(r, Kind::RmcpSse).map(|p| p.per_session())),
        );
        let per = median(points.iter().map(|p| p.per_session()));
        memory.push((
            kind,
            median(points.iter().map(|p| p.sessions as f64)),
            median(points.iter().map(|p| p.rss_before as f64)),
            median(points.iter().map(|p| p.rss_after as f64)),
            per,
            if kind == Kind::RmcpSse {
                f64::NAN
            } else {
                per / rmcp
            },
            points.iter().map(|p| p.failed).sum(),
        ));
    }
    Summary {
        calls,
        sessions,
        memory,
    }
}

fn targets(summary: &Summary, results: &Results) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "| target | measured | verdict |\n| --- | --- | --- |");
    let call = |kind: Kind, c: usize| {
        summary
            .calls
            .iter()
            .find(|r| r.kind == kind && r.concurrency == c)
    };
    for (kind, floor) in [(Kind::OursStateless, 0.8), (Kind::OursSse, 0.5)] {
        for c in [16, 64] {
            let row = call(kind, c);
            let x = row.map_or(f64::NAN, |r| r.vs_axum);
            let _ = writeln!(
                t,
                "| {} c={c}: ≥ {floor}x bare axum | {} ({} vs rmcp) | {} |",
                kind.name(),
                fmt_ratio(x),
                fmt_ratio(row.map_or(f64::NAN, |r| r.vs_rmcp)),
                verdict(x.is_finite().then_some(x >= floor)),
            );
        }
    }
    for kind in [Kind::OursStateless, Kind::OursJson, Kind::OursSse] {
        let Some(row) = call(kind, 64) else { continue };
        let ok = (row.p99_vs_rmcp.is_finite() && row.p99_vs_axum.is_finite())
            .then_some(row.p99_vs_rmcp <= 1.0 && row.p99_vs_axum <= 2.0);
        let _ = writeln!(
            t,
            "| {} c=64 p99: ≤ rmcp's and ≤ 2x bare axum's | {} µs: {} rmcp's, {} axum's | {} |",
            kind.name(),
            fmt_num(row.p99_us, 0),
            fmt_ratio(row.p99_vs_rmcp),
            fmt_ratio(row.p99_vs_axum),
            verdict(ok)
        );
    }
    for (kind, rate, _, _, _, vs) in &summary.sessions {
        if !kind.ours() {
            continue;
        }
        let _ = writeln!(
            t,
            "| {} session creation: ≥ 2x rmcp | {}/s, {} | {} |",
            kind.name(),
            fmt_num(*rate, 0),
            fmt_ratio(*vs),
            verdict(vs.is_finite().then_some(*vs >= 2.0))
        );
    }
    for (kind, _, _, _, per, _, _) in &summary.memory {
        if !kind.ours() {
            continue;
        }
        let _ = writeln!(
            t,
            "| {} memory per idle session: ≤ 4 KiB | {} bytes | {} |",
            kind.name(),
            fmt_num(*per, 0),
            verdict(per.is_finite().then_some(*per <= 4096.0))
        );
    }
    for (kind, point) in &results.hold {
        let _ = writeln!(
            t,
            "| {} holds 100,000 idle sessions in ≤ 512 MiB RSS | {} sessions, {} | {} |",
            kind.name(),
            point.sessions,
            mib(point.rss_after as f64),
            verdict(Some(
                point.sessions >= 100_000 && point.rss_after <= 512 * 1_048_576
            ))
        );
    }
    match &results.compile {
        Some(c) => {
            let x = c.ours_clean / c.rmcp_clean;
            let _ = writeln!(
                t,
                "| clean debug build of the quickstart: ≤ rmcp's | {:.1} s vs {:.1} s: {} | {} |",
                c.ours_clean,
                c.rmcp_clean,
                fmt_ratio(x),
                verdict(Some(x <= 1.0))
            );
        }
        None => {
            let why = if results.compile_error.is_some() {
                "the build failed (below)"
            } else {
                "(run with `--compile-time`)"
            };
            let _ = writeln!(
                t,
                "| clean debug build of the quickstart: ≤ rmcp's | {why} | not measured |"
            );
        }
    }
    t
}

fn markdown(opts: &Opts, results: &Results, summary: &Summary) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# mcp-bench results\n");
    let _ = writeln!(
        md,
        "Run {} on {} ({} cores, Linux {}); {}. Load average (1 min) {} at the start, {} at the end \
         (the machine is shared). {} round(s); per point {} s warm-up (not measured) then {} s \
         measured; every server is a fresh process per point. Medians over rounds; every ratio is \
         taken within a round (against the baseline run in that round), then the median. \
         Total time {:.0} s.\n",
        results.started,
        crate::sys::cpu_model(),
        results.cores,
        crate::sys::kernel(),
        results.pinned,
        fmt_num(results.load_before.unwrap_or(f64::NAN), 2),
        fmt_num(results.load_after.unwrap_or(f64::NAN), 2),
        opts.rounds,
        opts.warmup,
        opts.seconds,
        results.elapsed.as_secs_f64(),
    );
    let _ = writeln!(
        md,
        "Command: `cargo run --release --manifest-path bench/Cargo.toml --{}`\n",
        std::env::args()
            .skip(1)
            .map(|a| format!(" {a}"))
            .collect::<String>()
    );
    let _ = writeln!(
        md,
        "## Targets (issue: Benchmarks)\n\n{}",
        targets(summary, results)
    );

    if !summary.calls.is_empty() {
        let _ = writeln!(
            md,
            "## tools/call of `add(a, b)`\n\n![req/s against concurrency](throughput.svg)\n\n\
             One keep-alive HTTP/1.1 connection per client; stateful clients each open their own \
             session first. A call counts only if its body holds a `result` for its id. \
             `×axum`/`×rmcp`: ours divided by bare axum / by the rmcp server of the same kind \
             (rmcp has no stateful JSON mode, so ours-stateful-json is compared with \
             rmcp-stateful-sse). CPU: share of one core used by the server, by the load \
             generator and by every other process on the machine (user time) during the measured \
             interval, medians over rounds; a generator near 100% means the point is bounded by \
             the generator as much as by the server. A point during which other processes used \
             more than 10% of a core is measured again (up to 3 tries, the least disturbed kept); \
             `tries` counts the measurements made over all rounds.\n"
        );
        let _ = writeln!(
            md,
            "| server | clients | req/s | p50 µs | p99 µs | req/s ×axum | req/s ×rmcp | p99 ×axum | p99 ×rmcp | server CPU | generator CPU | other CPU | tries | failed |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for r in &summary.calls {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.kind.name(),
                r.concurrency,
                fmt_num(r.rps, 0),
                fmt_num(r.p50_us, 1),
                fmt_num(r.p99_us, 1),
                fmt_ratio(r.vs_axum),
                fmt_ratio(r.vs_rmcp),
                fmt_ratio(r.p99_vs_axum),
                fmt_ratio(r.p99_vs_rmcp),
                fmt_pct(r.server_cpu),
                fmt_pct(r.client_cpu),
                fmt_pct(r.other_cpu),
                r.tries,
                r.failed,
            );
        }
        let errors: Vec<String> = summary
            .calls
            .iter()
            .filter_map(|r| {
                Some(format!(
                    "- {} c={}: {}",
                    r.kind.name(),
                    r.concurrency,
                    r.first_error.as_ref()?
                ))
            })
            .collect();
        if !errors.is_empty() {
            let _ = writeln!(md, "\nFirst failure per point:\n\n{}", errors.join("\n"));
        }
        let _ = writeln!(md);
    }
    if !summary.sessions.is_empty() {
        let _ = writeln!(
            md,
            "## Session creation\n\n{} clients, each on its own keep-alive connection, opening \
             sessions back to back: `initialize`, then `notifications/initialized`, both answered. \
             Latency is of the pair.\n\n\
             | server | sessions/s | p50 µs | p99 µs | ×rmcp | failed |\n| --- | ---: | ---: | ---: | ---: | ---: |",
            crate::SESSION_WORKERS
        );
        for (kind, rate, p50, p99, failed, vs) in &summary.sessions {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                kind.name(),
                fmt_num(*rate, 0),
                fmt_num(*p50, 1),
                fmt_num(*p99, 1),
                fmt_ratio(*vs),
                failed
            );
        }
        let _ = writeln!(md);
    }
    if !summary.memory.is_empty() {
        let _ = writeln!(
            md,
            "## Memory per idle session\n\nServer `VmRSS` after 100 warm-up sessions, then after \
             opening {} more (initialize + initialized, over {} connections that stay open at \
             both readings) and waiting 1 s; the difference divided by the sessions opened.\n\n\
             | server | sessions | RSS before | RSS after | bytes/session | ×rmcp | failed |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            opts.idle_sessions,
            crate::MEMORY_CONNECTIONS
        );
        for (kind, n, before, after, per, vs, failed) in &summary.memory {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                kind.name(),
                fmt_num(*n, 0),
                mib(*before),
                mib(*after),
                fmt_num(*per, 0),
                fmt_ratio(*vs),
                failed
            );
        }
        let _ = writeln!(md);
    }
    if !results.hold.is_empty() {
        let _ = writeln!(
            md,
            "## {} idle sessions held\n\nMeasured once, after the rounds, the same way.\n\n\
             | server | sessions | RSS before | RSS after | bytes/session | failed |\n\
             | --- | ---: | ---: | ---: | ---: | ---: |",
            opts.hold
        );
        for (kind, p) in &results.hold {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                kind.name(),
                p.sessions,
                mib(p.rss_before as f64),
                mib(p.rss_after as f64),
                fmt_num(p.per_session(), 0),
                p.failed
            );
        }
        let _ = writeln!(md);
    }
    md.push_str(&compile_section(results, &opts.out));
    md
}

fn compile_section(results: &Results, out: &Path) -> String {
    let mut md = String::new();
    match (&results.compile, &results.compile_error) {
        (Some(c), _) => {
            let _ = writeln!(
                md,
                "## Compile time\n\nDebug builds of `examples/quickstart.rs` (its package, in a copy \
                 of the workspace) and of the same server written with rmcp \
                 (`bench/peers/rmcp-quickstart`), each from an empty target directory, dependencies \
                 already downloaded; then incremental builds after editing the body of the `add` \
                 tool (median of {}). Load average {} before, {} after.\n\n\
                 | build | ours | rmcp | ours/rmcp |\n| --- | ---: | ---: | ---: |\n\
                 | clean | {:.1} s | {:.1} s | {} |\n\
                 | incremental (edit one tool body) | {:.2} s | {:.2} s | {} |\n",
                c.incremental_runs,
                fmt_num(c.load_before.unwrap_or(f64::NAN), 2),
                fmt_num(c.load_after.unwrap_or(f64::NAN), 2),
                c.ours_clean,
                c.rmcp_clean,
                fmt_ratio(c.ours_clean / c.rmcp_clean),
                c.ours_incremental,
                c.rmcp_incremental,
                fmt_ratio(c.ours_incremental / c.rmcp_incremental),
            );
        }
        (None, Some(e)) => {
            let _ = writeln!(md, "## Compile time\n\nFailed:\n\n```text\n{e}\n```\n");
        }
        (None, None) if out.join("compile-time.md").exists() => {
            let _ = writeln!(
                md,
                "## Compile time\n\nNot measured in this run: see [compile-time.md](compile-time.md), \
                 written by `--compile-only`.\n"
            );
        }
        (None, None) => {
            let _ = writeln!(
                md,
                "## Compile time\n\nNot measured in this run (`--compile-time` adds it).\n"
            );
        }
    }
    md
}

fn chart(path: &Path, opts: &Opts, summary: &Summary) -> Result<(), String> {
    use plotters::prelude::*;
    let levels = &opts.concurrency;
    let series: Vec<(Kind, Vec<(f64, f64)>)> = opts
        .kinds
        .iter()
        .map(|&kind| {
            let points = levels
                .iter()
                .enumerate()
                .filter_map(|(i, &c)| {
                    summary
                        .calls
                        .iter()
                        .find(|r| r.kind == kind && r.concurrency == c && r.rps.is_finite())
                        .map(|r| (i as f64, r.rps))
                })
                .collect();
            (kind, points)
        })
        .collect();
    let y_max = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|(_, y)| *y))
        .fold(1.0, f64::max)
        * 1.1;
    let root = SVGBackend::new(path, (900, 540)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| format!("drawing {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let x_max = (levels.len().max(2) - 1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "tools/call add(a, b): requests per second",
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.15..x_max + 0.15, 0.0..y_max)
        .map_err(|e| err(&e))?;
    let label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            levels
                .get(i as usize)
                .map(|c| c.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .x_labels(levels.len() * 4 + 1)
        .x_label_formatter(&label)
        .y_label_formatter(&|y| format!("{:.0}k", y / 1000.0))
        .x_desc("concurrent clients (one connection each)")
        .y_desc("calls per second")
        .disable_x_mesh()
        .draw()
        .map_err(|e| err(&e))?;
    for (kind, points) in series {
        if points.is_empty() {
            continue;
        }
        let color = match kind {
            Kind::Axum => RGBColor(40, 40, 40),
            Kind::OursStateless => RGBColor(214, 39, 40),
            Kind::OursJson => RGBColor(255, 127, 14),
            Kind::OursSse => RGBColor(148, 60, 20),
            Kind::RmcpStateless => RGBColor(31, 119, 180),
            Kind::RmcpSse => RGBColor(23, 190, 207),
        };
        let style = ShapeStyle::from(&color).stroke_width(2);
        chart
            .draw_series(LineSeries::new(points.clone(), style))
            .map_err(|e| err(&e))?
            .label(kind.name())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 4, color.filled())),
            )
            .map_err(|e| err(&e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// Prints the report and writes `latest.md` and `throughput.svg` (or, for
/// `--compile-only`, `compile-time.md`) to `opts.out`.
pub fn write(opts: &Opts, results: &Results) -> Result<(), String> {
    std::fs::create_dir_all(&opts.out)
        .map_err(|e| format!("creating {}: {e}", opts.out.display()))?;
    if opts.compile_only {
        let md = format!(
            "# mcp-bench: compile time\n\nRun {}.\n\n{}",
            results.started,
            compile_section(results, &opts.out)
        );
        let path = opts.out.join("compile-time.md");
        std::fs::write(&path, &md).map_err(|e| format!("writing {}: {e}", path.display()))?;
        println!("{md}");
        return Ok(());
    }
    let summary = summarize(opts, results);
    let md = markdown(opts, results, &summary);
    let path = opts.out.join("latest.md");
    std::fs::write(&path, &md).map_err(|e| format!("writing {}: {e}", path.display()))?;
    chart(&opts.out.join("throughput.svg"), opts, &summary)?;
    println!("{md}");
    eprintln!("wrote {} and throughput.svg", path.display());
    Ok(())
}
