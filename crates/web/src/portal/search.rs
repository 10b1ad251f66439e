//! Search on the portal: the full-text index (the `search` crate, in memory) and the results
//! page. The index is derived from the database: built on the first search after start, then
//! kept in step by the editors' writes through `reindex_post`. Published posts are indexed
//! with their publish time, scheduled ones included; a search finds only those already live.

use super::now;
use super::public::{Meta, Site, page, render};
use crate::i18n::L;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use domain::{DocumentId, PostId, PostStatus, StationId};
use search::{DocKind, SearchDoc, SearchIndex, SearchResults};
use serde::Deserialize;

const PER_PAGE: usize = 10;

/// The index, once built. The lock is held while building and while applying a change, so a
/// change that lands during the first build is applied after it, never lost under it.
#[derive(Default)]
pub struct PortalSearch {
    index: tokio::sync::Mutex<Option<SearchIndex>>,
}

fn post_doc(p: &store::Post) -> Option<SearchDoc> {
    if p.status != PostStatus::Published {
        return None;
    }
    let mut body = domain::portal::html_to_text(&p.body_html);
    if !p.subtitle.is_empty() {
        body = format!("{}\n{body}", p.subtitle);
    }
    Some(SearchDoc {
        kind: DocKind::Post,
        id: p.id.0,
        station_id: p.station_id.0,
        title: p.title.clone(),
        body,
        published: p.publish_at?,
        column: p.column_name.clone(),
    })
}

fn document_doc(d: &store::DocumentMeta, text: String) -> SearchDoc {
    let body = if d.summary.is_empty() { text } else { format!("{}\n{text}", d.summary) };
    SearchDoc {
        kind: DocKind::Document,
        id: d.id.0,
        station_id: d.station_id.0,
        title: d.title.clone(),
        body,
        published: d.published_at,
        column: "文档库".into(),
    }
}

impl PortalSearch {
    /// The index, building it from the database the first time.
    async fn index(&self, state: &AppState) -> AppResult<SearchIndex> {
        let mut guard = self.index.lock().await;
        if let Some(index) = guard.as_ref() {
            return Ok(index.clone());
        }
        let started = std::time::Instant::now();
        let mut docs = Vec::new();
        for station in state.store.stations().await? {
            let f = store::PostFilter {
                status: Some(PostStatus::Published),
                per_page: 200,
                ..store::PostFilter::new(station.id)
            };
            let mut page = 1;
            loop {
                let found = state.store.posts(&store::PostFilter { page, ..f.clone() }).await?;
                docs.extend(found.items.iter().filter_map(post_doc));
                if page >= found.pages() {
                    break;
                }
                page += 1;
            }
        }
        for station in state.store.stations().await? {
            let f = store::DocumentFilter { per_page: 200, ..store::DocumentFilter::published(station.id) };
            let mut page = 1;
            loop {
                let found = state.store.documents(&store::DocumentFilter { page, ..f.clone() }).await?;
                for d in &found.items {
                    let (text, _) = state.store.document_text(station.id, d.id).await?;
                    docs.push(document_doc(d, text));
                }
                if page >= found.pages() {
                    break;
                }
                page += 1;
            }
        }
        let index = tokio::task::spawn_blocking(move || {
            let index = SearchIndex::new()?;
            index.upsert_many(docs)?;
            Ok::<_, search::SearchError>(index)
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
        tracing::info!(docs = index.num_docs(), ms = started.elapsed().as_millis() as u64, "search index built");
        *guard = Some(index.clone());
        Ok(index)
    }

    /// Brings one post's entry up to date after an editor's write (added, replaced, or
    /// removed when it is no longer published). Nothing to do before the first build.
    pub async fn reindex_post(&self, state: &AppState, station: StationId, id: PostId) {
        let guard = self.index.lock().await;
        let Some(index) = guard.as_ref() else { return };
        let result = match state.store.post(station, id).await {
            Ok(p) => match post_doc(&p) {
                Some(doc) => index.upsert(doc),
                None => index.remove(DocKind::Post, id.0),
            },
            Err(store::StoreError::NotFound) => index.remove(DocKind::Post, id.0),
            Err(e) => {
                tracing::error!(error = %e, post = id.0, "search: cannot read the post");
                return;
            }
        };
        if let Err(e) = result {
            tracing::error!(error = %e, post = id.0, "search: cannot update the index");
        }
    }
}

impl PortalSearch {
    /// As `reindex_post`, for a document (removed once taken down).
    pub async fn reindex_document(&self, state: &AppState, station: StationId, id: DocumentId) {
        let guard = self.index.lock().await;
        let Some(index) = guard.as_ref() else { return };
        let doc = match state.store.document(station, id).await {
            Ok(d) if d.status == domain::DocumentStatus::Published => {
                match state.store.document_text(station, id).await {
                    Ok((text, _)) => Some(document_doc(&d, text)),
                    Err(e) => {
                        tracing::error!(error = %e, document = id.0, "search: cannot read the document");
                        return;
                    }
                }
            }
            Ok(_) | Err(store::StoreError::NotFound) => None,
            Err(e) => {
                tracing::error!(error = %e, document = id.0, "search: cannot read the document");
                return;
            }
        };
        let result = match doc {
            Some(doc) => index.upsert(doc),
            None => index.remove(DocKind::Document, id.0),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, document = id.0, "search: cannot update the index");
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/search.html")]
struct SearchPage {
    l: L,
    site: Site,
    meta: Meta,
    q: String,
    results: Option<SearchResults>,
}

impl SearchPage {
    fn url(&self, kind: &DocKind, id: &i64) -> String {
        match kind {
            DocKind::Post => self.site.post_url(&PostId(*id)),
            DocKind::Document => format!("{}/docs/{id}", self.site.base),
        }
    }
    fn date(&self, t: &i64) -> String {
        super::date(*t)
    }
    fn page_link(&self, page: usize) -> String {
        let q: String = url::form_urlencoded::byte_serialize(self.q.as_bytes()).collect();
        format!("{}/search?q={q}&page={page}", self.site.base)
    }
}

pub async fn search_page(
    State(state): State<AppState>,
    Path(st): Path<String>,
    Query(q): Query<SearchQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let text: String = q.q.trim().chars().take(100).collect();
        let results = if text.is_empty() {
            None
        } else {
            let index = state.portal.search.index(state).await?;
            let (station, query, page_no) =
                (site.station.id.0, text.clone(), crate::ops::page_number(&q.page)? as usize);
            let found = tokio::task::spawn_blocking(move || {
                index.search_until(station, &query, Some(now()), page_no, PER_PAGE)
            })
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::Internal(e.into()))?;
            Some(found)
        };
        let mut meta =
            Meta::new(state, &site, &format!("{}：{text}", l.t("搜索")), "", &format!("{}/search", site.base));
        meta.feeds = None;
        let site = Site { nav: "search".into(), ..site };
        render(SearchPage { l, site, meta, q: text, results })
    })
    .await
}
