//! The limits every reader of an uploaded spreadsheet keeps, and the checks shared by the
//! readers: a deadline, and a streaming look at a zip package (xlsx, ods) before calamine is
//! given it.
//!
//! calamine trusts what a file says about itself: it sizes a sheet by the bounding box of its
//! cells (two cells, A1 and XFD1048576, ask for 17 billion), reserves room for as many shared
//! strings as the file declares, and reads a shared string or an .ods cell repeat whole. So a
//! package is first read here, entry by entry, through a counting `take`: every entry's real
//! unpacked size and its ratio to the packed size, the longest XML token (one text or tag), the
//! size of each shared string, the declared string count, an .ods sheet's size with its repeats
//! counted, and the clock. Only a file that passes is handed to calamine, and an xlsx sheet is
//! then read cell by cell (`workbook.rs`), never as a rectangle. An .xls is a compound file
//! of BIFF records: its records are walked here as calamine walks them (`prescan_xls`), and the
//! rectangles calamine would build are measured before it is given the file.

use std::cell::Cell;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;
use std::time::{Duration, Instant};

use zip::ZipArchive;

use crate::OfficeError;

/// What a spreadsheet may hold. The defaults take a 200,000-row CSV and a 100,000-row xlsx of
/// the import's twenty-odd columns with room to spare, and keep one parse well under 1 GiB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The last row a sheet may use (row numbers, so a sheet with its one row at 500,000 is
    /// refused too): 300,000.
    pub max_rows: u32,
    /// The last column a sheet may use: 200 (column GR). An import has about twenty.
    pub max_columns: u32,
    /// Cells read in all: 5,000,000 (200,000 rows of 25 columns).
    pub max_cells: u64,
    /// Cells in the rectangle of a format calamine reads whole (.ods): 1,000,000.
    pub max_box_cells: u64,
    /// Characters in one cell: 32,767, Excel's own limit.
    pub max_cell_chars: usize,
    /// Bytes of text in all the cells a read keeps: 128 MiB. One long string shown in many
    /// cells (a shared string, an .ods cell repeated) is counted once per cell, as it is kept.
    pub max_text_bytes: u64,
    /// Bytes of one XML token (a text or a tag) and of one shared string's XML: 1 MiB, room for
    /// 32,767 characters written as character references.
    pub max_token_bytes: usize,
    /// Bytes of a workbook's shared-string part: 128 MiB.
    pub max_shared_strings_bytes: u64,
    /// Strings a workbook may declare or hold: 5,000,000 (one per cell at most).
    pub max_strings: u64,
    /// Bytes the whole package may unpack to: 512 MiB.
    pub max_unpacked_bytes: u64,
    /// How many times its packed size an entry may unpack to, once past 1 MiB: 200. Real
    /// sheets compress 5 to 30 times; a bomb, a thousand.
    pub max_ratio: u64,
    /// Entries in a zip package: 10,000.
    pub max_entries: u64,
    /// How long one read may take: 60 s (a 200,000-row file takes a few seconds).
    pub max_duration: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 300_000,
            max_columns: 200,
            max_cells: 5_000_000,
            max_box_cells: 1_000_000,
            max_cell_chars: 32_767,
            max_text_bytes: 128 * 1024 * 1024,
            max_token_bytes: 1024 * 1024,
            max_shared_strings_bytes: 128 * 1024 * 1024,
            max_strings: 5_000_000,
            max_unpacked_bytes: 512 * 1024 * 1024,
            max_ratio: 200,
            max_entries: 10_000,
            max_duration: Duration::from_secs(60),
        }
    }
}

/// Entries may unpack to any ratio below this size (a small XML part compresses very well).
const RATIO_FREE_BYTES: u64 = 1024 * 1024;

fn limit(message: String) -> OfficeError {
    OfficeError::Limit(message)
}

