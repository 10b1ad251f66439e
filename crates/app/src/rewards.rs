//! Rewards, end to end: loading policies, computing a period's statement with the domain's
//! engine, the notice (公示) with its objection window, objections (异议), confirmation and
//! payments (兑现). Every action is in the audit log; a published notice is a frozen snapshot
//! with its SHA-256, so later changes show up in the next statement, never in the old one.

use crate::Actor;
use crate::access::require;
use crate::{Error, Result};
use domain::policy::{self, Period, Policy, Statement};
use domain::*;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use store::{PolicyRecord, Scope, StatementRecord, Store};
use time::Date;

/// Parses a policy file, or every problem with its line.
pub fn check_policy(text: &str) -> Result<Policy, Vec<policy::PolicyError>> {
    policy::parse_policy(text)
}

fn policy_errors(errors: Vec<policy::PolicyError>) -> Error {
    Error::Invalid(FieldErrors(errors.into_iter().map(|e| FieldError::new("source", e.to_string())).collect()))
}

/// Stores a policy for the station: it must parse, name only the station's units in its
/// quotas and awards, and not overlap another. The store writes its audit row with it.
pub async fn load_policy(store: &Store, station: StationId, by: UserId, text: &str) -> Result<PolicyRecord> {
    let policy = check_policy(text).map_err(policy_errors)?;
    let units = store.units(station).await?;
    let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
    policy::check_units(text, &policy, &names).map_err(policy_errors)?;
    let record = store
        .create_policy(station, &policy.name, policy.valid_from, policy.valid_to, text, by, |existing| {
            let parsed: Vec<Policy> = existing.iter().filter_map(|p| policy::parse_policy(&p.source).ok()).collect();
            policy::check_overlap(&policy, &parsed).map_err(|e| e.to_string())
        })
        .await?;
    Ok(record)
}

pub async fn load_policy_as(store: &Store, actor: &Actor, text: &str) -> Result<PolicyRecord> {
    require(crate::access::can_manage_network(actor.role()))?;
    load_policy(store, actor.station()?, actor.user.id, text).await
}

/// The station's policies, parsed.
pub async fn station_policies(store: &Store, station: StationId) -> Result<Vec<Policy>> {
    let mut out = Vec::new();
    for p in store.policies(station).await? {
        out.push(
            policy::parse_policy(&p.source)
                .map_err(|e| Error::Internal(anyhow::anyhow!("stored policy {} no longer parses: {:?}", p.id, e)))?,
        );
    }
    Ok(out)
}

/// What the engine needs besides the placements, loaded once for any number of periods.
pub struct RewardData {
    pub policies: Vec<Policy>,
    /// Everyone, with whether they are active.
    pub people: Vec<(policy::Person, bool)>,
    pub units: Vec<policy::UnitInfo>,
    pub adjustments: Vec<policy::Adjustment>,
}

impl RewardData {
    /// Loads the station's policies, people, units and the adjustments dated from 1 January of
    /// `from`'s year to `to`: a month's statement computes the year's earlier months too (for
    /// quarter and year caps and floors), and they must see their adjustments.
    pub async fn load(store: &Store, station: StationId, from: Date, to: Date) -> Result<RewardData> {
        let from = Period::year(from.year()).from;
        let policies = station_policies(store, station).await?;
        let people = store
            .all_correspondents(station)
            .await?
            .into_iter()
            .map(|c| (policy::Person { id: c.id, name: c.name, unit_id: c.unit_id, kind: c.kind }, c.active))
            .collect();
        let units =
            store.units(station).await?.into_iter().map(|u| policy::UnitInfo { id: u.id, name: u.name }).collect();
        let adjustments = store
            .adjustments(station, from, to)
            .await?
            .into_iter()
            .map(|a| policy::Adjustment {
                correspondent_id: a.correspondent_id,
                ledger: a.ledger,
                amount: Decimal::new(a.amount_cents, 2),
                reason: a.reason,
                date: a.effective_on,
            })
            .collect();
        Ok(RewardData { policies, people, units, adjustments })
    }

    /// Runs the engine for one period over `items` (which may start before the period).
    pub fn run(&self, period: &Period, items: &[policy::Item]) -> Result<Statement> {
        self.run_with(period, items, &[], None, policy::compute)
    }

    /// `run` with corrections carried in from earlier notices.
    pub fn run_corrected(
        &self,
        period: &Period,
        items: &[policy::Item],
        corrections: &[policy::Correction],
    ) -> Result<Statement> {
        self.run_with(period, items, corrections, None, policy::compute)
    }

    /// A published notice's period computed again today (figures only: only they are
    /// compared), with the corrections it carried and the people it `listed` plus those
    /// involved (on a byline, adjusted or corrected) instead of those active today: someone who
    /// left since keeps the allowance they were paid, someone who joined since gets none for a
    /// month before they joined, and no false correction is carried.
    pub fn recheck(
        &self,
        period: &Period,
        items: &[policy::Item],
        corrections: &[policy::Correction],
        listed: &[CorrespondentId],
    ) -> Result<Statement> {
        self.run_with(period, items, corrections, Some(listed), policy::compute_figures)
    }

