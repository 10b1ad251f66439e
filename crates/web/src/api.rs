//! The JSON API under `/api/v1`, with the same permissions as the pages (it calls the same
//! `ops`), authenticated by session cookie (state-changing calls then need the `X-CSRF-Token`
//! header) or by `Authorization: Bearer <token>`. `/api/openapi.json` describes it.

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::ops::{self, Dashboard, ImportReport, ListQuery, ManuscriptPermissions, ReviseInput, RoundView};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::import::ImportKind;
use domain::*;
use serde::{Deserialize, Serialize};
use store::{Correspondent, Manuscript, Outlet, Placement, Unit, User};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "Tonglian API", description = "通联：通讯员网络、稿件、刊发。Authenticate with a session cookie (send X-CSRF-Token on writes) or `Authorization: Bearer <token>`."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's routes and its OpenAPI document.
pub fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(create_token))
        .routes(routes!(dashboard))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(update_unit))
        .routes(routes!(list_outlets, create_outlet))
        .routes(routes!(get_outlet, update_outlet))
        .routes(routes!(list_correspondents, create_correspondent))
        .routes(routes!(get_correspondent, update_correspondent))
        .routes(routes!(list_manuscripts, create_manuscript))
        .routes(routes!(get_manuscript, update_manuscript))
        .routes(routes!(submit_manuscript))
        .routes(routes!(revise_manuscript))
        .routes(routes!(accept_manuscript))
        .routes(routes!(return_manuscript))
        .routes(routes!(manuscript_history))
        .routes(routes!(list_placements, create_placement))
        .routes(routes!(get_placement, update_placement, delete_placement))
        .routes(routes!(import_file))
        .routes(routes!(export_file))
        .routes(routes!(list_policies, load_policy))
        .routes(routes!(list_statements, compute_statement))
        .routes(routes!(get_statement))
        .routes(routes!(publish_statement))
        .routes(routes!(confirm_statement))
        .routes(routes!(object_statement))
        .routes(routes!(pay_statement))
        .routes(routes!(pay_all_statement))
        .routes(routes!(statement_payables))
        .routes(routes!(statement_transfer_sheet))
        .routes(routes!(rankings));
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/v1", v1).split_for_parts();
    (router, api)
}

pub fn routes() -> Router<AppState> {
    let (router, mut api) = api_router();
    api.paths.paths = api.paths.paths.into_iter().map(|(k, v)| (format!("/api{k}"), v)).collect();
    let doc = serde_json::to_string(&api).unwrap_or_else(|_| "{}".into());
    router
        .route("/openapi.json", get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc.clone()) }))
}

#[derive(Serialize, ToSchema)]
struct PageOf<T: ToSchema> {
    items: Vec<T>,
    total: u64,
    page: u64,
    per_page: u64,
}

fn page_of<T: ToSchema>(p: store::Page<T>) -> PageOf<T> {
    PageOf { items: p.items, total: p.total, page: p.page, per_page: p.per_page }
}

#[utoipa::path(get, path = "/me", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
async fn me(ctx: Ctx) -> Json<User> {
    Json(ctx.actor.user)
}

#[derive(Deserialize, ToSchema)]
struct TokenRequest {
    /// A name to recognise the token by.
    name: String,
}

#[derive(Serialize, ToSchema)]
struct TokenResponse {
    /// Shown once; store it safely.
    token: String,
}

