//! Targets (目标管理): the year's targets (set, delete, carry from last year, import), progress
//! with the quiet correspondents, its two settings, and the monthly bulletin (通报) as JSON and
//! as a Word file. Same rules as the pages: both call `app::targets`.

use super::extract::{JsonBody, PathParam, QueryParams};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, AppResult, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{CorrespondentId, FieldError, FieldErrors, TargetId, UnitId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A 422 on one field.
pub(super) fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors(vec![FieldError::new(field, message)]))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct YearQuery {
    /// The year, 2000 to 2100 (default: the year of the latest placement).
    year: Option<i32>,
}

/// One target of a unit or of a correspondent.
#[derive(Serialize, ToSchema)]
pub(super) struct TargetView {
    id: TargetId,
    year: i32,
    unit_id: Option<UnitId>,
    correspondent_id: Option<CorrespondentId>,
    /// The unit's or the correspondent's name.
    owner_name: String,
    /// A correspondent's unit.
    unit_name: Option<String>,
    /// What is counted, as a code (e.g. `national`, `outlet:3`).
    metric: String,
    /// What is counted, in Chinese.
    metric_label: String,
    value: i64,
}

impl From<store::TargetRecord> for TargetView {
    fn from(t: store::TargetRecord) -> Self {
        TargetView {
            id: t.id,
            year: t.year,
            unit_id: t.unit_id,
            correspondent_id: t.correspondent_id,
            metric_label: t.metric_label("zh"),
            metric: t.metric.code(),
            owner_name: t.owner_name,
            unit_name: t.unit_name,
            value: t.value,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(super) struct TargetList {
    year: i32,
    targets: Vec<TargetView>,
}

#[utoipa::path(get, path = "/targets", params(YearQuery),
    responses((status = 200, body = TargetList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_targets(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<YearQuery>,
) -> AppResult<Json<TargetList>> {
    let (year, targets) = app::targets::targets(&state.store, &ctx, q.year).await?;
    Ok(Json(TargetList { year, targets: targets.into_iter().map(TargetView::from).collect() }))
}

/// A target to set: for a unit or for a correspondent (exactly one of the two).
#[derive(Deserialize, ToSchema)]
pub(super) struct TargetRequest {
    year: i32,
    unit_id: Option<i64>,
    correspondent_id: Option<i64>,
    /// A metric's code or name (国家级媒体采用, 网站上稿, 征订份数, 讲座, an outlet's name…).
    metric: String,
    value: i64,
}

/// Sets a target, replacing the owner's target of that metric and year if there is one.
#[utoipa::path(post, path = "/targets", request_body = TargetRequest,
    responses((status = 200, body = TargetView), (status = 422, body = ErrorBody)))]
pub(super) async fn set_target(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<TargetRequest>,
) -> AppResult<Json<TargetView>> {
    let owner = match (r.unit_id, r.correspondent_id) {
        (Some(u), None) => format!("u:{u}"),
        (None, Some(c)) => format!("c:{c}"),
        // Neither or both: the form's "choose one" answer.
        _ => String::new(),
    };
    let form =
        app::targets::TargetForm { year: r.year.to_string(), owner, metric: r.metric, value: r.value.to_string() };
    Ok(Json(app::targets::set_target(&state.store, &ctx, &form).await?.into()))
}

#[utoipa::path(delete, path = "/targets/{id}", params(("id" = i64, Path)), responses((status = 204)))]
pub(super) async fn delete_target(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<TargetId>,
) -> AppResult<StatusCode> {
    app::targets::delete_target(&state.store, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct CarryRequest {
    /// The year copied from; the targets go to the next one.
    from_year: i32,
    /// The new targets as a share of the old, 1 to 1000 (110 = ten per cent more).
    percent: u32,
}

#[derive(Serialize, ToSchema)]
pub(super) struct Count {
    /// How many rows were written.
    pub(super) count: usize,
}

/// Copies a year's targets to the next year, scaled. 409 when the year has none.
#[utoipa::path(post, path = "/targets/carry", request_body = CarryRequest,
    responses((status = 200, body = Count), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn carry_targets(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<CarryRequest>,
) -> AppResult<Json<Count>> {
    let count = app::targets::carry_targets(&state.store, &ctx, r.from_year, r.percent).await?;
    Ok(Json(Count { count }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct FileQuery {
    /// The file name, whose extension (.xlsx or .csv) says how to read the body.
    pub(super) file_name: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct TargetsImported {
    pub(super) count: usize,
    /// The year of the file's first target.
    year: i32,
}

/// Reads a request body of up to the upload limit.
pub(super) async fn read_body(body: axum::body::Body) -> AppResult<Vec<u8>> {
    let bytes = axum::body::to_bytes(body, crate::boundary::UPLOAD_BODY_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge(format!("文件太大：最大{}MB", crate::ops::MAX_IMPORT_BYTES / 1024 / 1024)))?;
    Ok(bytes.to_vec())
}

/// Imports targets from a spreadsheet sent as the request body (columns 年度, 单位, 通讯员,
/// 指标, 目标数). All or nothing: 422 lists every bad row.
#[utoipa::path(post, path = "/targets/import", params(FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = TargetsImported), (status = 422, body = ErrorBody)))]
pub(super) async fn import_targets(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<FileQuery>,
    body: axum::body::Body,
) -> AppResult<Json<TargetsImported>> {
    let data = read_body(body).await?;
    let (count, year) = app::targets::import_targets(&state.store, &ctx, &q.file_name, data).await?;
    Ok(Json(TargetsImported { count, year }))
}

// ---- progress ----

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ProgressQuery {
    /// The year, 2000 to 2100 (default: the year of the latest placement).
    year: Option<i32>,
    /// The day measured on, e.g. 2007-06-30 (default: today within the year).
    as_of: Option<String>,
}

/// A target against the calendar's pace.
#[derive(Serialize, ToSchema)]
pub(super) struct ProgressRowView {
    target: TargetView,
    /// Counted so far.
    achieved: i64,
    /// What the share of the year passed requires by now.
    expected: i64,
    /// How many short of `expected` (0 when on pace).
    shortfall: i64,
    /// far_behind, behind, on_pace or met.
    status: String,
    /// The status in Chinese.
    status_label: String,
    /// Achieved as per mille of the target.
    permille_of_target: i64,
}

/// A correspondent without a submission for the configured number of weeks.
#[derive(Serialize, ToSchema)]
pub(super) struct QuietView {
    id: CorrespondentId,
    name: String,
    unit_id: Option<UnitId>,
    unit_name: Option<String>,
    /// The last submission, e.g. 2007-03-02; none if never.
    last_submission: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct ProgressOut {
    year: i32,
    /// The day measured on.
    as_of: String,
    /// Days of the year passed, and in it.
    elapsed: u32,
    days: u32,
    /// The share of the year passed, e.g. 49.6%.
    pace_percent: String,
    /// Every target, the weakest first (a liaison's own unit first).
    rows: Vec<ProgressRowView>,
    quiet: Vec<QuietView>,
    quiet_weeks: i32,
    revision_days: i32,
}

impl From<app::targets::ProgressView> for ProgressOut {
    fn from(p: app::targets::ProgressView) -> Self {
        let pace_percent = p.pace_percent();
        let rows = p
            .rows
            .into_iter()
            .map(|r| ProgressRowView {
                achieved: r.progress.achieved,
                expected: r.progress.expected,
                shortfall: r.progress.shortfall,
                status: r.progress.status.code().to_string(),
                status_label: r.progress.status.zh().to_string(),
                permille_of_target: r.progress.permille_of_target,
                target: r.target.into(),
            })
            .collect();
        let quiet = p
            .quiet
            .into_iter()
            .map(|q| QuietView {
                id: q.id,
                name: q.name,
                unit_id: q.unit_id,
                unit_name: q.unit_name,
                last_submission: q.last_submission.map(domain::format_date),
            })
            .collect();
        ProgressOut {
            year: p.year,
            as_of: domain::format_date(p.as_of),
            elapsed: p.elapsed,
            days: p.days,
            pace_percent,
            rows,
            quiet,
            quiet_weeks: p.quiet_weeks,
            revision_days: p.revision_days,
        }
    }
}

/// Progress of the year's targets and the quiet correspondents.
#[utoipa::path(get, path = "/progress", params(ProgressQuery),
    responses((status = 200, body = ProgressOut), (status = 403, body = ErrorBody)))]
pub(super) async fn progress(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<ProgressQuery>,
) -> AppResult<Json<ProgressOut>> {
    let as_of = match q.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(domain::parse_date(s).ok_or_else(|| invalid("as_of", "日期无效，应为如2007-06-30"))?),
        None => None,
    };
    Ok(Json(app::targets::progress(&state.store, &ctx, q.year, as_of).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct QuietWeeksRequest {
    /// 1 to 52.
    weeks: i32,
}

/// After how many weeks without a submission a correspondent is listed as quiet.
#[utoipa::path(put, path = "/progress/quiet-weeks", request_body = QuietWeeksRequest,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub(super) async fn set_quiet_weeks(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<QuietWeeksRequest>,
) -> AppResult<StatusCode> {
    app::targets::set_quiet_weeks(&state.store, &ctx, r.weeks).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct RevisionDaysRequest {
    /// 1 to 60.
    days: i32,
}

/// After how many days a draft waiting for revision is reminded of.
#[utoipa::path(put, path = "/progress/revision-days", request_body = RevisionDaysRequest,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub(super) async fn set_revision_days(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<RevisionDaysRequest>,
) -> AppResult<StatusCode> {
    app::targets::set_revision_days(&state.store, &ctx, r.days).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- the bulletin ----

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct BulletinQuery {
    /// The year, 2000 to 2100 (default: the year of the latest placement).
    year: Option<i32>,
    /// The month, 1 to 12 (default 12).
    month: Option<u8>,
}

/// The monthly bulletin's text, as the page shows it.
#[derive(Serialize, ToSchema)]
pub(super) struct BulletinView {
    title: String,
    subtitle: String,
    intro: Vec<String>,
    /// The table of units: its headers and rows.
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The weak links, one sentence each.
    weak: Vec<String>,
    /// The quiet correspondents, one line each.
    quiet: Vec<String>,
    footer: Vec<String>,
    year: i32,
    month: u8,
}

#[utoipa::path(get, path = "/progress/bulletin", params(BulletinQuery),
    responses((status = 200, body = BulletinView), (status = 403, body = ErrorBody)))]
pub(super) async fn bulletin(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<BulletinQuery>,
) -> AppResult<Json<BulletinView>> {
    let b = app::targets::bulletin(&state.store, &ctx, q.year, q.month).await?;
    Ok(Json(BulletinView {
        title: b.title,
        subtitle: b.subtitle,
        intro: b.intro,
        headers: b.headers,
        rows: b.rows,
        weak: b.weak,
        quiet: b.quiet,
        footer: b.footer,
        year: b.year,
        month: b.month,
    }))
}

/// The bulletin as a Word file.
#[utoipa::path(get, path = "/progress/bulletin.docx", params(BulletinQuery),
    responses((status = 200, description = "The bulletin, as an attachment.",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))),
        (status = 403, body = ErrorBody)))]
pub(super) async fn bulletin_docx(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<BulletinQuery>,
) -> AppResult<Response> {
    let (name, bytes) = app::targets::bulletin_docx(&state.store, &ctx, q.year, q.month).await?;
    Ok((
        [
            (header::CONTENT_TYPE, DOCX.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}