    /// `run` without the trails: the same figures, for rankings and charts.
    pub fn run_figures(&self, period: &Period, items: &[policy::Item]) -> Result<Statement> {
        self.run_with(period, items, &[], None, policy::compute_figures)
    }

    fn run_with(
        &self,
        period: &Period,
        items: &[policy::Item],
        corrections: &[policy::Correction],
        listed: Option<&[CorrespondentId]>,
        engine: fn(&policy::Input) -> Result<Statement, policy::ComputeError>,
    ) -> Result<Statement> {
        // Every adjustment from 1 January to the period's end: the engine computes the earlier
        // months too, and their adjustments use up (or free) quarter and year limits.
        let year_start = period.year_start();
        let adjustments: Vec<policy::Adjustment> =
            self.adjustments.iter().filter(|a| year_start <= a.date && a.date <= period.to).cloned().collect();
        // Allowances and floors go to everyone the engine is given: give it the active people,
        // and anyone else who is on a byline, adjusted or corrected this period.
        // (Every byline the engine is given counts: earlier months are computed too.)
        let involved: std::collections::HashSet<CorrespondentId> = items
            .iter()
            .filter(|i| i.date <= period.to)
            .flat_map(|i| i.authors.iter().map(|a| a.correspondent_id))
            .chain(adjustments.iter().map(|a| a.correspondent_id))
            .chain(corrections.iter().map(|c| c.correspondent_id))
            .chain(listed.unwrap_or_default().iter().copied())
            .collect();
        let people: Vec<policy::Person> = self
            .people
            .iter()
            .filter(|(p, active)| (*active && listed.is_none()) || involved.contains(&p.id))
            .map(|(p, _)| p.clone())
            .collect();
        let input = policy::Input {
            period: period.clone(),
            policies: &self.policies,
            items,
            people: &people,
            units: &self.units,
            adjustments: &adjustments,
            corrections,
        };
        engine(&input).map_err(|e| Error::Conflict(e.to_string()))
    }
}

/// The first day whose placements can change `period`'s figures under `policies`. The engine
/// computes every month from 1 January, but earlier months only matter through year or quarter
/// limits, quarterly quotas or "best placement only"; loading more than they need costs time.
pub fn lookback_start(policies: &[Policy], period: &Period) -> Date {
    let year_start = period.year_start();
    if period.kind != policy::PeriodKind::Month {
        return year_start;
    }
    let year_end = Period::year(period.from.year()).to;
    let mut start = period.from;
    for p in policies.iter().filter(|p| p.in_force_during(year_start, year_end)) {
        let yearly = p.duplicates == policy::Duplicates::Best
            || p.quotas.iter().any(|q| q.per == policy::PeriodKind::Year)
            || p.ledgers.iter().any(|l| l.cap.year.is_some() || l.floor.year.is_some());
        if yearly {
            return year_start;
        }
        let quarterly = p.quotas.iter().any(|q| q.per == policy::PeriodKind::Quarter)
            || p.ledgers.iter().any(|l| l.cap.quarter.is_some() || l.floor.quarter.is_some());
        if quarterly {
            start = start.min(Period::containing(policy::PeriodKind::Quarter, period.from).from);
        }
    }
    start
}

/// Computes a period's statement from the current data, with the corrections it carries.
pub async fn compute(store: &Store, station: StationId, period: &Period) -> Result<Statement> {
    Ok(compute_with_corrections(store, station, period).await?.statement)
}

/// How far back published notices are rechecked for later changes.
const CORRECTION_MONTHS: i64 = 12;

/// A computed statement with what it carries and what it was computed against.
pub struct Computed {
    pub statement: Statement,
    pub carried: Vec<store::CarriedCorrection>,
    /// The published statements seen (see `Store::save_draft`).
    pub basis: String,
}

fn to_domain(c: &store::CarriedCorrection) -> policy::Correction {
    policy::Correction {
        correspondent_id: c.correspondent_id,
        ledger: c.ledger.clone(),
        amount: Decimal::new(c.amount_cents, 2),
        from_period: c.from_period.clone(),
    }
}

