//! Imports, all or nothing: every record of a file is written inside one transaction, so a
//! failure part-way leaves the database as it was. Also the reverse, records for export.

use crate::entities::{correspondent, manuscript, manuscript_author, outlet, placement, unit};
use crate::network::{insert_correspondent, insert_outlet, insert_unit};
use crate::{Result, Store, StoreError, now};
use domain::import::{
    CorrespondentRecord, ImportKind, Known, KnownManuscript, OutletRecord, PlacementRecord, UnitRecord,
};
use domain::*;
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, Value,
};
use std::collections::{HashMap, HashSet};

/// Bound values per multi-row INSERT of the bulk placement import: just under SQLite's limit
/// of 32,766 (PostgreSQL allows 65,535). Fewer, larger statements cost less per row, and over a
/// network each statement is a round trip.
const MAX_BINDS: usize = 32_000;

/// The columns the bulk import writes, in the order of its values.
const PLACEMENT_INSERT_COLUMNS: &[&str] = &[
    "id",
    "station_id",
    "manuscript_id",
    "title",
    "unit_id",
    "outlet_id",
    "column_name",
    "published_on",
    "genre",
    "position",
    "length",
    "instruction",
    "commissioned",
    "reprint",
    "grade",
    "evidence_url",
    "note",
    "external_authors",
    "byline",
    "created_by",
    "created_at",
    "byline_ids",
];

const AUTHOR_INSERT_COLUMNS: &[&str] = &["placement_id", "correspondent_id", "position", "share_bp"];

/// The columns of a manuscript made by an import; the rest keep their defaults (no duplicate
/// found, never submitted).
const MANUSCRIPT_INSERT_COLUMNS: &[&str] = &[
    "id",
    "station_id",
    "unit_id",
    "author_id",
    "title",
    "body",
    "genre",
    "status",
    "return_reason",
    "duplicate_score",
    "created_by",
    "created_at",
    "updated_at",
];

const MANUSCRIPT_AUTHOR_INSERT_COLUMNS: &[&str] = &["manuscript_id", "correspondent_id", "position", "share_bp"];

/// How a placements import finds the rows that are one piece placed in several outlets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linking {
    /// By 稿件编号, and without one by the same title and authors: sheets people fill in.
    KeysAndTitles,
    /// By 稿件编号 only: generated history (the demo, the benchmark), whose titles repeat by
    /// construction without being the same piece.
    KeysOnly,
}

/// What a placements import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportedPlacements {
    pub placements: usize,
    /// Placements that were linked to a manuscript (one piece placed more than once, or a
    /// 稿件编号 naming a manuscript of the station).
    pub linked: usize,
    /// How many manuscripts those placements belong to…
    pub manuscripts: usize,
    /// …of which the import created this many.
    pub created: usize,
}

