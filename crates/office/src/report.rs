//! Reports as Word documents (.docx): the monthly progress bulletin (通报) and the annual
//! exchange report (年度经验交流材料), or anything else that is a title, headings, paragraphs,
//! tables and pictures (charts). The caller gives the report as data (`ReportDoc`); this
//! module owns how it looks.
//!
//! The look follows official documents (GB/T 9704): the title in 黑体 二号, first-level headings
//! in 黑体 三号, second-level headings in 楷体 四号, the body in 仿宋 四号 with a two-character
//! indent, tables in 宋体. Headings are real Word headings ("heading 1", "heading 2", with outline
//! levels), so that Word's navigation pane, a table of contents and a PDF's bookmarks find them.
//! The page, the fonts on every run and the tables are shared with the notice (`docx_style`).

use std::io::Cursor;

use docx_rs::{AlignmentType, Docx, LineSpacing, Paragraph, Pic, Run, SpecialIndentType, Style, StyleType};

use crate::OfficeError;
use crate::chart_png::chart_png;
use crate::docx_style::{
    ER_HAO, FANGSONG, HEI, KAI, SAN_HAO, SI_HAO, SONG, TEXT_WIDTH, TableText, a4_document, fonts, pack, text_run,
    two_characters,
};

/// A report as data: the 通报 (monthly progress bulletin) and the annual exchange report
/// (年度经验交流材料). Every text is printed as given; nothing is numbered or formatted here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportDoc {
    /// Centred, 黑体 二号, e.g. "湖北通联站2007年度经验交流材料". Left out when empty.
    pub title: String,
    /// Centred under the title, 楷体 三号, e.g. "湖北通联站　2008年1月".
    pub subtitle: Option<String>,
    /// The body, in order.
    pub blocks: Vec<Block>,
    /// Right-aligned lines at the end (落款): the station, the date.
    pub footer: Vec<String>,
}

/// One piece of a report's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A first-level heading, 黑体 三号, e.g. "一、主要做法": Word's "heading 1" style, outline
    /// level 1 (`w:outlineLvl` 0).
    Heading1(String),
    /// A second-level heading, 楷体 四号, e.g. "（一）工作成效": Word's "heading 2" style, outline
    /// level 2 (`w:outlineLvl` 1).
    Heading2(String),
    /// A paragraph of body text, 仿宋 四号, with a two-character first-line indent.
    Paragraph(String),
    Table(ReportTable),
    /// A picture, e.g. a chart drawn by `chart_png`: a PNG, centred, `width_mm` wide (at most
    /// the text width, 160 mm) and as high as its proportions make it, with `caption` under it
    /// (宋体 四号, bold; none when empty).
    Picture {
        png: Vec<u8>,
        width_mm: u32,
        caption: String,
    },
}

/// How wide a chart is drawn, in pixels: twice its SVG drawing width, about 240 dpi at 150 mm.
const CHART_PNG_WIDTH: u32 = 1440;

impl Block {
    /// A chart (an SVG from `bar_chart_svg` or `line_chart_svg`) drawn as a picture `width_mm`
    /// wide, `caption` under it. When it cannot be drawn (no Chinese font on the server) a
    /// paragraph in its place says why, and the report still goes out: without its charts it
    /// is still the year's report, and whoever reads it sees what to fix.
    pub fn chart(svg: &str, width_mm: u32, caption: &str) -> Block {
        match chart_png(svg, CHART_PNG_WIDTH) {
            Ok(png) => Block::Picture { png, width_mm, caption: caption.into() },
            Err(OfficeError::Write(why)) => Block::Paragraph(format!("（{caption}未能生成：{why}）")),
            Err(e) => Block::Paragraph(format!("（{caption}未能生成：{e}）")),
        }
    }
}

