//! Corrections carried from published notices, what `carry` works out, and the words of the
//! month's sum and of adjustments.

use super::*;
use crate::ManuscriptId;

const HEAD: &str = "name = \"测试办法\"\nvalid_from = 2007-01-01\nvalid_to = 2007-12-31\n";

/// Money with a month cap of 100 and a floor of 0; points of scale 0.
fn capped() -> Policy {
    policy(&format!(
        "{HEAD}[ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nvalue = 150\n\
         [ledger.money.cap]\nmonth = 100\n[ledger.money.floor]\nmonth = 0\n\
         [ledger.points]\nlabel = \"积分\"\nscale = 0\n[[ledger.points.base]]\nvalue = 2.4\n"
    ))
}

fn correction(who: i64, ledger: &str, amount: &str, from: &str) -> Correction {
    Correction {
        correspondent_id: CorrespondentId(who),
        ledger: ledger.into(),
        amount: d(amount),
        from_period: from.into(),
    }
}

fn with_corrections(p: &str, policies: &[Policy], items: &[Item], corrections: &[Correction]) -> Statement {
    let (people, units) = (people(), units());
    let input =
        Input { period: period(p), policies, items, people: &people, units: &units, adjustments: &[], corrections };
    let s = compute(&input).unwrap_or_else(|e| panic!("compute failed: {e}"));
    check_trail(&s);
    assert_eq!(compute_figures(&input).unwrap().totals, s.totals, "the figures-only statement agrees");
    s
}

fn compute_error(p: &str, corrections: &[Correction]) -> String {
    let (people, units) = (people(), units());
    let policies = [capped()];
    let input = Input {
        period: period(p),
        policies: &policies,
        items: &[],
        people: &people,
        units: &units,
        adjustments: &[],
        corrections,
    };
    compute(&input).unwrap_err().to_string()
}

#[test]
fn a_correction_is_added_after_the_cap_the_floor_and_the_rounding() {
    let items = [item(1, "2007-06-05")];
    let corrections = [
        correction(1, "money", "30.50", "2007-05"),
        // Below the floor of 0: never floored.
        correction(2, "money", "-200", "2007-04"),
        correction(1, "points", "1", "2007-Q1"),
    ];
    let s = with_corrections("2007-06", &[capped()], &items, &corrections);
    // 150 capped to 100, then +30.50 past the cap.
    assert_eq!(figure(&s, 1, "money"), d("130.50"));
    // 2.4 points rounds to 2, then +1 is not rounded with it.
    assert_eq!(figure(&s, 1, "points"), d("3"));
    // Someone with nothing but a correction has a line.
    assert_eq!((figure(&s, 2, "money"), line(&s, 2).placements), (d("-200.00"), 0));
    let steps: Vec<(&str, &str, Decimal)> = line(&s, 1)
        .trail
        .iter()
        .filter(|t| t.ledger == "money" && t.placement_id.is_none())
        .map(|t| (t.rule.as_str(), t.detail.as_str(), t.value))
        .collect();
    assert_eq!(
        steps,
        [
            ("sum", "2007年6月稿件合计（1篇次）", d("150")),
            ("cap.month", "超出每月上限 100，核减", d("-50")),
            ("correction", "更正：2007年5月公示后变动", d("30.50")),
        ]
    );
    let points: Vec<&str> =
        line(&s, 1).trail.iter().filter(|t| t.ledger == "points").map(|t| t.rule.as_str()).collect();
    assert_eq!(points, ["base.1", "sum", "round", "correction"]);
    // The unit and the total count it like any figure.
    assert_eq!(s.units.iter().find(|u| u.name == "武汉市").unwrap().ledgers["money"], d("-69.50"));
    assert_eq!(s.totals["money"], d("-69.50"));
}

#[test]
fn a_correction_counts_once_in_the_first_month_of_a_quarter() {
    let items = [item(1, "2007-04-05"), item(2, "2007-05-05"), item(3, "2007-06-05")];
    let c = [correction(1, "money", "7.25", "2007-03")];
    let q2 = with_corrections("2007-Q2", &[capped()], &items, &c);
    assert_eq!(figure(&q2, 1, "money"), d("307.25"));
    let at: Vec<usize> =
        line(&q2, 1).trail.iter().enumerate().filter(|(_, t)| t.rule == "correction").map(|(i, _)| i).collect();
    assert_eq!(at.len(), 1);
    // In April: before May's sum.
    let may = line(&q2, 1).trail.iter().position(|t| t.detail.starts_with("2007年5月稿件合计")).unwrap();
    assert!(at[0] < may);
    // The input's order does not matter.
    let two = [correction(1, "money", "1", "2007-02"), correction(1, "money", "2", "2007-01")];
    let reversed = [two[1].clone(), two[0].clone()];
    assert_eq!(
        with_corrections("2007-06", &[capped()], &[], &two),
        with_corrections("2007-06", &[capped()], &[], &reversed)
    );
}

#[test]
fn corrections_say_which_notice_they_come_from() {
    for (from, words) in [
        ("2007-12", "更正：2007年12月公示后变动"),
        ("2007-Q4", "更正：2007年第四季度公示后变动"),
        ("2007", "更正：2007年度公示后变动"),
    ] {
        assert_eq!(correction(1, "money", "1", from).describe(), words);
    }
}

