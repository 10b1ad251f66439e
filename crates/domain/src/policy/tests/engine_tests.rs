//! The engine, feature by feature: values, bonuses, duplicates, co-authors, ledgers, caps,
//! floors, allowances, quotas, adjustments, awards, rounding, and the errors it reports.

use super::*;
use crate::{Grade, InstructionLevel, ManuscriptId};

const HEAD: &str = "name = \"测试办法\"\nvalid_from = 2007-01-01\nvalid_to = 2007-12-31\n";

fn with_head(body: &str) -> Policy {
    policy(&format!("{HEAD}{body}"))
}

fn adjustment(who: i64, ledger: &str, amount: &str, reason: &str, on: &str) -> Adjustment {
    Adjustment {
        correspondent_id: CorrespondentId(who),
        ledger: ledger.into(),
        amount: d(amount),
        reason: reason.into(),
        date: date(on),
    }
}

/// Values per level, per named outlet, per column, per genre, and a genre × level table.
const VALUES: &str = r#"
[ledger.points]
label = "积分"
scale = 0

[[ledger.points.base]]
id = "cipnews"
name = "中国知识产权报"
outlet = "中国知识产权报"
genre = "消息"
value = 100

[[ledger.points.base]]
id = "kjxx"
name = "科技信息快报"
outlet = "科技信息快报"
by = "column"
values = { "专利园地" = 40 }

[[ledger.points.base]]
id = "photo"
name = "图片"
genre = "图片"
value = 3

[[ledger.points.base]]
id = "genre_level"
name = "体裁×级别"
by = ["genre", "level"]
columns = ["县级", "市级", "省级及以上"]
[ledger.points.base.values]
"消息" = [10, 15, 30]
"调研报告" = [20, 30, 50]

[[ledger.points.base]]
id = "level"
name = "其他稿件"
by = "level"
values = { "国家级" = 8, "省级" = 6, "市级及以下" = 4 }
"#;

#[test]
fn values_per_outlet_column_genre_and_table() {
    let p = with_head(VALUES);
    let mut items = Vec::new();
    let mut add = |id: i64, f: &dyn Fn(&mut Item)| {
        let mut i = item(id, "2007-06-05");
        f(&mut i);
        items.push(i);
    };
    add(1, &|_| {}); // 中国知识产权报 消息: named outlet, 100
    add(2, &|i| {
        i.outlet = "科技信息快报".into();
        i.outlet_level = OutletLevel::Provincial;
        i.column = "专利园地".into();
    }); // column, 40
    add(3, &|i| {
        i.outlet = "科技信息快报".into();
        i.outlet_level = OutletLevel::Provincial;
        i.column = "要闻".into();
    }); // other column falls through to the table: 消息 × 省级 = 30
    add(4, &|i| {
        i.outlet = "湖北日报".into();
        i.outlet_level = OutletLevel::Provincial;
        i.genre = Genre::Research;
    }); // 调研报告 × 省级及以上 = 50
    add(5, &|i| {
        i.outlet = "宜昌日报".into();
        i.outlet_level = OutletLevel::Municipal;
    }); // 消息 × 市级 = 15
    add(6, &|i| {
        i.outlet = "湖北日报".into();
        i.outlet_level = OutletLevel::Provincial;
        i.genre = Genre::Photo;
    }); // per genre, 3
    add(7, &|i| {
        i.outlet = "中国知识产权报".into();
        i.genre = Genre::Feature;
    }); // 通讯: not in the table, by level 8
    add(8, &|i| {
        i.outlet = "湖北知识产权信息".into();
        i.outlet_level = OutletLevel::Internal;
        i.genre = Genre::Commentary;
    }); // 评论 × 内部: 4
    let s = run("2007-06", &[p], &items, &[]);
    let l = line(&s, 1);
    assert_eq!(l.ledgers["points"], d("250"));
    assert_eq!(l.placements, 8);
    let details: Vec<(Option<i64>, &str)> = l
        .trail
        .iter()
        .filter(|t| t.rule.starts_with("base."))
        .map(|t| (t.placement_id.map(|p| p.0), t.detail.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            (Some(1), "中国知识产权报 = 100"),
            (Some(2), "科技信息快报：专利园地 = 40"),
            (Some(3), "体裁×级别：消息 × 省级及以上 = 30"),
            (Some(4), "体裁×级别：调研报告 × 省级及以上 = 50"),
            (Some(5), "体裁×级别：消息 × 市级 = 15"),
            (Some(6), "图片 = 3"),
            (Some(7), "其他稿件：国家级 = 8"),
            (Some(8), "其他稿件：市级及以下 = 4"),
        ]
    );
    assert_eq!(
        l.trail.iter().find(|t| t.placement_id == Some(PlacementId(4))).map(|t| t.rule.as_str()),
        Some("base.genre_level")
    );
}

#[test]
fn no_matching_base_rule_counts_zero_and_says_so() {
    let p = with_head(
        "[ledger.points]\nlabel = \"积分\"\n[[ledger.points.base]]\nlevel = \"国家级\"\nkind = \"电视\"\nvalue = 5\n",
    );
    let s = run("2007-06", &[p], &[item(1, "2007-06-05")], &[]);
    let l = line(&s, 1);
    assert_eq!(l.ledgers["points"], d("0.00"));
    assert_eq!(l.placements, 1);
    assert_eq!(l.trail[0].rule, "base.none");
}

