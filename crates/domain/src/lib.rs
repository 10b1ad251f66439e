//! Tonglian's domain: the glossary's types, the rules that check them, and the pure
//! computations (diffs, near-duplicate detection, bylines, imports). No I/O here: the
//! store, the web layer and the CLI call into this crate, never the other way round.

pub mod awards;
pub mod byline;
pub mod diff;
pub mod dup;
pub mod ids;
pub mod import;
pub mod kinds;
pub mod media;
pub mod paging;
pub mod policy;
pub mod portal;
pub mod ranking;
pub mod records;
pub mod reminders;
pub mod table;
pub mod targets;
pub mod text;
mod toml_read;

pub use ids::*;
pub use kinds::*;
pub use records::*;

/// China Standard Time: the stations' clock, for dates shown and dates recorded.
pub const CHINA_OFFSET: time::UtcOffset = time::macros::offset!(+8);

/// A mistake in user input, said in Chinese (the UI's default language) and tied to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, utoipa::ToSchema)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The form field or spreadsheet column the message is about.
    pub field: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// All the mistakes found in one form, so the user can fix them in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
    /// `Ok(value)` when nothing was found wrong.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| e.to_string()).collect();
        f.write_str(&parts.join("；"))
    }
}

impl std::error::Error for FieldErrors {}

/// The first date accepted anywhere a date comes in (typed, sent as JSON, imported, in a
/// policy). A publicity office's records start well after it; the range is wide enough for
/// any real date (a correspondent who joined in the 1950s, a policy valid until 2099) and
/// keeps out the typos and hostile values (`0000-01-01`, `9999-12-31`) that would sort, sum
/// and print wrongly.
pub const FIRST_DATE: time::Date = time::macros::date!(1900 - 01 - 01);
/// The last date accepted anywhere a date comes in (see [`FIRST_DATE`]).
pub const LAST_DATE: time::Date = time::macros::date!(2100 - 12 - 31);

/// Whether a date is within [`FIRST_DATE`]..=[`LAST_DATE`].
pub fn date_in_range(d: time::Date) -> bool {
    (FIRST_DATE..=LAST_DATE).contains(&d)
}

/// The Chinese message for a date outside [`FIRST_DATE`]..=[`LAST_DATE`], or `None`.
pub fn date_range_problem(label: &str, d: time::Date) -> Option<String> {
    (!date_in_range(d)).then(|| format!("{label}应在1900-01-01至2100-12-31之间"))
}

/// Parses a calendar date as people type it: 2007-06-05, 2007/6/5, 2007.6.5 or 2007年6月5日.
/// Dates outside [`FIRST_DATE`]..=[`LAST_DATE`] are refused.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let t = text.trim();
    let cleaned: String = t
        .chars()
        .map(|c| match c {
            '/' | '.' | '年' | '月' => '-',
            '日' => ' ',
            c => c,
        })
        .collect();
    let mut parts = cleaned.trim().split('-');
    let y: i32 = parts.next()?.trim().parse().ok()?;
    let m: u8 = parts.next()?.trim().parse().ok()?;
    let d: u8 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    date_in_range(date).then_some(date)
}

/// Formats a date the way the UI and the files show it.
pub fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Counts the characters of a text the way editors count 字数: every non-whitespace character.
pub fn char_count(text: &str) -> i32 {
    text.chars().filter(|c| !c.is_whitespace()).count() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_people_type() {
        let want = time::Date::from_calendar_date(2007, time::Month::June, 5).unwrap();
        for s in ["2007-06-05", "2007/6/5", "2007.6.5", "2007年6月5日", " 2007-6-05 "] {
            assert_eq!(parse_date(s), Some(want), "{s}");
        }
        for s in ["", "2007-13-01", "2007-02-30", "6/5/2007", "abc", "2007-06"] {
            assert_eq!(parse_date(s), None, "{s}");
        }
        assert_eq!(format_date(want), "2007-06-05");
    }

    #[test]
    fn dates_are_bounded() {
        assert_eq!(parse_date("1900-01-01"), Some(FIRST_DATE));
        assert_eq!(parse_date("2100-12-31"), Some(LAST_DATE));
        for s in ["0000-01-01", "1899-12-31", "2101-01-01", "9999-12-31", "-1-01-01", "99999999999-01-01"] {
            assert_eq!(parse_date(s), None, "{s}");
        }
        assert!(date_in_range(time::macros::date!(1949 - 10 - 01)));
        assert!(!date_in_range(time::Date::MIN));
        assert_eq!(
            date_range_problem("刊发日期", time::Date::MAX).as_deref(),
            Some("刊发日期应在1900-01-01至2100-12-31之间")
        );
        assert_eq!(date_range_problem("刊发日期", LAST_DATE), None);
    }

    #[test]
    fn char_count_ignores_whitespace() {
        assert_eq!(char_count("知识 产权\n报"), 5);
    }
}

/// Dates in JSON as "2007-06-05" (the `time` crate's default is a tuple).
pub mod date_format {
    time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");
    pub use iso_date::{deserialize, option, serialize};
}
