//! The monthly cycle with corrections, simulated over a year on random policies and placements,
//! some of which arrive late (after the month they are dated in was published). Each month
//! carries from every earlier published month what changed since (`carry`), and is published.
//! Then: (a) every quarter and the year, computed afresh on the final data, are what their
//! months published, less what those months carried in from elsewhere, plus what was carried
//! out of them afterwards (for the year: what was published plus what is carried into the next
//! January); (b) once everything is carried, nothing more is; (c) fresh months add up to the
//! fresh quarters and year exactly.

use super::props::{adjustments, items, test_people, test_units};
use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// What varies between the random policies.
#[derive(Debug, Clone)]
struct Knobs {
    best: bool,
    /// equal, shares (equal when none written) or weights 3:2.
    split: usize,
    money_rounding: usize,
    /// Money caps per month, quarter, year, and a month floor of 0 or below.
    caps: (Option<i64>, Option<i64>, Option<i64>),
    month_floor: Option<i64>,
    /// An allowance per month, quarter or year, maybe for 特约通讯员 only.
    allowance: Option<(usize, bool)>,
    points_scale: u32,
    points_rounding: usize,
    /// Points have either caps (month, year) or floors (quarter, year): the format refuses a
    /// floor above zero with a cap over a longer period, and a longer floor with a shorter cap.
    points_caps: bool,
    points_limits: (Option<i64>, Option<i64>),
    /// A quota per month or quarter, of 1, 1.5 or 2 pieces, charged to each member or to the unit.
    quota: Option<(usize, usize, bool)>,
}

const ROUNDINGS: [&str; 4] = ["half_up", "half_even", "down", "up"];
const PERIODS: [&str; 3] = ["month", "quarter", "year"];

fn knobs() -> impl Strategy<Value = Knobs> {
    (
        (any::<bool>(), 0..3usize, 0..4usize),
        (prop::option::of(60i64..400), prop::option::of(150i64..900), prop::option::of(400i64..2500)),
        (prop::option::of(-40i64..=0), prop::option::of((0..3usize, any::<bool>()))),
        (0..2u32, 0..4usize, any::<bool>(), prop::option::of(3i64..40), prop::option::of(20i64..120)),
        prop::option::of((0..2usize, 0..3usize, any::<bool>())),
    )
        .prop_map(|((best, split, money_rounding), caps, (month_floor, allowance), points, quota)| {
            let (points_scale, points_rounding, points_caps, p1, p2) = points;
            Knobs {
                best,
                split,
                money_rounding,
                caps,
                month_floor,
                allowance,
                points_scale,
                points_rounding,
                points_caps,
                points_limits: (p1, p2),
                quota,
            }
        })
}

impl Knobs {
    /// The policy, in force from `from` to `to` (inclusive; `None` = open-ended).
    fn policy(&self, name: &str, from: time::Date, to: Option<time::Date>) -> Policy {
        use std::fmt::Write;
        let mut t = format!("name = \"{name}\"\nvalid_from = {}\n", crate::format_date(from));
        if let Some(to) = to {
            let _ = writeln!(t, "valid_to = {}", crate::format_date(to));
        }
        let _ = writeln!(t, "duplicates = \"{}\"", if self.best { "best" } else { "all" });
        let _ = writeln!(t, "[split]\nmethod = \"{}\"", ["equal", "shares", "weights"][self.split]);
        if self.split == 2 {
            t.push_str("weights = [3, 2]\n");
        }
        let _ = write!(
            t,
            "[ledger.money]\nlabel = \"奖金\"\nmoney = true\nrounding = \"{}\"\n\
             [[ledger.money.base]]\nby = \"level\"\n\
             values = {{ \"国家级\" = 100.01, \"省级\" = 33.33, \"市级\" = 10, \"县级\" = 7.77, \"内部\" = 1 }}\n\
             [[ledger.money.bonus]]\ngenre = \"调研报告\"\nmultiply = 1.5\n\
             [[ledger.money.bonus]]\nreprint = true\nmultiply = 0.5\n",
            ROUNDINGS[self.money_rounding]
        );
        let (month, quarter, year) = self.caps;
        if self.caps != (None, None, None) {
            t.push_str("[ledger.money.cap]\n");
            for (key, cap) in [("month", month), ("quarter", quarter), ("year", year)] {
                if let Some(c) = cap {
                    let _ = writeln!(t, "{key} = {c}");
                }
            }
        }
        if let Some(f) = self.month_floor {
            let _ = writeln!(t, "[ledger.money.floor]\nmonth = {f}");
        }
        if let Some((per, special)) = self.allowance {
            let _ = writeln!(t, "[ledger.money.allowance]\namount = 12.5\nper = \"{}\"", PERIODS[per]);
            if special {
                t.push_str("kinds = [\"特约通讯员\"]\n");
            }
        }
        let _ = write!(
            t,
            "[ledger.points]\nlabel = \"积分\"\nscale = {}\nrounding = \"{}\"\n\
             [[ledger.points.base]]\nby = \"level\"\n\
             values = {{ \"国家级\" = 10.5, \"省级\" = 3.33, \"市级\" = 2, \"县级\" = 1.25, \"内部\" = 0.1 }}\n",
            self.points_scale, ROUNDINGS[self.points_rounding]
        );
        let (a, b) = self.points_limits;
        let (section, keys) =
            if self.points_caps { ("cap", ["month", "year"]) } else { ("floor", ["quarter", "year"]) };
        if a.is_some() || b.is_some() {
            let _ = writeln!(t, "[ledger.points.{section}]");
            for (key, limit) in keys.iter().zip([a, b]) {
                if let Some(l) = limit {
                    let _ = writeln!(t, "{key} = {l}");
                }
            }
        }
        if let Some((per, min, each)) = self.quota {
            let _ = write!(
                t,
                "[[quota]]\nid = \"q\"\nname = \"发稿任务\"\nper = \"{}\"\nmin_pieces = {}\n\
                 penalty = {{ points = 2.5, money = 5 }}\napplies_to = \"{}\"\n",
                PERIODS[per],
                ["1", "1.5", "2"][min],
                if each { "each_member" } else { "unit" }
            );
        }
        policy(&t)
    }
}

