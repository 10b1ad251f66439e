//! Targets (目标管理) and weak links (薄弱环节): the year's targets of units and
//! correspondents (set, replaced, copied from last year, removed), the progress page that
//! compares every target with the pace the calendar requires and lists the correspondents
//! who have gone quiet, and the monthly progress bulletin (通报) as a page and a `.docx`.

use super::{Errors, Layout, field_errors, flash, form_error, see_other};
use crate::access;
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::{AppError, AppResult, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::targets::{PaceStatus, TargetInput, TargetMetric, year_elapsed};
use domain::{CorrespondentId, FieldErrors, Role, StationId, TargetId, UnitId};
use serde::Deserialize;
use store::{ProgressRow, QuietCorrespondent, TargetRecord};
use time::Date;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/targets", get(targets).post(set_target))
        .route("/targets/carry", post(carry))
        .route("/targets/import", post(import_targets).layer(crate::boundary::upload_limit()))
        .route("/targets/{id}/delete", post(delete_target))
        .route("/progress", get(progress))
        .route("/progress/quiet-weeks", post(set_quiet_weeks))
        .route("/progress/revision-days", post(set_revision_days))
        .route("/progress/bulletin", get(bulletin_page))
        .route("/progress/bulletin.docx", get(bulletin_docx))
}

/// Who may read targets and progress: everyone who reads the network's lists.
fn can_view(role: Role) -> bool {
    access::can_view_network(role)
}

/// The year pages open on: the year of the latest placement (the demo's 2007), else this year.
pub(crate) async fn default_year(state: &AppState, station: StationId) -> AppResult<i32> {
    Ok(match state.store.latest_placement_date(station).await? {
        Some(d) => d.year(),
        None => today().year(),
    })
}

use super::today;

/// The day progress is measured on: today within the year, else the year's last day (or, for
/// a year not begun, its first).
pub(crate) fn as_of_for(year: i32) -> Date {
    let (first, last) = store::year_bounds(year);
    today().clamp(first, last)
}

fn parse_year(text: Option<&str>) -> Option<i32> {
    text.and_then(|y| y.trim().parse().ok()).filter(|y| (2000..=2100).contains(y))
}

// ---- targets ----

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<String>,
}

/// A target typed in the form: the owner as "u:3" (unit) or "c:12" (correspondent).
#[derive(Deserialize, Default, Clone)]
struct TargetForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    value: String,
}