const BONUSES: &str = r#"
[ledger.money]
label = "奖金"
money = true

[[ledger.money.base]]
value = 100

[[ledger.money.bonus]]
id = "long"
name = "长稿"
group = "length"
min_length = 1000
add = 20

[[ledger.money.bonus]]
id = "medium"
name = "中稿"
group = "length"
min_length = 500
add = 10

[[ledger.money.bonus]]
id = "front_page"
name = "头版"
position = "头版"
add = 30

[[ledger.money.bonus]]
id = "headline"
name = "头条"
position = "头条"
add = 15

[[ledger.money.bonus]]
id = "instruction"
name = "领导批示"
by = "instruction"
add = { "市级" = 50, "省级" = 100, "国家级" = 200 }

[[ledger.money.bonus]]
id = "commissioned"
name = "约稿"
commissioned = true
add = 25

[[ledger.money.bonus]]
id = "research"
name = "调研报告"
genre = "调研报告"
multiply = 2

[[ledger.money.bonus]]
id = "research_national"
name = "国家级调研报告再翻倍"
genre = "调研报告"
level = "国家级"
multiply = 2

[[ledger.money.bonus]]
id = "reprint"
name = "转载"
reprint = true
multiply = 0.5
"#;

fn money_of(body: &str, f: impl Fn(&mut Item)) -> (Decimal, Vec<String>) {
    let p = with_head(body);
    let mut i = item(1, "2007-06-05");
    i.length = 300;
    f(&mut i);
    let s = run("2007-06", &[p], &[i], &[]);
    let l = line(&s, 1);
    let steps = l
        .trail
        .iter()
        .filter(|t| t.placement_id.is_some())
        .map(|t| format!("{} {}", t.rule, t.value.normalize()))
        .collect();
    (l.ledgers["money"], steps)
}

#[test]
fn length_thresholds_take_the_highest_tier_only() {
    assert_eq!(money_of(BONUSES, |_| {}).0, d("100"));
    assert_eq!(money_of(BONUSES, |i| i.length = 500).0, d("110"));
    let (v, steps) = money_of(BONUSES, |i| i.length = 1200);
    assert_eq!(v, d("120"));
    assert_eq!(steps, ["base.1 100", "bonus.long 20"]);
}

#[test]
fn position_instruction_commission_multipliers_and_reprints() {
    assert_eq!(money_of(BONUSES, |i| i.position = Position::FrontPage).0, d("130"));
    assert_eq!(money_of(BONUSES, |i| i.position = Position::Headline).0, d("115"));
    assert_eq!(money_of(BONUSES, |i| i.instruction = Some(InstructionLevel::Provincial)).0, d("200"));
    assert_eq!(money_of(BONUSES, |i| i.commissioned = true).0, d("125"));
    // Research ×2, and at national level doubled again.
    let (v, steps) = money_of(BONUSES, |i| i.genre = Genre::Research);
    assert_eq!(
        (v, steps),
        (d("400"), vec!["base.1 100".into(), "bonus.research 100".into(), "bonus.research_national 200".into()])
    );
    let (v, _) = money_of(BONUSES, |i| {
        i.genre = Genre::Research;
        i.outlet_level = OutletLevel::Provincial;
    });
    assert_eq!(v, d("200"));
    // Bonuses apply in file order: (100 + 30 front page) × 0.5 reprint.
    let (v, steps) = money_of(BONUSES, |i| {
        i.position = Position::FrontPage;
        i.reprint = true;
    });
    assert_eq!(v, d("65"));
    assert_eq!(steps, ["base.1 100", "bonus.front_page 30", "bonus.reprint -65"]);
}

#[test]
fn rate_per_characters_is_prorated() {
    let body = "[ledger.money]\nlabel = \"稿酬\"\nmoney = true\n[[ledger.money.base]]\nvalue = 0\n[[ledger.money.bonus]]\nid = \"rate\"\nname = \"千字稿酬\"\nadd = 60\nper_chars = 1000\n";
    let (v, _) = money_of(body, |i| i.length = 1250);
    assert_eq!(v, d("75.00"));
}

#[test]
fn duplicates_all_counts_every_placement() {
    let p = with_head(
        "[ledger.points]\nlabel = \"积分\"\n[[ledger.points.base]]\nby = \"level\"\nvalues = { \"国家级\" = 10, \"省级及以下\" = 2 }\n",
    );
    let mut a = item(1, "2007-06-05");
    a.manuscript_id = Some(ManuscriptId(9));
    let mut b = a.clone();
    b.placement_id = PlacementId(2);
    b.outlet_level = OutletLevel::Provincial;
    let s = run("2007-06", &[p], &[a, b], &[]);
    assert_eq!((figure(&s, 1, "points"), line(&s, 1).placements), (d("12"), 2));
}

