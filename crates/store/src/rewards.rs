//! Rewards: policies (the TOML source as loaded), manual adjustments, statements with their
//! snapshots and lifecycle (draft → published notice → confirmed → paid), objections (异议)
//! and payments (兑现). The computing is the domain's; this module keeps the records and
//! enforces the lifecycle in the database, so two editors cannot both publish or overpay.

use crate::entities::{adjustment, correction, objection, payment, policy, statement};
use crate::{Result, Store, StoreError, now};
use domain::*;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Serialize;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PolicyRecord {
    pub id: PolicyId,
    pub station_id: StationId,
    pub name: String,
    #[serde(with = "domain::date_format")]
    #[schema(value_type = String, format = Date)]
    pub valid_from: Date,
    #[serde(with = "domain::date_format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<Date>,
    pub source: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AdjustmentRecord {
    pub id: AdjustmentId,
    pub correspondent_id: CorrespondentId,
    pub ledger: String,
    /// Hundredths of the ledger's unit: fen for money.
    pub amount_cents: i64,
    pub reason: String,
    #[serde(with = "domain::date_format")]
    #[schema(value_type = String, format = Date)]
    pub effective_on: Date,
    pub created_by: UserId,
    pub created_at: i64,
}

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

fn policy_of(m: policy::Model) -> PolicyRecord {
    PolicyRecord {
        id: PolicyId(m.id),
        station_id: StationId(m.station_id),
        name: m.name,
        valid_from: m.valid_from,
        valid_to: m.valid_to,
        source: m.source,
        created_at: m.created_at,
    }
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

/// Serialises writers per station on PostgreSQL for the length of a transaction (SQLite
/// already has a single writer), so checks like "no overlap" and "not more than owed" hold.
async fn lock_station(db: &impl ConnectionTrait, station: StationId, what: i64) -> Result<()> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({}, {})", what, station.0)).await?;
    }
    Ok(())
}

impl Store {
    // ---- policies ----

