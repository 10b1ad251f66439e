//! The web layer: server-rendered HTML pages in Chinese (English as a second locale), the
//! `/api/v1` JSON API with its OpenAPI document, authentication, `/healthz` and `/metrics`.
//! Handlers are thin: they parse, call a use case of the `app` crate (which checks
//! permissions, writes and audits), and render.

pub mod api;
pub mod auth;
pub mod boundary;
pub mod error;
pub mod pages;
pub mod portal;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

pub use error::{AppError, AppResult};
// The use cases, under the names the handlers have always used.
pub use app::{access, admin, annual, i18n, ops, parse, reminders, rewards};
pub use metrics_exporter_prometheus::PrometheusHandle;

/// Settings of the web layer.
#[derive(Clone)]
pub struct WebConfig {
    /// Mark the session cookie Secure (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Idle time after which a session ends.
    pub session_idle: Duration,
    /// The site's public address (scheme, host, port), for canonical links, feeds and the
    /// sitemap, e.g. https://tonglian.example.gov.cn
    pub public_url: String,
    /// The paper the stations report to, as its outlets are named (for headquarters).
    pub paper: String,
    /// The bearer token `/metrics` asks for; none: `/metrics` is not served on the site. A
    /// secret: never logged.
    pub metrics_token: Option<String>,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("secure_cookies", &self.secure_cookies)
            .field("session_idle", &self.session_idle)
            .field("public_url", &self.public_url)
            .field("paper", &self.paper)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "(set)"))
            .finish()
    }
}

/// The paper of the seed's network.
pub const DEFAULT_PAPER: &str = "中国知识产权报";

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            session_idle: Duration::from_secs(12 * 3600),
            public_url: "http://127.0.0.1:8080".into(),
            paper: DEFAULT_PAPER.into(),
            metrics_token: None,
        }
    }
}

/// What every handler shares. Cloned on every request by axum, so it is one `Arc`: a clone is
/// one atomic increment (seven of them, one per field, cost 11% of a cached portal page).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: store::Store,
    pub config: WebConfig,
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// A hash verified against when the user name is unknown, so a failed login takes the same time.
    pub dummy_hash: String,
    /// The public portal's page cache and search index.
    pub portal: portal::Portal,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(store: store::Store, config: WebConfig) -> Self {
        Self::with_metrics(store, config, None)
    }

    /// A state whose `/metrics` page renders `metrics` (the process's Prometheus recorder).
    pub fn with_metrics(
        store: store::Store,
        config: WebConfig,
        metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    ) -> Self {
        let dummy_hash = auth::hash_password(&auth::random_token(16)).unwrap_or_default();
        AppState(Arc::new(Shared { store, config, metrics, dummy_hash, portal: portal::Portal::new() }))
    }
}

/// Headers every response carries: no MIME sniffing, no framing, scripts and styles only from
/// this site, no full addresses sent to other sites. Set by the router's outer layers, and by
/// the portal's cache on the pages it answers before those layers.
pub const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    ),
    (header::REFERRER_POLICY, "same-origin"),
];

/// Installs the Prometheus recorder once per process and returns its handle.
pub fn metrics_handle() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<metrics_exporter_prometheus::PrometheusHandle>> =
        std::sync::OnceLock::new();
    // Histograms with fixed buckets: constant memory. The default (summaries) keeps every
    // sample until /metrics is read, which under load grew the server by 250 MB (bench/portal).
    const BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
    HANDLE
        .get_or_init(|| {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .ok()
                .and_then(|b| b.install_recorder().ok())
        })
        .clone()
}

/// The whole site.
pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(auth::DbSessionStore { store: state.store.clone() })
        .with_name("tonglian_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(state.config.session_idle.as_secs() as i64)));

    let app = Router::new()
        .merge(pages::routes())
        .nest("/api", api::routes())
        .layer(middleware::from_fn_with_state(state.clone(), auth::csrf_guard))
        // Outside the CSRF check, so an oversized form is refused before anything reads it;
        // inside `html_errors`, so its refusals are pages for browsers. The portal's routes,
        // merged below, get the same layer.
        .layer(middleware::from_fn(boundary::clean_input))
        // Inside the session and the user, so error pages keep the header of a signed-in user.
        .layer(middleware::from_fn_with_state(state.clone(), pages::html_errors))
        .layer(middleware::from_fn_with_state(state.clone(), auth::load_context))
        .layer(sessions)
        // The portal is the same for every visitor: no session, no cookie, cached pages.
        .merge(portal::routes().layer(middleware::from_fn(boundary::clean_input)))
        // Every successful write makes the portal's cached pages stale.
        .layer(middleware::from_fn_with_state(state.clone(), portal::invalidate_on_write))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_page))
        .route("/static/{*path}", get(pages::static_file))
        // Browsers ask for /favicon.ico whatever the page says; the icon is an SVG.
        .route("/favicon.ico", get(|| pages::static_file(axum::extract::Path("favicon.svg".to_string()))))
        .layer(middleware::from_fn(track))
        // No body is ever larger than the largest upload's.
        .layer(RequestBodyLimitLayer::new(boundary::UPLOAD_BODY_LIMIT))
        // What the extractors read on every route; the upload routes raise it for themselves
        // (`boundary::upload_limit`) and check each file against its own limit in `ops`.
        .layer(axum::extract::DefaultBodyLimit::max(boundary::DEFAULT_BODY_LIMIT));
    let mut app = app.with_state(state.clone());
    for (name, value) in SECURITY_HEADERS {
        app = app.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    app
}

