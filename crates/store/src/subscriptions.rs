//! The subscription drive (征订): campaigns (one publication, one year, between two dates),
//! each unit's orders, and the totals by unit against the units' subscription targets.
//! Orders are added all or none, each checked against its campaign's dates.

use crate::auth::audit_in;
use crate::entities::{outlet, subscription_campaign, subscription_order, target, unit};
use crate::scoped::{find_in, in_scope};
use crate::{Result, Scope, Store, StoreError, now};
use domain::media::{CampaignInput, OrderInput};
use domain::targets::TargetMetric;
use domain::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub station_id: StationId,
    pub year: i32,
    pub publication: String,
    pub starts_on: Date,
    pub ends_on: Date,
    /// Copies ordered so far.
    pub copies: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: OrderId,
    pub campaign_id: CampaignId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub copies: i32,
    pub subscriber_type: SubscriberType,
    pub subscriber: String,
    pub ordered_on: Date,
    pub collected_by: String,
}

/// A unit's line in a campaign: copies ordered against its target, and its rank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitSubscriptions {
    pub rank: usize,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub orders: i64,
    pub copies: i64,
    /// The unit's subscription target for the campaign's year, if set.
    pub target: Option<i64>,
}

impl UnitSubscriptions {
    /// Percent of the target reached, when there is a target.
    pub fn percent(&self) -> Option<i64> {
        self.target.filter(|t| *t > 0).map(|t| self.copies * 100 / t)
    }
}

fn campaign_of(m: subscription_campaign::Model, copies: i64) -> Campaign {
    Campaign {
        id: CampaignId(m.id),
        station_id: StationId(m.station_id),
        year: m.year,
        publication: m.publication,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        copies,
    }
}

