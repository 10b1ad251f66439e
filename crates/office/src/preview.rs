//! The document library (文档库): tells what an uploaded document really is (Word .docx, PDF
//! or plain text), takes out its text for the search index, and builds a safe HTML preview of
//! its opening for the browser.
//!
//! The preview's HTML is safe by construction: every piece of text from the document is
//! escaped, and the only tags written are `<h2>`, `<h3>`, `<p>`, `<table>`, `<tr>` and `<td>`,
//! without attributes. Nothing of the document's own markup, links or styling is passed on.
//!
//! Every reader is bounded: the upload's size, the unpacked size of a .docx's XML (a zip bomb
//! is refused, not unpacked), each decompressed PDF stream, the content and operators of each PDF
//! page read (and of all of them together), and the length of the text.

use std::io::{Cursor, Read};

use domain::text::escape_html;
use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

/// The largest document accepted: 20 MB.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// The most text kept for the search index, in characters: about a hundred pages.
pub const MAX_TEXT_CHARS: usize = 200_000;

/// The most a .docx's document XML may unpack to. A real document's text is far below this;
/// a zip bomb is far above.
const MAX_DOCX_XML_BYTES: u64 = 50 * 1024 * 1024;

/// The most a .docx's style list may unpack to.
const MAX_DOCX_STYLES_BYTES: u64 = 10 * 1024 * 1024;

/// The most any one PDF stream (page content, font map) may decompress to.
const MAX_PDF_STREAM_BYTES: usize = 50 * 1024 * 1024;

/// The most content one PDF page may decompress to for its text to be read. lopdf turns every
/// operator into a structure of a hundred bytes or more, so a page of millions of two-byte
/// operators (`q` repeated) would take gigabytes; real pages of text are far below this.
const MAX_PDF_PAGE_CONTENT_BYTES: usize = 4 * 1024 * 1024;

/// The most content all the pages read from one PDF may decompress to together.
const MAX_PDF_DOCUMENT_CONTENT_BYTES: usize = 16 * 1024 * 1024;

/// The most tokens (words, numbers, names: each operator is one) a page's content may have for
/// its text to be read: they are counted before lopdf parses them, which keeps its parsed form
/// to some tens of megabytes. A page of text has a few tens of thousands.
const MAX_PDF_PAGE_TOKENS: usize = 200_000;

/// A PDF preview shows text from at most this many opening pages.
const PDF_PREVIEW_PAGES: u32 = 5;

/// A document format that the library publishes, told by the file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    Docx,
    Pdf,
    Txt,
}

impl DocFormat {
    /// The media type for an HTTP download.
    pub fn mime(self) -> &'static str {
        match self {
            DocFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            DocFormat::Pdf => "application/pdf",
            DocFormat::Txt => "text/plain; charset=utf-8",
        }
    }

    /// The usual extension, without the dot.
    pub fn ext(self) -> &'static str {
        match self {
            DocFormat::Docx => "docx",
            DocFormat::Pdf => "pdf",
            DocFormat::Txt => "txt",
        }
    }

    /// The format's name as users know it, for error messages.
    fn label(self) -> &'static str {
        match self {
            DocFormat::Docx => "Word 文档",
            DocFormat::Pdf => "PDF 文件",
            DocFormat::Txt => "文本文件",
        }
    }
}

/// The opening of a document as HTML, ready to put inside a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// Escaped text in `<h2>`, `<h3>`, `<p>` and `<table><tr><td>` only.
    pub html: String,
    /// Whether the document goes on beyond what the preview shows.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreviewError {
    #[error("文档过大：文件不能超过 20 MB")]
    TooLarge,
    #[error("不支持的文档格式：只接受 Word 文档（.docx）、PDF 文件和纯文本文件（.txt）")]
    Unsupported,
    #[error("文档含有宏，不能发布：请在 Word 中另存为不含宏的 .docx 文件")]
    Macros,
    #[error("PDF 文件已加密，无法读取：请上传未加密的文件")]
    Encrypted,
    #[error("文档内容过大，无法读取")]
    Unpacked,
    #[error("{format}已损坏，无法读取（{detail}）")]
    Corrupt { format: &'static str, detail: String },
}

