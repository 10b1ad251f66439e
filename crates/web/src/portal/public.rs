//! The portal's HTML pages: home, column, article, gallery, contributor, statistics column,
//! notice, and the images. Each handler names its cache key (language + address) and a
//! render function; `page` does the rest, including the portal's own 404 and 410 pages.

use super::{Rendered, absolute, date, locale_of, now};
use crate::i18n::L;
use crate::pages::rewards::{StatsView, default_month, stats_view};
use crate::rewards as rw;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ColumnKind, CorrespondentId, ImageId, PostId, PostStatus, StatementId, StatementStatus};
use serde::Deserialize;
use store::{ImageMeta, PortalColumn, Post, PostFilter, Station};

/// Posts per page of a column, the gallery and a contributor's list.
const PER_PAGE: u64 = 20;
/// Posts per column block on the home page.
const HOME_PER_COLUMN: u64 = 7;
const PHOTO_STRIP: u64 = 8;

/// The station's site, as every portal page needs it.
#[derive(Debug, Clone)]
pub struct Site {
    pub station: Station,
    /// "/site/hb": every link on the portal starts with it.
    pub base: String,
    pub columns: Vec<PortalColumn>,
    /// The active navigation item: "home", a column slug, "gallery", "stats", "search".
    pub nav: String,
}

impl Site {
    pub async fn load(state: &AppState, code: &str) -> AppResult<Site> {
        let (station, columns) = app::site::site(&state.store, code).await?;
        Ok(Site { base: format!("/site/{}", station.code), station, columns, nav: "home".into() })
    }

    pub fn column_url(&self, c: &PortalColumn) -> String {
        match c.kind {
            ColumnKind::Stats => format!("{}/stats", self.base),
            _ => format!("{}/c/{}", self.base, c.slug),
        }
    }

    pub fn post_url(&self, id: &PostId) -> String {
        format!("{}/posts/{id}", self.base)
    }

    pub fn image_url(&self, id: &ImageId, thumb: bool) -> String {
        if thumb { format!("{}/images/{id}-thumb", self.base) } else { format!("{}/images/{id}", self.base) }
    }

    pub fn person_url(&self, id: &CorrespondentId) -> String {
        format!("{}/people/{id}", self.base)
    }

    /// The column a slug names.
    fn column(&self, slug: &str) -> AppResult<PortalColumn> {
        self.columns.iter().find(|c| c.slug == slug).cloned().ok_or(AppError::NotFound)
    }

    fn with_nav(mut self, nav: &str) -> Site {
        self.nav = nav.to_string();
        self
    }
}

/// A page's title, description and canonical address, for the head and for sharing.
#[derive(Debug, Clone)]
pub struct Meta {
    pub title: String,
    pub description: String,
    pub canonical: String,
    /// The feeds to announce: (RSS, Atom).
    pub feeds: Option<(String, String)>,
}

impl Meta {
    pub(super) fn new(state: &AppState, site: &Site, title: &str, description: &str, path: &str) -> Meta {
        let title =
            if title.is_empty() { site.station.name.clone() } else { format!("{title} - {}", site.station.name) };
        let description = if description.is_empty() { site.station.portal_intro.clone() } else { description.into() };
        Meta {
            title,
            description,
            canonical: absolute(state, path),
            feeds: Some((format!("{}/feed.xml", site.base), format!("{}/atom.xml", site.base))),
        }
    }
}

/// Renders a portal page through the cache; a missing or taken-down item gets the portal's
/// own error page (cached too: a dead link is asked for as often as a live one).
pub(super) async fn page<F, Fut>(state: &AppState, headers: &HeaderMap, uri: &Uri, code: &str, render: F) -> Response
where
    F: FnOnce(Site, L) -> Fut,
    Fut: Future<Output = AppResult<Rendered>>,
{
    let l = locale_of(headers);
    let key = super::cache_key(l, uri);
    let result = state
        .portal
        .cache
        .serve(key, headers, || async {
            let site = match Site::load(state, code).await {
                Ok(s) => s,
                Err(AppError::NotFound) => return Ok(plain_not_found(l)),
                Err(e) => return Err(e),
            };
            match render(site.clone(), l).await {
                Err(AppError::NotFound) => error_page(state, site, l, StatusCode::NOT_FOUND, ""),
                Err(AppError::Gone(reason)) => error_page(state, site, l, StatusCode::GONE, &reason),
                Err(AppError::BadRequest(m)) => error_page(state, site, l, StatusCode::BAD_REQUEST, &m),
                other => other,
            }
        })
        .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Renders a portal template as a cached page.
pub(super) fn render<T: Template>(t: T) -> AppResult<Rendered> {
    t.render().map(Rendered::html).map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
}

#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage {
    l: L,
    site: Site,
    meta: Meta,
    status: u16,
    message: String,
}

