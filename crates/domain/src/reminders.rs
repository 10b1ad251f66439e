//! When a reminder (提醒) is due: a submitted draft waiting for revision too long, the month
//! end that brings the check of units behind pace, a notice whose objection window is about to
//! close. Each reminder carries a key that names its occasion, so that it is sent once however
//! often the check runs. The store finds the records; this module only judges dates.

use time::{Date, Duration};

/// Days a submitted draft may wait for revision before its mentor and the editors are
/// reminded, unless the station says otherwise.
pub const DEFAULT_REVISION_DAYS: i64 = 3;
/// Days before the end of an objection window when the reminder goes out.
pub const OBJECTION_NOTICE_DAYS: i64 = 2;
/// Days into a month during which last month's end is still checked (the server may have been
/// down on the first).
pub const MONTH_END_GRACE_DAYS: u8 = 7;

/// Whether a draft submitted on `submitted_on` has waited more than `days` days by `today`.
pub fn waiting_too_long(submitted_on: Date, today: Date, days: i64) -> bool {
    today - submitted_on > Duration::days(days)
}

/// Whether an objection window ending on `until` closes within `OBJECTION_NOTICE_DAYS` of
/// `today` (and has not closed yet).
pub fn objection_closing(until: Date, today: Date) -> bool {
    until >= today && until - today <= Duration::days(OBJECTION_NOTICE_DAYS)
}

/// The month end to check on `today`: the last day of the previous month, during the first
/// `MONTH_END_GRACE_DAYS` days of a month; otherwise none.
pub fn month_end_to_check(today: Date) -> Option<Date> {
    (today.day() <= MONTH_END_GRACE_DAYS).then(|| today.replace_day(1).ok()).flatten().and_then(|d| d.previous_day())
}

/// The key of a reminder: its kind and what it is about, e.g. `draft_waiting:12` or
/// `unit_behind:7:2007-06`. A user gets one reminder per key.
pub fn key(kind: crate::ReminderKind, subject: &str) -> String {
    format!("{}:{subject}", kind.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn a_draft_waits_too_long_after_the_set_days() {
        assert!(!waiting_too_long(d("2007-06-01"), d("2007-06-04"), 3), "three days is still in time");
        assert!(waiting_too_long(d("2007-06-01"), d("2007-06-05"), 3));
        assert!(!waiting_too_long(d("2007-06-05"), d("2007-06-01"), 3), "a date in the future never waits");
    }

    #[test]
    fn the_objection_window_warning() {
        assert!(objection_closing(d("2007-07-10"), d("2007-07-08")));
        assert!(objection_closing(d("2007-07-10"), d("2007-07-10")), "the last day");
        assert!(!objection_closing(d("2007-07-10"), d("2007-07-07")), "too early");
        assert!(!objection_closing(d("2007-07-10"), d("2007-07-11")), "closed");
    }

    #[test]
    fn month_end_is_checked_in_the_first_week() {
        assert_eq!(month_end_to_check(d("2007-07-01")), Some(d("2007-06-30")));
        assert_eq!(month_end_to_check(d("2008-01-07")), Some(d("2007-12-31")));
        assert_eq!(month_end_to_check(d("2007-03-02")), Some(d("2007-02-28")));
        assert_eq!(month_end_to_check(d("2007-07-08")), None);
    }

    #[test]
    fn keys_name_kind_and_subject() {
        assert_eq!(key(crate::ReminderKind::UnitBehind, "7:2007-06"), "unit_behind:7:2007-06");
    }
}
