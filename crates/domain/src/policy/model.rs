//! What a reward policy (奖励办法) says, as data: ledgers with their value rules, the split among
//! co-authors, caps, floors, allowances, unit quotas and annual awards. `format` builds these
//! from a TOML file; `engine` applies them. Matching a placement against a rule lives here too,
//! with the checks that find rules which can never fire.

use super::engine::Item;
use super::period::PeriodKind;
use crate::{CorrespondentKind, Genre, Grade, InstructionLevel, OutletKind, OutletLevel, Position};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// Decimal places kept in intermediate results (a split of 1/3, a rate per 1000 characters).
/// Parts of a split add up to the whole exactly; a third is off by less than 1e-16.
pub const PRECISION: u32 = 16;

/// Decimal places a total is settled to before it is compared with a cap or rounded: enough to
/// remove what thirds leave behind (4.0833… × 12 = 48.99…96 settles to 49), far below a fen.
pub const SETTLE: u32 = 10;

/// Keeps `PRECISION` decimal places at most.
pub fn exact(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(PRECISION, rust_decimal::RoundingStrategy::MidpointNearestEven)
}

/// Keeps `SETTLE` decimal places at most.
pub fn settle(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(SETTLE, rust_decimal::RoundingStrategy::MidpointNearestEven)
}

/// One reward scheme, in force from `valid_from` to `valid_to` (inclusive; `None` = open-ended).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub name: String,
    #[serde(with = "crate::date_format")]
    pub valid_from: Date,
    #[serde(with = "crate::date_format::option")]
    pub valid_to: Option<Date>,
    pub note: String,
    /// One manuscript placed in several outlets: count every placement or only the best.
    pub duplicates: Duplicates,
    /// How a placement's value is shared among its authors (also used for share-weighted pieces).
    pub split: Split,
    /// Computed side by side, in file order.
    pub ledgers: Vec<Ledger>,
    pub quotas: Vec<Quota>,
    pub awarding: Awarding,
    /// Annual awards in the order they are considered.
    pub awards: Vec<Award>,
    /// The line of `valid_from` in the source file, for overlap messages.
    pub dates_line: Option<usize>,
}

impl Policy {
    /// Whether the policy is in force on `d`.
    pub fn in_force(&self, d: Date) -> bool {
        self.valid_from <= d && self.valid_to.is_none_or(|to| d <= to)
    }

    /// Whether the policy is in force on any day of `from..=to`.
    pub fn in_force_during(&self, from: Date, to: Date) -> bool {
        self.valid_from <= to && self.valid_to.is_none_or(|end| from <= end)
    }

    pub fn ledger(&self, key: &str) -> Option<&Ledger> {
        self.ledgers.iter().find(|l| l.key == key)
    }

    /// "2007-01-01 至 2007-12-31" or "2007-01-01 起长期有效".
    pub fn dates_text(&self) -> String {
        match self.valid_to {
            Some(to) => format!("{} 至 {}", crate::format_date(self.valid_from), crate::format_date(to)),
            None => format!("{} 起长期有效", crate::format_date(self.valid_from)),
        }
    }
}

/// What to do when one manuscript is placed in several outlets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Duplicates {
    /// Every placement counts (每次采用都计).
    All,
    /// Only the best placement counts (只计最高一次).
    Best,
}

/// How a placement is shared among its authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitMethod {
    /// Everyone the same (平均分配).
    Equal,
    /// As written on the byline (按署名份额).
    Shares,
    /// Fixed weights for the first N authors, the rest nothing (按顺序权重).
    Weights,
    /// Everything to the first author (只计第一作者).
    FirstAuthor,
}

impl SplitMethod {
    pub fn code(self) -> &'static str {
        match self {
            SplitMethod::Equal => "equal",
            SplitMethod::Shares => "shares",
            SplitMethod::Weights => "weights",
            SplitMethod::FirstAuthor => "first_author",
        }
    }
}

/// Bylined people from outside the network (e.g. the paper's own journalist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum External {
    /// The network's authors share the whole value (全部归本网络作者).
    Whole,
    /// The outside authors take a share as one more author after the network's, and it is not paid.
    Share,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    pub method: SplitMethod,
    /// Used by `Shares` when the byline has no shares written.
    pub fallback: SplitMethod,
    /// For `Weights` (and a `Weights` fallback): 3:2 is `[3, 2]`.
    pub weights: Vec<Decimal>,
    pub external: External,
}

