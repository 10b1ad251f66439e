//! Feeds and discovery: RSS 2.0 and Atom for the whole site and for each column, the
//! `sitemap.xml` of every station's portal, and `robots.txt`. Written as plain XML with every
//! text escaped; served through the page cache like the pages.

use super::public::{Site, page};
use super::{Rendered, absolute, now};
use crate::{AppError, AppResult, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use domain::ColumnKind;
use domain::text::escape_html;
use store::{Post, PostFilter};
use time::format_description::well_known::{Rfc2822, Rfc3339};

/// Items in a feed.
const FEED_ITEMS: u64 = 30;

fn rfc2822(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.to_offset(domain::CHINA_OFFSET).format(&Rfc2822).ok())
        .unwrap_or_default()
}

fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.to_offset(domain::CHINA_OFFSET).format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The feed's posts: the column's, or the whole site's.
async fn feed_posts(state: &AppState, site: &Site, slug: Option<&str>) -> AppResult<(String, String, Vec<Post>)> {
    let mut f = PostFilter { per_page: FEED_ITEMS, ..PostFilter::live(site.station.id, now()) };
    let (title, path) = match slug {
        Some(slug) => {
            let c = site
                .columns
                .iter()
                .find(|c| c.slug == slug && c.kind != ColumnKind::Stats)
                .ok_or(AppError::NotFound)?;
            f.column = Some(c.id);
            (format!("{} - {}", c.name, site.station.name), format!("{}/c/{}", site.base, c.slug))
        }
        None => (site.station.name.clone(), format!("{}/", site.base)),
    };
    Ok((title, path, state.store.posts(&f).await?.items))
}

fn rss(state: &AppState, site: &Site, title: &str, path: &str, self_path: &str, posts: &[Post]) -> Rendered {
    let mut x = String::with_capacity(8192);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
    x.push_str(&format!("<title>{}</title>\n", escape_html(title)));
    x.push_str(&format!("<link>{}</link>\n", escape_html(&absolute(state, path))));
    x.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        escape_html(&absolute(state, self_path))
    ));
    let description =
        if site.station.portal_intro.is_empty() { &site.station.name } else { &site.station.portal_intro };
    x.push_str(&format!("<description>{}</description>\n<language>zh-CN</language>\n", escape_html(description)));
    if let Some(t) = posts.iter().filter_map(|p| p.publish_at).max() {
        x.push_str(&format!("<lastBuildDate>{}</lastBuildDate>\n", rfc2822(t)));
    }
    for p in posts {
        let link = absolute(state, &site.post_url(&p.id));
        x.push_str("<item>\n");
        x.push_str(&format!("<title>{}</title>\n<link>{}</link>\n", escape_html(&p.title), escape_html(&link)));
        x.push_str(&format!("<guid isPermaLink=\"true\">{}</guid>\n", escape_html(&link)));
        if let Some(t) = p.publish_at {
            x.push_str(&format!("<pubDate>{}</pubDate>\n", rfc2822(t)));
        }
        x.push_str(&format!("<category>{}</category>\n", escape_html(&p.column_name)));
        if !p.byline.is_empty() {
            x.push_str(&format!("<dc:creator>{}</dc:creator>\n", escape_html(&p.byline)));
        }
        x.push_str(&format!("<description>{}</description>\n", escape_html(&p.summary)));
        x.push_str("</item>\n");
    }
    x.push_str("</channel>\n</rss>\n");
    Rendered { content_type: "application/rss+xml; charset=utf-8", ..Rendered::html(x) }
}

