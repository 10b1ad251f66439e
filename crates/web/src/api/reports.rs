//! The annual report (年度经验交流材料): its figures and narrative as JSON (the same as the
//! page's `report.json`), the narrative saved, and the Word file.

use super::extract::{JsonBody, PathParam};
use crate::AppState;
use crate::annual::{self, AnnualReport, Narrative};
use crate::auth::Ctx;
use crate::error::{AppResult, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use domain::{EventKind, OutletKind, OutletLevel};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The report of a year, built from the data when asked.
#[derive(Serialize, ToSchema)]
pub(crate) struct AnnualReportView {
    station: String,
    year: i32,
    figures: AnnualFigures,
    by_unit: Vec<AnnualUnitLine>,
    by_outlet: Vec<AnnualOutletLine>,
    /// Months 1 to 12.
    by_month: Vec<AnnualMonthLine>,
    /// Events of the year by kind.
    events: Vec<AnnualEvents>,
    narrative: AnnualNarrative,
    /// Whether the narrative is the editor's (else it was drafted from the figures).
    narrative_saved: bool,
}

/// The headline figures. Money is in fen.
#[derive(Serialize, ToSchema)]
struct AnnualFigures {
    /// The national newspaper with most of the station's placements, and its placements.
    paper: Option<String>,
    paper_placements: i64,
    /// Placements in every outlet.
    placements: i64,
    /// The station's own website and its items.
    website: Option<String>,
    website_items: i64,
    national_websites: i64,
    provincial_websites: i64,
    /// Copies ordered in the year's subscription drives.
    subscriptions: i64,
    rewards_paid_fen: i64,
    paid_months: i64,
    monthly_reward_fen: i64,
    /// Correspondents with at least one placement in the year.
    active_correspondents: i64,
    lectures: i64,
    interviews: i64,
    events: i64,
}

#[derive(Serialize, ToSchema)]
struct AnnualUnitLine {
    unit: String,
    placements: i64,
    paper: i64,
    website: i64,
    subscriptions: i64,
    events: i64,
}

#[derive(Serialize, ToSchema)]
struct AnnualOutletLine {
    outlet: String,
    kind: OutletKind,
    level: OutletLevel,
    placements: i64,
}

#[derive(Serialize, ToSchema)]
struct AnnualMonthLine {
    month: u8,
    placements: i64,
    paper: i64,
    rewards_paid_fen: i64,
}

#[derive(Serialize, ToSchema)]
struct AnnualEvents {
    kind: EventKind,
    count: i64,
}

/// The editor's words around the figures; paragraphs are separated by blank lines. At most
/// 20,000 characters each.
#[derive(Serialize, Deserialize, ToSchema)]
pub(crate) struct AnnualNarrative {
    /// The opening (开篇).
    intro: String,
    /// What the station did and learned (做法与体会).
    practices: String,
    /// Problems and next year's plans (存在问题与下一步打算).
    plans: String,
}

impl From<AnnualReport> for AnnualReportView {
    fn from(r: AnnualReport) -> Self {
        let f = r.figures;
        AnnualReportView {
            station: r.station,
            year: r.year,
            figures: AnnualFigures {
                paper: f.paper,
                paper_placements: f.paper_placements,
                placements: f.placements,
                website: f.website,
                website_items: f.website_items,
                national_websites: f.national_websites,
                provincial_websites: f.provincial_websites,
                subscriptions: f.subscriptions,
                rewards_paid_fen: f.rewards_paid_fen,
                paid_months: f.paid_months,
                monthly_reward_fen: f.monthly_reward_fen,
                active_correspondents: f.active_correspondents,
                lectures: f.lectures,
                interviews: f.interviews,
                events: f.events,
            },
            by_unit: r
                .by_unit
                .into_iter()
                .map(|u| AnnualUnitLine {
                    unit: u.unit,
                    placements: u.placements,
                    paper: u.paper,
                    website: u.website,
                    subscriptions: u.subscriptions,
                    events: u.events,
                })
                .collect(),
            by_outlet: r
                .by_outlet
                .into_iter()
                .map(|o| AnnualOutletLine { outlet: o.outlet, kind: o.kind, level: o.level, placements: o.placements })
                .collect(),
            by_month: r
                .by_month
                .into_iter()
                .map(|m| AnnualMonthLine {
                    month: m.month,
                    placements: m.placements,
                    paper: m.paper,
                    rewards_paid_fen: m.rewards_paid_fen,
                })
                .collect(),
            events: r.events.into_iter().map(|(kind, count)| AnnualEvents { kind, count }).collect(),
            narrative: AnnualNarrative {
                intro: r.narrative.intro,
                practices: r.narrative.practices,
                plans: r.narrative.plans,
            },
            narrative_saved: r.narrative_saved,
        }
    }
}

/// The year's report for the caller's station. Everyone but correspondents.
#[utoipa::path(get, path = "/reports/annual/{year}", params(("year" = i32, Path, description = "2000 to 2100")),
    responses((status = 200, body = AnnualReportView), (status = 403, body = ErrorBody)))]
pub(super) async fn annual_report(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(year): PathParam<i32>,
) -> AppResult<Json<AnnualReportView>> {
    Ok(Json(annual::report(&state.store, &ctx, year).await?.into()))
}

/// Saves the year's narrative (what the page's form saves); answers the report. Editors and
/// administrators.
#[utoipa::path(put, path = "/reports/annual/{year}", params(("year" = i32, Path, description = "2000 to 2100")),
    request_body = AnnualNarrative, responses((status = 200, body = AnnualReportView), (status = 422, body = ErrorBody)))]
pub(super) async fn save_annual_report(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(year): PathParam<i32>,
    JsonBody(n): JsonBody<AnnualNarrative>,
) -> AppResult<Json<AnnualReportView>> {
    let narrative = Narrative { intro: n.intro, practices: n.practices, plans: n.plans };
    annual::save(&state.store, &ctx, year, &narrative).await?;
    Ok(Json(annual::report(&state.store, &ctx, year).await?.into()))
}

/// The year's report as a Word file.
#[utoipa::path(get, path = "/reports/annual/{year}/report.docx", params(("year" = i32, Path, description = "2000 to 2100")),
    responses(
        (status = 200, description = "The report as a Word document.",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>),
        (status = 403, body = ErrorBody)))]
pub(super) async fn annual_report_docx(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(year): PathParam<i32>,
) -> AppResult<Response> {
    let (name, bytes) = annual::report_docx(&state.store, &ctx, year).await?;
    Ok(super::docx_response(&name, bytes))
}
