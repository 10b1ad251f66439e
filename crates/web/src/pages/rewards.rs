//! Reward pages: policies (load and check a TOML text), statements (compute, publish, confirm),
//! objections, adjustments, payments, and the public notice (公示) as a page and a `.docx`.

use super::{Errors, Layout, datetime, field_errors, flash, form_error, see_other};
use crate::auth::{Ctx, Visitor};
use crate::i18n::L;
use crate::rewards::{self as rw, figure};
use crate::{AppError, AppResult, AppState, access};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::policy::{Period, PersonLine, Statement};
use domain::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use store::{AdjustmentRecord, ObjectionRecord, PaymentRecord, PolicyRecord, StatementRecord};
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/policies", get(policies).post(load_policy))
        .route("/policies/{id}", get(show_policy))
        .route("/statements", get(statements).post(compute))
        .route("/statements/{id}", get(show_statement))
        .route("/statements/{id}/publish", post(publish))
        .route("/statements/{id}/confirm", post(confirm))
        .route("/statements/{id}/objections", post(object))
        .route("/statements/{id}/payments", post(pay))
        .route("/statements/{id}/payments/all", post(pay_all))
        .route("/statements/{id}/transfer.xlsx", get(transfer_sheet))
        .route("/objections/{id}/answer", post(answer))
        .route("/adjustments", get(adjustments).post(add_adjustment))
        .route("/notices/{id}", get(notice))
        .route("/notices/{id}/notice.docx", get(notice_docx))
        .route("/rankings", get(rankings))
        .route("/stats", get(stats))
}

// ---- policies ----

#[derive(Template, WebTemplate)]
#[template(path = "policies.html")]
struct PoliciesPage {
    l: L,
    layout: Layout,
    policies: Vec<PolicyRecord>,
    source: String,
    errors: Errors,
    checked: Option<String>,
}

async fn policies_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    source: String,
    errors: FieldErrors,
    checked: Option<String>,
) -> AppResult<PoliciesPage> {
    let policies = rw::policies(&state.store, ctx).await?;
    let layout = Layout::new(state, session, Some(ctx), "rewards").await?;
    Ok(PoliciesPage { l: L::new(v.locale), layout, policies, source, errors: Errors(errors), checked })
}

async fn policies(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    Ok(policies_page(&state, &session, &v, &ctx, String::new(), FieldErrors::default(), None).await?.into_response())
}

#[derive(Deserialize)]
struct PolicyForm {
    #[serde(default)]
    source: String,
    /// "check" only validates; anything else stores.
    #[serde(default)]
    action: String,
}

async fn load_policy(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<PolicyForm>,
) -> AppResult<Response> {
    access::require(access::can_manage_network(ctx.role()))?;
    if f.action == "check" {
        let (errors, checked) = match rw::check_policy(&f.source) {
            Ok(p) => (FieldErrors::default(), Some(format!("“{}”格式正确，{}个账目", p.name, p.ledgers.len()))),
            Err(errs) => {
                (FieldErrors(errs.into_iter().map(|e| FieldError::new("source", e.to_string())).collect()), None)
            }
        };
        let page = policies_page(&state, &session, &v, &ctx, f.source, errors, checked).await?;
        return Ok(page.into_response());
    }
    match rw::load_policy_as(&state.store, &ctx, &f.source).await {
        Ok(p) => {
            flash(&session, format!("{}“{}”", L::new(v.locale).t("已载入奖励办法"), p.name)).await;
            Ok(see_other("/policies"))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(policies_page(&state, &session, &v, &ctx, f.source, errors, None).await?))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "policy.html")]
struct PolicyPage {
    l: L,
    layout: Layout,
    p: PolicyRecord,
}

async fn show_policy(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<PolicyId>,
) -> AppResult<Response> {
    let p = rw::policy(&state.store, &ctx, id).await?;
    let layout = Layout::new(&state, &session, Some(&ctx), "rewards").await?;
    Ok(PolicyPage { l: L::new(v.locale), layout, p }.into_response())
}

// ---- statements ----

#[derive(Template, WebTemplate)]
#[template(path = "statements.html")]
struct StatementsPage {
    l: L,
    layout: Layout,
    statements: Vec<StatementRecord>,
    period: String,
    errors: Errors,
    can_compute: bool,
}

