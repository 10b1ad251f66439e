//! Rewards: policies, statements (draft, notice, confirmation, objections, payments) and
//! rankings.

use super::extract::{JsonBody, PathParam, QueryParams};
use super::views::{RankingView, StatementDetail};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, AppResult, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[utoipa::path(get, path = "/policies", responses((status = 200, body = Vec<store::PolicyRecord>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_policies(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<Vec<store::PolicyRecord>>> {
    Ok(Json(crate::rewards::policies(&state.store, &ctx).await?))
}

/// Loads a policy: the body is the TOML text. 422 lists every error with its line.
#[utoipa::path(post, path = "/policies", request_body(content = String, content_type = "text/plain"),
    responses((status = 201, body = store::PolicyRecord), (status = 422, body = ErrorBody)))]
pub(super) async fn load_policy(State(state): State<AppState>, ctx: Ctx, body: String) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(crate::rewards::load_policy_as(&state.store, &ctx, &body).await?)).into_response())
}

#[utoipa::path(get, path = "/statements", responses((status = 200, body = Vec<StatementSummary>)))]
pub(super) async fn list_statements(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<StatementSummary>>> {
    let list = crate::rewards::statements(&state.store, &ctx).await?;
    Ok(Json(list.into_iter().map(StatementSummary::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub(super) struct StatementSummary {
    id: StatementId,
    period: String,
    status: StatementStatus,
    content_hash: String,
    objection_until: Option<String>,
}

impl From<store::StatementRecord> for StatementSummary {
    fn from(s: store::StatementRecord) -> Self {
        StatementSummary {
            id: s.id,
            period: s.period,
            status: s.status,
            content_hash: s.content_hash,
            objection_until: s.objection_until.map(format_date),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ComputeRequest {
    /// 2007-06, 2007-Q2 or 2007.
    period: String,
}

/// Computes (or recomputes) the period's draft.
#[utoipa::path(post, path = "/statements", request_body = ComputeRequest, responses((status = 201, body = StatementSummary), (status = 409, body = ErrorBody)))]
pub(super) async fn compute_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<ComputeRequest>,
) -> AppResult<Response> {
    let period = domain::policy::Period::parse(&r.period)
        .map_err(|m| AppError::Invalid(FieldErrors(vec![FieldError::new("period", m)])))?;
    let s = crate::rewards::draft(&state.store, &ctx, &period).await?;
    let summary = StatementSummary::from(s);
    Ok((StatusCode::CREATED, Json(summary)).into_response())
}

/// A statement with the lines the caller may see (a correspondent: only their own).
#[utoipa::path(get, path = "/statements/{id}", params(("id" = i64, Path)), responses((status = 200, body = StatementDetail)))]
pub(super) async fn get_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<StatementId>,
) -> AppResult<Json<StatementDetail>> {
    let (record, figures) = crate::rewards::visible_statement(&state.store, &ctx, id).await?;
    Ok(Json(StatementDetail::new(record, figures)))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct PublishRequest {
    /// The content hash of the draft as the editor last saw it: a draft recomputed meanwhile
    /// is refused (409) rather than published in its place. Optional.
    #[serde(default)]
    content_hash: Option<String>,
}

/// Publishes a draft as the notice (公示). The body is optional.
#[utoipa::path(post, path = "/statements/{id}/publish", params(("id" = i64, Path)), request_body(content = Option<PublishRequest>),
    responses((status = 200, body = StatementSummary), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn publish_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<StatementId>,
    body: Option<JsonBody<PublishRequest>>,
) -> AppResult<Json<StatementSummary>> {
    let expected = body.and_then(|JsonBody(b)| b.content_hash);
    let s = crate::rewards::publish(&state.store, &ctx, id, expected.as_deref()).await?;
    Ok(Json(StatementSummary::from(s)))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ConfirmRequest {
    /// Required while the objection window is still open (提前确认的理由).
    #[serde(default)]
    reason: String,
}

/// Confirms a notice. Before its objection window closes a reason is required (422 without).
#[utoipa::path(post, path = "/statements/{id}/confirm", params(("id" = i64, Path)), request_body(content = Option<ConfirmRequest>),
    responses((status = 200, body = StatementSummary), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn confirm_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<StatementId>,
    body: Option<JsonBody<ConfirmRequest>>,
) -> AppResult<Json<StatementSummary>> {
    let reason = body.map(|JsonBody(b)| b.reason).unwrap_or_default();
    let s = crate::rewards::confirm(&state.store, &ctx, id, &reason).await?;
    Ok(Json(StatementSummary::from(s)))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ObjectionRequest {
    text: String,
}

#[utoipa::path(post, path = "/statements/{id}/objections", params(("id" = i64, Path)), request_body = ObjectionRequest, responses((status = 201, body = store::ObjectionRecord), (status = 409, body = ErrorBody)))]
pub(super) async fn object_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<StatementId>,
    JsonBody(r): JsonBody<ObjectionRequest>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(crate::rewards::object(&state.store, &ctx, id, &r.text).await?)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub(super) struct PaymentRequest {
    correspondent_id: CorrespondentId,
    /// In fen.
    amount_fen: i64,
    /// YYYY-MM-DD.
    paid_on: String,
    method: String,
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/statements/{id}/payments", params(("id" = i64, Path)), request_body = PaymentRequest,
    responses((status = 201, body = store::PaymentRecord), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn pay_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<StatementId>,
    JsonBody(r): JsonBody<PaymentRequest>,
) -> AppResult<Response> {
    let paid_on = parse_date(&r.paid_on)
        .ok_or_else(|| AppError::Invalid(FieldErrors(vec![FieldError::new("paid_on", "日期格式应为 2007-07-10")])))?;
    let how = store::PaymentInput { paid_on, method: &r.method, note: &r.note };
    let p = crate::rewards::pay(&state.store, &ctx, id, r.correspondent_id, r.amount_fen, &how).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub(super) struct PayAllRequest {
    /// Pay only these people (each must still be owed something); everyone owed when absent.
    #[serde(default)]
    correspondent_ids: Option<Vec<CorrespondentId>>,
    /// YYYY-MM-DD.
    paid_on: String,
    method: String,
    #[serde(default)]
    note: String,
}

/// Pays what is still owed to everyone (or to a selection) under a confirmed notice, all in one
/// transaction: every payment or none.
#[utoipa::path(post, path = "/statements/{id}/payments/all", params(("id" = i64, Path)), request_body = PayAllRequest,
    responses((status = 201, body = Vec<store::PaymentRecord>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn pay_all_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<StatementId>,
    JsonBody(r): JsonBody<PayAllRequest>,
) -> AppResult<Response> {
    let paid_on = parse_date(&r.paid_on)
        .ok_or_else(|| AppError::Invalid(FieldErrors(vec![FieldError::new("paid_on", "日期格式应为 2007-07-10")])))?;
    let how = store::PaymentInput { paid_on, method: &r.method, note: &r.note };
    let paid = crate::rewards::pay_all(&state.store, &ctx, id, r.correspondent_ids.as_deref(), &how).await?;
    Ok((StatusCode::CREATED, Json(paid)).into_response())
}

/// What each person is owed and has been paid under a published statement, in fen.
#[utoipa::path(get, path = "/statements/{id}/payables", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<store::Payable>), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn statement_payables(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<StatementId>,
) -> AppResult<Json<Vec<store::Payable>>> {
    Ok(Json(crate::rewards::payables(&state.store, &ctx, id).await?))
}

/// The bank-transfer sheet (转账清单) of a published statement.
#[utoipa::path(get, path = "/statements/{id}/transfer.xlsx", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn statement_transfer_sheet(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<StatementId>,
) -> AppResult<Response> {
    let (name, bytes) = crate::rewards::transfer_sheet(&state.store, &ctx, id).await?;
    Ok(super::xlsx_response(&name, bytes))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct RankingParams {
    period: String,
    /// unit, correspondent or outlet.
    by: Option<String>,
    /// The ledger key, e.g. points.
    ledger: Option<String>,
}

/// A ranking for a period, beside the period before it.
#[utoipa::path(get, path = "/rankings", params(RankingParams), responses((status = 200, body = RankingView)))]
pub(super) async fn rankings(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<RankingParams>,
) -> AppResult<Json<RankingView>> {
    let period = domain::policy::Period::parse(&q.period).map_err(AppError::BadRequest)?;
    let by = domain::ranking::RankBy::parse(q.by.as_deref().unwrap_or("unit"))
        .ok_or_else(|| AppError::BadRequest("by 应为 unit、correspondent 或 outlet".into()))?;
    let ledger = q.ledger.unwrap_or_else(|| "points".into());
    let ranking = crate::rewards::ranking(&state.store, ctx.station()?, &period, by, &ledger).await?;
    Ok(Json(RankingView::from(ranking)))
}

/// How an objection was answered.
#[derive(Deserialize, ToSchema)]
pub(super) struct AnswerRequest {
    /// Whether the objection is upheld (the figures are then corrected in a later period).
    upheld: bool,
    answer: String,
}

/// Answers an objection to a notice (editors and administrators).
#[utoipa::path(post, path = "/objections/{id}/answer", params(("id" = i64, Path)), request_body = AnswerRequest,
    responses((status = 200, body = store::ObjectionRecord), (status = 409, body = ErrorBody)))]
pub(super) async fn answer_objection(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<ObjectionId>,
    JsonBody(r): JsonBody<AnswerRequest>,
) -> AppResult<Json<store::ObjectionRecord>> {
    Ok(Json(crate::rewards::answer(&state.store, &ctx, id, r.upheld, &r.answer).await?))
}

/// A manual adjustment (人工调整) of a correspondent's figures.
#[derive(Serialize, ToSchema)]
pub(super) struct AdjustmentView {
    id: AdjustmentId,
    correspondent_id: CorrespondentId,
    correspondent_name: String,
    ledger: String,
    /// Hundredths of the ledger's unit (fen for money); negative for a deduction.
    amount_cents: i64,
    reason: String,
    /// YYYY-MM-DD: the period it counts in.
    effective_on: String,
    created_by: UserId,
    /// Unix seconds.
    created_at: i64,
}

impl AdjustmentView {
    fn new(a: store::AdjustmentRecord, correspondent_name: String) -> Self {
        AdjustmentView {
            id: a.id,
            correspondent_id: a.correspondent_id,
            correspondent_name,
            ledger: a.ledger,
            amount_cents: a.amount_cents,
            reason: a.reason,
            effective_on: format_date(a.effective_on),
            created_by: a.created_by,
            created_at: a.created_at,
        }
    }
}

/// The station's manual adjustments, newest first (editors and administrators).
#[utoipa::path(get, path = "/adjustments", responses((status = 200, body = Vec<AdjustmentView>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_adjustments(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<AdjustmentView>>> {
    let list = crate::rewards::adjustments(&state.store, &ctx).await?;
    Ok(Json(list.into_iter().map(|(a, name)| AdjustmentView::new(a, name)).collect()))
}

/// A new manual adjustment.
#[derive(Deserialize, ToSchema)]
pub(super) struct AdjustmentRequest {
    correspondent_id: CorrespondentId,
    /// A ledger key of the station's policies, e.g. money or points.
    ledger: String,
    /// An exact decimal as text, negative for a deduction: "-50", "12.50".
    amount: String,
    #[serde(default)]
    reason: String,
    /// YYYY-MM-DD.
    effective_on: String,
}

/// Records a manual adjustment; it counts in the period of its date, in the next recompute.
#[utoipa::path(post, path = "/adjustments", request_body = AdjustmentRequest, responses((status = 201, body = AdjustmentView)))]
pub(super) async fn create_adjustment(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<AdjustmentRequest>,
) -> AppResult<Response> {
    let input = crate::rewards::AdjustmentInput {
        correspondent_id: r.correspondent_id.to_string(),
        ledger: r.ledger,
        amount: r.amount,
        reason: r.reason,
        effective_on: r.effective_on,
    };
    let a = crate::rewards::add_adjustment(&state.store, &ctx, &input).await?;
    let name =
        crate::ops::correspondent(&state.store, &ctx, a.correspondent_id).await.map(|c| c.name).unwrap_or_default();
    Ok((StatusCode::CREATED, Json(AdjustmentView::new(a, name))).into_response())
}
