//! The HTML pages. Each submodule owns the pages of one part of the glossary; this module
//! holds what they share: the layout, form-error display, flash messages, error pages and the
//! embedded static files.

mod account;
mod data;
mod home;
mod hq;
mod manuscripts;
mod media;
mod network;
mod notifications;
mod placements;
mod portal;
mod reports;
pub(crate) mod rewards;
mod targets;

use crate::auth::{Ctx, Visitor, ensure_csrf};
use crate::error::{AppError, ErrorMarker};
use crate::i18n::L;
use crate::{AppResult, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use store::User;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(account::routes())
        .merge(home::routes())
        .merge(manuscripts::routes())
        .merge(placements::routes())
        .merge(network::routes())
        .merge(data::routes())
        .merge(rewards::routes())
        .merge(portal::routes())
        .merge(targets::routes())
        .merge(media::routes())
        .merge(reports::routes())
        .merge(hq::routes())
        .merge(notifications::routes())
}

/// What every page's frame needs.
#[derive(Debug, Clone)]
pub struct Layout {
    pub user: Option<User>,
    pub csrf: String,
    /// Which nav item is active.
    pub nav: &'static str,
    pub station_name: String,
    pub flash: Option<String>,
    pub can_view_network: bool,
    pub can_manage: bool,
    pub can_manage_users: bool,
    /// For headquarters accounts: the stations to choose from, and the code of the current one.
    pub stations: Vec<store::Station>,
    pub station_code: String,
    /// Unread reminders, shown by the user's name.
    pub unread: u64,
}

impl Layout {
    pub async fn new(state: &AppState, session: &Session, ctx: Option<&Ctx>, nav: &'static str) -> AppResult<Layout> {
        let csrf = ensure_csrf(session).await?;
        let flash = session.remove::<String>("flash").await.ok().flatten();
        let header = app::account::header(&state.store, ctx.map(|c| &c.actor)).await?;
        let station_name = header.station.as_ref().map(|s| s.name.clone()).unwrap_or_default();
        let station_code = header.station.map(|s| s.code).unwrap_or_default();
        let stations = header.stations;
        let role = ctx.map(|c| c.role());
        let unread = header.unread;
        Ok(Layout {
            user: ctx.map(|c| c.user.clone()),
            csrf,
            nav,
            station_name,
            flash,
            can_view_network: role.is_some_and(crate::access::can_view_network),
            can_manage: role.is_some_and(crate::access::can_manage_network),
            can_manage_users: role.is_some_and(crate::access::can_manage_users),
            stations,
            station_code,
            unread,
        })
    }
}

/// Stores a message shown once on the next page.
pub async fn flash(session: &Session, message: impl Into<String>) {
    let _ = session.insert("flash", message.into()).await;
}

/// The messages of a form that failed, by field name, for the templates.
#[derive(Debug, Clone, Default)]
pub struct Errors(pub FieldErrors);

impl Errors {
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).unwrap_or("")
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.get(field).is_some()
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    /// The messages not tied to a field shown on the form.
    pub fn others(&self, shown: &[&str]) -> Vec<String> {
        self.0.0.iter().filter(|e| !shown.contains(&e.field.as_str())).map(|e| e.message.clone()).collect()
    }
}

