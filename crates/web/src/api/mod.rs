//! The JSON API under `/api/v1`, with the same permissions as the pages (it calls the same use
//! cases in `app`), authenticated by session cookie (state-changing calls then need the
//! `X-CSRF-Token` header) or by `Authorization: Bearer <token>`. `/api/openapi.json` describes
//! it; [`document_errors`] adds to every operation the error statuses its shape can answer.
//!
//! One file per subject: `network` (the signed-in user, tokens, the dashboard, units, outlets,
//! correspondents), `manuscripts`, `placements`, `files` (imports and exports), `rewards`
//! (policies, statements, objections, adjustments, rankings), `notifications` (the caller's
//! reminders and their settings), `targets` (targets, progress, the bulletin), `media`
//! (subscription campaigns, events, media contacts), `admin` (accounts, stations, the audit
//! log), `reports` (the annual report), `hq` (headquarters' national view and award criteria);
//! `extract` holds the request extractors whose refusals are JSON, `views` the response shapes
//! built from the use cases' types.

mod admin;
mod extract;
mod files;
mod hq;
mod manuscripts;
mod media;
mod network;
mod notifications;
mod placements;
mod reports;
mod rewards;
mod targets;
mod views;

use crate::AppState;
use axum::Router;
use axum::http::header;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(crate) use files::{docx_response, xlsx_response};
pub(crate) use reports::AnnualReportView;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tonglian API", description = "通联：通讯员网络、稿件、刊发。Authenticate with a session cookie (send X-CSRF-Token on writes) or `Authorization: Bearer <token>`. Errors answer the JSON body `ErrorBody` with a message in Chinese."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    // Schemas that only parameters name (utoipa-axum gathers those of bodies by itself).
    components(schemas(crate::error::ErrorBody, files::Kind, files::Format, domain::EventKind))
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

/// The API's routes and its OpenAPI document (paths relative to `/api`).
pub fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(network::me))
        .routes(routes!(network::create_token))
        .routes(routes!(network::dashboard))
        .routes(routes!(network::list_units, network::create_unit))
        .routes(routes!(network::update_unit))
        .routes(routes!(network::list_outlets, network::create_outlet))
        .routes(routes!(network::get_outlet, network::update_outlet))
        .routes(routes!(network::list_correspondents, network::create_correspondent))
        .routes(routes!(network::get_correspondent, network::update_correspondent))
        .routes(routes!(manuscripts::list_manuscripts, manuscripts::create_manuscript))
        .routes(routes!(manuscripts::get_manuscript, manuscripts::update_manuscript))
        .routes(routes!(manuscripts::submit_manuscript))
        .routes(routes!(manuscripts::revise_manuscript))
        .routes(routes!(manuscripts::accept_manuscript))
        .routes(routes!(manuscripts::return_manuscript))
        .routes(routes!(manuscripts::manuscript_history))
        .routes(routes!(placements::list_placements, placements::create_placement))
        .routes(routes!(placements::get_placement, placements::update_placement, placements::delete_placement))
        .routes(routes!(files::import_file))
        .routes(routes!(files::export_file))
        .routes(routes!(rewards::list_policies, rewards::load_policy))
        .routes(routes!(rewards::list_statements, rewards::compute_statement))
        .routes(routes!(rewards::get_statement))
        .routes(routes!(rewards::publish_statement))
        .routes(routes!(rewards::confirm_statement))
        .routes(routes!(rewards::object_statement))
        .routes(routes!(rewards::pay_statement))
        .routes(routes!(rewards::pay_all_statement))
        .routes(routes!(rewards::statement_payables))
        .routes(routes!(rewards::statement_transfer_sheet))
        .routes(routes!(rewards::rankings))
        .routes(routes!(rewards::answer_objection))
        .routes(routes!(rewards::list_adjustments, rewards::create_adjustment))
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::read_all))
        .routes(routes!(notifications::read_one))
        .routes(routes!(notifications::get_settings, notifications::put_settings))
        .routes(routes!(targets::list_targets, targets::set_target))
        .routes(routes!(targets::delete_target))
        .routes(routes!(targets::carry_targets))
        .routes(routes!(targets::import_targets))
        .routes(routes!(targets::progress))
        .routes(routes!(targets::set_quiet_weeks))
        .routes(routes!(targets::set_revision_days))
        .routes(routes!(targets::bulletin))
        .routes(routes!(targets::bulletin_docx))
        .routes(routes!(media::list_campaigns, media::create_campaign))
        .routes(routes!(media::get_campaign))
        .routes(routes!(media::add_order))
        .routes(routes!(media::delete_order))
        .routes(routes!(media::import_orders))
        .routes(routes!(media::list_events, media::create_event))
        .routes(routes!(media::get_event, media::update_event, media::delete_event))
        .routes(routes!(media::add_photo))
        .routes(routes!(media::list_contacts, media::create_contact))
        .routes(routes!(media::get_contact, media::update_contact, media::delete_contact))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(admin::reset_password))
        .routes(routes!(admin::list_stations, admin::create_station))
        .routes(routes!(admin::audit_log))
        .routes(routes!(reports::annual_report, reports::save_annual_report))
        .routes(routes!(reports::annual_report_docx))
        .routes(routes!(hq::national))
        .routes(routes!(hq::awards, hq::save_awards));
    let (router, mut api) = OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/v1", v1).split_for_parts();
    document_errors(&mut api);
    (router, api)
}

