//! The subscription drive (征订) and media work (活动, 媒体联系人): campaigns with each unit's
//! orders, totals and ranking (orders typed one at a time or imported from Excel, all or none);
//! events with the units and outlets present and their photos; and the media contacts.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::access;
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::media::{CampaignForm, EventForm, MediaContactForm, OrderForm};
use domain::{CampaignId, EventId, EventKind, FieldErrors, MediaContactId, OrderId};
use serde::Deserialize;
use store::{Campaign, EventRecord, MediaContact, Order, UnitSubscriptions};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/subscriptions", get(campaigns).post(create_campaign))
        .route("/subscriptions/{id}", get(campaign).post(add_order))
        .route("/subscriptions/{id}/import", post(import_orders).layer(crate::boundary::upload_limit()))
        .route("/subscriptions/{id}/orders/{order}/delete", post(delete_order))
        .route("/events", get(events).post(create_event))
        .route("/events/{id}", get(event).post(update_event))
        .route("/events/{id}/delete", post(delete_event))
        .route("/events/{id}/photos", post(add_photo).layer(crate::boundary::upload_limit()))
        .route("/media-contacts", get(contacts).post(create_contact))
        .route("/media-contacts/{id}", get(edit_contact).post(update_contact))
        .route("/media-contacts/{id}/delete", post(delete_contact))
}

// ---- the subscription drive ----

#[derive(Template, WebTemplate)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    l: L,
    layout: Layout,
    campaigns: Vec<Campaign>,
    can_manage: bool,
    f: CampaignForm,
    errors: Errors,
}

async fn campaigns_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    f: CampaignForm,
    errors: FieldErrors,
) -> AppResult<CampaignsPage> {
    let campaigns = app::media::campaigns(&state.store, ctx).await?;
    Ok(CampaignsPage {
        l: L::new(v.locale),
        layout: Layout::new(state, session, Some(ctx), "targets").await?,
        campaigns,
        can_manage: access::can_manage_network(ctx.role()),
        f,
        errors: Errors(errors),
    })
}

async fn campaigns(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let f = app::media::new_campaign_form(&state.store, &ctx).await?;
    Ok(campaigns_page(&state, &session, &v, &ctx, f, FieldErrors::default()).await?.into_response())
}

