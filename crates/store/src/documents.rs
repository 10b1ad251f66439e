//! The document library (文档库): documents with their extracted text and preview, download
//! counts, visitors' comments (shown once an editor approves them) and complaints (版权申诉),
//! which an editor upholds by taking the document down with a recorded reason.

use crate::entities::{comment, complaint, correspondent, document, post, unit};
use crate::scoped::{find_in, in_scope};
use crate::{Page, Result, Scope, Store, StoreError, now};
use domain::portal::{CommentInput, ComplaintInput};
use domain::*;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;

/// A document without its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DocumentMeta {
    pub id: DocumentId,
    pub station_id: StationId,
    pub title: String,
    pub summary: String,
    pub file_name: String,
    /// docx, pdf or txt.
    pub format: String,
    pub size: i64,
    pub correspondent_id: Option<CorrespondentId>,
    pub correspondent_name: Option<String>,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub status: DocumentStatus,
    pub takedown_reason: String,
    pub downloads: i64,
    pub published_at: i64,
}

/// A document to publish, already checked and read (see `office::sniff_document`).
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub title: String,
    pub summary: String,
    pub file_name: String,
    pub format: String,
    pub data: Vec<u8>,
    pub text_content: String,
    pub preview_html: String,
    pub correspondent_id: Option<CorrespondentId>,
    pub unit_id: Option<UnitId>,
    /// When it was published (unix seconds); none means now. For moving a library over.
    pub published_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentRecord {
    pub id: CommentId,
    pub document_id: Option<DocumentId>,
    pub document_title: String,
    pub name: String,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintRecord {
    pub id: ComplaintId,
    pub document_id: Option<DocumentId>,
    pub document_title: String,
    pub kind: ComplaintKind,
    pub name: String,
    pub contact: String,
    pub body: String,
    pub status: ComplaintStatus,
    pub resolution: String,
    pub created_at: i64,
}

/// The columns of `documents` without the file, the text and the preview.
const META_COLUMNS: [document::Column; 13] = [
    document::Column::Id,
    document::Column::StationId,
    document::Column::Title,
    document::Column::Summary,
    document::Column::FileName,
    document::Column::Format,
    document::Column::Size,
    document::Column::CorrespondentId,
    document::Column::UnitId,
    document::Column::Status,
    document::Column::TakedownReason,
    document::Column::Downloads,
    document::Column::PublishedAt,
];

#[derive(Debug, sea_orm::FromQueryResult)]
struct MetaRow {
    id: i64,
    station_id: i64,
    title: String,
    summary: String,
    file_name: String,
    format: String,
    size: i64,
    correspondent_id: Option<i64>,
    unit_id: Option<i64>,
    status: String,
    takedown_reason: String,
    downloads: i64,
    published_at: i64,
}

async fn metas(db: &impl ConnectionTrait, rows: Vec<MetaRow>) -> Result<Vec<DocumentMeta>> {
    let people: HashMap<i64, String> = correspondent::Entity::find()
        .filter(correspondent::Column::Id.is_in(rows.iter().filter_map(|r| r.correspondent_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let units: HashMap<i64, String> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(rows.iter().filter_map(|r| r.unit_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| DocumentMeta {
            id: DocumentId(r.id),
            station_id: StationId(r.station_id),
            title: r.title,
            summary: r.summary,
            file_name: r.file_name,
            format: r.format,
            size: r.size,
            correspondent_id: r.correspondent_id.map(CorrespondentId),
            correspondent_name: r.correspondent_id.and_then(|c| people.get(&c).cloned()),
            unit_id: r.unit_id.map(UnitId),
            unit_name: r.unit_id.and_then(|u| units.get(&u).cloned()),
            status: DocumentStatus::parse(&r.status).unwrap_or(DocumentStatus::Published),
            takedown_reason: r.takedown_reason,
            downloads: r.downloads,
            published_at: r.published_at,
        })
        .collect())
}

/// Which documents a list shows.
#[derive(Debug, Clone)]
pub struct DocumentFilter {
    pub station: StationId,
    pub status: Option<DocumentStatus>,
    pub correspondent: Option<CorrespondentId>,
    pub page: u64,
    pub per_page: u64,
}

impl DocumentFilter {
    pub fn published(station: StationId) -> Self {
        DocumentFilter { station, status: Some(DocumentStatus::Published), correspondent: None, page: 1, per_page: 20 }
    }
}

/// What a comment or complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Document(DocumentId),
    Post(PostId),
}

impl Target {
    fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            Target::Document(d) => (Some(d.0), None),
            Target::Post(p) => (None, Some(p.0)),
        }
    }
}

async fn titles(db: &impl ConnectionTrait, ids: impl IntoIterator<Item = i64>) -> Result<HashMap<i64, String>> {
    Ok(document::Entity::find()
        .select_only()
        .column(document::Column::Id)
        .column(document::Column::Title)
        .filter(document::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

impl Store {
    pub async fn create_document(&self, station: StationId, d: NewDocument, by: UserId) -> Result<DocumentMeta> {
        let title = d.title.trim().to_string();
        let mut e = FieldErrors::default();
        check_text_field(&mut e, "title", "标题", &title, MAX_TITLE, true);
        check_text_field(&mut e, "summary", "简介", &d.summary, MAX_TEXT, false);
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let txn = self.write_txn().await?;
        if let Some(c) = d.correspondent_id {
            let found = correspondent::Entity::find_by_id(c.0).one(&txn).await?;
            if found.map(|c| c.station_id) != Some(station.0) {
                return Err(StoreError::invalid("correspondent", "通讯员不存在"));
            }
        }
        if let Some(u) = d.unit_id {
            let found = unit::Entity::find_by_id(u.0).one(&txn).await?;
            if found.map(|u| u.station_id) != Some(station.0) {
                return Err(StoreError::invalid("unit_id", "单位不存在"));
            }
        }
        let t = now();
        let m = document::ActiveModel {
            station_id: Set(station.0),
            title: Set(title.clone()),
            summary: Set(d.summary.trim().to_string()),
            file_name: Set(d.file_name),
            format: Set(d.format),
            size: Set(d.data.len() as i64),
            data: Set(d.data),
            text_content: Set(d.text_content),
            preview_html: Set(d.preview_html),
            correspondent_id: Set(d.correspondent_id.map(|c| c.0)),
            unit_id: Set(d.unit_id.map(|u| u.0)),
            status: Set(DocumentStatus::Published.code().into()),
            takedown_reason: Set(String::new()),
            downloads: Set(0),
            published_at: Set(d.published_at.unwrap_or(t)),
            created_by: Set(by.0),
            created_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        crate::auth::audit_in(&txn, station, by, "portal.document", format!("document:{}", m.id), title).await?;
        txn.commit().await?;
        self.document(station, DocumentId(m.id)).await
    }

    pub async fn document(&self, station: StationId, id: DocumentId) -> Result<DocumentMeta> {
        let row: Option<MetaRow> = in_scope(document::Entity::find_by_id(id.0), Scope::Station(station))
            .select_only()
            .columns(META_COLUMNS)
            .into_model()
            .one(&self.db)
            .await?;
        let row = row.ok_or(StoreError::NotFound)?;
        metas(&self.db, vec![row]).await?.pop().ok_or(StoreError::NotFound)
    }

    /// The text (for search) and the preview (HTML built by construction at upload).
    pub async fn document_text(&self, station: StationId, id: DocumentId) -> Result<(String, String)> {
        in_scope(document::Entity::find_by_id(id.0), Scope::Station(station))
            .select_only()
            .column(document::Column::TextContent)
            .column(document::Column::PreviewHtml)
            .into_tuple()
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The file of a published document, counting the download.
    pub async fn download_document(&self, station: StationId, id: DocumentId) -> Result<(String, String, Vec<u8>)> {
        let found: Option<(String, String, String, Vec<u8>)> =
            in_scope(document::Entity::find_by_id(id.0), Scope::Station(station))
                .select_only()
                .column(document::Column::Status)
                .column(document::Column::FileName)
                .column(document::Column::Format)
                .column(document::Column::Data)
                .into_tuple()
                .one(&self.db)
                .await?;
        let (status, name, format, data) = found.ok_or(StoreError::NotFound)?;
        if DocumentStatus::parse(&status) != Some(DocumentStatus::Published) {
            return Err(StoreError::Conflict("文档已下架".into()));
        }
        // One statement, so concurrent downloads never lose a count.
        document::Entity::update_many()
            .col_expr(
                document::Column::Downloads,
                sea_orm::sea_query::ExprTrait::add(Expr::col(document::Column::Downloads), 1),
            )
            .filter(document::Column::Id.eq(id.0))
            .exec(&self.db)
            .await?;
        Ok((name, format, data))
    }

    pub async fn documents(&self, f: &DocumentFilter) -> Result<Page<DocumentMeta>> {
        let mut q = document::Entity::find().filter(document::Column::StationId.eq(f.station.0));
        if let Some(s) = f.status {
            q = q.filter(document::Column::Status.eq(s.code()));
        }
        if let Some(c) = f.correspondent {
            q = q.filter(document::Column::CorrespondentId.eq(c.0));
        }
        let total = q.clone().count(&self.db).await?;
        let (offset, per_page) = domain::paging::window(f.page, f.per_page);
        let page = f.page.max(1);
        let rows: Vec<MetaRow> = q
            .select_only()
            .columns(META_COLUMNS)
            .order_by_desc(document::Column::PublishedAt)
            .order_by_desc(document::Column::Id)
            .offset(offset)
            .limit(per_page)
            .into_model()
            .all(&self.db)
            .await?;
        Ok(Page { items: metas(&self.db, rows).await?, total, page, per_page })
    }

    /// Other published documents of the same contributor or unit, then the newest.
    pub async fn related_documents(&self, station: StationId, d: &DocumentMeta, n: u64) -> Result<Vec<DocumentMeta>> {
        // The newest page of documents is enough to find neighbours in.
        let all = self
            .documents(&DocumentFilter { per_page: domain::paging::MAX_PER_PAGE, ..DocumentFilter::published(station) })
            .await?;
        let mut scored: Vec<(u8, DocumentMeta)> = all
            .items
            .into_iter()
            .filter(|o| o.id != d.id)
            .map(|o| {
                let same_person = d.correspondent_id.is_some() && o.correspondent_id == d.correspondent_id;
                let same_unit = d.unit_id.is_some() && o.unit_id == d.unit_id;
                (u8::from(same_person) * 2 + u8::from(same_unit), o)
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.published_at.cmp(&a.1.published_at)));
        Ok(scored.into_iter().take(n as usize).map(|(_, o)| o).collect())
    }

    /// Takes a document down with a reason; its page then answers 410.
    pub async fn take_down_document(&self, station: StationId, id: DocumentId, reason: &str, by: UserId) -> Result<()> {
        let reason = domain::portal::check_reason(reason).map_err(StoreError::Invalid)?;
        let txn = self.write_txn().await?;
        take_down(&txn, station, id, &reason, by).await?;
        txn.commit().await?;
        Ok(())
    }

    /// What a comment or complaint is about must be the station's own document or post
    /// (another station's is `NotFound`); answers the document, when it is one.
    async fn target_document(&self, station: StationId, target: Target) -> Result<Option<DocumentMeta>> {
        match target {
            Target::Document(d) => Ok(Some(self.document(station, d).await?)),
            Target::Post(p) => {
                find_in::<post::Entity>(&self.db, Scope::Station(station), p.0).await?;
                Ok(None)
            }
        }
    }

    // ---- comments ----

    /// How many comments a client (a keyed hash of its address) left since `since`.
    pub async fn comments_from(&self, client: &str, since: i64) -> Result<u64> {
        Ok(comment::Entity::find()
            .filter(comment::Column::Client.eq(client))
            .filter(comment::Column::CreatedAt.gte(since))
            .count(&self.db)
            .await?)
    }

    /// A visitor's comment, pending until an editor approves it.
    pub async fn add_comment(
        &self,
        station: StationId,
        target: Target,
        input: &CommentInput,
        client: &str,
    ) -> Result<CommentId> {
        let (document_id, post_id) = target.ids();
        if let Some(meta) = self.target_document(station, target).await?
            && meta.status != DocumentStatus::Published
        {
            return Err(StoreError::Conflict("文档已下架，不能评论".into()));
        }
        let m = comment::ActiveModel {
            station_id: Set(station.0),
            document_id: Set(document_id),
            post_id: Set(post_id),
            name: Set(input.name.clone()),
            body: Set(input.body.clone()),
            status: Set(CommentStatus::Pending.code().into()),
            client: Set(client.into()),
            created_at: Set(now()),
            moderated_by: Set(None),
            moderated_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(CommentId(m.id))
    }

    /// Comments of a station by status, newest first, for moderation.
    pub async fn comments(&self, station: StationId, status: CommentStatus, limit: u64) -> Result<Vec<CommentRecord>> {
        let rows = comment::Entity::find()
            .filter(comment::Column::StationId.eq(station.0))
            .filter(comment::Column::Status.eq(status.code()))
            .order_by_desc(comment::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.comment_records(rows).await
    }

    /// The approved comments of a document, oldest first, as its page shows them.
    pub async fn approved_comments(&self, station: StationId, id: DocumentId) -> Result<Vec<CommentRecord>> {
        let rows = in_scope(comment::Entity::find(), Scope::Station(station))
            .filter(comment::Column::DocumentId.eq(id.0))
            .filter(comment::Column::Status.eq(CommentStatus::Approved.code()))
            .order_by_asc(comment::Column::Id)
            .all(&self.db)
            .await?;
        self.comment_records(rows).await
    }

    async fn comment_records(&self, rows: Vec<comment::Model>) -> Result<Vec<CommentRecord>> {
        let titles = titles(&self.db, rows.iter().filter_map(|r| r.document_id)).await?;
        Ok(rows
            .into_iter()
            .map(|c| CommentRecord {
                id: CommentId(c.id),
                document_id: c.document_id.map(DocumentId),
                document_title: c.document_id.and_then(|d| titles.get(&d).cloned()).unwrap_or_default(),
                name: c.name,
                body: c.body,
                status: CommentStatus::parse(&c.status).unwrap_or(CommentStatus::Pending),
                created_at: c.created_at,
            })
            .collect())
    }

    /// An editor approves or rejects a pending comment; another station's is `NotFound`.
    pub async fn moderate_comment(&self, station: StationId, id: CommentId, approve: bool, by: UserId) -> Result<()> {
        find_in::<comment::Entity>(&self.db, Scope::Station(station), id.0).await?;
        let status = if approve { CommentStatus::Approved } else { CommentStatus::Rejected };
        // Pending in the WHERE clause, so two editors deciding at once cannot both win.
        let res = comment::Entity::update_many()
            .col_expr(comment::Column::Status, Expr::value(status.code()))
            .col_expr(comment::Column::ModeratedBy, Expr::value(by.0))
            .col_expr(comment::Column::ModeratedAt, Expr::value(now()))
            .filter(comment::Column::Id.eq(id.0))
            .filter(comment::Column::StationId.eq(station.0))
            .filter(comment::Column::Status.eq(CommentStatus::Pending.code()))
            .exec(&self.db)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::Conflict("评论已处理".into()));
        }
        Ok(())
    }

    // ---- complaints ----

    /// A visitor's complaint: a case for the editors.
    pub async fn add_complaint(
        &self,
        station: StationId,
        target: Target,
        input: &ComplaintInput,
        client: &str,
    ) -> Result<ComplaintId> {
        let (document_id, post_id) = target.ids();
        self.target_document(station, target).await?;
        let m = complaint::ActiveModel {
            station_id: Set(station.0),
            document_id: Set(document_id),
            post_id: Set(post_id),
            kind: Set(input.kind.code().into()),
            name: Set(input.name.clone()),
            contact: Set(input.contact.clone()),
            body: Set(input.body.clone()),
            status: Set(ComplaintStatus::Open.code().into()),
            resolution: Set(String::new()),
            client: Set(client.into()),
            created_at: Set(now()),
            handled_by: Set(None),
            handled_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(ComplaintId(m.id))
    }

    pub async fn complaints(&self, station: StationId, limit: u64) -> Result<Vec<ComplaintRecord>> {
        let rows = complaint::Entity::find()
            .filter(complaint::Column::StationId.eq(station.0))
            .order_by_desc(complaint::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let titles = titles(&self.db, rows.iter().filter_map(|r| r.document_id)).await?;
        Ok(rows
            .into_iter()
            .map(|c| ComplaintRecord {
                id: ComplaintId(c.id),
                document_id: c.document_id.map(DocumentId),
                document_title: c.document_id.and_then(|d| titles.get(&d).cloned()).unwrap_or_default(),
                kind: ComplaintKind::parse(&c.kind).unwrap_or(ComplaintKind::Error),
                name: c.name,
                contact: c.contact,
                body: c.body,
                status: ComplaintStatus::parse(&c.status).unwrap_or(ComplaintStatus::Open),
                resolution: c.resolution,
                created_at: c.created_at,
            })
            .collect())
    }

    /// Closes an open complaint. Upholding it takes its document down, with the resolution as
    /// the recorded reason, in the same transaction; returns the document taken down.
    pub async fn resolve_complaint(
        &self,
        station: StationId,
        id: ComplaintId,
        uphold: bool,
        resolution: &str,
        by: UserId,
    ) -> Result<Option<DocumentId>> {
        let resolution = domain::portal::check_reason(resolution).map_err(StoreError::Invalid)?;
        let txn = self.write_txn().await?;
        let c = find_in::<complaint::Entity>(&txn, Scope::Station(station), id.0).await?;
        if ComplaintStatus::parse(&c.status) != Some(ComplaintStatus::Open) {
            return Err(StoreError::Conflict("申诉已处理".into()));
        }
        let status = if uphold { ComplaintStatus::Upheld } else { ComplaintStatus::Dismissed };
        complaint::Entity::update_many()
            .col_expr(complaint::Column::Status, Expr::value(status.code()))
            .col_expr(complaint::Column::Resolution, Expr::value(resolution.clone()))
            .col_expr(complaint::Column::HandledBy, Expr::value(by.0))
            .col_expr(complaint::Column::HandledAt, Expr::value(now()))
            .filter(complaint::Column::Id.eq(id.0))
            .exec(&txn)
            .await?;
        let taken_down = if uphold { c.document_id.map(DocumentId) } else { None };
        if let Some(d) = taken_down {
            take_down(&txn, station, d, &resolution, by).await?;
        }
        txn.commit().await?;
        Ok(taken_down)
    }
}

async fn take_down(
    db: &impl ConnectionTrait,
    station: StationId,
    id: DocumentId,
    reason: &str,
    by: UserId,
) -> Result<()> {
    let res = document::Entity::update_many()
        .col_expr(document::Column::Status, Expr::value(DocumentStatus::TakenDown.code()))
        .col_expr(document::Column::TakedownReason, Expr::value(reason))
        .filter(document::Column::Id.eq(id.0))
        .filter(document::Column::StationId.eq(station.0))
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::NotFound);
    }
    crate::auth::audit_in(db, station, by, "portal.takedown", format!("document:{id}"), reason.to_string()).await
}