/// The name of a column numbered from 1, as the spreadsheet shows it: 1 is A, 16384 is XFD.
pub(crate) fn column_name(mut n: u64) -> String {
    let mut name = Vec::new();
    while n > 0 {
        let d = (n - 1) % 26;
        name.push(b'A' + d as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// A read's limits and its clock.
pub(crate) struct Budget<'a> {
    pub limits: &'a Limits,
    deadline: Instant,
}

impl<'a> Budget<'a> {
    pub fn new(limits: &'a Limits) -> Self {
        Budget { limits, deadline: Instant::now() + limits.max_duration }
    }

    /// Fails once the read has taken longer than allowed.
    pub fn check_time(&self) -> Result<(), OfficeError> {
        if Instant::now() > self.deadline {
            return Err(limit(format!("读取文件超过 {} 秒，已停止", self.limits.max_duration.as_secs())));
        }
        Ok(())
    }

    /// Row numbers from 1.
    pub fn check_row(&self, row: u64) -> Result<(), OfficeError> {
        if row > u64::from(self.limits.max_rows) {
            return Err(limit(format!("表格超过 {} 行（用到第 {row} 行）", self.limits.max_rows)));
        }
        Ok(())
    }

    /// Column numbers from 1.
    pub fn check_column(&self, column: u64) -> Result<(), OfficeError> {
        if column > u64::from(self.limits.max_columns) {
            return Err(limit(format!("表格超过 {} 列（用到 {} 列）", self.limits.max_columns, column_name(column))));
        }
        Ok(())
    }

    pub fn check_cells(&self, cells: u64) -> Result<(), OfficeError> {
        if cells > self.limits.max_cells {
            return Err(limit(format!("表格超过 {} 个单元格", self.limits.max_cells)));
        }
        Ok(())
    }

    /// `total` is the bytes of text kept so far.
    pub fn check_total_text(&self, total: u64) -> Result<(), OfficeError> {
        let max = self.limits.max_text_bytes;
        if total > max {
            return Err(limit(format!("表格中的文字合计超过 {} MB", max / 1024 / 1024)));
        }
        Ok(())
    }

    pub fn check_text(&self, text: &str) -> Result<(), OfficeError> {
        let max = self.limits.max_cell_chars;
        // At most four bytes a character: only a long text needs counting.
        if text.len() > max && text.chars().count() > max {
            return Err(limit(format!("单元格文字超过 {max} 字")));
        }
        Ok(())
    }
}

/// Refuses a zip whose directory claims more entries than allowed, before the zip reader sizes
/// its list by that claim. Only a zip64 record can claim more than 65,535, so every zip64 end
/// record in the file is looked at, whichever the zip reader would pick.
pub(crate) fn check_zip_directory(bytes: &[u8], limits: &Limits) -> Result<(), OfficeError> {
    const ZIP64_END: &[u8] = b"PK\x06\x06";
    let mut at = 0;
    while let Some(k) = bytes[at..].windows(4).position(|w| w == ZIP64_END) {
        let record = &bytes[at + k..];
        for field in [24, 32] {
            let claimed =
                record.get(field..field + 8).map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
            if claimed > limits.max_entries {
                return Err(limit(format!("压缩包条目超过 {} 个", limits.max_entries)));
            }
        }
        at += k + 4;
    }
    Ok(())
}

/// The file under the zip reader, counting the bytes it hands out: the packed bytes an entry
/// has really taken so far, whatever its header says.
struct Counting<'a> {
    inner: Cursor<&'a [u8]>,
    read: Rc<Cell<u64>>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

impl Seek for Counting<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(to)
    }
}

/// What kind of part an entry is, for the checks that look inside it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// xl/sharedStrings.xml: each `<si>` and the declared counts are checked.
    SharedStrings,
    /// An .ods content.xml: the sheets' sizes with their repeats.
    OdsContent,
    /// Any other XML (sheets, styles, the workbook): tokens are bounded.
    Xml,
    /// Anything else (pictures, binaries): only its size counts.
    Other,
}

/// Reads every entry of a zip package once, through a counting `take`, and checks it against
/// the limits. Nothing is kept but the figures.
/// `what` names the format for a file that is no zip at all.
pub(crate) fn prescan_zip(bytes: &[u8], budget: &Budget, what: &str) -> Result<(), OfficeError> {
    let limits = budget.limits;
    check_zip_directory(bytes, limits)?;
    let packed_read = Rc::new(Cell::new(0u64));
    let counting = Counting { inner: Cursor::new(bytes), read: packed_read.clone() };
    let mut archive =
        ZipArchive::new(counting).map_err(|e| OfficeError::Unreadable(format!("不是有效的 {what} 文件（{e}）")))?;
    if archive.len() as u64 > limits.max_entries {
        return Err(limit(format!("压缩包条目超过 {} 个", limits.max_entries)));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        budget.check_time()?;
        let entry = archive.by_index(i).map_err(|e| OfficeError::Unreadable(format!("压缩包已损坏（{e}）")))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        let lower = name.to_ascii_lowercase();
        let part = if lower.ends_with("sharedstrings.xml") {
            Part::SharedStrings
        } else if lower == "content.xml" {
            Part::OdsContent
        } else if lower.ends_with(".xml") || lower.ends_with(".rels") {
            Part::Xml
        } else {
            Part::Other
        };
        // The most this entry may unpack to: what is left of the total, and for shared strings
        // their own limit. One byte more is read, to know it went over. The ratio is checked
        // as it goes, against the packed bytes really read so far.
        let left = limits.max_unpacked_bytes.saturating_sub(total);
        let mut cap = left;
        if part == Part::SharedStrings {
            cap = cap.min(limits.max_shared_strings_bytes);
        }
        let packed_start = packed_read.get();
        let mut reader = entry.take(cap + 1);
        let mut scan = XmlScan::new(part, budget);
        let mut read: u64 = 0;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(OfficeError::Unreadable(format!("压缩包中的「{name}」无法解压（{e}）"))),
            };
            read += n as u64;
            let packed = packed_read.get().saturating_sub(packed_start).max(1);
            if read > RATIO_FREE_BYTES && read > packed.saturating_mul(limits.max_ratio) {
                return Err(limit(format!("文件中的「{name}」压缩比超过 {} 倍，可能是压缩炸弹", limits.max_ratio)));
            }
            if read > cap {
                return Err(if cap < left {
                    limit(format!("共享字符串解压后超过 {} MB", limits.max_shared_strings_bytes / 1024 / 1024))
                } else {
                    limit(format!("文件解压后超过 {} MB", limits.max_unpacked_bytes / 1024 / 1024))
                });
            }
            if scan.part != Part::Other {
                scan.feed(&buf[..n])?;
                budget.check_time()?;
            }
        }
        scan.finish()?;
        total += read;
    }
    Ok(())
}

