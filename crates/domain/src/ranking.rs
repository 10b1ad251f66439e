//! Rankings (比学赶): units, correspondents or outlets ordered by a ledger's figure for a period,
//! with their placement counts by outlet level and the change against the previous period.
//! Works on computed statements, so the figures are the same ones the notice shows.

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
///
/// The placements shown for units and correspondents are the statement's own counts
/// (`UnitLine::placements`, `PersonLine::placements`, and their `by_level`), so a ranking and the
/// notice never disagree: a placement counts when it gives someone a piece above zero, whatever
/// it scored (a placement worth 0 counts); a copy of a manuscript already counted under
/// `duplicates = "best"` does not; for a unit, a placement by two of its people counts once, and
/// it counts for the unit its authors belong to. Outlets have no line in a statement: each
/// placement in the period counts for its outlet, a manuscript in two outlets once for each.
fn tally(
    by: RankBy,
    ledger: &str,
    period: &Period,
    statement: &Statement,
    items: &[Item],
) -> BTreeMap<String, (Decimal, u32, BTreeMap<String, u32>)> {
    let mut out: BTreeMap<String, (Decimal, u32, BTreeMap<String, u32>)> = BTreeMap::new();
    let figure = |ledgers: &BTreeMap<String, Decimal>| ledgers.get(ledger).copied().unwrap_or_default();
    // Two people of the same name share a row: their figures and counts add up.
    let mut add = |name: &str, value: Decimal, placements: u32, by_level: &BTreeMap<String, u32>| {
        let e = out.entry(name.to_string()).or_default();
        e.0 += value;
        e.1 += placements;
        for (level, n) in by_level {
            *e.2.entry(level.clone()).or_default() += n;
        }
    };
    match by {
        RankBy::Unit => {
            for u in &statement.units {
                add(&u.name, figure(&u.ledgers), u.placements, &u.by_level);
            }
        }
        RankBy::Correspondent => {
            for l in &statement.lines {
                add(&l.name, figure(&l.ledgers), l.placements, &l.by_level);
            }
        }
        RankBy::Outlet => {
            let in_period: Vec<&Item> = items.iter().filter(|i| period.contains(i.date)).collect();
            for item in &in_period {
                let level = BTreeMap::from([(item.outlet_level.code().to_string(), 1)]);
                add(&item.outlet, Decimal::ZERO, 1, &level);
            }
            // An outlet's figure is what its placements earned, from the steps tied to them.
            let outlet_of: HashMap<_, _> = in_period.iter().map(|i| (i.placement_id, i.outlet.to_string())).collect();
            for l in &statement.lines {
                for step in l.trail.iter().filter(|s| s.ledger == ledger) {
                    if let Some(name) = step.placement_id.and_then(|p| outlet_of.get(&p)) {
                        add(name, step.value, 0, &BTreeMap::new());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Input, ItemAuthor, Person, UnitInfo, compute, compute_figures, parse_policy};
    use crate::{
        CorrespondentId, CorrespondentKind, Genre, ManuscriptId, OutletKind, OutletLevel, PlacementId, Position, UnitId,
    };

    fn placement(id: i64, level: OutletLevel, unit: i64, authors: &[i64]) -> Item {
        Item {
            placement_id: PlacementId(id),
            manuscript_id: None,
            date: time::macros::date!(2007 - 06 - 10),
            unit_id: Some(UnitId(unit)),
            outlet: format!("{}报", level.zh()).into(),
            outlet_level: level,
            outlet_kind: OutletKind::Newspaper,
            column: String::new(),
            genre: Genre::News,
            position: Position::Normal,
            length: 800,
            instruction: None,
            commissioned: false,
            reprint: false,
            grade: None,
            authors: authors
                .iter()
                .map(|&a| ItemAuthor { correspondent_id: CorrespondentId(a), share_bp: None })
                .collect(),
            has_external_authors: false,
            title: format!("稿件{id}"),
        }
    }

    #[test]
    fn rankings_count_placements_as_the_statement_does() {
        // Only national placements score; one manuscript counts once.
        let policy = parse_policy(
            "name = \"排名\"\nvalid_from = 2007-01-01\nduplicates = \"best\"\n[ledger.points]\nlabel = \"积分\"\n\
             [[ledger.points.base]]\nlevel = \"国家级\"\nvalue = 10\n",
        )
        .unwrap();
        let mut first = placement(1, OutletLevel::National, 1, &[1]);
        first.manuscript_id = Some(ManuscriptId(7));
        let mut copy = placement(3, OutletLevel::Municipal, 1, &[1]);
        copy.manuscript_id = Some(ManuscriptId(7));
        let items = vec![
            first,
            // Scores 0, and still counts.
            placement(2, OutletLevel::Provincial, 1, &[2]),
            // The same manuscript again: not counted.
            copy,
            // Two people of unit 1: once for the unit.
            placement(4, OutletLevel::National, 1, &[1, 2]),
            // Recorded under unit 1, written by someone of unit 2: counts for unit 2.
            placement(5, OutletLevel::National, 1, &[3]),
        ];
        let people: Vec<Person> = [(1, "张明", 1), (2, "李华", 1), (3, "王芳", 2)]
            .iter()
            .map(|&(id, name, unit)| Person {
                id: CorrespondentId(id),
                name: name.into(),
                unit_id: Some(UnitId(unit)),
                kind: CorrespondentKind::UnitCorrespondent,
            })
            .collect();
        let units =
            [UnitInfo { id: UnitId(1), name: "武汉市".into() }, UnitInfo { id: UnitId(2), name: "宜昌市".into() }];
        let period = Period::parse("2007-06").unwrap();
        let policies = [policy];
        let input = Input {
            period: period.clone(),
            policies: &policies,
            items: &items,
            people: &people,
            units: &units,
            adjustments: &[],
            corrections: &[],
        };
        // Rankings by unit and correspondent are made from figures only, as the site does.
        let statement = compute_figures(&input).unwrap();
        let wuhan = statement.units.iter().find(|u| u.name == "武汉市").unwrap();
        assert_eq!(wuhan.placements, 3);
        assert_eq!(wuhan.by_level, BTreeMap::from([("national".to_string(), 2), ("provincial".to_string(), 1)]));

        let by_unit = rank(RankBy::Unit, "points", (&period, &statement, &items), None);
        for u in &statement.units {
            let row = by_unit.rows.iter().find(|r| r.name == u.name).unwrap();
            assert_eq!((row.placements, &row.by_level), (u.placements, &u.by_level), "{}", u.name);
        }
        let yichang = by_unit.rows.iter().find(|r| r.name == "宜昌市").unwrap();
        assert_eq!((yichang.placements, yichang.figure), (1, Decimal::from(10)));

        let by_person = rank(RankBy::Correspondent, "points", (&period, &statement, &items), None);
        for l in &statement.lines {
            let row = by_person.rows.iter().find(|r| r.name == l.name).unwrap();
            assert_eq!((row.placements, &row.by_level), (l.placements, &l.by_level), "{}", l.name);
        }
        let li = by_person.rows.iter().find(|r| r.name == "李华").unwrap();
        assert_eq!((li.placements, li.figure), (2, Decimal::from(5)), "the 0-scoring one and half of the joint one");

        // Outlets count every placement in them, a manuscript once in each outlet.
        let by_outlet = rank(RankBy::Outlet, "points", (&period, &compute(&input).unwrap(), &items), None);
        let municipal = by_outlet.rows.iter().find(|r| r.name == "市级报").unwrap();
        assert_eq!((municipal.placements, municipal.figure), (1, Decimal::ZERO));
    }
}
