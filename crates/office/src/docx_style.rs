//! What the office's Word documents (.docx) have in common, so that the public notice and the
//! reports print alike: the A4 page with 2.5 cm margins and "第 1 页 共 2 页" at its foot, runs
//! that name their font for East Asian text as well as Latin text, bordered tables whose header
//! row repeats on every page, `Normal` marked as the default paragraph style, and the packing of
//! the file (deflated, the same bytes every time).
//!
//! Every run names its font four ways (ascii, hAnsi, eastAsia, cs): Word, WPS and LibreOffice
//! each look at a different one, and a run without an East Asian font falls back to a Latin
//! font for the Chinese.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, Docx, Footer, HeightRule, NumPages, PageMargin, PageNum, Paragraph, Run, RunFonts,
    Shading, ShdType, Style, StyleType, Table, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableLayoutType, TableRow, VAlignType, WidthType,
};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::OfficeError;

/// 宋体 (SimSun): body text of the notice, every table.
pub(crate) const SONG: &str = "宋体";
/// 黑体 (SimHei): titles and first-level headings.
pub(crate) const HEI: &str = "黑体";
/// 楷体 (KaiTi): subtitles and second-level headings.
pub(crate) const KAI: &str = "楷体";
/// 仿宋 (FangSong): the body of a report, as in official documents (GB/T 9704).
pub(crate) const FANGSONG: &str = "仿宋";

/// Font sizes in half-points, as Word counts them, by their Chinese names.
pub(crate) const ER_HAO: usize = 44; // 二号, 22 pt
pub(crate) const SAN_HAO: usize = 32; // 三号, 16 pt
pub(crate) const SI_HAO: usize = 28; // 四号, 14 pt
pub(crate) const XIAO_SI: usize = 24; // 小四, 12 pt
pub(crate) const XIAO_WU: usize = 18; // 小五, 9 pt

/// Table text: 宋体 小四.
const TABLE_SIZE: usize = XIAO_SI;

/// A4 in twentieths of a point (twips), with 2.5 cm margins all round.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
const MARGIN: i32 = 1418;
pub(crate) const TEXT_WIDTH: usize = PAGE_WIDTH as usize - 2 * MARGIN as usize;

/// The first-line indent of a paragraph: two characters at a font size in half-points, in twips.
pub(crate) const fn two_characters(size: usize) -> i32 {
    2 * size as i32 * 10
}

/// An empty A4 document: the margins, 宋体 四号 as the default, page numbers in the footer.
pub(crate) fn a4_document() -> Docx {
    Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN).header(851).footer(851))
        .default_fonts(fonts(SONG))
        .default_size(SI_HAO)
        .add_style(Style::new(PAGE_NUMBER_STYLE, StyleType::Paragraph).name("页码").size(XIAO_WU))
        .footer(page_number_footer())
}

/// The .docx file of a finished document: every table's header row marked to repeat, the parts
/// deflated.
pub(crate) fn pack(docx: Docx) -> Result<Vec<u8>, OfficeError> {
    let mut built = docx.build();
    built.document = number_pictures(mark_header_rows(built.document)?)?;
    built.styles = mark_normal_the_default(built.styles)?;
    let mut stored = Cursor::new(Vec::new());
    built.pack(&mut stored).map_err(write_error)?;
    compress(stored.get_ref())
}

pub(crate) fn fonts(name: &str) -> RunFonts {
    RunFonts::new().ascii(name).hi_ansi(name).east_asia(name).cs(name)
}

pub(crate) fn text_run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(printable(text)).fonts(fonts(font)).size(size)
}

/// Text with line breaks and tabs turned into spaces and other control characters dropped:
/// XML cannot carry them, and a cell or a heading is one line.
pub(crate) fn printable(text: &str) -> String {
    text.chars().filter_map(|c| if c.is_control() { c.is_whitespace().then_some(' ') } else { Some(c) }).collect()
}

