//! Statements (奖励核算) and their lifecycle, guarded by the database itself: draft →
//! published notice (公示) → confirmed → paid; objections (异议); corrections carried from
//! earlier notices; what each person is owed and has been paid (兑现).
//!
//! Every change here is one transaction whose `UPDATE` names the state it expects, and its
//! audit row is written inside that transaction, so a crash leaves either the whole change with
//! its audit row or nothing. Money is guarded in SQL, not by reading and then writing:
//! - each month of a station belongs to at most one published statement (`statement_months`,
//!   keyed by station and month), so nobody is owed the same month twice;
//! - a payment is `UPDATE payables SET paid_fen = paid_fen + x WHERE paid_fen + x <= owed_fen`,
//!   with `x` bounded by `MAX_PAYMENT_FEN`, so no total can pass what is owed or overflow;
//! - a published notice's row is never updated again except for its status.

use crate::auth::audit_in;
use crate::entities::{audit, correction, objection, payable, payment, statement, statement_month};
use crate::scoped::{find_in, ids_in};
use crate::{Result, Scope, Store, StoreError, now};
use domain::policy::{Period, Statement};
use domain::*;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::Date;

/// The most one payment may be: 10^12 fen (ten billion yuan). Bounding every amount keeps
/// every sum of them far inside an `i64`.
pub const MAX_PAYMENT_FEN: i64 = 1_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatementRecord {
    pub id: StatementId,
    pub station_id: StationId,
    pub period: String,
    pub status: StatementStatus,
    /// The computed statement as JSON.
    pub snapshot: String,
    /// SHA-256 of the snapshot, shown on the printed notice.
    pub content_hash: String,
    pub computed_at: i64,
    pub published_at: Option<i64>,
    #[serde(with = "domain::date_format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub objection_until: Option<Date>,
    pub confirmed_at: Option<i64>,
    /// Why the notice was confirmed before its objection window closed (empty otherwise).
    pub confirm_reason: String,
    pub paid_at: Option<i64>,
}

/// A difference carried from an earlier, published statement into a later one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CarriedCorrection {
    pub from_statement_id: StatementId,
    pub from_period: String,
    pub correspondent_id: CorrespondentId,
    pub ledger: String,
    /// Hundredths of the ledger's unit.
    pub amount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ObjectionRecord {
    pub id: ObjectionId,
    pub statement_id: StatementId,
    pub correspondent_id: CorrespondentId,
    pub raised_by: UserId,
    pub text: String,
    pub raised_at: i64,
    pub status: ObjectionStatus,
    pub answer: String,
    pub answered_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PaymentRecord {
    pub id: PaymentId,
    pub statement_id: StatementId,
    pub correspondent_id: CorrespondentId,
    pub amount_fen: i64,
    #[serde(with = "domain::date_format")]
    #[schema(value_type = String, format = Date)]
    pub paid_on: Date,
    pub method: String,
    pub note: String,
    pub recorded_by: UserId,
    pub recorded_at: i64,
}

/// What one person is owed under a published statement, and what has been paid of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Payable {
    pub correspondent_id: CorrespondentId,
    pub owed_fen: i64,
    pub paid_fen: i64,
}

impl Payable {
    pub fn unpaid_fen(&self) -> i64 {
        self.owed_fen - self.paid_fen
    }
}

/// How a payment is recorded: when, how, with what note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput<'a> {
    pub paid_on: Date,
    pub method: &'a str,
    pub note: &'a str,
}

fn statement_of(m: statement::Model) -> StatementRecord {
    StatementRecord {
        id: StatementId(m.id),
        station_id: StationId(m.station_id),
        period: m.period,
        status: StatementStatus::parse(&m.status).unwrap_or(StatementStatus::Draft),
        snapshot: m.snapshot,
        content_hash: m.content_hash,
        computed_at: m.computed_at,
        published_at: m.published_at,
        objection_until: m.objection_until,
        confirmed_at: m.confirmed_at,
        confirm_reason: m.confirm_reason,
        paid_at: m.paid_at,
    }
}

fn objection_of(m: objection::Model) -> ObjectionRecord {
    ObjectionRecord {
        id: ObjectionId(m.id),
        statement_id: StatementId(m.statement_id),
        correspondent_id: CorrespondentId(m.correspondent_id),
        raised_by: UserId(m.raised_by),
        text: m.text,
        raised_at: m.raised_at,
        status: ObjectionStatus::parse(&m.status).unwrap_or(ObjectionStatus::Open),
        answer: m.answer,
        answered_at: m.answered_at,
    }
}

fn payment_of(m: payment::Model) -> PaymentRecord {
    PaymentRecord {
        id: PaymentId(m.id),
        statement_id: StatementId(m.statement_id),
        correspondent_id: CorrespondentId(m.correspondent_id),
        amount_fen: m.amount_fen,
        paid_on: m.paid_on,
        method: m.method,
        note: m.note,
        recorded_by: UserId(m.recorded_by),
        recorded_at: m.recorded_at,
    }
}

