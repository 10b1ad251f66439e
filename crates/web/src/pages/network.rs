//! Pages for the network: correspondents, units, outlets and accounts.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::ops::{self, ListQuery};
use crate::{AppError, AppResult, AppState, access, admin};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use domain::*;
use serde::Deserialize;
use store::{Correspondent, Outlet, Page, Unit, User};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/correspondents", get(correspondents).post(create_correspondent))
        .route("/correspondents/new", get(new_correspondent))
        .route("/correspondents/{id}", get(edit_correspondent).post(update_correspondent))
        .route("/units", get(units).post(create_unit))
        .route("/units/{id}", get(edit_unit).post(update_unit))
        .route("/outlets", get(outlets).post(create_outlet))
        .route("/outlets/new", get(new_outlet))
        .route("/outlets/{id}", get(edit_outlet).post(update_outlet))
        .route("/users", get(users).post(create_user))
        .route("/users/new", get(new_user))
        .route("/users/{id}/password", get(user_password).post(reset_password))
}

// ---- correspondents ----

#[derive(Template, WebTemplate)]
#[template(path = "correspondents.html")]
struct CorrespondentsPage {
    l: L,
    layout: Layout,
    page: Page<Correspondent>,
    q: ListQuery,
    query: String,
    units: Vec<Unit>,
}

impl CorrespondentsPage {
    fn selected(&self, value: &Option<String>, id: &str) -> bool {
        value.as_deref() == Some(id)
    }
}

async fn correspondents(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = ops::correspondents(&state.store, &ctx, &q).await?;
    let units = ops::units(&state.store, &ctx).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "correspondents").await?;
    let query = q.to_query();
    Ok(CorrespondentsPage { l: L::new(v.locale), layout, page, q, query, units }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "correspondent_form.html")]
struct CorrespondentFormPage {
    l: L,
    layout: Layout,
    errors: Errors,
    id: Option<CorrespondentId>,
    f: CorrespondentForm,
    units: Vec<Unit>,
    mentors: Vec<User>,
}

impl CorrespondentFormPage {
    fn is(&self, value: &str, code: &str) -> bool {
        value == code
    }
}

async fn correspondent_form(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: Option<CorrespondentId>,
    f: CorrespondentForm,
    errors: FieldErrors,
) -> AppResult<CorrespondentFormPage> {
    access::require(access::can_manage_network(ctx.role()))?;
    let units = ops::units(&state.store, ctx).await?;
    let mentors = state
        .store
        .users(ctx.scope())
        .await?
        .into_iter()
        .filter(|u| u.role.may_mentor() && u.active && u.station_id == ctx.station)
        .collect();
    let layout = Layout::new(state, session, Some(ctx), "correspondents").await?;
    Ok(CorrespondentFormPage { l: L::new(v.locale), layout, errors: Errors(errors), id, f, units, mentors })
}

async fn new_correspondent(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
) -> AppResult<Response> {
    let f = CorrespondentForm { kind: "unit".into(), active: Some("1".into()), ..Default::default() };
    Ok(correspondent_form(&state, &session, &v, &ctx, None, f, FieldErrors::default()).await?.into_response())
}

async fn create_correspondent(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<CorrespondentForm>,
) -> AppResult<Response> {
    let result = match f.parse() {
        Ok(input) => ops::create_correspondent(&state.store, &ctx, input).await.map(|_| ()).map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("通讯员已保存")).await;
            Ok(see_other("/correspondents"))
        }
        Err(e) => Ok(form_error(correspondent_form(&state, &session, &v, &ctx, None, f, field_errors(e)?).await?)),
    }
}

async fn edit_correspondent(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<CorrespondentId>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let c = state.store.correspondent(ctx.scope(), id).await?;
    let f = CorrespondentForm {
        name: c.name,
        unit_id: c.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        kind: c.kind.code().into(),
        phone: c.phone,
        email: c.email,
        joined_on: c.joined_on.map(format_date).unwrap_or_default(),
        active: c.active.then(|| "1".into()),
        mentor_user_id: c.mentor_user_id.map(|u| u.to_string()).unwrap_or_default(),
    };
    Ok(correspondent_form(&state, &session, &v, &ctx, Some(id), f, FieldErrors::default()).await?.into_response())
}