impl Default for Split {
    fn default() -> Self {
        Split {
            method: SplitMethod::Shares,
            fallback: SplitMethod::Equal,
            weights: Vec::new(),
            external: External::Whole,
        }
    }
}

/// How the one rounding at the end of a statement is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// 四舍五入: halves away from zero.
    HalfUp,
    /// 银行家舍入: halves to the even neighbour.
    HalfEven,
    /// 舍去: towards zero.
    Down,
    /// 进一: away from zero.
    Up,
}

impl Rounding {
    pub const ALL: &'static [Rounding] = &[Rounding::HalfUp, Rounding::HalfEven, Rounding::Down, Rounding::Up];

    pub fn code(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half_up",
            Rounding::HalfEven => "half_even",
            Rounding::Down => "down",
            Rounding::Up => "up",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Rounding::HalfUp => "四舍五入",
            Rounding::HalfEven => "银行家舍入",
            Rounding::Down => "舍去",
            Rounding::Up => "进一",
        }
    }

    pub fn parse(text: &str) -> Option<Rounding> {
        let t = text.trim();
        Rounding::ALL.iter().copied().find(|r| r.code().eq_ignore_ascii_case(t) || r.zh() == t)
    }

    /// Rounds to `scale` decimal places and keeps exactly that many (so 300 shows as 300.00).
    pub fn apply(self, value: Decimal, scale: u32) -> Decimal {
        use rust_decimal::RoundingStrategy as S;
        let strategy = match self {
            Rounding::HalfUp => S::MidpointAwayFromZero,
            Rounding::HalfEven => S::MidpointNearestEven,
            Rounding::Down => S::ToZero,
            Rounding::Up => S::AwayFromZero,
        };
        let mut out = value.round_dp_with_strategy(scale, strategy);
        out.rescale(scale);
        out
    }
}

/// One account kept per person: points for ranking, money for payout, each with its own rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ledger {
    /// e.g. "points", "money".
    pub key: String,
    /// e.g. "积分", "奖金".
    pub label: String,
    /// Money is in yuan in the file, exact to the fen.
    pub is_money: bool,
    /// Decimal places kept after rounding: 2 for money.
    pub scale: u32,
    pub rounding: Rounding,
    /// The first matching rule gives a placement its base value.
    pub base: Vec<Rule>,
    /// Every matching rule applies, in file order; within a `group` only the first that matches.
    pub bonus: Vec<Rule>,
    pub cap: Limits,
    pub floor: Limits,
    pub allowance: Option<Allowance>,
    pub line: Option<usize>,
}

/// Per-person limits per month, quarter and year.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Limits {
    pub month: Option<Decimal>,
    pub quarter: Option<Decimal>,
    pub year: Option<Decimal>,
    pub line: Option<usize>,
}

impl Limits {
    pub fn get(&self, kind: PeriodKind) -> Option<Decimal> {
        match kind {
            PeriodKind::Month => self.month,
            PeriodKind::Quarter => self.quarter,
            PeriodKind::Year => self.year,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.month.is_none() && self.quarter.is_none() && self.year.is_none()
    }
}

/// An amount every correspondent starts each period with (基础分 / 基本补贴).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allowance {
    pub amount: Decimal,
    pub per: PeriodKind,
    /// Only these kinds of correspondent; `None` = everyone.
    pub kinds: Option<Vec<CorrespondentKind>>,
    pub line: Option<usize>,
}

/// A unit's minimum of pieces per period, and what missing it costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quota {
    /// As used in the trail: "quota.monthly".
    pub id: String,
    pub name: String,
    pub per: PeriodKind,
    pub min_pieces: Decimal,
    /// Unit names it applies to; `None` = every unit.
    pub units: Option<Vec<String>>,
    /// Ledger key → amount deducted (positive).
    pub penalty: BTreeMap<String, Decimal>,
    pub applies_to: PenaltyTarget,
    pub line: Option<usize>,
}

/// Who bears a missed quota's penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyTarget {
    /// The unit's totals only (单位扣分).
    Unit,
    /// Every correspondent of the unit (每位通讯员扣减).
    EachMember,
}

/// How pieces are counted for the annual awards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Awarding {
    /// A person receives only the first award they qualify for.
    pub one_per_person: bool,
    /// Joint bylines count as shares (0.6 篇) or each author counts the whole piece.
    pub joint_as_share: bool,
    /// Conversions, first match wins: a prize-winning piece counts as 3.
    pub count_as: Vec<CountAs>,
}