/// Computes a period's statement. Published notices of the twelve months before the period are
/// recomputed from today's data, each with the corrections it carried itself; where a figure
/// differs from what was published, less what later notices already carried from it, the
/// difference is carried into this period as a correction (added after caps and floors), so
/// the old notice never changes and every difference is paid once.
pub async fn compute_with_corrections(store: &Store, station: StationId, period: &Period) -> Result<Computed> {
    // Read first: a notice published after this read makes the draft stale, never wrong.
    let basis = store.statement_basis(station).await?;
    let earliest = period.from.checked_sub(time::Duration::days(31 * CORRECTION_MONTHS)).unwrap_or(period.from);
    let earlier: Vec<(StatementRecord, Period)> = store
        .statements(station)
        .await?
        .into_iter()
        .filter(|s| s.status != StatementStatus::Draft)
        .filter_map(|s| Period::parse(&s.period).ok().map(|p| (s, p)))
        .filter(|(_, p)| p.to < period.from && p.from >= earliest)
        .collect();
    let from =
        earlier.iter().map(|(_, p)| p.year_start()).min().unwrap_or(period.year_start()).min(period.year_start());
    let data = RewardData::load(store, station, from, period.to).await?;
    // Items from as far back as any recomputed notice, or the policy's limits, need.
    let from = if earlier.is_empty() { lookback_start(&data.policies, period) } else { from };
    let items = store.reward_items(station, from, period.to).await?;
    let mut carried = Vec::new();
    for (s, p) in &earlier {
        let carried_in: Vec<policy::Correction> =
            store.corrections_into(Scope::Station(station), s.id).await?.iter().map(to_domain).collect();
        let published = parse_snapshot(s)?;
        let listed: Vec<CorrespondentId> = published.lines.iter().map(|l| l.correspondent_id).collect();
        let now = data
            .recheck(p, &items, &carried_in, &listed)
            .map_err(|e| Error::Conflict(format!("无法重新核算已公示的{}，不能计算更正：{}", p.zh(), e.message())))?;
        let already: Vec<policy::Correction> =
            store.corrections_from(Scope::Station(station), s.id).await?.iter().map(to_domain).collect();
        for c in policy::carry(&published, &now, &already) {
            let cents = c
                .amount
                .checked_mul(Decimal::from(100))
                .filter(|x| x.fract().is_zero())
                .and_then(|x| i64::try_from(x).ok())
                .ok_or_else(|| Error::Conflict(format!("更正金额 {} 超出范围或超过两位小数", c.amount)))?;
            carried.push(store::CarriedCorrection {
                from_statement_id: s.id,
                from_period: s.period.clone(),
                correspondent_id: c.correspondent_id,
                ledger: c.ledger,
                amount_cents: cents,
            });
        }
    }
    let corrections: Vec<policy::Correction> = carried.iter().map(to_domain).collect();
    let statement = data.run_corrected(period, &items, &corrections)?;
    Ok(Computed { statement, carried, basis })
}

/// The corrections a statement for the month after the latest published one would carry now:
/// empty when every change to a published notice has been carried exactly once. (A correction
/// carried twice shows here as its opposite.)
pub async fn outstanding_corrections(store: &Store, station: StationId) -> Result<Vec<store::CarriedCorrection>> {
    let latest = store
        .statements(station)
        .await?
        .into_iter()
        .filter(|s| s.status != StatementStatus::Draft)
        .filter_map(|s| Period::parse(&s.period).ok())
        .map(|p| p.to)
        .max();
    let Some(end) = latest else { return Ok(Vec::new()) };
    let next = end.next_day().map(|d| Period::containing(policy::PeriodKind::Month, d));
    let Some(next) = next else { return Ok(Vec::new()) };
    Ok(compute_with_corrections(store, station, &next).await?.carried)
}

/// A ranking for a period against the period before. Each period is one task that reads its
/// placements (on its own connection) and then computes on a blocking thread, so the two
/// periods overlap; only a ranking by outlet needs the trails (an outlet's figure is the sum
/// of the steps tied to its placements).
pub async fn ranking(
    store: &Store,
    station: StationId,
    period: &Period,
    by: domain::ranking::RankBy,
    ledger: &str,
) -> Result<domain::ranking::Ranking> {
    let previous = period.previous();
    let data = std::sync::Arc::new(RewardData::load(store, station, previous.year_start(), period.to).await?);
    let figures = by != domain::ranking::RankBy::Outlet;
    let task = |p: &Period| {
        let (store, data, p) = (store.clone(), data.clone(), p.clone());
        tokio::spawn(async move {
            let items = store.reward_items(station, lookback_start(&data.policies, &p), p.to).await?;
            let computed = tokio::task::spawn_blocking(move || {
                let statement = if figures { data.run_figures(&p, &items) } else { data.run(&p, &items) };
                (statement, items)
            });
            computed.await.map_err(|e| Error::Internal(e.into()))
        })
    };
    let (now_task, before_task) = (task(period), task(&previous));
    let (now, items) = now_task.await.map_err(|e| Error::Internal(e.into()))??;
    let (before, items_before) = before_task.await.map_err(|e| Error::Internal(e.into()))??;
    let now = now?;
    if !now.ledgers.iter().any(|l| l.key == ledger) {
        let keys: Vec<&str> = now.ledgers.iter().map(|l| l.key.as_str()).collect();
        return Err(Error::BadRequest(format!("账目“{ledger}”不存在，可用：{}", keys.join("、"))));
    }
    // The previous period may have no policy in force: then there is nothing to compare with.
    let before = before.ok();
    let prev = before.as_ref().map(|s| (&previous, s, items_before.as_slice()));
    Ok(domain::ranking::rank(by, ledger, (period, &now, &items), prev))
}

