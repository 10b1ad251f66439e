//! The monthly public notice (公示) as a Word document (.docx) that Word, WPS and LibreOffice
//! open and print: an A4 page with the title centred in 黑体, the opening paragraphs, a bordered
//! table whose header row is bold and repeats on every page, numbers right-aligned, and the
//! signature lines (落款) with the content hash under the table.
//!
//! The caller decides what is published: cells arrive already formatted, and nothing here
//! adds or removes columns. Chinese text is set in 宋体 (body) and 黑体 (title); every run names
//! the font for East Asian text as well as for Latin text, so that no program falls back to a
//! Latin font for the Chinese.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, Docx, Footer, HeightRule, LineSpacing, NumPages, PageMargin, PageNum, Paragraph, Run,
    RunFonts, Shading, ShdType, SpecialIndentType, Style, StyleType, Table, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableLayoutType, TableRow, VAlignType, WidthType,
};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::OfficeError;

/// The media type for an HTTP download of a .docx file.
pub const DOCX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// What a public notice says, ready to print: every cell is already formatted text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeDoc {
    /// The title, e.g. "湖北通联站2007年6月宣传报道奖励公示".
    pub title: String,
    /// Paragraphs above the table: the policy, the period, the objection window.
    pub intro: Vec<String>,
    /// Column headings, e.g. 序号, 姓名, 单位, 稿件（篇）, 积分, 奖金（元）.
    pub headers: Vec<String>,
    /// One row per person, as wide as `headers`.
    pub rows: Vec<Vec<String>>,
    /// A 合计 row under the others, set in bold; as wide as `headers`.
    pub total_row: Option<Vec<String>>,
    /// Lines under the table, right-aligned: the station, the date, the content hash. A line
    /// too long for one line at body size (the hash) is set in 8 pt so that it does not wrap.
    pub footer: Vec<String>,
    /// Columns to right-align (numbers), counted from 0.
    pub numeric_columns: Vec<usize>,
}

/// Body text: 宋体 (SimSun).
const BODY_FONT: &str = "宋体";
/// The title: 黑体 (SimHei).
const TITLE_FONT: &str = "黑体";

/// Font sizes in half-points, as Word counts them.
const TITLE_SIZE: usize = 44; // 二号, 22 pt
const BODY_SIZE: usize = 28; // 四号, 14 pt
const TABLE_SIZE: usize = 24; // 小四, 12 pt
const SMALL_SIZE: usize = 18; // 小五, 9 pt
const FINE_PRINT_SIZE: usize = 16; // 8 pt, for a content hash
/// The first-line indent of a paragraph: two characters of body text, in twips.
const TWO_CHARACTERS: i32 = 2 * BODY_SIZE as i32 * 10;

/// A4 in twentieths of a point (twips), with 2.5 cm margins all round.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
const MARGIN: i32 = 1418;
const TEXT_WIDTH: usize = PAGE_WIDTH as usize - 2 * MARGIN as usize;

/// Builds the notice as the bytes of a .docx file.
pub fn notice_docx(doc: &NoticeDoc) -> Result<Vec<u8>, OfficeError> {
    check_widths(doc)?;

    let mut docx = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN).header(851).footer(851))
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE)
        .add_style(Style::new(PAGE_NUMBER_STYLE, StyleType::Paragraph).name("页码").size(SMALL_SIZE))
        .footer(page_number_footer());

    docx = docx.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().after(360))
            .add_run(text_run(&doc.title, TITLE_FONT, TITLE_SIZE)),
    );
    for line in &doc.intro {
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Both)
                .indent(None, Some(SpecialIndentType::FirstLine(TWO_CHARACTERS)), None, None)
                .line_spacing(LineSpacing::new().line(360).after(120))
                .add_run(text_run(line, BODY_FONT, BODY_SIZE)),
        );
    }
    // A little air between the opening paragraphs and the table.
    docx = docx.add_paragraph(Paragraph::new().line_spacing(LineSpacing::new().after(0).line(240)));
    docx = docx.add_table(table(doc));

    for (i, line) in doc.footer.iter().enumerate() {
        let size = if fits_on_a_line(line, BODY_SIZE) { BODY_SIZE } else { FINE_PRINT_SIZE };
        let before = if i == 0 { 480 } else { 0 };
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .line_spacing(LineSpacing::new().before(before).line(360))
                .add_run(text_run(line, BODY_FONT, size)),
        );
    }

    let mut built = docx.build();
    built.document = mark_header_row(built.document)?;
    let mut stored = Cursor::new(Vec::new());
    built.pack(&mut stored).map_err(write_error)?;
    compress(stored.get_ref())
}

