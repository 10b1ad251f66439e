//! Spreadsheets in and out: the import page (all or nothing, every bad row reported) and the
//! export links of the lists.

use super::{Layout, flash, render_status, see_other};
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::ops::{self, FileFormat, ListQuery};
use crate::{AppError, AppResult, AppState, access};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::import::{ImportKind, RowError};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/import", get(import_page).post(import_submit).layer(crate::boundary::upload_limit()))
        .route("/export/{file}", get(export))
}

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
struct ImportPage {
    l: L,
    layout: Layout,
    kind: String,
    message: String,
    rows: Vec<RowError>,
}

impl ImportPage {
    fn kinds(&self) -> &'static [ImportKind] {
        ImportKind::ALL
    }
    fn headers(&self, k: &ImportKind) -> String {
        k.headers().join("、")
    }
}

async fn import_page(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let layout = Layout::new(&state, &session, Some(&ctx), "import").await?;
    Ok(ImportPage { l: L::new(v.locale), layout, kind: "placements".into(), message: String::new(), rows: vec![] }
        .into_response())
}

async fn import_submit(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    multipart: Multipart,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let l = L::new(v.locale);
    let upload = super::manuscripts::read_upload(multipart, ops::MAX_IMPORT_BYTES).await;
    let (kind_text, result) = match upload {
        Ok((file_name, bytes, fields)) => {
            let kind_text = fields.iter().find(|(k, _)| k == "kind").map(|(_, v)| v.clone()).unwrap_or_default();
            match ImportKind::parse(&kind_text) {
                Some(kind) => {
                    (kind_text, ops::import(&state.store, &ctx, kind, &file_name, &bytes).await.map_err(AppError::from))
                }
                None => (kind_text, Err(AppError::BadRequest("请选择导入的数据类型".into()))),
            }
        }
        Err(e) => (String::new(), Err(e)),
    };
    match result {
        Ok(report) => {
            let mut message = format!("{}{}{}", l.t("导入成功，共"), report.imported, l.t("条"));
            if report.linked > 0 {
                message.push_str(&format!(
                    "{}{}{}{}{}{}{}",
                    l.t("，其中"),
                    report.linked,
                    l.t("条合并为"),
                    report.manuscripts,
                    l.t("篇稿件（新建"),
                    report.created_manuscripts,
                    l.t("篇）")
                ));
            }
            flash(&session, message).await;
            Ok(see_other("/import"))
        }
        Err(AppError::Rows { listed: rows, total }) => {
            let layout = Layout::new(&state, &session, Some(&ctx), "import").await?;
            let mut message = format!("{}{}{}", l.t("导入失败：以下"), total, l.t("处错误需要改正，未写入任何数据。"));
            if rows.len() < total {
                message.push_str(&format!("{}{}{}", l.t("（只列出前"), rows.len(), l.t("处）")));
            }
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                ImportPage { l, layout, kind: kind_text, message, rows },
            ))
        }
        Err(AppError::BadRequest(m)) | Err(AppError::TooLarge(m)) | Err(AppError::Conflict(m)) => {
            let layout = Layout::new(&state, &session, Some(&ctx), "import").await?;
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                ImportPage { l, layout, kind: kind_text, message: m, rows: vec![] },
            ))
        }
        Err(AppError::Invalid(fields)) => {
            // A rule the database enforces (a name imported twice by a concurrent user, say).
            let layout = Layout::new(&state, &session, Some(&ctx), "import").await?;
            let message = format!("{}{}", l.t("导入失败，未写入任何数据："), fields);
            Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                ImportPage { l, layout, kind: kind_text, message, rows: vec![] },
            ))
        }
        Err(e) => Err(e),
    }
}

async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (kind, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let kind = ImportKind::parse(kind).ok_or(AppError::NotFound)?;
    let format = FileFormat::parse(ext).ok_or(AppError::NotFound)?;
    let (name, bytes) = ops::export(&state.store, &ctx, kind, format, &q).await?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}
