//! Yearly national awards of headquarters (报社总部的年度表彰): 最佳通联站, 先进发行区,
//! 最佳通讯员 and whatever else headquarters decides to award. The criteria are data, a TOML file
//! headquarters edits like a reward policy, not code:
//!
//! ```toml
//! # 报社年度表彰的评选标准
//! [[award]]
//! key = "best_station"
//! name = "最佳通联站"
//! rank = "station"            # station | correspondent
//! top = 3                     # how many are awarded
//! [award.score]               # the score is a weighted sum of the figures below
//! paper_placements = 1        # placements in the paper (本报采用)
//! subscriptions = 0.05        # copies subscribed
//! events = 0.5                # events held (活动)
//! [award.min]                 # thresholds a candidate must reach to be eligible at all
//! paper_placements = 50
//!
//! [[award]]
//! key = "best_distribution"
//! name = "先进发行区"
//! rank = "station"
//! top = 3
//! [award.score]
//! subscriptions = 1
//!
//! [[award]]
//! key = "best_correspondent"
//! name = "最佳通讯员"
//! rank = "correspondent"
//! top = 10
//! [award.score]
//! paper_placements = 1
//! [award.min]
//! paper_placements = 5
//! ```
//!
//! A station's figures are `paper_placements`, `placements` (all outlets), `website_items`,
//! `subscriptions`, `events` and `active_correspondents`; a correspondent's only
//! `paper_placements` and `placements`. Weights and minimums are decimals, never negative; `top`
//! is 1 to 100; `key` is unique and written `[a-z_]+`. Reading the file reports every mistake
//! with its line. Counting the figures is the store's job: this module weighs, orders and marks
//! who is awarded.

use crate::toml_read::{Span, Value, distance, entries_in, get, line_of, to_decimal};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};

/// The criteria shipped with Tonglian, until headquarters writes its own.
pub const DEFAULT_AWARDS: &str = r#"# 报社年度表彰的评选标准
[[award]]
key = "best_station"
name = "最佳通联站"
rank = "station"            # station | correspondent
top = 3                     # how many are awarded
[award.score]               # the score is a weighted sum of the figures below
paper_placements = 1        # placements in the paper (本报采用)
subscriptions = 0.05        # copies subscribed
events = 0.5                # events held (活动)
[award.min]                 # thresholds a candidate must reach to be eligible at all
paper_placements = 50

[[award]]
key = "best_distribution"
name = "先进发行区"
rank = "station"
top = 3
[award.score]
subscriptions = 1

[[award]]
key = "best_correspondent"
name = "最佳通讯员"
rank = "correspondent"
top = 10
[award.score]
paper_placements = 1
[award.min]
paper_placements = 5
"#;

/// Largest weight or minimum accepted: keeps Σ weight × figure far from Decimal's limits, and
/// beyond it a typo is likelier than intent.
const MAX_NUMBER: i64 = 1_000_000;
const MAX_TOP: i64 = 100;
const AWARD_KEYS: &[&str] = &["key", "name", "rank", "top", "score", "min"];

/// A yearly figure of a station or a correspondent that an award can weigh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Placements in the paper itself (本报采用).
    PaperPlacements,
    /// Placements in outlets of every level.
    Placements,
    /// Items published on the station's website (网站上稿).
    WebsiteItems,
    /// Copies subscribed (征订份数).
    Subscriptions,
    /// Events held (活动).
    Events,
    /// Correspondents of the station with at least one placement in the year.
    ActiveCorrespondents,
}

impl Figure {
    pub const ALL: [Figure; 6] = [
        Figure::PaperPlacements,
        Figure::Placements,
        Figure::WebsiteItems,
        Figure::Subscriptions,
        Figure::Events,
        Figure::ActiveCorrespondents,
    ];

    /// The key written in the awards file.
    pub fn code(self) -> &'static str {
        match self {
            Figure::PaperPlacements => "paper_placements",
            Figure::Placements => "placements",
            Figure::WebsiteItems => "website_items",
            Figure::Subscriptions => "subscriptions",
            Figure::Events => "events",
            Figure::ActiveCorrespondents => "active_correspondents",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Figure::PaperPlacements => "本报采用",
            Figure::Placements => "各类媒体采用",
            Figure::WebsiteItems => "网站上稿",
            Figure::Subscriptions => "征订份数",
            Figure::Events => "活动",
            Figure::ActiveCorrespondents => "活跃通讯员",
        }
    }

    /// Reads a code exactly as `code` writes it.
    pub fn parse(code: &str) -> Option<Figure> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// Who an award ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankOf {
    Station,
    Correspondent,
}