async fn statements_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    period: String,
    errors: FieldErrors,
) -> AppResult<StatementsPage> {
    let statements = rw::statements(&state.store, ctx).await?;
    let layout = Layout::new(state, session, Some(ctx), "rewards").await?;
    let can_compute = access::can_manage_network(ctx.role());
    Ok(StatementsPage { l: L::new(v.locale), layout, statements, period, errors: Errors(errors), can_compute })
}

async fn statements(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let today = time::OffsetDateTime::now_utc().date();
    let period = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    Ok(statements_page(&state, &session, &v, &ctx, period, FieldErrors::default()).await?.into_response())
}

#[derive(Deserialize)]
struct ComputeForm {
    #[serde(default)]
    period: String,
}

async fn compute(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<ComputeForm>,
) -> AppResult<Response> {
    let result = match Period::parse(&f.period) {
        Ok(period) => rw::draft(&state.store, &ctx, &period).await.map_err(AppError::from),
        Err(m) => Err(AppError::Invalid(FieldErrors(vec![FieldError::new("period", m)]))),
    };
    match result {
        Ok(s) => {
            flash(&session, L::new(v.locale).t("核算草稿已生成")).await;
            Ok(see_other(&format!("/statements/{}", s.id)))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(statements_page(&state, &session, &v, &ctx, f.period, errors).await?))
        }
    }
}

/// One line of the statement page, with what has been paid.
/// A line with what it is owed and paid (see `app::rewards::statement_sheet`).
type LineView = rw::LineWithMoney;

#[derive(Template, WebTemplate)]
#[template(path = "statement.html")]
struct StatementPage {
    l: L,
    layout: Layout,
    record: StatementRecord,
    statement: Statement,
    lines: Vec<LineView>,
    objections: Vec<(ObjectionRecord, String)>,
    payments: Vec<(PaymentRecord, String)>,
    staff: bool,
    can_manage: bool,
    my_line: bool,
    window_open: bool,
    errors: Errors,
    today: String,
}

impl StatementPage {
    fn ledger_value(&self, line: &PersonLine, key: &str, scale: &u32) -> String {
        figure(line.ledgers.get(key).copied().unwrap_or_default(), *scale)
    }
    fn unit_value(&self, unit: &domain::policy::UnitLine, key: &str, scale: &u32) -> String {
        figure(unit.ledgers.get(key).copied().unwrap_or_default(), *scale)
    }
    /// The sum of the person lines above.
    fn total(&self, key: &str, scale: &u32) -> String {
        figure(rw::lines_total(&self.statement, key), *scale)
    }
    /// The station's total, unit penalties included.
    fn unit_total(&self, key: &str, scale: &u32) -> String {
        figure(self.statement.totals.get(key).copied().unwrap_or_default(), *scale)
    }
    fn ledger_label(&self, key: &str) -> String {
        self.statement.ledgers.iter().find(|l| l.key == key).map(|l| l.label.clone()).unwrap_or_else(|| key.to_string())
    }
    fn yuan(&self, fen: &i64) -> String {
        store::yuan(*fen)
    }
    fn when(&self, ts: &i64) -> String {
        datetime(ts)
    }
    /// Fen as yuan without the unit (the column header says 元).
    fn plain(&self, fen: &i64) -> String {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
    fn unpaid(&self, v: &LineView) -> String {
        store::yuan(v.owed_fen - v.paid_fen)
    }
    fn words(&self) -> String {
        rw::period_words(&self.record.period)
    }
}

async fn statement_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: StatementId,
    errors: FieldErrors,
) -> AppResult<StatementPage> {
    let sheet = rw::statement_sheet(&state.store, ctx, id).await?;
    let layout = Layout::new(state, session, Some(ctx), "rewards").await?;
    Ok(StatementPage {
        l: L::new(v.locale),
        layout,
        record: sheet.record,
        statement: sheet.statement,
        lines: sheet.lines,
        objections: sheet.objections,
        payments: sheet.payments,
        staff: sheet.staff,
        can_manage: sheet.can_manage,
        my_line: sheet.my_line,
        window_open: sheet.window_open,
        errors: Errors(errors),
        today: format_date(app::today()),
    })
}