/// A byte-level walk over XML that keeps no text: enough to bound token sizes, measure shared
/// strings and count an .ods sheet's rows and columns with their repeats.
struct XmlScan<'a> {
    part: Part,
    budget: &'a Budget<'a>,
    in_tag: bool,
    /// Bytes of the current token (text or tag) so far.
    token: usize,
    /// The current tag's bytes, kept only while short enough to matter (names and the
    /// attributes we look at); a longer tag is only counted.
    tag: Vec<u8>,
    tag_overflow: bool,
    /// Offset in the part where the open `<si>` began.
    si_start: Option<u64>,
    offset: u64,
    strings: u64,
    ods: OdsCount,
}

/// Tags longer than this are not kept for a closer look (their bytes still count).
const TAG_KEEP: usize = 4096;

impl<'a> XmlScan<'a> {
    fn new(part: Part, budget: &'a Budget<'a>) -> Self {
        XmlScan {
            part,
            budget,
            in_tag: false,
            token: 0,
            tag: Vec::new(),
            tag_overflow: false,
            si_start: None,
            offset: 0,
            strings: 0,
            ods: OdsCount::default(),
        }
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<(), OfficeError> {
        let max = self.budget.limits.max_token_bytes;
        let mut i = 0;
        while i < bytes.len() {
            if self.in_tag {
                match bytes[i..].iter().position(|&b| b == b'>') {
                    Some(k) => {
                        self.keep(&bytes[i..i + k], max)?;
                        self.offset += k as u64 + 1;
                        i += k + 1;
                        self.end_tag()?;
                    }
                    None => {
                        self.keep(&bytes[i..], max)?;
                        self.offset += (bytes.len() - i) as u64;
                        i = bytes.len();
                    }
                }
            } else {
                match bytes[i..].iter().position(|&b| b == b'<') {
                    Some(k) => {
                        self.count(k, max)?;
                        self.ods.text(k);
                        self.offset += k as u64;
                        i += k + 1;
                        self.offset += 1;
                        self.in_tag = true;
                        self.token = 0;
                        self.tag.clear();
                        self.tag_overflow = false;
                    }
                    None => {
                        self.count(bytes.len() - i, max)?;
                        self.ods.text(bytes.len() - i);
                        self.offset += (bytes.len() - i) as u64;
                        i = bytes.len();
                    }
                }
            }
        }
        Ok(())
    }

    fn count(&mut self, n: usize, max: usize) -> Result<(), OfficeError> {
        self.token += n;
        if self.token > max {
            return Err(limit(format!("文件中有一段文字超过 {} KB", max / 1024)));
        }
        Ok(())
    }

    fn keep(&mut self, bytes: &[u8], max: usize) -> Result<(), OfficeError> {
        self.count(bytes.len(), max)?;
        if !self.tag_overflow {
            if self.tag.len() + bytes.len() <= TAG_KEEP {
                self.tag.extend_from_slice(bytes);
            } else {
                self.tag_overflow = true;
            }
        }
        Ok(())
    }

    /// A tag just closed: look at it.
    fn end_tag(&mut self) -> Result<(), OfficeError> {
        self.in_tag = false;
        self.token = 0;
        let tag = std::mem::take(&mut self.tag);
        let (closing, rest) = match tag.strip_prefix(b"/") {
            Some(rest) => (true, rest),
            None => (false, &tag[..]),
        };
        let self_closing = rest.ends_with(b"/");
        let name_end = rest.iter().position(|b| b.is_ascii_whitespace() || *b == b'/').unwrap_or(rest.len());
        let name = &rest[..name_end];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        let limits = self.budget.limits;
        match self.part {
            Part::SharedStrings => match (local, closing) {
                (b"sst", false) => {
                    for key in [&b"count"[..], b"uniqueCount"] {
                        if attr_number(rest, key).is_some_and(|n| n > limits.max_strings) {
                            return Err(limit(format!("共享字符串超过 {} 个", limits.max_strings)));
                        }
                    }
                }
                (b"si", false) if !self_closing => {
                    self.si_start = Some(self.offset);
                    self.strings += 1;
                    if self.strings > limits.max_strings {
                        return Err(limit(format!("共享字符串超过 {} 个", limits.max_strings)));
                    }
                }
                (b"si", true) => {
                    if let Some(start) = self.si_start.take()
                        && self.offset - start > limits.max_token_bytes as u64
                    {
                        return Err(limit(format!("单元格文字超过 {} 字", limits.max_cell_chars)));
                    }
                }
                _ => {}
            },
            // An inline string (`<c t="inlineStr"><is>…`) of many runs is joined into one
            // text by the reader: bounded as a whole, like a shared string.
            Part::Xml => match (local, closing) {
                (b"is", false) if !self_closing => self.si_start = Some(self.offset),
                (b"is", true) => {
                    if let Some(start) = self.si_start.take()
                        && self.offset - start > limits.max_token_bytes as u64
                    {
                        return Err(limit(format!("单元格文字超过 {} 字", limits.max_cell_chars)));
                    }
                }
                _ => {}
            },
            Part::OdsContent if !self.tag_overflow || closing => {
                self.ods.tag(local, closing, self_closing, rest, self.budget)?
            }
            Part::OdsContent => return Err(limit("表格中有过长的标记".to_string())),
            Part::Other => {}
        }
        if let Some(start) = self.si_start
            && self.offset - start > limits.max_token_bytes as u64
        {
            return Err(limit(format!("单元格文字超过 {} 字", limits.max_cell_chars)));
        }
        Ok(())
    }

    fn finish(&self) -> Result<(), OfficeError> {
        if self.part == Part::OdsContent {
            self.ods.finish_table(self.budget)?;
        }
        Ok(())
    }
}

/// The number in attribute `key` (by local name) of a tag's text, if it has one.
fn attr_number(tag: &[u8], key: &[u8]) -> Option<u64> {
    let mut rest = tag;
    loop {
        let k = rest.windows(key.len()).position(|w| w == key)?;
        let before = if k == 0 { b' ' } else { rest[k - 1] };
        let after = &rest[k + key.len()..];
        let after = after.trim_ascii_start();
        if (before.is_ascii_whitespace() || before == b':') && after.first() == Some(&b'=') {
            let value = after[1..].trim_ascii_start();
            let quote = *value.first()?;
            let value = &value[1..];
            let end = value.iter().position(|&b| b == quote)?;
            let digits = std::str::from_utf8(&value[..end]).ok()?.trim();
            // A number too long for u64 is more than any limit.
            return Some(digits.parse::<u64>().unwrap_or(u64::MAX));
        }
        rest = &rest[k + key.len()..];
    }
}

/// An .ods sheet's size as calamine would build it: a cell counts when it holds something
/// (a value type, a formula, or content inside it); empty cells and rows count only when
/// something follows them, as calamine drops what trails.
#[derive(Default)]
struct OdsCount {
    /// Rows so far in this sheet, repeats counted, and the end of the last one with content.
    rows: u64,
    last_row: u64,
    /// In the current row: columns so far, the end of the last cell with content, and how
    /// many times the row repeats.
    columns: u64,
    row_width: u64,
    row_repeats: u64,
    /// The widest row with content in this sheet.
    width: u64,
    /// The open cell's repeats, when it opened with children (content unless proved empty).
    open_cell: Option<u64>,
    cells: u64,
    /// Bytes of text in the open cell, and in all cells so far with their repeats: the reader
    /// keeps a copy of a repeated cell's text for every cell it stands for.
    cell_text: u64,
    text: u64,
}

impl OdsCount {
    /// Text seen between tags: counted when it is inside a cell.
    fn text(&mut self, bytes: usize) {
        if self.open_cell.is_some() {
            self.cell_text = self.cell_text.saturating_add(bytes as u64);
        }
    }

