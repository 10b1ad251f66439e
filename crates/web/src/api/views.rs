//! The API's response shapes for statements and rankings, built from the domain's types so the
//! OpenAPI document describes every field (figures are exact decimals, sent as strings such as
//! `"12.50"`; money ledgers are in yuan with the ledger's scale).

use domain::policy::{LedgerInfo, PersonLine, Statement, TrailStep, UnitLine};
use domain::ranking::{RankBy, RankRow, Ranking};
use domain::{CorrespondentId, PlacementId, StatementId, StatementStatus, UnitId, format_date};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A statement and its figures, as far as the caller may see them (a correspondent: only their
/// own line, without units and totals; a liaison: their unit's people).
#[derive(Serialize, ToSchema)]
pub struct StatementDetail {
    id: StatementId,
    /// 2007-06, 2007-Q2 or 2007.
    period: String,
    status: StatementStatus,
    /// The SHA-256 of the figures: what a notice published is checked against.
    content_hash: String,
    /// The last day objections are taken (YYYY-MM-DD), once published.
    objection_until: Option<String>,
    statement: Figures,
}

impl StatementDetail {
    pub fn new(record: store::StatementRecord, figures: Statement) -> Self {
        StatementDetail {
            id: record.id,
            period: record.period,
            status: record.status,
            content_hash: record.content_hash,
            objection_until: record.objection_until.map(format_date),
            statement: Figures::from(figures),
        }
    }
}

/// A period's computed figures.
#[derive(Serialize, ToSchema)]
pub struct Figures {
    period: String,
    /// The policies in force during the period, oldest first.
    policies: Vec<String>,
    ledgers: Vec<Ledger>,
    /// One per correspondent with anything, by unit then name.
    lines: Vec<PersonFigures>,
    /// Every unit by name, then correspondents without a unit.
    units: Vec<UnitFigures>,
    /// Per ledger key: the sum of the unit lines.
    totals: BTreeMap<String, String>,
}

impl From<Statement> for Figures {
    fn from(s: Statement) -> Self {
        Figures {
            period: s.period.to_string(),
            policies: s.policies,
            ledgers: s.ledgers.into_iter().map(Ledger::from).collect(),
            lines: s.lines.into_iter().map(PersonFigures::from).collect(),
            units: s.units.into_iter().map(UnitFigures::from).collect(),
            totals: decimals(s.totals),
        }
    }
}

/// A ledger (积分, 奖金 …) as the statement lists it.
#[derive(Serialize, ToSchema)]
pub struct Ledger {
    key: String,
    label: String,
    /// Money, in yuan (paid in fen).
    is_money: bool,
    /// Decimal places the figures are rounded to.
    scale: u32,
}

impl From<LedgerInfo> for Ledger {
    fn from(l: LedgerInfo) -> Self {
        Ledger { key: l.key, label: l.label, is_money: l.is_money, scale: l.scale }
    }
}

/// One correspondent's figures.
#[derive(Serialize, ToSchema)]
pub struct PersonFigures {
    correspondent_id: CorrespondentId,
    name: String,
    unit_id: Option<UnitId>,
    unit_name: Option<String>,
    /// Placements counted this period.
    placements: u32,
    /// `placements` by outlet level code (national, provincial, …).
    by_level: BTreeMap<String, u32>,
    /// Share-weighted count, two decimals.
    pieces: String,
    /// Per ledger key: the final figure.
    ledgers: BTreeMap<String, String>,
    /// Every step behind the figures.
    trail: Vec<Step>,
    /// Annual awards earned (a year's statement only).
    awards: Vec<String>,
}

impl From<PersonLine> for PersonFigures {
    fn from(l: PersonLine) -> Self {
        PersonFigures {
            correspondent_id: l.correspondent_id,
            name: l.name,
            unit_id: l.unit_id,
            unit_name: l.unit_name,
            placements: l.placements,
            by_level: l.by_level,
            pieces: l.pieces.to_string(),
            ledgers: decimals(l.ledgers),
            trail: l.trail.into_iter().map(Step::from).collect(),
            awards: l.awards,
        }
    }
}

/// One step behind a figure (计算过程).
#[derive(Serialize, ToSchema)]
pub struct Step {
    placement_id: Option<PlacementId>,
    /// A ledger key, or "award".
    ledger: String,
    /// The rule as the policy file names it, e.g. "base.genre_level".
    rule: String,
    /// In Chinese, e.g. "调研报告 × 省级 = 30".
    detail: String,
    /// The change this step made.
    value: String,
    /// The running total after it.
    total: String,
}

impl From<TrailStep> for Step {
    fn from(t: TrailStep) -> Self {
        Step {
            placement_id: t.placement_id,
            ledger: t.ledger,
            rule: t.rule,
            detail: t.detail,
            value: t.value.to_string(),
            total: t.total.to_string(),
        }
    }
}

/// One unit's figures.
#[derive(Serialize, ToSchema)]
pub struct UnitFigures {
    /// None for the line of correspondents without a unit.
    unit_id: Option<UnitId>,
    name: String,
    placements: u32,
    by_level: BTreeMap<String, u32>,
    pieces: String,
    /// Members' figures plus the unit's own penalty, per ledger key.
    ledgers: BTreeMap<String, String>,
    /// Pieces the quotas required in the period.
    quota: Option<String>,
    missed_quota: bool,
    /// Penalties charged to the unit itself (negative), per ledger key.
    penalty: BTreeMap<String, String>,
}

impl From<UnitLine> for UnitFigures {
    fn from(u: UnitLine) -> Self {
        UnitFigures {
            unit_id: u.unit_id,
            name: u.name,
            placements: u.placements,
            by_level: u.by_level,
            pieces: u.pieces.to_string(),
            ledgers: decimals(u.ledgers),
            quota: u.quota.map(|q| q.to_string()),
            missed_quota: u.missed_quota,
            penalty: decimals(u.penalty),
        }
    }
}

/// A ranking of units, correspondents or outlets by one ledger, beside the previous period.
#[derive(Serialize, ToSchema)]
pub struct RankingView {
    period: String,
    previous_period: String,
    /// unit, correspondent or outlet.
    by: String,
    ledger: String,
    ledger_label: String,
    rows: Vec<Rank>,
}

impl From<Ranking> for RankingView {
    fn from(r: Ranking) -> Self {
        RankingView {
            period: r.period,
            previous_period: r.previous_period,
            by: match r.by {
                RankBy::Unit => "unit",
                RankBy::Correspondent => "correspondent",
                RankBy::Outlet => "outlet",
            }
            .to_string(),
            ledger: r.ledger,
            ledger_label: r.ledger_label,
            rows: r.rows.into_iter().map(Rank::from).collect(),
        }
    }
}

/// One ranked name.
#[derive(Serialize, ToSchema)]
pub struct Rank {
    /// 1, 2, 2, 4…: equal figures share a rank.
    rank: u32,
    name: String,
    figure: String,
    placements: u32,
    by_level: BTreeMap<String, u32>,
    previous_rank: Option<u32>,
    previous_figure: Option<String>,
    /// figure − previous figure.
    change: String,
}

impl From<RankRow> for Rank {
    fn from(r: RankRow) -> Self {
        Rank {
            rank: r.rank,
            name: r.name,
            figure: r.figure.to_string(),
            placements: r.placements,
            by_level: r.by_level,
            previous_rank: r.previous_rank,
            previous_figure: r.previous_figure.map(|f| f.to_string()),
            change: r.change.to_string(),
        }
    }
}

fn decimals(map: BTreeMap<String, Decimal>) -> BTreeMap<String, String> {
    map.into_iter().map(|(k, v)| (k, v.to_string())).collect()
}