/// Each unit's monthly figure in `ledger` over a year, for the trend chart: twelve month
/// statements over the year's placements, figures only, on two threads.
pub async fn year_trend(
    store: &Store,
    station: StationId,
    year: i32,
    ledger: &str,
) -> Result<(Vec<String>, Vec<(String, Vec<Option<Decimal>>)>)> {
    let year_period = Period::parse(&year.to_string()).map_err(Error::BadRequest)?;
    let data = RewardData::load(store, station, year_period.from, year_period.to).await?;
    let items = store.reward_items(station, year_period.from, year_period.to).await?;
    let months = year_period.months();
    // A month's statement computes every month from January, so later months cost more:
    // the threads take alternate months to share the work evenly.
    let run = |parity: usize| -> Vec<(usize, Option<Statement>)> {
        let mine = months.iter().enumerate().skip(parity).step_by(2);
        mine.map(|(i, m)| (i, data.run_figures(m, &items).ok())).collect()
    };
    let (mut statements, odd) = std::thread::scope(|s| {
        let odd = s.spawn(|| run(1));
        (run(0), odd.join())
    });
    statements.extend(odd.map_err(|_| Error::Internal(anyhow::anyhow!("the trend's second thread panicked")))?);
    statements.sort_by_key(|(i, _)| *i);
    let labels = months.iter().map(|m| format!("{}月", u8::from(m.from.month()))).collect();
    let mut per_unit: std::collections::BTreeMap<String, Vec<Option<Decimal>>> =
        data.units.iter().map(|u| (u.name.clone(), Vec::new())).collect();
    for (_, statement) in &statements {
        for (name, values) in per_unit.iter_mut() {
            let v = statement
                .as_ref()
                .and_then(|s| s.units.iter().find(|u| &u.name == name))
                .map(|u| u.ledgers.get(ledger).copied().unwrap_or_default());
            values.push(v);
        }
    }
    Ok((labels, per_unit.into_iter().collect()))
}

/// The snapshot's text and its SHA-256.
pub fn snapshot(statement: &Statement) -> Result<(String, String)> {
    let text = serde_json::to_string(statement).map_err(|e| Error::Internal(e.into()))?;
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    Ok((text, hash))
}

/// Computes and saves (or replaces) the period's draft; the store writes the audit row with it.
pub async fn draft(store: &Store, actor: &Actor, period: &Period) -> Result<StatementRecord> {
    require(crate::access::can_manage_network(actor.role()))?;
    let station = actor.station()?;
    store.check_period_free(station, &period.to_string()).await?;
    let computed = compute_with_corrections(store, station, period).await?;
    let (text, hash) = snapshot(&computed.statement)?;
    let record = store
        .save_draft(station, &period.to_string(), &text, &hash, actor.user.id, &computed.carried, &computed.basis)
        .await?;
    Ok(record)
}

/// A statement the user may see: staff and leaders all of their station's; others only
/// published ones (and correspondents only their own lines, see `visible_lines`).
pub async fn statement(store: &Store, actor: &Actor, id: StatementId) -> Result<StatementRecord> {
    let s = store.statement(actor.scope(), id).await?;
    let staff = matches!(actor.role(), Role::Admin | Role::Editor | Role::Leader);
    if !staff && s.status == StatementStatus::Draft {
        return Err(Error::NotFound);
    }
    Ok(s)
}

/// The station's reward policies: everyone but correspondents may read them.
pub async fn policies(store: &Store, actor: &Actor) -> Result<Vec<PolicyRecord>> {
    require(crate::access::can_view_network(actor.role()))?;
    Ok(store.policies(actor.station()?).await?)
}

/// What each person is owed and has been paid under a statement, in fen: for those who pay.
pub async fn payables(store: &Store, actor: &Actor, id: StatementId) -> Result<Vec<store::Payable>> {
    require(crate::access::can_manage_network(actor.role()))?;
    statement(store, actor, id).await?;
    Ok(store.payables(actor.scope(), id).await?)
}

/// One person's line of a statement as the statement page shows it: the figures, and what the
/// notice owes and has paid them (drafts owe nothing yet).
#[derive(Debug, Clone)]
pub struct LineWithMoney {
    pub line: domain::policy::PersonLine,
    pub owed_fen: i64,
    pub paid_fen: i64,
}

/// Everything the statement page shows, as far as the actor may see it: staff every line,
/// objection and payment; a liaison their unit's lines; anyone else their own line, objections
/// and payments.
#[derive(Debug, Clone)]
pub struct StatementSheet {
    pub record: StatementRecord,
    pub statement: Statement,
    pub lines: Vec<LineWithMoney>,
    pub objections: Vec<(store::ObjectionRecord, String)>,
    pub payments: Vec<(store::PaymentRecord, String)>,
    /// Admin, editor or leader: sees the whole statement.
    pub staff: bool,
    /// May publish, confirm, answer and pay.
    pub can_manage: bool,
    /// The actor has a line of their own (and may object while the window is open).
    pub my_line: bool,
    /// Published and its objection window not yet closed.
    pub window_open: bool,
}

