//! Rewards, end to end: loading policies, computing a period's statement with the domain's
//! engine, the notice (公示) with its objection window, objections (异议), confirmation and
//! payments (兑现). Every action is in the audit log; a published notice is a frozen snapshot
//! with its SHA-256, so later changes show up in the next statement, never in the old one.

use crate::AppState;
use crate::access::require;
use crate::auth::Ctx;
use crate::error::{AppError, AppResult};
use domain::policy::{self, Period, Policy, Statement};
use domain::*;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::{PolicyRecord, StatementRecord, Store};
use time::Date;

/// Parses a policy file, or every problem with its line.
pub fn check_policy(text: &str) -> Result<Policy, Vec<policy::PolicyError>> {
    policy::parse_policy(text)
}

fn policy_errors(errors: Vec<policy::PolicyError>) -> AppError {
    AppError::Invalid(FieldErrors(errors.into_iter().map(|e| FieldError::new("source", e.to_string())).collect()))
}

/// Stores a policy for the station: it must parse and must not overlap another.
pub async fn load_policy(store: &Store, station: StationId, by: UserId, text: &str) -> AppResult<PolicyRecord> {
    let policy = check_policy(text).map_err(policy_errors)?;
    let record = store
        .create_policy(station, &policy.name, policy.valid_from, policy.valid_to, text, by, |existing| {
            let parsed: Vec<Policy> = existing.iter().filter_map(|p| policy::parse_policy(&p.source).ok()).collect();
            policy::check_overlap(&policy, &parsed).map_err(|e| e.to_string())
        })
        .await?;
    store.audit(Some(station), Some(by), "policy.load", &format!("policy:{}", record.id), &record.name).await?;
    Ok(record)
}

pub async fn load_policy_as(state: &AppState, ctx: &Ctx, text: &str) -> AppResult<PolicyRecord> {
    require(crate::access::can_manage_network(ctx.role()))?;
    load_policy(&state.store, ctx.station()?, ctx.user.id, text).await
}

