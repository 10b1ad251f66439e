//! Tests of the policy format, the engine, the shipped policy files and the engine's properties.

mod carry;
mod corrections_tests;
mod docs;
mod engine_tests;
mod files;
mod format_tests;
mod props;
mod shares;

use super::*;
use crate::{CorrespondentId, CorrespondentKind, Genre, OutletKind, OutletLevel, PlacementId, Position, UnitId};
use rust_decimal::Decimal;
use std::str::FromStr;
use time::Date;

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

pub fn date(s: &str) -> Date {
    crate::parse_date(s).expect("date")
}

pub fn period(s: &str) -> Period {
    Period::parse(s).expect("period")
}

/// Parses a policy or fails the test with every error.
pub fn policy(text: &str) -> Policy {
    match parse_policy(text) {
        Ok(p) => p,
        Err(errors) => {
            panic!("policy does not parse:\n{}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))
        }
    }
}

/// The errors of a policy that must not parse, as text.
pub fn errors(text: &str) -> Vec<String> {
    match parse_policy(text) {
        Ok(_) => panic!("policy parsed but should not"),
        Err(errors) => errors.iter().map(|e| e.to_string()).collect(),
    }
}

/// A placement in 中国知识产权报 (national newspaper), a news item of 800 characters by author 1.
pub fn item(id: i64, on: &str) -> Item {
    Item {
        placement_id: PlacementId(id),
        manuscript_id: None,
        date: date(on),
        unit_id: None,
        outlet: "中国知识产权报".into(),
        outlet_level: OutletLevel::National,
        outlet_kind: OutletKind::Newspaper,
        column: String::new(),
        genre: Genre::News,
        position: Position::Normal,
        length: 800,
        instruction: None,
        commissioned: false,
        reprint: false,
        grade: None,
        authors: vec![by(1)],
        has_external_authors: false,
        title: format!("稿件{id}"),
    }
}

pub fn by(id: i64) -> ItemAuthor {
    ItemAuthor { correspondent_id: CorrespondentId(id), share_bp: None }
}

pub fn by_share(id: i64, bp: i32) -> ItemAuthor {
    ItemAuthor { correspondent_id: CorrespondentId(id), share_bp: Some(bp) }
}

pub fn person(id: i64, name: &str, unit: Option<i64>) -> Person {
    Person {
        id: CorrespondentId(id),
        name: name.into(),
        unit_id: unit.map(UnitId),
        kind: CorrespondentKind::UnitCorrespondent,
    }
}

pub fn unit(id: i64, name: &str) -> UnitInfo {
    UnitInfo { id: UnitId(id), name: name.into() }
}

/// Five people: 1 and 2 in 武汉市 (unit 1), 3 in 宜昌市 (unit 2), 4 in 襄阳市 (unit 3), 5 without a unit.
pub fn people() -> Vec<Person> {
    vec![
        person(1, "张明", Some(1)),
        person(2, "李华", Some(1)),
        person(3, "王芳", Some(2)),
        person(4, "赵强", Some(3)),
        person(5, "刘洋", None),
    ]
}

pub fn units() -> Vec<UnitInfo> {
    vec![unit(1, "武汉市"), unit(2, "宜昌市"), unit(3, "襄阳市")]
}

pub fn run(p: &str, policies: &[Policy], items: &[Item], adjustments: &[Adjustment]) -> Statement {
    run_with(p, policies, items, &people(), &units(), adjustments)
}

pub fn run_with(
    p: &str,
    policies: &[Policy],
    items: &[Item],
    people: &[Person],
    units: &[UnitInfo],
    adjustments: &[Adjustment],
) -> Statement {
    let input = Input { period: period(p), policies, items, people, units, adjustments, corrections: &[] };
    let s = compute(&input).unwrap_or_else(|e| panic!("compute failed: {e}"));
    check_trail(&s);
    s
}

/// Every figure is explained: per person and ledger the steps without a placement add up to the
/// final figure, each step's total is the previous total plus its value, and each placement's
/// chain starts from its base rule.
pub fn check_trail(s: &Statement) {
    for line in &s.lines {
        for (key, value) in &line.ledgers {
            let steps: Vec<&TrailStep> =
                line.trail.iter().filter(|t| &t.ledger == key && t.placement_id.is_none()).collect();
            let sum: Decimal = steps.iter().map(|t| t.value).sum();
            assert_eq!(sum, *value, "{} {key}: period steps add up to the figure", line.name);
            let mut running = Decimal::ZERO;
            for t in &steps {
                running += t.value;
                assert_eq!(running, t.total, "{} {key}: running total at {}", line.name, t.rule);
            }
            let mut chain = Decimal::ZERO;
            for t in line.trail.iter().filter(|t| &t.ledger == key && t.placement_id.is_some()) {
                if t.rule.starts_with("base.") {
                    chain = Decimal::ZERO;
                }
                chain += t.value;
                assert_eq!(chain, t.total, "{} {key}: placement chain at {}", line.name, t.rule);
            }
        }
    }
    for (key, total) in &s.totals {
        let sum: Decimal = s.units.iter().map(|u| u.ledgers[key]).sum();
        assert_eq!(sum, *total, "{key}: units add up to the total");
        for u in &s.units {
            let members: Decimal = s.lines.iter().filter(|l| l.unit_id == u.unit_id).map(|l| l.ledgers[key]).sum();
            let penalty = u.penalty.get(key).copied().unwrap_or_default();
            assert_eq!(u.ledgers[key], members + penalty, "{} {key}: members plus the unit's penalty", u.name);
        }
    }
    for l in &s.lines {
        assert_eq!(l.by_level.values().sum::<u32>(), l.placements, "{}: placements by level", l.name);
    }
    for u in &s.units {
        assert_eq!(u.by_level.values().sum::<u32>(), u.placements, "{}: placements by level", u.name);
    }
}

pub fn line(s: &Statement, id: i64) -> &PersonLine {
    s.lines.iter().find(|l| l.correspondent_id == CorrespondentId(id)).unwrap_or_else(|| panic!("no line for {id}"))
}

pub fn figure(s: &Statement, id: i64, ledger: &str) -> Decimal {
    line(s, id).ledgers[ledger]
}

pub fn rules(l: &PersonLine) -> Vec<&str> {
    l.trail.iter().map(|t| t.rule.as_str()).collect()
}