impl Default for Awarding {
    fn default() -> Self {
        Awarding { one_per_person: true, joint_as_share: true, count_as: Vec::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountAs {
    pub id: String,
    pub when: Conditions,
    pub pieces: Decimal,
    pub line: Option<usize>,
}

/// An annual award (优秀通讯员, 先进通讯员) given on thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Award {
    pub name: String,
    /// "pieces" (converted, share-weighted) or a ledger key → minimum for the year.
    pub min: BTreeMap<String, Decimal>,
    pub kinds: Option<Vec<CorrespondentKind>>,
    pub line: Option<usize>,
}

/// What a rule looks at on a placement, in conditions and as the axis of a value table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    Outlet,
    Column,
    Genre,
    Level,
    Kind,
    Position,
    Instruction,
    Grade,
}

impl Dim {
    pub const ALL: &'static [Dim] =
        &[Dim::Outlet, Dim::Column, Dim::Genre, Dim::Level, Dim::Kind, Dim::Position, Dim::Instruction, Dim::Grade];

    /// The key in a policy file.
    pub fn key(self) -> &'static str {
        match self {
            Dim::Outlet => "outlet",
            Dim::Column => "column",
            Dim::Genre => "genre",
            Dim::Level => "level",
            Dim::Kind => "kind",
            Dim::Position => "position",
            Dim::Instruction => "instruction",
            Dim::Grade => "grade",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Dim::Outlet => "媒体",
            Dim::Column => "栏目",
            Dim::Genre => "体裁",
            Dim::Level => "媒体级别",
            Dim::Kind => "媒体类型",
            Dim::Position => "版面位置",
            Dim::Instruction => "批示级别",
            Dim::Grade => "评级",
        }
    }

    pub fn from_key(key: &str) -> Option<Dim> {
        Dim::ALL.iter().copied().find(|d| d.key() == key)
    }

    /// The placement's value on this dimension (a vocabulary code, or the outlet/column name);
    /// `None` when it has none, e.g. no leader's instruction.
    pub fn value_of(self, item: &Item) -> Option<&str> {
        match self {
            Dim::Outlet => Some(item.outlet.trim()),
            Dim::Column => Some(item.column.trim()),
            Dim::Genre => Some(item.genre.code()),
            Dim::Level => Some(item.outlet_level.code()),
            Dim::Kind => Some(item.outlet_kind.code()),
            Dim::Position => Some(item.position.code()),
            Dim::Instruction => item.instruction.map(|i| i.code()),
            Dim::Grade => item.grade.map(|g| g.code()),
        }
    }

    /// Every code of a closed vocabulary, or `None` for outlets and columns.
    pub fn universe(self) -> Option<BTreeSet<String>> {
        fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> Option<BTreeSet<String>> {
            Some(all.iter().map(|v| code(*v).to_string()).collect())
        }
        match self {
            Dim::Outlet | Dim::Column => None,
            Dim::Genre => codes(Genre::ALL, Genre::code),
            Dim::Level => codes(OutletLevel::ALL, OutletLevel::code),
            Dim::Kind => codes(OutletKind::ALL, OutletKind::code),
            Dim::Position => codes(Position::ALL, Position::code),
            Dim::Instruction => codes(InstructionLevel::ALL, InstructionLevel::code),
            Dim::Grade => codes(Grade::ALL, Grade::code),
        }
    }

