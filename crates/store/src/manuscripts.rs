//! Manuscripts (稿件), their bylines, revision rounds (改稿) and attachments.

use crate::entities::{correspondent, manuscript, manuscript_author, revision, unit};
use crate::scoped::find_in;
use crate::{Page, Result, Scope, Store, StoreError, now};
use domain::*;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Author {
    pub correspondent_id: CorrespondentId,
    pub name: String,
    pub share_bp: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Manuscript {
    pub id: ManuscriptId,
    pub station_id: StationId,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    /// The correspondent who owns the draft.
    pub author_id: CorrespondentId,
    pub title: String,
    pub body: String,
    pub genre: Genre,
    pub status: ManuscriptStatus,
    pub return_reason: String,
    /// A likely earlier duplicate found at submission (查重), with its score in percent.
    pub duplicate_of: Option<ManuscriptId>,
    pub duplicate_score: i32,
    pub authors: Vec<Author>,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
}

impl Manuscript {
    pub fn byline(&self) -> String {
        self.authors
            .iter()
            .map(|a| match a.share_bp {
                Some(bp) => format!("{}({})", a.name, domain::byline::format_share(bp)),
                None => a.name.clone(),
            })
            .collect::<Vec<_>>()
            .join("、")
    }
    pub fn has_author(&self, c: CorrespondentId) -> bool {
        self.authors.iter().any(|a| a.correspondent_id == c)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Revision {
    pub id: RevisionId,
    pub round: i32,
    pub kind: RevisionKind,
    pub title: String,
    pub body: String,
    pub comment: String,
    pub by_user_id: UserId,
    pub by_name: String,
    pub created_at: i64,
}

/// Whose manuscripts a list shows. Drafts are private to their authors until submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Editors, administrators and leaders: every submitted manuscript in scope.
    Station,
    /// A correspondent: the manuscripts they are an author of, drafts included.
    Author(CorrespondentId),
    /// A mentor: submitted manuscripts of the correspondents assigned to them.
    Mentor(UserId),
    /// A unit liaison: submitted manuscripts of their unit.
    Unit(UnitId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ManuscriptSort {
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    Title,
}

#[derive(Debug, Clone)]
pub struct ManuscriptFilter {
    pub scope: Scope,
    pub visibility: Visibility,
    pub unit_id: Option<UnitId>,
    pub status: Option<ManuscriptStatus>,
    pub genre: Option<Genre>,
    pub q: Option<String>,
    pub sort: ManuscriptSort,
    pub page: u64,
    pub per_page: u64,
}

impl ManuscriptFilter {
    pub fn new(scope: Scope, visibility: Visibility) -> Self {
        ManuscriptFilter {
            scope,
            visibility,
            unit_id: None,
            status: None,
            genre: None,
            q: None,
            sort: ManuscriptSort::default(),
            page: 1,
            per_page: 20,
        }
    }
}

async fn load_authors(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, Vec<Author>>> {
    let rows = manuscript_author::Entity::find()
        .filter(manuscript_author::Column::ManuscriptId.is_in(ids.iter().copied()))
        .order_by_asc(manuscript_author::Column::Position)
        .all(db)
        .await?;
    let people: HashMap<i64, String> = correspondent::Entity::find()
        .filter(correspondent::Column::Id.is_in(rows.iter().map(|r| r.correspondent_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut out: HashMap<i64, Vec<Author>> = HashMap::new();
    for r in rows {
        out.entry(r.manuscript_id).or_default().push(Author {
            correspondent_id: CorrespondentId(r.correspondent_id),
            name: people.get(&r.correspondent_id).cloned().unwrap_or_default(),
            share_bp: r.share_bp,
        });
    }
    Ok(out)
}

fn manuscript_of(m: manuscript::Model, authors: Vec<Author>, unit_name: Option<String>) -> Manuscript {
    Manuscript {
        id: ManuscriptId(m.id),
        station_id: StationId(m.station_id),
        unit_id: m.unit_id.map(UnitId),
        unit_name,
        author_id: CorrespondentId(m.author_id),
        title: m.title,
        body: m.body,
        genre: Genre::parse(&m.genre).unwrap_or(Genre::Other),
        status: ManuscriptStatus::parse(&m.status).unwrap_or(ManuscriptStatus::Draft),
        return_reason: m.return_reason,
        duplicate_of: m.duplicate_of.map(ManuscriptId),
        duplicate_score: m.duplicate_score,
        authors,
        created_at: m.created_at,
        updated_at: m.updated_at,
        submitted_at: m.submitted_at,
    }
}

async fn check_authors(db: &impl ConnectionTrait, station: StationId, authors: &[Byline]) -> Result<()> {
    let ids: Vec<i64> = authors.iter().map(|a| a.correspondent_id.0).collect();
    let found = correspondent::Entity::find()
        .filter(correspondent::Column::StationId.eq(station.0))
        .filter(correspondent::Column::Id.is_in(ids.clone()))
        .count(db)
        .await?;
    if found as usize != ids.len() {
        return Err(StoreError::invalid("authors", "作者必须是本站的通讯员"));
    }
    Ok(())
}

async fn write_authors(db: &impl ConnectionTrait, id: ManuscriptId, authors: &[Byline]) -> Result<()> {
    manuscript_author::Entity::delete_many().filter(manuscript_author::Column::ManuscriptId.eq(id.0)).exec(db).await?;
    for (i, a) in authors.iter().enumerate() {
        manuscript_author::ActiveModel {
            manuscript_id: Set(id.0),
            correspondent_id: Set(a.correspondent_id.0),
            position: Set(i as i32),
            share_bp: Set(a.share_bp),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Creates a draft owned by `owner` (who must be on the byline).
    pub async fn create_manuscript(
        &self,
        station: StationId,
        owner: CorrespondentId,
        input: &ManuscriptInput,
        by: UserId,
    ) -> Result<Manuscript> {
        if !input.authors.iter().any(|a| a.correspondent_id == owner) {
            return Err(StoreError::invalid("authors", "稿件作者中必须包含您本人"));
        }
        let txn = self.write_txn().await?;
        check_authors(&txn, station, &input.authors).await?;
        let owner_row = correspondent::Entity::find_by_id(owner.0).one(&txn).await?.ok_or(StoreError::NotFound)?;
        let t = now();
        let m = manuscript::ActiveModel {
            station_id: Set(station.0),
            unit_id: Set(owner_row.unit_id),
            author_id: Set(owner.0),
            title: Set(input.title.clone()),
            body: Set(input.body.clone()),
            genre: Set(input.genre.code().into()),
            status: Set(ManuscriptStatus::Draft.code().into()),
            return_reason: Set(String::new()),
            duplicate_of: Set(None),
            duplicate_score: Set(0),
            created_by: Set(by.0),
            created_at: Set(t),
            updated_at: Set(t),
            submitted_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        write_authors(&txn, ManuscriptId(m.id), &input.authors).await?;
        txn.commit().await?;
        self.manuscript(Scope::Station(station), ManuscriptId(m.id)).await
    }

    /// The author edits a draft or a returned manuscript.
    pub async fn update_manuscript(
        &self,
        scope: Scope,
        id: ManuscriptId,
        input: &ManuscriptInput,
    ) -> Result<Manuscript> {
        let txn = self.write_txn().await?;
        let m = find_in::<manuscript::Entity>(&txn, scope, id.0).await?;
        let status = ManuscriptStatus::parse(&m.status).unwrap_or(ManuscriptStatus::Draft);
        status.after(ManuscriptAction::Edit).map_err(StoreError::Conflict)?;
        if !input.authors.iter().any(|a| a.correspondent_id.0 == m.author_id) {
            return Err(StoreError::invalid("authors", "稿件作者中必须包含您本人"));
        }
        check_authors(&txn, StationId(m.station_id), &input.authors).await?;
        manuscript::ActiveModel {
            id: Set(id.0),
            title: Set(input.title.clone()),
            body: Set(input.body.clone()),
            genre: Set(input.genre.code().into()),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        write_authors(&txn, id, &input.authors).await?;
        txn.commit().await?;
        self.manuscript(scope, id).await
    }

    /// Submits (or resubmits) a manuscript: records a revision round with the text as sent,
    /// and the near-duplicate found, if any.
    pub async fn submit_manuscript(
        &self,
        scope: Scope,
        id: ManuscriptId,
        by: UserId,
        duplicate: Option<(ManuscriptId, u8)>,
    ) -> Result<Manuscript> {
        let txn = self.write_txn().await?;
        let m = find_in::<manuscript::Entity>(&txn, scope, id.0).await?;
        let status = ManuscriptStatus::parse(&m.status).unwrap_or(ManuscriptStatus::Draft);
        let next = status.after(ManuscriptAction::Submit).map_err(StoreError::Conflict)?;
        let kind =
            if status == ManuscriptStatus::Returned { RevisionKind::Resubmission } else { RevisionKind::Submission };
        add_round(&txn, id, kind, &m.title, &m.body, "", by).await?;
        let t = now();
        manuscript::ActiveModel {
            id: Set(id.0),
            status: Set(next.code().into()),
            duplicate_of: Set(duplicate.map(|d| d.0.0)),
            duplicate_score: Set(duplicate.map(|d| d.1 as i32).unwrap_or(0)),
            submitted_at: Set(Some(t)),
            updated_at: Set(t),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        self.manuscript(scope, id).await
    }

    /// A mentor or editor revises a submitted manuscript: a new round with the new text and a comment.
    pub async fn revise_manuscript(
        &self,
        scope: Scope,
        id: ManuscriptId,
        by: UserId,
        title: &str,
        body: &str,
        comment: &str,
    ) -> Result<Manuscript> {
        let mut e = FieldErrors::default();
        if title.trim().is_empty() {
            e.push("title", "请填写标题");
        }
        if body.trim().is_empty() {
            e.push("body", "请填写正文");
        }
        if comment.chars().count() > MAX_TEXT * 5 {
            e.push("comment", "意见太长");
        }
        if !e.is_empty() {
            return Err(StoreError::Invalid(e));
        }
        let txn = self.write_txn().await?;
        let m = find_in::<manuscript::Entity>(&txn, scope, id.0).await?;
        let status = ManuscriptStatus::parse(&m.status).unwrap_or(ManuscriptStatus::Draft);
        status.after(ManuscriptAction::Revise).map_err(StoreError::Conflict)?;
        add_round(&txn, id, RevisionKind::Revision, title.trim(), body, comment.trim(), by).await?;
        manuscript::ActiveModel {
            id: Set(id.0),
            title: Set(title.trim().into()),
            body: Set(body.into()),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        self.manuscript(scope, id).await
    }

    /// The editor accepts a submitted manuscript.
    pub async fn accept_manuscript(&self, scope: Scope, id: ManuscriptId, by: UserId) -> Result<Manuscript> {
        self.decide(scope, id, ManuscriptAction::Accept, "", by).await
    }

    /// The editor returns a submitted manuscript (退稿) with a reason.
    pub async fn return_manuscript(
        &self,
        scope: Scope,
        id: ManuscriptId,
        reason: &str,
        by: UserId,
    ) -> Result<Manuscript> {
        if reason.trim().is_empty() {
            return Err(StoreError::invalid("reason", "请填写退稿理由"));
        }
        self.decide(scope, id, ManuscriptAction::Return, reason.trim(), by).await
    }

    /// Accepts or returns, guarded on the status read, with the audit row in the same
    /// transaction.
    async fn decide(
        &self,
        scope: Scope,
        id: ManuscriptId,
        action: ManuscriptAction,
        reason: &str,
        by: UserId,
    ) -> Result<Manuscript> {
        let txn = self.write_txn().await?;
        let m = find_in::<manuscript::Entity>(&txn, scope, id.0).await?;
        let status = ManuscriptStatus::parse(&m.status).unwrap_or(ManuscriptStatus::Draft);
        let next = status.after(action).map_err(StoreError::Conflict)?;
        // Guard on the old status so two editors deciding at once cannot both win.
        let res = manuscript::Entity::update_many()
            .col_expr(manuscript::Column::Status, sea_orm::sea_query::Expr::value(next.code()))
            .col_expr(manuscript::Column::ReturnReason, sea_orm::sea_query::Expr::value(reason))
            .col_expr(manuscript::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now()))
            .filter(manuscript::Column::Id.eq(id.0))
            .filter(manuscript::Column::Status.eq(status.code()))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::Conflict("稿件状态已被他人更改，请刷新后重试".into()));
        }
        let (what, detail) = match action {
            ManuscriptAction::Return => ("manuscript.return", reason.to_string()),
            _ => ("manuscript.accept", m.title.clone()),
        };
        crate::auth::audit_in(&txn, StationId(m.station_id), by, what, format!("manuscript:{}", id.0), detail).await?;
        txn.commit().await?;
        self.manuscript(scope, id).await
    }

    pub async fn manuscript(&self, scope: Scope, id: ManuscriptId) -> Result<Manuscript> {
        let m = find_in::<manuscript::Entity>(&self.db, scope, id.0).await?;
        let mut authors = load_authors(&self.db, &[m.id]).await?;
        let unit_name = match m.unit_id {
            Some(u) => unit::Entity::find_by_id(u).one(&self.db).await?.map(|u| u.name),
            None => None,
        };
        let a = authors.remove(&m.id).unwrap_or_default();
        Ok(manuscript_of(m, a, unit_name))
    }

    pub async fn manuscripts(&self, f: &ManuscriptFilter) -> Result<Page<Manuscript>> {
        let mut q = manuscript::Entity::find();
        if let Some(s) = f.scope.station() {
            q = q.filter(manuscript::Column::StationId.eq(s.0));
        }
        let draft = ManuscriptStatus::Draft.code();
        match f.visibility {
            Visibility::Station => q = q.filter(manuscript::Column::Status.ne(draft)),
            Visibility::Author(c) => {
                q = q.filter(
                    manuscript::Column::Id.in_subquery(
                        Query::select()
                            .column(manuscript_author::Column::ManuscriptId)
                            .from(manuscript_author::Entity)
                            .and_where(manuscript_author::Column::CorrespondentId.eq(c.0))
                            .to_owned(),
                    ),
                )
            }
            Visibility::Mentor(u) => {
                q = q.filter(manuscript::Column::Status.ne(draft)).filter(
                    manuscript::Column::AuthorId.in_subquery(
                        Query::select()
                            .column(correspondent::Column::Id)
                            .from(correspondent::Entity)
                            .and_where(correspondent::Column::MentorUserId.eq(u.0))
                            .to_owned(),
                    ),
                )
            }
            Visibility::Unit(u) => {
                q = q.filter(manuscript::Column::Status.ne(draft)).filter(manuscript::Column::UnitId.eq(u.0))
            }
        }
        if let Some(u) = f.unit_id {
            q = q.filter(manuscript::Column::UnitId.eq(u.0));
        }
        if let Some(s) = f.status {
            q = q.filter(manuscript::Column::Status.eq(s.code()));
        }
        if let Some(g) = f.genre {
            q = q.filter(manuscript::Column::Genre.eq(g.code()));
        }
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(crate::contains_text(manuscript::Column::Title, text))
                    .add(crate::contains_text(manuscript::Column::Body, text)),
            );
        }
        let (offset, per_page) = domain::paging::window(f.page, f.per_page);
        let total = q.clone().count(&self.db).await?;
        q = match f.sort {
            ManuscriptSort::UpdatedDesc => {
                q.order_by_desc(manuscript::Column::UpdatedAt).order_by_desc(manuscript::Column::Id)
            }
            ManuscriptSort::UpdatedAsc => {
                q.order_by_asc(manuscript::Column::UpdatedAt).order_by_asc(manuscript::Column::Id)
            }
            ManuscriptSort::Title => q.order_by_asc(manuscript::Column::Title).order_by_asc(manuscript::Column::Id),
        };
        let rows = q.offset(offset).limit(per_page).all(&self.db).await?;
        let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
        let mut authors = load_authors(&self.db, &ids).await?;
        let units: HashMap<i64, String> = unit::Entity::find()
            .filter(unit::Column::Id.is_in(rows.iter().filter_map(|m| m.unit_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let items = rows
            .into_iter()
            .map(|m| {
                let a = authors.remove(&m.id).unwrap_or_default();
                let un = m.unit_id.and_then(|u| units.get(&u).cloned());
                manuscript_of(m, a, un)
            })
            .collect();
        Ok(Page { items, total, page: f.page.max(1), per_page })
    }

    /// Earlier submitted manuscripts of the station (newest first, at most `limit`), as
    /// (id, title + body), for the near-duplicate check.
    pub async fn duplicate_candidates(
        &self,
        station: StationId,
        except: ManuscriptId,
        limit: u64,
    ) -> Result<Vec<(ManuscriptId, String)>> {
        let rows = manuscript::Entity::find()
            .filter(manuscript::Column::StationId.eq(station.0))
            .filter(manuscript::Column::Id.ne(except.0))
            .filter(manuscript::Column::Status.ne(ManuscriptStatus::Draft.code()))
            .order_by_desc(manuscript::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|m| (ManuscriptId(m.id), format!("{}\n{}", m.title, m.body))).collect())
    }

    pub async fn revisions(&self, scope: Scope, id: ManuscriptId) -> Result<Vec<Revision>> {
        // Revisions have no station of their own: the manuscript's scoped read stands for them.
        find_in::<manuscript::Entity>(&self.db, scope, id.0).await?;
        let rows = revision::Entity::find()
            .filter(revision::Column::ManuscriptId.eq(id.0))
            .order_by_asc(revision::Column::Round)
            .all(&self.db)
            .await?;
        let names = crate::network::display_names(&self.db, rows.iter().map(|r| r.by_user_id)).await?;
        Ok(rows
            .into_iter()
            .map(|r| Revision {
                id: RevisionId(r.id),
                round: r.round,
                kind: RevisionKind::parse(&r.kind).unwrap_or(RevisionKind::Revision),
                title: r.title,
                body: r.body,
                comment: r.comment,
                by_name: names.get(&r.by_user_id).cloned().unwrap_or_default(),
                by_user_id: UserId(r.by_user_id),
                created_at: r.created_at,
            })
            .collect())
    }
}

async fn add_round(
    db: &impl ConnectionTrait,
    id: ManuscriptId,
    kind: RevisionKind,
    title: &str,
    body: &str,
    comment: &str,
    by: UserId,
) -> Result<()> {
    let last = revision::Entity::find()
        .filter(revision::Column::ManuscriptId.eq(id.0))
        .order_by_desc(revision::Column::Round)
        .one(db)
        .await?
        .map(|r| r.round)
        .unwrap_or(0);
    revision::ActiveModel {
        manuscript_id: Set(id.0),
        round: Set(last + 1),
        kind: Set(kind.code().into()),
        title: Set(title.into()),
        body: Set(body.into()),
        comment: Set(comment.into()),
        by_user_id: Set(by.0),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