/// A table of a report, every cell already formatted text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportTable {
    /// A bold centred line above the table, e.g. "各单位上稿情况"; none when empty.
    pub caption: String,
    /// The header row: bold, shaded, repeated at the top of every page.
    pub headers: Vec<String>,
    /// The rows, each as wide as `headers`.
    pub rows: Vec<Vec<String>>,
    /// A 合计 row under the others, set in bold; as wide as `headers`.
    pub total_row: Option<Vec<String>>,
    /// Columns to right-align (numbers), counted from 0.
    pub numeric_columns: Vec<usize>,
}

/// The style ids of the headings. Word's own ids in an English Word; Word, WPS and LibreOffice
/// recognise the headings by the names ("heading 1") whatever the language of the program.
const HEADING1_STYLE: &str = "Heading1";
const HEADING2_STYLE: &str = "Heading2";

/// Body text: 1.5 lines (Word counts line spacing in 240ths of a line).
const ONE_AND_A_HALF_LINES: i32 = 360;

/// Builds the report as the bytes of a .docx file. Refuses a table whose rows are not all as
/// wide as its header, saying which table and which row.
pub fn report_docx(doc: &ReportDoc) -> Result<Vec<u8>, OfficeError> {
    let tables = doc.blocks.iter().filter_map(|block| match block {
        Block::Table(table) => Some(table),
        _ => None,
    });
    for (i, table) in tables.enumerate() {
        let name = match table.caption.trim() {
            "" => format!("第{}个表格", i + 1),
            caption => format!("第{}个表格「{caption}」", i + 1),
        };
        table_text(table).check_widths(&name)?;
    }

    let mut docx = a4_document()
        .add_style(heading_style(HEADING1_STYLE, "heading 1", 0, HEI, SAN_HAO))
        .add_style(heading_style(HEADING2_STYLE, "heading 2", 1, KAI, SI_HAO));

    if !doc.title.is_empty() {
        let after = if doc.subtitle.is_some() { 120 } else { 360 };
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().after(after))
                .add_run(text_run(&doc.title, HEI, ER_HAO)),
        );
    }
    if let Some(subtitle) = &doc.subtitle {
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().after(360))
                .add_run(text_run(subtitle, KAI, SAN_HAO)),
        );
    }

    let mut pictures = 0;
    for block in &doc.blocks {
        if let Block::Picture { .. } = block {
            pictures += 1;
        }
        docx = add_block(docx, block, pictures)?;
    }

    for (i, line) in doc.footer.iter().enumerate() {
        let before = if i == 0 { 480 } else { 0 };
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .line_spacing(LineSpacing::new().before(before).line(ONE_AND_A_HALF_LINES))
                .add_run(text_run(line, FANGSONG, SI_HAO)),
        );
    }

    pack(docx)
}

/// Adds a block; `pictures` counts the pictures so far, this one included, to name its file.
fn add_block(docx: Docx, block: &Block, pictures: usize) -> Result<Docx, OfficeError> {
    Ok(match block {
        // The style sets the spacing and keeps the heading with what follows; the run names
        // the font and size again, as every run does, for programs that read only the runs.
        Block::Heading1(text) => {
            docx.add_paragraph(Paragraph::new().style(HEADING1_STYLE).add_run(text_run(text, HEI, SAN_HAO)))
        }
        Block::Heading2(text) => {
            docx.add_paragraph(Paragraph::new().style(HEADING2_STYLE).add_run(text_run(text, KAI, SI_HAO)))
        }
        Block::Paragraph(text) => docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Both)
                .indent(None, Some(SpecialIndentType::FirstLine(two_characters(SI_HAO))), None, None)
                .line_spacing(LineSpacing::new().line(ONE_AND_A_HALF_LINES))
                .add_run(text_run(text, FANGSONG, SI_HAO)),
        ),
        Block::Table(table) => {
            let mut docx = docx;
            if !table.caption.trim().is_empty() {
                docx = docx.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .keep_next(true)
                        .line_spacing(LineSpacing::new().before(240).after(120))
                        .add_run(text_run(&table.caption, SONG, SI_HAO).bold()),
                );
            }
            // The paragraph after the table gives it air below, and keeps two tables in a row
            // apart: Word joins tables that touch into one.
            docx.add_table(table_text(table).table())
                .add_paragraph(Paragraph::new().line_spacing(LineSpacing::new().after(120)))
        }
        Block::Picture { png, width_mm, caption } => {
            let mut docx = docx.add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .keep_next(!caption.trim().is_empty())
                    .line_spacing(LineSpacing::new().before(240).after(120))
                    .add_run(Run::new().add_image(picture(png, *width_mm, pictures)?)),
            );
            if !caption.trim().is_empty() {
                docx = docx.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .line_spacing(LineSpacing::new().after(240))
                        .add_run(text_run(caption, SONG, SI_HAO).bold()),
                );
            }
            docx
        }
    })
}

