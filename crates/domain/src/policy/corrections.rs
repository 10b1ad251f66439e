//! Corrections (更正). A published notice is frozen; when its period's figures change afterwards
//! (a placement reported late, an adjustment entered late), the difference is carried into the
//! next monthly statement, once. `carry` works out what is still to carry from one published
//! period; the engine adds corrections to the figures after everything else (see `Input`).

use super::engine::Statement;
use super::period::{Period, PeriodKind};
use crate::CorrespondentId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A difference carried from an earlier, published notice into this statement (更正).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub correspondent_id: CorrespondentId,
    pub ledger: String,
    /// Exact, at the scale of the ledger it was worked out in: added to the figure as it is,
    /// after rounding, never rounded again (so a correction from a month whose ledger kept
    /// more places than this one keeps them).
    pub amount: Decimal,
    /// The published period it comes from, as written: "2007-12", "2007-Q4" or "2007".
    pub from_period: String,
}

impl Correction {
    /// The trail's words: "更正：2007年12月公示后变动".
    pub fn describe(&self) -> String {
        format!("更正：{}公示后变动", period_words(&self.from_period))
    }
}

/// "2007-12" → 2007年12月, "2007-Q4" → 2007年第四季度, "2007" → 2007年度; anything else as written.
fn period_words(text: &str) -> String {
    match Period::parse(text) {
        Ok(p) if p.kind == PeriodKind::Year => format!("{}年度", p.from.year()),
        Ok(p) => p.zh(),
        Err(_) => text.trim().to_string(),
    }
}

/// What is still to carry from a published period: for every person and ledger in either
/// statement (or already carried), `recomputed − published − already`, non-zero only, ordered
/// by person then ledger, each with `from_period` = the published period.
///
/// `published` is the notice as published, with the corrections it carried; `recomputed` is the
/// same period computed today with those same corrections, so that they cancel and only what
/// changed in the period itself remains. `already` is what later statements carried from it;
/// corrections from other periods in it are ignored, so the caller may pass them all.
pub fn carry(published: &Statement, recomputed: &Statement, already: &[Correction]) -> Vec<Correction> {
    let mut owed: BTreeMap<(CorrespondentId, &str), Decimal> = BTreeMap::new();
    for line in &recomputed.lines {
        for (key, value) in &line.ledgers {
            *owed.entry((line.correspondent_id, key)).or_default() += *value;
        }
    }
    for line in &published.lines {
        for (key, value) in &line.ledgers {
            *owed.entry((line.correspondent_id, key)).or_default() -= *value;
        }
    }
    // Keys of `already` count too: a person who has since left both statements gets back
    // what was carried for them.
    for c in already.iter().filter(|c| Period::parse(&c.from_period).is_ok_and(|p| p == published.period)) {
        *owed.entry((c.correspondent_id, &c.ledger)).or_default() -= c.amount;
    }
    let from_period = published.period.to_string();
    owed.into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|((correspondent_id, ledger), amount)| Correction {
            correspondent_id,
            ledger: ledger.to_string(),
            amount,
            from_period: from_period.clone(),
        })
        .collect()
}