async fn create_campaign(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<CampaignForm>,
) -> AppResult<Response> {
    match app::media::create_campaign(&state.store, &ctx, &f).await.map_err(AppError::from) {
        Ok(c) => {
            flash(&session, L::new(v.locale).t("征订已创建")).await;
            Ok(see_other(&format!("/subscriptions/{}", c.id)))
        }
        Err(e) => Ok(form_error(campaigns_page(&state, &session, &v, &ctx, f, field_errors(e)?).await?)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign.html")]
struct CampaignPage {
    l: L,
    layout: Layout,
    c: Campaign,
    by_unit: Vec<UnitSubscriptions>,
    orders: Vec<Order>,
    units: Vec<store::Unit>,
    can_manage: bool,
    f: OrderForm,
    errors: Errors,
    chart: String,
}

impl CampaignPage {
    fn percent(&self, u: &UnitSubscriptions) -> String {
        u.percent().map(|p| format!("{p}%")).unwrap_or_default()
    }
    fn target_total(&self) -> i64 {
        self.by_unit.iter().filter_map(|u| u.target).sum()
    }
}

async fn campaign_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: CampaignId,
    f: OrderForm,
    errors: FieldErrors,
) -> AppResult<CampaignPage> {
    let app::media::CampaignDetail { campaign: c, by_unit, orders } =
        app::media::campaign(&state.store, ctx, id).await?;
    let (units, _) = app::media::choices(&state.store, ctx).await?;
    let shown: Vec<&UnitSubscriptions> = by_unit.iter().filter(|u| u.copies > 0).collect();
    let chart = office::bar_chart_svg(
        &format!("{}{}", c.publication, L::new(v.locale).t("各单位征订份数")),
        &shown.iter().map(|u| u.unit_name.clone()).collect::<Vec<_>>(),
        &shown.iter().map(|u| u.copies as f64).collect::<Vec<_>>(),
        L::new(v.locale).t("份"),
    );
    Ok(CampaignPage {
        l: L::new(v.locale),
        layout: Layout::new(state, session, Some(ctx), "targets").await?,
        orders,
        units,
        can_manage: access::can_manage_network(ctx.role()),
        c,
        by_unit,
        f,
        errors: Errors(errors),
        chart,
    })
}

async fn campaign(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<CampaignId>,
) -> AppResult<Response> {
    let f = OrderForm { subscriber_type: "agency".into(), ..Default::default() };
    Ok(campaign_page(&state, &session, &v, &ctx, id, f, FieldErrors::default()).await?.into_response())
}

async fn add_order(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<CampaignId>,
    Form(f): Form<OrderForm>,
) -> AppResult<Response> {
    match app::media::add_order(&state.store, &ctx, id, &f).await.map_err(AppError::from) {
        Ok(_) => {
            flash(&session, L::new(v.locale).t("订单已保存")).await;
            Ok(see_other(&format!("/subscriptions/{id}")))
        }
        Err(e) => Ok(form_error(campaign_page(&state, &session, &v, &ctx, id, f, field_errors(e)?).await?)),
    }
}

/// Orders from a spreadsheet: every row checked, every mistake reported by row and column,
/// nothing written unless all are right.
async fn import_orders(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<CampaignId>,
    multipart: Multipart,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let (name, data, _) = super::manuscripts::read_upload(multipart, crate::ops::MAX_IMPORT_BYTES).await?;
    let n = app::media::import_orders(&state.store, &ctx, id, &name, data).await?;
    flash(&session, format!("{} {n}", L::new(v.locale).t("已导入订单"))).await;
    Ok(see_other(&format!("/subscriptions/{id}")))
}

async fn delete_order(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path((id, order)): Path<(CampaignId, OrderId)>,
) -> AppResult<Response> {
    app::media::delete_order(&state.store, &ctx, id, order).await?;
    flash(&session, L::new(v.locale).t("订单已删除")).await;
    Ok(see_other(&format!("/subscriptions/{id}")))
}

// ---- events ----

#[derive(Deserialize, Default)]
struct EventQuery {
    year: Option<String>,
    kind: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "events.html")]
struct EventsPage {
    l: L,
    layout: Layout,
    year: i32,
    kind: String,
    events: Vec<EventRecord>,
    counts: Vec<(EventKind, usize)>,
    units: Vec<store::Unit>,
    outlets: Vec<store::Outlet>,
    can_manage: bool,
    /// The event being edited, if any.
    id: Option<EventId>,
    f: EventForm,
    errors: Errors,
    station_code: String,
}

impl EventsPage {
    fn unit_checked(&self, id: &domain::UnitId) -> bool {
        self.f.unit_ids.iter().any(|u| u.trim() == id.to_string())
    }
    fn outlet_checked(&self, id: &domain::OutletId) -> bool {
        self.f.outlet_ids.iter().any(|o| o.trim() == id.to_string())
    }
    fn names(&self, list: &[(domain::UnitId, String)]) -> String {
        list.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、")
    }
    fn outlet_names(&self, list: &[(domain::OutletId, String)]) -> String {
        list.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、")
    }
}

async fn events_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    q: &EventQuery,
    id: Option<EventId>,
    f: EventForm,
    errors: FieldErrors,
) -> AppResult<EventsPage> {
    let year = q.year.as_deref().and_then(|y| app::targets::parse_year(Some(y)));
    let (year, all) = app::media::events(&state.store, ctx, year).await?;
    let kind = q.kind.as_deref().and_then(EventKind::parse);
    let counts = app::media::count_by_kind(&all);
    let (units, outlets) = app::media::choices(&state.store, ctx).await?;
    let events = all.into_iter().filter(|e| kind.is_none_or(|k| e.kind == k)).collect();
    Ok(EventsPage {
        l: L::new(v.locale),
        layout: Layout::new(state, session, Some(ctx), "events").await?,
        year,
        kind: kind.map(|k| k.code().to_string()).unwrap_or_default(),
        events,
        counts,
        units,
        outlets,
        can_manage: access::can_manage_network(ctx.role()),
        id,
        f,
        errors: Errors(errors),
        station_code: app::media::station_code(&state.store, ctx).await?,
    })
}

async fn events(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<EventQuery>,
) -> AppResult<Response> {
    let f = EventForm { kind: "lecture".into(), ..Default::default() };
    Ok(events_page(&state, &session, &v, &ctx, &q, None, f, FieldErrors::default()).await?.into_response())
}

/// Reads an event form. Units and outlets arrive as repeated fields (checkboxes), which
/// `Form` cannot gather, so the body is read pair by pair.
fn event_form(body: &[u8]) -> EventForm {
    let mut f = EventForm::default();
    for (k, v) in url::form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "kind" => f.kind = v,
            "title" => f.title = v,
            "held_on" => f.held_on = v,
            "place" => f.place = v,
            "people" => f.people = v,
            "outcome" => f.outcome = v,
            "medium" => f.medium = v,
            "unit_ids" => f.unit_ids.push(v),
            "outlet_ids" => f.outlet_ids.push(v),
            _ => {}
        }
    }
    f
}

