//! CSV in and out. Reads UTF-8 (with or without BOM), UTF-16 with a BOM, and GB18030/GBK,
//! which is what Chinese Excel writes when it saves a sheet as CSV. Writes UTF-8 with a BOM,
//! so that Excel opens the Chinese correctly.

use domain::table::{Cell, Row, Table};

use crate::limits::Budget;
use crate::{Limits, OfficeError};

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Row>, OfficeError> {
    let budget = Budget::new(limits);
    let text = decode(bytes)?;
    Ok(parse(&text, &budget)?.into_iter().enumerate().map(|(i, cells)| Row { number: i + 1, cells }).collect())
}

/// Splits CSV text into records the way Excel does, keeping blank lines as (empty) records so
/// that record i is row i + 1 as Excel numbers it. (The csv crate skips blank lines, which would
/// put every error message after a blank line on the wrong row.) Quoted fields may hold commas,
/// doubled quotes and line breaks; a quote inside an unquoted field is an ordinary character.
///
/// Works on bytes: the characters that matter are ASCII and never occur inside a multi-byte
/// UTF-8 character, so every slice taken falls on character boundaries. An unquoted field is
/// copied once, straight into its cell.
///
/// Within the budget: rows, columns, cells, characters in a cell, and time.
fn parse(text: &str, budget: &Budget) -> Result<Vec<Vec<Cell>>, OfficeError> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut i = 0;
    let mut cells: u64 = 0;
    // At the start of a record: the text may end here (no record after a final line break).
    while i < n {
        // One field and the delimiter after it.
        loop {
            let (field, end) = if bytes.get(i) == Some(&b'"') { quoted(text, i + 1) } else { unquoted(text, i) };
            if let Cell::Text(s) = &field {
                budget.check_text(s)?;
            }
            record.push(field);
            cells += 1;
            budget.check_cells(cells)?;
            budget.check_column(record.len() as u64)?;
            match bytes.get(end) {
                Some(b',') => i = end + 1,
                Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => {
                    i = end + 2;
                    break;
                }
                Some(_) => {
                    i = end + 1;
                    break;
                }
                None => {
                    i = n;
                    break;
                }
            }
        }
        records.push(std::mem::take(&mut record));
        budget.check_row(records.len() as u64)?;
        if records.len().is_multiple_of(1024) {
            budget.check_time()?;
        }
    }
    Ok(records)
}

/// Where the unquoted text from `from` ends: at the next comma or line break, or the end.
fn field_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|b| matches!(b, b',' | b'\r' | b'\n')).map_or(bytes.len(), |k| from + k)
}

/// An unquoted field starting at `from`, and where it ends.
fn unquoted(text: &str, from: usize) -> (Cell, usize) {
    let end = field_end(text.as_bytes(), from);
    (Cell::from(unguard(&text[from..end])), end)
}

/// A field whose opening quote is just before `from`, and where it ends. A line break inside
/// is kept as a plain \n, as xlsx files hold it; text after the closing quote is kept as it is.
/// A quote that never closes takes the rest of the text.
fn quoted(text: &str, from: usize) -> (Cell, usize) {
    let bytes = text.as_bytes();
    let mut value = String::new();
    let mut i = from;
    loop {
        let Some(k) = bytes[i..].iter().position(|b| matches!(b, b'"' | b'\r')) else {
            value.push_str(&text[i..]);
            return (cell(value), bytes.len());
        };
        value.push_str(&text[i..i + k]);
        i += k;
        match (bytes[i], bytes.get(i + 1)) {
            (b'\r', Some(b'\n')) => i += 1,
            (b'\r', _) => {
                value.push('\r');
                i += 1;
            }
            (_, Some(b'"')) => {
                value.push('"');
                i += 2;
            }
            _ => {
                i += 1;
                break;
            }
        }
    }
    let end = field_end(bytes, i);
    value.push_str(&text[i..end]);
    (cell(value), end)
}

fn cell(value: String) -> Cell {
    let unguarded = unguard(&value);
    if unguarded.len() == value.len() { Cell::from(value) } else { Cell::from(unguarded) }
}

fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, OfficeError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(OfficeError::Unreadable("这是 Excel 文件而不是 CSV 文件，请改用 .xlsx 或 .xls 扩展名".into()));
    }
    let unreadable = || OfficeError::Unreadable("文件编码无法识别，请另存为 UTF-8 编码的 CSV 文件".into());
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return if had_errors { Err(unreadable()) } else { Ok(text) };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.into());
    }
    // Not UTF-8: Chinese Excel and WPS save CSV in the system code page, GBK, which GB18030 contains.
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors { Err(unreadable()) } else { Ok(text) }
}

/// Writes a table as CSV: UTF-8 with a BOM, CRLF line ends, every row as wide as the header.
pub fn write_csv(t: &Table) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer =
            csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let width = t.headers.len();
        // Writing into a Vec cannot fail, so the results are ignored.
        let _ = writer.write_record(&t.headers);
        for row in &t.rows {
            let mut fields: Vec<String> = row.cells.iter().map(field).collect();
            if fields.len() < width {
                fields.resize(width, String::new());
            }
            let _ = writer.write_record(&fields);
        }
        let _ = writer.flush();
    }
    out
}

