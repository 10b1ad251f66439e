//! Headquarters (报社总部): every station's year — placements in the paper by month,
//! subscriptions, events — and the national awards (最佳通联站, 先进发行区, 最佳通讯员)
//! ranked under criteria headquarters keeps as data and edits here. Only headquarters
//! accounts (no station of their own) see these pages.

use super::{Layout, flash, form_error, see_other};
use crate::access;
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::awards::{Award, AwardError, Candidate, DEFAULT_AWARDS, Figure, Placed, RankOf, parse_awards, rank};
use serde::Deserialize;
use store::{CorrespondentYear, StationYear};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new().route("/hq", get(national)).route("/hq/awards", get(awards_form).post(save_awards))
}

/// Headquarters accounts only; writing the criteria also needs a role that writes.
fn require_hq(ctx: &Ctx) -> AppResult<()> {
    Ok(access::require(ctx.is_hq())?)
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<String>,
}

/// One award's ranking.
struct Ranked {
    award: Award,
    placed: Vec<Placed>,
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

fn station_candidates(stations: &[StationYear]) -> Vec<Candidate> {
    stations
        .iter()
        .map(|s| Candidate {
            id: s.station_id.0,
            name: s.name.clone(),
            group: s.code.clone(),
            figures: [
                (Figure::PaperPlacements, s.paper_placements),
                (Figure::Placements, s.placements),
                (Figure::WebsiteItems, s.website_items),
                (Figure::Subscriptions, s.subscriptions),
                (Figure::Events, s.events),
                (Figure::ActiveCorrespondents, s.active_correspondents),
            ]
            .into_iter()
            .collect(),
        })
        .collect()
}

fn person_candidates(people: &[CorrespondentYear]) -> Vec<Candidate> {
    people
        .iter()
        .map(|p| Candidate {
            id: p.id.0,
            name: p.name.clone(),
            group: p.station.clone(),
            figures: [(Figure::PaperPlacements, p.paper_placements), (Figure::Placements, p.placements)]
                .into_iter()
                .collect(),
        })
        .collect()
}

/// The criteria in force: the latest saved, else the shipped ones.
async fn criteria(state: &AppState) -> AppResult<(String, bool)> {
    Ok(match state.store.award_rules().await? {
        Some((source, _)) => (source, true),
        None => (DEFAULT_AWARDS.to_string(), false),
    })
}

async fn national(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    require_hq(&ctx)?;
    let year = match q.year.as_deref().and_then(|y| y.trim().parse().ok()).filter(|y| (2000..=2100).contains(y)) {
        Some(y) => y,
        None => {
            // The latest year any station has placements in.
            let mut latest = None;
            for s in state.store.stations().await? {
                latest = latest.max(state.store.latest_placement_date(s.id).await?);
            }
            latest.map(|d| d.year()).unwrap_or_else(|| super::today().year())
        }
    };
    let paper = state.config.paper.clone();
    let (mut stations, people) = state.store.national_year(year, &paper).await?;
    stations.sort_by(|a, b| b.paper_placements.cmp(&a.paper_placements).then_with(|| a.name.cmp(&b.name)));
    let (source, rules_saved) = criteria(&state).await?;
    let awards = parse_awards(&source)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("saved award criteria do not parse: {}", e.len())))?;
    let rankings = awards
        .into_iter()
        .map(|award| {
            let candidates = match award.rank {
                RankOf::Station => station_candidates(&stations),
                RankOf::Correspondent => person_candidates(&people),
            };
            Ranked { placed: rank(&award, &candidates), award }
        })
        .collect();
    let l = L::new(v.locale);
    let chart = office::bar_chart_svg(
        &format!("{year}{}{paper}{}", l.t("年各通联站在《"), l.t("》发稿")),
        &stations.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        &stations.iter().map(|s| s.paper_placements as f64).collect::<Vec<_>>(),
        l.t("篇"),
    );
    Ok(NationalPage {
        l,
        layout: Layout::new(&state, &session, Some(&ctx), "hq").await?,
        year,
        paper,
        stations,
        rankings,
        chart,
        rules_saved,
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
    errors: Vec<AwardError>,
    can_write: bool,
}

async fn awards_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    source: String,
    errors: Vec<AwardError>,
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
    require_hq(&ctx)?;
    let (source, _) = criteria(&state).await?;
    Ok(awards_page(&state, &session, &v, &ctx, source, Vec::new()).await?.into_response())
}

async fn save_awards(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<AwardsForm>,
) -> AppResult<Response> {
    require_hq(&ctx)?;
    access::require(ctx.role().is_staff())?;
    match parse_awards(&f.source) {
        Ok(_) => {
            state.store.save_award_rules(ctx.user.id, &f.source).await?;
            flash(&session, L::new(v.locale).t("评选标准已保存")).await;
            Ok(see_other("/hq"))
        }
        Err(errors) => Ok(form_error(awards_page(&state, &session, &v, &ctx, f.source, errors).await?)),
    }
}