#[test]
fn duplicates_best_counts_one_manuscript_once_at_its_best() {
    let p = with_head(
        "duplicates = \"best\"\n[ledger.points]\nlabel = \"积分\"\n[[ledger.points.base]]\nby = \"level\"\nvalues = { \"国家级\" = 10, \"省级\" = 5, \"市级及以下\" = 2 }\n",
    );
    let placed = |id: i64, on: &str, level: OutletLevel| {
        let mut i = item(id, on);
        i.manuscript_id = Some(ManuscriptId(9));
        i.outlet_level = level;
        i.outlet = format!("媒体{id}").into();
        i
    };
    // The same month: only the best counts.
    let items = [placed(1, "2007-06-05", OutletLevel::Provincial), placed(2, "2007-06-20", OutletLevel::National)];
    let s = run("2007-06", std::slice::from_ref(&p), &items, &[]);
    let l = line(&s, 1);
    assert_eq!((l.ledgers["points"], l.placements, l.pieces), (d("10.00"), 1, d("1.00")));
    let dup = l.trail.iter().find(|t| t.rule == "duplicate.best").expect("duplicate step");
    assert_eq!((dup.placement_id, dup.value), (Some(PlacementId(1)), d("-5")));
    assert!(dup.detail.contains("《媒体2》"), "{}", dup.detail);

    // A better placement in a later month pays only the difference; a worse one nothing.
    let items = [
        placed(1, "2007-05-05", OutletLevel::Provincial),
        placed(2, "2007-06-20", OutletLevel::National),
        placed(3, "2007-07-02", OutletLevel::Municipal),
    ];
    let may = run("2007-05", std::slice::from_ref(&p), &items, &[]);
    let june = run("2007-06", std::slice::from_ref(&p), &items, &[]);
    let july = run("2007-07", std::slice::from_ref(&p), &items, &[]);
    assert_eq!(figure(&may, 1, "points"), d("5.00"));
    assert_eq!((figure(&june, 1, "points"), line(&june, 1).placements), (d("5.00"), 0));
    assert_eq!(figure(&july, 1, "points"), d("0.00"));
    let topup = line(&june, 1).trail.iter().find(|t| t.rule == "duplicate.best").expect("top-up");
    assert_eq!(topup.detail, "同一稿件此前已按 5 计，本次补差 5");
    // The year adds up to the best.
    let year = run("2007", &[p], &items, &[]);
    assert_eq!((figure(&year, 1, "points"), line(&year, 1).placements), (d("10.00"), 1));
}

/// 100 points a placement, with a configurable split.
fn split_policy(split: &str) -> Policy {
    with_head(&format!("{split}\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nvalue = 100\n"))
}

fn split_run(split: &str, authors: Vec<ItemAuthor>, external: bool) -> Statement {
    let mut i = item(1, "2007-06-05");
    i.authors = authors;
    i.has_external_authors = external;
    run("2007-06", &[split_policy(split)], &[i], &[])
}

#[test]
fn co_authors_equal_split_is_exact_until_rounding() {
    let s = split_run("[split]\nmethod = \"equal\"", vec![by(1), by(2), by(3)], false);
    assert_eq!([figure(&s, 1, "money"), figure(&s, 2, "money"), figure(&s, 3, "money")], [d("33.33"); 3]);
    // Before rounding the parts add up to exactly 100.
    let parts: Decimal = s.lines.iter().flat_map(|l| &l.trail).filter(|t| t.rule == "sum").map(|t| t.value).sum();
    assert_eq!(parts, d("100"));
    assert_eq!(line(&s, 1).pieces, d("0.33"));
    let step = line(&s, 2).trail.iter().find(|t| t.rule == "split.equal").expect("split step");
    assert!(step.detail.starts_with("平均分配（3人）；本人第2作者"), "{}", step.detail);
}

#[test]
fn co_authors_by_written_shares_with_a_fallback() {
    let s = split_run("", vec![by_share(1, 6000), by_share(2, 4000)], false);
    assert_eq!((figure(&s, 1, "money"), figure(&s, 2, "money")), (d("60.00"), d("40.00")));
    assert_eq!(line(&s, 1).pieces, d("0.60"));
    assert!(rules(line(&s, 1)).contains(&"split.shares"));
    // No shares written: the fallback (equal by default).
    let s = split_run("", vec![by(1), by(2)], false);
    assert_eq!(figure(&s, 1, "money"), d("50.00"));
    assert!(rules(line(&s, 1)).contains(&"split.equal"));
}

#[test]
fn co_authors_fixed_weights_for_the_first_two() {
    let s = split_run("[split]\nmethod = \"weights\"\nweights = [3, 2]", vec![by(1), by(2), by(3)], false);
    assert_eq!((figure(&s, 1, "money"), figure(&s, 2, "money")), (d("60.00"), d("40.00")));
    // The third author gets nothing and the placement does not count for them.
    let third = line(&s, 3);
    assert_eq!((third.ledgers["money"], third.placements), (d("0.00"), 0));
    // A solo author gets the whole.
    let s = split_run("[split]\nmethod = \"weights\"\nweights = [3, 2]", vec![by(2)], false);
    assert_eq!(figure(&s, 2, "money"), d("100.00"));
}

#[test]
fn co_authors_first_author_only() {
    let s = split_run("[split]\nmethod = \"first_author\"", vec![by(2), by(1)], false);
    assert_eq!((figure(&s, 2, "money"), figure(&s, 1, "money")), (d("100.00"), d("0.00")));
}

