//! The reward engine: turns a period's placements, people, units and manual adjustments into a
//! statement under the policies in force, with the trail of every figure.
//!
//! The calendar month is the smallest unit. For every month from 1 January to the end of the
//! period, and for every person and ledger: placement parts, the allowance and manual bonuses are
//! added up; the month, quarter and year caps cut that (quarter and year caps count what earlier
//! months already used); deductions (manual ones and missed-quota penalties) come off after the
//! caps so they always bite; floors come last; then the month is rounded. Months before the
//! period are computed the same way but only to know how much of a cap is used up. A quarter's
//! or year's figure is the sum of its rounded months, so it equals the sum of its monthly
//! statements exactly. Corrections carried from earlier notices are added last, unrounded.
//!
//! `compute_figures` gives the same figures without the trail, and formats none of its text.

use super::corrections::Correction;
use super::model::{Duplicates, Ledger, PenaltyTarget, Policy, Rounding, SplitPlan, settle};
use super::period::{Period, PeriodKind};
use crate::{
    CorrespondentId, CorrespondentKind, Genre, Grade, InstructionLevel, ManuscriptId, OutletKind, OutletLevel,
    PlacementId, Position, UnitId,
};
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// One placement as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub placement_id: PlacementId,
    pub manuscript_id: Option<ManuscriptId>,
    #[serde(with = "crate::date_format")]
    pub date: Date,
    pub unit_id: Option<UnitId>,
    pub outlet: std::sync::Arc<str>,
    pub outlet_level: OutletLevel,
    pub outlet_kind: OutletKind,
    pub column: String,
    pub genre: Genre,
    pub position: Position,
    /// Characters (字数).
    pub length: i32,
    pub instruction: Option<InstructionLevel>,
    pub commissioned: bool,
    pub reprint: bool,
    pub grade: Option<Grade>,
    /// The network's authors in byline order.
    pub authors: Vec<ItemAuthor>,
    /// Someone outside the network is also on the byline (e.g. the paper's journalist).
    pub has_external_authors: bool,
    pub title: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ItemAuthor {
    pub correspondent_id: CorrespondentId,
    /// 10000 = 100%, as written on the byline, if written.
    pub share_bp: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: CorrespondentId,
    pub name: String,
    pub unit_id: Option<UnitId>,
    pub kind: CorrespondentKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitInfo {
    pub id: UnitId,
    pub name: String,
}

/// A manual change entered by an editor, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    pub correspondent_id: CorrespondentId,
    pub ledger: String,
    /// In the ledger's unit (yuan for money); negative = deduction.
    pub amount: Decimal,
    pub reason: String,
    #[serde(with = "crate::date_format")]
    pub date: Date,
}

/// Everything a statement is computed from.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub period: Period,
    pub policies: &'a [Policy],
    /// May include placements from 1 January on: they only use up quarter and year caps and
    /// count for the annual awards. Placements after the period are ignored.
    pub items: &'a [Item],
    pub people: &'a [Person],
    pub units: &'a [UnitInfo],
    pub adjustments: &'a [Adjustment],
    /// Differences carried from earlier, published notices. Each is added once, in the period's
    /// first month, after caps, deductions, floors and rounding: never capped, floored or rounded.
    pub corrections: &'a [Correction],
}

/// Why a statement cannot be computed, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComputeError {
    #[error("{period} 期间没有生效的奖励办法")]
    NoPolicyInPeriod { period: Period },
    #[error("{} 没有生效的奖励办法（《{title}》）", crate::format_date(*date))]
    NoPolicy { date: Date, title: String },
    #[error("奖励办法“{a}”与“{b}”的生效日期重叠")]
    Overlap { a: String, b: String },
    #[error("采用记录 {0} 重复出现")]
    DuplicatePlacement(PlacementId),
    #[error("《{title}》的作者（编号 {correspondent}）不在通讯员名单中")]
    UnknownAuthor { title: String, correspondent: CorrespondentId },
    #[error("人工调整的通讯员（编号 {0}）不在通讯员名单中")]
    UnknownPerson(CorrespondentId),
    #[error("人工调整的账目“{0}”不在本期的奖励办法中")]
    UnknownLedger(String),
    #[error("人工调整金额 {0} 超出范围")]
    AmountTooLarge(Decimal),
    #[error("更正的通讯员（编号 {0}）不在通讯员名单中")]
    UnknownCorrectionPerson(CorrespondentId),
    #[error("更正的账目“{0}”不在本期的奖励办法中")]
    UnknownCorrectionLedger(String),
    #[error("更正金额 {0} 超出范围")]
    CorrectionTooLarge(Decimal),
}

/// A ledger as the statement lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerInfo {
    pub key: String,
    pub label: String,
    pub is_money: bool,
    pub scale: u32,
}

/// A period's computed figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub period: Period,
    /// Names of the policies in force during the period, oldest first.
    pub policies: Vec<String>,
    pub ledgers: Vec<LedgerInfo>,
    /// One per correspondent with anything, sorted by unit then name.
    pub lines: Vec<PersonLine>,
    /// Every unit (sorted by name), then correspondents without a unit if any.
    pub units: Vec<UnitLine>,
    /// Per ledger: the sum of the unit lines (members plus unit penalties).
    pub totals: BTreeMap<String, Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonLine {
    pub correspondent_id: CorrespondentId,
    pub name: String,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    /// Placements counted this period: those with a piece above zero (a copy of a manuscript
    /// already counted, or a byline place with no share, has none), whatever they scored.
    pub placements: u32,
    /// `placements` by outlet level code (national, provincial, …).
    #[serde(default)]
    pub by_level: BTreeMap<String, u32>,
    /// Share-weighted count, two decimals.
    pub pieces: Decimal,
    /// Final: the sum of the period's rounded months plus corrections, one entry per statement ledger.
    pub ledgers: BTreeMap<String, Decimal>,
    pub trail: Vec<TrailStep>,
    /// Annual awards earned; only when the period is a year.
    pub awards: Vec<String>,
}

/// One step behind a figure. Steps with a placement carry that placement's running value (after
/// the split: this person's part); steps without one carry the person's running total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailStep {
    pub placement_id: Option<PlacementId>,
    /// A ledger key, or "award" for the annual awards.
    pub ledger: String,
    /// The rule as named in the file: "base.genre_level", "bonus.front_page", "split.weights", "cap.month".
    pub rule: String,
    /// In Chinese: "调研报告 × 省级 = 30".
    pub detail: String,
    /// The change this step made.
    pub value: Decimal,
    /// The running total after the step.
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitLine {
    pub unit_id: Option<UnitId>,
    pub name: String,
    /// Placements with a piece above zero for a member, each once however many members wrote it.
    pub placements: u32,
    /// `placements` by outlet level code (national, provincial, …).
    #[serde(default)]
    pub by_level: BTreeMap<String, u32>,
    pub pieces: Decimal,
    /// Members' final figures plus the unit's own penalty.
    pub ledgers: BTreeMap<String, Decimal>,
    /// Pieces required in this period by the quotas evaluated in it.
    pub quota: Option<Decimal>,
    pub missed_quota: bool,
    /// Penalties charged to the unit itself (negative). Per-member penalties are in the members' lines.
    pub penalty: BTreeMap<String, Decimal>,
}

