//! Imports, all or nothing: every record of a file is written inside one transaction, so a
//! failure part-way leaves the database as it was. Also the reverse, records for export.

use crate::entities::{correspondent, outlet, placement, placement_author, unit};
use crate::network::{insert_correspondent, insert_outlet, insert_unit};
use crate::{Result, Store, StoreError, now};
use domain::import::{CorrespondentRecord, Known, OutletRecord, PlacementRecord, UnitRecord};
use domain::*;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use std::collections::HashMap;

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bind-parameter limits.
const CHUNK: usize = 500;

impl Store {
    /// The names already in a station, for checking an import's references.
    pub async fn known_names(&self, station: StationId) -> Result<Known> {
        let units = unit::Entity::find().filter(unit::Column::StationId.eq(station.0)).all(&self.db).await?;
        let people =
            correspondent::Entity::find().filter(correspondent::Column::StationId.eq(station.0)).all(&self.db).await?;
        let outlets = outlet::Entity::find().filter(outlet::Column::StationId.eq(station.0)).all(&self.db).await?;
        Ok(Known {
            units: units.into_iter().map(|u| u.name).collect(),
            correspondents: people.into_iter().map(|c| c.name).collect(),
            outlets: outlets.into_iter().map(|o| o.name).collect(),
        })
    }

    pub async fn import_units(&self, station: StationId, records: &[UnitRecord]) -> Result<usize> {
        let txn = self.db.begin().await?;
        for r in records {
            insert_unit(&txn, station, &UnitInput { name: r.name.clone(), kind: r.kind }).await?;
        }
        txn.commit().await?;
        Ok(records.len())
    }

    pub async fn import_outlets(&self, station: StationId, records: &[OutletRecord]) -> Result<usize> {
        let txn = self.db.begin().await?;
        for r in records {
            let input = OutletInput { name: r.name.clone(), kind: r.kind, level: r.level, columns: r.columns.clone() };
            insert_outlet(&txn, station, &input).await?;
        }
        txn.commit().await?;
        Ok(records.len())
    }

    pub async fn import_correspondents(&self, station: StationId, records: &[CorrespondentRecord]) -> Result<usize> {
        let txn = self.db.begin().await?;
        let units = unit_ids(&txn, station).await?;
        for r in records {
            let unit_id = match &r.unit {
                Some(name) => Some(UnitId(
                    *units.get(name).ok_or_else(|| StoreError::invalid("单位", format!("单位“{name}”不存在")))?,
                )),
                None => None,
            };
            let input = CorrespondentInput {
                name: r.name.clone(),
                unit_id,
                kind: r.kind,
                phone: r.phone.clone(),
                email: r.email.clone(),
                joined_on: r.joined_on,
                active: r.active,
                mentor_user_id: None,
            };
            insert_correspondent(&txn, station, &input).await?;
        }
        txn.commit().await?;
        Ok(records.len())
    }