/// The SHA-256 of a snapshot, as printed on the notice.
pub fn snapshot_hash(snapshot: &str) -> String {
    hex::encode(Sha256::digest(snapshot.as_bytes()))
}

/// What each person is owed in a statement's money ledger, in fen (only those owed something).
/// Amounts are checked: a figure that is not whole fen or is above `MAX_PAYMENT_FEN` is refused
/// rather than rounded or wrapped.
pub fn owed_fen(statement: &Statement) -> Result<Vec<(CorrespondentId, i64)>> {
    let Some(ledger) = statement.ledgers.iter().find(|l| l.is_money) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for line in &statement.lines {
        let yuan = line.ledgers.get(&ledger.key).copied().unwrap_or_default();
        let fen = yuan.checked_mul(Decimal::from(100)).filter(|f| f.fract().is_zero());
        let fen = fen.and_then(|f| i64::try_from(f).ok()).filter(|f| *f <= MAX_PAYMENT_FEN).ok_or_else(|| {
            StoreError::Conflict(format!("{}的应发金额 {yuan} 元无法兑现（超出范围或不足一分）", line.name))
        })?;
        if fen > 0 {
            out.push((line.correspondent_id, fen));
        }
    }
    Ok(out)
}

fn parse_snapshot(m: &statement::Model) -> Result<Statement> {
    serde_json::from_str(&m.snapshot).map_err(|e| StoreError::Corrupt(format!("snapshot of statement {}: {e}", m.id)))
}

/// The months a period string covers, as `YYYY-MM`.
fn months_of(period: &str) -> Result<Vec<String>> {
    let p = Period::parse(period).map_err(|m| StoreError::invalid("period", m))?;
    Ok(p.months().iter().map(|m| m.to_string()).collect())
}

fn period_zh(period: &str) -> String {
    Period::parse(period).map(|p| p.zh()).unwrap_or_else(|_| period.to_string())
}

/// The key of the advisory lock that serialises a station's statement changes on PostgreSQL.
const LIFECYCLE_LOCK: i64 = 2;

/// Serialises writers per station on PostgreSQL for the length of a transaction (SQLite
/// transactions here start IMMEDIATE and so already have a single writer).
pub(crate) async fn lock_station(db: &impl ConnectionTrait, station: StationId, what: i64) -> Result<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({}, {})", what, station.0)).await?;
    }
    Ok(())
}