fn error_page(state: &AppState, site: Site, l: L, status: StatusCode, message: &str) -> AppResult<Rendered> {
    let title = match status {
        StatusCode::GONE => l.t("内容已撤下"),
        StatusCode::BAD_REQUEST => l.t("请求有误"),
        _ => l.t("页面不存在"),
    };
    let mut meta = Meta::new(state, &site, title, "", &site.base.clone());
    meta.feeds = None;
    let mut r = render(ErrorPage { l, site, meta, status: status.as_u16(), message: message.into() })?;
    r.status = status;
    Ok(r)
}

/// For an unknown station there is no site to frame the page.
fn plain_not_found(l: L) -> Rendered {
    let body = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>404</title>\
         <link rel=\"stylesheet\" href=\"/static/portal.css\"></head><body><main class=\"wrap\"><h1>404</h1>\
         <p>{}</p><p><a href=\"/site\">{}</a></p></main></body></html>",
        l.html_lang(),
        l.t("页面不存在"),
        l.t("返回首页")
    );
    Rendered { status: StatusCode::NOT_FOUND, ..Rendered::html(body) }
}

// ---- addresses ----

/// `/site`: the first station's portal (a single-station install has only that one).
pub async fn site_root(State(state): State<AppState>) -> AppResult<Response> {
    let first = app::site::first_station(&state.store).await?;
    Ok(Redirect::permanent(&format!("/site/{}/", first.code)).into_response())
}

