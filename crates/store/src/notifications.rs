//! Reminders (提醒) as stored: each user's notifications, one per occasion (`key`), read or
//! not, e-mailed or not; each user's choice per kind (in the site, by e-mail, or off) and the
//! address mail goes to; and the records the reminders are drawn from (drafts waiting for
//! revision). What is due when is `domain::reminders`; who is told is `web::reminders`.

use crate::entities::{correspondent, manuscript, notification, notification_address, notification_pref};
use crate::{Result, Store, StoreError, now};
use domain::*;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use std::collections::HashMap;

/// A reminder to store for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub user_id: UserId,
    pub station_id: Option<StationId>,
    pub kind: ReminderKind,
    /// `domain::reminders::key`: the occasion; a user gets one notification per key.
    pub key: String,
    pub title: String,
    pub body: String,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: ReminderKind,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

/// A user's choice for one kind of reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReminderPref {
    pub kind: ReminderKind,
    pub in_app: bool,
    pub email: bool,
}

/// A submitted draft and who should revise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingDraft {
    pub id: ManuscriptId,
    pub title: String,
    pub submitted_at: i64,
    /// The mentor assigned to the draft's owner.
    pub mentor: Option<UserId>,
}

fn notification_of(m: notification::Model) -> Result<Notification> {
    Ok(Notification {
        id: m.id,
        kind: ReminderKind::parse(&m.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("notification {}: {}", m.id, m.kind)))?,
        title: m.title,
        body: m.body,
        link: m.link,
        created_at: m.created_at,
        read: m.read_at.is_some(),
    })
}

