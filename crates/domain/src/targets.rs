//! Yearly targets (目标管理) of units and correspondents: what a target counts, how a target is
//! entered and checked, the pace the calendar requires by a given day, the weak-link (薄弱环节)
//! flags that follow from it, quiet correspondents, and next year's targets from this year's.
//! Counting what was achieved is the store's job; this module only compares and judges.

use crate::{CorrespondentId, EventKind, FieldErrors, OutletId, OutletLevel, UnitId};
use time::Date;

/// Largest target accepted: beyond it a typo is likelier than an ambition.
pub const MAX_TARGET: i64 = 1_000_000;

/// What a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum TargetMetric {
    /// Placements in outlets of every level.
    Placements,
    /// Placements in outlets of one level.
    PlacementsAtLevel(OutletLevel),
    /// Placements in one outlet.
    PlacementsIn(OutletId),
    /// Items published on the station's own website (网站上稿).
    WebsiteItems,
    /// Copies subscribed in the subscription drive (征订).
    Subscriptions,
    /// Events of every kind.
    Events,
    /// Events of one kind.
    EventsOfKind(EventKind),
}

impl TargetMetric {
    /// The metrics that do not depend on the station's outlets, in the order forms list them.
    pub fn fixed() -> Vec<TargetMetric> {
        let mut out = vec![TargetMetric::Placements];
        out.extend(OutletLevel::ALL.iter().map(|&l| TargetMetric::PlacementsAtLevel(l)));
        out.extend([TargetMetric::WebsiteItems, TargetMetric::Subscriptions, TargetMetric::Events]);
        out.extend(EventKind::ALL.iter().map(|&k| TargetMetric::EventsOfKind(k)));
        out
    }

    /// The metrics offered in forms, in order, for a station with these outlets (all fixed ones,
    /// then one PlacementsIn per outlet given).
    pub fn choices(outlets: &[(OutletId, String)]) -> Vec<TargetMetric> {
        let mut out = Self::fixed();
        out.extend(outlets.iter().map(|(id, _)| TargetMetric::PlacementsIn(*id)));
        out
    }

    /// The stable code stored in the database: "placements", "placements:national", "outlet:12"…
    pub fn code(&self) -> String {
        match self {
            TargetMetric::Placements => "placements".to_string(),
            TargetMetric::PlacementsAtLevel(l) => format!("placements:{}", l.code()),
            TargetMetric::PlacementsIn(id) => format!("outlet:{id}"),
            TargetMetric::WebsiteItems => "website".to_string(),
            TargetMetric::Subscriptions => "subscriptions".to_string(),
            TargetMetric::Events => "events".to_string(),
            TargetMetric::EventsOfKind(k) => format!("events:{}", k.code()),
        }
    }

    /// Reads a code exactly as `code` writes it (so each metric has one spelling in the database).
    pub fn from_code(code: &str) -> Option<TargetMetric> {
        match code {
            "placements" => Some(TargetMetric::Placements),
            "website" => Some(TargetMetric::WebsiteItems),
            "subscriptions" => Some(TargetMetric::Subscriptions),
            "events" => Some(TargetMetric::Events),
            _ => {
                if let Some(l) = code.strip_prefix("placements:") {
                    OutletLevel::ALL.iter().find(|v| v.code() == l).map(|&v| TargetMetric::PlacementsAtLevel(v))
                } else if let Some(k) = code.strip_prefix("events:") {
                    EventKind::ALL.iter().find(|v| v.code() == k).map(|&v| TargetMetric::EventsOfKind(v))
                } else if let Some(n) = code.strip_prefix("outlet:") {
                    // Only the canonical spelling: "outlet:012" or "outlet:+12" would store a second
                    // code for the same outlet.
                    let id: i64 = n.parse().ok()?;
                    (id.to_string() == n).then_some(TargetMetric::PlacementsIn(OutletId(id)))
                } else {
                    None
                }
            }
        }
    }

    /// The label; `outlet_name` is the name of the outlet of PlacementsIn (ignored otherwise; fall
    /// back to "媒体#12", or "outlet #12" in English).
    pub fn label(&self, locale: &str, outlet_name: Option<&str>) -> String {
        let en = locale == "en";
        match self {
            TargetMetric::Placements if en => "Placements (all outlets)".to_string(),
            TargetMetric::Placements => "各级媒体采用".to_string(),
            TargetMetric::PlacementsAtLevel(l) if en => format!("Placements ({})", l.en()),
            TargetMetric::PlacementsAtLevel(l) => format!("{}媒体采用", l.zh()),
            TargetMetric::PlacementsIn(id) => match (outlet_name.map(str::trim).filter(|n| !n.is_empty()), en) {
                (Some(name), true) => format!("Placements in {name}"),
                (Some(name), false) => format!("{name}采用"),
                (None, true) => format!("Placements in outlet #{id}"),
                (None, false) => format!("媒体#{id}采用"),
            },
            TargetMetric::WebsiteItems if en => "Items on the station's website".to_string(),
            TargetMetric::WebsiteItems => "网站上稿".to_string(),
            TargetMetric::Subscriptions if en => "Subscriptions (copies)".to_string(),
            TargetMetric::Subscriptions => "征订份数".to_string(),
            TargetMetric::Events if en => "Events".to_string(),
            TargetMetric::Events => "活动".to_string(),
            TargetMetric::EventsOfKind(k) => k.label(locale).to_string(),
        }
    }