fn field(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => guard(s),
        other => other.text(),
    }
}

/// Whether Excel would run the text as a formula (=, +, -, @), also behind our own guard quotes.
fn looks_like_formula(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(['=', '+', '-', '@'])
}

/// A leading apostrophe stops Excel from running text such as "=HYPERLINK(…)" from the data as
/// a formula when it opens the CSV; `unguard` removes exactly that apostrophe when reading back.
fn guard(s: &str) -> String {
    if looks_like_formula(s) { format!("'{s}") } else { s.to_string() }
}

fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Vec<(usize, Vec<String>)> {
        read(text.as_bytes(), &Limits::default())
            .unwrap()
            .into_iter()
            .map(|r| (r.number, r.cells.iter().map(Cell::text).collect()))
            .collect()
    }

    #[test]
    fn row_numbers_count_blank_lines_and_not_newlines_inside_quotes() {
        let rows = numbers("a,b\n\n1,\"two\r\nlines\"\n\n\r\n3,x\r\n4,y");
        let got: Vec<(usize, Vec<&str>)> =
            rows.iter().map(|(n, cells)| (*n, cells.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            got,
            vec![
                (1, vec!["a", "b"]),
                (2, vec![""]),
                (3, vec!["1", "two\nlines"]),
                (4, vec![""]),
                (5, vec![""]),
                (6, vec!["3", "x"]),
                (7, vec!["4", "y"]),
            ]
        );
    }

    #[test]
    fn quotes_commas_and_ragged_rows() {
        let rows = numbers("\"a,1\",\"say \"\"hi\"\"\",x\"y\n1\n1,2,3,4\n\"\"\n");
        assert_eq!(rows[0].1, vec!["a,1", "say \"hi\"", "x\"y"]);
        assert_eq!(rows[1].1, vec!["1"]);
        assert_eq!(rows[2].1.len(), 4);
        assert_eq!((rows[3].0, rows[3].1.clone()), (4, vec![String::new()]));
        assert_eq!(rows.len(), 4);
    }

    #[test]
    fn formula_guard_round_trips() {
        for s in ["=1+1", "+86 027", "-5", "@x", "'=x", "''-x", "'plain", "plain", "a=b"] {
            assert_eq!(unguard(&guard(s)), s, "{s}");
        }
        assert_eq!(guard("=1+1"), "'=1+1");
        assert_eq!(guard("a=b"), "a=b");
    }

    /// The reader as it was first written, a character at a time: the byte-wise one must
    /// split every text the same way.
    fn parse_by_chars(text: &str) -> Vec<Vec<Cell>> {
        let mut records = Vec::new();
        let mut record = Vec::new();
        let mut field = String::new();
        let (mut started, mut at_field_start, mut in_quotes) = (false, true, false);
        let mut chars = text.chars().peekable();
        let cell = |f: String| Cell::from(unguard(&f).to_string());
        while let Some(c) = chars.next() {
            if in_quotes {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    continue;
                } else if c != '"' {
                    field.push(c);
                } else if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
                continue;
            }
            match c {
                '"' if at_field_start => (in_quotes, at_field_start, started) = (true, false, true),
                ',' => {
                    record.push(cell(std::mem::take(&mut field)));
                    (at_field_start, started) = (true, true);
                }
                '\r' | '\n' => {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    record.push(cell(std::mem::take(&mut field)));
                    records.push(std::mem::take(&mut record));
                    (at_field_start, started) = (true, false);
                }
                _ => {
                    field.push(c);
                    (at_field_start, started) = (false, true);
                }
            }
        }
        if started {
            record.push(cell(field));
            records.push(record);
        }
        records
    }

    #[test]
    fn splits_every_short_text_as_the_character_reader_did() {
        let alphabet = ["a", "中", ",", "\"", "\r", "\n", "'", "="];
        // Every text of up to six of these characters: 299,592 of them.
        let limits = Limits::default();
        let budget = Budget::new(&limits);
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            texts = texts.iter().flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}"))).collect();
            for t in &texts {
                assert_eq!(parse(t, &budget).unwrap(), parse_by_chars(t), "{t:?}");
            }
        }
        let sample = "\u{feff}标题,作者\r\n\"a,\"\"b\"\"\r\nc\"x,'=1+1\r\n,,\n\"unterminated,\r";
        assert_eq!(parse(sample, &budget).unwrap(), parse_by_chars(sample));
    }

    #[test]
    fn refuses_a_workbook_named_csv_and_undecodable_bytes() {
        let limits = Limits::default();
        assert!(matches!(read(b"PK\x03\x04....", &limits), Err(OfficeError::Unreadable(_))));
        assert!(matches!(read(b"\xFF\xFF\xFF\x80\x80", &limits), Err(OfficeError::Unreadable(_))));
    }
}