/// Computes a statement. Deterministic: the input's order does not matter.
pub fn compute(input: &Input) -> Result<Statement, ComputeError> {
    statement(input, true)
}

/// `compute`'s figures without the trail: every figure is the same, every `PersonLine::trail` is
/// empty, and no trail text is formatted, so it is much cheaper (rankings, trends over a year).
pub fn compute_figures(input: &Input) -> Result<Statement, ComputeError> {
    statement(input, false)
}

/// Both of the above: `with_trail` only decides whether the steps are written down.
fn statement(input: &Input, with_trail: bool) -> Result<Statement, ComputeError> {
    let period = &input.period;
    let year_start = period.year_start();

    let mut policies: Vec<&Policy> = input.policies.iter().collect();
    policies.sort_by(|a, b| (a.valid_from, &a.name).cmp(&(b.valid_from, &b.name)));
    for pair in policies.windows(2) {
        if pair[1].in_force_during(pair[0].valid_from, pair[0].valid_to.unwrap_or(Date::MAX)) {
            return Err(ComputeError::Overlap { a: pair[0].name.clone(), b: pair[1].name.clone() });
        }
    }
    let in_period: Vec<&Policy> =
        policies.iter().copied().filter(|p| p.in_force_during(period.from, period.to)).collect();
    let Some(statement_policy) = in_period.last().copied() else {
        return Err(ComputeError::NoPolicyInPeriod { period: period.clone() });
    };
    let ledgers = statement_ledgers(&in_period);
    let keys: Vec<&str> = ledgers.iter().map(|(l, _)| l.key.as_str()).collect();

    // Months from 1 January to the end of the period, each with the latest policy in force in it.
    let months = Period { from: year_start, to: period.to, kind: PeriodKind::Year }.months();
    let first = months.iter().position(|m| m.contains(period.from)).unwrap_or(0);
    let month_policy: Vec<Option<&Policy>> =
        months.iter().map(|m| policies.iter().rev().copied().find(|p| p.in_force_during(m.from, m.to))).collect();
    // How each month rounds each ledger (at `month * ledgers + ledger`): as that month's own
    // statement would, so a quarter or a year is exactly the sum of its monthly statements.
    let roundings: Vec<(Rounding, u32)> = months
        .iter()
        .flat_map(|m| {
            let month_ledgers = statement_ledgers(
                &policies.iter().copied().filter(|p| p.in_force_during(m.from, m.to)).collect::<Vec<_>>(),
            );
            ledgers.iter().map(move |(info, rounding)| {
                month_ledgers
                    .iter()
                    .find(|(l, _)| l.key == info.key)
                    .map_or((*rounding, info.scale), |(l, r)| (*r, l.scale))
            })
        })
        .collect();
    // What placements before the period earned shows only through the quarter and year caps and
    // floors of the period's months, and through `duplicates = "best"`: without those, a ledger
    // does not need it, and it is not computed.
    let best = policies.iter().any(|p| p.duplicates == Duplicates::Best);
    let earlier: Vec<bool> = keys
        .iter()
        .map(|k| {
            let span = |l: &Ledger| {
                l.cap.quarter.is_some() || l.cap.year.is_some() || l.floor.quarter.is_some() || l.floor.year.is_some()
            };
            best || month_policy[first..].iter().flatten().filter_map(|p| p.ledger(k)).any(span)
        })
        .collect();

    // People in id order; credits, pieces and adjustments refer to them by position.
    let people: BTreeMap<CorrespondentId, &Person> = input.people.iter().map(|p| (p.id, p)).collect();
    let ids: Vec<CorrespondentId> = people.keys().copied().collect();
    let persons: Vec<&Person> = people.values().copied().collect();
    let unit_names: BTreeMap<UnitId, &str> = input.units.iter().map(|u| (u.id, u.name.as_str())).collect();

    let Placements { mut placed, mut cells, authors, plans } =
        place(input, &policies, &ids, &months, first, &keys, &earlier, with_trail)?;
    apply_duplicates(&mut placed, &mut cells, &keys, first, with_trail);
    let (credits, unit_tallies) = split(&placed, &mut cells, &authors, &plans, &persons, keys.len());

    // Pieces per person and month (`person * months + month`), for quotas, the lines and the awards.
    let mut pieces = vec![Decimal::ZERO; persons.len() * months.len()];
    for person in 0..persons.len() {
        for c in credits.of(person).iter().filter(|c| c.piece > Decimal::ZERO) {
            pieces[person * months.len() + c.month] += c.piece;
        }
    }

    let mut adjustments: Vec<&Adjustment> =
        input.adjustments.iter().filter(|a| year_start <= a.date && a.date <= period.to).collect();
    adjustments.sort_by(|a, b| {
        (a.date, a.correspondent_id, &a.ledger, a.amount, &a.reason).cmp(&(
            b.date,
            b.correspondent_id,
            &b.ledger,
            b.amount,
            &b.reason,
        ))
    });
    let mut adjustments_of: Vec<Vec<&Adjustment>> = vec![Vec::new(); persons.len()];
    for a in &adjustments {
        let Ok(person) = ids.binary_search(&a.correspondent_id) else {
            return Err(ComputeError::UnknownPerson(a.correspondent_id));
        };
        if !keys.contains(&a.ledger.as_str()) {
            return Err(ComputeError::UnknownLedger(a.ledger.clone()));
        }
        if a.amount.abs() > Decimal::from(1_000_000_000) {
            return Err(ComputeError::AmountTooLarge(a.amount));
        }
        adjustments_of[person].push(a);
    }

    // Corrections, in a fixed order so the trail does not depend on the input's.
    let mut corrections_of: Vec<Vec<&Correction>> = vec![Vec::new(); persons.len()];
    for c in input.corrections {
        let Ok(person) = ids.binary_search(&c.correspondent_id) else {
            return Err(ComputeError::UnknownCorrectionPerson(c.correspondent_id));
        };
        if !keys.contains(&c.ledger.as_str()) {
            return Err(ComputeError::UnknownCorrectionLedger(c.ledger.clone()));
        }
        if c.amount.abs() > Decimal::from(1_000_000_000) {
            return Err(ComputeError::CorrectionTooLarge(c.amount));
        }
        if !c.amount.is_zero() {
            corrections_of[person].push(c);
        }
    }
    for list in &mut corrections_of {
        list.sort_by(|a, b| (&a.ledger, &a.from_period, a.amount).cmp(&(&b.ledger, &b.from_period, b.amount)));
    }

    let quotas = evaluate_quotas(input, &months, &month_policy, &ids, &pieces);

    // Each person's ledgers, month by month.
    let mut lines: Vec<PersonLine> = Vec::new();
    for (index, person) in persons.iter().copied().enumerate() {
        let mut line = PersonLine {
            correspondent_id: person.id,
            name: person.name.clone(),
            unit_id: person.unit_id,
            unit_name: person.unit_id.map(|u| unit_name(&unit_names, u)),
            placements: 0,
            by_level: BTreeMap::new(),
            pieces: Decimal::ZERO,
            ledgers: BTreeMap::new(),
            trail: Vec::new(),
            awards: Vec::new(),
        };
        let mine = credits.of(index);
        let mut exact_pieces = Decimal::ZERO;
        for c in mine.iter().filter(|c| c.in_period && c.piece > Decimal::ZERO) {
            line.placements += 1;
            count_level(&mut line.by_level, placed[c.placed].item.outlet_level);
            exact_pieces += c.piece;
        }
        line.pieces = Rounding::HalfUp.apply(settle(exact_pieces), 2);
        let mut active = line.placements > 0;
        let my_quotas: Vec<&QuotaCheck> = quotas
            .iter()
            .filter(|q| Some(q.unit_id) == person.unit_id && q.missed && q.target == PenaltyTarget::EachMember)
            .collect();
        if with_trail {
            // Reserving the trail once saves growing (and copying) it step by step: each credit
            // shows its placement's steps and maybe the split, and each month adds a few of its own.
            let per = keys.len();
            let shown: usize = mine
                .iter()
                .filter(|c| c.month >= first)
                .flat_map(|c| &cells[c.placed * per..(c.placed + 1) * per])
                .filter(|cell| cell.value.is_some())
                .map(|cell| cell.steps.len() + 1)
                .sum();
            line.trail.reserve(shown + (months.len() - first + 1) * per * 2);
        }
        for (ledger, (info, _)) in ledgers.iter().enumerate() {
            let ctx = PersonLedger {
                person,
                key: &info.key,
                roundings: &roundings,
                ledger,
                ledgers: keys.len(),
                earlier: earlier[ledger],
                months: &months,
                first,
                month_policy: &month_policy,
                placed: &placed,
                plans: &plans,
                mine,
                parts: credits.parts_of(index, keys.len()),
                adjustments: &adjustments_of[index],
                corrections: &corrections_of[index],
                quotas: &my_quotas,
            };
            let mut trail = Trail {
                key: &info.key,
                steps: &mut line.trail,
                keep: with_trail,
                count: 0,
                running: Decimal::ZERO,
                on: false,
            };
            // Rounded months and corrections, written out to the scale so 300 shows as 300.00. Never
            // rounded here: a correction from a period whose ledger kept more places keeps them.
            let total = pad(ctx.run(&mut trail, &mut cells), info.scale);
            // Steps tied to placements always come with a "sum" step, which `trail.count` counts.
            active |= trail.count > 0 || !total.is_zero();
            line.ledgers.insert(info.key.clone(), total);
        }
        if period.kind == PeriodKind::Year && active {
            award(&mut line, person, statement_policy, &placed, mine, with_trail);
        }
        if active {
            lines.push(line);
        }
    }

    let units = unit_lines(input, &unit_names, &ledgers, &lines, &unit_tallies, &quotas, &roundings, first);
    let unit_order: BTreeMap<Option<UnitId>, usize> = units.iter().enumerate().map(|(i, u)| (u.unit_id, i)).collect();
    lines.sort_by(|a, b| {
        let ua = unit_order.get(&a.unit_id).copied().unwrap_or(usize::MAX);
        let ub = unit_order.get(&b.unit_id).copied().unwrap_or(usize::MAX);
        (ua, &a.name, a.correspondent_id).cmp(&(ub, &b.name, b.correspondent_id))
    });
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    for (info, _) in &ledgers {
        let sum: Decimal = units.iter().map(|u| u.ledgers.get(&info.key).copied().unwrap_or_default()).sum();
        totals.insert(info.key.clone(), pad(sum, info.scale));
    }

    Ok(Statement {
        period: period.clone(),
        policies: in_period.iter().map(|p| p.name.clone()).collect(),
        ledgers: ledgers.into_iter().map(|(l, _)| l).collect(),
        lines,
        units,
        totals,
    })
}

