//! The annual report (年度经验交流材料): the year's figures that the seed's report quotes —
//! placements in the national paper and in all outlets, items on the station's website, on
//! the national and provincial government sites, copies subscribed, rewards paid a month,
//! active correspondents, lectures and interviews — with tables by unit, by outlet and by
//! month, and the narrative the editor writes around them. Built once here and given out as
//! JSON, an HTML page and a Word file; the page and the CLI share it.

use crate::access::{self, require};
use crate::{Actor, Error, Result};
use domain::targets::TargetMetric;
use domain::{EventKind, OutletKind, OutletLevel, StationId, UserId};
use serde::{Deserialize, Serialize};
use store::Store;

/// The editor's words around the figures. Paragraphs are separated by blank lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    /// The opening (开篇), before the figures.
    pub intro: String,
    /// What the station did and learned (做法与体会).
    pub practices: String,
    /// Problems and next year's plans (存在问题与下一步打算).
    pub plans: String,
}

impl Narrative {
    pub fn paragraphs(text: &str) -> Vec<String> {
        text.split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect()
    }
}

/// The headline figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// The national newspaper with most of the station's placements (the paper the network
    /// reports to), and its placements.
    pub paper: Option<String>,
    pub paper_placements: i64,
    /// Placements in every outlet.
    pub placements: i64,
    /// The station's own website (the portal's outlet) and its items.
    pub website: Option<String>,
    pub website_items: i64,
    /// Items on national government websites (the national office's sub-site).
    pub national_websites: i64,
    /// Items on provincial government websites other than the station's own.
    pub provincial_websites: i64,
    /// Copies ordered in the year's subscription drives.
    pub subscriptions: i64,
    /// Rewards paid in the year, in fen, and the average over the months with payments.
    pub rewards_paid_fen: i64,
    pub paid_months: i64,
    pub monthly_reward_fen: i64,
    /// Correspondents with at least one placement in the year.
    pub active_correspondents: i64,
    pub lectures: i64,
    pub interviews: i64,
    pub events: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitLine {
    pub unit: String,
    pub placements: i64,
    pub paper: i64,
    pub website: i64,
    pub subscriptions: i64,
    pub events: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutletLine {
    pub outlet: String,
    pub kind: OutletKind,
    pub level: OutletLevel,
    pub placements: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthLine {
    pub month: u8,
    pub placements: i64,
    pub paper: i64,
    pub rewards_paid_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnualReport {
    pub station: String,
    pub year: i32,
    pub figures: Figures,
    pub by_unit: Vec<UnitLine>,
    pub by_outlet: Vec<OutletLine>,
    pub by_month: Vec<MonthLine>,
    pub events: Vec<(EventKind, i64)>,
    pub narrative: Narrative,
    /// Whether the narrative is the editor's (else it was drafted from the figures).
    pub narrative_saved: bool,
}

/// Yuan with two decimals from fen, as 2,034.50.
pub fn yuan(fen: i64) -> String {
    let y = fen / 100;
    let mut s = y.to_string();
    let mut i = s.len() as isize - 3;
    while i > 0 {
        s.insert(i as usize, ',');
        i -= 3;
    }
    format!("{s}.{:02}", (fen % 100).abs())
}

/// Builds the report of `year` from the data.
pub async fn build(store: &Store, station: StationId, year: i32) -> Result<AnnualReport> {
    let st = store.station(station).await?;
    let (first, last) = store::year_bounds(year);
    let outlets = store.outlets(station).await?;
    let units = store.units(station).await?;
    let tally = store.tally(station, first, last).await?;
    let by_outlet_month = store.placements_by_outlet_and_month(station, first, last).await?;
    let paid = store.paid_by_month(station, first, last).await?;
    let events = store.event_counts(station, first, last).await?;

    let placements_of =
        |o: domain::OutletId| by_outlet_month.iter().filter(|((id, _), _)| *id == o).map(|(_, n)| n).sum::<i64>();
    // The paper: the national newspaper with most placements.
    let paper = outlets
        .iter()
        .filter(|o| o.kind == OutletKind::Newspaper && o.level == OutletLevel::National)
        .max_by_key(|o| (placements_of(o.id), std::cmp::Reverse(o.id)))
        .cloned();
    let website = st.portal_outlet_id.and_then(|w| outlets.iter().find(|o| o.id == w).cloned());
    let sum_where = |f: &dyn Fn(&store::Outlet) -> bool| -> i64 {
        outlets.iter().filter(|o| f(o)).map(|o| placements_of(o.id)).sum()
    };
    let website_id = website.as_ref().map(|w| w.id);
    let mut figures = Figures {
        paper: paper.as_ref().map(|p| p.name.clone()),
        paper_placements: paper.as_ref().map(|p| placements_of(p.id)).unwrap_or(0),
        placements: by_outlet_month.values().sum(),
        website: website.as_ref().map(|w| w.name.clone()),
        website_items: website_id.map(placements_of).unwrap_or(0),
        national_websites: sum_where(&|o| o.kind == OutletKind::Website && o.level == OutletLevel::National),
        provincial_websites: sum_where(&|o| {
            o.kind == OutletKind::Website && o.level == OutletLevel::Provincial && Some(o.id) != website_id
        }),
        subscriptions: store.copies_in_year(station, year).await?,
        rewards_paid_fen: paid.values().sum(),
        paid_months: paid.values().filter(|v| **v > 0).count() as i64,
        monthly_reward_fen: 0,
        active_correspondents: tally.correspondents.values().filter(|c| c.by_outlet.values().sum::<i64>() > 0).count()
            as i64,
        lectures: events.get(&EventKind::Lecture).copied().unwrap_or(0),
        interviews: events.get(&EventKind::Interview).copied().unwrap_or(0),
        events: events.values().sum(),
    };
    if figures.paid_months > 0 {
        figures.monthly_reward_fen = figures.rewards_paid_fen / figures.paid_months;
    }

    let paper_metric = paper.as_ref().map(|p| TargetMetric::PlacementsIn(p.id));
    let subscriptions_by_unit = {
        let mut m = std::collections::HashMap::new();
        for c in store.campaigns(station).await?.into_iter().filter(|c| c.year == year) {
            for u in store.campaign_by_unit(station, c.id).await? {
                *m.entry(u.unit_id).or_insert(0) += u.copies;
            }
        }
        m
    };
    let empty = store::Counts::default();
    let mut by_unit: Vec<UnitLine> = units
        .iter()
        .map(|u| {
            let c = tally.units.get(&u.id).unwrap_or(&empty);
            UnitLine {
                unit: u.name.clone(),
                placements: tally.value(c, TargetMetric::Placements),
                paper: paper_metric.map(|m| tally.value(c, m)).unwrap_or(0),
                website: tally.value(c, TargetMetric::WebsiteItems),
                subscriptions: subscriptions_by_unit.get(&u.id).copied().unwrap_or(0),
                events: tally.value(c, TargetMetric::Events),
            }
        })
        .collect();
    by_unit.sort_by(|a, b| b.placements.cmp(&a.placements).then_with(|| a.unit.cmp(&b.unit)));

    let mut by_outlet: Vec<OutletLine> = outlets
        .iter()
        .map(|o| OutletLine { outlet: o.name.clone(), kind: o.kind, level: o.level, placements: placements_of(o.id) })
        .filter(|o| o.placements > 0)
        .collect();
    by_outlet.sort_by(|a, b| b.placements.cmp(&a.placements).then_with(|| a.outlet.cmp(&b.outlet)));

    let by_month = (1..=12u8)
        .map(|m| MonthLine {
            month: m,
            placements: by_outlet_month.iter().filter(|((_, mm), _)| *mm == m).map(|(_, n)| n).sum(),
            paper: paper.as_ref().and_then(|p| by_outlet_month.get(&(p.id, m))).copied().unwrap_or(0),
            rewards_paid_fen: paid.get(&m).copied().unwrap_or(0),
        })
        .collect();
    let events = EventKind::ALL.iter().map(|k| (*k, events.get(k).copied().unwrap_or(0))).collect();

    let saved = store.annual_narrative(station, year).await?;
    let narrative_saved = saved.is_some();
    let narrative = match saved {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| Error::Internal(anyhow::anyhow!("annual narrative {year}: {e}")))?
        }
        None => draft_narrative(&st.name, year, &figures),
    };
    Ok(AnnualReport {
        station: st.name,
        year,
        figures,
        by_unit,
        by_outlet,
        by_month,
        events,
        narrative,
        narrative_saved,
    })
}

/// The opening drafted from the figures, in the seed's manner, until the editor writes one.
fn draft_narrative(station: &str, year: i32, f: &Figures) -> Narrative {
    let paper = f.paper.clone().unwrap_or_else(|| "报社".into());
    let mut intro = format!("{year}年度，{station}在《{paper}》发表稿件{}篇", f.paper_placements);
    if f.subscriptions > 0 {
        intro.push_str(&format!("；组织征订《{paper}》达到{}份", f.subscriptions));
    }
    intro.push_str(&format!(
        "。全年在各类报纸、刊物、网站、信息刊物上发稿{}篇次，其中本局网站上网信息{}条，在国家级网站登稿{}篇，在省级政府网站登稿{}篇。",
        f.placements, f.website_items, f.national_websites, f.provincial_websites
    ));
    let mut practices = String::new();
    if f.paid_months > 0 {
        practices.push_str(&format!(
            "坚持按月统计、公示和兑现奖励，全年兑现奖励{}元，平均每月{}元。",
            yuan(f.rewards_paid_fen),
            yuan(f.monthly_reward_fen)
        ));
    }
    if f.events > 0 {
        practices.push_str(&format!(
            "\n\n加强与新闻媒体的沟通联系，全年开展各类活动{}次，其中专题讲座{}次、接受访谈{}次。",
            f.events, f.lectures, f.interviews
        ));
    }
    practices.push_str(&format!("\n\n全年有{}名通讯员有稿件被采用。", f.active_correspondents));
    Narrative { intro, practices, plans: String::new() }
}

/// The years a report can be asked for; any other is not found.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The report of `year` for the actor's station: everyone who reads the network's lists.
pub async fn report(store: &Store, actor: &Actor, year: i32) -> Result<AnnualReport> {
    require(access::can_view_network(actor.role()))?;
    if !YEARS.contains(&year) {
        return Err(Error::NotFound);
    }
    build(store, actor.station()?, year).await
}

/// The report as a Word file: its file name and bytes.
pub async fn report_docx(store: &Store, actor: &Actor, year: i32) -> Result<(String, Vec<u8>)> {
    let r = report(store, actor, year).await?;
    Ok((format!("annual-report-{}.docx", r.year), to_docx(&r)?))
}

/// Saves the editor's narrative of `year`: editors and administrators.
pub async fn save(store: &Store, actor: &Actor, year: i32, narrative: &Narrative) -> Result<()> {
    require(access::can_manage_network(actor.role()))?;
    if !YEARS.contains(&year) {
        return Err(Error::NotFound);
    }
    save_narrative(store, actor.station()?, actor.user.id, year, narrative).await
}

/// Saves the editor's narrative.
async fn save_narrative(store: &Store, station: StationId, by: UserId, year: i32, narrative: &Narrative) -> Result<()> {
    const MAX: usize = 20_000;
    for (field, text) in [("intro", &narrative.intro), ("practices", &narrative.practices), ("plans", &narrative.plans)]
    {
        if text.chars().count() > MAX {
            return Err(Error::Invalid(domain::FieldErrors(vec![domain::FieldError::new(
                field,
                format!("不能超过{MAX}字"),
            )])));
        }
    }
    let json = serde_json::to_string(narrative).map_err(|e| Error::Internal(e.into()))?;
    store.set_annual_narrative(station, by, year, &json).await?;
    Ok(())
}

/// The rows of the headline figures: label and value, as the report prints them.
pub fn figure_rows(r: &AnnualReport) -> Vec<(String, String)> {
    let f = &r.figures;
    let mut rows = Vec::new();
    if let Some(p) = &f.paper {
        rows.push((format!("《{p}》发表稿件（篇）"), f.paper_placements.to_string()));
    }
    rows.push(("各类媒体发稿（篇次）".into(), f.placements.to_string()));
    if let Some(w) = &f.website {
        rows.push((format!("{w}上网信息（条）"), f.website_items.to_string()));
    }
    rows.push(("国家级网站登稿（篇）".into(), f.national_websites.to_string()));
    rows.push(("省级政府网站登稿（篇）".into(), f.provincial_websites.to_string()));
    rows.push(("征订份数（份）".into(), f.subscriptions.to_string()));
    rows.push(("兑现奖励（元）".into(), yuan(f.rewards_paid_fen)));
    rows.push(("月均兑现奖励（元）".into(), yuan(f.monthly_reward_fen)));
    rows.push(("有稿件采用的通讯员（名）".into(), f.active_correspondents.to_string()));
    rows.push(("专题讲座（次）".into(), f.lectures.to_string()));
    rows.push(("接受访谈（次）".into(), f.interviews.to_string()));
    rows
}

/// The report as a Word document.
pub fn to_docx(r: &AnnualReport) -> Result<Vec<u8>> {
    use office::report::{Block, ReportDoc, ReportTable};
    let paper = r.figures.paper.clone().unwrap_or_else(|| "报纸".into());
    let paragraphs = |text: &str| Narrative::paragraphs(text).into_iter().map(Block::Paragraph).collect::<Vec<_>>();
    let (unit_chart, month_chart) = charts(r, crate::i18n::L::new("zh"));
    let mut blocks = vec![Block::Heading1("一、全年工作概况".into())];
    blocks.extend(paragraphs(&r.narrative.intro));
    blocks.push(Block::Table(ReportTable {
        caption: format!("{}年度主要数据", r.year),
        headers: vec!["指标".into(), "数量".into()],
        rows: figure_rows(r).into_iter().map(|(k, v)| vec![k, v]).collect(),
        total_row: None,
        numeric_columns: vec![1],
    }));
    if !r.narrative.practices.trim().is_empty() {
        blocks.push(Block::Heading1("二、做法与体会".into()));
        blocks.extend(paragraphs(&r.narrative.practices));
    }
    blocks.push(Block::Heading1("三、各单位完成情况".into()));
    blocks.push(Block::chart(&unit_chart, 150, "图1　各单位采用篇数"));
    let total = |f: fn(&UnitLine) -> i64| r.by_unit.iter().map(f).sum::<i64>().to_string();
    blocks.push(Block::Table(ReportTable {
        caption: "各单位采用、上网、征订与活动".into(),
        headers: vec![
            "单位".into(),
            "各类媒体采用".into(),
            format!("{paper}采用"),
            "网站上稿".into(),
            "征订（份）".into(),
            "活动".into(),
        ],
        rows: r
            .by_unit
            .iter()
            .map(|u| {
                vec![
                    u.unit.clone(),
                    u.placements.to_string(),
                    u.paper.to_string(),
                    u.website.to_string(),
                    u.subscriptions.to_string(),
                    u.events.to_string(),
                ]
            })
            .collect(),
        total_row: Some(vec![
            "合计".into(),
            total(|u| u.placements),
            total(|u| u.paper),
            total(|u| u.website),
            total(|u| u.subscriptions),
            total(|u| u.events),
        ]),
        numeric_columns: vec![1, 2, 3, 4, 5],
    }));
    blocks.push(Block::Heading1("四、各媒体采用情况".into()));
    blocks.push(Block::Table(ReportTable {
        caption: String::new(),
        headers: vec!["媒体".into(), "类型".into(), "级别".into(), "采用（篇）".into()],
        rows: r
            .by_outlet
            .iter()
            .map(|o| vec![o.outlet.clone(), o.kind.zh().into(), o.level.zh().into(), o.placements.to_string()])
            .collect(),
        total_row: Some(vec!["合计".into(), String::new(), String::new(), r.figures.placements.to_string()]),
        numeric_columns: vec![3],
    }));
    blocks.push(Block::Heading2("各月发稿与兑现".into()));
    blocks.push(Block::chart(&month_chart, 150, "图2　各月采用篇数"));
    blocks.push(Block::Table(ReportTable {
        caption: String::new(),
        headers: vec!["月份".into(), "各类媒体采用".into(), format!("{paper}采用"), "兑现奖励（元）".into()],
        rows: r
            .by_month
            .iter()
            .map(|m| {
                vec![format!("{}月", m.month), m.placements.to_string(), m.paper.to_string(), yuan(m.rewards_paid_fen)]
            })
            .collect(),
        total_row: None,
        numeric_columns: vec![1, 2, 3],
    }));
    blocks.push(Block::Heading1("五、媒体工作与活动".into()));
    blocks.push(Block::Table(ReportTable {
        caption: String::new(),
        headers: vec!["活动类型".into(), "次数".into()],
        rows: r.events.iter().map(|(k, n)| vec![k.zh().to_string(), n.to_string()]).collect(),
        total_row: Some(vec!["合计".into(), r.figures.events.to_string()]),
        numeric_columns: vec![1],
    }));
    if !r.narrative.plans.trim().is_empty() {
        blocks.push(Block::Heading1("六、存在问题与下一步打算".into()));
        blocks.extend(paragraphs(&r.narrative.plans));
    }
    let doc = ReportDoc {
        title: format!("{}{}年度经验交流材料", r.station, r.year),
        subtitle: Some(format!("《{paper}》{}", r.station)),
        blocks,
        footer: vec![r.station.clone(), domain::format_date(crate::today())],
    };
    office::report::report_docx(&doc).map_err(|e| Error::Internal(anyhow::anyhow!("annual report: {e}")))
}

#[derive(askama::Template)]
#[template(path = "annual_print.html")]
struct PrintPage<'a> {
    l: crate::i18n::L,
    r: &'a AnnualReport,
    figures: Vec<(String, String)>,
    unit_chart: String,
    month_chart: String,
}