/// Creates an API token for the signed-in user.
#[utoipa::path(post, path = "/tokens", request_body = TokenRequest, responses((status = 201, body = TokenResponse)))]
async fn create_token(State(state): State<AppState>, ctx: Ctx, Json(r): Json<TokenRequest>) -> AppResult<Response> {
    let token = app::tokens::create_token(&state.store, &ctx, &r.name).await?;
    Ok((StatusCode::CREATED, Json(TokenResponse { token })).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
struct MonthQuery {
    /// A month, e.g. 2007-06.
    month: Option<String>,
}

#[utoipa::path(get, path = "/dashboard", params(MonthQuery), responses((status = 200, body = Dashboard)))]
async fn dashboard(State(state): State<AppState>, ctx: Ctx, Query(q): Query<MonthQuery>) -> AppResult<Json<Dashboard>> {
    let month = q.month.as_deref().and_then(|m| parse_date(&format!("{m}-01")));
    Ok(Json(ops::dashboard(&state.store, &ctx, month).await?))
}

// ---- units ----

#[utoipa::path(get, path = "/units", responses((status = 200, body = Vec<Unit>)))]
async fn list_units(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Unit>>> {
    crate::access::require(crate::access::can_view_network(ctx.role()))?;
    Ok(Json(ops::units(&state.store, &ctx).await?))
}

#[utoipa::path(post, path = "/units", request_body = UnitInput, responses((status = 201, body = Unit), (status = 422, body = ErrorBody)))]
async fn create_unit(State(state): State<AppState>, ctx: Ctx, Json(input): Json<UnitInput>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(ops::create_unit(&state.store, &ctx, input).await?)).into_response())
}

#[utoipa::path(put, path = "/units/{id}", params(("id" = i64, Path)), request_body = UnitInput, responses((status = 200, body = Unit)))]
async fn update_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<UnitId>,
    Json(input): Json<UnitInput>,
) -> AppResult<Json<Unit>> {
    Ok(Json(ops::update_unit(&state.store, &ctx, id, input).await?))
}

// ---- outlets ----

#[utoipa::path(get, path = "/outlets", responses((status = 200, body = Vec<Outlet>)))]
async fn list_outlets(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Outlet>>> {
    crate::access::require(crate::access::can_view_network(ctx.role()))?;
    Ok(Json(ops::outlets(&state.store, &ctx).await?))
}

#[utoipa::path(post, path = "/outlets", request_body = OutletInput, responses((status = 201, body = Outlet), (status = 422, body = ErrorBody)))]
async fn create_outlet(State(state): State<AppState>, ctx: Ctx, Json(input): Json<OutletInput>) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(ops::create_outlet(&state.store, &ctx, input).await?)).into_response())
}

#[utoipa::path(get, path = "/outlets/{id}", params(("id" = i64, Path)), responses((status = 200, body = Outlet), (status = 404, body = ErrorBody)))]
async fn get_outlet(State(state): State<AppState>, ctx: Ctx, Path(id): Path<OutletId>) -> AppResult<Json<Outlet>> {
    crate::access::require(crate::access::can_view_network(ctx.role()))?;
    Ok(Json(state.store.outlet(ctx.scope(), id).await?))
}

#[utoipa::path(put, path = "/outlets/{id}", params(("id" = i64, Path)), request_body = OutletInput, responses((status = 200, body = Outlet)))]
async fn update_outlet(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<OutletId>,
    Json(input): Json<OutletInput>,
) -> AppResult<Json<Outlet>> {
    Ok(Json(ops::update_outlet(&state.store, &ctx, id, input).await?))
}

// ---- correspondents ----

#[utoipa::path(get, path = "/correspondents", params(ListQuery), responses((status = 200, body = PageOf<Correspondent>)))]
async fn list_correspondents(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<PageOf<Correspondent>>> {
    Ok(Json(page_of(ops::correspondents(&state.store, &ctx, &q).await?)))
}

#[utoipa::path(post, path = "/correspondents", request_body = CorrespondentInput, responses((status = 201, body = Correspondent), (status = 422, body = ErrorBody)))]
async fn create_correspondent(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CorrespondentInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(ops::create_correspondent(&state.store, &ctx, input).await?)).into_response())
}

#[utoipa::path(get, path = "/correspondents/{id}", params(("id" = i64, Path)), responses((status = 200, body = Correspondent), (status = 404, body = ErrorBody)))]
async fn get_correspondent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<CorrespondentId>,
) -> AppResult<Json<Correspondent>> {
    let c = state.store.correspondent(ctx.scope(), id).await?;
    // Correspondents may read their own record only; liaisons their unit's.
    let allowed = match ctx.role() {
        Role::Correspondent => ctx.user.correspondent_id == Some(id),
        Role::Liaison => ctx.user.unit_id.is_none() || ctx.user.unit_id == c.unit_id,
        _ => true,
    };
    if allowed { Ok(Json(c)) } else { Err(AppError::NotFound) }
}

