//! Rewards: policies (the TOML source as loaded) and manual adjustments, each written with its
//! audit row in one transaction. Statements and payments are in `statements.rs`; the computing
//! is the domain's.

use crate::auth::audit_in;
use crate::entities::{adjustment, policy};
use crate::scoped::find_in;
use crate::statements::lock_station;
use crate::{Result, Scope, Store, StoreError, now};
use domain::*;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use time::Date;

/// The largest manual adjustment, in hundredths of the ledger's unit: 10^11 (a billion yuan or
/// points), the most the engine accepts.
pub const MAX_ADJUSTMENT_CENTS: i64 = 100_000_000_000;

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
        let txn = self.write_txn().await?;
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
        audit_in(&txn, station, by, "policy.load", format!("policy:{}", m.id), m.name.clone()).await?;
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
        Ok(policy_of(find_in::<policy::Entity>(&self.db, Scope::Station(station), id.0).await?))
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
        if amount_cents.checked_abs().is_none_or(|a| a > MAX_ADJUSTMENT_CENTS) {
            return Err(StoreError::invalid("amount", "调整金额的绝对值不能超过1000000000"));
        }
        if reason.chars().count() > 500 {
            return Err(StoreError::invalid("reason", "调整原因不能超过500字"));
        }
        self.correspondent(crate::Scope::Station(station), correspondent).await?;
        let txn = self.write_txn().await?;
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
        .insert(&txn)
        .await?;
        let detail = format!("correspondent:{correspondent} {ledger} {} {}", Decimal::new(amount_cents, 2), m.reason);
        audit_in(&txn, station, by, "adjustment.add", format!("adjustment:{}", m.id), detail).await?;
        txn.commit().await?;
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