    /// Reads what a policy writes for this dimension: a code or label ("省级", "provincial"), or
    /// for levels a range ("省级及以上", "市级以下"). Returns the codes it stands for.
    pub fn parse_key(self, text: &str) -> Result<BTreeSet<String>, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err(format!("{}不能为空", self.zh()));
        }
        let one = |code: &'static str| Ok(BTreeSet::from([code.to_string()]));
        match self {
            Dim::Outlet | Dim::Column => Ok(BTreeSet::from([t.to_string()])),
            Dim::Genre => Genre::parse(t).map_or_else(|| Err(Genre::expected()), |v| one(v.code())),
            Dim::Kind => OutletKind::parse(t).map_or_else(|| Err(OutletKind::expected()), |v| one(v.code())),
            Dim::Position => Position::parse(t).map_or_else(|| Err(Position::expected()), |v| one(v.code())),
            Dim::Grade => Grade::parse(t).map_or_else(|| Err(Grade::expected()), |v| one(v.code())),
            Dim::Level => ranked(t, OutletLevel::ALL, OutletLevel::parse, level_rank, OutletLevel::code)
                .ok_or_else(|| format!("{}，也可写“省级及以上”“市级及以下”", OutletLevel::expected())),
            Dim::Instruction => {
                ranked(t, InstructionLevel::ALL, InstructionLevel::parse, instruction_rank, InstructionLevel::code)
                    .ok_or_else(|| format!("{}，也可写“省级及以上”", InstructionLevel::expected()))
            }
        }
    }

    /// The Chinese label of a code, for the trail.
    pub fn label(self, code: &str) -> String {
        let found = match self {
            Dim::Outlet | Dim::Column => None,
            Dim::Genre => Genre::parse(code).map(|v| v.zh()),
            Dim::Level => OutletLevel::parse(code).map(|v| v.zh()),
            Dim::Kind => OutletKind::parse(code).map(|v| v.zh()),
            Dim::Position => Position::parse(code).map(|v| v.zh()),
            Dim::Instruction => InstructionLevel::parse(code).map(|v| v.zh()),
            Dim::Grade => Grade::parse(code).map(|v| v.zh()),
        };
        found.unwrap_or(code).to_string()
    }
}

/// Outlet levels from the lowest (internal) to the highest (national).
fn level_rank(l: OutletLevel) -> u8 {
    match l {
        OutletLevel::Internal => 0,
        OutletLevel::County => 1,
        OutletLevel::Municipal => 2,
        OutletLevel::Provincial => 3,
        OutletLevel::National => 4,
    }
}

fn instruction_rank(l: InstructionLevel) -> u8 {
    match l {
        InstructionLevel::County => 1,
        InstructionLevel::Municipal => 2,
        InstructionLevel::Provincial => 3,
        InstructionLevel::National => 4,
    }
}

/// "省级" → {provincial}; "省级及以上" / "省级以上" → {provincial, national}; "及以下" the other way.
fn ranked<T: Copy>(
    text: &str,
    all: &[T],
    parse: fn(&str) -> Option<T>,
    rank: fn(T) -> u8,
    code: fn(T) -> &'static str,
) -> Option<BTreeSet<String>> {
    let (base, dir) = if let Some(b) = text.strip_suffix("及以上").or_else(|| text.strip_suffix("以上")) {
        (b, 1)
    } else if let Some(b) = text.strip_suffix("及以下").or_else(|| text.strip_suffix("以下")) {
        (b, -1)
    } else {
        (text, 0)
    };
    let pivot = parse(base)?;
    let r = rank(pivot);
    let set = all
        .iter()
        .copied()
        .filter(|v| match dir {
            1 => rank(*v) >= r,
            -1 => rank(*v) <= r,
            _ => rank(*v) == r,
        })
        .map(|v| code(v).to_string())
        .collect();
    Some(set)
}

/// A set of values on one dimension: the text as written (for the trail) and the codes it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    pub text: String,
    pub codes: BTreeSet<String>,
}

impl Key {
    pub fn matches(&self, value: Option<&str>) -> bool {
        value.is_some_and(|v| self.codes.contains(v))
    }
}

/// What a placement must be for a rule to apply. Every condition given must hold; a list means
/// any of its values.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Conditions {
    pub sets: BTreeMap<Dim, Key>,
    pub commissioned: Option<bool>,
    pub reprint: Option<bool>,
    /// Inclusive bounds on the length in characters (字数).
    pub min_length: Option<i32>,
    pub max_length: Option<i32>,
}

impl Conditions {
    pub fn matches(&self, item: &Item) -> bool {
        self.sets.iter().all(|(dim, key)| key.matches(dim.value_of(item)))
            && self.commissioned.is_none_or(|c| c == item.commissioned)
            && self.reprint.is_none_or(|r| r == item.reprint)
            && self.min_length.is_none_or(|m| item.length >= m)
            && self.max_length.is_none_or(|m| item.length <= m)
    }

