//! Manuscript pages: the list, writing and editing a draft, submitting it, the revision rounds
//! with their diffs (改稿), the editor's decision, and attachments.

use super::{Errors, Layout, datetime, field_errors, flash, form_error, see_other};
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::ops::{self, ListQuery, ManuscriptPermissions, RoundView};
use crate::{AppError, AppResult, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::diff::Change;
use domain::*;
use serde::Deserialize;
use store::{AttachmentMeta, Manuscript, Page, Placement};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manuscripts", get(list).post(create))
        .route("/manuscripts/new", get(new_page))
        .route("/manuscripts/{id}", get(show).post(update))
        .route("/manuscripts/{id}/edit", get(edit_page))
        .route("/manuscripts/{id}/submit", post(submit))
        .route("/manuscripts/{id}/revise", get(revise_page).post(revise))
        .route("/manuscripts/{id}/accept", post(accept))
        .route("/manuscripts/{id}/return", post(return_manuscript))
        .route("/manuscripts/{id}/attachments", post(upload).layer(crate::boundary::upload_limit()))
        .route("/attachments/{id}", get(download))
}

#[derive(Template, WebTemplate)]
#[template(path = "manuscripts.html")]
struct ListPage {
    l: L,
    layout: Layout,
    page: Page<Manuscript>,
    q: ListQuery,
    query: String,
    units: Vec<store::Unit>,
    can_write: bool,
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = ops::manuscripts(&state.store, &ctx, &q).await?;
    let (units, _) = ops::filter_choices(&state.store, &ctx).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "manuscripts").await?;
    let query = q.to_query();
    let can_write = ctx.user.correspondent_id.is_some();
    Ok(ListPage { l: L::new(v.locale), layout, page, q, query, units, can_write }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "manuscript_form.html")]
struct FormPage {
    l: L,
    layout: Layout,
    errors: Errors,
    /// None for a new draft.
    id: Option<ManuscriptId>,
    title: String,
    body: String,
    genre: String,
    byline: String,
}

#[derive(Deserialize, Default)]
struct ManuscriptForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    genre: String,
    #[serde(default)]
    byline: String,
}

impl FormPage {
    fn genres(&self) -> &'static [Genre] {
        Genre::ALL
    }
}

async fn new_page(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let me = ctx.user.correspondent_id.ok_or_else(|| AppError::BadRequest("您的账号未关联通讯员，不能写稿".into()))?;
    let own = ops::correspondent(&state.store, &ctx, me).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "manuscripts").await?;
    Ok(FormPage {
        l: L::new(v.locale),
        layout,
        errors: Errors::default(),
        id: None,
        title: String::new(),
        body: String::new(),
        genre: "news".into(),
        byline: own.name,
    }
    .into_response())
}

/// Parses the form into a manuscript input, collecting every problem.
async fn parse_form(state: &AppState, ctx: &Ctx, f: &ManuscriptForm) -> Result<ManuscriptInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let genre = Genre::parse(&f.genre);
    if genre.is_none() {
        e.push("genre", Genre::expected());
    }
    let station = ctx.station.unwrap_or(StationId(-1));
    let authors = match ops::bylines_from_text(&state.store, station, "byline", &f.byline).await {
        Ok(a) => a,
        Err(more) => {
            e.0.extend(more.0);
            vec![]
        }
    };
    let input =
        ManuscriptInput { title: f.title.clone(), body: f.body.clone(), genre: genre.unwrap_or(Genre::Other), authors };
    super::with_form_errors(e, input.validate())
}

async fn redisplay(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: Option<ManuscriptId>,
    f: ManuscriptForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let layout = Layout::new(state, session, Some(ctx), "manuscripts").await?;
    Ok(form_error(FormPage {
        l: L::new(v.locale),
        layout,
        errors: Errors(errors),
        id,
        title: f.title,
        body: f.body,
        genre: f.genre,
        byline: f.byline,
    }))
}

async fn create(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<ManuscriptForm>,
) -> AppResult<Response> {
    let input = match parse_form(&state, &ctx, &f).await {
        Ok(i) => i,
        Err(e) => return redisplay(&state, &session, &v, &ctx, None, f, e).await,
    };
    match ops::create_manuscript(&state.store, &ctx, input).await {
        Ok(m) => {
            flash(&session, L::new(v.locale).t("草稿已保存")).await;
            Ok(see_other(&format!("/manuscripts/{}", m.id)))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            redisplay(&state, &session, &v, &ctx, None, f, errors).await
        }
    }
}

