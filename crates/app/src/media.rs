//! The subscription drive (征订) and media work (活动, 媒体联系人): campaigns with each unit's
//! orders (typed one at a time or imported, all or none), events with the units and outlets
//! present and their photos, and the media contacts. The pages and the API both call these.

use crate::access::{self, require};
use crate::{Actor, Error, Result};
use domain::media::{CampaignForm, EventForm, MediaContactForm, OrderForm};
use domain::{
    CampaignId, EventId, EventKind, FieldError, FieldErrors, MediaContactId, OrderId, Role, StationId, UserId,
};
use store::{Campaign, EventFilter, EventRecord, MediaContact, Order, Store, UnitSubscriptions};

fn can_view(role: Role) -> bool {
    access::can_view_network(role)
}

fn require_manage(actor: &Actor) -> Result<()> {
    require(access::can_manage_network(actor.role()))
}

/// The station's units and outlets, which the forms offer.
pub async fn choices(store: &Store, actor: &Actor) -> Result<(Vec<store::Unit>, Vec<store::Outlet>)> {
    require(can_view(actor.role()))?;
    let station = actor.station()?;
    Ok((store.units(station).await?, store.outlets(station).await?))
}

// ---- the subscription drive ----

pub async fn campaigns(store: &Store, actor: &Actor) -> Result<Vec<Campaign>> {
    require(can_view(actor.role()))?;
    Ok(store.campaigns(actor.station()?).await?)
}

/// The form of a new campaign: the default year, the whole of it, the usual publication.
pub async fn new_campaign_form(store: &Store, actor: &Actor) -> Result<CampaignForm> {
    let year = crate::targets::default_year(store, actor.station()?).await?;
    Ok(CampaignForm {
        year: year.to_string(),
        publication: "中国知识产权报".into(),
        starts_on: format!("{year}-01-01"),
        ends_on: format!("{year}-12-31"),
    })
}

pub async fn create_campaign(store: &Store, actor: &Actor, form: &CampaignForm) -> Result<Campaign> {
    require_manage(actor)?;
    let station = actor.station()?;
    let input = form.parse()?;
    Ok(store.create_campaign(station, actor.user.id, input).await?)
}

/// A campaign with each unit's totals (ranked) and its orders.
pub struct CampaignDetail {
    pub campaign: Campaign,
    pub by_unit: Vec<UnitSubscriptions>,
    pub orders: Vec<Order>,
}

pub async fn campaign(store: &Store, actor: &Actor, id: CampaignId) -> Result<CampaignDetail> {
    require(can_view(actor.role()))?;
    let station = actor.station()?;
    let campaign = store.campaign(station, id).await?;
    let by_unit = store.campaign_by_unit(station, id).await?;
    let orders = store.orders(station, id).await?;
    Ok(CampaignDetail { campaign, by_unit, orders })
}

/// Adds one order to a campaign (dated within it).
pub async fn add_order(store: &Store, actor: &Actor, id: CampaignId, form: &OrderForm) -> Result<usize> {
    require_manage(actor)?;
    let station = actor.station()?;
    let c = store.campaign(station, id).await?;
    let input = form.parse(c.starts_on, c.ends_on)?;
    Ok(store.add_orders(station, actor.user.id, id, vec![input]).await?)
}

