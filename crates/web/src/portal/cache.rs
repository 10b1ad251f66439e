//! The portal's page cache and conditional requests. Public pages are rendered once and kept
//! in memory; every successful write to this server (any POST, PUT, PATCH or DELETE that did
//! not fail) moves a generation counter, and a page rendered under an older generation is
//! rendered again on its next request, so a visitor never sees a page older than the last
//! publish. Writes by another process (the CLI importing placements, a second server on
//! PostgreSQL) and scheduled posts coming due are picked up within `MAX_AGE`.
//!
//! Every cached page carries a strong `ETag` (a hash of its bytes) and a `Last-Modified` (when
//! those bytes last changed), and answers `If-None-Match` / `If-Modified-Since` with 304.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How long a page is served without rendering it again when nothing was written through this
/// server: the bound on staleness for writes made elsewhere.
pub const MAX_AGE: Duration = Duration::from_secs(2);
/// Pages kept; beyond this the cache is emptied (rendering is cheap, memory is bounded).
const MAX_ENTRIES: usize = 2000;

/// A rendered page or feed.
#[derive(Clone)]
pub struct Rendered {
    pub body: Bytes,
    pub content_type: &'static str,
    /// 200 normally; 404 and 410 pages are cached too (a taken-down page is asked for often).
    pub status: StatusCode,
}

impl Rendered {
    pub fn html(body: String) -> Rendered {
        Rendered { body: Bytes::from(body), content_type: "text/html; charset=utf-8", status: StatusCode::OK }
    }
}

#[derive(Clone)]
struct Entry {
    generation: u64,
    rendered_at: Instant,
    etag: HeaderValue,
    last_modified: SystemTime,
    /// `last_modified` as the header, formatted once.
    last_modified_header: HeaderValue,
    page: Rendered,
}

#[derive(Default)]
pub struct PageCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
    /// One lock per page, so that one request renders it while the others wait for that
    /// rendering (or keep serving the current one): never thirty-two renders of the same page.
    gates: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl PageCache {
    /// Called after every successful write: every cached page is out of date.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Drops the cached pages whose address starts with `path` (in every language): for a
    /// change made by a GET, such as a download counted, which moves no generation.
    pub fn forget(&self, path: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|key, _| !key.split_once('|').is_some_and(|(_, p)| p.starts_with(path)));
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The cached page for `key` if it is still current.
    fn fresh(&self, key: &str) -> Option<Entry> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let e = entries.get(key)?;
        (e.generation == self.generation() && e.rendered_at.elapsed() < MAX_AGE).then(|| e.clone())
    }

    /// The entry for `key` rendered under the current generation, however old.
    fn current(&self, key: &str) -> Option<Entry> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).filter(|e| e.generation == self.generation()).cloned()
    }

    fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        if gates.len() >= MAX_ENTRIES && !gates.contains_key(key) {
            gates.clear();
        }
        gates.entry(key.to_string()).or_default().clone()
    }

    /// Stores a page rendered under `generation` (read before rendering began, so a write
    /// that lands during the rendering makes it stale at once) and returns its entry.
    fn store(&self, key: String, generation: u64, page: Rendered) -> Entry {
        let etag = etag_of(&page.body);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Last-Modified moves only when the bytes change.
        let last_modified = match entries.get(&key) {
            Some(old) if old.etag == etag => old.last_modified,
            _ => whole_seconds(SystemTime::now()),
        };
        let last_modified_header = HeaderValue::from_str(&httpdate::fmt_http_date(last_modified))
            .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
        let entry = Entry { generation, rendered_at: Instant::now(), etag, last_modified, last_modified_header, page };
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, entry.clone());
        entry
    }

    /// The answer for `key` if its page is cached and current; `None` asks the page's handler.
    pub fn hit(&self, key: &str, headers: &HeaderMap) -> Option<Response> {
        self.fresh(key).map(|e| respond(&e, headers))
    }

    /// Serves `key` from the cache, or renders it with `render` and caches it; answers a
    /// conditional request with 304 when the client's copy is current.
    pub async fn serve<F, Fut>(&self, key: String, headers: &HeaderMap, render: F) -> crate::AppResult<Response>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = crate::AppResult<Rendered>>,
    {
        if let Some(e) = self.fresh(&key) {
            return Ok(respond(&e, headers));
        }
        let gate = self.gate(&key);
        let _rendering = match (gate.clone().try_lock_owned(), self.current(&key)) {
            (Ok(guard), _) => guard,
            // Only old by `MAX_AGE`, nothing written since: while another request renders
            // it again, this one is served the page as it was a moment ago.
            (Err(_), Some(e)) => return Ok(respond(&e, headers)),
            // Something was written: wait for the one rendering, never serve the old page.
            (Err(_), None) => gate.lock_owned().await,
        };
        if let Some(e) = self.fresh(&key) {
            return Ok(respond(&e, headers));
        }
        let generation = self.generation();
        let page = render().await?;
        let entry = self.store(key, generation, page);
        Ok(respond(&entry, headers))
    }
}

fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let tag = format!("\"{}\"", hex::encode(&digest[..12]));
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

/// Whether the client's copy (by `If-None-Match`, else `If-Modified-Since`) is current.
fn not_modified(entry: &Entry, headers: &HeaderMap) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        let ours = entry.etag.to_str().unwrap_or_default();
        return inm.split(',').map(str::trim).any(|t| t == "*" || t == ours || t.strip_prefix("W/") == Some(ours));
    }
    if let Some(ims) = headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok())
        && let Ok(since) = httpdate::parse_http_date(ims)
    {
        return entry.last_modified <= since;
    }
    false
}