    /// The label, looking the outlet's name up in `outlets`.
    pub fn label_with(&self, locale: &str, outlets: &[(OutletId, String)]) -> String {
        let name = match self {
            TargetMetric::PlacementsIn(id) => outlets.iter().find(|(o, _)| o == id).map(|(_, n)| n.as_str()),
            _ => None,
        };
        self.label(locale, name)
    }

    /// A Chinese sentence listing what is accepted, for error messages.
    pub fn expected(outlets: &[(OutletId, String)]) -> String {
        let labels: Vec<String> = Self::choices(outlets).iter().map(|m| m.label_with("zh", outlets)).collect();
        let mut s = format!("目标类型应为：{}", labels.join("、"));
        if !outlets.is_empty() {
            s.push_str("（也可直接填写媒体名称）");
        }
        s
    }

    /// Reads what a user typed in a spreadsheet or form: a code, a Chinese or English label, the
    /// name of an outlet in `outlets` (→ PlacementsIn), an outlet level label like "国家级" or
    /// "省级媒体采用", an EventKind label (→ EventsOfKind), and "网站"/"网站上稿", "征订"/"征订份数",
    /// "活动", "采用"/"各级媒体采用". Tried in that order, so an outlet named like a fixed label
    /// ("网站") is reached by "网站采用" or its code. A PlacementsIn must be one of `outlets`.
    /// Err is a Chinese message naming what was typed and what is accepted.
    pub fn parse(text: &str, outlets: &[(OutletId, String)]) -> Result<TargetMetric, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err(format!("请填写目标类型。{}", Self::expected(outlets)));
        }
        let known = |m: TargetMetric| match m {
            TargetMetric::PlacementsIn(id) if !outlets.iter().any(|(o, _)| *o == id) => {
                Err(format!("目标类型“{t}”中的媒体#{id}不在本站的媒体名录中"))
            }
            m => Ok(m),
        };
        if let Some(m) = Self::from_code(&t.to_ascii_lowercase()) {
            return known(m);
        }
        // The short forms people write in spreadsheet headers.
        let short = match t {
            "采用" | "媒体采用" | "用稿" => Some(TargetMetric::Placements),
            "网站" | "上稿" | "网站用稿" => Some(TargetMetric::WebsiteItems),
            "征订" | "订阅" | "订报" => Some(TargetMetric::Subscriptions),
            "活动数" | "活动次数" => Some(TargetMetric::Events),
            _ => None,
        };
        if let Some(m) = short {
            return Ok(m);
        }
        for m in Self::choices(outlets) {
            if m.label_with("zh", outlets) == t || m.label_with("en", outlets).eq_ignore_ascii_case(t) {
                return Ok(m);
            }
        }
        let mut named: Vec<OutletId> = outlets.iter().filter(|(_, n)| n.trim() == t).map(|(id, _)| *id).collect();
        named.sort_unstable();
        named.dedup();
        match named[..] {
            [id] => return Ok(TargetMetric::PlacementsIn(id)),
            [first, ..] => {
                return Err(format!("有多家媒体名为“{t}”，请改填媒体代码，如 outlet:{first}"));
            }
            [] => {}
        }
        let level = ["媒体采用", "采用", "媒体"].iter().find_map(|s| t.strip_suffix(s)).unwrap_or(t);
        if let Some(l) = OutletLevel::parse(level) {
            return Ok(TargetMetric::PlacementsAtLevel(l));
        }
        let kind = ["活动", "次数"].iter().find_map(|s| t.strip_suffix(s)).unwrap_or(t);
        if let Some(k) = EventKind::parse(kind) {
            return Ok(TargetMetric::EventsOfKind(k));
        }
        Err(format!("无法识别目标类型“{t}”。{}", Self::expected(outlets)))
    }
}

impl std::fmt::Display for TargetMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}

impl std::str::FromStr for TargetMetric {
    type Err = String;
    /// Reads a code only; use `TargetMetric::parse` for what users type.
    fn from_str(s: &str) -> Result<Self, String> {
        Self::from_code(s).ok_or_else(|| format!("无效的目标类型代码“{s}”"))
    }
}