impl PreviewError {
    fn corrupt(format: DocFormat, detail: impl ToString) -> PreviewError {
        PreviewError::Corrupt { format: format.label(), detail: detail.to_string() }
    }
}

/// Tells what an uploaded document is by its content. The file name counts only for plain
/// text, which has no signature of its own: it must be named .txt as well as read as text.
pub fn sniff_document(bytes: &[u8], file_name: &str) -> Result<DocFormat, PreviewError> {
    check_size(bytes)?;
    if bytes.starts_with(b"%PDF-") {
        return Ok(DocFormat::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let archive = open_zip(bytes)?;
        if archive.index_for_name("word/document.xml").is_none() {
            // Some other zip: a spreadsheet, a slideshow, an archive of files.
            return Err(PreviewError::Unsupported);
        }
        // A macro-enabled document (.docm) renamed .docx: not something to hand to the public.
        if archive.index_for_name("word/vbaProject.bin").is_some() {
            return Err(PreviewError::Macros);
        }
        return Ok(DocFormat::Docx);
    }
    let named_txt = file_name.trim().to_ascii_lowercase().ends_with(".txt");
    if named_txt && decode_text(bytes).is_some() {
        return Ok(DocFormat::Txt);
    }
    Err(PreviewError::Unsupported)
}

/// The document's plain text for the search index: paragraphs (and table rows) on lines of
/// their own, at most `MAX_TEXT_CHARS` characters.
pub fn document_text(bytes: &[u8], format: DocFormat) -> Result<String, PreviewError> {
    let read = read_blocks(bytes, format, u32::MAX)?;
    let mut text = String::new();
    for block in &read.blocks {
        match block {
            Block::Heading(_, line) | Block::Paragraph(line) => {
                text.push_str(line);
                text.push('\n');
            }
            Block::Table(rows) => {
                for row in rows {
                    text.push_str(&row.join("\t"));
                    text.push('\n');
                }
            }
        }
    }
    let text = text.trim_end();
    Ok(truncate_chars(text, MAX_TEXT_CHARS).to_string())
}

/// The opening of the document as safe HTML: at most `max_paragraphs` headings, paragraphs
/// and table rows; for a PDF, from the first few pages only.
pub fn preview_html(bytes: &[u8], format: DocFormat, max_paragraphs: usize) -> Result<Preview, PreviewError> {
    let read = read_blocks(bytes, format, PDF_PREVIEW_PAGES)?;
    let mut html = String::new();
    let mut left = max_paragraphs;
    let mut truncated = read.cut_short;
    for block in &read.blocks {
        if left == 0 {
            truncated = true;
            break;
        }
        match block {
            Block::Heading(level, line) => {
                let tag = if *level <= 1 { "h2" } else { "h3" };
                push_element(&mut html, tag, line);
                left -= 1;
            }
            Block::Paragraph(line) => {
                push_element(&mut html, "p", line);
                left -= 1;
            }
            Block::Table(rows) => {
                html.push_str("<table>\n");
                for row in rows {
                    if left == 0 {
                        truncated = true;
                        break;
                    }
                    html.push_str("<tr>");
                    for cell in row {
                        push_element(&mut html, "td", cell);
                    }
                    html.push_str("</tr>\n");
                    left -= 1;
                }
                html.push_str("</table>\n");
            }
        }
    }
    Ok(Preview { html, truncated })
}

/// A piece of a document as the preview and the index see it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    /// A heading: 1 for a title or 标题 1, 2 for 标题 2 and below.
    Heading(u8, String),
    Paragraph(String),
    /// Rows of cells, each cell's paragraphs run together.
    Table(Vec<Vec<String>>),
}

/// What was read of a document.
struct Blocks {
    blocks: Vec<Block>,
    /// Whether reading stopped before the end: at `MAX_TEXT_CHARS`, or at the page limit.
    cut_short: bool,
}

