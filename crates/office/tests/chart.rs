//! The SVG charts: well-formed XML, every label there and escaped, bars as long as their
//! values, and nothing a strict Content-Security-Policy would block. And the same charts as
//! PNG pictures, with their Chinese labels drawn (a CJK font is needed: scripts/test installs
//! fonts-wqy-zenhei).

use std::collections::HashMap;

use office::{OfficeError, Series, bar_chart_svg, chart_png, line_chart_svg};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// One element of the SVG: its name and attributes, in document order.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: HashMap<String, String>,
}

impl Element {
    fn number(&self, attribute: &str) -> f64 {
        self.attributes[attribute].parse().unwrap_or_else(|e| panic!("{attribute} of {self:?}: {e}"))
    }
}

fn element(e: &BytesStart) -> Element {
    let attributes = e
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.normalized_value(XmlVersion::Implicit1_0).unwrap().into_owned(),
            )
        })
        .collect();
    Element { name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(), attributes }
}

/// Parses the SVG, failing on anything that is not well-formed XML with a single `<svg>` root
/// and only the five predefined entities; returns its elements.
fn parse(svg: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(svg);
    let mut elements = Vec::new();
    let mut depth = 0usize;
    let mut roots = 0;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed at {}: {e}", reader.buffer_position())) {
            Event::Start(e) => {
                roots += usize::from(depth == 0);
                depth += 1;
                elements.push(element(&e));
            }
            Event::Empty(e) => {
                roots += usize::from(depth == 0);
                elements.push(element(&e));
            }
            Event::End(_) => depth -= 1,
            Event::GeneralRef(r) => {
                let name = String::from_utf8(r.into_inner().into_owned()).unwrap();
                assert!(["amp", "lt", "gt", "quot", "apos", "#39"].contains(&name.as_str()), "entity &{name};");
            }
            Event::Eof => break,
            Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::Decl(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    assert_eq!(roots, 1, "one root");
    assert_eq!(elements[0].name, "svg");
    elements
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// What a strict CSP and a safe inline SVG need.
fn assert_safe_inline(svg: &str, elements: &[Element]) {
    assert!(!svg.contains("style="), "no style attributes");
    assert!(!svg.contains("<style"), "no style elements");
    assert!(!svg.to_lowercase().contains("<script"), "no script");
    assert!(!svg.contains(" on"), "no event handler attributes");
    assert!(!svg.contains("href"), "no links or external resources");
    let root = &elements[0];
    assert_eq!(root.attributes["xmlns"], "http://www.w3.org/2000/svg");
    let (w, h) = (root.number("width"), root.number("height"));
    assert_eq!(root.attributes["viewBox"], format!("0 0 {w} {h}"), "scales with its viewBox");
    assert!(
        root.attributes["font-family"].starts_with("'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Zen Hei'")
    );
    assert!(root.attributes["font-family"].ends_with("sans-serif"));
}

fn units() -> Vec<String> {
    strings(&["武汉市", "宜昌市", "神农架林区", "A&B<单位>", "局办公室"])
}

#[test]
fn bar_chart_is_safe_well_formed_and_labelled() {
    let values = [30.0, 12.0, 7.0, 1.0, 0.0];
    let svg = bar_chart_svg("2007年6月各单位网站采用排名", &units(), &values, "网站采用（篇）");
    let elements = parse(&svg);
    assert_safe_inline(&svg, &elements);
    assert!(svg.contains("<title>2007年6月各单位网站采用排名</title>"));
    assert!(svg.contains(">网站采用（篇）</text>"));
    for label in ["武汉市", "宜昌市", "神农架林区", "A&amp;B&lt;单位&gt;", "局办公室"] {
        assert!(svg.contains(&format!(">{label}</text>")), "{label}");
    }
    assert!(!svg.contains("A&B<"), "raw text escaped");
    for value in ["30", "12", "7", "1", "0"] {
        assert!(svg.contains(&format!(">{value}</text>")), "value {value} printed");
    }
}

#[test]
fn bars_are_as_long_as_their_values() {
    let values = [30.0, 12.0, 7.5, 1.0, 0.0];
    let svg = bar_chart_svg("排名", &units(), &values, "积分");
    let bars: Vec<Element> = parse(&svg)
        .into_iter()
        .filter(|e| e.name == "rect" && e.attributes.get("class").is_some_and(|c| c == "bar"))
        .collect();
    assert_eq!(bars.len(), 5);
    let per_unit = bars[0].number("width") / 30.0;
    assert!(per_unit > 5.0, "the longest bar is long: {per_unit}");
    for (bar, value) in bars.iter().zip(values) {
        assert!((bar.number("width") - value * per_unit).abs() <= 0.1, "{bar:?} for {value}");
        assert_eq!(bar.number("x"), bars[0].number("x"), "bars start at the same axis");
    }
    // One below the other, in the order given.
    assert!(bars.windows(2).all(|w| w[0].number("y") < w[1].number("y")));
}

#[test]
fn bar_chart_draws_nothing_for_negative_or_missing_values_and_says_when_empty() {
    let svg = bar_chart_svg("排名", &strings(&["甲", "乙", "丙"]), &[-3.0, f64::NAN, 4.0], "篇");
    let widths: Vec<f64> = parse(&svg)
        .iter()
        .filter(|e| e.attributes.get("class").is_some_and(|c| c == "bar"))
        .map(|e| e.number("width"))
        .collect();
    assert_eq!(widths.len(), 3);
    assert_eq!(&widths[..2], &[0.0, 0.0]);
    assert!(widths[2] > 0.0);
    assert!(!svg.contains("NaN"));

    let empty = bar_chart_svg("排名", &[], &[], "篇");
    parse(&empty);
    assert!(empty.contains("暂无数据"));
}

fn months() -> Vec<String> {
    (1..=12).map(|m| format!("{m}月")).collect()
}

#[test]
fn line_chart_is_safe_well_formed_and_labelled() {
    let series: Vec<Series> = units()
        .into_iter()
        .enumerate()
        .map(|(u, name)| Series { name, values: (0..12).map(|m| ((u + m) % 7) as f64).collect() })
        .collect();
    let svg = line_chart_svg("2007年各单位网站采用走势", &months(), &series);
    let elements = parse(&svg);
    assert_safe_inline(&svg, &elements);
    for month in months() {
        assert!(svg.contains(&format!(">{month}</text>")), "{month}");
    }
    for name in ["武汉市", "宜昌市", "神农架林区", "A&amp;B&lt;单位&gt;", "局办公室"] {
        assert!(svg.contains(&format!(">{name}</text>")), "legend entry {name}");
    }
    let paths: Vec<&Element> = elements.iter().filter(|e| e.name == "path").collect();
    assert_eq!(paths.len(), 5, "one line per unit");
    let colours: std::collections::HashSet<&String> = paths.iter().map(|p| &p.attributes["stroke"]).collect();
    assert_eq!(colours.len(), 5, "distinct colours");
}

#[test]
fn line_points_sit_at_their_values() {
    let series = [Series { name: "武汉市".into(), values: vec![0.0, 10.0, 20.0, 5.0] }];
    let svg = line_chart_svg("走势", &strings(&["1月", "2月", "3月", "4月"]), &series);
    let points: Vec<(f64, f64)> = parse(&svg)
        .iter()
        .filter(|e| e.name == "circle" && e.attributes.get("r").is_some_and(|r| r == "3"))
        .map(|e| (e.number("cx"), e.number("cy")))
        .collect();
    // Four points on the line and one in the legend.
    assert_eq!(points.len(), 5);
    let (x, y): (Vec<f64>, Vec<f64>) = points[..4].iter().copied().unzip();
    let per_unit = (y[0] - y[1]) / 10.0;
    assert!(per_unit > 1.0);
    assert!((y[0] - y[2] - 20.0 * per_unit).abs() <= 0.2);
    assert!((y[0] - y[3] - 5.0 * per_unit).abs() <= 0.2);
    assert!((x[1] - x[0] - (x[3] - x[2])).abs() <= 0.2, "evenly spaced months");
}

#[test]
fn twenty_units_get_twenty_looks_and_gaps_stay_gaps() {
    let mut series: Vec<Series> = (0..20)
        .map(|u| Series { name: format!("单位{u}"), values: (0..12).map(|m| (u + m) as f64).collect() })
        .collect();
    series[3].values[5] = f64::NAN;
    let svg = line_chart_svg("走势", &months(), &series);
    let elements = parse(&svg);
    let looks: std::collections::HashSet<(String, Option<String>)> = elements
        .iter()
        .filter(|e| e.name == "path")
        .map(|e| (e.attributes["stroke"].clone(), e.attributes.get("stroke-dasharray").cloned()))
        .collect();
    assert_eq!(looks.len(), 20);
    let gapped = elements.iter().filter(|e| e.name == "path").nth(3).unwrap();
    assert_eq!(gapped.attributes["d"].matches('M').count(), 2, "the line breaks at the missing month");
    assert!(!svg.contains("NaN"));
    for u in 0..20 {
        assert!(svg.contains(&format!(">单位{u}</text>")));
    }
}

#[test]
fn line_chart_without_series_says_so() {
    let svg = line_chart_svg("走势", &months(), &[]);
    parse(&svg);
    assert!(svg.contains("暂无数据"));
}

#[test]
#[should_panic(expected = "not well-formed")]
fn the_checker_refuses_unbalanced_tags() {
    parse(r#"<svg xmlns="http://www.w3.org/2000/svg"><g></svg>"#);
}

#[test]
#[should_panic(expected = "entity")]
fn the_checker_refuses_unknown_entities() {
    parse(r#"<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;</text></svg>"#);
}

#[test]
fn negative_figures_print_as_they_are_with_no_bar() {
    let svg = office::bar_chart_svg("扣分", &["仙桃市".to_string(), "武汉市".to_string()], &[-10.0, 20.0], "积分");
    assert!(svg.contains("仙桃市，积分：-10"), "{svg}");
    assert!(svg.contains(">-10<"), "the figure printed at the bar end");
}

#[test]
fn charts_draw_as_png_with_their_chinese_labels() {
    let svg = bar_chart_svg("2007年各单位采用", &units(), &[30.0, 12.0, 7.0, 1.0, 0.0], "篇");
    let png = chart_png(&svg, 1440).unwrap_or_else(|e| panic!("{e} (scripts/test installs fonts-wqy-zenhei)"));
    let picture = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap().to_rgb8();
    let root = &parse(&svg)[0];
    assert_eq!(picture.width(), 1440);
    assert_eq!(picture.height(), (root.number("height") * 1440.0 / root.number("width")).ceil() as u32);

    // Left of the bars there is nothing but the unit names: drawn, they darken pixels there.
    let label_column = picture.width() / 10;
    let dark = picture.enumerate_pixels().filter(|(x, _, p)| *x < label_column && p.0.iter().all(|&c| c < 128)).count();
    assert!(dark > 500, "the unit names are not drawn ({dark} dark pixels left of the bars)");
    // A white background, not a transparent one.
    assert_eq!(picture.get_pixel(0, 0).0, [255, 255, 255]);

    assert_eq!(chart_png(&svg, 1440).unwrap(), png, "the same chart gives the same picture");
    let months = strings(&["1月", "2月", "3月"]);
    let line = line_chart_svg("各月采用", &months, &[Series { name: "各类媒体".into(), values: vec![3.0, 5.0, 4.0] }]);
    assert!(chart_png(&line, 800).unwrap().starts_with(b"\x89PNG"));

    assert!(matches!(chart_png(&svg, 0), Err(OfficeError::Write(_))));
    assert!(matches!(chart_png("<svg", 100), Err(OfficeError::Write(_))));
}