    fn tag(
        &mut self,
        local: &[u8],
        closing: bool,
        self_closing: bool,
        tag: &[u8],
        budget: &Budget,
    ) -> Result<(), OfficeError> {
        match (local, closing) {
            (b"table", false) if !self_closing => {
                self.rows = 0;
                self.last_row = 0;
                self.width = 0;
            }
            (b"table", true) => self.finish_table(budget)?,
            (b"table-row", false) => {
                self.row_repeats = attr_number(tag, b"number-rows-repeated").unwrap_or(1).max(1);
                self.columns = 0;
                self.row_width = 0;
                if self_closing {
                    self.end_row(budget)?;
                }
            }
            (b"table-row", true) => self.end_row(budget)?,
            (b"table-cell" | b"covered-table-cell", false) => {
                let repeats = attr_number(tag, b"number-columns-repeated").unwrap_or(1).max(1);
                let valued = tag.windows(10).any(|w| w == b"value-type") || tag.windows(8).any(|w| w == b":formula");
                if self_closing {
                    self.add_cells(repeats, valued, budget)?;
                } else {
                    // Children (a paragraph of text) make it a cell with content.
                    self.open_cell = Some(repeats);
                    self.cell_text = 0;
                }
            }
            (b"table-cell" | b"covered-table-cell", true) => {
                if let Some(repeats) = self.open_cell.take() {
                    self.add_cells(repeats, true, budget)?;
                    let copies = repeats.saturating_mul(self.row_repeats);
                    self.text = self.text.saturating_add(self.cell_text.saturating_mul(copies));
                    budget.check_total_text(self.text)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn add_cells(&mut self, repeats: u64, content: bool, budget: &Budget) -> Result<(), OfficeError> {
        self.columns = self.columns.saturating_add(repeats);
        if content {
            self.row_width = self.columns;
            budget.check_column(self.row_width)?;
            budget.check_row(self.rows.saturating_add(self.row_repeats))?;
            self.cells = self.cells.saturating_add(repeats.saturating_mul(self.row_repeats));
            budget.check_cells(self.cells)?;
        }
        Ok(())
    }

    fn end_row(&mut self, budget: &Budget) -> Result<(), OfficeError> {
        self.rows = self.rows.saturating_add(self.row_repeats);
        if self.row_width > 0 {
            self.last_row = self.rows;
            self.width = self.width.max(self.row_width);
            budget.check_row(self.last_row)?;
            self.check_box(budget)?;
        }
        self.row_repeats = 1;
        Ok(())
    }

    fn check_box(&self, budget: &Budget) -> Result<(), OfficeError> {
        let max = budget.limits.max_box_cells;
        if self.last_row.saturating_mul(self.width) > max {
            return Err(limit(format!("表格范围超过 {max} 个单元格（{} 行 × {} 列）", self.last_row, self.width)));
        }
        Ok(())
    }

    fn finish_table(&self, budget: &Budget) -> Result<(), OfficeError> {
        self.check_box(budget)
    }
}

/// The cell records of a BIFF worksheet that calamine keeps as cells, each starting with its
/// row and column (u16 each): NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA.
const XLS_CELLS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];
/// BLANK: counted, but calamine keeps no blank cell, so it does not widen the rectangle.
const XLS_BLANK: u16 = 0x0201;
const XLS_MULRK: u16 = 0x00BD;
const XLS_MULBLANK: u16 = 0x00BE;
const XLS_DIMENSIONS: u16 = 0x0200;
const XLS_BOF: u16 = 0x0809;
const XLS_EOF: u16 = 0x000A;
const XLS_BOUNDSHEET: u16 = 0x0085;
const XLS_FILEPASS: u16 = 0x002F;
const XLS_CODEPAGE: u16 = 0x0042;
const XLS_SST: u16 = 0x00FC;
const XLS_CONTINUE: u16 = 0x003C;
const XLS_LABEL: u16 = 0x0204;
const XLS_RSTRING: u16 = 0x00D6;
const XLS_LABELSST: u16 = 0x00FD;
const XLS_FORMULA: u16 = 0x0006;
/// STRING, a formula's text value: calamine keeps it as a cell where the last FORMULA was.
const XLS_STRING: u16 = 0x0207;

fn xls_malformed(what: &str) -> OfficeError {
    OfficeError::Unreadable(format!("不是有效的 xls 文件（{what}）"))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The BIFF record at `at` of the workbook stream: its type, its data (without the CONTINUE
/// records that may follow, which are records of their own here and ignored), and where the
/// next begins. `None` at the end; an error for a record cut short, as calamine fails there too.
/// A BIFF record: its type, its data, and where the next record begins.
type XlsRecord<'a> = (u16, &'a [u8], usize);

fn xls_record(stream: &[u8], at: usize) -> Result<Option<XlsRecord<'_>>, OfficeError> {
    if at >= stream.len() {
        return Ok(None);
    }
    let (Some(typ), Some(len)) = (u16_at(stream, at), u16_at(stream, at + 2)) else {
        return Err(xls_malformed("记录不完整"));
    };
    let end = at + 4 + usize::from(len);
    let data = stream.get(at + 4..end).ok_or_else(|| xls_malformed("记录不完整"))?;
    Ok(Some((typ, data, end)))
}

/// Reads an .xls (a compound file holding a BIFF workbook stream) as calamine will, keeping
/// only figures, and refuses it before calamine is given it when what calamine would build is
/// over the limits.
///
/// calamine (0.38, `Xls::parse_workbook`) builds every sheet as it opens the file: it walks the
/// globals to the first EOF, taking each BOUNDSHEET's stream offset, then walks each sheet from
/// that offset to its EOF (passing over nested BOF..EOF substreams, such as embedded charts),
/// collects the non-blank cell records and makes a rectangle of their bounding box
/// (`Range::from_sparse`), rows × columns cells, plus one of the formulas' (inside it). Before
/// that it reserves room for rows × columns cells for every DIMENSIONS record, as that record
/// says. So the same walk here bounds the last row and column of the cells, the cells counted
/// (blanks included), and the rectangles and reservations of all sheets together against
/// `max_box_cells`, the limit .ods rectangles keep. Records calamine would index out of range
/// on (a short BOF or BOUNDSHEET, a sheet offset past the stream, an inverted DIMENSIONS or
/// MULRK) are refused as malformed, and an encrypted file (FILEPASS) with a clear message.
///
/// calamine also copies shared string `isst` of the SST into every LABELSST cell that names it,
/// so one string of 32,767 characters shown in a million cells would take 100 GB. The SST is
/// read here as calamine reads it (`xls_sst`), keeping each string's length in UTF-8, and the
/// text of all the cells (a copy for each LABELSST, the room a LABEL, RSTRING or a formula's
/// STRING asks for) is counted against `max_text_bytes`, as for xlsx and ods.
pub(crate) fn prescan_xls(bytes: &[u8], budget: &Budget) -> Result<(), OfficeError> {
    let limits = budget.limits;
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| OfficeError::Unreadable(format!("不是有效的 xls 文件（{e}）")))?;
    // calamine takes the first directory entry named Workbook (else Book), in directory order,
    // wherever it is in the tree and whether the tree reaches it or not; the cfb crate sees only
    // what the tree reaches. So every reachable stream of either name is scanned, and a file
    // whose directory holds more entries of those names than the tree reaches is refused.
    let streams: Vec<_> =
        file.walk().filter(|e| e.is_stream() && is_workbook_name(e.name())).map(|e| e.path().to_path_buf()).collect();
    if streams.is_empty() {
        return Err(xls_malformed("没有工作簿数据"));
    }
    if raw_workbook_entries(bytes) > streams.len() {
        return Err(xls_malformed("文件目录结构异常"));
    }
    for path in streams {
        let stream = file.open_stream(&path).map_err(|e| xls_malformed(&e.to_string()))?;
        // The stream cannot be larger than the upload, but it is read through a cap all the same.
        let mut data = Vec::new();
        stream.take(limits.max_unpacked_bytes + 1).read_to_end(&mut data).map_err(|e| xls_malformed(&e.to_string()))?;
        if data.len() as u64 > limits.max_unpacked_bytes {
            return Err(limit(format!("文件解压后超过 {} MB", limits.max_unpacked_bytes / 1024 / 1024)));
        }
        budget.check_time()?;
        scan_biff(&data, budget)?;
    }
    Ok(())
}

fn is_workbook_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("Workbook") || name.eq_ignore_ascii_case("Book")
}

/// Every 128-byte slot of the file after the header that reads as a directory entry named
/// Workbook or Book the way calamine reads names (64 bytes of UTF-16, cut at the first NUL).
/// Directory sectors are whole sectors after the 512-byte header, so every entry is on such a
/// slot; a stream's data can only add to the count, never hide an entry.
fn raw_workbook_entries(bytes: &[u8]) -> usize {
    bytes
        .get(512..)
        .unwrap_or_default()
        .chunks_exact(128)
        .filter(|entry| {
            let units: Vec<u16> = entry[..64].chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).collect();
            let name = String::from_utf16_lossy(&units);
            let name = name.split('\0').next().unwrap_or_default();
            is_workbook_name(name)
        })
        .count()
}

/// The walk of one BIFF workbook stream, as calamine's `parse_workbook`.
fn scan_biff(data: &[u8], budget: &Budget) -> Result<(), OfficeError> {
    let limits = budget.limits;
    // The globals, to their first EOF: the sheets' offsets.
    let mut sheets = Vec::new();
    let mut at = 0;
    let mut records: u64 = 0;
    // What calamine decodes text with (CODEPAGE; UTF-16 when there is none), the BIFF version
    // of the last BOF, and the length of each shared string of the last SST.
    let mut text = XlsText::from_codepage(1200);
    let mut biff8 = true;
    let mut strings: Vec<u32> = Vec::new();
    while let Some((typ, body, next)) = xls_record(data, at)? {
        records += 1;
        if records.is_multiple_of(4096) {
            budget.check_time()?;
        }
        match typ {
            XLS_FILEPASS => {
                return Err(OfficeError::Unreadable("文件已加密：请在 Excel 或 WPS 中取消密码后再上传".into()));
            }
            XLS_BOF if body.len() < 2 => return Err(xls_malformed("BOF 记录过短")),
            XLS_BOF => {
                let (version, kind) = (u16_at(body, 0).unwrap_or(0), u16_at(body, 2).unwrap_or(0));
                let early = matches!(version, 0x0200 | 0x0002 | 0x0007 | 0x0300 | 0x0400 | 0x0500);
                biff8 = !(early || (version == 0 && kind == 0x1000));
            }
            XLS_CODEPAGE => text = u16_at(body, 0).map_or(XlsText::Other, XlsText::from_codepage),
            XLS_SST => strings = xls_sst(body, &continues(data, next)?, text, budget)?,
            XLS_BOUNDSHEET => {
                if body.len() < 6 {
                    return Err(xls_malformed("工作表记录过短"));
                }
                let pos = u32_at(body, 0).unwrap_or(u32::MAX) as usize;
                if pos > data.len() {
                    return Err(xls_malformed("工作表位置超出文件"));
                }
                sheets.push(pos);
            }
            XLS_EOF => break,
            _ => {}
        }
        at = next;
    }

    // Each sheet as calamine walks it.
    let mut cells: u64 = 0;
    let mut boxes: u64 = 0;
    // Bytes of text in the cells of all sheets, each LABELSST holding its own copy.
    let mut kept: u64 = 0;
    for pos in sheets {
        let mut at = pos;
        let mut seen_bof = false;
        let mut depth = 0usize;
        let mut formula_at = (0u32, 0u32);
        // First and last row and column of the cells calamine keeps.
        let mut bounds: Option<(u32, u32, u32, u32)> = None;
        let mut keep = |row: u32, column: u32| {
            bounds = Some(match bounds {
                None => (row, row, column, column),
                Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(column), c1.max(column)),
            });
        };
        while let Some((typ, body, next)) = xls_record(data, at)? {
            at = next;
            records += 1;
            if records.is_multiple_of(4096) {
                budget.check_time()?;
            }
            if depth > 0 {
                match typ {
                    XLS_BOF => depth += 1,
                    XLS_EOF => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match typ {
                XLS_BOF if seen_bof => depth += 1,
                XLS_BOF => seen_bof = true,
                XLS_EOF => break,
                XLS_DIMENSIONS => {
                    let (rows, columns) = xls_dimensions(body)?;
                    boxes = boxes.saturating_add(rows.saturating_mul(columns));
                    check_xls_box(boxes, rows, columns, limits)?;
                }
                t if XLS_CELLS.contains(&t) || t == XLS_BLANK => {
                    let (Some(row), Some(column)) = (u16_at(body, 0), u16_at(body, 2)) else {
                        return Err(xls_malformed("单元格记录过短"));
                    };
                    cells += 1;
                    budget.check_cells(cells)?;
                    if t != XLS_BLANK {
                        budget.check_row(u64::from(row) + 1)?;
                        budget.check_column(u64::from(column) + 1)?;
                        keep(u32::from(row), u32::from(column));
                    }
                    let bytes = match t {
                        XLS_LABEL | XLS_RSTRING => xls_string_kept(body.get(6..).unwrap_or_default(), text, biff8),
                        // An index past the table: calamine keeps no cell.
                        XLS_LABELSST => {
                            u32_at(body, 6).and_then(|i| strings.get(i as usize)).map_or(0, |&n| u64::from(n))
                        }
                        XLS_FORMULA => {
                            formula_at = (u32::from(row), u32::from(column));
                            0
                        }
                        _ => 0,
                    };
                    if bytes > 0 {
                        kept = kept.saturating_add(bytes);
                        budget.check_total_text(kept)?;
                    }
                }
                XLS_STRING => {
                    cells += 1;
                    budget.check_cells(cells)?;
                    keep(formula_at.0, formula_at.1);
                    kept = kept.saturating_add(xls_string_kept(body, text, biff8));
                    budget.check_total_text(kept)?;
                }
                XLS_MULRK | XLS_MULBLANK => {
                    let (Some(row), Some(first), Some(last)) =
                        (u16_at(body, 0), u16_at(body, 2), body.len().checked_sub(2).and_then(|k| u16_at(body, k)))
                    else {
                        return Err(xls_malformed("单元格记录过短"));
                    };
                    if last < first {
                        return Err(xls_malformed("单元格记录有误"));
                    }
                    let n = u64::from(last - first) + 1;
                    let size = if typ == XLS_MULRK { 6 } else { 2 };
                    if body.len() as u64 != 6 + size * n {
                        return Err(xls_malformed("单元格记录有误"));
                    }
                    cells += n;
                    budget.check_cells(cells)?;
                    if typ == XLS_MULRK {
                        budget.check_row(u64::from(row) + 1)?;
                        budget.check_column(u64::from(last) + 1)?;
                        keep(u32::from(row), u32::from(first));
                        keep(u32::from(row), u32::from(last));
                    }
                }
                _ => {}
            }
        }
        if let Some((r0, r1, c0, c1)) = bounds {
            let (rows, columns) = (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1);
            boxes = boxes.saturating_add(rows * columns);
            check_xls_box(boxes, rows, columns, limits)?;
        }
    }
    Ok(())
}

/// How calamine decodes an .xls's text (its `XlsEncoding`): from UTF-16 little-endian, the
/// default and what Excel writes, whose length in UTF-8 is counted exactly here, or from another
/// code page, whose length is bounded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum XlsText {
    Utf16Le,
    Other,
}

impl XlsText {
    fn from_codepage(codepage: u16) -> Self {
        if codepage == 1200 { XlsText::Utf16Le } else { XlsText::Other }
    }

