//! Each user's reminders (提醒): the list, marking them read, and the choices per kind (in the
//! site, by e-mail, or off) with the address mail goes to. Everything here is the actor's own:
//! the store filters by the actor's user id in SQL, so nobody reads or marks another's.

use crate::{Actor, Result};
use domain::ReminderKind;
use store::{Notification, ReminderPref, Store};

/// The most notifications a list shows (newest first).
pub const LIST_LIMIT: u64 = 200;

pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<Notification>> {
    Ok(store.notifications(actor.user.id, LIST_LIMIT).await?)
}

/// Marks one of the actor's notifications read, or with `None` all of them. An id that is not
/// the actor's, or is read already, changes nothing.
pub async fn mark_read(store: &Store, actor: &Actor, id: Option<i64>) -> Result<()> {
    Ok(store.mark_notifications_read(actor.user.id, id).await?)
}

/// The actor's choice for every kind, and the address reminders are mailed to ("" for none).
pub async fn settings(store: &Store, actor: &Actor) -> Result<(Vec<ReminderPref>, String)> {
    let prefs = store.reminder_prefs(actor.user.id).await?;
    let email = store.reminder_address(actor.user.id).await?.unwrap_or_default();
    Ok((prefs, email))
}

/// The choices as the form and the API send them: the codes of the kinds on in the site and by
/// e-mail (a kind left out is off; an unknown code is ignored, as the form's checkboxes are).
pub fn prefs_from_codes(in_app: &[String], by_mail: &[String]) -> Vec<ReminderPref> {
    ReminderKind::ALL
        .iter()
        .map(|k| ReminderPref {
            kind: *k,
            in_app: in_app.iter().any(|c| c == k.code()),
            email: by_mail.iter().any(|c| c == k.code()),
        })
        .collect()
}

/// Saves the actor's choices and address; a malformed address is 422 and saves nothing.
pub async fn save_settings(store: &Store, actor: &Actor, prefs: &[ReminderPref], email: &str) -> Result<()> {
    Ok(store.set_reminder_prefs(actor.user.id, prefs, email).await?)
}