/// Reads a document into blocks, stopping once about `MAX_TEXT_CHARS` characters are in, and
/// for a PDF after `pdf_pages` pages.
fn read_blocks(bytes: &[u8], format: DocFormat, pdf_pages: u32) -> Result<Blocks, PreviewError> {
    check_size(bytes)?;
    match format {
        DocFormat::Docx => docx_blocks(bytes),
        DocFormat::Pdf => pdf_blocks(bytes, pdf_pages),
        DocFormat::Txt => {
            let text = decode_text(bytes).ok_or_else(|| PreviewError::corrupt(format, "不是可识别的文本编码"))?;
            Ok(lines_to_blocks(&text))
        }
    }
}

fn check_size(bytes: &[u8]) -> Result<(), PreviewError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(PreviewError::TooLarge);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Plain text

/// The text of a .txt file: UTF-8 (with or without a BOM), or else GB18030, the superset of
/// the GBK that Chinese Windows saves by default. `None` for anything that is not text.
fn decode_text(bytes: &[u8]) -> Option<String> {
    // A NUL byte means binary (or UTF-16, which nobody here saves text in on purpose).
    if bytes.contains(&0) {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_string());
    }
    encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).map(|text| text.into_owned())
}

/// Each non-blank line is a paragraph.
fn lines_to_blocks(text: &str) -> Blocks {
    let mut blocks = Vec::new();
    let mut chars = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if chars >= MAX_TEXT_CHARS {
            return Blocks { blocks, cut_short: true };
        }
        chars += line.chars().count();
        blocks.push(Block::Paragraph(line.to_string()));
    }
    Blocks { blocks, cut_short: false }
}

// ---------------------------------------------------------------------------------------------
// Word (.docx)

fn open_zip(bytes: &[u8]) -> Result<ZipArchive<Cursor<&[u8]>>, PreviewError> {
    // A directory claiming millions of entries would be reserved for before it is read.
    crate::limits::check_zip_directory(bytes, &crate::Limits::default()).map_err(|_| PreviewError::Unpacked)?;
    ZipArchive::new(Cursor::new(bytes)).map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))
}

/// Reads one part of the package, refusing to unpack more than `limit` bytes of it.
fn read_part(archive: &mut ZipArchive<Cursor<&[u8]>>, name: &str, limit: u64) -> Result<String, PreviewError> {
    let part = archive.by_name(name).map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))?;
    // The size in the zip's directory can lie, so the reading itself is capped too.
    let mut xml = Vec::new();
    part.take(limit + 1).read_to_end(&mut xml).map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))?;
    if xml.len() as u64 > limit {
        return Err(PreviewError::Unpacked);
    }
    String::from_utf8(xml).map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))
}

fn docx_blocks(bytes: &[u8]) -> Result<Blocks, PreviewError> {
    let mut archive = open_zip(bytes)?;
    let xml = read_part(&mut archive, "word/document.xml", MAX_DOCX_XML_BYTES)?;
    // Styles name the headings; a document without a style list just has none.
    let styles = match archive.index_for_name("word/styles.xml") {
        Some(_) => heading_styles(&read_part(&mut archive, "word/styles.xml", MAX_DOCX_STYLES_BYTES)?)?,
        None => Vec::new(),
    };
    DocxReader::new(styles).read(&xml)
}