    /// Imports placement history in bulk. Ids are allocated up front so the bylines can be
    /// written with multi-row inserts too; on PostgreSQL the table is locked for the duration
    /// and the id sequence moved past the new rows.
    pub async fn import_placements(
        &self,
        station: StationId,
        records: &[PlacementRecord],
        by: UserId,
    ) -> Result<usize> {
        let txn = self.db.begin().await?;
        let pg = txn.get_database_backend() == DatabaseBackend::Postgres;
        if pg {
            txn.execute_unprepared("LOCK TABLE placements IN EXCLUSIVE MODE").await?;
        }
        let units = unit_ids(&txn, station).await?;
        let people: HashMap<String, (i64, Option<i64>)> = correspondent::Entity::find()
            .filter(correspondent::Column::StationId.eq(station.0))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| (c.name, (c.id, c.unit_id)))
            .collect();
        let outlets: HashMap<String, i64> = outlet::Entity::find()
            .filter(outlet::Column::StationId.eq(station.0))
            .all(&txn)
            .await?
            .into_iter()
            .map(|o| (o.name, o.id))
            .collect();
        let first_id =
            placement::Entity::find().order_by_desc(placement::Column::Id).one(&txn).await?.map(|p| p.id).unwrap_or(0)
                + 1;
        let t = now();
        let mut placements = Vec::with_capacity(records.len());
        let mut authors = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let id = first_id + i as i64;
            let missing = |what: &str, name: &str| StoreError::invalid(what, format!("“{name}”不存在"));
            let outlet_id = *outlets.get(&r.outlet).ok_or_else(|| missing("媒体", &r.outlet))?;
            let mut ids = Vec::new();
            for (pos, a) in r.authors.iter().enumerate() {
                let (cid, _) = *people.get(&a.name).ok_or_else(|| missing("作者", &a.name))?;
                ids.push(cid);
                authors.push(placement_author::ActiveModel {
                    placement_id: sea_orm::ActiveValue::Set(id),
                    correspondent_id: sea_orm::ActiveValue::Set(cid),
                    position: sea_orm::ActiveValue::Set(pos as i32),
                    share_bp: sea_orm::ActiveValue::Set(a.share_bp),
                });
            }
            let unit_id = match &r.unit {
                Some(name) => Some(*units.get(name).ok_or_else(|| missing("单位", name))?),
                None => r.authors.first().and_then(|a| people.get(&a.name)).and_then(|p| p.1),
            };
            placements.push(placement::ActiveModel {
                id: sea_orm::ActiveValue::Set(id),
                station_id: sea_orm::ActiveValue::Set(station.0),
                manuscript_id: sea_orm::ActiveValue::Set(None),
                title: sea_orm::ActiveValue::Set(r.title.clone()),
                unit_id: sea_orm::ActiveValue::Set(unit_id),
                outlet_id: sea_orm::ActiveValue::Set(outlet_id),
                column_name: sea_orm::ActiveValue::Set(r.column.clone()),
                published_on: sea_orm::ActiveValue::Set(r.published_on),
                genre: sea_orm::ActiveValue::Set(r.genre.code().into()),
                position: sea_orm::ActiveValue::Set(r.position.code().into()),
                length: sea_orm::ActiveValue::Set(r.length),
                instruction: sea_orm::ActiveValue::Set(r.instruction.map(|x| x.code().to_string())),
                commissioned: sea_orm::ActiveValue::Set(r.commissioned),
                reprint: sea_orm::ActiveValue::Set(r.reprint),
                grade: sea_orm::ActiveValue::Set(r.grade.map(|g| g.code().to_string())),
                evidence_url: sea_orm::ActiveValue::Set(r.url.clone()),
                note: sea_orm::ActiveValue::Set(r.note.clone()),
                external_authors: sea_orm::ActiveValue::Set(r.external_authors.clone()),
                byline: sea_orm::ActiveValue::Set(domain::byline::format_byline(&r.authors)),
                created_by: sea_orm::ActiveValue::Set(by.0),
                created_at: sea_orm::ActiveValue::Set(t),
            });
        }
        while !placements.is_empty() {
            let rest = placements.split_off(placements.len().min(CHUNK));
            placement::Entity::insert_many(std::mem::replace(&mut placements, rest))
                .exec_without_returning(&txn)
                .await?;
        }
        while !authors.is_empty() {
            let rest = authors.split_off(authors.len().min(CHUNK * 2));
            placement_author::Entity::insert_many(std::mem::replace(&mut authors, rest))
                .exec_without_returning(&txn)
                .await?;
        }
        if pg {
            txn.execute_unprepared("SELECT setval(pg_get_serial_sequence('placements', 'id'), COALESCE((SELECT MAX(id) FROM placements), 1))").await?;
        }
        txn.commit().await?;
        Ok(records.len())
    }

    // ---- export: the same records the import reads ----

    pub async fn export_units(&self, station: StationId) -> Result<Vec<UnitRecord>> {
        Ok(self.units(station).await?.into_iter().map(|u| UnitRecord { name: u.name, kind: u.kind }).collect())
    }

    pub async fn export_outlets(&self, station: StationId) -> Result<Vec<OutletRecord>> {
        Ok(self
            .outlets(station)
            .await?
            .into_iter()
            .map(|o| OutletRecord { name: o.name, kind: o.kind, level: o.level, columns: o.columns })
            .collect())
    }

    pub async fn export_correspondents(&self, station: StationId) -> Result<Vec<CorrespondentRecord>> {
        Ok(self
            .all_correspondents(station)
            .await?
            .into_iter()
            .map(|c| CorrespondentRecord {
                name: c.name,
                unit: c.unit_name,
                kind: c.kind,
                phone: c.phone,
                email: c.email,
                joined_on: c.joined_on,
                active: c.active,
            })
            .collect())
    }

    /// Placements of a station matching `filter` (paging ignored), as import records.
    pub async fn export_placements(&self, filter: &crate::PlacementFilter) -> Result<Vec<PlacementRecord>> {
        let mut f = filter.clone();
        f.page = 1;
        f.per_page = 1_000_000;
        let page = self.placements(&f).await?;
        Ok(page
            .items
            .into_iter()
            .map(|p| PlacementRecord {
                title: p.title,
                authors: domain::byline::parse_byline(&p.byline).unwrap_or_default(),
                external_authors: p.external_authors,
                unit: p.unit_name,
                outlet: p.outlet_name,
                column: p.column,
                published_on: p.published_on,
                genre: p.genre,
                position: p.position,
                length: p.length,
                instruction: p.instruction,
                commissioned: p.commissioned,
                reprint: p.reprint,
                grade: p.grade,
                url: p.evidence_url,
                note: p.note,
            })
            .collect())
    }
}

async fn unit_ids(db: &impl ConnectionTrait, station: StationId) -> Result<HashMap<String, i64>> {
    Ok(unit::Entity::find()
        .filter(unit::Column::StationId.eq(station.0))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.name, u.id))
        .collect())
}