/// Every row must be as wide as the header, or the table would come out ragged.
fn check_widths(doc: &NoticeDoc) -> Result<(), OfficeError> {
    let width = doc.headers.len();
    if width == 0 {
        return Err(OfficeError::Write("公示表没有表头".to_string()));
    }
    for (i, row) in doc.rows.iter().enumerate() {
        if row.len() != width {
            return Err(OfficeError::Write(format!("公示表第{}行有{}列，表头有{}列", i + 1, row.len(), width)));
        }
    }
    if let Some(total) = &doc.total_row
        && total.len() != width
    {
        return Err(OfficeError::Write(format!("公示表合计行有{}列，表头有{}列", total.len(), width)));
    }
    Ok(())
}

/// The table: the header row, the rows, the total row; thin black borders all round.
fn table(doc: &NoticeDoc) -> Table {
    let widths = column_widths(doc);
    let header = TableRow::new(
        doc.headers
            .iter()
            .zip(&widths)
            .map(|(text, &width)| {
                cell(text, width, AlignmentType::Center, true)
                    .shading(Shading::new().shd_type(ShdType::Clear).color("auto").fill("E7E6E6"))
            })
            .collect(),
    );
    let mut rows = vec![table_row(header)];
    for row in &doc.rows {
        rows.push(table_row(body_row(doc, row, &widths, false)));
    }
    if let Some(total) = &doc.total_row {
        rows.push(table_row(body_row(doc, total, &widths, true)));
    }

    let border = |position| TableBorder::new(position).border_type(BorderType::Single).size(4).color("000000");
    Table::new(rows)
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(docx_rs::TableAlignmentType::Center)
        .set_borders(
            TableBorders::new()
                .set(border(TableBorderPosition::Top))
                .set(border(TableBorderPosition::Left))
                .set(border(TableBorderPosition::Bottom))
                .set(border(TableBorderPosition::Right))
                .set(border(TableBorderPosition::InsideH))
                .set(border(TableBorderPosition::InsideV)),
        )
}

/// A row that is at least 0.8 cm high and never breaks across two pages.
fn table_row(row: TableRow) -> TableRow {
    row.row_height(454.0).height_rule(HeightRule::AtLeast).cant_split()
}

fn body_row(doc: &NoticeDoc, cells: &[String], widths: &[usize], bold: bool) -> TableRow {
    TableRow::new(
        cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(column, (text, &width))| {
                let align =
                    if doc.numeric_columns.contains(&column) { AlignmentType::Right } else { AlignmentType::Center };
                cell(text, width, align, bold)
            })
            .collect(),
    )
}

fn cell(text: &str, width: usize, align: AlignmentType, bold: bool) -> TableCell {
    let mut run = text_run(text, BODY_FONT, TABLE_SIZE);
    if bold {
        run = run.bold();
    }
    TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
        .add_paragraph(Paragraph::new().align(align).add_run(run))
}

/// Column widths in twips, filling the text width. Each column first gets room for its widest
/// text and the cell margins; what is left of the text width is shared out equally, so that
/// narrow number columns gain as much as wide name columns. If the texts need more than the
/// page has, every column shrinks in proportion and long texts wrap.
fn column_widths(doc: &NoticeDoc) -> Vec<usize> {
    const CELL_MARGINS: usize = 240;
    let mut needs: Vec<usize> = doc.headers.iter().map(|h| text_twips(h, TABLE_SIZE)).collect();
    for row in doc.rows.iter().chain(doc.total_row.iter()) {
        for (need, text) in needs.iter_mut().zip(row) {
            *need = (*need).max(text_twips(text, TABLE_SIZE));
        }
    }
    let natural: Vec<usize> = needs.iter().map(|&n| n.max(text_twips("序号", TABLE_SIZE)) + CELL_MARGINS).collect();
    let total: usize = natural.iter().sum();
    let mut widths: Vec<usize> = if total <= TEXT_WIDTH {
        let extra = (TEXT_WIDTH - total) / natural.len();
        natural.iter().map(|w| w + extra).collect()
    } else {
        natural.iter().map(|w| w * TEXT_WIDTH / total).collect()
    };
    let used: usize = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += TEXT_WIDTH - used;
    }
    widths
}

