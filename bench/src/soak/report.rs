//! The soak's report: `latest.md` (verdicts, abusers, every reading) and `rss.svg` (RSS, live
//! tasks and sessions over time).

use std::fmt::Write as _;
use std::path::Path;

use super::Run;
use super::server;
use super::verdict::RSS_GROWTH_LIMIT;

const MIB: f64 = 1024.0 * 1024.0;

fn pass(ok: bool) -> &'static str {
    if ok { "pass" } else { "**FAIL**" }
}

fn markdown(run: &Run) -> String {
    let mut md = String::new();
    let plan = &run.plan;
    let _ = writeln!(md, "# mcp-bench soak: {}\n", run.server);
    let _ = writeln!(
        md,
        "Run {} on {} ({} cores, Linux {}); {}. Load average (1 min) {:.2} at the start, {:.2} at \
         the end: the machine is shared with other builds.\n",
        run.started,
        crate::sys::cpu_model(),
        run.cores,
        crate::sys::kernel(),
        run.pinned,
        run.load_before.unwrap_or(f64::NAN),
        run.load_after.unwrap_or(f64::NAN),
    );
    let _ = writeln!(
        md,
        "Command: `cargo run --release --manifest-path bench/Cargo.toml --{}`\n",
        std::env::args()
            .skip(1)
            .map(|a| format!(" {a}"))
            .collect::<String>()
    );
    // Allocator settings change the RSS curve; the server inherits them.
    let malloc: Vec<String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("MALLOC_"))
        .map(|(k, v)| format!("`{k}={v}`"))
        .collect();
    if !malloc.is_empty() {
        let _ = writeln!(
            md,
            "Environment (inherited by the server): {}.\n",
            malloc.join(", ")
        );
    }
    let _ = writeln!(
        md,
        "The server (`ours-soak`): our runtime, stateful, SSE responses, an `InMemoryEventStore` \
         of {} events per stream and {} in all, sessions ended after {} s idle (swept every {:.1} \
         s), the default 4 MiB body limit; tools `add`, `slow` (progress notifications), `ask` \
         (elicitation) and `big` (a large text). Timeline: {} honest clients alone for {:.0} s; \
         the reading at 0 s is the baseline; then {:.1} min of abuse, whose first {:.0} s are the \
         warm-up; then the abusers stop and the honest clients go on for a {:.0} s grace (idle \
         timeout plus three sweeps plus 10 s). Readings every 10 s: `VmRSS`, threads and file \
         descriptors from `/proc`, live tokio tasks (`RuntimeMetrics::num_alive_tasks`), sessions \
         and stored events from the server's `GET /stats`.\n",
        server::EVENTS_PER_STREAM,
        server::EVENTS_TOTAL,
        server::IDLE_TIMEOUT.as_secs(),
        server::SWEEP_INTERVAL.as_secs_f64(),
        super::honest::CLIENTS,
        super::QUIET,
        plan.abuse / 60.0,
        plan.window,
        plan.grace,
    );
    verdicts(&mut md, run);
    let _ = writeln!(md, "![RSS, live tasks and sessions over time](rss.svg)\n");
    abusers(&mut md, run);
    readings(&mut md, run);
    md
}