pub async fn add_slash(Path(st): Path<String>) -> Response {
    Redirect::permanent(&format!("/site/{st}/")).into_response()
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

// ---- home ----

pub struct ColumnBlock {
    pub column: PortalColumn,
    pub posts: Vec<Post>,
}

pub struct NoticeItem {
    pub id: StatementId,
    pub title: String,
    pub open: bool,
    pub until: String,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    l: L,
    site: Site,
    meta: Meta,
    headline: Option<(Post, Option<ImageMeta>)>,
    latest: Vec<Post>,
    blocks: Vec<ColumnBlock>,
    photos: Vec<(Post, ImageMeta)>,
    ranking_title: String,
    ranking: Vec<(String, i64)>,
    notices: Vec<NoticeItem>,
}

impl HomePage {
    fn date(&self, p: &Post) -> String {
        p.publish_at.map(date).unwrap_or_default()
    }
}

pub async fn home(State(state): State<AppState>, Path(st): Path<String>, headers: HeaderMap, uri: Uri) -> Response {
    page(&state, &headers, &uri, &st, |site, l| render_home(&state, site, l)).await
}

async fn render_home(state: &AppState, site: Site, l: L) -> AppResult<Rendered> {
    let at = now();
    let station = site.station.id;
    let mut blocks = Vec::new();
    for c in site.columns.iter().filter(|c| c.show_on_home) {
        if matches!(c.kind, ColumnKind::News | ColumnKind::Notices) {
            let f = PostFilter { column: Some(c.id), per_page: HOME_PER_COLUMN, ..PostFilter::live(station, at) };
            blocks.push(ColumnBlock { column: c.clone(), posts: app::site::live_posts(&state.store, &f).await?.items });
        }
    }
    // The headline: the newest photo news with its picture (the 焦点图 of a government site),
    // else the newest post of the first column; under it the first column's latest titles.
    let photos = photo_posts(state, &site, at, 1, PHOTO_STRIP).await?.0;
    let headline = match photos.first() {
        Some((p, img)) => Some((p.clone(), Some(img.clone()))),
        None => blocks.first().and_then(|b| b.posts.first()).cloned().map(|p| (p, None)),
    };
    let headline_id = headline.as_ref().map(|h| h.0.id);
    let latest: Vec<Post> = blocks
        .first()
        .map(|b| b.posts.iter().filter(|p| Some(p.id) != headline_id).take(4).cloned().collect())
        .unwrap_or_default();
    let (ranking_title, ranking) = website_ranking(state, &site, l).await?;
    let notices = open_notices(state, &site, l).await?;
    let meta = Meta::new(state, &site, "", "", &format!("{}/", site.base));
    render(HomePage { l, site, meta, headline, latest, blocks, photos, ranking_title, ranking, notices })
}

/// Live posts of the photo columns that have a picture, newest first, with the picture.
async fn photo_posts(
    state: &AppState,
    site: &Site,
    at: i64,
    page: u64,
    per_page: u64,
) -> AppResult<(Vec<(Post, ImageMeta)>, u64)> {
    let mut out = Vec::new();
    let mut total = 0;
    for c in site.columns.iter().filter(|c| c.kind == ColumnKind::Photos) {
        let f = PostFilter { column: Some(c.id), page, per_page, ..PostFilter::live(site.station.id, at) };
        let found = app::site::live_posts(&state.store, &f).await?;
        total += found.total;
        for p in found.items {
            if let Some(i) = p.cover_image_id
                && let Some(img) = app::site::image(&state.store, site.station.id, i).await
            {
                out.push((p, img));
            }
        }
    }
    Ok((out, total))
}

/// The month's ranking of units by what the station's website adopted from them (the seed's
/// 比学赶 column); without a website outlet set, by all placements.
async fn website_ranking(state: &AppState, site: &Site, l: L) -> AppResult<(String, Vec<(String, i64)>)> {
    let station = site.station.id;
    let month = default_month(state, station).await?;
    let words = rw::period_words(&month.to_string());
    match site.station.portal_outlet_id {
        Some(outlet) => {
            let rows = state.store.outlet_counts_by_unit(station, outlet, month.from, month.to).await?;
            Ok((format!("{words}{}", l.t("各单位网站采用排名")), rows))
        }
        None => {
            let rows = state.store.counts_by_unit(station, month.from, month.to).await?;
            let rows = rows
                .into_iter()
                .filter(|r| r.placements > 0)
                .filter_map(|r| Some((r.unit_name?, r.placements)))
                .collect();
            Ok((format!("{words}{}", l.t("各单位刊发排名")), rows))
        }
    }
}

/// Published notices: those open for objections first, then the latest closed ones.
async fn open_notices(state: &AppState, site: &Site, l: L) -> AppResult<Vec<NoticeItem>> {
    let mut items: Vec<NoticeItem> = state
        .store
        .statements(site.station.id)
        .await?
        .into_iter()
        .filter(|s| s.status != StatementStatus::Draft)
        .map(|s| NoticeItem {
            id: s.id,
            title: format!("{}{}", rw::period_words(&s.period), l.t("宣传报道奖励公示")),
            open: s.status == StatementStatus::Published,
            until: s.objection_until.map(domain::format_date).unwrap_or_default(),
        })
        .collect();
    items.sort_by_key(|n| (!n.open, std::cmp::Reverse(n.id)));
    items.truncate(6);
    Ok(items)
}

// ---- column ----

#[derive(Template)]
#[template(path = "portal/column.html")]
struct ColumnPage {
    l: L,
    site: Site,
    meta: Meta,
    column: PortalColumn,
    posts: Vec<Post>,
    notices: Vec<NoticeItem>,
    page: u64,
    pages: u64,
}

impl ColumnPage {
    fn date(&self, p: &Post) -> String {
        p.publish_at.map(date).unwrap_or_default()
    }
}

pub async fn column(
    State(state): State<AppState>,
    Path((st, slug)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let column = site.column(&slug)?;
        if column.kind == ColumnKind::Stats {
            // The statistics column is a page of its own; its address under /c/ still works.
            return Err(AppError::NotFound);
        }
        if column.kind == ColumnKind::Photos {
            return render_gallery(state, site.with_nav(&slug), l, crate::ops::page_number(&q.page)?, Some(column))
                .await;
        }
        let page_no = crate::ops::page_number(&q.page)?;
        let f = PostFilter {
            column: Some(column.id),
            page: page_no,
            per_page: PER_PAGE,
            ..PostFilter::live(site.station.id, now())
        };
        let found = app::site::live_posts(&state.store, &f).await?;
        if page_no > 1 && found.items.is_empty() {
            return Err(AppError::NotFound);
        }
        let notices = if column.kind == ColumnKind::Notices && page_no == 1 {
            open_notices(state, &site, l).await?
        } else {
            Vec::new()
        };
        let path = if page_no > 1 {
            format!("{}/c/{}?page={page_no}", site.base, column.slug)
        } else {
            format!("{}/c/{}", site.base, column.slug)
        };
        let mut meta = Meta::new(state, &site, &column.name, "", &path);
        meta.feeds = Some((
            format!("{}/c/{}/feed.xml", site.base, column.slug),
            format!("{}/c/{}/atom.xml", site.base, column.slug),
        ));
        let pages = found.pages();
        render(ColumnPage {
            l,
            site: site.with_nav(&slug),
            meta,
            column,
            posts: found.items,
            notices,
            page: page_no,
            pages,
        })
    })
    .await
}

