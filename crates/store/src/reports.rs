//! What the annual report (年度经验交流材料) reads beyond the tally: placements by outlet and
//! by month, rewards paid by month, copies ordered in the year's campaigns, and the editable
//! narrative the editor writes around the figures.

use crate::auth::audit_in;
use crate::entities::{annual_report, payment, placement, statement, subscription_campaign, subscription_order};
use crate::{Result, Store, now};
use domain::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect};
use std::collections::BTreeMap;
use time::Date;

impl Store {
    /// Placements with dates in `from..=to`, per outlet and per month (1–12).
    pub async fn placements_by_outlet_and_month(
        &self,
        station: StationId,
        from: Date,
        to: Date,
    ) -> Result<BTreeMap<(OutletId, u8), i64>> {
        let rows: Vec<(i64, Date)> = placement::Entity::find()
            .select_only()
            .column(placement::Column::OutletId)
            .column(placement::Column::PublishedOn)
            .filter(placement::Column::StationId.eq(station.0))
            .filter(placement::Column::PublishedOn.between(from, to))
            .into_tuple()
            .all(self.reader())
            .await?;
        let mut out = BTreeMap::new();
        for (o, d) in rows {
            *out.entry((OutletId(o), u8::from(d.month()))).or_insert(0) += 1;
        }
        Ok(out)
    }

    /// Rewards paid (兑现) with payment dates in `from..=to`, in fen, per month (1–12).
    pub async fn paid_by_month(&self, station: StationId, from: Date, to: Date) -> Result<BTreeMap<u8, i64>> {
        let rows: Vec<(Date, i64)> = payment::Entity::find()
            .select_only()
            .column(payment::Column::PaidOn)
            .column(payment::Column::AmountFen)
            .join(
                JoinType::InnerJoin,
                payment::Entity::belongs_to(statement::Entity)
                    .from(payment::Column::StatementId)
                    .to(statement::Column::Id)
                    .into(),
            )
            .filter(statement::Column::StationId.eq(station.0))
            .filter(payment::Column::PaidOn.between(from, to))
            .into_tuple()
            .all(self.reader())
            .await?;
        let mut out = BTreeMap::new();
        for (d, fen) in rows {
            *out.entry(u8::from(d.month())).or_insert(0) += fen;
        }
        Ok(out)
    }

    /// Copies ordered in the station's campaigns of `year`.
    pub async fn copies_in_year(&self, station: StationId, year: i32) -> Result<i64> {
        let n: Option<Option<i64>> = subscription_order::Entity::find()
            .select_only()
            .column_as(
                Expr::col((subscription_order::Entity, subscription_order::Column::Copies)).sum().cast_as("BIGINT"),
                "n",
            )
            .join(JoinType::InnerJoin, subscription_order_campaign())
            .filter(subscription_order::Column::StationId.eq(station.0))
            .filter(subscription_campaign::Column::Year.eq(year))
            .into_tuple()
            .one(self.reader())
            .await?;
        Ok(n.flatten().unwrap_or(0))
    }

    /// The narrative of the year's report as stored (JSON), if the editor has written one.
    pub async fn annual_narrative(&self, station: StationId, year: i32) -> Result<Option<String>> {
        Ok(annual_report::Entity::find_by_id((station.0, year)).one(&self.db).await?.map(|r| r.narrative))
    }

    pub async fn set_annual_narrative(&self, station: StationId, by: UserId, year: i32, narrative: &str) -> Result<()> {
        let txn = self.write_txn().await?;
        annual_report::Entity::delete_by_id((station.0, year)).exec(&txn).await?;
        annual_report::ActiveModel {
            station_id: Set(station.0),
            year: Set(year),
            narrative: Set(narrative.to_string()),
            updated_by: Set(by.0),
            updated_at: Set(now()),
        }
        .insert(&txn)
        .await?;
        audit_in(&txn, station, by, "annual_report.save", year.to_string(), String::new()).await?;
        txn.commit().await?;
        Ok(())
    }
}

fn subscription_order_campaign() -> sea_orm::RelationDef {
    subscription_order::Entity::belongs_to(subscription_campaign::Entity)
        .from(subscription_order::Column::CampaignId)
        .to(subscription_campaign::Column::Id)
        .into()
}