/// The heading level of each heading style in styles.xml, by style id. Word writes built-in
/// styles under English names ("heading 1") whatever the language, with ids that differ by
/// language ("Heading1", or "1" in Chinese Word); WPS and others may write "标题 1".
fn heading_styles(xml: &str) -> Result<Vec<(String, u8)>, PreviewError> {
    let mut reader = Reader::from_str(xml);
    let mut styles = Vec::new();
    let mut current_id: Option<String> = None;
    loop {
        match reader.read_event().map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))? {
            Event::Start(e) if e.local_name().as_ref() == b"style" => {
                current_id = attribute(&e, b"styleId");
            }
            Event::End(e) if e.local_name().as_ref() == b"style" => current_id = None,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"name" => {
                let (Some(id), Some(name)) = (&current_id, attribute(&e, b"val")) else { continue };
                if let Some(level) = heading_level(&name).or_else(|| heading_level(id)) {
                    styles.push((id.clone(), level));
                }
            }
            // A style of the office's own (say 公文标题) is a heading if it has an outline level.
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"outlineLvl" => {
                let (Some(id), Some(level)) = (&current_id, attribute(&e, b"val")) else { continue };
                if let Some(level) = outline_level(&level) {
                    styles.push((id.clone(), level));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(styles)
}

/// 1 for "Title", "heading 1", "Heading1", "标题 1", "标题"; 2 for "Subtitle", "heading 2"
/// and lower headings; `None` for any other style.
fn heading_level(name: &str) -> Option<u8> {
    let name: String = name.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    match name.as_str() {
        "title" | "标题" => return Some(1),
        "subtitle" | "副标题" => return Some(2),
        _ => {}
    }
    let number = name.strip_prefix("heading").or_else(|| name.strip_prefix("标题"))?;
    match number.parse::<u8>().ok()? {
        0 => None,
        1 => Some(1),
        _ => Some(2),
    }
}

/// 1 for outline level 0, 2 for levels 1 to 8; `None` for 9 (body text) or anything else.
fn outline_level(value: &str) -> Option<u8> {
    match value.parse::<u8>().ok()? {
        0 => Some(1),
        1..=8 => Some(2),
        _ => None,
    }
}

/// The value of an attribute, by its local name (`w:val` and `val` alike).
fn attribute(element: &BytesStart, local_name: &[u8]) -> Option<String> {
    element.attributes().flatten().find(|a| a.key.local_name().as_ref() == local_name).map(|a| {
        // Style ids and names are plain words; an odd escape is kept as written.
        String::from_utf8_lossy(&a.value).into_owned()
    })
}

/// Walks word/document.xml once, collecting paragraphs and tables in order.
struct DocxReader {
    heading_styles: Vec<(String, u8)>,
    blocks: Vec<Block>,
    chars: usize,
    /// Paragraphs open: more than one inside a text box, which counts as its anchor's text.
    paragraph_depth: usize,
    text: String,
    level: Option<u8>,
    /// Inside `<w:t>`, the only element whose text is the document's text.
    in_text: bool,
    /// Runs open: tabs and breaks count only there (a paragraph's tab stops are also `<w:tab>`).
    run_depth: usize,
    /// Tables open: a table inside a table cell is run into that cell.
    table_depth: usize,
    rows: Vec<Vec<String>>,
}

impl DocxReader {
    fn new(heading_styles: Vec<(String, u8)>) -> DocxReader {
        DocxReader {
            heading_styles,
            blocks: Vec::new(),
            chars: 0,
            paragraph_depth: 0,
            text: String::new(),
            level: None,
            in_text: false,
            run_depth: 0,
            table_depth: 0,
            rows: Vec::new(),
        }
    }

    fn read(mut self, xml: &str) -> Result<Blocks, PreviewError> {
        let mut reader = Reader::from_str(xml);
        let mut cut_short = false;
        loop {
            let event = reader.read_event().map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))?;
            match event {
                Event::Start(e) => {
                    // A text box or drawing is written twice, as itself and as a fallback
                    // for old programs; reading both would say everything twice.
                    if e.local_name().as_ref() == b"Fallback" {
                        reader.read_to_end(e.name()).map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))?;
                        continue;
                    }
                    self.start(&e);
                }
                Event::Empty(e) => self.empty(&e),
                Event::End(e) => self.end(e.local_name().as_ref()),
                Event::Text(e) if self.in_text => {
                    let text = e.xml10_content().map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))?;
                    self.text.push_str(&text);
                }
                Event::CData(e) if self.in_text => {
                    let text = e.decode().map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))?;
                    self.text.push_str(&text);
                }
                Event::GeneralRef(e) if self.in_text => {
                    if let Ok(Some(c)) = e.resolve_char_ref() {
                        self.text.push(c);
                    } else {
                        let name = e.decode().map_err(|e| PreviewError::corrupt(DocFormat::Docx, e))?;
                        let resolved = resolve_predefined_entity(&name)
                            .ok_or_else(|| PreviewError::corrupt(DocFormat::Docx, format!("未知的实体 &{name};")))?;
                        self.text.push_str(resolved);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            if self.chars >= MAX_TEXT_CHARS {
                cut_short = true;
                break;
            }
        }
        // A table left open by a cut-short document still shows what it had.
        if !self.rows.is_empty() {
            self.blocks.push(Block::Table(std::mem::take(&mut self.rows)));
        }
        Ok(Blocks { blocks: self.blocks, cut_short })
    }

    fn start(&mut self, e: &BytesStart) {
        match e.local_name().as_ref() {
            b"p" => {
                self.paragraph_depth += 1;
                if self.paragraph_depth > 1 && !self.text.is_empty() {
                    self.text.push(' ');
                }
            }
            b"t" => self.in_text = true,
            b"r" => self.run_depth += 1,
            b"tbl" => self.table_depth += 1,
            b"tr" if self.table_depth == 1 => self.rows.push(Vec::new()),
            b"tc" if self.table_depth == 1 => {
                if let Some(row) = self.rows.last_mut() {
                    row.push(String::new());
                }
            }
            // `<w:tab></w:tab>` means what `<w:tab/>` does.
            _ => self.empty(e),
        }
    }

    fn empty(&mut self, e: &BytesStart) {
        match e.local_name().as_ref() {
            b"pStyle" if self.paragraph_depth == 1 => {
                if let Some(id) = attribute(e, b"val") {
                    self.level = self.heading_styles.iter().find(|(s, _)| *s == id).map(|(_, level)| *level);
                }
            }
            // The paragraph's own outline level outranks its style's: 0 is a top-level heading,
            // 9 is body text whatever the style is called.
            b"outlineLvl" if self.paragraph_depth == 1 => {
                if let Some(value) = attribute(e, b"val") {
                    self.level = outline_level(&value);
                }
            }
            b"tab" if self.run_depth > 0 => self.text.push(' '),
            b"br" | b"cr" if self.run_depth > 0 => self.text.push('\n'),
            // `<w:p/>`: an empty paragraph, nothing to keep.
            _ => {}
        }
    }

    fn end(&mut self, local_name: &[u8]) {
        match local_name {
            b"t" => self.in_text = false,
            b"r" => self.run_depth = self.run_depth.saturating_sub(1),
            b"p" => {
                self.paragraph_depth = self.paragraph_depth.saturating_sub(1);
                if self.paragraph_depth == 0 {
                    self.finish_paragraph();
                }
            }
            b"tbl" => {
                self.table_depth = self.table_depth.saturating_sub(1);
                if self.table_depth == 0 {
                    let rows: Vec<Vec<String>> = std::mem::take(&mut self.rows)
                        .into_iter()
                        .filter(|row| row.iter().any(|cell| !cell.is_empty()))
                        .collect();
                    if !rows.is_empty() {
                        self.blocks.push(Block::Table(rows));
                    }
                }
            }
            _ => {}
        }
    }

    fn finish_paragraph(&mut self) {
        let text = std::mem::take(&mut self.text);
        let level = self.level.take();
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.chars += text.chars().count();
        if self.table_depth > 0 {
            // A paragraph in a cell joins the cell's other paragraphs.
            if let Some(cell) = self.rows.last_mut().and_then(|row| row.last_mut()) {
                if !cell.is_empty() {
                    cell.push(' ');
                }
                cell.push_str(text);
            }
            return;
        }
        self.blocks.push(match level {
            Some(level) => Block::Heading(level, text.to_string()),
            None => Block::Paragraph(text.to_string()),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// PDF

fn load_pdf(bytes: &[u8]) -> Result<lopdf::Document, PreviewError> {
    let options = lopdf::LoadOptions { max_decompressed_size: Some(MAX_PDF_STREAM_BYTES), ..Default::default() };
    lopdf::Document::load_mem_with_options(bytes, options).map_err(pdf_error)
}

fn pdf_error(e: lopdf::Error) -> PreviewError {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => PreviewError::Unpacked,
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => PreviewError::Encrypted,
        other => PreviewError::corrupt(DocFormat::Pdf, other),
    }
}

/// The text of the first `max_pages` pages, each line a paragraph. A PDF has no paragraphs,
/// only lines of text placed on a page; a line per paragraph reads well enough for a preview.
fn pdf_blocks(bytes: &[u8], max_pages: u32) -> Result<Blocks, PreviewError> {
    let document = load_pdf(bytes)?;
    // Still encrypted after loading: it needs a password (one with an empty password is
    // decrypted as it loads).
    if document.is_encrypted() {
        return Err(PreviewError::Encrypted);
    }
    let pages = document.get_pages();
    let mut blocks = Vec::new();
    let mut chars = 0;
    let mut content_left = MAX_PDF_DOCUMENT_CONTENT_BYTES;
    for (read, (&number, &page_id)) in pages.iter().enumerate() {
        if read as u64 >= u64::from(max_pages) || chars >= MAX_TEXT_CHARS {
            return Ok(Blocks { blocks, cut_short: true });
        }
        // The page's content is measured before lopdf parses it. A page too large to parse
        // safely is refused as a bomb; a page of too many operators, or one past what the
        // document may decompress in all, ends the text there, as the length limit does.
        let limit = MAX_PDF_PAGE_CONTENT_BYTES.min(content_left);
        match document.get_page_content_with_limit(page_id, limit) {
            Ok(content) if count_tokens(&content) <= MAX_PDF_PAGE_TOKENS => {
                content_left -= content.len().min(content_left);
            }
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }))
                if limit == MAX_PDF_PAGE_CONTENT_BYTES =>
            {
                return Err(PreviewError::Unpacked);
            }
            Ok(_) | Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
                return Ok(Blocks { blocks, cut_short: true });
            }
            // Any other fault is the extraction's to report or pass over, as before.
            Err(_) => {}
        }
        let mut page = String::new();
        for chunk in document.extract_text_chunks_with_limit(&[number], MAX_PDF_PAGE_CONTENT_BYTES) {
            match chunk {
                Ok(text) => page.push_str(&text),
                // A bomb is refused; a font whose text cannot be mapped is only left out.
                Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
                    return Err(PreviewError::Unpacked);
                }
                Err(_) => {}
            }
        }
        for line in page.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            chars += line.chars().count();
            blocks.push(Block::Paragraph(line.to_string()));
        }
    }
    Ok(Blocks { blocks, cut_short: false })
}