/// `/api`: the routes, `/api/openapi.json`, and a JSON 404 for any other path under `/api`.
pub fn routes() -> Router<AppState> {
    let (router, api) = api_router();
    let doc = serde_json::to_string(&document(api)).unwrap_or_else(|_| "{}".into());
    router
        .route("/openapi.json", get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc.clone()) }))
        .fallback(|| async { crate::error::AppError::NotFound })
}

/// The OpenAPI document as served: paths as the client calls them (under `/api`).
pub fn document(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    api.paths.paths = api.paths.paths.into_iter().map(|(k, v)| (format!("/api{k}"), v)).collect();
    api
}

/// Adds to every operation the error responses that its shape can answer, each with the JSON
/// [`ErrorBody`](crate::error::ErrorBody), and a description to every response that has none.
/// What each status means here:
///
/// - 401: no session and no valid bearer token (every operation);
/// - 403: a write from a session without its `X-CSRF-Token`, or from another site; a role
///   without the right (reads that check a role say 403 in their own annotation);
/// - 400: a path or query parameter that does not parse (`abc` for an id, page 0), or JSON that
///   does not parse;
/// - 404: an id that is not there or belongs to another station (the same answer);
/// - 413, 415, 422: a body too large, not JSON, or JSON that does not fit (422 also for a query
///   value longer than its field allows).
pub fn document_errors(api: &mut utoipa::openapi::OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let has_path_params = path.contains('{');
        let ops = [
            (false, item.get.as_mut()),
            (true, item.post.as_mut()),
            (true, item.put.as_mut()),
            (true, item.delete.as_mut()),
            (true, item.patch.as_mut()),
        ];
        for (writes, op) in ops {
            let Some(op) = op else { continue };
            let has_query = op
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
            let body_types: Vec<String> = match &op.request_body {
                Some(RefOr::T(b)) => b.content.keys().cloned().collect(),
                _ => Vec::new(),
            };
            let json_body = body_types.iter().any(|t| t == "application/json");
            let mut statuses = vec![401];
            if writes {
                statuses.push(403);
            }
            if has_path_params || has_query || json_body {
                statuses.push(400);
            }
            if has_path_params {
                statuses.push(404);
            }
            if !body_types.is_empty() {
                statuses.push(413);
            }
            if json_body {
                statuses.push(415);
            }
            if has_query || !body_types.is_empty() {
                statuses.push(422);
            }
            for status in statuses {
                add_error(op, status);
            }
            for response in op.responses.responses.iter_mut() {
                if let (status, RefOr::T(r)) = response
                    && r.description.is_empty()
                {
                    r.description = describe(status).to_string();
                }
            }
        }
    }
}

fn add_error(op: &mut Operation, status: u16) {
    op.responses.responses.entry(status.to_string()).or_insert_with(|| {
        RefOr::T(
            ResponseBuilder::new()
                .description(describe(&status.to_string()))
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                )
                .build(),
        )
    });
}

/// What a status means on this API, for responses whose annotation gives no description.
fn describe(status: &str) -> &'static str {
    match status {
        "200" => "成功。OK.",
        "201" => "已创建。Created.",
        "204" => "已完成，无内容。Done, no content.",
        "400" => "请求有误：路径或查询参数无法解析，或 JSON 格式有误。Bad request.",
        "401" => "未登录，或令牌无效。Not signed in, or the token is not valid.",
        "403" => "无权操作：角色不允许，或会话写操作缺少 X-CSRF-Token。Forbidden.",
        "404" => "不存在，或不属于本站。Not found (also for another station's records).",
        "409" => "状态冲突：记录已被他人改变，或当前状态不允许此操作。Conflict with the record's state.",
        "410" => "已撤下。Gone.",
        "413" => "请求体太大。Payload too large.",
        "415" => "请求体应为 JSON。Unsupported media type.",
        "422" => "输入有误：逐项列出。Invalid input, every field listed.",
        "429" => "请求太频繁。Too many requests.",
        _ => "见错误信息。See the error message.",
    }
}

/// A page of a list, with the total over every page.
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