/// The whole site as one service: the router, with the portal's fast path in front of it.
/// A GET of a portal page that is in the cache and current is answered here without entering
/// the router, whose every request clones the matched route's stack of layers; the cached
/// answer carries the same headers those layers would add. Everything else goes to the router.
#[derive(Clone)]
pub struct Site {
    state: AppState,
    router: Router,
    /// The client's address, for `ConnectInfo` (set per connection by `serve`).
    peer: Option<std::net::SocketAddr>,
}

/// The site for `state`.
pub fn site(state: AppState) -> Site {
    Site { router: router(state.clone()), state, peer: None }
}

impl Site {
    /// The same site for one connection from `peer`.
    pub fn for_peer(&self, peer: std::net::SocketAddr) -> Site {
        Site { peer: Some(peer), ..self.clone() }
    }
}

impl tower::Service<Request> for Site {
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = futures_util::future::Either<
        std::future::Ready<Result<Response, std::convert::Infallible>>,
        <Router as tower::Service<Request>>::Future,
    >;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        if let Some(resp) = portal::cached(&self.state, &req) {
            return futures_util::future::Either::Left(std::future::ready(Ok(resp)));
        }
        if let Some(peer) = self.peer {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        }
        futures_util::future::Either::Right(tower::Service::call(&mut self.router, req))
    }
}

/// A request slower than this is logged at info level whatever it was.
const SLOW_REQUEST: Duration = Duration::from_millis(500);

/// Counts requests and their duration for `/metrics`, and logs each request (path only: query
/// strings may carry CSRF tokens or search words).
async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let elapsed = start.elapsed();
    let status = resp.status().as_u16().to_string();
    let method_label = method_label(&method);
    metrics::counter!("tonglian_http_requests_total", "method" => method_label, "route" => route_label(&path), "status" => status.clone()).increment(1);
    metrics::histogram!("tonglian_http_request_seconds", "method" => method_label).record(elapsed.as_secs_f64());
    // Every request is counted above; the log keeps the ones worth reading (errors, slow
    // answers, writes), so that a busy public site does not spend its time writing log lines.
    let notable = resp.status().as_u16() >= 400 || elapsed >= SLOW_REQUEST || method != axum::http::Method::GET;
    if notable {
        tracing::info!(%method, %path, status = %status, ms = elapsed.as_millis() as u64, "request");
    } else {
        tracing::debug!(%method, %path, status = %status, ms = elapsed.as_millis() as u64, "request");
    }
    let mut resp = resp;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={:.3}", elapsed.as_secs_f64() * 1000.0)) {
        resp.headers_mut().insert("server-timing", v);
    }
    resp
}

/// The method as a metrics label, without allocating for the usual ones.
fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The path with numbers replaced, so metrics have few label values.
fn route_label(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.chars().all(|c| c.is_ascii_digit()) && !seg.is_empty() { "{id}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => {
            (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok", "database": state.store.backend_name()})))
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "unavailable"}))).into_response()
        }
    }
}

/// Prometheus metrics, for whoever holds the configured token (`Authorization: Bearer …`).
/// Without a token configured, or without the right one, there is no such page (404).
async fn metrics_page(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let given = auth::bearer_token(&headers);
    let allowed = match (&state.config.metrics_token, given) {
        // Compared as hashes, so neither the time nor the length says how much was right.
        (Some(want), Some(given)) => {
            auth::constant_time_eq(auth::token_hash(want).as_bytes(), auth::token_hash(given).as_bytes())
        }
        _ => false,
    };
    if !allowed {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    render_metrics(state.metrics.as_ref())
}

/// The Prometheus text, for `/metrics` here or on the separate metrics address.
pub fn render_metrics(handle: Option<&metrics_exporter_prometheus::PrometheusHandle>) -> Response {
    match handle {
        Some(h) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], h.render()).into_response(),
        None => (StatusCode::NOT_FOUND, "metrics disabled").into_response(),
    }
}