/// The cached page as a response, or a 304. It carries the security headers itself: a page
/// answered by `portal::cached` never passes the layers that add them.
fn respond(entry: &Entry, headers: &HeaderMap) -> Response {
    let modified = !(entry.page.status == StatusCode::OK && not_modified(entry, headers));
    let mut resp = if modified {
        let mut r = Response::new(axum::body::Body::from(entry.page.body.clone()));
        *r.status_mut() = entry.page.status;
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(entry.page.content_type));
        r
    } else {
        StatusCode::NOT_MODIFIED.into_response()
    };
    let h = resp.headers_mut();
    h.insert(header::ETAG, entry.etag.clone());
    h.insert(header::LAST_MODIFIED, entry.last_modified_header.clone());
    // Browsers and proxies may keep a copy but must ask before using it: a 304 is cheap, and
    // nobody is shown yesterday's front page.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
    for (name, value) in crate::SECURITY_HEADERS {
        h.insert(name, HeaderValue::from_static(value));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Rendered {
        Rendered::html(text.to_string())
    }

    #[tokio::test]
    async fn renders_once_then_serves_until_a_write() {
        let cache = PageCache::default();
        let renders = std::sync::atomic::AtomicU32::new(0);
        let render = || async {
            renders.fetch_add(1, Ordering::SeqCst);
            Ok(page("a"))
        };
        let h = HeaderMap::new();
        let r1 = cache.serve("k".into(), &h, render).await.unwrap();
        let r2 = cache.serve("k".into(), &h, render).await.unwrap();
        assert_eq!(renders.load(Ordering::SeqCst), 1);
        assert_eq!(r1.headers()[header::ETAG], r2.headers()[header::ETAG]);
        cache.invalidate();
        cache.serve("k".into(), &h, render).await.unwrap();
        assert_eq!(renders.load(Ordering::SeqCst), 2, "a write makes the page render again");
    }

    #[tokio::test]
    async fn a_write_during_rendering_is_not_hidden() {
        let cache = PageCache::default();
        let h = HeaderMap::new();
        // The write lands while the old content is being rendered.
        cache
            .serve("k".into(), &h, || async {
                cache.invalidate();
                Ok(page("old"))
            })
            .await
            .unwrap();
        let r = cache.serve("k".into(), &h, || async { Ok(page("new")) }).await.unwrap();
        let body = axum::body::to_bytes(r.into_body(), 100).await.unwrap();
        assert_eq!(&body[..], b"new");
    }

    #[tokio::test]
    async fn forgetting_a_path_renders_only_its_pages_again() {
        let cache = PageCache::default();
        let h = HeaderMap::new();
        for key in ["zh|/site/hb/docs/1", "en|/site/hb/docs/1?sent=x", "zh|/site/hb/"] {
            cache.serve(key.into(), &h, || async { Ok(page("old")) }).await.unwrap();
        }
        cache.forget("/site/hb/docs");
        let body = |r: Response| async { axum::body::to_bytes(r.into_body(), 100).await.unwrap() };
        let r = cache.serve("en|/site/hb/docs/1?sent=x".into(), &h, || async { Ok(page("new")) }).await.unwrap();
        assert_eq!(&body(r).await[..], b"new");
        let r = cache.serve("zh|/site/hb/".into(), &h, || async { Ok(page("new")) }).await.unwrap();
        assert_eq!(&body(r).await[..], b"old", "other pages stay");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_requests_at_once_render_a_page_once() {
        let cache = Arc::new(PageCache::default());
        let renders = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let (cache, renders) = (cache.clone(), renders.clone());
            tasks.push(tokio::spawn(async move {
                let r = cache
                    .serve("k".into(), &HeaderMap::new(), || async {
                        renders.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(page("a"))
                    })
                    .await
                    .unwrap();
                axum::body::to_bytes(r.into_body(), 100).await.unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(&t.await.unwrap()[..], b"a", "every request gets the page, none an old one");
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn conditional_requests() {
        let cache = PageCache::default();
        let r = cache.serve("k".into(), &HeaderMap::new(), || async { Ok(page("a")) }).await.unwrap();
        let etag = r.headers()[header::ETAG].clone();
        let lm = r.headers()[header::LAST_MODIFIED].clone();
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, etag.clone());
        let r = cache.serve("k".into(), &h, || async { Ok(page("a")) }).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert_eq!(cache.serve("k".into(), &h, || async { Ok(page("a")) }).await.unwrap().status(), StatusCode::OK);
        let mut h = HeaderMap::new();
        h.insert(header::IF_MODIFIED_SINCE, lm.clone());
        assert_eq!(
            cache.serve("k".into(), &h, || async { Ok(page("a")) }).await.unwrap().status(),
            StatusCode::NOT_MODIFIED
        );
        // Same bytes after a write: same ETag, same Last-Modified.
        cache.invalidate();
        let r = cache.serve("k".into(), &HeaderMap::new(), || async { Ok(page("a")) }).await.unwrap();
        assert_eq!((r.headers()[header::ETAG].clone(), r.headers()[header::LAST_MODIFIED].clone()), (etag.clone(), lm));
        cache.invalidate();
        let r = cache.serve("k".into(), &HeaderMap::new(), || async { Ok(page("b")) }).await.unwrap();
        assert_ne!(r.headers()[header::ETAG], etag);
    }
}
