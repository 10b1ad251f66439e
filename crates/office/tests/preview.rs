//! The document library: .docx files made with docx-rs, PDFs made with lopdf (with a Chinese
//! font mapped to Unicode, as Word and WPS export them) and text files in UTF-8 and GBK, all
//! built here in code, go through `sniff_document`, `document_text` and `preview_html`.

use std::io::{Cursor, Write};

use docx_rs::{Docx, Paragraph, Run, Style, StyleType, Table, TableCell, TableRow};
use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Object, Stream, StringFormat, dictionary};
use office::{
    DocFormat, MAX_DOCUMENT_BYTES, MAX_TEXT_CHARS, Preview, PreviewError, document_text, preview_html, sniff_document,
};
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

// ---------------------------------------------------------------------------------------------
// Word

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn paragraph(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text))
}

fn cell(text: &str) -> TableCell {
    TableCell::new().add_paragraph(paragraph(text))
}

/// A notice as the office writes one: a title, a section heading in the style Chinese Word
/// calls 标题 2 (id "2"), paragraphs, a table, and one line that tries to be a script.
fn notice_docx() -> Vec<u8> {
    let docx = Docx::new()
        .add_style(Style::new("Heading1", StyleType::Paragraph).name("heading 1"))
        .add_style(Style::new("2", StyleType::Paragraph).name("标题 2"))
        .add_paragraph(paragraph("关于2007年度宣传报道工作的通知").style("Heading1"))
        .add_paragraph(paragraph("各市州知识产权局："))
        .add_paragraph(paragraph("为做好2007年度宣传报道工作，现将有关事项通知如下。"))
        .add_paragraph(paragraph("一、报送要求").style("2"))
        .add_paragraph(Paragraph::new().add_run(run("稿件请于每月")).add_run(run("25日前报送。")))
        .add_paragraph(paragraph("<script>alert(1)</script> & \"引号\" 'quote'"))
        .add_table(Table::new(vec![
            TableRow::new(vec![cell("姓名"), cell("单位"), cell("稿件（篇）")]),
            TableRow::new(vec![cell("张伟"), cell("武汉市知识产权局"), cell("6")]),
            TableRow::new(vec![cell("李娜"), cell("宜昌市<b>局</b>"), cell("4")]),
        ]))
        .add_paragraph(paragraph("湖北通联站"));
    let mut bytes = Cursor::new(Vec::new());
    docx.build().pack(&mut bytes).unwrap();
    bytes.into_inner()
}

/// A zip holding the given parts, deflated.
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Tags in the preview, such as "p" and "/td": only ours, and none with attributes.
fn tags(html: &str) -> Vec<String> {
    html.split('<').skip(1).map(|rest| rest.split('>').next().unwrap_or_default().to_string()).collect()
}

fn assert_only_safe_tags(html: &str) {
    const ALLOWED: [&str; 12] = ["h2", "/h2", "h3", "/h3", "p", "/p", "table", "/table", "tr", "/tr", "td", "/td"];
    for tag in tags(html) {
        assert!(ALLOWED.contains(&tag.as_str()), "unexpected tag <{tag}> in {html}");
    }
}

#[test]
fn a_word_document_is_told_by_its_content() {
    let docx = notice_docx();
    assert_eq!(sniff_document(&docx, "通知.docx"), Ok(DocFormat::Docx));
    // The name does not matter for a document that says what it is.
    assert_eq!(sniff_document(&docx, "通知.pdf"), Ok(DocFormat::Docx));
    assert_eq!(sniff_document(&docx, ""), Ok(DocFormat::Docx));
    assert_eq!(DocFormat::Docx.ext(), "docx");
    assert_eq!(DocFormat::Docx.mime(), office::DOCX_CONTENT_TYPE);
}

