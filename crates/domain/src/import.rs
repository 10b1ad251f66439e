//! Spreadsheet rows to records and back. Owns the column layout of the four import files
//! (units, correspondents, outlets, placements), the checks on every cell, and the writers
//! that produce the same layout, so that an export can be imported again unchanged.
//! Pure: the office crate turns files into `Table`s, the store saves the records.

use std::collections::{HashMap, HashSet};

use time::Date;

use crate::byline::{WrittenAuthor, format_byline, parse_byline};
use crate::table::{Cell, Row, Table};
use crate::{
    CorrespondentKind, Genre, Grade, InstructionLevel, MAX_NAME, MAX_TEXT, MAX_TITLE, ManuscriptId, OutletKind,
    OutletLevel, Position, UnitKind, looks_like_email, looks_like_phone, looks_like_url, parse_date, split_list,
};

/// One thing wrong in one cell of an import file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// The Chinese header of the column.
    pub column: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl RowError {
    fn new(row: usize, column: &str, message: impl Into<String>) -> Self {
        RowError { row, column: column.to_string(), message: message.into() }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第{}行「{}」：{}", self.row, self.column, self.message)
    }
}

impl std::error::Error for RowError {}

/// What an import file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    Units,
    Correspondents,
    Outlets,
    Placements,
}

impl ImportKind {
    pub const ALL: &'static [ImportKind] =
        &[ImportKind::Units, ImportKind::Correspondents, ImportKind::Outlets, ImportKind::Placements];

    /// The stable code used in URLs and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Units => "units",
            ImportKind::Correspondents => "correspondents",
            ImportKind::Outlets => "outlets",
            ImportKind::Placements => "placements",
        }
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ImportKind::Units => "单位",
            ImportKind::Correspondents => "通讯员",
            ImportKind::Outlets => "媒体",
            ImportKind::Placements => "刊发",
        }
    }

    /// Reads a code or a Chinese label.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL.iter().copied().find(|k| k.code().eq_ignore_ascii_case(t) || k.zh() == t)
    }

    /// The Chinese headers of the file, in the order the writers put them.
    pub fn headers(self) -> Vec<&'static str> {
        self.columns().iter().map(|c| c.zh).collect()
    }

    fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Units => UNIT_COLUMNS,
            ImportKind::Correspondents => CORRESPONDENT_COLUMNS,
            ImportKind::Outlets => OUTLET_COLUMNS,
            ImportKind::Placements => PLACEMENT_COLUMNS,
        }
    }
}

impl std::fmt::Display for ImportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.zh())
    }
}

impl std::str::FromStr for ImportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s).ok_or_else(|| "导入类型应为：单位、通讯员、媒体、刊发".to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRecord {
    pub name: String,
    pub kind: UnitKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrespondentRecord {
    pub name: String,
    /// The unit's name, when given.
    pub unit: Option<String>,
    pub kind: CorrespondentKind,
    pub phone: String,
    pub email: String,
    pub joined_on: Option<Date>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletRecord {
    pub name: String,
    pub kind: OutletKind,
    pub level: OutletLevel,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementRecord {
    pub title: String,
    /// Registered correspondents in byline order, with shares if the file gave them.
    pub authors: Vec<WrittenAuthor>,
    pub external_authors: String,
    pub unit: Option<String>,
    pub outlet: String,
    pub column: String,
    pub published_on: Date,
    pub genre: Genre,
    pub position: Position,
    pub length: i32,
    pub instruction: Option<InstructionLevel>,
    pub commissioned: bool,
    pub reprint: bool,
    pub grade: Option<Grade>,
    pub url: String,
    pub note: String,
    /// 稿件编号 as written (empty when none): rows with the same value are one manuscript, and
    /// a number naming a manuscript of the station links to it. See [`pieces`].
    pub manuscript: String,
}

/// Names already in the station, for checking references.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    pub units: HashSet<String>,
    pub correspondents: HashSet<String>,
    pub outlets: HashSet<String>,
    /// The station's manuscripts by id, for checking a 稿件编号 that names one.
    pub manuscripts: HashMap<i64, KnownManuscript>,
}

/// A manuscript of the station as an import sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownManuscript {
    pub title: String,
    /// The registered authors' names.
    pub authors: Vec<String>,
}

/// One column of an import file: its Chinese header, the other headers accepted for it,
/// and whether the header must be present.
struct Column {
    zh: &'static str,
    aliases: &'static [&'static str],
    required: bool,
}

const fn req(zh: &'static str, aliases: &'static [&'static str]) -> Column {
    Column { zh, aliases, required: true }
}

const fn opt(zh: &'static str, aliases: &'static [&'static str]) -> Column {
    Column { zh, aliases, required: false }
}

const UNIT_COLUMNS: &[Column] = &[req("名称", &["name", "单位名称"]), req("类型", &["kind", "type", "单位类型"])];

const CORRESPONDENT_COLUMNS: &[Column] = &[
    req("姓名", &["name"]),
    opt("单位", &["unit", "所在单位"]),
    req("类型", &["kind", "type", "通讯员类型"]),
    opt("电话", &["phone", "tel", "mobile", "手机", "联系电话"]),
    opt("邮箱", &["email", "e-mail", "电子邮箱"]),
    opt("入网日期", &["joined", "joined_on", "joined on"]),
    opt("状态", &["status", "active"]),
];

const OUTLET_COLUMNS: &[Column] = &[
    req("名称", &["name", "媒体名称"]),
    req("类型", &["kind", "type", "媒体类型"]),
    req("级别", &["level", "媒体级别"]),
    opt("栏目", &["columns", "column", "版面"]),
];

const PLACEMENT_COLUMNS: &[Column] = &[
    req("标题", &["title"]),
    req("作者", &["authors", "author"]),
    opt("外部作者", &["external_authors", "external authors"]),
    opt("单位", &["unit"]),
    req("媒体", &["outlet", "媒体名称"]),
    opt("栏目", &["column", "版面"]),
    req("刊发日期", &["published_on", "published on", "published", "date"]),
    req("体裁", &["genre"]),
    opt("版面位置", &["position"]),
    opt("字数", &["length", "words"]),
    opt("批示", &["instruction", "批示级别"]),
    opt("约稿", &["commissioned"]),
    opt("转载", &["reprint"]),
    opt("评级", &["grade"]),
    opt("链接", &["url", "link", "evidence_url"]),
    opt("备注", &["note", "notes"]),
    opt("稿件编号", &["manuscript", "manuscript_id", "manuscript id", "piece", "稿件id", "稿号"]),
];

/// Where each declared column sits in the file (`None` when the file lacks it).
struct Layout {
    columns: &'static [Column],
    at: Vec<Option<usize>>,
}

/// Lower-cases and trims a header; a trailing `*` (how templates mark required columns) is dropped.
fn normalise_header(h: &str) -> String {
    h.trim().trim_end_matches(['*', '＊']).trim().to_lowercase()
}

fn layout(t: &Table, columns: &'static [Column]) -> Result<Layout, Vec<RowError>> {
    let mut at = vec![None; columns.len()];
    let mut errors = Vec::new();
    for (i, header) in t.headers.iter().enumerate() {
        let key = normalise_header(header);
        if key.is_empty() {
            continue;
        }
        let found = columns.iter().position(|c| c.zh == key || c.aliases.iter().any(|a| *a == key));
        // Unknown columns (序号 and the like) are ignored.
        if let Some(c) = found {
            if at[c].is_some() {
                errors.push(RowError::new(1, columns[c].zh, "表头中此列出现了两次"));
            } else {
                at[c] = Some(i);
            }
        }
    }
    for (c, column) in columns.iter().enumerate() {
        if column.required && at[c].is_none() {
            errors.push(RowError::new(1, column.zh, "表头缺少此列"));
        }
    }
    if errors.is_empty() { Ok(Layout { columns, at }) } else { Err(errors) }
}

static EMPTY: Cell = Cell::Empty;

impl Layout {
    fn index(&self, zh: &str) -> usize {
        self.columns.iter().position(|c| c.zh == zh).expect("column is declared in the layout")
    }

    fn cell<'a>(&self, row: &'a Row, zh: &str) -> &'a Cell {
        self.at[self.index(zh)].and_then(|i| row.cells.get(i)).unwrap_or(&EMPTY)
    }

    /// A row is blank when every column we read is empty; a pre-filled 序号 alone does not count.
    fn is_blank(&self, row: &Row) -> bool {
        self.at.iter().flatten().all(|&i| row.cells.get(i).is_none_or(Cell::is_empty))
    }
}

/// Reads the cells of one row, collecting every mistake instead of stopping at the first.
struct Line<'a> {
    row: &'a Row,
    layout: &'a Layout,
    errors: &'a mut Vec<RowError>,
}

