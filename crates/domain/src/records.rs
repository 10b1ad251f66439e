//! What users create: the validated inputs for units, correspondents, outlets, manuscripts and
//! placements. HTML forms arrive as strings (`*Form`) and are parsed into typed `*Input`s; the
//! JSON API deserialises the `*Input`s directly. Both go through `validate`, so the rules are
//! the same whichever door the data came in by.

use crate::{
    CorrespondentId, CorrespondentKind, FieldErrors, Genre, Grade, InstructionLevel, OutletKind, OutletLevel, Position,
    UnitId, UnitKind, UserId, parse_date,
};
use serde::{Deserialize, Serialize};
use time::Date;

/// Longest name, title and free text accepted, in characters.
pub const MAX_NAME: usize = 64;
pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 100_000;
pub const MAX_TEXT: usize = 1000;

/// 100% in basis points: shares are stored as integers so they add up exactly.
pub const FULL_SHARE: i32 = 10_000;

/// What is wrong with a byline's shares (in basis points, in byline order), in Chinese, or
/// `None`: either no share is written, or every author has one in 1..=10000 and they add up to
/// exactly 10000. Each share is bounded and the sum is taken in i64, so no set of i32 shares
/// can wrap around to 10000.
pub fn shares_problem(shares: &[Option<i32>]) -> Option<&'static str> {
    let given = shares.iter().filter(|s| s.is_some()).count();
    if given == 0 {
        None
    } else if given != shares.len() {
        Some("要么每位作者都写份额，要么都不写")
    } else if shares.iter().any(|s| s.unwrap_or(0) <= 0) {
        Some("份额必须大于0")
    } else if shares.iter().any(|s| s.unwrap_or(0) > FULL_SHARE) {
        Some("份额不能超过100%")
    } else if shares.iter().map(|s| i64::from(s.unwrap_or(0))).sum::<i64>() != i64::from(FULL_SHARE) {
        Some("作者份额合计必须为100%")
    } else {
        None
    }
}

/// Checks a text field's length (in characters) and presence, pushing a Chinese message.
pub fn check_text_field(errors: &mut FieldErrors, field: &str, label: &str, value: &str, max: usize, required: bool) {
    let n = value.trim().chars().count();
    if required && n == 0 {
        errors.push(field, format!("请填写{label}"));
    } else if n > max {
        errors.push(field, format!("{label}不能超过{max}个字"));
    }
}

fn parse_opt<T: std::str::FromStr<Err = String>>(errors: &mut FieldErrors, field: &str, text: &str) -> Option<T> {
    let t = text.trim();
    if t.is_empty() || t == "无" {
        return None;
    }
    match t.parse() {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(field, e);
            None
        }
    }
}

fn parse_req<T: std::str::FromStr<Err = String>>(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    text: &str,
) -> Option<T> {
    if text.trim().is_empty() {
        errors.push(field, format!("请选择{label}"));
        return None;
    }
    parse_opt(errors, field, text)
}

fn parse_id<T: std::str::FromStr>(errors: &mut FieldErrors, field: &str, text: &str) -> Option<T> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(field, "选择无效");
            None
        }
    }
}

/// A form checkbox: present and not "0"/"false"/"否" means yes.
pub fn checkbox(value: &Option<String>) -> bool {
    matches!(value.as_deref().map(str::trim), Some(v) if !v.is_empty() && v != "0" && v != "false" && v != "否" && v != "off")
}

/// Checks an e-mail address loosely: one @, something on each side, a dot in the domain.
pub fn looks_like_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(d), None) if !a.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
        && !s.chars().any(char::is_whitespace)
}

/// Checks a phone number: digits with optional +, -, spaces and parentheses, 5 to 20 digits.
pub fn looks_like_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits) && s.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
}

/// Checks a link: http or https and a host.
pub fn looks_like_url(s: &str) -> bool {
    (s.starts_with("http://") || s.starts_with("https://")) && s.len() > 10 && !s.chars().any(char::is_whitespace)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    pub name: String,
    pub kind: UnitKind,
}

impl UnitInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.name = self.name.trim().to_string();
        check_text_field(&mut e, "name", "名称", &self.name, MAX_NAME, true);
        e.into_result(self)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
}