/// Renders a template with a status code.
pub fn render_status<T: Template>(status: StatusCode, t: T) -> Response {
    match t.render() {
        Ok(html) => (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

/// The result of a form post that failed validation: the form again, with messages, as 422.
pub fn form_error<T: Template>(t: T) -> Response {
    render_status(StatusCode::UNPROCESSABLE_ENTITY, t)
}

/// Splits an error into the field messages a form shows, or passes other errors on.
pub fn field_errors(e: impl Into<AppError>) -> Result<FieldErrors, AppError> {
    match e.into() {
        AppError::Invalid(f) => Ok(f),
        AppError::Conflict(m) | AppError::BadRequest(m) => Ok(FieldErrors(vec![domain::FieldError::new("_", m)])),
        other => Err(other),
    }
}

pub use app::forms::with_form_errors;

/// A 303 to `to`; a target that cannot be a `Location` (a control character typed into a
/// form field it was built from) goes home instead of failing.
pub fn see_other(to: &str) -> Response {
    if axum::http::HeaderValue::from_str(to).is_err() {
        return Redirect::to("/").into_response();
    }
    Redirect::to(to).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    l: L,
    layout: Layout,
    status: u16,
    message: String,
    rows: Vec<domain::import::RowError>,
}

/// Turns error responses into pages for browsers: 401 becomes a redirect to the login page,
/// other errors a page in the visitor's language. API paths keep their JSON.
pub async fn html_errors(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(String::from);
    let wants_html = !path.starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|a| a.contains("text/html") || a.contains("*/*"));
    let locale = req.extensions().get::<Visitor>().map(|v| v.locale.to_string()).unwrap_or_else(|| cookie_locale(&req));
    let ctx = req.extensions().get::<Ctx>().cloned();
    let session = req.extensions().get::<Session>().cloned();
    let resp = next.run(req).await;
    if !wants_html || resp.extensions().get::<ErrorMarker>().is_none() {
        return resp;
    }
    let status = resp.status();
    if status == StatusCode::UNAUTHORIZED {
        let back = match query {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        let next_param: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next_param}")).into_response();
    }
    let retry_after = resp.headers().get(header::RETRY_AFTER).cloned();
    let body = axum::body::to_bytes(resp.into_body(), 1024 * 1024).await.unwrap_or_default();
    let (message, rows) = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .map(|v| {
            let message = v.get("error").and_then(|e| e.as_str()).unwrap_or("").to_string();
            let rows = v
                .get("rows")
                .and_then(|r| serde_json::from_value::<Vec<RowErrorIn>>(r.clone()).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|r| domain::import::RowError { row: r.row, column: r.column, message: r.message })
                .collect();
            (message, rows)
        })
        .unwrap_or_default();
    let layout = match &session {
        Some(s) => Layout::new(&state, s, ctx.as_ref(), "").await.ok(),
        None => None,
    };
    let layout = layout.unwrap_or(Layout {
        user: None,
        csrf: String::new(),
        nav: "",
        station_name: String::new(),
        flash: None,
        can_view_network: false,
        can_manage: false,
        can_manage_users: false,
        stations: Vec::new(),
        station_code: String::new(),
        unread: 0,
    });
    let mut page =
        render_status(status, ErrorPage { l: L::new(&locale), layout, status: status.as_u16(), message, rows });
    if let Some(v) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, v);
    }
    page
}

#[derive(serde::Deserialize)]
struct RowErrorIn {
    row: usize,
    column: String,
    message: String,
}

fn cookie_locale(req: &Request) -> String {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix("lang=").map(str::to_string))
        .unwrap_or_else(|| "zh".into())
}

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

pub async fn static_file(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = if path.ends_with(".css") {
                "text/css; charset=utf-8"
            } else if path.ends_with(".js") {
                "text/javascript; charset=utf-8"
            } else if path.ends_with(".svg") {
                "image/svg+xml"
            } else if path.ends_with(".png") {
                "image/png"
            } else {
                "application/octet-stream"
            };
            ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "public, max-age=3600")], file.data).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Formats a timestamp (seconds since the epoch) in China Standard Time.
pub fn datetime(ts: &i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    match time::OffsetDateTime::from_unix_timestamp(*ts) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
        }
        Err(_) => String::new(),
    }
}

/// Unused visitor fields are fine: the extractor is also how handlers learn the locale.
pub fn locale_of(v: &Visitor) -> L {
    L::new(v.locale)
}

/// A date as the pages show it (2007-06-05), for templates, which hold values by reference.
pub fn fmt_date(d: &time::Date) -> String {
    domain::format_date(*d)
}

pub use app::today;