impl<'a> Line<'a> {
    fn cell(&self, zh: &str) -> &'a Cell {
        self.layout.cell(self.row, zh)
    }

    fn err(&mut self, zh: &str, message: impl Into<String>) {
        self.errors.push(RowError::new(self.row.number, zh, message));
    }

    fn text(&mut self, zh: &str, max: usize, required: bool) -> String {
        let value = self.cell(zh).text();
        let n = value.chars().count();
        if required && n == 0 {
            self.err(zh, format!("请填写{zh}"));
        } else if n > max {
            self.err(zh, format!("{zh}不能超过{max}个字"));
        }
        value
    }

    /// A value of a vocabulary. Optional ones may be empty or "无".
    fn choice<T: std::str::FromStr<Err = String>>(&mut self, zh: &str, required: bool) -> Option<T> {
        let value = borrowed_text(self.cell(zh));
        if value.is_empty() || (!required && value == "无") {
            if required {
                self.err(zh, format!("请填写{zh}"));
            }
            return None;
        }
        match value.parse() {
            Ok(v) => Some(v),
            Err(expected) => {
                self.err(zh, format!("“{value}”无效，{expected}"));
                None
            }
        }
    }

    fn date(&mut self, zh: &str, required: bool) -> Option<Date> {
        let cell = self.cell(zh);
        if cell.is_empty() {
            if required {
                self.err(zh, format!("请填写{zh}"));
            }
            return None;
        }
        let d = date_from_cell(cell);
        if d.is_none() {
            self.err(zh, format!("“{}”不是有效日期，应写成如 2007-06-01，且在1900年至2100年之间", cell.text()));
        }
        d
    }

    fn flag(&mut self, zh: &str) -> bool {
        let cell = self.cell(zh);
        let value = match cell {
            Cell::Bool(b) => Some(*b),
            Cell::Number(n) if *n == 1.0 => Some(true),
            Cell::Number(n) if *n == 0.0 => Some(false),
            other => flag_from_text(&borrowed_text(other)),
        };
        value.unwrap_or_else(|| {
            self.err(zh, format!("“{}”无效，应填写“是”或“否”", cell.text()));
            false
        })
    }

    fn length(&mut self, zh: &str) -> i32 {
        let cell = self.cell(zh);
        let value = match cell {
            Cell::Empty => Some(0.0),
            Cell::Number(n) => Some(*n),
            other => length_from_text(&borrowed_text(other)),
        };
        match value {
            Some(n) if n.fract() == 0.0 && (0.0..=1_000_000.0).contains(&n) => n as i32,
            _ => {
                self.err(zh, format!("“{}”无效，{zh}应为0到1000000之间的整数", cell.text()));
                0
            }
        }
    }

    /// An optional reference to a name that must already exist.
    fn reference(&mut self, zh: &str, names: &HashSet<String>, what: &str) -> Option<String> {
        let value = self.text(zh, MAX_NAME, false);
        if value.is_empty() {
            return None;
        }
        if !names.contains(&value) {
            self.err(zh, format!("{what}“{value}”不存在，请先添加"));
        }
        Some(value)
    }

    /// A new name: not already in the station and not earlier in the same file.
    fn new_name(&mut self, zh: &str, name: &str, known: &HashSet<String>, seen: &mut HashMap<String, usize>) {
        if name.is_empty() {
            return;
        }
        if known.contains(name) {
            self.err(zh, format!("“{name}”已存在"));
        } else if let Some(first) = seen.get(name) {
            self.err(zh, format!("“{name}”与第{first}行重复"));
        } else {
            seen.insert(name.to_string(), self.row.number);
        }
    }
}

/// Reads a date from a cell: a date cell, an Excel serial number, a compact 20070601, or text
/// such as 2007-06-01, 2007/6/1 or 2007年6月1日 (a time after the date is ignored).
/// A date cell as people fill it in: a spreadsheet date, a serial or 20070605 number, or text.
/// Dates outside [`crate::FIRST_DATE`]..=[`crate::LAST_DATE`] are refused.
pub(crate) fn date_from_cell(cell: &Cell) -> Option<Date> {
    let d = match cell {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) => date_from_number(*n),
        Cell::Text(s) => {
            let s = s.trim();
            parse_date(s)
                .or_else(|| s.split_whitespace().next().and_then(parse_date))
                .or_else(|| s.parse::<f64>().ok().and_then(date_from_number))
        }
        Cell::Empty | Cell::Bool(_) | Cell::Decimal { .. } => None,
    };
    d.filter(|d| crate::date_in_range(*d))
}

fn date_from_number(n: f64) -> Option<Date> {
    if n.fract() == 0.0 && (19_000_101.0..=22_001_231.0).contains(&n) {
        let n = n as i64;
        let month = time::Month::try_from((n / 100 % 100) as u8).ok()?;
        return Date::from_calendar_date((n / 10_000) as i32, month, (n % 100) as u8).ok();
    }
    excel_serial_date(n)
}