impl PrintPage<'_> {
    fn paragraphs(&self, text: &str) -> Vec<String> {
        Narrative::paragraphs(text)
    }
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
}

/// The charts of the report: placements by unit, and by month (all outlets and the paper).
pub fn charts(r: &AnnualReport, l: crate::i18n::L) -> (String, String) {
    let shown: Vec<&UnitLine> = r.by_unit.iter().filter(|u| u.placements > 0).collect();
    let unit_chart = office::bar_chart_svg(
        &format!("{}{}", r.year, l.t("年各单位采用")),
        &shown.iter().map(|u| u.unit.clone()).collect::<Vec<_>>(),
        &shown.iter().map(|u| u.placements as f64).collect::<Vec<_>>(),
        l.t("篇"),
    );
    let months: Vec<String> = r.by_month.iter().map(|m| format!("{}月", m.month)).collect();
    let mut series = vec![office::Series {
        name: l.t("各类媒体").to_string(),
        values: r.by_month.iter().map(|m| m.placements as f64).collect(),
    }];
    if let Some(p) = &r.figures.paper {
        series.push(office::Series { name: p.clone(), values: r.by_month.iter().map(|m| m.paper as f64).collect() });
    }
    let month_chart = office::line_chart_svg(&format!("{}{}", r.year, l.t("年各月采用")), &months, &series);
    (unit_chart, month_chart)
}

/// The report as one self-contained HTML file (charts inline), for printing or mailing.
pub fn to_html(r: &AnnualReport) -> Result<String> {
    use askama::Template;
    let l = crate::i18n::L::new("zh");
    let (unit_chart, month_chart) = charts(r, l);
    PrintPage { l, r, figures: figure_rows(r), unit_chart, month_chart }
        .render()
        .map_err(|e| Error::Internal(anyhow::anyhow!("annual report html: {e}")))
}