async fn edit_page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
) -> AppResult<Response> {
    let m = ops::manuscript(&state.store, &ctx, id).await?;
    let perms = ops::manuscript_permissions(&state.store, &ctx, &m).await?;
    crate::access::require(perms.edit)?;
    let layout = Layout::new(&state, &session, Some(&ctx), "manuscripts").await?;
    let byline = ops::byline_text(&m.authors);
    Ok(FormPage {
        l: L::new(v.locale),
        layout,
        errors: Errors::default(),
        id: Some(id),
        title: m.title,
        body: m.body,
        genre: m.genre.code().into(),
        byline,
    }
    .into_response())
}

async fn update(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
    Form(f): Form<ManuscriptForm>,
) -> AppResult<Response> {
    let input = match parse_form(&state, &ctx, &f).await {
        Ok(i) => i,
        Err(e) => return redisplay(&state, &session, &v, &ctx, Some(id), f, e).await,
    };
    match ops::update_manuscript(&state.store, &ctx, id, input).await {
        Ok(_) => {
            flash(&session, L::new(v.locale).t("草稿已保存")).await;
            Ok(see_other(&format!("/manuscripts/{id}")))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            redisplay(&state, &session, &v, &ctx, Some(id), f, errors).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "manuscript.html")]
struct ShowPage {
    l: L,
    layout: Layout,
    m: Manuscript,
    perms: ManuscriptPermissions,
    history: Vec<RoundView>,
    attachments: Vec<AttachmentMeta>,
    placements: Vec<Placement>,
    duplicate: Option<(ManuscriptId, String)>,
    errors: Errors,
    reason: String,
    /// For editors of an accepted manuscript: the portal's columns to publish it to, or the
    /// post it already is.
    portal_columns: Vec<store::PortalColumn>,
    portal_post: Option<domain::PostId>,
}

impl ShowPage {
    fn when(&self, ts: &i64) -> String {
        datetime(ts)
    }
    fn size(&self, bytes: &i64) -> String {
        let bytes = *bytes;
        if bytes >= 1024 * 1024 {
            format!("{:.1} MB", bytes as f64 / 1048576.0)
        } else {
            format!("{} KB", (bytes + 1023) / 1024)
        }
    }
}

async fn show_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: ManuscriptId,
    errors: FieldErrors,
    reason: String,
) -> AppResult<ShowPage> {
    let m = ops::manuscript(&state.store, ctx, id).await?;
    let perms = ops::manuscript_permissions(&state.store, ctx, &m).await?;
    let history = ops::history(&state.store, ctx, id).await?;
    let attachments = ops::attachments(&state.store, ctx, store::AttachedTo::Manuscript(id)).await?;
    let placements = ops::placements_of_manuscript(&state.store, ctx, id).await?;
    // Editors see which earlier manuscript this one resembles, if they may open it.
    let duplicate = match m.duplicate_of {
        Some(d) if crate::access::can_decide(ctx.role()) => {
            ops::manuscript(&state.store, ctx, d).await.ok().map(|o| (o.id, o.title))
        }
        _ => None,
    };
    let (mut portal_columns, mut portal_post) = (Vec::new(), None);
    if m.status == domain::ManuscriptStatus::Accepted && crate::access::can_edit_portal(ctx.role()) {
        portal_post = state.store.post_of_manuscript(m.station_id, m.id).await?;
        portal_columns = state
            .store
            .portal_columns(m.station_id)
            .await?
            .into_iter()
            .filter(|c| c.kind != domain::ColumnKind::Stats)
            .collect();
    }
    let layout = Layout::new(state, session, Some(ctx), "manuscripts").await?;
    Ok(ShowPage {
        l: L::new(v.locale),
        layout,
        m,
        perms,
        history,
        attachments,
        placements,
        duplicate,
        errors: Errors(errors),
        reason,
        portal_columns,
        portal_post,
    })
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
) -> AppResult<Response> {
    Ok(show_page(&state, &session, &v, &ctx, id, FieldErrors::default(), String::new()).await?.into_response())
}

/// Runs an action from the manuscript page; on a problem the page comes back with the message.
async fn act(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: ManuscriptId,
    result: AppResult<Manuscript>,
    done: &str,
    reason: String,
) -> AppResult<Response> {
    match result {
        Ok(_) => {
            flash(session, L::new(v.locale).t(done)).await;
            Ok(see_other(&format!("/manuscripts/{id}")))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(show_page(state, session, v, ctx, id, errors, reason).await?))
        }
    }
}

async fn submit(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
) -> AppResult<Response> {
    let r = ops::submit_manuscript(&state.store, &ctx, id).await.map_err(AppError::from);
    act(&state, &session, &v, &ctx, id, r, "已投稿", String::new()).await
}

async fn accept(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
) -> AppResult<Response> {
    let r = ops::accept_manuscript(&state.store, &ctx, id).await.map_err(AppError::from);
    act(&state, &session, &v, &ctx, id, r, "稿件已采用", String::new()).await
}

