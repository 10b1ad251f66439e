//! Headquarters (报社总部): every station's year — placements in the paper by month,
//! subscriptions, events — and the national awards (最佳通联站, 先进发行区, 最佳通讯员)
//! ranked under criteria headquarters keeps as data and edits here. Only headquarters
//! accounts (no station of their own) see these pages.

use super::{Layout, field_errors, flash, form_error, see_other};
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::{AppResult, AppState};
use app::hq::{self, Ranked};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::awards::{Placed, RankOf};
use serde::Deserialize;
use store::StationYear;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new().route("/hq", get(national)).route("/hq/awards", get(awards_form).post(save_awards))
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hq.html")]
struct NationalPage {
    l: L,
    layout: Layout,
    year: i32,
    paper: String,
    stations: Vec<StationYear>,
    rankings: Vec<Ranked>,
    chart: String,
    rules_saved: bool,
}

impl NationalPage {
    fn month(&self, s: &StationYear, m: &u8) -> i64 {
        s.paper_by_month.get(m).copied().unwrap_or(0)
    }
    fn month_total(&self, m: &u8) -> i64 {
        self.stations.iter().map(|s| s.paper_by_month.get(m).copied().unwrap_or(0)).sum()
    }
    /// The stations' total of one column, by its field's name.
    fn sum(&self, field: &str) -> i64 {
        self.stations
            .iter()
            .map(|s| match field {
                "paper_placements" => s.paper_placements,
                "placements" => s.placements,
                "website_items" => s.website_items,
                "subscriptions" => s.subscriptions,
                "events" => s.events,
                _ => s.active_correspondents,
            })
            .sum()
    }
    fn shown<'a>(&self, r: &'a Ranked) -> Vec<&'a Placed> {
        // The awarded and a few more; never the whole country's correspondents.
        r.placed.iter().take((r.award.top + 5).max(10)).collect()
    }
}

async fn national(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    // A year that does not parse shows the latest, like no year.
    let year = q.year.as_deref().and_then(|y| y.trim().parse().ok());
    let n = hq::national(&state.store, &ctx, year, &state.config.paper).await?;
    let l = L::new(v.locale);
    let chart = office::bar_chart_svg(
        &format!("{}{}{}{}", n.year, l.t("年各通联站在《"), n.paper, l.t("》发稿")),
        &n.stations.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        &n.stations.iter().map(|s| s.paper_placements as f64).collect::<Vec<_>>(),
        l.t("篇"),
    );
    Ok(NationalPage {
        l,
        layout: Layout::new(&state, &session, Some(&ctx), "hq").await?,
        year: n.year,
        paper: n.paper,
        stations: n.stations,
        rankings: n.rankings,
        chart,
        rules_saved: n.rules_saved,
    }
    .into_response())
}

#[derive(Deserialize)]
struct AwardsForm {
    source: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hq_awards.html")]
struct AwardsPage {
    l: L,
    layout: Layout,
    source: String,
    /// Each mistake with its line (第7行：…).
    errors: Vec<String>,
    can_write: bool,
}

async fn awards_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    source: String,
    errors: Vec<String>,
) -> AppResult<AwardsPage> {
    Ok(AwardsPage {
        l: L::new(v.locale),
        layout: Layout::new(state, session, Some(ctx), "hq").await?,
        source,
        errors,
        can_write: ctx.role().is_staff(),
    })
}

async fn awards_form(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let c = hq::criteria(&state.store, &ctx).await?;
    Ok(awards_page(&state, &session, &v, &ctx, c.source, Vec::new()).await?.into_response())
}

async fn save_awards(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<AwardsForm>,
) -> AppResult<Response> {
    match hq::save_criteria(&state.store, &ctx, &f.source).await {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("评选标准已保存")).await;
            Ok(see_other("/hq"))
        }
        Err(e) => {
            let errors = field_errors(e)?.0.into_iter().map(|e| e.message).collect();
            Ok(form_error(awards_page(&state, &session, &v, &ctx, f.source, errors).await?))
        }
    }
}