#[utoipa::path(put, path = "/correspondents/{id}", params(("id" = i64, Path)), request_body = CorrespondentInput, responses((status = 200, body = Correspondent)))]
async fn update_correspondent(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<CorrespondentId>,
    Json(input): Json<CorrespondentInput>,
) -> AppResult<Json<Correspondent>> {
    Ok(Json(ops::update_correspondent(&state.store, &ctx, id, input).await?))
}

// ---- manuscripts ----

#[derive(Serialize, ToSchema)]
struct ManuscriptView {
    #[serde(flatten)]
    manuscript: Manuscript,
    /// What the caller may do with it.
    permissions: ManuscriptPermissions,
}

async fn view(state: &AppState, ctx: &Ctx, m: Manuscript) -> AppResult<Json<ManuscriptView>> {
    let permissions = ops::manuscript_permissions(&state.store, ctx, &m).await?;
    Ok(Json(ManuscriptView { manuscript: m, permissions }))
}

#[utoipa::path(get, path = "/manuscripts", params(ListQuery), responses((status = 200, body = PageOf<Manuscript>)))]
async fn list_manuscripts(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<PageOf<Manuscript>>> {
    Ok(Json(page_of(ops::manuscripts(&state.store, &ctx, &q).await?)))
}

#[utoipa::path(post, path = "/manuscripts", request_body = ManuscriptInput, responses((status = 201, body = ManuscriptView), (status = 422, body = ErrorBody)))]
async fn create_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ManuscriptInput>,
) -> AppResult<Response> {
    let m = ops::create_manuscript(&state.store, &ctx, input).await?;
    Ok((StatusCode::CREATED, view(&state, &ctx, m).await?).into_response())
}

#[utoipa::path(get, path = "/manuscripts/{id}", params(("id" = i64, Path)), responses((status = 200, body = ManuscriptView), (status = 404, body = ErrorBody)))]
async fn get_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::manuscript(&state.store, &ctx, id).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(put, path = "/manuscripts/{id}", params(("id" = i64, Path)), request_body = ManuscriptInput, responses((status = 200, body = ManuscriptView)))]
async fn update_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
    Json(input): Json<ManuscriptInput>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::update_manuscript(&state.store, &ctx, id, input).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(post, path = "/manuscripts/{id}/submit", params(("id" = i64, Path)), responses((status = 200, body = ManuscriptView), (status = 409, body = ErrorBody)))]
async fn submit_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::submit_manuscript(&state.store, &ctx, id).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(post, path = "/manuscripts/{id}/revise", params(("id" = i64, Path)), request_body = ReviseInput, responses((status = 200, body = ManuscriptView)))]
async fn revise_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
    Json(input): Json<ReviseInput>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::revise_manuscript(&state.store, &ctx, id, &input).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(post, path = "/manuscripts/{id}/accept", params(("id" = i64, Path)), responses((status = 200, body = ManuscriptView)))]
async fn accept_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::accept_manuscript(&state.store, &ctx, id).await?;
    view(&state, &ctx, m).await
}

#[derive(Deserialize, ToSchema)]
struct ReturnRequest {
    reason: String,
}

#[utoipa::path(post, path = "/manuscripts/{id}/return", params(("id" = i64, Path)), request_body = ReturnRequest, responses((status = 200, body = ManuscriptView)))]
async fn return_manuscript(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
    Json(r): Json<ReturnRequest>,
) -> AppResult<Json<ManuscriptView>> {
    let m = ops::return_manuscript(&state.store, &ctx, id, &r.reason).await?;
    view(&state, &ctx, m).await
}