#[test]
fn outside_journalist_whole_or_a_share() {
    // The whole to the network's correspondent.
    let s = split_run("[split]\nmethod = \"equal\"\nexternal = \"whole\"", vec![by(1)], true);
    assert_eq!(figure(&s, 1, "money"), d("100.00"));
    let step = line(&s, 1).trail.iter().find(|t| t.rule == "split.equal").expect("split step");
    assert!(step.detail.contains("外部作者不参与分配"));
    // Or the journalist keeps a share, which is not paid.
    let s = split_run("[split]\nmethod = \"equal\"\nexternal = \"share\"", vec![by(1)], true);
    assert_eq!((figure(&s, 1, "money"), line(&s, 1).pieces), (d("50.00"), d("0.50")));
    let s = split_run("[split]\nexternal = \"share\"", vec![by_share(1, 7000)], true);
    assert_eq!(figure(&s, 1, "money"), d("70.00"));
}

#[test]
fn several_ledgers_side_by_side_each_with_its_rules() {
    let p = with_head(
        r#"
[ledger.points]
label = "积分"
scale = 1
[[ledger.points.base]]
by = "level"
values = { "国家级" = 10, "省级及以下" = 3 }
[[ledger.points.bonus]]
genre = "调研报告"
add = 5

[ledger.money]
label = "奖金"
money = true
[[ledger.money.base]]
by = "kind"
values = { "报纸" = 100, "网站" = 20 }
[[ledger.money.bonus]]
genre = "调研报告"
multiply = 2
"#,
    );
    let mut a = item(1, "2007-06-05");
    a.genre = Genre::Research;
    let mut b = item(2, "2007-06-06");
    b.outlet_kind = OutletKind::Website;
    b.outlet_level = OutletLevel::Provincial;
    let s = run("2007-06", &[p], &[a, b], &[]);
    assert_eq!(s.ledgers.iter().map(|l| l.key.as_str()).collect::<Vec<_>>(), ["points", "money"]);
    assert_eq!((figure(&s, 1, "points"), figure(&s, 1, "money")), (d("18.0"), d("220.00")));
    assert_eq!(s.totals["money"], d("220.00"));
}

const CAPPED: &str = r#"
[ledger.money]
label = "奖金"
money = true
[[ledger.money.base]]
value = 100
[ledger.money.cap]
month = 250
quarter = 400
year = 700
[ledger.money.floor]
month = 0
"#;

#[test]
fn month_cap_cuts_and_says_so() {
    let p = with_head(CAPPED);
    let items: Vec<Item> = (1..=3).map(|i| item(i, "2007-01-10")).collect();
    let s = run("2007-01", &[p], &items, &[]);
    assert_eq!(figure(&s, 1, "money"), d("250.00"));
    let cap = line(&s, 1).trail.iter().find(|t| t.rule == "cap.month").expect("cap step");
    assert_eq!((cap.value, cap.detail.as_str()), (d("-50"), "超出每月上限 250，核减"));
}

#[test]
fn quarter_and_year_caps_count_earlier_months() {
    let p = with_head(CAPPED);
    // Three a month: 250 (month cap) in January, then the quarter's 400 leaves 150 for February.
    let items: Vec<Item> =
        (0..12).flat_map(|m| (0..3).map(move |k| item(m * 10 + k + 1, &format!("2007-{:02}-1{k}", m + 1)))).collect();
    let feb = run("2007-02", std::slice::from_ref(&p), &items, &[]);
    assert_eq!(figure(&feb, 1, "money"), d("150.00"));
    let step = line(&feb, 1).trail.iter().find(|t| t.rule == "cap.quarter").expect("quarter cap");
    assert_eq!(step.detail, "本季度此前已计 250，季度上限 400，核减");
    let feb_only = run("2007-02", std::slice::from_ref(&p), &items[..6], &[]);
    assert_eq!(figure(&feb_only, 1, "money"), d("150.00"), "later items do not matter");
    let q1 = run("2007-Q1", std::slice::from_ref(&p), &items, &[]);
    assert_eq!(figure(&q1, 1, "money"), d("400.00"));
    // Q2 starts fresh for the quarter cap but the year cap (700) leaves 300.
    let q2 = run("2007-Q2", std::slice::from_ref(&p), &items, &[]);
    assert_eq!(figure(&q2, 1, "money"), d("300.00"));
    let year = run("2007", &[p], &items, &[]);
    assert_eq!(figure(&year, 1, "money"), d("700.00"));
}

#[test]
fn deductions_bite_after_the_cap_and_the_floor_holds() {
    let p = with_head(CAPPED);
    let items: Vec<Item> = (1..=3).map(|i| item(i, "2007-01-10")).collect();
    let adj = [
        adjustment(1, "money", "-30", "迟报一篇", "2007-01-20"),
        adjustment(1, "money", "20", "专题策划奖励", "2007-01-21"),
    ];
    let s = run("2007-01", std::slice::from_ref(&p), &items, &adj);
    // 300 + 20 bonus → cap 250 → −30 = 220.
    assert_eq!(figure(&s, 1, "money"), d("220.00"));
    let r = rules(line(&s, 1));
    let pos = |name: &str| r.iter().position(|x| *x == name).unwrap();
    assert!(pos("cap.month") < r.iter().rposition(|x| *x == "adjust").unwrap());
    assert!(line(&s, 1).trail.iter().any(|t| t.rule == "adjust" && t.detail == "人工调整（2007-01-20）：迟报一篇"));
    // A deduction larger than the month's earnings stops at the floor of 0.
    let adj = [adjustment(2, "money", "-80", "报送错误", "2007-01-20")];
    let s = run("2007-01", &[p], &[], &adj);
    assert_eq!(figure(&s, 2, "money"), d("0.00"));
    assert!(rules(line(&s, 2)).contains(&"floor.month"));
}

