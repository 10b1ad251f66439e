//! The worked examples in `docs/policy.md`: the policies there parse, and the figures and trail
//! lines the page shows are what the engine computes.

use super::*;
use crate::{Grade, ManuscriptId};

const DOC: &str = include_str!("../../../../../docs/policy.md");

/// The TOML block of the page that starts with `# 示例…`.
fn example(title: &str) -> String {
    let start =
        DOC.find(&format!("```toml\n# {title}")).unwrap_or_else(|| panic!("no example {title}")) + "```toml\n".len();
    let end = DOC[start..].find("\n```").expect("closing fence") + start;
    DOC[start..end].to_string()
}

fn has_step(l: &PersonLine, rule: &str, detail: &str, value: &str, total: &str) -> bool {
    l.trail.iter().any(|t| t.rule == rule && t.detail == detail && t.value == d(value) && t.total == d(total))
}

#[test]
fn example_one() {
    let p = policy(&example("示例一"));
    let mut a = item(1, "2007-06-04");
    a.outlet = "湖北日报".into();
    a.outlet_level = OutletLevel::Provincial;
    a.position = Position::FrontPage;
    a.authors = vec![by_share(1, 6000), by_share(2, 4000)];
    let mut b = item(2, "2007-06-12");
    b.genre = Genre::Research;
    b.manuscript_id = Some(ManuscriptId(7));
    let mut c = b.clone();
    c.placement_id = PlacementId(3);
    c.date = date("2007-06-15");
    c.outlet = "武汉晚报".into();
    c.outlet_level = OutletLevel::Municipal;
    let s = run("2007-06", &[p], &[a, b, c], &[]);
    let zhang = line(&s, 1);
    assert_eq!((zhang.ledgers["money"], zhang.pieces, zhang.placements), (d("100.00"), d("1.60"), 2));
    assert_eq!((figure(&s, 2, "money"), line(&s, 2).pieces, s.totals["money"]), (d("20.00"), d("0.40"), d("120.00")));
    let shown: Vec<(Option<i64>, &str, &str, String, String)> = zhang
        .trail
        .iter()
        .map(|t| {
            (
                t.placement_id.map(|p| p.0),
                t.rule.as_str(),
                t.detail.as_str(),
                t.value.normalize().to_string(),
                t.total.normalize().to_string(),
            )
        })
        .collect();
    let want = [
        (Some(1), "base.genre_level", "体裁×级别：消息 × 省级及以上 = 30", "30", "30"),
        (Some(1), "bonus.front_page", "头版 +20", "20", "50"),
        (Some(1), "split.shares", "按署名份额 60%:40%；本人第1作者：50 → 30", "-20", "30"),
        (Some(2), "base.genre_level", "体裁×级别：调研报告 × 省级及以上 = 50", "50", "50"),
        (Some(2), "bonus.research_national", "国家级调研报告 ×2", "50", "100"),
        (Some(3), "base.genre_level", "体裁×级别：调研报告 × 市级 = 30", "30", "30"),
        (Some(3), "duplicate.best", "同一稿件本月在《中国知识产权报》的采用计分更高，本次不计", "-30", "0"),
        (None, "sum", "2007年6月稿件合计（2篇次，另1篇次同稿不计篇次）", "130", "130"),
        (None, "cap.month", "超出每月上限 100，核减", "-30", "100"),
    ];
    let want: Vec<(Option<i64>, &str, &str, String, String)> =
        want.iter().map(|(p, r, de, v, t)| (*p, *r, *de, v.to_string(), t.to_string())).collect();
    assert_eq!(shown, want);
    assert!(has_step(line(&s, 2), "split.shares", "按署名份额 60%:40%；本人第2作者：50 → 20", "-30", "20"));
    // Every block on the page that is a whole policy parses.
    for title in ["示例一", "示例二"] {
        policy(&example(title));
    }
}

fn example_two_items() -> (Vec<Item>, Vec<Person>, Vec<UnitInfo>) {
    let people = vec![person(1, "王芳", Some(1)), person(2, "陈静", Some(1)), person(3, "赵强", Some(2))];
    let units = vec![unit(1, "文学院"), unit(2, "物理学院")];
    let mut a = item(1, "2007-02-10");
    a.outlet = "湖北日报".into();
    a.outlet_level = OutletLevel::Provincial;
    a.length = 1600;
    a.authors = vec![by(1), by(2), by(3)];
    let mut b = item(2, "2007-03-05");
    b.length = 900;
    b.authors = vec![by(3)];
    b.grade = Some(Grade::Excellent);
    let mut c = item(3, "2007-03-20");
    c.outlet = "武汉晚报".into();
    c.outlet_level = OutletLevel::Municipal;
    c.length = 500;
    c.authors = vec![by(3)];
    (vec![a, b, c], people, units)
}

#[test]
fn example_two() {
    let p = policy(&example("示例二"));
    let (items, people, units) = example_two_items();
    let s = run_with("2007-Q1", &[p], &items, &people, &units, &[]);
    assert_eq!(
        (figure(&s, 1, "points"), figure(&s, 2, "points"), figure(&s, 3, "points")),
        (d("17.0"), d("8.0"), d("65.0"))
    );
    let wang = line(&s, 1);
    assert!(has_step(wang, "base.level", "媒体级别：省级 = 30", "30", "30"));
    assert!(has_step(wang, "bonus.long_1500", "1500字以上 ×1.5", "15", "45"));
    assert!(has_step(wang, "split.weights", "按顺序权重 3:2；本人第1作者：45 → 27", "-18", "27"));
    assert!(has_step(wang, "sum", "2007年2月稿件合计（1篇次）", "27", "27"));
    assert!(has_step(wang, "quota.quarterly", "本单位未完成季度发稿任务（1 / 2 篇），每人扣减 10", "-10", "17"));
    let zhao = line(&s, 3);
    assert!(has_step(zhao, "base.level", "媒体级别：国家级 = 50", "50", "50"));
    assert!(has_step(zhao, "bonus.long_800", "800字以上 +5", "5", "55"));
    assert!(has_step(zhao, "base.level", "媒体级别：市级及以下 = 10", "10", "10"));
    assert!(has_step(zhao, "sum", "2007年3月稿件合计（2篇次）", "65", "65"));
    // The third author has a place on the byline but no share: the words say why it is not counted.
    assert!(has_step(zhao, "sum", "2007年2月稿件合计（0篇次，另1篇次未分得份额不计篇次）", "0", "0"));
    assert_eq!(zhao.placements, 2);
    let unit_of = |name: &str| s.units.iter().find(|u| u.name == name).unwrap();
    assert_eq!((unit_of("文学院").quota, unit_of("文学院").missed_quota), (Some(d("2")), true));
    assert!(!unit_of("物理学院").missed_quota);
}

#[test]
fn example_three() {
    let two = example("示例二");
    let text =
        two[..two.find("[[quota]]").unwrap()].replace("示例二", "示例三") + &two[two.find("[[awarding").unwrap()..];
    let p = policy(&text);
    let (items, people, units) = example_two_items();
    let s = run_with("2007", &[p], &items, &people, &units, &[]);
    let zhao = line(&s, 3);
    assert_eq!((zhao.ledgers["points"], zhao.awards.clone()), (d("65.0"), vec!["先进通讯员".to_string()]));
    assert!(zhao.trail.iter().any(|t| t.rule == "award.先进通讯员" && t.detail == "先进通讯员：全年计篇 4 ≥ 3"));
    assert!(line(&s, 1).awards.is_empty() && line(&s, 2).awards.is_empty());
}