/// An objection by id within the scope, through its statement's station (in the WHERE clause).
async fn objection_in(db: &impl ConnectionTrait, scope: Scope, id: ObjectionId) -> Result<objection::Model> {
    objection::Entity::find_by_id(id.0)
        .filter(objection::Column::StatementId.in_subquery(ids_in::<statement::Entity>(scope)))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Refuses a statement for `period` when one of its months already belongs to a published
/// statement, naming that statement.
async fn refuse_claimed(db: &impl ConnectionTrait, station: StationId, period: &str, months: &[String]) -> Result<()> {
    let claim = statement_month::Entity::find()
        .filter(statement_month::Column::StationId.eq(station.0))
        .filter(statement_month::Column::Month.is_in(months.iter().map(String::as_str)))
        .order_by_asc(statement_month::Column::Month)
        .one(db)
        .await?;
    let Some(claim) = claim else { return Ok(()) };
    let other = statement::Entity::find_by_id(claim.statement_id).one(db).await?.ok_or(StoreError::NotFound)?;
    let status = StatementStatus::parse(&other.status).unwrap_or(StatementStatus::Published);
    Err(StoreError::Conflict(format!(
        "{}已在{}核算（编号{}，{}）中公示；每人每月只有一条应发记录，不能再为{}生成或公示核算。\
         更正会计入下一期核算。",
        period_zh(&claim.month),
        period_zh(&other.period),
        other.id,
        status.zh(),
        period_zh(period),
    )))
}

/// The published statements a computation saw, as the ids of the station's non-draft
/// statements: a draft computed against another basis carries stale corrections.
async fn basis_in(db: &impl ConnectionTrait, station: StationId) -> Result<String> {
    let ids: Vec<String> = statement::Entity::find()
        .filter(statement::Column::StationId.eq(station.0))
        .filter(statement::Column::Status.ne(StatementStatus::Draft.code()))
        .order_by_asc(statement::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id.to_string())
        .collect();
    Ok(ids.join(","))
}

impl Store {
    /// Refuses, naming the notice, a period with a month that already belongs to a published
    /// statement: checked before computing, so the editor is told at once (`save_draft`
    /// checks again in its transaction).
    pub async fn check_period_free(&self, station: StationId, period: &str) -> Result<()> {
        refuse_claimed(&self.db, station, period, &months_of(period)?).await
    }

    /// What the next computation must remember it saw (see `save_draft`).
    pub async fn statement_basis(&self, station: StationId) -> Result<String> {
        basis_in(&self.db, station).await
    }

    /// Saves a computed draft for a period, replacing the period's current draft if there is
    /// one. `basis` is `statement_basis` as read before computing. A period with a month that
    /// already belongs to a published statement gets no draft: corrections go into the next
    /// period instead. The replacement names the state it expects (`status = 'draft'`), so a
    /// draft published meanwhile by another server is never overwritten.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_draft(
        &self,
        station: StationId,
        period: &str,
        snapshot: &str,
        hash: &str,
        by: UserId,
        carried: &[CarriedCorrection],
        basis: &str,
    ) -> Result<StatementRecord> {
        let months = months_of(period)?;
        let carried = serde_json::to_string(carried).map_err(|e| StoreError::Conflict(e.to_string()))?;
        let txn = self.write_txn().await?;
        lock_station(&txn, station, LIFECYCLE_LOCK).await?;
        refuse_claimed(&txn, station, period, &months).await?;
        let draft = statement::Entity::find()
            .filter(statement::Column::StationId.eq(station.0))
            .filter(statement::Column::Period.eq(period))
            .filter(statement::Column::Status.eq(StatementStatus::Draft.code()))
            .one(&txn)
            .await?;
        let id = match draft {
            Some(d) => {
                let res = statement::Entity::update_many()
                    .col_expr(statement::Column::Snapshot, Expr::value(snapshot))
                    .col_expr(statement::Column::ContentHash, Expr::value(hash))
                    .col_expr(statement::Column::ComputedAt, Expr::value(now()))
                    .col_expr(statement::Column::ComputedBy, Expr::value(by.0))
                    .col_expr(statement::Column::Carried, Expr::value(carried.as_str()))
                    .col_expr(statement::Column::Basis, Expr::value(basis))
                    .filter(statement::Column::Id.eq(d.id))
                    .filter(statement::Column::Status.eq(StatementStatus::Draft.code()))
                    .exec(&txn)
                    .await?;
                if res.rows_affected != 1 {
                    return Err(StoreError::Conflict("核算草稿已被他人公示，请刷新后查看".into()));
                }
                d.id
            }
            None => {
                let inserted = statement::ActiveModel {
                    station_id: Set(station.0),
                    period: Set(period.into()),
                    status: Set(StatementStatus::Draft.code().into()),
                    snapshot: Set(snapshot.into()),
                    content_hash: Set(hash.into()),
                    computed_at: Set(now()),
                    computed_by: Set(by.0),
                    carried: Set(carried),
                    basis: Set(basis.into()),
                    confirm_reason: Set(String::new()),
                    ..Default::default()
                }
                .insert(&txn)
                .await;
                match inserted {
                    Ok(m) => m.id,
                    Err(e) if is_unique_violation(&e) => {
                        return Err(StoreError::Conflict("该期核算草稿正由他人生成，请刷新后重试".into()));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        audit_in(&txn, station, by, "statement.compute", format!("statement:{id}"), format!("{period} {hash}")).await?;
        let m = statement::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound)?;
        txn.commit().await?;
        Ok(statement_of(m))
    }

    pub async fn statement(&self, scope: Scope, id: StatementId) -> Result<StatementRecord> {
        Ok(statement_of(find_in::<statement::Entity>(&self.db, scope, id.0).await?))
    }

    /// The station's statements, newest period first.
    pub async fn statements(&self, station: StationId) -> Result<Vec<StatementRecord>> {
        Ok(statement::Entity::find()
            .filter(statement::Column::StationId.eq(station.0))
            .order_by_desc(statement::Column::Period)
            .order_by_desc(statement::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(statement_of)
            .collect())
    }

    /// Publishes a draft as a notice open for objections until `objection_until`, in one
    /// transaction: the status change (expecting a draft with the hash the editor saw), the
    /// claim on each of its months, what each person is owed, the corrections it carries and
    /// the audit row. A period is published once: later differences go into the next period.
    pub async fn publish_statement(
        &self,
        scope: Scope,
        id: StatementId,
        expected_hash: &str,
        objection_until: Date,
        by: UserId,
    ) -> Result<StatementRecord> {
        let txn = self.write_txn().await?;
        let s = find_in::<statement::Entity>(&txn, scope, id.0).await?;
        let station = StationId(s.station_id);
        lock_station(&txn, station, LIFECYCLE_LOCK).await?;
        let status = StatementStatus::parse(&s.status).unwrap_or(StatementStatus::Draft);
        if status != StatementStatus::Draft {
            return Err(StoreError::Conflict(format!("核算当前状态为“{}”，不能再次公示", status.zh())));
        }
        let months = months_of(&s.period)?;
        refuse_claimed(&txn, station, &s.period, &months).await?;
        if s.basis != basis_in(&txn, station).await? {
            return Err(StoreError::Conflict(
                "此草稿计算之后又有核算公示，结转的更正可能已变，请重新核算后再公示".into(),
            ));
        }
        let t = now();
        let res = statement::Entity::update_many()
            .col_expr(statement::Column::Status, Expr::value(StatementStatus::Published.code()))
            .col_expr(statement::Column::PublishedAt, Expr::value(t))
            .col_expr(statement::Column::PublishedBy, Expr::value(by.0))
            .col_expr(statement::Column::ObjectionUntil, Expr::value(objection_until))
            .filter(statement::Column::Id.eq(id.0))
            .filter(statement::Column::Status.eq(StatementStatus::Draft.code()))
            .filter(statement::Column::ContentHash.eq(expected_hash))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::Conflict("核算草稿已被重新计算或已公示，请查看最新结果后再公示".into()));
        }
        // Read again inside the transaction: this is the row as published.
        let published = statement::Entity::find_by_id(id.0).one(&txn).await?.ok_or(StoreError::NotFound)?;
        for month in &months {
            let claimed = statement_month::ActiveModel {
                station_id: Set(station.0),
                month: Set(month.clone()),
                statement_id: Set(id.0),
            }
            .insert(&txn)
            .await;
            match claimed {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::Conflict(format!("{}已有公示，不能再次公示", period_zh(month))));
                }
                Err(e) => return Err(e.into()),
            }
        }
        for (who, fen) in owed_fen(&parse_snapshot(&published)?)? {
            payable::ActiveModel {
                statement_id: Set(id.0),
                correspondent_id: Set(who.0),
                owed_fen: Set(fen),
                paid_fen: Set(0),
            }
            .insert(&txn)
            .await?;
        }
        let carried: Vec<CarriedCorrection> = if published.carried.is_empty() {
            Vec::new()
        } else {
            serde_json::from_str(&published.carried)
                .map_err(|e| StoreError::Corrupt(format!("corrections of statement {id}: {e}")))?
        };
        for c in carried {
            correction::ActiveModel {
                into_statement_id: Set(id.0),
                from_statement_id: Set(c.from_statement_id.0),
                correspondent_id: Set(c.correspondent_id.0),
                ledger: Set(c.ledger),
                amount_cents: Set(c.amount_cents),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        let detail = format!("{} {}", published.period, published.content_hash);
        audit_in(&txn, station, by, "statement.publish", format!("statement:{id}"), detail).await?;
        txn.commit().await?;
        Ok(statement_of(published))
    }

    /// What published statements have already carried from `from` (per person and ledger).
    pub async fn corrections_from(&self, scope: Scope, from: StatementId) -> Result<Vec<CarriedCorrection>> {
        // Corrections have no station of their own: the statement's scoped read stands for them.
        find_in::<statement::Entity>(&self.db, scope, from.0).await?;
        self.corrections(correction::Column::FromStatementId, from).await
    }

    /// The corrections a published statement carried in from earlier ones.
    pub async fn corrections_into(&self, scope: Scope, into: StatementId) -> Result<Vec<CarriedCorrection>> {
        find_in::<statement::Entity>(&self.db, scope, into.0).await?;
        self.corrections(correction::Column::IntoStatementId, into).await
    }

    async fn corrections(&self, column: correction::Column, id: StatementId) -> Result<Vec<CarriedCorrection>> {
        let rows = correction::Entity::find()
            .filter(column.eq(id.0))
            .order_by_asc(correction::Column::Id)
            .all(&self.db)
            .await?;
        // The periods of the statements they come from, in one query and without the snapshots.
        let mut from: Vec<i64> = rows.iter().map(|c| c.from_statement_id).collect();
        from.sort_unstable();
        from.dedup();
        let periods: std::collections::HashMap<i64, String> = statement::Entity::find()
            .select_only()
            .columns([statement::Column::Id, statement::Column::Period])
            .filter(statement::Column::Id.is_in(from))
            .into_tuple::<(i64, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        rows.into_iter()
            .map(|c| {
                let from_period = periods.get(&c.from_statement_id).cloned().ok_or(StoreError::NotFound)?;
                Ok(CarriedCorrection {
                    from_statement_id: StatementId(c.from_statement_id),
                    from_period,
                    correspondent_id: CorrespondentId(c.correspondent_id),
                    ledger: c.ledger,
                    amount_cents: c.amount_cents,
                })
            })
            .collect()
    }

    /// Confirms a published notice once no objection is open. Before the objection window has
    /// closed (`today <= objection_until`) it needs a reason, which is kept and audited.
    pub async fn confirm_statement(
        &self,
        scope: Scope,
        id: StatementId,
        by: UserId,
        today: Date,
        reason: &str,
    ) -> Result<StatementRecord> {
        let reason = reason.trim();
        if reason.chars().count() > 500 {
            return Err(StoreError::invalid("reason", "理由不能超过500字"));
        }
        let txn = self.write_txn().await?;
        let s = find_in::<statement::Entity>(&txn, scope, id.0).await?;
        let station = StationId(s.station_id);
        lock_station(&txn, station, LIFECYCLE_LOCK).await?;
        let status = StatementStatus::parse(&s.status).unwrap_or(StatementStatus::Draft);
        if status != StatementStatus::Published {
            return Err(StoreError::Conflict(format!("核算当前状态为“{}”，不能确认", status.zh())));
        }
        let open = objection::Entity::find()
            .filter(objection::Column::StatementId.eq(id.0))
            .filter(objection::Column::Status.eq(ObjectionStatus::Open.code()))
            .count(&txn)
            .await?;
        if open > 0 {
            return Err(StoreError::Conflict(format!("还有{open}条异议未答复，不能确认")));
        }
        let early = s.objection_until.is_some_and(|until| today <= until);
        if early && reason.is_empty() {
            let until = s.objection_until.map(format_date).unwrap_or_default();
            return Err(StoreError::invalid("reason", format!("公示期至{until}，尚未结束；提前确认须写明理由")));
        }
        let res = statement::Entity::update_many()
            .col_expr(statement::Column::Status, Expr::value(StatementStatus::Confirmed.code()))
            .col_expr(statement::Column::ConfirmedAt, Expr::value(now()))
            .col_expr(statement::Column::ConfirmedBy, Expr::value(by.0))
            .col_expr(statement::Column::ConfirmReason, Expr::value(if early { reason } else { "" }))
            .filter(statement::Column::Id.eq(id.0))
            .filter(statement::Column::Status.eq(StatementStatus::Published.code()))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::Conflict("核算状态已被他人更改，请刷新后重试".into()));
        }
        let detail = if early { format!("{} 提前确认：{reason}", s.period) } else { s.period.clone() };
        audit_in(&txn, station, by, "statement.confirm", format!("statement:{id}"), detail).await?;
        // A notice that owes nobody anything (points only, say) is settled as it is confirmed.
        settle_in(&txn, id).await?;
        let m = statement::Entity::find_by_id(id.0).one(&txn).await?.ok_or(StoreError::NotFound)?;
        txn.commit().await?;
        Ok(statement_of(m))
    }

    // ---- objections ----

    /// Records an objection while the notice is open (published, `today` within the window).
    /// The caller checks that the line is the objector's.
    pub async fn raise_objection(
        &self,
        scope: Scope,
        statement: StatementId,
        correspondent: CorrespondentId,
        by: UserId,
        text: &str,
        today: Date,
    ) -> Result<ObjectionRecord> {
        if text.trim().is_empty() {
            return Err(StoreError::invalid("text", "请写明异议内容"));
        }
        if text.chars().count() > 2000 {
            return Err(StoreError::invalid("text", "异议内容不能超过2000字"));
        }
        let txn = self.write_txn().await?;
        let s = find_in::<statement::Entity>(&txn, scope, statement.0).await?;
        let station = StationId(s.station_id);
        lock_station(&txn, station, LIFECYCLE_LOCK).await?;
        let open = s.status == StatementStatus::Published.code() && s.objection_until.is_some_and(|u| today <= u);
        if !open {
            return Err(StoreError::Conflict("不在公示期内，不能提出异议".into()));
        }
        let m = objection::ActiveModel {
            statement_id: Set(statement.0),
            correspondent_id: Set(correspondent.0),
            raised_by: Set(by.0),
            text: Set(text.trim().into()),
            raised_at: Set(now()),
            status: Set(ObjectionStatus::Open.code().into()),
            answer: Set(String::new()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit_in(&txn, station, by, "objection.raise", format!("objection:{}", m.id), text.trim().to_string()).await?;
        txn.commit().await?;
        Ok(objection_of(m))
    }

    pub async fn answer_objection(
        &self,
        scope: Scope,
        id: ObjectionId,
        upheld: bool,
        answer: &str,
        by: UserId,
    ) -> Result<ObjectionRecord> {
        if answer.trim().is_empty() {
            return Err(StoreError::invalid("answer", "请填写答复"));
        }
        if answer.chars().count() > 2000 {
            return Err(StoreError::invalid("answer", "答复不能超过2000字"));
        }
        let txn = self.write_txn().await?;
        let o = objection_in(&txn, scope, id).await?;
        let s = find_in::<statement::Entity>(&txn, scope, o.statement_id).await?;
        lock_station(&txn, StationId(s.station_id), LIFECYCLE_LOCK).await?;
        let status = if upheld { ObjectionStatus::Upheld } else { ObjectionStatus::Rejected };
        let res = objection::Entity::update_many()
            .col_expr(objection::Column::Status, Expr::value(status.code()))
            .col_expr(objection::Column::Answer, Expr::value(answer.trim()))
            .col_expr(objection::Column::AnsweredBy, Expr::value(by.0))
            .col_expr(objection::Column::AnsweredAt, Expr::value(now()))
            .filter(objection::Column::Id.eq(id.0))
            .filter(objection::Column::Status.eq(ObjectionStatus::Open.code()))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::Conflict("该异议已答复".into()));
        }
        let detail = format!("{}: {}", status.code(), answer.trim());
        audit_in(&txn, StationId(s.station_id), by, "objection.answer", format!("objection:{id}"), detail).await?;
        let m = objection::Entity::find_by_id(id.0).one(&txn).await?.ok_or(StoreError::NotFound)?;
        txn.commit().await?;
        Ok(objection_of(m))
    }

    pub async fn objection(&self, scope: Scope, id: ObjectionId) -> Result<ObjectionRecord> {
        Ok(objection_of(objection_in(&self.db, scope, id).await?))
    }

    pub async fn objections(&self, scope: Scope, statement: StatementId) -> Result<Vec<ObjectionRecord>> {
        Ok(objection::Entity::find()
            .filter(objection::Column::StatementId.eq(statement.0))
            .filter(objection::Column::StatementId.in_subquery(ids_in::<statement::Entity>(scope)))
            .order_by_asc(objection::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(objection_of)
            .collect())
    }

    // ---- payments ----

    /// What each person is owed and has been paid under a statement (published or later).
    pub async fn payables(&self, scope: Scope, statement: StatementId) -> Result<Vec<Payable>> {
        Ok(payable::Entity::find()
            .filter(payable::Column::StatementId.eq(statement.0))
            .filter(payable::Column::StatementId.in_subquery(ids_in::<statement::Entity>(scope)))
            .order_by_asc(payable::Column::CorrespondentId)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| Payable {
                correspondent_id: CorrespondentId(p.correspondent_id),
                owed_fen: p.owed_fen,
                paid_fen: p.paid_fen,
            })
            .collect())
    }

    /// Records a payment to one person against a confirmed statement; the total paid can never
    /// pass what the notice says the person is owed. When everyone is paid in full, the
    /// statement becomes paid.
    pub async fn record_payment(
        &self,
        scope: Scope,
        statement: StatementId,
        correspondent: CorrespondentId,
        amount_fen: i64,
        how: &PaymentInput<'_>,
        by: UserId,
    ) -> Result<PaymentRecord> {
        check_amount(amount_fen)?;
        check_how(how)?;
        let txn = self.write_txn().await?;
        let station = lock_for_payment(&txn, scope, statement).await?;
        let p = pay_in(&txn, station, statement, correspondent, amount_fen, how, by).await?;
        settle_in(&txn, statement).await?;
        txn.commit().await?;
        Ok(p)
    }

    /// Pays what is still unpaid to every person of a confirmed statement, or to those in
    /// `only`, in one transaction: all of them or none. Returns the payments recorded.
    pub async fn pay_all(
        &self,
        scope: Scope,
        statement: StatementId,
        only: Option<&[CorrespondentId]>,
        how: &PaymentInput<'_>,
        by: UserId,
    ) -> Result<Vec<PaymentRecord>> {
        check_how(how)?;
        let txn = self.write_txn().await?;
        let station = lock_for_payment(&txn, scope, statement).await?;
        let unpaid: Vec<payable::Model> = payable::Entity::find()
            .filter(payable::Column::StatementId.eq(statement.0))
            .order_by_asc(payable::Column::CorrespondentId)
            .all(&txn)
            .await?
            .into_iter()
            .filter(|p| p.paid_fen < p.owed_fen)
            .filter(|p| only.is_none_or(|o| o.contains(&CorrespondentId(p.correspondent_id))))
            .collect();
        if let Some(only) = only {
            if only.is_empty() {
                return Err(StoreError::invalid("correspondent_id", "请至少选择一人"));
            }
            if let Some(who) = only.iter().find(|w| !unpaid.iter().any(|p| p.correspondent_id == w.0)) {
                return Err(StoreError::Conflict(format!("通讯员（编号 {who}）在本期没有未兑现的金额")));
            }
        }
        if unpaid.is_empty() {
            return Err(StoreError::Conflict("本期已全部兑现，没有未发的金额".into()));
        }
        let mut out = Vec::with_capacity(unpaid.len());
        for p in unpaid {
            let who = CorrespondentId(p.correspondent_id);
            out.push(pay_in(&txn, station, statement, who, p.owed_fen - p.paid_fen, how, by).await?);
        }
        settle_in(&txn, statement).await?;
        txn.commit().await?;
        Ok(out)
    }

    pub async fn payments(&self, scope: Scope, statement: StatementId) -> Result<Vec<PaymentRecord>> {
        Ok(payment::Entity::find()
            .filter(payment::Column::StatementId.eq(statement.0))
            .filter(payment::Column::StatementId.in_subquery(ids_in::<statement::Entity>(scope)))
            .order_by_asc(payment::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(payment_of)
            .collect())
    }

    /// Checks the money records of one station (or all) and says what is wrong, in Chinese:
    /// a notice whose snapshot no longer matches its hash, a published statement or payment
    /// without its audit row, a month claimed by a statement that does not cover it or a
    /// published statement missing a claim, payments that do not add up to what the payables
    /// say, anything paid beyond what is owed. Empty when all is well.
    pub async fn verify_money(&self, station: Option<StationId>) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut q = statement::Entity::find().order_by_asc(statement::Column::Id);
        if let Some(s) = station {
            q = q.filter(statement::Column::StationId.eq(s.0));
        }
        let audited = |action: &'static str| {
            let mut q = audit::Entity::find().filter(audit::Column::Action.eq(action));
            if let Some(s) = station {
                q = q.filter(audit::Column::StationId.eq(s.0));
            }
            q
        };
        let subjects = |rows: Vec<audit::Model>| rows.into_iter().map(|a| a.subject).collect::<Vec<_>>();
        let published_audits = subjects(audited("statement.publish").all(&self.db).await?);
        let payment_audits = subjects(audited("payment.record").all(&self.db).await?);
        for s in q.all(&self.db).await? {
            if s.status == StatementStatus::Draft.code() {
                continue;
            }
            let name = format!("核算 {}（{}）", s.id, s.period);
            if snapshot_hash(&s.snapshot) != s.content_hash {
                problems.push(format!("{name}：公示内容与校验码不符"));
            }
            if !published_audits.contains(&format!("statement:{}", s.id)) {
                problems.push(format!("{name}：缺少公示的审计记录"));
            }
            let claims: Vec<String> = statement_month::Entity::find()
                .filter(statement_month::Column::StatementId.eq(s.id))
                .order_by_asc(statement_month::Column::Month)
                .all(&self.db)
                .await?
                .into_iter()
                .map(|c| c.month)
                .collect();
            if claims != months_of(&s.period)? {
                problems.push(format!("{name}：所占月份为 {}，与期间不符", claims.join("、")));
            }
            let payables = self.payables(Scope::Station(StationId(s.station_id)), StatementId(s.id)).await?;
            let payments = self.payments(Scope::Station(StationId(s.station_id)), StatementId(s.id)).await?;
            let expected = owed_fen(&parse_snapshot(&s)?)?;
            let owed: Vec<(CorrespondentId, i64)> = payables.iter().map(|p| (p.correspondent_id, p.owed_fen)).collect();
            let mut expected_sorted = expected.clone();
            expected_sorted.sort();
            if owed != expected_sorted {
                problems.push(format!("{name}：应发记录与公示内容不符"));
            }
            for p in &payables {
                let paid: i64 =
                    payments.iter().filter(|x| x.correspondent_id == p.correspondent_id).map(|x| x.amount_fen).sum();
                if paid != p.paid_fen {
                    problems.push(format!(
                        "{name}：通讯员 {} 的兑现合计 {paid} 分与记录的 {} 分不符",
                        p.correspondent_id, p.paid_fen
                    ));
                }
                if p.paid_fen > p.owed_fen {
                    problems.push(format!(
                        "{name}：通讯员 {} 已发 {} 分，超过应发 {} 分",
                        p.correspondent_id, p.paid_fen, p.owed_fen
                    ));
                }
            }
            for p in &payments {
                if !payables.iter().any(|x| x.correspondent_id == p.correspondent_id) {
                    problems.push(format!("{name}：兑现 {} 没有对应的应发记录", p.id));
                }
                if !payment_audits.contains(&format!("payment:{}", p.id)) {
                    problems.push(format!("{name}：兑现 {} 缺少审计记录", p.id));
                }
            }
        }
        Ok(problems)
    }
}