#[test]
fn allowance_is_granted_once_per_its_period() {
    let p = with_head(
        "[ledger.points]\nlabel = \"积分\"\nscale = 0\n[[ledger.points.base]]\nvalue = 1\n[ledger.points.allowance]\namount = 60\nper = \"year\"\nkinds = [\"市州通讯员\"]\n",
    );
    let mut people = people();
    people[4].kind = CorrespondentKind::Special;
    let jan = run_with("2007-01", std::slice::from_ref(&p), &[], &people, &units(), &[]);
    assert_eq!(jan.lines.len(), 4, "everyone but the special correspondent starts with 60");
    assert_eq!(figure(&jan, 3, "points"), d("60"));
    assert_eq!(line(&jan, 3).trail[0].rule, "allowance.year");
    let feb = run_with("2007-02", std::slice::from_ref(&p), &[item(1, "2007-02-03")], &people, &units(), &[]);
    assert_eq!(figure(&feb, 1, "points"), d("1"));
    assert!(feb.lines.iter().all(|l| l.correspondent_id == CorrespondentId(1)));
    let year = run_with("2007", &[p], &[item(1, "2007-02-03")], &people, &units(), &[]);
    assert_eq!(figure(&year, 1, "points"), d("61"));
}

#[test]
fn floors_lift_a_quarter_in_its_last_month() {
    let p = with_head(
        "[ledger.points]\nlabel = \"积分\"\n[[ledger.points.base]]\nvalue = 10\n[ledger.points.floor]\nquarter = 50\n",
    );
    let items = [item(1, "2007-01-10")];
    let feb = run("2007-02", std::slice::from_ref(&p), &items, &[]);
    assert!(feb.lines.is_empty(), "no floor before the quarter ends");
    let march = run("2007-03", std::slice::from_ref(&p), &items, &[]);
    assert_eq!(figure(&march, 1, "points"), d("40.00"));
    assert_eq!(figure(&march, 2, "points"), d("50.00"));
    let q1 = run("2007-Q1", &[p], &items, &[]);
    assert_eq!(q1.lines.len(), 5);
    assert!(q1.lines.iter().all(|l| l.ledgers["points"] == d("50.00")));
}

const QUOTA: &str = r#"
[ledger.points]
label = "积分"
scale = 0
[[ledger.points.base]]
value = 10

[[quota]]
id = "monthly"
name = "每月发稿任务"
per = "month"
min_pieces = 2
units = ["武汉市", "宜昌市"]
penalty = { points = 15 }
"#;

#[test]
fn a_missed_unit_quota_is_penalised() {
    let p = with_head(QUOTA);
    let mut joint = item(2, "2007-06-06");
    joint.authors = vec![by_share(1, 5000), by_share(3, 5000)];
    // 武汉市: 1 + 0.5 pieces < 2 → missed. 宜昌市: 0.5 → missed. 襄阳市 has no quota.
    let s = run("2007-06", &[p], &[item(1, "2007-06-05"), joint], &[]);
    let wuhan = &s.units[s.units.iter().position(|u| u.name == "武汉市").unwrap()];
    assert_eq!((wuhan.quota, wuhan.missed_quota, wuhan.pieces), (Some(d("2")), true, d("1.50")));
    assert_eq!(wuhan.penalty["points"], d("-15"));
    assert_eq!(wuhan.ledgers["points"], d("0"), "15 earned − 15 penalty");
    let xiangyang = s.units.iter().find(|u| u.name == "襄阳市").unwrap();
    assert_eq!((xiangyang.quota, xiangyang.missed_quota), (None, false));
    assert_eq!(s.totals["points"], d("-10"));
}

#[test]
fn a_quarterly_quota_charged_to_each_member() {
    let p = with_head(
        &QUOTA
            .replace("per = \"month\"", "per = \"quarter\"")
            .replace("penalty", "applies_to = \"each_member\"\npenalty"),
    );
    let items = [item(1, "2007-04-05"), item(2, "2007-05-05")];
    let may = run("2007-05", std::slice::from_ref(&p), &items, &[]);
    assert!(may.units.iter().all(|u| u.quota.is_none()), "checked only at the end of the quarter");
    let june = run("2007-06", std::slice::from_ref(&p), &items, &[]);
    // 武汉市 made 2 pieces in the quarter; 宜昌市 none, so 王芳 (3) loses 15.
    assert_eq!(june.units.iter().find(|u| u.name == "武汉市").map(|u| u.missed_quota), Some(false));
    assert_eq!(figure(&june, 3, "points"), d("-15"));
    let step = line(&june, 3).trail.iter().find(|t| t.rule == "quota.monthly").unwrap();
    assert_eq!(step.detail, "本单位未完成每月发稿任务（0 / 2 篇），每人扣减 15");
    assert!(june.units.iter().all(|u| u.penalty.is_empty()));
}