/// The ledgers of the policies in force during the period, in order of first appearance; label,
/// scale and rounding from the latest policy that has the ledger.
fn statement_ledgers(in_period: &[&Policy]) -> Vec<(LedgerInfo, Rounding)> {
    let mut out: Vec<(LedgerInfo, Rounding)> = Vec::new();
    for p in in_period {
        for l in &p.ledgers {
            let info = LedgerInfo { key: l.key.clone(), label: l.label.clone(), is_money: l.is_money, scale: l.scale };
            match out.iter_mut().find(|(i, _)| i.key == l.key) {
                Some(slot) => *slot = (info, l.rounding),
                None => out.push((info, l.rounding)),
            }
        }
    }
    out
}

fn unit_name(names: &BTreeMap<UnitId, &str>, id: UnitId) -> String {
    names.get(&id).map_or_else(|| format!("单位{id}"), |n| n.to_string())
}

/// One step before it is tied to a person.
#[derive(Debug, Clone)]
struct Step<'a> {
    rule: &'a str,
    detail: String,
    value: Decimal,
    total: Decimal,
}

/// A placement with the policy it falls under.
struct Placed<'a> {
    item: &'a Item,
    policy: &'a Policy,
    month: usize,
    in_period: bool,
    /// Counts as a piece (a manuscript counted in an earlier placement does not).
    counted: bool,
    /// How the placement is shared: a position in `Placements::plans`.
    plan: usize,
    /// The authors, in byline order, as positions in the people (at this range of `Placements::authors`).
    authors: std::ops::Range<usize>,
    /// One author from the network and no one from outside.
    solo: bool,
}

/// The placements, their values, their authors and how they are split.
struct Placements<'a> {
    placed: Vec<Placed<'a>>,
    cells: Vec<Cell<'a>>,
    authors: Vec<usize>,
    plans: Vec<Plan>,
}

/// A split plan, and each author's share of a piece under it.
struct Plan {
    plan: SplitPlan,
    shares: Vec<Decimal>,
}

/// Placements under the same policy whose bylines have the same shares written and the same
/// outside authors are split alike: each kind of byline is planned once.
#[derive(Default)]
struct Plans {
    list: Vec<Plan>,
    /// The kind of byline (see `key`) → position in `list`.
    /// FxHash (rustc-hash): the keys are the station's own integers, so the default hash's
    /// protection against crafted keys buys nothing here and costs time.
    index: FxHashMap<Vec<i64>, usize>,
    key: Vec<i64>,
}