async fn save_event(
    state: AppState,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    id: Option<EventId>,
    body: Bytes,
) -> AppResult<Response> {
    let f = event_form(&body);
    match app::media::save_event(&state.store, &ctx, id, &f).await.map_err(AppError::from) {
        Ok(saved) => {
            flash(&session, L::new(v.locale).t("活动已保存")).await;
            Ok(see_other(&format!("/events/{saved}")))
        }
        Err(e) => {
            let q = EventQuery { year: f.held_on.get(..4).map(str::to_string), kind: None };
            let errors = field_errors(e)?;
            Ok(form_error(events_page(&state, &session, &v, &ctx, &q, id, f, errors).await?))
        }
    }
}

async fn create_event(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    body: Bytes,
) -> AppResult<Response> {
    save_event(state, session, v, ctx, None, body).await
}

async fn update_event(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<EventId>,
    body: Bytes,
) -> AppResult<Response> {
    save_event(state, session, v, ctx, Some(id), body).await
}

/// One event: the list of its year with the event open in the form.
async fn event(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<EventId>,
) -> AppResult<Response> {
    let e = app::media::event(&state.store, &ctx, id).await?;
    let f = app::media::event_form(&e);
    let q = EventQuery { year: Some(e.held_on.year().to_string()), kind: None };
    Ok(events_page(&state, &session, &v, &ctx, &q, Some(id), f, FieldErrors::default()).await?.into_response())
}

async fn delete_event(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<EventId>,
) -> AppResult<Response> {
    app::media::delete_event(&state.store, &ctx, id).await?;
    flash(&session, L::new(v.locale).t("活动已删除")).await;
    Ok(see_other("/events"))
}

/// A photo of an event: processed like every portal picture (checked by content, resized,
/// re-encoded without EXIF), then attached.
async fn add_photo(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<EventId>,
    multipart: Multipart,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    app::media::event(&state.store, &ctx, id).await?;
    let (_, data, fields) = super::manuscripts::read_upload(multipart, office::MAX_IMAGE_BYTES).await?;
    let alt = fields.iter().find(|(n, _)| n == "alt").map(|(_, v)| v.as_str()).unwrap_or_default();
    app::media::add_event_photo(&state.store, &ctx, id, data, alt).await?;
    flash(&session, L::new(v.locale).t("图片已上传")).await;
    Ok(see_other(&format!("/events/{id}")))
}

// ---- media contacts ----

#[derive(Template, WebTemplate)]
#[template(path = "media_contacts.html")]
struct ContactsPage {
    l: L,
    layout: Layout,
    contacts: Vec<MediaContact>,
    outlets: Vec<store::Outlet>,
    can_manage: bool,
    id: Option<MediaContactId>,
    f: MediaContactForm,
    errors: Errors,
}

async fn contacts_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: Option<MediaContactId>,
    f: MediaContactForm,
    errors: FieldErrors,
) -> AppResult<ContactsPage> {
    let contacts = app::media::media_contacts(&state.store, ctx).await?;
    let (_, outlets) = app::media::choices(&state.store, ctx).await?;
    Ok(ContactsPage {
        l: L::new(v.locale),
        layout: Layout::new(state, session, Some(ctx), "events").await?,
        contacts,
        outlets,
        can_manage: access::can_manage_network(ctx.role()),
        id,
        f,
        errors: Errors(errors),
    })
}

async fn contacts(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    Ok(contacts_page(&state, &session, &v, &ctx, None, MediaContactForm::default(), FieldErrors::default())
        .await?
        .into_response())
}

async fn edit_contact(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<MediaContactId>,
) -> AppResult<Response> {
    let c = app::media::media_contact(&state.store, &ctx, id).await?;
    let f = app::media::media_contact_form(&c);
    Ok(contacts_page(&state, &session, &v, &ctx, Some(id), f, FieldErrors::default()).await?.into_response())
}

async fn save_contact(
    state: AppState,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    id: Option<MediaContactId>,
    f: MediaContactForm,
) -> AppResult<Response> {
    match app::media::save_media_contact(&state.store, &ctx, id, &f).await.map_err(AppError::from) {
        Ok(_) => {
            flash(&session, L::new(v.locale).t("联系人已保存")).await;
            Ok(see_other("/media-contacts"))
        }
        Err(e) => Ok(form_error(contacts_page(&state, &session, &v, &ctx, id, f, field_errors(e)?).await?)),
    }
}

async fn create_contact(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<MediaContactForm>,
) -> AppResult<Response> {
    save_contact(state, session, v, ctx, None, f).await
}

async fn update_contact(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<MediaContactId>,
    Form(f): Form<MediaContactForm>,
) -> AppResult<Response> {
    save_contact(state, session, v, ctx, Some(id), f).await
}

async fn delete_contact(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<MediaContactId>,
) -> AppResult<Response> {
    app::media::delete_media_contact(&state.store, &ctx, id).await?;
    flash(&session, L::new(v.locale).t("联系人已删除")).await;
    Ok(see_other("/media-contacts"))
}