pub async fn statement_sheet(store: &Store, actor: &Actor, id: StatementId) -> Result<StatementSheet> {
    let record = statement(store, actor, id).await?;
    let statement = parse_snapshot(&record)?;
    let staff = matches!(actor.role(), Role::Admin | Role::Editor | Role::Leader);
    let me = actor.user.correspondent_id;
    let payables = store.payables(actor.scope(), id).await?;
    let name_of = |c: CorrespondentId| {
        statement.lines.iter().find(|l| l.correspondent_id == c).map(|l| l.name.clone()).unwrap_or_default()
    };
    let visible = |line: &domain::policy::PersonLine| match actor.role() {
        Role::Admin | Role::Editor | Role::Leader => true,
        Role::Liaison => actor.user.unit_id.is_some() && line.unit_id == actor.user.unit_id,
        _ => Some(line.correspondent_id) == me,
    };
    let lines = statement
        .lines
        .iter()
        .filter(|l| visible(l))
        .map(|l| {
            let payable = payables.iter().find(|p| p.correspondent_id == l.correspondent_id);
            LineWithMoney {
                owed_fen: payable.map_or(0, |p| p.owed_fen),
                paid_fen: payable.map_or(0, |p| p.paid_fen),
                line: l.clone(),
            }
        })
        .collect();
    let objections = store
        .objections(actor.scope(), id)
        .await?
        .into_iter()
        .filter(|o| staff || Some(o.correspondent_id) == me)
        .map(|o| {
            let n = name_of(o.correspondent_id);
            (o, n)
        })
        .collect();
    let payments = store
        .payments(actor.scope(), id)
        .await?
        .into_iter()
        .filter(|p| staff || Some(p.correspondent_id) == me)
        .map(|p| {
            let n = name_of(p.correspondent_id);
            (p, n)
        })
        .collect();
    let today = crate::today();
    let window_open = record.status == StatementStatus::Published && record.objection_until.is_some_and(|u| today <= u);
    let my_line = me.is_some_and(|m| statement.lines.iter().any(|l| l.correspondent_id == m));
    Ok(StatementSheet {
        record,
        statement,
        lines,
        objections,
        payments,
        staff,
        can_manage: crate::access::can_manage_network(actor.role()),
        my_line,
        window_open,
    })
}

/// One of the station's policies, with its source text.
pub async fn policy(store: &Store, actor: &Actor, id: PolicyId) -> Result<PolicyRecord> {
    require(crate::access::can_view_network(actor.role()))?;
    Ok(store.policy(actor.station()?, id).await?)
}

/// The objection, for finding its statement (answering goes through [`answer`]).
pub async fn objection(store: &Store, actor: &Actor, id: ObjectionId) -> Result<store::ObjectionRecord> {
    Ok(store.objection(actor.scope(), id).await?)
}

/// A published notice, readable by anyone (no login): every station's, so no scope; drafts
/// are not found. With the name of its station.
pub async fn public_notice(store: &Store, id: StatementId) -> Result<(StatementRecord, Statement, String)> {
    let record = store.statement(Scope::All, id).await?;
    if record.status == StatementStatus::Draft {
        return Err(Error::NotFound);
    }
    let statement = parse_snapshot(&record)?;
    let station = store.station(record.station_id).await?;
    Ok((record, statement, station.name))
}

/// The month a ranking shows when none is asked for: this month, or the latest month with
/// placements when the station has none this month.
pub async fn default_month(store: &Store, station: StationId) -> Result<Period> {
    let today = crate::today();
    let (first, _) = crate::ops::month_of(today);
    let day = match store.latest_placement_date(station).await? {
        Some(latest) if latest < first => latest,
        _ => today,
    };
    Period::parse(&format!("{:04}-{:02}", day.year(), u8::from(day.month()))).map_err(Error::BadRequest)
}

/// The statements of the actor's station: staff see drafts too, everyone else only notices.
pub async fn statements(store: &Store, actor: &Actor) -> Result<Vec<StatementRecord>> {
    let staff = matches!(actor.role(), Role::Admin | Role::Editor | Role::Leader);
    let list = store.statements(actor.station()?).await?;
    Ok(list.into_iter().filter(|s| staff || s.status != StatementStatus::Draft).collect())
}

/// A statement with the lines the actor may see: staff all of them, a liaison their unit's
/// people, anyone else their own line only (without the units and totals).
pub async fn visible_statement(store: &Store, actor: &Actor, id: StatementId) -> Result<(StatementRecord, Statement)> {
    let record = statement(store, actor, id).await?;
    let mut figures = parse_snapshot(&record)?;
    match actor.role() {
        Role::Admin | Role::Editor | Role::Leader => {}
        Role::Liaison => {
            let unit = actor.user.unit_id;
            figures.lines.retain(|l| unit.is_some() && l.unit_id == unit);
        }
        _ => {
            let me = actor.user.correspondent_id;
            figures.lines.retain(|l| Some(l.correspondent_id) == me);
            figures.units.clear();
            figures.totals.clear();
        }
    }
    Ok((record, figures))
}

pub fn parse_snapshot(record: &StatementRecord) -> Result<Statement> {
    serde_json::from_str(&record.snapshot)
        .map_err(|e| Error::Internal(anyhow::anyhow!("snapshot of statement {}: {e}", record.id)))
}

