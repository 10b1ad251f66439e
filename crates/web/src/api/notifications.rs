//! The signed-in user's reminders (提醒) and their settings: always the caller's own.

use super::extract::{JsonBody, PathParam};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppResult;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A reminder.
#[derive(Serialize, ToSchema)]
pub(super) struct NotificationView {
    id: i64,
    /// The kind's code, e.g. draft_waiting.
    kind: String,
    title: String,
    body: String,
    /// Where in the site it points.
    link: String,
    /// Unix seconds.
    created_at: i64,
    read: bool,
}

impl From<store::Notification> for NotificationView {
    fn from(n: store::Notification) -> Self {
        NotificationView {
            id: n.id,
            kind: n.kind.code().to_string(),
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: n.created_at,
            read: n.read,
        }
    }
}

/// The caller's reminders, newest first (kinds turned off in the site left out; at most 200).
#[utoipa::path(get, path = "/notifications", responses((status = 200, body = Vec<NotificationView>)))]
pub(super) async fn list_notifications(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<Vec<NotificationView>>> {
    let items = app::notifications::list(&state.store, &ctx).await?;
    Ok(Json(items.into_iter().map(NotificationView::from).collect()))
}

/// Marks all the caller's reminders read.
#[utoipa::path(post, path = "/notifications/read", responses((status = 204)))]
pub(super) async fn read_all(State(state): State<AppState>, ctx: Ctx) -> AppResult<StatusCode> {
    app::notifications::mark_read(&state.store, &ctx, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks one of the caller's reminders read (an id that is not theirs changes nothing).
#[utoipa::path(post, path = "/notifications/{id}/read", params(("id" = i64, Path)), responses((status = 204)))]
pub(super) async fn read_one(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<i64>,
) -> AppResult<StatusCode> {
    app::notifications::mark_read(&state.store, &ctx, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's choice for one kind of reminder.
#[derive(Serialize, ToSchema)]
pub(super) struct PrefView {
    /// The kind's code.
    kind: String,
    /// What it is, in Chinese.
    label: String,
    in_app: bool,
    email: bool,
}

/// The caller's reminder settings.
#[derive(Serialize, ToSchema)]
pub(super) struct SettingsView {
    /// Where reminders are mailed ("" for nowhere).
    email: String,
    prefs: Vec<PrefView>,
}

async fn settings_view(state: &AppState, ctx: &Ctx) -> AppResult<SettingsView> {
    let (prefs, email) = app::notifications::settings(&state.store, ctx).await?;
    let prefs = prefs
        .into_iter()
        .map(|p| PrefView { kind: p.kind.code().into(), label: p.kind.zh().into(), in_app: p.in_app, email: p.email })
        .collect();
    Ok(SettingsView { email, prefs })
}

#[utoipa::path(get, path = "/notifications/settings", responses((status = 200, body = SettingsView)))]
pub(super) async fn get_settings(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<SettingsView>> {
    Ok(Json(settings_view(&state, &ctx).await?))
}

/// New settings: the kinds on in the site and by e-mail (a kind left out is off).
#[derive(Deserialize, ToSchema)]
pub(super) struct SettingsInput {
    #[serde(default)]
    email: String,
    /// Kind codes shown in the site.
    #[serde(default)]
    in_app: Vec<String>,
    /// Kind codes sent by e-mail.
    #[serde(default)]
    by_email: Vec<String>,
}

/// Replaces the caller's reminder settings; a malformed address is 422 and saves nothing.
#[utoipa::path(put, path = "/notifications/settings", request_body = SettingsInput, responses((status = 200, body = SettingsView)))]
pub(super) async fn put_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<SettingsInput>,
) -> AppResult<Json<SettingsView>> {
    let prefs = app::notifications::prefs_from_codes(&input.in_app, &input.by_email);
    app::notifications::save_settings(&state.store, &ctx, &prefs, &input.email).await?;
    Ok(Json(settings_view(&state, &ctx).await?))
}
