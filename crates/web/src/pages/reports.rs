//! The annual report page (年度经验交流材料): the year's figures with tables and charts, the
//! narrative the editor writes around them (a form for editors), and the same report as a
//! Word file and as JSON.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::access;
use crate::annual::{self, AnnualReport, Narrative};
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use domain::FieldErrors;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/annual", get(current_year))
        .route("/reports/annual/{year}", get(page).post(save))
        .route("/reports/annual/{year}/report.docx", get(docx))
        .route("/reports/annual/{year}/report.json", get(json))
}

/// The year in the address; one that is not a number is not found.
fn parse_year(year: &str) -> AppResult<i32> {
    year.trim().parse().map_err(|_| AppError::NotFound)
}

async fn report(state: &AppState, ctx: &Ctx, year: &str) -> AppResult<AnnualReport> {
    Ok(annual::report(&state.store, ctx, parse_year(year)?).await?)
}

async fn current_year(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    access::require(access::can_view_network(ctx.role()))?;
    let year = app::targets::default_year(&state.store, ctx.station()?).await?;
    Ok(see_other(&format!("/reports/annual/{year}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "annual.html")]
struct AnnualPage {
    l: L,
    layout: Layout,
    r: AnnualReport,
    figures: Vec<(String, String)>,
    unit_chart: String,
    month_chart: String,
    can_manage: bool,
    f: Narrative,
    errors: Errors,
}

impl AnnualPage {
    fn paragraphs(&self, text: &str) -> Vec<String> {
        Narrative::paragraphs(text)
    }
    fn yuan(&self, fen: &i64) -> String {
        annual::yuan(*fen)
    }
}

async fn annual_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    year: &str,
    f: Option<Narrative>,
    errors: FieldErrors,
) -> AppResult<AnnualPage> {
    let r = report(state, ctx, year).await?;
    let l = L::new(v.locale);
    let (unit_chart, month_chart) = annual::charts(&r, l);
    Ok(AnnualPage {
        l,
        layout: Layout::new(state, session, Some(ctx), "targets").await?,
        figures: annual::figure_rows(&r),
        f: f.unwrap_or_else(|| r.narrative.clone()),
        r,
        unit_chart,
        month_chart,
        can_manage: access::can_manage_network(ctx.role()),
        errors: Errors(errors),
    })
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    Ok(annual_page(&state, &session, &v, &ctx, &year, None, FieldErrors::default()).await?.into_response())
}

async fn save(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(year): Path<String>,
    Form(f): Form<Narrative>,
) -> AppResult<Response> {
    let y = parse_year(&year)?;
    match annual::save(&state.store, &ctx, y, &f).await {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("报告已保存")).await;
            Ok(see_other(&format!("/reports/annual/{y}")))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(annual_page(&state, &session, &v, &ctx, &year, Some(f), errors).await?))
        }
    }
}

async fn docx(State(state): State<AppState>, ctx: Ctx, Path(year): Path<String>) -> AppResult<Response> {
    let (name, bytes) = annual::report_docx(&state.store, &ctx, parse_year(&year)?).await?;
    Ok(crate::api::docx_response(&name, bytes))
}

/// The same JSON as the API's `GET /api/v1/reports/annual/{year}`.
async fn json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Json<crate::api::AnnualReportView>> {
    Ok(Json(report(&state, &ctx, &year).await?.into()))
}