/// Publishes a draft as the notice. `expected_hash` is the hash of the draft the editor looked
/// at (the page sends it): a draft recomputed meanwhile is not published in its place.
pub async fn publish(
    store: &Store,
    actor: &Actor,
    id: StatementId,
    expected_hash: Option<&str>,
) -> Result<StatementRecord> {
    require(crate::access::can_manage_network(actor.role()))?;
    let s = statement(store, actor, id).await?;
    let station = store.station(s.station_id).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let until = today.checked_add(time::Duration::days(station.objection_days.max(0) as i64)).unwrap_or(today);
    let expected = expected_hash.map(str::trim).filter(|h| !h.is_empty()).unwrap_or(&s.content_hash);
    Ok(store.publish_statement(actor.scope(), id, expected, until, actor.user.id).await?)
}

/// Confirms a notice; before its objection window closes, only with a reason.
pub async fn confirm(store: &Store, actor: &Actor, id: StatementId, reason: &str) -> Result<StatementRecord> {
    require(crate::access::can_manage_network(actor.role()))?;
    statement(store, actor, id).await?;
    let today = time::OffsetDateTime::now_utc().date();
    Ok(store.confirm_statement(actor.scope(), id, actor.user.id, today, reason).await?)
}

/// A correspondent objects to their own line while the notice is open.
pub async fn object(store: &Store, actor: &Actor, id: StatementId, text: &str) -> Result<store::ObjectionRecord> {
    let s = statement(store, actor, id).await?;
    let me = actor.user.correspondent_id.ok_or(Error::Forbidden)?;
    let snapshot = parse_snapshot(&s)?;
    if !snapshot.lines.iter().any(|l| l.correspondent_id == me) {
        return Err(Error::Conflict("本期核算中没有您的条目；如有漏计，请联系编辑".into()));
    }
    let today = time::OffsetDateTime::now_utc().date();
    Ok(store.raise_objection(actor.scope(), id, me, actor.user.id, text, today).await?)
}

pub async fn answer(
    store: &Store,
    actor: &Actor,
    id: ObjectionId,
    upheld: bool,
    text: &str,
) -> Result<store::ObjectionRecord> {
    require(crate::access::can_manage_network(actor.role()))?;
    let o = store.objection(actor.scope(), id).await?;
    statement(store, actor, o.statement_id).await?;
    Ok(store.answer_objection(actor.scope(), id, upheld, text, actor.user.id).await?)
}

/// Records one payment against a confirmed notice (never more than the person is owed).
pub async fn pay(
    store: &Store,
    actor: &Actor,
    id: StatementId,
    who: CorrespondentId,
    amount_fen: i64,
    how: &store::PaymentInput<'_>,
) -> Result<store::PaymentRecord> {
    require(crate::access::can_manage_network(actor.role()))?;
    statement(store, actor, id).await?;
    Ok(store.record_payment(actor.scope(), id, who, amount_fen, how, actor.user.id).await?)
}

/// Pays everyone still owed something under a confirmed notice (or those in `only`), at once.
pub async fn pay_all(
    store: &Store,
    actor: &Actor,
    id: StatementId,
    only: Option<&[CorrespondentId]>,
    how: &store::PaymentInput<'_>,
) -> Result<Vec<store::PaymentRecord>> {
    require(crate::access::can_manage_network(actor.role()))?;
    statement(store, actor, id).await?;
    Ok(store.pay_all(actor.scope(), id, only, how, actor.user.id).await?)
}

/// The bank-transfer sheet (转账清单) of a published statement as `.xlsx`: each person owed
/// money with unit, telephone, owed, paid and still to pay (numbers as numbers, in yuan), and a
/// total row. Downloaded before paying a month, it is what the bank transfer is made from.
pub async fn transfer_sheet(store: &Store, actor: &Actor, id: StatementId) -> Result<(String, Vec<u8>)> {
    use domain::table::{Cell, Table};
    require(crate::access::can_manage_network(actor.role()))?;
    let s = statement(store, actor, id).await?;
    if s.status == StatementStatus::Draft {
        return Err(Error::Conflict("草稿还没有应发金额，公示后才能下载转账清单".into()));
    }
    let snapshot = parse_snapshot(&s)?;
    let people = store.all_correspondents(s.station_id).await?;
    let yuan = |fen: i64| Cell::Number(fen as f64 / 100.0);
    let payables = store.payables(actor.scope(), id).await?;
    let mut rows = Vec::with_capacity(payables.len() + 1);
    for (i, p) in payables.iter().enumerate() {
        let line = snapshot.lines.iter().find(|l| l.correspondent_id == p.correspondent_id);
        let person = people.iter().find(|c| c.id == p.correspondent_id);
        rows.push(vec![
            Cell::Number((i + 1) as f64),
            line.map(|l| l.name.clone()).or_else(|| person.map(|c| c.name.clone())).unwrap_or_default().into(),
            line.and_then(|l| l.unit_name.clone()).unwrap_or_default().into(),
            person.map(|c| c.phone.clone()).unwrap_or_default().into(),
            yuan(p.owed_fen),
            yuan(p.paid_fen),
            yuan(p.unpaid_fen()),
            format!("{}奖励", period_words(&s.period)).into(),
        ]);
    }
    let sum = |f: fn(&store::Payable) -> i64| payables.iter().map(f).sum::<i64>();
    rows.push(vec![
        Cell::Empty,
        "合计".into(),
        Cell::Empty,
        Cell::Empty,
        yuan(sum(|p| p.owed_fen)),
        yuan(sum(|p| p.paid_fen)),
        yuan(sum(|p| p.unpaid_fen())),
        Cell::Empty,
    ]);
    let headers = ["序号", "姓名", "单位", "电话", "应发（元）", "已发（元）", "待发（元）", "摘要"];
    let table = Table::new(headers.iter().map(|h| h.to_string()).collect(), rows);
    let bytes = office::write_xlsx("转账清单", &table).map_err(|e| Error::Internal(e.into()))?;
    Ok((format!("transfer-{}.xlsx", s.period), bytes))
}

