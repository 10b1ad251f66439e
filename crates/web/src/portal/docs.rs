//! The document library's public pages: the list, a document with its preview, download
//! count, related documents and approved comments; downloading; and the two forms a visitor
//! may send without an account: a comment (moderated, rate-limited, with a honeypot field) and
//! a complaint (版权申诉). Forms without a session have no CSRF token: they are checked to
//! come from this site (`Origin`), and neither can do more than leave a note for an editor.

use super::public::{Meta, Site, page, render};
use super::{date, locale_of};
use crate::i18n::L;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use axum::extract::{ConnectInfo, Form, FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::DocumentId;
use domain::portal::CommentInput;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use store::{CommentRecord, DocumentFilter, DocumentMeta};

const PER_PAGE: u64 = 20;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/docs.html")]
struct ListPage {
    l: L,
    site: Site,
    meta: Meta,
    docs: Vec<DocumentMeta>,
    page: u64,
    pages: u64,
}

impl ListPage {
    fn date(&self, t: &i64) -> String {
        date(*t)
    }
}

pub async fn list(
    State(state): State<AppState>,
    Path(st): Path<String>,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let page_no = crate::ops::page_number(&q.page)?;
        let found = state
            .store
            .documents(&DocumentFilter {
                page: page_no,
                per_page: PER_PAGE,
                ..DocumentFilter::published(site.station.id)
            })
            .await?;
        if page_no > 1 && found.items.is_empty() {
            return Err(AppError::NotFound);
        }
        let meta = Meta::new(state, &site, l.t("文档库"), "", &format!("{}/docs", site.base));
        let pages = found.pages();
        let site = Site { nav: "docs".into(), ..site };
        render(ListPage { l, site, meta, docs: found.items, page: page_no, pages })
    })
    .await
}

#[derive(Deserialize, Default)]
pub struct DocQuery {
    /// Set after a visitor's form went through: "comment" or "complaint".
    sent: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/doc.html")]
struct DocPage {
    l: L,
    site: Site,
    meta: Meta,
    d: DocumentMeta,
    preview: String,
    related: Vec<DocumentMeta>,
    comments: Vec<CommentRecord>,
    sent: String,
}

impl DocPage {
    fn date(&self, t: &i64) -> String {
        date(*t)
    }
    fn size(&self) -> String {
        let kb = self.d.size as f64 / 1024.0;
        if kb < 1024.0 { format!("{kb:.0} KB") } else { format!("{:.1} MB", kb / 1024.0) }
    }
}

/// A published document of the station, or 410 with the reason it was taken down.
async fn published(state: &AppState, site: &Site, id: &str) -> AppResult<DocumentMeta> {
    let id: DocumentId = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(app::site::published_document(&state.store, site.station.id, id).await?)
}

pub async fn show(
    State(state): State<AppState>,
    Path((st, id)): Path<(String, String)>,
    Query(q): Query<DocQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let id: DocumentId = id.parse().map_err(|_| AppError::NotFound)?;
        let found = app::site::document_page(&state.store, site.station.id, id).await?;
        let (d, preview, related, comments) = (found.document, found.preview, found.related, found.comments);
        let meta = Meta::new(state, &site, &d.title, &d.summary, &format!("{}/docs/{}", site.base, d.id));
        let site = Site { nav: "docs".into(), ..site };
        let sent = q.sent.unwrap_or_default();
        render(DocPage { l, site, meta, d, preview, related, comments, sent })
    })
    .await
}

/// The file, counted; never cached by the page cache (each download counts).
pub async fn download(State(state): State<AppState>, Path((st, id)): Path<(String, String)>) -> AppResult<Response> {
    let station = app::site::station(&state.store, &st).await?;
    let id: DocumentId = id.parse().map_err(|_| AppError::NotFound)?;
    let (name, format, data) = app::site::download(&state.store, station.id, id).await?;
    // The count shows on the document's page and in the list.
    state.portal.cache.forget(&format!("/site/{st}/docs"));
    let mime = match format.as_str() {
        "docx" => office::DocFormat::Docx.mime(),
        "pdf" => office::DocFormat::Pdf.mime(),
        _ => "text/plain; charset=utf-8",
    };
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], data).into_response())
}

// ---- visitors' forms ----

/// Whether a form was sent from a page of this site. Browsers send `Origin` with every form
/// post; a request without one (a script, a test) is let through, since these forms can only
/// leave a note for an editor.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.split("://").nth(1).is_some_and(|o| o == host)
}

/// A keyed hash of the client's address: enough to count its comments, useless to anyone
/// who reads the database.
fn client_key(state: &AppState, req_addr: Option<SocketAddr>) -> String {
    let ip = req_addr.map(|a| a.ip().to_string()).unwrap_or_else(|| "local".into());
    let digest = Sha256::digest(format!("{}|{ip}", state.portal.client_salt).as_bytes());
    hex::encode(&digest[..16])
}

