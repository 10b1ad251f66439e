//! Reads a policy file (TOML) into a `Policy`, or explains every mistake it finds with its
//! line: unknown keys, wrong types, unknown genres or levels, negative caps, and rules that can
//! never fire (contradictory conditions, table entries outside the rule's own conditions,
//! rules shadowed by an earlier one). `docs/policy.md` describes the format.

use super::PolicyError;
use super::model::*;
use super::period::PeriodKind;
use crate::CorrespondentKind;
use crate::toml_read::{Span, Value, distance, entries_in, get, line_of, to_decimal};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use time::Date;
use toml::de::{DeTable, DeValue};

const TOP_KEYS: &[&str] =
    &["name", "valid_from", "valid_to", "note", "duplicates", "split", "ledger", "quota", "awarding", "award"];
const LEDGER_KEYS: &[&str] = &["label", "money", "scale", "rounding", "base", "bonus", "cap", "floor", "allowance"];
const CONDITION_KEYS: &[&str] = &[
    "outlet",
    "column",
    "genre",
    "level",
    "kind",
    "position",
    "instruction",
    "grade",
    "commissioned",
    "reprint",
    "min_length",
    "max_length",
];
const BASE_KEYS: &[&str] = &["id", "name", "value", "values", "by", "columns"];
const BONUS_KEYS: &[&str] = &["id", "name", "group", "add", "multiply", "by", "columns", "per_chars"];
const LIMIT_KEYS: &[&str] = &["month", "quarter", "year"];

/// The largest number a policy may write, so sums can never overflow.
const MAX_NUMBER: i64 = 100_000_000;
const MAX_FACTOR: i64 = 100;
const MAX_PRODUCT: i64 = 10_000;

/// Parses a policy file. Collects every error it can find rather than stopping at the first.
pub fn parse_policy(text: &str) -> Result<Policy, Vec<PolicyError>> {
    let root = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start));
            return Err(vec![PolicyError { line, message: format!("TOML 格式错误：{}", e.message().trim()) }]);
        }
    };
    let mut r = Reader { text, errors: Vec::new() };
    let policy = r.policy(root.get_ref());
    match policy {
        Some(p) if r.errors.is_empty() => Ok(p),
        _ => {
            let mut errors = r.errors;
            if errors.is_empty() {
                errors.push(PolicyError { line: None, message: "奖励办法不完整".into() });
            }
            errors.sort_by_key(|e| e.line.unwrap_or(0));
            errors.dedup();
            Err(errors)
        }
    }
}

