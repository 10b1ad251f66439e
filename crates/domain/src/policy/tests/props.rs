//! Properties of the engine on random placements: splitting never creates or loses a fen beyond
//! the stated rounding; caps and floors always hold; the input's order does not matter; the
//! figures-only statement is the full one without its trail; and a placement outside the
//! period changes nothing.

use super::*;
use crate::{Grade, ManuscriptId};
use proptest::prelude::*;

const HUBEI: &str = include_str!("../../../../../docs/policies/hubei-2007.toml");
const UNIVERSITY: &str = include_str!("../../../../../docs/policies/university-points.toml");

/// A random placement before it gets its id.
#[derive(Debug, Clone)]
struct Raw {
    day: u16,
    level: usize,
    kind: usize,
    genre: usize,
    position: usize,
    length: i32,
    authors: Vec<i64>,
    weights: Vec<i64>,
    written: bool,
    manuscript: Option<i64>,
    flags: (bool, bool, bool, bool),
}

fn raw() -> impl Strategy<Value = Raw> {
    (
        (0u16..365, 0..OutletLevel::ALL.len(), 0..OutletKind::ALL.len(), 0..Genre::ALL.len(), 0..Position::ALL.len()),
        (0i32..3000, prop::sample::subsequence((1i64..=6).collect::<Vec<_>>(), 1..=3).prop_shuffle()),
        (prop::collection::vec(1i64..10, 3), any::<bool>(), prop::option::of(1i64..6)),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |((day, level, kind, genre, position), (length, authors), (weights, written, manuscript), flags)| Raw {
                day,
                level,
                kind,
                genre,
                position,
                length,
                authors,
                weights,
                written,
                manuscript,
                flags,
            },
        )
}

impl Raw {
    fn item(&self, id: i64) -> Item {
        let level = OutletLevel::ALL[self.level];
        let kind = OutletKind::ALL[self.kind];
        let n = self.authors.len();
        let total: i64 = self.weights[..n].iter().sum();
        let mut given = 0;
        let authors = self
            .authors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let bp = if i + 1 == n { 10_000 - given } else { (self.weights[i] * 10_000 / total) as i32 };
                given += bp;
                if self.written { by_share(*a, bp) } else { by(*a) }
            })
            .collect();
        let (reprint, external, excellent, commissioned) = self.flags;
        Item {
            placement_id: PlacementId(id),
            manuscript_id: self.manuscript.map(ManuscriptId),
            date: Date::from_ordinal_date(2007, self.day + 1).expect("2007 has 365 days"),
            unit_id: None,
            outlet: format!("{}{}", level.zh(), kind.zh()).into(),
            outlet_level: level,
            outlet_kind: kind,
            column: "专栏".into(),
            genre: Genre::ALL[self.genre],
            position: Position::ALL[self.position],
            length: self.length,
            instruction: None,
            commissioned,
            reprint,
            grade: excellent.then_some(Grade::Excellent),
            authors,
            has_external_authors: external,
            title: format!("稿件{id}"),
        }
    }
}

pub(super) fn items(max: usize) -> impl Strategy<Value = Vec<Item>> {
    prop::collection::vec(raw(), 0..max)
        .prop_map(|raws| raws.iter().enumerate().map(|(i, r)| r.item(i as i64 + 1)).collect())
}

pub(super) fn adjustments(ledgers: &'static [&'static str]) -> impl Strategy<Value = Vec<Adjustment>> {
    prop::collection::vec((1i64..=6, 0..ledgers.len(), -5000i64..5000, 0u16..365), 0..8).prop_map(move |raws| {
        raws.into_iter()
            .map(|(who, ledger, cents, day)| Adjustment {
                correspondent_id: CorrespondentId(who),
                ledger: ledgers[ledger].into(),
                amount: Decimal::new(cents, 2),
                reason: format!("调整{cents}"),
                date: Date::from_ordinal_date(2007, day + 1).expect("2007"),
            })
            .collect()
    })
}

pub(super) fn test_people() -> Vec<Person> {
    let mut out = vec![
        person(1, "张明", Some(1)),
        person(2, "李华", Some(1)),
        person(3, "王芳", Some(2)),
        person(4, "赵强", Some(2)),
        person(5, "刘洋", Some(3)),
        person(6, "陈静", None),
    ];
    out[5].kind = CorrespondentKind::Special;
    out
}

pub(super) fn test_units() -> Vec<UnitInfo> {
    vec![unit(1, "武汉市"), unit(2, "宜昌市"), unit(3, "襄阳市"), unit(4, "恩施州")]
}