async fn show_statement(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<StatementId>,
) -> AppResult<Response> {
    Ok(statement_page(&state, &session, &v, &ctx, id, FieldErrors::default()).await?.into_response())
}

/// Runs a statement action and comes back to the page, with the message on failure.
async fn after(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    id: StatementId,
    result: AppResult<()>,
    done: &str,
) -> AppResult<Response> {
    match result {
        Ok(()) => {
            flash(session, L::new(v.locale).t(done)).await;
            Ok(see_other(&format!("/statements/{id}")))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(statement_page(state, session, v, ctx, id, errors).await?))
        }
    }
}

#[derive(Deserialize)]
struct PublishForm {
    /// The hash of the draft shown on the page: a draft recomputed meanwhile is not published.
    #[serde(default)]
    content_hash: String,
}

async fn publish(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    Form(f): Form<PublishForm>,
) -> AppResult<Response> {
    let r = rw::publish(&state.store, &ctx, id, Some(&f.content_hash)).await.map(|_| ()).map_err(AppError::from);
    after(&state, &session, &v, &ctx, id, r, "已发布公示").await
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    reason: String,
}

async fn confirm(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    let r = rw::confirm(&state.store, &ctx, id, &f.reason).await.map(|_| ()).map_err(AppError::from);
    after(&state, &session, &v, &ctx, id, r, "核算已确认").await
}

#[derive(Deserialize)]
struct ObjectionForm {
    #[serde(default)]
    text: String,
}

async fn object(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    Form(f): Form<ObjectionForm>,
) -> AppResult<Response> {
    let r = rw::object(&state.store, &ctx, id, &f.text).await.map(|_| ()).map_err(AppError::from);
    after(&state, &session, &v, &ctx, id, r, "异议已提交").await
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    upheld: Option<String>,
}

async fn answer(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<ObjectionId>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let o = rw::objection(&state.store, &ctx, id).await?;
    let r =
        rw::answer(&state.store, &ctx, id, checkbox(&f.upheld), &f.answer).await.map(|_| ()).map_err(AppError::from);
    after(&state, &session, &v, &ctx, o.statement_id, r, "异议已答复").await
}

#[derive(Deserialize)]
struct PaymentForm {
    #[serde(default)]
    correspondent_id: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    note: String,
}

/// "150" / "150.5" / "150.50" yuan → fen, exactly.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let d: Decimal = text.trim().trim_end_matches('元').parse().ok()?;
    let fen = d * Decimal::from(100);
    (fen.fract().is_zero()).then(|| i64::try_from(fen).ok()).flatten()
}

async fn pay(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    Form(f): Form<PaymentForm>,
) -> AppResult<Response> {
    let mut e = FieldErrors::default();
    let who: Option<CorrespondentId> = f.correspondent_id.trim().parse().ok();
    if who.is_none() {
        e.push("correspondent_id", "请选择通讯员");
    }
    let amount = parse_yuan(&f.amount);
    if amount.is_none() {
        e.push("amount", "金额应为数字，最多两位小数");
    }
    let paid_on = parse_date(&f.paid_on);
    if paid_on.is_none() {
        e.push("paid_on", "日期格式应为 2007-07-10");
    }
    let r = match (who, amount, paid_on) {
        (Some(w), Some(a), Some(d)) if e.is_empty() => {
            let how = store::PaymentInput { paid_on: d, method: &f.method, note: &f.note };
            rw::pay(&state.store, &ctx, id, w, a, &how).await.map(|_| ()).map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(e)),
    };
    after(&state, &session, &v, &ctx, id, r, "兑现已登记").await
}