#[test]
fn manual_adjustments_carry_their_reason() {
    let p = with_head("[ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nvalue = 50\n");
    let adj = [
        adjustment(4, "money", "100", "优秀专题策划", "2007-06-30"),
        adjustment(4, "money", "-12.5", "报送不及时", "2007-06-15"),
    ];
    let s = run("2007-06", std::slice::from_ref(&p), &[], &adj);
    assert_eq!(figure(&s, 4, "money"), d("87.50"));
    let reasons: Vec<&str> = line(&s, 4).trail.iter().map(|t| t.detail.as_str()).collect();
    assert_eq!(reasons, ["人工调整（2007-06-30）：优秀专题策划", "人工调整（2007-06-15）：报送不及时"]);
    let bad = [adjustment(4, "stars", "1", "?", "2007-06-15")];
    let input = Input {
        period: period("2007-06"),
        policies: &[p],
        items: &[],
        people: &people(),
        units: &units(),
        adjustments: &bad,
        corrections: &[],
    };
    assert_eq!(compute(&input).unwrap_err().to_string(), "人工调整的账目“stars”不在本期的奖励办法中");
}

const AWARDS: &str = r#"
[ledger.points]
label = "积分"
scale = 0
[[ledger.points.base]]
by = "level"
values = { "国家级" = 30, "省级及以下" = 5 }

[awarding]
joint = "share"
[[awarding.count_as]]
id = "prize"
grade = "优秀"
pieces = 3

[[award]]
name = "优秀通讯员"
min = { points = 100 }

[[award]]
name = "先进通讯员"
min = { pieces = 4 }
"#;

#[test]
fn annual_awards_by_points_and_converted_pieces() {
    let p = with_head(AWARDS);
    let mut items = Vec::new();
    // 张明: four national pieces = 120 points → 优秀 (only one award each).
    for k in 0..4 {
        items.push(item(k + 1, &format!("2007-0{}-10", k + 1)));
    }
    // 王芳: one prize-winning provincial piece (3) + one joint piece at 60% (0.6) + one (1) = 4.6 → 先进.
    let provincial = |id: i64, on: &str| {
        let mut i = item(id, on);
        i.outlet_level = OutletLevel::Provincial;
        i.authors = vec![by(3)];
        i
    };
    let mut prize = provincial(10, "2007-03-01");
    prize.grade = Some(Grade::Excellent);
    let mut joint = provincial(11, "2007-04-01");
    joint.authors = vec![by_share(3, 6000), by_share(4, 4000)];
    items.extend([prize, joint, provincial(12, "2007-05-01")]);
    let year = run("2007", std::slice::from_ref(&p), &items, &[]);
    assert_eq!(line(&year, 1).awards, ["优秀通讯员"]);
    assert_eq!(line(&year, 3).awards, ["先进通讯员"]);
    assert!(line(&year, 4).awards.is_empty(), "0.4 of a piece is not enough");
    let step = line(&year, 3).trail.iter().find(|t| t.ledger == "award").unwrap();
    assert_eq!(step.detail, "先进通讯员：全年计篇 4.6 ≥ 4");
    // Awards are given only on a year's statement.
    let december = run("2007-12", &[p], &items, &[]);
    assert!(december.lines.iter().all(|l| l.awards.is_empty()));
}

#[test]
fn rounding_happens_once_per_person_and_month_with_the_stated_mode() {
    let body = |mode: &str| {
        format!(
            "[split]\nmethod = \"equal\"\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\nrounding = \"{mode}\"\n[[ledger.money.base]]\nvalue = 10\n"
        )
    };
    // Three placements each split three ways: 3 × 10/3 = 10 exactly, not 3 × 3.33.
    let items: Vec<Item> = (1..=3)
        .map(|k| {
            let mut i = item(k, "2007-06-05");
            i.authors = vec![by(1), by(2), by(3)];
            i
        })
        .collect();
    let s = run("2007-06", &[with_head(&body("half_up"))], &items, &[]);
    assert_eq!(figure(&s, 1, "money"), d("10.00"));
    // One placement: 3.333… rounds down either way; 5 / 2 = 2.5 shows the modes differ.
    let half = |mode: &str, value: &str| {
        let text = body(mode)
            .replace("value = 10", &format!("value = {value}"))
            .replace("money = true\n", "money = true\nscale = 0\n");
        let mut i = item(1, "2007-06-05");
        i.authors = vec![by(1), by(2)];
        let s = run("2007-06", &[with_head(&text)], &[i], &[]);
        figure(&s, 1, "money")
    };
    assert_eq!(half("half_up", "5"), d("3"));
    assert_eq!(half("half_even", "5"), d("2"));
    assert_eq!(half("down", "5"), d("2"));
    assert_eq!(half("up", "3"), d("2"));
    let s = run("2007-06", &[with_head(&body("down"))], &items[..1], &[]);
    let round = line(&s, 1).trail.last().unwrap();
    assert_eq!((round.rule.as_str(), round.detail.as_str()), ("round", "2007年6月按舍去保留2位小数"));
}