/// Converts an Excel serial date (1900 date system) to a date; any time of day is dropped.
/// 39234 is 2007-06-01. Serials below 61 are refused: Excel counts a 1900-02-29 that never
/// existed, and using 1899-12-30 as the epoch is right only from 1900-03-01 (serial 61) on.
pub fn excel_serial_date(serial: f64) -> Option<Date> {
    if !serial.is_finite() || !(61.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let epoch = time::macros::date!(1899 - 12 - 30);
    let d = epoch.checked_add(time::Duration::days(serial.floor() as i64))?;
    (d.year() <= 2200).then_some(d)
}

/// A cell's text as `Cell::text` gives it, without a copy for text cells (imports read
/// millions of cells).
fn borrowed_text(cell: &Cell) -> std::borrow::Cow<'_, str> {
    match cell {
        Cell::Text(s) => crate::text::clean_trimmed(s),
        other => other.text().into(),
    }
}

fn flag_from_text(text: &str) -> Option<bool> {
    fn flag(t: &str) -> Option<bool> {
        match t {
            "是" | "y" | "yes" | "true" | "1" | "√" | "✓" | "✔" => Some(true),
            "" | "否" | "n" | "no" | "false" | "0" | "×" | "✗" => Some(false),
            _ => None,
        }
    }
    // The words are lower case already: only other text needs lower-casing.
    let t = text.trim();
    flag(t).or_else(|| flag(&t.to_lowercase()))
}

/// Reads 1200, "1,200", "1200字" or "1200.0".
fn length_from_text(text: &str) -> Option<f64> {
    let t = text.trim();
    if !t.contains(['字', ',', '，']) {
        return t.parse::<f64>().ok();
    }
    let cleaned: String = text.trim().trim_end_matches('字').chars().filter(|c| *c != ',' && *c != '，').collect();
    cleaned.trim().parse::<f64>().ok()
}

fn status_from_text(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "在岗" | "active" => Some(true),
        "停用" | "inactive" => Some(false),
        _ => None,
    }
}

fn finish<T>(records: Vec<T>, errors: Vec<RowError>) -> Result<Vec<T>, Vec<RowError>> {
    if errors.is_empty() { Ok(records) } else { Err(errors) }
}

pub fn read_units(t: &Table, known: &Known) -> Result<Vec<UnitRecord>, Vec<RowError>> {
    let layout = layout(t, UNIT_COLUMNS)?;
    let mut errors = Vec::new();
    let mut records = Vec::new();
    let mut seen = HashMap::new();
    for row in t.rows.iter().filter(|r| !layout.is_blank(r)) {
        let mut l = Line { row, layout: &layout, errors: &mut errors };
        let name = l.text("名称", MAX_NAME, true);
        l.new_name("名称", &name, &known.units, &mut seen);
        let kind = l.choice("类型", true);
        if let Some(kind) = kind {
            records.push(UnitRecord { name, kind });
        }
    }
    finish(records, errors)
}

pub fn read_correspondents(t: &Table, known: &Known) -> Result<Vec<CorrespondentRecord>, Vec<RowError>> {
    let layout = layout(t, CORRESPONDENT_COLUMNS)?;
    let mut errors = Vec::new();
    let mut records = Vec::new();
    let mut seen = HashMap::new();
    for row in t.rows.iter().filter(|r| !layout.is_blank(r)) {
        let mut l = Line { row, layout: &layout, errors: &mut errors };
        let name = l.text("姓名", MAX_NAME, true);
        l.new_name("姓名", &name, &known.correspondents, &mut seen);
        let unit = l.reference("单位", &known.units, "单位");
        let kind = l.choice("类型", true);
        let phone = l.text("电话", MAX_NAME, false);
        if !phone.is_empty() && !looks_like_phone(&phone) {
            l.err("电话", format!("“{phone}”不是有效的电话号码"));
        }
        let email = l.text("邮箱", MAX_NAME, false);
        if !email.is_empty() && !looks_like_email(&email) {
            l.err("邮箱", format!("“{email}”不是有效的邮箱"));
        }
        let joined_on = l.date("入网日期", false);
        let status = l.cell("状态").text();
        let active = status_from_text(&status).unwrap_or_else(|| {
            l.err("状态", format!("“{status}”无效，状态应为：在岗、停用"));
            true
        });
        if let Some(kind) = kind {
            records.push(CorrespondentRecord { name, unit, kind, phone, email, joined_on, active });
        }
    }
    finish(records, errors)
}

pub fn read_outlets(t: &Table, known: &Known) -> Result<Vec<OutletRecord>, Vec<RowError>> {
    let layout = layout(t, OUTLET_COLUMNS)?;
    let mut errors = Vec::new();
    let mut records = Vec::new();
    let mut seen = HashMap::new();
    for row in t.rows.iter().filter(|r| !layout.is_blank(r)) {
        let mut l = Line { row, layout: &layout, errors: &mut errors };
        let name = l.text("名称", MAX_NAME, true);
        l.new_name("名称", &name, &known.outlets, &mut seen);
        let kind = l.choice("类型", true);
        let level = l.choice("级别", true);
        let columns = split_list(&l.text("栏目", MAX_TEXT, false));
        for c in &columns {
            if c.chars().count() > MAX_NAME {
                l.err("栏目", format!("栏目“{c}”太长，不能超过{MAX_NAME}个字"));
            }
        }
        if let (Some(kind), Some(level)) = (kind, level) {
            records.push(OutletRecord { name, kind, level, columns });
        }
    }
    finish(records, errors)
}

pub fn read_placements(t: &Table, known: &Known) -> Result<Vec<PlacementRecord>, Vec<RowError>> {
    let layout = layout(t, PLACEMENT_COLUMNS)?;
    let mut errors = Vec::new();
    let mut records = Vec::new();
    for row in t.rows.iter().filter(|r| !layout.is_blank(r)) {
        let mut l = Line { row, layout: &layout, errors: &mut errors };
        let title = l.text("标题", MAX_TITLE, true);
        let authors = read_authors(&mut l, known);
        let external_authors = l.text("外部作者", MAX_TEXT, false);
        let unit = l.reference("单位", &known.units, "单位");
        let outlet = l.text("媒体", MAX_NAME, true);
        if !outlet.is_empty() && !known.outlets.contains(&outlet) {
            l.err("媒体", format!("媒体“{outlet}”不存在，请先添加"));
        }
        let column = l.text("栏目", MAX_NAME, false);
        let published_on = l.date("刊发日期", true);
        let genre = l.choice("体裁", true);
        let position = l.choice("版面位置", false).unwrap_or(Position::Normal);
        let length = l.length("字数");
        let instruction = l.choice("批示", false);
        let commissioned = l.flag("约稿");
        let reprint = l.flag("转载");
        let grade = l.choice("评级", false);
        let url = l.text("链接", MAX_TEXT, false);
        if !url.is_empty() && !looks_like_url(&url) {
            l.err("链接", "链接应以 http:// 或 https:// 开头");
        }
        let note = l.text("备注", MAX_TEXT, false);
        let manuscript = l.text("稿件编号", MAX_NAME, false);
        if let Some(m) = manuscript_id(&manuscript).and_then(|id| known.manuscripts.get(&id)) {
            // A number meant as a key within the file can name an unrelated manuscript by
            // chance; linking it would quietly pay the two pieces as one.
            if !authors.is_empty() && !authors.iter().any(|a| m.authors.contains(&a.name)) {
                l.err(
                    "稿件编号",
                    format!(
                        "稿件编号“{manuscript}”是本站已有的稿件《{}》（作者：{}），与本行作者不同；\
                         只想把本表中的几行合为一篇时，请用字母开头的编号，如 A{manuscript}",
                        m.title,
                        m.authors.join("、")
                    ),
                );
            }
        }
        if let (Some(published_on), Some(genre)) = (published_on, genre) {
            records.push(PlacementRecord {
                title,
                authors,
                external_authors,
                unit,
                outlet,
                column,
                published_on,
                genre,
                position,
                length,
                instruction,
                commissioned,
                reprint,
                grade,
                url,
                note,
                manuscript,
            });
        }
    }
    finish(records, errors)
}

