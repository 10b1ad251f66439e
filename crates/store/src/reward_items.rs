//! What the reward engine reads: a period's placements with their outlets and bylines.
//!
//! A quarter of a large station is 25,000 placements, and reading them is most of a statement's
//! time, so this path is lean: one index range scan of `placements` with only the columns the
//! engine uses, the byline read from the row's own `byline_ids` (kept in step with
//! `placement_authors` by every write) instead of a join, and the station's outlets from a
//! second, small query. How the rows travel depends on the database, as measured in `bench/`:
//! PostgreSQL streams plain rows, decoded by sqlx straight into tuples; SQLite returns the
//! whole range as one JSON document built by `json_group_array`, because its driver hands every
//! row over from a worker thread, and that hand-over cost more than SQLite's own work.

use crate::entities::outlet;
use crate::{Result, Store, StoreError};
use domain::policy::{Item, ItemAuthor};
use domain::*;
use futures_util::TryStreamExt;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement, Value};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use time::Date;

/// `byline_ids` as stored: "12:6000,15:" — each correspondent in byline order with the share
/// in basis points, empty when the byline does not state it.
pub(crate) fn byline_ids(authors: impl IntoIterator<Item = (CorrespondentId, Option<i32>)>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (i, (id, share)) in authors.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:", id.0);
        if let Some(share) = share {
            let _ = write!(out, "{share}");
        }
    }
    out
}

/// Reads `byline_ids` back.
fn parse_byline_ids(placement: i64, text: &str) -> Result<Vec<ItemAuthor>> {
    let bad = || StoreError::Corrupt(format!("placement {placement}: unreadable byline_ids {text:?}"));
    let mut authors = Vec::new();
    for pair in text.split(',').filter(|p| !p.is_empty()) {
        let (id, share) = pair.split_once(':').ok_or_else(bad)?;
        authors.push(ItemAuthor {
            correspondent_id: CorrespondentId(id.parse().map_err(|_| bad())?),
            share_bp: if share.is_empty() { None } else { Some(share.parse().map_err(|_| bad())?) },
        });
    }
    Ok(authors)
}

/// One placement's columns, in this order in both queries.
#[derive(Deserialize)]
struct Row(
    i64,                                                // id
    Option<i64>,                                        // manuscript_id
    #[serde(deserialize_with = "iso_date_field")] Date, // published_on
    Option<i64>,                                        // unit_id
    i64,                                                // outlet_id
    String,                                             // column_name
    String,                                             // genre
    String,                                             // position
    i32,                                                // length
    Option<String>,                                     // instruction
    Flag,                                               // commissioned
    Flag,                                               // reprint
    Option<String>,                                     // grade
    String,                                             // title
    Flag,                                               // someone outside the network is on the byline
    String,                                             // byline_ids
);

const COLUMNS: &str = "id, manuscript_id, published_on, unit_id, outlet_id, column_name, genre, position, length, \
     instruction, commissioned, reprint, grade, title, external_authors <> '', byline_ids";

