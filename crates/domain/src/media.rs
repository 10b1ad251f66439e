//! The subscription drive (征订) and media work (活动, 媒体联系人) as entered: a campaign per
//! year and publication, each unit's orders, events with the units and outlets present, and
//! the station's media contacts. Forms arrive as text; `parse` turns them into checked inputs
//! or says, per field and in Chinese, what is wrong.

use crate::import::RowError;
use crate::table::{Cell, Row, Table};
use crate::{
    EventKind, FieldErrors, InterviewMedium, MAX_NAME, MAX_TEXT, MAX_TITLE, OutletId, SubscriberType, UnitId,
    check_text_field, format_date, parse_date,
};
use serde::{Deserialize, Serialize};
use time::Date;

/// The most copies one order may carry: a typing slip (14040 for 1404) is caught.
pub const MAX_COPIES: i32 = 5000;

/// A subscription campaign: one publication's drive for one year, between two dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignInput {
    pub year: i32,
    pub publication: String,
    pub starts_on: Date,
    pub ends_on: Date,
}

impl CampaignInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.publication = self.publication.trim().to_string();
        check_text_field(&mut e, "publication", "报刊", &self.publication, MAX_NAME, true);
        if !(2000..=2100).contains(&self.year) {
            e.push("year", "年份应在2000至2100之间");
        }
        if self.ends_on < self.starts_on {
            e.push("ends_on", "结束日期不能早于开始日期");
        }
        e.into_result(self)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CampaignForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub publication: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
}

impl CampaignForm {
    pub fn parse(&self) -> Result<CampaignInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let year = int(&mut e, "year", "年份", &self.year);
        let starts_on = date(&mut e, "starts_on", "开始日期", &self.starts_on);
        let ends_on = date(&mut e, "ends_on", "结束日期", &self.ends_on);
        match (year, starts_on, ends_on) {
            (Some(year), Some(starts_on), Some(ends_on)) if e.is_empty() => {
                CampaignInput { year: year as i32, publication: self.publication.clone(), starts_on, ends_on }
                    .validate()
            }
            _ => {
                check_text_field(&mut e, "publication", "报刊", &self.publication, MAX_NAME, true);
                Err(e)
            }
        }
    }
}

/// One unit's order in a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInput {
    pub unit_id: UnitId,
    pub copies: i32,
    pub subscriber_type: SubscriberType,
    /// Who subscribes (an office, a company, a person), as written.
    pub subscriber: String,
    pub ordered_on: Date,
    /// Who collected the order.
    pub collected_by: String,
}

impl OrderInput {
    /// Checks the order on its own and against the campaign's dates.
    pub fn validate(mut self, campaign_starts: Date, campaign_ends: Date) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.subscriber = self.subscriber.trim().to_string();
        self.collected_by = self.collected_by.trim().to_string();
        check_text_field(&mut e, "subscriber", "订户", &self.subscriber, MAX_TITLE, false);
        check_text_field(&mut e, "collected_by", "征订人", &self.collected_by, MAX_NAME, false);
        if self.copies <= 0 {
            e.push("copies", "份数应为正整数");
        } else if self.copies > MAX_COPIES {
            e.push("copies", format!("份数不能超过{MAX_COPIES}"));
        }
        if self.ordered_on < campaign_starts || self.ordered_on > campaign_ends {
            e.push(
                "ordered_on",
                format!(
                    "征订日期{}不在本次征订的时间内（{}至{}）",
                    format_date(self.ordered_on),
                    format_date(campaign_starts),
                    format_date(campaign_ends)
                ),
            );
        }
        e.into_result(self)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrderForm {
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub copies: String,
    #[serde(default)]
    pub subscriber_type: String,
    #[serde(default)]
    pub subscriber: String,
    #[serde(default)]
    pub ordered_on: String,
    #[serde(default)]
    pub collected_by: String,
}

impl OrderForm {
    pub fn parse(&self, campaign_starts: Date, campaign_ends: Date) -> Result<OrderInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let unit_id = match self.unit_id.trim().parse::<i64>() {
            Ok(id) => Some(UnitId(id)),
            Err(_) => {
                e.push("unit_id", "请选择单位");
                None
            }
        };
        let copies = int(&mut e, "copies", "份数", &self.copies);
        let subscriber_type = match SubscriberType::parse(&self.subscriber_type) {
            Some(t) => Some(t),
            None => {
                e.push("subscriber_type", SubscriberType::expected());
                None
            }
        };
        let ordered_on = date(&mut e, "ordered_on", "征订日期", &self.ordered_on);
        match (unit_id, copies, subscriber_type, ordered_on) {
            (Some(unit_id), Some(copies), Some(subscriber_type), Some(ordered_on)) if e.is_empty() => OrderInput {
                unit_id,
                copies: copies.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
                subscriber_type,
                subscriber: self.subscriber.clone(),
                ordered_on,
                collected_by: self.collected_by.clone(),
            }
            .validate(campaign_starts, campaign_ends),
            _ => Err(e),
        }
    }
}

