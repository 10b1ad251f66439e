//! The reward engine: turns a period's placements, people, units and manual adjustments into a
//! statement under the policies in force, with the trail of every figure.
//!
//! The calendar month is the smallest unit. For every month from 1 January to the end of the
//! period, and for every person and ledger: placement parts, the allowance and manual bonuses are
//! added up; the month, quarter and year caps cut that (quarter and year caps count what earlier
//! months already used); deductions (manual ones and missed-quota penalties) come off after the
//! caps so they always bite; floors come last. Months before the period are computed the same
//! way but only to know how much of a cap is used up. Rounding happens once, per person and
//! ledger, on the period's total.

use super::model::{Duplicates, Ledger, PenaltyTarget, Policy, Rounding, settle};
use super::period::{Period, PeriodKind};
use crate::{
    CorrespondentId, CorrespondentKind, Genre, Grade, InstructionLevel, ManuscriptId, OutletKind, OutletLevel,
    PlacementId, Position, UnitId,
};
use rust_decimal::Decimal;
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
    pub outlet: String,
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
    /// Placements counted this period (with a share above zero).
    pub placements: u32,
    /// Share-weighted count, two decimals.
    pub pieces: Decimal,
    /// Final, rounded, one entry per statement ledger.
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
    pub placements: u32,
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

    // Months from 1 January to the end of the period, each with the latest policy in force in it.
    let months = Period { from: year_start, to: period.to, kind: PeriodKind::Year }.months();
    let first = months.iter().position(|m| m.contains(period.from)).unwrap_or(0);
    let month_policy: Vec<Option<&Policy>> =
        months.iter().map(|m| policies.iter().rev().copied().find(|p| p.in_force_during(m.from, m.to))).collect();

    let people: BTreeMap<CorrespondentId, &Person> = input.people.iter().map(|p| (p.id, p)).collect();
    let unit_names: BTreeMap<UnitId, &str> = input.units.iter().map(|u| (u.id, u.name.as_str())).collect();

    let placed = place(input, &policies, &people, &months, first)?;
    let credits = split(&placed);

    // Pieces per person and month, for quotas, the lines and the awards.
    let mut pieces: BTreeMap<(CorrespondentId, usize), Decimal> = BTreeMap::new();
    for c in credits.iter().filter(|c| c.piece > Decimal::ZERO) {
        *pieces.entry((c.person, placed[c.placed].month)).or_default() += c.piece;
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
    for a in &adjustments {
        if !people.contains_key(&a.correspondent_id) {
            return Err(ComputeError::UnknownPerson(a.correspondent_id));
        }
        if !ledgers.iter().any(|(l, _)| l.key == a.ledger) {
            return Err(ComputeError::UnknownLedger(a.ledger.clone()));
        }
        if a.amount.abs() > Decimal::from(1_000_000_000) {
            return Err(ComputeError::AmountTooLarge(a.amount));
        }
    }

    let quotas = evaluate_quotas(input, &months, &month_policy, &pieces);

    // Each person's ledgers, month by month.
    let mut lines: Vec<PersonLine> = Vec::new();
    for person in people.values() {
        let mut line = PersonLine {
            correspondent_id: person.id,
            name: person.name.clone(),
            unit_id: person.unit_id,
            unit_name: person.unit_id.map(|u| unit_name(&unit_names, u)),
            placements: 0,
            pieces: Decimal::ZERO,
            ledgers: BTreeMap::new(),
            trail: Vec::new(),
            awards: Vec::new(),
        };
        let mine: Vec<&Credit> = credits.iter().filter(|c| c.person == person.id).collect();
        let mut exact_pieces = Decimal::ZERO;
        for c in mine.iter().filter(|c| placed[c.placed].in_period && c.piece > Decimal::ZERO) {
            line.placements += 1;
            exact_pieces += c.piece;
        }
        line.pieces = Rounding::HalfUp.apply(settle(exact_pieces), 2);
        let mut active = line.placements > 0;
        for (info, rounding) in &ledgers {
            let ctx = PersonLedger {
                person,
                key: &info.key,
                months: &months,
                first,
                month_policy: &month_policy,
                placed: &placed,
                credits: &mine,
                adjustments: &adjustments,
                quotas: &quotas,
            };
            let (total, mut trail) = ctx.run();
            let rounded = rounding.apply(settle(total), info.scale);
            if rounded != total {
                let running = trail.last().map_or(total, |s| s.total) + rounded - total;
                trail.push(TrailStep {
                    placement_id: None,
                    ledger: info.key.clone(),
                    rule: "round".into(),
                    detail: format!("按{}保留{}位小数", rounding.zh(), info.scale),
                    value: rounded - total,
                    total: running,
                });
            }
            active |= !trail.is_empty() || !rounded.is_zero();
            line.ledgers.insert(info.key.clone(), rounded);
            line.trail.extend(trail);
        }
        if period.kind == PeriodKind::Year && active {
            award(&mut line, person, statement_policy, &placed, &mine);
        }
        if active {
            lines.push(line);
        }
    }

    let units = unit_lines(input, &unit_names, &ledgers, &lines, &credits, &placed, &quotas, first);
    let unit_order: BTreeMap<Option<UnitId>, usize> = units.iter().enumerate().map(|(i, u)| (u.unit_id, i)).collect();
    lines.sort_by(|a, b| {
        let ua = unit_order.get(&a.unit_id).copied().unwrap_or(usize::MAX);
        let ub = unit_order.get(&b.unit_id).copied().unwrap_or(usize::MAX);
        (ua, &a.name, a.correspondent_id).cmp(&(ub, &b.name, b.correspondent_id))
    });
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    for (info, _) in &ledgers {
        let sum: Decimal = units.iter().map(|u| u.ledgers.get(&info.key).copied().unwrap_or_default()).sum();
        let mut sum = sum;
        sum.rescale(info.scale);
        totals.insert(info.key.clone(), sum);
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
struct Step {
    rule: String,
    detail: String,
    value: Decimal,
    total: Decimal,
}

/// A placement with the policy it falls under and its value in each of that policy's ledgers.
struct Placed<'a> {
    item: &'a Item,
    policy: &'a Policy,
    month: usize,
    in_period: bool,
    /// Ledger key → value and steps, after duplicates, before the split.
    values: BTreeMap<String, (Decimal, Vec<Step>)>,
    /// Counts as a piece (a manuscript counted in an earlier placement does not).
    counted: bool,
}

fn place<'a>(
    input: &Input<'a>,
    policies: &[&'a Policy],
    people: &BTreeMap<CorrespondentId, &Person>,
    months: &[Period],
    first: usize,
) -> Result<Vec<Placed<'a>>, ComputeError> {
    let period = &input.period;
    let year_start = period.year_start();
    let mut items: Vec<&'a Item> = input.items.iter().filter(|i| year_start <= i.date && i.date <= period.to).collect();
    items.sort_by_key(|i| (i.date, i.placement_id));
    let mut seen = BTreeSet::new();
    let mut placed = Vec::new();
    for item in items {
        if !seen.insert(item.placement_id) {
            return Err(ComputeError::DuplicatePlacement(item.placement_id));
        }
        let in_period = period.contains(item.date);
        let Some(policy) = policies.iter().copied().find(|p| p.in_force(item.date)) else {
            if in_period {
                return Err(ComputeError::NoPolicy { date: item.date, title: item.title.clone() });
            }
            // Before the period and under no policy: it earned nothing then, so it uses no cap now.
            continue;
        };
        if let Some(a) = item.authors.iter().find(|a| !people.contains_key(&a.correspondent_id)) {
            return Err(ComputeError::UnknownAuthor { title: item.title.clone(), correspondent: a.correspondent_id });
        }
        let month = months.iter().position(|m| m.contains(item.date)).unwrap_or(first);
        // Months before the period are computed silently: their values only, no trail text.
        let values = policy
            .ledgers
            .iter()
            .map(|l| {
                (l.key.clone(), if in_period { evaluate(item, l) } else { (evaluate_quietly(item, l), Vec::new()) })
            })
            .collect();
        placed.push(Placed { item, policy, month, in_period, values, counted: true });
    }
    apply_duplicates(&mut placed);
    Ok(placed)
}

