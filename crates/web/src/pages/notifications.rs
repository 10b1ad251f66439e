//! Each user's reminders (提醒): the list, marking them read, and the choices per kind — in the
//! site, by e-mail, or off — with the address mail goes to.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::FieldErrors;
use store::{Notification, ReminderPref};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/read", post(read_all))
        .route("/notifications/{id}/read", post(read_one))
        .route("/notifications/settings", get(settings).post(save_settings))
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct ListPage {
    l: L,
    layout: Layout,
    items: Vec<Notification>,
}

impl ListPage {
    fn when(&self, ts: &i64) -> String {
        time::OffsetDateTime::from_unix_timestamp(*ts)
            .map(|t| {
                let t = t.to_offset(domain::CHINA_OFFSET);
                format!("{} {:02}:{:02}", domain::format_date(t.date()), t.hour(), t.minute())
            })
            .unwrap_or_default()
    }
}

async fn list(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let items = app::notifications::list(&state.store, &ctx).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "notifications").await?;
    Ok(ListPage { l: L::new(v.locale), layout, items }.into_response())
}

async fn read_all(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    app::notifications::mark_read(&state.store, &ctx, None).await?;
    Ok(see_other("/notifications"))
}

async fn read_one(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    app::notifications::mark_read(&state.store, &ctx, Some(id)).await?;
    Ok(see_other("/notifications"))
}

#[derive(Template, WebTemplate)]
#[template(path = "notification_settings.html")]
struct SettingsPage {
    l: L,
    layout: Layout,
    prefs: Vec<ReminderPref>,
    email: String,
    errors: Errors,
}

async fn settings_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    prefs: Vec<ReminderPref>,
    email: String,
    errors: FieldErrors,
) -> AppResult<SettingsPage> {
    Ok(SettingsPage {
        l: L::new(v.locale),
        layout: Layout::new(state, session, Some(ctx), "notifications").await?,
        prefs,
        email,
        errors: Errors(errors),
    })
}

async fn settings(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let (prefs, email) = app::notifications::settings(&state.store, &ctx).await?;
    Ok(settings_page(&state, &session, &v, &ctx, prefs, email, FieldErrors::default()).await?.into_response())
}

/// Checkboxes arrive as `in_app=draft_waiting&email=draft_waiting…`: a kind left out is off.
async fn save_settings(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    body: Bytes,
) -> AppResult<Response> {
    let mut in_app = Vec::new();
    let mut by_mail = Vec::new();
    let mut email = String::new();
    for (k, val) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "in_app" => in_app.push(val.into_owned()),
            "email" => by_mail.push(val.into_owned()),
            "address" => email = val.into_owned(),
            _ => {}
        }
    }
    let prefs = app::notifications::prefs_from_codes(&in_app, &by_mail);
    match app::notifications::save_settings(&state.store, &ctx, &prefs, &email).await.map_err(AppError::from) {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("设置已保存")).await;
            Ok(see_other("/notifications/settings"))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(settings_page(&state, &session, &v, &ctx, prefs, email, errors).await?))
        }
    }
}