    /// Whether every placement that matches `other` also matches `self`.
    pub fn covers(&self, other: &Conditions) -> bool {
        let sets = self.sets.iter().all(|(dim, key)| {
            let everything = dim.universe().is_some_and(|u| key.codes.is_superset(&u));
            everything || other.sets.get(dim).is_some_and(|o| o.codes.is_subset(&key.codes))
        });
        let flag = |mine: Option<bool>, theirs: Option<bool>| mine.is_none() || mine == theirs;
        let min_ok = self.min_length.unwrap_or(0) <= other.min_length.unwrap_or(0);
        let max_ok = match (self.max_length, other.max_length) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a >= b,
        };
        sets && flag(self.commissioned, other.commissioned) && flag(self.reprint, other.reprint) && min_ok && max_ok
    }

    /// The conditions in words, for the trail when a rule has no name: "媒体=中国知识产权报；头版".
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.sets.iter().map(|(d, k)| format!("{}={}", d.zh(), k.text)).collect();
        if let Some(c) = self.commissioned {
            parts.push(if c { "约稿".into() } else { "非约稿".into() });
        }
        if let Some(r) = self.reprint {
            parts.push(if r { "转载".into() } else { "非转载".into() });
        }
        match (self.min_length, self.max_length) {
            (Some(a), Some(b)) => parts.push(format!("{a}–{b}字")),
            (Some(a), None) => parts.push(format!("{a}字以上")),
            (None, Some(b)) => parts.push(format!("{b}字以内")),
            (None, None) => {}
        }
        if parts.is_empty() { "所有稿件".into() } else { parts.join("；") }
    }
}

/// What a rule does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A base rule: the placement's value is this.
    Value,
    /// A bonus: added to the running value.
    Add,
    /// A multiplier: the running value is multiplied by this.
    Multiply,
}

/// The number a rule uses: one number, one per value of a dimension, or a two-way table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum Amount {
    Fixed {
        value: Decimal,
    },
    By {
        dim: Dim,
        entries: Vec<(Key, Decimal)>,
    },
    /// Rows × columns; a `None` cell ("-" in the file) means "does not apply".
    Table {
        rows: Dim,
        columns: Dim,
        header: Vec<Key>,
        cells: Vec<(Key, Vec<Option<Decimal>>)>,
    },
}

impl Amount {
    /// The number for a placement and the labels it was found under, or `None` when no entry applies.
    pub fn lookup(&self, item: &Item) -> Option<(Decimal, Vec<String>)> {
        let (n, keys) = self.find(item)?;
        Some((n, keys.iter().flatten().map(|k| k.text.clone()).collect()))
    }

    /// `lookup` without copying the labels: the number and the entry's keys (row, then column).
    fn find(&self, item: &Item) -> Option<(Decimal, [Option<&Key>; 2])> {
        match self {
            Amount::Fixed { value } => Some((*value, [None, None])),
            Amount::By { dim, entries } => {
                let v = dim.value_of(item);
                entries.iter().find(|(k, _)| k.matches(v)).map(|(k, n)| (*n, [Some(k), None]))
            }
            Amount::Table { rows, columns, header, cells } => {
                let c = header.iter().position(|k| k.matches(columns.value_of(item)))?;
                let (row, values) = cells.iter().find(|(k, _)| k.matches(rows.value_of(item)))?;
                let n = values.get(c).copied().flatten()?;
                Some((n, [Some(row), Some(&header[c])]))
            }
        }
    }

    /// The dimensions the amount is looked up by, with the codes it has entries for.
    pub fn axes(&self) -> Vec<(Dim, BTreeSet<String>)> {
        let union = |keys: &mut dyn Iterator<Item = &Key>| keys.flat_map(|k| k.codes.iter().cloned()).collect();
        match self {
            Amount::Fixed { .. } => Vec::new(),
            Amount::By { dim, entries } => vec![(*dim, union(&mut entries.iter().map(|(k, _)| k)))],
            Amount::Table { rows, columns, header, cells } => {
                vec![(*rows, union(&mut cells.iter().map(|(k, _)| k))), (*columns, union(&mut header.iter()))]
            }
        }
    }

    /// Whether every combination of the axes has a number (no "-" cells).
    pub fn is_complete(&self) -> bool {
        match self {
            Amount::Table { cells, .. } => cells.iter().all(|(_, row)| row.iter().all(Option::is_some)),
            _ => true,
        }
    }

    /// Every number in the amount.
    pub fn numbers(&self) -> Vec<Decimal> {
        match self {
            Amount::Fixed { value } => vec![*value],
            Amount::By { entries, .. } => entries.iter().map(|(_, n)| *n).collect(),
            Amount::Table { cells, .. } => cells.iter().flat_map(|(_, row)| row.iter().flatten().copied()).collect(),
        }
    }
}