impl Plans {
    /// The position of the plan for `item` under `policies[policy]`, planned now if it is new;
    /// with the trail, in words too.
    fn find(&mut self, policies: &[&Policy], policy: usize, item: &Item, with_trail: bool) -> usize {
        // Everything `Split::plan` looks at: the policy, outside authors, each author's share.
        self.key.clear();
        self.key.extend([policy as i64, i64::from(item.has_external_authors)]);
        for a in &item.authors {
            self.key.extend([i64::from(a.share_bp.is_some()), i64::from(a.share_bp.unwrap_or(0))]);
        }
        if let Some(&found) = self.index.get(self.key.as_slice()) {
            return found;
        }
        let split = &policies[policy].split;
        let plan = if with_trail { split.plan(item) } else { split.plan_quietly(item) };
        let shares = plan.parts(Decimal::ONE);
        self.list.push(Plan { plan, shares });
        self.index.insert(self.key.clone(), self.list.len() - 1);
        self.list.len() - 1
    }
}

/// A placement's value in one statement ledger (at `placement * ledgers + ledger`), after
/// duplicates and before the split, and with the trail the steps that led to it.
struct Cell<'a> {
    /// `None` when the placement's policy does not have the ledger, or when nobody needs the
    /// value (a month before the period, see `earlier` in `statement`).
    value: Option<Decimal>,
    steps: Vec<Step<'a>>,
    /// Credits that have yet to show the steps: the last one takes them instead of copying.
    left: usize,
}

/// The placements from 1 January to the end of the period, in date order, each with its policy,
/// month, values and split; an error for the first one that cannot be computed.
fn place<'a>(
    input: &Input<'a>,
    policies: &[&'a Policy],
    people: &[CorrespondentId],
    months: &[Period],
    first: usize,
    keys: &[&str],
    earlier: &[bool],
    with_trail: bool,
) -> Result<Placements<'a>, ComputeError> {
    let period = &input.period;
    let year_start = period.year_start();
    let mut items: Vec<&'a Item> = Vec::with_capacity(input.items.len());
    items.extend(input.items.iter().filter(|i| year_start <= i.date && i.date <= period.to));
    items.sort_by_key(|i| (i.date, i.placement_id));
    // Each policy's ledger for each statement ledger; a key written twice means its last ledger.
    let policy_ledgers: Vec<Vec<Option<&Ledger>>> =
        policies.iter().map(|p| keys.iter().map(|k| p.ledgers.iter().rev().find(|l| l.key == *k)).collect()).collect();
    let mut seen: FxHashSet<PlacementId> = FxHashSet::with_capacity_and_hasher(items.len(), Default::default());
    let mut placed = Vec::with_capacity(items.len());
    let mut cells = Vec::with_capacity(items.len() * keys.len());
    let mut authors = Vec::with_capacity(items.len() * 2);
    let mut plans = Plans::default();
    for item in items {
        if !seen.insert(item.placement_id) {
            return Err(ComputeError::DuplicatePlacement(item.placement_id));
        }
        let in_period = period.contains(item.date);
        let Some(p) = policies.iter().position(|p| p.in_force(item.date)) else {
            if in_period {
                return Err(ComputeError::NoPolicy { date: item.date, title: item.title.clone() });
            }
            // Before the period and under no policy: it earned nothing then, so it uses no cap now.
            continue;
        };
        let start = authors.len();
        for a in &item.authors {
            match people.binary_search(&a.correspondent_id) {
                Ok(person) => authors.push(person),
                Err(_) => {
                    let correspondent = a.correspondent_id;
                    return Err(ComputeError::UnknownAuthor { title: item.title.clone(), correspondent });
                }
            }
        }
        // The month containing the date (every date up to the period's end has one). Found by
        // bisection, it never goes down as the dates go up: each person's credits rely on that.
        let month = months.partition_point(|m| m.to < item.date).min(months.len().saturating_sub(1));
        // Months before the period are computed silently: their values only, no trail text.
        let describe = with_trail && in_period;
        for (ledger, needed) in policy_ledgers[p].iter().zip(earlier) {
            let mut steps = Vec::new();
            let ledger = ledger.filter(|_| month >= first || *needed);
            let value = ledger.map(|l| evaluate(item, l, describe.then_some(&mut steps)));
            cells.push(Cell { value, steps, left: 0 });
        }
        placed.push(Placed {
            item,
            policy: policies[p],
            month,
            in_period,
            counted: true,
            plan: plans.find(policies, p, item, with_trail),
            authors: start..authors.len(),
            solo: item.authors.len() == 1 && !item.has_external_authors,
        });
    }
    Ok(Placements { placed, cells, authors, plans: plans.list })
}

/// A placement's value in one ledger: the first base rule that matches, then every bonus in
/// file order (only the first of each group). With `steps`, each rule's step in words.
fn evaluate<'a>(item: &Item, ledger: &'a Ledger, mut steps: Option<&mut Vec<Step<'a>>>) -> Decimal {
    let base = ledger.base.iter().find_map(|r| r.applied(item, Decimal::ZERO).map(|a| (r, a)));
    let mut value = base.map_or(Decimal::ZERO, |(_, a)| a.value);
    if let Some(steps) = steps.as_deref_mut() {
        steps.push(match base {
            Some((rule, a)) => Step { rule: &rule.id, detail: rule.describe(item, &a), value, total: value },
            None => Step {
                rule: "base.none",
                detail: "没有符合的基础分值规则，计0".into(),
                value: Decimal::ZERO,
                total: Decimal::ZERO,
            },
        });
    }
    let mut groups_done: Vec<&str> = Vec::new();
    for rule in &ledger.bonus {
        if rule.group.as_deref().is_some_and(|g| groups_done.contains(&g)) {
            continue;
        }
        if let Some(a) = rule.applied(item, value) {
            if let Some(g) = rule.group.as_deref() {
                groups_done.push(g);
            }
            if let Some(steps) = steps.as_deref_mut() {
                let detail = rule.describe(item, &a);
                steps.push(Step { rule: &rule.id, detail, value: a.value - value, total: a.value });
            }
            value = a.value;
        }
    }
    value
}