#[utoipa::path(get, path = "/manuscripts/{id}/history", params(("id" = i64, Path)), responses((status = 200, body = Vec<RoundView>)))]
async fn manuscript_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<ManuscriptId>,
) -> AppResult<Json<Vec<RoundView>>> {
    Ok(Json(ops::history(&state.store, &ctx, id).await?))
}

// ---- placements ----

#[utoipa::path(get, path = "/placements", params(ListQuery), responses((status = 200, body = PageOf<Placement>)))]
async fn list_placements(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Json<PageOf<Placement>>> {
    Ok(Json(page_of(ops::placements(&state.store, &ctx, &q).await?)))
}

#[utoipa::path(post, path = "/placements", request_body = PlacementInput, responses((status = 201, body = Placement), (status = 422, body = ErrorBody)))]
async fn create_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(input): Json<PlacementInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(ops::create_placement(&state.store, &ctx, input).await?)).into_response())
}

#[utoipa::path(get, path = "/placements/{id}", params(("id" = i64, Path)), responses((status = 200, body = Placement), (status = 404, body = ErrorBody)))]
async fn get_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<PlacementId>,
) -> AppResult<Json<Placement>> {
    Ok(Json(ops::placement(&state.store, &ctx, id).await?))
}

#[utoipa::path(put, path = "/placements/{id}", params(("id" = i64, Path)), request_body = PlacementInput, responses((status = 200, body = Placement)))]
async fn update_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<PlacementId>,
    Json(input): Json<PlacementInput>,
) -> AppResult<Json<Placement>> {
    Ok(Json(ops::update_placement(&state.store, &ctx, id, input).await?))
}