    /// Bytes of UTF-8, at most, that calamine's `decode_to` makes of `bytes`, the characters it
    /// takes at one go: 8-bit characters (`wide` false, widened to UTF-16 with a zero high
    /// byte), 16-bit ones (`wide` true), or, before BIFF8 in a legacy code page (`wide` None),
    /// the bytes as they are. encoding_rs sniffs a byte-order mark at the start of each piece,
    /// so a 16-bit piece that starts with one may be decoded otherwise: it is bounded, as any
    /// other code page is, by three bytes of UTF-8 (a replacement character) for a byte read.
    fn decoded(self, bytes: &[u8], wide: Option<bool>) -> u64 {
        let n = bytes.len() as u64;
        match (self, wide) {
            (XlsText::Utf16Le, Some(false)) => bytes.iter().map(|&b| if b < 0x80 { 1 } else { 2 }).sum(),
            (XlsText::Utf16Le, Some(true))
                if !(bytes.starts_with(&[0xFF, 0xFE])
                    || bytes.starts_with(&[0xFE, 0xFF])
                    || bytes.starts_with(&[0xEF, 0xBB, 0xBF])) =>
            {
                bytes
                    .chunks_exact(2)
                    .map(|u| match u16::from_le_bytes([u[0], u[1]]) {
                        0..0x80 => 1,
                        0x80..0x800 => 2,
                        _ => 3,
                    })
                    .sum()
            }
            // A widened 8-bit character is two bytes for the decoder.
            (XlsText::Other, Some(false)) => 6 * n + 3,
            _ => 3 * n + 3,
        }
    }
}

/// The bytes a String calamine made with room for `cch` characters and then filled with `len`
/// bytes holds (`String::with_capacity`, then growth by doubling).
fn string_capacity(cch: u64, len: u64) -> u64 {
    if len <= cch { cch } else { len.max(2 * cch).max(8) }
}

/// The text of a LABEL, RSTRING or STRING record (from its string on: an `XLUnicodeString`,
/// read by calamine's `parse_string` from this record alone), in bytes as calamine keeps it.
/// What calamine refuses counts nothing.
fn xls_string_kept(r: &[u8], text: XlsText, biff8: bool) -> u64 {
    let Some(cch) = u16_at(r, 0).map(usize::from) else {
        return 0;
    };
    let len = if biff8 {
        let Some(&flags) = r.get(2) else {
            return 0;
        };
        let chars = r.get(3..).unwrap_or_default();
        if flags & 1 != 0 {
            let l = (chars.len() / 2).min(cch);
            text.decoded(chars.get(..2 * l).unwrap_or_default(), Some(true))
        } else {
            let l = chars.len().min(cch);
            text.decoded(chars.get(..l).unwrap_or_default(), Some(false))
        }
    } else {
        let chars = r.get(2..).unwrap_or_default();
        let l = chars.len().min(cch);
        let wide = if text == XlsText::Utf16Le { Some(false) } else { None };
        text.decoded(chars.get(..l).unwrap_or_default(), wide)
    };
    string_capacity(cch as u64, len)
}

/// The CONTINUE records calamine joins to the record that ends at `at` (its `RecordIter`).
fn continues(data: &[u8], mut at: usize) -> Result<Vec<&[u8]>, OfficeError> {
    let mut parts = Vec::new();
    while data.len().saturating_sub(at) > 4 && u16_at(data, at) == Some(XLS_CONTINUE) {
        let Some((_, body, next)) = xls_record(data, at)? else { break };
        parts.push(body);
        at = next;
    }
    Ok(parts)
}

/// The pieces of a record and its CONTINUE records, read as calamine's `Record` reads them.
struct XlsPieces<'a, 'b> {
    cur: &'a [u8],
    rest: std::slice::Iter<'b, &'a [u8]>,
}

impl XlsPieces<'_, '_> {
    fn next_piece(&mut self) -> bool {
        match self.rest.next() {
            Some(piece) => {
                self.cur = piece;
                true
            }
            None => false,
        }
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (head, tail) = (self.cur.get(..n)?, self.cur.get(n..)?);
        self.cur = tail;
        Some(head)
    }

