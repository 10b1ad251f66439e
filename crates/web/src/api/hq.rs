//! Headquarters (报社总部): every station's year, the national awards ranked, and the award
//! criteria. Headquarters accounts only (no station of their own).

use super::extract::QueryParams;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppResult, ErrorBody};
use app::hq::{self, Criteria, National, Ranked};
use axum::Json;
use axum::extract::State;
use domain::StationId;
use domain::awards::RankOf;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct NationalQuery {
    /// A year, e.g. 2007; without one (or outside 2000–2100), the latest year with placements.
    year: Option<i32>,
}

/// A year across the country.
#[derive(Serialize, ToSchema)]
pub(super) struct NationalView {
    year: i32,
    /// The paper whose placements are counted.
    paper: String,
    /// Most placements in the paper first.
    stations: Vec<StationYearView>,
    /// One per award, in the criteria's order.
    rankings: Vec<AwardRanking>,
    /// Whether headquarters saved its own criteria (else the shipped ones rank).
    rules_saved: bool,
}

/// One station's year.
#[derive(Serialize, ToSchema)]
struct StationYearView {
    station_id: StationId,
    code: String,
    name: String,
    /// Placements in the paper, January to December (12 numbers).
    paper_by_month: Vec<i64>,
    paper_placements: i64,
    placements: i64,
    website_items: i64,
    subscriptions: i64,
    events: i64,
    active_correspondents: i64,
}

/// One award and who it ranks, best first.
#[derive(Serialize, ToSchema)]
struct AwardRanking {
    key: String,
    name: String,
    /// `station` or `correspondent`.
    rank: String,
    /// How many are awarded (more when candidates tie at the boundary).
    top: usize,
    placed: Vec<PlacedView>,
}

#[derive(Serialize, ToSchema)]
struct PlacedView {
    /// 1, 2, 2, 4…; 0 for an ineligible candidate.
    rank: usize,
    /// The station's or the correspondent's id.
    id: i64,
    name: String,
    /// The station's code, or the correspondent's station.
    group: String,
    /// The score, an exact decimal as a string such as `"12.5"`.
    score: String,
    eligible: bool,
    awarded: bool,
}

impl From<Ranked> for AwardRanking {
    fn from(r: Ranked) -> Self {
        let rank = match r.award.rank {
            RankOf::Station => "station",
            RankOf::Correspondent => "correspondent",
        };
        AwardRanking {
            key: r.award.key,
            name: r.award.name,
            rank: rank.into(),
            top: r.award.top,
            placed: r
                .placed
                .into_iter()
                .map(|p| PlacedView {
                    rank: p.rank,
                    id: p.id,
                    name: p.name,
                    group: p.group,
                    score: p.score.normalize().to_string(),
                    eligible: p.eligible,
                    awarded: p.awarded,
                })
                .collect(),
        }
    }
}

impl From<National> for NationalView {
    fn from(n: National) -> Self {
        NationalView {
            year: n.year,
            paper: n.paper,
            stations: n
                .stations
                .into_iter()
                .map(|s| StationYearView {
                    paper_by_month: (1..=12u8).map(|m| s.paper_by_month.get(&m).copied().unwrap_or(0)).collect(),
                    station_id: s.station_id,
                    code: s.code,
                    name: s.name,
                    paper_placements: s.paper_placements,
                    placements: s.placements,
                    website_items: s.website_items,
                    subscriptions: s.subscriptions,
                    events: s.events,
                    active_correspondents: s.active_correspondents,
                })
                .collect(),
            rankings: n.rankings.into_iter().map(AwardRanking::from).collect(),
            rules_saved: n.rules_saved,
        }
    }
}

/// Every station's year and the national awards ranked (the `/hq` page). Headquarters only.
#[utoipa::path(get, path = "/hq/national", params(NationalQuery),
    responses((status = 200, body = NationalView), (status = 403, body = ErrorBody)))]
pub(super) async fn national(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<NationalQuery>,
) -> AppResult<Json<NationalView>> {
    Ok(Json(hq::national(&state.store, &ctx, q.year, &state.config.paper).await?.into()))
}

/// The award criteria in force.
#[derive(Serialize, ToSchema)]
pub(super) struct CriteriaView {
    /// The criteria as TOML text.
    source: String,
    /// Whether headquarters saved them (else they are the shipped ones).
    saved: bool,
}

impl From<Criteria> for CriteriaView {
    fn from(c: Criteria) -> Self {
        CriteriaView { source: c.source, saved: c.saved }
    }
}

/// The award criteria in force. Headquarters only.
#[utoipa::path(get, path = "/hq/awards", responses((status = 200, body = CriteriaView), (status = 403, body = ErrorBody)))]
pub(super) async fn awards(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<CriteriaView>> {
    Ok(Json(hq::criteria(&state.store, &ctx).await?.into()))
}

/// Saves new award criteria: the body is the TOML text. 422 lists every error with its line;
/// nothing is saved then. Headquarters editors and administrators.
#[utoipa::path(put, path = "/hq/awards", request_body(content = String, content_type = "text/plain"),
    responses((status = 200, body = CriteriaView), (status = 422, body = ErrorBody)))]
pub(super) async fn save_awards(
    State(state): State<AppState>,
    ctx: Ctx,
    body: String,
) -> AppResult<Json<CriteriaView>> {
    hq::save_criteria(&state.store, &ctx, &body).await?;
    Ok(Json(hq::criteria(&state.store, &ctx).await?.into()))
}