impl RankOf {
    pub fn code(self) -> &'static str {
        match self {
            RankOf::Station => "station",
            RankOf::Correspondent => "correspondent",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            RankOf::Station => "通联站",
            RankOf::Correspondent => "通讯员",
        }
    }

    /// The code, or its Chinese name.
    pub fn parse(s: &str) -> Option<RankOf> {
        match s.trim() {
            "station" | "通联站" => Some(RankOf::Station),
            "correspondent" | "通讯员" => Some(RankOf::Correspondent),
            _ => None,
        }
    }

    /// The figures such a candidate has: a correspondent holds no subscriptions or events.
    pub fn figures(self) -> &'static [Figure] {
        match self {
            RankOf::Station => &Figure::ALL,
            RankOf::Correspondent => &[Figure::PaperPlacements, Figure::Placements],
        }
    }
}

/// One award and how its candidates are scored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Award {
    pub key: String,
    pub name: String,
    pub rank: RankOf,
    /// How many are awarded (more when candidates tie at the boundary).
    pub top: usize,
    /// Weights, in file order: score = Σ weight × figure.
    pub score: Vec<(Figure, Decimal)>,
    /// Thresholds, in file order: a candidate below any of them is not eligible.
    pub min: Vec<(Figure, Decimal)>,
}

/// A mistake in an awards file, said in Chinese, with its line (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("第{line}行：{message}")]
pub struct AwardError {
    pub line: usize,
    pub message: String,
}

/// One candidate: a station or a correspondent, with its figures (missing figures count as 0).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    /// For a correspondent: their station's name.
    pub group: String,
    pub figures: BTreeMap<Figure, i64>,
}

impl Candidate {
    /// The figure, 0 when absent.
    pub fn figure(&self, f: Figure) -> i64 {
        self.figures.get(&f).copied().unwrap_or(0)
    }
}

/// One line of an award's ranking.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Placed {
    /// 1, 2, 2, 4…; 0 for an ineligible candidate.
    pub rank: usize,
    pub id: i64,
    pub name: String,
    pub group: String,
    pub score: Decimal,
    pub eligible: bool,
    pub awarded: bool,
}

/// Ranks `candidates` for `award`: score = Σ weight × figure; highest first; ties share a rank
/// (1,2,2,4) and are ordered by name; ineligible candidates (below a minimum) are listed after
/// the eligible ones, unranked (rank 0), never awarded; `awarded` marks the eligible ones whose
/// rank ≤ top (so a tie at the boundary awards both).
pub fn rank(award: &Award, candidates: &[Candidate]) -> Vec<Placed> {
    let mut rows: Vec<Placed> = candidates
        .iter()
        .map(|c| Placed {
            rank: 0,
            id: c.id,
            name: c.name.clone(),
            group: c.group.clone(),
            score: score_of(award, c),
            eligible: award.min.iter().all(|(f, m)| Decimal::from(c.figure(*f)) >= *m),
            awarded: false,
        })
        .collect();
    // Group and id only make the order total, so the same data always prints the same list.
    rows.sort_by(|a, b| {
        b.eligible
            .cmp(&a.eligible)
            .then(b.score.cmp(&a.score))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.group.cmp(&b.group))
            .then(a.id.cmp(&b.id))
    });
    let mut previous = None;
    let mut current = 0;
    for (i, row) in rows.iter_mut().take_while(|r| r.eligible).enumerate() {
        if previous != Some(row.score) {
            current = i + 1;
            previous = Some(row.score);
        }
        row.rank = current;
        row.awarded = current <= award.top;
    }
    rows
}

/// Σ weight × figure, exact; saturates instead of panicking on an award built by hand with
/// absurd weights (a parsed file cannot get near the limits).
fn score_of(award: &Award, c: &Candidate) -> Decimal {
    let limit = |negative: bool| if negative { Decimal::MIN } else { Decimal::MAX };
    award
        .score
        .iter()
        .fold(Decimal::ZERO, |acc, (f, w)| {
            let v = Decimal::from(c.figure(*f));
            let product = w.checked_mul(v).unwrap_or_else(|| limit(w.is_sign_negative() != v.is_sign_negative()));
            acc.checked_add(product).unwrap_or_else(|| limit(product.is_sign_negative()))
        })
        .normalize()
}