#[test]
fn a_word_document_previews_as_headings_paragraphs_and_a_table() {
    let Preview { html, truncated } = preview_html(&notice_docx(), DocFormat::Docx, 50).unwrap();
    assert!(!truncated);
    let expected = "<h2>关于2007年度宣传报道工作的通知</h2>\n\
                    <p>各市州知识产权局：</p>\n\
                    <p>为做好2007年度宣传报道工作，现将有关事项通知如下。</p>\n\
                    <h3>一、报送要求</h3>\n\
                    <p>稿件请于每月25日前报送。</p>\n\
                    <p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;引号&quot; &#39;quote&#39;</p>\n\
                    <table>\n\
                    <tr><td>姓名</td><td>单位</td><td>稿件（篇）</td></tr>\n\
                    <tr><td>张伟</td><td>武汉市知识产权局</td><td>6</td></tr>\n\
                    <tr><td>李娜</td><td>宜昌市&lt;b&gt;局&lt;/b&gt;</td><td>4</td></tr>\n\
                    </table>\n\
                    <p>湖北通联站</p>\n";
    assert_eq!(html, expected);
    assert_only_safe_tags(&html);
    assert!(!html.contains("<script"));
}

#[test]
fn a_long_document_previews_its_opening_only() {
    let docx = notice_docx();
    let preview = preview_html(&docx, DocFormat::Docx, 2).unwrap();
    assert!(preview.truncated);
    assert_eq!(preview.html, "<h2>关于2007年度宣传报道工作的通知</h2>\n<p>各市州知识产权局：</p>\n");

    // A table cut in the middle is closed.
    let preview = preview_html(&docx, DocFormat::Docx, 7).unwrap();
    assert!(preview.truncated);
    assert!(preview.html.ends_with("<tr><td>姓名</td><td>单位</td><td>稿件（篇）</td></tr>\n</table>\n"));
    assert_only_safe_tags(&preview.html);

    let preview = preview_html(&docx, DocFormat::Docx, 0).unwrap();
    assert_eq!(preview, Preview { html: String::new(), truncated: true });
}

#[test]
fn a_word_documents_text_is_for_the_index() {
    let text = document_text(&notice_docx(), DocFormat::Docx).unwrap();
    let expected = "关于2007年度宣传报道工作的通知\n\
                    各市州知识产权局：\n\
                    为做好2007年度宣传报道工作，现将有关事项通知如下。\n\
                    一、报送要求\n\
                    稿件请于每月25日前报送。\n\
                    <script>alert(1)</script> & \"引号\" 'quote'\n\
                    姓名\t单位\t稿件（篇）\n\
                    张伟\t武汉市知识产权局\t6\n\
                    李娜\t宜昌市<b>局</b>\t4\n\
                    湖北通联站";
    assert_eq!(text, expected);
}