impl Store {
    /// The station's campaigns, newest year first, with copies ordered so far.
    pub async fn campaigns(&self, station: StationId) -> Result<Vec<Campaign>> {
        let rows = subscription_campaign::Entity::find()
            .filter(subscription_campaign::Column::StationId.eq(station.0))
            .order_by_desc(subscription_campaign::Column::Year)
            .order_by_asc(subscription_campaign::Column::Publication)
            .all(&self.db)
            .await?;
        let totals: HashMap<i64, i64> = subscription_order::Entity::find()
            .select_only()
            .column(subscription_order::Column::CampaignId)
            .column_as(Expr::col(subscription_order::Column::Copies).sum().cast_as("BIGINT"), "n")
            .filter(subscription_order::Column::StationId.eq(station.0))
            .group_by(subscription_order::Column::CampaignId)
            .into_tuple::<(i64, Option<i64>)>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|(c, n)| (c, n.unwrap_or(0)))
            .collect();
        Ok(rows.into_iter().map(|m| campaign_of(m.clone(), totals.get(&m.id).copied().unwrap_or(0))).collect())
    }

    pub async fn campaign(&self, station: StationId, id: CampaignId) -> Result<Campaign> {
        let m = find_in::<subscription_campaign::Entity>(&self.db, Scope::Station(station), id.0).await?;
        let copies: Option<Option<i64>> = subscription_order::Entity::find()
            .select_only()
            .column_as(Expr::col(subscription_order::Column::Copies).sum().cast_as("BIGINT"), "n")
            .filter(subscription_order::Column::CampaignId.eq(id.0))
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(campaign_of(m, copies.flatten().unwrap_or(0)))
    }

    pub async fn create_campaign(&self, station: StationId, by: UserId, input: CampaignInput) -> Result<Campaign> {
        let input = input.validate().map_err(StoreError::Invalid)?;
        let txn = self.write_txn().await?;
        let exists = subscription_campaign::Entity::find()
            .filter(subscription_campaign::Column::StationId.eq(station.0))
            .filter(subscription_campaign::Column::Year.eq(input.year))
            .filter(subscription_campaign::Column::Publication.eq(input.publication.clone()))
            .one(&txn)
            .await?;
        if exists.is_some() {
            return Err(StoreError::invalid(
                "publication",
                format!("{}年已有《{}》的征订", input.year, input.publication),
            ));
        }
        let m = subscription_campaign::ActiveModel {
            station_id: Set(station.0),
            year: Set(input.year),
            publication: Set(input.publication.clone()),
            starts_on: Set(input.starts_on),
            ends_on: Set(input.ends_on),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit_in(&txn, station, by, "campaign.create", m.id.to_string(), format!("{} {}", m.year, m.publication))
            .await?;
        txn.commit().await?;
        Ok(campaign_of(m, 0))
    }

    /// A campaign's orders, newest first.
    pub async fn orders(&self, station: StationId, campaign: CampaignId) -> Result<Vec<Order>> {
        let units = self.unit_names(station).await?;
        let rows = subscription_order::Entity::find()
            .filter(subscription_order::Column::StationId.eq(station.0))
            .filter(subscription_order::Column::CampaignId.eq(campaign.0))
            .order_by_desc(subscription_order::Column::OrderedOn)
            .order_by_desc(subscription_order::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|m| {
                Ok(Order {
                    id: OrderId(m.id),
                    campaign_id: CampaignId(m.campaign_id),
                    unit_id: UnitId(m.unit_id),
                    unit_name: units.get(&m.unit_id).cloned().unwrap_or_default(),
                    copies: m.copies,
                    subscriber_type: SubscriberType::parse(&m.subscriber_type)
                        .ok_or_else(|| StoreError::Corrupt(format!("order {}: {}", m.id, m.subscriber_type)))?,
                    subscriber: m.subscriber,
                    ordered_on: m.ordered_on,
                    collected_by: m.collected_by,
                })
            })
            .collect()
    }

    /// Adds orders to a campaign, all or none. Every order is checked (its unit must be the
    /// station's, its date inside the campaign) and every mistake reported, numbered by the
    /// order's place in `orders` (from 1) when there are several.
    pub async fn add_orders(
        &self,
        station: StationId,
        by: UserId,
        campaign: CampaignId,
        orders: Vec<OrderInput>,
    ) -> Result<usize> {
        let c = self.campaign(station, campaign).await?;
        let units = self.unit_names(station).await?;
        let several = orders.len() > 1;
        let mut errors = FieldErrors::default();
        let mut checked = Vec::with_capacity(orders.len());
        for (i, o) in orders.into_iter().enumerate() {
            let at = |f: &str| if several { format!("{f}[{}]", i + 1) } else { f.to_string() };
            if !units.contains_key(&o.unit_id.0) {
                errors.push(&at("unit_id"), "单位不存在");
            }
            match o.validate(c.starts_on, c.ends_on) {
                Ok(o) => checked.push(o),
                Err(e) => e.0.into_iter().for_each(|f| errors.push(&at(&f.field), f.message)),
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let txn = self.write_txn().await?;
        let copies: i64 = checked.iter().map(|o| o.copies as i64).sum();
        for o in &checked {
            subscription_order::ActiveModel {
                campaign_id: Set(campaign.0),
                station_id: Set(station.0),
                unit_id: Set(o.unit_id.0),
                copies: Set(o.copies),
                subscriber_type: Set(o.subscriber_type.code().into()),
                subscriber: Set(o.subscriber.clone()),
                ordered_on: Set(o.ordered_on),
                collected_by: Set(o.collected_by.clone()),
                created_by: Set(by.0),
                created_at: Set(now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        audit_in(
            &txn,
            station,
            by,
            "subscription.add",
            campaign.0.to_string(),
            format!("{}笔订单，共{copies}份", checked.len()),
        )
        .await?;
        txn.commit().await?;
        Ok(checked.len())
    }

    pub async fn delete_order(&self, station: StationId, by: UserId, id: OrderId) -> Result<()> {
        let txn = self.write_txn().await?;
        let Some(o) = in_scope(subscription_order::Entity::find_by_id(id.0), Scope::Station(station)).one(&txn).await?
        else {
            return Err(StoreError::NotFound);
        };
        subscription_order::Entity::delete_by_id(id.0).exec(&txn).await?;
        audit_in(&txn, station, by, "subscription.delete", o.campaign_id.to_string(), format!("{}份", o.copies))
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every unit's copies in a campaign against its target, most copies first (ties by
    /// name); units with no order are listed too, at the bottom.
    pub async fn campaign_by_unit(&self, station: StationId, campaign: CampaignId) -> Result<Vec<UnitSubscriptions>> {
        let c = self.campaign(station, campaign).await?;
        let units = self.unit_names(station).await?;
        let sums: HashMap<i64, (i64, Option<i64>)> = subscription_order::Entity::find()
            .select_only()
            .column(subscription_order::Column::UnitId)
            .column_as(Expr::col(subscription_order::Column::Id).count(), "orders")
            .column_as(Expr::col(subscription_order::Column::Copies).sum().cast_as("BIGINT"), "copies")
            .filter(subscription_order::Column::StationId.eq(station.0))
            .filter(subscription_order::Column::CampaignId.eq(campaign.0))
            .group_by(subscription_order::Column::UnitId)
            .into_tuple::<(i64, i64, Option<i64>)>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|(u, n, c)| (u, (n, c)))
            .collect();
        let targets: HashMap<i64, i64> = target::Entity::find()
            .filter(target::Column::StationId.eq(station.0))
            .filter(target::Column::Year.eq(c.year))
            .filter(target::Column::Metric.eq(TargetMetric::Subscriptions.code()))
            .filter(target::Column::UnitId.is_not_null())
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|t| t.unit_id.map(|u| (u, t.value)))
            .collect();
        let mut rows: Vec<UnitSubscriptions> = units
            .iter()
            .map(|(id, name)| {
                let (orders, copies) = sums.get(id).map(|(n, c)| (*n, c.unwrap_or(0))).unwrap_or((0, 0));
                UnitSubscriptions {
                    rank: 0,
                    unit_id: UnitId(*id),
                    unit_name: name.clone(),
                    orders,
                    copies,
                    target: targets.get(id).copied(),
                }
            })
            .collect();
        rows.sort_by(|a, b| b.copies.cmp(&a.copies).then_with(|| a.unit_name.cmp(&b.unit_name)));
        // Equal copies share a rank (1, 2, 2, 4).
        for i in 0..rows.len() {
            rows[i].rank = if i > 0 && rows[i].copies == rows[i - 1].copies { rows[i - 1].rank } else { i + 1 };
        }
        Ok(rows)
    }

    /// The station's outlet names by id.
    pub(crate) async fn outlet_names(&self, station: StationId) -> Result<HashMap<i64, String>> {
        Ok(outlet::Entity::find()
            .filter(outlet::Column::StationId.eq(station.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    /// The station's unit names by id.
    pub(crate) async fn unit_names(&self, station: StationId) -> Result<HashMap<i64, String>> {
        Ok(unit::Entity::find()
            .filter(unit::Column::StationId.eq(station.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect())
    }
}