/// A placement's value in one ledger: the first base rule that matches, then every bonus in
/// file order (only the first of each group).
fn evaluate(item: &Item, ledger: &Ledger) -> (Decimal, Vec<Step>) {
    let mut steps = Vec::new();
    let mut value = Decimal::ZERO;
    match ledger.base.iter().find_map(|r| r.apply(item, Decimal::ZERO).map(|(v, d)| (r, v, d))) {
        Some((rule, v, detail)) => {
            value = v;
            steps.push(Step { rule: rule.id.clone(), detail, value: v, total: v });
        }
        None => steps.push(Step {
            rule: "base.none".into(),
            detail: "没有符合的基础分值规则，计0".into(),
            value: Decimal::ZERO,
            total: Decimal::ZERO,
        }),
    }
    let mut groups_done: BTreeSet<&str> = BTreeSet::new();
    for rule in &ledger.bonus {
        if rule.group.as_deref().is_some_and(|g| groups_done.contains(g)) {
            continue;
        }
        if let Some((new, detail)) = rule.apply(item, value) {
            if let Some(g) = rule.group.as_deref() {
                groups_done.insert(g);
            }
            steps.push(Step { rule: rule.id.clone(), detail, value: new - value, total: new });
            value = new;
        }
    }
    (value, steps)
}

