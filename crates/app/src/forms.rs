//! Forms as people type them: every field arrives as text, and one function per form reads
//! it, collecting every field's problem at once, before the record's own validation. The pages
//! post these; the API takes the typed records (`domain::PlacementInput` …) and the same
//! validation.

use domain::*;
use serde::Deserialize;
use store::{Placement, Store};

/// Joins what a form's parsing found (`found`) with what the input's own validation says.
/// Forms type the byline as text in a field called `byline`, so the input's `authors` messages
/// are shown there, unless the byline already has its own message.
pub fn with_form_errors<T>(mut found: FieldErrors, validated: Result<T, FieldErrors>) -> Result<T, FieldErrors> {
    match validated {
        Ok(input) if found.is_empty() => Ok(input),
        Ok(_) => Err(found),
        Err(more) => {
            for m in more.0 {
                if m.field == "authors" && found.get("byline").is_some() {
                    continue;
                }
                let field = if m.field == "authors" { "byline".to_string() } else { m.field };
                found.0.push(domain::FieldError::new(field, m.message));
            }
            Err(found)
        }
    }
}

/// The placement form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlacementForm {
    #[serde(default)]
    pub manuscript_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub byline: String,
    #[serde(default)]
    pub external_authors: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub outlet_id: String,
    #[serde(default)]
    pub column: String,
    #[serde(default)]
    pub published_on: String,
    #[serde(default)]
    pub genre: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub length: String,
    #[serde(default)]
    pub instruction: String,
    pub commissioned: Option<String>,
    pub reprint: Option<String>,
    #[serde(default)]
    pub grade: String,
    #[serde(default)]
    pub evidence_url: String,
    #[serde(default)]
    pub note: String,
}

impl PlacementForm {
    /// The form filled in with a placement, for editing it.
    pub fn from_placement(p: &Placement, byline: String) -> Self {
        PlacementForm {
            manuscript_id: p.manuscript_id.map(|m| m.to_string()).unwrap_or_default(),
            title: p.title.clone(),
            byline,
            external_authors: p.external_authors.clone(),
            unit_id: p.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            outlet_id: p.outlet_id.to_string(),
            column: p.column.clone(),
            published_on: format_date(p.published_on),
            genre: p.genre.code().into(),
            position: p.position.code().into(),
            length: p.length.to_string(),
            instruction: p.instruction.map(|i| i.code().to_string()).unwrap_or_default(),
            commissioned: p.commissioned.then(|| "1".into()),
            reprint: p.reprint.then(|| "1".into()),
            grade: p.grade.map(|g| g.code().to_string()).unwrap_or_default(),
            evidence_url: p.evidence_url.clone(),
            note: p.note.clone(),
        }
    }

    /// Parses every field, collecting all problems.
    pub async fn parse(&self, store: &Store, station: StationId) -> Result<PlacementInput, FieldErrors> {
        let mut e = FieldErrors::default();
        fn choice<T>(
            e: &mut FieldErrors,
            field: &str,
            text: &str,
            parse: fn(&str) -> Option<T>,
            expected: String,
            required: bool,
        ) -> Option<T> {
            let t = text.trim();
            if t.is_empty() {
                if required {
                    e.push(field, "请选择");
                }
                return None;
            }
            let v = parse(t);
            if v.is_none() {
                e.push(field, expected);
            }
            v
        }
        let outlet_id: Option<OutletId> = self.outlet_id.trim().parse().ok();
        if outlet_id.is_none() {
            e.push("outlet_id", "请选择媒体");
        }
        let unit_id: Option<UnitId> = if self.unit_id.trim().is_empty() {
            None
        } else {
            match self.unit_id.trim().parse() {
                Ok(u) => Some(u),
                Err(_) => {
                    e.push("unit_id", "单位无效");
                    None
                }
            }
        };
        let published_on = parse_date(&self.published_on);
        if published_on.is_none() {
            e.push("published_on", "请填写刊发日期，如 2007-06-01");
        }
        let genre = choice(&mut e, "genre", &self.genre, Genre::parse, Genre::expected(), true);
        let position = choice(&mut e, "position", &self.position, Position::parse, Position::expected(), false);
        let instruction = choice(
            &mut e,
            "instruction",
            &self.instruction,
            InstructionLevel::parse,
            InstructionLevel::expected(),
            false,
        );
        let grade = choice(&mut e, "grade", &self.grade, Grade::parse, Grade::expected(), false);
        let length = if self.length.trim().is_empty() {
            0
        } else {
            match self.length.trim().parse::<i32>() {
                Ok(n) => n,
                Err(_) => {
                    e.push("length", "字数应为整数");
                    0
                }
            }
        };
        let manuscript_id = self.manuscript_id.trim().parse().ok();
        let authors = match crate::ops::bylines_from_text(store, station, "byline", &self.byline).await {
            Ok(a) => a,
            Err(more) => {
                e.0.extend(more.0);
                vec![]
            }
        };
        let input = PlacementInput {
            manuscript_id,
            title: self.title.clone(),
            unit_id,
            outlet_id: outlet_id.unwrap_or(OutletId(-1)),
            column: self.column.clone(),
            published_on: published_on.unwrap_or(time::Date::MIN),
            genre: genre.unwrap_or(Genre::Other),
            position: position.unwrap_or(Position::Normal),
            length,
            instruction,
            commissioned: checkbox(&self.commissioned),
            reprint: checkbox(&self.reprint),
            grade,
            evidence_url: self.evidence_url.clone(),
            note: self.note.clone(),
            authors,
            external_authors: self.external_authors.clone(),
        };
        with_form_errors(e, input.validate())
    }
}
