//! Reward policies (奖励办法) and the engine that applies them. A policy is data: a TOML file
//! (`format`, described in `docs/policy.md`) read into a `Policy` (`model`), in force between two
//! dates. `engine::compute` turns a period's placements into a `Statement` of points and money per
//! person and unit, every figure with the trail of rules behind it.

pub mod corrections;
pub mod engine;
pub mod format;
pub mod model;
pub mod period;

#[cfg(test)]
mod tests;

pub use corrections::{Correction, carry};
pub use engine::{
    Adjustment, ComputeError, Input, Item, ItemAuthor, LedgerInfo, Person, PersonLine, Statement, TrailStep, UnitInfo,
    UnitLine, compute, compute_figures,
};
pub use format::{check_units, parse_policy};
pub use model::*;
pub use period::{Period, PeriodKind};

/// A mistake in a policy file, with the line it is on when known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "第{line}行：{}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PolicyError {}

/// Refuses a policy whose dates overlap another's: a station has one policy on any day.
pub fn check_overlap(new: &Policy, existing: &[Policy]) -> Result<(), PolicyError> {
    for other in existing {
        if new.in_force_during(other.valid_from, other.valid_to.unwrap_or(time::Date::MAX)) {
            return Err(PolicyError {
                line: new.dates_line,
                message: format!(
                    "生效日期（{}）与已有的“{}”（{}）重叠：同一时间只能有一个奖励办法",
                    new.dates_text(),
                    other.name,
                    other.dates_text()
                ),
            });
        }
    }
    Ok(())
}