fn verdicts(md: &mut String, run: &Run) {
    let v = &run.verdicts;
    let plan = &run.plan;
    let _ = writeln!(
        md,
        "## Verdicts: {}\n\n| check | numbers | verdict |\n| --- | --- | --- |",
        if v.pass() { "pass" } else { "**FAIL**" }
    );
    match v.rss {
        Some(r) => {
            let _ = writeln!(
                md,
                "| RSS flat | mean {:.1} MiB over ({:.0} s, {:.0} s] ({} readings), {:.1} MiB over the \
                 last {:.0} s of abuse ({} readings): {:+.1}% (limit {:+.0}%) | {} |",
                r.first / MIB,
                plan.window,
                2.0 * plan.window,
                r.counts.0,
                r.last / MIB,
                plan.window,
                r.counts.1,
                r.growth() * 100.0,
                RSS_GROWTH_LIMIT * 100.0,
                pass(r.pass())
            );
        }
        None => {
            let _ = writeln!(md, "| RSS flat | too few readings to judge | **FAIL** |");
        }
    }
    if let Some(h) = v.heap {
        let _ = writeln!(
            md,
            "| live heap flat (jemalloc `stats.allocated`) | mean {:.1} MiB over the first window, \
             {:.1} MiB over the last: {:+.1}% (limit {:+.0}%) | {} |",
            h.first / MIB,
            h.last / MIB,
            h.growth() * 100.0,
            RSS_GROWTH_LIMIT * 100.0,
            pass(h.pass())
        );
    }
    for (name, r) in [("live tasks", v.tasks), ("sessions", v.sessions)] {
        let _ = match r {
            Some(r) => writeln!(
                md,
                "| {name} back to baseline | {} at 0 s (honest clients only), {} after the grace \
                 (allowed: {} more) | {} |",
                r.baseline,
                r.end,
                r.tolerance,
                pass(r.pass())
            ),
            None => writeln!(
                md,
                "| {name} back to baseline | no `GET /stats` reading | n/a |"
            ),
        };
    }
    let _ = writeln!(
        md,
        "| honest calls | {} `add` calls, {} failed{} | {} |\n",
        v.honest_ok,
        v.honest_failed,
        run.first_honest_error
            .as_deref()
            .map(|e| format!("; first: {}", e.replace('|', "\\|")))
            .unwrap_or_default(),
        pass(v.honest_failed == 0 && v.honest_ok > 0)
    );
    let asked = run
        .tallies
        .iter()
        .find(|t| t.name == "unanswered")
        .map(|t| t.counts().outcomes.values().sum::<u64>());
    if let (Some(s), Some(t), Some(asked)) = (v.sessions, v.tasks, asked) {
        let _ = writeln!(
            md,
            "After the grace, {} sessions and {} live tasks more than at the baseline; the \
             `unanswered` abuser left {asked} questions to the client pending (the runtime ends \
             only sessions with no request in flight).\n",
            s.end.saturating_sub(s.baseline),
            t.end.saturating_sub(t.baseline),
        );
    }
}

