//! The policies shipped in `docs/policies/`: they parse, and they give the figures the seed reports.

use super::*;
use crate::{Grade, ManuscriptId, UnitId};

const HUBEI: &str = include_str!("../../../../../docs/policies/hubei-2007.toml");
const UNIVERSITY: &str = include_str!("../../../../../docs/policies/university-points.toml");

/// The seed's 17 units.
const UNITS: [&str; 17] = [
    "武汉市",
    "黄石市",
    "十堰市",
    "宜昌市",
    "襄樊市",
    "鄂州市",
    "荆门市",
    "孝感市",
    "荆州市",
    "黄冈市",
    "咸宁市",
    "随州市",
    "恩施州",
    "仙桃市",
    "潜江市",
    "天门市",
    "神农架林区",
];

/// A month of the seed's station: per month about 10 pieces in 中国知识产权报 (127 a year), 34 on the bureau's
/// website, 22 on the national office's sub-site, 1 on the provincial portal, 4 in 科技信息快报,
/// 2 in 科技创业周刊, 1 in 湖北日报, 1 on the radio, 5 in the internal bulletin; every fifth piece
/// has two authors at 60/40, every tenth is a research report or a feature; 30 correspondents.
fn hubei_month(year: i32, month: u8) -> (Vec<Item>, Vec<Person>, Vec<UnitInfo>) {
    let units: Vec<UnitInfo> = UNITS.iter().enumerate().map(|(i, n)| unit(i as i64 + 1, n)).collect();
    let people: Vec<Person> = (1..=30).map(|i| person(i, &format!("通讯员{i:02}"), Some((i - 1) % 17 + 1))).collect();
    let outlets: [(&str, OutletLevel, OutletKind, &str, usize); 9] = [
        ("中国知识产权报", OutletLevel::National, OutletKind::Newspaper, "", 10),
        ("湖北省知识产权局网站", OutletLevel::Provincial, OutletKind::Website, "市州工作", 34),
        ("国家知识产权局子站", OutletLevel::National, OutletKind::Website, "", 22),
        ("湖北省人民政府门户网站", OutletLevel::Provincial, OutletKind::Website, "", 1),
        ("科技信息快报", OutletLevel::Provincial, OutletKind::Newspaper, "专利园地", 4),
        ("科技创业周刊", OutletLevel::Provincial, OutletKind::Magazine, "", 2),
        ("湖北日报", OutletLevel::Provincial, OutletKind::Newspaper, "", 1),
        ("湖北人民广播电台", OutletLevel::Provincial, OutletKind::Radio, "", 1),
        ("湖北知识产权信息", OutletLevel::Internal, OutletKind::Bulletin, "", 5),
    ];
    let mut items = Vec::new();
    let mut n: i64 = 0;
    for (outlet, level, kind, column, count) in outlets {
        for k in 0..count {
            n += 1;
            let day = (n % 28 + 1) as u8;
            let date = time::Date::from_calendar_date(year, time::Month::try_from(month).unwrap(), day).unwrap();
            let first = (n * 7) % 30 + 1;
            let authors =
                if n % 5 == 0 { vec![by_share(first, 6000), by_share(first % 30 + 1, 4000)] } else { vec![by(first)] };
            items.push(Item {
                placement_id: PlacementId(i64::from(month) * 1000 + n),
                manuscript_id: Some(ManuscriptId(i64::from(month) * 1000 + n)),
                date,
                unit_id: Some(UnitId((first - 1) % 17 + 1)),
                outlet: outlet.into(),
                outlet_level: level,
                outlet_kind: kind,
                column: column.into(),
                genre: match n % 20 {
                    0 => Genre::Research,
                    10 => Genre::Feature,
                    _ => Genre::News,
                },
                position: if outlet == "中国知识产权报" && k == 0 {
                    Position::FrontPage
                } else {
                    Position::Normal
                },
                length: 400 + (n as i32 * 37) % 1200,
                instruction: None,
                commissioned: false,
                reprint: false,
                grade: None,
                authors,
                has_external_authors: false,
                title: format!("{outlet}稿件{n}"),
            });
        }
    }
    (items, people, units)
}

#[test]
fn hubei_policy_parses() {
    let p = policy(HUBEI);
    assert_eq!(p.name, "湖北省知识产权局宣传报道、政务信息奖励办法（2007年）");
    assert_eq!(p.ledgers.iter().map(|l| l.key.as_str()).collect::<Vec<_>>(), ["money", "points"]);
    assert_eq!(p.ledgers[0].cap.month, Some(d("500")));
}