async fn update_correspondent(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<CorrespondentId>,
    Form(f): Form<CorrespondentForm>,
) -> AppResult<Response> {
    let result = match f.parse() {
        Ok(input) => ops::update_correspondent(&state.store, &ctx, id, input).await.map(|_| ()).map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("通讯员已保存")).await;
            Ok(see_other("/correspondents"))
        }
        Err(e) => Ok(form_error(correspondent_form(&state, &session, &v, &ctx, Some(id), f, field_errors(e)?).await?)),
    }
}

// ---- units ----

#[derive(Template, WebTemplate)]
#[template(path = "units.html")]
struct UnitsPage {
    l: L,
    layout: Layout,
    units: Vec<Unit>,
    errors: Errors,
    f: UnitForm,
    id: Option<UnitId>,
}

async fn units_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: Option<UnitId>,
    f: UnitForm,
    errors: FieldErrors,
) -> AppResult<UnitsPage> {
    access::require(access::can_view_network(ctx.role()))?;
    let units = ops::units(&state.store, ctx).await?;
    let layout = Layout::new(state, session, Some(ctx), "units").await?;
    Ok(UnitsPage { l: L::new(v.locale), layout, units, errors: Errors(errors), f, id })
}

async fn units(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let f = UnitForm { name: String::new(), kind: "prefecture".into() };
    Ok(units_page(&state, &session, &v, &ctx, None, f, FieldErrors::default()).await?.into_response())
}

async fn create_unit(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    let result = match f.parse() {
        Ok(input) => ops::create_unit(&state.store, &ctx, input).await.map(|_| ()).map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("单位已保存")).await;
            Ok(see_other("/units"))
        }
        Err(e) => Ok(form_error(units_page(&state, &session, &v, &ctx, None, f, field_errors(e)?).await?)),
    }
}

async fn edit_unit(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<UnitId>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let u = state.store.unit(ctx.scope(), id).await?;
    let f = UnitForm { name: u.name, kind: u.kind.code().into() };
    Ok(units_page(&state, &session, &v, &ctx, Some(id), f, FieldErrors::default()).await?.into_response())
}

async fn update_unit(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<UnitId>,
    Form(f): Form<UnitForm>,
) -> AppResult<Response> {
    let result = match f.parse() {
        Ok(input) => ops::update_unit(&state.store, &ctx, id, input).await.map(|_| ()).map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("单位已保存")).await;
            Ok(see_other("/units"))
        }
        Err(e) => Ok(form_error(units_page(&state, &session, &v, &ctx, Some(id), f, field_errors(e)?).await?)),
    }
}

// ---- outlets ----

#[derive(Template, WebTemplate)]
#[template(path = "outlets.html")]
struct OutletsPage {
    l: L,
    layout: Layout,
    outlets: Vec<Outlet>,
}

async fn outlets(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    access::require(access::can_view_network(ctx.role()))?;
    let outlets = ops::outlets(&state.store, &ctx).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "outlets").await?;
    Ok(OutletsPage { l: L::new(v.locale), layout, outlets }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "outlet_form.html")]
struct OutletFormPage {
    l: L,
    layout: Layout,
    errors: Errors,
    id: Option<OutletId>,
    f: OutletForm,
}

impl OutletFormPage {
    fn is(&self, value: &str, code: &str) -> bool {
        value == code
    }
}

async fn outlet_form(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: Option<OutletId>,
    f: OutletForm,
    errors: FieldErrors,
) -> AppResult<OutletFormPage> {
    access::require(access::can_manage_network(ctx.role()))?;
    let layout = Layout::new(state, session, Some(ctx), "outlets").await?;
    Ok(OutletFormPage { l: L::new(v.locale), layout, errors: Errors(errors), id, f })
}

async fn new_outlet(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let f = OutletForm { kind: "newspaper".into(), level: "provincial".into(), ..Default::default() };
    Ok(outlet_form(&state, &session, &v, &ctx, None, f, FieldErrors::default()).await?.into_response())
}

async fn create_outlet(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<OutletForm>,
) -> AppResult<Response> {
    let result = match f.parse() {
        Ok(input) => ops::create_outlet(&state.store, &ctx, input).await.map(|_| ()).map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("媒体已保存")).await;
            Ok(see_other("/outlets"))
        }
        Err(e) => Ok(form_error(outlet_form(&state, &session, &v, &ctx, None, f, field_errors(e)?).await?)),
    }
}