/// How wide a text prints in twips at a size in half-points: a Chinese character is one em, a
/// Latin letter or digit taken as 0.6 em, which is generous for 宋体 (0.5 em) and enough for the
/// wider Latin fonts other machines put in its place.
fn text_twips(text: &str, size: usize) -> usize {
    let tenths_of_em: usize = text.chars().map(|c| if c.is_ascii() { 6 } else { 10 }).sum();
    tenths_of_em * size // half-points × 10 twips per half-point ÷ 10 tenths
}

/// Whether a line fits across the text width at a font size in half-points.
fn fits_on_a_line(text: &str, size: usize) -> bool {
    text_twips(text, size) <= TEXT_WIDTH
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new().ascii(name).hi_ansi(name).east_asia(name).cs(name)
}

fn text_run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(printable(text)).fonts(fonts(font)).size(size)
}

/// Text with line breaks and tabs turned into spaces and other control characters dropped:
/// XML cannot carry them, and a cell is one line.
fn printable(text: &str) -> String {
    text.chars().filter_map(|c| if c.is_control() { c.is_whitespace().then_some(' ') } else { Some(c) }).collect()
}

/// The paragraph style of the page numbers, which sets their size: the page number fields
/// are runs docx-rs gives no size of their own.
const PAGE_NUMBER_STYLE: &str = "PageNumber";

/// "第 1 页 共 2 页", centred at the foot of every page.
fn page_number_footer() -> Footer {
    let run = |text: &str| text_run(text, BODY_FONT, SMALL_SIZE);
    Footer::new().add_paragraph(
        Paragraph::new()
            .style(PAGE_NUMBER_STYLE)
            .align(AlignmentType::Center)
            .add_run(run("第 "))
            .add_page_num(PageNum::new())
            .add_run(run(" 页 共 "))
            .add_num_pages(NumPages::new())
            .add_run(run(" 页")),
    )
}

/// The package again with its parts deflated: docx-rs stores them uncompressed, and the XML of
/// a notice shrinks to about a tenth. Directory entries are left out (a .docx has no need of
/// them), and every part is dated 1980-01-01 so that the same notice gives the same bytes.
fn compress(stored: &[u8]) -> Result<Vec<u8>, OfficeError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(stored)).map_err(write_error)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(write_error)?;
        if part.is_dir() {
            continue;
        }
        out.start_file(part.name().to_string(), options).map_err(write_error)?;
        std::io::copy(&mut part, &mut out).map_err(write_error)?;
    }
    Ok(out.finish().map_err(write_error)?.into_inner())
}

fn write_error(e: impl std::fmt::Display) -> OfficeError {
    OfficeError::Write(e.to_string())
}

/// Marks the table's first row as its header row (`w:tblHeader`), which Word and LibreOffice
/// repeat at the top of every page. docx-rs has no setting for it, so it is added to the
/// generated XML: the first row properties in the document are the header row's, because the
/// table is the only one and every row is set not to split.
fn mark_header_row(document: Vec<u8>) -> Result<Vec<u8>, OfficeError> {
    const FIRST_ROW: &str = "<w:trPr><w:cantSplit />";
    let xml = String::from_utf8(document).map_err(write_error)?;
    if !xml.contains(FIRST_ROW) {
        return Err(OfficeError::Write("公示表表头行无法标记".to_string()));
    }
    Ok(xml.replacen(FIRST_ROW, "<w:trPr><w:cantSplit /><w:tblHeader />", 1).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_fill_the_text_width() {
        let doc = NoticeDoc {
            headers: vec!["序号".into(), "姓名".into(), "单位".into()],
            rows: vec![vec!["1".into(), "张伟".into(), "神农架林区知识产权局".into()]],
            ..NoticeDoc::default()
        };
        let widths = column_widths(&doc);
        assert_eq!(widths.iter().sum::<usize>(), TEXT_WIDTH);
        assert!(widths[2] > widths[1] && widths[1] >= widths[0]);
    }

    #[test]
    fn control_characters_do_not_reach_the_xml() {
        assert_eq!(printable("张\n伟\t\u{7}"), "张 伟 ");
    }

    #[test]
    fn a_long_hash_line_is_set_smaller() {
        let hash = format!("内容校验码（SHA-256）：{}", "ab".repeat(32));
        assert!(!fits_on_a_line(&hash, BODY_SIZE));
        assert!(fits_on_a_line(&hash, FINE_PRINT_SIZE));
        assert!(fits_on_a_line("湖北通联站", BODY_SIZE));
    }
}