/// The byline: registered people only, nobody twice, shares all-or-none adding up to 100%.
fn read_authors(l: &mut Line, known: &Known) -> Vec<WrittenAuthor> {
    const COL: &str = "作者";
    let text = l.text(COL, MAX_TEXT, true);
    if text.is_empty() {
        return Vec::new();
    }
    let authors = match parse_byline(&text) {
        Ok(a) => a,
        Err(e) => {
            l.err(COL, e);
            return Vec::new();
        }
    };
    if authors.is_empty() {
        l.err(COL, "请填写作者");
    }
    let mut seen = HashSet::new();
    for a in &authors {
        if !known.correspondents.contains(&a.name) {
            l.err(COL, format!("通讯员“{}”未登记，请先添加", a.name));
        }
        if !seen.insert(a.name.as_str()) {
            l.err(COL, format!("作者“{}”重复", a.name));
        }
    }
    let shares: Vec<Option<i32>> = authors.iter().map(|a| a.share_bp).collect();
    if let Some(problem) = crate::shares_problem(&shares) {
        l.err(COL, problem);
    }
    authors
}

/// Rows that are one piece (稿件) placed in several outlets, found when placements are imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The station's manuscript the rows belong to; `None` when the import is to create one
    /// from the first of the rows.
    pub manuscript: Option<ManuscriptId>,
    /// Indexes into the imported records, in file order.
    pub rows: Vec<usize>,
}

/// How far apart two placements of the same title and authors may be and still be one piece
/// without a 稿件编号: reprints follow within weeks, while a yearly meeting's report comes
/// back with the same title a year later.
pub const SAME_PIECE_DAYS: i64 = 90;

/// The pieces among imported placements, in the order of their first row:
///
/// - rows with the same 稿件编号 (compared after [`normalise_title`], so `A1` and `ａ１` match)
///   are one piece; a number that is the id of one of the station's manuscripts (`existing`)
///   links the rows to it, even a single row. Any other value, a number that names no
///   manuscript of the station (another station's included) too, is a key within this file;
/// - rows without one, when `by_title`, are one piece when their titles match after
///   [`normalise_title`] and their registered authors are the same people (order and shares
///   aside), except that a piece is placed once per outlet and within [`SAME_PIECE_DAYS`] of
///   its first placement: a title that recurs (a monthly bulletin, a yearly meeting) is
///   several pieces;
/// - a row with nothing to be linked to stays on its own and is not a piece.
pub fn pieces(records: &[PlacementRecord], existing: &HashSet<i64>, by_title: bool) -> Vec<Piece> {
    /// What groups the rows: a manuscript of the station, a key within the file, or the
    /// normalised title and authors.
    #[derive(PartialEq, Eq, Hash)]
    enum Key {
        Existing(i64),
        Local(String),
        Title(String, Vec<String>),
    }
    let mut groups: HashMap<Key, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        let written = normalise_title(&r.manuscript);
        let key = if !written.is_empty() {
            match manuscript_id(&written) {
                Some(id) if existing.contains(&id) => Key::Existing(id),
                _ => Key::Local(written),
            }
        } else if by_title {
            let mut names: Vec<String> = r.authors.iter().map(|a| a.name.clone()).collect();
            names.sort_unstable();
            Key::Title(normalise_title(&r.title), names)
        } else {
            continue;
        };
        groups.entry(key).or_default().push(i);
    }
    let mut out = Vec::new();
    for (key, rows) in groups {
        match key {
            Key::Existing(id) => out.push(Piece { manuscript: Some(ManuscriptId(id)), rows }),
            Key::Local(_) if rows.len() > 1 => out.push(Piece { manuscript: None, rows }),
            Key::Title(..) if rows.len() > 1 => out.extend(
                split_recurring(records, rows)
                    .into_iter()
                    .filter(|rows| rows.len() > 1)
                    .map(|rows| Piece { manuscript: None, rows }),
            ),
            Key::Local(_) | Key::Title(..) => {}
        }
    }
    // File order, so that the manuscripts an import creates get their ids in a stable order.
    out.sort_by_key(|p| p.rows[0]);
    out
}

/// Splits rows of one title and byline into pieces: in date order, a row starts a new piece
/// when its outlet already carried the current one or it is more than [`SAME_PIECE_DAYS`]
/// after the piece's first placement. Each piece's rows come back in file order.
fn split_recurring(records: &[PlacementRecord], mut rows: Vec<usize>) -> Vec<Vec<usize>> {
    rows.sort_by_key(|&i| (records[i].published_on, i));
    let mut out: Vec<Vec<usize>> = Vec::new();
    for i in rows {
        let r = &records[i];
        let fits = out.last().is_some_and(|piece: &Vec<usize>| {
            let first = records[piece[0]].published_on;
            (r.published_on - first).whole_days() <= SAME_PIECE_DAYS
                && piece.iter().all(|&j| records[j].outlet != r.outlet)
        });
        match out.last_mut() {
            Some(piece) if fits => piece.push(i),
            _ => out.push(vec![i]),
        }
    }
    for piece in &mut out {
        piece.sort_unstable();
    }
    out
}

/// A 稿件编号 that is a manuscript id: digits only (full-width ones too), above zero.
pub fn manuscript_id(key: &str) -> Option<i64> {
    let key = normalise_title(key);
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse().ok().filter(|&id| id > 0)
}

/// A title (or a 稿件编号) as compared when looking for the same piece: full-width letters,
/// digits and punctuation (`：`, `，`, `（）`, `Ａ`, `１`) read as their half-width forms, curly
/// quotes as straight ones, Latin letters in lower case; whitespace (the ideographic space
/// too) is dropped, except that a run of it between two Latin letters or digits counts as one
/// space (`IP 保护` = `IP保护`, but `World Cup` ≠ `WorldCup`).
pub fn normalise_title(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut gap = false;
    for c in title.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '“' | '”' => '"',
            '‘' | '’' => '\'',
            c => c,
        }
        .to_ascii_lowercase();
        if c.is_whitespace() {
            gap = true;
            continue;
        }
        if gap && c.is_ascii_alphanumeric() && out.chars().next_back().is_some_and(|p| p.is_ascii_alphanumeric()) {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out
}