/// `evaluate`'s value without its steps.
fn evaluate_quietly(item: &Item, ledger: &Ledger) -> Decimal {
    let mut value = ledger.base.iter().find_map(|r| r.value(item, Decimal::ZERO)).unwrap_or(Decimal::ZERO);
    let mut groups_done: Vec<&str> = Vec::new();
    for rule in &ledger.bonus {
        if rule.group.as_deref().is_some_and(|g| groups_done.contains(&g)) {
            continue;
        }
        if let Some(new) = rule.value(item, value) {
            if let Some(g) = rule.group.as_deref() {
                groups_done.push(g);
            }
            value = new;
        }
    }
    value
}

/// Under `duplicates = "best"` a manuscript placed several times counts once per ledger at its
/// best value. Within a month the best placement pays; in a later month a better placement pays
/// only the difference to what was already counted, so the year adds up to the best and an
/// earlier month's figures never change. The piece itself counts once, in the first month.
fn apply_duplicates(placed: &mut [Placed]) {
    let mut groups: BTreeMap<ManuscriptId, Vec<usize>> = BTreeMap::new();
    for (i, p) in placed.iter().enumerate() {
        if let Some(m) = p.item.manuscript_id {
            groups.entry(m).or_default().push(i);
        }
    }
    for members in groups.values().filter(|m| m.len() > 1) {
        let months: BTreeSet<usize> = members.iter().map(|&i| placed[i].month).collect();
        let keys: BTreeSet<String> = members.iter().flat_map(|&i| placed[i].values.keys().cloned()).collect();
        // Pieces: the first month's best placement (by the policy's first ledger) is the one counted.
        let mut counted_before = false;
        for &month in &months {
            let in_month: Vec<usize> = members.iter().copied().filter(|&i| placed[i].month == month).collect();
            let best: Vec<usize> =
                in_month.iter().copied().filter(|&i| placed[i].policy.duplicates == Duplicates::Best).collect();
            let primary = |i: usize| {
                let p = &placed[i];
                p.policy.ledgers.first().and_then(|l| p.values.get(&l.key)).map_or(Decimal::ZERO, |v| v.0)
            };
            let chosen = pick_best(&best, placed, primary);
            for &i in &best {
                placed[i].counted = !counted_before && Some(i) == chosen;
            }
            counted_before = true;
        }
        for key in &keys {
            let mut already = Decimal::ZERO;
            for &month in &months {
                let in_month: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| placed[i].month == month && placed[i].values.contains_key(key))
                    .collect();
                let mut month_max = Decimal::ZERO;
                for &i in &in_month {
                    if placed[i].policy.duplicates == Duplicates::All {
                        month_max = month_max.max(placed[i].values[key].0);
                    }
                }
                let best: Vec<usize> =
                    in_month.iter().copied().filter(|&i| placed[i].policy.duplicates == Duplicates::Best).collect();
                let value_of = |i: usize| placed[i].values.get(key).map_or(Decimal::ZERO, |v| v.0);
                let chosen = pick_best(&best, placed, value_of);
                let chosen_outlet = chosen.map(|c| placed[c].item.outlet.clone()).unwrap_or_default();
                for &i in &best {
                    let (value, steps) = placed[i].values.get_mut(key).expect("filtered on the key");
                    let pay = if Some(i) == chosen { (*value - already).max(Decimal::ZERO) } else { Decimal::ZERO };
                    if pay != *value {
                        let detail = if Some(i) != chosen {
                            format!("同一稿件本月在《{chosen_outlet}》的采用计分更高，本次不计")
                        } else if pay.is_zero() {
                            format!("同一稿件此前已按 {} 计，本次不再计", already.normalize())
                        } else {
                            format!("同一稿件此前已按 {} 计，本次补差 {}", already.normalize(), pay.normalize())
                        };
                        steps.push(Step { rule: "duplicate.best".into(), detail, value: pay - *value, total: pay });
                    }
                    month_max = month_max.max(*value);
                    *value = pay;
                }
                already = already.max(month_max);
            }
        }
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
struct Credit {
    person: CorrespondentId,
    placed: usize,
    /// Share-weighted piece (zero when the placement is not counted as a piece).
    piece: Decimal,
    /// Ledger key → part and the steps that led to it.
    parts: BTreeMap<String, (Decimal, Vec<Step>)>,
}

fn split(placed: &[Placed]) -> Vec<Credit> {
    let mut out = Vec::new();
    for (index, p) in placed.iter().enumerate() {
        let plan = p.policy.split.plan(p.item);
        let shares = plan.parts(Decimal::ONE);
        let ledger_parts: BTreeMap<&String, Vec<Decimal>> =
            p.values.iter().map(|(k, (v, _))| (k, plan.parts(*v))).collect();
        for (a, author) in p.item.authors.iter().enumerate() {
            let piece = if p.counted { shares[a] } else { Decimal::ZERO };
            let mut parts = BTreeMap::new();
            for (key, (whole, steps)) in &p.values {
                let part = ledger_parts[key][a];
                let mut steps = steps.clone();
                let solo = p.item.authors.len() == 1 && !p.item.has_external_authors;
                if p.in_period && (!solo || part != *whole) {
                    steps.push(Step {
                        rule: plan.rule.clone(),
                        detail: format!(
                            "{}；本人第{}作者：{} → {}",
                            plan.detail,
                            a + 1,
                            whole.normalize(),
                            part.normalize()
                        ),
                        value: part - *whole,
                        total: part,
                    });
                }
                parts.insert(key.clone(), (part, steps));
            }
            out.push(Credit { person: author.correspondent_id, placed: index, piece, parts });
        }
    }
    out
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

fn evaluate_quotas(
    input: &Input,
    months: &[Period],
    month_policy: &[Option<&Policy>],
    pieces: &BTreeMap<(CorrespondentId, usize), Decimal>,
) -> Vec<QuotaCheck> {
    let mut units: Vec<&UnitInfo> = input.units.iter().collect();
    units.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
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
            for unit in &units {
                if quota.units.as_ref().is_some_and(|names| !names.contains(&unit.name)) {
                    continue;
                }
                let members: Vec<CorrespondentId> =
                    input.people.iter().filter(|p| p.unit_id == Some(unit.id)).map(|p| p.id).collect();
                let got: Decimal = pieces
                    .iter()
                    .filter(|((who, m), _)| members.contains(who) && window.contains(m))
                    .map(|(_, n)| *n)
                    .sum();
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
    months: &'a [Period],
    first: usize,
    month_policy: &'a [Option<&'a Policy>],
    placed: &'a [Placed<'a>],
    credits: &'a [&'a Credit],
    adjustments: &'a [&'a Adjustment],
    quotas: &'a [QuotaCheck],
}

