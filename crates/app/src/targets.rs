//! Targets (目标管理) and weak links (薄弱环节): the year's targets of units and correspondents
//! (set, copied from last year, imported, removed), progress against the pace the calendar
//! requires with the correspondents who have gone quiet, and the monthly bulletin (通报) as
//! text and as a `.docx`. The pages and the API both call these.

use crate::access::{self, require};
use crate::{Actor, Error, Result, today};
use domain::targets::{PaceStatus, TargetInput, TargetMetric, year_elapsed};
use domain::{CorrespondentId, FieldErrors, OutletId, Role, StationId, TargetId, UnitId};
use serde::Deserialize;
use store::{ProgressRow, QuietCorrespondent, Store, TargetRecord};
use time::Date;

/// The years a target may be set for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The year pages open on: the year of the latest placement (the demo's 2007), else this year.
pub async fn default_year(store: &Store, station: StationId) -> Result<i32> {
    Ok(match store.latest_placement_date(station).await? {
        Some(d) => d.year(),
        None => today().year(),
    })
}

/// The year asked for, else the default one. A year outside `YEARS` is a 422 on `year`.
async fn year_or_default(store: &Store, station: StationId, year: Option<i32>) -> Result<i32> {
    match year {
        Some(y) if YEARS.contains(&y) => Ok(y),
        Some(_) => Err(invalid("year", "年份应在2000至2100之间")),
        None => default_year(store, station).await,
    }
}

/// A 422 on one field.
pub(crate) fn invalid(field: &str, message: &str) -> Error {
    let mut e = FieldErrors::default();
    e.push(field, message);
    Error::Invalid(e)
}

/// The day progress is measured on: today within the year, else the year's last day (or, for
/// a year not begun, its first).
pub fn as_of_for(year: i32) -> Date {
    let (first, last) = store::year_bounds(year);
    today().clamp(first, last)
}

/// A year typed in a form or a query string; none unless it is within `YEARS`.
pub fn parse_year(text: Option<&str>) -> Option<i32> {
    text.and_then(|y| y.trim().parse().ok()).filter(|y| YEARS.contains(y))
}

/// Who may read targets and progress: everyone who reads the network's lists.
fn can_view(role: Role) -> bool {
    access::can_view_network(role)
}

/// The station's outlets as (id, name), which metrics name.
pub async fn outlet_names(store: &Store, station: StationId) -> Result<Vec<(OutletId, String)>> {
    Ok(store.outlets(station).await?.into_iter().map(|o| (o.id, o.name)).collect())
}

/// The station's correspondents (every one: a paged list stops at 200), the active ones only
/// when asked.
async fn people(store: &Store, station: StationId, active: Option<bool>) -> Result<Vec<store::Correspondent>> {
    let all = store.all_correspondents(station).await?;
    Ok(all.into_iter().filter(|c| active.is_none_or(|a| c.active == a)).collect())
}

// ---- targets ----

/// A target as typed: the owner as "u:3" (unit) or "c:12" (correspondent), the metric as
/// `TargetMetric::parse` reads it.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct TargetForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub metric: String,
    #[serde(default)]
    pub value: String,
}

impl TargetForm {
    pub fn parse(&self, outlets: &[(OutletId, String)]) -> Result<TargetInput, FieldErrors> {
        let mut e = FieldErrors::default();
        let year = parse_year(Some(&self.year));
        if year.is_none() {
            e.push("year", "年份应在2000至2100之间");
        }
        let (unit_id, correspondent_id) = match self.owner.split_once(':') {
            Some(("u", id)) => (id.parse().ok().map(UnitId), None),
            Some(("c", id)) => (None, id.parse().ok().map(CorrespondentId)),
            _ => (None, None),
        };
        if unit_id.is_none() && correspondent_id.is_none() {
            e.push("owner", "请选择单位或通讯员");
        }
        let metric = match TargetMetric::parse(&self.metric, outlets) {
            Ok(m) => Some(m),
            Err(m) => {
                e.push("metric", m);
                None
            }
        };
        let value = match self.value.trim().parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                e.push("value", "目标数应为整数");
                None
            }
        };
        match (year, metric, value) {
            (Some(year), Some(metric), Some(value)) if e.is_empty() => {
                TargetInput { year, unit_id, correspondent_id, metric, value }.validate()
            }
            _ => Err(e),
        }
    }
}

/// The targets of a year (the default year when none is given), with the year.
pub async fn targets(store: &Store, actor: &Actor, year: Option<i32>) -> Result<(i32, Vec<TargetRecord>)> {
    require(can_view(actor.role()))?;
    let station = actor.station()?;
    let year = year_or_default(store, station, year).await?;
    Ok((year, store.targets(station, year).await?))
}