#[test]
fn word_xml_written_by_hand_previews_safely() {
    // Entities, a character reference, a CDATA section, a tab, a deleted run, a text box
    // with its fallback copy, and an outline-level heading with no style.
    let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
            xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">
<w:body>
<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>大纲标题</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">A &lt;b&gt; &amp;amp; &#x901A;&#32852;</w:t><w:tab/><w:t><![CDATA[<i>x</i>]]></w:t></w:r>
<w:del><w:r><w:delText>删掉的字</w:delText></w:r></w:del></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></mc:Choice>
<mc:Fallback><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:p/>
<w:p><w:r><w:t>   </w:t></w:r></w:p>
</w:body></w:document>"#;
    let docx = zip_of(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", xml.as_bytes())]);
    assert_eq!(sniff_document(&docx, "a.docx"), Ok(DocFormat::Docx));
    let preview = preview_html(&docx, DocFormat::Docx, 10).unwrap();
    assert_eq!(
        preview.html,
        "<h2>大纲标题</h2>\n<p>A &lt;b&gt; &amp;amp; 通联 &lt;i&gt;x&lt;/i&gt;</p>\n<p>文本框</p>\n"
    );
    assert_only_safe_tags(&preview.html);
    assert_eq!(document_text(&docx, DocFormat::Docx).unwrap(), "大纲标题\nA <b> &amp; 通联 <i>x</i>\n文本框");
}

#[test]
fn headings_come_from_outline_levels_as_well_as_style_names() {
    // An office's own style, 公文标题, is a heading by its outline level; a paragraph in a
    // heading style marked as body text (level 9) is not.
    let styles = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:styleId="a5"><w:name w:val="公文标题"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"></w:name></w:style>
<w:style w:type="paragraph" w:styleId="a6"><w:name w:val="正文缩进"/></w:style>
</w:styles>"#;
    let xml = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:pPr><w:pStyle w:val="a5"/></w:pPr><w:r><w:t>公文标题</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="1"/><w:outlineLvl w:val="9"/></w:pPr><w:r><w:t>不算标题</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="1"/><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r><w:t>一级标题</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="a6"/></w:pPr><w:r><w:t>甲</w:t><w:tab></w:tab><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r></w:p>
</w:body></w:document>"#;
    let docx = zip_of(&[("word/document.xml", xml.as_bytes()), ("word/styles.xml", styles.as_bytes())]);
    let preview = preview_html(&docx, DocFormat::Docx, 10).unwrap();
    assert_eq!(preview.html, "<h2>公文标题</h2>\n<p>不算标题</p>\n<h2>一级标题</h2>\n<p>甲 乙\n丙</p>\n");
}

#[test]
fn a_damaged_word_document_is_an_error_not_a_panic() {
    let docx = notice_docx();
    // Cut short: the zip's directory, at the end, is gone.
    let cut = &docx[..docx.len() / 2];
    assert!(matches!(sniff_document(cut, "a.docx"), Err(PreviewError::Corrupt { .. })));
    assert!(matches!(preview_html(cut, DocFormat::Docx, 10), Err(PreviewError::Corrupt { .. })));
    assert!(matches!(document_text(cut, DocFormat::Docx), Err(PreviewError::Corrupt { .. })));

    // Whole as a zip, but its XML is broken.
    let broken = zip_of(&[("word/document.xml", b"<w:document><w:body><w:p><w:t>x</w:p></w:body>")]);
    let error = document_text(&broken, DocFormat::Docx).unwrap_err();
    assert!(matches!(error, PreviewError::Corrupt { format: "Word 文档", .. }), "{error:?}");
    assert!(error.to_string().starts_with("Word 文档已损坏，无法读取（"), "{error}");

    // Not a zip at all, though the caller said it was.
    assert!(matches!(preview_html(b"PK\x03\x04 nothing", DocFormat::Docx, 10), Err(PreviewError::Corrupt { .. })));
    assert!(matches!(document_text(b"hello", DocFormat::Docx), Err(PreviewError::Corrupt { .. })));
}

#[test]
fn other_zips_and_macro_documents_are_refused() {
    let spreadsheet = zip_of(&[("xl/workbook.xml", b"<workbook/>")]);
    assert_eq!(sniff_document(&spreadsheet, "a.docx"), Err(PreviewError::Unsupported));
    let docm = zip_of(&[("word/document.xml", b"<w:document/>"), ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]);
    assert_eq!(sniff_document(&docm, "a.docx"), Err(PreviewError::Macros));
}

#[test]
fn a_zip_bomb_is_refused_without_unpacking_it() {
    // 60 MB of spaces packs into a few dozen kilobytes.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(b"<w:document><w:body><w:p><w:r><w:t>").unwrap();
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..60 {
        zip.write_all(&spaces).unwrap();
    }
    zip.write_all(b"</w:t></w:r></w:p></w:body></w:document>").unwrap();
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());

    assert_eq!(sniff_document(&bomb, "bomb.docx"), Ok(DocFormat::Docx));
    assert_eq!(document_text(&bomb, DocFormat::Docx), Err(PreviewError::Unpacked));
    assert_eq!(preview_html(&bomb, DocFormat::Docx, 10), Err(PreviewError::Unpacked));
    assert_eq!(PreviewError::Unpacked.to_string(), "文档内容过大，无法读取");
}

// ---------------------------------------------------------------------------------------------
// PDF

