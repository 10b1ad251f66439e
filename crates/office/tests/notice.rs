//! The public notice as a .docx: opened as the zip it is, and its document XML read for the
//! table, the texts, the fonts and the escaping; and opened by python-docx, as other people's
//! tools open it.

mod support;

use std::io::{Cursor, Read};

use office::{NoticeDoc, OfficeError, notice_docx};

const HASH: &str = "内容校验码（SHA-256）：3f7a9c0e5b2d4186a7e9f0c1d2b3a4958677a8b9c0d1e2f30415263748596a7b";

fn sample() -> NoticeDoc {
    NoticeDoc {
        title: "湖北通联站2007年6月宣传报道奖励公示".into(),
        intro: vec![
            "根据《湖北省知识产权局宣传报道奖励办法（2007年修订）》，现将2007年6月宣传报道奖励情况公示如下。".into(),
            "公示期：2007年7月2日至7月8日，如有异议请向通联站反映。".into(),
        ],
        headers: ["序号", "姓名", "单位", "稿件（篇）", "积分", "奖金（元）"].map(String::from).to_vec(),
        rows: vec![
            ["1", "张伟", "武汉市知识产权局", "6", "95", "480"].map(String::from).to_vec(),
            ["2", "李娜", "宜昌市知识产权局", "4", "60", "300"].map(String::from).to_vec(),
            ["3", "王芳", "神农架林区知识产权局", "2", "25.5", "120"].map(String::from).to_vec(),
        ],
        total_row: Some(["合计", "", "", "12", "180.5", "900"].map(String::from).to_vec()),
        footer: vec!["湖北通联站".into(), "2007年7月1日".into(), HASH.into()],
        numeric_columns: vec![3, 4, 5],
    }
}

fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).expect("a docx is a zip");
    let mut file = archive.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut xml = String::new();
    file.read_to_string(&mut xml).unwrap();
    xml
}

fn document_xml(doc: &NoticeDoc) -> String {
    part(&notice_docx(doc).unwrap(), "word/document.xml")
}

#[test]
fn the_notice_is_a_word_document_with_a_table() {
    let bytes = notice_docx(&sample()).unwrap();
    assert!(part(&bytes, "[Content_Types].xml").contains("wordprocessingml.document.main+xml"));
    let xml = part(&bytes, "word/document.xml");
    assert_eq!(xml.matches("<w:tbl>").count(), 1);
    // Header, three people, the total.
    assert_eq!(xml.matches("<w:tr>").count(), 5);
    for text in
        ["湖北通联站2007年6月宣传报道奖励公示", "公示期：2007年7月2日至7月8日", "湖北通联站", "2007年7月1日", HASH]
    {
        assert!(xml.contains(text), "{text}");
    }
    for header in sample().headers {
        assert!(xml.contains(&format!(">{header}</w:t>")), "{header}");
    }
    for row in sample().rows {
        assert!(xml.contains(&format!(">{}</w:t>", row[1])), "{}", row[1]);
        assert!(xml.contains(&format!(">{}</w:t>", row[2])), "{}", row[2]);
    }
    assert!(xml.contains(">合计</w:t>"));
}

#[test]
fn python_docx_tells_the_style_of_every_paragraph() {
    let dir = support::TempDir::new("notice-python-docx");
    let file = dir.path().join("notice.docx");
    std::fs::write(&file, notice_docx(&sample()).unwrap()).unwrap();
    let read = support::python_docx(&file);
    // Without a default paragraph style python-docx gives a paragraph without a style of its
    // own none at all, and `paragraph.style.name` fails.
    assert_eq!(read.without_style(), Vec::<&str>::new(), "{read:?}");
    assert_eq!(read.style_of("湖北通联站2007年6月宣传报道奖励公示"), Some("Normal"));
    assert!(
        read.cells.iter().any(|(style, text)| text == "神农架林区知识产权局" && style.as_deref() == Some("Normal"))
    );
    assert_eq!(read.footers.iter().map(|(style, _)| style.as_deref()).collect::<Vec<_>>(), [Some("页码")]);
    assert!(read.styles.contains(&"Normal".to_string()), "{:?}", read.styles);
}

