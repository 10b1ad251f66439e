//! Author shares at the extremes of i32: validation refuses every byline whose shares are out
//! of 0..=100% or do not add up to exactly 100% (no sum may wrap around to 10000), the written
//! byline's reader never yields a share out of range, and the engine never panics and never
//! pays a share outside 0..=100%.

use super::*;
use crate::FULL_SHARE;
use crate::byline::parse_byline;
use crate::{Byline, FieldErrors, check_bylines};
use proptest::prelude::*;

/// A share as anything could send it: the edges of i32, around 0 and 100%, and ordinary ones.
fn share() -> impl Strategy<Value = Option<i32>> {
    let value = prop_oneof![
        Just(i32::MIN),
        Just(i32::MAX),
        Just(i32::MAX - 1),
        Just(-1),
        Just(0),
        Just(1),
        Just(FULL_SHARE),
        Just(FULL_SHARE + 1),
        Just(FULL_SHARE / 2),
        any::<i32>(),
        -20_000i32..20_000,
    ];
    prop::option::weighted(0.9, value)
}

/// What validation must decide, worked out apart from it: no share at all, or each in
/// 1..=10000 adding up (in i128, which nothing here can overflow) to exactly 10000.
fn acceptable(shares: &[Option<i32>]) -> bool {
    if shares.iter().all(Option::is_none) {
        return true;
    }
    shares.iter().all(|s| s.is_some_and(|s| (1..=FULL_SHARE).contains(&s)))
        && shares.iter().map(|s| i128::from(s.unwrap_or(0))).sum::<i128>() == i128::from(FULL_SHARE)
}

/// Money only, split by the shares written (equal when they are not).
fn shares_policy() -> Policy {
    policy(
        "name = \"份额\"\nvalid_from = 2007-01-01\n[split]\nmethod = \"shares\"\n\
         [ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nvalue = 100\n",
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn shares_out_of_range_or_not_adding_up_are_refused(
        shares in prop::collection::vec(share(), 1..=4),
        wrapping in any::<bool>(),
    ) {
        // Now and then a byline made to wrap: i32::MAX twice and what brings the i32 sum back to 10000.
        let shares = if wrapping { vec![Some(i32::MAX), Some(i32::MAX), Some(FULL_SHARE + 2)] } else { shares };
        let bylines: Vec<Byline> = shares
            .iter()
            .enumerate()
            .map(|(i, s)| Byline { correspondent_id: CorrespondentId(i as i64 + 1), share_bp: *s })
            .collect();
        let mut e = FieldErrors::default();
        check_bylines(&mut e, "authors", &bylines);
        prop_assert_eq!(e.is_empty(), acceptable(&shares), "{:?}: {}", shares, e);
        prop_assert_eq!(crate::shares_problem(&shares).is_none(), acceptable(&shares));

        // The same shares written as text: read back within range, or refused.
        let text: Vec<String> = shares
            .iter()
            .enumerate()
            .map(|(i, s)| match s {
                Some(bp) => format!("作者{i}({}%)", f64::from(*bp) / 100.0),
                None => format!("作者{i}"),
            })
            .collect();
        if let Ok(read) = parse_byline(&text.join("、")) {
            for a in &read {
                prop_assert!(a.share_bp.is_none_or(|s| (0..=FULL_SHARE).contains(&s)), "{:?}", a);
            }
        }

        // The engine, given them whether valid or not, does not panic and pays each author
        // between nothing and the whole; for a valid byline exactly the share written.
        let mut it = item(1, "2007-06-05");
        it.authors = bylines
            .iter()
            .map(|b| ItemAuthor { correspondent_id: CorrespondentId(b.correspondent_id.0), share_bp: b.share_bp })
            .collect();
        let people: Vec<Person> = (1..=bylines.len() as i64).map(|i| person(i, &format!("作者{i}"), None)).collect();
        let s = run_with("2007-06", &[shares_policy()], std::slice::from_ref(&it), &people, &[], &[]);
        let mut paid = Decimal::ZERO;
        for (i, b) in bylines.iter().enumerate() {
            let got = s.lines.iter().find(|l| l.correspondent_id == b.correspondent_id).map_or(Decimal::ZERO, |l| l.ledgers["money"]);
            prop_assert!(got >= Decimal::ZERO && got <= d("100"), "author {} got {}", i + 1, got);
            if acceptable(&shares) && let Some(bp) = b.share_bp {
                prop_assert_eq!(got, Decimal::new(i64::from(bp), 2), "author {} with {} bp", i + 1, bp);
            }
            paid += got;
        }
        if acceptable(&shares) {
            prop_assert!((paid - d("100")).abs() <= d("0.01") * Decimal::from(bylines.len()), "paid {}", paid);
        }
    }
}