/// A PDF whose pages hold the given lines: ASCII lines in Helvetica, others in a Chinese font
/// written as two-byte glyph ids with a ToUnicode map, as Word's and WPS's PDF export does.
fn pdf(pages: &[&[&str]]) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();

    // Glyph ids for the Chinese characters, in order of first use, from 1.
    let mut glyphs: Vec<char> = Vec::new();
    for line in pages.iter().flat_map(|lines| lines.iter()) {
        for c in line.chars() {
            if !c.is_ascii() && !glyphs.contains(&c) {
                glyphs.push(c);
            }
        }
    }
    let glyph_id = |c: char| -> u16 {
        match glyphs.iter().position(|&g| g == c) {
            Some(i) => i as u16 + 1,
            None => 0,
        }
    };

    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // ASCII in the Chinese font maps to itself, at glyph id 0x1000 + code.
    let mut mappings: Vec<(u16, u32)> = glyphs.iter().map(|&c| (glyph_id(c), c as u32)).collect();
    mappings.extend((0x20u16..0x7f).map(|b| (0x1000 + b, u32::from(b))));
    for chunk in mappings.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (id, unicode) in chunk {
            cmap.push_str(&format!("<{id:04X}> <{unicode:04X}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), cmap.into_bytes()));

    let latin = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "STSong-Light",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("GB1"),
            "Supplement" => 2,
        },
    });
    let chinese = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light", "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid_font)],
        "ToUnicode" => to_unicode,
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => latin, "F2" => chinese } });

    let mut kids = Vec::new();
    for lines in pages {
        let mut operations = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let y = 800 - 20 * i as i64;
            let (font, text) = if line.is_ascii() {
                ("F1", Object::string_literal(*line))
            } else {
                let bytes = line
                    .chars()
                    .flat_map(|c| if c.is_ascii() { 0x1000 + c as u16 } else { glyph_id(c) }.to_be_bytes())
                    .collect();
                ("F2", Object::String(bytes, StringFormat::Hexadecimal))
            };
            operations.push(Operation::new("BT", vec![]));
            operations.push(Operation::new("Tf", vec![font.into(), 12.into()]));
            operations.push(Operation::new("Td", vec![50.into(), y.into()]));
            operations.push(Operation::new("Tj", vec![text]));
            operations.push(Operation::new("ET", vec![]));
        }
        let content = Content { operations }.encode().unwrap();
        let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        })));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

#[test]
fn a_pdfs_chinese_and_ascii_text_is_read() {
    let bytes = pdf(&[
        &["Tonglian Station Notice 2007", "关于2007年度宣传报道工作的通知", "<script>alert(1)</script>"],
        &["第二页：稿件请于每月25日前报送。", "Page 2 & more"],
    ]);
    assert_eq!(sniff_document(&bytes, "通知.pdf"), Ok(DocFormat::Pdf));
    assert_eq!(sniff_document(&bytes, "通知.docx"), Ok(DocFormat::Pdf));
    assert_eq!((DocFormat::Pdf.ext(), DocFormat::Pdf.mime()), ("pdf", "application/pdf"));

    let text = document_text(&bytes, DocFormat::Pdf).unwrap();
    assert_eq!(
        text,
        "Tonglian Station Notice 2007\n关于2007年度宣传报道工作的通知\n<script>alert(1)</script>\n\
         第二页：稿件请于每月25日前报送。\nPage 2 & more"
    );

    let preview = preview_html(&bytes, DocFormat::Pdf, 50).unwrap();
    assert!(!preview.truncated);
    assert_eq!(
        preview.html,
        "<p>Tonglian Station Notice 2007</p>\n<p>关于2007年度宣传报道工作的通知</p>\n\
         <p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>第二页：稿件请于每月25日前报送。</p>\n\
         <p>Page 2 &amp; more</p>\n"
    );
    assert_only_safe_tags(&preview.html);
}

#[test]
fn a_long_pdf_previews_its_first_pages_and_indexes_them_all() {
    let pages: Vec<String> = (1..=8).map(|n| format!("第{n}页")).collect();
    let lines: Vec<[&str; 1]> = pages.iter().map(|p| [p.as_str()]).collect();
    let page_refs: Vec<&[&str]> = lines.iter().map(|l| &l[..]).collect();
    let bytes = pdf(&page_refs);

    let preview = preview_html(&bytes, DocFormat::Pdf, 100).unwrap();
    assert!(preview.truncated);
    assert_eq!(preview.html, "<p>第1页</p>\n<p>第2页</p>\n<p>第3页</p>\n<p>第4页</p>\n<p>第5页</p>\n");

    let preview = preview_html(&bytes, DocFormat::Pdf, 2).unwrap();
    assert!(preview.truncated);
    assert_eq!(preview.html, "<p>第1页</p>\n<p>第2页</p>\n");

    assert_eq!(document_text(&bytes, DocFormat::Pdf).unwrap(), pages.join("\n"));
}