/// Under `duplicates = "best"` a manuscript placed several times counts once per ledger at its
/// best value. Within a month the best placement pays; in a later month a better placement pays
/// only the difference to what was already counted, so the year adds up to the best and an
/// earlier month's figures never change. The piece itself counts once, in the first month.
fn apply_duplicates(placed: &mut [Placed], cells: &mut [Cell], keys: &[&str], first: usize, with_trail: bool) {
    let per = keys.len();
    let mut copies: Vec<(ManuscriptId, usize)> =
        placed.iter().enumerate().filter_map(|(i, p)| p.item.manuscript_id.map(|m| (m, i))).collect();
    copies.sort_unstable();
    for group in copies.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
        let members: Vec<usize> = group.iter().map(|&(_, i)| i).collect();
        let mut months: Vec<usize> = members.iter().map(|&i| placed[i].month).collect();
        months.sort_unstable();
        months.dedup();
        // Pieces: the first month's best placement (by the policy's first ledger) is the one counted.
        let mut counted_before = false;
        for &month in &months {
            let best: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&i| placed[i].month == month && placed[i].policy.duplicates == Duplicates::Best)
                .collect();
            let chosen = pick_best(&best, placed, |i| primary(&placed[i], &cells[i * per..(i + 1) * per], keys));
            for &i in &best {
                placed[i].counted = !counted_before && Some(i) == chosen;
            }
            counted_before = true;
        }
        for ledger in 0..per {
            let value_of = |cells: &[Cell], i: usize| cells[i * per + ledger].value;
            let mut already = Decimal::ZERO;
            for &month in &months {
                let in_month: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| placed[i].month == month && value_of(cells, i).is_some())
                    .collect();
                let mut month_max = Decimal::ZERO;
                for &i in &in_month {
                    if placed[i].policy.duplicates == Duplicates::All {
                        month_max = month_max.max(value_of(cells, i).unwrap_or_default());
                    }
                }
                let best: Vec<usize> =
                    in_month.iter().copied().filter(|&i| placed[i].policy.duplicates == Duplicates::Best).collect();
                let chosen = pick_best(&best, placed, |i| value_of(cells, i).unwrap_or_default());
                let chosen_outlet: &str = chosen.map_or("", |c| &placed[c].item.outlet);
                for &i in &best {
                    let cell = &mut cells[i * per + ledger];
                    let value = cell.value.unwrap_or_default();
                    let pay = if Some(i) == chosen { (value - already).max(Decimal::ZERO) } else { Decimal::ZERO };
                    // Only the period's months show their steps.
                    if pay != value && with_trail && placed[i].month >= first {
                        let detail = if Some(i) != chosen {
                            format!("同一稿件本月在《{chosen_outlet}》的采用计分更高，本次不计")
                        } else if pay.is_zero() {
                            format!("同一稿件此前已按 {} 计，本次不再计", already.normalize())
                        } else {
                            format!("同一稿件此前已按 {} 计，本次补差 {}", already.normalize(), pay.normalize())
                        };
                        cell.steps.push(Step { rule: "duplicate.best", detail, value: pay - value, total: pay });
                    }
                    month_max = month_max.max(value);
                    cell.value = Some(pay);
                }
                already = already.max(month_max);
            }
        }
    }
}

/// A placement's value in its policy's first ledger, before duplicates: it picks the copy of a
/// manuscript that counts as the piece. `cells` are the placement's own.
fn primary(p: &Placed, cells: &[Cell], keys: &[&str]) -> Decimal {
    let Some(first) = p.policy.ledgers.first() else { return Decimal::ZERO };
    match keys.iter().position(|k| *k == first.key) {
        Some(ledger) => cells[ledger].value.unwrap_or_default(),
        // Not a ledger of the statement (an earlier policy's): evaluated only for this.
        None => p
            .policy
            .ledgers
            .iter()
            .rev()
            .find(|l| l.key == first.key)
            .map_or(Decimal::ZERO, |l| evaluate(p.item, l, None)),
    }
}

/// The highest by `value`, then the earliest, then the lowest placement id.
fn pick_best(candidates: &[usize], placed: &[Placed], value: impl Fn(usize) -> Decimal) -> Option<usize> {
    candidates.iter().copied().min_by(|&a, &b| {
        let (pa, pb) = (&placed[a].item, &placed[b].item);
        value(b).cmp(&value(a)).then(pa.date.cmp(&pb.date)).then(pa.placement_id.cmp(&pb.placement_id))
    })
}

/// One author's part of one placement.
#[derive(Clone)]
struct Credit {
    placed: usize,
    /// Copied from the placement, which is then read only for the split's words.
    placement_id: PlacementId,
    month: usize,
    in_period: bool,
    solo: bool,
    /// Position on the byline.
    author: usize,
    /// Share-weighted piece (zero when the placement is not counted as a piece).
    piece: Decimal,
}

/// Every credit, grouped by person: each person's in the order of the placements (and so of
/// the months), so that one person's figures are read from one stretch of memory.
struct Credits {
    list: Vec<Credit>,
    /// Person `i`'s credits are `list[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    /// Per credit and statement ledger (at `credit * ledgers + ledger`): the placement's value
    /// and this credit's part; `None` where the placement has no value in the ledger.
    parts: Vec<Option<(Decimal, Decimal)>>,
}

impl Credits {
    /// Person `person`'s credits.
    fn of(&self, person: usize) -> &[Credit] {
        &self.list[self.starts[person]..self.starts[person + 1]]
    }

    /// The parts of person `person`'s credits, `ledgers` per credit.
    fn parts_of(&self, person: usize, ledgers: usize) -> &[Option<(Decimal, Decimal)>] {
        &self.parts[self.starts[person] * ledgers..self.starts[person + 1] * ledgers]
    }
}

/// One more placement at `level`.
fn count_level(counts: &mut BTreeMap<String, u32>, level: OutletLevel) {
    match counts.get_mut(level.code()) {
        Some(n) => *n += 1,
        None => {
            counts.insert(level.code().to_string(), 1);
        }
    }
}

/// What the period's credits give the people of one unit.
#[derive(Default)]
struct UnitTally {
    /// Share-weighted pieces.
    pieces: Decimal,
    /// Placements with a piece, each counted once however many of the unit's people wrote it.
    placements: u32,
    by_level: BTreeMap<String, u32>,
    /// The last placement counted: a placement's credits come together.
    last: Option<usize>,
}