/// A boolean as SQLite's JSON writes it (`1`/`0`); `true`/`false` are read too.
struct Flag(bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Flag, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean, 0 or 1")
            }
            fn visit_bool<E>(self, b: bool) -> std::result::Result<Flag, E> {
                Ok(Flag(b))
            }
            fn visit_u64<E>(self, n: u64) -> std::result::Result<Flag, E> {
                Ok(Flag(n != 0))
            }
            fn visit_i64<E>(self, n: i64) -> std::result::Result<Flag, E> {
                Ok(Flag(n != 0))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Row {
    fn into_item(self, outlets: &HashMap<i64, (Arc<str>, OutletLevel, OutletKind)>) -> Result<Option<Item>> {
        let Some((outlet, outlet_level, outlet_kind)) = outlets.get(&self.4) else { return Ok(None) };
        Ok(Some(Item {
            placement_id: PlacementId(self.0),
            manuscript_id: self.1.map(ManuscriptId),
            date: self.2,
            unit_id: self.3.map(UnitId),
            outlet: outlet.clone(),
            outlet_level: *outlet_level,
            outlet_kind: *outlet_kind,
            column: self.5,
            genre: Genre::parse(&self.6).unwrap_or(Genre::Other),
            position: Position::parse(&self.7).unwrap_or(Position::Normal),
            length: self.8,
            instruction: self.9.as_deref().and_then(InstructionLevel::parse),
            commissioned: self.10.0,
            reprint: self.11.0,
            grade: self.12.as_deref().and_then(Grade::parse),
            title: self.13,
            has_external_authors: self.14.0,
            authors: parse_byline_ids(self.0, &self.15)?,
        }))
    }
}

impl Store {
    /// The station's placements published in `from..=to`, as the engine sees them, in the
    /// order they were published (date, then id).
    pub async fn reward_items(&self, station: StationId, from: Date, to: Date) -> Result<Vec<Item>> {
        let outlets: HashMap<i64, (Arc<str>, OutletLevel, OutletKind)> = outlet::Entity::find()
            .filter(outlet::Column::StationId.eq(station.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| {
                let level = OutletLevel::parse(&o.level).unwrap_or(OutletLevel::Internal);
                let kind = OutletKind::parse(&o.kind).unwrap_or(OutletKind::Newspaper);
                (o.id, (Arc::from(o.name), level, kind))
            })
            .collect();

        let mut items = Vec::new();
        if self.backend() == DatabaseBackend::Postgres {
            type PgRow = (
                i64,
                Option<i64>,
                Date,
                Option<i64>,
                i64,
                String,
                String,
                String,
                i32,
                Option<String>,
                bool,
                bool,
                Option<String>,
                String,
                bool,
                String,
            );
            let sql =
                format!("SELECT {COLUMNS} FROM placements WHERE station_id = $1 AND published_on BETWEEN $2 AND $3");
            let pool = self.reader().get_postgres_connection_pool();
            let sql = sea_orm::sqlx::AssertSqlSafe(sql); // built from constants only
            let mut rows = sea_orm::sqlx::query_as::<_, PgRow>(sql).bind(station.0).bind(from).bind(to).fetch(pool);
            let db_error = |e: sea_orm::sqlx::Error| StoreError::Db(sea_orm::DbErr::Custom(e.to_string()));
            while let Some(r) = rows.try_next().await.map_err(db_error)? {
                let row = Row(
                    r.0,
                    r.1,
                    r.2,
                    r.3,
                    r.4,
                    r.5,
                    r.6,
                    r.7,
                    r.8,
                    r.9,
                    Flag(r.10),
                    Flag(r.11),
                    r.12,
                    r.13,
                    Flag(r.14),
                    r.15,
                );
                items.extend(row.into_item(&outlets)?);
            }
        } else {
            let sql = format!(
                "SELECT json_group_array(json_array({COLUMNS})) FROM placements \
                 WHERE station_id = ? AND published_on BETWEEN ? AND ?"
            );
            let values: Vec<Value> = vec![station.0.into(), from.into(), to.into()];
            let stmt = Statement::from_sql_and_values(DatabaseBackend::Sqlite, sql, values);
            let json: Option<String> = match self.reader().query_one_raw(stmt).await? {
                Some(row) => row.try_get_by_index(0)?,
                None => None,
            };
            let rows: Vec<Row> = serde_json::from_str(json.as_deref().unwrap_or("[]"))
                .map_err(|e| StoreError::Corrupt(format!("placements as JSON: {e}")))?;
            for r in rows {
                items.extend(r.into_item(&outlets)?);
            }
        }
        items.sort_by_key(|i| (i.date, i.placement_id));
        Ok(items)
    }
}

fn iso_date_field<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Date, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    iso_date(&text).ok_or_else(|| serde::de::Error::custom(format!("not a date: {text}")))
}

/// A stored date, "2007-06-05".
fn iso_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = text[0..4].parse().ok()?;
    let month: u8 = text[5..7].parse().ok()?;
    let day: u8 = text[8..10].parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byline_ids_read_back_in_order_with_and_without_shares() {
        let text = byline_ids([(CorrespondentId(12), Some(6000)), (CorrespondentId(15), None)]);
        assert_eq!(text, "12:6000,15:");
        let a = parse_byline_ids(1, &text).unwrap();
        assert_eq!(
            a,
            vec![
                ItemAuthor { correspondent_id: CorrespondentId(12), share_bp: Some(6000) },
                ItemAuthor { correspondent_id: CorrespondentId(15), share_bp: None },
            ]
        );
        assert!(parse_byline_ids(1, "").unwrap().is_empty());
        assert!(parse_byline_ids(1, "12").is_err());
        assert!(parse_byline_ids(1, "x:1").is_err());
    }

    #[test]
    fn json_rows_and_dates_read() {
        let json = r#"[[7,null,"2007-06-05",3,2,"","news","front",812,null,1,0,null,"标题",0,"12:6000,15:"]]"#;
        let rows: Vec<Row> = serde_json::from_str(json).unwrap();
        assert_eq!((rows[0].0, rows[0].10.0, rows[0].11.0, rows[0].14.0), (7, true, false, false));
        assert_eq!(rows[0].15, "12:6000,15:");
        assert_eq!(iso_date("2007-06-05"), Date::from_calendar_date(2007, time::Month::June, 5).ok());
        assert_eq!(iso_date("2007-6-5"), None);
        assert_eq!(iso_date("2007-02-30"), None);
    }
}
