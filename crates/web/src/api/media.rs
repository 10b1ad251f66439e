//! The subscription drive (征订: campaigns and their orders, with an orders import), events
//! (活动) with their photos, and media contacts (媒体联系人). Same rules as the pages: both call
//! `app::media`.

use super::extract::{JsonBody, PathParam, QueryParams};
use super::targets::{Count, FileQuery, read_body};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppResult, ErrorBody};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::media::{CampaignForm, EventForm, MediaContactForm, OrderForm};
use domain::{
    CampaignId, EventId, EventKind, ImageId, InterviewMedium, MediaContactId, OrderId, OutletId, SubscriberType,
    UnitId, format_date,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn created<T: Serialize>(value: T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

// ---- the subscription drive ----

#[derive(Serialize, ToSchema)]
pub(super) struct CampaignView {
    id: CampaignId,
    year: i32,
    publication: String,
    /// First and last day of the drive, e.g. 2007-01-01.
    starts_on: String,
    ends_on: String,
    /// Copies ordered so far.
    copies: i64,
}

impl From<store::Campaign> for CampaignView {
    fn from(c: store::Campaign) -> Self {
        CampaignView {
            id: c.id,
            year: c.year,
            publication: c.publication,
            starts_on: format_date(c.starts_on),
            ends_on: format_date(c.ends_on),
            copies: c.copies,
        }
    }
}

#[utoipa::path(get, path = "/subscriptions",
    responses((status = 200, body = Vec<CampaignView>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_campaigns(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<CampaignView>>> {
    let list = app::media::campaigns(&state.store, &ctx).await?;
    Ok(Json(list.into_iter().map(CampaignView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct CampaignRequest {
    year: i32,
    /// The publication subscribed to, e.g. 中国知识产权报.
    publication: String,
    /// First and last day, e.g. 2007-01-01 and 2007-12-31.
    starts_on: String,
    ends_on: String,
}

/// Opens a subscription drive. 422 when the year already has one for the publication.
#[utoipa::path(post, path = "/subscriptions", request_body = CampaignRequest,
    responses((status = 201, body = CampaignView), (status = 422, body = ErrorBody)))]
pub(super) async fn create_campaign(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<CampaignRequest>,
) -> AppResult<Response> {
    let form = CampaignForm {
        year: r.year.to_string(),
        publication: r.publication,
        starts_on: r.starts_on,
        ends_on: r.ends_on,
    };
    Ok(created(CampaignView::from(app::media::create_campaign(&state.store, &ctx, &form).await?)))
}

/// A unit's orders in a campaign, ranked by copies.
#[derive(Serialize, ToSchema)]
pub(super) struct UnitTotal {
    rank: usize,
    unit_id: UnitId,
    unit_name: String,
    orders: i64,
    copies: i64,
    /// The unit's subscription target for the year, if set.
    target: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct OrderView {
    id: OrderId,
    unit_id: UnitId,
    unit_name: String,
    copies: i32,
    subscriber_type: SubscriberType,
    subscriber: String,
    ordered_on: String,
    collected_by: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct CampaignDetailView {
    campaign: CampaignView,
    by_unit: Vec<UnitTotal>,
    orders: Vec<OrderView>,
}

impl From<app::media::CampaignDetail> for CampaignDetailView {
    fn from(d: app::media::CampaignDetail) -> Self {
        let by_unit = d
            .by_unit
            .into_iter()
            .map(|u| UnitTotal {
                rank: u.rank,
                unit_id: u.unit_id,
                unit_name: u.unit_name,
                orders: u.orders,
                copies: u.copies,
                target: u.target,
            })
            .collect();
        let orders = d
            .orders
            .into_iter()
            .map(|o| OrderView {
                id: o.id,
                unit_id: o.unit_id,
                unit_name: o.unit_name,
                copies: o.copies,
                subscriber_type: o.subscriber_type,
                subscriber: o.subscriber,
                ordered_on: format_date(o.ordered_on),
                collected_by: o.collected_by,
            })
            .collect();
        CampaignDetailView { campaign: d.campaign.into(), by_unit, orders }
    }
}

/// A campaign with each unit's totals and every order.
#[utoipa::path(get, path = "/subscriptions/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignDetailView), (status = 403, body = ErrorBody)))]
pub(super) async fn get_campaign(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<CampaignId>,
) -> AppResult<Json<CampaignDetailView>> {
    Ok(Json(app::media::campaign(&state.store, &ctx, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct OrderRequest {
    unit_id: i64,
    copies: i64,
    subscriber_type: SubscriberType,
    /// Who subscribes (a person or an office).
    #[serde(default)]
    subscriber: String,
    /// Within the campaign, e.g. 2007-03-01.
    ordered_on: String,
    #[serde(default)]
    collected_by: String,
}

/// Adds an order; answers the campaign as it now stands.
#[utoipa::path(post, path = "/subscriptions/{id}/orders", params(("id" = i64, Path)), request_body = OrderRequest,
    responses((status = 201, body = CampaignDetailView), (status = 422, body = ErrorBody)))]
pub(super) async fn add_order(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<CampaignId>,
    JsonBody(r): JsonBody<OrderRequest>,
) -> AppResult<Response> {
    let form = OrderForm {
        unit_id: r.unit_id.to_string(),
        copies: r.copies.to_string(),
        subscriber_type: r.subscriber_type.code().to_string(),
        subscriber: r.subscriber,
        ordered_on: r.ordered_on,
        collected_by: r.collected_by,
    };
    app::media::add_order(&state.store, &ctx, id, &form).await?;
    Ok(created(CampaignDetailView::from(app::media::campaign(&state.store, &ctx, id).await?)))
}

#[utoipa::path(delete, path = "/subscriptions/{id}/orders/{order}", params(("id" = i64, Path), ("order" = i64, Path)),
    responses((status = 204)))]
pub(super) async fn delete_order(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam((id, order)): PathParam<(CampaignId, OrderId)>,
) -> AppResult<StatusCode> {
    app::media::delete_order(&state.store, &ctx, id, order).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports orders from a spreadsheet sent as the request body. All or nothing: 422 lists every
/// bad row.
#[utoipa::path(post, path = "/subscriptions/{id}/orders/import", params(("id" = i64, Path), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Count), (status = 422, body = ErrorBody)))]
pub(super) async fn import_orders(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<CampaignId>,
    QueryParams(q): QueryParams<FileQuery>,
    body: axum::body::Body,
) -> AppResult<Json<Count>> {
    let data = read_body(body).await?;
    let count = app::media::import_orders(&state.store, &ctx, id, &q.file_name, data).await?;
    Ok(Json(Count { count }))
}

// ---- events ----

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct EventQuery {
    /// The year, 2000 to 2100 (default: the year of the latest placement).
    year: Option<i32>,
    /// Only events of this kind.
    kind: Option<EventKind>,
}

/// A unit or an outlet present at an event.
#[derive(Serialize, ToSchema)]
pub(super) struct Named {
    id: i64,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct EventView {
    id: EventId,
    kind: EventKind,
    title: String,
    /// e.g. 2007-05-12.
    held_on: String,
    place: String,
    people: String,
    outcome: String,
    medium: Option<InterviewMedium>,
    units: Vec<Named>,
    outlets: Vec<Named>,
    /// The photos' image ids.
    images: Vec<ImageId>,
}

impl From<store::EventRecord> for EventView {
    fn from(e: store::EventRecord) -> Self {
        EventView {
            id: e.id,
            kind: e.kind,
            title: e.title,
            held_on: format_date(e.held_on),
            place: e.place,
            people: e.people,
            outcome: e.outcome,
            medium: e.medium,
            units: e.units.into_iter().map(|(id, name)| Named { id: id.0, name }).collect(),
            outlets: e.outlets.into_iter().map(|(id, name)| Named { id: id.0, name }).collect(),
            images: e.images,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(super) struct EventList {
    year: i32,
    events: Vec<EventView>,
}

#[utoipa::path(get, path = "/events", params(EventQuery),
    responses((status = 200, body = EventList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_events(
    State(state): State<AppState>,
    ctx: Ctx,
    QueryParams(q): QueryParams<EventQuery>,
) -> AppResult<Json<EventList>> {
    let (year, all) = app::media::events(&state.store, &ctx, q.year).await?;
    let events = all.into_iter().filter(|e| q.kind.is_none_or(|k| e.kind == k)).map(EventView::from).collect();
    Ok(Json(EventList { year, events }))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct EventRequest {
    kind: EventKind,
    title: String,
    /// e.g. 2007-05-12.
    held_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    outcome: String,
    /// For an interview: how it was held.
    medium: Option<InterviewMedium>,
    #[serde(default)]
    unit_ids: Vec<i64>,
    #[serde(default)]
    outlet_ids: Vec<i64>,
}

impl From<EventRequest> for EventForm {
    fn from(r: EventRequest) -> Self {
        EventForm {
            kind: r.kind.code().to_string(),
            title: r.title,
            held_on: r.held_on,
            place: r.place,
            people: r.people,
            outcome: r.outcome,
            medium: r.medium.map(|m| m.code().to_string()).unwrap_or_default(),
            unit_ids: r.unit_ids.iter().map(i64::to_string).collect(),
            outlet_ids: r.outlet_ids.iter().map(i64::to_string).collect(),
        }
    }
}

#[utoipa::path(post, path = "/events", request_body = EventRequest,
    responses((status = 201, body = EventView), (status = 422, body = ErrorBody)))]
pub(super) async fn create_event(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<EventRequest>,
) -> AppResult<Response> {
    let id = app::media::save_event(&state.store, &ctx, None, &r.into()).await?;
    Ok(created(EventView::from(app::media::event(&state.store, &ctx, id).await?)))
}

#[utoipa::path(get, path = "/events/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = EventView), (status = 403, body = ErrorBody)))]
pub(super) async fn get_event(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<EventId>,
) -> AppResult<Json<EventView>> {
    Ok(Json(app::media::event(&state.store, &ctx, id).await?.into()))
}

#[utoipa::path(put, path = "/events/{id}", params(("id" = i64, Path)), request_body = EventRequest,
    responses((status = 200, body = EventView), (status = 422, body = ErrorBody)))]
pub(super) async fn update_event(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<EventId>,
    JsonBody(r): JsonBody<EventRequest>,
) -> AppResult<Json<EventView>> {
    let id = app::media::save_event(&state.store, &ctx, Some(id), &r.into()).await?;
    Ok(Json(app::media::event(&state.store, &ctx, id).await?.into()))
}

#[utoipa::path(delete, path = "/events/{id}", params(("id" = i64, Path)), responses((status = 204)))]
pub(super) async fn delete_event(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<EventId>,
) -> AppResult<StatusCode> {
    app::media::delete_event(&state.store, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PhotoQuery {
    /// What the photo shows, for screen readers (default: the event's title).
    alt: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct PhotoView {
    id: ImageId,
    alt: String,
    mime: String,
    width: i32,
    height: i32,
}

/// Adds a photo (JPEG, PNG or WebP sent as the request body): checked by content, resized and
/// re-encoded without EXIF. 422 when it is not a picture.
#[utoipa::path(post, path = "/events/{id}/photos", params(("id" = i64, Path), PhotoQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = PhotoView), (status = 422, body = ErrorBody)))]
pub(super) async fn add_photo(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<EventId>,
    QueryParams(q): QueryParams<PhotoQuery>,
    body: axum::body::Body,
) -> AppResult<Response> {
    let data = read_body(body).await?;
    let alt = q.alt.unwrap_or_default();
    let img = app::media::add_event_photo(&state.store, &ctx, id, data, &alt).await?;
    Ok(created(PhotoView { id: img.id, alt: img.alt, mime: img.mime, width: img.width, height: img.height }))
}

// ---- media contacts ----

#[derive(Serialize, ToSchema)]
pub(super) struct MediaContactView {
    id: MediaContactId,
    name: String,
    outlet_id: Option<OutletId>,
    /// The outlet's name (the linked outlet's, or as typed).
    outlet_name: String,
    beat: String,
    contact: String,
    /// e.g. 2007-04-01.
    last_contact_on: Option<String>,
    note: String,
}

impl From<store::MediaContact> for MediaContactView {
    fn from(c: store::MediaContact) -> Self {
        MediaContactView {
            id: c.id,
            name: c.name,
            outlet_id: c.outlet_id,
            outlet_name: c.outlet_name,
            beat: c.beat,
            contact: c.contact,
            last_contact_on: c.last_contact_on.map(format_date),
            note: c.note,
        }
    }
}

#[utoipa::path(get, path = "/media-contacts",
    responses((status = 200, body = Vec<MediaContactView>), (status = 403, body = ErrorBody)))]
pub(super) async fn list_contacts(State(state): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<MediaContactView>>> {
    let list = app::media::media_contacts(&state.store, &ctx).await?;
    Ok(Json(list.into_iter().map(MediaContactView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct MediaContactRequest {
    name: String,
    /// One of the station's outlets, or none with `outlet_name` typed.
    outlet_id: Option<i64>,
    #[serde(default)]
    outlet_name: String,
    #[serde(default)]
    beat: String,
    #[serde(default)]
    contact: String,
    /// e.g. 2007-04-01.
    last_contact_on: Option<String>,
    #[serde(default)]
    note: String,
}

impl From<MediaContactRequest> for MediaContactForm {
    fn from(r: MediaContactRequest) -> Self {
        MediaContactForm {
            name: r.name,
            outlet_id: r.outlet_id.map(|o| o.to_string()).unwrap_or_default(),
            outlet_name: r.outlet_name,
            beat: r.beat,
            contact: r.contact,
            last_contact_on: r.last_contact_on.unwrap_or_default(),
            note: r.note,
        }
    }
}

#[utoipa::path(post, path = "/media-contacts", request_body = MediaContactRequest,
    responses((status = 201, body = MediaContactView), (status = 422, body = ErrorBody)))]
pub(super) async fn create_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(r): JsonBody<MediaContactRequest>,
) -> AppResult<Response> {
    let c = app::media::save_media_contact(&state.store, &ctx, None, &r.into()).await?;
    Ok(created(MediaContactView::from(c)))
}

/// One contact; only those who may change contacts open one (as on the page).
#[utoipa::path(get, path = "/media-contacts/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = MediaContactView), (status = 403, body = ErrorBody)))]
pub(super) async fn get_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<MediaContactId>,
) -> AppResult<Json<MediaContactView>> {
    Ok(Json(app::media::media_contact(&state.store, &ctx, id).await?.into()))
}

#[utoipa::path(put, path = "/media-contacts/{id}", params(("id" = i64, Path)), request_body = MediaContactRequest,
    responses((status = 200, body = MediaContactView), (status = 422, body = ErrorBody)))]
pub(super) async fn update_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<MediaContactId>,
    JsonBody(r): JsonBody<MediaContactRequest>,
) -> AppResult<Json<MediaContactView>> {
    Ok(Json(app::media::save_media_contact(&state.store, &ctx, Some(id), &r.into()).await?.into()))
}

#[utoipa::path(delete, path = "/media-contacts/{id}", params(("id" = i64, Path)), responses((status = 204)))]
pub(super) async fn delete_contact(
    State(state): State<AppState>,
    ctx: Ctx,
    PathParam(id): PathParam<MediaContactId>,
) -> AppResult<StatusCode> {
    app::media::delete_media_contact(&state.store, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