#[utoipa::path(delete, path = "/placements/{id}", params(("id" = i64, Path)), responses((status = 204)))]
async fn delete_placement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<PlacementId>,
) -> AppResult<StatusCode> {
    ops::delete_placement(&state.store, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- files ----

#[derive(Deserialize, utoipa::IntoParams)]
struct ImportQuery {
    /// The file name, whose extension (.xlsx or .csv) says how to read the body.
    file_name: String,
}

/// Imports a spreadsheet sent as the request body. All or nothing: 422 lists every bad row.
#[utoipa::path(post, path = "/import/{kind}", params(("kind" = String, Path, description = "units | correspondents | outlets | placements"), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 422, body = ErrorBody)))]
async fn import_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> AppResult<Json<ImportReport>> {
    let kind = ImportKind::parse(&kind).ok_or(AppError::NotFound)?;
    // The one upload of the API: read up to the upload limit (other routes take far less).
    let body = axum::body::to_bytes(body, crate::boundary::UPLOAD_BODY_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge(format!("文件太大：最大{}MB", crate::ops::MAX_IMPORT_BYTES / 1024 / 1024)))?;
    Ok(Json(ops::import(&state.store, &ctx, kind, &q.file_name, &body).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ExportQuery {
    /// xlsx (default) or csv.
    format: Option<String>,
}

#[utoipa::path(get, path = "/export/{kind}", params(("kind" = String, Path), ExportQuery, ListQuery), responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>)))]
async fn export_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Query(f): Query<ExportQuery>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let kind = ImportKind::parse(&kind).ok_or(AppError::NotFound)?;
    let format = ops::FileFormat::parse(f.format.as_deref().unwrap_or("xlsx"))
        .ok_or_else(|| AppError::BadRequest("format 应为 xlsx 或 csv".into()))?;
    let (name, bytes) = ops::export(&state.store, &ctx, kind, format, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

// ---- rewards ----

#[utoipa::path(get, path = "/policies", responses((status = 200, body = Vec<store::PolicyRecord>)))]
async fn list_policies(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<store::PolicyRecord>>> {
    crate::access::require(crate::access::can_view_network(ctx.role()))?;
    Ok(Json(state.store.policies(ctx.station()?).await?))
}

/// Loads a policy: the body is the TOML text. 422 lists every error with its line.
#[utoipa::path(post, path = "/policies", request_body(content = String, content_type = "text/plain"),
    responses((status = 201, body = store::PolicyRecord), (status = 422, body = ErrorBody)))]
async fn load_policy(State(state): State<AppState>, ctx: Ctx, body: String) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(crate::rewards::load_policy_as(&state.store, &ctx, &body).await?)).into_response())
}

#[utoipa::path(get, path = "/statements", responses((status = 200, body = Vec<StatementSummary>)))]
async fn list_statements(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<StatementSummary>>> {
    let staff = matches!(ctx.role(), Role::Admin | Role::Editor | Role::Leader);
    let list = state.store.statements(ctx.station()?).await?;
    Ok(Json(
        list.into_iter().filter(|s| staff || s.status != StatementStatus::Draft).map(StatementSummary::from).collect(),
    ))
}

#[derive(Serialize, ToSchema)]
struct StatementSummary {
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
struct ComputeRequest {
    /// 2007-06, 2007-Q2 or 2007.
    period: String,
}

/// Computes (or recomputes) the period's draft.
#[utoipa::path(post, path = "/statements", request_body = ComputeRequest, responses((status = 201, body = StatementSummary), (status = 409, body = ErrorBody)))]
async fn compute_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(r): Json<ComputeRequest>,
) -> AppResult<Response> {
    let period = domain::policy::Period::parse(&r.period)
        .map_err(|m| AppError::Invalid(FieldErrors(vec![FieldError::new("period", m)])))?;
    let s = crate::rewards::draft(&state.store, &ctx, &period).await?;
    let summary = StatementSummary::from(s);
    Ok((StatusCode::CREATED, Json(summary)).into_response())
}

/// A statement with the lines the caller may see (a correspondent: only their own).
#[utoipa::path(get, path = "/statements/{id}", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn get_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<StatementId>,
) -> AppResult<Json<serde_json::Value>> {
    let record = crate::rewards::statement(&state.store, &ctx, id).await?;
    let mut statement = crate::rewards::parse_snapshot(&record)?;
    match ctx.role() {
        Role::Admin | Role::Editor | Role::Leader => {}
        Role::Liaison => {
            statement.lines.retain(|l| ctx.user.unit_id.is_some() && l.unit_id == ctx.user.unit_id);
        }
        _ => {
            statement.lines.retain(|l| Some(l.correspondent_id) == ctx.user.correspondent_id);
            statement.units.clear();
            statement.totals.clear();
        }
    }
    Ok(Json(serde_json::json!({
        "id": record.id,
        "period": record.period,
        "status": record.status,
        "content_hash": record.content_hash,
        "objection_until": record.objection_until.map(format_date),
        "statement": statement,
    })))
}

#[derive(Deserialize, ToSchema)]
struct PublishRequest {
    /// The content hash of the draft as the editor last saw it: a draft recomputed meanwhile
    /// is refused (409) rather than published in its place. Optional.
    #[serde(default)]
    content_hash: Option<String>,
}

/// Publishes a draft as the notice (公示). The body is optional.
#[utoipa::path(post, path = "/statements/{id}/publish", params(("id" = i64, Path)), request_body(content = Option<PublishRequest>),
    responses((status = 200, body = StatementSummary), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn publish_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    body: Option<Json<PublishRequest>>,
) -> AppResult<Json<StatementSummary>> {
    let expected = body.and_then(|Json(b)| b.content_hash);
    let s = crate::rewards::publish(&state.store, &ctx, id, expected.as_deref()).await?;
    Ok(Json(StatementSummary::from(s)))
}

#[derive(Deserialize, ToSchema)]
struct ConfirmRequest {
    /// Required while the objection window is still open (提前确认的理由).
    #[serde(default)]
    reason: String,
}

/// Confirms a notice. Before its objection window closes a reason is required (422 without).
#[utoipa::path(post, path = "/statements/{id}/confirm", params(("id" = i64, Path)), request_body(content = Option<ConfirmRequest>),
    responses((status = 200, body = StatementSummary), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn confirm_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    body: Option<Json<ConfirmRequest>>,
) -> AppResult<Json<StatementSummary>> {
    let reason = body.map(|Json(b)| b.reason).unwrap_or_default();
    let s = crate::rewards::confirm(&state.store, &ctx, id, &reason).await?;
    Ok(Json(StatementSummary::from(s)))
}

#[derive(Deserialize, ToSchema)]
struct ObjectionRequest {
    text: String,
}

#[utoipa::path(post, path = "/statements/{id}/objections", params(("id" = i64, Path)), request_body = ObjectionRequest, responses((status = 201, body = store::ObjectionRecord), (status = 409, body = ErrorBody)))]
async fn object_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    Json(r): Json<ObjectionRequest>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(crate::rewards::object(&state.store, &ctx, id, &r.text).await?)).into_response())
}