/// `INSERT INTO table (columns) VALUES (…), (…)` with `rows` rows of placeholders.
fn insert_sql(backend: DatabaseBackend, table: &str, columns: &[&str], rows: usize) -> String {
    use std::fmt::Write;
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    sql.reserve(rows * columns.len() * 7);
    let mut n = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                DatabaseBackend::Postgres => {
                    let _ = write!(sql, "${n}");
                }
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

/// How an import is recorded in the audit log: by whom (none for the command line) and from
/// which file. The row is written in the import's transaction, so the log names every import
/// that committed and none that did not.
#[derive(Debug, Clone)]
pub struct ImportAudit {
    pub by: Option<UserId>,
    pub file: String,
}

impl ImportAudit {
    async fn write(&self, txn: &impl ConnectionTrait, station: StationId, kind: ImportKind, rows: usize) -> Result<()> {
        let origin = if self.by.is_none() { "（命令行）" } else { "" };
        let detail = format!("{}: {rows} 条{}{origin}", self.file, kind.zh());
        crate::auth::audit_row_in(txn, Some(station), self.by, "import", kind.code().into(), detail).await
    }
}

impl Store {
    /// The names already in a station, for checking an import's references.
    pub async fn known_names(&self, station: StationId) -> Result<Known> {
        let units = unit::Entity::find().filter(unit::Column::StationId.eq(station.0)).all(&self.db).await?;
        let people =
            correspondent::Entity::find().filter(correspondent::Column::StationId.eq(station.0)).all(&self.db).await?;
        let outlets = outlet::Entity::find().filter(outlet::Column::StationId.eq(station.0)).all(&self.db).await?;
        // Titles and authors only: bodies can be long and are not needed.
        let mut manuscripts: HashMap<i64, KnownManuscript> = manuscript::Entity::find()
            .select_only()
            .columns([manuscript::Column::Id, manuscript::Column::Title])
            .filter(manuscript::Column::StationId.eq(station.0))
            .into_tuple::<(i64, String)>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|(id, title)| (id, KnownManuscript { title, authors: Vec::new() }))
            .collect();
        let bylines = manuscript_author::Entity::find()
            .filter(
                manuscript_author::Column::ManuscriptId.in_subquery(
                    Query::select()
                        .column(manuscript::Column::Id)
                        .from(manuscript::Entity)
                        .and_where(manuscript::Column::StationId.eq(station.0))
                        .to_owned(),
                ),
            )
            .order_by_asc(manuscript_author::Column::ManuscriptId)
            .order_by_asc(manuscript_author::Column::Position)
            .all(&self.db)
            .await?;
        let names: HashMap<i64, &str> = people.iter().map(|c| (c.id, c.name.as_str())).collect();
        for a in bylines {
            if let (Some(m), Some(name)) = (manuscripts.get_mut(&a.manuscript_id), names.get(&a.correspondent_id)) {
                m.authors.push(name.to_string());
            }
        }
        Ok(Known {
            units: units.into_iter().map(|u| u.name).collect(),
            correspondents: people.into_iter().map(|c| c.name).collect(),
            outlets: outlets.into_iter().map(|o| o.name).collect(),
            manuscripts,
        })
    }

    pub async fn import_units(&self, station: StationId, records: &[UnitRecord], audit: &ImportAudit) -> Result<usize> {
        let txn = self.write_txn().await?;
        for r in records {
            insert_unit(&txn, station, &UnitInput { name: r.name.clone(), kind: r.kind }).await?;
        }
        audit.write(&txn, station, ImportKind::Units, records.len()).await?;
        txn.commit().await?;
        Ok(records.len())
    }

    pub async fn import_outlets(
        &self,
        station: StationId,
        records: &[OutletRecord],
        audit: &ImportAudit,
    ) -> Result<usize> {
        let txn = self.write_txn().await?;
        for r in records {
            let input = OutletInput { name: r.name.clone(), kind: r.kind, level: r.level, columns: r.columns.clone() };
            insert_outlet(&txn, station, &input).await?;
        }
        audit.write(&txn, station, ImportKind::Outlets, records.len()).await?;
        txn.commit().await?;
        Ok(records.len())
    }

    pub async fn import_correspondents(
        &self,
        station: StationId,
        records: &[CorrespondentRecord],
        audit: &ImportAudit,
    ) -> Result<usize> {
        let txn = self.write_txn().await?;
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
        audit.write(&txn, station, ImportKind::Correspondents, records.len()).await?;
        txn.commit().await?;
        Ok(records.len())
    }

    /// Imports placement history in bulk. Every name is resolved before anything is written;
    /// ids are allocated up front so the bylines can be written with multi-row inserts too,
    /// each statement as large as the bind-parameter limit allows (a few dozen statements for
    /// 100,000 placements). On PostgreSQL the table is locked for the duration and the id
    /// sequence moved past the new rows.
    ///
    /// Rows that are one piece (`domain::import::pieces`) share a manuscript, so that a policy
    /// with `duplicates = "best"` pays the piece once. A 稿件编号 links only to this station's
    /// manuscripts. Pieces without one get a manuscript in the same transaction: accepted
    /// (已采用), with the first row's title, unit, genre and byline (shares included), no body,
    /// never submitted, made by `by`.
    pub async fn import_placements(
        &self,
        station: StationId,
        records: &[PlacementRecord],
        linking: Linking,
        by: UserId,
        audit: &ImportAudit,
    ) -> Result<ImportedPlacements> {
        // Names are resolved and pieces found before the write transaction, so that on SQLite
        // the write lock is held only for the inserts (a row deleted meanwhile fails them on its
        // foreign key, and nothing is written).
        let started = std::time::Instant::now();
        let db = &self.db;
        let backend = db.get_database_backend();
        let pg = backend == DatabaseBackend::Postgres;
        let units = unit_ids(db, station).await?;
        let people: HashMap<String, (i64, Option<i64>)> = correspondent::Entity::find()
            .filter(correspondent::Column::StationId.eq(station.0))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.name, (c.id, c.unit_id)))
            .collect();
        let outlets: HashMap<String, i64> = outlet::Entity::find()
            .filter(outlet::Column::StationId.eq(station.0))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.name, o.id))
            .collect();

        // Resolve every name first: a missing one fails the import before any row is written.
        let missing = |what: &str, name: &str| StoreError::invalid(what, format!("“{name}”不存在"));
        let mut resolved = Vec::with_capacity(records.len());
        let mut author_ids = Vec::with_capacity(records.len() * 2);
        let mut byline_ids = Vec::with_capacity(records.len());
        for r in records {
            let first_author = author_ids.len();
            let outlet_id = *outlets.get(&r.outlet).ok_or_else(|| missing("媒体", &r.outlet))?;
            let mut first_unit = None;
            for (pos, a) in r.authors.iter().enumerate() {
                let &(cid, unit) = people.get(&a.name).ok_or_else(|| missing("作者", &a.name))?;
                if pos == 0 {
                    first_unit = unit;
                }
                author_ids.push(cid);
            }
            let unit_id = match &r.unit {
                Some(name) => Some(*units.get(name).ok_or_else(|| missing("单位", name))?),
                None => first_unit,
            };
            let ids = author_ids[first_author..].iter().zip(&r.authors);
            byline_ids.push(crate::reward_items::byline_ids(ids.map(|(id, a)| (CorrespondentId(*id), a.share_bp))));
            resolved.push((outlet_id, unit_id, first_author));
        }
        let t = now();

        // The pieces, and a manuscript for each placement of one.
        let existing: HashSet<i64> = if records.iter().any(|r| !r.manuscript.trim().is_empty()) {
            manuscript::Entity::find()
                .select_only()
                .column(manuscript::Column::Id)
                .filter(manuscript::Column::StationId.eq(station.0))
                .into_tuple::<i64>()
                .all(db)
                .await?
                .into_iter()
                .collect()
        } else {
            HashSet::new()
        };
        let pieces = domain::import::pieces(records, &existing, linking == Linking::KeysAndTitles);
        let created = pieces.iter().filter(|p| p.manuscript.is_none()).count();

        // Every row's values are built before the write lock, with new ids counted from 0; in
        // the transaction they are only moved past the tables' largest ids and inserted.
        let mut manuscript_of: Vec<Option<ManuscriptRef>> = vec![None; records.len()];
        let mut manuscript_values = Vec::with_capacity(created * MANUSCRIPT_INSERT_COLUMNS.len());
        let mut byline_values = Vec::new();
        let mut new_manuscripts = 0;
        for piece in &pieces {
            let id = match piece.manuscript {
                Some(existing) => ManuscriptRef::Existing(existing.0),
                None => {
                    let id = new_manuscripts;
                    new_manuscripts += 1;
                    let r = &records[piece.rows[0]];
                    let (_, unit_id, first_author) = resolved[piece.rows[0]];
                    let people = &author_ids[first_author..first_author + r.authors.len()];
                    let &owner = people
                        .first()
                        .ok_or_else(|| StoreError::invalid("作者", format!("《{}》没有作者", r.title)))?;
                    manuscript_values.extend([
                        Value::BigInt(Some(id)),
                        Value::BigInt(Some(station.0)),
                        Value::BigInt(unit_id),
                        Value::BigInt(Some(owner)),
                        Value::String(Some(r.title.clone())),
                        Value::String(Some(String::new())),
                        Value::String(Some(r.genre.code().into())),
                        Value::String(Some(ManuscriptStatus::Accepted.code().into())),
                        Value::String(Some(String::new())),
                        Value::Int(Some(0)),
                        Value::BigInt(Some(by.0)),
                        Value::BigInt(Some(t)),
                        Value::BigInt(Some(t)),
                    ]);
                    for (pos, (a, cid)) in r.authors.iter().zip(people).enumerate() {
                        byline_values.extend([
                            Value::BigInt(Some(id)),
                            Value::BigInt(Some(*cid)),
                            Value::Int(Some(pos as i32)),
                            Value::Int(a.share_bp),
                        ]);
                    }
                    ManuscriptRef::New(id)
                }
            };
            for &row in &piece.rows {
                manuscript_of[row] = Some(id);
            }
        }
        let mut placement_values = Vec::with_capacity(records.len() * PLACEMENT_INSERT_COLUMNS.len());
        for (i, r) in records.iter().enumerate() {
            let (outlet_id, unit_id, _) = resolved[i];
            let manuscript_id = manuscript_of[i].map(|m| match m {
                ManuscriptRef::Existing(id) | ManuscriptRef::New(id) => id,
            });
            placement_values.extend([
                Value::BigInt(Some(i as i64)),
                Value::BigInt(Some(station.0)),
                Value::BigInt(manuscript_id),
                Value::String(Some(r.title.clone())),
                Value::BigInt(unit_id),
                Value::BigInt(Some(outlet_id)),
                Value::String(Some(r.column.clone())),
                Value::from(r.published_on),
                Value::String(Some(r.genre.code().into())),
                Value::String(Some(r.position.code().into())),
                Value::Int(Some(r.length)),
                Value::String(r.instruction.map(|x| x.code().to_string())),
                Value::Bool(Some(r.commissioned)),
                Value::Bool(Some(r.reprint)),
                Value::String(r.grade.map(|g| g.code().to_string())),
                Value::String(Some(r.url.clone())),
                Value::String(Some(r.note.clone())),
                Value::String(Some(r.external_authors.clone())),
                Value::String(Some(domain::byline::format_byline(&r.authors))),
                Value::BigInt(Some(by.0)),
                Value::BigInt(Some(t)),
                Value::String(Some(std::mem::take(&mut byline_ids[i]))),
            ]);
        }
        let mut author_values = Vec::with_capacity(author_ids.len() * AUTHOR_INSERT_COLUMNS.len());
        let mut next_author = author_ids.iter();
        for (i, r) in records.iter().enumerate() {
            for (pos, (a, cid)) in r.authors.iter().zip(next_author.by_ref()).enumerate() {
                author_values.extend([
                    Value::BigInt(Some(i as i64)),
                    Value::BigInt(Some(*cid)),
                    Value::Int(Some(pos as i32)),
                    Value::Int(a.share_bp),
                ]);
            }
        }
        let resolved_in = started.elapsed();

        let txn = self.write_txn().await?;
        let locked = std::time::Instant::now();
        if pg {
            txn.execute_unprepared("LOCK TABLE placements IN EXCLUSIVE MODE").await?;
        }
        if created > 0 {
            if pg {
                txn.execute_unprepared("LOCK TABLE manuscripts IN EXCLUSIVE MODE").await?;
            }
            let first =
                manuscript::Entity::find().order_by_desc(manuscript::Column::Id).one(&txn).await?.map_or(0, |m| m.id)
                    + 1;
            shift_ids(&mut manuscript_values, MANUSCRIPT_INSERT_COLUMNS.len(), 0, first)?;
            shift_ids(&mut byline_values, MANUSCRIPT_AUTHOR_INSERT_COLUMNS.len(), 0, first)?;
            for (i, m) in manuscript_of.iter().enumerate() {
                if let Some(ManuscriptRef::New(_)) = m {
                    // The placement's manuscript_id, its third column.
                    shift_id(&mut placement_values[i * PLACEMENT_INSERT_COLUMNS.len() + 2], first)?;
                }
            }
        }
        let first =
            placement::Entity::find().order_by_desc(placement::Column::Id).one(&txn).await?.map_or(0, |p| p.id) + 1;
        shift_ids(&mut placement_values, PLACEMENT_INSERT_COLUMNS.len(), 0, first)?;
        shift_ids(&mut author_values, AUTHOR_INSERT_COLUMNS.len(), 0, first)?;

        insert_rows(&txn, "manuscripts", MANUSCRIPT_INSERT_COLUMNS, manuscript_values).await?;
        insert_rows(&txn, "manuscript_authors", MANUSCRIPT_AUTHOR_INSERT_COLUMNS, byline_values).await?;
        if pg && created > 0 {
            txn.execute_unprepared("SELECT setval(pg_get_serial_sequence('manuscripts', 'id'), COALESCE((SELECT MAX(id) FROM manuscripts), 1))").await?;
        }
        insert_rows(&txn, "placements", PLACEMENT_INSERT_COLUMNS, placement_values).await?;
        insert_rows(&txn, "placement_authors", AUTHOR_INSERT_COLUMNS, author_values).await?;
        if pg {
            txn.execute_unprepared("SELECT setval(pg_get_serial_sequence('placements', 'id'), COALESCE((SELECT MAX(id) FROM placements), 1))").await?;
        }
        audit.write(&txn, station, ImportKind::Placements, records.len()).await?;
        txn.commit().await?;
        tracing::info!(
            rows = records.len(),
            resolve_ms = resolved_in.as_millis() as u64,
            write_ms = locked.elapsed().as_millis() as u64,
            "placements imported"
        );
        Ok(ImportedPlacements {
            placements: records.len(),
            linked: pieces.iter().map(|p| p.rows.len()).sum(),
            manuscripts: pieces.len(),
            created,
        })
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
        Ok(self
            .all_placements(filter)
            .await?
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
                manuscript: p.manuscript_id.map(|m| m.0.to_string()).unwrap_or_default(),
            })
            .collect())
    }
}