/// How many runs of regular characters (neither white space nor a PDF delimiter) the content
/// has: every operator is one such run, so this bounds the operations lopdf would make of it.
fn count_tokens(content: &[u8]) -> usize {
    let regular = |b: u8| {
        !matches!(
            b,
            b'\0'
                | b'\t'
                | b'\n'
                | 0x0C
                | b'\r'
                | b' '
                | b'('
                | b')'
                | b'<'
                | b'>'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'/'
                | b'%'
        )
    };
    let mut count = 0;
    let mut previous = false;
    for &b in content {
        let now = regular(b);
        if now && !previous {
            count += 1;
        }
        previous = now;
    }
    count
}

// ---------------------------------------------------------------------------------------------
// HTML

/// Appends `<tag>text</tag>` with the text escaped; `tag` is always one of ours.
fn push_element(html: &mut String, tag: &str, text: &str) {
    html.push('<');
    html.push_str(tag);
    html.push('>');
    html.push_str(&escape_html(text));
    html.push_str("</");
    html.push_str(tag);
    html.push('>');
    if tag != "td" {
        html.push('\n');
    }
}

/// The first `max` characters of `text`.
fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_levels_from_style_names() {
        assert_eq!(heading_level("heading 1"), Some(1));
        assert_eq!(heading_level("Heading1"), Some(1));
        assert_eq!(heading_level("标题 1"), Some(1));
        assert_eq!(heading_level("Title"), Some(1));
        assert_eq!(heading_level("heading 3"), Some(2));
        assert_eq!(heading_level("标题2"), Some(2));
        assert_eq!(heading_level("Normal"), None);
        assert_eq!(heading_level("1"), None);
        assert_eq!(heading_level("headingx"), None);
    }

    #[test]
    fn text_is_cut_on_a_character_boundary() {
        assert_eq!(truncate_chars("通联站abc", 3), "通联站");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        let mut html = String::new();
        push_element(&mut html, "p", "<a href=\"x\" onclick='y'>&\u{7}");
        assert_eq!(html, "<p>&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;</p>\n");
    }
}
