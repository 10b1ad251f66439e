//! The national view of headquarters (报社总部): every station's year in the paper (by month),
//! its subscriptions, events and correspondents, and the award criteria headquarters keeps.

use crate::entities::{audit, award_rules};
use crate::{Result, Store, now};
use domain::*;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};
use serde::Serialize;
use std::collections::BTreeMap;

/// One station's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StationYear {
    pub station_id: StationId,
    pub code: String,
    pub name: String,
    /// Placements in the paper per month (1–12).
    pub paper_by_month: BTreeMap<u8, i64>,
    pub paper_placements: i64,
    pub placements: i64,
    pub website_items: i64,
    pub subscriptions: i64,
    pub events: i64,
    pub active_correspondents: i64,
}

/// One correspondent's year, for the national ranking of correspondents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrespondentYear {
    pub id: CorrespondentId,
    pub name: String,
    pub station: String,
    pub paper_placements: i64,
    pub placements: i64,
}

impl Store {
    /// Every station's figures for `year`; `paper` names the paper (an outlet of that name in
    /// each station).
    pub async fn national_year(&self, year: i32, paper: &str) -> Result<(Vec<StationYear>, Vec<CorrespondentYear>)> {
        let (first, last) = crate::targets::year_bounds(year);
        let mut stations = Vec::new();
        let mut people = Vec::new();
        for st in self.stations().await? {
            let outlets = self.outlet_names(st.id).await?;
            let paper_ids: Vec<OutletId> =
                outlets.iter().filter(|(_, n)| n.as_str() == paper).map(|(id, _)| OutletId(*id)).collect();
            let by_outlet_month = self.placements_by_outlet_and_month(st.id, first, last).await?;
            let mut paper_by_month = BTreeMap::new();
            for ((o, m), n) in &by_outlet_month {
                if paper_ids.contains(o) {
                    *paper_by_month.entry(*m).or_insert(0) += n;
                }
            }
            let tally = self.tally(st.id, first, last).await?;
            let names: std::collections::HashMap<CorrespondentId, String> =
                self.all_correspondents(st.id).await?.into_iter().map(|c| (c.id, c.name)).collect();
            let mut active = 0;
            for (c, counts) in &tally.correspondents {
                let placements: i64 = counts.by_outlet.values().sum();
                if placements > 0 {
                    active += 1;
                }
                people.push(CorrespondentYear {
                    id: *c,
                    name: names.get(c).cloned().unwrap_or_default(),
                    station: st.name.clone(),
                    paper_placements: paper_ids.iter().map(|o| counts.by_outlet.get(o).copied().unwrap_or(0)).sum(),
                    placements,
                });
            }
            let website_items = st
                .portal_outlet_id
                .map(|w| by_outlet_month.iter().filter(|((o, _), _)| *o == w).map(|(_, n)| n).sum())
                .unwrap_or(0);
            stations.push(StationYear {
                station_id: st.id,
                code: st.code.clone(),
                name: st.name.clone(),
                paper_placements: paper_by_month.values().sum(),
                paper_by_month,
                placements: by_outlet_month.values().sum(),
                website_items,
                subscriptions: self.copies_in_year(st.id, year).await?,
                events: self.event_counts(st.id, first, last).await?.values().sum(),
                active_correspondents: active,
            });
        }
        people.sort_by(|a, b| b.paper_placements.cmp(&a.paper_placements).then_with(|| a.name.cmp(&b.name)));
        Ok((stations, people))
    }

    /// The award criteria in force (the latest saved) and when they were saved, if any.
    pub async fn award_rules(&self) -> Result<Option<(String, i64)>> {
        Ok(award_rules::Entity::find()
            .order_by_desc(award_rules::Column::Id)
            .one(&self.db)
            .await?
            .map(|r| (r.source, r.created_at)))
    }

    /// Saves new award criteria (already checked by `domain::awards::parse_awards`).
    pub async fn save_award_rules(&self, by: UserId, source: &str) -> Result<()> {
        let txn = self.write_txn().await?;
        award_rules::ActiveModel {
            source: Set(source.to_string()),
            created_by: Set(by.0),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::ActiveModel {
            station_id: Set(None),
            user_id: Set(Some(by.0)),
            at: Set(now()),
            action: Set("award_rules.save".into()),
            subject: Set("headquarters".into()),
            detail: Set(format!("{} 字", source.chars().count())),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