/// A target as entered, before it is stored: for a unit, or for a correspondent (exactly one of
/// the two).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TargetInput {
    pub year: i32,
    pub unit_id: Option<UnitId>,
    pub correspondent_id: Option<CorrespondentId>,
    pub metric: TargetMetric,
    pub value: i64,
}

impl TargetInput {
    pub fn validate(self) -> Result<TargetInput, FieldErrors> {
        let mut e = FieldErrors::default();
        if !(2000..=2100).contains(&self.year) {
            e.push("year", "年份应在2000至2100之间");
        }
        if self.value < 0 {
            e.push("value", "目标数不能为负数");
        } else if self.value > MAX_TARGET {
            e.push("value", format!("目标数不能超过{MAX_TARGET}"));
        }
        if self.unit_id.is_some() == self.correspondent_id.is_some() {
            e.push("unit_id", "目标应属于一个单位或一名通讯员");
        }
        e.into_result(self)
    }
}

/// How far into `year` the calendar is on `as_of`: (days elapsed, counting as_of itself; days in
/// the year). Before the year: (0, n); after it: (n, n).
pub fn year_elapsed(year: i32, as_of: Date) -> (u32, u32) {
    let days = u32::from(time::util::days_in_year(year));
    match as_of.year().cmp(&year) {
        std::cmp::Ordering::Less => (0, days),
        std::cmp::Ordering::Greater => (days, days),
        std::cmp::Ordering::Equal => (u32::from(as_of.ordinal()), days),
    }
}

/// How a target stands against the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum PaceStatus {
    /// Less than half of what the calendar requires by now.
    FarBehind,
    /// At least half, but less than all of it.
    Behind,
    /// What the calendar requires or more, but the target not yet reached.
    OnPace,
    /// The target reached (or there is none).
    Met,
}

impl PaceStatus {
    /// Every value, worst first.
    pub const ALL: &'static [PaceStatus] =
        &[PaceStatus::FarBehind, PaceStatus::Behind, PaceStatus::OnPace, PaceStatus::Met];

    pub fn code(self) -> &'static str {
        match self {
            PaceStatus::FarBehind => "far_behind",
            PaceStatus::Behind => "behind",
            PaceStatus::OnPace => "on_pace",
            PaceStatus::Met => "met",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            PaceStatus::FarBehind => "严重滞后",
            PaceStatus::Behind => "滞后",
            PaceStatus::OnPace => "达到进度",
            PaceStatus::Met => "已完成",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            PaceStatus::FarBehind => "Far behind",
            PaceStatus::Behind => "Behind",
            PaceStatus::OnPace => "On pace",
            PaceStatus::Met => "Met",
        }
    }

    /// The label in a locale ("en" or anything else for Chinese).
    pub fn label(self, locale: &str) -> &'static str {
        if locale == "en" { self.en() } else { self.zh() }
    }

    /// Reads a code.
    pub fn from_code(code: &str) -> Option<PaceStatus> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }
}

/// A target against what was achieved and what the calendar requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub target: i64,
    pub achieved: i64,
    /// What the calendar requires by now: ceil(target × elapsed / days), never more than target.
    pub expected: i64,
    /// expected − achieved when behind, else 0.
    pub shortfall: i64,
    /// achieved as a per-mille of target (1000 = done), capped at 9999; 1000 when target is 0.
    pub permille_of_target: i64,
    pub status: PaceStatus,
}

/// Highest per-mille reported: four digits are enough for a table cell.
const MAX_PERMILLE: i64 = 9999;

/// ⌈n / d⌉ for d > 0, also for negative n.
fn ceil_div(n: i128, d: i128) -> i128 {
    n.div_euclid(d) + i128::from(n.rem_euclid(d) != 0)
}

fn permille(part: i64, whole: i64) -> i64 {
    let p = i128::from(part.max(0)) * 1000 / i128::from(whole);
    p.min(i128::from(MAX_PERMILLE)) as i64
}