/// Shares every placement among its authors. Also tallies the period's credits by the authors'
/// units, in the order of the placements.
fn split(
    placed: &[Placed],
    cells: &mut [Cell],
    authors: &[usize],
    plans: &[Plan],
    persons: &[&Person],
    ledgers: usize,
) -> (Credits, BTreeMap<Option<UnitId>, UnitTally>) {
    let mut starts = vec![0; persons.len() + 1];
    for &person in authors {
        starts[person + 1] += 1;
    }
    for i in 0..persons.len() {
        starts[i + 1] += starts[i];
    }
    // Where each person's next credit goes.
    let mut next = starts.clone();
    let blank = Credit {
        placed: 0,
        placement_id: PlacementId(0),
        month: 0,
        in_period: false,
        solo: false,
        author: 0,
        piece: Decimal::ZERO,
    };
    let mut list = vec![blank; authors.len()];
    let mut parts = vec![None; authors.len() * ledgers];
    let mut units: BTreeMap<Option<UnitId>, UnitTally> = BTreeMap::new();
    let mut ledger_parts: Vec<Vec<Decimal>> = vec![Vec::new(); ledgers];
    for (index, p) in placed.iter().enumerate() {
        let Plan { plan, shares } = &plans[p.plan];
        let values = &mut cells[index * ledgers..(index + 1) * ledgers];
        for (cell, out) in values.iter().zip(ledger_parts.iter_mut()) {
            if let Some(whole) = cell.value {
                plan.parts_into(whole, out);
            }
        }
        for (a, &person) in authors[p.authors.clone()].iter().enumerate() {
            let piece = if p.counted { shares[a] } else { Decimal::ZERO };
            let slot = next[person];
            next[person] += 1;
            list[slot] = Credit {
                placed: index,
                placement_id: p.item.placement_id,
                month: p.month,
                in_period: p.in_period,
                solo: p.solo,
                author: a,
                piece,
            };
            for (ledger, (cell, out)) in values.iter_mut().zip(&ledger_parts).enumerate() {
                if let Some(whole) = cell.value {
                    parts[slot * ledgers + ledger] = Some((whole, out[a]));
                    cell.left += 1;
                }
            }
            if p.in_period {
                let tally = units.entry(persons[person].unit_id).or_default();
                tally.pieces += piece;
                if piece > Decimal::ZERO && tally.last != Some(index) {
                    tally.last = Some(index);
                    tally.placements += 1;
                    count_level(&mut tally.by_level, p.item.outlet_level);
                }
            }
        }
    }
    (Credits { list, starts, parts }, units)
}

/// A quota checked for one unit at the end of its period.
struct QuotaCheck {
    unit_id: UnitId,
    /// The month the check falls in (the quota period's last month).
    month: usize,
    id: String,
    name: String,
    min: Decimal,
    pieces: Decimal,
    missed: bool,
    penalty: BTreeMap<String, Decimal>,
    target: PenaltyTarget,
}

/// `pieces` is per person (in the order of `people`) and month.
fn evaluate_quotas(
    input: &Input,
    months: &[Period],
    month_policy: &[Option<&Policy>],
    people: &[CorrespondentId],
    pieces: &[Decimal],
) -> Vec<QuotaCheck> {
    let mut units: Vec<&UnitInfo> = input.units.iter().collect();
    units.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
    // Each unit's members by position in `people`, in that order.
    let members: Vec<Vec<usize>> = units
        .iter()
        .map(|unit| {
            let mut m: Vec<usize> = input
                .people
                .iter()
                .filter(|p| p.unit_id == Some(unit.id))
                .filter_map(|p| people.binary_search(&p.id).ok())
                .collect();
            m.sort_unstable();
            m.dedup();
            m
        })
        .collect();
    let mut out = Vec::new();
    for (month, policy) in month_policy.iter().enumerate() {
        let Some(policy) = policy else { continue };
        for quota in &policy.quotas {
            let span = usize::from(quota.per.months());
            // Checked in the last month of its period; periods are aligned to the calendar.
            let calendar_month = usize::from(u8::from(months[month].from.month())) - 1;
            if (calendar_month + 1) % span != 0 {
                continue;
            }
            let window = (month + 1).saturating_sub(span)..=month;
            for (unit, members) in units.iter().zip(&members) {
                if quota.units.as_ref().is_some_and(|names| !names.contains(&unit.name)) {
                    continue;
                }
                let mut got = Decimal::ZERO;
                for &who in members {
                    for m in window.clone() {
                        let n = pieces[who * months.len() + m];
                        // Zero means no piece that month (pieces are positive).
                        if !n.is_zero() {
                            got += n;
                        }
                    }
                }
                out.push(QuotaCheck {
                    unit_id: unit.id,
                    month,
                    id: quota.id.clone(),
                    name: quota.name.clone(),
                    min: quota.min_pieces,
                    pieces: got,
                    missed: settle(got) < quota.min_pieces,
                    penalty: quota.penalty.clone(),
                    target: quota.applies_to,
                });
            }
        }
    }
    out
}

/// One person's one ledger over the months up to the end of the period.
struct PersonLedger<'a> {
    person: &'a Person,
    key: &'a str,
    /// The ledger's position among the statement's, and how many there are.
    ledger: usize,
    ledgers: usize,
    /// How each month rounds each ledger (see `statement`).
    roundings: &'a [(Rounding, u32)],
    /// Whether the placements of months before the period count (see `statement`).
    earlier: bool,
    months: &'a [Period],
    first: usize,
    month_policy: &'a [Option<&'a Policy>],
    placed: &'a [Placed<'a>],
    plans: &'a [Plan],
    /// The person's credits with their parts, adjustments, corrections and missed per-member quotas.
    mine: &'a [Credit],
    parts: &'a [Option<(Decimal, Decimal)>],
    adjustments: &'a [&'a Adjustment],
    corrections: &'a [&'a Correction],
    quotas: &'a [&'a QuotaCheck],
}

/// Collects the trail of the period's months; earlier months are computed silently. Without
/// `keep` the steps are only counted.
struct Trail<'a> {
    key: &'a str,
    steps: &'a mut Vec<TrailStep>,
    keep: bool,
    count: usize,
    running: Decimal,
    on: bool,
}

impl Trail<'_> {
    /// A step without a placement; `describe` gives its rule and detail, and is called only when kept.
    fn push(&mut self, value: Decimal, describe: impl FnOnce() -> (String, String)) {
        if !self.on {
            return;
        }
        self.count += 1;
        if self.keep {
            self.running += value;
            let (rule, detail) = describe();
            self.steps.push(TrailStep {
                placement_id: None,
                ledger: self.key.to_string(),
                rule,
                detail,
                value,
                total: self.running,
            });
        }
    }
}