/// Inserts whole rows of `columns` (their values one after the other) in as few statements as
/// the bind-parameter limit allows. The values are moved into the statements, not copied.
async fn insert_rows(txn: &DatabaseTransaction, table: &str, columns: &[&str], values: Vec<Value>) -> Result<()> {
    let backend = txn.get_database_backend();
    let per_statement = MAX_BINDS / columns.len() * columns.len();
    let mut full_sql = None;
    let mut values = values.into_iter();
    loop {
        let chunk: Vec<Value> = values.by_ref().take(per_statement).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        // Every full chunk has the same statement (prepared once by the driver).
        let sql = if chunk.len() == per_statement {
            full_sql.get_or_insert_with(|| insert_sql(backend, table, columns, chunk.len() / columns.len())).clone()
        } else {
            insert_sql(backend, table, columns, chunk.len() / columns.len())
        };
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, chunk)).await?;
    }
}

/// A manuscript an imported placement belongs to: one already saved, or one the import makes
/// (its id counted from 0 until the transaction knows the first free one).
#[derive(Debug, Clone, Copy)]
enum ManuscriptRef {
    Existing(i64),
    New(i64),
}

/// Adds `first` to the id in column `column` of every row of `width` values.
fn shift_ids(values: &mut [Value], width: usize, column: usize, first: i64) -> Result<()> {
    values.chunks_mut(width).try_for_each(|row| shift_id(&mut row[column], first))
}

