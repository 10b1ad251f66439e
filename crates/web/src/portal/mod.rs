//! The public portal (门户): each station's website at `/site/{station}/`, fed by the same
//! data as the back office. Columns, articles, photo news, the statistics column and the
//! notices (公示), feeds, the sitemap and search. No login and no session here: the pages are
//! the same for every visitor (but for the language), so they are rendered once and served
//! from `cache` until something is written.

mod cache;
mod docs;
mod feeds;
mod public;
mod search;

pub use cache::{PageCache, Rendered};
pub use public::{ArticleView, Site, is_scheduled, render_article};

use crate::i18n::L;
use crate::{AppError, AppResult, AppState};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// What the portal keeps beside the database: the page cache, the search index, and the key
/// that turns visitors' addresses into the hashes comments are rate-limited by.
pub struct Portal {
    pub cache: PageCache,
    pub search: search::PortalSearch,
    pub client_salt: String,
    /// Pages answered by `cached`, for `/metrics` (taken from the recorder once, so that a
    /// cached page does not look its counter up by name).
    hits: metrics::Counter,
    hit_seconds: metrics::Histogram,
}

impl Portal {
    /// Created after the metrics recorder is installed (when there is one).
    pub fn new() -> Self {
        Portal {
            cache: PageCache::default(),
            search: search::PortalSearch::default(),
            client_salt: crate::auth::random_token(24),
            hits: metrics::counter!("tonglian_http_requests_total", "method" => "GET", "route" => "/site (cached)", "status" => "200"),
            hit_seconds: metrics::histogram!("tonglian_http_request_seconds", "method" => "GET"),
        }
    }
}

impl Default for Portal {
    fn default() -> Self {
        Self::new()
    }
}

/// The answer to a GET of a portal page that is in the cache and current, if it is one. It is
/// the answer the page's handler would give (the handler looks up the same key and finds the
/// same entry); for anything else the request goes on to the router and the handler renders,
/// waits for a rendering, or errs.
pub fn cached(state: &AppState, req: &Request) -> Option<Response> {
    if req.method() != Method::GET || !req.uri().path().starts_with("/site/") {
        return None;
    }
    let start = std::time::Instant::now();
    let key = cache_key(locale_of(req.headers()), req.uri());
    let resp = state.portal.cache.hit(&key, req.headers())?;
    state.portal.hits.increment(1);
    state.portal.hit_seconds.record(start.elapsed().as_secs_f64());
    Some(resp)
}

/// The cache key of a portal page: the visitor's language and the address with its query.
pub fn cache_key(l: L, uri: &axum::http::Uri) -> String {
    format!("{}|{}", l.code(), uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/site", get(public::site_root))
        .route("/site/", get(public::site_root))
        .route("/site/{st}", get(public::add_slash))
        .route("/site/{st}/", get(public::home))
        .route("/site/{st}/c/{slug}", get(public::column))
        .route("/site/{st}/c/{slug}/feed.xml", get(feeds::column_rss))
        .route("/site/{st}/c/{slug}/atom.xml", get(feeds::column_atom))
        .route("/site/{st}/posts/{id}", get(public::article))
        .route("/site/{st}/gallery", get(public::gallery))
        .route("/site/{st}/people/{id}", get(public::person))
        .route("/site/{st}/stats", get(public::stats))
        .route("/site/{st}/search", get(search::search_page))
        .route("/site/{st}/docs", get(docs::list))
        .route("/site/{st}/docs/{id}", get(docs::show))
        .route("/site/{st}/docs/{id}/download", get(docs::download))
        .route("/site/{st}/docs/{id}/comments", axum::routing::post(docs::comment))
        .route("/site/{st}/docs/{id}/complaint", get(docs::complaint_form).post(docs::complaint))
        .route("/site/{st}/notices/{id}", get(public::notice))
        .route("/site/{st}/images/{file}", get(public::image))
        .route("/site/{st}/feed.xml", get(feeds::site_rss))
        .route("/site/{st}/atom.xml", get(feeds::site_atom))
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/robots.txt", get(feeds::robots))
}

/// After every write that succeeded, the cached pages are out of date. Writes are the only
/// way content changes through this server, so this one hook keeps every page correct.
pub async fn invalidate_on_write(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let resp = next.run(req).await;
    if writes && (resp.status().is_success() || resp.status().is_redirection()) {
        state.portal.cache.invalidate();
    }
    resp
}

/// The visitor's language: the `lang` cookie the back office sets, else Chinese.
pub fn locale_of(headers: &HeaderMap) -> L {
    let en = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|kv| kv.trim() == "lang=en");
    L::new(if en { "en" } else { "zh" })
}

/// A date (unix seconds) in China time, as 2007-06-05.
pub fn date(ts: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(ts) {
        Ok(t) => {
            let t = t.to_offset(domain::CHINA_OFFSET);
            format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
        }
        Err(_) => String::new(),
    }
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Turns an error into the response a portal visitor gets (pages render their own 404/410).
pub fn error_response(e: AppError) -> Response {
    e.into_response()
}

/// The absolute address of a path on this site, for canonical links, feeds and the sitemap.
pub fn absolute(state: &AppState, path: &str) -> String {
    format!("{}{}", state.config.public_url.trim_end_matches('/'), path)
}

pub type PortalResult = AppResult<Rendered>;
