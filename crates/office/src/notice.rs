//! The monthly public notice (公示) as a Word document (.docx) that Word, WPS and LibreOffice
//! open and print: an A4 page with the title centred in 黑体, the opening paragraphs, a bordered
//! table whose header row is bold and repeats on every page, numbers right-aligned, and the
//! signature lines (落款) with the content hash under the table.
//!
//! The caller decides what is published: cells arrive already formatted, and nothing here
//! adds or removes columns. Chinese text is set in 宋体 (body) and 黑体 (title); every run names
//! the font for East Asian text as well as for Latin text, so that no program falls back to a
//! Latin font for the Chinese. The page, the fonts and the table are shared with the reports
//! (`docx_style`).

use docx_rs::{AlignmentType, LineSpacing, Paragraph, SpecialIndentType};

use crate::OfficeError;
use crate::docx_style::{
    ER_HAO, HEI, SI_HAO, SONG, TableText, a4_document, fits_on_a_line, pack, text_run, two_characters,
};

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
const BODY_FONT: &str = SONG;
/// The title: 黑体 (SimHei).
const TITLE_FONT: &str = HEI;

/// Font sizes in half-points, as Word counts them.
const TITLE_SIZE: usize = ER_HAO; // 二号, 22 pt
const BODY_SIZE: usize = SI_HAO; // 四号, 14 pt
const FINE_PRINT_SIZE: usize = 16; // 8 pt, for a content hash
/// The first-line indent of a paragraph: two characters of body text, in twips.
const TWO_CHARACTERS: i32 = two_characters(BODY_SIZE);

/// Builds the notice as the bytes of a .docx file.
pub fn notice_docx(doc: &NoticeDoc) -> Result<Vec<u8>, OfficeError> {
    let table = table_text(doc);
    table.check_widths("公示表")?;

    let mut docx = a4_document();

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
    docx = docx.add_table(table.table());

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

    pack(docx)
}

/// The notice's one table, as `docx_style` sets tables.
fn table_text(doc: &NoticeDoc) -> TableText<'_> {
    TableText {
        headers: &doc.headers,
        rows: &doc.rows,
        total_row: doc.total_row.as_deref(),
        numeric_columns: &doc.numeric_columns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_hash_line_is_set_smaller() {
        let hash = format!("内容校验码（SHA-256）：{}", "ab".repeat(32));
        assert!(!fits_on_a_line(&hash, BODY_SIZE));
        assert!(fits_on_a_line(&hash, FINE_PRINT_SIZE));
        assert!(fits_on_a_line("湖北通联站", BODY_SIZE));
    }
}
