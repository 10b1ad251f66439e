//! Spreadsheet workbooks: reads the first worksheet of an xlsx, xls or ods file with calamine,
//! and writes a table as an xlsx file with rust_xlsxwriter.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, DataRef, Range, Reader, SheetType, SheetVisible, Xlsx};
use domain::table::{Cell, Row, Table};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};

use crate::limits::{Budget, prescan_xls, prescan_zip};
use crate::{Format, Limits, OfficeError};

pub(crate) fn read(format: Format, bytes: &[u8], limits: &Limits) -> Result<Vec<Row>, OfficeError> {
    let budget = Budget::new(limits);
    match format {
        Format::Xlsx => {
            prescan_zip(bytes, &budget, "xlsx")?;
            read_xlsx(bytes, &budget)
        }
        Format::Ods => {
            // calamine reads every sheet of an .ods whole, as a rectangle: the scan has
            // measured each rectangle, repeats counted, against `max_box_cells`.
            prescan_zip(bytes, &budget, "ods")?;
            let range = first_sheet(calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(Cursor::new(bytes)), "ods")?;
            range_rows(&range, &budget)
        }
        // calamine builds every sheet of an .xls as a rectangle while it opens the file: the
        // scan has walked the same records and bounded every rectangle first.
        Format::Xls => {
            prescan_xls(bytes, &budget)?;
            let range = first_sheet(calamine::open_workbook_from_rs::<calamine::Xls<_>, _>(Cursor::new(bytes)), "xls")?;
            range_rows(&range, &budget)
        }
        // CSV goes to the delimited module; refuse rather than guess.
        Format::Csv => Err(OfficeError::Unsupported("csv".into())),
    }
}

/// The first visible worksheet of an xlsx, read cell by cell: only cells that are there take
/// room, whatever the sheet's rectangle would be.
fn read_xlsx(bytes: &[u8], budget: &Budget) -> Result<Vec<Row>, OfficeError> {
    let unreadable = |e: calamine::XlsxError| OfficeError::Unreadable(format!("不是有效的 xlsx 文件（{e}）"));
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let name = chosen_sheet(book.sheets_metadata())?;
    let mut reader = book.worksheet_cells_reader(&name).map_err(unreadable)?;
    // What the sheet says of its size first: refused before a cell is read.
    let declared = reader.dimensions();
    if declared.start <= declared.end && declared.end != (0, 0) {
        budget.check_column(u64::from(declared.end.1) + 1)?;
        budget.check_row(u64::from(declared.end.0) + 1)?;
    }
    let mut cells: Vec<(u32, u32, Cell)> = Vec::new();
    let mut seen: u64 = 0;
    let mut text_bytes: u64 = 0;
    while let Some(c) = reader.next_cell().map_err(unreadable)? {
        seen += 1;
        if seen.is_multiple_of(4096) {
            budget.check_time()?;
        }
        budget.check_cells(seen)?;
        let (row, column) = c.get_position();
        // A shared string is copied into every cell that shows it: its bytes are counted
        // before the copy is made.
        let text_len = match c.get_value() {
            DataRef::SharedString(text) => text.len(),
            DataRef::String(text) => text.len(),
            _ => 0,
        };
        text_bytes = text_bytes.saturating_add(text_len as u64);
        budget.check_total_text(text_bytes)?;
        let data: Data = c.get_value().clone().into();
        if data == Data::Empty {
            continue;
        }
        budget.check_row(u64::from(row) + 1)?;
        budget.check_column(u64::from(column) + 1)?;
        if let Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) = &data {
            budget.check_text(s)?;
        }
        cells.push((row, column, cell(&data)));
    }
    Ok(sparse_rows(cells))
}

