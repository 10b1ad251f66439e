//! Placements (采用/刊发): each publication of a piece in an outlet, with its byline.

use crate::auth::audit_in;
use crate::entities::{correspondent, outlet, placement, placement_author, unit};
use crate::manuscripts::Author;
use crate::scoped::find_in;
use crate::{Page, Result, Scope, Store, StoreError, now};
use domain::*;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use serde::Serialize;
use std::collections::HashMap;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Placement {
    pub id: PlacementId,
    pub station_id: StationId,
    pub manuscript_id: Option<ManuscriptId>,
    pub title: String,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub outlet_id: OutletId,
    pub outlet_name: String,
    pub outlet_level: OutletLevel,
    pub column: String,
    #[serde(with = "domain::date_format")]
    #[schema(value_type = String, format = Date)]
    pub published_on: Date,
    pub genre: Genre,
    pub position: Position,
    pub length: i32,
    pub instruction: Option<InstructionLevel>,
    pub commissioned: bool,
    pub reprint: bool,
    pub grade: Option<Grade>,
    pub evidence_url: String,
    pub note: String,
    pub external_authors: String,
    /// The byline as written: "张三(60%)、李四(40%)".
    pub byline: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlacementSort {
    #[default]
    DateDesc,
    DateAsc,
    LengthDesc,
    Title,
    /// Most recently recorded first (for "what's new" lists).
    RecordedDesc,
}

impl PlacementSort {
    pub fn parse(s: &str) -> Self {
        match s {
            "date" => Self::DateAsc,
            "length" => Self::LengthDesc,
            "title" => Self::Title,
            "recorded" => Self::RecordedDesc,
            _ => Self::DateDesc,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::DateDesc => "-date",
            Self::DateAsc => "date",
            Self::LengthDesc => "length",
            Self::Title => "title",
            Self::RecordedDesc => "recorded",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PlacementFilter {
    pub scope: Scope,
    pub unit_id: Option<UnitId>,
    pub outlet_id: Option<OutletId>,
    pub level: Option<OutletLevel>,
    pub genre: Option<Genre>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Only placements with this correspondent on the byline.
    pub author: Option<CorrespondentId>,
    pub manuscript_id: Option<ManuscriptId>,
    /// Part of the title or the byline.
    pub q: Option<String>,
    pub sort: PlacementSort,
    pub page: u64,
    pub per_page: u64,
}

impl PlacementFilter {
    pub fn new(scope: Scope) -> Self {
        PlacementFilter {
            scope,
            unit_id: None,
            outlet_id: None,
            level: None,
            genre: None,
            from: None,
            to: None,
            author: None,
            manuscript_id: None,
            q: None,
            sort: PlacementSort::default(),
            page: 1,
            per_page: 20,
        }
    }
}

fn placement_of(
    m: placement::Model,
    units: &HashMap<i64, String>,
    outlets: &HashMap<i64, (String, OutletLevel)>,
) -> Placement {
    let (outlet_name, outlet_level) =
        outlets.get(&m.outlet_id).cloned().unwrap_or((String::new(), OutletLevel::Internal));
    Placement {
        id: PlacementId(m.id),
        station_id: StationId(m.station_id),
        manuscript_id: m.manuscript_id.map(ManuscriptId),
        title: m.title,
        unit_id: m.unit_id.map(UnitId),
        unit_name: m.unit_id.and_then(|u| units.get(&u).cloned()),
        outlet_id: OutletId(m.outlet_id),
        outlet_name,
        outlet_level,
        column: m.column_name,
        published_on: m.published_on,
        genre: Genre::parse(&m.genre).unwrap_or(Genre::Other),
        position: Position::parse(&m.position).unwrap_or(Position::Normal),
        length: m.length,
        instruction: m.instruction.as_deref().and_then(InstructionLevel::parse),
        commissioned: m.commissioned,
        reprint: m.reprint,
        grade: m.grade.as_deref().and_then(Grade::parse),
        evidence_url: m.evidence_url,
        note: m.note,
        external_authors: m.external_authors,
        byline: m.byline,
    }
}

/// The names of the units and outlets the rows point at, in two small queries.
async fn names_for(
    db: &impl ConnectionTrait,
    rows: &[placement::Model],
) -> Result<(HashMap<i64, String>, HashMap<i64, (String, OutletLevel)>)> {
    let mut unit_ids: Vec<i64> = rows.iter().filter_map(|r| r.unit_id).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let mut outlet_ids: Vec<i64> = rows.iter().map(|r| r.outlet_id).collect();
    outlet_ids.sort_unstable();
    outlet_ids.dedup();
    let units = unit::Entity::find()
        .filter(unit::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let outlets = outlet::Entity::find()
        .filter(outlet::Column::Id.is_in(outlet_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, (o.name, OutletLevel::parse(&o.level).unwrap_or(OutletLevel::Internal))))
        .collect();
    Ok((units, outlets))
}

/// Checks the references of a placement belong to the station; returns the byline text and
/// the unit to record (the given one, or the first author's).
async fn check_refs(
    db: &impl ConnectionTrait,
    station: StationId,
    input: &PlacementInput,
) -> Result<(String, Option<i64>)> {
    let o = outlet::Entity::find_by_id(input.outlet_id.0).one(db).await?;
    if o.map(|o| o.station_id) != Some(station.0) {
        return Err(StoreError::invalid("outlet_id", "媒体不存在"));
    }
    if let Some(u) = input.unit_id {
        let found = unit::Entity::find_by_id(u.0).one(db).await?;
        if found.map(|u| u.station_id) != Some(station.0) {
            return Err(StoreError::invalid("unit_id", "单位不存在"));
        }
    }
    let ids: Vec<i64> = input.authors.iter().map(|a| a.correspondent_id.0).collect();
    let people: HashMap<i64, correspondent::Model> = correspondent::Entity::find()
        .filter(correspondent::Column::StationId.eq(station.0))
        .filter(correspondent::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    if people.len() != ids.len() {
        return Err(StoreError::invalid("authors", "作者必须是本站的通讯员"));
    }
    let written: Vec<domain::byline::WrittenAuthor> = input
        .authors
        .iter()
        .map(|a| domain::byline::WrittenAuthor {
            name: people[&a.correspondent_id.0].name.clone(),
            share_bp: a.share_bp,
        })
        .collect();
    let unit = input.unit_id.map(|u| u.0).or_else(|| people.get(&ids[0]).and_then(|c| c.unit_id));
    Ok((domain::byline::format_byline(&written), unit))
}

fn active_placement(
    station: StationId,
    input: &PlacementInput,
    byline: String,
    unit: Option<i64>,
    by: UserId,
) -> placement::ActiveModel {
    placement::ActiveModel {
        station_id: Set(station.0),
        manuscript_id: Set(input.manuscript_id.map(|m| m.0)),
        title: Set(input.title.clone()),
        unit_id: Set(unit),
        outlet_id: Set(input.outlet_id.0),
        column_name: Set(input.column.clone()),
        published_on: Set(input.published_on),
        genre: Set(input.genre.code().into()),
        position: Set(input.position.code().into()),
        length: Set(input.length),
        instruction: Set(input.instruction.map(|i| i.code().to_string())),
        commissioned: Set(input.commissioned),
        reprint: Set(input.reprint),
        grade: Set(input.grade.map(|g| g.code().to_string())),
        evidence_url: Set(input.evidence_url.clone()),
        note: Set(input.note.clone()),
        external_authors: Set(input.external_authors.clone()),
        byline: Set(byline),
        byline_ids: Set(crate::reward_items::byline_ids(
            input.authors.iter().map(|a| (a.correspondent_id, a.share_bp)),
        )),
        created_by: Set(by.0),
        created_at: Set(now()),
        ..Default::default()
    }
}

async fn write_placement_authors(db: &impl ConnectionTrait, id: i64, authors: &[Byline]) -> Result<()> {
    placement_author::Entity::delete_many().filter(placement_author::Column::PlacementId.eq(id)).exec(db).await?;
    for (i, a) in authors.iter().enumerate() {
        placement_author::ActiveModel {
            placement_id: Set(id),
            correspondent_id: Set(a.correspondent_id.0),
            position: Set(i as i32),
            share_bp: Set(a.share_bp),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Checks and writes a placement with its byline inside the caller's transaction.
pub(crate) async fn insert_placement(
    db: &impl ConnectionTrait,
    station: StationId,
    input: &PlacementInput,
    by: UserId,
) -> Result<i64> {
    if let Some(m) = input.manuscript_id {
        let found = crate::entities::manuscript::Entity::find_by_id(m.0).one(db).await?;
        if found.map(|m| m.station_id) != Some(station.0) {
            return Err(StoreError::invalid("manuscript_id", "稿件不存在"));
        }
    }
    let (byline, unit) = check_refs(db, station, input).await?;
    let m = active_placement(station, input, byline, unit, by).insert(db).await?;
    write_placement_authors(db, m.id, &input.authors).await?;
    Ok(m.id)
}

impl Store {
    pub async fn create_placement(&self, station: StationId, input: &PlacementInput, by: UserId) -> Result<Placement> {
        let txn = self.write_txn().await?;
        let id = insert_placement(&txn, station, input, by).await?;
        audit_in(&txn, station, by, "placement.create", format!("placement:{id}"), input.title.clone()).await?;
        txn.commit().await?;
        self.placement(Scope::Station(station), PlacementId(id)).await
    }

    pub async fn update_placement(
        &self,
        scope: Scope,
        id: PlacementId,
        input: &PlacementInput,
        by: UserId,
    ) -> Result<Placement> {
        let existing = self.placement(scope, id).await?;
        let station = existing.station_id;
        let txn = self.write_txn().await?;
        let (byline, unit) = check_refs(&txn, station, input).await?;
        let mut am = active_placement(station, input, byline, unit, by);
        am.id = Set(id.0);
        am.created_at = sea_orm::ActiveValue::NotSet;
        am.created_by = sea_orm::ActiveValue::NotSet;
        am.update(&txn).await?;
        write_placement_authors(&txn, id.0, &input.authors).await?;
        audit_in(&txn, station, by, "placement.update", format!("placement:{id}"), input.title.clone()).await?;
        txn.commit().await?;
        self.placement(scope, id).await
    }

    /// The ids and dates of a station's placements in one outlet, in the order they were
    /// recorded.
    pub async fn placement_ids_in_outlet(
        &self,
        station: StationId,
        outlet: OutletId,
    ) -> Result<Vec<(PlacementId, Date)>> {
        let rows: Vec<(i64, Date)> = placement::Entity::find()
            .select_only()
            .column(placement::Column::Id)
            .column(placement::Column::PublishedOn)
            .filter(placement::Column::StationId.eq(station.0))
            .filter(placement::Column::OutletId.eq(outlet.0))
            .order_by_asc(placement::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|(id, d)| (PlacementId(id), d)).collect())
    }

    /// Deletes a placement of the scope, with its audit row, in one transaction.
    pub async fn delete_placement(&self, scope: Scope, id: PlacementId, by: UserId) -> Result<()> {
        let p = self.placement(scope, id).await?;
        let txn = self.write_txn().await?;
        let res = placement::Entity::delete_many()
            .filter(placement::Column::Id.eq(id.0))
            .filter(placement::Column::StationId.eq(p.station_id.0))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::NotFound);
        }
        audit_in(&txn, p.station_id, by, "placement.delete", format!("placement:{id}"), p.title).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn placement(&self, scope: Scope, id: PlacementId) -> Result<Placement> {
        let m = find_in::<placement::Entity>(&self.db, scope, id.0).await?;
        let rows = vec![m];
        let (units, outlets) = names_for(&self.db, &rows).await?;
        Ok(rows.into_iter().map(|m| placement_of(m, &units, &outlets)).next().expect("one row"))
    }

    /// The byline of a placement as correspondents with their shares.
    pub async fn placement_authors(&self, scope: Scope, id: PlacementId) -> Result<Vec<Author>> {
        // The authors have no station of their own: the placement's scoped read stands for them.
        find_in::<placement::Entity>(&self.db, scope, id.0).await?;
        let rows = placement_author::Entity::find()
            .filter(placement_author::Column::PlacementId.eq(id.0))
            .order_by_asc(placement_author::Column::Position)
            .all(&self.db)
            .await?;
        let names: HashMap<i64, String> = correspondent::Entity::find()
            .filter(correspondent::Column::Id.is_in(rows.iter().map(|r| r.correspondent_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        Ok(rows
            .into_iter()
            .map(|r| Author {
                correspondent_id: CorrespondentId(r.correspondent_id),
                name: names.get(&r.correspondent_id).cloned().unwrap_or_default(),
                share_bp: r.share_bp,
            })
            .collect())
    }

    /// One page of the placements `f` matches, at most `domain::paging::MAX_PER_PAGE`.
    pub async fn placements(&self, f: &PlacementFilter) -> Result<Page<Placement>> {
        let q = Self::placement_query(f);
        let total = q.clone().count(&self.db).await?;
        let (offset, per_page) = domain::paging::window(f.page, f.per_page);
        let items = self.placement_rows(q, f.sort, offset, per_page).await?;
        Ok(Page { items, total, page: f.page.max(1), per_page })
    }

    /// Every placement `f` matches (its page and page size ignored), in its order, up to
    /// `domain::paging::MAX_EXPORT_ROWS`: for exports.
    pub async fn all_placements(&self, f: &PlacementFilter) -> Result<Vec<Placement>> {
        self.placement_rows(Self::placement_query(f), f.sort, 0, domain::paging::MAX_EXPORT_ROWS).await
    }

    async fn placement_rows(
        &self,
        q: Select<placement::Entity>,
        sort: PlacementSort,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Placement>> {
        let q = match sort {
            PlacementSort::DateDesc => {
                q.order_by_desc(placement::Column::PublishedOn).order_by_desc(placement::Column::Id)
            }
            PlacementSort::DateAsc => {
                q.order_by_asc(placement::Column::PublishedOn).order_by_asc(placement::Column::Id)
            }
            PlacementSort::LengthDesc => {
                q.order_by_desc(placement::Column::Length).order_by_desc(placement::Column::Id)
            }
            PlacementSort::Title => q.order_by_asc(placement::Column::Title).order_by_asc(placement::Column::Id),
            PlacementSort::RecordedDesc => q.order_by_desc(placement::Column::Id),
        };
        let rows = q.offset(offset).limit(limit).all(&self.db).await?;
        let (units, outlets) = names_for(&self.db, &rows).await?;
        Ok(rows.into_iter().map(|m| placement_of(m, &units, &outlets)).collect())
    }

    /// The placements `f` matches, unordered and unpaged.
    fn placement_query(f: &PlacementFilter) -> Select<placement::Entity> {
        let mut q = placement::Entity::find();
        if let Some(s) = f.scope.station() {
            q = q.filter(placement::Column::StationId.eq(s.0));
        }
        if let Some(u) = f.unit_id {
            q = q.filter(placement::Column::UnitId.eq(u.0));
        }
        if let Some(o) = f.outlet_id {
            q = q.filter(placement::Column::OutletId.eq(o.0));
        }
        if let Some(level) = f.level {
            let mut sub = Query::select();
            sub.column(outlet::Column::Id).from(outlet::Entity).and_where(outlet::Column::Level.eq(level.code()));
            if let Some(s) = f.scope.station() {
                sub.and_where(outlet::Column::StationId.eq(s.0));
            }
            q = q.filter(placement::Column::OutletId.in_subquery(sub.to_owned()));
        }
        if let Some(g) = f.genre {
            q = q.filter(placement::Column::Genre.eq(g.code()));
        }
        if let Some(d) = f.from {
            q = q.filter(placement::Column::PublishedOn.gte(d));
        }
        if let Some(d) = f.to {
            q = q.filter(placement::Column::PublishedOn.lte(d));
        }
        if let Some(m) = f.manuscript_id {
            q = q.filter(placement::Column::ManuscriptId.eq(m.0));
        }
        if let Some(c) = f.author {
            q = q.filter(
                placement::Column::Id.in_subquery(
                    Query::select()
                        .column(placement_author::Column::PlacementId)
                        .from(placement_author::Entity)
                        .and_where(placement_author::Column::CorrespondentId.eq(c.0))
                        .to_owned(),
                ),
            );
        }
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(crate::contains_text(placement::Column::Title, text))
                    .add(crate::contains_text(placement::Column::Byline, text)),
            );
        }
        q
    }
}