/// What a rule did to one placement: the new running value, and what its description needs.
#[derive(Debug, Clone, Copy)]
pub struct Applied<'a> {
    /// The running value after the rule.
    pub value: Decimal,
    /// The number the rule used.
    n: Decimal,
    /// The entry the number was found under (row, then column), if looked up.
    keys: [Option<&'a Key>; 2],
    /// For a prorated `Add`: what it added.
    added: Decimal,
}

/// One value rule of a ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// As shown in the trail: "base.genre_level", "bonus.front_page".
    pub id: String,
    /// What an editor calls it: "头版加分".
    pub name: String,
    /// Within a group of bonus rules only the first that matches applies.
    pub group: Option<String>,
    pub when: Conditions,
    pub op: Op,
    pub amount: Amount,
    /// For `Add`: the amount is per this many characters, prorated (每千字 10 元).
    pub per_chars: Option<i32>,
    pub line: Option<usize>,
}

impl Rule {
    /// The new running value and a Chinese description, or `None` when the rule does not apply.
    pub fn apply(&self, item: &Item, current: Decimal) -> Option<(Decimal, String)> {
        let applied = self.applied(item, current)?;
        Some((applied.value, self.describe(item, &applied)))
    }

    /// The new running value without the description, or `None` when the rule does not apply:
    /// the same arithmetic as `apply`, for figures whose trail nobody reads.
    pub fn value(&self, item: &Item, current: Decimal) -> Option<Decimal> {
        self.applied(item, current).map(|a| a.value)
    }

    /// What the rule does to a placement, or `None` when it does not apply; `describe` puts it in words.
    pub fn applied(&self, item: &Item, current: Decimal) -> Option<Applied<'_>> {
        if !self.when.matches(item) {
            return None;
        }
        let (n, keys) = self.amount.find(item)?;
        let (value, added) = match self.op {
            Op::Value => (n, n),
            Op::Multiply => (exact(current * n), n),
            Op::Add => match self.per_chars {
                Some(per) if per > 0 => {
                    let add = exact(n * Decimal::from(item.length) / Decimal::from(per));
                    (current + add, add)
                }
                _ => (current + n, n),
            },
        };
        Some(Applied { value, n, keys, added })
    }

    /// The step in Chinese: "头版 +20", or with the table entry that was used: "体裁×级别：调研报告 × 省级 = 30".
    pub fn describe(&self, item: &Item, applied: &Applied) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(64);
        if self.name.is_empty() {
            out.push_str(&self.when.describe());
        } else {
            out.push_str(&self.name);
        }
        for (i, key) in applied.keys.iter().flatten().enumerate() {
            out.push_str(if i == 0 { "：" } else { " × " });
            out.push_str(&key.text);
        }
        let n = applied.n.normalize();
        // Writing to a String cannot fail.
        let _ = match self.op {
            Op::Value => write!(out, " = {n}"),
            Op::Multiply => write!(out, " ×{n}"),
            Op::Add => match self.per_chars {
                Some(per) if per > 0 => {
                    write!(out, " 每{per}字 +{n}，{}字 +{}", item.length, applied.added.normalize())
                }
                _ => write!(out, " +{n}"),
            },
        };
        out
    }

    /// Every placement the rule can apply to, as conditions: its own conditions narrowed by the
    /// axes of its amount. `None` when the narrowing leaves nothing.
    pub fn reach(&self) -> Option<Conditions> {
        let mut reach = self.when.clone();
        for (dim, codes) in self.amount.axes() {
            let narrowed: BTreeSet<String> = match reach.sets.get(&dim) {
                Some(k) => k.codes.intersection(&codes).cloned().collect(),
                None => codes,
            };
            if narrowed.is_empty() {
                return None;
            }
            let text = reach.sets.get(&dim).map(|k| k.text.clone()).unwrap_or_default();
            reach.sets.insert(dim, Key { text, codes: narrowed });
        }
        if let (Some(a), Some(b)) = (reach.min_length, reach.max_length)
            && a > b
        {
            return None;
        }
        Some(reach)
    }
}

/// Which split rule and which weights apply to one placement.
pub struct SplitPlan {
    /// "split.shares", "split.weights" …
    pub rule: String,
    /// In Chinese, for the trail.
    pub detail: String,
    /// One weight per author in byline order.
    pub weights: Vec<Decimal>,
    /// What the weights are out of; larger than their sum when outside authors keep a share.
    pub out_of: Decimal,
}