/// How wide a text prints in twips at a size in half-points: a Chinese character is one em, a
/// Latin letter or digit taken as 0.6 em, which is generous for 宋体 (0.5 em) and enough for the
/// wider Latin fonts other machines put in its place.
pub(crate) fn text_twips(text: &str, size: usize) -> usize {
    let tenths_of_em: usize = text.chars().map(|c| if c.is_ascii() { 6 } else { 10 }).sum();
    tenths_of_em * size // half-points × 10 twips per half-point ÷ 10 tenths
}

/// Whether a line fits across the text width at a font size in half-points.
pub(crate) fn fits_on_a_line(text: &str, size: usize) -> bool {
    text_twips(text, size) <= TEXT_WIDTH
}

pub(crate) fn write_error(e: impl std::fmt::Display) -> OfficeError {
    OfficeError::Write(e.to_string())
}

/// A table as the caller gives it: formatted cells, a header row and perhaps a 合计 row.
pub(crate) struct TableText<'a> {
    pub headers: &'a [String],
    pub rows: &'a [Vec<String>],
    pub total_row: Option<&'a [String]>,
    /// Columns to right-align (numbers), counted from 0.
    pub numeric_columns: &'a [usize],
}

impl TableText<'_> {
    /// Every row must be as wide as the header, or the table would come out ragged. `name`
    /// says which table in the message, e.g. "公示表".
    pub(crate) fn check_widths(&self, name: &str) -> Result<(), OfficeError> {
        let width = self.headers.len();
        if width == 0 {
            return Err(OfficeError::Write(format!("{name}没有表头")));
        }
        for (i, row) in self.rows.iter().enumerate() {
            if row.len() != width {
                return Err(OfficeError::Write(format!("{name}第{}行有{}列，表头有{}列", i + 1, row.len(), width)));
            }
        }
        if let Some(total) = self.total_row
            && total.len() != width
        {
            return Err(OfficeError::Write(format!("{name}合计行有{}列，表头有{}列", total.len(), width)));
        }
        Ok(())
    }

    /// The table across the text width: the header row (bold, shaded), the rows, the total row
    /// (bold); thin black borders all round. `pack` marks the header row to repeat.
    pub(crate) fn table(&self) -> Table {
        let widths = self.column_widths();
        let header = TableRow::new(
            self.headers
                .iter()
                .zip(&widths)
                .map(|(text, &width)| {
                    cell(text, width, AlignmentType::Center, true)
                        .shading(Shading::new().shd_type(ShdType::Clear).color("auto").fill("E7E6E6"))
                })
                .collect(),
        );
        let mut rows = vec![table_row(header)];
        for row in self.rows {
            rows.push(table_row(self.body_row(row, &widths, false)));
        }
        if let Some(total) = self.total_row {
            rows.push(table_row(self.body_row(total, &widths, true)));
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

    fn body_row(&self, cells: &[String], widths: &[usize], bold: bool) -> TableRow {
        TableRow::new(
            cells
                .iter()
                .zip(widths)
                .enumerate()
                .map(|(column, (text, &width))| {
                    let align = if self.numeric_columns.contains(&column) {
                        AlignmentType::Right
                    } else {
                        AlignmentType::Center
                    };
                    cell(text, width, align, bold)
                })
                .collect(),
        )
    }

    /// Column widths in twips, filling the text width. Each column first gets room for its
    /// widest text and the cell margins; what is left of the text width is shared out equally,
    /// so that narrow number columns gain as much as wide name columns. If the texts need more
    /// than the page has, the headings are let wrap onto two lines first (a heading such as
    /// 报送稿件（篇） over a column of numbers is what makes a table wide), and if that is not
    /// enough every column shrinks in proportion and long texts wrap.
    fn column_widths(&self) -> Vec<usize> {
        let mut natural = self.natural_widths(|header| text_twips(header, TABLE_SIZE));
        if natural.iter().sum::<usize>() > TEXT_WIDTH {
            natural = self.natural_widths(two_line_twips);
        }
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

    /// Room for each column's widest text and the cell margins, its header taking
    /// `header_twips`.
    fn natural_widths(&self, header_twips: impl Fn(&str) -> usize) -> Vec<usize> {
        const CELL_MARGINS: usize = 240;
        let mut needs: Vec<usize> = self.headers.iter().map(|h| header_twips(h)).collect();
        for row in self.rows.iter().map(Vec::as_slice).chain(self.total_row) {
            for (need, text) in needs.iter_mut().zip(row) {
                *need = (*need).max(text_twips(text, TABLE_SIZE));
            }
        }
        needs.iter().map(|&n| n.max(text_twips("序号", TABLE_SIZE)) + CELL_MARGINS).collect()
    }
}

/// How wide a table heading prints on two lines: the longer of its halves. Chinese breaks
/// between any two characters, and headings are Chinese.
fn two_line_twips(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let (first, second) = chars.split_at(chars.len().div_ceil(2));
    let twips = |half: &[char]| text_twips(&half.iter().collect::<String>(), TABLE_SIZE);
    twips(first).max(twips(second))
}

/// A row that is at least 0.8 cm high and never breaks across two pages.
fn table_row(row: TableRow) -> TableRow {
    row.row_height(454.0).height_rule(HeightRule::AtLeast).cant_split()
}

fn cell(text: &str, width: usize, align: AlignmentType, bold: bool) -> TableCell {
    let mut run = text_run(text, SONG, TABLE_SIZE);
    if bold {
        run = run.bold();
    }
    TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
        .add_paragraph(Paragraph::new().align(align).add_run(run))
}

/// The paragraph style of the page numbers, which sets their size: the page number fields
/// are runs docx-rs gives no size of their own.
const PAGE_NUMBER_STYLE: &str = "PageNumber";

/// "第 1 页 共 2 页", centred at the foot of every page.
fn page_number_footer() -> Footer {
    let run = |text: &str| text_run(text, SONG, XIAO_WU);
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
/// a document shrinks to about a tenth. Directory entries are left out (a .docx has no need of
/// them), and every part is dated 1980-01-01 so that the same document gives the same bytes.
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

/// Marks the first row of every table as its header row (`w:tblHeader`), which Word and
/// LibreOffice repeat at the top of every page. docx-rs has no setting for it, so it is added
/// to the generated XML: tables here are never nested and every row is set not to split, so
/// the first row properties after a table's start are its header row's.
fn mark_header_rows(document: Vec<u8>) -> Result<Vec<u8>, OfficeError> {
    const TABLE: &str = "<w:tbl>";
    const ROW: &str = "<w:trPr><w:cantSplit />";
    const HEADER_ROW: &str = "<w:trPr><w:cantSplit /><w:tblHeader />";
    let xml = String::from_utf8(document).map_err(write_error)?;
    let mut parts = xml.split(TABLE);
    let mut marked = String::with_capacity(xml.len() + 64);
    marked.push_str(parts.next().unwrap_or_default());
    for part in parts {
        if !part.contains(ROW) {
            return Err(OfficeError::Write("表格表头行无法标记".to_string()));
        }
        marked.push_str(TABLE);
        marked.push_str(&part.replacen(ROW, HEADER_ROW, 1));
    }
    Ok(marked.into_bytes())
}

/// Gives every picture a number of its own (`wp:docPr id`): docx-rs numbers them all 1, and
/// the drawings of a document must have different ids (Word may find a file with two alike
/// damaged).
fn number_pictures(document: Vec<u8>) -> Result<Vec<u8>, OfficeError> {
    const PICTURE: &str = r#"<wp:docPr id="1" name="Figure" />"#;
    let xml = String::from_utf8(document).map_err(write_error)?;
    let mut parts = xml.split(PICTURE);
    let mut numbered = String::with_capacity(xml.len() + 64);
    numbered.push_str(parts.next().unwrap_or_default());
    for (i, part) in parts.enumerate() {
        numbered.push_str(&format!(r#"<wp:docPr id="{n}" name="图{n}" />"#, n = i + 1));
        numbered.push_str(part);
    }
    Ok(numbered.into_bytes())
}

/// Marks the `Normal` paragraph style as the default one (`w:default="1"`), which a paragraph
/// without a style of its own takes. docx-rs writes `Normal` without the mark; Word falls back
/// to it by its name, but python-docx and other readers look for the mark, find no default and
/// give such paragraphs no style at all.
fn mark_normal_the_default(styles: Vec<u8>) -> Result<Vec<u8>, OfficeError> {
    const NORMAL: &str = r#"<w:style w:type="paragraph" w:styleId="Normal">"#;
    const DEFAULT_NORMAL: &str = r#"<w:style w:type="paragraph" w:styleId="Normal" w:default="1">"#;
    let xml = String::from_utf8(styles).map_err(write_error)?;
    if xml.matches(NORMAL).count() != 1 {
        return Err(OfficeError::Write("正文样式无法设为默认样式".to_string()));
    }
    Ok(xml.replacen(NORMAL, DEFAULT_NORMAL, 1).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn widths_fill_the_text_width() {
        let headers = strings(&["序号", "姓名", "单位"]);
        let rows = vec![strings(&["1", "张伟", "神农架林区知识产权局"])];
        let table = TableText { headers: &headers, rows: &rows, total_row: None, numeric_columns: &[] };
        let widths = table.column_widths();
        assert_eq!(widths.iter().sum::<usize>(), TEXT_WIDTH);
        assert!(widths[2] > widths[1] && widths[1] >= widths[0]);
    }

    #[test]
    fn headings_wrap_before_cells_do() {
        let headers = strings(&["序号", "单位", "报送稿件（篇）", "采用稿件（篇）", "采用率", "积分"]);
        let rows = vec![strings(&["17", "神农架林区知识产权局", "8", "5", "62.5%", "57"])];
        let total = strings(&["合计", "", "536", "354", "66.0%", "4366.0"]);
        let table = TableText { headers: &headers, rows: &rows, total_row: Some(&total), numeric_columns: &[] };
        let natural = table.natural_widths(|h| text_twips(h, TABLE_SIZE));
        assert!(natural.iter().sum::<usize>() > TEXT_WIDTH, "too wide with every heading on one line");
        let widths = table.column_widths();
        assert_eq!(widths.iter().sum::<usize>(), TEXT_WIDTH);
        let room = |column: usize, text: &str| widths[column] >= text_twips(text, TABLE_SIZE) + 240;
        assert!(room(1, "神农架林区知识产权局") && room(4, "66.0%") && room(5, "4366.0"), "{widths:?}");
        assert!(room(2, "报送稿件") && !room(2, "报送稿件（篇）"), "{widths:?}");
        assert_eq!(two_line_twips("报送稿件（篇）"), text_twips("报送稿件", TABLE_SIZE));
    }

    #[test]
    fn control_characters_do_not_reach_the_xml() {
        assert_eq!(printable("张\n伟\t\u{7}"), "张 伟 ");
    }

    #[test]
    fn normal_is_the_default_paragraph_style() {
        let styles = a4_document().build().styles;
        let marked = String::from_utf8(mark_normal_the_default(styles).unwrap()).unwrap();
        assert_eq!(marked.matches(r#"w:default="1""#).count(), 1, "{marked}");
        assert!(
            marked
                .contains(r#"<w:style w:type="paragraph" w:styleId="Normal" w:default="1"><w:name w:val="Normal" />"#)
        );
    }

    #[test]
    fn the_first_row_of_every_table_repeats() {
        let row = "<w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr>";
        let xml = format!("<w:body><w:tbl>{row}{row}</w:tbl><w:p /><w:tbl>{row}</w:tbl></w:body>");
        let marked = String::from_utf8(mark_header_rows(xml.into_bytes()).unwrap()).unwrap();
        assert_eq!(marked.matches("<w:tblHeader />").count(), 2);
        assert_eq!(marked.matches("<w:tr>").count(), 3);
        assert!(marked.starts_with("<w:body><w:tbl><w:tr><w:trPr><w:cantSplit /><w:tblHeader />"));
    }
}