/// What a target may be set on: the units, the active correspondents, and the metrics as
/// (code, label in `locale`).
pub struct TargetChoices {
    pub units: Vec<store::Unit>,
    pub people: Vec<store::Correspondent>,
    pub metrics: Vec<(String, String)>,
}

pub async fn target_choices(store: &Store, actor: &Actor, locale: &str) -> Result<TargetChoices> {
    require(can_view(actor.role()))?;
    let station = actor.station()?;
    let outlets = outlet_names(store, station).await?;
    let metrics =
        TargetMetric::choices(&outlets).into_iter().map(|m| (m.code(), m.label_with(locale, &outlets))).collect();
    Ok(TargetChoices { units: store.units(station).await?, people: people(store, station, Some(true)).await?, metrics })
}

/// Sets (or replaces) one target; answers the target as stored.
pub async fn set_target(store: &Store, actor: &Actor, form: &TargetForm) -> Result<TargetRecord> {
    require(access::can_manage_network(actor.role()))?;
    let station = actor.station()?;
    let input = form.parse(&outlet_names(store, station).await?)?;
    let (year, owner, metric) = (input.year, (input.unit_id, input.correspondent_id), input.metric);
    store.set_targets(station, actor.user.id, vec![input]).await?;
    let all = store.targets(station, year).await?;
    all.into_iter()
        .find(|t| (t.unit_id, t.correspondent_id) == owner && t.metric == metric)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("target not found after saving")))
}

/// Copies the targets of `from_year` into the next year, scaled by `percent`; answers how many.
pub async fn carry_targets(store: &Store, actor: &Actor, from_year: i32, percent: u32) -> Result<usize> {
    require(access::can_manage_network(actor.role()))?;
    let station = actor.station()?;
    let mut e = FieldErrors::default();
    // The next year must be a target year too (and `from_year + 1` must not overflow).
    if !YEARS.contains(&from_year) || from_year == *YEARS.end() {
        e.push("from_year", "年份应在2000至2099之间");
    }
    if !(1..=1000).contains(&percent) {
        e.push("percent", "比例应在1%至1000%之间");
    }
    e.into_result(())?;
    Ok(store.carry_targets_forward(station, actor.user.id, from_year, percent).await?)
}

pub async fn delete_target(store: &Store, actor: &Actor, id: TargetId) -> Result<()> {
    require(access::can_manage_network(actor.role()))?;
    Ok(store.delete_target(actor.station()?, actor.user.id, id).await?)
}

/// Targets from a spreadsheet: every row checked, every mistake reported by row and column,
/// nothing written unless all are right. Answers how many were set and the year of the first.
pub async fn import_targets(store: &Store, actor: &Actor, file_name: &str, bytes: Vec<u8>) -> Result<(usize, i32)> {
    require(access::can_manage_network(actor.role()))?;
    if bytes.len() > crate::ops::MAX_IMPORT_BYTES {
        return Err(Error::TooLarge(format!("文件太大：最大{}MB", crate::ops::MAX_IMPORT_BYTES / 1024 / 1024)));
    }
    let station = actor.station()?;
    let table = crate::parse::table(&domain::text::safe_file_name(file_name), bytes).await?;
    let units: Vec<(UnitId, String)> = store.units(station).await?.into_iter().map(|u| (u.id, u.name)).collect();
    let people: Vec<(CorrespondentId, String)> =
        people(store, station, None).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let outlets = outlet_names(store, station).await?;
    // Checking every row is CPU work: off the async workers, like the reading.
    let checked =
        crate::parse::blocking(move || domain::targets::read_targets(&table, &units, &people, &outlets)).await?;
    let targets = checked.map_err(Error::rows)?;
    let year = match targets.first() {
        Some(t) => t.year,
        None => default_year(store, station).await?,
    };
    let n = store.set_targets(station, actor.user.id, targets).await?;
    Ok((n, year))
}

// ---- progress and weak links ----

/// Progress on a day: every target's row, weak ones first, and the quiet correspondents.
#[derive(Debug, Clone)]
pub struct ProgressView {
    pub year: i32,
    pub as_of: Date,
    /// Days of the year passed and days in it.
    pub elapsed: u32,
    pub days: u32,
    pub rows: Vec<ProgressRow>,
    pub quiet: Vec<QuietCorrespondent>,
    pub quiet_weeks: i32,
    /// Days a submitted draft may wait for revision before its reminder.
    pub revision_days: i32,
}

