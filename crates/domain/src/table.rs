//! A spreadsheet as data: a header row and numbered rows of cells. The office crate reads
//! `.csv` and `.xlsx` files into a `Table` and writes a `Table` back out; the import module
//! turns a `Table` into records. Row numbers are those the spreadsheet program shows
//! (the header is row 1), so error messages point at the right line.

use rust_decimal::Decimal;
use time::Date;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number as the spreadsheet stored it (integers come back as e.g. 1200.0).
    Number(f64),
    /// An exact figure shown with a fixed number of decimal places: money in yuan (12.50,
    /// two places) or points (3.5, one place). Written to a workbook as a number with that
    /// many decimals in its number format, so that SUM adds it up; read back, it is a
    /// `Number`. Not an `f64` here, so that the text (CSV, the notice) is exactly the figure.
    Decimal {
        value: Decimal,
        places: u32,
    },
    /// A cell the spreadsheet formatted as a date.
    Date(Date),
    Bool(bool),
}

impl Cell {
    /// A figure shown with the places it carries: 1.5 as "1.5", 2 as "2" (`Decimal::normalize`
    /// first to drop trailing zeros).
    pub fn decimal(value: Decimal) -> Cell {
        Cell::Decimal { value, places: value.scale() }
    }

    /// The cell as text, the way a person reading the sheet would see it.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            // Every cell of an import is read through here (or `import::borrowed_text`), so this
            // is where spreadsheet text is cleaned (see `crate::text`).
            Cell::Text(s) => crate::text::clean_trimmed(s).into_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Decimal { value, places } => format!("{:.*}", *places as usize, value),
            Cell::Date(d) => crate::format_date(*d),
            Cell::Bool(true) => "是".into(),
            Cell::Bool(false) => "否".into(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => crate::text::clean_trimmed(s).is_empty(),
            _ => false,
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_string()) }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number as the spreadsheet shows it (header = 1, first data row = 2).
    pub number: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// A table with the given headers and rows numbered from 2.
    pub fn new(headers: Vec<String>, rows: Vec<Vec<Cell>>) -> Self {
        let rows = rows.into_iter().enumerate().map(|(i, cells)| Row { number: i + 2, cells }).collect();
        Table { headers, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_shows_its_places() {
        let cell = |value: &str, places| Cell::Decimal { value: value.parse().unwrap(), places };
        assert_eq!(cell("12.5", 2).text(), "12.50");
        assert_eq!(cell("1234.05", 2).text(), "1234.05");
        assert_eq!(cell("-20", 2).text(), "-20.00");
        assert_eq!(cell("3.5", 1).text(), "3.5");
        assert_eq!(cell("7", 0).text(), "7");
        assert!(!cell("0", 2).is_empty());
        let normalized = |value: &str| Cell::decimal(value.parse::<Decimal>().unwrap().normalize()).text();
        assert_eq!(normalized("1.50"), "1.5");
        assert_eq!(normalized("2.00"), "2");
        assert_eq!(normalized("-3"), "-3");
    }
}