// ---- article ----

/// An article page's content; the editors' preview renders the same template.
pub struct ArticleView {
    pub post: Post,
    pub cover: Option<ImageMeta>,
    pub more: Vec<Post>,
    /// An editor's preview of a post not (yet) live: shown with a banner, never cached.
    pub preview: bool,
}

#[derive(Template)]
#[template(path = "portal/article.html")]
struct ArticlePage {
    l: L,
    site: Site,
    meta: Meta,
    a: ArticleView,
}

impl ArticlePage {
    fn date(&self, p: &Post) -> String {
        p.publish_at.map(date).unwrap_or_default()
    }
}

/// Renders an article (live, or an editor's preview).
pub async fn render_article(state: &AppState, site: Site, l: L, post: Post, preview: bool) -> AppResult<Rendered> {
    let cover = match post.cover_image_id {
        Some(i) => app::site::image(&state.store, site.station.id, i).await,
        None => None,
    };
    let f = PostFilter { column: Some(post.column_id), per_page: 6, ..PostFilter::live(site.station.id, now()) };
    let more: Vec<Post> =
        app::site::live_posts(&state.store, &f).await?.items.into_iter().filter(|p| p.id != post.id).take(5).collect();
    let description = if post.subtitle.is_empty() { post.summary.clone() } else { post.subtitle.clone() };
    let meta = Meta::new(state, &site, &post.title, &description, &site.post_url(&post.id));
    let slug = post.column_slug.clone();
    render(ArticlePage { l, site: site.with_nav(&slug), meta, a: ArticleView { post, cover, more, preview } })
}

pub async fn article(
    State(state): State<AppState>,
    Path((st, id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let id: PostId = id.parse().map_err(|_| AppError::NotFound)?;
        let post = app::site::live_post(&state.store, site.station.id, id).await?;
        render_article(state, site, l, post, false).await
    })
    .await
}

// ---- gallery ----

#[derive(Template)]
#[template(path = "portal/gallery.html")]
struct GalleryPage {
    l: L,
    site: Site,
    meta: Meta,
    title: String,
    photos: Vec<(Post, ImageMeta)>,
    page: u64,
    pages: u64,
    path: String,
}

impl GalleryPage {
    fn date(&self, p: &Post) -> String {
        p.publish_at.map(date).unwrap_or_default()
    }
}

async fn render_gallery(
    state: &AppState,
    site: Site,
    l: L,
    page_no: u64,
    column: Option<PortalColumn>,
) -> AppResult<Rendered> {
    let page_no = page_no.max(1);
    let (photos, total) = photo_posts(state, &site, now(), page_no, PER_PAGE).await?;
    if page_no > 1 && photos.is_empty() {
        return Err(AppError::NotFound);
    }
    let title = column.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| l.t("图片新闻").to_string());
    let path = match &column {
        Some(c) => format!("{}/c/{}", site.base, c.slug),
        None => format!("{}/gallery", site.base),
    };
    let canonical = if page_no > 1 { format!("{path}?page={page_no}") } else { path.clone() };
    let meta = Meta::new(state, &site, &title, "", &canonical);
    let pages = total.div_ceil(PER_PAGE).max(1);
    render(GalleryPage { l, site, meta, title, photos, page: page_no, pages, path })
}

pub async fn gallery(
    State(state): State<AppState>,
    Path(st): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let slug =
            site.columns.iter().find(|c| c.kind == ColumnKind::Photos).map(|c| c.slug.clone()).unwrap_or_default();
        render_gallery(state, site.with_nav(&slug), l, crate::ops::page_number(&q.page)?, None).await
    })
    .await
}

// ---- contributor ----