/// Collects the trail of the period's months; earlier months are computed silently.
struct Trail<'a> {
    key: &'a str,
    steps: Vec<TrailStep>,
    running: Decimal,
    on: bool,
}

impl Trail<'_> {
    fn push(&mut self, rule: impl Into<String>, detail: String, value: Decimal) {
        if self.on {
            self.running += value;
            self.steps.push(TrailStep {
                placement_id: None,
                ledger: self.key.to_string(),
                rule: rule.into(),
                detail,
                value,
                total: self.running,
            });
        }
    }
}

fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

impl PersonLedger<'_> {
    /// The period's unrounded total and its trail.
    fn run(&self) -> (Decimal, Vec<TrailStep>) {
        let mut trail = Trail { key: self.key, steps: Vec::new(), running: Decimal::ZERO, on: false };
        let mut total = Decimal::ZERO;
        let (mut quarter_capped, mut year_capped) = (Decimal::ZERO, Decimal::ZERO);
        let (mut quarter_final, mut year_final) = (Decimal::ZERO, Decimal::ZERO);
        let mut granted: BTreeSet<(PeriodKind, usize)> = BTreeSet::new();
        for (m, month) in self.months.iter().enumerate() {
            let calendar = usize::from(u8::from(month.from.month())) - 1;
            if calendar % 3 == 0 {
                quarter_capped = Decimal::ZERO;
                quarter_final = Decimal::ZERO;
            }
            trail.on = m >= self.first;
            let ledger = self.month_policy[m].and_then(|p| p.ledger(self.key));

            // Earnings: placement parts, the allowance, manual bonuses.
            let mut earned = Decimal::ZERO;
            let mut count = 0;
            for c in self.credits.iter().filter(|c| self.placed[c.placed].month == m) {
                let Some((part, steps)) = c.parts.get(self.key) else { continue };
                earned += *part;
                count += 1;
                if trail.on {
                    let id = self.placed[c.placed].item.placement_id;
                    trail.steps.extend(steps.iter().map(|s| TrailStep {
                        placement_id: Some(id),
                        ledger: self.key.to_string(),
                        rule: s.rule.clone(),
                        detail: s.detail.clone(),
                        value: s.value,
                        total: s.total,
                    }));
                }
            }
            if count > 0 {
                trail.push("sum", format!("{}稿件合计（{count}篇次）", month.zh()), earned);
            }
            if let Some(a) = ledger.and_then(|l| l.allowance.as_ref())
                && a.kinds.as_ref().is_none_or(|k| k.contains(&self.person.kind))
                && granted.insert((a.per, calendar / usize::from(a.per.months())))
            {
                earned += a.amount;
                trail.push(format!("allowance.{}", a.per.code()), format!("每{}基础额度", a.per.zh()), a.amount);
            }
            let adjustments: Vec<&&Adjustment> = self
                .adjustments
                .iter()
                .filter(|a| a.correspondent_id == self.person.id && a.ledger == self.key && month.contains(a.date))
                .collect();
            for a in adjustments.iter().filter(|a| a.amount > Decimal::ZERO) {
                earned += a.amount;
                trail.push("adjust", format!("人工调整（{}）：{}", crate::format_date(a.date), a.reason), a.amount);
            }

            // Caps, each counting what earlier months of its period already used.
            let mut value = earned;
            if let Some(l) = ledger {
                if let Some(cap) = l.cap.month
                    && settle(value) > cap
                {
                    trail.push("cap.month", format!("超出每月上限 {}，核减", n(cap)), cap - value);
                    value = cap;
                }
                if let Some(cap) = l.cap.quarter {
                    let room = (cap - quarter_capped).max(Decimal::ZERO);
                    if settle(value) > settle(room) {
                        let detail = format!("本季度此前已计 {}，季度上限 {}，核减", n(quarter_capped), n(cap));
                        trail.push("cap.quarter", detail, room - value);
                        value = room;
                    }
                }
                if let Some(cap) = l.cap.year {
                    let room = (cap - year_capped).max(Decimal::ZERO);
                    if settle(value) > settle(room) {
                        let detail = format!("本年此前已计 {}，年度上限 {}，核减", n(year_capped), n(cap));
                        trail.push("cap.year", detail, room - value);
                        value = room;
                    }
                }
            }
            quarter_capped += value;
            year_capped += value;

            // Deductions come after the caps so that they always bite.
            for a in adjustments.iter().filter(|a| a.amount < Decimal::ZERO) {
                value += a.amount;
                trail.push("adjust", format!("人工调整（{}）：{}", crate::format_date(a.date), a.reason), a.amount);
            }
            if let Some(unit) = self.person.unit_id {
                for q in self
                    .quotas
                    .iter()
                    .filter(|q| q.month == m && q.unit_id == unit && q.missed && q.target == PenaltyTarget::EachMember)
                {
                    if let Some(p) = q.penalty.get(self.key) {
                        value -= *p;
                        let detail = format!(
                            "本单位未完成{}（{} / {} 篇），每人扣减 {}",
                            q.name,
                            n(q.pieces.round_dp(2)),
                            n(q.min),
                            n(*p)
                        );
                        trail.push(format!("quota.{}", q.id), detail, -*p);
                    }
                }
            }

            // Floors last: a quarter or year floor is topped up in its final month.
            if let Some(l) = ledger
                && let Some(floor) = l.floor.month
                && settle(value) < floor
            {
                trail.push("floor.month", format!("低于每月下限 {}，补足", n(floor)), floor - value);
                value = floor;
            }
            quarter_final += value;
            year_final += value;
            if let Some(l) = ledger {
                if calendar % 3 == 2
                    && let Some(floor) = l.floor.quarter
                    && settle(quarter_final) < floor
                {
                    let lift = floor - quarter_final;
                    trail.push(
                        "floor.quarter",
                        format!("本季度合计 {}，低于季度下限 {}，补足", n(quarter_final), n(floor)),
                        lift,
                    );
                    value += lift;
                    quarter_final += lift;
                    year_final += lift;
                }
                if calendar == 11
                    && let Some(floor) = l.floor.year
                    && settle(year_final) < floor
                {
                    let lift = floor - year_final;
                    trail.push(
                        "floor.year",
                        format!("全年合计 {}，低于年度下限 {}，补足", n(year_final), n(floor)),
                        lift,
                    );
                    value += lift;
                    year_final += lift;
                }
            }
            if m >= self.first {
                total += value;
            }
        }
        (total, trail.steps)
    }
}