#[derive(Deserialize, ToSchema)]
struct PaymentRequest {
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
async fn pay_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    Json(r): Json<PaymentRequest>,
) -> AppResult<Response> {
    let paid_on = parse_date(&r.paid_on)
        .ok_or_else(|| AppError::Invalid(FieldErrors(vec![FieldError::new("paid_on", "日期格式应为 2007-07-10")])))?;
    let how = store::PaymentInput { paid_on, method: &r.method, note: &r.note };
    let p = crate::rewards::pay(&state.store, &ctx, id, r.correspondent_id, r.amount_fen, &how).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

#[derive(Deserialize, ToSchema)]
struct PayAllRequest {
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
async fn pay_all_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    Json(r): Json<PayAllRequest>,
) -> AppResult<Response> {
    let paid_on = parse_date(&r.paid_on)
        .ok_or_else(|| AppError::Invalid(FieldErrors(vec![FieldError::new("paid_on", "日期格式应为 2007-07-10")])))?;
    let how = store::PaymentInput { paid_on, method: &r.method, note: &r.note };
    let paid = crate::rewards::pay_all(&state.store, &ctx, id, r.correspondent_ids.as_deref(), &how).await?;
    Ok((StatusCode::CREATED, Json(paid)).into_response())
}

/// What each person is owed and has been paid under a published statement, in fen.
#[utoipa::path(get, path = "/statements/{id}/payables", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<store::Payable>), (status = 404, body = ErrorBody)))]
async fn statement_payables(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<StatementId>,
) -> AppResult<Json<Vec<store::Payable>>> {
    crate::access::require(crate::access::can_manage_network(ctx.role()))?;
    crate::rewards::statement(&state.store, &ctx, id).await?;
    Ok(Json(state.store.payables(ctx.scope(), id).await?))
}

/// The bank-transfer sheet (转账清单) of a published statement.
#[utoipa::path(get, path = "/statements/{id}/transfer.xlsx", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn statement_transfer_sheet(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<StatementId>,
) -> AppResult<Response> {
    let (name, bytes) = crate::rewards::transfer_sheet(&state.store, &ctx, id).await?;
    Ok(xlsx_response(&name, bytes))
}

/// An `.xlsx` download.
pub(crate) fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize, utoipa::IntoParams)]
struct RankingParams {
    period: String,
    /// unit, correspondent or outlet.
    by: Option<String>,
    /// The ledger key, e.g. points.
    ledger: Option<String>,
}

#[utoipa::path(get, path = "/rankings", params(RankingParams), responses((status = 200, body = Object)))]
async fn rankings(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RankingParams>,
) -> AppResult<Json<domain::ranking::Ranking>> {
    let period = domain::policy::Period::parse(&q.period).map_err(AppError::BadRequest)?;
    let by = domain::ranking::RankBy::parse(q.by.as_deref().unwrap_or("unit"))
        .ok_or_else(|| AppError::BadRequest("by 应为 unit、correspondent 或 outlet".into()))?;
    let ledger = q.ledger.unwrap_or_else(|| "points".into());
    Ok(Json(crate::rewards::ranking(&state.store, ctx.station()?, &period, by, &ledger).await?))
}