/// Any month, quarter or the whole of 2007.
fn periods() -> impl Strategy<Value = Period> {
    prop_oneof![
        (1u8..=12).prop_map(|m| Period::month(2007, m).expect("month")),
        (1u8..=4).prop_map(|q| Period::quarter(2007, q).expect("quarter")),
        Just(Period::year(2007)),
    ]
}

fn statement(
    p: &Period,
    policies: &[Policy],
    items: &[Item],
    people: &[Person],
    units: &[UnitInfo],
    adj: &[Adjustment],
) -> Statement {
    let input = Input { period: p.clone(), policies, items, people, units, adjustments: adj, corrections: &[] };
    let s = compute(&input).unwrap_or_else(|e| panic!("compute: {e}"));
    check_trail(&s);
    s
}

/// A deterministic shuffle, so a failing case can be replayed.
fn shuffled<T: Clone>(v: &[T], seed: u64) -> Vec<T> {
    let mut out = v.to_vec();
    let mut state = seed | 1;
    for i in (1..out.len()).rev() {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        out.swap(i, (state >> 33) as usize % (i + 1));
    }
    out
}

/// Two ledgers with values that do not divide evenly, and a configurable split and rounding.
fn split_policy(method: &str, rounding: &str) -> Policy {
    let weights = if method == "weights" { "weights = [3, 2]\n" } else { "" };
    policy(&format!(
        r#"
name = "分配性质"
valid_from = 2007-01-01
[split]
method = "{method}"
{weights}external = "whole"

[ledger.money]
label = "奖金"
money = true
rounding = "{rounding}"
[[ledger.money.base]]
by = "level"
values = {{ "国家级" = 100.01, "省级" = 33.33, "市级" = 10, "县级" = 7.77, "内部" = 1 }}
[[ledger.money.bonus]]
genre = "调研报告"
multiply = 1.5
[[ledger.money.bonus]]
reprint = true
multiply = 0.5

[ledger.points]
label = "积分"
scale = 0
rounding = "{rounding}"
[[ledger.points.base]]
by = "level"
values = {{ "国家级" = 10.5, "省级" = 3.33, "市级" = 2, "县级" = 1.25, "内部" = 0.1 }}
"#
    ))
}

/// What the split policy gives one placement, computed independently of the engine.
fn whole_value(item: &Item, ledger: &str) -> Decimal {
    let (money, points) = match item.outlet_level {
        OutletLevel::National => ("100.01", "10.5"),
        OutletLevel::Provincial => ("33.33", "3.33"),
        OutletLevel::Municipal => ("10", "2"),
        OutletLevel::County => ("7.77", "1.25"),
        OutletLevel::Internal => ("1", "0.1"),
    };
    if ledger == "points" {
        return d(points);
    }
    let mut v = d(money);
    if item.genre == Genre::Research {
        v *= d("1.5");
    }
    if item.reprint {
        v *= d("0.5");
    }
    v
}