#[test]
fn no_policy_in_force_is_reported() {
    let p = with_head("[ledger.money]\nlabel = \"奖金\"\n");
    let input = Input {
        period: period("2008-01"),
        policies: std::slice::from_ref(&p),
        items: &[],
        people: &[],
        units: &[],
        adjustments: &[],
        corrections: &[],
    };
    assert_eq!(compute(&input).unwrap_err().to_string(), "2008-01 期间没有生效的奖励办法");
    let late = policy("name = \"下半年\"\nvalid_from = 2007-06-10\n[ledger.money]\nlabel = \"奖金\"\n");
    let items = [item(1, "2007-06-05")];
    let input = Input {
        period: period("2007-06"),
        policies: &[late],
        items: &items,
        people: &people(),
        units: &[],
        adjustments: &[],
        corrections: &[],
    };
    assert_eq!(compute(&input).unwrap_err().to_string(), "2007-06-05 没有生效的奖励办法（《稿件1》）");
}

#[test]
fn each_placement_uses_the_policy_in_force_on_its_date() {
    let old = policy(
        "name = \"旧办法\"\nvalid_from = 2007-01-01\nvalid_to = 2007-06-15\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nvalue = 50\n",
    );
    let new = policy(
        "name = \"新办法\"\nvalid_from = 2007-06-16\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nvalue = 80\n",
    );
    let s = run("2007-06", &[new.clone(), old.clone()], &[item(1, "2007-06-15"), item(2, "2007-06-16")], &[]);
    assert_eq!(s.policies, ["旧办法", "新办法"]);
    assert_eq!(figure(&s, 1, "money"), d("130.00"));
    let overlapping = policy("name = \"重叠\"\nvalid_from = 2007-03-01\n[ledger.money]\nlabel = \"奖金\"\n");
    let input = Input {
        period: period("2007-06"),
        policies: &[old, overlapping],
        items: &[],
        people: &[],
        units: &[],
        adjustments: &[],
        corrections: &[],
    };
    assert!(matches!(compute(&input), Err(ComputeError::Overlap { .. })));
}

#[test]
fn placements_outside_the_period_and_bad_input() {
    let p = with_head("[ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nvalue = 50\n");
    let items = [item(1, "2007-05-31"), item(2, "2007-06-01"), item(3, "2007-07-01"), item(4, "2006-06-01")];
    let s = run("2007-06", std::slice::from_ref(&p), &items, &[]);
    assert_eq!((figure(&s, 1, "money"), line(&s, 1).placements), (d("50.00"), 1));
    let twice = [item(1, "2007-06-01"), item(1, "2007-06-02")];
    let input = Input {
        period: period("2007-06"),
        policies: std::slice::from_ref(&p),
        items: &twice,
        people: &people(),
        units: &[],
        adjustments: &[],
        corrections: &[],
    };
    assert_eq!(compute(&input).unwrap_err(), ComputeError::DuplicatePlacement(PlacementId(1)));
    let mut stranger = item(1, "2007-06-01");
    stranger.authors = vec![by(99)];
    let input = Input {
        period: period("2007-06"),
        policies: &[p],
        items: &[stranger],
        people: &people(),
        units: &[],
        adjustments: &[],
        corrections: &[],
    };
    assert_eq!(compute(&input).unwrap_err().to_string(), "《稿件1》的作者（编号 99）不在通讯员名单中");
}

#[test]
fn lines_and_units_are_sorted_and_add_up() {
    let p = with_head("[ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nvalue = 50\n");
    let items: Vec<Item> = (1..=5)
        .map(|k| {
            let mut i = item(k, "2007-06-05");
            i.authors = vec![by(6 - k)];
            i
        })
        .collect();
    let s = run("2007-06", &[p], &items, &[]);
    let order: Vec<(&str, &str)> =
        s.lines.iter().map(|l| (l.unit_name.as_deref().unwrap_or("-"), l.name.as_str())).collect();
    // Units by name (襄阳市 < 宜昌市 < 武汉市 in code-point order), people by name, no unit last.
    assert_eq!(order, [("宜昌市", "王芳"), ("武汉市", "张明"), ("武汉市", "李华"), ("襄阳市", "赵强"), ("-", "刘洋")]);
    let names: Vec<&str> = s.units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["宜昌市", "武汉市", "襄阳市", "未指定单位"]);
    assert_eq!(s.units[1].placements, 2);
    assert_eq!(s.totals["money"], d("250.00"));
}

#[test]
fn a_statement_round_trips_through_json() {
    let p = with_head(AWARDS);
    let s = run("2007", &[p], &[item(1, "2007-03-01")], &[adjustment(1, "points", "2", "奖励", "2007-03-02")]);
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("\"period\":\"2007\""), "{json}");
    let back: Statement = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn thirds_stay_exact_within_a_month() {
    // Found by the property tests: parts of 1/3 kept to 28 digits lost their last digit when
    // added up. Parts are kept to 16 places (the remainder to the last author) and a month is
    // settled to 10 places before it is rounded, so three thirds of 12.25 in one month are 12.25.
    let p = with_head(
        "[split]\nmethod = \"equal\"\n[ledger.points]\nlabel = \"积分\"\nscale = 2\n[[ledger.points.base]]\nvalue = 10\n[[ledger.points.bonus]]\nadd = 2.25\n",
    );
    let items: Vec<Item> = (1..=3)
        .map(|k| {
            let mut i = item(k, "2007-06-01");
            i.authors = vec![by(2), by(3), by(4)];
            i
        })
        .collect();
    let s = run("2007-06", &[p], &items, &[]);
    let parts: Decimal = line(&s, 4).trail.iter().filter(|t| t.rule == "sum").map(|t| t.value).sum();
    assert_eq!(parts, d("12.2500000000000002"), "16 places each, the last author takes the remainder");
    assert_eq!(
        (figure(&s, 2, "points"), figure(&s, 3, "points"), figure(&s, 4, "points")),
        (d("12.25"), d("12.25"), d("12.25"))
    );
}