#[test]
fn the_page_is_a4_and_the_header_row_repeats() {
    let xml = document_xml(&sample());
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4 portrait");
    assert_eq!(xml.matches("<w:tblHeader />").count(), 1);
    let header_row = &xml[xml.find("<w:tr>").unwrap()..xml.find("</w:tr>").unwrap()];
    assert!(header_row.contains("<w:tblHeader />"));
    assert!(header_row.contains("<w:b />"), "the header is bold");
    assert!(xml.contains(r#"<w:tblBorders><w:top w:val="single""#), "the table has borders");
}

#[test]
fn chinese_fonts_are_named_for_east_asian_and_latin_text() {
    let xml = document_xml(&sample());
    assert!(xml.contains(r#"w:eastAsia="宋体""#));
    assert!(xml.contains(r#"w:ascii="宋体""#));
    assert!(xml.contains(r#"w:hAnsi="宋体""#));
    assert!(xml.contains(r#"w:eastAsia="黑体""#), "the title is in 黑体");
    let title = &xml[..xml.find("湖北通联站2007年6月宣传报道奖励公示").unwrap()];
    let title_run = &title[title.rfind("<w:r>").unwrap()..];
    assert!(title_run.contains(r#"<w:sz w:val="44" />"#), "二号 title: {title_run}");
}

#[test]
fn numbers_are_right_aligned_and_the_title_centred() {
    let xml = document_xml(&sample());
    let cell_of = |text: &str| {
        let end = xml.find(&format!(">{text}</w:t>")).unwrap();
        let start = xml[..end].rfind("<w:tc>").unwrap();
        xml[start..end].to_string()
    };
    assert!(cell_of("480").contains(r#"<w:jc w:val="right" />"#));
    assert!(cell_of("180.5").contains(r#"<w:jc w:val="right" />"#));
    assert!(cell_of("张伟").contains(r#"<w:jc w:val="center" />"#));
    let title = &xml[..xml.find("湖北通联站2007年6月宣传报道奖励公示").unwrap()];
    assert!(title[title.rfind("<w:p ").unwrap()..].contains(r#"<w:jc w:val="center" />"#));
}

#[test]
fn text_is_escaped() {
    let mut doc = sample();
    doc.title = "A&B <公示>".into();
    doc.rows[0][1] = "张<伟>&\"李\"".into();
    doc.footer.push("第1行\n第2行\u{7}".into());
    let xml = document_xml(&doc);
    assert!(xml.contains("A&amp;B &lt;公示&gt;"));
    assert!(xml.contains("张&lt;伟&gt;&amp;&quot;李&quot;"));
    assert!(xml.contains(">第1行 第2行</w:t>"), "no control characters in the XML");
    assert!(!xml.contains("张<伟>"));
    assert!(!xml.contains('\u{7}'));
}

#[test]
fn the_same_notice_gives_the_same_bytes() {
    assert_eq!(notice_docx(&sample()).unwrap(), notice_docx(&sample()).unwrap());
}

#[test]
fn a_notice_without_rows_still_has_its_header() {
    let doc = NoticeDoc { rows: vec![], total_row: None, ..sample() };
    let xml = document_xml(&doc);
    assert_eq!(xml.matches("<w:tr>").count(), 1);
    assert!(xml.contains(">姓名</w:t>"));
}

#[test]
fn ragged_rows_are_refused_in_chinese() {
    let mut doc = sample();
    doc.rows[1].pop();
    assert_eq!(notice_docx(&doc).unwrap_err(), OfficeError::Write("公示表第2行有5列，表头有6列".into()));
    let doc = NoticeDoc { total_row: Some(vec!["合计".into()]), ..sample() };
    assert_eq!(notice_docx(&doc).unwrap_err().to_string(), "文件生成失败：公示表合计行有1列，表头有6列");
    let doc = NoticeDoc { headers: vec![], rows: vec![], total_row: None, ..sample() };
    assert!(matches!(notice_docx(&doc), Err(OfficeError::Write(_))));
}