proptest! {
    // No regression files: failing cases are printed, and fixed ones become unit tests here.
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn splitting_never_creates_or_loses_a_fen(
        items in items(40),
        method in prop::sample::select(vec!["equal", "shares", "weights", "first_author"]),
        rounding in prop::sample::select(vec!["half_up", "half_even", "down", "up"]),
        period in periods(),
    ) {
        let policy = split_policy(method, rounding);
        let s = statement(&period, &[policy], &items, &test_people(), &test_units(), &[]);
        for (key, unit) in [("money", d("0.01")), ("points", d("1"))] {
            let expected: Decimal = items.iter().filter(|i| period.contains(i.date)).map(|i| whole_value(i, key)).sum();
            // Before rounding the parts add up to the placements' values exactly.
            let parts: Decimal = s.lines.iter().flat_map(|l| &l.trail)
                .filter(|t| t.ledger == key && t.rule == "sum").map(|t| t.value).sum();
            prop_assert_eq!(parts, expected, "{} parts", key);
            // After rounding each person's month is off by less than the rounding unit (half of
            // it for the half modes): each month is rounded on its own.
            let paid: Decimal = s.lines.iter().map(|l| l.ledgers[key]).sum();
            let per_month = if rounding.starts_with("half") { unit / d("2") } else { unit };
            let bound = per_month * Decimal::from(s.lines.len() * period.months().len());
            prop_assert!((paid - expected).abs() <= bound, "{}: paid {} expected {} bound {}", key, paid, expected, bound);
            prop_assert_eq!(s.totals[key], paid);
        }
    }

    #[test]
    fn caps_and_floors_always_hold(
        items in items(50),
        adj in adjustments(&["money"]),
        period in periods(),
        caps in (50i64..400, 100i64..1000, 200i64..3000),
        floors in (-30i64..0, 0i64..80, 0i64..300),
    ) {
        let capped = policy(&format!(
            "name = \"封顶\"\nvalid_from = 2007-01-01\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\n\
             [[ledger.money.base]]\nby = \"level\"\nvalues = {{ \"国家级\" = 150, \"省级\" = 60.5, \"市级及以下\" = 12.25 }}\n\
             [ledger.money.allowance]\namount = 15\nper = \"month\"\n\
             [ledger.money.cap]\nmonth = {}\nquarter = {}\nyear = {}\n[ledger.money.floor]\nmonth = 0\n",
            caps.0, caps.1, caps.2
        ));
        let s = statement(&period, &[capped], &items, &test_people(), &test_units(), &adj);
        let cap = Decimal::from(match period.kind { PeriodKind::Month => caps.0, PeriodKind::Quarter => caps.1, PeriodKind::Year => caps.2 });
        for l in &s.lines {
            let v = l.ledgers["money"];
            prop_assert!(v <= cap, "{} has {} over the cap {}", l.name, v, cap);
            prop_assert!(v >= Decimal::ZERO, "{} has {} under the floor 0", l.name, v);
        }

        let floored = policy(&format!(
            "name = \"保底\"\nvalid_from = 2007-01-01\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\n\
             [[ledger.money.base]]\nvalue = 20\n[ledger.money.floor]\nmonth = {}\nquarter = {}\nyear = {}\n",
            floors.0, floors.1, floors.2
        ));
        let s = statement(&period, &[floored], &items, &test_people(), &test_units(), &adj);
        let floor = Decimal::from(match period.kind { PeriodKind::Month => floors.0, PeriodKind::Quarter => floors.1, PeriodKind::Year => floors.2 });
        for p in test_people() {
            let v = s.lines.iter().find(|l| l.correspondent_id == p.id).map_or(Decimal::ZERO, |l| l.ledgers["money"]);
            prop_assert!(v >= floor, "{} has {} under the floor {}", p.name, v, floor);
        }
    }

    #[test]
    fn the_order_of_the_input_does_not_matter(
        items in items(40),
        adj in adjustments(&["money", "points"]),
        period in periods(),
        seed in any::<u64>(),
        which in 0..2usize,
    ) {
        // Two policies splitting the year, so placements fall under different ones.
        let (first, second) = if which == 0 {
            (HUBEI.replace("valid_to = 2007-12-31", "valid_to = 2007-06-30"),
             UNIVERSITY.replace("valid_from = 2019-09-01", "valid_from = 2007-07-01")
                .replace("[ledger.points]", "[ledger.money]\nlabel = \"奖金\"\nmoney = true\n\n[ledger.points]"))
        } else {
            (UNIVERSITY.replace("valid_from = 2019-09-01", "valid_from = 2007-01-01\nvalid_to = 2007-06-30")
                .replace("[ledger.points]", "[ledger.money]\nlabel = \"奖金\"\nmoney = true\n\n[ledger.points]"),
             HUBEI.replace("valid_from = 2007-01-01", "valid_from = 2007-07-01"))
        };
        let policies = vec![policy(&first), policy(&second)];
        let (people, units) = (test_people(), test_units());
        let a = statement(&period, &policies, &items, &people, &units, &adj);
        let b = statement(
            &period,
            &shuffled(&policies, seed),
            &shuffled(&items, seed ^ 1),
            &shuffled(&people, seed ^ 2),
            &shuffled(&units, seed ^ 3),
            &shuffled(&adj, seed ^ 4),
        );
        prop_assert_eq!(a, b);
    }

    #[test]
    fn figures_only_are_the_full_statement_without_its_trail(
        items in items(40),
        adj in adjustments(&["money", "points"]),
        period in periods(),
        which in 0..5usize,
        missing in prop::option::weighted(0.2, 1i64..=6),
    ) {
        let texts: Vec<String> = match which {
            0 => vec![HUBEI.to_string()],
            1 => vec![UNIVERSITY.replace("valid_from = 2019-09-01", "valid_from = 2007-01-01")],
            // Quarter and year caps, an allowance and floors: earlier months count.
            2 => vec![
                "name = \"封顶\"\nvalid_from = 2007-01-01\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\n\
                 [[ledger.money.base]]\nby = \"level\"\nvalues = { \"国家级\" = 150, \"省级\" = 60.5, \"市级及以下\" = 12.25 }\n\
                 [ledger.money.allowance]\namount = 15\nper = \"quarter\"\n\
                 [ledger.money.cap]\nquarter = 400\nyear = 1200\n[ledger.money.floor]\nmonth = 0\n\
                 [ledger.points]\nlabel = \"积分\"\n[[ledger.points.base]]\nvalue = 1.5\n[ledger.points.floor]\nyear = 10\n"
                    .to_string(),
            ],
            // Two policies splitting the year, as in the order test.
            3 => vec![
                HUBEI.replace("valid_to = 2007-12-31", "valid_to = 2007-06-30"),
                UNIVERSITY.replace("valid_from = 2019-09-01", "valid_from = 2007-07-01")
                    .replace("[ledger.points]", "[ledger.money]\nlabel = \"奖金\"\nmoney = true\n\n[ledger.points]"),
            ],
            _ => vec![HUBEI.replace("valid_from = 2007-01-01", "valid_from = 2007-04-01")],
        };
        let policies: Vec<Policy> = texts.iter().map(|t| policy(t)).collect();
        // Now and then someone is missing from the people: both must fail alike.
        let people: Vec<Person> = test_people().into_iter().filter(|p| Some(p.id.0) != missing).collect();
        let units = test_units();
        let input = Input {
            period,
            policies: &policies,
            items: &items,
            people: &people,
            units: &units,
            adjustments: &adj,
            corrections: &[],
        };
        match (compute(&input), compute_figures(&input)) {
            (Ok(mut full), Ok(figures)) => {
                for line in &mut full.lines {
                    line.trail.clear();
                }
                prop_assert_eq!(full, figures);
            }
            (full, figures) => prop_assert_eq!(full.map(|_| ()), figures.map(|_| ())),
        }
    }

    #[test]
    fn a_placement_outside_the_period_changes_nothing(
        items in items(40),
        extra in items(10),
        period in periods(),
        which in 0..2usize,
    ) {
        let text = if which == 0 { HUBEI.to_string() } else { UNIVERSITY.replace("valid_from = 2019-09-01", "valid_from = 2007-01-01") };
        let policies = [policy(&text)];
        let (people, units) = (test_people(), test_units());
        let base = statement(&period, &policies, &items, &people, &units, &[]);
        // Extra placements after the period, or in the year before, sharing manuscripts too.
        let outside: Vec<Item> = extra.iter().enumerate().filter_map(|(k, e)| {
            let mut e = e.clone();
            e.placement_id = PlacementId(1000 + k as i64);
            let after = period.to.next_day()?;
            e.date = if k % 2 == 0 && after.year() == 2007 {
                after.max(e.date)
            } else {
                Date::from_ordinal_date(2006, e.date.ordinal()).ok()?
            };
            Some(e)
        }).collect();
        let mut more = items.clone();
        more.extend(outside);
        let with = statement(&period, &policies, &more, &people, &units, &[]);
        prop_assert_eq!(&base, &with);

        // Without quarter or year rules, even an earlier month of the same year changes nothing.
        let monthly = policy(
            "name = \"按月\"\nvalid_from = 2007-01-01\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\n\
             [[ledger.money.base]]\nby = \"level\"\nvalues = { \"国家级\" = 100, \"省级及以下\" = 10 }\n\
             [ledger.money.cap]\nmonth = 250\n[ledger.money.allowance]\namount = 5\nper = \"month\"\n",
        );
        if period.kind == PeriodKind::Month && period.from.month() != time::Month::January {
            let before: Vec<Item> = extra.iter().enumerate().map(|(k, e)| {
                let mut e = e.clone();
                e.placement_id = PlacementId(2000 + k as i64);
                e.manuscript_id = None;
                e.date = Date::from_ordinal_date(2007, 1 + (e.date.ordinal() - 1) % (period.from.ordinal() - 1)).expect("before");
                e
            }).collect();
            let a = statement(&period, std::slice::from_ref(&monthly), &items, &people, &units, &[]);
            let mut more = items.clone();
            more.extend(before);
            let b = statement(&period, std::slice::from_ref(&monthly), &more, &people, &units, &[]);
            prop_assert_eq!(a, b);
        }
    }
}