/// Orders from a spreadsheet: every row checked, every mistake reported by row and column,
/// nothing written unless all are right. Answers how many were added.
pub async fn import_orders(
    store: &Store,
    actor: &Actor,
    id: CampaignId,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<usize> {
    require_manage(actor)?;
    if bytes.len() > crate::ops::MAX_IMPORT_BYTES {
        return Err(Error::TooLarge(format!("文件太大：最大{}MB", crate::ops::MAX_IMPORT_BYTES / 1024 / 1024)));
    }
    let station = actor.station()?;
    let c = store.campaign(station, id).await?;
    let table = crate::parse::table(&domain::text::safe_file_name(file_name), bytes).await?;
    let units: Vec<(domain::UnitId, String)> =
        store.units(station).await?.into_iter().map(|u| (u.id, u.name)).collect();
    // Checking every row is CPU work: off the async workers, like the reading.
    let checked =
        crate::parse::blocking(move || domain::media::read_orders(&table, &units, c.starts_on, c.ends_on)).await?;
    let orders = checked.map_err(Error::rows)?;
    Ok(store.add_orders(station, actor.user.id, id, orders).await?)
}

/// Deletes an order of a campaign (404 unless both are the station's).
pub async fn delete_order(store: &Store, actor: &Actor, id: CampaignId, order: OrderId) -> Result<()> {
    require_manage(actor)?;
    let station = actor.station()?;
    if !store.orders(station, id).await?.iter().any(|o| o.id == order) {
        return Err(Error::NotFound);
    }
    Ok(store.delete_order(station, actor.user.id, order).await?)
}

// ---- events ----

/// The events of a year (default: the default year), of every kind.
pub async fn events(store: &Store, actor: &Actor, year: Option<i32>) -> Result<(i32, Vec<EventRecord>)> {
    require(can_view(actor.role()))?;
    let station = actor.station()?;
    let year = match year {
        Some(y) if crate::targets::YEARS.contains(&y) => y,
        Some(_) => return Err(crate::targets::invalid("year", "年份应在2000至2100之间")),
        None => crate::targets::default_year(store, station).await?,
    };
    let all = store.events(station, &EventFilter { year: Some(year), ..Default::default() }).await?;
    Ok((year, all))
}

/// The station's code, which the URLs of its pictures name.
pub async fn station_code(store: &Store, actor: &Actor) -> Result<String> {
    Ok(store.station(actor.station()?).await?.code)
}

/// How many events of each kind a list holds.
pub fn count_by_kind(events: &[EventRecord]) -> Vec<(EventKind, usize)> {
    EventKind::ALL.iter().map(|k| (*k, events.iter().filter(|e| e.kind == *k).count())).collect()
}

pub async fn event(store: &Store, actor: &Actor, id: EventId) -> Result<EventRecord> {
    require(can_view(actor.role()))?;
    Ok(store.event(actor.station()?, id).await?)
}

/// The form showing an event as stored.
pub fn event_form(e: &EventRecord) -> EventForm {
    EventForm {
        kind: e.kind.code().into(),
        title: e.title.clone(),
        held_on: domain::format_date(e.held_on),
        place: e.place.clone(),
        people: e.people.clone(),
        outcome: e.outcome.clone(),
        medium: e.medium.map(|m| m.code().to_string()).unwrap_or_default(),
        unit_ids: e.units.iter().map(|u| u.0.to_string()).collect(),
        outlet_ids: e.outlets.iter().map(|o| o.0.to_string()).collect(),
    }
}

/// Creates an event (`id` none) or updates one; answers its id.
pub async fn save_event(store: &Store, actor: &Actor, id: Option<EventId>, form: &EventForm) -> Result<EventId> {
    require_manage(actor)?;
    let station = actor.station()?;
    let input = form.parse()?;
    Ok(store.save_event(station, actor.user.id, id, input).await?)
}

pub async fn delete_event(store: &Store, actor: &Actor, id: EventId) -> Result<()> {
    require_manage(actor)?;
    Ok(store.delete_event(actor.station()?, actor.user.id, id).await?)
}

/// A photo of an event: processed like every portal picture (checked by content, resized,
/// re-encoded without EXIF), then attached. The alt text defaults to the event's title.
pub async fn add_event_photo(
    store: &Store,
    actor: &Actor,
    id: EventId,
    data: Vec<u8>,
    alt: &str,
) -> Result<store::ImageMeta> {
    require_manage(actor)?;
    let station = actor.station()?;
    let event = store.event(station, id).await?;
    let alt = if alt.trim().is_empty() { event.title.clone() } else { alt.trim().to_string() };
    let img = store_image(store, station, actor.user.id, data, alt, event.title.clone()).await?;
    store.add_event_image(station, id, img.id).await?;
    Ok(img)
}

/// Processes a picture (off the async workers) and stores it. The caller has checked the role.
pub async fn store_image(
    store: &Store,
    station: StationId,
    by: UserId,
    data: Vec<u8>,
    alt: String,
    caption: String,
) -> Result<store::ImageMeta> {
    if data.len() > office::MAX_IMAGE_BYTES {
        return Err(Error::TooLarge(format!("图片太大：最大{}MB", office::MAX_IMAGE_BYTES / 1024 / 1024)));
    }
    // Decoding and resizing is CPU work: off the async threads.
    let processed = crate::parse::blocking(move || office::process_image(&data))
        .await?
        .map_err(|e| Error::Invalid(FieldErrors(vec![FieldError::new("file", e.to_string())])))?;
    let img = store::NewImage {
        alt,
        caption,
        mime: processed.mime.to_string(),
        width: processed.display_width,
        height: processed.display_height,
        display: processed.display,
        thumb_width: processed.thumb_width,
        thumb_height: processed.thumb_height,
        thumb: processed.thumb,
    };
    Ok(store.create_image(station, img, by).await?)
}

// ---- media contacts ----

pub async fn media_contacts(store: &Store, actor: &Actor) -> Result<Vec<MediaContact>> {
    require(can_view(actor.role()))?;
    Ok(store.media_contacts(actor.station()?).await?)
}

/// One contact, for editing: only those who may change it open it.
pub async fn media_contact(store: &Store, actor: &Actor, id: MediaContactId) -> Result<MediaContact> {
    require_manage(actor)?;
    let all = store.media_contacts(actor.station()?).await?;
    all.into_iter().find(|c| c.id == id).ok_or(Error::NotFound)
}

/// The form showing a contact as stored.
pub fn media_contact_form(c: &MediaContact) -> MediaContactForm {
    MediaContactForm {
        name: c.name.clone(),
        outlet_id: c.outlet_id.map(|o| o.to_string()).unwrap_or_default(),
        outlet_name: if c.outlet_id.is_some() { String::new() } else { c.outlet_name.clone() },
        beat: c.beat.clone(),
        contact: c.contact.clone(),
        last_contact_on: c.last_contact_on.map(domain::format_date).unwrap_or_default(),
        note: c.note.clone(),
    }
}

/// Creates a contact (`id` none) or updates one; answers it as stored.
pub async fn save_media_contact(
    store: &Store,
    actor: &Actor,
    id: Option<MediaContactId>,
    form: &MediaContactForm,
) -> Result<MediaContact> {
    require_manage(actor)?;
    let station = actor.station()?;
    let input = form.parse()?;
    let saved = store.save_media_contact(station, actor.user.id, id, input).await?;
    let all = store.media_contacts(station).await?;
    all.into_iter().find(|c| c.id == saved).ok_or(Error::NotFound)
}

pub async fn delete_media_contact(store: &Store, actor: &Actor, id: MediaContactId) -> Result<()> {
    require_manage(actor)?;
    Ok(store.delete_media_contact(actor.station()?, actor.user.id, id).await?)
}
