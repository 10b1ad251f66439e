//! Charts as SVG text for the public statistics pages (统计专栏): a horizontal bar chart for a
//! month's unit ranking and a line chart for the year's trend per unit. Drawn on the server,
//! readable without JavaScript, and safe to put inline in a page whose Content-Security-Policy
//! is `default-src 'self'; style-src 'self'`: only presentation attributes (`fill`,
//! `font-size`, …), never a `style` attribute, a `<style>` element or a script.
//!
//! Written by hand rather than with `charts-rs`: that crate measures text with its embedded
//! Roboto font, which has no Chinese glyphs, so Chinese unit names were measured at about half
//! their width and ran into the bars unless a CJK font (several MB) was loaded at run time; it
//! also names a single font family where the pages need a list with CJK fonts first. Here a
//! Chinese character is taken as one em wide and a Latin character as 0.6 em, which is what
//! the CJK sans-serif fonts the list names draw.
//!
//! Every chart has a fixed drawing size in `viewBox` with the same `width` and `height`, so
//! a stylesheet can scale it (`max-width: 100%; height: auto`). Bars and lines carry a
//! `<title>` with their figures, which browsers show on hover.

use domain::text::escape_html;
use std::fmt::Write;

/// One line of a line chart: a unit's figures, one per x label.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// Figures for drawing; a missing month is `f64::NAN` and leaves a gap in the line.
    pub values: Vec<f64>,
}

/// CJK fonts first, so that Chinese is never drawn with a Latin font's fallback.
const FONT_FAMILY: &str =
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Zen Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif";

const TEXT_COLOUR: &str = "#333333";
const MUTED_COLOUR: &str = "#666666";
const GRID_COLOUR: &str = "#e0e0e0";
const AXIS_COLOUR: &str = "#999999";
const BAR_COLOUR: &str = "#4e79a7";

/// Ten colours that tell apart on screen and in print (d3's category10); series beyond the
/// tenth reuse them with dashed lines.
const PALETTE: [&str; 10] =
    ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const TITLE_SIZE: f64 = 18.0;
const LABEL_SIZE: f64 = 13.0;

/// A horizontal bar chart, one bar per label in the order given, with each bar's value printed
/// at its end and `value_label` (e.g. "采用（篇）") under the axis. Bars start at zero; a
/// negative or missing value draws no bar. Labels beyond the values, or values beyond the
/// labels, are left out.
pub fn bar_chart_svg(title: &str, labels: &[String], values: &[f64], value_label: &str) -> String {
    const WIDTH: f64 = 720.0;
    const TOP: f64 = 56.0;
    const ROW: f64 = 30.0;
    const BAR: f64 = 20.0;
    const AXIS_ROOM: f64 = 48.0;

    // Bars draw from zero; the printed figure is the real one (a negative unit shows −10).
    let bars: Vec<(&str, f64)> = labels.iter().map(String::as_str).zip(values.iter().map(|v| drawable(*v))).collect();
    let printed: Vec<String> =
        values.iter().map(|v| if v.is_finite() { format_number(*v) } else { "—".to_string() }).collect();
    let height = TOP + ROW * bars.len().max(1) as f64 + AXIS_ROOM;

    let label_room = bars.iter().map(|(l, _)| text_width(l, LABEL_SIZE)).fold(40.0, f64::max).min(WIDTH * 0.35);
    let value_room = printed.iter().map(|p| text_width(p, LABEL_SIZE)).fold(0.0, f64::max);
    let left = 16.0 + label_room + 8.0;
    let right = WIDTH - 16.0 - value_room - 6.0;
    let plot_width = right - left;
    let bottom = TOP + ROW * bars.len().max(1) as f64;

    let max = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let whole = bars.iter().all(|(_, v)| v.fract() == 0.0);
    let scale = Scale::new(0.0, max, whole);
    let x_of = |v: f64| left + (v - scale.min) / (scale.max - scale.min) * plot_width;

    let mut svg = open_svg(WIDTH, height, title);
    for tick in scale.ticks() {
        let x = x_of(tick);
        line(&mut svg, x, TOP - 4.0, x, bottom, GRID_COLOUR, "");
        text(&mut svg, x, bottom + 18.0, LABEL_SIZE - 1.0, "middle", MUTED_COLOUR, &format_number(tick));
    }
    line(&mut svg, left, TOP - 4.0, left, bottom, AXIS_COLOUR, "");
    text(&mut svg, right, bottom + 38.0, LABEL_SIZE - 1.0, "end", MUTED_COLOUR, value_label);

    if bars.is_empty() {
        text(&mut svg, WIDTH / 2.0, TOP + ROW / 2.0 + 5.0, LABEL_SIZE, "middle", MUTED_COLOUR, "暂无数据");
    }
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = TOP + ROW * i as f64 + (ROW - BAR) / 2.0;
        let middle = y + BAR / 2.0;
        let end = x_of(*value);
        let figure = printed[i].clone();
        svg.push_str("<g>");
        let _ = write!(svg, "<title>{}，{}：{}</title>", escape_html(label), escape_html(value_label), figure);
        let shown = shorten(label, label_room, LABEL_SIZE);
        text(&mut svg, left - 8.0, baseline(middle, LABEL_SIZE), LABEL_SIZE, "end", TEXT_COLOUR, &shown);
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{BAR_COLOUR}"/>"#,
            num(left),
            num(y),
            num(end - left),
            num(BAR)
        );
        text(&mut svg, end + 6.0, baseline(middle, LABEL_SIZE), LABEL_SIZE, "start", TEXT_COLOUR, &figure);
        svg.push_str("</g>\n");
    }
    svg.push_str("</svg>\n");
    svg
}

