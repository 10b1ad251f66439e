//! Files people already use: reads CSV and spreadsheet files (xlsx, and xls/ods as they come)
//! into a `domain::table::Table`, and writes a `Table` out as CSV or xlsx. Knows nothing of
//! what the columns mean: `domain::import` does that. Also the other files the portal takes
//! in: photos (resized, re-encoded without their metadata) and documents (.docx, .pdf, .txt:
//! their text for search and an HTML preview of their opening pages). And the Word documents
//! the office prints: the monthly notice and reports (通报, 年度经验交流材料), with charts drawn
//! as SVG for the pages and as PNG for the reports.

mod chart;
mod chart_png;
mod delimited;
mod docx_style;
mod image;
mod limits;
mod notice;
mod picture;
mod preview;
pub mod report;
mod workbook;

use domain::table::{Cell, Row, Table};

pub use self::image::{
    DISPLAY_MAX_WIDTH, ImageError, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, ProcessedImage, THUMB_MAX_WIDTH, process_image,
};
pub use chart::{Series, bar_chart_svg, line_chart_svg};
pub use chart_png::chart_png;
pub use delimited::write_csv;
pub use limits::Limits;
pub use notice::{DOCX_CONTENT_TYPE, NoticeDoc, notice_docx};
pub use picture::demo_picture;
pub use preview::{
    DocFormat, MAX_DOCUMENT_BYTES, MAX_TEXT_CHARS, Preview, PreviewError, document_text, preview_html, sniff_document,
};
pub use report::{Block, ReportDoc, ReportTable, report_docx};
pub use workbook::write_xlsx;

/// A file format, told by the file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    /// Excel 97–2003; read only.
    Xls,
    /// OpenDocument (LibreOffice, WPS); read only.
    Ods,
}

impl Format {
    /// The format of a file name such as "刊发.XLSX"; `None` for anything else.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let (_, ext) = name.trim().rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "xls" => Some(Format::Xls),
            "ods" => Some(Format::Ods),
            _ => None,
        }
    }

    /// The usual extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
        }
    }

    /// The media type for an HTTP download.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Xls => "application/vnd.ms-excel",
            Format::Ods => "application/vnd.oasis.opendocument.spreadsheet",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficeError {
    #[error("不支持的文件类型「{0}」，请使用 .xlsx 或 .csv 文件")]
    Unsupported(String),
    #[error("文件无法读取：{0}")]
    Unreadable(String),
    #[error("表格为空")]
    Empty,
    /// Over one of the `Limits`; the message names it.
    #[error("{0}")]
    Limit(String),
    #[error("文件生成失败：{0}")]
    Write(String),
}

/// Reads an uploaded file into a table: the first worksheet of a workbook, the first non-empty
/// row as the header, blank rows skipped, and every row numbered as the spreadsheet shows it.
/// Within the default `Limits`; a file over one is refused with `OfficeError::Limit`.
///
/// This is CPU work of up to seconds: call it off the async workers.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, OfficeError> {
    read_table_within(file_name, bytes, &Limits::default())
}

/// `read_table` within the given limits.
pub fn read_table_within(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Table, OfficeError> {
    let format =
        Format::from_file_name(file_name).ok_or_else(|| OfficeError::Unsupported(file_name.trim().to_string()))?;
    let rows = match format {
        Format::Csv => delimited::read(bytes, limits)?,
        _ => workbook::read(format, bytes, limits)?,
    };
    into_table(rows)
}

/// Turns numbered raw rows into a table. Data rows are padded to the header's width and lose
/// empty cells beyond it, so that a table reads the same whichever format it came in.
fn into_table(rows: Vec<Row>) -> Result<Table, OfficeError> {
    let mut rows = rows.into_iter().filter(|r| !r.cells.iter().all(Cell::is_empty));
    let header = rows.next().ok_or(OfficeError::Empty)?;
    let mut headers: Vec<String> = header.cells.iter().map(Cell::text).collect();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    let width = headers.len();
    let rows = rows
        .map(|mut row| {
            while row.cells.len() > width && row.cells.last().is_some_and(Cell::is_empty) {
                row.cells.pop();
            }
            if row.cells.len() < width {
                row.cells.resize(width, Cell::Empty);
            }
            row
        })
        .collect();
    Ok(Table { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_file_names() {
        assert_eq!(Format::from_file_name("a.XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::from_file_name("刊发 2007.csv"), Some(Format::Csv));
        assert_eq!(Format::from_file_name("old.xls"), Some(Format::Xls));
        assert_eq!(Format::from_file_name("wps.ods"), Some(Format::Ods));
        assert_eq!(Format::from_file_name("notes.docx"), None);
        assert_eq!(Format::from_file_name("xlsx"), None);
    }

    #[test]
    fn unsupported_and_empty_files_say_so_in_chinese() {
        let e = read_table("a.docx", b"x").unwrap_err();
        assert_eq!(e.to_string(), "不支持的文件类型「a.docx」，请使用 .xlsx 或 .csv 文件");
        assert_eq!(read_table("a.csv", b"").unwrap_err(), OfficeError::Empty);
        assert_eq!(read_table("a.csv", b" , \r\n,,\r\n").unwrap_err().to_string(), "表格为空");
        assert!(matches!(read_table("a.xlsx", b"not a zip"), Err(OfficeError::Unreadable(_))));
    }

    #[test]
    fn rows_are_padded_to_the_header() {
        let rows = vec![
            Row { number: 1, cells: vec![Cell::Empty] },
            Row { number: 2, cells: vec!["甲".into(), "乙".into(), Cell::Empty] },
            Row { number: 3, cells: vec!["1".into()] },
            Row { number: 4, cells: vec!["1".into(), Cell::Empty, Cell::Empty, "多".into(), Cell::Empty] },
        ];
        let t = into_table(rows).unwrap();
        assert_eq!(t.headers, vec!["甲", "乙"]);
        assert_eq!(t.rows[0], Row { number: 3, cells: vec!["1".into(), Cell::Empty] });
        assert_eq!(t.rows[1].cells.len(), 4);
    }
}
