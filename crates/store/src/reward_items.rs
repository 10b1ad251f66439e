//! What the reward engine reads: a period's placements with their outlets and bylines, in
//! three plain queries (placements in the date range, their bylines by a join on the same
//! range, and the station's outlets), so a month of a large station loads quickly.

use crate::entities::{outlet, placement, placement_author};
use crate::{Result, Store};
use domain::policy::{Item, ItemAuthor};
use domain::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use time::Date;

impl Store {
    /// The station's placements published in `from..=to`, as the engine sees them.
    pub async fn reward_items(&self, station: StationId, from: Date, to: Date) -> Result<Vec<Item>> {
        let outlets: HashMap<i64, outlet::Model> = outlet::Entity::find()
            .filter(outlet::Column::StationId.eq(station.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();

        let p = Alias::new("p");
        let a = Alias::new("a");
        let stmt = Query::select()
            .column((a.clone(), placement_author::Column::PlacementId))
            .column((a.clone(), placement_author::Column::CorrespondentId))
            .column((a.clone(), placement_author::Column::ShareBp))
            .from_as(placement_author::Entity, a.clone())
            .join_as(
                JoinType::InnerJoin,
                placement::Entity,
                p.clone(),
                Expr::col((p.clone(), placement::Column::Id))
                    .equals((a.clone(), placement_author::Column::PlacementId)),
            )
            .and_where(Expr::col((p.clone(), placement::Column::StationId)).eq(station.0))
            .and_where(Expr::col((p.clone(), placement::Column::PublishedOn)).between(from, to))
            .order_by((a.clone(), placement_author::Column::PlacementId), Order::Asc)
            .order_by((a.clone(), placement_author::Column::Position), Order::Asc)
            .to_owned();
        let mut bylines: HashMap<i64, Vec<ItemAuthor>> = HashMap::new();
        for row in self.db.query_all(&stmt).await? {
            let placement_id: i64 = row.try_get("", "placement_id")?;
            bylines.entry(placement_id).or_default().push(ItemAuthor {
                correspondent_id: CorrespondentId(row.try_get("", "correspondent_id")?),
                share_bp: row.try_get("", "share_bp")?,
            });
        }

        let rows = placement::Entity::find()
            .filter(placement::Column::StationId.eq(station.0))
            .filter(placement::Column::PublishedOn.between(from, to))
            .order_by_asc(placement::Column::Id)
            .all(&self.db)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for m in rows {
            let Some(o) = outlets.get(&m.outlet_id) else { continue };
            items.push(Item {
                placement_id: PlacementId(m.id),
                manuscript_id: m.manuscript_id.map(ManuscriptId),
                date: m.published_on,
                unit_id: m.unit_id.map(UnitId),
                outlet: o.name.clone(),
                outlet_level: OutletLevel::parse(&o.level).unwrap_or(OutletLevel::Internal),
                outlet_kind: OutletKind::parse(&o.kind).unwrap_or(OutletKind::Newspaper),
                column: m.column_name,
                genre: Genre::parse(&m.genre).unwrap_or(Genre::Other),
                position: Position::parse(&m.position).unwrap_or(Position::Normal),
                length: m.length,
                instruction: m.instruction.as_deref().and_then(InstructionLevel::parse),
                commissioned: m.commissioned,
                reprint: m.reprint,
                grade: m.grade.as_deref().and_then(Grade::parse),
                authors: bylines.remove(&m.id).unwrap_or_default(),
                has_external_authors: !m.external_authors.trim().is_empty(),
                title: m.title,
            });
        }
        Ok(items)
    }
}