impl Split {
    /// The weights for a placement's authors.
    pub fn plan(&self, item: &Item) -> SplitPlan {
        self.plan_with(item, true)
    }

    /// `plan` without the rule and the detail (left empty), for figures whose trail nobody reads.
    pub fn plan_quietly(&self, item: &Item) -> SplitPlan {
        self.plan_with(item, false)
    }

    fn plan_with(&self, item: &Item, describe: bool) -> SplitPlan {
        let n = item.authors.len();
        // Shares count only when every author has one within 1..=100%; otherwise (data that
        // never went through validation) the fallback applies, so no part can exceed the whole.
        let all_written =
            n > 0 && item.authors.iter().all(|a| a.share_bp.is_some_and(|s| (1..=crate::FULL_SHARE).contains(&s)));
        let method = if self.method == SplitMethod::Shares && !all_written { self.fallback } else { self.method };
        // Outside authors keeping a share count as one more author after the network's.
        let extra = usize::from(item.has_external_authors && self.external == External::Share);
        let (weights, out_of): (Vec<Decimal>, Decimal) = match method {
            SplitMethod::Equal => (vec![Decimal::ONE; n], Decimal::from(n + extra)),
            SplitMethod::Shares => {
                let w: Vec<Decimal> =
                    item.authors.iter().map(|a| Decimal::from(a.share_bp.unwrap_or(0)) / Decimal::from(100)).collect();
                let sum: Decimal = w.iter().sum();
                let out_of = if extra == 1 { sum.max(Decimal::from(100)) } else { sum };
                (w, out_of)
            }
            SplitMethod::Weights => {
                let weight = |i: usize| self.weights.get(i).copied().unwrap_or(Decimal::ZERO);
                ((0..n).map(weight).collect(), (0..n + extra).map(weight).sum())
            }
            SplitMethod::FirstAuthor => {
                ((0..n).map(|i| if i == 0 { Decimal::ONE } else { Decimal::ZERO }).collect(), Decimal::ONE)
            }
        };
        if !describe {
            return SplitPlan { rule: String::new(), detail: String::new(), weights, out_of };
        }
        let detail = match method {
            SplitMethod::Equal => format!("平均分配（{}人）", n + extra),
            SplitMethod::Shares => {
                let text: Vec<String> = weights.iter().map(|s| format!("{}%", s.normalize())).collect();
                format!("按署名份额 {}", text.join(":"))
            }
            SplitMethod::Weights => {
                let text: Vec<String> = self.weights.iter().map(|s| s.normalize().to_string()).collect();
                format!("按顺序权重 {}", text.join(":"))
            }
            SplitMethod::FirstAuthor => "只计第一作者".to_string(),
        };
        let detail = if item.has_external_authors {
            match self.external {
                External::Whole => format!("{detail}；外部作者不参与分配"),
                External::Share => format!("{detail}；外部作者占一份，不发放"),
            }
        } else {
            detail
        };
        SplitPlan { rule: format!("split.{}", method.code()), detail, weights, out_of }
    }
}

impl SplitPlan {
    /// Shares `whole` by the weights, each part to `PRECISION` places. When nothing is held back
    /// for outside authors the parts add up to `whole` exactly: the last author with a weight
    /// takes what the others leave.
    pub fn parts(&self, whole: Decimal) -> Vec<Decimal> {
        let mut parts = Vec::new();
        self.parts_into(whole, &mut parts);
        parts
    }

    /// `parts` into a vector the caller reuses.
    pub fn parts_into(&self, whole: Decimal, parts: &mut Vec<Decimal>) {
        // `positive` is `> 0` without the general comparison, which is slower.
        let positive = |d: &Decimal| d.is_sign_positive() && !d.is_zero();
        parts.clear();
        parts.resize(self.weights.len(), Decimal::ZERO);
        if !positive(&self.out_of) {
            return;
        }
        let sum: Decimal = self.weights.iter().sum();
        let last = self.weights.iter().rposition(positive);
        let mut given = Decimal::ZERO;
        for (i, w) in self.weights.iter().enumerate() {
            if !positive(w) {
                continue;
            }
            parts[i] =
                if Some(i) == last && sum == self.out_of { whole - given } else { exact(whole * *w / self.out_of) };
            given += parts[i];
        }
    }
}
