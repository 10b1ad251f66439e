//! The signed-in user's own account: the language they read in, the station a headquarters
//! account works in, and what the header of every page shows them.

use crate::access::require;
use crate::{Actor, Error, Result};
use store::{Station, Store};

/// Saves the language ("zh" or "en"; anything else is Chinese) as the account's setting.
pub async fn set_locale(store: &Store, actor: &Actor, lang: &str) -> Result<()> {
    let lang = if lang == "en" { "en" } else { "zh" };
    Ok(store.set_user_locale(actor.user.id, lang).await?)
}

/// The station a headquarters account chooses to work in, by its code; others may not choose.
pub async fn station_to_work_in(store: &Store, actor: &Actor, code: &str) -> Result<Station> {
    require(actor.is_hq())?;
    store.station_by_code(code).await?.ok_or(Error::NotFound)
}

/// What the header of every page shows the actor.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// The station the actor works in.
    pub station: Option<Station>,
    /// Every station, for a headquarters account to switch between (empty for others).
    pub stations: Vec<Station>,
    /// Unread reminders.
    pub unread: u64,
}

pub async fn header(store: &Store, actor: Option<&Actor>) -> Result<Header> {
    let Some(actor) = actor else { return Ok(Header::default()) };
    let station = match actor.station {
        Some(s) => store.station(s).await.ok(),
        None => None,
    };
    let stations = if actor.is_hq() { store.stations().await? } else { Vec::new() };
    let unread = store.unread_notifications(actor.user.id).await?;
    Ok(Header { station, stations, unread })
}