#[test]
fn hubei_pays_about_two_thousand_yuan_a_month() {
    let p = policy(HUBEI);
    let (items, people, units) = hubei_month(2007, 6);
    assert_eq!(items.len(), 80);
    let s = run_with("2007-06", &[p], &items, &people, &units, &[]);
    let total = s.totals["money"];
    assert!(d("1800") <= total && total <= d("2600"), "monthly payout {total}");
    assert_eq!(s.lines.iter().map(|l| l.placements).sum::<u32>(), 80 + 16);
    // Every unit appears, ranked by points in the web layer; the quarter's quota is checked in June.
    assert_eq!(s.units.len(), 17);
    assert!(s.units.iter().all(|u| u.quota == Some(d("6"))));
    // A front-page piece in the national paper: 100 + 50.
    let front = s.lines.iter().flat_map(|l| &l.trail).find(|t| t.rule == "bonus.front_page").unwrap();
    assert_eq!(front.detail, "头版 +50");
}

#[test]
fn hubei_values_by_outlet() {
    let p = policy(HUBEI);
    let value = |f: &dyn Fn(&mut Item)| {
        let mut i = item(1, "2007-06-05");
        f(&mut i);
        let s = run("2007-06", std::slice::from_ref(&p), &[i], &[]);
        (figure(&s, 1, "money"), figure(&s, 1, "points"))
    };
    assert_eq!(value(&|_| {}), (d("100.00"), d("10.0")));
    assert_eq!(value(&|i| i.genre = Genre::Research), (d("200.00"), d("20.0")));
    assert_eq!(value(&|i| i.genre = Genre::Feature), (d("150.00"), d("10.0")));
    let sub_site = |i: &mut Item| {
        i.outlet = "国家知识产权局子站".into();
        i.outlet_kind = OutletKind::Website;
    };
    assert_eq!(value(&sub_site), (d("10.00"), d("2.0")));
    let portal = |i: &mut Item| {
        i.outlet = "湖北省人民政府门户网站".into();
        i.outlet_kind = OutletKind::Website;
        i.outlet_level = OutletLevel::Provincial;
    };
    assert_eq!(value(&portal), (d("30.00"), d("1.0")));
    let bulletin = |i: &mut Item| {
        i.outlet = "湖北知识产权信息".into();
        i.outlet_kind = OutletKind::Bulletin;
        i.outlet_level = OutletLevel::Internal;
    };
    assert_eq!(value(&bulletin), (d("10.00"), d("1.0")));
    let site = |i: &mut Item| {
        i.outlet = "湖北省知识产权局网站".into();
        i.outlet_kind = OutletKind::Website;
        i.outlet_level = OutletLevel::Provincial;
        i.column = "要闻动态".into();
    };
    assert_eq!(value(&site), (d("10.00"), d("1.0")));
    // Six front-page research pieces in one month: 6 × (100 + 50) × 2 = 1800, capped at 500.
    let items: Vec<Item> = (1..=6)
        .map(|k| {
            let mut i = item(k, "2007-06-05");
            i.genre = Genre::Research;
            i.position = Position::FrontPage;
            i
        })
        .collect();
    let s = run("2007-06", &[p], &items, &[]);
    assert_eq!(figure(&s, 1, "money"), d("500.00"));
}