    /// calamine's `Record::skip`.
    fn skip(&mut self, mut n: usize) -> Result<(), OfficeError> {
        while n > 0 {
            if self.cur.is_empty() && !self.next_piece() {
                return Err(xls_malformed("共享字符串表不完整"));
            }
            let l = n.min(self.cur.len());
            self.cur = self.cur.get(l..).unwrap_or_default();
            n -= l;
        }
        Ok(())
    }
}

/// The length in bytes of each string of an SST record, as calamine's `parse_sst` and
/// `read_rich_extended_string` decode them: a string's characters may run on into the next
/// CONTINUE record, which then starts with a flags byte giving their width. There may be no
/// more strings than `max_strings`; what calamine would index out of range on (a rich or
/// extended string's header cut by a CONTINUE, an empty CONTINUE within the characters) or
/// refuse is malformed.
fn xls_sst(body: &[u8], rest: &[&[u8]], text: XlsText, budget: &Budget) -> Result<Vec<u32>, OfficeError> {
    let limits = budget.limits;
    let broken = || xls_malformed("共享字符串表有误");
    let cur = body.get(8..).ok_or_else(broken)?;
    let mut r = XlsPieces { cur, rest: rest.iter() };
    let mut lengths = Vec::new();
    while !r.cur.is_empty() || r.next_piece() {
        if lengths.len() as u64 >= limits.max_strings {
            return Err(limit(format!("共享字符串超过 {} 个", limits.max_strings)));
        }
        if lengths.len() % 4096 == 4095 {
            budget.check_time()?;
        }
        if r.cur.is_empty() {
            lengths.push(0);
            continue;
        }
        let head = r.take(3).ok_or_else(broken)?;
        let (mut cch, flags) = (usize::from(u16::from_le_bytes([head[0], head[1]])), head[2]);
        let mut wide = flags & 1 != 0;
        let mut runs = 0;
        if flags & 0x8 != 0 {
            runs = usize::from(u16_at(r.take(2).ok_or_else(broken)?, 0).ok_or_else(broken)?);
        }
        let mut ext = 0;
        if flags & 0x4 != 0 {
            // calamine reads cbExtRst as an i32 cast to usize: a negative one skips to the end.
            let n = i32::from_le_bytes(r.take(4).ok_or_else(broken)?.try_into().map_err(|_| broken())?);
            ext = usize::try_from(n).unwrap_or(usize::MAX);
        }
        let mut len: u64 = 0;
        while cch > 0 {
            let (l, bytes) = if wide {
                let l = (r.cur.len() / 2).min(cch);
                (l, r.take(2 * l).ok_or_else(broken)?)
            } else {
                let l = r.cur.len().min(cch);
                (l, r.take(l).ok_or_else(broken)?)
            };
            len += text.decoded(bytes, Some(wide));
            cch -= l;
            if cch > 0 {
                if !r.next_piece() {
                    return Err(broken());
                }
                wide = r.take(1).ok_or_else(broken)?[0] & 1 != 0;
            }
        }
        r.skip(runs * 4)?;
        r.skip(ext)?;
        lengths.push(u32::try_from(len).unwrap_or(u32::MAX));
    }
    Ok(lengths)
}

/// The rows and columns calamine reserves for a DIMENSIONS record (its `parse_dimensions`):
/// BIFF8 rows as u32, earlier BIFF as u16; the last row and column are stored plus one. A
/// record calamine would subtract below zero on is malformed.
fn xls_dimensions(body: &[u8]) -> Result<(u64, u64), OfficeError> {
    let short = || xls_malformed("DIMENSIONS 记录有误");
    let (rf, rl, mut cf, cl) = match body.len() {
        10 => (
            u32::from(u16_at(body, 0).ok_or_else(short)?),
            u32::from(u16_at(body, 2).ok_or_else(short)?),
            u32::from(u16_at(body, 4).ok_or_else(short)?),
            u32::from(u16_at(body, 6).ok_or_else(short)?),
        ),
        14 | 16 => (
            u32_at(body, 0).ok_or_else(short)?,
            u32_at(body, 4).ok_or_else(short)?,
            u32::from(u16_at(body, 8).ok_or_else(short)?),
            u32::from(u16_at(body, 10).ok_or_else(short)?),
        ),
        _ => return Err(short()),
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl < 1 || cl < 1 {
        return Ok((1, 1));
    }
    let (last_row, last_column) = (rl - 1, cl - 1);
    if last_row < rf || last_column < cf {
        return Err(short());
    }
    Ok((u64::from(last_row - rf) + 1, u64::from(last_column - cf) + 1))
}

fn check_xls_box(total: u64, rows: u64, columns: u64, limits: &Limits) -> Result<(), OfficeError> {
    let max = limits.max_box_cells;
    if rows.saturating_mul(columns) > max {
        return Err(limit(format!("表格范围超过 {max} 个单元格（{rows} 行 × {columns} 列）")));
    }
    if total > max {
        return Err(limit(format!("各工作表范围合计超过 {max} 个单元格")));
    }
    Ok(())
}
