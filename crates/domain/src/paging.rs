//! Page numbers from outside, and the rows they skip. Every list that takes `?page=` reads it
//! with [`parse_page`] (so a page that is not a number from 1 to [`MAX_PAGE`] is refused with
//! a Chinese message: 400 on the API and the pages) and the store reads a page's rows through
//! [`window`] (checked arithmetic, so no page and page size can overflow or reach the
//! database's limit; a page of 500000000000000000 once made the SQL driver panic).
//!
//! One rule for how many rows: a page holds at most [`MAX_PER_PAGE`], whoever asks. What needs
//! every row of a list (an export, a picker) asks for it through the store's `all_*` methods,
//! which read at most [`MAX_EXPORT_ROWS`], never through a big page size.

/// The highest page number accepted: a million pages of twenty is twenty million rows, more
/// than any station will have.
pub const MAX_PAGE: u64 = 1_000_000;

/// The most rows a page of a list shows.
pub const MAX_PER_PAGE: u64 = 200;

/// The most rows a list read whole returns (an export of placements, say): far more than any
/// station has, so "every row" stays a finite query.
pub const MAX_EXPORT_ROWS: u64 = 1_000_000;

/// A page number as given in a query string: empty means the first page; otherwise a whole
/// number from 1 to [`MAX_PAGE`] (0 is read as 1, as it always was).
pub fn parse_page(text: Option<&str>) -> Result<u64, String> {
    parse_number(text, MAX_PAGE)
        .map(|n| n.unwrap_or(1).max(1))
        .ok_or_else(|| format!("页码应为1到{MAX_PAGE}之间的整数"))
}

/// Rows per page as given in a query string: empty means `default`; otherwise a whole number,
/// held to 1..=[`MAX_PER_PAGE`].
pub fn parse_per_page(text: Option<&str>, default: u64) -> Result<u64, String> {
    parse_number(text, u64::MAX)
        .map(|n| n.unwrap_or(default).clamp(1, MAX_PER_PAGE))
        .ok_or_else(|| format!("每页条数应为1到{MAX_PER_PAGE}之间的整数"))
}

/// `Some(None)` for nothing given, `Some(Some(n))` for a whole number up to `max`, `None` for
/// anything else (a sign, a fraction, a word, a number past `max`).
fn parse_number(text: Option<&str>, max: u64) -> Option<Option<u64>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Some(None),
        Some(t) => t.parse::<u64>().ok().filter(|n| *n <= max).map(Some),
    }
}

/// The rows before page `page` (counted from 1) of `per_page` rows. Pages past [`MAX_PAGE`]
/// count as [`MAX_PAGE`] and the product saturates below `i64::MAX` (what SQL's OFFSET takes),
/// so no input can overflow here or in the driver.
pub fn offset(page: u64, per_page: u64) -> u64 {
    page.clamp(1, MAX_PAGE).saturating_sub(1).saturating_mul(per_page).min(i64::MAX as u64)
}

/// The rows of page `page` (counted from 1) of `per_page` rows, as `(offset, limit)`: the page
/// size is held to 1..=[`MAX_PER_PAGE`] and the offset comes from [`offset`]. The limit is the
/// page size a list reports.
pub fn window(page: u64, per_page: u64) -> (u64, u64) {
    let limit = per_page.clamp(1, MAX_PER_PAGE);
    (offset(page, limit), limit)
}

/// The number of pages `total` rows fill (at least one, for an empty list).
pub fn pages(total: u64, per_page: u64) -> u64 {
    total.div_ceil(per_page.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_bounded() {
        assert_eq!(parse_page(None), Ok(1));
        assert_eq!(parse_page(Some("")), Ok(1));
        assert_eq!(parse_page(Some("0")), Ok(1));
        assert_eq!(parse_page(Some(" 3 ")), Ok(3));
        assert_eq!(parse_page(Some("1000000")), Ok(MAX_PAGE));
        for bad in ["1000001", "500000000000000000", "99999999999999999999999", "-1", "1.5", "abc", "1e3"] {
            assert_eq!(parse_page(Some(bad)), Err("页码应为1到1000000之间的整数".into()), "{bad}");
        }
        assert_eq!(parse_per_page(None, 20), Ok(20));
        assert_eq!(parse_per_page(Some("0"), 20), Ok(1));
        assert_eq!(parse_per_page(Some("100000"), 20), Ok(MAX_PER_PAGE));
        assert!(parse_per_page(Some("-5"), 20).is_err());
    }

    #[test]
    fn offsets_never_overflow() {
        assert_eq!(offset(0, 20), 0);
        assert_eq!(offset(1, 20), 0);
        assert_eq!(offset(3, 20), 40);
        assert_eq!(offset(500_000_000_000_000_000, 20), (MAX_PAGE - 1) * 20);
        assert_eq!(offset(u64::MAX, u64::MAX), i64::MAX as u64);
        assert_eq!(pages(0, 20), 1);
        assert_eq!(pages(41, 20), 3);
        assert_eq!(pages(5, 0), 5);
    }

    #[test]
    fn a_window_holds_at_most_a_page() {
        assert_eq!(window(1, 20), (0, 20));
        assert_eq!(window(3, 20), (40, 20));
        assert_eq!(window(0, 0), (0, 1));
        assert_eq!(window(2, 1_000_000), (MAX_PER_PAGE, MAX_PER_PAGE));
        assert_eq!(window(u64::MAX, u64::MAX), ((MAX_PAGE - 1) * MAX_PER_PAGE, MAX_PER_PAGE));
    }
}
