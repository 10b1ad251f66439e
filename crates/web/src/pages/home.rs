//! The home dashboard: for editors and leaders the month's work by unit and outlet level and
//! the manuscripts waiting; for correspondents their own drafts and placements.

use super::Layout;
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::ops::{self, Dashboard};
use crate::{AppResult, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    l: L,
    layout: Layout,
    d: Dashboard,
    month: String,
    max: i64,
    is_writer: bool,
    /// The year's weak links, for those who read the network (a liaison's own unit first).
    progress: Option<app::targets::ProgressView>,
}

impl HomePage {
    /// Bar length in pixels for a count, against the month's largest.
    fn bar(&self, n: &i64) -> i64 {
        if self.max == 0 { 0 } else { n * 120 / self.max }
    }
}

#[derive(Deserialize)]
struct HomeQuery {
    month: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<HomeQuery>,
) -> AppResult<Response> {
    let month = q.month.as_deref().and_then(|m| domain::parse_date(&format!("{m}-01")));
    let d = ops::dashboard(&state.store, &ctx, month).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "home").await?;
    let max = d.by_unit.iter().map(|u| u.placements).max().unwrap_or(0);
    let month = format!("{:04}-{:02}", d.from.year(), u8::from(d.from.month()));
    let is_writer = ctx.user.correspondent_id.is_some();
    let progress = weak_links(&state, &ctx, d.from).await?;
    Ok(HomePage { l: L::new(v.locale), layout, d, month, max, is_writer, progress }.into_response())
}

/// The weak links of the dashboard's year, as of the end of its month (or today): for the
/// editor every unit's, for a liaison the own unit's first. None when no target is set.
async fn weak_links(state: &AppState, ctx: &Ctx, month: time::Date) -> AppResult<Option<app::targets::ProgressView>> {
    let Some(station) = ctx.station.filter(|_| crate::access::can_view_network(ctx.role())) else {
        return Ok(None);
    };
    let year = month.year();
    let end = time::Date::from_calendar_date(year, month.month(), month.month().length(year)).unwrap_or(month);
    let as_of = end.min(app::targets::as_of_for(year));
    let mut p = app::targets::progress_of(&state.store, ctx, station, year, as_of).await?;
    if p.rows.is_empty() {
        return Ok(None);
    }
    if ctx.role() == domain::Role::Liaison
        && let Some(unit) = ctx.user.unit_id
    {
        let all = state.store.all_correspondents(station).await?;
        let people: Vec<domain::CorrespondentId> =
            all.iter().filter(|c| c.unit_id == Some(unit)).map(|c| c.id).collect();
        p.rows.retain(|r| {
            r.target.unit_id == Some(unit) || r.target.correspondent_id.is_some_and(|c| people.contains(&c))
        });
    }
    Ok(Some(p))
}