/// A line chart: one line per series across the x labels (e.g. 12 months), each in its own
/// colour (dashed after the tenth), with a legend under the chart. A value that is not a
/// number leaves a gap; values beyond the labels are left out.
pub fn line_chart_svg(title: &str, x_labels: &[String], series: &[Series]) -> String {
    const WIDTH: f64 = 760.0;
    const TOP: f64 = 56.0;
    const PLOT_HEIGHT: f64 = 280.0;
    const LEGEND_ROW: f64 = 22.0;

    let count = x_labels.len();
    let figures = || series.iter().flat_map(|s| s.values.iter().take(count)).copied().filter(|v| v.is_finite());
    let low = figures().fold(0.0, f64::min);
    let high = figures().fold(0.0, f64::max);
    let whole = figures().all(|v| v.fract() == 0.0);
    let scale = Scale::new(low, high, whole);

    let tick_room = scale.ticks().iter().map(|t| text_width(&format_number(*t), LABEL_SIZE)).fold(0.0, f64::max);
    let left = 16.0 + tick_room + 8.0;
    let right = WIDTH - 24.0;
    let plot_width = right - left;
    let bottom = TOP + PLOT_HEIGHT;
    let slot = plot_width / count.max(1) as f64;
    let x_of = |i: usize| left + slot * (i as f64 + 0.5);
    let y_of = |v: f64| bottom - (v - scale.min) / (scale.max - scale.min) * PLOT_HEIGHT;

    let legend = legend_layout(series, left, right);
    let legend_top = bottom + 46.0;
    let height = legend_top + LEGEND_ROW * legend.rows as f64 + 8.0;

    let mut svg = open_svg(WIDTH, height, title);
    for tick in scale.ticks() {
        let y = y_of(tick);
        let colour = if tick == 0.0 { AXIS_COLOUR } else { GRID_COLOUR };
        line(&mut svg, left, y, right, y, colour, "");
        text(
            &mut svg,
            left - 8.0,
            baseline(y, LABEL_SIZE - 1.0),
            LABEL_SIZE - 1.0,
            "end",
            MUTED_COLOUR,
            &format_number(tick),
        );
    }
    line(&mut svg, left, TOP, left, bottom, AXIS_COLOUR, "");
    // Every label if they fit, else every second, third … so that none overlap.
    let widest = x_labels.iter().map(|l| text_width(l, LABEL_SIZE)).fold(0.0, f64::max);
    let every = ((widest + 6.0) / slot).ceil().max(1.0) as usize;
    for (i, label) in x_labels.iter().enumerate() {
        if i % every == 0 {
            text(&mut svg, x_of(i), bottom + 20.0, LABEL_SIZE, "middle", TEXT_COLOUR, label);
        }
    }
    if series.is_empty() || count == 0 {
        text(&mut svg, (left + right) / 2.0, TOP + PLOT_HEIGHT / 2.0, LABEL_SIZE, "middle", MUTED_COLOUR, "暂无数据");
    }

    for (n, s) in series.iter().enumerate() {
        let (colour, dash) = look(n);
        let _ = write!(svg, r#"<g class="series"><title>{}</title>"#, escape_html(&s.name));
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in s.values.iter().take(count).enumerate() {
            if v.is_finite() {
                let _ = write!(path, "{}{} {} ", if pen_down { "L" } else { "M" }, num(x_of(i)), num(y_of(*v)));
                pen_down = true;
            } else {
                pen_down = false;
            }
        }
        if !path.is_empty() {
            let _ = write!(
                svg,
                r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round"{dash}/>"#,
                path.trim_end()
            );
        }
        for (i, v) in s.values.iter().take(count).enumerate() {
            if v.is_finite() {
                let _ = write!(
                    svg,
                    r#"<circle cx="{}" cy="{}" r="3" fill="{colour}"><title>{}，{}：{}</title></circle>"#,
                    num(x_of(i)),
                    num(y_of(*v)),
                    escape_html(&s.name),
                    escape_html(&x_labels[i]),
                    format_number(*v)
                );
            }
        }
        svg.push_str("</g>\n");
    }

    for (n, (s, (x, row))) in series.iter().zip(&legend.places).enumerate() {
        let (colour, dash) = look(n);
        let y = legend_top + LEGEND_ROW * *row as f64;
        svg.push_str(r#"<g class="legend">"#);
        line(&mut svg, *x, y, x + 20.0, y, colour, &format!(r#" stroke-width="2"{dash}"#));
        let _ = write!(svg, r#"<circle cx="{}" cy="{}" r="3" fill="{colour}"/>"#, num(x + 10.0), num(y));
        text(&mut svg, x + 26.0, baseline(y, LABEL_SIZE), LABEL_SIZE, "start", TEXT_COLOUR, &s.name);
        svg.push_str("</g>\n");
    }
    svg.push_str("</svg>\n");
    svg
}

/// Where each legend entry goes: (x, row), filling rows left to right.
struct Legend {
    places: Vec<(f64, usize)>,
    rows: usize,
}

fn legend_layout(series: &[Series], left: f64, right: f64) -> Legend {
    let mut places = Vec::new();
    let (mut x, mut row) = (left, 0);
    for s in series {
        let width = 26.0 + text_width(&s.name, LABEL_SIZE) + 18.0;
        if x > left && x + width > right {
            x = left;
            row += 1;
        }
        places.push((x, row));
        x += width;
    }
    Legend { places, rows: if series.is_empty() { 0 } else { row + 1 } }
}

/// The colour and dash of the n-th series.
fn look(n: usize) -> (&'static str, &'static str) {
    let dash = if (n / PALETTE.len()) % 2 == 1 { r#" stroke-dasharray="6 3""# } else { "" };
    (PALETTE[n % PALETTE.len()], dash)
}

/// An axis from `min` to `max` in round steps of 1, 2 or 5 times a power of ten; whole steps
/// only when every figure is whole.
struct Scale {
    min: f64,
    max: f64,
    step: f64,
}

impl Scale {
    fn new(low: f64, high: f64, whole: bool) -> Scale {
        let high = if high > low { high } else { low + 1.0 };
        let rough = (high - low) / 5.0;
        let power = 10f64.powf(rough.log10().floor());
        let mut step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(10.0 * power);
        if whole {
            step = step.max(1.0).round();
        }
        Scale { min: (low / step).floor() * step, max: (high / step).ceil() * step, step }
    }

    fn ticks(&self) -> Vec<f64> {
        let count = ((self.max - self.min) / self.step).round() as usize;
        (0..=count).map(|k| self.min + self.step * k as f64).collect()
    }
}

fn open_svg(width: f64, height: f64, title: &str) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" font-family="{FONT_FAMILY}">"#,
        w = num(width),
        h = num(height),
    );
    let _ = writeln!(svg, "<title>{}</title>", escape_html(title));
    let _ = writeln!(svg, r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##, num(width), num(height));
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="32" font-size="{TITLE_SIZE}" font-weight="bold" text-anchor="middle" fill="{TEXT_COLOUR}">{}</text>"#,
        num(width / 2.0),
        escape_html(title)
    );
    svg
}

fn text(svg: &mut String, x: f64, y: f64, size: f64, anchor: &str, fill: &str, content: &str) {
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" font-size="{}" text-anchor="{anchor}" fill="{fill}">{}</text>"#,
        num(x),
        num(y),
        num(size),
        escape_html(content)
    );
}

fn line(svg: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, extra: &str) {
    let _ = write!(
        svg,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}"{extra}/>"#,
        num(x1),
        num(y1),
        num(x2),
        num(y2)
    );
}

/// The baseline that centres text of a size on `middle`; renderers differ on
/// `dominant-baseline`, so it is not used.
fn baseline(middle: f64, size: f64) -> f64 {
    middle + size * 0.35
}

/// How wide a text draws at a font size: one em for a Chinese character, 0.6 em for others.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.6 } else { 1.0 }).sum::<f64>() * size
}

/// The text cut short with "…" so that it fits a width.
fn shorten(text: &str, width: f64, size: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        let mut next = out.clone();
        next.push(c);
        next.push('…');
        if text_width(&next, size) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A figure as people write it: whole numbers without a decimal point, others to two places
/// without trailing zeros.
fn format_number(v: f64) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.2}").trim_end_matches('0').to_string()
    }
}