#[test]
fn a_damaged_pdf_is_an_error_not_a_panic() {
    let garbage = b"%PDF-1.7\n\x00\x01 this is not a PDF body at all \xff\xfe\n%%EOF";
    assert_eq!(sniff_document(garbage, "a.pdf"), Ok(DocFormat::Pdf));
    let error = document_text(garbage, DocFormat::Pdf).unwrap_err();
    assert!(matches!(error, PreviewError::Corrupt { format: "PDF 文件", .. }), "{error:?}");
    assert!(matches!(preview_html(garbage, DocFormat::Pdf, 10), Err(PreviewError::Corrupt { .. })));

    // Cut at every few bytes: an error or a partial text, never a panic.
    let whole = pdf(&[&["Tonglian", "通联站"]]);
    for cut in (0..whole.len()).step_by(37) {
        let _ = document_text(&whole[..cut], DocFormat::Pdf);
        let _ = preview_html(&whole[..cut], DocFormat::Pdf, 10);
    }
}

/// The PDF encrypted with RC4-128, as a "protect with password" export does.
fn encrypted(bytes: &[u8], user_password: &str) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(bytes).unwrap();
    // The key is derived from the file's identifier, so it needs one.
    let id = Object::string_literal("tonglian-test-id");
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn a_password_protected_pdf_says_so() {
    let plain = pdf(&[&["Tonglian", "通联站"]]);
    let locked = encrypted(&plain, "secret");
    assert_eq!(sniff_document(&locked, "a.pdf"), Ok(DocFormat::Pdf));
    assert_eq!(document_text(&locked, DocFormat::Pdf), Err(PreviewError::Encrypted));
    assert_eq!(preview_html(&locked, DocFormat::Pdf, 10), Err(PreviewError::Encrypted));
    assert_eq!(PreviewError::Encrypted.to_string(), "PDF 文件已加密，无法读取：请上传未加密的文件");

    // Encrypted only against editing (an empty password to open): it reads like any other.
    let open = encrypted(&plain, "");
    assert_eq!(document_text(&open, DocFormat::Pdf).unwrap(), "Tonglian\n通联站");
}

#[test]
fn a_pdf_bomb_is_refused() {
    // A page whose compressed content inflates to 60 MB.
    let mut doc = lopdf::Document::load_mem(&pdf(&[&["Tonglian"]])).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    let content_id = doc.get_page_contents(page)[0];
    let mut stream = Stream::new(Dictionary::new(), vec![b' '; 60 * 1024 * 1024]);
    stream.compress().unwrap();
    doc.objects.insert(content_id, Object::Stream(stream));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());

    assert_eq!(document_text(&bytes, DocFormat::Pdf), Err(PreviewError::Unpacked));
    assert_eq!(preview_html(&bytes, DocFormat::Pdf, 10), Err(PreviewError::Unpacked));
}

// ---------------------------------------------------------------------------------------------
// Plain text

#[test]
fn a_gbk_text_file_is_read_as_chinese() {
    let text = "湖北通联站\r\n2007年6月宣传报道奖励公示\r\n\r\n  公示期：7月2日至7月8日  \r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "really GBK, not UTF-8");

    assert_eq!(sniff_document(&gbk, "公示.txt"), Ok(DocFormat::Txt));
    assert_eq!(sniff_document(&gbk, "公示.TXT"), Ok(DocFormat::Txt));
    assert_eq!(
        document_text(&gbk, DocFormat::Txt).unwrap(),
        "湖北通联站\n2007年6月宣传报道奖励公示\n公示期：7月2日至7月8日"
    );
    let preview = preview_html(&gbk, DocFormat::Txt, 10).unwrap();
    assert_eq!(preview.html, "<p>湖北通联站</p>\n<p>2007年6月宣传报道奖励公示</p>\n<p>公示期：7月2日至7月8日</p>\n");
    assert!(!preview.truncated);
    assert_eq!((DocFormat::Txt.ext(), DocFormat::Txt.mime()), ("txt", "text/plain; charset=utf-8"));
}