impl ProgressView {
    /// The share of the year passed, as "49.6%".
    pub fn pace_percent(&self) -> String {
        let permille = if self.days == 0 { 1000 } else { self.elapsed as u64 * 1000 / self.days as u64 };
        format!("{}.{}%", permille / 10, permille % 10)
    }
    pub fn weak(&self) -> Vec<&ProgressRow> {
        self.rows.iter().filter(|r| r.progress.is_weak()).collect()
    }
}

/// The progress of `year` (default: the default year) on `as_of` (default: `as_of_for`).
pub async fn progress(store: &Store, actor: &Actor, year: Option<i32>, as_of: Option<Date>) -> Result<ProgressView> {
    require(can_view(actor.role()))?;
    let station = actor.station()?;
    let year = year_or_default(store, station, year).await?;
    progress_of(store, actor, station, year, as_of.unwrap_or_else(|| as_of_for(year))).await
}

/// The progress of `year` on `as_of`, a liaison's own unit (and its people) first. The caller
/// has checked the role (the dashboard shows it only to those who read the network).
pub async fn progress_of(
    store: &Store,
    actor: &Actor,
    station: StationId,
    year: i32,
    as_of: Date,
) -> Result<ProgressView> {
    let mut rows = store.progress(station, year, as_of).await?;
    let own_unit = if actor.role() == Role::Liaison { actor.user.unit_id } else { None };
    let people_units: std::collections::HashMap<CorrespondentId, Option<UnitId>> =
        people(store, station, None).await?.into_iter().map(|c| (c.id, c.unit_id)).collect();
    let unit_of = |r: &ProgressRow| match r.target.correspondent_id {
        Some(c) => people_units.get(&c).copied().flatten(),
        None => r.target.unit_id,
    };
    // Own unit first (for a liaison), then the weakest: worst status, then least of the pace.
    rows.sort_by_key(|r| {
        (
            own_unit.is_none() || unit_of(r) != own_unit,
            r.progress.status,
            r.progress.permille_of_pace(),
            r.target.correspondent_id.is_some(),
            r.target.owner_name.clone(),
        )
    });
    let st = store.station(station).await?;
    let weeks = st.quiet_weeks.max(1) as u32;
    let mut quiet = store.quiet_correspondents(station, as_of, weeks).await?;
    if let Some(u) = own_unit {
        quiet.retain(|q| q.unit_id == Some(u));
    }
    let (elapsed, days) = year_elapsed(year, as_of);
    Ok(ProgressView {
        year,
        as_of,
        elapsed,
        days,
        rows,
        quiet,
        quiet_weeks: st.quiet_weeks,
        revision_days: st.revision_days,
    })
}

/// After how many weeks without a submission a correspondent counts as quiet.
pub async fn set_quiet_weeks(store: &Store, actor: &Actor, weeks: i32) -> Result<()> {
    require(access::can_manage_network(actor.role()))?;
    Ok(store.set_quiet_weeks(actor.station()?, actor.user.id, weeks).await?)
}

/// After how many days a draft waiting for revision is reminded of (提醒).
pub async fn set_revision_days(store: &Store, actor: &Actor, days: i32) -> Result<()> {
    require(access::can_manage_network(actor.role()))?;
    Ok(store.set_revision_days(actor.station()?, actor.user.id, days).await?)
}

// ---- the monthly bulletin (通报) ----

/// The bulletin as text, for the page, the API and the Word file alike.
#[derive(Debug, Clone)]
pub struct Bulletin {
    pub title: String,
    pub subtitle: String,
    pub intro: Vec<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub weak: Vec<String>,
    pub quiet: Vec<String>,
    pub footer: Vec<String>,
    pub year: i32,
    pub month: u8,
}

