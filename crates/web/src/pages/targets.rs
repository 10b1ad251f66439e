//! Targets (目标管理) and weak links (薄弱环节): the year's targets of units and
//! correspondents (set, replaced, copied from last year, removed), the progress page that
//! compares every target with the pace the calendar requires and lists the correspondents
//! who have gone quiet, and the monthly progress bulletin (通报) as a page and a `.docx`.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::access;
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::{AppError, AppResult, AppState};
use app::targets::{Bulletin, ProgressView, TargetForm, parse_year};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::targets::PaceStatus;
use domain::{FieldErrors, TargetId};
use serde::Deserialize;
use store::{ProgressRow, TargetRecord};
use time::Date;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/targets", get(targets).post(set_target))
        .route("/targets/carry", post(carry))
        .route("/targets/import", post(import_targets).layer(crate::boundary::upload_limit()))
        .route("/targets/{id}/delete", post(delete_target))
        .route("/progress", get(progress))
        .route("/progress/quiet-weeks", post(set_quiet_weeks))
        .route("/progress/revision-days", post(set_revision_days))
        .route("/progress/bulletin", get(bulletin_page))
        .route("/progress/bulletin.docx", get(bulletin_docx))
}

// ---- targets ----

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "targets.html")]
struct TargetsPage {
    l: L,
    layout: Layout,
    year: i32,
    targets: Vec<TargetRecord>,
    units: Vec<store::Unit>,
    people: Vec<store::Correspondent>,
    metrics: Vec<(String, String)>,
    can_manage: bool,
    f: TargetForm,
    errors: Errors,
}

async fn targets_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    year: i32,
    f: TargetForm,
    errors: FieldErrors,
) -> AppResult<TargetsPage> {
    let l = L::new(v.locale);
    let (year, targets) = app::targets::targets(&state.store, ctx, Some(year)).await?;
    let choices = app::targets::target_choices(&state.store, ctx, l.code()).await?;
    Ok(TargetsPage {
        l,
        layout: Layout::new(state, session, Some(ctx), "targets").await?,
        year,
        targets,
        units: choices.units,
        people: choices.people,
        metrics: choices.metrics,
        can_manage: access::can_manage_network(ctx.role()),
        f,
        errors: Errors(errors),
    })
}

async fn targets(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = match parse_year(q.year.as_deref()) {
        Some(y) => y,
        None => app::targets::targets(&state.store, &ctx, None).await?.0,
    };
    let f = TargetForm { year: year.to_string(), ..Default::default() };
    Ok(targets_page(&state, &session, &v, &ctx, year, f, FieldErrors::default()).await?.into_response())
}

async fn set_target(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<TargetForm>,
) -> AppResult<Response> {
    let result = app::targets::set_target(&state.store, &ctx, &f).await.map_err(AppError::from);
    let year = match (parse_year(Some(&f.year)), &result) {
        (Some(y), _) => y,
        (None, Ok(t)) => t.year,
        (None, Err(_)) => app::targets::targets(&state.store, &ctx, None).await?.0,
    };
    match result {
        Ok(_) => {
            flash(&session, L::new(v.locale).t("目标已保存")).await;
            Ok(see_other(&format!("/targets?year={year}")))
        }
        Err(e) => Ok(form_error(targets_page(&state, &session, &v, &ctx, year, f, field_errors(e)?).await?)),
    }
}

#[derive(Deserialize)]
struct CarryForm {
    from_year: i32,
    percent: u32,
}

async fn carry(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<CarryForm>,
) -> AppResult<Response> {
    let n = app::targets::carry_targets(&state.store, &ctx, f.from_year, f.percent).await?;
    let l = L::new(v.locale);
    flash(&session, format!("{} {n}", l.t("已复制目标"))).await;
    Ok(see_other(&format!("/targets?year={}", f.from_year + 1)))
}

async fn delete_target(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<TargetId>,
    Form(q): Form<YearQuery>,
) -> AppResult<Response> {
    app::targets::delete_target(&state.store, &ctx, id).await?;
    flash(&session, L::new(v.locale).t("目标已删除")).await;
    Ok(see_other(&format!("/targets?year={}", q.year.unwrap_or_default())))
}