impl Store {
    /// Stores a reminder unless the user already has one with its key, or has turned its
    /// kind off both in the site and by e-mail. Returns whether it was stored.
    pub async fn notify(&self, n: NewNotification) -> Result<bool> {
        let pref = self.reminder_prefs(n.user_id).await?.into_iter().find(|p| p.kind == n.kind);
        if pref.is_some_and(|p| !p.in_app && !p.email) {
            return Ok(false);
        }
        let txn = self.write_txn().await?;
        let exists = notification::Entity::find()
            .filter(notification::Column::UserId.eq(n.user_id.0))
            .filter(notification::Column::Key.eq(n.key.clone()))
            .count(&txn)
            .await?;
        if exists > 0 {
            return Ok(false);
        }
        notification::ActiveModel {
            user_id: Set(n.user_id.0),
            station_id: Set(n.station_id.map(|s| s.0)),
            kind: Set(n.kind.code().into()),
            key: Set(n.key),
            title: Set(n.title),
            body: Set(n.body),
            link: Set(n.link),
            created_at: Set(now()),
            read_at: Set(None),
            emailed_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// The user's notifications shown in the site (kinds turned off there are left out),
    /// newest first.
    pub async fn notifications(&self, user: UserId, limit: u64) -> Result<Vec<Notification>> {
        notification::Entity::find()
            .filter(notification::Column::UserId.eq(user.0))
            .filter(notification::Column::Kind.is_not_in(self.hidden_kinds(user).await?))
            .order_by_desc(notification::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(notification_of)
            .collect()
    }

    /// How many of the user's notifications shown in the site are unread. Asked on every page
    /// (the header shows it), so it counts in the database.
    pub async fn unread_notifications(&self, user: UserId) -> Result<u64> {
        Ok(notification::Entity::find()
            .filter(notification::Column::UserId.eq(user.0))
            .filter(notification::Column::ReadAt.is_null())
            .filter(notification::Column::Kind.is_not_in(self.hidden_kinds(user).await?))
            .count(&self.db)
            .await?)
    }

    /// The kinds the user turned off in the site.
    async fn hidden_kinds(&self, user: UserId) -> Result<Vec<String>> {
        Ok(notification_pref::Entity::find()
            .filter(notification_pref::Column::UserId.eq(user.0))
            .filter(notification_pref::Column::InApp.eq(false))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| p.kind)
            .collect())
    }

    /// Marks one notification (or, with `None`, all) of the user read.
    pub async fn mark_notifications_read(&self, user: UserId, id: Option<i64>) -> Result<()> {
        let mut q = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(now()))
            .filter(notification::Column::UserId.eq(user.0))
            .filter(notification::Column::ReadAt.is_null());
        if let Some(id) = id {
            q = q.filter(notification::Column::Id.eq(id));
        }
        q.exec(&self.db).await?;
        Ok(())
    }

    /// The user's choice for every kind (both on unless changed).
    pub async fn reminder_prefs(&self, user: UserId) -> Result<Vec<ReminderPref>> {
        let saved: HashMap<String, (bool, bool)> = notification_pref::Entity::find()
            .filter(notification_pref::Column::UserId.eq(user.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.kind, (p.in_app, p.email)))
            .collect();
        Ok(ReminderKind::ALL
            .iter()
            .map(|k| {
                let (in_app, email) = saved.get(k.code()).copied().unwrap_or((true, true));
                ReminderPref { kind: *k, in_app, email }
            })
            .collect())
    }

    /// The address reminders are e-mailed to, if the user gave one.
    pub async fn reminder_address(&self, user: UserId) -> Result<Option<String>> {
        Ok(notification_address::Entity::find_by_id(user.0)
            .one(&self.db)
            .await?
            .map(|a| a.email)
            .filter(|e| !e.is_empty()))
    }

    /// Saves the user's choices and address (empty: no e-mail).
    pub async fn set_reminder_prefs(&self, user: UserId, prefs: &[ReminderPref], email: &str) -> Result<()> {
        let email = email.trim();
        if !email.is_empty() && !looks_like_email(email) {
            return Err(StoreError::invalid("email", "邮箱格式不正确"));
        }
        let txn = self.write_txn().await?;
        notification_pref::Entity::delete_many()
            .filter(notification_pref::Column::UserId.eq(user.0))
            .exec(&txn)
            .await?;
        for p in prefs {
            notification_pref::ActiveModel {
                user_id: Set(user.0),
                kind: Set(p.kind.code().into()),
                in_app: Set(p.in_app),
                email: Set(p.email),
            }
            .insert(&txn)
            .await?;
        }
        notification_address::Entity::delete_by_id(user.0).exec(&txn).await?;
        if !email.is_empty() {
            notification_address::ActiveModel { user_id: Set(user.0), email: Set(email.into()) }.insert(&txn).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Notifications still to e-mail: not sent yet, to users with an address who want this
    /// kind by e-mail; with the address.
    pub async fn unsent_emails(&self, limit: u64) -> Result<Vec<(Notification, String)>> {
        let rows = notification::Entity::find()
            .filter(notification::Column::EmailedAt.is_null())
            .order_by_asc(notification::Column::Id)
            .limit(limit * 4)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        // Each user's address and choices, read once however many notifications they have.
        let mut users: HashMap<i64, (Option<String>, Vec<ReminderPref>)> = HashMap::new();
        for m in rows {
            let (address, prefs) = match users.entry(m.user_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let user = UserId(m.user_id);
                    e.insert((self.reminder_address(user).await?, self.reminder_prefs(user).await?))
                }
            };
            let Some(address) = address.clone() else { continue };
            let n = notification_of(m)?;
            if prefs.iter().any(|p| p.kind == n.kind && p.email) {
                out.push((n, address));
            }
            if out.len() as u64 >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Records that a notification was e-mailed (or given up on: it is not tried again).
    pub async fn mark_emailed(&self, id: i64) -> Result<()> {
        notification::Entity::update_many()
            .col_expr(notification::Column::EmailedAt, Expr::value(now()))
            .filter(notification::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Drafts submitted and waiting for revision, with their owner's mentor.
    pub async fn waiting_drafts(&self, station: StationId) -> Result<Vec<WaitingDraft>> {
        let rows = manuscript::Entity::find()
            .filter(manuscript::Column::StationId.eq(station.0))
            .filter(manuscript::Column::Status.eq(ManuscriptStatus::Submitted.code()))
            .filter(manuscript::Column::SubmittedAt.is_not_null())
            .all(&self.db)
            .await?;
        let mentors: HashMap<i64, Option<i64>> = correspondent::Entity::find()
            .filter(correspondent::Column::StationId.eq(station.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.mentor_user_id))
            .collect();
        Ok(rows
            .into_iter()
            .map(|m| WaitingDraft {
                id: ManuscriptId(m.id),
                mentor: mentors.get(&m.author_id).copied().flatten().map(UserId),
                title: m.title,
                submitted_at: m.submitted_at.unwrap_or(m.created_at),
            })
            .collect())
    }

    /// Sets after how many days a submitted draft waiting for revision is reminded of.
    pub async fn set_revision_days(&self, station: StationId, by: UserId, days: i32) -> Result<()> {
        if !(1..=60).contains(&days) {
            return Err(StoreError::invalid("revision_days", "天数应在1至60之间"));
        }
        let txn = self.write_txn().await?;
        crate::entities::station::Entity::update_many()
            .col_expr(crate::entities::station::Column::RevisionDays, Expr::value(days))
            .filter(crate::entities::station::Column::Id.eq(station.0))
            .exec(&txn)
            .await?;
        crate::auth::audit_in(&txn, station, by, "station.revision_days", station.0.to_string(), days.to_string())
            .await?;
        txn.commit().await?;
        Ok(())
    }
}