/// Reads an awards file. Collects every mistake it can find rather than stopping at the first.
pub fn parse_awards(text: &str) -> Result<Vec<Award>, Vec<AwardError>> {
    let root = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            return Err(vec![AwardError { line, message: format!("TOML 格式错误：{}", e.message().trim()) }]);
        }
    };
    let mut r = Reader { text, errors: Vec::new() };
    let awards = r.file(root.get_ref());
    if r.errors.is_empty() {
        return Ok(awards);
    }
    let mut errors = r.errors;
    errors.sort_by_key(|e| e.line);
    errors.dedup();
    Err(errors)
}

fn closest<'k>(key: &str, allowed: &[&'k str]) -> Option<&'k str> {
    allowed.iter().map(|a| (distance(key, a), *a)).filter(|(d, _)| *d <= 2).min().map(|(_, a)| a)
}

fn is_key(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

fn figure_list(figures: &[Figure]) -> String {
    figures.iter().map(|f| format!("{}（{}）", f.code(), f.zh())).collect::<Vec<_>>().join("、")
}

struct Reader<'s> {
    text: &'s str,
    errors: Vec<AwardError>,
}

impl Reader<'_> {
    fn line(&self, span: &Span) -> usize {
        line_of(self.text, span.start)
    }

    fn err(&mut self, span: &Span, message: impl Into<String>) {
        let line = self.line(span);
        self.errors.push(AwardError { line, message: message.into() });
    }

    /// Reports every key of `t` not in `allowed`, with a suggestion when one is close.
    fn keys(&mut self, t: &DeTable, allowed: &[&str]) {
        for (key, span, _) in entries_in(t) {
            if allowed.contains(&key) {
                continue;
            }
            let message = match closest(key, allowed) {
                Some(a) => format!("未知的键 “{key}”，是否应为 “{a}”？"),
                None => format!("未知的键 “{key}”（此处可用：{}）", allowed.join("、")),
            };
            self.err(&span, message);
        }
    }

    fn text(&mut self, v: &Value, what: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.err(&v.span(), format!("“{what}”应为文字（加英文双引号）"));
                None
            }
        }
    }

    fn file(&mut self, root: &DeTable) -> Vec<Award> {
        self.keys(root, &["award"]);
        let Some(v) = get(root, "award") else {
            self.err(&(0..0), "没有评选项目：至少要写一个 [[award]]");
            return Vec::new();
        };
        let tables = self.tables(v);
        if tables.is_empty() && self.errors.is_empty() {
            self.err(&v.span(), "没有评选项目：至少要写一个 [[award]]");
        }
        // Each key with the line it was first given on, to point duplicates at it.
        let mut seen: Vec<(String, usize)> = Vec::new();
        tables.into_iter().filter_map(|(t, span)| self.award(t, &span, &mut seen)).collect()
    }

    /// The `[[award]]` tables; a single `[award]` table is accepted as a list of one.
    fn tables<'t, 'a>(&mut self, v: &'t Value<'a>) -> Vec<(&'t DeTable<'a>, Span)> {
        match v.get_ref() {
            DeValue::Table(t) => vec![(t, v.span())],
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => out.push((t, item.span())),
                        _ => self.err(&item.span(), "“award”应写成 [[award]] 表"),
                    }
                }
                out
            }
            _ => {
                self.err(&v.span(), "“award”应写成 [[award]] 表");
                Vec::new()
            }
        }
    }

    fn award(&mut self, t: &DeTable, span: &Span, seen: &mut Vec<(String, usize)>) -> Option<Award> {
        self.keys(t, AWARD_KEYS);
        let key = self.key(t, span, seen);
        let name = match get(t, "name") {
            None => {
                self.err(span, "评选项目缺少 name，如 name = \"最佳通联站\"");
                None
            }
            Some(v) => match self.text(v, "name").map(|s| s.trim().to_string()) {
                Some(s) if s.is_empty() => {
                    self.err(&v.span(), "name 不能为空：表彰通报上要写奖项名称");
                    None
                }
                other => other,
            },
        };
        let expected = "应为 station（评通联站）或 correspondent（评通讯员）";
        let rank = match get(t, "rank") {
            None => {
                self.err(span, format!("评选项目缺少 rank：{expected}"));
                None
            }
            Some(v) => self.text(v, "rank").and_then(|s| {
                let rank = RankOf::parse(&s);
                if rank.is_none() {
                    self.err(&v.span(), format!("rank “{s}”无效：{expected}"));
                }
                rank
            }),
        };
        let top = match get(t, "top") {
            None => {
                self.err(span, "评选项目缺少 top（评出几名），如 top = 3");
                None
            }
            Some(v) => {
                let parsed = match v.get_ref() {
                    DeValue::Integer(i) if i.radix() == 10 => i.as_str().replace('_', "").parse::<i64>().ok(),
                    _ => None,
                };
                match parsed {
                    Some(x) if (1..=MAX_TOP).contains(&x) => usize::try_from(x).ok(),
                    _ => {
                        self.err(&v.span(), format!("top 应为 1 到 {MAX_TOP} 之间的整数（评出几名）"));
                        None
                    }
                }
            }
        };
        let score = match get(t, "score") {
            None => {
                self.err(span, "评选项目缺少 [award.score]：至少要有一项权重，如 paper_placements = 1");
                None
            }
            Some(v) => self.figures(v, "score", rank, "权重", true),
        };
        let min = match get(t, "min") {
            None => Some(Vec::new()),
            Some(v) => self.figures(v, "min", rank, "门槛", false),
        };
        Some(Award { key: key?, name: name?, rank: rank?, top: top?, score: score?, min: min? })
    }

    fn key(&mut self, t: &DeTable, span: &Span, seen: &mut Vec<(String, usize)>) -> Option<String> {
        let Some(v) = get(t, "key") else {
            self.err(span, "评选项目缺少 key，如 key = \"best_station\"");
            return None;
        };
        let k = self.text(v, "key")?;
        if !is_key(&k) {
            // The key names the award in links and saved results: one plain spelling only.
            self.err(&v.span(), format!("key “{k}”无效：只能用小写英文字母和下划线，如 best_station"));
            return None;
        }
        if let Some((_, at)) = seen.iter().find(|(s, _)| *s == k) {
            self.err(&v.span(), format!("key “{k}”与第{at}行的评选项目重复"));
            return None;
        }
        seen.push((k.clone(), self.line(&v.span())));
        Some(k)
    }

    /// A `[award.score]` or `[award.min]` table: figures of the award's rank with non-negative
    /// numbers, in file order.
    fn figures(
        &mut self,
        v: &Value,
        what: &str,
        rank: Option<RankOf>,
        label: &str,
        required: bool,
    ) -> Option<Vec<(Figure, Decimal)>> {
        let DeValue::Table(t) = v.get_ref() else {
            self.err(&v.span(), format!("“{what}”应为表，如 [award.{what}]"));
            return None;
        };
        if required && t.is_empty() {
            self.err(&v.span(), format!("{what} 中至少要有一项{label}，如 paper_placements = 1"));
            return None;
        }
        let codes: Vec<&str> = Figure::ALL.iter().map(|f| f.code()).collect();
        let mut out = Vec::new();
        let mut ok = true;
        for (key, kspan, value) in entries_in(t) {
            let Some(figure) = Figure::parse(key) else {
                let message = match closest(key, &codes) {
                    Some(a) => format!("“{key}”不是可评的数据项，是否应为 “{a}”？"),
                    None => format!("“{key}”不是可评的数据项（可用：{}）", figure_list(&Figure::ALL)),
                };
                self.err(&kspan, message);
                ok = false;
                continue;
            };
            if let Some(r) = rank
                && !r.figures().contains(&figure)
            {
                let message = format!(
                    "评{}时不能用“{}”（{}）：{}只有 {}",
                    r.zh(),
                    figure.zh(),
                    key,
                    r.zh(),
                    figure_list(r.figures())
                );
                self.err(&kspan, message);
                ok = false;
                continue;
            }
            let Some(d) = to_decimal(value.get_ref()) else {
                self.err(&value.span(), format!("“{key}”的{label}应为数字"));
                ok = false;
                continue;
            };
            if d < Decimal::ZERO {
                self.err(&value.span(), format!("{label}不能为负数：{key} = {}", d.normalize()));
                ok = false;
            } else if d > Decimal::from(MAX_NUMBER) {
                self.err(&value.span(), format!("{label} {} 过大（不超过 {MAX_NUMBER}）", d.normalize()));
                ok = false;
            } else {
                out.push((figure, d));
            }
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        s.parse::<Decimal>().unwrap()
    }

    fn candidate(id: i64, name: &str, figures: &[(Figure, i64)]) -> Candidate {
        Candidate { id, name: name.into(), group: String::new(), figures: figures.iter().copied().collect() }
    }

    fn award(top: usize, score: &[(Figure, &str)], min: &[(Figure, &str)]) -> Award {
        Award {
            key: "test".into(),
            name: "测试".into(),
            rank: RankOf::Station,
            top,
            score: score.iter().map(|(f, w)| (*f, dec(w))).collect(),
            min: min.iter().map(|(f, m)| (*f, dec(m))).collect(),
        }
    }

    fn lines(errors: &[AwardError]) -> Vec<usize> {
        errors.iter().map(|e| e.line).collect()
    }

    #[test]
    fn default_awards_parse() {
        let awards = parse_awards(DEFAULT_AWARDS).unwrap();
        assert_eq!(awards.len(), 3);
        let [station, distribution, correspondent] = &awards[..] else { unreachable!() };
        assert_eq!((station.key.as_str(), station.name.as_str()), ("best_station", "最佳通联站"));
        assert_eq!((station.rank, station.top), (RankOf::Station, 3));
        assert_eq!(
            station.score,
            vec![
                (Figure::PaperPlacements, dec("1")),
                (Figure::Subscriptions, dec("0.05")),
                (Figure::Events, dec("0.5"))
            ]
        );
        assert_eq!(station.min, vec![(Figure::PaperPlacements, dec("50"))]);
        assert_eq!((distribution.key.as_str(), distribution.name.as_str()), ("best_distribution", "先进发行区"));
        assert_eq!(distribution.score, vec![(Figure::Subscriptions, dec("1"))]);
        assert!(distribution.min.is_empty());
        assert_eq!((correspondent.rank, correspondent.top), (RankOf::Correspondent, 10));
        assert_eq!(correspondent.score, vec![(Figure::PaperPlacements, dec("1"))]);
        assert_eq!(correspondent.min, vec![(Figure::PaperPlacements, dec("5"))]);
    }

    #[test]
    fn module_header_shows_the_default_file() {
        let source = include_str!("awards.rs");
        let header: String = source
            .lines()
            .skip_while(|l| *l != "//! ```toml")
            .skip(1)
            .take_while(|l| *l != "//! ```")
            .map(|l| format!("{}\n", l.strip_prefix("//! ").unwrap_or(l.trim_start_matches("//!"))))
            .collect();
        assert_eq!(header, DEFAULT_AWARDS);
    }

    #[test]
    fn figure_codes_round_trip() {
        for f in Figure::ALL {
            assert_eq!(Figure::parse(f.code()), Some(f));
        }
        assert_eq!(Figure::parse("Subscriptions"), None);
        assert_eq!(Figure::ActiveCorrespondents.zh(), "活跃通讯员");
        assert_eq!(RankOf::parse("通讯员"), Some(RankOf::Correspondent));
        let e = AwardError { line: 3, message: "错".into() };
        assert_eq!(e.to_string(), "第3行：错");
    }

    #[test]
    fn every_mistake_with_its_line() {
        let text = r#"[[award]]
key = "best_station"
name = "最佳通联站"
rank = "station"
top = 0
colour = "red"
[award.score]
paper_placements = -1
events = 0.5
paper_placement = 2

[[award]]
key = "best_station"
name = "  "
rank = "correspondent"
top = 10
[award.score]
subscriptions = 1
paper_placements = 1
[award.min]
placements = -2

[[award]]
key = "Best-Writer"
name = "x"
rank = "person"
top = 101

[[award]]
key = "ok_one"
name = "好"
rank = "station"
top = 1
[award.score]
"#;
        let errors = parse_awards(text).unwrap_err();
        let expected = [
            (5, "top 应为 1 到 100"),
            (6, "未知的键 “colour”"),
            (8, "权重不能为负数"),
            (10, "是否应为 “paper_placements”"),
            (13, "与第2行的评选项目重复"),
            (14, "name 不能为空"),
            (18, "评通讯员时不能用“征订份数”"),
            (21, "门槛不能为负数"),
            (23, "评选项目缺少 [award.score]"),
            (24, "key “Best-Writer”无效"),
            (26, "rank “person”无效"),
            (27, "top 应为 1 到 100"),
            (34, "score 中至少要有一项权重"),
        ];
        assert_eq!(lines(&errors), expected.iter().map(|(l, _)| *l).collect::<Vec<_>>(), "{errors:#?}");
        for (e, (_, want)) in errors.iter().zip(expected) {
            assert!(e.message.contains(want), "{e} should say {want}");
        }
    }

    #[test]
    fn missing_parts_are_reported_at_the_award() {
        let errors = parse_awards("\n\n[[award]]\nname = \"奖\"\n").unwrap_err();
        assert_eq!(lines(&errors), vec![3, 3, 3, 3], "{errors:#?}");
        let errors = parse_awards("# 空的\n").unwrap_err();
        assert_eq!(lines(&errors), vec![1]);
        assert!(errors[0].message.contains("没有评选项目"));
        let errors = parse_awards("awards = 1\n").unwrap_err();
        assert!(errors[0].message.contains("是否应为 “award”"), "{errors:#?}");
    }

    #[test]
    fn not_toml_at_all() {
        let errors = parse_awards("这不是 TOML 文件").unwrap_err();
        assert_eq!(lines(&errors), vec![1]);
        assert!(errors[0].message.starts_with("TOML 格式错误"), "{errors:#?}");
        let errors = parse_awards("[[award]]\nkey = \"a\"\nname = 最佳\n").unwrap_err();
        assert_eq!(lines(&errors), vec![3], "{errors:#?}");
    }

    #[test]
    fn weighted_sum_is_exact() {
        let a =
            award(3, &[(Figure::PaperPlacements, "1"), (Figure::Subscriptions, "0.05"), (Figure::Events, "0.1")], &[]);
        let c = candidate(1, "甲站", &[(Figure::PaperPlacements, 7), (Figure::Subscriptions, 3), (Figure::Events, 3)]);
        let placed = rank(&a, &[c]);
        // 7 + 0.15 + 0.3: a float would give 7.449999…
        assert_eq!(placed[0].score, dec("7.45"));
        assert_eq!(placed[0].score.to_string(), "7.45");
        assert_eq!((placed[0].rank, placed[0].eligible, placed[0].awarded), (1, true, true));
    }

    #[test]
    fn ties_share_a_rank_and_are_both_awarded_at_the_boundary() {
        let a = award(2, &[(Figure::PaperPlacements, "1")], &[]);
        let cs = [
            candidate(1, "丙", &[(Figure::PaperPlacements, 5)]),
            candidate(2, "乙", &[(Figure::PaperPlacements, 8)]),
            candidate(3, "甲", &[(Figure::PaperPlacements, 8)]),
            candidate(4, "丁", &[(Figure::PaperPlacements, 9)]),
            candidate(5, "戊", &[(Figure::PaperPlacements, 1)]),
        ];
        let placed = rank(&a, &cs);
        let got: Vec<(usize, &str, bool)> = placed.iter().map(|p| (p.rank, p.name.as_str(), p.awarded)).collect();
        // 乙 (U+4E59) sorts before 甲 (U+7532): ties are ordered by name.
        assert_eq!(got, vec![(1, "丁", true), (2, "乙", true), (2, "甲", true), (4, "丙", false), (5, "戊", false)]);
    }

    #[test]
    fn ineligible_listed_last_and_never_awarded() {
        let a = award(5, &[(Figure::Subscriptions, "1")], &[(Figure::PaperPlacements, "10")]);
        let cs = [
            candidate(1, "大站", &[(Figure::Subscriptions, 900), (Figure::PaperPlacements, 9)]),
            candidate(2, "小站", &[(Figure::Subscriptions, 10), (Figure::PaperPlacements, 10)]),
            candidate(3, "新站", &[(Figure::Subscriptions, 500)]),
        ];
        let placed = rank(&a, &cs);
        let got: Vec<(usize, &str, bool, bool)> =
            placed.iter().map(|p| (p.rank, p.name.as_str(), p.eligible, p.awarded)).collect();
        assert_eq!(got, vec![(1, "小站", true, true), (0, "大站", false, false), (0, "新站", false, false)]);
        assert_eq!(placed[1].score, dec("900"));
    }

    #[test]
    fn missing_figures_count_as_zero() {
        let a = award(1, &[(Figure::Events, "2"), (Figure::ActiveCorrespondents, "1")], &[(Figure::Events, "0")]);
        let cs = [candidate(1, "甲", &[]), candidate(2, "乙", &[(Figure::ActiveCorrespondents, 1)])];
        let placed = rank(&a, &cs);
        let got: Vec<(usize, i64, Decimal, bool)> =
            placed.iter().map(|p| (p.rank, p.id, p.score, p.eligible)).collect();
        assert_eq!(got, vec![(1, 2, dec("1"), true), (2, 1, Decimal::ZERO, true)]);
    }

    fn weight() -> impl Strategy<Value = Decimal> {
        (0i64..=1000, 0u32..=3).prop_map(|(m, scale)| Decimal::new(m, scale))
    }

    fn arb_award() -> impl Strategy<Value = Award> {
        let score = proptest::sample::subsequence(Figure::ALL.to_vec(), 1..=6)
            .prop_flat_map(|fs| proptest::collection::vec(weight(), fs.len()).prop_map(move |ws| (fs.clone(), ws)));
        let min = proptest::collection::vec((proptest::sample::select(Figure::ALL.to_vec()), 0i64..=60), 0..=2);
        (score, min, 1usize..=6).prop_map(|((fs, ws), min, top)| Award {
            key: "p".into(),
            name: "性质".into(),
            rank: RankOf::Station,
            top,
            score: fs.into_iter().zip(ws).collect(),
            min: min.into_iter().map(|(f, m)| (f, Decimal::from(m))).collect(),
        })
    }

    fn arb_candidates() -> impl Strategy<Value = Vec<Candidate>> {
        let one = (proptest::sample::select(vec!["甲", "乙", "丙", "丁"]), proptest::collection::vec(0i64..=100, 6));
        proptest::collection::vec(one, 1..=12).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (name, values))| Candidate {
                    id: i as i64,
                    name: name.into(),
                    group: String::new(),
                    figures: Figure::ALL.into_iter().zip(values).collect(),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn raising_a_figure_never_hurts(
            a in arb_award(),
            mut cs in arb_candidates(),
            pick in any::<prop::sample::Index>(),
            figure in proptest::sample::select(Figure::ALL.to_vec()),
            more in 0i64..=100,
        ) {
            let id = pick.index(cs.len()) as i64;
            let find = |placed: &[Placed]| placed.iter().find(|p| p.id == id).cloned().unwrap();
            let before = find(&rank(&a, &cs));
            *cs[id as usize].figures.entry(figure).or_insert(0) += more;
            let after = find(&rank(&a, &cs));
            prop_assert!(after.score >= before.score);
            if before.eligible {
                prop_assert!(after.eligible);
                prop_assert!(after.rank <= before.rank, "rank {} -> {}", before.rank, after.rank);
            }
        }

        #[test]
        fn enough_are_awarded_and_only_within_top(a in arb_award(), cs in arb_candidates()) {
            let placed = rank(&a, &cs);
            prop_assert_eq!(placed.len(), cs.len());
            let eligible = placed.iter().filter(|p| p.eligible).count();
            let awarded = placed.iter().filter(|p| p.awarded).count();
            prop_assert!(awarded >= a.top.min(eligible));
            for p in &placed {
                prop_assert_eq!(p.eligible, p.rank > 0);
                if p.awarded {
                    prop_assert!(p.eligible && p.rank <= a.top);
                }
            }
            // Eligible first, by score, ranks following the 1,2,2,4 rule.
            for (i, w) in placed.windows(2).enumerate() {
                prop_assert!(w[0].eligible >= w[1].eligible);
                if w[1].eligible {
                    prop_assert!(w[0].score >= w[1].score);
                    let want = if w[0].score == w[1].score { w[0].rank } else { i + 2 };
                    prop_assert_eq!(w[1].rank, want);
                }
            }
        }
    }
}
