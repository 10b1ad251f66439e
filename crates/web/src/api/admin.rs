//! Administration: accounts, stations and the audit log. Never a password or token hash: the
//! views below carry only what the pages show.

use super::extract::{JsonBody, PathParam, QueryParams};
use crate::AppState;
use crate::admin::{self, NewAccount, NewStation};
use crate::auth::Ctx;
use crate::error::{AppResult, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An account as administrators see it.
#[derive(Serialize, ToSchema)]
pub(super) struct UserView {
    id: UserId,
    /// None for a headquarters account.
    station_id: Option<StationId>,
    username: String,
    display_name: String,
    role: Role,
    correspondent_id: Option<CorrespondentId>,
    unit_id: Option<UnitId>,
    active: bool,
}

impl From<store::User> for UserView {
    fn from(u: store::User) -> Self {
        UserView {
            id: u.id,
            station_id: u.station_id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            correspondent_id: u.correspondent_id,
            unit_id: u.unit_id,
            active: u.active,
        }
    }
}

/// The station's accounts (every account, for headquarters). Administrators only.
#[utoipa::path(get, path = "/users", responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_users(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<UserView>>> {
    Ok(Json(admin::users(&state.store, &ctx).await?.into_iter().map(UserView::from).collect()))
}

/// Creates an account in the caller's station. A user name already taken is a 422 on
/// `username`, like every other field.
#[utoipa::path(post, path = "/users", request_body = NewAccount, responses((status = 201, body = UserView), (status = 422, body = ErrorBody)))]
pub(super) async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(a): JsonBody<NewAccount>,
) -> AppResult<Response> {
    let user = admin::create_account(&state.store, &ctx, a).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(user))).into_response())
}

#[derive(Deserialize, ToSchema)]
pub(super) struct PasswordReset {
    /// The new password.
    new: String,
    /// The same again.
    confirm: String,
}

/// What a password reset ended.
#[derive(Serialize, ToSchema)]
pub(super) struct PasswordResetDone {
    /// Sessions of the account that were ended.
    sessions: u64,
    /// API tokens of the account that were revoked.
    tokens: u64,
}

/// Sets a new password for an account of the caller's station; every session and API token
/// of that account ends.
#[utoipa::path(post, path = "/users/{id}/password", params(("id" = i64, Path)), request_body = PasswordReset,
    responses((status = 200, body = PasswordResetDone), (status = 422, body = ErrorBody)))]
pub(super) async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<UserId>,
    JsonBody(r): JsonBody<PasswordReset>,
) -> AppResult<Json<PasswordResetDone>> {
    let done = admin::reset_password(&state.store, &ctx, id, &r.new, &r.confirm, None).await?;
    Ok(Json(PasswordResetDone { sessions: done.sessions, tokens: done.tokens }))
}

// ---- stations ----

#[derive(Serialize, ToSchema)]
pub(super) struct StationView {
    id: StationId,
    /// A short identifier, used in URLs.
    code: String,
    name: String,
    /// When the station was made, in seconds since 1970.
    created_at: i64,
}

impl From<store::Station> for StationView {
    fn from(s: store::Station) -> Self {
        StationView { id: s.id, code: s.code, name: s.name, created_at: s.created_at }
    }
}

/// Every station for a headquarters account, an administrator's own otherwise.
#[utoipa::path(get, path = "/stations", responses((status = 200, body = Vec<StationView>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_stations(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<StationView>>> {
    Ok(Json(admin::stations(&state.store, &ctx).await?.into_iter().map(StationView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct StationRequest {
    /// Letters, digits, - and _, at most 32 characters; not taken.
    code: String,
    name: String,
}

/// Creates a station. Headquarters administrators only.
#[utoipa::path(post, path = "/stations", request_body = StationRequest, responses((status = 201, body = StationView), (status = 422, body = ErrorBody)))]
pub(super) async fn create_station(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<StationRequest>,
) -> AppResult<Response> {
    let s = admin::create_station(&state.store, &ctx, NewStation { code: r.code, name: r.name }).await?;
    Ok((StatusCode::CREATED, Json(StationView::from(s))).into_response())
}

// ---- audit ----

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditQuery {
    /// How many of the latest rows, 1 to 1000 (100 if not given).
    limit: Option<u64>,
}

/// One audited change.
#[derive(Serialize, ToSchema)]
pub(super) struct AuditView {
    id: i64,
    station_id: Option<StationId>,
    /// Who did it; none for the command line.
    user_id: Option<UserId>,
    /// When, in seconds since 1970.
    at: i64,
    /// What was done, e.g. `user.create`, `user.password_reset`.
    action: String,
    /// What it was done to, e.g. `user:7`.
    subject: String,
    detail: String,
}

/// The latest audit rows: the caller's station's, or every station's for a headquarters
/// administrator. Administrators only.
#[utoipa::path(get, path = "/audit", params(AuditQuery), responses((status = 200, body = Vec<AuditView>), (status = 403, body = ErrorBody)))]
pub(super) async fn audit_log(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<AuditQuery>,
) -> AppResult<Json<Vec<AuditView>>> {
    let rows = admin::audit_log(&state.store, &ctx, q.limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| AuditView {
                id: a.id,
                station_id: a.station_id,
                user_id: a.user_id,
                at: a.at,
                action: a.action,
                subject: a.subject,
                detail: a.detail,
            })
            .collect(),
    ))
}