#[test]
fn a_quarter_and_a_year_are_the_sums_of_their_rounded_months() {
    // 12.25 shared three ways is 4.083… a month: each month's notice shows 4.1, so the
    // quarter shows 12.3 and the year 49.2, not 12.25 and 49 rounded once.
    let p = with_head(
        "[split]\nmethod = \"equal\"\n[ledger.points]\nlabel = \"积分\"\nscale = 1\n[[ledger.points.base]]\nvalue = 10\n[[ledger.points.bonus]]\nadd = 2.25\n",
    );
    let items: Vec<Item> = (1..=12)
        .map(|m| {
            let mut i = item(m, &format!("2007-{m:02}-01"));
            i.authors = vec![by(2), by(3), by(4)];
            i
        })
        .collect();
    let adj = [adjustment(2, "points", "8.75", "奖励", "2007-09-01")];
    let months: Vec<Statement> =
        (1..=12).map(|m| run(&format!("2007-{m:02}"), std::slice::from_ref(&p), &items, &adj)).collect();
    assert_eq!(figure(&months[0], 3, "points"), d("4.1"));
    // September: 4.083… + 8.75 = 12.833… → 12.8.
    assert_eq!(figure(&months[8], 2, "points"), d("12.8"));
    let q1 = run("2007-Q1", std::slice::from_ref(&p), &items, &adj);
    assert_eq!(figure(&q1, 3, "points"), d("12.3"));
    let year = run("2007", std::slice::from_ref(&p), &items, &adj);
    assert_eq!((figure(&year, 2, "points"), figure(&year, 3, "points")), (d("57.9"), d("49.2")));
    for who in [2, 3, 4] {
        let sum: Decimal = months.iter().map(|s| figure(s, who, "points")).sum();
        assert_eq!(figure(&year, who, "points"), sum, "person {who}: the year is its months");
    }
    // The trail rounds each month where rounding changed something, and says which.
    let rounds: Vec<&str> =
        line(&q1, 3).trail.iter().filter(|t| t.rule == "round").map(|t| t.detail.as_str()).collect();
    assert_eq!(
        rounds,
        ["2007年1月按四舍五入保留1位小数", "2007年2月按四舍五入保留1位小数", "2007年3月按四舍五入保留1位小数"]
    );
}

#[test]
fn rounding_the_months_never_takes_a_quarter_past_its_cap_or_below_its_floor() {
    // 150 × 33.33% = 49.995 a month, 50.00 as rounded. Counted unrounded, the cap's room
    // after two months would be 0.01 and the quarter would pay 100.01 over a cap of 100.
    let capped = with_head(
        "[ledger.money]\nlabel = \"奖金\"\nmoney = true\n[[ledger.money.base]]\nvalue = 150\n[ledger.money.cap]\nquarter = 100\n",
    );
    let items: Vec<Item> = (1..=3)
        .map(|m| {
            let mut i = item(m, &format!("2007-0{m}-10"));
            i.authors = vec![by_share(1, 3333), by_share(2, 3333), by_share(3, 3334)];
            i
        })
        .collect();
    let q1 = run("2007-Q1", std::slice::from_ref(&capped), &items, &[]);
    assert_eq!(figure(&q1, 1, "money"), d("100.00"));
    let months: Vec<Decimal> = (1..=3)
        .map(|m| figure(&run(&format!("2007-0{m}"), std::slice::from_ref(&capped), &items, &[]), 1, "money"))
        .collect();
    assert_eq!(months, [d("50.00"), d("50.00"), d("0.00")]);
    assert!(
        line(&q1, 1)
            .trail
            .iter()
            .any(|t| t.rule == "cap.quarter" && t.detail == "本季度此前已计 100，季度上限 100，核减")
    );

    // Rounding down, 0.005 a month would leave a quarter floor of 10 short by a fen.
    let floored = with_head(
        "[ledger.money]\nlabel = \"奖金\"\nmoney = true\nrounding = \"down\"\n[[ledger.money.base]]\nvalue = 0.01\n[ledger.money.floor]\nquarter = 10\n",
    );
    let halves: Vec<Item> = (1..=2)
        .map(|m| {
            let mut i = item(m, &format!("2007-0{m}-10"));
            i.authors = vec![by(1), by(2)];
            i
        })
        .collect();
    let q1 = run("2007-Q1", &[floored], &halves, &[]);
    assert_eq!(figure(&q1, 1, "money"), d("10.00"));
    let lift = line(&q1, 1).trail.iter().find(|t| t.rule == "floor.quarter").unwrap();
    assert_eq!((lift.detail.as_str(), lift.value), ("本季度合计 0，低于季度下限 10，补足", d("10")));
}