/// The scale of a ledger as the station's latest policy having it says (2 when none does).
pub fn ledger_scale(policies: &[Policy], key: &str) -> u32 {
    policies.iter().rev().flat_map(|p| p.ledgers.iter()).find(|l| l.key == key).map_or(2, |l| l.scale)
}

/// Adds a manual adjustment: the amount exact to the ledger's scale (whole points on a ledger
/// of scale 0); the store writes the audit row with it.
/// A manual adjustment as typed: the page's form and the API both send text, read here once.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AdjustmentInput {
    #[serde(default)]
    pub correspondent_id: String,
    #[serde(default)]
    pub ledger: String,
    /// A decimal, negative for a deduction: "-50", "12.5".
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reason: String,
    /// YYYY-MM-DD: the day that decides which period it counts in.
    #[serde(default)]
    pub effective_on: String,
}

/// Reads an adjustment's fields, collecting every error, then records it (see [`adjust`]).
pub async fn add_adjustment(store: &Store, actor: &Actor, input: &AdjustmentInput) -> Result<store::AdjustmentRecord> {
    require(crate::access::can_manage_network(actor.role()))?;
    let mut e = FieldErrors::default();
    let who: Option<CorrespondentId> = input.correspondent_id.trim().parse().ok();
    if who.is_none() {
        e.push("correspondent_id", "请选择通讯员");
    }
    let amount: Option<Decimal> = input.amount.trim().parse().ok();
    if amount.is_none() {
        e.push("amount", "金额应为数字，扣减写负数");
    }
    let date = parse_date(&input.effective_on);
    if date.is_none() {
        e.push("effective_on", "日期格式应为 2007-06-30");
    }
    let ledger = input.ledger.trim();
    if ledger.is_empty() {
        e.push("ledger", "请填写账目");
    }
    match (who, amount, date) {
        (Some(w), Some(a), Some(d)) if e.is_empty() => adjust(store, actor, w, ledger, a, &input.reason, d).await,
        _ => Err(Error::Invalid(e)),
    }
}

/// The station's manual adjustments, newest first, each with its correspondent's name.
pub async fn adjustments(store: &Store, actor: &Actor) -> Result<Vec<(store::AdjustmentRecord, String)>> {
    require(crate::access::can_manage_network(actor.role()))?;
    let station = actor.station()?;
    let people = store.all_correspondents(station).await?;
    let list = store.all_adjustments(station).await?;
    Ok(list
        .into_iter()
        .rev()
        .map(|a| {
            let name = people.iter().find(|p| p.id == a.correspondent_id).map(|p| p.name.clone()).unwrap_or_default();
            (a, name)
        })
        .collect())
}

pub async fn adjust(
    store: &Store,
    actor: &Actor,
    who: CorrespondentId,
    ledger: &str,
    amount: Decimal,
    reason: &str,
    date: Date,
) -> Result<store::AdjustmentRecord> {
    require(crate::access::can_manage_network(actor.role()))?;
    let station = actor.station()?;
    let policies = station_policies(store, station).await?;
    if !policies.iter().any(|p| p.ledger(ledger).is_some()) {
        return Err(Error::Invalid(FieldErrors(vec![FieldError::new("ledger", format!("账目“{ledger}”不存在"))])));
    }
    let scale = ledger_scale(&policies, ledger).min(2);
    if amount.normalize().scale() > scale {
        let message = if scale == 0 {
            "此账目只能填整数".to_string()
        } else {
            format!("此账目最多{scale}位小数")
        };
        return Err(Error::Invalid(FieldErrors(vec![FieldError::new("amount", message)])));
    }
    let cents = amount
        .checked_mul(Decimal::from(100))
        .and_then(|c| i64::try_from(c).ok())
        .ok_or_else(|| Error::Invalid(FieldErrors(vec![FieldError::new("amount", "金额太大")])))?;
    Ok(store.add_adjustment(station, who, ledger, cents, reason, date, actor.user.id).await?)
}

/// An adjustment's amount as its ledger shows numbers: "-1" on a points ledger of scale 0,
/// "-1.50" on money.
pub fn adjustment_figure(policies: &[Policy], ledger: &str, cents: i64) -> String {
    figure(Decimal::new(cents, 2), ledger_scale(policies, ledger))
}

/// The sum of the person lines in a ledger (what the column of names adds up to).
pub fn lines_total(statement: &Statement, ledger: &str) -> Decimal {
    statement.lines.iter().map(|l| l.ledgers.get(ledger).copied().unwrap_or_default()).sum()
}