#[test]
fn university_policy_parses_and_scores() {
    let p = policy(UNIVERSITY);
    assert_eq!(p.split.method, SplitMethod::Weights);
    assert_eq!(p.duplicates, Duplicates::Best);
    let on = |id: i64, day: &str, f: &dyn Fn(&mut Item)| {
        let mut i = item(id, day);
        f(&mut i);
        i
    };
    // A provincial news piece of 1600 characters by two authors: 30 × 1.5 = 45, split 3:2.
    let a = on(1, "2020-03-02", &|i| {
        i.outlet = "湖北日报".into();
        i.outlet_level = OutletLevel::Provincial;
        i.length = 1600;
        i.authors = vec![by(1), by(2), by(3)];
    });
    // A national feature headline of 900 characters: (50 + 5 + 20) × 2 = 150.
    let b = on(2, "2020-03-03", &|i| {
        i.genre = Genre::Feature;
        i.position = Position::Headline;
        i.length = 900;
    });
    // The same manuscript on the campus site (要闻, 8) and in a provincial paper (30): only 30 counts.
    let c = on(3, "2020-03-04", &|i| {
        i.outlet = "学校新闻网".into();
        i.outlet_level = OutletLevel::Internal;
        i.outlet_kind = OutletKind::Website;
        i.column = "要闻".into();
        i.length = 300;
        i.manuscript_id = Some(ManuscriptId(7));
        i.authors = vec![by(4)];
    });
    let d2 = on(4, "2020-03-20", &|i| {
        i.outlet = "楚天都市报".into();
        i.outlet_level = OutletLevel::Provincial;
        i.length = 300;
        i.manuscript_id = Some(ManuscriptId(7));
        i.authors = vec![by(4)];
    });
    let s = run("2020-03", std::slice::from_ref(&p), &[a, b, c, d2], &[]);
    // March ends the quarter: every unit is short of its 3 pieces, so each member loses 10.
    // 武汉市 made 0.6 + 0.4 + 1 = 2; 宜昌市 none (王芳's third-author share is nothing); 襄阳市 1.
    let wuhan = s.units.iter().find(|u| u.name == "武汉市").unwrap();
    assert_eq!((wuhan.pieces, wuhan.missed_quota), (d("2.00"), true));
    assert_eq!(
        (figure(&s, 1, "points"), figure(&s, 2, "points"), figure(&s, 3, "points")),
        (d("167.0"), d("8.0"), d("-10.0"))
    );
    assert_eq!((figure(&s, 4, "points"), line(&s, 4).placements), (d("20.0"), 1));
    let wang = line(&s, 3);
    assert!(wang.trail.iter().any(|t| t.rule == "quota.quarterly" && t.value == d("-10")), "{:?}", rules(wang));
    // 刘洋 has no unit and no quota.
    assert!(s.lines.iter().all(|l| l.correspondent_id != CorrespondentId(5)));
}

#[test]
fn university_awards_at_the_end_of_the_year() {
    let p = policy(UNIVERSITY);
    let mut items = Vec::new();
    // 张明: ten national news pieces (30 × 2 = 60 each) over the year → 600 points → 优秀.
    for k in 0..10 {
        items.push(item(k + 1, &format!("2020-{:02}-05", k + 1)));
    }
    // 王芳: two prize-winning campus pieces (3 each) + three more = 9 pieces → 先进, 15 points only.
    for k in 0..5 {
        let mut i = item(100 + k, &format!("2020-{:02}-06", k + 2));
        i.outlet = "学校新闻网".into();
        i.outlet_level = OutletLevel::Internal;
        i.column = "院系动态".into();
        i.length = 300;
        i.authors = vec![by(3)];
        i.grade = (k < 2).then_some(Grade::Excellent);
        items.push(i);
    }
    let s = run("2020", &[p], &items, &[]);
    assert_eq!(line(&s, 1).awards, ["优秀通讯员"]);
    assert_eq!(line(&s, 3).awards, ["先进通讯员"]);
}

/// `Rule::value` (used for months before the period, which keep no trail) gives exactly what
/// `Rule::apply` gives, for every rule of both policy files over a grid of placements.
#[test]
fn quiet_values_match_described_values() {
    use crate::{Genre, InstructionLevel, OutletKind, OutletLevel, Position};
    for text in [HUBEI, UNIVERSITY] {
        let p = policy(text);
        let rules: Vec<&crate::policy::Rule> =
            p.ledgers.iter().flat_map(|l| l.base.iter().chain(l.bonus.iter())).collect();
        let mut checked = 0;
        for genre in Genre::ALL {
            for level in OutletLevel::ALL {
                for kind in OutletKind::ALL {
                    for (n, position) in Position::ALL.iter().enumerate() {
                        let mut i = item(1, "2007-06-05");
                        i.genre = *genre;
                        i.outlet_level = *level;
                        i.outlet_kind = *kind;
                        i.position = *position;
                        i.length = [300, 800, 1200, 2600][n % 4];
                        i.instruction = [None, Some(InstructionLevel::Provincial)][n % 2];
                        i.reprint = n % 3 == 0;
                        i.commissioned = n % 2 == 1;
                        for outlet in
                            ["中国知识产权报", "湖北省知识产权局网站", "国家知识产权局子站", "学校新闻网", "其他"]
                        {
                            i.outlet = outlet.into();
                            for column in ["要闻动态", "市州工作", ""] {
                                i.column = column.into();
                                for rule in &rules {
                                    let current = rust_decimal::Decimal::new(1234, 2);
                                    assert_eq!(
                                        rule.apply(&i, current).map(|(v, _)| v),
                                        rule.value(&i, current),
                                        "{}",
                                        rule.id
                                    );
                                    checked += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 1000);
    }
}
