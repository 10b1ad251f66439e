//! Manuscripts and their workflow: submit, revise, accept, return, and the revision history.

use super::extract::{JsonBody, PathParam, QueryParams};
use super::{PageOf, page_of};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppResult, ErrorBody};
use crate::ops::{self, ListQuery, ManuscriptPermissions, ReviseInput, RoundView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::*;
use serde::{Deserialize, Serialize};
use store::Manuscript;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub(super) struct ManuscriptView {
    #[serde(flatten)]
    manuscript: Manuscript,
    /// What the caller may do with it.
    permissions: ManuscriptPermissions,
}

pub(super) async fn view(state: &AppState, ctx: &Ctx, m: Manuscript) -> AppResult<Json<ManuscriptView>> {
    let permissions = ops::manuscript_permissions(&state.store, ctx, &m).await?;
    Ok(Json(ManuscriptView { manuscript: m, permissions }))
}

#[utoipa::path(get, path = "/manuscripts", params(ListQuery), responses((status = 200, body = PageOf<Manuscript>)))]
pub(super) async fn list_manuscripts(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<ListQuery>,
) -> AppResult<Json<PageOf<Manuscript>>> {
    Ok(Json(page_of(ops::manuscripts(&state.store, &ctx, &q).await?)))
}

#[utoipa::path(post, path = "/manuscripts", request_body = ManuscriptInput, responses((status = 201, body = ManuscriptView), (status = 422, body = ErrorBody)))]
pub(super) async fn create_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<ManuscriptInput>,
) -> AppResult<Response> {
    let m = ops::create_manuscript(&state.store, &ctx, input).await?;
    Ok((StatusCode::CREATED, view(&state, &ctx, m).await?).into_response())
}

#[utoipa::path(get, path = "/manuscripts/{id}", params(("id" = i64, Path)), responses((status = 200, body = ManuscriptView), (status = 404, body = ErrorBody)))]
pub(super) async fn get_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<ManuscriptId>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::manuscript(&state.store, &ctx, id).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(put, path = "/manuscripts/{id}", params(("id" = i64, Path)), request_body = ManuscriptInput, responses((status = 200, body = ManuscriptView), (status = 409, body = ErrorBody)))]
pub(super) async fn update_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<ManuscriptId>,
    JsonBody(input): JsonBody<ManuscriptInput>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::update_manuscript(&state.store, &ctx, id, input).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(post, path = "/manuscripts/{id}/submit", params(("id" = i64, Path)), responses((status = 200, body = ManuscriptView), (status = 409, body = ErrorBody)))]
pub(super) async fn submit_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<ManuscriptId>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::submit_manuscript(&state.store, &ctx, id).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(post, path = "/manuscripts/{id}/revise", params(("id" = i64, Path)), request_body = ReviseInput, responses((status = 200, body = ManuscriptView), (status = 409, body = ErrorBody)))]
pub(super) async fn revise_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<ManuscriptId>,
    JsonBody(input): JsonBody<ReviseInput>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::revise_manuscript(&state.store, &ctx, id, &input).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(post, path = "/manuscripts/{id}/accept", params(("id" = i64, Path)), responses((status = 200, body = ManuscriptView), (status = 409, body = ErrorBody)))]
pub(super) async fn accept_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<ManuscriptId>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::accept_manuscript(&state.store, &ctx, id).await?;
    view(&state, &ctx, m).await
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ReturnRequest {
    reason: String,
}

#[utoipa::path(post, path = "/manuscripts/{id}/return", params(("id" = i64, Path)), request_body = ReturnRequest, responses((status = 200, body = ManuscriptView), (status = 409, body = ErrorBody)))]
pub(super) async fn return_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<ManuscriptId>,
    JsonBody(r): JsonBody<ReturnRequest>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::return_manuscript(&state.store, &ctx, id, &r.reason).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(get, path = "/manuscripts/{id}/history", params(("id" = i64, Path)), responses((status = 200, body = Vec<RoundView>)))]
pub(super) async fn manuscript_history(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<ManuscriptId>,
) -> AppResult<Json<Vec<RoundView>>> {
    Ok(Json(ops::history(&state.store, &ctx, id).await?))
}
