//! Spreadsheets in and out: imports (all or nothing) and exports of the network's lists.

use super::extract::{PathParam, QueryParams};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::ops::{self, ImportReport, ListQuery};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::import::ImportKind;
use serde::Deserialize;
use utoipa::ToSchema;

/// What a file holds, as its path names it.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub(super) enum Kind {
    Units,
    Correspondents,
    Outlets,
    Placements,
}

impl From<Kind> for ImportKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Units => ImportKind::Units,
            Kind::Correspondents => ImportKind::Correspondents,
            Kind::Outlets => ImportKind::Outlets,
            Kind::Placements => ImportKind::Placements,
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ImportQuery {
    /// The file name, whose extension (.xlsx or .csv) says how to read the body.
    file_name: String,
}

/// Imports a spreadsheet sent as the request body. All or nothing: 422 lists every bad row.
#[utoipa::path(post, path = "/import/{kind}", params(("kind" = Kind, Path), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 422, body = ErrorBody)))]
pub(super) async fn import_file(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(kind): PathParam<Kind>,
    QueryParams(q): QueryParams<ImportQuery>,
    body: axum::body::Body,
) -> AppResult<Json<ImportReport>> {
    // The one upload of the API: read up to the upload limit (other routes take far less).
    let body = axum::body::to_bytes(body, crate::boundary::UPLOAD_BODY_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge(format!("文件太大：最大{}MB", crate::ops::MAX_IMPORT_BYTES / 1024 / 1024)))?;
    Ok(Json(ops::import(&state.store, &ctx, kind.into(), &q.file_name, &body).await?))
}

/// The file format of an export.
#[derive(Deserialize, ToSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
pub(super) enum Format {
    #[default]
    Xlsx,
    Csv,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ExportQuery {
    /// xlsx (the default) or csv.
    #[serde(default)]
    format: Format,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Exports a list of the network as a spreadsheet, with the list's filters.
#[utoipa::path(get, path = "/export/{kind}", params(("kind" = Kind, Path), ExportQuery, ListQuery),
    responses((status = 200, description = "The spreadsheet, as an attachment.",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/csv"))), (status = 403, body = ErrorBody)))]
pub(super) async fn export_file(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(kind): PathParam<Kind>,
    QueryParams(f): QueryParams<ExportQuery>,
    QueryParams(q): QueryParams<ListQuery>,
) -> AppResult<Response> {
    let format = match f.format {
        Format::Xlsx => ops::FileFormat::Xlsx,
        Format::Csv => ops::FileFormat::Csv,
    };
    let (name, bytes) = ops::export(&state.store, &ctx, kind.into(), format, &q).await?;
    Ok(attachment(format.content_type(), &name, bytes))
}

/// A file download: its media type and the name it is saved under.
fn attachment(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// An `.xlsx` download.
pub(crate) fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    attachment(XLSX, name, bytes)
}

/// A `.docx` download.
pub(crate) fn docx_response(name: &str, bytes: Vec<u8>) -> Response {
    attachment(office::DOCX_CONTENT_TYPE, name, bytes)
}
