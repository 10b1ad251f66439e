//! Counts for the dashboards: submissions and placements of a period by unit and by outlet level.

use crate::entities::{manuscript, outlet, placement, unit};
use crate::{Result, Store};
use domain::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnitCount {
    pub unit_id: Option<UnitId>,
    /// None for placements with no unit.
    pub unit_name: Option<String>,
    pub submissions: i64,
    pub placements: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LevelCount {
    pub level: OutletLevel,
    pub placements: i64,
}

impl Store {
    /// Placements per unit and manuscripts submitted per unit, for dates in `from..=to`.
    pub async fn counts_by_unit(&self, station: StationId, from: Date, to: Date) -> Result<Vec<UnitCount>> {
        let placed: Vec<(Option<i64>, i64)> = placement::Entity::find()
            .select_only()
            .column(placement::Column::UnitId)
            .column_as(Expr::col(placement::Column::Id).count(), "n")
            .filter(placement::Column::StationId.eq(station.0))
            .filter(placement::Column::PublishedOn.between(from, to))
            .group_by(placement::Column::UnitId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let start = from.midnight().assume_utc().unix_timestamp();
        let end = to.next_day().unwrap_or(to).midnight().assume_utc().unix_timestamp();
        let submitted: Vec<(Option<i64>, i64)> = manuscript::Entity::find()
            .select_only()
            .column(manuscript::Column::UnitId)
            .column_as(Expr::col(manuscript::Column::Id).count(), "n")
            .filter(manuscript::Column::StationId.eq(station.0))
            .filter(manuscript::Column::SubmittedAt.gte(start))
            .filter(manuscript::Column::SubmittedAt.lt(end))
            .group_by(manuscript::Column::UnitId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let units = unit::Entity::find().filter(unit::Column::StationId.eq(station.0)).all(&self.db).await?;
        let mut rows: Vec<UnitCount> = units
            .iter()
            .map(|u| UnitCount {
                unit_id: Some(UnitId(u.id)),
                unit_name: Some(u.name.clone()),
                submissions: 0,
                placements: 0,
            })
            .collect();
        rows.push(UnitCount { unit_id: None, unit_name: None, submissions: 0, placements: 0 });
        let find = |rows: &mut Vec<UnitCount>, id: Option<i64>| rows.iter().position(|r| r.unit_id.map(|u| u.0) == id);
        for (id, n) in placed {
            if let Some(i) = find(&mut rows, id) {
                rows[i].placements = n;
            }
        }
        for (id, n) in submitted {
            if let Some(i) = find(&mut rows, id) {
                rows[i].submissions = n;
            }
        }
        rows.retain(|r| r.unit_id.is_some() || r.placements + r.submissions > 0);
        rows.sort_by(|a, b| b.placements.cmp(&a.placements).then(b.submissions.cmp(&a.submissions)));
        Ok(rows)
    }

    /// Placements in one outlet per unit for dates in `from..=to`, most first, units with none
    /// left out: what the station's website adopted from each unit (the seed's 比学赶 column).
    pub async fn outlet_counts_by_unit(
        &self,
        station: StationId,
        outlet: OutletId,
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, i64)>> {
        let placed: Vec<(Option<i64>, i64)> = placement::Entity::find()
            .select_only()
            .column(placement::Column::UnitId)
            .column_as(Expr::col(placement::Column::Id).count(), "n")
            .filter(placement::Column::StationId.eq(station.0))
            .filter(placement::Column::OutletId.eq(outlet.0))
            .filter(placement::Column::PublishedOn.between(from, to))
            .group_by(placement::Column::UnitId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let names: std::collections::HashMap<i64, String> = unit::Entity::find()
            .filter(unit::Column::StationId.eq(station.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let mut rows: Vec<(String, i64)> =
            placed.into_iter().filter_map(|(u, n)| Some((names.get(&u?)?.clone(), n))).collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(rows)
    }

    /// Placements per outlet level for dates in `from..=to`.
    pub async fn counts_by_level(&self, station: StationId, from: Date, to: Date) -> Result<Vec<LevelCount>> {
        let o = Alias::new("o");
        let p = Alias::new("p");
        let stmt = Query::select()
            .expr_as(Expr::col((o.clone(), outlet::Column::Level)), Alias::new("level"))
            .expr_as(Expr::col((p.clone(), placement::Column::Id)).count(), Alias::new("n"))
            .from_as(placement::Entity, p.clone())
            .join_as(
                JoinType::InnerJoin,
                outlet::Entity,
                o.clone(),
                Expr::col((o.clone(), outlet::Column::Id)).equals((p.clone(), placement::Column::OutletId)),
            )
            .and_where(Expr::col((p.clone(), placement::Column::StationId)).eq(station.0))
            .and_where(Expr::col((p.clone(), placement::Column::PublishedOn)).between(from, to))
            .group_by_col((o.clone(), outlet::Column::Level))
            .to_owned();
        let mut rows: Vec<(String, i64)> = Vec::new();
        for r in self.db.query_all(&stmt).await? {
            rows.push((r.try_get("", "level")?, r.try_get("", "n")?));
        }
        Ok(OutletLevel::ALL
            .iter()
            .map(|l| LevelCount {
                level: *l,
                placements: rows.iter().find(|(c, _)| c == l.code()).map(|r| r.1).unwrap_or(0),
            })
            .collect())
    }
}

impl Store {
    /// The date of the station's most recent placement, if any.
    pub async fn latest_placement_date(&self, station: StationId) -> Result<Option<Date>> {
        Ok(placement::Entity::find()
            .select_only()
            .column(placement::Column::PublishedOn)
            .filter(placement::Column::StationId.eq(station.0))
            .order_by_desc(placement::Column::PublishedOn)
            .limit(1)
            .into_tuple::<Date>()
            .one(&self.db)
            .await?)
    }
}