type Figures = BTreeMap<(CorrespondentId, String), Decimal>;

/// Every person's figure per ledger; zeros left out, so that "no line" and "0" compare equal.
fn figures(s: &Statement) -> Figures {
    let mut out = Figures::new();
    for l in &s.lines {
        for (key, value) in &l.ledgers {
            add(&mut out, l.correspondent_id, key, *value);
        }
    }
    out
}

fn add(f: &mut Figures, who: CorrespondentId, key: &str, value: Decimal) {
    let entry = f.entry((who, key.to_string())).or_default();
    *entry += value;
    if entry.is_zero() {
        f.remove(&(who, key.to_string()));
    }
}

fn add_corrections(f: &mut Figures, corrections: &[Correction], sign: Decimal) {
    for c in corrections {
        add(f, c.correspondent_id, &c.ledger, sign * c.amount);
    }
}

fn add_figures(f: &mut Figures, other: &Figures) {
    for ((who, key), value) in other {
        add(f, *who, key, *value);
    }
}

/// Each unit's and the total's figure per ledger.
fn unit_figures(s: &Statement) -> BTreeMap<(String, String), Decimal> {
    let mut out = BTreeMap::new();
    for u in &s.units {
        for (key, value) in &u.ledgers {
            *out.entry((u.name.clone(), key.clone())).or_default() += *value;
        }
    }
    for (key, value) in &s.totals {
        *out.entry(("总计".to_string(), key.clone())).or_default() += *value;
    }
    out
}

struct World {
    policies: Vec<Policy>,
    people: Vec<Person>,
    units: Vec<UnitInfo>,
}

impl World {
    fn compute(
        &self,
        period: &Period,
        items: &[Item],
        adjustments: &[Adjustment],
        corrections: &[Correction],
        with_trail: bool,
    ) -> Statement {
        let input = Input {
            period: period.clone(),
            policies: &self.policies,
            items,
            people: &self.people,
            units: &self.units,
            adjustments,
            corrections,
        };
        if with_trail {
            let s = compute(&input).unwrap_or_else(|e| panic!("compute {period}: {e}"));
            check_trail(&s);
            s
        } else {
            compute_figures(&input).unwrap_or_else(|e| panic!("compute {period}: {e}"))
        }
    }
}

fn month(m: usize) -> Period {
    Period::month(2007, m as u8).expect("month")
}

/// The months published so far, what each carried in, and what was carried out of each since.
#[derive(Default)]
struct Ledgerbook {
    published: Vec<Statement>,
    carried_in: Vec<Vec<Correction>>,
    carried_out: Vec<Vec<Correction>>,
}

impl Ledgerbook {
    /// One pass over the published months with today's data: what to carry now.
    fn pass(&mut self, world: &World, items: &[Item], adjustments: &[Adjustment]) -> Vec<Correction> {
        let mut out = Vec::new();
        for k in 0..self.published.len() {
            let recomputed = world.compute(&month(k + 1), items, adjustments, &self.carried_in[k], false);
            let new = carry(&self.published[k], &recomputed, &self.carried_out[k]);
            self.carried_out[k].extend(new.iter().cloned());
            out.extend(new);
        }
        out
    }
}