/// Rows from cells at their positions, numbered as the spreadsheet shows them and starting at
/// the leftmost used column, as a calamine rectangle would.
fn sparse_rows(mut cells: Vec<(u32, u32, Cell)>) -> Vec<Row> {
    cells.sort_by_key(|(r, c, _)| (*r, *c));
    let first_column = cells.iter().map(|(_, c, _)| *c).min().unwrap_or(0);
    let mut rows: Vec<Row> = Vec::new();
    for (r, c, value) in cells {
        let number = r as usize + 1;
        if rows.last().is_none_or(|row| row.number != number) {
            rows.push(Row { number, cells: Vec::new() });
        }
        let Some(row) = rows.last_mut() else { continue };
        let at = (c - first_column) as usize;
        if row.cells.len() < at {
            row.cells.resize(at, Cell::Empty);
        }
        if row.cells.len() == at {
            row.cells.push(value);
        } else {
            // The same cell twice: the later one wins, as in a rectangle.
            row.cells[at] = value;
        }
    }
    rows
}

/// The rows of a rectangle that the scan has already bounded.
fn range_rows(range: &Range<Data>, budget: &Budget) -> Result<Vec<Row>, OfficeError> {
    // Range positions are absolute and zero-based; the spreadsheet counts rows from 1.
    let Some((first_row, _)) = range.start() else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        if i.is_multiple_of(4096) {
            budget.check_time()?;
        }
        for data in cells {
            if let Data::String(s) = data {
                budget.check_text(s)?;
            }
        }
        rows.push(Row { number: first_row as usize + i + 1, cells: cells.iter().map(cell).collect() });
    }
    Ok(rows)
}

/// The first visible worksheet (chart sheets and hidden sheets are passed over when possible).
fn chosen_sheet(sheets: &[calamine::Sheet]) -> Result<String, OfficeError> {
    let worksheets: Vec<_> = sheets.iter().filter(|s| s.typ == SheetType::WorkSheet).collect();
    let chosen = worksheets
        .iter()
        .find(|s| s.visible == SheetVisible::Visible)
        .or(worksheets.first())
        .ok_or_else(|| OfficeError::Unreadable("文件中没有工作表".into()))?;
    Ok(chosen.name.clone())
}

fn first_sheet<'a, R, E>(opened: Result<R, E>, what: &str) -> Result<Range<Data>, OfficeError>
where
    R: Reader<Cursor<&'a [u8]>, Error = E>,
    E: std::fmt::Display,
{
    let unreadable = |e: E| OfficeError::Unreadable(format!("不是有效的 {what} 文件（{e}）"));
    let mut book = opened.map_err(unreadable)?;
    let name = chosen_sheet(book.sheets_metadata())?;
    book.worksheet_range(&name).map_err(unreadable)
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::from(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => {
            // A time of day alone (below 1) or a duration is not a date; keep its number.
            let date = if dt.is_datetime() && dt.as_f64() >= 1.0 {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                time::Month::try_from(m).ok().and_then(|m| time::Date::from_calendar_date(i32::from(y), m, d).ok())
            } else {
                None
            };
            date.map_or(Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTimeIso(s) => {
            s.get(..10).and_then(domain::parse_date).map_or_else(|| Cell::from(s.clone()), Cell::Date)
        }
        Data::DurationIso(s) => Cell::from(s.clone()),
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

/// Writes a table as an xlsx workbook of one sheet: a bold, frozen header row with a filter,
/// dates as real dates shown as yyyy-mm-dd, decimal figures as numbers shown with their
/// places (money as 1,234.50), and columns wide enough for their contents.
pub fn write_xlsx(sheet_name: &str, t: &Table) -> Result<Vec<u8>, OfficeError> {
    let failed = |e: rust_xlsxwriter::XlsxError| OfficeError::Write(e.to_string());
    let bold = CellFormat::new().set_bold();
    let date_format = CellFormat::new().set_num_format("yyyy-mm-dd");
    let wrap = CellFormat::new().set_text_wrap();

    // One number format per number of decimal places, made when first needed.
    let mut decimal_formats: BTreeMap<u32, CellFormat> = BTreeMap::new();

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name_for(sheet_name)).map_err(failed)?;

    let mut widths: Vec<usize> = t.headers.iter().map(|h| display_width(h)).collect();
    for (c, header) in t.headers.iter().enumerate() {
        sheet.write_string_with_format(0, column(c)?, header, &bold).map_err(failed)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| OfficeError::Write("行数太多".into()))?;
        for (c, value) in row.cells.iter().enumerate() {
            let col = column(c)?;
            match value {
                Cell::Empty => {}
                Cell::Text(s) if s.contains('\n') => {
                    sheet.write_string_with_format(r, col, s, &wrap).map_err(failed)?;
                }
                Cell::Text(s) => {
                    sheet.write_string(r, col, s).map_err(failed)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, col, *n).map_err(failed)?;
                }
                // A number, not text, or SUM in Excel and LibreOffice passes it over. The number
                // is the figure as shown (rounded to its places), read as the nearest double:
                // exact to the fen for any sum of money a station pays.
                Cell::Decimal { places, .. } => {
                    let shown = value.text();
                    let number: f64 = shown.parse().map_err(|_| OfficeError::Write(format!("“{shown}”不是数字")))?;
                    let format = decimal_formats
                        .entry(*places)
                        .or_insert_with(|| CellFormat::new().set_num_format(decimal_format(*places)));
                    sheet.write_number_with_format(r, col, number, format).map_err(failed)?;
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(r, col, *b).map_err(failed)?;
                }
                Cell::Date(d) => match excel_date(*d) {
                    Some(x) => {
                        sheet.write_datetime_with_format(r, col, &x, &date_format).map_err(failed)?;
                    }
                    // Outside Excel's calendar: keep it readable as text.
                    None => {
                        sheet.write_string(r, col, domain::format_date(*d)).map_err(failed)?;
                    }
                },
            }
            if widths.len() <= c {
                widths.resize(c + 1, 0);
            }
            widths[c] = widths[c].max(display_width(&value.text()));
        }
    }

    if !t.headers.is_empty() {
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        let last_row = u32::try_from(t.rows.len()).unwrap_or(u32::MAX);
        sheet.autofilter(0, 0, last_row, column(t.headers.len() - 1)?).map_err(failed)?;
    }
    for (c, w) in widths.iter().enumerate() {
        // Two characters of padding; very long notes wrap rather than make a huge column.
        let width = (*w + 2).clamp(6, 60);
        sheet.set_column_width(column(c)?, width as f64).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}

/// Excel's number format for a figure with `places` decimals and thousands separators:
/// "#,##0.00" for money in yuan, "#,##0" for whole points.
fn decimal_format(places: u32) -> String {
    if places == 0 { "#,##0".to_string() } else { format!("#,##0.{}", "0".repeat(places as usize)) }
}

fn column(c: usize) -> Result<u16, OfficeError> {
    u16::try_from(c).map_err(|_| OfficeError::Write("列数太多".into()))
}

fn excel_date(d: time::Date) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, u8::from(d.month()), d.day()).ok()
}

