//! The throughput chart of the report: an SVG drawn with plotters.

use std::path::Path;

use super::Summary;
use crate::Opts;
use crate::servers::Kind;

/// Draws req/s against concurrency, one line per server, into an SVG at `path`.
pub(super) fn draw(path: &Path, opts: &Opts, summary: &Summary) -> Result<(), String> {
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
            Kind::OursAuth => RGBColor(227, 119, 194),
            Kind::OursTraced => RGBColor(188, 189, 34),
            Kind::OursOtel => RGBColor(127, 127, 127),
            Kind::OursJson => RGBColor(255, 127, 14),
            Kind::OursSse => RGBColor(148, 60, 20),
            Kind::RmcpStateless => RGBColor(31, 119, 180),
            Kind::RmcpSse => RGBColor(23, 190, 207),
            Kind::Ours2026Json => RGBColor(44, 160, 44),
            Kind::Ours2026Sse => RGBColor(148, 103, 189),
            Kind::Rmcp2026Json => RGBColor(140, 140, 220),
            Kind::OursSoak
            | Kind::AxumPayload
            | Kind::OursPayload
            | Kind::OursJsonRedis
            | Kind::OursSseEvents
            | Kind::OursSseRedisEvents
            | Kind::Ours2026Stateful
            | Kind::Ours2026Redis => RGBColor(120, 120, 120),
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