/// Reports every quota that names a unit not in `units` (the station's unit names), each at the
/// line where the name is written: a misspelt unit would otherwise never be checked. `policy` is
/// what `parse_policy` made of `source`. Annual awards name no units (only kinds of correspondent),
/// so only quotas are checked.
pub fn check_units(source: &str, policy: &Policy, units: &[&str]) -> Result<(), Vec<PolicyError>> {
    let written = quota_unit_lines(source);
    let mut errors = Vec::new();
    for (i, quota) in policy.quotas.iter().enumerate() {
        let Some(names) = &quota.units else { continue };
        // The names with their lines, from the source when it matches the policy, else at the quota's line.
        let located: Vec<(&str, Option<usize>)> = match written.get(i) {
            Some(w) if w.len() == names.len() && w.iter().zip(names).all(|((a, _), b)| a == b) => {
                w.iter().map(|(name, line)| (name.as_str(), Some(*line))).collect()
            }
            _ => names.iter().map(|name| (name.as_str(), quota.line)).collect(),
        };
        for (name, line) in located {
            if !units.iter().any(|u| u.trim() == name) {
                errors.push(PolicyError {
                    line, message: format!("任务“{}”的单位“{name}”不存在", quota.name)
                });
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Each `[[quota]]`'s unit names as written, with their lines, in file order.
fn quota_unit_lines(source: &str) -> Vec<Vec<(String, usize)>> {
    let Ok(root) = DeTable::parse(source) else { return Vec::new() };
    let Some(v) = get(root.get_ref(), "quota") else { return Vec::new() };
    let tables: Vec<&DeTable> = match v.get_ref() {
        DeValue::Table(t) => vec![t],
        DeValue::Array(items) => items
            .iter()
            .filter_map(|i| match i.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let entry = |v: &Value| match v.get_ref() {
        DeValue::String(s) => Some((s.trim().to_string(), line_of(source, v.span().start))),
        _ => None,
    };
    tables
        .into_iter()
        .map(|t| match get(t, "units") {
            Some(u) => match u.get_ref() {
                DeValue::Array(items) => items.iter().filter_map(entry).collect(),
                _ => entry(u).into_iter().collect(),
            },
            None => Vec::new(),
        })
        .collect()
}

fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

/// How a ledger's numbers must look: money exact to its scale.
#[derive(Clone, Copy)]
struct Units {
    money: bool,
    scale: u32,
}

struct Reader<'s> {
    text: &'s str,
    errors: Vec<PolicyError>,
}

impl Reader<'_> {
    fn line(&self, span: &Span) -> usize {
        line_of(self.text, span.start)
    }

    fn err(&mut self, span: &Span, message: impl Into<String>) {
        let line = Some(self.line(span));
        self.errors.push(PolicyError { line, message: message.into() });
    }

    fn err_at(&mut self, line: Option<usize>, message: impl Into<String>) {
        self.errors.push(PolicyError { line, message: message.into() });
    }

    /// Reports every key of `t` not in `allowed`, with a suggestion when one is close.
    fn keys(&mut self, t: &DeTable, allowed: &[&str]) {
        for (key, span, _) in entries_in(t) {
            if allowed.contains(&key) {
                continue;
            }
            let close = allowed.iter().map(|a| (distance(key, a), *a)).filter(|(d, _)| *d <= 2).min();
            let message = match close {
                Some((_, a)) => format!("未知的键 “{key}”，是否应为 “{a}”？"),
                None => format!("未知的键 “{key}”（此处可用：{}）", allowed.join("、")),
            };
            self.err(&span, message);
        }
    }

    fn text(&mut self, v: &Value, what: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.trim().to_string()),
            _ => {
                self.err(&v.span(), format!("“{what}”应为文字（加英文双引号）"));
                None
            }
        }
    }

    fn string(&mut self, t: &DeTable, key: &str) -> Option<(String, Span)> {
        let v = get(t, key)?;
        self.text(v, key).map(|s| (s, v.span()))
    }

    fn number(&mut self, v: &Value, what: &str) -> Option<Decimal> {
        let d = to_decimal(v.get_ref());
        if d.is_none() {
            self.err(&v.span(), format!("“{what}”应为数字"));
        }
        d
    }

    fn decimal(&mut self, t: &DeTable, key: &str) -> Option<(Decimal, Span)> {
        let v = get(t, key)?;
        self.number(v, key).map(|d| (d, v.span()))
    }

    fn integer(&mut self, t: &DeTable, key: &str, range: std::ops::RangeInclusive<i64>) -> Option<(i64, Span)> {
        let v = get(t, key)?;
        let parsed = match v.get_ref() {
            DeValue::Integer(i) if i.radix() == 10 => i.as_str().replace('_', "").parse::<i64>().ok(),
            _ => None,
        };
        match parsed {
            Some(x) if range.contains(&x) => Some((x, v.span())),
            _ => {
                self.err(&v.span(), format!("“{key}”应为 {} 到 {} 之间的整数", range.start(), range.end()));
                None
            }
        }
    }

    fn boolean(&mut self, t: &DeTable, key: &str) -> Option<bool> {
        let v = get(t, key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.err(&v.span(), format!("“{key}”应为 true 或 false"));
                None
            }
        }
    }

    fn date(&mut self, t: &DeTable, key: &str) -> Option<(Date, Span)> {
        let v = get(t, key)?;
        let parsed = match v.get_ref() {
            DeValue::Datetime(dt) if dt.time.is_none() => dt.date.and_then(|d| {
                let month = time::Month::try_from(d.month).ok()?;
                Date::from_calendar_date(i32::from(d.year), month, d.day).ok()
            }),
            DeValue::String(s) => crate::parse_date(s),
            _ => None,
        }
        .filter(|d| crate::date_in_range(*d));
        if parsed.is_none() {
            self.err(&v.span(), format!("“{key}”应为1900年至2100年之间的日期，如 2007-01-01"));
        }
        parsed.map(|d| (d, v.span()))
    }

    /// A string or a list of strings; never empty.
    fn list(&mut self, v: &Value, what: &str) -> Option<Vec<(String, Span)>> {
        let out: Vec<(String, Span)> = match v.get_ref() {
            DeValue::String(s) => vec![(s.trim().to_string(), v.span())],
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    out.push((self.text(item, what)?, item.span()));
                }
                out
            }
            _ => {
                self.err(&v.span(), format!("“{what}”应为文字或文字列表，如 [\"消息\", \"通讯\"]"));
                return None;
            }
        };
        if out.is_empty() || out.iter().any(|(s, _)| s.is_empty()) {
            self.err(&v.span(), format!("“{what}”不能为空：空的条件永远不会匹配"));
            return None;
        }
        Some(out)
    }

    fn table<'t, 'a>(&mut self, v: &'t Value<'a>, what: &str) -> Option<&'t DeTable<'a>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.err(&v.span(), format!("“{what}”应为表，如 [{what}] 或 {{ … }}"));
                None
            }
        }
    }

    /// An array of tables (`[[bonus]]`); a single table is accepted as a list of one.
    fn tables<'t, 'a>(&mut self, v: &'t Value<'a>, what: &str) -> Vec<(&'t DeTable<'a>, Span)> {
        match v.get_ref() {
            DeValue::Table(t) => vec![(t, v.span())],
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    if let Some(t) = self.table(item, what) {
                        out.push((t, item.span()));
                    }
                }
                out
            }
            _ => {
                self.err(&v.span(), format!("“{what}”应写成 [[{what}]] 表"));
                Vec::new()
            }
        }
    }

    /// Checks one number of a ledger: not negative, not huge, money exact to the ledger's scale.
    fn amount_ok(&mut self, d: Decimal, span: &Span, what: &str, units: Units) -> bool {
        if d < Decimal::ZERO {
            self.err(span, format!("{what}不能为负数：{}", n(d)));
            false
        } else if d > Decimal::from(MAX_NUMBER) {
            self.err(span, format!("{what} {} 过大", n(d)));
            false
        } else if units.money && d.normalize().scale() > units.scale {
            self.err(span, format!("{what} {} 的小数位超过账目精度（{} 位）：金额精确到分", n(d), units.scale));
            false
        } else {
            true
        }
    }

    fn factor_ok(&mut self, d: Decimal, span: &Span) -> bool {
        if d <= Decimal::ZERO || d > Decimal::from(MAX_FACTOR) {
            self.err(span, format!("倍数应大于0且不超过{MAX_FACTOR}：{}", n(d)));
            false
        } else {
            true
        }
    }

    fn policy(&mut self, root: &DeTable) -> Option<Policy> {
        self.keys(root, TOP_KEYS);
        let name = self.string(root, "name").map(|(s, _)| s);
        if name.as_deref().is_none_or(str::is_empty) {
            self.err_at(None, "缺少办法名称：name = \"…\"");
        }
        let from = self.date(root, "valid_from");
        if from.is_none() && get(root, "valid_from").is_none() {
            self.err_at(None, "缺少生效日期：valid_from = 2007-01-01");
        }
        let to = self.date(root, "valid_to");
        if let (Some((f, _)), Some((t, span))) = (&from, &to)
            && t < f
        {
            self.err(span, "失效日期 valid_to 早于生效日期 valid_from");
        }
        let note = self.string(root, "note").map(|(s, _)| s).unwrap_or_default();
        let duplicates = match self.string(root, "duplicates") {
            None => Duplicates::All,
            Some((s, span)) => match s.as_str() {
                "all" | "全部" | "每次都计" => Duplicates::All,
                "best" | "最高" | "只计最高" => Duplicates::Best,
                _ => {
                    self.err(&span, format!("duplicates “{s}”无效：应为 all（每次都计）或 best（只计最高一次）"));
                    Duplicates::All
                }
            },
        };
        let split = self.split(root);
        let ledgers = self.ledgers(root);
        let quotas = self.quotas(root, &ledgers);
        let awarding = self.awarding(root);
        let awards = self.awards(root, &ledgers, awarding.one_per_person);
        let (from, dates_line) = match from {
            Some((d, span)) => (d, Some(self.line(&span))),
            None => return None,
        };
        Some(Policy {
            name: name?,
            valid_from: from,
            valid_to: to.map(|(d, _)| d),
            note,
            duplicates,
            split,
            ledgers,
            quotas,
            awarding,
            awards,
            dates_line,
        })
    }

    fn split(&mut self, root: &DeTable) -> Split {
        let mut split = Split::default();
        let Some(section) = get(root, "split") else { return split };
        let Some(t) = self.table(section, "split") else { return split };
        self.keys(t, &["method", "fallback", "weights", "external"]);
        let method = |s: &str| match s {
            "equal" | "平均" => Some(SplitMethod::Equal),
            "shares" | "按份额" => Some(SplitMethod::Shares),
            "weights" | "按权重" => Some(SplitMethod::Weights),
            "first_author" | "第一作者" => Some(SplitMethod::FirstAuthor),
            _ => None,
        };
        let expected = "应为 equal（平均）、shares（按署名份额）、weights（按顺序权重）或 first_author（只计第一作者）";
        if let Some((s, span)) = self.string(t, "method") {
            match method(&s) {
                Some(m) => split.method = m,
                None => self.err(&span, format!("method “{s}”无效：{expected}")),
            }
        }
        if let Some((s, span)) = self.string(t, "fallback") {
            match method(&s) {
                _ if split.method != SplitMethod::Shares => {
                    self.err(&span, "fallback 只在 method = \"shares\" 时使用（署名未写份额时的办法）")
                }
                Some(SplitMethod::Shares) | None => {
                    self.err(&span, format!("fallback “{s}”无效：应为 equal、weights 或 first_author"))
                }
                Some(m) => split.fallback = m,
            }
        }
        let uses_weights = split.method == SplitMethod::Weights || split.fallback == SplitMethod::Weights;
        match get(t, "weights") {
            Some(v) => {
                if !uses_weights {
                    self.err(&v.span(), "weights 只在 method 或 fallback 为 \"weights\" 时使用");
                }
                match v.get_ref() {
                    DeValue::Array(items) => {
                        for item in items.iter() {
                            if let Some(w) = self.number(item, "weights")
                                && self.amount_ok(w, &item.span(), "权重", Units { money: false, scale: 6 })
                            {
                                split.weights.push(w);
                            }
                        }
                        if !split.weights.iter().any(|w| *w > Decimal::ZERO) {
                            self.err(&v.span(), "weights 至少要有一个大于0的权重，如 [3, 2]");
                        }
                    }
                    _ => self.err(&v.span(), "weights 应为数字列表，如 [3, 2]"),
                }
            }
            None if uses_weights => self.err(&section.span(), "按权重分配需要 weights，如 [3, 2]"),
            None => {}
        }
        if let Some((s, span)) = self.string(t, "external") {
            match s.as_str() {
                "whole" | "全部" => split.external = External::Whole,
                "share" | "占份" => split.external = External::Share,
                _ => self.err(
                    &span,
                    format!("external “{s}”无效：应为 whole（全部归本网络作者）或 share（外部作者占一份）"),
                ),
            }
        }
        split
    }

    fn ledgers(&mut self, root: &DeTable) -> Vec<Ledger> {
        let mut out = Vec::new();
        let Some(v) = get(root, "ledger") else {
            self.err_at(None, "至少要有一个账目，如 [ledger.money]");
            return out;
        };
        let Some(t) = self.table(v, "ledger") else { return out };
        for (key, span, v) in entries_in(t) {
            let good = key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !good {
                self.err(&span, format!("账目名“{key}”应由小写英文字母、数字和下划线组成，如 money、points"));
                continue;
            }
            if key == "pieces" || key == "award" {
                self.err(&span, format!("账目名“{key}”是保留字，请换一个"));
                continue;
            }
            if let Some(lt) = self.table(v, key) {
                out.push(self.ledger(key, lt, &span));
            }
        }
        if out.is_empty() && self.errors.is_empty() {
            self.err(&v.span(), "至少要有一个账目，如 [ledger.money]");
        }
        out
    }

    fn ledger(&mut self, key: &str, t: &DeTable, span: &Span) -> Ledger {
        self.keys(t, LEDGER_KEYS);
        let label = match self.string(t, "label") {
            Some((s, _)) if !s.is_empty() => s,
            found => {
                // A label of the wrong type has been reported already.
                if found.is_some() || get(t, "label").is_none() {
                    self.err(span, format!("账目“{key}”缺少名称：label = \"积分\" 或 \"奖金\""));
                }
                key.to_string()
            }
        };
        let money = self.boolean(t, "money").unwrap_or(false);
        let max_scale = if money { 2 } else { 6 };
        let scale = self.integer(t, "scale", 0..=max_scale).map_or(2, |(s, _)| s as u32);
        let rounding = match self.string(t, "rounding") {
            None => Rounding::HalfUp,
            Some((s, span)) => Rounding::parse(&s).unwrap_or_else(|| {
                self.err(&span, format!("rounding “{s}”无效：应为 half_up（四舍五入）、half_even（银行家舍入）、down（舍去）或 up（进一）"));
                Rounding::HalfUp
            }),
        };
        let units = Units { money, scale };
        let base = self.rules(t, "base", units);
        let bonus = self.rules(t, "bonus", units);
        // Bounded so that no placement's value can overflow, whatever matches.
        let most = bonus
            .iter()
            .filter(|r| r.op == Op::Multiply)
            .map(|r| r.amount.numbers().into_iter().max().unwrap_or(Decimal::ONE))
            .fold(Decimal::ONE, |acc, f| (acc * f).min(Decimal::from(MAX_PRODUCT + 1)));
        if most > Decimal::from(MAX_PRODUCT) {
            self.err(span, format!("账目“{key}”的倍数连乘起来超过{MAX_PRODUCT}倍"));
        }
        self.shadowed(&base, "基础分值规则只取第一条符合的");
        self.shadowed(&bonus, "同一 group 只取第一条符合的");
        let cap = self.limits(t, "cap", units);
        let floor = self.limits(t, "floor", units);
        self.check_limits(&cap, &floor);
        let allowance = self.allowance(t, units);
        Ledger {
            key: key.to_string(),
            label,
            is_money: money,
            scale,
            rounding,
            base,
            bonus,
            cap,
            floor,
            allowance,
            line: Some(self.line(span)),
        }
    }

    fn rules(&mut self, t: &DeTable, section: &str, units: Units) -> Vec<Rule> {
        let Some(v) = get(t, section) else { return Vec::new() };
        let mut out: Vec<Rule> = Vec::new();
        for (i, (rt, span)) in self.tables(v, section).into_iter().enumerate() {
            if let Some(rule) = self.rule(rt, &span, section, i + 1, units) {
                if let Some(other) = out.iter().find(|r| r.id == rule.id) {
                    let line = other.line.unwrap_or(0);
                    self.err(&span, format!("规则编号“{}”与第{line}行重复", rule.id));
                }
                out.push(rule);
            }
        }
        out
    }

    fn rule(&mut self, t: &DeTable, span: &Span, section: &str, index: usize, units: Units) -> Option<Rule> {
        let own = if section == "base" { BASE_KEYS } else { BONUS_KEYS };
        let allowed: Vec<&str> = own.iter().chain(CONDITION_KEYS).copied().collect();
        self.keys(t, &allowed);
        let id = match self.string(t, "id") {
            Some((s, span)) if s.is_empty() || s.chars().any(char::is_whitespace) => {
                self.err(&span, "规则编号 id 不能为空或含空格");
                format!("{section}.{index}")
            }
            Some((s, _)) => format!("{section}.{s}"),
            None => format!("{section}.{index}"),
        };
        let name = self.string(t, "name").map(|(s, _)| s).unwrap_or_default();
        let group = if section == "bonus" { self.string(t, "group").map(|(s, _)| s) } else { None };
        let when = self.conditions(t);
        let by = self.by(t);
        let columns = get(t, "columns");
        let (op, value) = if section == "base" {
            let key = if by.is_empty() { "value" } else { "values" };
            let other = if by.is_empty() { "values" } else { "value" };
            if let Some(v) = get(t, other) {
                let hint =
                    if by.is_empty() { "values 需要配合 by 使用" } else { "按 by 查表时请用 values" };
                self.err(&v.span(), hint);
                return None;
            }
            match get(t, key) {
                Some(v) => (Op::Value, v),
                None => {
                    self.err(span, format!("基础分值规则缺少 {key}"));
                    return None;
                }
            }
        } else {
            match (get(t, "add"), get(t, "multiply")) {
                (Some(v), None) => (Op::Add, v),
                (None, Some(v)) => (Op::Multiply, v),
                (Some(_), Some(v)) => {
                    self.err(&v.span(), "一条规则只能有 add 或 multiply 之一，请拆成两条");
                    return None;
                }
                (None, None) => {
                    self.err(span, "加分规则缺少 add（加）或 multiply（乘）");
                    return None;
                }
            }
        };
        let what = match op {
            Op::Value => "分值",
            Op::Add => "加分",
            Op::Multiply => "倍数",
        };
        let key = match op {
            Op::Value if by.is_empty() => "value",
            Op::Value => "values",
            Op::Add => "add",
            Op::Multiply => "multiply",
        };
        let amount = self.amount(value, &by, columns, op, (key, what), units)?;
        let per_chars = match self.integer(t, "per_chars", 1..=1_000_000) {
            Some((_, span)) if op != Op::Add => {
                self.err(&span, "per_chars 只能与 add 一起用（按字数比例加分）");
                None
            }
            other => other.map(|(x, _)| x as i32),
        };
        let rule = Rule { id, name, group, when, op, amount, per_chars, line: Some(self.line(span)) };
        self.reachable(&rule, value, span);
        Some(rule)
    }

    /// Reports a rule (or an entry of its table) that no placement can ever reach.
    fn reachable(&mut self, rule: &Rule, value: &Value, span: &Span) {
        if let (Some(a), Some(b)) = (rule.when.min_length, rule.when.max_length)
            && a > b
        {
            self.err(span, format!("本规则永远不会生效：min_length {a} 大于 max_length {b}"));
            return;
        }
        for (dim, codes) in rule.amount.axes() {
            let Some(own) = rule.when.sets.get(&dim) else { continue };
            let keys: Vec<&Key> = match &rule.amount {
                Amount::By { entries, .. } => entries.iter().map(|(k, _)| k).collect(),
                Amount::Table { rows, cells, .. } if *rows == dim => cells.iter().map(|(k, _)| k).collect(),
                Amount::Table { header, .. } => header.iter().collect(),
                Amount::Fixed { .. } => Vec::new(),
            };
            if own.codes.is_disjoint(&codes) {
                self.err(
                    span,
                    format!("本规则永远不会生效：表中的{}与条件 {} = {} 没有交集", dim.zh(), dim.key(), own.text),
                );
                return;
            }
            for k in keys.iter().filter(|k| k.codes.is_disjoint(&own.codes)) {
                let line = Some(self.line(&value.span()));
                self.err_at(
                    line,
                    format!("“{}”不在本规则的条件 {} = {} 之内，永远用不到", k.text, dim.key(), own.text),
                );
            }
        }
    }

    /// Reports rules that an earlier rule of the same first-match group always beats.
    fn shadowed(&mut self, rules: &[Rule], why: &str) {
        for (j, later) in rules.iter().enumerate() {
            let Some(reach) = later.reach() else { continue };
            let first_match = later.op == Op::Value || later.group.is_some();
            if !first_match {
                continue;
            }
            for earlier in &rules[..j] {
                if earlier.group != later.group || !earlier.amount.is_complete() {
                    continue;
                }
                if earlier.reach().is_some_and(|r| r.covers(&reach)) {
                    let line = earlier.line.unwrap_or(0);
                    self.err_at(
                        later.line,
                        format!(
                            "规则“{}”永远不会生效：它能匹配的稿件都会先匹配第{line}行的“{}”（{why}）",
                            later.id, earlier.id
                        ),
                    );
                    break;
                }
            }
        }
    }

    fn conditions(&mut self, t: &DeTable) -> Conditions {
        let mut c = Conditions::default();
        for dim in Dim::ALL {
            let Some(v) = get(t, dim.key()) else { continue };
            let Some(texts) = self.list(v, dim.key()) else { continue };
            if let Some(key) = self.key_of(*dim, &texts) {
                c.sets.insert(*dim, key);
            }
        }
        c.commissioned = self.boolean(t, "commissioned");
        c.reprint = self.boolean(t, "reprint");
        c.min_length = self.integer(t, "min_length", 0..=1_000_000).map(|(x, _)| x as i32);
        c.max_length = self.integer(t, "max_length", 0..=1_000_000).map(|(x, _)| x as i32);
        c
    }

    /// Several values of one dimension as one key; reports the ones that are not valid.
    fn key_of(&mut self, dim: Dim, texts: &[(String, Span)]) -> Option<Key> {
        let mut codes = BTreeSet::new();
        let mut ok = true;
        for (text, span) in texts {
            match dim.parse_key(text) {
                Ok(c) => codes.extend(c),
                Err(expected) => {
                    self.err(span, format!("“{text}”不是有效的{}：{expected}", dim.zh()));
                    ok = false;
                }
            }
        }
        let text = texts.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join("、");
        ok.then_some(Key { text, codes })
    }

    /// The dimensions of `by = "level"` or `by = ["genre", "level"]`.
    fn by(&mut self, t: &DeTable) -> Vec<(Dim, Span)> {
        let Some(v) = get(t, "by") else { return Vec::new() };
        let Some(names) = self.list(v, "by") else { return Vec::new() };
        let mut out: Vec<(Dim, Span)> = Vec::new();
        for (name, span) in names {
            match Dim::from_key(&name) {
                Some(d) if out.iter().any(|(o, _)| *o == d) => self.err(&span, format!("by 中的“{name}”重复")),
                Some(d) => out.push((d, span)),
                None => {
                    let all: Vec<&str> = Dim::ALL.iter().map(|d| d.key()).collect();
                    self.err(&span, format!("by “{name}”无效：应为 {}", all.join("、")));
                }
            }
        }
        if out.len() > 2 {
            self.err(&v.span(), "by 最多两个维度（行 × 列）");
            out.truncate(2);
        }
        out
    }

    fn amount(
        &mut self,
        v: &Value,
        by: &[(Dim, Span)],
        columns: Option<&Value>,
        op: Op,
        (key, what): (&str, &str),
        units: Units,
    ) -> Option<Amount> {
        if by.len() != 2
            && let Some(c) = columns
        {
            self.err(&c.span(), "columns 只用于两个维度的表：by = [\"genre\", \"level\"]");
        }
        match by {
            [] => {
                let d = self.number(v, key)?;
                self.number_ok(d, &v.span(), op, what, units).then_some(Amount::Fixed { value: d })
            }
            [(dim, _)] => {
                let t = self.table(v, what)?;
                let mut entries: Vec<(Key, Decimal)> = Vec::new();
                let mut spans: Vec<Span> = Vec::new();
                for (text, span, cell) in entries_in(t) {
                    let key = self.key_of(*dim, &[(text.to_string(), span.clone())]);
                    let d = self.number(cell, text);
                    if let (Some(key), Some(d)) = (key, d)
                        && self.number_ok(d, &cell.span(), op, what, units)
                    {
                        entries.push((key, d));
                        spans.push(span);
                    }
                }
                self.overlaps(&entries.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(), &spans);
                if entries.is_empty() {
                    self.err(&v.span(), format!("{what}表是空的：永远不会匹配"));
                    return None;
                }
                Some(Amount::By { dim: *dim, entries })
            }
            [(rows, _), (cols, _)] => {
                let Some(columns) = columns else {
                    self.err(
                        &v.span(),
                        format!("两个维度的表需要 columns，列出{}，如 [\"县级\", \"市级\", \"省级及以上\"]", cols.zh()),
                    );
                    return None;
                };
                let names = self.list(columns, "columns")?;
                let mut header = Vec::new();
                for (text, span) in &names {
                    header.push(self.key_of(*cols, &[(text.clone(), span.clone())])?);
                }
                self.overlaps(&header, &names.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>());
                let t = self.table(v, what)?;
                let mut cells: Vec<(Key, Vec<Option<Decimal>>)> = Vec::new();
                let mut spans: Vec<Span> = Vec::new();
                for (text, span, row) in entries_in(t) {
                    let key = self.key_of(*rows, &[(text.to_string(), span.clone())]);
                    let values = self.row(row, text, header.len(), op, what, units);
                    if let (Some(key), Some(values)) = (key, values) {
                        cells.push((key, values));
                        spans.push(span);
                    }
                }
                self.overlaps(&cells.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(), &spans);
                if cells.is_empty() {
                    self.err(&v.span(), format!("{what}表是空的：永远不会匹配"));
                    return None;
                }
                Some(Amount::Table { rows: *rows, columns: *cols, header, cells })
            }
            _ => None,
        }
    }

    /// One row of a two-way table: numbers, or "-" where the rule does not apply.
    fn row(
        &mut self,
        v: &Value,
        text: &str,
        width: usize,
        op: Op,
        what: &str,
        units: Units,
    ) -> Option<Vec<Option<Decimal>>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.err(&v.span(), format!("“{text}”这一行应为数字列表，如 [10, 15, 30]"));
            return None;
        };
        if items.len() != width {
            self.err(&v.span(), format!("“{text}”这一行有 {} 个数，columns 有 {width} 列", items.len()));
            return None;
        }
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) if s.trim() == "-" => out.push(None),
                _ => {
                    let d = self.number(item, text)?;
                    if !self.number_ok(d, &item.span(), op, what, units) {
                        return None;
                    }
                    out.push(Some(d));
                }
            }
        }
        if out.iter().all(Option::is_none) {
            self.err(&v.span(), format!("“{text}”这一行全是“-”：永远用不到"));
            return None;
        }
        Some(out)
    }

    fn number_ok(&mut self, d: Decimal, span: &Span, op: Op, what: &str, units: Units) -> bool {
        match op {
            Op::Multiply => self.factor_ok(d, span),
            Op::Value | Op::Add => self.amount_ok(d, span, what, units),
        }
    }

    /// Reports keys of one table that cover the same value twice ("省级及以上" and "国家级").
    fn overlaps(&mut self, keys: &[Key], spans: &[Span]) {
        for j in 0..keys.len() {
            if let Some(i) = (0..j).find(|&i| !keys[i].codes.is_disjoint(&keys[j].codes)) {
                let message = format!("“{}”与“{}”重叠：同一稿件只能对应一格", keys[j].text, keys[i].text);
                self.err(&spans[j], message);
            }
        }
    }

    fn limits(&mut self, t: &DeTable, key: &str, units: Units) -> Limits {
        let mut limits = Limits::default();
        let Some(v) = get(t, key) else { return limits };
        let Some(lt) = self.table(v, key) else { return limits };
        limits.line = Some(self.line(&v.span()));
        self.keys(lt, LIMIT_KEYS);
        let what = if key == "cap" { "上限" } else { "下限" };
        for kind in PeriodKind::ALL {
            let Some((d, span)) = self.decimal(lt, kind.code()) else { continue };
            let label = format!("每{}{what}", kind.zh());
            let ok = if key == "floor" && d < Decimal::ZERO {
                // A negative floor limits deductions (最多扣到 -20).
                self.amount_ok(-d, &span, &label, units)
            } else {
                self.amount_ok(d, &span, &label, units)
            };
            if ok {
                match kind {
                    PeriodKind::Month => limits.month = Some(d),
                    PeriodKind::Quarter => limits.quarter = Some(d),
                    PeriodKind::Year => limits.year = Some(d),
                }
            }
        }
        limits
    }

    /// Caps and floors that could not all hold at once are refused rather than silently broken.
    fn check_limits(&mut self, cap: &Limits, floor: &Limits) {
        let line = floor.line;
        for kind in PeriodKind::ALL {
            if let (Some(c), Some(f)) = (cap.get(*kind), floor.get(*kind))
                && f > c
            {
                self.err_at(line, format!("每{}下限 {} 高于上限 {}", kind.zh(), n(f), n(c)));
            }
        }
        for (i, short) in PeriodKind::ALL.iter().enumerate() {
            for long in &PeriodKind::ALL[i + 1..] {
                if let (Some(f), Some(_)) = (floor.get(*short), cap.get(*long))
                    && f > Decimal::ZERO
                {
                    self.err_at(
                        line,
                        format!("每{}下限大于0时不能同时设每{}上限：补足下限可能突破上限", short.zh(), long.zh()),
                    );
                }
                if let (Some(_), Some(_)) = (floor.get(*long), cap.get(*short)) {
                    self.err_at(
                        line,
                        format!(
                            "设了每{}上限就不能再设每{}下限：期末补足可能突破每{}上限",
                            short.zh(),
                            long.zh(),
                            short.zh()
                        ),
                    );
                }
            }
        }
    }

    fn allowance(&mut self, t: &DeTable, units: Units) -> Option<Allowance> {
        let v = get(t, "allowance")?;
        let at = self.table(v, "allowance")?;
        self.keys(at, &["amount", "per", "kinds"]);
        let line = Some(self.line(&v.span()));
        let amount = match self.decimal(at, "amount") {
            Some((d, span)) => self.amount_ok(d, &span, "基础额度", units).then_some(d),
            None => {
                self.err(&v.span(), "allowance 缺少 amount（每期基础额度）");
                None
            }
        };
        let per = self.per(at, &v.span());
        let kinds = self.kinds(at);
        Some(Allowance { amount: amount?, per: per?, kinds, line })
    }

    /// `per = "month"` and the like.
    fn per(&mut self, t: &DeTable, table_span: &Span) -> Option<PeriodKind> {
        let Some((s, span)) = self.string(t, "per") else {
            self.err(table_span, "缺少 per：month（每月）、quarter（每季度）或 year（每年）");
            return None;
        };
        let kind = PeriodKind::parse(&s);
        if kind.is_none() {
            self.err(&span, format!("per “{s}”无效：应为 month（每月）、quarter（每季度）或 year（每年）"));
        }
        kind
    }

    fn kinds(&mut self, t: &DeTable) -> Option<Vec<CorrespondentKind>> {
        let v = get(t, "kinds")?;
        let names = self.list(v, "kinds")?;
        let mut out = Vec::new();
        for (name, span) in names {
            match CorrespondentKind::parse(&name) {
                Some(k) => out.push(k),
                None => self.err(&span, format!("“{name}”不是有效的通讯员类型：{}", CorrespondentKind::expected())),
            }
        }
        Some(out)
    }

    fn quotas(&mut self, root: &DeTable, ledgers: &[Ledger]) -> Vec<Quota> {
        let Some(v) = get(root, "quota") else { return Vec::new() };
        let mut out: Vec<Quota> = Vec::new();
        for (i, (t, span)) in self.tables(v, "quota").into_iter().enumerate() {
            self.keys(t, &["id", "name", "per", "min_pieces", "units", "penalty", "applies_to"]);
            let id = self.string(t, "id").map_or_else(|| (i + 1).to_string(), |(s, _)| s);
            let name = self.string(t, "name").map(|(s, _)| s).unwrap_or_else(|| "发稿任务".into());
            let per = self.per(t, &span);
            let min_pieces = match self.decimal(t, "min_pieces") {
                Some((d, _)) if d > Decimal::ZERO && d <= Decimal::from(MAX_NUMBER) => Some(d),
                Some((d, span)) => {
                    self.err(&span, format!("min_pieces 应大于0：{} 篇的任务永远不会完不成", n(d)));
                    None
                }
                None => {
                    self.err(&span, "quota 缺少 min_pieces（每期最少篇数）");
                    None
                }
            };
            let units = match get(t, "units") {
                Some(v) => self.list(v, "units").map(|l| l.into_iter().map(|(s, _)| s).collect::<Vec<_>>()),
                None => None,
            };
            let mut penalty = BTreeMap::new();
            match get(t, "penalty") {
                Some(pv) => {
                    if let Some(pt) = self.table(pv, "penalty") {
                        for (key, kspan, amount) in entries_in(pt) {
                            let Some(ledger) = ledgers.iter().find(|l| l.key == key) else {
                                self.err(&kspan, format!("penalty 中的账目“{key}”不存在"));
                                continue;
                            };
                            let units = Units { money: ledger.is_money, scale: ledger.scale };
                            if let Some(d) = self.number(amount, key)
                                && self.amount_ok(d, &amount.span(), "扣减额", units)
                            {
                                if d.is_zero() {
                                    self.err(&amount.span(), "扣减额应大于0");
                                } else {
                                    penalty.insert(key.to_string(), d);
                                }
                            }
                        }
                        if pt.is_empty() {
                            self.err(&pv.span(), "penalty 不能为空，如 { points = 10 }");
                        }
                    }
                }
                None => self.err(&span, "quota 缺少 penalty（未完成时的扣减），如 penalty = { points = 10 }"),
            }
            let applies_to = match self.string(t, "applies_to") {
                None => PenaltyTarget::Unit,
                Some((s, span)) => match s.as_str() {
                    "unit" | "单位" => PenaltyTarget::Unit,
                    "each_member" | "每人" => PenaltyTarget::EachMember,
                    _ => {
                        self.err(
                            &span,
                            format!("applies_to “{s}”无效：应为 unit（扣单位）或 each_member（单位每位通讯员各扣）"),
                        );
                        PenaltyTarget::Unit
                    }
                },
            };
            let (Some(per), Some(min_pieces)) = (per, min_pieces) else { continue };
            let quota = Quota { id, name, per, min_pieces, units, penalty, applies_to, line: Some(self.line(&span)) };
            let clash = out.iter().find(|q| {
                q.per == quota.per
                    && match (&q.units, &quota.units) {
                        (Some(a), Some(b)) => a.iter().any(|u| b.contains(u)),
                        _ => true,
                    }
            });
            if let Some(other) = clash {
                let line = other.line.unwrap_or(0);
                self.err(&span, format!("与第{line}行的任务重复：同一单位同一周期只能有一项任务"));
            }
            if out.iter().any(|q| q.id == quota.id) {
                self.err(&span, format!("任务编号“{}”重复", quota.id));
            }
            out.push(quota);
        }
        out
    }

    fn awarding(&mut self, root: &DeTable) -> Awarding {
        let mut awarding = Awarding::default();
        let Some(v) = get(root, "awarding") else { return awarding };
        let Some(t) = self.table(v, "awarding") else { return awarding };
        self.keys(t, &["one_per_person", "joint", "count_as"]);
        if let Some(b) = self.boolean(t, "one_per_person") {
            awarding.one_per_person = b;
        }
        if let Some((s, span)) = self.string(t, "joint") {
            match s.as_str() {
                "share" | "按份额" => awarding.joint_as_share = true,
                "whole" | "整篇" => awarding.joint_as_share = false,
                _ => self
                    .err(&span, format!("joint “{s}”无效：应为 share（合作稿按份额计篇）或 whole（每位作者各计一篇）")),
            }
        }
        if let Some(cv) = get(t, "count_as") {
            for (i, (ct, span)) in self.tables(cv, "count_as").into_iter().enumerate() {
                let allowed: Vec<&str> = ["id", "pieces"].iter().chain(CONDITION_KEYS).copied().collect();
                self.keys(ct, &allowed);
                let id = self
                    .string(ct, "id")
                    .map_or_else(|| format!("count_as.{}", i + 1), |(s, _)| format!("count_as.{s}"));
                let when = self.conditions(ct);
                let pieces = match self.decimal(ct, "pieces") {
                    Some((d, _)) if d > Decimal::ZERO && d <= Decimal::from(MAX_FACTOR) => Some(d),
                    Some((_, span)) => {
                        self.err(&span, format!("pieces 应大于0且不超过{MAX_FACTOR}"));
                        None
                    }
                    None => {
                        self.err(&span, "count_as 缺少 pieces（折合篇数）");
                        None
                    }
                };
                let line = Some(self.line(&span));
                if let Some(earlier) = awarding.count_as.iter().find(|c| c.when.covers(&when)) {
                    let at = earlier.line.unwrap_or(0);
                    self.err(&span, format!("折算规则永远不会生效：符合它的稿件都会先按第{at}行的规则折算"));
                }
                if let Some(pieces) = pieces {
                    awarding.count_as.push(CountAs { id, when, pieces, line });
                }
            }
        }
        awarding
    }

    fn awards(&mut self, root: &DeTable, ledgers: &[Ledger], one_per_person: bool) -> Vec<Award> {
        let Some(v) = get(root, "award") else { return Vec::new() };
        let mut out: Vec<Award> = Vec::new();
        for (t, span) in self.tables(v, "award") {
            self.keys(t, &["name", "min", "kinds"]);
            let name = match self.string(t, "name") {
                Some((s, _)) if !s.is_empty() => s,
                _ => {
                    self.err(&span, "奖项缺少 name，如 name = \"优秀通讯员\"");
                    continue;
                }
            };
            let mut min = BTreeMap::new();
            match get(t, "min") {
                Some(mv) => {
                    if let Some(mt) = self.table(mv, "min") {
                        for (key, kspan, value) in entries_in(mt) {
                            if key != "pieces" && !ledgers.iter().any(|l| l.key == key) {
                                self.err(&kspan, format!("min 中的“{key}”无效：应为 pieces（篇数）或账目名"));
                                continue;
                            }
                            if let Some(d) = self.number(value, key)
                                && self.amount_ok(d, &value.span(), "评奖门槛", Units { money: false, scale: 6 })
                            {
                                min.insert(key.to_string(), d);
                            }
                        }
                        if mt.is_empty() {
                            self.err(&mv.span(), "min 不能为空，如 { points = 100 } 或 { pieces = 12 }");
                        }
                    }
                }
                None => self.err(&span, "奖项缺少门槛 min，如 min = { points = 100 }"),
            }
            let kinds = self.kinds(t);
            let award = Award { name, min, kinds, line: Some(self.line(&span)) };
            if out.iter().any(|a| a.name == award.name) {
                self.err(&span, format!("奖项“{}”重复", award.name));
            }
            if one_per_person && let Some(earlier) = out.iter().find(|a| award_covers(a, &award)) {
                let at = earlier.line.unwrap_or(0);
                self.err(
                    &span,
                    format!(
                        "奖项“{}”永远评不上：够条件的人都会先评为第{at}行的“{}”（一人只评一项）",
                        award.name, earlier.name
                    ),
                );
            }
            out.push(award);
        }
        out
    }
}

/// Whether everyone qualifying for `later` also qualifies for `earlier`.
fn award_covers(earlier: &Award, later: &Award) -> bool {
    let kinds = match (&earlier.kinds, &later.kinds) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => b.iter().all(|k| a.contains(k)),
    };
    kinds && earlier.min.iter().all(|(metric, min)| later.min.get(metric).is_some_and(|m| m >= min))
}
