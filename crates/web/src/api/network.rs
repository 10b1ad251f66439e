//! The signed-in user, API tokens, the dashboard, and the network: units, outlets and
//! correspondents.

use super::extract::{JsonBody, PathParam, QueryParams};
use super::{PageOf, page_of};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppResult, ErrorBody};
use crate::ops::{self, Dashboard, ListQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::*;
use serde::{Deserialize, Serialize};
use store::{Correspondent, Outlet, Unit, User};
use utoipa::ToSchema;

#[utoipa::path(get, path = "/me", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub(super) async fn me(ctx: Ctx) -> Json<User> {
    Json(ctx.actor.user)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct TokenRequest {
    /// A name to recognise the token by.
    name: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct TokenResponse {
    /// Shown once; store it safely.
    token: String,
}

/// Creates an API token for the signed-in user.
#[utoipa::path(post, path = "/tokens", request_body = TokenRequest, responses((status = 201, body = TokenResponse)))]
pub(super) async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<TokenRequest>,
) -> AppResult<Response> {
    let token = app::tokens::create_token(&state.store, &ctx, &r.name).await?;
    Ok((StatusCode::CREATED, Json(TokenResponse { token })).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct MonthQuery {
    /// A month, e.g. 2007-06.
    month: Option<String>,
}

#[utoipa::path(get, path = "/dashboard", params(MonthQuery), responses((status = 200, body = Dashboard)))]
pub(super) async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<MonthQuery>,
) -> AppResult<Json<Dashboard>> {
    let month = q.month.as_deref().and_then(|m| parse_date(&format!("{m}-01")));
    Ok(Json(ops::dashboard(&state.store, &ctx, month).await?))
}

// ---- units ----

#[utoipa::path(get, path = "/units", responses((status = 200, body = Vec<Unit>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_units(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Unit>>> {
    Ok(Json(ops::units(&state.store, &ctx).await?))
}

#[utoipa::path(post, path = "/units", request_body = UnitInput, responses((status = 201, body = Unit), (status = 422, body = ErrorBody)))]
pub(super) async fn create_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<UnitInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(ops::create_unit(&state.store, &ctx, input).await?)).into_response())
}

#[utoipa::path(put, path = "/units/{id}", params(("id" = i64, Path)), request_body = UnitInput, responses((status = 200, body = Unit)))]
pub(super) async fn update_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<UnitId>,
    JsonBody(input): JsonBody<UnitInput>,
) -> AppResult<Json<Unit>> {
    Ok(Json(ops::update_unit(&state.store, &ctx, id, input).await?))
}

// ---- outlets ----

#[utoipa::path(get, path = "/outlets", responses((status = 200, body = Vec<Outlet>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_outlets(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Outlet>>> {
    Ok(Json(ops::outlets(&state.store, &ctx).await?))
}

#[utoipa::path(post, path = "/outlets", request_body = OutletInput, responses((status = 201, body = Outlet), (status = 422, body = ErrorBody)))]
pub(super) async fn create_outlet(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<OutletInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(ops::create_outlet(&state.store, &ctx, input).await?)).into_response())
}

#[utoipa::path(get, path = "/outlets/{id}", params(("id" = i64, Path)), responses((status = 200, body = Outlet), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn get_outlet(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<OutletId>,
) -> AppResult<Json<Outlet>> {
    Ok(Json(ops::outlet(&state.store, &ctx, id).await?))
}

#[utoipa::path(put, path = "/outlets/{id}", params(("id" = i64, Path)), request_body = OutletInput, responses((status = 200, body = Outlet)))]
pub(super) async fn update_outlet(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<OutletId>,
    JsonBody(input): JsonBody<OutletInput>,
) -> AppResult<Json<Outlet>> {
    Ok(Json(ops::update_outlet(&state.store, &ctx, id, input).await?))
}

// ---- correspondents ----

#[utoipa::path(get, path = "/correspondents", params(ListQuery), responses((status = 200, body = PageOf<Correspondent>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_correspondents(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<ListQuery>,
) -> AppResult<Json<PageOf<Correspondent>>> {
    Ok(Json(page_of(ops::correspondents(&state.store, &ctx, &q).await?)))
}

#[utoipa::path(post, path = "/correspondents", request_body = CorrespondentInput, responses((status = 201, body = Correspondent), (status = 422, body = ErrorBody)))]
pub(super) async fn create_correspondent(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<CorrespondentInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(ops::create_correspondent(&state.store, &ctx, input).await?)).into_response())
}

#[utoipa::path(get, path = "/correspondents/{id}", params(("id" = i64, Path)), responses((status = 200, body = Correspondent), (status = 404, body = ErrorBody)))]
pub(super) async fn get_correspondent(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<CorrespondentId>,
) -> AppResult<Json<Correspondent>> {
    Ok(Json(ops::correspondent(&state.store, &ctx, id).await?))
}

#[utoipa::path(put, path = "/correspondents/{id}", params(("id" = i64, Path)), request_body = CorrespondentInput, responses((status = 200, body = Correspondent)))]
pub(super) async fn update_correspondent(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<CorrespondentId>,
    JsonBody(input): JsonBody<CorrespondentInput>,
) -> AppResult<Json<Correspondent>> {
    Ok(Json(ops::update_correspondent(&state.store, &ctx, id, input).await?))
}