/// A PNG as an inline picture `width_mm` wide (at most the text width), its height in
/// proportion. Named by its number in the report (media/rIdPicture1.png, ...), so that the
/// same report gives the same file: docx-rs would number pictures across every document made
/// since the program started.
fn picture(png: &[u8], width_mm: u32, number: usize) -> Result<Pic, OfficeError> {
    const EMU_PER_MM: u64 = 36_000;
    const EMU_PER_TWIP: u64 = 635;
    let (width_px, height_px) = ::image::ImageReader::with_format(Cursor::new(png), ::image::ImageFormat::Png)
        .into_dimensions()
        .map_err(|e| OfficeError::Write(format!("第{number}张图片不是有效的PNG图片（{e}）")))?;
    if width_px == 0 || height_px == 0 {
        return Err(OfficeError::Write(format!("第{number}张图片是空的")));
    }
    let width = (u64::from(width_mm) * EMU_PER_MM).clamp(EMU_PER_MM, TEXT_WIDTH as u64 * EMU_PER_TWIP);
    let height = width * u64::from(height_px) / u64::from(width_px);
    let emu = |n: u64| u32::try_from(n).map_err(|_| OfficeError::Write(format!("第{number}张图片太高")));
    Ok(Pic::new_with_dimensions(png.to_vec(), width_px, height_px)
        .size(emu(width)?, emu(height)?)
        .id(format!("rIdPicture{number}")))
}

/// A heading paragraph style: its font and size, space around it, an outline level (0 for
/// "heading 1") and kept on the page of the paragraph that follows it.
fn heading_style(id: &str, name: &str, outline_level: usize, font: &str, size: usize) -> Style {
    let mut style = Style::new(id, StyleType::Paragraph)
        .name(name)
        .fonts(fonts(font))
        .size(size)
        .line_spacing(LineSpacing::new().before(240).after(120).line(ONE_AND_A_HALF_LINES))
        .outline_lvl(outline_level);
    // docx-rs has no style setter for "keep with next".
    style.paragraph_property = style.paragraph_property.keep_next(true);
    style
}