#[test]
fn corrections_for_unknown_people_or_ledgers_are_refused_and_others_are_never_rounded() {
    assert_eq!(
        compute_error("2007-06", &[correction(99, "money", "1", "2007-05")]),
        "更正的通讯员（编号 99）不在通讯员名单中"
    );
    assert_eq!(
        compute_error("2007-06", &[correction(1, "stars", "1", "2007-05")]),
        "更正的账目“stars”不在本期的奖励办法中"
    );
    assert_eq!(
        compute_error("2007-06", &[correction(1, "money", "2000000000", "2007-05")]),
        "更正金额 2000000000 超出范围"
    );
    // Trailing zeros are no extra places: 1.00 points shows as 1.
    let s = with_corrections("2007-06", &[capped()], &[], &[correction(1, "points", "1.00", "2007-05")]);
    assert_eq!(figure(&s, 1, "points").to_string(), "1");
    // A correction worked out under a ledger with more places (the policy changed) is not rounded away.
    let s = with_corrections("2007-06", &[capped()], &[], &[correction(1, "points", "0.5", "2007-05")]);
    assert_eq!(figure(&s, 1, "points").to_string(), "0.5");
}

#[test]
fn carry_gives_what_changed_minus_what_was_carried() {
    let p = [capped()];
    let may = [item(1, "2007-05-05")];
    let published = with_corrections("2007-05", &p, &may, &[correction(3, "money", "5", "2007-04")]);
    // Reported late: a second placement for 1 (capped, nothing more) and one for 4.
    let mut late = may.to_vec();
    late.push(item(2, "2007-05-20"));
    let mut other = item(3, "2007-05-21");
    other.authors = vec![by(4)];
    late.push(other);
    let recomputed = with_corrections("2007-05", &p, &late, &[correction(3, "money", "5", "2007-04")]);
    let carried = carry(&published, &recomputed, &[]);
    // Person 1 is at the cap in money, but 4.8 points are 5 against the 2 published; 3's own
    // correction is in both and cancels.
    assert_eq!(
        carried,
        [
            correction(1, "points", "3", "2007-05"),
            correction(4, "money", "100.00", "2007-05"),
            correction(4, "points", "2", "2007-05"),
        ]
    );
    // What was already carried is not carried again; corrections from other periods are ignored.
    let already = [correction(4, "money", "100.00", "2007-05"), correction(1, "points", "7", "2007-04")];
    assert_eq!(carry(&published, &recomputed, &already), [carried[0].clone(), carried[2].clone()]);
    // Someone carried for who has since left both statements gets it back.
    let gone = [correction(5, "money", "3", "2007-05")];
    assert_eq!(carry(&published, &published, &gone), [correction(5, "money", "-3", "2007-05")]);
    assert!(carry(&published, &published, &[]).is_empty());
}

#[test]
fn the_sum_step_counts_placements_as_the_line_does() {
    let best = policy(&format!(
        "{HEAD}duplicates = \"best\"\n[split]\nmethod = \"weights\"\nweights = [3, 2]\n\
         [ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nby = \"level\"\nvalues = {{ \"国家级\" = 100, \"省级及以下\" = 30 }}\n"
    ));
    // One manuscript twice in June; a third placement where 1 is the third author, with no share.
    let mut a = item(1, "2007-06-04");
    a.manuscript_id = Some(ManuscriptId(9));
    let mut b = a.clone();
    b.placement_id = PlacementId(2);
    b.outlet_level = OutletLevel::Provincial;
    let mut c = item(3, "2007-06-10");
    c.authors = vec![by(2), by(3), by(1)];
    let s = run("2007-06", &[best], &[a, b, c], &[]);
    let sum = line(&s, 1).trail.iter().find(|t| t.rule == "sum").unwrap();
    assert_eq!(sum.detail, "2007年6月稿件合计（1篇次，另1篇次同稿不计篇次，另1篇次未分得份额不计篇次）");
    assert_eq!(line(&s, 1).placements, 1);
    // With nothing set apart, the words are the plain count, the same as the line's.
    let sum = line(&s, 2).trail.iter().find(|t| t.rule == "sum").unwrap();
    assert_eq!((sum.detail.as_str(), line(&s, 2).placements), ("2007年6月稿件合计（1篇次）", 1));
}

#[test]
fn adjustments_show_at_the_ledgers_scale() {
    let p = policy(&format!(
        "{HEAD}[ledger.points]\nlabel = \"积分\"\nscale = 0\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\n"
    ));
    // The store keeps adjustments in hundredths: one point off arrives as -1.00.
    let adj = |ledger: &str, cents: i64| Adjustment {
        correspondent_id: CorrespondentId(1),
        ledger: ledger.into(),
        amount: Decimal::new(cents, 2),
        reason: "调整".into(),
        date: date("2007-06-10"),
    };
    let s = run("2007-06", &[p], &[], &[adj("points", -100), adj("points", -150), adj("money", 1250)]);
    let shown: Vec<(String, String)> = line(&s, 1)
        .trail
        .iter()
        .filter(|t| t.rule == "adjust")
        .map(|t| (t.ledger.clone(), t.value.to_string()))
        .collect();
    // Never a digit lost: -1.5 points stays -1.5 (the month rounds it, in its own step).
    assert_eq!(
        shown,
        [("points".to_string(), "-1.5".to_string()), ("points".into(), "-1".into()), ("money".into(), "12.50".into())]
    );
    assert_eq!(figure(&s, 1, "points").to_string(), "-3");
}
