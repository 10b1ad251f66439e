//! The operations behind both the HTML pages and the JSON API: each checks permissions,
//! calls the domain and the store, and writes the audit log. Handlers only parse and render.

use crate::AppState;
use crate::access::{self, require};
use crate::auth::Ctx;
use crate::error::{AppError, AppResult};
use domain::import::{self as imp, ImportKind};
use domain::table::Table;
use domain::*;
use serde::{Deserialize, Serialize};
use store::*;
use time::Date;

/// Largest attachment accepted (a photo or a scanned clipping).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Largest spreadsheet accepted for import.
pub const MAX_IMPORT_BYTES: usize = 60 * 1024 * 1024;
/// How many earlier manuscripts the near-duplicate check compares against.
pub const DUPLICATE_WINDOW: u64 = 2000;

/// Filters of the list pages, as they arrive in a query string. Values that do not parse are
/// ignored, so a stale bookmark still opens.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub unit: Option<String>,
    pub outlet: Option<String>,
    pub level: Option<String>,
    pub genre: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub active: Option<String>,
    /// First date, e.g. 2007-06-01.
    pub from: Option<String>,
    /// Last date, e.g. 2007-06-30.
    pub to: Option<String>,
    /// Words to find in titles, bylines or text.
    pub q: Option<String>,
    pub sort: Option<String>,
    /// The page, from 1 to 1000000 (anything else is a 400).
    #[param(value_type = Option<u64>)]
    pub page: Option<String>,
    /// Rows per page, 1 to 200 (default 20).
    #[param(value_type = Option<u64>)]
    pub per_page: Option<String>,
}