fn atom(state: &AppState, site: &Site, title: &str, path: &str, self_path: &str, posts: &[Post]) -> Rendered {
    let mut x = String::with_capacity(8192);
    // When the feed last changed: its newest post's time. A station without a live post yet
    // has had its feed since it was made (not since 1970, which readers show as the date).
    let newest = posts.iter().map(|p| p.updated_at.max(p.publish_at.unwrap_or(0))).max();
    let updated = newest.unwrap_or(site.station.created_at);
    let updated = if updated > 0 { updated } else { now() };
    x.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n",
    );
    x.push_str(&format!("<title>{}</title>\n", escape_html(title)));
    x.push_str(&format!("<id>{}</id>\n", escape_html(&absolute(state, self_path))));
    x.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape_html(&absolute(state, path))
    ));
    x.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape_html(&absolute(state, self_path))
    ));
    x.push_str(&format!("<updated>{}</updated>\n", rfc3339(updated)));
    x.push_str(&format!("<author><name>{}</name></author>\n", escape_html(&site.station.name)));
    for p in posts {
        let link = absolute(state, &site.post_url(&p.id));
        x.push_str("<entry>\n");
        x.push_str(&format!("<title>{}</title>\n<id>{}</id>\n", escape_html(&p.title), escape_html(&link)));
        x.push_str(&format!("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", escape_html(&link)));
        let published = p.publish_at.unwrap_or(p.created_at);
        x.push_str(&format!("<published>{}</published>\n", rfc3339(published)));
        x.push_str(&format!("<updated>{}</updated>\n", rfc3339(p.updated_at.max(published))));
        if !p.byline.is_empty() {
            x.push_str(&format!("<author><name>{}</name></author>\n", escape_html(&p.byline)));
        }
        x.push_str(&format!("<category term=\"{}\"/>\n", escape_html(&p.column_name)));
        x.push_str(&format!("<summary>{}</summary>\n", escape_html(&p.summary)));
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    Rendered { content_type: "application/atom+xml; charset=utf-8", ..Rendered::html(x) }
}

async fn feed(
    state: AppState,
    st: String,
    slug: Option<String>,
    is_atom: bool,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let self_path = uri.path().to_string();
    let state = &state;
    page(state, &headers, &uri, &st, |site, _| async move {
        let (title, path, posts) = feed_posts(state, &site, slug.as_deref()).await?;
        Ok(if is_atom {
            atom(state, &site, &title, &path, &self_path, &posts)
        } else {
            rss(state, &site, &title, &path, &self_path, &posts)
        })
    })
    .await
}

pub async fn site_rss(State(state): State<AppState>, Path(st): Path<String>, headers: HeaderMap, uri: Uri) -> Response {
    feed(state, st, None, false, headers, uri).await
}

pub async fn site_atom(
    State(state): State<AppState>,
    Path(st): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    feed(state, st, None, true, headers, uri).await
}

pub async fn column_rss(
    State(state): State<AppState>,
    Path((st, slug)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    feed(state, st, Some(slug), false, headers, uri).await
}

pub async fn column_atom(
    State(state): State<AppState>,
    Path((st, slug)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    feed(state, st, Some(slug), true, headers, uri).await
}

/// Every station's home, columns, gallery, statistics and live articles.
pub async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = state
        .portal
        .cache
        .serve("sitemap".into(), &headers, || async {
            let mut x = String::with_capacity(64 * 1024);
            x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
            let url = |x: &mut String, path: &str, lastmod: Option<i64>| {
                x.push_str(&format!("<url><loc>{}</loc>", escape_html(&absolute(&state, path))));
                if let Some(t) = lastmod {
                    x.push_str(&format!("<lastmod>{}</lastmod>", super::date(t)));
                }
                x.push_str("</url>\n");
            };
            for station in state.store.stations().await? {
                let site = Site::load(&state, &station.code).await?;
                let posts = state.store.live_posts(station.id, now()).await?;
                url(&mut x, &format!("{}/", site.base), posts.iter().filter_map(|p| p.publish_at).max());
                for c in &site.columns {
                    url(&mut x, &site.column_url(c), None);
                }
                url(&mut x, &format!("{}/gallery", site.base), None);
                for p in &posts {
                    url(&mut x, &site.post_url(&p.id), Some(p.updated_at.max(p.publish_at.unwrap_or(0))));
                }
                url(&mut x, &format!("{}/docs", site.base), None);
                let docs = store::DocumentFilter { per_page: 200, ..store::DocumentFilter::published(station.id) };
                for d in state.store.documents(&docs).await?.items {
                    url(&mut x, &format!("{}/docs/{}", site.base, d.id), Some(d.published_at));
                }
            }
            x.push_str("</urlset>\n");
            Ok(Rendered { content_type: "application/xml; charset=utf-8", ..Rendered::html(x) })
        })
        .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /site/\nDisallow: /api/\nDisallow: /login\nSitemap: {}\n",
        absolute(&state, "/sitemap.xml")
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