/// An event of media work or of the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInput {
    pub kind: EventKind,
    pub title: String,
    pub held_on: Date,
    pub place: String,
    pub people: String,
    pub outcome: String,
    /// Radio, TV or web, for an interview.
    pub medium: Option<InterviewMedium>,
    pub unit_ids: Vec<UnitId>,
    pub outlet_ids: Vec<OutletId>,
}

impl EventInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.title = self.title.trim().to_string();
        self.place = self.place.trim().to_string();
        self.people = self.people.trim().to_string();
        self.outcome = self.outcome.trim().to_string();
        check_text_field(&mut e, "title", "标题", &self.title, MAX_TITLE, true);
        check_text_field(&mut e, "place", "地点", &self.place, MAX_TITLE, false);
        check_text_field(&mut e, "people", "参加人员", &self.people, MAX_TEXT, false);
        check_text_field(&mut e, "outcome", "成效", &self.outcome, MAX_TEXT * 4, false);
        if self.kind != EventKind::Interview {
            self.medium = None;
        }
        self.unit_ids.sort();
        self.unit_ids.dedup();
        self.outlet_ids.sort();
        self.outlet_ids.dedup();
        e.into_result(self)
    }
}

/// An event form: lists of units and outlets arrive as repeated fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub medium: String,
    #[serde(default)]
    pub unit_ids: Vec<String>,
    #[serde(default)]
    pub outlet_ids: Vec<String>,
}

impl EventForm {
    pub fn parse(&self) -> Result<EventInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = EventKind::parse(&self.kind);
        if kind.is_none() {
            e.push("kind", EventKind::expected());
        }
        let held_on = if self.held_on.trim().is_empty() {
            e.push("held_on", "请填写活动日期");
            None
        } else {
            date(&mut e, "held_on", "活动日期", &self.held_on)
        };
        let medium = match self.medium.trim() {
            "" => None,
            m => match InterviewMedium::parse(m) {
                Some(m) => Some(m),
                None => {
                    e.push("medium", InterviewMedium::expected());
                    None
                }
            },
        };
        let ids = |e: &mut FieldErrors, field: &str, values: &[String]| -> Vec<i64> {
            let mut out = Vec::new();
            for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                match v.parse() {
                    Ok(id) => out.push(id),
                    Err(_) => e.push(field, format!("“{v}”不是有效的编号")),
                }
            }
            out
        };
        let unit_ids = ids(&mut e, "unit_ids", &self.unit_ids).into_iter().map(UnitId).collect();
        let outlet_ids = ids(&mut e, "outlet_ids", &self.outlet_ids).into_iter().map(OutletId).collect();
        match (kind, held_on) {
            (Some(kind), Some(held_on)) if e.is_empty() => EventInput {
                kind,
                title: self.title.clone(),
                held_on,
                place: self.place.clone(),
                people: self.people.clone(),
                outcome: self.outcome.clone(),
                medium,
                unit_ids,
                outlet_ids,
            }
            .validate(),
            _ => {
                check_text_field(&mut e, "title", "标题", &self.title, MAX_TITLE, true);
                Err(e)
            }
        }
    }
}

/// A reporter or editor the station works with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaContactInput {
    pub name: String,
    /// One of the station's outlets, or none when the outlet is only named.
    pub outlet_id: Option<OutletId>,
    pub outlet_name: String,
    /// What they cover (跑口).
    pub beat: String,
    /// Phone, e-mail or both, as written.
    pub contact: String,
    pub last_contact_on: Option<Date>,
    pub note: String,
}

impl MediaContactInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        for v in [&mut self.name, &mut self.outlet_name, &mut self.beat, &mut self.contact, &mut self.note] {
            *v = v.trim().to_string();
        }
        check_text_field(&mut e, "name", "姓名", &self.name, MAX_NAME, true);
        check_text_field(&mut e, "outlet_name", "媒体", &self.outlet_name, MAX_TITLE, false);
        check_text_field(&mut e, "beat", "分管领域", &self.beat, MAX_NAME, false);
        check_text_field(&mut e, "contact", "联系方式", &self.contact, MAX_TITLE, false);
        check_text_field(&mut e, "note", "备注", &self.note, MAX_TEXT, false);
        if self.outlet_id.is_none() && self.outlet_name.is_empty() {
            e.push("outlet_name", "请选择或填写所在媒体");
        }
        e.into_result(self)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MediaContactForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub outlet_id: String,
    #[serde(default)]
    pub outlet_name: String,
    #[serde(default)]
    pub beat: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub last_contact_on: String,
    #[serde(default)]
    pub note: String,
}