fn peer(req: &Request) -> Option<SocketAddr> {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

#[derive(Template)]
#[template(path = "portal/message.html")]
struct MessagePage {
    l: L,
    site: Site,
    meta: Meta,
    title: String,
    messages: Vec<String>,
    back: String,
}

/// A page answering a visitor's form that did not go through.
async fn message(
    state: &AppState,
    code: &str,
    l: L,
    status: StatusCode,
    title: &str,
    messages: Vec<String>,
    back: String,
) -> Response {
    let site = match Site::load(state, code).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let mut meta = Meta::new(state, &site, title, "", &back);
    meta.feeds = None;
    match (MessagePage { l, site, meta, title: title.into(), messages, back }).render() {
        Ok(html) => (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

pub async fn comment(State(state): State<AppState>, Path((st, id)): Path<(String, String)>, req: Request) -> Response {
    let headers = req.headers().clone();
    let l = locale_of(&headers);
    let addr = peer(&req);
    let back = format!("/site/{st}/docs/{id}");
    if !same_origin(&headers) {
        return message(&state, &st, l, StatusCode::FORBIDDEN, l.t("提交失败"), vec![l.t("表单来源无效").into()], back)
            .await;
    }
    let Ok(Form(input)) = Form::<CommentInput>::from_request(req, &state).await else {
        return message(
            &state,
            &st,
            l,
            StatusCode::BAD_REQUEST,
            l.t("提交失败"),
            vec![l.t("表单内容无效").into()],
            back,
        )
        .await;
    };
    let result: AppResult<()> = async {
        let station = app::site::station(&state.store, &st).await?;
        let id: DocumentId = id.parse().map_err(|_| AppError::NotFound)?;
        let client = client_key(&state, addr);
        Ok(app::site::comment(&state.store, station.id, id, input, &client).await?)
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("{back}?sent=comment#comments")).into_response(),
        Err(AppError::Invalid(f)) => {
            let messages = f.0.into_iter().map(|e| e.message).collect();
            message(&state, &st, l, StatusCode::UNPROCESSABLE_ENTITY, l.t("评论未能提交"), messages, back).await
        }
        Err(e @ (AppError::TooManyRequests(_) | AppError::Conflict(_))) => {
            message(&state, &st, l, e.status(), l.t("评论未能提交"), vec![e.message()], back).await
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Template)]
#[template(path = "portal/complaint.html")]
struct ComplaintPage {
    l: L,
    site: Site,
    meta: Meta,
    d: DocumentMeta,
}

pub async fn complaint_form(
    State(state): State<AppState>,
    Path((st, id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let state = &state;
    page(state, &headers, &uri, &st, |site, l| async move {
        let d = published(state, &site, &id).await?;
        let mut meta = Meta::new(state, &site, l.t("版权申诉"), "", &format!("{}/docs/{}/complaint", site.base, d.id));
        meta.feeds = None;
        render(ComplaintPage { l, site, meta, d })
    })
    .await
}

#[derive(Deserialize)]
pub struct ComplaintForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    body: String,
    /// The honeypot, as on the comment form.
    #[serde(default)]
    website: String,
}

pub async fn complaint(
    State(state): State<AppState>,
    Path((st, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let l = locale_of(&headers);
    let addr = peer(&req);
    let back = format!("/site/{st}/docs/{id}");
    if !same_origin(&headers) {
        return message(&state, &st, l, StatusCode::FORBIDDEN, l.t("提交失败"), vec![l.t("表单来源无效").into()], back)
            .await;
    }
    let Ok(Form(f)) = Form::<ComplaintForm>::from_request(req, &state).await else {
        return message(
            &state,
            &st,
            l,
            StatusCode::BAD_REQUEST,
            l.t("提交失败"),
            vec![l.t("表单内容无效").into()],
            back,
        )
        .await;
    };
    let result: AppResult<()> = async {
        let station = app::site::station(&state.store, &st).await?;
        let id: DocumentId = id.parse().map_err(|_| AppError::NotFound)?;
        let client = client_key(&state, addr);
        let form = app::site::ComplaintForm {
            kind: f.kind,
            name: f.name,
            contact: f.contact,
            body: f.body,
            website: f.website,
        };
        Ok(app::site::complain(&state.store, station.id, id, form, &client).await?)
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("{back}?sent=complaint")).into_response(),
        Err(AppError::Invalid(f)) => {
            let messages = f.0.into_iter().map(|e| e.message).collect();
            message(
                &state,
                &st,
                l,
                StatusCode::UNPROCESSABLE_ENTITY,
                l.t("申诉未能提交"),
                messages,
                format!("{back}/complaint"),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}