fn table_text(table: &ReportTable) -> TableText<'_> {
    TableText {
        headers: &table.headers,
        rows: &table.rows,
        total_row: table.total_row.as_deref(),
        numeric_columns: &table.numeric_columns,
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn strings(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    fn sample() -> ReportDoc {
        ReportDoc {
            title: "湖北通联站2007年12月工作通报".into(),
            subtitle: Some("湖北通联站　2008年1月".into()),
            blocks: vec![
                Block::Heading1("一、总体情况".into()),
                Block::Paragraph("全年共在省级以上媒体刊发稿件1234篇，同比增长12%。".into()),
                Block::Heading2("（一）各单位上稿情况".into()),
                Block::Table(ReportTable {
                    caption: "各单位上稿情况".into(),
                    headers: strings(&["序号", "单位", "稿件（篇）", "积分"]),
                    rows: vec![
                        strings(&["1", "武汉市知识产权局", "56", "812.5"]),
                        strings(&["2", "宜昌市知识产权局", "31", "402"]),
                    ],
                    total_row: Some(strings(&["合计", "", "87", "1214.5"])),
                    numeric_columns: vec![2, 3],
                }),
                Block::Heading1("二、下一步工作".into()),
                Block::Paragraph("继续做好通联工作。".into()),
            ],
            footer: strings(&["湖北通联站", "2008年1月5日"]),
        }
    }

    fn part(docx: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(docx)).expect("a docx is a zip");
        let mut file = archive.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut xml = String::new();
        file.read_to_string(&mut xml).unwrap();
        xml
    }

    fn document_xml(doc: &ReportDoc) -> String {
        part(&report_docx(doc).unwrap(), "word/document.xml")
    }

    fn table_mut(doc: &mut ReportDoc) -> &mut ReportTable {
        doc.blocks
            .iter_mut()
            .find_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn ragged_rows_are_refused_naming_the_table_and_row() {
        let mut doc = sample();
        table_mut(&mut doc).rows[1].pop();
        assert_eq!(
            report_docx(&doc).unwrap_err(),
            OfficeError::Write("第1个表格「各单位上稿情况」第2行有3列，表头有4列".into())
        );

        let mut doc = sample();
        table_mut(&mut doc).total_row = Some(strings(&["合计"]));
        // A second table without a caption, ragged: named by its place.
        doc.blocks.insert(0, Block::Table(ReportTable { headers: strings(&["甲", "乙"]), ..ReportTable::default() }));
        doc.blocks.push(Block::Table(ReportTable {
            headers: strings(&["甲", "乙"]),
            rows: vec![strings(&["1", "2", "3"])],
            ..ReportTable::default()
        }));
        assert_eq!(
            report_docx(&doc).unwrap_err().to_string(),
            "文件生成失败：第2个表格「各单位上稿情况」合计行有1列，表头有4列"
        );
        let Block::Table(captioned) = &mut doc.blocks[4] else { panic!("the sample's table") };
        captioned.total_row = None;
        assert_eq!(report_docx(&doc).unwrap_err(), OfficeError::Write("第3个表格第1行有3列，表头有2列".into()));

        let doc = ReportDoc { blocks: vec![Block::Table(ReportTable::default())], ..sample() };
        assert_eq!(report_docx(&doc).unwrap_err(), OfficeError::Write("第1个表格没有表头".into()));
    }

    #[test]
    fn headings_are_word_headings_with_outline_levels() {
        let bytes = report_docx(&sample()).unwrap();
        let styles = part(&bytes, "word/styles.xml");
        let style = |id: &str| {
            let start = styles.find(&format!(r#"w:styleId="{id}""#)).unwrap_or_else(|| panic!("no style {id}"));
            let end = start + styles[start..].find("</w:style>").unwrap();
            styles[start..end].to_string()
        };
        let h1 = style("Heading1");
        assert!(h1.contains(r#"<w:name w:val="heading 1" />"#), "{h1}");
        assert!(h1.contains(r#"<w:outlineLvl w:val="0" />"#), "{h1}");
        assert!(h1.contains(r#"w:eastAsia="黑体""#) && h1.contains(r#"<w:sz w:val="32" />"#), "黑体 三号: {h1}");
        assert!(h1.contains("<w:keepNext"), "{h1}");
        let h2 = style("Heading2");
        assert!(h2.contains(r#"<w:name w:val="heading 2" />"#), "{h2}");
        assert!(h2.contains(r#"<w:outlineLvl w:val="1" />"#), "{h2}");
        assert!(h2.contains(r#"w:eastAsia="楷体""#) && h2.contains(r#"<w:sz w:val="28" />"#), "楷体 四号: {h2}");

        let xml = part(&bytes, "word/document.xml");
        assert_eq!(xml.matches(r#"<w:pStyle w:val="Heading1" />"#).count(), 2);
        assert_eq!(xml.matches(r#"<w:pStyle w:val="Heading2" />"#).count(), 1);
        let heading = &xml[..xml.find("二、下一步工作").unwrap()];
        assert!(heading[heading.rfind("<w:p ").unwrap()..].contains(r#"<w:pStyle w:val="Heading1" />"#));

        // The portal's own document reader takes them for headings too.
        let preview = crate::preview_html(&bytes, crate::DocFormat::Docx, 100).unwrap();
        assert!(preview.html.contains("<h2>一、总体情况</h2>"), "{}", preview.html);
        assert!(preview.html.contains("<h3>（一）各单位上稿情况</h3>"), "{}", preview.html);
    }

    #[test]
    fn the_text_comes_in_order() {
        let xml = document_xml(&sample());
        let mut from = 0;
        for text in [
            "湖北通联站2007年12月工作通报",
            "湖北通联站　2008年1月",
            "一、总体情况",
            "全年共在省级以上媒体刊发稿件1234篇",
            "（一）各单位上稿情况",
            ">各单位上稿情况</w:t>",
            ">稿件（篇）</w:t>",
            ">武汉市知识产权局</w:t>",
            ">812.5</w:t>",
            ">宜昌市知识产权局</w:t>",
            ">合计</w:t>",
            ">1214.5</w:t>",
            "二、下一步工作",
            "继续做好通联工作。",
            ">湖北通联站</w:t>",
            ">2008年1月5日</w:t>",
        ] {
            let at = xml[from..].find(text).unwrap_or_else(|| panic!("{text} missing or out of order"));
            from += at + text.len();
        }
    }

    #[test]
    fn the_page_the_fonts_and_the_table() {
        let xml = document_xml(&sample());
        assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4 portrait");
        assert!(xml.contains(r#"w:top="1418" w:right="1418" w:bottom="1418" w:left="1418""#), "2.5 cm margins");
        assert!(xml.contains("<w:footerReference"), "page numbers in the footer");
        let runs: Vec<&str> = xml.split("<w:r>").skip(1).map(|r| &r[..r.find("</w:r>").unwrap()]).collect();
        assert!(runs.len() > 20);
        for run in runs {
            assert!(run.contains("w:eastAsia="), "a run without an East Asian font: {run}");
        }
        let paragraph = &xml[..xml.find("全年共在省级以上媒体").unwrap()];
        let paragraph = &paragraph[paragraph.rfind("<w:p ").unwrap()..];
        assert!(paragraph.contains(r#"w:firstLine="560""#), "two characters of 四号: {paragraph}");
        assert!(paragraph.contains(r#"w:eastAsia="仿宋""#));

        assert_eq!(xml.matches("<w:tbl>").count(), 1);
        assert_eq!(xml.matches("<w:tblHeader />").count(), 1);
        let header_row = &xml[xml.find("<w:tr>").unwrap()..xml.find("</w:tr>").unwrap()];
        assert!(header_row.contains("<w:tblHeader />") && header_row.contains("<w:b />"));
        assert!(xml.contains(r#"<w:tblW w:w="9070" w:type="dxa" />"#), "the full text width");
        assert!(xml.contains(r#"<w:tblBorders><w:top w:val="single""#), "borders");
        let cell_of = |text: &str| {
            let end = xml.find(&format!(">{text}</w:t>")).unwrap();
            xml[xml[..end].rfind("<w:tc>").unwrap()..end].to_string()
        };
        assert!(cell_of("812.5").contains(r#"<w:jc w:val="right" />"#));
        assert!(cell_of("武汉市知识产权局").contains(r#"<w:jc w:val="center" />"#));
        assert!(cell_of("1214.5").contains("<w:b />"), "the total row is bold");
    }

    #[test]
    fn every_table_repeats_its_header_and_tables_stay_apart() {
        let mut doc = sample();
        let table = table_mut(&mut doc).clone();
        doc.blocks.push(Block::Table(ReportTable { caption: String::new(), ..table.clone() }));
        doc.blocks.push(Block::Table(ReportTable { caption: String::new(), ..table }));
        let xml = document_xml(&doc);
        assert_eq!(xml.matches("<w:tbl>").count(), 3);
        assert_eq!(xml.matches("<w:tblHeader />").count(), 3);
        assert!(!xml.contains("</w:tbl><w:tbl>"), "two tables that touch become one in Word");
    }

    #[test]
    fn special_characters_are_escaped() {
        let mut doc = sample();
        doc.title = "A&B <通报>".into();
        doc.blocks.push(Block::Heading2("\"引号\" & <尖括号>".into()));
        table_mut(&mut doc).rows[0][1] = "武汉<市>&\"局\"".into();
        let bytes = report_docx(&doc).unwrap();
        let xml = part(&bytes, "word/document.xml");
        assert!(xml.contains("A&amp;B &lt;通报&gt;"));
        assert!(xml.contains("&quot;引号&quot; &amp; &lt;尖括号&gt;"));
        assert!(xml.contains("武汉&lt;市&gt;&amp;&quot;局&quot;"));
        assert!(!xml.contains("武汉<市>"));
        // And they read back as they were given.
        let text = crate::document_text(&bytes, crate::DocFormat::Docx).unwrap();
        assert!(text.contains("武汉<市>&\"局\""), "{text}");
        assert!(text.contains("A&B <通报>"), "{text}");
    }

    #[test]
    fn a_chart_is_a_picture_or_says_why_it_is_not() {
        let svg = crate::bar_chart_svg("各单位采用", &strings(&["武汉市", "宜昌市"]), &[3.0, 2.0], "篇");
        let Block::Picture { png, width_mm, caption } = Block::chart(&svg, 150, "图1　各单位采用") else {
            panic!("a chart is drawn where a Chinese font is installed (scripts/test installs one)")
        };
        assert!(png.starts_with(b"\x89PNG") && width_mm == 150 && caption == "图1　各单位采用");
        // Anything chart_png refuses is said in the chart's place.
        let Block::Paragraph(why) = Block::chart("<svg", 150, "图2") else { panic!("not a chart") };
        assert!(why.starts_with("（图2未能生成：图表无法绘制：") && why.ends_with('）'), "{why}");
    }

    #[test]
    fn pictures_are_sized_numbered_and_packed() {
        let svg = crate::bar_chart_svg("各单位采用", &strings(&["武汉市", "宜昌市"]), &[3.0, 2.0], "篇");
        let png = |width| crate::chart_png(&svg, width).unwrap();
        let mut doc = sample();
        doc.blocks.push(Block::Picture { png: png(720), width_mm: 150, caption: "图1".into() });
        doc.blocks.push(Block::Picture { png: png(800), width_mm: 500, caption: String::new() });
        let bytes = report_docx(&doc).unwrap();
        let xml = part(&bytes, "word/document.xml");
        assert!(xml.contains(r#"<wp:docPr id="1" name="图1" />"#) && xml.contains(r#"<wp:docPr id="2" name="图2" />"#));
        assert!(xml.contains(r#"r:embed="rIdPicture1""#) && xml.contains(r#"r:embed="rIdPicture2""#), "{xml}");
        // 150 mm, and the second no wider than the text (9070 twips of 635 EMU).
        assert!(xml.contains(r#"<wp:extent cx="5400000""#) && xml.contains(r#"<wp:extent cx="5759450""#), "{xml}");
        assert!(part(&bytes, "word/_rels/document.xml.rels").contains(r#"Target="media/rIdPicture1.png""#));
        assert_eq!(report_docx(&doc).unwrap(), bytes, "the same report gives the same bytes");

        doc.blocks.push(Block::Picture { png: b"GIF89a".to_vec(), width_mm: 100, caption: String::new() });
        assert!(report_docx(&doc).unwrap_err().to_string().contains("第3张图片不是有效的PNG图片"));
    }

    #[test]
    fn the_same_report_gives_the_same_bytes_and_an_empty_one_is_a_document() {
        assert_eq!(report_docx(&sample()).unwrap(), report_docx(&sample()).unwrap());
        let xml = document_xml(&ReportDoc::default());
        assert!(xml.contains("<w:body>"));
    }
}