/// The annual awards a person earns, first qualifying first; adds a trail step for each.
fn award(line: &mut PersonLine, person: &Person, policy: &Policy, placed: &[Placed], mine: &[&Credit]) {
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
            let (label, have) = if metric == "pieces" {
                ("全年计篇".to_string(), counted)
            } else {
                let label = policy.ledger(metric).map_or(metric.clone(), |l| format!("全年{}", l.label));
                (label, line.ledgers.get(metric).copied().unwrap_or_default())
            };
            reasons.push(format!("{label} {} ≥ {}", n(have), n(*min)));
            have >= *min
        });
        if met {
            line.awards.push(a.name.clone());
            line.trail.push(TrailStep {
                placement_id: None,
                ledger: "award".into(),
                rule: format!("award.{}", a.name),
                detail: format!("{}：{}", a.name, reasons.join("；")),
                value: Decimal::ZERO,
                total: Decimal::ZERO,
            });
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
    credits: &[Credit],
    placed: &[Placed],
    quotas: &[QuotaCheck],
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
    let unit_of: BTreeMap<CorrespondentId, Option<UnitId>> = input.people.iter().map(|p| (p.id, p.unit_id)).collect();

    ids.into_iter()
        .map(|id| {
            let members: Vec<&PersonLine> = lines.iter().filter(|l| l.unit_id == id).collect();
            let counted: BTreeSet<PlacementId> = credits
                .iter()
                .filter(|c| c.piece > Decimal::ZERO && placed[c.placed].in_period)
                .filter(|c| unit_of.get(&c.person).copied().flatten() == id)
                .map(|c| placed[c.placed].item.placement_id)
                .collect();
            let exact: Decimal = credits
                .iter()
                .filter(|c| placed[c.placed].in_period && unit_of.get(&c.person).copied().flatten() == id)
                .map(|c| c.piece)
                .sum();
            let checks: Vec<&QuotaCheck> =
                quotas.iter().filter(|q| Some(q.unit_id) == id && q.month >= first).collect();
            let mut penalty: BTreeMap<String, Decimal> = BTreeMap::new();
            for q in checks.iter().filter(|q| q.missed && q.target == PenaltyTarget::Unit) {
                for (key, amount) in &q.penalty {
                    if ledgers.iter().any(|(l, _)| &l.key == key) {
                        *penalty.entry(key.clone()).or_default() -= *amount;
                    }
                }
            }
            let mut sums = BTreeMap::new();
            for (info, _) in ledgers {
                let mut sum: Decimal =
                    members.iter().map(|l| l.ledgers.get(&info.key).copied().unwrap_or_default()).sum();
                sum += penalty.get(&info.key).copied().unwrap_or_default();
                sum.rescale(info.scale);
                sums.insert(info.key.clone(), sum);
            }
            UnitLine {
                unit_id: id,
                name: name_of(id),
                placements: counted.len() as u32,
                pieces: Rounding::HalfUp.apply(settle(exact), 2),
                ledgers: sums,
                quota: if checks.is_empty() { None } else { Some(checks.iter().map(|q| q.min).sum()) },
                missed_quota: checks.iter().any(|q| q.missed),
                penalty,
            }
        })
        .collect()
}