fn headers(kind: ImportKind) -> Vec<String> {
    kind.headers().into_iter().map(String::from).collect()
}

fn yes_no(b: bool) -> Cell {
    Cell::from(if b { "是" } else { "否" })
}

fn date_cell(d: Option<Date>) -> Cell {
    d.map_or(Cell::Empty, Cell::Date)
}

fn opt_label(label: Option<&'static str>) -> Cell {
    label.map_or(Cell::Empty, Cell::from)
}

pub fn write_units(records: &[UnitRecord]) -> Table {
    let rows = records.iter().map(|r| vec![Cell::from(r.name.clone()), Cell::from(r.kind.zh())]).collect();
    Table::new(headers(ImportKind::Units), rows)
}

pub fn write_correspondents(records: &[CorrespondentRecord]) -> Table {
    let rows = records
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.name.clone()),
                Cell::from(r.unit.clone().unwrap_or_default()),
                Cell::from(r.kind.zh()),
                Cell::from(r.phone.clone()),
                Cell::from(r.email.clone()),
                date_cell(r.joined_on),
                Cell::from(if r.active { "在岗" } else { "停用" }),
            ]
        })
        .collect();
    Table::new(headers(ImportKind::Correspondents), rows)
}

pub fn write_outlets(records: &[OutletRecord]) -> Table {
    let rows = records
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.name.clone()),
                Cell::from(r.kind.zh()),
                Cell::from(r.level.zh()),
                Cell::from(r.columns.join("、")),
            ]
        })
        .collect();
    Table::new(headers(ImportKind::Outlets), rows)
}

pub fn write_placements(records: &[PlacementRecord]) -> Table {
    let rows = records
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.title.clone()),
                Cell::from(format_byline(&r.authors)),
                Cell::from(r.external_authors.clone()),
                Cell::from(r.unit.clone().unwrap_or_default()),
                Cell::from(r.outlet.clone()),
                Cell::from(r.column.clone()),
                Cell::Date(r.published_on),
                Cell::from(r.genre.zh()),
                Cell::from(r.position.zh()),
                Cell::Number(f64::from(r.length)),
                opt_label(r.instruction.map(InstructionLevel::zh)),
                yes_no(r.commissioned),
                yes_no(r.reprint),
                opt_label(r.grade.map(Grade::zh)),
                Cell::from(r.url.clone()),
                Cell::from(r.note.clone()),
                manuscript_cell(&r.manuscript),
            ]
        })
        .collect();
    Table::new(headers(ImportKind::Placements), rows)
}