/// Locks the statement's station and checks it is confirmed (in the transaction).
async fn lock_for_payment(txn: &DatabaseTransaction, scope: Scope, statement: StatementId) -> Result<StationId> {
    let s = find_in::<statement::Entity>(txn, scope, statement.0).await?;
    let station = StationId(s.station_id);
    lock_station(txn, station, LIFECYCLE_LOCK).await?;
    let status = StatementStatus::parse(&s.status).unwrap_or(StatementStatus::Draft);
    if status != StatementStatus::Confirmed {
        return Err(StoreError::Conflict(format!("核算状态为“{}”，确认后才能登记兑现", status.zh())));
    }
    Ok(station)
}

/// One payment's amount: more than 0 and at most `MAX_PAYMENT_FEN`.
fn check_amount(amount_fen: i64) -> Result<()> {
    if amount_fen <= 0 {
        return Err(StoreError::invalid("amount", "金额必须大于0"));
    }
    if amount_fen > MAX_PAYMENT_FEN {
        return Err(StoreError::invalid("amount", format!("单笔金额不能超过{}", yuan(MAX_PAYMENT_FEN))));
    }
    Ok(())
}

/// How a payment was made: a method, bounded text.
fn check_how(how: &PaymentInput<'_>) -> Result<()> {
    if how.method.trim().is_empty() {
        return Err(StoreError::invalid("method", "请填写兑现方式"));
    }
    if how.method.chars().count() > 50 {
        return Err(StoreError::invalid("method", "兑现方式不能超过50字"));
    }
    if how.note.chars().count() > 500 {
        return Err(StoreError::invalid("note", "备注不能超过500字"));
    }
    Ok(())
}

