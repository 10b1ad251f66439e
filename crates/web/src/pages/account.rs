//! Logging in and out, changing one's password, and choosing the language.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::auth::{self, Ctx, Visitor, safe_next};
use crate::i18n::L;
use crate::{AppResult, AppState, ops};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
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
            let (errors, retry_after) = match e {
                crate::AppError::Throttled { message, retry_after } => {
                    (domain::FieldErrors(vec![domain::FieldError::new("_", message)]), Some(retry_after))
                }
                other => (field_errors(other)?, None),
            };
            let layout = Layout::new(&state, &session, None, "login").await?;
            let next = safe_next(f.next.as_deref());
            let page = LoginPage { l: L::new(v.locale), layout, errors: Errors(errors), username: f.username, next };
            Ok(match retry_after {
                // Refused without trying the password: 429, and when to come back.
                Some(secs) => {
                    let mut resp = super::render_status(StatusCode::TOO_MANY_REQUESTS, page);
                    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
                    resp
                }
                None => form_error(page),
            })
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
    let this_session = session.id().map(|id| id.to_string());
    match ops::change_password(&state.store, &ctx, &f.current, &f.new, &f.confirm, this_session.as_deref()).await {
        Ok(_) => {
            flash(&session, L::new(v.locale).t("密码已修改；其他设备上的登录和全部 API 令牌已失效")).await;
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
        app::account::set_locale(&state.store, &c, lang).await?;
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
    let station = app::account::station_to_work_in(&state.store, &ctx, &f.station).await?;
    auth::choose_station(&session, station.id).await?;
    Ok(see_other("/"))
}