async fn pay_all(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Path(id): Path<StatementId>,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    // The ticked people arrive as `who=1&who=2…` (every unpaid line is listed, ticked by default).
    let (mut paid_on, mut method, mut note, mut picked) = (String::new(), String::new(), String::new(), Vec::new());
    for (k, val) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "paid_on" => paid_on = val.into_owned(),
            "method" => method = val.into_owned(),
            "note" => note = val.into_owned(),
            "who" => picked.push(val.into_owned()),
            _ => {}
        }
    }
    let mut e = FieldErrors::default();
    let paid_on = parse_date(&paid_on);
    if paid_on.is_none() {
        e.push("paid_on", "日期格式应为 2007-07-10");
    }
    let who: Vec<CorrespondentId> = picked.iter().filter_map(|w| w.trim().parse().ok()).collect();
    if who.len() != picked.len() {
        e.push("who", "所选通讯员无效");
    }
    if who.is_empty() {
        e.push("who", "请至少选择一人");
    }
    let r = match paid_on {
        Some(d) if e.is_empty() => {
            let how = store::PaymentInput { paid_on: d, method: &method, note: &note };
            rw::pay_all(&state.store, &ctx, id, Some(&who), &how).await.map(|_| ()).map_err(AppError::from)
        }
        _ => Err(AppError::Invalid(e)),
    };
    after(&state, &session, &v, &ctx, id, r, "已按清单兑现").await
}

async fn transfer_sheet(State(state): State<AppState>, ctx: Ctx, Path(id): Path<StatementId>) -> AppResult<Response> {
    let (name, bytes) = rw::transfer_sheet(&state.store, &ctx, id).await?;
    Ok(crate::api::xlsx_response(&name, bytes))
}

// ---- adjustments ----

#[derive(Template, WebTemplate)]
#[template(path = "adjustments.html")]
struct AdjustmentsPage {
    l: L,
    layout: Layout,
    adjustments: Vec<(AdjustmentRecord, String)>,
    people: Vec<store::Correspondent>,
    /// For each ledger's scale: "-1" on a points ledger of scale 0, "-1.50" on money.
    policies: Vec<domain::policy::Policy>,
    errors: Errors,
    f: AdjustmentForm,
}

/// The adjustment form's fields: what the use case reads.
type AdjustmentForm = rw::AdjustmentInput;

impl AdjustmentsPage {
    fn amount(&self, a: &AdjustmentRecord) -> String {
        rw::adjustment_figure(&self.policies, &a.ledger, a.amount_cents)
    }
}

async fn adjustments_page(
    state: &AppState,
    session: &Session,
    v: &Visitor,
    ctx: &Ctx,
    f: AdjustmentForm,
    errors: FieldErrors,
) -> AppResult<AdjustmentsPage> {
    let adjustments = rw::adjustments(&state.store, ctx).await?;
    let station = ctx.station()?;
    let people = state.store.all_correspondents(station).await?;
    let policies = rw::station_policies(&state.store, station).await?;
    let layout = Layout::new(state, session, Some(ctx), "rewards").await?;
    Ok(AdjustmentsPage { l: L::new(v.locale), layout, adjustments, people, policies, errors: Errors(errors), f })
}

async fn adjustments(State(state): State<AppState>, session: Session, v: Visitor, ctx: Ctx) -> AppResult<Response> {
    let f = AdjustmentForm {
        ledger: "money".into(),
        effective_on: format_date(time::OffsetDateTime::now_utc().date()),
        ..Default::default()
    };
    Ok(adjustments_page(&state, &session, &v, &ctx, f, FieldErrors::default()).await?.into_response())
}

async fn add_adjustment(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    Form(f): Form<AdjustmentForm>,
) -> AppResult<Response> {
    let r = rw::add_adjustment(&state.store, &ctx, &f).await.map(|_| ()).map_err(AppError::from);
    match r {
        Ok(()) => {
            flash(&session, L::new(v.locale).t("调整已记录")).await;
            Ok(see_other("/adjustments"))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            Ok(form_error(adjustments_page(&state, &session, &v, &ctx, f, errors).await?))
        }
    }
}

// ---- the public notice ----

#[derive(Template, WebTemplate)]
#[template(path = "notice.html")]
struct NoticePage {
    l: L,
    doc: office::NoticeDoc,
    id: StatementId,
}

/// A published notice, readable by anyone (no login): names, units, counts and amounts only.
async fn public_notice(state: &AppState, id: StatementId) -> AppResult<(StatementRecord, Statement, String)> {
    Ok(rw::public_notice(&state.store, id).await?)
}