/// The bulletin of `month` (default December) of `year` (default: the default year).
pub async fn bulletin(store: &Store, actor: &Actor, year: Option<i32>, month: Option<u8>) -> Result<Bulletin> {
    require(can_view(actor.role()))?;
    let station = actor.station()?;
    let year = year_or_default(store, station, year).await?;
    let month = month.unwrap_or(12);
    let month_t = time::Month::try_from(month).map_err(|_| invalid("month", "月份应在1至12之间"))?;
    let last = Date::from_calendar_date(year, month_t, month_t.length(year))
        .map_err(|_| invalid("month", "月份应在1至12之间"))?;
    let p = progress_of(store, actor, station, year, last).await?;
    let st = store.station(station).await?;
    // Units only in the table, one column group per metric that has unit targets.
    let unit_rows: Vec<&ProgressRow> = p.rows.iter().filter(|r| r.target.correspondent_id.is_none()).collect();
    let mut metrics: Vec<(TargetMetric, String)> = Vec::new();
    for r in &unit_rows {
        if !metrics.iter().any(|(m, _)| *m == r.target.metric) {
            metrics.push((r.target.metric, r.target.metric_label("zh")));
        }
    }
    metrics.sort();
    let mut units: Vec<(String, UnitId)> =
        unit_rows.iter().filter_map(|r| r.target.unit_id.map(|u| (r.target.owner_name.clone(), u))).collect();
    units.sort();
    units.dedup();
    let mut headers = vec!["单位".to_string()];
    for (_, label) in &metrics {
        headers.push(format!("{label}目标"));
        headers.push("完成".into());
        headers.push("完成率".into());
    }
    headers.push("进度".into());
    let mut rows = Vec::new();
    for (name, unit) in &units {
        let mut row = vec![name.clone()];
        let mut worst: Option<PaceStatus> = None;
        for (m, _) in &metrics {
            match unit_rows.iter().find(|r| r.target.unit_id == Some(*unit) && r.target.metric == *m) {
                Some(r) => {
                    row.push(r.progress.target.to_string());
                    row.push(r.progress.achieved.to_string());
                    row.push(format!("{}%", r.progress.permille_of_target / 10));
                    worst = Some(worst.map_or(r.progress.status, |w| w.min(r.progress.status)));
                }
                None => row.extend(["—".to_string(), "—".to_string(), "—".to_string()]),
            }
        }
        row.push(worst.map(|w| w.zh().to_string()).unwrap_or_default());
        rows.push(row);
    }
    let weak = p
        .weak()
        .iter()
        .map(|r| {
            format!(
                "{}：{}目标{}，完成{}，按进度应完成{}，差{}（{}）",
                r.target.owner_name,
                r.target.metric_label("zh"),
                r.progress.target,
                r.progress.achieved,
                r.progress.expected,
                r.progress.shortfall,
                r.progress.status.zh()
            )
        })
        .collect();
    let quiet = p
        .quiet
        .iter()
        .map(|q| {
            let last = q.last_submission.map(domain::format_date).unwrap_or_else(|| "从未投稿".into());
            format!("{}（{}）：最近投稿 {last}", q.name, q.unit_name.clone().unwrap_or_default())
        })
        .collect();
    let intro = vec![format!(
        "截至{}年{}月{}日，全年时间已过{}。现将各单位{}年度目标任务完成情况通报如下。",
        year,
        month,
        last.day(),
        p.pace_percent(),
        year
    )];
    Ok(Bulletin {
        title: format!("{}{}年{}月目标任务进展通报", st.name, year, month),
        subtitle: format!("{}　{}年{}月", st.name, year, month),
        intro,
        headers,
        rows,
        weak,
        quiet,
        footer: vec![st.name.clone(), domain::format_date(today())],
        year,
        month,
    })
}

/// The bulletin as a Word file: its name and bytes.
pub async fn bulletin_docx(
    store: &Store,
    actor: &Actor,
    year: Option<i32>,
    month: Option<u8>,
) -> Result<(String, Vec<u8>)> {
    use office::report::{Block, ReportDoc, ReportTable};
    let b = bulletin(store, actor, year, month).await?;
    let mut blocks: Vec<Block> = b.intro.iter().cloned().map(Block::Paragraph).collect();
    blocks.push(Block::Heading1("一、各单位目标完成情况".into()));
    let numeric = (1..b.headers.len().saturating_sub(1)).collect();
    blocks.push(Block::Table(ReportTable {
        caption: String::new(),
        headers: b.headers.clone(),
        rows: b.rows.clone(),
        total_row: None,
        numeric_columns: numeric,
    }));
    blocks.push(Block::Heading1("二、薄弱环节".into()));
    if b.weak.is_empty() {
        blocks.push(Block::Paragraph("各单位均达到时间进度。".into()));
    }
    blocks.extend(b.weak.iter().cloned().map(Block::Paragraph));
    blocks.push(Block::Heading1("三、需要督促的通讯员".into()));
    if b.quiet.is_empty() {
        blocks.push(Block::Paragraph("无。".into()));
    }
    blocks.extend(b.quiet.iter().cloned().map(Block::Paragraph));
    let doc = ReportDoc { title: b.title, subtitle: Some(b.subtitle), blocks, footer: b.footer };
    let bytes = office::report::report_docx(&doc).map_err(|e| Error::Internal(anyhow::anyhow!("bulletin: {e}")))?;
    Ok((format!("bulletin-{}-{:02}.docx", b.year, b.month), bytes))
}
