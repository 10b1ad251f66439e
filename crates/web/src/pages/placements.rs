//! Placement pages (采用/刊发): the filtered list with export, recording a publication (from an
//! accepted manuscript or on its own), its page, editing, deleting and the clipping upload.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::ops::{self, ListQuery};
use crate::{AppError, AppResult, AppState};
use app::forms::PlacementForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::*;
use serde::Deserialize;
use store::{AttachmentMeta, Outlet, Page, Placement, Unit};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/placements", get(list).post(create))
        .route("/placements/new", get(new_page))
        .route("/placements/{id}", get(show).post(update))
        .route("/placements/{id}/edit", get(edit_page))
        .route("/placements/{id}/delete", post(delete))
        .route("/placements/{id}/attachments", post(upload).layer(crate::boundary::upload_limit()))
}

#[derive(Template, WebTemplate)]
#[template(path = "placements.html")]
struct ListPage {
    l: L,
    layout: Layout,
    page: Page<Placement>,
    q: ListQuery,
    query: String,
    units: Vec<Unit>,
    outlets: Vec<Outlet>,
}

impl ListPage {
    fn selected(&self, value: &Option<String>, id: &str) -> bool {
        value.as_deref() == Some(id)
    }
}

async fn list(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = ops::placements(&state.store, &ctx, &q).await?;
    let (units, outlets) = ops::filter_choices(&state.store, &ctx).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "placements").await?;
    let query = q.to_query();
    Ok(ListPage { l: L::new(v.locale), layout, page, q, query, units, outlets }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "placement_form.html")]
struct FormPage {
    l: L,
    layout: Layout,
    errors: Errors,
    id: Option<PlacementId>,
    f: PlacementForm,
    units: Vec<Unit>,
    outlets: Vec<Outlet>,
}

impl FormPage {
    fn is(&self, value: &str, code: &str) -> bool {
        value == code
    }
    fn all_columns(&self) -> Vec<String> {
        let mut v: Vec<String> = self.outlets.iter().flat_map(|o| o.columns.iter().cloned()).collect();
        v.sort();
        v.dedup();
        v
    }
}

async fn form_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: Option<PlacementId>,
    f: PlacementForm,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let (units, outlets) = (ops::units(&state.store, ctx).await?, ops::outlets(&state.store, ctx).await?);
    let layout = Layout::new(state, session, Some(ctx), "placements").await?;
    Ok(FormPage { l: L::new(v.locale), layout, errors: Errors(errors), id, f, units, outlets })
}

#[derive(Deserialize)]
struct NewQuery {
    manuscript: Option<ManuscriptId>,
}

async fn new_page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    crate::access::require(crate::access::can_manage_network(ctx.role()))?;
    let mut f = PlacementForm { position: "normal".into(), genre: "news".into(), ..Default::default() };
    if let Some(id) = q.manuscript {
        let m = ops::manuscript(&state.store, &ctx, id).await?;
        if m.status != ManuscriptStatus::Accepted {
            return Err(AppError::Conflict("只有已采用的稿件才能登记刊发".into()));
        }
        f.manuscript_id = id.to_string();
        f.title = m.title.clone();
        f.byline = ops::byline_text(&m.authors);
        f.genre = m.genre.code().into();
        f.length = char_count(&m.body).to_string();
        f.unit_id = m.unit_id.map(|u| u.to_string()).unwrap_or_default();
    }
    f.published_on = format_date(time::OffsetDateTime::now_utc().date());
    Ok(form_page(&state, &session, &v, &ctx, None, f, FieldErrors::default()).await?.into_response())
}

async fn create(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<PlacementForm>,
) -> AppResult<Response> {
    crate::access::require(crate::access::can_manage_network(ctx.role()))?;
    let station = ctx.station()?;
    let result = match f.parse(&state.store, station).await {
        Ok(input) => ops::create_placement(&state.store, &ctx, input).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(p) => {
            flash(&session, L::new(v.locale).t("刊发已登记")).await;
            Ok(see_other(&format!("/placements/{}", p.id)))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(form_page(&state, &session, &v, &ctx, None, f, errors).await?))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "placement.html")]
struct ShowPage {
    l: L,
    layout: Layout,
    p: Placement,
    attachments: Vec<AttachmentMeta>,
    errors: Errors,
}

async fn show_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: PlacementId,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let p = ops::placement(&state.store, ctx, id).await?;
    let attachments = ops::attachments(&state.store, ctx, store::AttachedTo::Placement(id)).await?;
    let layout = Layout::new(state, session, Some(ctx), "placements").await?;
    Ok(ShowPage { l: L::new(v.locale), layout, p, attachments, errors: Errors(errors) })
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PlacementId>,
) -> AppResult<Response> {
    Ok(show_page(&state, &session, &v, &ctx, id, FieldErrors::default()).await?.into_response())
}

async fn edit_page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PlacementId>,
) -> AppResult<Response> {
    crate::access::require(crate::access::can_manage_network(ctx.role()))?;
    let p = ops::placement(&state.store, &ctx, id).await?;
    let byline = ops::placement_byline(&state.store, &ctx, id).await?;
    let f = PlacementForm::from_placement(&p, byline);
    Ok(form_page(&state, &session, &v, &ctx, Some(id), f, FieldErrors::default()).await?.into_response())
}

async fn update(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PlacementId>,
    Form(f): Form<PlacementForm>,
) -> AppResult<Response> {
    crate::access::require(crate::access::can_manage_network(ctx.role()))?;
    let existing = ops::placement(&state.store, &ctx, id).await?;
    let result = match f.parse(&state.store, existing.station_id).await {
        Ok(input) => ops::update_placement(&state.store, &ctx, id, input).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(_) => {
            flash(&session, L::new(v.locale).t("刊发已保存")).await;
            Ok(see_other(&format!("/placements/{id}")))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(form_page(&state, &session, &v, &ctx, Some(id), f, errors).await?))
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PlacementId>,
) -> AppResult<Response> {
    ops::delete_placement(&state.store, &ctx, id).await?;
    flash(&session, L::new(v.locale).t("刊发已删除")).await;
    Ok(see_other("/placements"))
}

async fn upload(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PlacementId>,
    multipart: Multipart,
) -> AppResult<Response> {
    let result = match super::manuscripts::read_upload(multipart, ops::MAX_ATTACHMENT_BYTES).await {
        Ok((name, data, _)) => {
            ops::add_placement_attachment(&state.store, &ctx, id, &name, data).await.map(|_| ()).map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("附件已上传")).await;
            Ok(see_other(&format!("/placements/{id}")))
        }
        Err(AppError::TooLarge(m)) | Err(AppError::BadRequest(m)) => Ok(form_error(
            show_page(&state, &session, &v, &ctx, id, FieldErrors(vec![FieldError::new("file", m)])).await?,
        )),
        Err(e) => Err(e),
    }
}