/// Targets from a spreadsheet: every row checked, every mistake reported by row and column,
/// nothing written unless all are right.
async fn import_targets(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let (name, data, _) = super::manuscripts::read_upload(multipart, crate::ops::MAX_IMPORT_BYTES).await?;
    let (n, year) = app::targets::import_targets(&state.store, &ctx, &name, data).await?;
    flash(&session, format!("{} {n}", L::new(v.locale).t("已导入目标"))).await;
    Ok(see_other(&format!("/targets?year={year}")))
}

// ---- progress and weak links ----

#[derive(Deserialize, Default)]
struct ProgressQuery {
    year: Option<String>,
    as_of: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "progress.html")]
struct ProgressPage {
    l: L,
    layout: Layout,
    p: ProgressView,
    can_manage: bool,
    month: u8,
}

impl ProgressPage {
    fn status_class(&self, s: &PaceStatus) -> &'static str {
        match s {
            PaceStatus::FarBehind => "bad",
            PaceStatus::Behind => "warn",
            PaceStatus::OnPace => "ok",
            PaceStatus::Met => "ok",
        }
    }
    fn percent(&self, r: &ProgressRow) -> String {
        format!("{}%", r.progress.permille_of_target / 10)
    }
    fn date(&self, d: &Option<Date>) -> String {
        d.map(domain::format_date).unwrap_or_else(|| self.l.t("从未投稿").to_string())
    }
}

async fn progress(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<ProgressQuery>,
) -> AppResult<Response> {
    let as_of = q.as_of.as_deref().and_then(domain::parse_date);
    let p = app::targets::progress(&state.store, &ctx, parse_year(q.year.as_deref()), as_of).await?;
    let month = u8::from(p.as_of.month());
    Ok(ProgressPage {
        l: L::new(v.locale),
        layout: Layout::new(&state, &session, Some(&ctx), "targets").await?,
        p,
        can_manage: access::can_manage_network(ctx.role()),
        month,
    }
    .into_response())
}

#[derive(Deserialize)]
struct QuietForm {
    weeks: String,
    #[serde(default)]
    year: String,
}

async fn set_quiet_weeks(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<QuietForm>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let weeks: i32 = f.weeks.trim().parse().map_err(|_| AppError::BadRequest("周数应为整数".into()))?;
    app::targets::set_quiet_weeks(&state.store, &ctx, weeks).await?;
    flash(&session, L::new(v.locale).t("设置已保存")).await;
    Ok(see_other(&format!("/progress?year={}", f.year.trim())))
}

#[derive(Deserialize)]
struct RevisionDaysForm {
    days: String,
    #[serde(default)]
    year: String,
}

/// After how many days a draft waiting for revision is reminded of (提醒).
async fn set_revision_days(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<RevisionDaysForm>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let days: i32 = f.days.trim().parse().map_err(|_| AppError::BadRequest("天数应为整数".into()))?;
    app::targets::set_revision_days(&state.store, &ctx, days).await?;
    flash(&session, L::new(v.locale).t("设置已保存")).await;
    Ok(see_other(&format!("/progress?year={}", f.year.trim())))
}

// ---- the monthly bulletin (通报) ----

#[derive(Deserialize, Default)]
struct BulletinQuery {
    year: Option<String>,
    month: Option<String>,
}

/// The bulletin the query asks for; a year or month that does not read is the default one.
fn year_month(q: &BulletinQuery) -> (Option<i32>, Option<u8>) {
    let month = q.month.as_deref().and_then(|m| m.trim().parse().ok()).filter(|m| (1..=12).contains(m));
    (parse_year(q.year.as_deref()), month)
}

#[derive(Template, WebTemplate)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    l: L,
    layout: Layout,
    b: Bulletin,
}

async fn bulletin_page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<BulletinQuery>,
) -> AppResult<Response> {
    let (year, month) = year_month(&q);
    let b = app::targets::bulletin(&state.store, &ctx, year, month).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "targets").await?;
    Ok(BulletinPage { l: L::new(v.locale), layout, b }.into_response())
}

async fn bulletin_docx(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BulletinQuery>) -> AppResult<Response> {
    let (year, month) = year_month(&q);
    let (name, bytes) = app::targets::bulletin_docx(&state.store, &ctx, year, month).await?;
    Ok((
        [
            (header::CONTENT_TYPE, office::DOCX_CONTENT_TYPE.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}
