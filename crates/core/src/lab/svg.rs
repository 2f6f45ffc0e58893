//! SVG drawings of a lab's [`Chart`] and [`Timeline`], as text the UI inserts. Series names
//! and labels may come from a link, so every text is XML-escaped. Class names (`chart-line`,
//! `span-in-use`, ...) let the stylesheet restyle them; inline attributes keep them readable
//! standalone.

use std::fmt::Write;

use super::view::{Chart, Timeline};
use crate::model::diagram::xml_escape;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;
/// Colour-blind-safe palette (Okabe-Ito), one per series in order.
const PALETTE: [&str; 8] = [
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000",
];

/// A number for an axis or a tooltip: thousands separated, at most 2 decimals below 10.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    if value.abs() >= 10.0 || value.fract() == 0.0 {
        let rounded = value.round() as i64;
        let mut out = super::thousands(rounded.unsigned_abs());
        if rounded < 0 {
            out.insert(0, '-');
        }
        out
    } else {
        let s = format!("{value:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Maps data to pixels on one axis (linear, or log10 for a log axis).
struct Scale {
    lo: f64,
    hi: f64,
    from: f64,
    to: f64,
    log: bool,
}

impl Scale {
    fn new(values: impl Iterator<Item = f64>, from: f64, to: f64, log: bool) -> Self {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.filter(|v| v.is_finite()) {
            let v = if log { v.max(1e-3).log10() } else { v };
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if !log {
            lo = lo.min(0.0);
        } else {
            lo = lo.floor();
            hi = hi.ceil();
        }
        if hi - lo < 1e-9 {
            hi = lo + 1.0;
        }
        Self {
            lo,
            hi,
            from,
            to,
            log,
        }
    }

    fn px(&self, v: f64) -> f64 {
        let v = if self.log { v.max(1e-3).log10() } else { v };
        self.from + (v - self.lo) / (self.hi - self.lo) * (self.to - self.from)
    }

    /// Tick values in data units.
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            (self.lo as i32..=self.hi as i32)
                .map(|e| 10f64.powi(e))
                .collect()
        } else {
            let step = nice_step((self.hi - self.lo) / 5.0);
            let first = (self.lo / step).ceil() as i64;
            let last = (self.hi / step).floor() as i64;
            (first..=last).map(|i| i as f64 * step).collect()
        }
    }
}

/// A round step (1, 2 or 5 times a power of ten) near `raw`, so ticks read 0, 25, 50.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 2.5 {
        2.5
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A line chart with axes, ticks, a legend, and a tooltip (`<title>`) on every point.
pub fn chart_svg(chart: &Chart) -> String {
    let points = || chart.series.iter().flat_map(|s| s.points.iter());
    // N of 1, 10, 100 and 1,000 crowd the left edge of a linear axis: x values that are
    // all positive and span two orders of magnitude or more get a log axis.
    let (lo, hi) = points()
        .map(|p| p.0)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let log_x = lo > 0.0 && hi / lo >= 100.0;
    let x = Scale::new(points().map(|p| p.0), LEFT, WIDTH - RIGHT, log_x);
    let y = Scale::new(points().map(|p| p.1), HEIGHT - BOTTOM, TOP, chart.log_y);
    // About 6.5 px per character at 11 px, plus the swatch.
    let longest = chart
        .series
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0);
    let column_width = longest as f64 * 6.5 + 28.0;
    let per_row = (((WIDTH - LEFT) / column_width) as usize).clamp(1, 4);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="lab-chart-svg" viewBox="0 0 {WIDTH} {h}" role="img" aria-label="{title}" font-family="system-ui, sans-serif" font-size="11">"#,
        h = HEIGHT + 18.0 * chart.series.len().div_ceil(per_row) as f64,
        title = xml_escape(&chart.title),
    );
    // Axes and ticks.
    let _ = write!(
        svg,
        r#"<path class="chart-axis" d="M{LEFT} {TOP}V{b}H{r}" fill="none" stroke="currentColor" stroke-opacity="0.5"/>"#,
        b = HEIGHT - BOTTOM,
        r = WIDTH - RIGHT
    );
    for t in y.ticks() {
        let py = y.px(t);
        let _ = write!(
            svg,
            r#"<line class="chart-grid" x1="{LEFT}" x2="{r}" y1="{py:.1}" y2="{py:.1}" stroke="currentColor" stroke-opacity="0.12"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="currentColor">{label}</text>"#,
            r = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = py + 4.0,
            label = format_number(t)
        );
    }
    for t in x.ticks() {
        let px = x.px(t);
        let _ = write!(
            svg,
            r#"<text x="{px:.1}" y="{ty}" text-anchor="middle" fill="currentColor">{label}</text>"#,
            ty = HEIGHT - BOTTOM + 16.0,
            label = format_number(t)
        );
    }
    let _ = write!(
        svg,
        r#"<text class="chart-x-label" x="{cx}" y="{ly}" text-anchor="middle" fill="currentColor">{xl}{xlog}</text><text class="chart-y-label" x="12" y="{cy}" text-anchor="middle" fill="currentColor" transform="rotate(-90 12 {cy})">{yl}{log}</text>"#,
        cx = (LEFT + WIDTH - RIGHT) / 2.0,
        ly = HEIGHT - 6.0,
        cy = (TOP + HEIGHT - BOTTOM) / 2.0,
        xl = xml_escape(&chart.x_label),
        yl = xml_escape(&chart.y_label),
        log = if chart.log_y { " (log scale)" } else { "" },
        xlog = if log_x { " (log scale)" } else { "" },
    );
    // Series.
    for (i, series) in chart.series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let name = xml_escape(&series.name);
        let path: Vec<String> = series
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|&(px, py)| format!("{:.1},{:.1}", x.px(px), y.px(py)))
            .collect();
        let _ = write!(
            svg,
            r#"<g class="chart-series" data-series="{name}"><polyline class="chart-line" points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            pts = path.join(" ")
        );
        for &(px, py) in series
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
        {
            let _ = write!(
                svg,
                r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="3" fill="{colour}"><title>{name}: {xv} → {yv}</title></circle>"#,
                cx = x.px(px),
                cy = y.px(py),
                xv = format_number(px),
                yv = format_number(py)
            );
        }
        svg.push_str("</g>");
        // Legend under the plot: as many entries per row as the longest name allows.
        let (row, col) = (i / per_row, i % per_row);
        let (lx, ly) = (
            LEFT + col as f64 * column_width,
            HEIGHT + 4.0 + row as f64 * 18.0,
        );
        let _ = write!(
            svg,
            r#"<rect x="{lx}" y="{ry}" width="12" height="4" fill="{colour}"/><text x="{tx}" y="{ty}" fill="currentColor">{name}</text>"#,
            ry = ly - 4.0,
            tx = lx + 16.0,
            ty = ly + 1.0
        );
    }
    svg.push_str("</svg>");
    svg
}