async fn edit_outlet(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<OutletId>,
) -> AppResult<Response> {
    let o = state.store.outlet(ctx.scope(), id).await?;
    let f = OutletForm {
        name: o.name,
        kind: o.kind.code().into(),
        level: o.level.code().into(),
        columns: o.columns.join("、"),
    };
    Ok(outlet_form(&state, &session, &v, &ctx, Some(id), f, FieldErrors::default()).await?.into_response())
}

async fn update_outlet(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<OutletId>,
    Form(f): Form<OutletForm>,
) -> AppResult<Response> {
    let result = match f.parse() {
        Ok(input) => ops::update_outlet(&state.store, &ctx, id, input).await.map(|_| ()).map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("媒体已保存")).await;
            Ok(see_other("/outlets"))
        }
        Err(e) => Ok(form_error(outlet_form(&state, &session, &v, &ctx, Some(id), f, field_errors(e)?).await?)),
    }
}

// ---- accounts ----

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    l: L,
    layout: Layout,
    users: Vec<User>,
}

async fn users(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let users = admin::users(&state.store, &ctx).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "users").await?;
    Ok(UsersPage { l: L::new(v.locale), layout, users }.into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    correspondent_id: String,
    #[serde(default)]
    unit_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "user_form.html")]
struct UserFormPage {
    l: L,
    layout: Layout,
    errors: Errors,
    f: UserForm,
    units: Vec<Unit>,
    people: Vec<Correspondent>,
}

impl UserFormPage {
    fn is(&self, value: &str, code: &str) -> bool {
        value == code
    }
}

async fn user_form(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    f: UserForm,
    errors: FieldErrors,
) -> AppResult<UserFormPage> {
    access::require(access::can_manage_users(ctx.role()))?;
    let station = ctx.station()?;
    let layout = Layout::new(state, session, Some(ctx), "users").await?;
    Ok(UserFormPage {
        l: L::new(v.locale),
        layout,
        errors: Errors(errors),
        f,
        units: state.store.units(station).await?,
        people: state.store.all_correspondents(station).await?,
    })
}

async fn new_user(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let f = UserForm { role: "correspondent".into(), ..Default::default() };
    Ok(user_form(&state, &session, &v, &ctx, f, FieldErrors::default()).await?.into_response())
}

async fn create_user(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<UserForm>,
) -> AppResult<Response> {
    let mut e = FieldErrors::default();
    let role = Role::parse(&f.role);
    if role.is_none() {
        e.push("role", Role::expected());
    }
    let correspondent_id = f.correspondent_id.trim().parse().ok();
    let unit_id = f.unit_id.trim().parse().ok();
    let result = match role {
        Some(role) if e.is_empty() => {
            let account = admin::NewAccount {
                username: f.username.clone(),
                display_name: f.display_name.clone(),
                password: f.password.clone(),
                role,
                correspondent_id,
                unit_id,
            };
            admin::create_account(&state.store, &ctx, account).await.map(|_| ()).map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("账号已创建")).await;
            Ok(see_other("/users"))
        }
        Err(e) => {
            let mut f = f;
            f.password.clear();
            Ok(form_error(user_form(&state, &session, &v, &ctx, f, field_errors(e)?).await?))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "user_password.html")]
struct UserPasswordPage {
    l: L,
    layout: Layout,
    errors: Errors,
    user: User,
}

async fn user_password_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: UserId,
    errors: FieldErrors,
) -> AppResult<UserPasswordPage> {
    let user = admin::managed_user(&state.store, ctx, id).await?;
    let layout = Layout::new(state, session, Some(ctx), "users").await?;
    Ok(UserPasswordPage { l: L::new(v.locale), layout, errors: Errors(errors), user })
}

async fn user_password(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<UserId>,
) -> AppResult<Response> {
    Ok(user_password_page(&state, &session, &v, &ctx, id, FieldErrors::default()).await?.into_response())
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// An administrator sets a new password for an account; its sessions and API tokens end.
async fn reset_password(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<UserId>,
    Form(f): Form<ResetForm>,
) -> AppResult<Response> {
    let this_session = session.id().map(|id| id.to_string());
    match admin::reset_password(&state.store, &ctx, id, &f.new, &f.confirm, this_session.as_deref()).await {
        Ok(_) => {
            flash(&session, L::new(v.locale).t("密码已重设；该账号的全部登录和 API 令牌已失效")).await;
            Ok(see_other("/users"))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(user_password_page(&state, &session, &v, &ctx, id, errors).await?))
        }
    }
}