impl UnitForm {
    pub fn parse(&self) -> Result<UnitInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = parse_req(&mut e, "kind", "类型", &self.kind);
        match kind {
            Some(kind) if e.is_empty() => UnitInput { name: self.name.clone(), kind }.validate(),
            _ => {
                check_text_field(&mut e, "name", "名称", &self.name, MAX_NAME, true);
                Err(e)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CorrespondentInput {
    pub name: String,
    pub unit_id: Option<UnitId>,
    pub kind: CorrespondentKind,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default, with = "crate::date_format::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub joined_on: Option<Date>,
    #[serde(default = "yes")]
    pub active: bool,
    /// The mentor account that revises this correspondent's drafts.
    pub mentor_user_id: Option<UserId>,
}

fn yes() -> bool {
    true
}

impl CorrespondentInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.name = self.name.trim().to_string();
        self.phone = self.phone.trim().to_string();
        self.email = self.email.trim().to_string();
        check_text_field(&mut e, "name", "姓名", &self.name, MAX_NAME, true);
        if !self.phone.is_empty() && !looks_like_phone(&self.phone) {
            e.push("phone", "电话号码格式不正确");
        }
        if !self.email.is_empty() && !looks_like_email(&self.email) {
            e.push("email", "邮箱格式不正确");
        }
        if let Some(m) = self.joined_on.and_then(|d| crate::date_range_problem("加入日期", d)) {
            e.push("joined_on", m);
        }
        e.into_result(self)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CorrespondentForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub joined_on: String,
    pub active: Option<String>,
    #[serde(default)]
    pub mentor_user_id: String,
}

impl CorrespondentForm {
    pub fn parse(&self) -> Result<CorrespondentInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = parse_req(&mut e, "kind", "类型", &self.kind);
        let unit_id = parse_id(&mut e, "unit_id", &self.unit_id);
        let mentor_user_id = parse_id(&mut e, "mentor_user_id", &self.mentor_user_id);
        let joined_on = if self.joined_on.trim().is_empty() {
            None
        } else {
            let d = parse_date(&self.joined_on);
            if d.is_none() {
                e.push("joined_on", "日期格式应为 2007-06-01");
            }
            d
        };
        let input = CorrespondentInput {
            name: self.name.clone(),
            unit_id,
            kind: kind.unwrap_or(CorrespondentKind::UnitCorrespondent),
            phone: self.phone.clone(),
            email: self.email.clone(),
            joined_on,
            active: checkbox(&self.active),
            mentor_user_id,
        };
        match input.validate() {
            Ok(v) if e.is_empty() => Ok(v),
            Ok(_) => Err(e),
            Err(more) => {
                e.0.extend(more.0);
                Err(e)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutletInput {
    pub name: String,
    pub kind: OutletKind,
    pub level: OutletLevel,
    /// Column names (栏目/版面).
    #[serde(default)]
    pub columns: Vec<String>,
}

/// Splits a list typed as "a、b，c" into trimmed, non-empty, de-duplicated items.
pub fn split_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split(['、', ',', '，', ';', '；', '\n']) {
        let p = part.trim();
        if !p.is_empty() && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

impl OutletInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.name = self.name.trim().to_string();
        check_text_field(&mut e, "name", "名称", &self.name, MAX_NAME, true);
        self.columns = split_list(&self.columns.join("、"));
        for c in &self.columns {
            if c.chars().count() > MAX_NAME {
                e.push("columns", format!("栏目“{c}”太长"));
            }
        }
        e.into_result(self)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OutletForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub columns: String,
}

impl OutletForm {
    pub fn parse(&self) -> Result<OutletInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = parse_req(&mut e, "kind", "类型", &self.kind);
        let level = parse_req(&mut e, "level", "级别", &self.level);
        let input = OutletInput {
            name: self.name.clone(),
            kind: kind.unwrap_or(OutletKind::Newspaper),
            level: level.unwrap_or(OutletLevel::Internal),
            columns: split_list(&self.columns),
        };
        match input.validate() {
            Ok(v) if e.is_empty() => Ok(v),
            Ok(_) => Err(e),
            Err(more) => {
                e.0.extend(more.0);
                Err(e)
            }
        }
    }
}

/// One author on a byline, with an optional share in basis points (10000 = 100%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Byline {
    pub correspondent_id: CorrespondentId,
    pub share_bp: Option<i32>,
}

/// Checks a byline: at least one author, nobody twice, and shares either all absent or all
/// present and adding up to exactly 100%.
pub fn check_bylines(e: &mut FieldErrors, field: &str, authors: &[Byline]) {
    if authors.is_empty() {
        e.push(field, "至少要有一位作者");
        return;
    }
    let mut seen = std::collections::HashSet::new();
    if !authors.iter().all(|a| seen.insert(a.correspondent_id)) {
        e.push(field, "同一作者不能重复");
    }
    let shares: Vec<Option<i32>> = authors.iter().map(|a| a.share_bp).collect();
    if let Some(problem) = shares_problem(&shares) {
        e.push(field, problem);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ManuscriptInput {
    pub title: String,
    pub body: String,
    pub genre: Genre,
    /// Authors in byline order; the first is normally the correspondent writing it.
    pub authors: Vec<Byline>,
}

impl ManuscriptInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.title = self.title.trim().to_string();
        check_text_field(&mut e, "title", "标题", &self.title, MAX_TITLE, true);
        check_text_field(&mut e, "body", "正文", &self.body, MAX_BODY, true);
        check_bylines(&mut e, "authors", &self.authors);
        e.into_result(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlacementInput {
    /// The manuscript placed, when it is in the system (history from Excel has none).
    pub manuscript_id: Option<crate::ManuscriptId>,
    pub title: String,
    pub unit_id: Option<UnitId>,
    pub outlet_id: crate::OutletId,
    #[serde(default)]
    pub column: String,
    #[serde(with = "crate::date_format")]
    #[schema(value_type = String, format = Date)]
    pub published_on: Date,
    pub genre: Genre,
    pub position: Position,
    /// Length in characters (字数).
    pub length: i32,
    pub instruction: Option<InstructionLevel>,
    #[serde(default)]
    pub commissioned: bool,
    #[serde(default)]
    pub reprint: bool,
    pub grade: Option<Grade>,
    #[serde(default)]
    pub evidence_url: String,
    #[serde(default)]
    pub note: String,
    pub authors: Vec<Byline>,
    /// Bylined people outside the network, e.g. the paper's own journalist.
    #[serde(default)]
    pub external_authors: String,
}

impl PlacementInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.title = self.title.trim().to_string();
        self.column = self.column.trim().to_string();
        self.evidence_url = self.evidence_url.trim().to_string();
        self.external_authors = self.external_authors.trim().to_string();
        check_text_field(&mut e, "title", "标题", &self.title, MAX_TITLE, true);
        check_text_field(&mut e, "column", "栏目", &self.column, MAX_NAME, false);
        check_text_field(&mut e, "note", "备注", &self.note, MAX_TEXT, false);
        check_text_field(&mut e, "external_authors", "外部作者", &self.external_authors, MAX_TEXT, false);
        if let Some(m) = crate::date_range_problem("刊发日期", self.published_on) {
            e.push("published_on", m);
        }
        if !(0..=1_000_000).contains(&self.length) {
            e.push("length", "字数应在0到1000000之间");
        }
        if !self.evidence_url.is_empty() && !looks_like_url(&self.evidence_url) {
            e.push("evidence_url", "链接应以 http:// 或 https:// 开头");
        }
        check_bylines(&mut e, "authors", &self.authors);
        e.into_result(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(id: i64, share: Option<i32>) -> Byline {
        Byline { correspondent_id: CorrespondentId(id), share_bp: share }
    }

    #[test]
    fn shares_must_be_all_or_nothing_and_total_100() {
        let mut e = FieldErrors::default();
        check_bylines(&mut e, "a", &[by(1, Some(6000)), by(2, Some(4000))]);
        assert!(e.is_empty());
        check_bylines(&mut e, "a", &[by(1, None), by(2, None)]);
        assert!(e.is_empty());
        check_bylines(&mut e, "a", &[by(1, Some(6000)), by(2, None)]);
        assert_eq!(e.0.len(), 1);
        let mut e = FieldErrors::default();
        check_bylines(&mut e, "a", &[by(1, Some(6000)), by(2, Some(3000))]);
        assert_eq!(e.get("a"), Some("作者份额合计必须为100%"));
        let mut e = FieldErrors::default();
        check_bylines(&mut e, "a", &[by(1, None), by(1, None)]);
        assert_eq!(e.get("a"), Some("同一作者不能重复"));
        let mut e = FieldErrors::default();
        check_bylines(&mut e, "a", &[]);
        assert!(!e.is_empty());
        // i32 arithmetic would wrap this to exactly 10000.
        let mut e = FieldErrors::default();
        check_bylines(&mut e, "a", &[by(1, Some(i32::MAX)), by(2, Some(i32::MAX)), by(3, Some(10_002))]);
        assert_eq!(e.get("a"), Some("份额不能超过100%"));
        let mut e = FieldErrors::default();
        check_bylines(&mut e, "a", &[by(1, Some(-5000)), by(2, Some(15_000))]);
        assert_eq!(e.get("a"), Some("份额必须大于0"));
    }

    #[test]
    fn correspondent_form_reports_every_bad_field() {
        let form = CorrespondentForm {
            name: " ".into(),
            kind: "作家".into(),
            email: "not-an-email".into(),
            phone: "abc".into(),
            joined_on: "2007-02-30".into(),
            ..Default::default()
        };
        let e = form.parse().unwrap_err();
        for f in ["name", "kind", "email", "phone", "joined_on"] {
            assert!(e.get(f).is_some(), "{f} in {e}");
        }
    }

    #[test]
    fn outlet_columns_split_on_chinese_separators() {
        assert_eq!(split_list("专利园地、要闻， 要闻;图片"), vec!["专利园地", "要闻", "图片"]);
    }

    #[test]
    fn contact_checks() {
        assert!(looks_like_email("zhang@hbipo.gov.cn"));
        assert!(!looks_like_email("zhang@cn"));
        assert!(looks_like_phone("027-8765 4321"));
        assert!(!looks_like_phone("12"));
        assert!(looks_like_url("https://www.cipnews.com.cn/a"));
        assert!(!looks_like_url("javascript:alert(1)"));
    }
}
