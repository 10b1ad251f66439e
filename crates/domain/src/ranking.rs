//! Rankings (比学赶): units, correspondents or outlets ordered by a ledger's figure for a period,
//! with their placement counts by outlet level and the change against the previous period.
//! Works on computed statements, so the figures are the same ones the notice shows.

use crate::OutletLevel;
use crate::policy::{Item, Period, Statement};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What is ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    Unit,
    Correspondent,
    Outlet,
}

impl RankBy {
    pub fn parse(s: &str) -> Option<RankBy> {
        match s.trim() {
            "unit" | "单位" => Some(RankBy::Unit),
            "correspondent" | "通讯员" | "person" => Some(RankBy::Correspondent),
            "outlet" | "媒体" => Some(RankBy::Outlet),
            _ => None,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            RankBy::Unit => "单位",
            RankBy::Correspondent => "通讯员",
            RankBy::Outlet => "媒体",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankRow {
    /// 1, 2, 2, 4…: equal figures share a rank.
    pub rank: u32,
    pub name: String,
    pub figure: Decimal,
    pub placements: u32,
    /// Placements by outlet level (codes: national, provincial, …).
    pub by_level: BTreeMap<String, u32>,
    pub previous_rank: Option<u32>,
    pub previous_figure: Option<Decimal>,
    /// figure − previous figure (the previous figure counts as 0 when absent).
    pub change: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    pub period: String,
    pub previous_period: String,
    pub by: RankBy,
    pub ledger: String,
    pub ledger_label: String,
    pub rows: Vec<RankRow>,
}

/// Figures, counts and level counts per ranked name for one period.
fn tally(
    by: RankBy,
    ledger: &str,
    period: &Period,
    statement: &Statement,
    items: &[Item],
) -> BTreeMap<String, (Decimal, u32, BTreeMap<String, u32>)> {
    let mut out: BTreeMap<String, (Decimal, u32, BTreeMap<String, u32>)> = BTreeMap::new();
    let in_period: Vec<&Item> = items.iter().filter(|i| period.contains(i.date)).collect();
    let person_names: HashMap<_, _> = statement.lines.iter().map(|l| (l.correspondent_id, l.name.clone())).collect();
    let unit_names: HashMap<_, _> =
        statement.units.iter().filter_map(|u| u.unit_id.map(|id| (id, u.name.clone()))).collect();
    let mut count = |name: String, level: OutletLevel| {
        let e = out.entry(name).or_default();
        e.1 += 1;
        *e.2.entry(level.code().to_string()).or_default() += 1;
    };
    for item in &in_period {
        match by {
            RankBy::Unit => {
                if let Some(name) = item.unit_id.and_then(|u| unit_names.get(&u)) {
                    count(name.clone(), item.outlet_level);
                }
            }
            RankBy::Correspondent => {
                for a in &item.authors {
                    if let Some(name) = person_names.get(&a.correspondent_id) {
                        count(name.clone(), item.outlet_level);
                    }
                }
            }
            RankBy::Outlet => count(item.outlet.to_string(), item.outlet_level),
        }
    }
    match by {
        RankBy::Unit => {
            for u in &statement.units {
                out.entry(u.name.clone()).or_default().0 = u.ledgers.get(ledger).copied().unwrap_or_default();
            }
        }
        RankBy::Correspondent => {
            for l in &statement.lines {
                out.entry(l.name.clone()).or_default().0 = l.ledgers.get(ledger).copied().unwrap_or_default();
            }
        }
        RankBy::Outlet => {
            // An outlet's figure is what its placements earned, from the steps tied to them.
            let outlet_of: HashMap<_, _> = in_period.iter().map(|i| (i.placement_id, i.outlet.to_string())).collect();
            for l in &statement.lines {
                for step in l.trail.iter().filter(|s| s.ledger == ledger) {
                    if let Some(name) = step.placement_id.and_then(|p| outlet_of.get(&p)) {
                        out.entry(name.clone()).or_default().0 += step.value;
                    }
                }
            }
        }
    }
    out
}

fn ranks(rows: &[(String, Decimal, u32)]) -> HashMap<String, u32> {
    let mut sorted: Vec<&(String, Decimal, u32)> = rows.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    let mut out = HashMap::new();
    let mut rank = 0;
    for (i, r) in sorted.iter().enumerate() {
        if i == 0 || r.1 != sorted[i - 1].1 {
            rank = i as u32 + 1;
        }
        out.insert(r.0.clone(), rank);
    }
    out
}

/// Ranks by `ledger` for `current`, comparing with `previous` (the period before).
pub fn rank(
    by: RankBy,
    ledger: &str,
    current: (&Period, &Statement, &[Item]),
    previous: Option<(&Period, &Statement, &[Item])>,
) -> Ranking {
    let (period, statement, items) = current;
    let now = tally(by, ledger, period, statement, items);
    let before = previous.map(|(p, s, i)| tally(by, ledger, p, s, i)).unwrap_or_default();
    let now_ranks = ranks(&now.iter().map(|(k, v)| (k.clone(), v.0, v.1)).collect::<Vec<_>>());
    let before_ranks = ranks(&before.iter().map(|(k, v)| (k.clone(), v.0, v.1)).collect::<Vec<_>>());
    let mut rows: Vec<RankRow> = now
        .into_iter()
        .map(|(name, (figure, placements, by_level))| {
            let previous_figure = before.get(&name).map(|b| b.0);
            RankRow {
                rank: now_ranks[&name],
                previous_rank: before_ranks.get(&name).copied(),
                change: figure - previous_figure.unwrap_or_default(),
                previous_figure,
                name,
                figure,
                placements,
                by_level,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.name.cmp(&b.name)));
    let ledger_label = statement
        .ledgers
        .iter()
        .find(|l| l.key == ledger)
        .map(|l| l.label.clone())
        .unwrap_or_else(|| ledger.to_string());
    Ranking {
        period: period.to_string(),
        previous_period: previous.map(|p| p.0.to_string()).unwrap_or_default(),
        by,
        ledger: ledger.to_string(),
        ledger_label,
        rows,
    }
}