impl PersonLedger<'_> {
    /// The period's figure: the sum of its rounded months, plus the corrections (in its first
    /// month). The trail goes to `trail`; `cells` are all placements'.
    fn run(&self, trail: &mut Trail, cells: &mut [Cell]) -> Decimal {
        let mut total = Decimal::ZERO;
        // What the earlier months of the quarter and the year used of the caps, and what they
        // came to, each month counted as rounded, the way its own statement shows it: so the
        // rounding of the months can never take a quarter or a year past a cap or below a floor.
        let (mut quarter_capped, mut year_capped) = (Decimal::ZERO, Decimal::ZERO);
        let (mut quarter_final, mut year_final) = (Decimal::ZERO, Decimal::ZERO);
        let mut granted: BTreeSet<(PeriodKind, usize)> = BTreeSet::new();
        let mut rest = self.mine;
        for (m, month) in self.months.iter().enumerate() {
            let calendar = usize::from(u8::from(month.from.month())) - 1;
            if calendar % 3 == 0 {
                quarter_capped = Decimal::ZERO;
                quarter_final = Decimal::ZERO;
            }
            trail.on = m >= self.first;
            let ledger = self.month_policy[m].and_then(|p| p.ledger(self.key));
            let (rounding, scale) = self.roundings[m * self.ledgers + self.ledger];
            let round = |d: Decimal| rounding.apply(settle(d), scale);

            // Earnings: placement parts, the allowance, manual bonuses.
            let mut earned = Decimal::ZERO;
            // Credits with a part in the ledger: those the line counts (a piece above zero), those
            // of a manuscript already counted, and those with no share of the piece.
            let (mut count, mut counted, mut same) = (0, 0, 0);
            // The person's credits come in month order: this month's are next. Those of months
            // before the period are left out when the ledger does not need them (see `earlier`).
            let start = self.mine.len() - rest.len();
            let here = rest.iter().take_while(|c| c.month == m).count();
            rest = &rest[here..];
            let this_month = if m >= self.first || self.earlier { start..start + here } else { start..start };
            for k in this_month {
                let Some((whole, part)) = self.parts[k * self.ledgers + self.ledger] else { continue };
                earned += part;
                count += 1;
                let credit = &self.mine[k];
                if credit.piece > Decimal::ZERO {
                    counted += 1;
                } else if !self.placed[credit.placed].counted {
                    same += 1;
                }
                if trail.on && trail.keep {
                    let cell = &mut cells[credit.placed * self.ledgers + self.ledger];
                    self.placement_steps(trail.steps, credit, cell, whole, part);
                }
            }
            if count > 0 {
                trail.push(earned, || ("sum".into(), sum_detail(month, counted, same, count - counted - same)));
            }
            if let Some(a) = ledger.and_then(|l| l.allowance.as_ref())
                && a.kinds.as_ref().is_none_or(|k| k.contains(&self.person.kind))
                && granted.insert((a.per, calendar / usize::from(a.per.months())))
            {
                earned += a.amount;
                trail.push(a.amount, || (format!("allowance.{}", a.per.code()), format!("每{}基础额度", a.per.zh())));
            }
            let adjustments: Vec<&Adjustment> =
                self.adjustments.iter().copied().filter(|a| a.ledger == self.key && month.contains(a.date)).collect();
            for a in adjustments.iter().filter(|a| a.amount > Decimal::ZERO) {
                let amount = at_scale(a.amount, scale);
                earned += amount;
                trail.push(amount, || ("adjust".into(), adjustment_detail(a)));
            }

            // Caps, each counting what earlier months of its period already used.
            let mut value = earned;
            if let Some(l) = ledger {
                if let Some(cap) = l.cap.month
                    && settle(value) > cap
                {
                    trail.push(cap - value, || ("cap.month".into(), format!("超出每月上限 {}，核减", cap.normalize())));
                    value = cap;
                }
                if let Some(cap) = l.cap.quarter {
                    let room = (cap - quarter_capped).max(Decimal::ZERO);
                    if settle(value) > settle(room) {
                        trail.push(room - value, || {
                            let used = quarter_capped.normalize();
                            ("cap.quarter".into(), format!("本季度此前已计 {used}，季度上限 {}，核减", cap.normalize()))
                        });
                        value = room;
                    }
                }
                if let Some(cap) = l.cap.year {
                    let room = (cap - year_capped).max(Decimal::ZERO);
                    if settle(value) > settle(room) {
                        trail.push(room - value, || {
                            let used = year_capped.normalize();
                            ("cap.year".into(), format!("本年此前已计 {used}，年度上限 {}，核减", cap.normalize()))
                        });
                        value = room;
                    }
                }
            }
            // Rounding what is at most the room left keeps it within the room (the caps are
            // at the ledger's scale), so the months' rounded uses never add up past a cap.
            let used = round(value);
            quarter_capped += used;
            year_capped += used;

            // Deductions come after the caps so that they always bite.
            for a in adjustments.iter().filter(|a| a.amount < Decimal::ZERO) {
                let amount = at_scale(a.amount, scale);
                value += amount;
                trail.push(amount, || ("adjust".into(), adjustment_detail(a)));
            }
            for q in self.quotas.iter().filter(|q| q.month == m) {
                if let Some(p) = q.penalty.get(self.key) {
                    value -= *p;
                    trail.push(-*p, || {
                        let detail = format!(
                            "本单位未完成{}（{} / {} 篇），每人扣减 {}",
                            q.name,
                            q.pieces.round_dp(2).normalize(),
                            q.min.normalize(),
                            p.normalize()
                        );
                        (format!("quota.{}", q.id), detail)
                    });
                }
            }

            // Floors last: a quarter or year floor is topped up in its final month, on top of
            // what the earlier months came to as rounded.
            if let Some(l) = ledger
                && let Some(floor) = l.floor.month
                && settle(value) < floor
            {
                trail.push(floor - value, || {
                    ("floor.month".into(), format!("低于每月下限 {}，补足", floor.normalize()))
                });
                value = floor;
            }
            if let Some(l) = ledger {
                if calendar % 3 == 2
                    && let Some(floor) = l.floor.quarter
                    && settle(quarter_final + value) < floor
                {
                    let quarter = quarter_final + value;
                    trail.push(floor - quarter, || {
                        let detail =
                            format!("本季度合计 {}，低于季度下限 {}，补足", quarter.normalize(), floor.normalize());
                        ("floor.quarter".into(), detail)
                    });
                    value += floor - quarter;
                }
                if calendar == 11
                    && let Some(floor) = l.floor.year
                    && settle(year_final + value) < floor
                {
                    let year = year_final + value;
                    trail.push(floor - year, || {
                        let detail = format!("全年合计 {}，低于年度下限 {}，补足", year.normalize(), floor.normalize());
                        ("floor.year".into(), detail)
                    });
                    value += floor - year;
                }
            }

            // Each month is rounded as its own statement rounds it.
            let rounded = round(value);
            if rounded != value {
                trail.push(rounded - value, || {
                    ("round".into(), format!("{}按{}保留{}位小数", month.zh(), rounding.zh(), scale))
                });
            }
            quarter_final += rounded;
            year_final += rounded;
            if m >= self.first {
                total += rounded;
            }
            // Corrections come after everything, once, exact: nothing above sees them.
            if m == self.first {
                for c in self.corrections.iter().filter(|c| c.ledger == self.key) {
                    let amount = at_scale(c.amount, scale);
                    total += amount;
                    trail.push(amount, || ("correction".into(), c.describe()));
                }
            }
        }
        total
    }

    /// The steps behind one credit's part: the placement's own, then the split when it changed anything.
    fn placement_steps(
        &self,
        out: &mut Vec<TrailStep>,
        credit: &Credit,
        cell: &mut Cell,
        whole: Decimal,
        part: Decimal,
    ) {
        let placement_id = Some(credit.placement_id);
        cell.left = cell.left.saturating_sub(1);
        let last = cell.left == 0;
        for s in &mut cell.steps {
            out.push(TrailStep {
                placement_id,
                ledger: self.key.to_string(),
                rule: s.rule.to_string(),
                detail: if last { std::mem::take(&mut s.detail) } else { s.detail.clone() },
                value: s.value,
                total: s.total,
            });
        }
        if credit.in_period && (!credit.solo || part != whole) {
            let plan = &self.plans[self.placed[credit.placed].plan].plan;
            out.push(TrailStep {
                placement_id,
                ledger: self.key.to_string(),
                rule: plan.rule.clone(),
                detail: format!(
                    "{}；本人第{}作者：{} → {}",
                    plan.detail,
                    credit.author + 1,
                    whole.normalize(),
                    part.normalize()
                ),
                value: part - whole,
                total: part,
            });
        }
    }
}