fn shift_id(value: &mut Value, first: i64) -> Result<()> {
    if let Value::BigInt(Some(id)) = value {
        *id = id.checked_add(first).ok_or_else(|| StoreError::Corrupt("id out of range".into()))?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PlacementFilter, Scope};
    use domain::byline::WrittenAuthor;
    use time::macros::date;

    #[test]
    fn placeholders_follow_the_backend() {
        let cols = &["a", "b"];
        assert_eq!(insert_sql(DatabaseBackend::Sqlite, "t", cols, 2), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        assert_eq!(
            insert_sql(DatabaseBackend::Postgres, "t", cols, 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }

    /// Enough placements and bylines for several statements of each, every field varied, read
    /// back through the export exactly as they were given.
    #[tokio::test]
    async fn a_large_import_spans_several_statements_and_reads_back_unchanged() {
        let per_statement = MAX_BINDS / PLACEMENT_INSERT_COLUMNS.len();
        let n = per_statement * 2 + 7;
        for db in testkit::fresh_stores().await {
            // Opened again as this crate's `Store`: `db.store` is the store library that testkit
            // links, another type inside the store's own unit tests.
            let s = &crate::Store::connect(&db.url).await.unwrap();
            let station = s.create_station("hb", "湖北通联站").await.unwrap().id;
            let units = ["武汉市", "宜昌市"].map(|u| UnitRecord { name: u.into(), kind: UnitKind::Prefecture });
            s.import_units(station, &units, &ImportAudit { by: None, file: "测试".into() }).await.unwrap();
            let outlets = [("湖北日报", OutletLevel::Provincial), ("中国知识产权报", OutletLevel::National)].map(
                |(name, level)| OutletRecord {
                    name: name.into(),
                    kind: OutletKind::Newspaper,
                    level,
                    columns: vec!["要闻".into()],
                },
            );
            s.import_outlets(station, &outlets, &ImportAudit { by: None, file: "测试".into() }).await.unwrap();
            let people: Vec<CorrespondentRecord> = (0..6)
                .map(|i| CorrespondentRecord {
                    name: format!("通讯员{i}"),
                    unit: (i < 4).then(|| units[i % 2].name.clone()),
                    kind: CorrespondentKind::UnitCorrespondent,
                    phone: String::new(),
                    email: String::new(),
                    joined_on: None,
                    active: true,
                })
                .collect();
            s.import_correspondents(station, &people, &ImportAudit { by: None, file: "测试".into() }).await.unwrap();
            let records: Vec<PlacementRecord> = (0..n)
                .map(|i| {
                    // Three authors each: three times as many byline rows, several statements too.
                    let shares = if i % 2 == 0 { [Some(5000), Some(3000), Some(2000)] } else { [None; 3] };
                    let authors = (0..3)
                        .map(|k| WrittenAuthor { name: format!("通讯员{}", (i + k) % 6), share_bp: shares[k] })
                        .collect();
                    PlacementRecord {
                        title: format!("第{i}篇"),
                        authors,
                        external_authors: if i % 5 == 0 { "本报记者 王某".into() } else { String::new() },
                        // Without a unit, the first author's (none for 通讯员4 and 通讯员5).
                        unit: (i % 3 == 0).then(|| "宜昌市".to_string()),
                        outlet: outlets[i % 2].name.clone(),
                        column: if i % 2 == 0 { "要闻".into() } else { String::new() },
                        published_on: date!(2007 - 01 - 01) + time::Duration::days((i % 365) as i64),
                        genre: Genre::ALL[i % Genre::ALL.len()],
                        position: Position::ALL[i % Position::ALL.len()],
                        length: i as i32,
                        instruction: (i % 7 == 0).then_some(InstructionLevel::ALL[i % InstructionLevel::ALL.len()]),
                        commissioned: i % 4 == 0,
                        reprint: i % 6 == 0,
                        grade: (i % 8 == 0).then_some(Grade::ALL[i % Grade::ALL.len()]),
                        url: if i % 9 == 0 { format!("https://example.cn/{i}") } else { String::new() },
                        note: if i % 10 == 0 { "备注".into() } else { String::new() },
                        manuscript: String::new(),
                    }
                })
                .collect();
            let imported = s
                .import_placements(
                    station,
                    &records,
                    Linking::KeysAndTitles,
                    UserId(0),
                    &ImportAudit { by: None, file: "测试".into() },
                )
                .await
                .unwrap();
            assert_eq!(imported.placements, n, "{}", db.backend);
            let bylines = s
                .connection()
                .query_one_raw(sea_orm::Statement::from_string(s.backend(), "SELECT COUNT(*) FROM placement_authors"))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index::<i64>(0)
                .unwrap();
            assert_eq!(bylines, 3 * n as i64, "{}", db.backend);
            // The byline rows: the right people, in order, with their shares.
            let rows = s
                .connection()
                .query_all_raw(sea_orm::Statement::from_string(
                    s.backend(),
                    "SELECT p.title, c.name, a.position, a.share_bp FROM placement_authors a \
                     JOIN placements p ON p.id = a.placement_id JOIN correspondents c ON c.id = a.correspondent_id",
                ))
                .await
                .unwrap();
            let mut written: HashMap<String, Vec<(i32, WrittenAuthor)>> = HashMap::new();
            for row in rows {
                let title: String = row.try_get_by_index(0).unwrap();
                let author = WrittenAuthor {
                    name: row.try_get_by_index(1).unwrap(),
                    share_bp: row.try_get_by_index(3).unwrap(),
                };
                written.entry(title).or_default().push((row.try_get_by_index(2).unwrap(), author));
            }
            for r in &records {
                let mut got = written.remove(&r.title).unwrap_or_default();
                got.sort_by_key(|(pos, _)| *pos);
                let got: Vec<WrittenAuthor> = got.into_iter().map(|(_, a)| a).collect();
                assert_eq!(got, r.authors, "{}: {}", db.backend, r.title);
            }
            let mut back = s.export_placements(&PlacementFilter::new(Scope::Station(station))).await.unwrap();
            assert_eq!(back.len(), n, "{}", db.backend);
            back.sort_by_key(|r| r.title.trim_start_matches('第').trim_end_matches('篇').parse::<usize>().unwrap());
            for (got, want) in back.iter().zip(&records) {
                let unit = want.unit.clone().or_else(|| {
                    let first = &want.authors[0].name;
                    people.iter().find(|p| &p.name == first).and_then(|p| p.unit.clone())
                });
                assert_eq!(got, &PlacementRecord { unit, ..want.clone() }, "{}", db.backend);
            }
        }
    }
}
