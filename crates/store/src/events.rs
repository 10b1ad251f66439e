//! Media work and network events (活动): briefings, forums, lectures, interviews, liaison
//! meetings and trainings, with the units and outlets present and their photos (portal
//! images, so they are resized and stripped of EXIF like every other picture); and the
//! station's media contacts (媒体联系人).

use crate::auth::audit_in;
use crate::entities::{event, event_image, event_outlet, event_unit, media_contact, outlet};
use crate::scoped::in_scope;
use crate::{Result, Scope, Store, StoreError, now};
use domain::media::{EventInput, MediaContactInput};
use domain::*;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use std::collections::HashMap;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRecord {
    pub id: EventId,
    pub kind: EventKind,
    pub title: String,
    pub held_on: Date,
    pub place: String,
    pub people: String,
    pub outcome: String,
    pub medium: Option<InterviewMedium>,
    pub units: Vec<(UnitId, String)>,
    pub outlets: Vec<(OutletId, String)>,
    pub images: Vec<ImageId>,
}

impl EventRecord {
    pub fn input(&self) -> EventInput {
        EventInput {
            kind: self.kind,
            title: self.title.clone(),
            held_on: self.held_on,
            place: self.place.clone(),
            people: self.people.clone(),
            outcome: self.outcome.clone(),
            medium: self.medium,
            unit_ids: self.units.iter().map(|u| u.0).collect(),
            outlet_ids: self.outlets.iter().map(|o| o.0).collect(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub year: Option<i32>,
    pub kind: Option<EventKind>,
    pub unit_id: Option<UnitId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaContact {
    pub id: MediaContactId,
    pub name: String,
    pub outlet_id: Option<OutletId>,
    /// The outlet's name: the station's outlet when linked, else as written.
    pub outlet_name: String,
    pub beat: String,
    pub contact: String,
    pub last_contact_on: Option<Date>,
    pub note: String,
}

impl Store {
    /// The station's events, newest first.
    pub async fn events(&self, station: StationId, f: &EventFilter) -> Result<Vec<EventRecord>> {
        let mut q = event::Entity::find().filter(event::Column::StationId.eq(station.0));
        if let Some(y) = f.year {
            let (first, last) = crate::targets::year_bounds(y);
            q = q.filter(event::Column::HeldOn.between(first, last));
        }
        if let Some(k) = f.kind {
            q = q.filter(event::Column::Kind.eq(k.code()));
        }
        let rows = q.order_by_desc(event::Column::HeldOn).order_by_desc(event::Column::Id).all(&self.db).await?;
        let ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
        let units = self.unit_names(station).await?;
        let outlets = self.outlet_names(station).await?;
        let mut event_units: HashMap<i64, Vec<(UnitId, String)>> = HashMap::new();
        let mut event_outlets: HashMap<i64, Vec<(OutletId, String)>> = HashMap::new();
        let mut event_images: HashMap<i64, Vec<ImageId>> = HashMap::new();
        // In chunks: a year of a busy station is a few hundred events, well under any bind limit.
        for chunk in ids.chunks(500) {
            for l in event_unit::Entity::find()
                .filter(event_unit::Column::EventId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                let name = units.get(&l.unit_id).cloned().unwrap_or_default();
                event_units.entry(l.event_id).or_default().push((UnitId(l.unit_id), name));
            }
            for l in event_outlet::Entity::find()
                .filter(event_outlet::Column::EventId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                let name = outlets.get(&l.outlet_id).cloned().unwrap_or_default();
                event_outlets.entry(l.event_id).or_default().push((OutletId(l.outlet_id), name));
            }
            for l in event_image::Entity::find()
                .filter(event_image::Column::EventId.is_in(chunk.to_vec()))
                .order_by_asc(event_image::Column::ImageId)
                .all(&self.db)
                .await?
            {
                event_images.entry(l.event_id).or_default().push(ImageId(l.image_id));
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            let units = event_units.remove(&m.id).unwrap_or_default();
            if let Some(u) = f.unit_id
                && !units.iter().any(|(id, _)| *id == u)
            {
                continue;
            }
            let mut units = units;
            units.sort_by_key(|u| u.0);
            out.push(EventRecord {
                id: EventId(m.id),
                kind: EventKind::parse(&m.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("event {}: {}", m.id, m.kind)))?,
                title: m.title,
                held_on: m.held_on,
                place: m.place,
                people: m.people,
                outcome: m.outcome,
                medium: m.medium.as_deref().and_then(InterviewMedium::parse),
                units,
                outlets: event_outlets.remove(&m.id).unwrap_or_default(),
                images: event_images.remove(&m.id).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    pub async fn event(&self, station: StationId, id: EventId) -> Result<EventRecord> {
        let m = in_scope(event::Entity::find_by_id(id.0), Scope::Station(station)).one(&self.db).await?;
        let m = m.ok_or(StoreError::NotFound)?;
        let f = EventFilter { year: Some(m.held_on.year()), kind: EventKind::parse(&m.kind), unit_id: None };
        self.events(station, &f).await?.into_iter().find(|e| e.id == id).ok_or(StoreError::NotFound)
    }

    /// Records an event (or changes one), with the units and outlets present.
    pub async fn save_event(
        &self,
        station: StationId,
        by: UserId,
        id: Option<EventId>,
        input: EventInput,
    ) -> Result<EventId> {
        let input = input.validate().map_err(StoreError::Invalid)?;
        let mut errors = FieldErrors::default();
        let units = self.unit_names(station).await?;
        if input.unit_ids.iter().any(|u| !units.contains_key(&u.0)) {
            errors.push("unit_ids", "单位不存在");
        }
        let outlets = self.outlet_names(station).await?;
        if input.outlet_ids.iter().any(|o| !outlets.contains_key(&o.0)) {
            errors.push("outlet_ids", "媒体不存在");
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let txn = self.write_txn().await?;
        let id = match id {
            Some(id) => {
                let found = in_scope(event::Entity::find_by_id(id.0), Scope::Station(station)).one(&txn).await?;
                let mut m: event::ActiveModel = found.ok_or(StoreError::NotFound)?.into();
                m.kind = Set(input.kind.code().into());
                m.title = Set(input.title.clone());
                m.held_on = Set(input.held_on);
                m.place = Set(input.place.clone());
                m.people = Set(input.people.clone());
                m.outcome = Set(input.outcome.clone());
                m.medium = Set(input.medium.map(|m| m.code().to_string()));
                m.update(&txn).await?;
                event_unit::Entity::delete_many().filter(event_unit::Column::EventId.eq(id.0)).exec(&txn).await?;
                event_outlet::Entity::delete_many().filter(event_outlet::Column::EventId.eq(id.0)).exec(&txn).await?;
                id
            }
            None => {
                let m = event::ActiveModel {
                    station_id: Set(station.0),
                    kind: Set(input.kind.code().into()),
                    title: Set(input.title.clone()),
                    held_on: Set(input.held_on),
                    place: Set(input.place.clone()),
                    people: Set(input.people.clone()),
                    outcome: Set(input.outcome.clone()),
                    medium: Set(input.medium.map(|m| m.code().to_string())),
                    created_by: Set(by.0),
                    created_at: Set(now()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                EventId(m.id)
            }
        };
        link_event(&txn, id, &input).await?;
        audit_in(&txn, station, by, "event.save", id.0.to_string(), format!("{} {}", input.kind.zh(), input.title))
            .await?;
        txn.commit().await?;
        Ok(id)
    }

    pub async fn delete_event(&self, station: StationId, by: UserId, id: EventId) -> Result<()> {
        let txn = self.write_txn().await?;
        let Some(m) = in_scope(event::Entity::find_by_id(id.0), Scope::Station(station)).one(&txn).await? else {
            return Err(StoreError::NotFound);
        };
        event::Entity::delete_by_id(id.0).exec(&txn).await?;
        audit_in(&txn, station, by, "event.delete", id.0.to_string(), m.title).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Attaches a photo (an image already stored for the station's portal) to an event.
    pub async fn add_event_image(&self, station: StationId, id: EventId, image: ImageId) -> Result<()> {
        let ev = in_scope(event::Entity::find_by_id(id.0), Scope::Station(station)).one(&self.db).await?;
        ev.ok_or(StoreError::NotFound)?;
        event_image::ActiveModel { event_id: Set(id.0), image_id: Set(image.0) }.insert(&self.db).await?;
        Ok(())
    }

    /// Events held in `from..=to` per kind, whether or not a unit took part.
    pub async fn event_counts(&self, station: StationId, from: Date, to: Date) -> Result<HashMap<EventKind, i64>> {
        let mut out = HashMap::new();
        for m in event::Entity::find()
            .filter(event::Column::StationId.eq(station.0))
            .filter(event::Column::HeldOn.between(from, to))
            .all(self.reader())
            .await?
        {
            if let Some(k) = EventKind::parse(&m.kind) {
                *out.entry(k).or_insert(0) += 1;
            }
        }
        Ok(out)
    }

    /// The station's media contacts, by name.
    pub async fn media_contacts(&self, station: StationId) -> Result<Vec<MediaContact>> {
        let outlets = self.outlet_names(station).await?;
        Ok(media_contact::Entity::find()
            .filter(media_contact::Column::StationId.eq(station.0))
            .order_by_asc(media_contact::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| MediaContact {
                id: MediaContactId(m.id),
                outlet_name: m.outlet_id.and_then(|o| outlets.get(&o).cloned()).unwrap_or(m.outlet_name),
                name: m.name,
                outlet_id: m.outlet_id.map(OutletId),
                beat: m.beat,
                contact: m.contact,
                last_contact_on: m.last_contact_on,
                note: m.note,
            })
            .collect())
    }

    pub async fn save_media_contact(
        &self,
        station: StationId,
        by: UserId,
        id: Option<MediaContactId>,
        input: MediaContactInput,
    ) -> Result<MediaContactId> {
        let input = input.validate().map_err(StoreError::Invalid)?;
        if let Some(o) = input.outlet_id {
            let found = in_scope(outlet::Entity::find_by_id(o.0), Scope::Station(station)).one(&self.db).await?;
            if found.is_none() {
                return Err(StoreError::invalid("outlet_id", "媒体不存在"));
            }
        }
        let txn = self.write_txn().await?;
        let mut m: media_contact::ActiveModel = match id {
            Some(id) => {
                let found =
                    in_scope(media_contact::Entity::find_by_id(id.0), Scope::Station(station)).one(&txn).await?;
                found.ok_or(StoreError::NotFound)?.into()
            }
            None => {
                media_contact::ActiveModel { station_id: Set(station.0), created_at: Set(now()), ..Default::default() }
            }
        };
        m.name = Set(input.name.clone());
        m.outlet_id = Set(input.outlet_id.map(|o| o.0));
        m.outlet_name = Set(input.outlet_name.clone());
        m.beat = Set(input.beat.clone());
        m.contact = Set(input.contact.clone());
        m.last_contact_on = Set(input.last_contact_on);
        m.note = Set(input.note.clone());
        let saved = m.save(&txn).await?;
        let new_id = match saved.id {
            sea_orm::ActiveValue::Set(v) | sea_orm::ActiveValue::Unchanged(v) => v,
            sea_orm::ActiveValue::NotSet => return Err(StoreError::Corrupt("media contact without id".into())),
        };
        audit_in(&txn, station, by, "media_contact.save", new_id.to_string(), input.name).await?;
        txn.commit().await?;
        Ok(MediaContactId(new_id))
    }

    pub async fn delete_media_contact(&self, station: StationId, by: UserId, id: MediaContactId) -> Result<()> {
        let txn = self.write_txn().await?;
        let found = in_scope(media_contact::Entity::find_by_id(id.0), Scope::Station(station)).one(&txn).await?;
        let m = found.ok_or(StoreError::NotFound)?;
        media_contact::Entity::delete_by_id(id.0).exec(&txn).await?;
        audit_in(&txn, station, by, "media_contact.delete", id.0.to_string(), m.name).await?;
        txn.commit().await?;
        Ok(())
    }
}

async fn link_event(db: &impl ConnectionTrait, id: EventId, input: &EventInput) -> Result<()> {
    for u in &input.unit_ids {
        event_unit::ActiveModel { event_id: Set(id.0), unit_id: Set(u.0) }.insert(db).await?;
    }
    for o in &input.outlet_ids {
        event_outlet::ActiveModel { event_id: Set(id.0), outlet_id: Set(o.0) }.insert(db).await?;
    }
    Ok(())
}