impl MediaContactForm {
    pub fn parse(&self) -> Result<MediaContactInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let outlet_id = match self.outlet_id.trim() {
            "" => None,
            v => match v.parse() {
                Ok(id) => Some(OutletId(id)),
                Err(_) => {
                    e.push("outlet_id", "媒体无效");
                    None
                }
            },
        };
        let last_contact_on = match self.last_contact_on.trim() {
            "" => None,
            v => date(&mut e, "last_contact_on", "最近联系", v),
        };
        let input = MediaContactInput {
            name: self.name.clone(),
            outlet_id,
            outlet_name: self.outlet_name.clone(),
            beat: self.beat.clone(),
            contact: self.contact.clone(),
            last_contact_on,
            note: self.note.clone(),
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

/// The index of the column whose header is one of `names` (spaces and case ignored).
pub(crate) fn column(t: &Table, names: &[&str]) -> Option<usize> {
    t.headers.iter().position(|h| {
        let h = h.trim().to_lowercase();
        names.iter().any(|n| h == n.to_lowercase())
    })
}

/// A required column, or an error on the header row naming it.
pub(crate) fn required_column(t: &Table, names: &[&str], errors: &mut Vec<RowError>) -> Option<usize> {
    let found = column(t, names);
    if found.is_none() {
        errors.push(RowError { row: 1, column: names[0].to_string(), message: format!("缺少“{}”列", names[0]) });
    }
    found
}

pub(crate) fn cell(row: &Row, i: Option<usize>) -> Cell {
    i.and_then(|i| row.cells.get(i)).cloned().unwrap_or(Cell::Empty)
}

/// A cell holding a whole number, as a number or as text.
pub(crate) fn whole_number(c: &Cell) -> Option<i64> {
    match c {
        Cell::Number(n) if n.fract() == 0.0 => Some(*n as i64),
        other => other.text().parse::<i64>().ok(),
    }
}

/// Orders of a campaign from a spreadsheet with the columns 单位, 份数, 订户类型, 订户,
/// 征订日期, 征订人. Every row is checked; every mistake is reported by row and column.
pub fn read_orders(
    t: &Table,
    units: &[(UnitId, String)],
    starts_on: Date,
    ends_on: Date,
) -> Result<Vec<OrderInput>, Vec<RowError>> {
    let mut errors = Vec::new();
    let unit_col = required_column(t, &["单位", "unit"], &mut errors);
    let copies_col = required_column(t, &["份数", "copies", "订数"], &mut errors);
    let date_col = required_column(t, &["征订日期", "date", "日期", "ordered_on"], &mut errors);
    let type_col = column(t, &["订户类型", "subscriber_type", "类型"]);
    let who_col = column(t, &["订户", "subscriber"]);
    let by_col = column(t, &["征订人", "collected_by", "经办人"]);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for row in &t.rows {
        if row.cells.iter().all(Cell::is_empty) {
            continue;
        }
        let mut err =
            |column: &str, message: String| errors.push(RowError { row: row.number, column: column.into(), message });
        let unit_name = cell(row, unit_col).text();
        let unit = units.iter().find(|(_, n)| *n == unit_name).map(|(id, _)| *id);
        if unit.is_none() {
            err(
                "单位",
                if unit_name.is_empty() {
                    "请填写单位".into()
                } else {
                    format!("没有名为“{unit_name}”的单位")
                },
            );
        }
        let copies = whole_number(&cell(row, copies_col));
        if copies.is_none() {
            err("份数", format!("“{}”不是整数", cell(row, copies_col).text()));
        }
        let type_text = cell(row, type_col).text();
        let subscriber_type =
            if type_text.is_empty() { Some(SubscriberType::Agency) } else { SubscriberType::parse(&type_text) };
        if subscriber_type.is_none() {
            err("订户类型", format!("“{type_text}”无效，{}", SubscriberType::expected()));
        }
        let ordered_on = crate::import::date_from_cell(&cell(row, date_col));
        if ordered_on.is_none() {
            err("征订日期", format!("“{}”不是日期", cell(row, date_col).text()));
        }
        if let (Some(unit_id), Some(copies), Some(subscriber_type), Some(ordered_on)) =
            (unit, copies, subscriber_type, ordered_on)
        {
            let input = OrderInput {
                unit_id,
                copies: copies.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
                subscriber_type,
                subscriber: cell(row, who_col).text(),
                ordered_on,
                collected_by: cell(row, by_col).text(),
            };
            match input.validate(starts_on, ends_on) {
                Ok(o) => out.push(o),
                Err(e) => {
                    for f in e.0 {
                        let column = match f.field.as_str() {
                            "copies" => "份数",
                            "ordered_on" => "征订日期",
                            "subscriber" => "订户",
                            _ => "征订人",
                        };
                        err(column, f.message);
                    }
                }
            }
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn int(e: &mut FieldErrors, field: &str, label: &str, text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        e.push(field, format!("请填写{label}"));
        return None;
    }
    match t.parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            e.push(field, format!("{label}应为整数"));
            None
        }
    }
}

fn date(e: &mut FieldErrors, field: &str, label: &str, text: &str) -> Option<Date> {
    match parse_date(text) {
        Some(d) => Some(d),
        None => {
            e.push(field, format!("{label}“{}”无效，应如2007-06-05", text.trim()));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn an_order_outside_the_campaign_or_without_copies_is_refused() {
        let form = OrderForm {
            unit_id: "3".into(),
            copies: "0".into(),
            subscriber_type: "机关单位".into(),
            ordered_on: "2008-01-15".into(),
            ..Default::default()
        };
        let e = form.parse(d("2007-09-01"), d("2007-12-31")).unwrap_err();
        assert!(e.get("copies").is_some(), "{e}");
        assert!(e.get("ordered_on").unwrap().contains("不在本次征订的时间内"), "{e}");
        let ok = OrderForm { copies: "12".into(), ordered_on: "2007/10/8".into(), ..form };
        let o = ok.parse(d("2007-09-01"), d("2007-12-31")).unwrap();
        assert_eq!((o.unit_id, o.copies, o.subscriber_type), (UnitId(3), 12, SubscriberType::Agency));
        let typo = OrderForm { copies: "14040".into(), ..ok };
        assert!(typo.parse(d("2007-09-01"), d("2007-12-31")).unwrap_err().get("copies").is_some());
    }

    #[test]
    fn an_event_needs_a_kind_a_date_and_a_title() {
        let e = EventForm::default().parse().unwrap_err();
        for f in ["kind", "held_on", "title"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
        let ok = EventForm {
            kind: "讲座".into(),
            title: "新闻写作讲座".into(),
            held_on: "2007-05-10".into(),
            medium: "广播".into(),
            unit_ids: vec!["2".into(), "1".into(), "2".into()],
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(ok.kind, EventKind::Lecture);
        assert_eq!(ok.unit_ids, vec![UnitId(1), UnitId(2)], "sorted, once each");
        assert_eq!(ok.medium, None, "a medium only for interviews");
    }

    #[test]
    fn orders_from_a_sheet_report_every_bad_cell() {
        let units = vec![(UnitId(1), "武汉市".to_string()), (UnitId(2), "宜昌市".to_string())];
        let headers = ["单位", "份数", "订户类型", "征订日期"].map(String::from).to_vec();
        let text = |s: &str| Cell::Text(s.into());
        let t = Table::new(
            headers.clone(),
            vec![
                vec![text("武汉市"), Cell::Number(120.0), text("企业"), text("2007-10-08")],
                vec![text("荆州市"), text("十"), text("外星人"), text("2008-02-01")],
                vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
                vec![text("宜昌市"), Cell::Number(-4.0), Cell::Empty, Cell::Number(39400.0)],
            ],
        );
        let errors = read_orders(&t, &units, d("2007-09-01"), d("2007-12-31")).unwrap_err();
        let at: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(at, [(3, "单位"), (3, "份数"), (3, "订户类型"), (5, "份数")], "{errors:?}");
        let good =
            Table::new(headers, vec![vec![text("宜昌市"), Cell::Number(30.0), Cell::Empty, Cell::Number(39400.0)]]);
        let orders = read_orders(&good, &units, d("2007-09-01"), d("2007-12-31")).unwrap();
        assert_eq!((orders[0].unit_id, orders[0].copies, orders[0].ordered_on), (UnitId(2), 30, d("2007-11-14")));
        let missing = Table::new(vec!["单位".into()], vec![]);
        assert_eq!(read_orders(&missing, &units, d("2007-09-01"), d("2007-12-31")).unwrap_err().len(), 2);
    }

    #[test]
    fn a_campaign_ends_after_it_starts() {
        let e = CampaignForm {
            year: "2007".into(),
            publication: "中国知识产权报".into(),
            starts_on: "2007-12-01".into(),
            ends_on: "2007-09-01".into(),
        }
        .parse()
        .unwrap_err();
        assert!(e.get("ends_on").is_some());
    }

    #[test]
    fn a_media_contact_names_an_outlet() {
        let e = MediaContactForm { name: "王记者".into(), ..Default::default() }.parse().unwrap_err();
        assert!(e.get("outlet_name").is_some());
        let ok =
            MediaContactForm { name: "王记者".into(), outlet_name: "湖北日报".into(), ..Default::default() };
        assert_eq!(ok.parse().unwrap().outlet_name, "湖北日报");
    }
}
