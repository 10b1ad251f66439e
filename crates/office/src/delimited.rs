//! CSV in and out. Reads UTF-8 (with or without BOM), UTF-16 with a BOM, and GB18030/GBK,
//! which is what Chinese Excel writes when it saves a sheet as CSV. Writes UTF-8 with a BOM,
//! so that Excel opens the Chinese correctly.

use domain::table::{Cell, Row, Table};

use crate::OfficeError;

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Row>, OfficeError> {
    let text = decode(bytes)?;
    Ok(parse(&text)
        .into_iter()
        .enumerate()
        .map(|(i, fields)| Row {
            number: i + 1,
            cells: fields.into_iter().map(|f| Cell::from(unguard(&f).to_string())).collect(),
        })
        .collect())
}

/// Splits CSV text into records the way Excel does, keeping blank lines as (empty) records so
/// that record i is row i + 1 as Excel numbers it. (The csv crate skips blank lines, which would
/// put every error message after a blank line on the wrong row.) Quoted fields may hold commas,
/// doubled quotes and line breaks; a quote inside an unquoted field is an ordinary character.
fn parse(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut started = false; // whether the current record has any character yet
    let mut at_field_start = true;
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '\r' && chars.peek() == Some(&'\n') {
                // A line break inside a cell is kept as a plain \n, as xlsx files hold it.
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
            '"' if at_field_start => {
                in_quotes = true;
                at_field_start = false;
                started = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
                started = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
                started = false;
            }
            _ => {
                field.push(c);
                at_field_start = false;
                started = true;
            }
        }
    }
    // The last line need not end with a line break.
    if started {
        record.push(field);
        records.push(record);
    }
    records
}

fn decode(bytes: &[u8]) -> Result<String, OfficeError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(OfficeError::Unreadable("这是 Excel 文件而不是 CSV 文件，请改用 .xlsx 或 .xls 扩展名".into()));
    }
    let unreadable = || OfficeError::Unreadable("文件编码无法识别，请另存为 UTF-8 编码的 CSV 文件".into());
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return if had_errors { Err(unreadable()) } else { Ok(text.into_owned()) };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    // Not UTF-8: Chinese Excel and WPS save CSV in the system code page, GBK, which GB18030 contains.
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors { Err(unreadable()) } else { Ok(text.into_owned()) }
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
        read(text.as_bytes())
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

    #[test]
    fn refuses_a_workbook_named_csv_and_undecodable_bytes() {
        assert!(matches!(read(b"PK\x03\x04...."), Err(OfficeError::Unreadable(_))));
        assert!(matches!(read(b"\xFF\xFF\xFF\x80\x80"), Err(OfficeError::Unreadable(_))));
    }
}
