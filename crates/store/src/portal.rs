//! The public portal's records: columns, posts (with authors and revisions), images, and the
//! publishing of an accepted manuscript, which records a placement on the station's website
//! outlet in the same transaction as the post.

use crate::auth::audit_in;
use crate::entities::{
    audit, correspondent, manuscript, outlet, portal_column, portal_image, post, post_author, post_revision, station,
    unit,
};
use crate::scoped::{find_in, in_scope};
use crate::{Page, Result, Scope, Store, StoreError, now};
use domain::portal::{ColumnInput, PostInput};
use domain::*;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PortalColumn {
    pub id: PortalColumnId,
    pub station_id: StationId,
    pub slug: String,
    pub name: String,
    pub kind: ColumnKind,
    pub position: i32,
    pub show_on_home: bool,
}

/// A post with what its pages show: column, source unit and the authors' names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Post {
    pub id: PostId,
    pub station_id: StationId,
    pub column_id: PortalColumnId,
    pub column_slug: String,
    pub column_name: String,
    pub title: String,
    pub subtitle: String,
    pub body_html: String,
    pub summary: String,
    pub cover_image_id: Option<ImageId>,
    pub source_unit_id: Option<UnitId>,
    pub source_unit_name: Option<String>,
    pub byline: String,
    pub authors: Vec<(CorrespondentId, String)>,
    pub status: PostStatus,
    /// Unix seconds; in the future for a scheduled post.
    pub publish_at: Option<i64>,
    pub unpublish_reason: String,
    pub manuscript_id: Option<ManuscriptId>,
    pub placement_id: Option<PlacementId>,
    pub revision: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Post {
    /// Published and its time has come: what visitors may see.
    pub fn is_live(&self, at: i64) -> bool {
        self.status == PostStatus::Published && self.publish_at.is_some_and(|t| t <= at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PostRevision {
    pub revision: i32,
    pub title: String,
    pub subtitle: String,
    pub body_html: String,
    /// create, edit, publish, unpublish.
    pub action: String,
    pub by_name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImageMeta {
    pub id: ImageId,
    pub station_id: StationId,
    pub alt: String,
    pub caption: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub created_at: i64,
}

/// An image already resized and re-encoded (see `office::process_image`).
#[derive(Debug, Clone)]
pub struct NewImage {
    pub alt: String,
    pub caption: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub display: Vec<u8>,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub thumb: Vec<u8>,
}

/// A post brought in whole (the demo's year, or a site moved from another system): published
/// at its own time, optionally tied to the placement that already records it.
#[derive(Debug, Clone)]
pub struct PostImport {
    pub column_id: PortalColumnId,
    pub title: String,
    pub subtitle: String,
    pub body_html: String,
    pub source_unit_id: Option<UnitId>,
    pub byline: String,
    pub authors: Vec<CorrespondentId>,
    pub cover_image_id: Option<ImageId>,
    pub publish_at: i64,
    pub placement_id: Option<PlacementId>,
}

/// Which posts a list shows.
#[derive(Debug, Clone)]
pub struct PostFilter {
    pub station: StationId,
    pub column: Option<PortalColumnId>,
    pub status: Option<PostStatus>,
    /// Only posts visitors can see at this time (published, publish time passed).
    pub live_at: Option<i64>,
    /// Only posts with this correspondent among the authors.
    pub author: Option<CorrespondentId>,
    /// Part of the title.
    pub q: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

impl PostFilter {
    pub fn new(station: StationId) -> Self {
        PostFilter { station, column: None, status: None, live_at: None, author: None, q: None, page: 1, per_page: 20 }
    }
    /// The public list: live posts only.
    pub fn live(station: StationId, at: i64) -> Self {
        PostFilter { live_at: Some(at), ..Self::new(station) }
    }
}

fn column_of(m: portal_column::Model) -> PortalColumn {
    PortalColumn {
        id: PortalColumnId(m.id),
        station_id: StationId(m.station_id),
        slug: m.slug,
        name: m.name,
        kind: ColumnKind::parse(&m.kind).unwrap_or(ColumnKind::News),
        position: m.position,
        show_on_home: m.show_on_home,
    }
}

fn image_of(m: portal_image::Model) -> ImageMeta {
    ImageMeta {
        id: ImageId(m.id),
        station_id: StationId(m.station_id),
        alt: m.alt,
        caption: m.caption,
        mime: m.mime,
        width: m.width,
        height: m.height,
        thumb_width: m.thumb_width,
        thumb_height: m.thumb_height,
        created_at: m.created_at,
    }
}

/// An image's columns without its bytes, read as an `ImageRow`.
const IMAGE_META_COLUMNS: [portal_image::Column; 10] = [
    portal_image::Column::Id,
    portal_image::Column::StationId,
    portal_image::Column::Alt,
    portal_image::Column::Caption,
    portal_image::Column::Mime,
    portal_image::Column::Width,
    portal_image::Column::Height,
    portal_image::Column::ThumbWidth,
    portal_image::Column::ThumbHeight,
    portal_image::Column::CreatedAt,
];

type ImageRow = (i64, i64, String, String, String, i32, i32, i32, i32, i64);

fn image_of_row(m: ImageRow) -> ImageMeta {
    ImageMeta {
        id: ImageId(m.0),
        station_id: StationId(m.1),
        alt: m.2,
        caption: m.3,
        mime: m.4,
        width: m.5,
        height: m.6,
        thumb_width: m.7,
        thumb_height: m.8,
        created_at: m.9,
    }
}

/// The default columns for a new station (the migration gives existing stations the same).
pub(crate) async fn create_default_columns(db: &impl ConnectionTrait, station: StationId) -> Result<()> {
    for (i, (slug, name, kind)) in domain::portal::DEFAULT_COLUMNS.iter().enumerate() {
        portal_column::ActiveModel {
            station_id: Set(station.0),
            slug: Set((*slug).into()),
            name: Set((*name).into()),
            kind: Set(kind.code().into()),
            position: Set((i as i32 + 1) * 10),
            show_on_home: Set(true),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Writes an audit row inside the caller's transaction: "who published what" is the audit
/// log filtered to the portal's actions.
/// Checks that what a post points at belongs to the station.
async fn check_post_refs(db: &impl ConnectionTrait, station: StationId, input: &PostInput) -> Result<()> {
    let col = portal_column::Entity::find_by_id(input.column_id.0).one(db).await?;
    match col {
        Some(c) if c.station_id == station.0 => {
            if ColumnKind::parse(&c.kind) == Some(ColumnKind::Stats) {
                return Err(StoreError::invalid("column_id", "统计专栏由系统生成，不能发文章"));
            }
        }
        _ => return Err(StoreError::invalid("column_id", "栏目不存在")),
    }
    if let Some(u) = input.source_unit_id {
        let found = unit::Entity::find_by_id(u.0).one(db).await?;
        if found.map(|u| u.station_id) != Some(station.0) {
            return Err(StoreError::invalid("source_unit_id", "单位不存在"));
        }
    }
    if let Some(i) = input.cover_image_id {
        let found = portal_image::Entity::find_by_id(i.0).select_only().column(portal_image::Column::StationId);
        let found: Option<i64> = found.into_tuple().one(db).await?;
        if found != Some(station.0) {
            return Err(StoreError::invalid("cover_image_id", "图片不存在"));
        }
    }
    if !input.authors.is_empty() {
        let ids: Vec<i64> = input.authors.iter().map(|a| a.0).collect();
        let n = correspondent::Entity::find()
            .filter(correspondent::Column::StationId.eq(station.0))
            .filter(correspondent::Column::Id.is_in(ids.clone()))
            .count(db)
            .await?;
        if n != ids.len() as u64 {
            return Err(StoreError::invalid("authors", "作者必须是本站的通讯员"));
        }
    }
    Ok(())
}

async fn write_post_authors(db: &impl ConnectionTrait, post: i64, authors: &[CorrespondentId]) -> Result<()> {
    post_author::Entity::delete_many().filter(post_author::Column::PostId.eq(post)).exec(db).await?;
    for (i, a) in authors.iter().enumerate() {
        post_author::ActiveModel { post_id: Set(post), correspondent_id: Set(a.0), position: Set(i as i32) }
            .insert(db)
            .await?;
    }
    Ok(())
}

async fn add_post_revision(db: &impl ConnectionTrait, p: &post::Model, action: &str, by: UserId) -> Result<()> {
    post_revision::ActiveModel {
        post_id: Set(p.id),
        revision: Set(p.revision),
        title: Set(p.title.clone()),
        subtitle: Set(p.subtitle.clone()),
        body_html: Set(p.body_html.clone()),
        action: Set(action.into()),
        by_user_id: Set(by.0),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// How long a summary is, in characters.
const SUMMARY_CHARS: usize = 160;

fn summary_of(body_html: &str) -> String {
    domain::portal::excerpt(&domain::portal::html_to_text(body_html), SUMMARY_CHARS)
}

/// Loads a post's row, checking it belongs to the station.
async fn post_row(db: &impl ConnectionTrait, station: StationId, id: PostId) -> Result<post::Model> {
    find_in::<post::Entity>(db, Scope::Station(station), id.0).await
}

/// Records the placement that a manuscript's publication on the portal is: the station's
/// website outlet, the post's column and date, the manuscript's byline and unit.
async fn record_website_placement(
    db: &impl ConnectionTrait,
    station: StationId,
    ms: &manuscript::Model,
    column_name: &str,
    publish_at: i64,
    by: UserId,
) -> Result<i64> {
    let st = station::Entity::find_by_id(station.0).one(db).await?.ok_or(StoreError::NotFound)?;
    let Some(outlet_id) = st.portal_outlet_id else {
        return Err(StoreError::Conflict(
            "尚未指定本站网站对应的媒体：请在“门户设置”中选择，发布的稿件才能计入采用统计".into(),
        ));
    };
    if outlet::Entity::find_by_id(outlet_id).one(db).await?.is_none_or(|o| o.station_id != station.0) {
        return Err(StoreError::Conflict("门户设置中的网站媒体已不存在，请重新选择".into()));
    }
    let authors: Vec<Byline> = crate::entities::manuscript_author::Entity::find()
        .filter(crate::entities::manuscript_author::Column::ManuscriptId.eq(ms.id))
        .order_by_asc(crate::entities::manuscript_author::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|a| Byline { correspondent_id: CorrespondentId(a.correspondent_id), share_bp: a.share_bp })
        .collect();
    let date = time::OffsetDateTime::from_unix_timestamp(publish_at)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .to_offset(domain::CHINA_OFFSET)
        .date();
    let input = PlacementInput {
        manuscript_id: Some(ManuscriptId(ms.id)),
        title: ms.title.clone(),
        unit_id: ms.unit_id.map(UnitId),
        outlet_id: OutletId(outlet_id),
        column: column_name.to_string(),
        published_on: date,
        genre: Genre::parse(&ms.genre).unwrap_or(Genre::News),
        position: Position::Normal,
        length: ms.body.chars().filter(|c| !c.is_whitespace()).count().min(1_000_000) as i32,
        instruction: None,
        commissioned: false,
        reprint: false,
        grade: None,
        evidence_url: String::new(),
        note: "门户发布".into(),
        authors,
        external_authors: String::new(),
    };
    crate::placements::insert_placement(db, station, &input, by).await
}

impl Store {
    // ---- columns and settings ----

    pub async fn portal_columns(&self, station: StationId) -> Result<Vec<PortalColumn>> {
        Ok(portal_column::Entity::find()
            .filter(portal_column::Column::StationId.eq(station.0))
            .order_by_asc(portal_column::Column::Position)
            .order_by_asc(portal_column::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(column_of)
            .collect())
    }

    pub async fn create_portal_column(&self, station: StationId, input: &ColumnInput) -> Result<PortalColumn> {
        self.check_column_slug(station, &input.slug, None).await?;
        let m = portal_column::ActiveModel {
            station_id: Set(station.0),
            slug: Set(input.slug.clone()),
            name: Set(input.name.clone()),
            kind: Set(input.kind.code().into()),
            position: Set(input.position),
            show_on_home: Set(input.show_on_home),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(column_of(m))
    }

    pub async fn update_portal_column(
        &self,
        station: StationId,
        id: PortalColumnId,
        input: &ColumnInput,
    ) -> Result<PortalColumn> {
        find_in::<portal_column::Entity>(&self.db, Scope::Station(station), id.0).await?;
        self.check_column_slug(station, &input.slug, Some(id)).await?;
        let m = portal_column::ActiveModel {
            id: Set(id.0),
            station_id: NotSet,
            slug: Set(input.slug.clone()),
            name: Set(input.name.clone()),
            kind: Set(input.kind.code().into()),
            position: Set(input.position),
            show_on_home: Set(input.show_on_home),
        }
        .update(&self.db)
        .await?;
        Ok(column_of(m))
    }

    async fn check_column_slug(&self, station: StationId, slug: &str, except: Option<PortalColumnId>) -> Result<()> {
        let mut q = portal_column::Entity::find()
            .filter(portal_column::Column::StationId.eq(station.0))
            .filter(portal_column::Column::Slug.eq(slug));
        if let Some(e) = except {
            q = q.filter(portal_column::Column::Id.ne(e.0));
        }
        if q.count(&self.db).await? > 0 {
            return Err(StoreError::invalid("slug", format!("栏目地址 {slug} 已被使用")));
        }
        Ok(())
    }

    /// Sets the outlet that stands for the station's website and the portal's intro line.
    pub async fn set_portal_settings(
        &self,
        station: StationId,
        outlet_id: Option<OutletId>,
        intro: &str,
    ) -> Result<()> {
        if let Some(o) = outlet_id {
            let found = outlet::Entity::find_by_id(o.0).one(&self.db).await?;
            if found.map(|o| o.station_id) != Some(station.0) {
                return Err(StoreError::invalid("portal_outlet_id", "媒体不存在"));
            }
        }
        let intro = intro.trim();
        if intro.chars().count() > MAX_TEXT {
            return Err(StoreError::invalid("portal_intro", format!("简介不能超过{MAX_TEXT}个字")));
        }
        station::Entity::update_many()
            .col_expr(station::Column::PortalOutletId, Expr::value(outlet_id.map(|o| o.0)))
            .col_expr(station::Column::PortalIntro, Expr::value(intro))
            .filter(station::Column::Id.eq(station.0))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    // ---- posts ----

    /// Creates a post as a draft, or published at once (or scheduled, with a future time).
    pub async fn create_post(&self, station: StationId, input: &PostInput, publish: bool, by: UserId) -> Result<Post> {
        let txn = self.write_txn().await?;
        check_post_refs(&txn, station, input).await?;
        let t = now();
        let (status, publish_at) = if publish {
            (PostStatus::Published, Some(input.publish_at.unwrap_or(t)))
        } else {
            (PostStatus::Draft, input.publish_at)
        };
        let m = post::ActiveModel {
            station_id: Set(station.0),
            column_id: Set(input.column_id.0),
            title: Set(input.title.clone()),
            subtitle: Set(input.subtitle.clone()),
            summary: Set(summary_of(&input.body_html)),
            body_html: Set(input.body_html.clone()),
            cover_image_id: Set(input.cover_image_id.map(|i| i.0)),
            source_unit_id: Set(input.source_unit_id.map(|u| u.0)),
            byline: Set(input.byline.clone()),
            status: Set(status.code().into()),
            publish_at: Set(publish_at),
            unpublish_reason: Set(String::new()),
            manuscript_id: Set(None),
            placement_id: Set(None),
            revision: Set(1),
            created_by: Set(by.0),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        write_post_authors(&txn, m.id, &input.authors).await?;
        add_post_revision(&txn, &m, if publish { "publish" } else { "create" }, by).await?;
        if publish {
            audit_in(&txn, station, by, "portal.publish", format!("post:{}", m.id), m.title.clone()).await?;
        }
        txn.commit().await?;
        self.post(station, PostId(m.id)).await
    }

    /// Saves an edit as the next revision; the post keeps its status.
    pub async fn update_post(&self, station: StationId, id: PostId, input: &PostInput, by: UserId) -> Result<Post> {
        let txn = self.write_txn().await?;
        let old = post_row(&txn, station, id).await?;
        check_post_refs(&txn, station, input).await?;
        let status = PostStatus::parse(&old.status).unwrap_or(PostStatus::Draft);
        // A published post keeps its time unless one is given; a draft takes what is typed.
        let publish_at = match status {
            PostStatus::Published => input.publish_at.or(old.publish_at),
            _ => input.publish_at,
        };
        let m = post::ActiveModel {
            id: Set(id.0),
            column_id: Set(input.column_id.0),
            title: Set(input.title.clone()),
            subtitle: Set(input.subtitle.clone()),
            summary: Set(summary_of(&input.body_html)),
            body_html: Set(input.body_html.clone()),
            cover_image_id: Set(input.cover_image_id.map(|i| i.0)),
            source_unit_id: Set(input.source_unit_id.map(|u| u.0)),
            byline: Set(input.byline.clone()),
            publish_at: Set(publish_at),
            revision: Set(old.revision + 1),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        write_post_authors(&txn, m.id, &input.authors).await?;
        add_post_revision(&txn, &m, "edit", by).await?;
        if status == PostStatus::Published {
            audit_in(&txn, station, by, "portal.edit", format!("post:{}", m.id), m.title.clone()).await?;
        }
        txn.commit().await?;
        self.post(station, id).await
    }

    /// Publishes a draft or unpublished post, at `at` (a future time schedules it). A post made
    /// from a manuscript records its website placement the first time it is published.
    pub async fn publish_post(&self, station: StationId, id: PostId, at: Option<i64>, by: UserId) -> Result<Post> {
        let txn = self.write_txn().await?;
        let old = post_row(&txn, station, id).await?;
        if PostStatus::parse(&old.status) == Some(PostStatus::Published) && at.is_none() {
            return Err(StoreError::Conflict("文章已发布".into()));
        }
        let publish_at = at.or(old.publish_at.filter(|t| *t > now())).unwrap_or_else(now);
        let mut placement_id = old.placement_id;
        if placement_id.is_none()
            && let Some(ms_id) = old.manuscript_id
            && let Some(ms) = manuscript::Entity::find_by_id(ms_id).one(&txn).await?
        {
            let col = portal_column::Entity::find_by_id(old.column_id).one(&txn).await?;
            let col_name = col.map(|c| c.name).unwrap_or_default();
            placement_id = Some(record_website_placement(&txn, station, &ms, &col_name, publish_at, by).await?);
        }
        let m = post::ActiveModel {
            id: Set(id.0),
            status: Set(PostStatus::Published.code().into()),
            publish_at: Set(Some(publish_at)),
            unpublish_reason: Set(String::new()),
            placement_id: Set(placement_id),
            revision: Set(old.revision + 1),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        add_post_revision(&txn, &m, "publish", by).await?;
        audit_in(&txn, station, by, "portal.publish", format!("post:{}", m.id), m.title.clone()).await?;
        txn.commit().await?;
        self.post(station, id).await
    }

    /// Takes a post off the site with a reason (kept on the post and in the audit log). A
    /// placement it recorded stays: the piece did run on the website.
    pub async fn unpublish_post(&self, station: StationId, id: PostId, reason: &str, by: UserId) -> Result<Post> {
        let reason = domain::portal::check_reason(reason).map_err(StoreError::Invalid)?;
        let txn = self.write_txn().await?;
        let old = post_row(&txn, station, id).await?;
        if PostStatus::parse(&old.status) != Some(PostStatus::Published) {
            return Err(StoreError::Conflict("只有已发布的文章才能撤下".into()));
        }
        let m = post::ActiveModel {
            id: Set(id.0),
            status: Set(PostStatus::Unpublished.code().into()),
            unpublish_reason: Set(reason.clone()),
            revision: Set(old.revision + 1),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        add_post_revision(&txn, &m, "unpublish", by).await?;
        audit_in(&txn, station, by, "portal.unpublish", format!("post:{}", m.id), format!("{}：{reason}", m.title))
            .await?;
        txn.commit().await?;
        self.post(station, id).await
    }

    /// Publishes an accepted manuscript to a column in one step: the post (title, text, unit,
    /// byline and authors from the manuscript) and the placement on the station's website
    /// outlet are written in one transaction, so the website's adoptions count in the unit
    /// statistics from that moment.
    pub async fn publish_manuscript(
        &self,
        station: StationId,
        ms_id: ManuscriptId,
        column: PortalColumnId,
        at: Option<i64>,
        by: UserId,
    ) -> Result<Post> {
        let txn = self.write_txn().await?;
        let ms = find_in::<manuscript::Entity>(&txn, Scope::Station(station), ms_id.0).await?;
        if ManuscriptStatus::parse(&ms.status) != Some(ManuscriptStatus::Accepted) {
            return Err(StoreError::Conflict("只有已采用的稿件才能发布到门户".into()));
        }
        let existing = post::Entity::find().filter(post::Column::ManuscriptId.eq(ms.id)).count(&txn).await?;
        if existing > 0 {
            return Err(StoreError::Conflict("这篇稿件已发布到门户".into()));
        }
        let authors: Vec<CorrespondentId> = crate::entities::manuscript_author::Entity::find()
            .filter(crate::entities::manuscript_author::Column::ManuscriptId.eq(ms.id))
            .order_by_asc(crate::entities::manuscript_author::Column::Position)
            .all(&txn)
            .await?
            .into_iter()
            .map(|a| CorrespondentId(a.correspondent_id))
            .collect();
        let names: HashMap<i64, String> = correspondent::Entity::find()
            .filter(correspondent::Column::Id.is_in(authors.iter().map(|a| a.0)))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let byline: Vec<&str> = authors.iter().filter_map(|a| names.get(&a.0).map(String::as_str)).collect();
        let input = PostInput {
            column_id: column,
            title: ms.title.clone(),
            subtitle: String::new(),
            body_html: domain::portal::text_to_html(&ms.body),
            source_unit_id: ms.unit_id.map(UnitId),
            byline: byline.join(" "),
            authors,
            cover_image_id: None,
            publish_at: at,
        }
        .validate()
        .map_err(StoreError::Invalid)?;
        check_post_refs(&txn, station, &input).await?;
        let col = portal_column::Entity::find_by_id(column.0).one(&txn).await?.ok_or(StoreError::NotFound)?;
        let t = now();
        let publish_at = at.unwrap_or(t);
        let placement = record_website_placement(&txn, station, &ms, &col.name, publish_at, by).await?;
        let m = post::ActiveModel {
            station_id: Set(station.0),
            column_id: Set(column.0),
            title: Set(input.title.clone()),
            subtitle: Set(String::new()),
            summary: Set(summary_of(&input.body_html)),
            body_html: Set(input.body_html.clone()),
            cover_image_id: Set(None),
            source_unit_id: Set(input.source_unit_id.map(|u| u.0)),
            byline: Set(input.byline.clone()),
            status: Set(PostStatus::Published.code().into()),
            publish_at: Set(Some(publish_at)),
            unpublish_reason: Set(String::new()),
            manuscript_id: Set(Some(ms.id)),
            placement_id: Set(Some(placement)),
            revision: Set(1),
            created_by: Set(by.0),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        write_post_authors(&txn, m.id, &input.authors).await?;
        add_post_revision(&txn, &m, "publish", by).await?;
        audit_in(
            &txn,
            station,
            by,
            "portal.publish",
            format!("post:{}", m.id),
            format!("{}（稿件 {}，采用记录 {placement}）", m.title, ms.id),
        )
        .await?;
        txn.commit().await?;
        self.post(station, PostId(m.id)).await
    }

    /// Writes many published posts in one transaction (all or nothing); the HTML is
    /// sanitised here as in `create_post`.
    pub async fn import_posts(&self, station: StationId, posts: &[PostImport], by: UserId) -> Result<usize> {
        // Read before the transaction: SQLite's writer pool has a single connection.
        let columns: Vec<i64> = self.portal_columns(station).await?.iter().map(|c| c.id.0).collect();
        let txn = self.write_txn().await?;
        let t = now();
        for p in posts {
            if !columns.contains(&p.column_id.0) {
                return Err(StoreError::invalid("column_id", "栏目不存在"));
            }
            let body = domain::portal::sanitize_html(&p.body_html);
            let m = post::ActiveModel {
                station_id: Set(station.0),
                column_id: Set(p.column_id.0),
                title: Set(p.title.clone()),
                subtitle: Set(p.subtitle.clone()),
                summary: Set(summary_of(&body)),
                body_html: Set(body),
                cover_image_id: Set(p.cover_image_id.map(|i| i.0)),
                source_unit_id: Set(p.source_unit_id.map(|u| u.0)),
                byline: Set(p.byline.clone()),
                status: Set(PostStatus::Published.code().into()),
                publish_at: Set(Some(p.publish_at)),
                unpublish_reason: Set(String::new()),
                manuscript_id: Set(None),
                placement_id: Set(p.placement_id.map(|x| x.0)),
                revision: Set(1),
                created_by: Set(by.0),
                created_at: Set(t),
                updated_at: Set(p.publish_at),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            write_post_authors(&txn, m.id, &p.authors).await?;
            add_post_revision(&txn, &m, "publish", by).await?;
        }
        txn.commit().await?;
        Ok(posts.len())
    }

    /// The post made from a manuscript, if it was published on the portal.
    pub async fn post_of_manuscript(&self, station: StationId, ms: ManuscriptId) -> Result<Option<PostId>> {
        Ok(post::Entity::find()
            .select_only()
            .column(post::Column::Id)
            .filter(post::Column::StationId.eq(station.0))
            .filter(post::Column::ManuscriptId.eq(ms.0))
            .into_tuple::<i64>()
            .one(&self.db)
            .await?
            .map(PostId))
    }

    pub async fn post(&self, station: StationId, id: PostId) -> Result<Post> {
        let m = post_row(&self.db, station, id).await?;
        self.posts_of(vec![m]).await?.pop().ok_or(StoreError::NotFound)
    }

    /// Adds columns, units and authors to post rows, in three small queries.
    async fn posts_of(&self, rows: Vec<post::Model>) -> Result<Vec<Post>> {
        let mut col_ids: Vec<i64> = rows.iter().map(|r| r.column_id).collect();
        col_ids.sort_unstable();
        col_ids.dedup();
        let cols: HashMap<i64, portal_column::Model> = portal_column::Entity::find()
            .filter(portal_column::Column::Id.is_in(col_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let unit_ids: Vec<i64> = rows.iter().filter_map(|r| r.source_unit_id).collect();
        let units: HashMap<i64, String> = if unit_ids.is_empty() {
            HashMap::new()
        } else {
            unit::Entity::find()
                .filter(unit::Column::Id.is_in(unit_ids))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect()
        };
        let post_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut authors: HashMap<i64, Vec<(i32, CorrespondentId, String)>> = HashMap::new();
        let found: Vec<(i64, i64, i32, String)> = post_author::Entity::find()
            .select_only()
            .column(post_author::Column::PostId)
            .column(post_author::Column::CorrespondentId)
            .column(post_author::Column::Position)
            .column_as(correspondent::Column::Name, "name")
            .join(
                sea_orm::JoinType::InnerJoin,
                post_author::Entity::belongs_to(correspondent::Entity)
                    .from(post_author::Column::CorrespondentId)
                    .to(correspondent::Column::Id)
                    .into(),
            )
            .filter(post_author::Column::PostId.is_in(post_ids))
            .into_tuple()
            .all(&self.db)
            .await?;
        for (p, c, pos, name) in found {
            authors.entry(p).or_default().push((pos, CorrespondentId(c), name));
        }
        Ok(rows
            .into_iter()
            .map(|m| {
                let col = cols.get(&m.column_id);
                let mut a = authors.remove(&m.id).unwrap_or_default();
                a.sort_by_key(|x| x.0);
                Post {
                    id: PostId(m.id),
                    station_id: StationId(m.station_id),
                    column_id: PortalColumnId(m.column_id),
                    column_slug: col.map(|c| c.slug.clone()).unwrap_or_default(),
                    column_name: col.map(|c| c.name.clone()).unwrap_or_default(),
                    title: m.title,
                    subtitle: m.subtitle,
                    body_html: m.body_html,
                    summary: m.summary,
                    cover_image_id: m.cover_image_id.map(ImageId),
                    source_unit_id: m.source_unit_id.map(UnitId),
                    source_unit_name: m.source_unit_id.and_then(|u| units.get(&u).cloned()),
                    byline: m.byline,
                    authors: a.into_iter().map(|(_, c, n)| (c, n)).collect(),
                    status: PostStatus::parse(&m.status).unwrap_or(PostStatus::Draft),
                    publish_at: m.publish_at,
                    unpublish_reason: m.unpublish_reason,
                    manuscript_id: m.manuscript_id.map(ManuscriptId),
                    placement_id: m.placement_id.map(PlacementId),
                    revision: m.revision,
                    created_at: m.created_at,
                    updated_at: m.updated_at,
                }
            })
            .collect())
    }

    /// A page of posts, newest first (by publish time, then by last edit for drafts).
    pub async fn posts(&self, f: &PostFilter) -> Result<Page<Post>> {
        let mut q = post::Entity::find().filter(post::Column::StationId.eq(f.station.0));
        if let Some(c) = f.column {
            q = q.filter(post::Column::ColumnId.eq(c.0));
        }
        if let Some(s) = f.status {
            q = q.filter(post::Column::Status.eq(s.code()));
        }
        if let Some(at) = f.live_at {
            q = q.filter(post::Column::Status.eq(PostStatus::Published.code())).filter(post::Column::PublishAt.lte(at));
        }
        if let Some(a) = f.author {
            let ids = post_author::Entity::find()
                .select_only()
                .column(post_author::Column::PostId)
                .filter(post_author::Column::CorrespondentId.eq(a.0))
                .into_query();
            q = q.filter(Condition::all().add(post::Column::Id.in_subquery(ids)));
        }
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            q = q.filter(crate::contains_text(post::Column::Title, text));
        }
        let total = q.clone().count(&self.db).await?;
        let (offset, per_page) = domain::paging::window(f.page, f.per_page);
        let page = f.page.max(1);
        let rows = q
            .order_by_desc(post::Column::PublishAt)
            .order_by_desc(post::Column::UpdatedAt)
            .order_by_desc(post::Column::Id)
            .offset(offset)
            .limit(per_page)
            .all(&self.db)
            .await?;
        Ok(Page { items: self.posts_of(rows).await?, total, page, per_page })
    }

    /// Every live post's id, column and time, for the sitemap and the search index.
    pub async fn live_posts(&self, station: StationId, at: i64) -> Result<Vec<Post>> {
        let rows = post::Entity::find()
            .filter(post::Column::StationId.eq(station.0))
            .filter(post::Column::Status.eq(PostStatus::Published.code()))
            .filter(post::Column::PublishAt.lte(at))
            .order_by_desc(post::Column::PublishAt)
            .all(&self.db)
            .await?;
        self.posts_of(rows).await
    }

    /// The next time a scheduled post goes live, so caches know when to look again.
    pub async fn next_scheduled(&self, station: StationId, after: i64) -> Result<Option<i64>> {
        Ok(post::Entity::find()
            .select_only()
            .column_as(post::Column::PublishAt.min(), "t")
            .filter(post::Column::StationId.eq(station.0))
            .filter(post::Column::Status.eq(PostStatus::Published.code()))
            .filter(post::Column::PublishAt.gt(after))
            .into_tuple::<Option<i64>>()
            .one(&self.db)
            .await?
            .flatten())
    }

    pub async fn post_revisions(&self, station: StationId, id: PostId) -> Result<Vec<PostRevision>> {
        post_row(&self.db, station, id).await?;
        let rows = post_revision::Entity::find()
            .filter(post_revision::Column::PostId.eq(id.0))
            .order_by_desc(post_revision::Column::Revision)
            .all(&self.db)
            .await?;
        let users = crate::network::display_names(&self.db, rows.iter().map(|r| r.by_user_id)).await?;
        Ok(rows
            .into_iter()
            .map(|r| PostRevision {
                revision: r.revision,
                title: r.title,
                subtitle: r.subtitle,
                body_html: r.body_html,
                action: r.action,
                by_name: users.get(&r.by_user_id).cloned().unwrap_or_default(),
                created_at: r.created_at,
            })
            .collect())
    }

    // ---- images ----

    pub async fn create_image(&self, station: StationId, img: NewImage, by: UserId) -> Result<ImageMeta> {
        let alt = img.alt.trim().to_string();
        if alt.is_empty() {
            return Err(StoreError::invalid("alt", "请填写图片说明（替代文字），方便读屏软件朗读"));
        }
        if alt.chars().count() > domain::portal::MAX_ALT {
            return Err(StoreError::invalid("alt", format!("图片说明不能超过{}个字", domain::portal::MAX_ALT)));
        }
        let m = portal_image::ActiveModel {
            station_id: Set(station.0),
            alt: Set(alt),
            caption: Set(img.caption.trim().to_string()),
            mime: Set(img.mime),
            width: Set(img.width as i32),
            height: Set(img.height as i32),
            thumb_width: Set(img.thumb_width as i32),
            thumb_height: Set(img.thumb_height as i32),
            display: Set(img.display),
            thumb: Set(img.thumb),
            created_by: Set(by.0),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(image_of(m))
    }

    /// An image's description, without its bytes.
    pub async fn image(&self, scope: Scope, id: ImageId) -> Result<ImageMeta> {
        let row = in_scope(portal_image::Entity::find_by_id(id.0), scope)
            .select_only()
            .columns(IMAGE_META_COLUMNS)
            .into_tuple::<ImageRow>()
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(image_of_row(row))
    }

    /// An image's bytes (the display size, or the thumbnail) and type.
    pub async fn image_bytes(&self, scope: Scope, id: ImageId, thumb: bool) -> Result<(StationId, String, Vec<u8>)> {
        let col = if thumb { portal_image::Column::Thumb } else { portal_image::Column::Display };
        let (station, mime, bytes): (i64, String, Vec<u8>) = in_scope(portal_image::Entity::find_by_id(id.0), scope)
            .select_only()
            .column(portal_image::Column::StationId)
            .column(portal_image::Column::Mime)
            .column(col)
            .into_tuple()
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((StationId(station), mime, bytes))
    }

    /// Images of a station, newest first, for the editor's picker: one query, no bytes.
    pub async fn images(&self, station: StationId, limit: u64) -> Result<Vec<ImageMeta>> {
        let rows = portal_image::Entity::find()
            .select_only()
            .columns(IMAGE_META_COLUMNS)
            .filter(portal_image::Column::StationId.eq(station.0))
            .order_by_desc(portal_image::Column::Id)
            .limit(limit)
            .into_tuple::<ImageRow>()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(image_of_row).collect())
    }

    /// The portal's actions in the audit log: who published, edited or unpublished what.
    pub async fn portal_log(&self, station: StationId, limit: u64) -> Result<Vec<(crate::AuditEntry, String)>> {
        let rows = audit::Entity::find()
            .filter(audit::Column::StationId.eq(station.0))
            .filter(audit::Column::Action.starts_with("portal."))
            .order_by_desc(audit::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let users = crate::network::display_names(&self.db, rows.iter().filter_map(|r| r.user_id)).await?;
        Ok(rows
            .into_iter()
            .map(|a| {
                let who = a.user_id.and_then(|u| users.get(&u).cloned()).unwrap_or_default();
                (
                    crate::AuditEntry {
                        id: a.id,
                        station_id: a.station_id.map(StationId),
                        user_id: a.user_id.map(UserId),
                        at: a.at,
                        action: a.action,
                        subject: a.subject,
                        detail: a.detail,
                    },
                    who,
                )
            })
            .collect())
    }
}