#[derive(Deserialize)]
struct ReturnForm {
    #[serde(default)]
    reason: String,
}

async fn return_manuscript(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
    Form(f): Form<ReturnForm>,
) -> AppResult<Response> {
    let r = ops::return_manuscript(&state.store, &ctx, id, &f.reason).await.map_err(AppError::from);
    act(&state, &session, &v, &ctx, id, r, "稿件已退回", f.reason).await
}

#[derive(Template, WebTemplate)]
#[template(path = "revise.html")]
struct RevisePage {
    l: L,
    layout: Layout,
    errors: Errors,
    m: Manuscript,
    title: String,
    body: String,
    comment: String,
}

async fn revise_page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
) -> AppResult<Response> {
    let m = ops::manuscript(&state.store, &ctx, id).await?;
    let perms = ops::manuscript_permissions(&state.store, &ctx, &m).await?;
    crate::access::require(perms.revise)?;
    let layout = Layout::new(&state, &session, Some(&ctx), "manuscripts").await?;
    let (title, body) = (m.title.clone(), m.body.clone());
    Ok(RevisePage { l: L::new(v.locale), layout, errors: Errors::default(), m, title, body, comment: String::new() }
        .into_response())
}

async fn revise(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
    Form(f): Form<ops::ReviseInput>,
) -> AppResult<Response> {
    match ops::revise_manuscript(&state.store, &ctx, id, &f).await {
        Ok(_) => {
            flash(&session, L::new(v.locale).t("改稿已保存")).await;
            Ok(see_other(&format!("/manuscripts/{id}")))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            let m = ops::manuscript(&state.store, &ctx, id).await?;
            let layout = Layout::new(&state, &session, Some(&ctx), "manuscripts").await?;
            Ok(form_error(RevisePage {
                l: L::new(v.locale),
                layout,
                errors: Errors(errors),
                m,
                title: f.title,
                body: f.body,
                comment: f.comment,
            }))
        }
    }
}

/// Reads the one file of an upload form. Every multipart body is read here, so this is where
/// its text is bounded like a form's (see `crate::boundary`): the file's name is reduced to a
/// safe base name (`domain::text::safe_file_name`) and every other field is cleaned and held
/// to its field's length.
pub async fn read_upload(
    mut multipart: Multipart,
    limit: usize,
) -> AppResult<(String, Vec<u8>, Vec<(String, String)>)> {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut fields = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(file_name) = field.file_name().map(String::from) {
            let mut data = Vec::new();
            let mut field = field;
            while let Some(chunk) = field.chunk().await.map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?
            {
                data.extend_from_slice(&chunk);
                if data.len() > limit {
                    return Err(AppError::TooLarge(format!("文件太大：最大{}MB", limit / 1024 / 1024)));
                }
            }
            file = Some((domain::text::safe_file_name(&file_name), data));
        } else {
            let value = field.text().await.map_err(|e| AppError::BadRequest(format!("上传失败：{e}")))?;
            if let Some(m) = domain::text::length_problem(&name, &value, domain::text::field_limit(&name)) {
                return Err(AppError::Invalid(FieldErrors(vec![FieldError::new(&name, m)])));
            }
            fields.push((domain::text::clean(&name), domain::text::clean(&value)));
        }
    }
    let (name, data) = file.ok_or_else(|| AppError::BadRequest("请选择要上传的文件".into()))?;
    Ok((name, data, fields))
}

async fn upload(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
    multipart: Multipart,
) -> AppResult<Response> {
    let result = match read_upload(multipart, ops::MAX_ATTACHMENT_BYTES).await {
        Ok((name, data, _)) => {
            ops::add_attachment(&state.store, &ctx, id, &name, data).await.map(|_| ()).map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("附件已上传")).await;
            Ok(see_other(&format!("/manuscripts/{id}")))
        }
        Err(AppError::TooLarge(m)) | Err(AppError::BadRequest(m)) => {
            let page =
                show_page(&state, &session, &v, &ctx, id, FieldErrors(vec![FieldError::new("file", m)]), String::new())
                    .await?;
            Ok(form_error(page))
        }
        Err(e) => Err(e),
    }
}

async fn download(State(state): State<AppState>, ctx: Ctx, Path(id): Path<AttachmentId>) -> AppResult<Response> {
    let (meta, data) = ops::attachment(&state.store, &ctx, id).await?;
    let disposition = format!(
        "inline; filename*=UTF-8''{}",
        url::form_urlencoded::byte_serialize(meta.file_name.as_bytes()).collect::<String>()
    );
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=3600".into()),
        ],
        data,
    )
        .into_response())
}