impl Progress {
    /// `elapsed`/`days` from year_elapsed. Rules: target ≤ 0 or achieved ≥ target → Met. Else on
    /// pace when achieved × days ≥ target × elapsed (exact integer arithmetic, i128, no floats).
    /// Else FarBehind when 2 × achieved × days < target × elapsed (less than half the pace), else
    /// Behind.
    pub fn compute(target: i64, achieved: i64, elapsed: u32, days: u32) -> Progress {
        // A zero-day year cannot come from year_elapsed; treat it as a finished one.
        let (elapsed, days) = if days == 0 { (1, 1) } else { (elapsed.min(days), days) };
        let (t, a, e, d) = (i128::from(target), i128::from(achieved), i128::from(elapsed), i128::from(days));
        let expected = if target <= 0 { 0 } else { ceil_div(t * e, d).min(t) as i64 };
        let status = if target <= 0 || achieved >= target {
            PaceStatus::Met
        } else if a * d >= t * e {
            PaceStatus::OnPace
        } else if 2 * a * d < t * e {
            PaceStatus::FarBehind
        } else {
            PaceStatus::Behind
        };
        // Behind means a < t·e/d ≤ expected, so the shortfall is at least 1 exactly when weak.
        let shortfall = if status < PaceStatus::OnPace { expected - achieved } else { 0 };
        let permille_of_target = if target <= 0 { 1000 } else { permille(achieved, target) };
        Progress { target, achieved, expected, shortfall, permille_of_target, status }
    }

    /// The progress of a target for `year` as the calendar stands on `as_of`.
    pub fn on(target: i64, achieved: i64, year: i32, as_of: Date) -> Progress {
        let (elapsed, days) = year_elapsed(year, as_of);
        Progress::compute(target, achieved, elapsed, days)
    }

    /// A weak link (薄弱环节): behind or far behind the calendar.
    pub fn is_weak(&self) -> bool {
        matches!(self.status, PaceStatus::Behind | PaceStatus::FarBehind)
    }

    /// Percent of pace achieved, for sorting weak links (achieved / expected), as per-mille; 1000+
    /// when on pace. Rounded down, so a weak link is always below 1000; capped at 9999.
    pub fn permille_of_pace(&self) -> i64 {
        if self.expected <= 0 { 1000 } else { permille(self.achieved, self.expected) }
    }
}

/// Whether a correspondent has gone quiet: nothing submitted in the last `weeks` weeks before
/// `as_of` (last_submission < as_of − 7×weeks days). Someone who never submitted is quiet once they
/// have been in the network that long (joined_on ≤ as_of − 7×weeks days, or no join date known).
pub fn is_quiet(last_submission: Option<Date>, joined_on: Option<Date>, as_of: Date, weeks: u32) -> bool {
    // No cutoff when it falls before the calendar's start: nobody can be that quiet, except
    // someone with nothing at all on record.
    let cutoff = as_of.checked_sub(time::Duration::days(7 * i64::from(weeks)));
    match (last_submission, cutoff) {
        (Some(last), Some(cutoff)) => last < cutoff,
        (Some(_), None) => false,
        (None, cutoff) => match joined_on {
            None => true,
            Some(joined) => cutoff.is_some_and(|c| joined <= c),
        },
    }
}