async fn notice(State(state): State<AppState>, v: Visitor, Path(id): Path<StatementId>) -> AppResult<Response> {
    let (record, statement, station) = public_notice(&state, id).await?;
    let doc = rw::notice_doc(&statement, &station, &record);
    Ok(NoticePage { l: L::new(v.locale), doc, id }.into_response())
}

async fn notice_docx(State(state): State<AppState>, Path(id): Path<StatementId>) -> AppResult<Response> {
    let (record, statement, station) = public_notice(&state, id).await?;
    let bytes = office::notice_docx(&rw::notice_doc(&statement, &station, &record))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let name = format!("notice-{}.docx", record.period);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string(),
            ),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

// ---- rankings and the public statistics column ----

#[derive(Deserialize, Default)]
struct RankingQuery {
    period: Option<String>,
    by: Option<String>,
    ledger: Option<String>,
    station: Option<String>,
}

/// The month to show when none is asked for: this month, or the latest month with placements.
pub(crate) async fn default_month(state: &AppState, station: StationId) -> AppResult<Period> {
    Ok(rw::default_month(&state.store, station).await?)
}

/// The ledger to rank by: the one asked for, else "points", else the first.
pub(crate) async fn pick_ledger(state: &AppState, station: StationId, asked: Option<&str>) -> AppResult<String> {
    if let Some(l) = asked.filter(|l| !l.trim().is_empty()) {
        return Ok(l.trim().to_string());
    }
    let policies = rw::station_policies(&state.store, station).await?;
    let keys: Vec<String> = policies.iter().flat_map(|p| p.ledgers.iter().map(|l| l.key.clone())).collect();
    Ok(keys.iter().find(|k| *k == "points").or(keys.first()).cloned().unwrap_or_else(|| "points".into()))
}

#[derive(Template, WebTemplate)]
#[template(path = "rankings.html")]
struct RankingsPage {
    l: L,
    layout: Layout,
    ranking: Option<domain::ranking::Ranking>,
    message: String,
    period: String,
    by: String,
    ledger: String,
}

impl RankingsPage {
    fn level_count(&self, row: &domain::ranking::RankRow, level: &OutletLevel) -> u32 {
        row.by_level.get(level.code()).copied().unwrap_or(0)
    }
    fn change(&self, row: &domain::ranking::RankRow) -> String {
        let c = row.change.normalize();
        if c > Decimal::ZERO { format!("+{c}") } else { c.to_string() }
    }
}

async fn rankings(
    State(state): State<AppState>,
    session: Session,
    v: Visitor,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<RankingQuery>,
) -> AppResult<Response> {
    let station = ctx.station()?;
    let period = match q.period.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => Period::parse(p).map_err(|m| AppError::Invalid(FieldErrors(vec![FieldError::new("period", m)]))),
        None => default_month(&state, station).await,
    };
    let by = domain::ranking::RankBy::parse(q.by.as_deref().unwrap_or("unit")).unwrap_or(domain::ranking::RankBy::Unit);
    let ledger = pick_ledger(&state, station, q.ledger.as_deref()).await?;
    let (ranking, message, period_text) = match period {
        Ok(p) => match rw::ranking(&state.store, station, &p, by, &ledger).await {
            Ok(r) => (Some(r), String::new(), p.to_string()),
            Err(app::Error::Conflict(m)) | Err(app::Error::BadRequest(m)) => (None, m, p.to_string()),
            Err(e) => return Err(e.into()),
        },
        Err(e) => (None, e.message(), q.period.clone().unwrap_or_default()),
    };
    let by_code = match by {
        domain::ranking::RankBy::Unit => "unit",
        domain::ranking::RankBy::Correspondent => "correspondent",
        domain::ranking::RankBy::Outlet => "outlet",
    };
    let layout = Layout::new(&state, &session, Some(&ctx), "rewards").await?;
    Ok(RankingsPage { l: L::new(v.locale), layout, ranking, message, period: period_text, by: by_code.into(), ledger }
        .into_response())
}

/// How many units the year's trend chart draws.
const TREND_UNITS: usize = 8;

