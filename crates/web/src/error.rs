//! The one error type of the web layer. It logs what went wrong inside and shows the user a
//! clear message in Chinese: an HTML page for browsers, JSON for the API.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not there, or not yours to see: both answer 404 so nothing leaks.
    #[error("not found")]
    NotFound,
    /// Logged in, but the role does not allow it.
    #[error("forbidden")]
    Forbidden,
    /// A state-changing request without the session's CSRF token.
    #[error("csrf token missing or wrong")]
    Csrf,
    /// Not logged in.
    #[error("unauthorized")]
    Unauthorized,
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("conflict: {0}")]
    Conflict(String),
    /// Was there and was taken down on purpose (the reason is shown): 410.
    #[error("gone: {0}")]
    Gone(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("too many attempts")]
    TooManyRequests(String),
    /// Too many failed logins: 429 with `Retry-After` (seconds).
    #[error("throttled for {retry_after}s")]
    Throttled { message: String, retry_after: i64 },
    /// A state-changing request whose `Origin` or `Referer` names another site.
    #[error("request from another site")]
    CrossSite,
    #[error("payload too large: {0}")]
    TooLarge(String),
    /// A body in a media type the route does not read (the API takes `application/json`): 415.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// An import refused: the bad rows, columns and reasons (the first `MAX_LISTED_ROWS`; a
    /// file of 300,000 bad rows would otherwise answer with a page larger than itself), and how
    /// many there are in all.
    #[error("import rejected: {total} bad rows")]
    Rows { listed: Vec<domain::import::RowError>, total: usize },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub use app::MAX_LISTED_ROWS;

pub type AppResult<T> = Result<T, AppError>;

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound => AppError::NotFound,
            store::StoreError::Invalid(f) => AppError::Invalid(f),
            store::StoreError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Internal(other.into()),
        }
    }
}

/// A use case's error, answered with the status that says the same thing in HTTP.
impl From<app::Error> for AppError {
    fn from(e: app::Error) -> Self {
        match e {
            app::Error::NotFound => AppError::NotFound,
            app::Error::Forbidden => AppError::Forbidden,
            app::Error::Invalid(f) => AppError::Invalid(f),
            app::Error::Conflict(m) => AppError::Conflict(m),
            app::Error::Gone(m) => AppError::Gone(m),
            app::Error::BadRequest(m) => AppError::BadRequest(m),
            app::Error::TooLarge(m) => AppError::TooLarge(m),
            app::Error::TooMany(m) => AppError::TooManyRequests(m),
            app::Error::Rows { listed, total } => AppError::Rows { listed, total },
            app::Error::Internal(e) => AppError::Internal(e),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl AppError {
    /// An import's bad rows, of which the first `MAX_LISTED_ROWS` are listed.
    pub fn rows(rows: Vec<domain::import::RowError>) -> AppError {
        app::Error::rows(rows).into()
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf | AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) | AppError::Rows { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyRequests(_) | AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the user reads.
    pub fn message(&self) -> String {
        match self {
            AppError::NotFound => app::error::NOT_FOUND_MESSAGE.into(),
            AppError::Forbidden => app::error::FORBIDDEN_MESSAGE.into(),
            AppError::Csrf => "表单已过期或来源无效，请刷新页面后重试".into(),
            AppError::CrossSite => "请求来自其他网站，已拒绝；请在本站页面上提交".into(),
            AppError::Throttled { message, .. } => message.clone(),
            AppError::Unauthorized => "请先登录".into(),
            AppError::Invalid(f) => format!("输入有误：{f}"),
            AppError::Rows { listed, total } => app::error::rows_message(listed.len(), *total),
            AppError::Gone(m) => format!("该内容已撤下：{m}"),
            AppError::Conflict(m)
            | AppError::BadRequest(m)
            | AppError::TooManyRequests(m)
            | AppError::TooLarge(m)
            | AppError::UnsupportedMediaType(m) => m.clone(),
            AppError::Internal(_) => app::error::INTERNAL_MESSAGE.into(),
        }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: String,
    /// Field-level messages for invalid input.
    pub fields: Vec<domain::FieldError>,
    /// For a refused import: every bad row (as the spreadsheet numbers it), column and reason.
    pub rows: Vec<domain::import::RowError>,
}

/// Marks a request as an API call, so errors are answered in JSON.
#[derive(Clone, Copy)]
pub struct WantsJson;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let status = self.status();
        let fields = match &self {
            AppError::Invalid(f) => f.0.clone(),
            _ => Vec::new(),
        };
        let rows = match &self {
            AppError::Rows { listed, .. } => listed.clone(),
            _ => Vec::new(),
        };
        let body = ErrorBody { error: self.message(), fields, rows };
        // The HTML rendering happens in the `html_errors` middleware, which knows the locale and
        // whether the client is a browser; here we produce JSON that it can turn into a page.
        let mut resp = (status, axum::Json(body)).into_response();
        resp.extensions_mut().insert(ErrorMarker);
        resp.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        if let AppError::Throttled { retry_after, .. } = self {
            resp.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(retry_after));
        }
        resp
    }
}

/// Set on responses produced from an `AppError`.
#[derive(Clone, Copy)]
pub struct ErrorMarker;