proptest! {
    // Each case computes about 120 statements; 40 cases take a few seconds in a debug build.
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn corrections_carry_every_change_exactly_once(
        knobs in knobs(),
        // Now and then a second policy from some day of the year, with its own scales and rounding.
        second in prop::option::weighted(0.3, (knobs(), 1u16..365)),
        items in items(30),
        item_lags in prop::collection::vec(prop_oneof![6 => Just(0usize), 3 => 1usize..=3, 1 => Just(12usize)], 30),
        adj in adjustments(&["money", "points"]),
        adj_lags in prop::collection::vec(prop_oneof![3 => Just(0usize), 1 => 1usize..=4], 8),
    ) {
        let start = time::Date::from_calendar_date(2007, time::Month::January, 1).expect("date");
        let policies = match &second {
            None => vec![knobs.policy("更正性质", start, None)],
            Some((later, day)) => {
                let from = time::Date::from_ordinal_date(2007, day + 1).expect("2007");
                let to = from.previous_day().expect("after 1 January");
                vec![knobs.policy("更正性质", start, Some(to)), later.policy("更正性质二", from, None)]
            }
        };
        let world = World { policies, people: test_people(), units: test_units() };
        let arrives = |date: time::Date, lag: usize| usize::from(u8::from(date.month())) + lag;
        let known_items = |m: usize| -> Vec<Item> {
            items.iter().zip(&item_lags).filter(|(i, lag)| arrives(i.date, **lag) <= m).map(|(i, _)| i.clone()).collect()
        };
        let known_adjustments = |m: usize| -> Vec<Adjustment> {
            adj.iter().zip(&adj_lags).filter(|(a, lag)| arrives(a.date, **lag) <= m).map(|(a, _)| a.clone()).collect()
        };

        // The year, month by month: carry, then publish.
        let mut book = Ledgerbook::default();
        for m in 1..=12 {
            let (items_now, adj_now) = (known_items(m), known_adjustments(m));
            let into = book.pass(&world, &items_now, &adj_now);
            let published = world.compute(&month(m), &items_now, &adj_now, &into, true);
            // Each correction shows in the trail of the person it is for.
            for c in &into {
                let shown = published.lines.iter().filter(|l| l.correspondent_id == c.correspondent_id)
                    .flat_map(|l| &l.trail).any(|t| t.rule == "correction" && t.ledger == c.ledger && t.value == c.amount);
                prop_assert!(shown, "{:?} not in the trail of {}", c, month(m));
            }
            book.published.push(published);
            book.carried_in.push(into);
            book.carried_out.push(Vec::new());
        }
        // Everything has arrived: what goes into next January.
        let (all_items, all_adj) = (known_items(usize::MAX), known_adjustments(usize::MAX));
        let next_january = book.pass(&world, &all_items, &all_adj);
        // (b) Each change is carried once: nothing is left.
        let again = book.pass(&world, &all_items, &all_adj);
        prop_assert!(again.is_empty(), "carried twice: {:?}", again);

        let fresh_months: Vec<Statement> =
            (1..=12).map(|m| world.compute(&month(m), &all_items, &all_adj, &[], false)).collect();
        let mut periods: Vec<(Period, std::ops::Range<usize>)> =
            (1..=4u8).map(|q| (Period::quarter(2007, q).expect("quarter"), usize::from(q - 1) * 3..usize::from(q) * 3)).collect();
        periods.push((Period::year(2007), 0..12));
        for (period, months) in &periods {
            let fresh = world.compute(period, &all_items, &all_adj, &[], true);

            // (c) Fresh months add up to the fresh quarter or year: people, units and totals.
            let mut sum = Figures::new();
            let mut units: BTreeMap<(String, String), Decimal> = BTreeMap::new();
            for k in months.clone() {
                add_figures(&mut sum, &figures(&fresh_months[k]));
                for (key, value) in unit_figures(&fresh_months[k]) {
                    *units.entry(key).or_default() += value;
                }
            }
            prop_assert_eq!(&sum, &figures(&fresh), "{}: the months' figures", period);
            prop_assert_eq!(&units, &unit_figures(&fresh), "{}: the months' units and totals", period);

            // (a) What the months published, without what they carried in from elsewhere, and
            // with what was carried out of them afterwards, is the fresh figure.
            let mut settled = Figures::new();
            for k in months.clone() {
                add_figures(&mut settled, &figures(&book.published[k]));
                add_corrections(&mut settled, &book.carried_in[k], -Decimal::ONE);
                add_corrections(&mut settled, &book.carried_out[k], Decimal::ONE);
            }
            prop_assert_eq!(&settled, &figures(&fresh), "{}: published and corrected", period);

            // For the year, in cash: every month as published plus what next January carries.
            if period.kind == PeriodKind::Year {
                let mut paid = Figures::new();
                for s in &book.published {
                    add_figures(&mut paid, &figures(s));
                }
                add_corrections(&mut paid, &next_january, Decimal::ONE);
                prop_assert_eq!(&paid, &figures(&fresh), "the year as paid");
            }
        }
    }
}
