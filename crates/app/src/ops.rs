//! The operations behind both the HTML pages and the JSON API: each checks permissions,
//! calls the domain and the store, and writes the audit log. Handlers only parse and render.

use crate::Actor;
use crate::access::{self, require};
use crate::{Error, Result};
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
pub fn page_number(raw: &Option<String>) -> Result<u64> {
    domain::paging::parse_page(raw.as_deref()).map_err(Error::BadRequest)
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ListQuery {
    pub fn date(s: &Option<String>) -> Option<Date> {
        opt(s).and_then(parse_date)
    }
    pub fn page(&self) -> Result<u64> {
        page_number(&self.page)
    }
    pub fn per_page(&self) -> Result<u64> {
        domain::paging::parse_per_page(self.per_page.as_deref(), 20).map_err(Error::BadRequest)
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

async fn mentor_of(store: &Store, m: &Manuscript) -> Result<Option<UserId>> {
    Ok(store.correspondent(Scope::All, m.author_id).await?.mentor_user_id)
}

/// A manuscript the user may see, or 404.
pub async fn manuscript(store: &Store, actor: &Actor, id: ManuscriptId) -> Result<Manuscript> {
    let m = store.manuscript(actor.scope(), id).await?;
    let mentor = mentor_of(store, &m).await?;
    if access::can_see_manuscript(actor, &m, mentor) { Ok(m) } else { Err(Error::NotFound) }
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

pub async fn manuscript_permissions(store: &Store, actor: &Actor, m: &Manuscript) -> Result<ManuscriptPermissions> {
    let mentor = mentor_of(store, m).await?;
    let owner = access::is_owner(actor, m);
    let editable = m.status.after(ManuscriptAction::Edit).is_ok();
    Ok(ManuscriptPermissions {
        edit: owner && editable,
        submit: owner && m.status.after(ManuscriptAction::Submit).is_ok(),
        revise: access::can_revise(actor, m, mentor),
        decide: access::can_decide(actor.role()) && m.status == ManuscriptStatus::Submitted,
        record_placement: access::can_manage_network(actor.role()) && m.status == ManuscriptStatus::Accepted,
    })
}

pub async fn manuscripts(store: &Store, actor: &Actor, q: &ListQuery) -> Result<Page<Manuscript>> {
    let mut f = ManuscriptFilter::new(actor.scope(), access::manuscript_visibility(actor));
    if let Some(s) = actor.station.filter(|_| !actor.is_hq()) {
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
    Ok(store.manuscripts(&f).await?)
}

fn own_correspondent(actor: &Actor) -> Result<CorrespondentId> {
    actor.user.correspondent_id.ok_or_else(|| Error::BadRequest("您的账号未关联通讯员，不能写稿".into()))
}

pub async fn create_manuscript(store: &Store, actor: &Actor, input: ManuscriptInput) -> Result<Manuscript> {
    require(actor.role().can_write())?;
    let me = own_correspondent(actor)?;
    let input = input.validate()?;
    let station = actor.station()?;
    let m = store.create_manuscript(station, me, &input, actor.user.id).await?;
    Ok(m)
}

pub async fn update_manuscript(
    store: &Store,
    actor: &Actor,
    id: ManuscriptId,
    input: ManuscriptInput,
) -> Result<Manuscript> {
    let m = manuscript(store, actor, id).await?;
    require(access::is_owner(actor, &m))?;
    let input = input.validate()?;
    Ok(store.update_manuscript(actor.scope(), id, &input).await?)
}

pub async fn submit_manuscript(store: &Store, actor: &Actor, id: ManuscriptId) -> Result<Manuscript> {
    let m = manuscript(store, actor, id).await?;
    require(access::is_owner(actor, &m))?;
    // 查重: compare with the station's earlier manuscripts before recording the submission.
    let earlier = store.duplicate_candidates(m.station_id, id, DUPLICATE_WINDOW).await?;
    let text = format!("{}\n{}", m.title, m.body);
    let dup = domain::dup::best_match(&text, earlier.iter().map(|(k, t)| (*k, t.as_str())));
    let m = store.submit_manuscript(actor.scope(), id, actor.user.id, dup).await?;
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
    store: &Store,
    actor: &Actor,
    id: ManuscriptId,
    input: &ReviseInput,
) -> Result<Manuscript> {
    let m = manuscript(store, actor, id).await?;
    let mentor = mentor_of(store, &m).await?;
    if m.status != ManuscriptStatus::Submitted {
        return Err(Error::Conflict(m.status.after(ManuscriptAction::Revise).err().unwrap_or_default()));
    }
    require(access::can_revise(actor, &m, mentor))?;
    Ok(store.revise_manuscript(actor.scope(), id, actor.user.id, &input.title, &input.body, &input.comment).await?)
}

pub async fn accept_manuscript(store: &Store, actor: &Actor, id: ManuscriptId) -> Result<Manuscript> {
    let m = manuscript(store, actor, id).await?;
    require(access::can_decide(actor.role()))?;
    let m = store.accept_manuscript(actor.scope(), m.id, actor.user.id).await?;
    Ok(m)
}

pub async fn return_manuscript(store: &Store, actor: &Actor, id: ManuscriptId, reason: &str) -> Result<Manuscript> {
    let m = manuscript(store, actor, id).await?;
    require(access::can_decide(actor.role()))?;
    let m = store.return_manuscript(actor.scope(), m.id, reason, actor.user.id).await?;
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

pub async fn history(store: &Store, actor: &Actor, id: ManuscriptId) -> Result<Vec<RoundView>> {
    manuscript(store, actor, id).await?;
    let revisions = store.revisions(actor.scope(), id).await?;
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

fn check_attachment(file_name: &str, data: &[u8]) -> Result<(String, &'static str)> {
    if data.is_empty() {
        return Err(Error::BadRequest("请选择要上传的文件".into()));
    }
    if data.len() > MAX_ATTACHMENT_BYTES {
        return Err(Error::TooLarge(format!("文件太大：最大{}MB", MAX_ATTACHMENT_BYTES / 1024 / 1024)));
    }
    let content_type = sniff_attachment(data)
        .ok_or_else(|| Error::BadRequest("文件类型不支持：只接受 JPEG、PNG、GIF、WebP 图片或 PDF".into()))?;
    Ok((domain::text::safe_file_name(file_name), content_type))
}

pub async fn add_attachment(
    store: &Store,
    actor: &Actor,
    id: ManuscriptId,
    file_name: &str,
    data: Vec<u8>,
) -> Result<AttachmentMeta> {
    let m = manuscript(store, actor, id).await?;
    require(access::is_owner(actor, &m) || access::can_manage_network(actor.role()))?;
    let (file_name, content_type) = check_attachment(file_name, &data)?;
    let file = NewAttachment { file_name, content_type: content_type.into(), data };
    Ok(store.add_attachment(m.station_id, AttachedTo::Manuscript(id), file, actor.user.id).await?)
}

pub async fn add_placement_attachment(
    store: &Store,
    actor: &Actor,
    id: PlacementId,
    file_name: &str,
    data: Vec<u8>,
) -> Result<AttachmentMeta> {
    require(access::can_manage_network(actor.role()))?;
    let p = store.placement(actor.scope(), id).await?;
    let (file_name, content_type) = check_attachment(file_name, &data)?;
    let file = NewAttachment { file_name, content_type: content_type.into(), data };
    Ok(store.add_attachment(p.station_id, AttachedTo::Placement(id), file, actor.user.id).await?)
}

/// An attachment's bytes, if the user may see what it is attached to.
pub async fn attachment(store: &Store, actor: &Actor, id: AttachmentId) -> Result<(AttachmentMeta, Vec<u8>)> {
    let (meta, data) = store.attachment(actor.scope(), id).await?;
    match (meta.manuscript_id, meta.placement_id) {
        (Some(m), _) => {
            manuscript(store, actor, m).await?;
        }
        (None, Some(p)) => {
            placement(store, actor, p).await?;
        }
        (None, None) => return Err(Error::NotFound),
    }
    Ok((meta, data))
}

// ---- placements ----

/// Placements the user may see: correspondents only their own, liaisons only their unit's.
pub async fn placements(store: &Store, actor: &Actor, q: &ListQuery) -> Result<Page<Placement>> {
    let f = placement_filter(actor, q)?;
    Ok(store.placements(&f).await?)
}

pub fn placement_filter(actor: &Actor, q: &ListQuery) -> Result<PlacementFilter> {
    let mut f = PlacementFilter::new(actor.scope());
    if let Some(s) = actor.station.filter(|_| !actor.is_hq()) {
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
    match actor.role() {
        Role::Correspondent => f.author = Some(actor.user.correspondent_id.unwrap_or(CorrespondentId(-1))),
        Role::Liaison => f.unit_id = actor.user.unit_id.or(f.unit_id),
        _ => {}
    }
    Ok(f)
}

pub async fn placement(store: &Store, actor: &Actor, id: PlacementId) -> Result<Placement> {
    let p = store.placement(actor.scope(), id).await?;
    let allowed = match actor.role() {
        Role::Correspondent => {
            let me = actor.user.correspondent_id;
            store.placement_authors(actor.scope(), id).await?.iter().any(|a| Some(a.correspondent_id) == me)
        }
        Role::Liaison => actor.user.unit_id.is_none() || actor.user.unit_id == p.unit_id,
        _ => true,
    };
    if allowed { Ok(p) } else { Err(Error::NotFound) }
}

pub async fn create_placement(store: &Store, actor: &Actor, input: PlacementInput) -> Result<Placement> {
    require(access::can_manage_network(actor.role()))?;
    let input = input.validate()?;
    let station = actor.station()?;
    check_placed_manuscript(store, actor, input.manuscript_id).await?;
    let p = store.create_placement(station, &input, actor.user.id).await?;
    Ok(p)
}

/// The manuscript a placement names must be one the user may see (so of this station), and
/// accepted: otherwise a 422 (or 409), never the foreign-key error of a row that is not there.
async fn check_placed_manuscript(store: &Store, actor: &Actor, m: Option<ManuscriptId>) -> Result<()> {
    let Some(m) = m else { return Ok(()) };
    let ms = match manuscript(store, actor, m).await {
        Err(Error::NotFound) => {
            return Err(Error::Invalid(FieldErrors(vec![FieldError::new("manuscript_id", "稿件不存在")])));
        }
        other => other?,
    };
    if ms.status != ManuscriptStatus::Accepted {
        return Err(Error::Conflict("只有已采用的稿件才能登记刊发".into()));
    }
    Ok(())
}

pub async fn update_placement(
    store: &Store,
    actor: &Actor,
    id: PlacementId,
    input: PlacementInput,
) -> Result<Placement> {
    require(access::can_manage_network(actor.role()))?;
    let input = input.validate()?;
    if input.manuscript_id != store.placement(actor.scope(), id).await?.manuscript_id {
        check_placed_manuscript(store, actor, input.manuscript_id).await?;
    }
    let p = store.update_placement(actor.scope(), id, &input, actor.user.id).await?;
    Ok(p)
}

pub async fn delete_placement(store: &Store, actor: &Actor, id: PlacementId) -> Result<()> {
    require(access::can_manage_network(actor.role()))?;
    store.delete_placement(actor.scope(), id, actor.user.id).await?;
    Ok(())
}

// ---- the network ----

pub async fn correspondents(store: &Store, actor: &Actor, q: &ListQuery) -> Result<Page<Correspondent>> {
    require(access::can_view_network(actor.role()))?;
    let station = actor.station()?;
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
    if actor.role() == Role::Liaison {
        f.unit_id = actor.user.unit_id.or(f.unit_id);
    }
    Ok(store.correspondents(station, &f).await?)
}

pub async fn create_correspondent(store: &Store, actor: &Actor, input: CorrespondentInput) -> Result<Correspondent> {
    require(access::can_manage_network(actor.role()))?;
    let input = input.validate()?;
    let station = actor.station()?;
    let c = store.create_correspondent(station, &input, actor.user.id).await?;
    Ok(c)
}

pub async fn update_correspondent(
    store: &Store,
    actor: &Actor,
    id: CorrespondentId,
    input: CorrespondentInput,
) -> Result<Correspondent> {
    require(access::can_manage_network(actor.role()))?;
    let input = input.validate()?;
    Ok(store.update_correspondent(actor.scope(), id, &input).await?)
}

/// The units and outlets a list's filters offer: none to those who may not see the network.
pub async fn filter_choices(store: &Store, actor: &Actor) -> Result<(Vec<Unit>, Vec<Outlet>)> {
    match actor.station {
        Some(s) if access::can_view_network(actor.role()) => Ok((store.units(s).await?, store.outlets(s).await?)),
        _ => Ok((vec![], vec![])),
    }
}

/// The files attached to a manuscript or placement the actor may open (each read first, so a
/// record the actor may not see is not found).
pub async fn attachments(store: &Store, actor: &Actor, to: AttachedTo) -> Result<Vec<AttachmentMeta>> {
    match to {
        AttachedTo::Manuscript(id) => {
            manuscript(store, actor, id).await?;
        }
        AttachedTo::Placement(id) => {
            placement(store, actor, id).await?;
        }
    }
    Ok(store.attachments(actor.scope(), to).await?)
}

/// Where a manuscript was published (its placements, at most 100).
pub async fn placements_of_manuscript(store: &Store, actor: &Actor, id: ManuscriptId) -> Result<Vec<Placement>> {
    manuscript(store, actor, id).await?;
    let mut f = PlacementFilter::new(actor.scope());
    f.manuscript_id = Some(id);
    f.per_page = 100;
    Ok(store.placements(&f).await?.items)
}

/// A placement's byline as the form shows it: "张三(60%)、李四(40%)".
pub async fn placement_byline(store: &Store, actor: &Actor, id: PlacementId) -> Result<String> {
    Ok(byline_text(&store.placement_authors(actor.scope(), id).await?))
}

/// The station's units: everyone but correspondents may see the network.
pub async fn units(store: &Store, actor: &Actor) -> Result<Vec<Unit>> {
    require(access::can_view_network(actor.role()))?;
    Ok(store.units(actor.station()?).await?)
}

pub async fn create_unit(store: &Store, actor: &Actor, input: UnitInput) -> Result<Unit> {
    require(access::can_manage_network(actor.role()))?;
    let input = input.validate()?;
    Ok(store.create_unit(actor.station()?, &input).await?)
}

pub async fn update_unit(store: &Store, actor: &Actor, id: UnitId, input: UnitInput) -> Result<Unit> {
    require(access::can_manage_network(actor.role()))?;
    let input = input.validate()?;
    Ok(store.update_unit(actor.station()?, id, &input).await?)
}

/// The station's outlets: everyone but correspondents may see the network.
pub async fn outlets(store: &Store, actor: &Actor) -> Result<Vec<Outlet>> {
    require(access::can_view_network(actor.role()))?;
    Ok(store.outlets(actor.station()?).await?)
}

pub async fn outlet(store: &Store, actor: &Actor, id: OutletId) -> Result<Outlet> {
    require(access::can_view_network(actor.role()))?;
    Ok(store.outlet(actor.scope(), id).await?)
}

/// One correspondent: a correspondent may read only their own record, a liaison their unit's
/// people (or anyone's when they have no unit); anyone else, whoever is in the station. A
/// record the actor may not read is not found, like a missing one.
pub async fn correspondent(store: &Store, actor: &Actor, id: CorrespondentId) -> Result<Correspondent> {
    let c = store.correspondent(actor.scope(), id).await?;
    let allowed = match actor.role() {
        Role::Correspondent => actor.user.correspondent_id == Some(id),
        Role::Liaison => actor.user.unit_id.is_none() || actor.user.unit_id == c.unit_id,
        _ => true,
    };
    if allowed { Ok(c) } else { Err(Error::NotFound) }
}

pub async fn create_outlet(store: &Store, actor: &Actor, input: OutletInput) -> Result<Outlet> {
    require(access::can_manage_network(actor.role()))?;
    let input = input.validate()?;
    Ok(store.create_outlet(actor.station()?, &input).await?)
}

pub async fn update_outlet(store: &Store, actor: &Actor, id: OutletId, input: OutletInput) -> Result<Outlet> {
    require(access::can_manage_network(actor.role()))?;
    let input = input.validate()?;
    Ok(store.update_outlet(actor.scope(), id, &input).await?)
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

pub async fn dashboard(store: &Store, actor: &Actor, month: Option<Date>) -> Result<Dashboard> {
    let today = time::OffsetDateTime::now_utc().date();
    // Without a chosen month, show this month; if the station has recorded nothing since,
    // show the most recent month that has placements (history imported from Excel, the demo).
    let month = match (month, actor.station) {
        (Some(m), _) => m,
        (None, Some(s)) => match store.latest_placement_date(s).await? {
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
    if let Some(station) = actor.station
        && access::can_view_network(actor.role())
    {
        d.by_unit = store.counts_by_unit(station, from, to).await?;
        if actor.role() == Role::Liaison {
            d.by_unit.retain(|u| u.unit_id.is_some() && u.unit_id == actor.user.unit_id);
        }
        d.by_level = store.counts_by_level(station, from, to).await?;
        let waiting = ListQuery { status: Some("submitted".into()), per_page: Some("10".into()), ..Default::default() };
        d.waiting = manuscripts(store, actor, &waiting).await?.items;
    }
    if let Some(me) = actor.user.correspondent_id {
        let mut f = ManuscriptFilter::new(actor.scope(), store::Visibility::Author(me));
        f.per_page = 10;
        d.my_manuscripts = store.manuscripts(&f).await?.items;
        let mut pf = PlacementFilter::new(actor.scope());
        pf.author = Some(me);
        pf.per_page = 10;
        pf.sort = PlacementSort::RecordedDesc;
        let page = store.placements(&pf).await?;
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
    store: &Store,
    actor: &Actor,
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportReport> {
    require(access::can_manage_network(actor.role()))?;
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(Error::TooLarge(format!("文件太大：最大{}MB", MAX_IMPORT_BYTES / 1024 / 1024)));
    }
    let station = actor.station()?;
    // The API takes the name in the query string; uploads arrive with it already made safe.
    let file_name = &domain::text::safe_file_name(file_name);
    let report = import_into(store, station, Some(actor.user.id), kind, file_name, bytes).await?;
    Ok(report)
}

/// The import itself, shared with the command line (`by` is none there). The audit row is
/// written in the import's transaction.
pub async fn import_into(
    store: &Store,
    station: StationId,
    by: Option<UserId>,
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportReport> {
    // Reading and checking the file is CPU work (seconds for 200,000 rows): it runs off the
    // async workers (in the parse pool), and before the write transaction, which then holds
    // the lock only to insert.
    let table = crate::parse::table(file_name, bytes.to_vec()).await?;
    let known = store.known_names(station).await?;
    let records = crate::parse::blocking(move || check_records(kind, &table, &known)).await??;
    let none = store::ImportedPlacements::default();
    let audit = store::ImportAudit { by, file: file_name.to_string() };
    let (n, linked) = match records {
        Records::Units(r) => (store.import_units(station, &r, &audit).await?, none),
        Records::Outlets(r) => (store.import_outlets(station, &r, &audit).await?, none),
        Records::Correspondents(r) => (store.import_correspondents(station, &r, &audit).await?, none),
        Records::Placements(r) => {
            // Placements made from the command line are recorded as made by user 0.
            let made_by = by.unwrap_or(UserId(0));
            let done = store.import_placements(station, &r, store::Linking::KeysAndTitles, made_by, &audit).await?;
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
fn check_records(kind: ImportKind, table: &Table, known: &imp::Known) -> Result<Records> {
    if kind != ImportKind::Placements && table.rows.len() > MAX_NETWORK_ROWS {
        return Err(crate::parse::file_error(format!(
            "单位、媒体和通讯员表最多 {MAX_NETWORK_ROWS} 行（本表 {} 行）",
            table.rows.len()
        )));
    }
    Ok(match kind {
        ImportKind::Units => Records::Units(imp::read_units(table, known).map_err(Error::rows)?),
        ImportKind::Outlets => Records::Outlets(imp::read_outlets(table, known).map_err(Error::rows)?),
        ImportKind::Correspondents => {
            Records::Correspondents(imp::read_correspondents(table, known).map_err(Error::rows)?)
        }
        ImportKind::Placements => Records::Placements(imp::read_placements(table, known).map_err(Error::rows)?),
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
) -> Result<Table> {
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

pub fn encode_table(kind: ImportKind, table: &Table, format: FileFormat) -> Result<Vec<u8>> {
    Ok(match format {
        FileFormat::Csv => office::write_csv(table),
        FileFormat::Xlsx => {
            office::write_xlsx(kind.zh(), table).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?
        }
    })
}

pub async fn export(
    store: &Store,
    actor: &Actor,
    kind: ImportKind,
    format: FileFormat,
    q: &ListQuery,
) -> Result<(String, Vec<u8>)> {
    require(access::can_export(actor.role()))?;
    let station = actor.station()?;
    let filter = if kind == ImportKind::Placements { Some(placement_filter(actor, q)?) } else { None };
    let table = export_table(store, station, kind, filter.as_ref()).await?;
    let bytes = encode_table(kind, &table, format)?;
    let name = format!("{}-{}.{}", kind.code(), time::OffsetDateTime::now_utc().date(), format.extension());
    Ok((name, bytes))
}

// ---- accounts ----

/// The new password's own checks: the rules, and typed the same twice.
pub(crate) fn check_new_password_twice(e: &mut FieldErrors, new: &str, confirm: &str) {
    if let Err(m) = crate::password::check_new_password(new) {
        e.push("new", m);
    }
    if new != confirm {
        e.push("confirm", "两次输入的新密码不一致");
    }
}

/// A user changes their own password. Every other session of theirs (`this_session` is the
/// one asking) ends and every API token of theirs is revoked, with the audit row, together.
pub async fn change_password(
    store: &Store,
    actor: &Actor,
    current: &str,
    new: &str,
    confirm: &str,
    this_session: Option<&str>,
) -> Result<PasswordReplaced> {
    let mut e = FieldErrors::default();
    let hash = store.password_hash(actor.user.id).await?;
    if !crate::password::verify_password(current, &hash) {
        e.push("current", "当前密码不正确");
    }
    check_new_password_twice(&mut e, new, confirm);
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    let hash = crate::password::hash_password(new)?;
    Ok(store.replace_password(actor.user.id, &hash, this_session, actor.user.id, "user.password").await?)
}

/// Turns a typed byline ("张三(60%)、李四(40%)") into the station's correspondents.
pub async fn bylines_from_text(
    store: &Store,
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
        match store.correspondent_by_name(station, &w.name).await {
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
