//! Tonglian's use cases. Each takes the store and an `Actor` (who is asking, in which station,
//! with which role), checks permission (`access`), validates, writes and audits, and returns a
//! result. The pages and the JSON API (`web`) and the command line (`tonglian`) all call these,
//! so a rule is written once. Nothing here knows about HTTP.

pub mod access;
pub mod account;
pub mod actor;
pub mod admin;
pub mod annual;
pub mod demo;
pub mod error;
pub mod forms;
pub mod hq;
pub mod i18n;
pub mod media;
pub mod notifications;
pub mod ops;
pub mod parse;
pub mod password;
pub mod reminders;
pub mod rewards;
pub mod site;
pub mod targets;
pub mod tokens;

pub use actor::Actor;
pub use error::{Error, MAX_LISTED_ROWS, Result};

/// Today in China, the day every period, deadline and report date is counted in.
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().to_offset(domain::CHINA_OFFSET).date()
}