/// A number as the notice shows it: money with two decimals, points with the ledger's scale.
pub fn figure(value: Decimal, scale: u32) -> String {
    format!("{:.*}", scale as usize, value)
}

/// The statement's person lines as a table for CSV and Excel (no contact details).
pub fn statement_table(statement: &Statement) -> domain::table::Table {
    use domain::table::{Cell, Table};
    let mut headers: Vec<String> = vec!["姓名".into(), "单位".into(), "刊发（篇次）".into(), "稿件（按份额）".into()];
    for l in &statement.ledgers {
        headers.push(if l.is_money { format!("{}（元）", l.label) } else { l.label.clone() });
    }
    headers.push("奖项".into());
    let rows = statement
        .lines
        .iter()
        .map(|line| {
            let mut cells: Vec<Cell> = vec![
                line.name.clone().into(),
                line.unit_name.clone().unwrap_or_default().into(),
                Cell::Number(line.placements as f64),
                Cell::decimal(line.pieces.normalize()),
            ];
            for l in &statement.ledgers {
                // An exact figure shown with the ledger's places (`figure`), a number in Excel.
                let value = line.ledgers.get(&l.key).copied().unwrap_or_default();
                cells.push(Cell::Decimal { value, places: l.scale });
            }
            cells.push(line.awards.join("、").into());
            cells
        })
        .collect();
    Table::new(headers, rows)
}

/// The printable notice as a Word document's content.
pub fn notice_doc(statement: &Statement, station_name: &str, record: &StatementRecord) -> office::NoticeDoc {
    let table = statement_table(statement);
    let mut headers = vec!["序号".to_string()];
    headers.extend(table.headers.iter().cloned());
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![(i + 1).to_string()];
            cells.extend(r.cells.iter().map(|c| c.text()));
            cells
        })
        .collect();
    // The total row adds up the column above it; unit penalties, which are nobody's line, are
    // in the unit figures of the statement, not here.
    let mut total = vec!["".to_string(), "合计".to_string(), String::new()];
    total.push(statement.lines.iter().map(|l| l.placements).sum::<u32>().to_string());
    total.push(statement.lines.iter().map(|l| l.pieces).sum::<Decimal>().normalize().to_string());
    for l in &statement.ledgers {
        total.push(figure(lines_total(statement, &l.key), l.scale));
    }
    total.push(String::new());
    let numeric_columns: Vec<usize> = (3..headers.len() - 1).collect();
    let window = match record.objection_until {
        Some(until) => format!("公示期至{}，如有异议，请在公示期内登录通联系统提出。", domain::format_date(until)),
        None => "本表为草稿，尚未公示。".into(),
    };
    office::NoticeDoc {
        title: format!("{station_name}{}宣传报道奖励公示", period_words(&statement.period.to_string())),
        intro: vec![
            format!(
                "依据《{}》，现将{}的统计和奖励结果公示如下。",
                statement.policies.join("》《"),
                period_words(&statement.period.to_string())
            ),
            window,
        ],
        headers,
        rows,
        total_row: Some(total),
        footer: vec![station_name.to_string(), format!("内容校验码（SHA-256）：{}", record.content_hash)],
        numeric_columns,
    }
}

/// "2007-06" → "2007年6月", "2007-Q2" → "2007年第二季度", "2007" → "2007年度".
pub fn period_words(period: &str) -> String {
    if let Some((y, q)) = period.split_once("-Q") {
        let n =
            ["一", "二", "三", "四"].get(q.parse::<usize>().unwrap_or(1).saturating_sub(1)).copied().unwrap_or("一");
        format!("{y}年第{n}季度")
    } else if let Some((y, m)) = period.split_once('-') {
        format!("{y}年{}月", m.trim_start_matches('0'))
    } else {
        format!("{period}年度")
    }
}

/// A ranking as a table for Excel.
pub fn ranking_table(r: &domain::ranking::Ranking) -> domain::table::Table {
    use domain::table::{Cell, Table};
    let mut headers: Vec<String> = vec!["名次".into(), r.by.zh().into(), r.ledger_label.clone(), "刊发（篇次）".into()];
    for level in OutletLevel::ALL {
        headers.push(level.zh().into());
    }
    headers.extend(["上期名次".to_string(), "上期".to_string(), "增减".to_string()]);
    let rows = r
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<Cell> = vec![
                Cell::Number(row.rank as f64),
                row.name.clone().into(),
                Cell::decimal(row.figure.normalize()),
                Cell::Number(row.placements as f64),
            ];
            for level in OutletLevel::ALL {
                cells.push(Cell::Number(row.by_level.get(level.code()).copied().unwrap_or(0) as f64));
            }
            cells.push(row.previous_rank.map(|n| Cell::Number(n as f64)).unwrap_or(Cell::Empty));
            cells.push(row.previous_figure.map(|f| Cell::decimal(f.normalize())).unwrap_or(Cell::Empty));
            cells.push(Cell::decimal(row.change.normalize()));
            cells
        })
        .collect();
    Table::new(headers, rows)
}