#[derive(Template)]
#[template(path = "portal/person.html")]
struct PersonPage {
    l: L,
    site: Site,
    meta: Meta,
    name: String,
    unit: String,
    posts: Vec<Post>,
    docs: Vec<store::DocumentMeta>,
    total: u64,
    page: u64,
    pages: u64,
}

impl PersonPage {
    fn date(&self, p: &Post) -> String {
        p.publish_at.map(date).unwrap_or_default()
    }
    fn date_of(&self, t: &i64) -> String {
        date(*t)
    }
}

pub async fn person(
    State(state): State<AppState>,
    Path((st, id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let id: CorrespondentId = id.parse().map_err(|_| AppError::NotFound)?;
        let page_no = crate::ops::page_number(&q.page)?;
        let app::site::AuthorPage { person, posts: found, documents: docs, unit } =
            app::site::author(&state.store, site.station.id, id, page_no, PER_PAGE).await?;
        let description = format!("{}{}", person.name, l.t("的稿件"));
        let meta = Meta::new(state, &site, &person.name, &description, &site.person_url(&id));
        let pages = found.pages();
        render(PersonPage {
            l,
            site,
            meta,
            name: person.name,
            unit,
            posts: found.items,
            docs,
            total: found.total,
            page: page_no,
            pages,
        })
    })
    .await
}

// ---- the statistics column and notices ----

#[derive(Template)]
#[template(path = "portal/stats.html")]
struct StatsPage {
    l: L,
    site: Site,
    meta: Meta,
    v: StatsView,
}

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    period: Option<String>,
    ledger: Option<String>,
}

pub async fn stats(
    State(state): State<AppState>,
    Path(st): Path<String>,
    Query(q): Query<StatsQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let v = stats_view(state, site.station.id, q.period.as_deref(), q.ledger.as_deref(), l).await?;
        let slug =
            site.columns.iter().find(|c| c.kind == ColumnKind::Stats).map(|c| c.slug.clone()).unwrap_or_default();
        let title = format!(
            "{}{}",
            l.t("统计专栏"),
            if v.period_text.is_empty() { String::new() } else { format!(" · {}", v.period_text) }
        );
        let meta = Meta::new(state, &site, &title, "", &format!("{}/stats", site.base));
        render(StatsPage { l, site: site.with_nav(&slug), meta, v })
    })
    .await
}

#[derive(Template)]
#[template(path = "portal/notice.html")]
struct NoticePage {
    l: L,
    site: Site,
    meta: Meta,
    doc: office::NoticeDoc,
    id: StatementId,
    open: bool,
}

pub async fn notice(
    State(state): State<AppState>,
    Path((st, id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let id: StatementId = id.parse().map_err(|_| AppError::NotFound)?;
        let (record, statement) = app::site::notice(&state.store, site.station.id, id).await?;
        let doc = rw::notice_doc(&statement, &site.station.name, &record);
        let slug =
            site.columns.iter().find(|c| c.kind == ColumnKind::Notices).map(|c| c.slug.clone()).unwrap_or_default();
        let meta = Meta::new(
            state,
            &site,
            &doc.title,
            &doc.intro.first().cloned().unwrap_or_default(),
            &format!("{}/notices/{id}", site.base),
        );
        let open = record.status == StatementStatus::Published;
        render(NoticePage { l, site: site.with_nav(&slug), meta, doc, id, open })
    })
    .await
}

// ---- images ----

/// `/site/{st}/images/{id}` (display size) and `{id}-thumb`. Images never change once
/// uploaded (a new picture is a new image), so browsers may keep them for a year.
pub async fn image(
    State(state): State<AppState>,
    Path((st, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (id, thumb) = match file.strip_suffix("-thumb") {
        Some(id) => (id, true),
        None => (file.as_str(), false),
    };
    let Ok(id) = id.parse::<ImageId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"img-{id}{}\"", if thumb { "-t" } else { "" });
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let station = match app::site::station(&state.store, &st).await {
        Ok(s) => s,
        Err(app::Error::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    match app::site::image_bytes(&state.store, station.id, id, thumb).await {
        Ok((mime, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("image/jpeg"))),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
                (header::ETAG, HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"img\""))),
            ],
            bytes,
        )
            .into_response(),
        Err(app::Error::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// A published post waiting for its time.
pub fn is_scheduled(p: &Post) -> bool {
    p.status == PostStatus::Published && p.publish_at.is_some_and(|t| t > now())
}
