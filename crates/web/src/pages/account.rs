//! Logging in and out, changing one's password, and choosing the language.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::auth::{self, Ctx, Visitor};
use crate::i18n::L;
use crate::{AppResult, AppState, ops};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/account/password", get(password_page).post(password_submit))
        .route("/locale", post(set_locale))
        .route("/station", post(choose_station))
}

/// The client's address, for login throttling ("unknown" in in-process tests).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    l: L,
    layout: Layout,
    errors: Errors,
    username: String,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after login, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".into(),
    }
}

async fn login_page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Option<Ctx>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.is_some() {
        return Ok(see_other("/"));
    }
    let layout = Layout::new(&state, &session, None, "login").await?;
    Ok(LoginPage {
        l: L::new(v.locale),
        layout,
        errors: Errors::default(),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
    }
    .into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    client: ClientAddr,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    match auth::login(&state, &session, &f.username, &f.password, &client.0).await {
        Ok(_) => Ok(see_other(&safe_next(f.next.as_deref()))),
        Err(e) => {
            let errors = match e {
                crate::AppError::TooManyRequests(m) => domain::FieldErrors(vec![domain::FieldError::new("_", m)]),
                other => field_errors(other)?,
            };
            let layout = Layout::new(&state, &session, None, "login").await?;
            let next = safe_next(f.next.as_deref());
            Ok(form_error(LoginPage {
                l: L::new(v.locale),
                layout,
                errors: Errors(errors),
                username: f.username,
                next,
            }))
        }
    }
}

async fn logout(session: Session) -> AppResult<Response> {
    auth::logout(&session).await?;
    Ok(see_other("/login"))
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    l: L,
    layout: Layout,
    errors: Errors,
}

async fn password_page(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let layout = Layout::new(&state, &session, Some(&ctx), "").await?;
    Ok(PasswordPage { l: L::new(v.locale), layout, errors: Errors::default() }.into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn password_submit(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    match ops::change_password(&state, &ctx, &f.current, &f.new, &f.confirm).await {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("密码已修改")).await;
            Ok(see_other("/"))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            let layout = Layout::new(&state, &session, Some(&ctx), "").await?;
            Ok(form_error(PasswordPage { l: L::new(v.locale), layout, errors: Errors(errors) }))
        }
    }
}

#[derive(Deserialize)]
struct LocaleForm {
    lang: String,
}

/// Switches the language: a cookie for everyone, and the account's setting when signed in.
async fn set_locale(
    State(state): State<AppState>,
    ctx: Option<Ctx>,
    headers: axum::http::HeaderMap,
    Form(f): Form<LocaleForm>,
) -> AppResult<Response> {
    let lang = if f.lang == "en" { "en" } else { "zh" };
    if let Some(c) = ctx {
        state.store.set_user_locale(c.user.id, lang).await?;
    }
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .unwrap_or_else(|| "/".into());
    let mut resp = see_other(&safe_next(Some(&back)));
    let cookie = format!("lang={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[derive(Deserialize)]
struct StationForm {
    station: String,
}

/// A headquarters account chooses the station it works in.
async fn choose_station(
    State(state): State<AppState>,
    session: Session,
    ctx: Ctx,
    Form(f): Form<StationForm>,
) -> AppResult<Response> {
    crate::access::require(ctx.is_hq())?;
    let station = state.store.station_by_code(&f.station).await?.ok_or(crate::AppError::NotFound)?;
    auth::choose_station(&session, station.id).await?;
    Ok(see_other("/"))
}