    /// Stores a policy. `overlaps` is given the policies already stored for the station (in
    /// the same transaction) and says whether the new one may be added.
    pub async fn create_policy(
        &self,
        station: StationId,
        name: &str,
        valid_from: Date,
        valid_to: Option<Date>,
        source: &str,
        by: UserId,
        overlaps: impl FnOnce(&[PolicyRecord]) -> std::result::Result<(), String>,
    ) -> Result<PolicyRecord> {
        let txn = self.db.begin().await?;
        lock_station(&txn, station, 1).await?;
        let existing: Vec<PolicyRecord> = policy::Entity::find()
            .filter(policy::Column::StationId.eq(station.0))
            .all(&txn)
            .await?
            .into_iter()
            .map(policy_of)
            .collect();
        overlaps(&existing).map_err(StoreError::Conflict)?;
        let m = policy::ActiveModel {
            station_id: Set(station.0),
            name: Set(name.into()),
            valid_from: Set(valid_from),
            valid_to: Set(valid_to),
            source: Set(source.into()),
            created_by: Set(by.0),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(policy_of(m))
    }

    pub async fn policies(&self, station: StationId) -> Result<Vec<PolicyRecord>> {
        Ok(policy::Entity::find()
            .filter(policy::Column::StationId.eq(station.0))
            .order_by_asc(policy::Column::ValidFrom)
            .all(&self.db)
            .await?
            .into_iter()
            .map(policy_of)
            .collect())
    }

    pub async fn policy(&self, station: StationId, id: PolicyId) -> Result<PolicyRecord> {
        let p = policy::Entity::find_by_id(id.0).one(&self.db).await?.map(policy_of).ok_or(StoreError::NotFound)?;
        if p.station_id == station { Ok(p) } else { Err(StoreError::NotFound) }
    }

    // ---- adjustments ----

    pub async fn add_adjustment(
        &self,
        station: StationId,
        correspondent: CorrespondentId,
        ledger: &str,
        amount_cents: i64,
        reason: &str,
        effective_on: Date,
        by: UserId,
    ) -> Result<AdjustmentRecord> {
        if reason.trim().is_empty() {
            return Err(StoreError::invalid("reason", "请填写调整原因"));
        }
        if amount_cents == 0 {
            return Err(StoreError::invalid("amount", "调整金额不能为0"));
        }
        self.correspondent(crate::Scope::Station(station), correspondent).await?;
        let m = adjustment::ActiveModel {
            station_id: Set(station.0),
            correspondent_id: Set(correspondent.0),
            ledger: Set(ledger.into()),
            amount_cents: Set(amount_cents),
            reason: Set(reason.trim().into()),
            effective_on: Set(effective_on),
            created_by: Set(by.0),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(adjustment_of(m))
    }

    /// Every adjustment of the station, oldest first.
    pub async fn all_adjustments(&self, station: StationId) -> Result<Vec<AdjustmentRecord>> {
        Ok(adjustment::Entity::find()
            .filter(adjustment::Column::StationId.eq(station.0))
            .order_by_asc(adjustment::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(adjustment_of)
            .collect())
    }

    /// Adjustments effective in `from..=to`.
    pub async fn adjustments(&self, station: StationId, from: Date, to: Date) -> Result<Vec<AdjustmentRecord>> {
        Ok(adjustment::Entity::find()
            .filter(adjustment::Column::StationId.eq(station.0))
            .filter(adjustment::Column::EffectiveOn.between(from, to))
            .order_by_asc(adjustment::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(adjustment_of)
            .collect())
    }

    // ---- statements ----

    /// Saves a computed draft for a period, replacing the period's current draft if there is
    /// one. Published statements are never touched: a period that already has one gets a new
    /// draft beside it.
    pub async fn save_draft(
        &self,
        station: StationId,
        period: &str,
        snapshot: &str,
        hash: &str,
        by: UserId,
        carried: &[CarriedCorrection],
    ) -> Result<StatementRecord> {
        let carried = serde_json::to_string(carried).map_err(|e| StoreError::Conflict(e.to_string()))?;
        let txn = self.db.begin().await?;
        lock_station(&txn, station, 2).await?;
        let draft = statement::Entity::find()
            .filter(statement::Column::StationId.eq(station.0))
            .filter(statement::Column::Period.eq(period))
            .filter(statement::Column::Status.eq(StatementStatus::Draft.code()))
            .one(&txn)
            .await?;
        let m = match draft {
            Some(d) => {
                statement::ActiveModel {
                    id: Set(d.id),
                    snapshot: Set(snapshot.into()),
                    content_hash: Set(hash.into()),
                    computed_at: Set(now()),
                    computed_by: Set(by.0),
                    carried: Set(carried.clone()),
                    ..Default::default()
                }
                .update(&txn)
                .await?
            }
            None => {
                statement::ActiveModel {
                    station_id: Set(station.0),
                    period: Set(period.into()),
                    status: Set(StatementStatus::Draft.code().into()),
                    snapshot: Set(snapshot.into()),
                    content_hash: Set(hash.into()),
                    computed_at: Set(now()),
                    computed_by: Set(by.0),
                    carried: Set(carried.clone()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        txn.commit().await?;
        Ok(statement_of(m))
    }

    pub async fn statement(&self, id: StatementId) -> Result<StatementRecord> {
        statement::Entity::find_by_id(id.0).one(&self.db).await?.map(statement_of).ok_or(StoreError::NotFound)
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

    /// Publishes a draft as a notice open for objections until `objection_until`, and records
    /// the corrections it carries. A period is published once: later differences go into the
    /// next period's statement.
    pub async fn publish_statement(
        &self,
        id: StatementId,
        objection_until: Date,
        by: UserId,
    ) -> Result<StatementRecord> {
        let draft = self.statement(id).await?;
        let already = statement::Entity::find()
            .filter(statement::Column::StationId.eq(draft.station_id.0))
            .filter(statement::Column::Period.eq(draft.period.as_str()))
            .filter(statement::Column::Status.ne(StatementStatus::Draft.code()))
            .count(&self.db)
            .await?;
        if already > 0 {
            return Err(StoreError::Conflict(format!("{}已有公示，不能再次公示；更正将计入下一期核算", draft.period)));
        }
        let t = now();
        let published = self
            .transition(
                id,
                StatementStatus::Draft,
                StatementStatus::Published,
                vec![
                    (statement::Column::PublishedAt, Expr::value(t)),
                    (statement::Column::PublishedBy, Expr::value(by.0)),
                    (statement::Column::ObjectionUntil, Expr::value(objection_until)),
                ],
            )
            .await?;
        let carried: Vec<CarriedCorrection> =
            serde_json::from_str(&draft_carried(&self.db, id).await?).unwrap_or_default();
        for c in carried {
            correction::ActiveModel {
                into_statement_id: Set(id.0),
                from_statement_id: Set(c.from_statement_id.0),
                correspondent_id: Set(c.correspondent_id.0),
                ledger: Set(c.ledger),
                amount_cents: Set(c.amount_cents),
                ..Default::default()
            }
            .insert(&self.db)
            .await?;
        }
        Ok(published)
    }

    /// What published statements have already carried from `from` (per person and ledger).
    pub async fn corrections_from(&self, from: StatementId) -> Result<Vec<CarriedCorrection>> {
        let s = self.statement(from).await?;
        Ok(correction::Entity::find()
            .filter(correction::Column::FromStatementId.eq(from.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| CarriedCorrection {
                from_statement_id: StatementId(c.from_statement_id),
                from_period: s.period.clone(),
                correspondent_id: CorrespondentId(c.correspondent_id),
                ledger: c.ledger,
                amount_cents: c.amount_cents,
            })
            .collect())
    }

    /// Confirms a published notice once no objection is open.
    pub async fn confirm_statement(&self, id: StatementId, by: UserId) -> Result<StatementRecord> {
        let open = objection::Entity::find()
            .filter(objection::Column::StatementId.eq(id.0))
            .filter(objection::Column::Status.eq(ObjectionStatus::Open.code()))
            .count(&self.db)
            .await?;
        if open > 0 {
            return Err(StoreError::Conflict(format!("还有{open}条异议未答复，不能确认")));
        }
        let t = now();
        self.transition(
            id,
            StatementStatus::Published,
            StatementStatus::Confirmed,
            vec![(statement::Column::ConfirmedAt, Expr::value(t)), (statement::Column::ConfirmedBy, Expr::value(by.0))],
        )
        .await
    }

    /// Moves a statement from one status to the next, guarded on the old status so that
    /// publishing twice (or from two browsers at once) fails cleanly.
    async fn transition(
        &self,
        id: StatementId,
        from: StatementStatus,
        to: StatementStatus,
        sets: Vec<(statement::Column, sea_orm::sea_query::SimpleExpr)>,
    ) -> Result<StatementRecord> {
        let current = self.statement(id).await?;
        if current.status != from {
            return Err(StoreError::Conflict(format!(
                "核算当前状态为“{}”，不能改为“{}”",
                current.status.zh(),
                to.zh()
            )));
        }
        let mut update = statement::Entity::update_many()
            .col_expr(statement::Column::Status, Expr::value(to.code()))
            .filter(statement::Column::Id.eq(id.0))
            .filter(statement::Column::Status.eq(from.code()));
        for (col, value) in sets {
            update = update.col_expr(col, value);
        }
        if update.exec(&self.db).await?.rows_affected != 1 {
            return Err(StoreError::Conflict("核算状态已被他人更改，请刷新后重试".into()));
        }
        self.statement(id).await
    }

    // ---- objections ----

    /// Records an objection. The caller checks the window and that the line is the objector's.
    pub async fn raise_objection(
        &self,
        statement: StatementId,
        correspondent: CorrespondentId,
        by: UserId,
        text: &str,
    ) -> Result<ObjectionRecord> {
        if text.trim().is_empty() {
            return Err(StoreError::invalid("text", "请写明异议内容"));
        }
        if text.chars().count() > 2000 {
            return Err(StoreError::invalid("text", "异议内容不能超过2000字"));
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
        .insert(&self.db)
        .await?;
        Ok(objection_of(m))
    }

    pub async fn answer_objection(
        &self,
        id: ObjectionId,
        upheld: bool,
        answer: &str,
        by: UserId,
    ) -> Result<ObjectionRecord> {
        if answer.trim().is_empty() {
            return Err(StoreError::invalid("answer", "请填写答复"));
        }
        let status = if upheld { ObjectionStatus::Upheld } else { ObjectionStatus::Rejected };
        let res = objection::Entity::update_many()
            .col_expr(objection::Column::Status, Expr::value(status.code()))
            .col_expr(objection::Column::Answer, Expr::value(answer.trim()))
            .col_expr(objection::Column::AnsweredBy, Expr::value(by.0))
            .col_expr(objection::Column::AnsweredAt, Expr::value(now()))
            .filter(objection::Column::Id.eq(id.0))
            .filter(objection::Column::Status.eq(ObjectionStatus::Open.code()))
            .exec(&self.db)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::Conflict("该异议已答复".into()));
        }
        self.objection(id).await
    }

    pub async fn objection(&self, id: ObjectionId) -> Result<ObjectionRecord> {
        objection::Entity::find_by_id(id.0).one(&self.db).await?.map(objection_of).ok_or(StoreError::NotFound)
    }

    pub async fn objections(&self, statement: StatementId) -> Result<Vec<ObjectionRecord>> {
        Ok(objection::Entity::find()
            .filter(objection::Column::StatementId.eq(statement.0))
            .order_by_asc(objection::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(objection_of)
            .collect())
    }

    // ---- payments ----

    /// Records a payment to one person against a confirmed statement. `owed_fen` is what the
    /// statement says the person is owed; the total paid may never exceed it. When everyone is
    /// paid in full (`all_owed` per person), the statement becomes paid.
    pub async fn record_payment(
        &self,
        statement: StatementId,
        correspondent: CorrespondentId,
        amount_fen: i64,
        paid_on: Date,
        method: &str,
        note: &str,
        by: UserId,
        owed_fen: i64,
        all_owed: &[(CorrespondentId, i64)],
    ) -> Result<PaymentRecord> {
        if amount_fen <= 0 {
            return Err(StoreError::invalid("amount", "金额必须大于0"));
        }
        if method.trim().is_empty() {
            return Err(StoreError::invalid("method", "请填写兑现方式"));
        }
        let txn = self.db.begin().await?;
        let s = statement::Entity::find_by_id(statement.0).one(&txn).await?.ok_or(StoreError::NotFound)?;
        lock_station(&txn, StationId(s.station_id), 3).await?;
        let status = StatementStatus::parse(&s.status).unwrap_or(StatementStatus::Draft);
        if status != StatementStatus::Confirmed {
            return Err(StoreError::Conflict(format!("核算状态为“{}”，确认后才能登记兑现", status.zh())));
        }
        let paid: i64 = payment::Entity::find()
            .filter(payment::Column::StatementId.eq(statement.0))
            .all(&txn)
            .await?
            .iter()
            .filter(|p| p.correspondent_id == correspondent.0)
            .map(|p| p.amount_fen)
            .sum();
        if paid + amount_fen > owed_fen {
            return Err(StoreError::Conflict(format!(
                "兑现金额超过应发：应发{}，已发{}，本次{}",
                yuan(owed_fen),
                yuan(paid),
                yuan(amount_fen)
            )));
        }
        let m = payment::ActiveModel {
            statement_id: Set(statement.0),
            correspondent_id: Set(correspondent.0),
            amount_fen: Set(amount_fen),
            paid_on: Set(paid_on),
            method: Set(method.trim().into()),
            note: Set(note.trim().into()),
            recorded_by: Set(by.0),
            recorded_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        // Paid in full for everyone? Then the statement is paid.
        let payments = payment::Entity::find().filter(payment::Column::StatementId.eq(statement.0)).all(&txn).await?;
        let settled = all_owed.iter().all(|(who, owed)| {
            payments.iter().filter(|p| p.correspondent_id == who.0).map(|p| p.amount_fen).sum::<i64>() >= *owed
        });
        if settled {
            statement::Entity::update_many()
                .col_expr(statement::Column::Status, Expr::value(StatementStatus::Paid.code()))
                .col_expr(statement::Column::PaidAt, Expr::value(now()))
                .filter(statement::Column::Id.eq(statement.0))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(payment_of(m))
    }

    pub async fn payments(&self, statement: StatementId) -> Result<Vec<PaymentRecord>> {
        Ok(payment::Entity::find()
            .filter(payment::Column::StatementId.eq(statement.0))
            .order_by_asc(payment::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(payment_of)
            .collect())
    }
}

async fn draft_carried(db: &impl ConnectionTrait, id: StatementId) -> Result<String> {
    Ok(statement::Entity::find_by_id(id.0).one(db).await?.map(|s| s.carried).unwrap_or_default())
}

fn adjustment_of(m: adjustment::Model) -> AdjustmentRecord {
    AdjustmentRecord {
        id: AdjustmentId(m.id),
        correspondent_id: CorrespondentId(m.correspondent_id),
        ledger: m.ledger,
        amount_cents: m.amount_cents,
        reason: m.reason,
        effective_on: m.effective_on,
        created_by: UserId(m.created_by),
        created_at: m.created_at,
    }
}

/// 123456 fen → "1234.56元".
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}元", fen.abs() / 100, fen.abs() % 100)
}
