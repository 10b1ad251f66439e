//! Statement periods: a month ("2007-06"), a quarter ("2007-Q2") or a year ("2007"). A period
//! never crosses a year, so everything the engine looks back at starts on 1 January.

use std::fmt;
use time::{Date, Month};

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub const ALL: &'static [PeriodKind] = &[PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year];

    /// The code used in policy files.
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    /// The Chinese word: 月, 季度, 年.
    pub fn zh(self) -> &'static str {
        match self {
            PeriodKind::Month => "月",
            PeriodKind::Quarter => "季度",
            PeriodKind::Year => "年",
        }
    }

    /// Reads "month" / "月" / "每月" and the like.
    pub fn parse(text: &str) -> Option<PeriodKind> {
        let t = text.trim().trim_start_matches('每');
        PeriodKind::ALL.iter().copied().find(|k| k.code().eq_ignore_ascii_case(t) || k.zh() == t)
    }

    /// How many months a period of this kind has.
    pub fn months(self) -> u8 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Year => 12,
        }
    }
}

/// A calendar month, quarter or year. `to` is inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    pub kind: PeriodKind,
}

const FORMAT_HINT: &str = "期间应写成 2007-06（月）、2007-Q2（季度）或 2007（年）";

impl Period {
    /// Reads "2007-06" (also "2007-6"), "2007-Q2" (also "2007q2") or "2007".
    pub fn parse(text: &str) -> Result<Period, String> {
        let t = text.trim();
        let bad = || format!("“{t}”不是有效的期间：{FORMAT_HINT}");
        let year_of = |s: &str| -> Result<i32, String> {
            let y: i32 = s.parse().map_err(|_| bad())?;
            if s.len() == 4 && (1900..=2200).contains(&y) { Ok(y) } else { Err(bad()) }
        };
        let upper = t.to_ascii_uppercase();
        if let Some((y, q)) = upper.split_once("-Q").or_else(|| upper.split_once('Q')) {
            let q: u8 = q.parse().map_err(|_| bad())?;
            return Period::quarter(year_of(y)?, q).ok_or_else(bad);
        }
        match upper.split_once('-') {
            None => Ok(Period::year(year_of(&upper)?)),
            Some((y, m)) => {
                if m.is_empty() || m.len() > 2 || !m.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad());
                }
                Period::month(year_of(y)?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
            }
        }
    }

    /// The month `month` (1–12) of `year`.
    pub fn month(year: i32, month: u8) -> Option<Period> {
        let m = Month::try_from(month).ok()?;
        let from = Date::from_calendar_date(year, m, 1).ok()?;
        let to = Date::from_calendar_date(year, m, m.length(year)).ok()?;
        Some(Period { from, to, kind: PeriodKind::Month })
    }

    /// The quarter `quarter` (1–4) of `year`.
    pub fn quarter(year: i32, quarter: u8) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let first = Period::month(year, quarter * 3 - 2)?;
        let last = Period::month(year, quarter * 3)?;
        Some(Period { from: first.from, to: last.to, kind: PeriodKind::Quarter })
    }

    /// The whole of `year`. Years outside what `time` can represent are clamped by the caller's
    /// parsing (1900–2200), so this cannot fail for them.
    pub fn year(year: i32) -> Period {
        let from = Date::from_calendar_date(year, Month::January, 1).unwrap_or(Date::MIN);
        let to = Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MAX);
        Period { from, to, kind: PeriodKind::Year }
    }

    /// The period of `kind` that contains `date`.
    pub fn containing(kind: PeriodKind, date: Date) -> Period {
        let m = u8::from(date.month());
        let y = date.year();
        let found = match kind {
            PeriodKind::Month => Period::month(y, m),
            PeriodKind::Quarter => Period::quarter(y, (m - 1) / 3 + 1),
            PeriodKind::Year => Some(Period::year(y)),
        };
        found.unwrap_or(Period { from: date, to: date, kind })
    }

    /// The period of the same kind just before this one.
    pub fn previous(&self) -> Period {
        match self.from.previous_day() {
            Some(d) => Period::containing(self.kind, d),
            None => self.clone(),
        }
    }

    /// The period of the same kind just after this one.
    pub fn next(&self) -> Period {
        match self.to.next_day() {
            Some(d) => Period::containing(self.kind, d),
            None => self.clone(),
        }
    }

    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// 1 January of the period's year: where quarter and year caps start counting.
    pub fn year_start(&self) -> Date {
        Period::year(self.from.year()).from
    }

    /// The months the period is made of, in order.
    pub fn months(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut m = Period::containing(PeriodKind::Month, self.from);
        while m.from <= self.to {
            let next = m.next();
            let last = next == m;
            out.push(m);
            if last {
                break;
            }
            m = next;
        }
        out
    }

    /// The period in Chinese words: 2007年6月, 2007年第二季度, 2007年.
    pub fn zh(&self) -> String {
        let y = self.from.year();
        match self.kind {
            PeriodKind::Month => format!("{y}年{}月", u8::from(self.from.month())),
            PeriodKind::Quarter => {
                let q = ["一", "二", "三", "四"][usize::from((u8::from(self.from.month()) - 1) / 3)];
                format!("{y}年第{q}季度")
            }
            PeriodKind::Year => format!("{y}年"),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let y = self.from.year();
        match self.kind {
            PeriodKind::Month => write!(f, "{y:04}-{:02}", u8::from(self.from.month())),
            PeriodKind::Quarter => write!(f, "{y:04}-Q{}", (u8::from(self.from.month()) - 1) / 3 + 1),
            PeriodKind::Year => write!(f, "{y:04}"),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Period::parse(s)
    }
}

// Serialised as its text ("2007-06"), the same as users type it.
impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Period::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parses_and_displays_the_three_kinds() {
        let m = Period::parse("2007-06").unwrap();
        assert_eq!((m.from, m.to, m.kind), (date!(2007 - 06 - 01), date!(2007 - 06 - 30), PeriodKind::Month));
        assert_eq!(m.to_string(), "2007-06");
        assert_eq!(Period::parse("2007-6").unwrap(), m);
        let q = Period::parse("2007-Q2").unwrap();
        assert_eq!((q.from, q.to), (date!(2007 - 04 - 01), date!(2007 - 06 - 30)));
        assert_eq!(q.to_string(), "2007-Q2");
        assert_eq!(Period::parse("2007q2").unwrap(), q);
        let y = Period::parse("2007").unwrap();
        assert_eq!((y.from, y.to, y.to_string()), (date!(2007 - 01 - 01), date!(2007 - 12 - 31), "2007".to_string()));
        assert_eq!(Period::parse("2008-02").unwrap().to, date!(2008 - 02 - 29));
        for bad in ["", "07", "2007-13", "2007-Q5", "2007-00", "abcd", "2007-06-01", "2007-123"] {
            assert!(Period::parse(bad).unwrap_err().contains("期间"), "{bad}");
        }
    }

    #[test]
    fn previous_contains_and_year_start() {
        assert_eq!(Period::parse("2007-01").unwrap().previous().to_string(), "2006-12");
        assert_eq!(Period::parse("2007-Q1").unwrap().previous().to_string(), "2006-Q4");
        assert_eq!(Period::parse("2007").unwrap().previous().to_string(), "2006");
        assert_eq!(Period::parse("2007-12").unwrap().next().to_string(), "2008-01");
        let q = Period::parse("2007-Q3").unwrap();
        assert!(q.contains(date!(2007 - 09 - 30)) && !q.contains(date!(2007 - 10 - 01)));
        assert_eq!(q.year_start(), date!(2007 - 01 - 01));
        assert_eq!(q.months().len(), 3);
        assert_eq!(Period::parse("2007").unwrap().months().len(), 12);
        assert_eq!(q.zh(), "2007年第三季度");
    }

    #[test]
    fn serialises_as_text() {
        let p = Period::parse("2007-Q2").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"2007-Q2\"");
        assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p);
    }
}
