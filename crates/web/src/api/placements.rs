//! Placements: where a manuscript was published, and who wrote it.

use super::extract::{JsonBody, PathParam, QueryParams};
use super::{PageOf, page_of};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppResult, ErrorBody};
use crate::ops::{self, ListQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::*;
use store::Placement;

#[utoipa::path(get, path = "/placements", params(ListQuery), responses((status = 200, body = PageOf<Placement>)))]
pub(super) async fn list_placements(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<ListQuery>,
) -> AppResult<Json<PageOf<Placement>>> {
    Ok(Json(page_of(ops::placements(&state.store, &ctx, &q).await?)))
}

#[utoipa::path(post, path = "/placements", request_body = PlacementInput, responses((status = 201, body = Placement), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn create_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<PlacementInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(ops::create_placement(&state.store, &ctx, input).await?)).into_response())
}

#[utoipa::path(get, path = "/placements/{id}", params(("id" = i64, Path)), responses((status = 200, body = Placement), (status = 404, body = ErrorBody)))]
pub(super) async fn get_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<PlacementId>,
) -> AppResult<Json<Placement>> {
    Ok(Json(ops::placement(&state.store, &ctx, id).await?))
}

#[utoipa::path(put, path = "/placements/{id}", params(("id" = i64, Path)), request_body = PlacementInput, responses((status = 200, body = Placement), (status = 409, body = ErrorBody)))]
pub(super) async fn update_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<PlacementId>,
    JsonBody(input): JsonBody<PlacementInput>,
) -> AppResult<Json<Placement>> {
    Ok(Json(ops::update_placement(&state.store, &ctx, id, input).await?))
}

#[utoipa::path(delete, path = "/placements/{id}", params(("id" = i64, Path)), responses((status = 204)))]
pub(super) async fn delete_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<PlacementId>,
) -> AppResult<StatusCode> {
    ops::delete_placement(&state.store, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