/// A page number from a query string (see `domain::paging::parse_page`): 400 unless it is a
/// whole number from 1 to `domain::paging::MAX_PAGE`. Every list that pages reads it here.
pub fn page_number(raw: &Option<String>) -> AppResult<u64> {
    domain::paging::parse_page(raw.as_deref()).map_err(AppError::BadRequest)
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ListQuery {
    pub fn date(s: &Option<String>) -> Option<Date> {
        opt(s).and_then(parse_date)
    }
    pub fn page(&self) -> AppResult<u64> {
        page_number(&self.page)
    }
    pub fn per_page(&self) -> AppResult<u64> {
        domain::paging::parse_per_page(self.per_page.as_deref(), 20).map_err(AppError::BadRequest)
    }
    /// The query string for these filters, without the page, for pager and export links.
    pub fn to_query(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("unit", &self.unit),
            ("outlet", &self.outlet),
            ("level", &self.level),
            ("genre", &self.genre),
            ("status", &self.status),
            ("kind", &self.kind),
            ("active", &self.active),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("sort", &self.sort),
        ] {
            if let Some(v) = opt(v) {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }
}

// ---- manuscripts ----

async fn mentor_of(state: &AppState, m: &Manuscript) -> AppResult<Option<UserId>> {
    Ok(state.store.correspondent(Scope::All, m.author_id).await?.mentor_user_id)
}

/// A manuscript the user may see, or 404.
pub async fn manuscript(state: &AppState, ctx: &Ctx, id: ManuscriptId) -> AppResult<Manuscript> {
    let m = state.store.manuscript(ctx.scope(), id).await?;
    let mentor = mentor_of(state, &m).await?;
    if access::can_see_manuscript(ctx, &m, mentor) { Ok(m) } else { Err(AppError::NotFound) }
}

/// What the user may do with a manuscript they can see.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct ManuscriptPermissions {
    pub edit: bool,
    pub submit: bool,
    pub revise: bool,
    pub decide: bool,
    pub record_placement: bool,
}

pub async fn manuscript_permissions(state: &AppState, ctx: &Ctx, m: &Manuscript) -> AppResult<ManuscriptPermissions> {
    let mentor = mentor_of(state, m).await?;
    let owner = access::is_owner(ctx, m);
    let editable = m.status.after(ManuscriptAction::Edit).is_ok();
    Ok(ManuscriptPermissions {
        edit: owner && editable,
        submit: owner && m.status.after(ManuscriptAction::Submit).is_ok(),
        revise: access::can_revise(ctx, m, mentor),
        decide: access::can_decide(ctx.role()) && m.status == ManuscriptStatus::Submitted,
        record_placement: access::can_manage_network(ctx.role()) && m.status == ManuscriptStatus::Accepted,
    })
}

pub async fn manuscripts(state: &AppState, ctx: &Ctx, q: &ListQuery) -> AppResult<Page<Manuscript>> {
    let mut f = ManuscriptFilter::new(ctx.scope(), access::manuscript_visibility(ctx));
    if let Some(s) = ctx.station.filter(|_| !ctx.is_hq()) {
        f.scope = Scope::Station(s);
    }
    f.unit_id = opt(&q.unit).and_then(|s| s.parse().ok());
    f.status = opt(&q.status).and_then(ManuscriptStatus::parse);
    f.genre = opt(&q.genre).and_then(Genre::parse);
    f.q = opt(&q.q).map(String::from);
    f.sort = match opt(&q.sort) {
        Some("updated") => ManuscriptSort::UpdatedAsc,
        Some("title") => ManuscriptSort::Title,
        _ => ManuscriptSort::UpdatedDesc,
    };
    f.page = q.page()?;
    f.per_page = q.per_page()?;
    Ok(state.store.manuscripts(&f).await?)
}

fn own_correspondent(ctx: &Ctx) -> AppResult<CorrespondentId> {
    ctx.user.correspondent_id.ok_or_else(|| AppError::BadRequest("您的账号未关联通讯员，不能写稿".into()))
}

pub async fn create_manuscript(state: &AppState, ctx: &Ctx, input: ManuscriptInput) -> AppResult<Manuscript> {
    require(ctx.role().can_write())?;
    let me = own_correspondent(ctx)?;
    let input = input.validate()?;
    let station = ctx.station()?;
    let m = state.store.create_manuscript(station, me, &input, ctx.user.id).await?;
    Ok(m)
}

pub async fn update_manuscript(
    state: &AppState,
    ctx: &Ctx,
    id: ManuscriptId,
    input: ManuscriptInput,
) -> AppResult<Manuscript> {
    let m = manuscript(state, ctx, id).await?;
    require(access::is_owner(ctx, &m))?;
    let input = input.validate()?;
    Ok(state.store.update_manuscript(id, &input).await?)
}

pub async fn submit_manuscript(state: &AppState, ctx: &Ctx, id: ManuscriptId) -> AppResult<Manuscript> {
    let m = manuscript(state, ctx, id).await?;
    require(access::is_owner(ctx, &m))?;
    // 查重: compare with the station's earlier manuscripts before recording the submission.
    let earlier = state.store.duplicate_candidates(m.station_id, id, DUPLICATE_WINDOW).await?;
    let text = format!("{}\n{}", m.title, m.body);
    let dup = domain::dup::best_match(&text, earlier.iter().map(|(k, t)| (*k, t.as_str())));
    let m = state.store.submit_manuscript(id, ctx.user.id, dup).await?;
    if let Some((other, score)) = dup {
        tracing::info!(manuscript = %id, duplicate_of = %other, score, "near-duplicate flagged");
    }
    Ok(m)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ReviseInput {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub comment: String,
}

pub async fn revise_manuscript(
    state: &AppState,
    ctx: &Ctx,
    id: ManuscriptId,
    input: &ReviseInput,
) -> AppResult<Manuscript> {
    let m = manuscript(state, ctx, id).await?;
    let mentor = mentor_of(state, &m).await?;
    if m.status != ManuscriptStatus::Submitted {
        return Err(AppError::Conflict(m.status.after(ManuscriptAction::Revise).err().unwrap_or_default()));
    }
    require(access::can_revise(ctx, &m, mentor))?;
    Ok(state.store.revise_manuscript(id, ctx.user.id, &input.title, &input.body, &input.comment).await?)
}

pub async fn accept_manuscript(state: &AppState, ctx: &Ctx, id: ManuscriptId) -> AppResult<Manuscript> {
    let m = manuscript(state, ctx, id).await?;
    require(access::can_decide(ctx.role()))?;
    let m = state.store.accept_manuscript(m.id).await?;
    state
        .store
        .audit(Some(m.station_id), Some(ctx.user.id), "manuscript.accept", &format!("manuscript:{id}"), &m.title)
        .await?;
    Ok(m)
}

pub async fn return_manuscript(state: &AppState, ctx: &Ctx, id: ManuscriptId, reason: &str) -> AppResult<Manuscript> {
    let m = manuscript(state, ctx, id).await?;
    require(access::can_decide(ctx.role()))?;
    let m = state.store.return_manuscript(m.id, reason).await?;
    state
        .store
        .audit(Some(m.station_id), Some(ctx.user.id), "manuscript.return", &format!("manuscript:{id}"), reason)
        .await?;
    Ok(m)
}

/// A revision round with its difference from the round before.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundView {
    pub revision: Revision,
    #[schema(value_type = Vec<Object>)]
    pub diff: Vec<domain::diff::Span>,
    pub deleted: usize,
    pub inserted: usize,
}

pub async fn history(state: &AppState, ctx: &Ctx, id: ManuscriptId) -> AppResult<Vec<RoundView>> {
    manuscript(state, ctx, id).await?;
    let revisions = state.store.revisions(id).await?;
    let mut out = Vec::with_capacity(revisions.len());
    let mut previous = String::new();
    for r in revisions {
        let text = format!("{}\n\n{}", r.title, r.body);
        let diff = domain::diff::diff(&previous, &text);
        let (deleted, inserted) = domain::diff::stats(&diff);
        previous = text;
        out.push(RoundView { revision: r, diff, deleted, inserted });
    }
    Ok(out)
}

/// Recognises the file types accepted as attachments by their first bytes (not by the name or
/// the type the browser claims).
pub fn sniff_attachment(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if data.len() > 12 && &data[0..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

fn check_attachment(file_name: &str, data: &[u8]) -> AppResult<(String, &'static str)> {
    if data.is_empty() {
        return Err(AppError::BadRequest("请选择要上传的文件".into()));
    }
    if data.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::TooLarge(format!("文件太大：最大{}MB", MAX_ATTACHMENT_BYTES / 1024 / 1024)));
    }
    let content_type = sniff_attachment(data)
        .ok_or_else(|| AppError::BadRequest("文件类型不支持：只接受 JPEG、PNG、GIF、WebP 图片或 PDF".into()))?;
    Ok((domain::text::safe_file_name(file_name), content_type))
}

pub async fn add_attachment(
    state: &AppState,
    ctx: &Ctx,
    id: ManuscriptId,
    file_name: &str,
    data: Vec<u8>,
) -> AppResult<AttachmentMeta> {
    let m = manuscript(state, ctx, id).await?;
    require(access::is_owner(ctx, &m) || access::can_manage_network(ctx.role()))?;
    let (file_name, content_type) = check_attachment(file_name, &data)?;
    let file = NewAttachment { file_name, content_type: content_type.into(), data };
    Ok(state.store.add_attachment(m.station_id, AttachedTo::Manuscript(id), file, ctx.user.id).await?)
}

pub async fn add_placement_attachment(
    state: &AppState,
    ctx: &Ctx,
    id: PlacementId,
    file_name: &str,
    data: Vec<u8>,
) -> AppResult<AttachmentMeta> {
    require(access::can_manage_network(ctx.role()))?;
    let p = state.store.placement(ctx.scope(), id).await?;
    let (file_name, content_type) = check_attachment(file_name, &data)?;
    let file = NewAttachment { file_name, content_type: content_type.into(), data };
    Ok(state.store.add_attachment(p.station_id, AttachedTo::Placement(id), file, ctx.user.id).await?)
}

/// An attachment's bytes, if the user may see what it is attached to.
pub async fn attachment(state: &AppState, ctx: &Ctx, id: AttachmentId) -> AppResult<(AttachmentMeta, Vec<u8>)> {
    let (meta, data) = state.store.attachment(id).await?;
    if !ctx.scope().allows(meta.station_id) {
        return Err(AppError::NotFound);
    }
    match (meta.manuscript_id, meta.placement_id) {
        (Some(m), _) => {
            manuscript(state, ctx, m).await?;
        }
        (None, Some(p)) => {
            placement(state, ctx, p).await?;
        }
        (None, None) => return Err(AppError::NotFound),
    }
    Ok((meta, data))
}

// ---- placements ----

/// Placements the user may see: correspondents only their own, liaisons only their unit's.
pub async fn placements(state: &AppState, ctx: &Ctx, q: &ListQuery) -> AppResult<Page<Placement>> {
    let f = placement_filter(ctx, q)?;
    Ok(state.store.placements(&f).await?)
}

pub fn placement_filter(ctx: &Ctx, q: &ListQuery) -> AppResult<PlacementFilter> {
    let mut f = PlacementFilter::new(ctx.scope());
    if let Some(s) = ctx.station.filter(|_| !ctx.is_hq()) {
        f.scope = Scope::Station(s);
    }
    f.unit_id = opt(&q.unit).and_then(|s| s.parse().ok());
    f.outlet_id = opt(&q.outlet).and_then(|s| s.parse().ok());
    f.level = opt(&q.level).and_then(OutletLevel::parse);
    f.genre = opt(&q.genre).and_then(Genre::parse);
    f.from = ListQuery::date(&q.from);
    f.to = ListQuery::date(&q.to);
    f.q = opt(&q.q).map(String::from);
    f.sort = PlacementSort::parse(opt(&q.sort).unwrap_or(""));
    f.page = q.page()?;
    f.per_page = q.per_page()?;
    match ctx.role() {
        Role::Correspondent => f.author = Some(ctx.user.correspondent_id.unwrap_or(CorrespondentId(-1))),
        Role::Liaison => f.unit_id = ctx.user.unit_id.or(f.unit_id),
        _ => {}
    }
    Ok(f)
}

pub async fn placement(state: &AppState, ctx: &Ctx, id: PlacementId) -> AppResult<Placement> {
    let p = state.store.placement(ctx.scope(), id).await?;
    let allowed = match ctx.role() {
        Role::Correspondent => {
            let me = ctx.user.correspondent_id;
            state.store.placement_authors(id).await?.iter().any(|a| Some(a.correspondent_id) == me)
        }
        Role::Liaison => ctx.user.unit_id.is_none() || ctx.user.unit_id == p.unit_id,
        _ => true,
    };
    if allowed { Ok(p) } else { Err(AppError::NotFound) }
}

pub async fn create_placement(state: &AppState, ctx: &Ctx, input: PlacementInput) -> AppResult<Placement> {
    require(access::can_manage_network(ctx.role()))?;
    let input = input.validate()?;
    let station = ctx.station()?;
    check_placed_manuscript(state, ctx, input.manuscript_id).await?;
    let p = state.store.create_placement(station, &input, ctx.user.id).await?;
    state
        .store
        .audit(Some(station), Some(ctx.user.id), "placement.create", &format!("placement:{}", p.id), &p.title)
        .await?;
    Ok(p)
}

/// The manuscript a placement names must be one the user may see (so of this station), and
/// accepted: otherwise a 422 (or 409), never the foreign-key error of a row that is not there.
async fn check_placed_manuscript(state: &AppState, ctx: &Ctx, m: Option<ManuscriptId>) -> AppResult<()> {
    let Some(m) = m else { return Ok(()) };
    let ms = match manuscript(state, ctx, m).await {
        Err(AppError::NotFound) => {
            return Err(AppError::Invalid(FieldErrors(vec![FieldError::new("manuscript_id", "稿件不存在")])));
        }
        other => other?,
    };
    if ms.status != ManuscriptStatus::Accepted {
        return Err(AppError::Conflict("只有已采用的稿件才能登记刊发".into()));
    }
    Ok(())
}

pub async fn update_placement(
    state: &AppState,
    ctx: &Ctx,
    id: PlacementId,
    input: PlacementInput,
) -> AppResult<Placement> {
    require(access::can_manage_network(ctx.role()))?;
    let input = input.validate()?;
    if input.manuscript_id != state.store.placement(ctx.scope(), id).await?.manuscript_id {
        check_placed_manuscript(state, ctx, input.manuscript_id).await?;
    }
    let p = state.store.update_placement(ctx.scope(), id, &input, ctx.user.id).await?;
    state
        .store
        .audit(Some(p.station_id), Some(ctx.user.id), "placement.update", &format!("placement:{id}"), &p.title)
        .await?;
    Ok(p)
}

pub async fn delete_placement(state: &AppState, ctx: &Ctx, id: PlacementId) -> AppResult<()> {
    require(access::can_manage_network(ctx.role()))?;
    let p = state.store.placement(ctx.scope(), id).await?;
    state.store.delete_placement(ctx.scope(), id).await?;
    state
        .store
        .audit(Some(p.station_id), Some(ctx.user.id), "placement.delete", &format!("placement:{id}"), &p.title)
        .await?;
    Ok(())
}

// ---- the network ----

pub async fn correspondents(state: &AppState, ctx: &Ctx, q: &ListQuery) -> AppResult<Page<Correspondent>> {
    require(access::can_view_network(ctx.role()))?;
    let station = ctx.station()?;
    let mut f = CorrespondentFilter {
        unit_id: opt(&q.unit).and_then(|s| s.parse().ok()),
        kind: opt(&q.kind).and_then(CorrespondentKind::parse),
        active: match opt(&q.active) {
            Some("1" | "true" | "在岗") => Some(true),
            Some("0" | "false" | "停用") => Some(false),
            _ => None,
        },
        q: opt(&q.q).map(String::from),
        page: q.page()?,
        per_page: q.per_page()?,
    };
    if ctx.role() == Role::Liaison {
        f.unit_id = ctx.user.unit_id.or(f.unit_id);
    }
    Ok(state.store.correspondents(station, &f).await?)
}

pub async fn create_correspondent(state: &AppState, ctx: &Ctx, input: CorrespondentInput) -> AppResult<Correspondent> {
    require(access::can_manage_network(ctx.role()))?;
    let input = input.validate()?;
    let station = ctx.station()?;
    let c = state.store.create_correspondent(station, &input).await?;
    state
        .store
        .audit(Some(station), Some(ctx.user.id), "correspondent.create", &format!("correspondent:{}", c.id), &c.name)
        .await?;
    Ok(c)
}

pub async fn update_correspondent(
    state: &AppState,
    ctx: &Ctx,
    id: CorrespondentId,
    input: CorrespondentInput,
) -> AppResult<Correspondent> {
    require(access::can_manage_network(ctx.role()))?;
    let input = input.validate()?;
    Ok(state.store.update_correspondent(ctx.scope(), id, &input).await?)
}

pub async fn units(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Unit>> {
    Ok(state.store.units(ctx.station()?).await?)
}

pub async fn create_unit(state: &AppState, ctx: &Ctx, input: UnitInput) -> AppResult<Unit> {
    require(access::can_manage_network(ctx.role()))?;
    let input = input.validate()?;
    Ok(state.store.create_unit(ctx.station()?, &input).await?)
}

pub async fn update_unit(state: &AppState, ctx: &Ctx, id: UnitId, input: UnitInput) -> AppResult<Unit> {
    require(access::can_manage_network(ctx.role()))?;
    let input = input.validate()?;
    Ok(state.store.update_unit(ctx.station()?, id, &input).await?)
}

pub async fn outlets(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Outlet>> {
    Ok(state.store.outlets(ctx.station()?).await?)
}

pub async fn create_outlet(state: &AppState, ctx: &Ctx, input: OutletInput) -> AppResult<Outlet> {
    require(access::can_manage_network(ctx.role()))?;
    let input = input.validate()?;
    Ok(state.store.create_outlet(ctx.station()?, &input).await?)
}

pub async fn update_outlet(state: &AppState, ctx: &Ctx, id: OutletId, input: OutletInput) -> AppResult<Outlet> {
    require(access::can_manage_network(ctx.role()))?;
    let input = input.validate()?;
    Ok(state.store.update_outlet(ctx.scope(), id, &input).await?)
}

// ---- dashboard ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    #[serde(with = "domain::date_format")]
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[serde(with = "domain::date_format")]
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    /// For editors, leaders and liaisons: this month's work by unit and by outlet level.
    pub by_unit: Vec<UnitCount>,
    pub by_level: Vec<LevelCount>,
    /// Manuscripts waiting for a decision (editors) or a revision (mentors).
    pub waiting: Vec<Manuscript>,
    /// For a correspondent: their own drafts and manuscripts, and their placements.
    pub my_manuscripts: Vec<Manuscript>,
    pub my_placements: Vec<Placement>,
    pub my_placement_total: u64,
}

/// The first and last day of the month containing `day`.
pub fn month_of(day: Date) -> (Date, Date) {
    let first = day.replace_day(1).unwrap_or(day);
    let last = first.replace_day(time::util::days_in_month(first.month(), first.year())).unwrap_or(day);
    (first, last)
}

pub async fn dashboard(state: &AppState, ctx: &Ctx, month: Option<Date>) -> AppResult<Dashboard> {
    let today = time::OffsetDateTime::now_utc().date();
    // Without a chosen month, show this month; if the station has recorded nothing since,
    // show the most recent month that has placements (history imported from Excel, the demo).
    let month = match (month, ctx.station) {
        (Some(m), _) => m,
        (None, Some(s)) => match state.store.latest_placement_date(s).await? {
            Some(latest) if latest < month_of(today).0 => latest,
            _ => today,
        },
        (None, None) => today,
    };
    let (from, to) = month_of(month);
    let mut d = Dashboard {
        from,
        to,
        by_unit: vec![],
        by_level: vec![],
        waiting: vec![],
        my_manuscripts: vec![],
        my_placements: vec![],
        my_placement_total: 0,
    };
    if let Some(station) = ctx.station
        && access::can_view_network(ctx.role())
    {
        d.by_unit = state.store.counts_by_unit(station, from, to).await?;
        if ctx.role() == Role::Liaison {
            d.by_unit.retain(|u| u.unit_id.is_some() && u.unit_id == ctx.user.unit_id);
        }
        d.by_level = state.store.counts_by_level(station, from, to).await?;
        let waiting = ListQuery { status: Some("submitted".into()), per_page: Some("10".into()), ..Default::default() };
        d.waiting = manuscripts(state, ctx, &waiting).await?.items;
    }
    if let Some(me) = ctx.user.correspondent_id {
        let mut f = ManuscriptFilter::new(ctx.scope(), store::Visibility::Author(me));
        f.per_page = 10;
        d.my_manuscripts = state.store.manuscripts(&f).await?.items;
        let mut pf = PlacementFilter::new(ctx.scope());
        pf.author = Some(me);
        pf.per_page = 10;
        pf.sort = PlacementSort::RecordedDesc;
        let page = state.store.placements(&pf).await?;
        d.my_placement_total = page.total;
        d.my_placements = page.items;
    }
    Ok(d)
}

// ---- import and export ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub kind: String,
    pub imported: usize,
    /// Placements only: rows linked to a manuscript (one piece placed more than once, or a
    /// 稿件编号 naming a manuscript of the station).
    pub linked: usize,
    /// Placements only: the manuscripts those rows belong to.
    pub manuscripts: usize,
    /// Placements only: of these, the ones the import created.
    pub created_manuscripts: usize,
    /// The result in Chinese, e.g. “120 条刊发，其中 6 条合并为 3 篇稿件（新建 3 篇）”.
    pub summary: String,
}

impl ImportReport {
    fn new(kind: ImportKind, imported: usize, linked: store::ImportedPlacements) -> Self {
        let mut summary = format!("{imported} 条{}", kind.zh());
        if linked.linked > 0 {
            summary.push_str(&format!(
                "，其中 {} 条合并为 {} 篇稿件（新建 {} 篇）",
                linked.linked, linked.manuscripts, linked.created
            ));
        }
        ImportReport {
            kind: kind.code().into(),
            imported,
            linked: linked.linked,
            manuscripts: linked.manuscripts,
            created_manuscripts: linked.created,
            summary,
        }
    }
}

/// Reads a spreadsheet and imports it, all or nothing: if any row is bad nothing is written
/// and every bad row comes back.
pub async fn import(
    state: &AppState,
    ctx: &Ctx,
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<ImportReport> {
    require(access::can_manage_network(ctx.role()))?;
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(AppError::TooLarge(format!("文件太大：最大{}MB", MAX_IMPORT_BYTES / 1024 / 1024)));
    }
    let station = ctx.station()?;
    // The API takes the name in the query string; uploads arrive with it already made safe.
    let file_name = &domain::text::safe_file_name(file_name);
    let report = import_into(&state.store, station, ctx.user.id, kind, file_name, bytes).await?;
    state
        .store
        .audit(Some(station), Some(ctx.user.id), "import", kind.code(), &format!("{file_name}: {}", report.summary))
        .await?;
    Ok(report)
}

/// The import itself, shared with the command line.
pub async fn import_into(
    store: &Store,
    station: StationId,
    by: UserId,
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<ImportReport> {
    // Reading and checking the file is CPU work (seconds for 200,000 rows): it runs off the
    // async workers (in the parse pool), and before the write transaction, which then holds
    // the lock only to insert.
    let table = crate::parse::table(file_name, bytes.to_vec()).await?;
    let known = store.known_names(station).await?;
    let records = crate::parse::blocking(move || check_records(kind, &table, &known)).await??;
    let none = store::ImportedPlacements::default();
    let (n, linked) = match records {
        Records::Units(r) => (store.import_units(station, &r).await?, none),
        Records::Outlets(r) => (store.import_outlets(station, &r).await?, none),
        Records::Correspondents(r) => (store.import_correspondents(station, &r).await?, none),
        Records::Placements(r) => {
            let done = store.import_placements(station, &r, store::Linking::KeysAndTitles, by).await?;
            (done.placements, done)
        }
    };
    Ok(ImportReport::new(kind, n, linked))
}

/// The checked records of an import file, of its kind.
enum Records {
    Units(Vec<imp::UnitRecord>),
    Outlets(Vec<imp::OutletRecord>),
    Correspondents(Vec<imp::CorrespondentRecord>),
    Placements(Vec<imp::PlacementRecord>),
}

/// Rows an import of units, outlets or correspondents may have: a station has a few hundred.
/// (Each is inserted on its own, so a huge file would hold the write lock for minutes.)
pub const MAX_NETWORK_ROWS: usize = 10_000;

/// Checks every row of an import file: all the bad rows come back together.
fn check_records(kind: ImportKind, table: &Table, known: &imp::Known) -> AppResult<Records> {
    if kind != ImportKind::Placements && table.rows.len() > MAX_NETWORK_ROWS {
        return Err(crate::parse::file_error(format!(
            "单位、媒体和通讯员表最多 {MAX_NETWORK_ROWS} 行（本表 {} 行）",
            table.rows.len()
        )));
    }
    Ok(match kind {
        ImportKind::Units => Records::Units(imp::read_units(table, known).map_err(AppError::rows)?),
        ImportKind::Outlets => Records::Outlets(imp::read_outlets(table, known).map_err(AppError::rows)?),
        ImportKind::Correspondents => {
            Records::Correspondents(imp::read_correspondents(table, known).map_err(AppError::rows)?)
        }
        ImportKind::Placements => Records::Placements(imp::read_placements(table, known).map_err(AppError::rows)?),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(Self::Xlsx),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The records of a kind as a table, ready to write.
pub async fn export_table(
    store: &Store,
    station: StationId,
    kind: ImportKind,
    filter: Option<&PlacementFilter>,
) -> AppResult<Table> {
    Ok(match kind {
        ImportKind::Units => imp::write_units(&store.export_units(station).await?),
        ImportKind::Outlets => imp::write_outlets(&store.export_outlets(station).await?),
        ImportKind::Correspondents => imp::write_correspondents(&store.export_correspondents(station).await?),
        ImportKind::Placements => {
            let f = filter.cloned().unwrap_or_else(|| PlacementFilter::new(Scope::Station(station)));
            imp::write_placements(&store.export_placements(&f).await?)
        }
    })
}

pub fn encode_table(kind: ImportKind, table: &Table, format: FileFormat) -> AppResult<Vec<u8>> {
    Ok(match format {
        FileFormat::Csv => office::write_csv(table),
        FileFormat::Xlsx => {
            office::write_xlsx(kind.zh(), table).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?
        }
    })
}

pub async fn export(
    state: &AppState,
    ctx: &Ctx,
    kind: ImportKind,
    format: FileFormat,
    q: &ListQuery,
) -> AppResult<(String, Vec<u8>)> {
    require(access::can_export(ctx.role()))?;
    let station = ctx.station()?;
    let filter = if kind == ImportKind::Placements { Some(placement_filter(ctx, q)?) } else { None };
    let table = export_table(&state.store, station, kind, filter.as_ref()).await?;
    let bytes = encode_table(kind, &table, format)?;
    let name = format!("{}-{}.{}", kind.code(), time::OffsetDateTime::now_utc().date(), format.extension());
    Ok((name, bytes))
}

// ---- accounts ----

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub correspondent_id: Option<CorrespondentId>,
    pub unit_id: Option<UnitId>,
}

pub async fn create_account(state: &AppState, ctx: &Ctx, a: NewAccount) -> AppResult<User> {
    require(access::can_manage_users(ctx.role()))?;
    let station = ctx.station()?;
    let mut e = FieldErrors::default();
    if let Err(m) = crate::auth::check_new_password(&a.password) {
        e.push("password", m);
    }
    if a.display_name.trim().is_empty() {
        e.push("display_name", "请填写姓名");
    }
    if a.role == Role::Correspondent && a.correspondent_id.is_none() {
        e.push("correspondent_id", "通讯员账号必须关联一位通讯员");
    }
    if a.role == Role::Liaison && a.unit_id.is_none() {
        e.push("unit_id", "联络员账号必须选择单位");
    }
    if let Some(c) = a.correspondent_id
        && state.store.correspondent(Scope::Station(station), c).await.is_err()
    {
        e.push("correspondent_id", "通讯员不存在");
    }
    if let Some(u) = a.unit_id
        && state.store.unit(Scope::Station(station), u).await.is_err()
    {
        e.push("unit_id", "单位不存在");
    }
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let hash = crate::auth::hash_password(&a.password)?;
    let user = state
        .store
        .create_user(NewUser {
            station_id: Some(station),
            username: a.username,
            password_hash: hash,
            display_name: a.display_name,
            role: a.role,
            correspondent_id: a.correspondent_id,
            unit_id: a.unit_id,
        })
        .await?;
    state
        .store
        .audit(Some(station), Some(ctx.user.id), "user.create", &format!("user:{}", user.id), &user.username)
        .await?;
    Ok(user)
}

/// The new password's own checks: the rules, and typed the same twice.
fn check_new_password_twice(e: &mut FieldErrors, new: &str, confirm: &str) {
    if let Err(m) = crate::auth::check_new_password(new) {
        e.push("new", m);
    }
    if new != confirm {
        e.push("confirm", "两次输入的新密码不一致");
    }
}

/// A user changes their own password. Every other session of theirs (`this_session` is the
/// one asking) ends and every API token of theirs is revoked, with the audit row, together.
pub async fn change_password(
    state: &AppState,
    ctx: &Ctx,
    current: &str,
    new: &str,
    confirm: &str,
    this_session: Option<&str>,
) -> AppResult<PasswordReplaced> {
    let mut e = FieldErrors::default();
    let hash = state.store.password_hash(ctx.user.id).await?;
    if !crate::auth::verify_password(current, &hash) {
        e.push("current", "当前密码不正确");
    }
    check_new_password_twice(&mut e, new, confirm);
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let hash = crate::auth::hash_password(new)?;
    Ok(state.store.replace_password(ctx.user.id, &hash, this_session, ctx.user.id, "user.password").await?)
}

/// An account an administrator may manage: one of their station (any, for headquarters).
pub async fn managed_user(state: &AppState, ctx: &Ctx, id: UserId) -> AppResult<User> {
    require(access::can_manage_users(ctx.role()))?;
    let user = state.store.user(id).await?;
    let visible = match user.station_id {
        Some(s) => ctx.scope().allows(s),
        None => ctx.scope().station().is_none(),
    };
    if visible { Ok(user) } else { Err(AppError::NotFound) }
}

/// An administrator sets a new password for an account (a forgotten one, or one that may be
/// known to others): every session of that account ends and every API token of it is revoked,
/// with the audit row, together. Resetting one's own keeps `this_session`.
pub async fn reset_password(
    state: &AppState,
    ctx: &Ctx,
    id: UserId,
    new: &str,
    confirm: &str,
    this_session: Option<&str>,
) -> AppResult<PasswordReplaced> {
    let user = managed_user(state, ctx, id).await?;
    let mut e = FieldErrors::default();
    check_new_password_twice(&mut e, new, confirm);
    if !e.is_empty() {
        return Err(AppError::Invalid(e));
    }
    let hash = crate::auth::hash_password(new)?;
    let keep = this_session.filter(|_| user.id == ctx.user.id);
    Ok(state.store.replace_password(user.id, &hash, keep, ctx.user.id, "user.password_reset").await?)
}

/// Turns a typed byline ("张三(60%)、李四(40%)") into the station's correspondents.
pub async fn bylines_from_text(
    state: &AppState,
    station: StationId,
    field: &str,
    text: &str,
) -> Result<Vec<Byline>, FieldErrors> {
    let mut e = FieldErrors::default();
    let written = match domain::byline::parse_byline(text) {
        Ok(w) => w,
        Err(m) => {
            e.push(field, m);
            return Err(e);
        }
    };
    let mut out = Vec::new();
    for w in written {
        match state.store.correspondent_by_name(station, &w.name).await {
            Ok(Some(c)) => out.push(Byline { correspondent_id: c.id, share_bp: w.share_bp }),
            Ok(None) => e.push(field, format!("通讯员“{}”不存在", w.name)),
            Err(err) => e.push(field, err.to_string()),
        }
    }
    let mut check = FieldErrors::default();
    domain::check_bylines(&mut check, field, &out);
    e.0.extend(check.0);
    e.into_result(out)
}

/// The byline of a manuscript as text, for pre-filling forms.
pub fn byline_text(authors: &[store::Author]) -> String {
    let written: Vec<domain::byline::WrittenAuthor> =
        authors.iter().map(|a| domain::byline::WrittenAuthor { name: a.name.clone(), share_bp: a.share_bp }).collect();
    domain::byline::format_byline(&written)
}