/// Next year's targets from this year's: each value scaled by `percent` (100 = same), rounded up;
/// year + 1.
pub fn carry_forward(targets: &[TargetInput], percent: u32) -> Vec<TargetInput> {
    targets
        .iter()
        .map(|t| {
            let scaled = ceil_div(i128::from(t.value) * i128::from(percent), 100);
            TargetInput {
                year: t.year.saturating_add(1),
                value: i64::try_from(scaled).unwrap_or(if scaled < 0 { i64::MIN } else { i64::MAX }),
                ..t.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn outlets() -> Vec<(OutletId, String)> {
        vec![(OutletId(12), "中国知识产权报".to_string()), (OutletId(7), "湖北日报".to_string())]
    }

    fn all_metrics() -> Vec<TargetMetric> {
        let mut all = TargetMetric::choices(&outlets());
        all.push(TargetMetric::PlacementsIn(OutletId(-3)));
        all.push(TargetMetric::PlacementsIn(OutletId(i64::MAX)));
        all
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        let all = all_metrics();
        for m in &all {
            assert_eq!(TargetMetric::from_code(&m.code()), Some(*m), "{m}");
            assert_eq!(m.to_string(), m.code());
            assert_eq!(m.code().parse::<TargetMetric>(), Ok(*m));
        }
        let codes: std::collections::HashSet<String> = all.iter().map(|m| m.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert_eq!(TargetMetric::PlacementsAtLevel(OutletLevel::National).code(), "placements:national");
        assert_eq!(TargetMetric::PlacementsIn(OutletId(12)).code(), "outlet:12");
        assert_eq!(TargetMetric::EventsOfKind(EventKind::Lecture).code(), "events:lecture");
        for bad in ["", "outlet:", "outlet:abc", "outlet:012", "outlet:+12", "placements:moon", "events:", "Placements"]
        {
            assert_eq!(TargetMetric::from_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn choices_list_fixed_metrics_then_outlets() {
        let c = TargetMetric::choices(&outlets());
        assert_eq!(c.len(), 1 + OutletLevel::ALL.len() + 3 + EventKind::ALL.len() + 2);
        assert_eq!(c[0], TargetMetric::Placements);
        assert_eq!(c[1], TargetMetric::PlacementsAtLevel(OutletLevel::National));
        assert_eq!(
            &c[c.len() - 2..],
            &[TargetMetric::PlacementsIn(OutletId(12)), TargetMetric::PlacementsIn(OutletId(7))]
        );
        assert_eq!(TargetMetric::choices(&[]), TargetMetric::fixed());
    }

    #[test]
    fn labels_in_both_languages() {
        use TargetMetric as M;
        assert_eq!(M::Placements.label("zh", None), "各级媒体采用");
        assert_eq!(M::Placements.label("en", None), "Placements (all outlets)");
        assert_eq!(M::PlacementsAtLevel(OutletLevel::National).label("zh", None), "国家级媒体采用");
        assert_eq!(M::PlacementsAtLevel(OutletLevel::National).label("en", None), "Placements (National)");
        assert_eq!(M::PlacementsIn(OutletId(12)).label("zh", Some("中国知识产权报")), "中国知识产权报采用");
        assert_eq!(M::PlacementsIn(OutletId(12)).label("zh", None), "媒体#12采用");
        assert_eq!(M::PlacementsIn(OutletId(12)).label("en", Some("Hubei Daily")), "Placements in Hubei Daily");
        assert_eq!(M::WebsiteItems.label("zh", Some("ignored")), "网站上稿");
        assert_eq!(M::Subscriptions.label("en", None), "Subscriptions (copies)");
        assert_eq!(M::Events.label("zh", None), "活动");
        assert_eq!(M::EventsOfKind(EventKind::Lecture).label("zh", None), "讲座");
        assert_eq!(M::EventsOfKind(EventKind::Lecture).label("en", None), "Lecture");
        assert_eq!(M::PlacementsIn(OutletId(7)).label_with("zh", &outlets()), "湖北日报采用");
    }

    #[test]
    fn parses_what_people_type() {
        use TargetMetric as M;
        let o = outlets();
        let cases = [
            ("各级媒体采用", M::Placements),
            ("采用", M::Placements),
            ("placements", M::Placements),
            (" Placements (all outlets) ", M::Placements),
            ("国家级", M::PlacementsAtLevel(OutletLevel::National)),
            ("省级媒体采用", M::PlacementsAtLevel(OutletLevel::Provincial)),
            ("省级采用", M::PlacementsAtLevel(OutletLevel::Provincial)),
            ("市级媒体", M::PlacementsAtLevel(OutletLevel::Municipal)),
            ("Placements (County)", M::PlacementsAtLevel(OutletLevel::County)),
            ("PLACEMENTS:NATIONAL", M::PlacementsAtLevel(OutletLevel::National)),
            ("中国知识产权报", M::PlacementsIn(OutletId(12))),
            ("湖北日报采用", M::PlacementsIn(OutletId(7))),
            ("outlet:7", M::PlacementsIn(OutletId(7))),
            ("网站", M::WebsiteItems),
            ("网站上稿", M::WebsiteItems),
            ("征订", M::Subscriptions),
            ("征订份数", M::Subscriptions),
            ("活动", M::Events),
            ("Events", M::Events),
            ("讲座", M::EventsOfKind(EventKind::Lecture)),
            ("培训活动", M::EventsOfKind(EventKind::Training)),
            ("Press briefing", M::EventsOfKind(EventKind::Briefing)),
            ("events:forum", M::EventsOfKind(EventKind::Forum)),
        ];
        for (text, want) in cases {
            assert_eq!(M::parse(text, &o), Ok(want), "{text}");
        }
        // Every label of every choice reads back.
        for m in M::choices(&o) {
            assert_eq!(M::parse(&m.label_with("zh", &o), &o), Ok(m));
            assert_eq!(M::parse(&m.label_with("en", &o), &o), Ok(m));
        }
    }

    #[test]
    fn parse_says_what_was_typed_and_what_is_accepted() {
        let o = outlets();
        let e = TargetMetric::parse("吃饭", &o).unwrap_err();
        assert!(e.contains("“吃饭”"), "{e}");
        for accepted in ["各级媒体采用", "国家级媒体采用", "网站上稿", "征订份数", "讲座", "中国知识产权报采用"]
        {
            assert!(e.contains(accepted), "{accepted} in {e}");
        }
        assert!(TargetMetric::parse("  ", &o).unwrap_err().contains("请填写目标类型"));
        // An outlet not in the station's list is refused even by code.
        assert!(TargetMetric::parse("outlet:99", &o).unwrap_err().contains("媒体#99"));
        assert!(TargetMetric::parse("中国知识产权报", &[]).is_err());
        let twins = vec![(OutletId(1), "晚报".to_string()), (OutletId(2), "晚报".to_string())];
        assert!(TargetMetric::parse("晚报", &twins).unwrap_err().contains("outlet:1"));
    }

    fn input(unit: Option<i64>, person: Option<i64>, year: i32, value: i64) -> TargetInput {
        TargetInput {
            year,
            unit_id: unit.map(UnitId),
            correspondent_id: person.map(CorrespondentId),
            metric: TargetMetric::Placements,
            value,
        }
    }

    #[test]
    fn validate_reports_each_bad_field() {
        assert!(input(Some(1), None, 2007, 100).validate().is_ok());
        assert!(input(None, Some(1), 2000, 0).validate().is_ok());
        assert!(input(None, Some(1), 2100, MAX_TARGET).validate().is_ok());
        let e = input(None, None, 1999, -1).validate().unwrap_err();
        assert_eq!(e.get("year"), Some("年份应在2000至2100之间"));
        assert_eq!(e.get("value"), Some("目标数不能为负数"));
        assert_eq!(e.get("unit_id"), Some("目标应属于一个单位或一名通讯员"));
        let e = input(Some(1), Some(2), 2101, MAX_TARGET + 1).validate().unwrap_err();
        assert_eq!(e.0.len(), 3);
        assert_eq!(e.get("value"), Some("目标数不能超过1000000"));
    }

    #[test]
    fn year_elapsed_counts_the_day_itself() {
        assert_eq!(year_elapsed(2007, date!(2007 - 06 - 30)), (181, 365));
        assert_eq!(year_elapsed(2007, date!(2007 - 01 - 01)), (1, 365));
        assert_eq!(year_elapsed(2008, date!(2008 - 12 - 31)), (366, 366));
        assert_eq!(year_elapsed(2008, date!(2007 - 12 - 31)), (0, 366));
        assert_eq!(year_elapsed(2007, date!(2008 - 01 - 01)), (365, 365));
    }

    #[test]
    fn progress_at_mid_year() {
        let p = |achieved| Progress::on(100, achieved, 2007, date!(2007 - 06 - 30));
        // ceil(100 × 181 / 365) = ceil(49.59) = 50
        assert_eq!(p(50).expected, 50);
        assert_eq!((p(50).status, p(50).shortfall), (PaceStatus::OnPace, 0));
        assert_eq!((p(49).status, p(49).shortfall), (PaceStatus::Behind, 1));
        // Half the pace is 49.59 / 2 = 24.8: 25 is behind, 24 far behind.
        assert_eq!(p(25).status, PaceStatus::Behind);
        assert_eq!((p(24).status, p(24).shortfall), (PaceStatus::FarBehind, 26));
        assert_eq!(p(100).status, PaceStatus::Met);
        assert_eq!(p(130).permille_of_target, 1300);
        assert_eq!(p(50).permille_of_target, 500);
        assert_eq!(p(49).permille_of_pace(), 980);
        assert!(p(50).permille_of_pace() >= 1000);
        assert!(p(49).is_weak() && !p(50).is_weak());
        let none = Progress::compute(0, 0, 181, 365);
        assert_eq!((none.status, none.permille_of_target, none.expected), (PaceStatus::Met, 1000, 0));
        assert_eq!(Progress::compute(10, 0, 0, 365).status, PaceStatus::OnPace);
        let end = Progress::compute(10, 9, 365, 365);
        assert_eq!((end.expected, end.status, end.shortfall), (10, PaceStatus::Behind, 1));
        assert_eq!(Progress::compute(1, 50_000, 1, 365).permille_of_target, 9999);
    }

    #[test]
    fn pace_status_vocabulary() {
        assert!(PaceStatus::FarBehind < PaceStatus::Behind && PaceStatus::OnPace < PaceStatus::Met);
        assert_eq!(PaceStatus::FarBehind.code(), "far_behind");
        assert_eq!(PaceStatus::OnPace.label("zh"), "达到进度");
        assert_eq!(PaceStatus::Behind.label("en"), "Behind");
        for s in PaceStatus::ALL {
            assert_eq!(PaceStatus::from_code(s.code()), Some(*s));
        }
    }

    #[test]
    fn quiet_correspondents() {
        let as_of = date!(2007 - 06 - 30);
        // Four weeks before is 2007-06-02: a submission that day still counts.
        assert!(!is_quiet(Some(date!(2007 - 06 - 02)), None, as_of, 4));
        assert!(is_quiet(Some(date!(2007 - 06 - 01)), None, as_of, 4));
        assert!(!is_quiet(None, Some(date!(2007 - 06 - 03)), as_of, 4));
        assert!(is_quiet(None, Some(date!(2007 - 06 - 02)), as_of, 4));
        assert!(is_quiet(None, None, as_of, 4));
        assert!(!is_quiet(Some(Date::MIN), None, Date::MIN, u32::MAX));
        assert!(!is_quiet(None, Some(Date::MIN), Date::MIN, 1));
    }

    #[test]
    fn carry_forward_scales_and_rounds_up() {
        let this = vec![input(Some(1), None, 2007, 15), input(None, Some(2), 2007, 0)];
        let next = carry_forward(&this, 110);
        assert_eq!(next[0], TargetInput { year: 2008, value: 17, ..this[0].clone() });
        assert_eq!(next[1], TargetInput { year: 2008, value: 0, ..this[1].clone() });
        assert_eq!(carry_forward(&this, 100)[0].value, 15);
        assert_eq!(carry_forward(&this, 0)[0].value, 0);
        assert_eq!(carry_forward(&this, 101)[0].value, 16);
        assert!(carry_forward(&[], 120).is_empty());
    }

    /// (elapsed, days) as year_elapsed returns them.
    fn calendar() -> impl Strategy<Value = (u32, u32)> {
        prop::sample::select(vec![365u32, 366]).prop_flat_map(|days| (0..=days, Just(days)))
    }

    /// Two points of one year, earlier first, and the year's length.
    fn two_days() -> impl Strategy<Value = (u32, u32, u32)> {
        prop::sample::select(vec![365u32, 366])
            .prop_flat_map(|days| (0..=days, 0..=days, Just(days)))
            .prop_map(|(x, y, days)| (x.min(y), x.max(y), days))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn exactly_on_pace_is_never_weak(target in 0i64..10_000, (elapsed, days) in calendar()) {
            let expected = Progress::compute(target, 0, elapsed, days).expected;
            let p = Progress::compute(target, expected, elapsed, days);
            prop_assert!(!p.is_weak(), "{:?}", p);
            prop_assert_eq!(p.shortfall, 0);
        }

        #[test]
        fn flags_are_monotone_in_achievement(
            target in 0i64..10_000, x in 0i64..12_000, y in 0i64..12_000, (elapsed, days) in calendar(),
        ) {
            let (a, b) = (x.min(y), x.max(y));
            let (pa, pb) = (Progress::compute(target, a, elapsed, days), Progress::compute(target, b, elapsed, days));
            prop_assert!(pa.status <= pb.status, "{:?} {:?}", pa, pb);
            prop_assert!(pa.shortfall >= pb.shortfall, "{:?} {:?}", pa, pb);
            prop_assert!(pa.permille_of_target <= pb.permille_of_target);
        }

        #[test]
        fn expected_grows_with_the_calendar_up_to_the_target(
            target in 0i64..10_000, achieved in 0i64..12_000, (e1, e2, days) in two_days(),
        ) {
            let (p1, p2) = (Progress::compute(target, achieved, e1, days), Progress::compute(target, achieved, e2, days));
            prop_assert!(p1.expected <= p2.expected);
            prop_assert!(p2.expected <= target);
            prop_assert_eq!(Progress::compute(target, achieved, days, days).expected, target);
        }

        #[test]
        fn shortfall_is_zero_exactly_when_not_weak(
            target in 0i64..10_000, achieved in 0i64..12_000, (elapsed, days) in calendar(),
        ) {
            let p = Progress::compute(target, achieved, elapsed, days);
            prop_assert_eq!(p.shortfall == 0, !p.is_weak(), "{:?}", p);
            prop_assert_eq!(p.permille_of_pace() < 1000, p.is_weak(), "{:?}", p);
        }

        #[test]
        fn any_outlet_code_round_trips(id in any::<i64>()) {
            let m = TargetMetric::PlacementsIn(OutletId(id));
            prop_assert_eq!(TargetMetric::from_code(&m.code()), Some(m));
        }
    }
}

/// Targets from a spreadsheet with the columns 年度, 单位, 通讯员, 指标, 目标数 (a row names a
/// unit or a correspondent; 指标 is anything `TargetMetric::parse` reads, such as 国家级媒体采用,
/// 网站上稿, 征订份数, 讲座 or an outlet's name). Every mistake is reported by row and column.
pub fn read_targets(
    t: &crate::table::Table,
    units: &[(UnitId, String)],
    people: &[(CorrespondentId, String)],
    outlets: &[(OutletId, String)],
) -> Result<Vec<TargetInput>, Vec<crate::import::RowError>> {
    use crate::import::RowError;
    use crate::media::{cell, column, required_column, whole_number};
    use crate::table::Cell;
    let mut errors = Vec::new();
    let year_col = required_column(t, &["年度", "year", "年份"], &mut errors);
    let metric_col = required_column(t, &["指标", "metric", "目标类型"], &mut errors);
    let value_col = required_column(t, &["目标数", "value", "目标"], &mut errors);
    let unit_col = column(t, &["单位", "unit"]);
    let person_col = column(t, &["通讯员", "correspondent", "姓名"]);
    if unit_col.is_none() && person_col.is_none() {
        errors.push(RowError {
            row: 1, column: "单位".into(), message: "缺少“单位”或“通讯员”列".into()
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for row in &t.rows {
        if row.cells.iter().all(Cell::is_empty) {
            continue;
        }
        let mut err =
            |column: &str, message: String| errors.push(RowError { row: row.number, column: column.into(), message });
        let year = whole_number(&cell(row, year_col));
        if year.is_none() {
            err("年度", format!("“{}”不是年份", cell(row, year_col).text()));
        }
        let unit_name = cell(row, unit_col).text();
        let person_name = cell(row, person_col).text();
        let (mut unit_id, mut correspondent_id) = (None, None);
        match (unit_name.is_empty(), person_name.is_empty()) {
            (true, true) => err("单位", "请填写单位或通讯员".into()),
            (false, false) => err("通讯员", "一行只能填单位或通讯员中的一个".into()),
            (false, true) => match units.iter().find(|(_, n)| *n == unit_name) {
                Some((id, _)) => unit_id = Some(*id),
                None => err("单位", format!("没有名为“{unit_name}”的单位")),
            },
            (true, false) => {
                let found: Vec<_> = people.iter().filter(|(_, n)| *n == person_name).collect();
                match found.as_slice() {
                    [(id, _)] => correspondent_id = Some(*id),
                    [] => err("通讯员", format!("没有名为“{person_name}”的通讯员")),
                    _ => err("通讯员", format!("有多名通讯员叫“{person_name}”，请在页面上逐个设定")),
                }
            }
        }
        let metric = match TargetMetric::parse(&cell(row, metric_col).text(), outlets) {
            Ok(m) => Some(m),
            Err(m) => {
                err("指标", m);
                None
            }
        };
        let value = whole_number(&cell(row, value_col));
        match value {
            None => err("目标数", format!("“{}”不是整数", cell(row, value_col).text())),
            Some(v) if !(0..=MAX_TARGET).contains(&v) => err("目标数", format!("目标数应在0至{MAX_TARGET}之间")),
            Some(_) => {}
        }
        if let (Some(year), Some(metric), Some(value)) = (year, metric, value.filter(|v| (0..=MAX_TARGET).contains(v)))
            && (unit_id.is_some() || correspondent_id.is_some())
        {
            let input = TargetInput { year: year.clamp(0, 9999) as i32, unit_id, correspondent_id, metric, value };
            match input.validate() {
                Ok(t) => out.push(t),
                Err(e) => {
                    for f in e.0 {
                        let column = match f.field.as_str() {
                            "year" => "年度",
                            "value" => "目标数",
                            _ => "单位",
                        };
                        err(column, f.message);
                    }
                }
            }
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod sheet_tests {
    use super::*;
    use crate::table::{Cell, Table};

    #[test]
    fn targets_from_a_sheet() {
        let units = vec![(UnitId(1), "武汉市".to_string())];
        let people = vec![(CorrespondentId(7), "张明远".to_string())];
        let outlets = vec![(OutletId(3), "中国知识产权报".to_string())];
        let text = |s: &str| Cell::Text(s.into());
        let headers = ["年度", "单位", "通讯员", "指标", "目标数"].map(String::from).to_vec();
        let t = Table::new(
            headers.clone(),
            vec![
                vec![Cell::Number(2008.0), text("武汉市"), Cell::Empty, text("中国知识产权报"), Cell::Number(12.0)],
                vec![Cell::Number(2008.0), Cell::Empty, text("张明远"), text("国家级媒体采用"), Cell::Number(4.0)],
                vec![Cell::Number(2008.0), text("火星市"), Cell::Empty, text("网站上稿"), Cell::Number(-1.0)],
                vec![text("明年"), text("武汉市"), Cell::Empty, text("跳舞"), Cell::Number(3.0)],
            ],
        );
        let errors = read_targets(&t, &units, &people, &outlets).unwrap_err();
        let at: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(at, [(4, "单位"), (4, "目标数"), (5, "年度"), (5, "指标")], "{errors:?}");
        let good = Table::new(headers, t.rows[..2].iter().map(|r| r.cells.clone()).collect());
        let read = read_targets(&good, &units, &people, &outlets).unwrap();
        assert_eq!(read[0].metric, TargetMetric::PlacementsIn(OutletId(3)));
        assert_eq!((read[1].correspondent_id, read[1].value), (Some(CorrespondentId(7)), 4));
    }
}
