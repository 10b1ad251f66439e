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
    let d = ops::dashboard(&state, &ctx, month).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "home").await?;
    let max = d.by_unit.iter().map(|u| u.placements).max().unwrap_or(0);
    let month = format!("{:04}-{:02}", d.from.year(), u8::from(d.from.month()));
    let is_writer = ctx.user.correspondent_id.is_some();
    Ok(HomePage { l: L::new(v.locale), layout, d, month, max, is_writer }.into_response())
}