#[test]
fn a_utf8_text_file_with_markup_is_escaped() {
    let text = "\u{feff}第一行\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n";
    assert_eq!(sniff_document(text.as_bytes(), "说明.txt"), Ok(DocFormat::Txt));
    let preview = preview_html(text.as_bytes(), DocFormat::Txt, 2).unwrap();
    assert_eq!(preview.html, "<p>第一行</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
    assert!(preview.truncated);
    assert_only_safe_tags(&preview.html);
    assert_eq!(
        document_text(text.as_bytes(), DocFormat::Txt).unwrap(),
        "第一行\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>"
    );
}

#[test]
fn text_is_text_only_when_named_so_and_free_of_binary() {
    // Text under another name: an HTML page, a script.
    assert_eq!(sniff_document(b"<html><body>hi</body></html>", "a.html"), Err(PreviewError::Unsupported));
    assert_eq!(sniff_document("通知".as_bytes(), "a.doc"), Err(PreviewError::Unsupported));
    assert_eq!(sniff_document(b"plain", "txt"), Err(PreviewError::Unsupported));
    // Binary named .txt.
    assert_eq!(sniff_document(b"abc\0def", "a.txt"), Err(PreviewError::Unsupported));
    assert_eq!(sniff_document(b"\xff\xfe\x80\x80", "a.txt"), Err(PreviewError::Unsupported));
    // An old Word file (OLE) named .docx.
    assert_eq!(sniff_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0", "a.docx"), Err(PreviewError::Unsupported));
    assert_eq!(
        PreviewError::Unsupported.to_string(),
        "不支持的文档格式：只接受 Word 文档（.docx）、PDF 文件和纯文本文件（.txt）"
    );
}

#[test]
fn the_text_for_the_index_is_capped() {
    let line = "通联站宣传报道工作".repeat(100);
    let text = vec![line.as_str(); 400].join("\n");
    assert!(text.chars().count() > MAX_TEXT_CHARS);
    let indexed = document_text(text.as_bytes(), DocFormat::Txt).unwrap();
    assert_eq!(indexed.chars().count(), MAX_TEXT_CHARS);
    assert!(text.starts_with(&indexed));
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
    assert_eq!(sniff_document(&big, "big.pdf"), Err(PreviewError::TooLarge));
    assert_eq!(document_text(&big, DocFormat::Pdf), Err(PreviewError::TooLarge));
    assert_eq!(preview_html(&big, DocFormat::Pdf, 10), Err(PreviewError::TooLarge));
    assert_eq!(PreviewError::TooLarge.to_string(), "文档过大：文件不能超过 20 MB");
}

/// A PDF whose first page says "Page one text" and whose second page's content is `filler`,
/// flate-compressed as an attacker would send it.
fn pdf_with_second_page(filler: Vec<u8>) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let first = b"BT /F1 12 Tf 50 800 Td (Page one text) Tj ET".to_vec();
    let mut kids = Vec::new();
    for content in [first, filler] {
        let content_id = doc.add_object(Stream::new(Dictionary::new(), content));
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        })));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => 2, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// A few kilobytes of PDF whose page is millions of two-byte operators (`q`) would take
/// gigabytes once lopdf parsed it. Over the per-page content limit it is refused as a bomb;
/// within it but with too many operators, the text stops before that page, keeping what came
/// before. Either way quickly, without parsing the page.
#[test]
fn a_page_of_millions_of_operators_is_not_parsed() {
    let within = |started: std::time::Instant| {
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    };
    // The attacker's file: 8 MB of content, 4 million operators, in a few kilobytes.
    let huge = pdf_with_second_page(b"q\n".repeat(4_000_000));
    assert!(huge.len() < 64 * 1024, "{}", huge.len());
    let started = std::time::Instant::now();
    assert_eq!(document_text(&huge, DocFormat::Pdf), Err(PreviewError::Unpacked));
    assert_eq!(preview_html(&huge, DocFormat::Pdf, 100), Err(PreviewError::Unpacked));
    within(started);

    // 2 MB of content: within the content limit, but a million operators.
    let many = pdf_with_second_page(b"q\n".repeat(1_000_000));
    let started = std::time::Instant::now();
    assert_eq!(document_text(&many, DocFormat::Pdf).unwrap().trim(), "Page one text");
    let preview = preview_html(&many, DocFormat::Pdf, 100).unwrap();
    assert!(preview.truncated);
    assert!(preview.html.contains("Page one text"));
    within(started);
}