/// Excel refuses sheet names with []:*?/\, longer than 31 characters, or quoted at either end.
fn sheet_name_for(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect::<String>()
        .trim_matches('\'')
        .trim()
        .chars()
        .take(31)
        .collect();
    if cleaned.is_empty() { "Sheet1".to_string() } else { cleaned }
}

/// How many character widths a text takes in a cell: CJK and full-width characters count two.
/// A multi-line text counts its longest line.
fn display_width(text: &str) -> usize {
    text.lines().map(|line| line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()).max().unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F        // Hangul Jamo
        | 0x2E80..=0xA4CF      // CJK radicals, punctuation, kana, CJK ideographs, Yi
        | 0xAC00..=0xD7A3      // Hangul syllables
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0xFE30..=0xFE4F      // CJK compatibility forms
        | 0xFF00..=0xFF60      // full-width forms
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD) // CJK extensions B and beyond
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("中国知识产权报"), 14);
        assert_eq!(display_width("（60%）"), 7);
        assert_eq!(display_width("一行\nlonger line"), 11);
    }

    #[test]
    fn decimal_formats_have_the_places() {
        assert_eq!(decimal_format(2), "#,##0.00");
        assert_eq!(decimal_format(1), "#,##0.0");
        assert_eq!(decimal_format(0), "#,##0");
    }

    #[test]
    fn sheet_names_are_made_acceptable() {
        assert_eq!(sheet_name_for("刊发"), "刊发");
        assert_eq!(sheet_name_for("2007/06 [统计]"), "2007_06 _统计_");
        assert_eq!(sheet_name_for(""), "Sheet1");
        assert_eq!(sheet_name_for(&"长".repeat(40)).chars().count(), 31);
    }
}