/// What the statistics column shows, for the standalone page and the portal's.
pub(crate) struct StatsView {
    pub period: String,
    pub period_text: String,
    pub ranking: Option<domain::ranking::Ranking>,
    pub missed: Vec<String>,
    pub bar: String,
    pub trend: String,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stats.html")]
struct StatsPage {
    l: L,
    station: store::Station,
    period: String,
    period_text: String,
    ranking: Option<domain::ranking::Ranking>,
    missed: Vec<String>,
    bar: String,
    trend: String,
    message: String,
}

/// The public statistics column (统计专栏): no login; the month's unit ranking with a bar
/// chart, the year's trend per unit as a line chart, and the units that missed their quota.
async fn stats(
    State(state): State<AppState>,
    v: Visitor,
    axum::extract::Query(q): axum::extract::Query<RankingQuery>,
) -> AppResult<Response> {
    let stations = state.store.stations().await?;
    let station = match q.station.as_deref() {
        Some(code) => stations.into_iter().find(|s| s.code == code).ok_or(AppError::NotFound)?,
        None => stations.into_iter().next().ok_or(AppError::NotFound)?,
    };
    let l = L::new(v.locale);
    let view = stats_view(&state, station.id, q.period.as_deref(), q.ledger.as_deref(), l).await?;
    Ok(StatsPage {
        l,
        station,
        period: view.period,
        period_text: view.period_text,
        ranking: view.ranking,
        missed: view.missed,
        bar: view.bar,
        trend: view.trend,
        message: view.message,
    }
    .into_response())
}

/// Computes the statistics column for a period (default: the latest month with work).
pub(crate) async fn stats_view(
    state: &AppState,
    station: StationId,
    period: Option<&str>,
    ledger: Option<&str>,
    l: L,
) -> AppResult<StatsView> {
    let period = match period.filter(|p| !p.trim().is_empty()) {
        Some(p) => Period::parse(p).map_err(AppError::BadRequest)?,
        None => default_month(state, station).await?,
    };
    let ledger = pick_ledger(state, station, ledger).await?;
    let (ranking, message) =
        match rw::ranking(&state.store, station, &period, domain::ranking::RankBy::Unit, &ledger).await {
            Ok(r) => (Some(r), String::new()),
            Err(app::Error::Conflict(m)) | Err(app::Error::BadRequest(m)) => (None, m),
            Err(e) => return Err(e.into()),
        };
    let mut bar = String::new();
    let mut missed = Vec::new();
    if let Some(r) = &ranking {
        let labels: Vec<String> = r.rows.iter().map(|row| row.name.clone()).collect();
        let values: Vec<f64> = r.rows.iter().map(|row| row.figure.to_string().parse().unwrap_or(0.0)).collect();
        bar = office::bar_chart_svg(
            &format!("{}{}", rw::period_words(&r.period), l.t("各单位排名")),
            &labels,
            &values,
            &r.ledger_label,
        );
        if let Ok(s) = rw::compute(&state.store, station, &period).await {
            missed = s.units.iter().filter(|u| u.missed_quota).map(|u| u.name.clone()).collect();
        }
    }
    let trend = match rw::year_trend(&state.store, station, period.from.year(), &ledger).await {
        Ok((labels, mut units)) => {
            // Twenty lines are unreadable: the eight units with the largest year figure.
            let year_total = |values: &Vec<Option<Decimal>>| values.iter().flatten().copied().sum::<Decimal>();
            units.sort_by(|a, b| year_total(&b.1).cmp(&year_total(&a.1)).then(a.0.cmp(&b.0)));
            units.truncate(TREND_UNITS);
            let series: Vec<office::Series> = units
                .into_iter()
                .map(|(name, values)| office::Series {
                    name,
                    values: values
                        .into_iter()
                        .map(|v| v.map(|d| d.to_string().parse().unwrap_or(f64::NAN)).unwrap_or(f64::NAN))
                        .collect(),
                })
                .collect();
            office::line_chart_svg(
                &format!("{}{}（{}）", period.from.year(), l.t("年各单位走势"), l.t("全年前8名")),
                &labels,
                &series,
            )
        }
        Err(_) => String::new(),
    };
    let period_text = rw::period_words(&period.to_string());
    Ok(StatsView { period: period.to_string(), period_text, ranking, missed, bar, trend, message })
}