/// One payment inside a transaction: the guarded update of the payable, the payment row and
/// its audit row.
async fn pay_in(
    txn: &DatabaseTransaction,
    station: StationId,
    statement: StatementId,
    who: CorrespondentId,
    amount_fen: i64,
    how: &PaymentInput<'_>,
    by: UserId,
) -> Result<PaymentRecord> {
    // amount_fen ≤ MAX_PAYMENT_FEN and paid_fen ≤ owed_fen ≤ MAX_PAYMENT_FEN: the sum below
    // cannot overflow in the database.
    let res = payable::Entity::update_many()
        .col_expr(payable::Column::PaidFen, Expr::col(payable::Column::PaidFen).add(amount_fen))
        .filter(payable::Column::StatementId.eq(statement.0))
        .filter(payable::Column::CorrespondentId.eq(who.0))
        .filter(Expr::col(payable::Column::PaidFen).add(amount_fen).lte(Expr::col(payable::Column::OwedFen)))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        let line = payable::Entity::find_by_id((statement.0, who.0)).one(txn).await?;
        return Err(match line {
            None => StoreError::Conflict("此人在本期核算中没有应发金额".into()),
            Some(p) => StoreError::Conflict(format!(
                "兑现金额超过应发：应发{}，已发{}，本次{}",
                yuan(p.owed_fen),
                yuan(p.paid_fen),
                yuan(amount_fen)
            )),
        });
    }
    let m = payment::ActiveModel {
        statement_id: Set(statement.0),
        correspondent_id: Set(who.0),
        amount_fen: Set(amount_fen),
        paid_on: Set(how.paid_on),
        method: Set(how.method.trim().into()),
        note: Set(how.note.trim().into()),
        recorded_by: Set(by.0),
        recorded_at: Set(now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let detail = format!("statement:{statement} correspondent:{who} {}", yuan(amount_fen));
    audit_in(txn, station, by, "payment.record", format!("payment:{}", m.id), detail).await?;
    Ok(payment_of(m))
}

/// Marks a confirmed statement paid once nobody is owed anything more.
async fn settle_in(txn: &DatabaseTransaction, statement: StatementId) -> Result<()> {
    let unpaid = Query::select()
        .expr(Expr::val(1))
        .from(payable::Entity)
        .and_where(Expr::col(payable::Column::StatementId).eq(statement.0))
        .and_where(Expr::col(payable::Column::PaidFen).lt(Expr::col(payable::Column::OwedFen)))
        .to_owned();
    statement::Entity::update_many()
        .col_expr(statement::Column::Status, Expr::value(StatementStatus::Paid.code()))
        .col_expr(statement::Column::PaidAt, Expr::value(now()))
        .filter(statement::Column::Id.eq(statement.0))
        .filter(statement::Column::Status.eq(StatementStatus::Confirmed.code()))
        .filter(Expr::exists(unpaid).not())
        .exec(txn)
        .await?;
    Ok(())
}

/// Fills the claims and payables of statements published before migration M0010, from their
/// snapshots and payments. Statements whose months were claimed by an earlier one keep no
/// claim (the data is left as it was; `verify_money` reports it).
pub(crate) async fn backfill_money(db: &impl ConnectionTrait) -> Result<()> {
    // Only the columns this migration knows of: later migrations may add more.
    let published: Vec<(i64, i64, String, String)> = statement::Entity::find()
        .select_only()
        .columns([statement::Column::Id, statement::Column::StationId, statement::Column::Period])
        .column(statement::Column::Snapshot)
        .filter(statement::Column::Status.ne(StatementStatus::Draft.code()))
        .order_by_asc(statement::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (id, station_id, period, snapshot) in published {
        for month in months_of(&period)? {
            let taken = statement_month::Entity::find_by_id((station_id, month.clone())).one(db).await?;
            if taken.is_none() {
                statement_month::ActiveModel { station_id: Set(station_id), month: Set(month), statement_id: Set(id) }
                    .insert(db)
                    .await?;
            }
        }
        let Ok(snapshot) = serde_json::from_str::<Statement>(&snapshot) else { continue };
        let payments: Vec<(i64, i64)> = payment::Entity::find()
            .select_only()
            .columns([payment::Column::CorrespondentId, payment::Column::AmountFen])
            .filter(payment::Column::StatementId.eq(id))
            .into_tuple()
            .all(db)
            .await?;
        for (who, fen) in owed_fen(&snapshot)? {
            let paid: i64 = payments.iter().filter(|(c, _)| *c == who.0).map(|(_, f)| *f).sum();
            payable::ActiveModel {
                statement_id: Set(id),
                correspondent_id: Set(who.0),
                owed_fen: Set(fen),
                paid_fen: Set(paid),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// 123456 fen → "1234.56元".
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}元", fen.unsigned_abs() / 100, fen.unsigned_abs() % 100)
}