/// A coordinate to one decimal place.
fn num(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A value a bar can show: negative and missing figures draw as zero.
fn drawable(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round() {
        let s = Scale::new(0.0, 30.0, true);
        assert_eq!((s.min, s.max, s.step), (0.0, 30.0, 10.0));
        let s = Scale::new(0.0, 3.0, true);
        assert_eq!(s.ticks(), vec![0.0, 1.0, 2.0, 3.0]);
        let s = Scale::new(0.0, 1.0, true);
        assert_eq!(s.ticks(), vec![0.0, 1.0]);
        let s = Scale::new(0.0, 0.0, true);
        assert_eq!(s.max, 1.0);
        let s = Scale::new(-7.0, 42.0, true);
        assert_eq!((s.min, s.max, s.step), (-10.0, 50.0, 10.0));
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(format_number(30.0), "30");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.25), "12.2");
    }

    #[test]
    fn long_labels_are_shortened() {
        let long = "神农架林区知识产权局办公室";
        let short = shorten(long, 5.0 * LABEL_SIZE, LABEL_SIZE);
        assert_eq!(short, "神农架林…");
        assert_eq!(shorten("武汉", 100.0, LABEL_SIZE), "武汉");
    }

    #[test]
    fn legend_wraps() {
        let series: Vec<Series> =
            (0..20).map(|i| Series { name: format!("第{i}单位知识产权局"), values: vec![] }).collect();
        let legend = legend_layout(&series, 40.0, 736.0);
        assert!(legend.rows > 1);
        assert!(legend.places.iter().all(|(x, _)| *x >= 40.0 && *x < 736.0));
    }
}