fn adjustment_detail(a: &Adjustment) -> String {
    format!("人工调整（{}）：{}", crate::format_date(a.date), a.reason)
}

/// An amount written with the ledger's places: -1.00 on a points ledger of scale 0 is -1, 12.5
/// on money is 12.50. Never loses a digit: -1.5 on scale 0 stays -1.5.
fn at_scale(d: Decimal, scale: u32) -> Decimal {
    pad(d.normalize(), scale)
}

/// `d` with at least `scale` places (adds zeros, never rounds).
fn pad(mut d: Decimal, scale: u32) -> Decimal {
    if d.scale() < scale {
        d.rescale(scale);
    }
    d
}

/// The month's "sum" step in words, counting placements the way the line does: "2007年6月稿件合计（2篇次）",
/// and the others apart: "（1篇次，另1篇次同稿不计篇次）".
fn sum_detail(month: &Period, counted: usize, same: usize, no_share: usize) -> String {
    let mut words = format!("{}稿件合计（{counted}篇次", month.zh());
    if same > 0 {
        words.push_str(&format!("，另{same}篇次同稿不计篇次"));
    }
    if no_share > 0 {
        words.push_str(&format!("，另{no_share}篇次未分得份额不计篇次"));
    }
    words.push('）');
    words
}

/// The annual awards a person earns, first qualifying first; with the trail, adds a step for each.
fn award(
    line: &mut PersonLine,
    person: &Person,
    policy: &Policy,
    placed: &[Placed],
    mine: &[Credit],
    with_trail: bool,
) {
    if policy.awards.is_empty() {
        return;
    }
    let mut counted = Decimal::ZERO;
    for c in mine.iter().filter(|c| c.piece > Decimal::ZERO) {
        let item = placed[c.placed].item;
        let each = policy.awarding.count_as.iter().find(|r| r.when.matches(item)).map_or(Decimal::ONE, |r| r.pieces);
        let share = if policy.awarding.joint_as_share { c.piece } else { Decimal::ONE };
        counted += share * each;
    }
    let counted = Rounding::HalfUp.apply(settle(counted), 2);
    for a in &policy.awards {
        if a.kinds.as_ref().is_some_and(|k| !k.contains(&person.kind)) {
            continue;
        }
        let mut reasons = Vec::new();
        let met = a.min.iter().all(|(metric, min)| {
            let have = if metric == "pieces" { counted } else { line.ledgers.get(metric).copied().unwrap_or_default() };
            if with_trail {
                let label = if metric == "pieces" {
                    "全年计篇".to_string()
                } else {
                    policy.ledger(metric).map_or(metric.clone(), |l| format!("全年{}", l.label))
                };
                reasons.push(format!("{label} {} ≥ {}", have.normalize(), min.normalize()));
            }
            have >= *min
        });
        if met {
            line.awards.push(a.name.clone());
            if with_trail {
                line.trail.push(TrailStep {
                    placement_id: None,
                    ledger: "award".into(),
                    rule: format!("award.{}", a.name),
                    detail: format!("{}：{}", a.name, reasons.join("；")),
                    value: Decimal::ZERO,
                    total: Decimal::ZERO,
                });
            }
            if policy.awarding.one_per_person {
                break;
            }
        }
    }
}

fn unit_lines(
    input: &Input,
    unit_names: &BTreeMap<UnitId, &str>,
    ledgers: &[(LedgerInfo, Rounding)],
    lines: &[PersonLine],
    tallies: &BTreeMap<Option<UnitId>, UnitTally>,
    quotas: &[QuotaCheck],
    roundings: &[(Rounding, u32)],
    first: usize,
) -> Vec<UnitLine> {
    let mut ids: Vec<Option<UnitId>> = input.units.iter().map(|u| Some(u.id)).collect();
    for l in lines {
        if !ids.contains(&l.unit_id) {
            ids.push(l.unit_id);
        }
    }
    let name_of = |id: Option<UnitId>| id.map_or_else(|| "未指定单位".to_string(), |u| unit_name(unit_names, u));
    ids.sort_by_key(|a| (a.is_none(), name_of(*a), *a));
    ids.dedup();
    let slot_of: BTreeMap<Option<UnitId>, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();

    // One pass over the lines: the members' figures per unit and ledger.
    let mut sums = vec![Decimal::ZERO; ids.len() * ledgers.len()];
    for l in lines {
        let Some(&slot) = slot_of.get(&l.unit_id) else { continue };
        for (k, (info, _)) in ledgers.iter().enumerate() {
            sums[slot * ledgers.len() + k] += l.ledgers.get(&info.key).copied().unwrap_or_default();
        }
    }

    ids.into_iter()
        .enumerate()
        .map(|(slot, id)| {
            let checks: Vec<&QuotaCheck> =
                quotas.iter().filter(|q| Some(q.unit_id) == id && q.month >= first).collect();
            let mut penalty: BTreeMap<String, Decimal> = BTreeMap::new();
            for q in checks.iter().filter(|q| q.missed && q.target == PenaltyTarget::Unit) {
                for (key, amount) in &q.penalty {
                    // Rounded as its month rounds, so a quarter's penalties are its months'.
                    if let Some(k) = ledgers.iter().position(|(l, _)| &l.key == key) {
                        let (rounding, scale) = roundings[q.month * ledgers.len() + k];
                        *penalty.entry(key.clone()).or_default() -= rounding.apply(*amount, scale);
                    }
                }
            }
            let mut figures = BTreeMap::new();
            for (k, (info, _)) in ledgers.iter().enumerate() {
                let sum = sums[slot * ledgers.len() + k] + penalty.get(&info.key).copied().unwrap_or_default();
                figures.insert(info.key.clone(), pad(sum, info.scale));
            }
            let tally = tallies.get(&id);
            UnitLine {
                unit_id: id,
                name: name_of(id),
                placements: tally.map_or(0, |t| t.placements),
                by_level: tally.map(|t| t.by_level.clone()).unwrap_or_default(),
                pieces: Rounding::HalfUp.apply(settle(tally.map_or(Decimal::ZERO, |t| t.pieces)), 2),
                ledgers: figures,
                quota: if checks.is_empty() { None } else { Some(checks.iter().map(|q| q.min).sum()) },
                missed_quota: checks.iter().any(|q| q.missed),
                penalty,
            }
        })
        .collect()
}