const LANE_HEIGHT: f64 = 16.0;
const LANE_LABEL: f64 = 110.0;

/// The fill of a span kind (the stylesheet may override it by class).
fn span_colour(kind: &str) -> &'static str {
    match kind {
        "in-use" | "write" => "#0072b2",
        "idle" => "#9ca3af",
        "overflow" => "#e69f00",
        "wait" | "blocked" => "#d55e00",
        "timeout" | "error" => "#b91c1c",
        "recycled" => "#cc79a7",
        "lock" => "#7c3aed",
        "build" => "#009e73",
        _ => "#56b4e9",
    }
}

/// Lanes of spans on a shared time axis (ms), with markers across all lanes.
pub fn timeline_svg(timeline: &Timeline) -> String {
    let end = timeline
        .lanes
        .iter()
        .flat_map(|l| l.spans.iter().map(|s| s.end_ms))
        .chain(timeline.markers.iter().map(|m| m.0))
        .filter(|v| v.is_finite())
        .fold(1.0f64, f64::max);
    let plot_w = WIDTH - LANE_LABEL - RIGHT;
    let px = |ms: f64| LANE_LABEL + ms.clamp(0.0, end) / end * plot_w;
    let height = TOP + timeline.lanes.len() as f64 * LANE_HEIGHT + 30.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="lab-timeline-svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{title}" font-family="system-ui, sans-serif" font-size="10">"#,
        title = xml_escape(&timeline.title)
    );
    for (i, lane) in timeline.lanes.iter().enumerate() {
        let top = TOP + i as f64 * LANE_HEIGHT;
        let _ = write!(
            svg,
            r#"<text x="{tx}" y="{ty:.1}" text-anchor="end" fill="currentColor">{label}</text>"#,
            tx = LANE_LABEL - 6.0,
            ty = top + LANE_HEIGHT - 4.0,
            label = xml_escape(&lane.label)
        );
        for span in &lane.spans {
            let (x0, x1) = (px(span.start_ms), px(span.end_ms));
            let kind = xml_escape(&span.kind);
            let _ = write!(
                svg,
                r#"<rect class="span span-{kind}" data-kind="{kind}" x="{x0:.1}" y="{y:.1}" width="{w:.1}" height="{h}" fill="{fill}"><title>{label} ({from}–{to} ms)</title></rect>"#,
                y = top + 2.0,
                w = (x1 - x0).max(1.0),
                h = LANE_HEIGHT - 4.0,
                fill = span_colour(&span.kind),
                label = xml_escape(&span.label),
                from = format_number(span.start_ms),
                to = format_number(span.end_ms)
            );
        }
    }
    let axis_y = TOP + timeline.lanes.len() as f64 * LANE_HEIGHT + 4.0;
    for i in 0..=4 {
        let ms = end * i as f64 / 4.0;
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" fill="currentColor">{label} ms</text>"#,
            x = px(ms),
            y = axis_y + 12.0,
            anchor = if i == 4 { "end" } else { "middle" },
            label = format_number(ms)
        );
    }
    for (ms, label) in &timeline.markers {
        let x = px(*ms);
        // Near the right edge the label goes to the left of its line.
        let (tx, anchor) = if x > WIDTH * 0.7 {
            (x - 3.0, "end")
        } else {
            (x + 3.0, "start")
        };
        let _ = write!(
            svg,
            r##"<g class="timeline-marker"><line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{axis_y:.1}" stroke="#b91c1c" stroke-dasharray="4 3"/><text x="{tx:.1}" y="{ty}" text-anchor="{anchor}" fill="#b91c1c">{label}</text></g>"##,
            ty = TOP - 4.0,
            label = xml_escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::view::{Lane, Series, Span};

    #[test]
    fn numbers_read_well() {
        assert_eq!(format_number(50020.0), "50,020");
        assert_eq!(format_number(-1234567.0), "-1,234,567");
        assert_eq!(format_number(1.23456), "1.23");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(7.0), "7");
        assert_eq!(format_number(f64::NAN), "–");
    }

    #[test]
    fn a_chart_draws_every_series_and_escapes_names() {
        let chart = Chart {
            id: "c".into(),
            title: "t".into(),
            x_label: "N".into(),
            y_label: "statements".into(),
            log_y: true,
            series: vec![
                Series {
                    name: "lazy".into(),
                    points: vec![(1.0, 2.0), (10.0, 11.0), (1000.0, 1001.0)],
                },
                Series {
                    name: "<script>".into(),
                    points: vec![(1.0, 1.0), (f64::NAN, 1.0)],
                },
            ],
        };
        let svg = chart_svg(&chart);
        assert_eq!(svg.matches("class=\"chart-series\"").count(), 2);
        assert_eq!(
            svg.matches("<circle").count(),
            4,
            "the NaN point is skipped"
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("lazy: 1,000 → 1,001"));
        assert!(svg.contains("(log scale)"));
        assert!(
            svg.contains("N (log scale)"),
            "x from 1 to 1,000 is logarithmic"
        );
    }

    #[test]
    fn a_log_scale_orders_points_by_magnitude() {
        let y = Scale::new([1.0, 10.0, 1000.0].into_iter(), 200.0, 0.0, true);
        assert!(y.px(1.0) > y.px(10.0) && y.px(10.0) > y.px(1000.0));
        assert_eq!(y.ticks(), vec![1.0, 10.0, 100.0, 1000.0]);
    }

    #[test]
    fn linear_ticks_are_round_numbers() {
        let x = Scale::new([0.0, 24.4].into_iter(), 0.0, 100.0, false);
        assert_eq!(x.ticks(), vec![0.0, 5.0, 10.0, 15.0, 20.0]);
        let y = Scale::new([3.0, 1001.0].into_iter(), 0.0, 100.0, false);
        assert_eq!(y.ticks(), vec![0.0, 250.0, 500.0, 750.0, 1000.0]);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn an_empty_chart_still_draws() {
        let svg = chart_svg(&Chart::default());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn a_timeline_draws_spans_by_kind_and_markers() {
        let t = Timeline {
            id: "t".into(),
            title: "pool".into(),
            lanes: vec![Lane {
                label: "conn 1".into(),
                spans: vec![
                    Span {
                        start_ms: 0.0,
                        end_ms: 500.0,
                        kind: "in-use".into(),
                        label: "request 1".into(),
                    },
                    Span {
                        start_ms: 500.0,
                        end_ms: 1000.0,
                        kind: "idle".into(),
                        label: "idle".into(),
                    },
                ],
            }],
            markers: vec![(750.0, "database restart".into())],
        };
        let svg = timeline_svg(&t);
        assert!(svg.contains("data-kind=\"in-use\""));
        assert!(svg.contains("data-kind=\"idle\""));
        assert!(svg.contains("database restart"));
        assert!(svg.contains("1,000 ms"));
    }
}