/// The station's policies, parsed.
pub async fn station_policies(store: &Store, station: StationId) -> AppResult<Vec<Policy>> {
    let mut out = Vec::new();
    for p in store.policies(station).await? {
        out.push(
            policy::parse_policy(&p.source)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("stored policy {} no longer parses: {:?}", p.id, e)))?,
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
    /// Loads the station's policies, people, units and the adjustments dated `from..=to`.
    pub async fn load(store: &Store, station: StationId, from: Date, to: Date) -> AppResult<RewardData> {
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
    pub fn run(&self, period: &Period, items: &[policy::Item]) -> AppResult<Statement> {
        self.run_with(period, items, policy::compute)
    }

    /// `run` without the trails: the same figures, for rankings and charts.
    pub fn run_figures(&self, period: &Period, items: &[policy::Item]) -> AppResult<Statement> {
        self.run_with(period, items, policy::compute_figures)
    }

    fn run_with(
        &self,
        period: &Period,
        items: &[policy::Item],
        engine: fn(&policy::Input) -> Result<Statement, policy::ComputeError>,
    ) -> AppResult<Statement> {
        let adjustments: Vec<policy::Adjustment> =
            self.adjustments.iter().filter(|a| period.contains(a.date)).cloned().collect();
        // Allowances and floors go to everyone the engine is given: give it the active people,
        // and anyone else who is on a byline or adjusted this period.
        // (Every byline the engine is given counts: earlier months are computed too.)
        let involved: std::collections::HashSet<CorrespondentId> = items
            .iter()
            .filter(|i| i.date <= period.to)
            .flat_map(|i| i.authors.iter().map(|a| a.correspondent_id))
            .chain(adjustments.iter().map(|a| a.correspondent_id))
            .collect();
        let people: Vec<policy::Person> = self
            .people
            .iter()
            .filter(|(p, active)| *active || involved.contains(&p.id))
            .map(|(p, _)| p.clone())
            .collect();
        let input = policy::Input {
            period: period.clone(),
            policies: &self.policies,
            items,
            people: &people,
            units: &self.units,
            adjustments: &adjustments,
        };
        engine(&input).map_err(|e| AppError::Conflict(e.to_string()))
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
pub async fn compute(store: &Store, station: StationId, period: &Period) -> AppResult<Statement> {
    Ok(compute_with_corrections(store, station, period).await?.0)
}

/// How far back published notices are rechecked for later changes.
const CORRECTION_MONTHS: i64 = 12;

/// Computes a period's statement. Published monthly notices of the twelve months before the
/// period are recomputed from today's data; where a figure differs from what was published
/// (less what later notices already carried), the difference is carried into this period as
/// an adjustment, so the old notice never changes and nothing is paid twice.
pub async fn compute_with_corrections(
    store: &Store,
    station: StationId,
    period: &Period,
) -> AppResult<(Statement, Vec<store::CarriedCorrection>)> {
    let earliest = period.from.checked_sub(time::Duration::days(31 * CORRECTION_MONTHS)).unwrap_or(period.from);
    let earlier: Vec<StatementRecord> = store
        .statements(station)
        .await?
        .into_iter()
        .filter(|s| s.status != StatementStatus::Draft)
        // Corrections are paid with monthly statements; quarter and year figures are reports.
        .filter(|_| period.kind == policy::PeriodKind::Month)
        .filter(|s| {
            Period::parse(&s.period)
                .is_ok_and(|p| p.kind == policy::PeriodKind::Month && p.to < period.from && p.from >= earliest)
        })
        .collect();
    let from = earlier
        .iter()
        .filter_map(|s| Period::parse(&s.period).ok())
        .map(|p| p.year_start())
        .min()
        .unwrap_or(period.year_start())
        .min(period.year_start());
    let mut data = RewardData::load(store, station, from, period.to).await?;
    // Items from as far back as any recomputed notice, or the policy's limits, need.
    let from = if earlier.is_empty() { lookback_start(&data.policies, period) } else { from };
    let items = store.reward_items(station, from, period.to).await?;
    let mut carried = Vec::new();
    for s in &earlier {
        let Ok(p) = Period::parse(&s.period) else { continue };
        let Ok(now) = data.run(&p, &items) else { continue };
        let published = parse_snapshot(s)?;
        let already = store.corrections_from(s.id).await?;
        let mut keys: std::collections::BTreeSet<(CorrespondentId, String)> = std::collections::BTreeSet::new();
        for line in now.lines.iter().chain(published.lines.iter()) {
            for ledger in line.ledgers.keys() {
                keys.insert((line.correspondent_id, ledger.clone()));
            }
        }
        let figure = |st: &Statement, who: CorrespondentId, ledger: &str| {
            st.lines
                .iter()
                .find(|l| l.correspondent_id == who)
                .and_then(|l| l.ledgers.get(ledger))
                .copied()
                .unwrap_or_default()
        };
        for (who, ledger) in keys {
            let carried_before: i64 = already
                .iter()
                .filter(|c| c.correspondent_id == who && c.ledger == ledger)
                .map(|c| c.amount_cents)
                .sum();
            let diff = figure(&now, who, &ledger) - figure(&published, who, &ledger) - Decimal::new(carried_before, 2);
            let cents = i64::try_from((diff * Decimal::from(100)).round()).unwrap_or(0);
            if cents != 0 {
                carried.push(store::CarriedCorrection {
                    from_statement_id: s.id,
                    from_period: s.period.clone(),
                    correspondent_id: who,
                    ledger,
                    amount_cents: cents,
                });
            }
        }
    }
    for c in &carried {
        data.adjustments.push(policy::Adjustment {
            correspondent_id: c.correspondent_id,
            ledger: c.ledger.clone(),
            amount: Decimal::new(c.amount_cents, 2),
            reason: format!("更正：{}公示后变动", period_words(&c.from_period)),
            date: period.from,
        });
    }
    Ok((data.run(period, &items)?, carried))
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
) -> AppResult<domain::ranking::Ranking> {
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
            computed.await.map_err(|e| AppError::Internal(e.into()))
        })
    };
    let (now_task, before_task) = (task(period), task(&previous));
    let (now, items) = now_task.await.map_err(|e| AppError::Internal(e.into()))??;
    let (before, items_before) = before_task.await.map_err(|e| AppError::Internal(e.into()))??;
    let now = now?;
    if !now.ledgers.iter().any(|l| l.key == ledger) {
        let keys: Vec<&str> = now.ledgers.iter().map(|l| l.key.as_str()).collect();
        return Err(AppError::BadRequest(format!("账目“{ledger}”不存在，可用：{}", keys.join("、"))));
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
) -> AppResult<(Vec<String>, Vec<(String, Vec<Option<Decimal>>)>)> {
    let year_period = Period::parse(&year.to_string()).map_err(AppError::BadRequest)?;
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
    statements.extend(odd.map_err(|_| AppError::Internal(anyhow::anyhow!("the trend's second thread panicked")))?);
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
pub fn snapshot(statement: &Statement) -> AppResult<(String, String)> {
    let text = serde_json::to_string(statement).map_err(|e| AppError::Internal(e.into()))?;
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    Ok((text, hash))
}

/// Computes and saves (or replaces) the period's draft.
pub async fn draft(state: &AppState, ctx: &Ctx, period: &Period) -> AppResult<StatementRecord> {
    require(crate::access::can_manage_network(ctx.role()))?;
    let station = ctx.station()?;
    let (statement, carried) = compute_with_corrections(&state.store, station, period).await?;
    let (text, hash) = snapshot(&statement)?;
    let record = state.store.save_draft(station, &period.to_string(), &text, &hash, ctx.user.id, &carried).await?;
    state
        .store
        .audit(
            Some(station),
            Some(ctx.user.id),
            "statement.compute",
            &format!("statement:{}", record.id),
            &period.to_string(),
        )
        .await?;
    Ok(record)
}

/// A statement the user may see: staff and leaders all of their station's; others only
/// published ones (and correspondents only their own lines, see `visible_lines`).
pub async fn statement(state: &AppState, ctx: &Ctx, id: StatementId) -> AppResult<StatementRecord> {
    let s = state.store.statement(id).await?;
    if !ctx.scope().allows(s.station_id) {
        return Err(AppError::NotFound);
    }
    let staff = matches!(ctx.role(), Role::Admin | Role::Editor | Role::Leader);
    if !staff && s.status == StatementStatus::Draft {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

pub fn parse_snapshot(record: &StatementRecord) -> AppResult<Statement> {
    serde_json::from_str(&record.snapshot)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("snapshot of statement {}: {e}", record.id)))
}

pub async fn publish(state: &AppState, ctx: &Ctx, id: StatementId) -> AppResult<StatementRecord> {
    require(crate::access::can_manage_network(ctx.role()))?;
    let s = statement(state, ctx, id).await?;
    let station = state.store.station(s.station_id).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let until = today.checked_add(time::Duration::days(station.objection_days.max(0) as i64)).unwrap_or(today);
    let s = state.store.publish_statement(id, until, ctx.user.id).await?;
    state
        .store
        .audit(
            Some(s.station_id),
            Some(ctx.user.id),
            "statement.publish",
            &format!("statement:{id}"),
            &format!("{} {}", s.period, s.content_hash),
        )
        .await?;
    Ok(s)
}

pub async fn confirm(state: &AppState, ctx: &Ctx, id: StatementId) -> AppResult<StatementRecord> {
    require(crate::access::can_manage_network(ctx.role()))?;
    statement(state, ctx, id).await?;
    let s = state.store.confirm_statement(id, ctx.user.id).await?;
    state
        .store
        .audit(Some(s.station_id), Some(ctx.user.id), "statement.confirm", &format!("statement:{id}"), &s.period)
        .await?;
    Ok(s)
}

/// A correspondent objects to their own line while the notice is open.
pub async fn object(state: &AppState, ctx: &Ctx, id: StatementId, text: &str) -> AppResult<store::ObjectionRecord> {
    let s = statement(state, ctx, id).await?;
    let me = ctx.user.correspondent_id.ok_or(AppError::Forbidden)?;
    let today = time::OffsetDateTime::now_utc().date();
    let open = s.status == StatementStatus::Published && s.objection_until.is_some_and(|u| today <= u);
    if !open {
        return Err(AppError::Conflict("不在公示期内，不能提出异议".into()));
    }
    let snapshot = parse_snapshot(&s)?;
    if !snapshot.lines.iter().any(|l| l.correspondent_id == me) {
        return Err(AppError::Conflict("本期核算中没有您的条目；如有漏计，请联系编辑".into()));
    }
    let o = state.store.raise_objection(id, me, ctx.user.id, text).await?;
    state
        .store
        .audit(Some(s.station_id), Some(ctx.user.id), "objection.raise", &format!("objection:{}", o.id), text)
        .await?;
    Ok(o)
}

pub async fn answer(
    state: &AppState,
    ctx: &Ctx,
    id: ObjectionId,
    upheld: bool,
    text: &str,
) -> AppResult<store::ObjectionRecord> {
    require(crate::access::can_manage_network(ctx.role()))?;
    let o = state.store.objection(id).await?;
    let s = statement(state, ctx, o.statement_id).await?;
    let o = state.store.answer_objection(id, upheld, text, ctx.user.id).await?;
    state
        .store
        .audit(
            Some(s.station_id),
            Some(ctx.user.id),
            "objection.answer",
            &format!("objection:{id}"),
            &format!("{}: {text}", o.status.code()),
        )
        .await?;
    Ok(o)
}

/// The money ledger of a statement and what each person is owed in it, in fen.
pub fn owed(statement: &Statement) -> (Option<String>, Vec<(CorrespondentId, i64)>) {
    let Some(ledger) = statement.ledgers.iter().find(|l| l.is_money).map(|l| l.key.clone()) else {
        return (None, Vec::new());
    };
    let owed = statement
        .lines
        .iter()
        .map(|l| {
            let yuan = l.ledgers.get(&ledger).copied().unwrap_or_default();
            (l.correspondent_id, to_fen(yuan))
        })
        .filter(|(_, fen)| *fen > 0)
        .collect();
    (Some(ledger), owed)
}

/// Yuan to fen, exactly (amounts are rounded to the fen by the engine already).
pub fn to_fen(yuan: Decimal) -> i64 {
    let fen = (yuan * Decimal::from(100)).round();
    i64::try_from(fen).unwrap_or(0)
}

pub async fn pay(
    state: &AppState,
    ctx: &Ctx,
    id: StatementId,
    who: CorrespondentId,
    amount_fen: i64,
    paid_on: Date,
    method: &str,
    note: &str,
) -> AppResult<store::PaymentRecord> {
    require(crate::access::can_manage_network(ctx.role()))?;
    let s = statement(state, ctx, id).await?;
    let (_, all) = owed(&parse_snapshot(&s)?);
    let person_owed = all
        .iter()
        .find(|(c, _)| *c == who)
        .map(|(_, f)| *f)
        .ok_or_else(|| AppError::Conflict("此人在本期核算中没有应发金额".into()))?;
    let p =
        state.store.record_payment(id, who, amount_fen, paid_on, method, note, ctx.user.id, person_owed, &all).await?;
    state
        .store
        .audit(
            Some(s.station_id),
            Some(ctx.user.id),
            "payment.record",
            &format!("payment:{}", p.id),
            &format!("statement:{id} correspondent:{who} {}", store::yuan(amount_fen)),
        )
        .await?;
    Ok(p)
}

pub async fn adjust(
    state: &AppState,
    ctx: &Ctx,
    who: CorrespondentId,
    ledger: &str,
    amount: Decimal,
    reason: &str,
    date: Date,
) -> AppResult<store::AdjustmentRecord> {
    require(crate::access::can_manage_network(ctx.role()))?;
    let station = ctx.station()?;
    let cents =
        i64::try_from((amount * Decimal::from(100)).round()).map_err(|_| AppError::BadRequest("金额太大".into()))?;
    if Decimal::new(cents, 2) != amount {
        return Err(AppError::Invalid(FieldErrors(vec![FieldError::new("amount", "金额最多两位小数")])));
    }
    let a = state.store.add_adjustment(station, who, ledger, cents, reason, date, ctx.user.id).await?;
    state
        .store
        .audit(
            Some(station),
            Some(ctx.user.id),
            "adjustment.add",
            &format!("adjustment:{}", a.id),
            &format!("correspondent:{who} {ledger} {amount} {reason}"),
        )
        .await?;
    Ok(a)
}

/// Paid so far per person, in fen.
#[derive(Debug, Clone, Serialize)]
pub struct PaidSoFar(pub Vec<(CorrespondentId, i64)>);

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
                Cell::Text(line.pieces.normalize().to_string()),
            ];
            for l in &statement.ledgers {
                // Exact text, not a float: Excel shows it as typed and nothing is lost.
                cells.push(Cell::Text(figure(line.ledgers.get(&l.key).copied().unwrap_or_default(), l.scale)));
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
                Cell::Text(row.figure.normalize().to_string()),
                Cell::Number(row.placements as f64),
            ];
            for level in OutletLevel::ALL {
                cells.push(Cell::Number(row.by_level.get(level.code()).copied().unwrap_or(0) as f64));
            }
            cells.push(row.previous_rank.map(|n| Cell::Number(n as f64)).unwrap_or(Cell::Empty));
            cells.push(row.previous_figure.map(|f| Cell::Text(f.normalize().to_string())).unwrap_or(Cell::Empty));
            cells.push(Cell::Text(row.change.normalize().to_string()));
            cells
        })
        .collect();
    Table::new(headers, rows)
}