/// A manuscript id as a number cell (as Excel shows ids); any other key as text.
fn manuscript_cell(key: &str) -> Cell {
    match key.parse::<i64>() {
        Ok(id) if id.to_string() == key => Cell::Number(id as f64),
        _ => Cell::from(key.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table::new(
            headers.iter().map(|h| h.to_string()).collect(),
            rows.iter().map(|r| r.iter().map(|c| Cell::from(*c)).collect()).collect(),
        )
    }

    fn names(list: &[&str]) -> HashSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn known() -> Known {
        Known {
            units: names(&["武汉市知识产权局", "宜昌市知识产权局"]),
            correspondents: names(&["张三", "李四", "王五"]),
            outlets: names(&["中国知识产权报", "科技信息快报"]),
            manuscripts: HashMap::from([(
                7,
                KnownManuscript { title: "宜昌专利执法进企业".into(), authors: vec!["王五".into()] },
            )]),
        }
    }

    fn errors_at(errors: &[RowError]) -> Vec<(usize, &str)> {
        errors.iter().map(|e| (e.row, e.column.as_str())).collect()
    }

    #[test]
    fn import_kind_parses_codes_and_chinese() {
        assert_eq!(ImportKind::parse("单位"), Some(ImportKind::Units));
        assert_eq!(ImportKind::parse(" Placements "), Some(ImportKind::Placements));
        assert_eq!(ImportKind::parse("刊发"), Some(ImportKind::Placements));
        assert_eq!(ImportKind::parse("媒体").map(ImportKind::code), Some("outlets"));
        assert_eq!(ImportKind::parse("稿件"), None);
        assert_eq!(ImportKind::Correspondents.zh(), "通讯员");
    }

    #[test]
    fn row_error_reads_as_a_sentence() {
        let e = RowError::new(3, "作者", "请填写作者");
        assert_eq!(e.to_string(), "第3行「作者」：请填写作者");
    }

    #[test]
    fn reads_good_units_with_aliases_extra_columns_and_blank_rows() {
        let t = Table {
            headers: vec!["序号".into(), " Name ".into(), "TYPE".into()],
            rows: vec![
                Row { number: 2, cells: vec!["1".into(), "襄樊市知识产权局".into(), "市州".into()] },
                Row { number: 3, cells: vec!["2".into(), Cell::Empty, Cell::Text("  ".into())] },
                Row { number: 5, cells: vec!["3".into(), "神农架林区科技局".into(), "forest_district".into()] },
            ],
        };
        let units = read_units(&t, &known()).unwrap();
        assert_eq!(
            units,
            vec![
                UnitRecord { name: "襄樊市知识产权局".into(), kind: UnitKind::Prefecture },
                UnitRecord { name: "神农架林区科技局".into(), kind: UnitKind::ForestDistrict },
            ]
        );
    }

    #[test]
    fn missing_and_doubled_headers_are_reported_on_row_1() {
        let t = table(&["名称", "备注"], &[&["襄樊", "x"]]);
        let e = read_units(&t, &known()).unwrap_err();
        assert_eq!(e, vec![RowError::new(1, "类型", "表头缺少此列")]);
        let t = table(&["标题", "title", "媒体"], &[]);
        let e = read_placements(&t, &known()).unwrap_err();
        assert_eq!(errors_at(&e), vec![(1, "标题"), (1, "作者"), (1, "刊发日期"), (1, "体裁")]);
    }

    #[test]
    fn unit_errors_cover_every_row() {
        let t = table(
            &["名称", "类型"],
            &[
                &["襄樊市知识产权局", "市州"],
                &["", "市州"],
                &["武汉市知识产权局", "省会"],
                &["襄樊市知识产权局", "市州"],
            ],
        );
        let e = read_units(&t, &known()).unwrap_err();
        assert_eq!(errors_at(&e), vec![(3, "名称"), (4, "名称"), (4, "类型"), (5, "名称")]);
        assert_eq!(e[0].message, "请填写名称");
        assert_eq!(e[1].message, "“武汉市知识产权局”已存在");
        assert!(e[2].message.contains(&UnitKind::expected()), "{}", e[2].message);
        assert_eq!(e[3].message, "“襄樊市知识产权局”与第2行重复");
    }

    #[test]
    fn reads_correspondents_and_reports_every_bad_cell() {
        let headers = ["姓名", "单位", "类型", "电话", "邮箱", "入网日期", "状态"];
        let good = table(
            &headers,
            &[
                &["赵六", "武汉市知识产权局", "市州通讯员", "027-8765 4321", "zhao@example.cn", "2007/3/1", ""],
                &["钱七", "", "special", "", "", "", "停用"],
            ],
        );
        let got = read_correspondents(&good, &known()).unwrap();
        assert_eq!(got[0].unit.as_deref(), Some("武汉市知识产权局"));
        assert_eq!(got[0].kind, CorrespondentKind::UnitCorrespondent);
        assert_eq!(got[0].joined_on, Some(date!(2007 - 03 - 01)));
        assert!(got[0].active);
        assert_eq!(got[1].unit, None);
        assert_eq!(got[1].kind, CorrespondentKind::Special);
        assert!(!got[1].active);

        let bad = table(
            &headers,
            &[&["张三", "火星局", "作家", "abc", "not-mail", "2007-02-30", "退休"], &["孙八", "", "", "", "", "", ""]],
        );
        let e = read_correspondents(&bad, &known()).unwrap_err();
        assert_eq!(
            errors_at(&e),
            vec![
                (2, "姓名"),
                (2, "单位"),
                (2, "类型"),
                (2, "电话"),
                (2, "邮箱"),
                (2, "入网日期"),
                (2, "状态"),
                (3, "类型")
            ]
        );
        assert_eq!(e[0].message, "“张三”已存在");
        assert_eq!(e[1].message, "单位“火星局”不存在，请先添加");
        assert_eq!(e[7].message, "请填写类型");
    }

    #[test]
    fn reads_outlets_with_columns() {
        let t = table(
            &["名称", "类型", "级别", "栏目"],
            &[&["湖北日报", "报纸", "省级", "要闻、 经济，要闻"], &["湖北日报", "报刊", "", ""]],
        );
        let e = read_outlets(&t, &known()).unwrap_err();
        assert_eq!(errors_at(&e), vec![(3, "名称"), (3, "类型"), (3, "级别")]);
        let t = table(&["名称", "类型", "级别", "栏目"], &[&["湖北日报", "报纸", "省级", "要闻、 经济，要闻"]]);
        let got = read_outlets(&t, &known()).unwrap();
        assert_eq!(got[0].columns, vec!["要闻", "经济"]);
        assert_eq!(got[0].level, OutletLevel::Provincial);
    }

    fn placement_headers() -> Vec<String> {
        headers(ImportKind::Placements)
    }

    /// Shares written to wrap a 32-bit sum back to 100%, negative or beyond 100% refuse the row.
    #[test]
    fn bylines_with_shares_that_overflow_are_refused() {
        for byline in [
            "张三(21474836.47%)、李四(21474836.47%)",
            "张三(21474836.47%)、李四(-21474736.47%)",
            "张三(200%)、李四(-100%)",
            "张三(99999999999999999999%)、李四(1%)",
            "张三(100%)、李四(0%)",
        ] {
            let mut cells: Vec<Cell> = vec![Cell::Empty; placement_headers().len()];
            cells[0] = "湖北专利申请量大幅增长".into();
            cells[1] = byline.into();
            cells[4] = "中国知识产权报".into();
            cells[6] = "2007-06-01".into();
            cells[7] = "消息".into();
            let t = Table::new(placement_headers(), vec![cells]);
            let errors = read_placements(&t, &known()).expect_err(byline);
            assert_eq!(errors_at(&errors), [(2, "作者")], "{byline}: {errors:?}");
        }
    }

    #[test]
    fn reads_a_good_placement_from_typed_cells() {
        let mut cells: Vec<Cell> = vec![
            "湖北专利申请量大幅增长".into(),
            "张三(60%)、李四（40%）".into(),
            "本报记者 周某".into(),
            "武汉市知识产权局".into(),
            "中国知识产权报".into(),
            "地方传真".into(),
            Cell::Number(39234.0),
            "消息".into(),
            "头版".into(),
            Cell::Number(1200.0),
            "省级".into(),
            Cell::Bool(true),
            "√".into(),
            "优秀".into(),
            "https://www.cipnews.com.cn/a".into(),
            "".into(),
        ];
        let t = Table::new(placement_headers(), vec![cells.clone()]);
        let p = &read_placements(&t, &known()).unwrap()[0];
        assert_eq!(p.published_on, date!(2007 - 06 - 01));
        assert_eq!(p.authors[0], WrittenAuthor { name: "张三".into(), share_bp: Some(6000) });
        assert_eq!(p.position, Position::FrontPage);
        assert_eq!(p.length, 1200);
        assert_eq!(p.instruction, Some(InstructionLevel::Provincial));
        assert!(p.commissioned && p.reprint);
        assert_eq!(p.grade, Some(Grade::Excellent));

        // Defaults for the optional cells, and dates and numbers written as text.
        for i in [2, 3, 5, 8, 9, 10, 11, 12, 13, 14, 15] {
            cells[i] = Cell::Empty;
        }
        cells[6] = "2007年6月1日".into();
        cells[1] = "张三, 李四".into();
        let t = Table::new(placement_headers(), vec![cells]);
        let p = &read_placements(&t, &known()).unwrap()[0];
        assert_eq!(p.published_on, date!(2007 - 06 - 01));
        assert_eq!(p.position, Position::Normal);
        assert_eq!(p.length, 0);
        assert_eq!(p.unit, None);
        assert_eq!((p.instruction, p.grade, p.commissioned, p.reprint), (None, None, false, false));
        assert!(p.authors.iter().all(|a| a.share_bp.is_none()));
    }

    #[test]
    fn collects_every_bad_placement_cell() {
        let h = placement_headers();
        let h: Vec<&str> = h.iter().map(String::as_str).collect();
        let t = table(
            &h,
            &[
                // Row 2: fine.
                &[
                    "好稿",
                    "张三",
                    "",
                    "",
                    "中国知识产权报",
                    "",
                    "2007-06-01",
                    "消息",
                    "",
                    "800",
                    "无",
                    "否",
                    "N",
                    "",
                    "",
                    "",
                ],
                // Row 3: everything wrong.
                &[
                    "",
                    "张三(60%)、赵六(40%)",
                    "",
                    "火星局",
                    "人民日报",
                    "",
                    "昨天",
                    "小说",
                    "底版",
                    "很多",
                    "中央",
                    "也许",
                    "2",
                    "甲",
                    "ftp://x",
                    "",
                ],
                // Row 4: shares not adding up, bad share text, and an unknown date form.
                &[
                    "稿",
                    "张三(70%)、李四(40%)",
                    "",
                    "",
                    "科技信息快报",
                    "",
                    "6/1/2007",
                    "通讯",
                    "",
                    "1,200字",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                // Row 5: some shares missing and a doubled author.
                &[
                    "稿",
                    "张三(50%)、张三",
                    "",
                    "",
                    "科技信息快报",
                    "",
                    "39234",
                    "通讯",
                    "",
                    "-5",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
                // Row 6: unreadable byline.
                &["稿", "张三(五成)", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
            ],
        );
        let e = read_placements(&t, &known()).unwrap_err();
        let want = vec![
            (3, "标题"),
            (3, "作者"),
            (3, "单位"),
            (3, "媒体"),
            (3, "刊发日期"),
            (3, "体裁"),
            (3, "版面位置"),
            (3, "字数"),
            (3, "批示"),
            (3, "约稿"),
            (3, "转载"),
            (3, "评级"),
            (3, "链接"),
            (4, "作者"),
            (4, "刊发日期"),
            (5, "作者"),
            (5, "作者"),
            (5, "字数"),
            (6, "作者"),
            (6, "媒体"),
            (6, "刊发日期"),
            (6, "体裁"),
        ];
        assert_eq!(errors_at(&e), want, "{e:#?}");
        assert_eq!(e[1].message, "通讯员“赵六”未登记，请先添加");
        assert_eq!(e[13].message, "作者份额合计必须为100%");
        assert_eq!(e[15].message, "作者“张三”重复");
        assert_eq!(e[16].message, "要么每位作者都写份额，要么都不写");
        assert!(e[5].message.contains(&Genre::expected()));
    }

    #[test]
    fn serial_dates() {
        assert_eq!(excel_serial_date(39234.0), Some(date!(2007 - 06 - 01)));
        assert_eq!(excel_serial_date(39234.75), Some(date!(2007 - 06 - 01)));
        assert_eq!(excel_serial_date(61.0), Some(date!(1900 - 03 - 01)));
        assert_eq!(excel_serial_date(60.0), None);
        assert_eq!(excel_serial_date(f64::NAN), None);
        assert_eq!(date_from_cell(&Cell::Number(20070601.0)), Some(date!(2007 - 06 - 01)));
        assert_eq!(date_from_cell(&"20070601".into()), Some(date!(2007 - 06 - 01)));
        assert_eq!(date_from_cell(&"2007-06-01 10:30:00".into()), Some(date!(2007 - 06 - 01)));
        assert_eq!(date_from_cell(&Cell::Bool(true)), None);
    }

    #[test]
    fn round_trips_every_kind() {
        let known = known();
        let units = vec![
            UnitRecord { name: "襄樊市知识产权局".into(), kind: UnitKind::Prefecture },
            UnitRecord { name: "仙桃市科技局".into(), kind: UnitKind::DirectCity },
        ];
        assert_eq!(read_units(&write_units(&units), &known).unwrap(), units);

        let people = vec![
            CorrespondentRecord {
                name: "赵六".into(),
                unit: Some("宜昌市知识产权局".into()),
                kind: CorrespondentKind::Mentor,
                phone: "13800138000".into(),
                email: "zhao@example.cn".into(),
                joined_on: Some(date!(2006 - 11 - 20)),
                active: false,
            },
            CorrespondentRecord {
                name: "钱七".into(),
                unit: None,
                kind: CorrespondentKind::Staff,
                phone: String::new(),
                email: String::new(),
                joined_on: None,
                active: true,
            },
        ];
        assert_eq!(read_correspondents(&write_correspondents(&people), &known).unwrap(), people);

        let outlets = vec![
            OutletRecord {
                name: "湖北日报".into(),
                kind: OutletKind::Newspaper,
                level: OutletLevel::Provincial,
                columns: vec!["要闻".into(), "经济".into()],
            },
            OutletRecord {
                name: "楚天都市报".into(),
                kind: OutletKind::Newspaper,
                level: OutletLevel::Municipal,
                columns: vec![],
            },
        ];
        assert_eq!(read_outlets(&write_outlets(&outlets), &known).unwrap(), outlets);

        let placements = vec![
            PlacementRecord {
                title: "湖北专利申请量大幅增长".into(),
                authors: vec![
                    WrittenAuthor { name: "张三".into(), share_bp: Some(6667) },
                    WrittenAuthor { name: "李四".into(), share_bp: Some(3333) },
                ],
                external_authors: "本报记者 周某".into(),
                unit: Some("武汉市知识产权局".into()),
                outlet: "中国知识产权报".into(),
                column: "地方传真".into(),
                published_on: date!(2007 - 06 - 01),
                genre: Genre::News,
                position: Position::Headline,
                length: 1200,
                instruction: Some(InstructionLevel::National),
                commissioned: true,
                reprint: false,
                grade: Some(Grade::Fair),
                url: "https://www.cipnews.com.cn/a".into(),
                note: "第一行\n第二行".into(),
                manuscript: "12".into(),
            },
            PlacementRecord {
                title: "专利园地".into(),
                authors: vec![WrittenAuthor { name: "王五".into(), share_bp: None }],
                external_authors: String::new(),
                unit: None,
                outlet: "科技信息快报".into(),
                column: String::new(),
                published_on: date!(2007 - 12 - 31),
                genre: Genre::Research,
                position: Position::Normal,
                length: 0,
                instruction: None,
                commissioned: false,
                reprint: true,
                grade: None,
                url: String::new(),
                note: String::new(),
                manuscript: "A1".into(),
            },
        ];
        assert_eq!(read_placements(&write_placements(&placements), &known).unwrap(), placements);
    }

    fn rec(title: &str, authors: &[&str], outlet: &str, published_on: Date, key: &str) -> PlacementRecord {
        PlacementRecord {
            title: title.into(),
            authors: authors.iter().map(|a| WrittenAuthor { name: a.to_string(), share_bp: None }).collect(),
            external_authors: String::new(),
            unit: None,
            outlet: outlet.into(),
            column: String::new(),
            published_on,
            genre: Genre::News,
            position: Position::Normal,
            length: 0,
            instruction: None,
            commissioned: false,
            reprint: false,
            grade: None,
            url: String::new(),
            note: String::new(),
            manuscript: key.into(),
        }
    }

    fn rows_of(pieces: &[Piece]) -> Vec<(Option<i64>, Vec<usize>)> {
        pieces.iter().map(|p| (p.manuscript.map(|m| m.0), p.rows.clone())).collect()
    }

    #[test]
    fn reads_the_manuscript_column_under_its_names() {
        for header in ["稿件编号", "manuscript", "Manuscript_ID", "piece", "稿件编号*"] {
            let row = |title: &str, key: Cell| -> Vec<Cell> {
                vec![title.into(), "张三".into(), "中国知识产权报".into(), "2007-06-01".into(), "消息".into(), key]
            };
            let t = Table::new(
                ["标题", "作者", "媒体", "刊发日期", "体裁", header].map(String::from).to_vec(),
                vec![row("甲", Cell::Number(12.0)), row("乙", " A1 ".into()), row("丙", Cell::Empty)],
            );
            let got: Vec<String> = read_placements(&t, &known()).unwrap().into_iter().map(|r| r.manuscript).collect();
            assert_eq!(got, ["12", "A1", ""], "{header}");
        }
        let t = table(
            &["标题", "作者", "媒体", "刊发日期", "体裁"],
            &[&["甲", "张三", "中国知识产权报", "2007-06-01", "消息"]],
        );
        assert_eq!(read_placements(&t, &known()).unwrap()[0].manuscript, "", "no column, no key");
        // Exported ids are number cells, as Excel shows them; keys stay as written.
        assert_eq!(manuscript_cell("12"), Cell::Number(12.0));
        assert_eq!(manuscript_cell("012"), Cell::from("012"));
        assert_eq!(manuscript_cell("A1"), Cell::from("A1"));
        assert_eq!(ImportKind::Placements.headers().last(), Some(&"稿件编号"));
    }

    #[test]
    fn a_number_naming_a_manuscript_by_other_authors_is_refused() {
        let h = ["标题", "作者", "媒体", "刊发日期", "体裁", "稿件编号"];
        let t = table(
            &h,
            &[
                // Manuscript 7 is 王五's: a row with 王五 on it links to it, full-width digits too.
                &["转载", "张三、王五", "科技信息快报", "2007-06-02", "消息", "７"],
                // 张三 alone is someone else's piece: a key meant for this file, most likely.
                &["别的稿", "张三", "中国知识产权报", "2007-06-01", "消息", "7"],
                // A number naming no manuscript of the station is a key within the file.
                &["又一篇", "张三", "中国知识产权报", "2007-06-01", "消息", "8"],
            ],
        );
        let e = read_placements(&t, &known()).unwrap_err();
        assert_eq!(errors_at(&e), vec![(3, "稿件编号")]);
        assert!(e[0].message.contains("《宜昌专利执法进企业》（作者：王五）"), "{}", e[0].message);
        assert!(e[0].message.contains("如 A7"), "{}", e[0].message);
    }

    #[test]
    fn titles_compare_after_normalising() {
        assert_eq!(normalise_title("  宜昌：专利执法　进企业（一） "), "宜昌:专利执法进企业(一)");
        assert_eq!(normalise_title("宜昌:专利执法进企业(一)"), "宜昌:专利执法进企业(一)");
        assert_eq!(normalise_title("“WTO”与 IP 保护"), "\"wto\"与ip保护");
        assert_eq!(normalise_title("World \t Cup"), "world cup");
        assert_ne!(normalise_title("World Cup"), normalise_title("WorldCup"));
        assert_eq!(normalise_title("ＡＢ１２"), "ab12");
        assert_ne!(normalise_title("专利申请量增长"), normalise_title("专利授权量增长"));
        assert_eq!((manuscript_id("１２"), manuscript_id(" 12 ")), (Some(12), Some(12)));
        for not_an_id in ["0", "A12", "+12", "12.5", "", "99999999999999999999"] {
            assert_eq!(manuscript_id(not_an_id), None, "{not_an_id}");
        }
    }

    #[test]
    fn rows_with_one_key_are_one_piece() {
        let june = date!(2007 - 06 - 01);
        let records = vec![
            rec("市日报的标题", &["张三"], "市日报", june, "A1"),
            rec("单独一行", &["李四"], "市日报", june, "B"),
            // The same key with another title, months later: still the same piece.
            rec("省政府网改过的标题", &["张三"], "省政府网", date!(2007 - 12 - 01), "ａ１"),
            // Names manuscript 7 of the station: linked to it, alone.
            rec("转载", &["王五"], "省政府网", june, "7"),
            // Names no manuscript of the station (another station's, say): a key in the file.
            rec("编号99", &["李四"], "市日报", june, "99"),
            rec("编号99", &["李四"], "省政府网", june, "99"),
            // Same title and author as row 0, but keyed differently: not joined by title.
            rec("市日报的标题", &["张三"], "科技信息快报", june, "C"),
        ];
        let existing = HashSet::from([7]);
        assert_eq!(
            rows_of(&pieces(&records, &existing, true)),
            vec![(None, vec![0, 2]), (Some(7), vec![3]), (None, vec![4, 5])]
        );
        assert_eq!(rows_of(&pieces(&records, &existing, false)), rows_of(&pieces(&records, &existing, true)));
        // Without that manuscript, 7 on its own links nothing.
        assert_eq!(rows_of(&pieces(&records, &HashSet::new(), true)), vec![(None, vec![0, 2]), (None, vec![4, 5])]);
    }

    #[test]
    fn same_title_and_authors_are_one_piece() {
        let june = |d| Date::from_calendar_date(2007, time::Month::June, d).unwrap();
        let mut records = vec![
            rec("武汉：专利申请量突破5000件", &["张三", "李四"], "市日报", june(1), ""),
            // Other widths, spaces, author order and shares: the same piece.
            rec(" 武汉:专利申请量突破５０００件", &["李四", "张三"], "省政府网", june(8), ""),
            // Other authors: another piece, alone.
            rec("武汉：专利申请量突破5000件", &["张三"], "科技信息快报", june(9), ""),
            rec("独自一篇", &["张三"], "市日报", june(2), ""),
            // Keyed: goes by its key, not its title.
            rec("武汉：专利申请量突破5000件", &["张三", "李四"], "中国知识产权报", june(3), "K"),
        ];
        records[0].authors[0].share_bp = Some(6000);
        records[0].authors[1].share_bp = Some(4000);
        assert_eq!(rows_of(&pieces(&records, &HashSet::new(), true)), vec![(None, vec![0, 1])]);
        assert!(pieces(&records, &HashSet::new(), false).is_empty(), "keys only");
        assert!(pieces(&records[..1], &HashSet::new(), true).is_empty(), "one row alone is not linked");
    }

    #[test]
    fn a_recurring_title_is_several_pieces() {
        let on = |m: u8, d| Date::from_calendar_date(2007, time::Month::try_from(m).unwrap(), d).unwrap();
        let records = vec![
            // A monthly bulletin under one title, in the same two outlets each month.
            rec("工作简报", &["张三"], "市日报", on(1, 5), ""),
            rec("工作简报", &["张三"], "市日报", on(2, 5), ""),
            rec("工作简报", &["张三"], "省政府网", on(1, 6), ""),
            rec("工作简报", &["张三"], "省政府网", on(2, 7), ""),
            // A yearly meeting's report: taken up 90 days later (the same piece), and the next
            // meeting's in December (another).
            rec("年会召开", &["李四"], "市日报", on(1, 10), ""),
            rec("年会召开", &["李四"], "省政府网", on(12, 20), ""),
            rec("年会召开", &["李四"], "中国知识产权报", on(4, 10), ""),
            rec("年会召开", &["李四"], "科技信息快报", on(4, 11), ""),
        ];
        assert_eq!(
            rows_of(&pieces(&records, &HashSet::new(), true)),
            vec![(None, vec![0, 2]), (None, vec![1, 3]), (None, vec![4, 6])]
        );
    }
}