impl TargetForm {
    fn parse(&self, outlets: &[(domain::OutletId, String)]) -> Result<TargetInput, FieldErrors> {
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

#[derive(Template, WebTemplate)]
#[template(path = "targets.html")]
struct TargetsPage {
    l: L,
    layout: Layout,
    year: i32,
    targets: Vec<TargetRecord>,
    units: Vec<store::Unit>,
    people: Vec<store::Correspondent>,
    metrics: Vec<(String, String)>,
    can_manage: bool,
    f: TargetForm,
    errors: Errors,
}

async fn targets_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    year: i32,
    f: TargetForm,
    errors: FieldErrors,
) -> AppResult<TargetsPage> {
    access::require(can_view(ctx.role()))?;
    let station = ctx.station()?;
    let l = L::new(v.locale);
    let outlets = outlet_names(state, station).await?;
    let metrics =
        TargetMetric::choices(&outlets).into_iter().map(|m| (m.code(), m.label_with(l.code(), &outlets))).collect();
    let people = state.store.all_correspondents(station).await?.into_iter().filter(|c| c.active).collect();
    Ok(TargetsPage {
        l,
        layout: Layout::new(state, session, Some(ctx), "targets").await?,
        year,
        targets: state.store.targets(station, year).await?,
        units: state.store.units(station).await?,
        people,
        metrics,
        can_manage: access::can_manage_network(ctx.role()),
        f,
        errors: Errors(errors),
    })
}

async fn outlet_names(state: &AppState, station: StationId) -> AppResult<Vec<(domain::OutletId, String)>> {
    Ok(state.store.outlets(station).await?.into_iter().map(|o| (o.id, o.name)).collect())
}

async fn targets(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = match parse_year(q.year.as_deref()) {
        Some(y) => y,
        None => default_year(&state, ctx.station()?).await?,
    };
    let f = TargetForm { year: year.to_string(), ..Default::default() };
    Ok(targets_page(&state, &session, &v, &ctx, year, f, FieldErrors::default()).await?.into_response())
}

async fn set_target(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<TargetForm>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let station = ctx.station()?;
    let outlets = outlet_names(&state, station).await?;
    let result = match f.parse(&outlets) {
        Ok(input) => state.store.set_targets(station, ctx.user.id, vec![input]).await.map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    let year = parse_year(Some(&f.year)).unwrap_or(default_year(&state, station).await?);
    match result {
        Ok(_) => {
            flash(&session, L::new(v.locale).t("目标已保存")).await;
            Ok(see_other(&format!("/targets?year={year}")))
        }
        Err(e) => Ok(form_error(targets_page(&state, &session, &v, &ctx, year, f, field_errors(e)?).await?)),
    }
}

#[derive(Deserialize)]
struct CarryForm {
    from_year: i32,
    percent: u32,
}

async fn carry(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<CarryForm>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let station = ctx.station()?;
    if !(1..=1000).contains(&f.percent) {
        return Err(AppError::BadRequest("比例应在1%至1000%之间".into()));
    }
    let n = state.store.carry_targets_forward(station, ctx.user.id, f.from_year, f.percent).await?;
    let l = L::new(v.locale);
    flash(&session, format!("{} {n}", l.t("已复制目标"))).await;
    Ok(see_other(&format!("/targets?year={}", f.from_year + 1)))
}

async fn delete_target(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<TargetId>,
    Form(q): Form<YearQuery>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    state.store.delete_target(ctx.station()?, ctx.user.id, id).await?;
    flash(&session, L::new(v.locale).t("目标已删除")).await;
    Ok(see_other(&format!("/targets?year={}", q.year.unwrap_or_default())))
}

/// Targets from a spreadsheet: every row checked, every mistake reported by row and column,
/// nothing written unless all are right.
async fn import_targets(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let station = ctx.station()?;
    let (name, data, _) = super::manuscripts::read_upload(multipart, crate::ops::MAX_IMPORT_BYTES).await?;
    let table = crate::parse::table(&name, data).await?;
    let units: Vec<(UnitId, String)> = state.store.units(station).await?.into_iter().map(|u| (u.id, u.name)).collect();
    let people: Vec<(CorrespondentId, String)> =
        state.store.all_correspondents(station).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let outlets = outlet_names(&state, station).await?;
    let targets = domain::targets::read_targets(&table, &units, &people, &outlets).map_err(AppError::rows)?;
    let year = targets.first().map(|t| t.year).unwrap_or(default_year(&state, station).await?);
    let n = state.store.set_targets(station, ctx.user.id, targets).await?;
    flash(&session, format!("{} {n}", L::new(v.locale).t("已导入目标"))).await;
    Ok(see_other(&format!("/targets?year={year}")))
}

// ---- progress and weak links ----

#[derive(Deserialize, Default)]
struct ProgressQuery {
    year: Option<String>,
    as_of: Option<String>,
}

/// Progress on a day: every target's row, weak ones first, and the quiet correspondents.
pub(crate) struct ProgressView {
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

/// The progress of `year` on `as_of`. A liaison's own unit (and its people) come first.
pub(crate) async fn progress_view(
    state: &AppState,
    ctx: &Ctx,
    station: StationId,
    year: i32,
    as_of: Date,
) -> AppResult<ProgressView> {
    let mut rows = state.store.progress(station, year, as_of).await?;
    let own_unit = if ctx.role() == Role::Liaison { ctx.user.unit_id } else { None };
    let people_units: std::collections::HashMap<CorrespondentId, Option<UnitId>> =
        state.store.all_correspondents(station).await?.into_iter().map(|c| (c.id, c.unit_id)).collect();
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
    let st = state.store.station(station).await?;
    let weeks = st.quiet_weeks.max(1) as u32;
    let mut quiet = state.store.quiet_correspondents(station, as_of, weeks).await?;
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

#[derive(Template, WebTemplate)]
#[template(path = "progress.html")]
struct ProgressPage {
    l: L,
    layout: Layout,
    p: ProgressView,
    can_manage: bool,
    month: u8,
}

impl ProgressPage {
    fn status_class(&self, s: &PaceStatus) -> &'static str {
        match s {
            PaceStatus::FarBehind => "bad",
            PaceStatus::Behind => "warn",
            PaceStatus::OnPace => "ok",
            PaceStatus::Met => "ok",
        }
    }
    fn percent(&self, r: &ProgressRow) -> String {
        format!("{}%", r.progress.permille_of_target / 10)
    }
    fn date(&self, d: &Option<Date>) -> String {
        d.map(domain::format_date).unwrap_or_else(|| self.l.t("从未投稿").to_string())
    }
}

async fn progress(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<ProgressQuery>,
) -> AppResult<Response> {
    access::require(can_view(ctx.role()))?;
    let station = ctx.station()?;
    let year = match parse_year(q.year.as_deref()) {
        Some(y) => y,
        None => default_year(&state, station).await?,
    };
    let as_of = q.as_of.as_deref().and_then(domain::parse_date).unwrap_or_else(|| as_of_for(year));
    let p = progress_view(&state, &ctx, station, year, as_of).await?;
    let month = u8::from(p.as_of.month());
    Ok(ProgressPage {
        l: L::new(v.locale),
        layout: Layout::new(&state, &session, Some(&ctx), "targets").await?,
        p,
        can_manage: access::can_manage_network(ctx.role()),
        month,
    }
    .into_response())
}

#[derive(Deserialize)]
struct QuietForm {
    weeks: String,
    #[serde(default)]
    year: String,
}

async fn set_quiet_weeks(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<QuietForm>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let weeks: i32 = f.weeks.trim().parse().map_err(|_| AppError::BadRequest("周数应为整数".into()))?;
    state.store.set_quiet_weeks(ctx.station()?, ctx.user.id, weeks).await?;
    flash(&session, L::new(v.locale).t("设置已保存")).await;
    Ok(see_other(&format!("/progress?year={}", f.year.trim())))
}

#[derive(Deserialize)]
struct RevisionDaysForm {
    days: String,
    #[serde(default)]
    year: String,
}

/// After how many days a draft waiting for revision is reminded of (提醒).
async fn set_revision_days(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<RevisionDaysForm>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    let days: i32 = f.days.trim().parse().map_err(|_| AppError::BadRequest("天数应为整数".into()))?;
    state.store.set_revision_days(ctx.station()?, ctx.user.id, days).await?;
    flash(&session, L::new(v.locale).t("设置已保存")).await;
    Ok(see_other(&format!("/progress?year={}", f.year.trim())))
}

// ---- the monthly bulletin (通报) ----

#[derive(Deserialize, Default)]
struct BulletinQuery {
    year: Option<String>,
    month: Option<String>,
}

/// The bulletin as text, for the page and the Word file alike.
pub(crate) struct Bulletin {
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

async fn bulletin(state: &AppState, ctx: &Ctx, q: &BulletinQuery) -> AppResult<Bulletin> {
    access::require(can_view(ctx.role()))?;
    let station = ctx.station()?;
    let year = match parse_year(q.year.as_deref()) {
        Some(y) => y,
        None => default_year(state, station).await?,
    };
    let month: u8 =
        q.month.as_deref().and_then(|m| m.trim().parse().ok()).filter(|m| (1..=12).contains(m)).unwrap_or(12);
    let month_t = time::Month::try_from(month).map_err(|_| AppError::BadRequest("月份无效".into()))?;
    let last = Date::from_calendar_date(year, month_t, month_t.length(year))
        .map_err(|_| AppError::BadRequest("月份无效".into()))?;
    let p = progress_view(state, ctx, station, year, last).await?;
    let st = state.store.station(station).await?;
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

#[derive(Template, WebTemplate)]
#[template(path = "bulletin.html")]
struct BulletinPage {
    l: L,
    layout: Layout,
    b: Bulletin,
}

async fn bulletin_page(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Query(q): Query<BulletinQuery>,
) -> AppResult<Response> {
    let b = bulletin(&state, &ctx, &q).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "targets").await?;
    Ok(BulletinPage { l: L::new(v.locale), layout, b }.into_response())
}

async fn bulletin_docx(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BulletinQuery>) -> AppResult<Response> {
    use office::report::{Block, ReportDoc, ReportTable};
    let b = bulletin(&state, &ctx, &q).await?;
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
    let doc =
        ReportDoc { title: b.title.clone(), subtitle: Some(b.subtitle.clone()), blocks, footer: b.footer.clone() };
    let bytes = office::report::report_docx(&doc).map_err(|e| AppError::Internal(anyhow::anyhow!("bulletin: {e}")))?;
    let name = format!("bulletin-{}-{:02}.docx", b.year, b.month);
    Ok((
        [
            (header::CONTENT_TYPE, office::DOCX_CONTENT_TYPE.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}