fn abusers(md: &mut String, run: &Run) {
    let _ = writeln!(
        md,
        "## Abusers\n\nEach on connections of its own, beside the honest clients. Outcomes are what \
         the abuser saw; `unexpected` counts what a sound server would not do (reported, not a \
         verdict).\n\n| abuser | what it does | pace | outcomes | unexpected |\n| --- | --- | --- | --- | --- |"
    );
    for tally in &run.tallies {
        let counts = tally.counts();
        let outcomes = counts
            .outcomes
            .iter()
            .map(|(label, n)| format!("{n} × {label}"))
            .collect::<Vec<_>>()
            .join("; ");
        let unexpected = match &counts.first_unexpected {
            Some(first) => format!("{} (first: {})", counts.unexpected, first),
            None => "0".into(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            tally.name,
            tally.does,
            tally.pace,
            outcomes.replace('|', "\\|"),
            unexpected.replace('|', "\\|")
        );
    }
    let _ = writeln!(md);
}

fn readings(md: &mut String, run: &Run) {
    let _ = writeln!(
        md,
        "## Readings\n\n`honest ok`/`failed`: `add` calls since the previous reading; `slowest`: the \
         slowest of them.\n\n| t (s) | phase | RSS MiB | live heap MiB | live tasks | sessions | stored events | threads | fds | honest ok | honest failed | slowest ms |\n\
         | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let dash = || "-".to_owned();
    for s in &run.samples {
        let _ = writeln!(
            md,
            "| {:.0} | {} | {:.1} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            s.t,
            run.plan.phase(s.t).name(),
            s.rss as f64 / MIB,
            s.stats
                .and_then(|x| x.heap)
                .map_or_else(dash, |h| format!("{:.1}", h as f64 / MIB)),
            s.stats.map_or_else(dash, |x| x.alive_tasks.to_string()),
            s.stats.map_or_else(dash, |x| x.sessions.to_string()),
            s.stats.map_or_else(dash, |x| x.events.to_string()),
            s.threads,
            s.fds,
            s.honest_ok,
            s.honest_failed,
            s.honest_slowest_ms
        );
    }
}

/// Two panels over time: RSS; live tasks and sessions. Dashed lines mark the start of the
/// abuse, the end of the warm-up and the end of the abuse.
fn draw(path: &Path, run: &Run) -> Result<(), String> {
    use plotters::prelude::*;
    let err = |e: &dyn std::fmt::Display| format!("drawing {}: {e}", path.display());
    let samples = &run.samples;
    let x0 = samples.first().map_or(0.0, |s| s.t);
    let x1 = samples.last().map_or(1.0, |s| s.t).max(x0 + 1.0);
    let root = SVGBackend::new(path, (900, 720)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (top, bottom) = root.split_vertically(360);
    let marks = [0.0, run.plan.window, run.plan.abuse];

    let rss: Vec<(f64, f64)> = samples.iter().map(|s| (s.t, s.rss as f64 / MIB)).collect();
    let rss_max = rss.iter().map(|p| p.1).fold(1.0, f64::max) * 1.15;
    let mut chart = ChartBuilder::on(&top)
        .caption(
            format!("{}: RSS under abuse", run.server),
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, 0.0..rss_max)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("seconds since the abuse started")
        .y_desc("VmRSS, and live heap under jemalloc (MiB)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .map_err(|e| err(&e))?;
    for x in marks {
        chart
            .draw_series(DashedLineSeries::new(
                [(x, 0.0), (x, rss_max)],
                4,
                4,
                ShapeStyle::from(&RGBColor(150, 150, 150)),
            ))
            .map_err(|e| err(&e))?;
    }
    let red = RGBColor(214, 39, 40);
    chart
        .draw_series(LineSeries::new(rss, red.stroke_width(2)))
        .map_err(|e| err(&e))?;
    // Under jemalloc, the live heap beside RSS: the gap is what the allocator keeps.
    let heap: Vec<(f64, f64)> = samples
        .iter()
        .filter_map(|s| s.stats.and_then(|x| x.heap).map(|h| (s.t, h as f64 / MIB)))
        .collect();
    if !heap.is_empty() {
        chart
            .draw_series(LineSeries::new(
                heap,
                RGBColor(31, 119, 180).stroke_width(2),
            ))
            .map_err(|e| err(&e))?;
    }

    let tasks: Vec<(f64, f64)> = samples
        .iter()
        .filter_map(|s| s.stats.map(|x| (s.t, x.alive_tasks as f64)))
        .collect();
    let sessions: Vec<(f64, f64)> = samples
        .iter()
        .filter_map(|s| s.stats.map(|x| (s.t, x.sessions as f64)))
        .collect();
    let fds: Vec<(f64, f64)> = samples.iter().map(|s| (s.t, s.fds as f64)).collect();
    let y_max = tasks
        .iter()
        .chain(&sessions)
        .chain(&fds)
        .map(|p| p.1)
        .fold(10.0, f64::max)
        * 1.15;
    let mut chart = ChartBuilder::on(&bottom)
        .caption(
            "live tokio tasks, sessions and open fds of the server",
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, 0.0..y_max)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("seconds since the abuse started (dashed: abuse start, end of warm-up, abuse end)")
        .y_desc("count")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .map_err(|e| err(&e))?;
    for x in marks {
        chart
            .draw_series(DashedLineSeries::new(
                [(x, 0.0), (x, y_max)],
                4,
                4,
                ShapeStyle::from(&RGBColor(150, 150, 150)),
            ))
            .map_err(|e| err(&e))?;
    }
    for (label, points, color) in [
        ("live tasks", tasks, RGBColor(31, 119, 180)),
        ("sessions", sessions, RGBColor(255, 127, 14)),
        ("open fds", fds, RGBColor(44, 160, 44)),
    ] {
        let style = color.stroke_width(2);
        chart
            .draw_series(LineSeries::new(points, style))
            .map_err(|e| err(&e))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
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

/// Prints the report and writes `latest.md` and `rss.svg` to `out`.
pub fn write(out: &Path, run: &Run) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let md = markdown(run);
    let path = out.join("latest.md");
    std::fs::write(&path, &md).map_err(|e| format!("writing {}: {e}", path.display()))?;
    draw(&out.join("rss.svg"), run)?;
    println!("{md}");
    eprintln!("wrote {} and rss.svg", path.display());
    Ok(())
}
