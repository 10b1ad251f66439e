//! The policy file format: what it reads, and how it explains mistakes with their lines.

use super::*;

/// Uses every section and key of the format at least once.
const FULL: &str = r#"
name = "测试办法"
valid_from = 2007-01-01
valid_to = "2007-12-31"
note = "说明"
duplicates = "best"

[split]
method = "weights"
weights = [3, 2]
external = "share"

[ledger.money]
label = "奖金"
money = true
scale = 2
rounding = "四舍五入"

[[ledger.money.base]]
id = "cipnews"
name = "中国知识产权报"
outlet = "中国知识产权报"
value = 100

[[ledger.money.base]]
id = "column"
outlet = "科技信息快报"
by = "column"
values = { "专利园地" = 50, "要闻" = 60 }

[[ledger.money.base]]
id = "genre_level"
name = "体裁×级别"
by = ["genre", "level"]
columns = ["县级", "市级", "省级及以上"]
[ledger.money.base.values]
"消息" = [10, 15, 30]
"调研报告" = [20, 30, 50]
"图片" = ["-", 5, 8]

[[ledger.money.bonus]]
id = "front_page"
name = "头版"
position = "头版"
add = 20

[[ledger.money.bonus]]
id = "long"
group = "length"
min_length = 1000
add = 10

[[ledger.money.bonus]]
id = "medium"
group = "length"
min_length = 500
max_length = 999
add = 5

[[ledger.money.bonus]]
id = "instruction"
by = "instruction"
add = { "市级" = 50, "省级及以上" = 100 }

[[ledger.money.bonus]]
id = "rate"
commissioned = true
add = 10
per_chars = 1000

[[ledger.money.bonus]]
id = "reprint"
reprint = true
multiply = 0.5

[ledger.money.cap]
month = 300
quarter = 800
year = 3000

[ledger.money.floor]
month = 0

[ledger.money.allowance]
amount = 10
per = "month"
kinds = ["市州通讯员"]

[ledger.points]
label = "积分"
scale = 1
rounding = "half_even"

[[ledger.points.base]]
by = "level"
values = { "国家级" = 10, "省级" = 5, "市级及以下" = 2 }

[[quota]]
id = "monthly"
name = "每月发稿任务"
per = "month"
min_pieces = 2
units = ["武汉市"]
penalty = { points = 5 }
applies_to = "each_member"

[awarding]
one_per_person = true
joint = "share"
[[awarding.count_as]]
grade = "优秀"
pieces = 3

[[award]]
name = "优秀通讯员"
min = { points = 100 }

[[award]]
name = "先进通讯员"
min = { pieces = 12 }
kinds = ["市州通讯员", "局职工"]
"#;

#[test]
fn reads_every_section() {
    let p = policy(FULL);
    assert_eq!(p.name, "测试办法");
    assert_eq!((p.valid_from, p.valid_to), (date("2007-01-01"), Some(date("2007-12-31"))));
    assert_eq!(p.dates_line, Some(3));
    assert_eq!(p.duplicates, Duplicates::Best);
    assert_eq!(p.split.method, SplitMethod::Weights);
    assert_eq!(p.split.weights, vec![d("3"), d("2")]);
    assert_eq!(p.split.external, External::Share);
    assert_eq!(p.ledgers.len(), 2);
    let money = &p.ledgers[0];
    assert_eq!((money.key.as_str(), money.label.as_str(), money.is_money, money.scale), ("money", "奖金", true, 2));
    assert_eq!(money.rounding, Rounding::HalfUp);
    let ids: Vec<&str> = money.base.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["base.cipnews", "base.column", "base.genre_level"]);
    assert_eq!(money.bonus.len(), 6);
    assert_eq!(money.bonus[5].op, Op::Multiply);
    assert_eq!(money.cap.month, Some(d("300")));
    assert_eq!(money.floor.month, Some(d("0")));
    assert_eq!(money.allowance.as_ref().map(|a| (a.amount, a.per)), Some((d("10"), PeriodKind::Month)));
    let points = &p.ledgers[1];
    assert_eq!((points.scale, points.rounding), (1, Rounding::HalfEven));
    assert_eq!(p.quotas[0].penalty.get("points"), Some(&d("5")));
    assert_eq!(p.quotas[0].applies_to, PenaltyTarget::EachMember);
    assert_eq!(p.awarding.count_as[0].pieces, d("3"));
    assert_eq!(p.awards.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["优秀通讯员", "先进通讯员"]);
    // The table keeps its rows and "-" cells; "省级及以上" stands for two levels.
    match &money.base[2].amount {
        Amount::Table { header, cells, .. } => {
            assert_eq!(header[2].codes.len(), 2);
            assert_eq!(cells[2].1[0], None);
        }
        other => panic!("expected a table, got {other:?}"),
    }
}

#[test]
fn a_minimal_policy_needs_only_a_name_a_date_and_a_ledger() {
    let p = policy("name = \"最简\"\nvalid_from = 2007-01-01\n[ledger.points]\nlabel = \"积分\"\n");
    assert_eq!(p.valid_to, None);
    assert_eq!(p.duplicates, Duplicates::All);
    assert_eq!(p.split.method, SplitMethod::Shares);
    assert_eq!(p.ledgers[0].scale, 2);
}

const HEAD: &str = "name = \"测试\"\nvalid_from = 2007-01-01\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\n";

#[test]
fn unknown_keys_name_their_line_and_suggest_the_right_one() {
    let text = format!("{HEAD}[[ledger.money.bonuss]]\nadd = 1\n");
    assert_eq!(errors(&text), ["第6行：未知的键 “bonuss”，是否应为 “bonus”？"]);
    let text = format!("{HEAD}[[ledger.money.base]]\nvalue = 1\ncolour = \"红\"\n");
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("第8行：未知的键 “colour”"), "{e:?}");
    let e = errors("name = \"x\"\nvalid_from = 2007-01-01\n[ledgers.money]\nlabel = \"x\"\n");
    assert!(e.iter().any(|m| m.contains("“ledgers”，是否应为 “ledger”")), "{e:?}");
}

#[test]
fn unknown_vocabulary_is_explained() {
    let text = format!("{HEAD}[[ledger.money.base]]\ngenre = [\"消息\", \"小说\"]\nlevel = \"乡级\"\nvalue = 1\n");
    let e = errors(&text);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].starts_with("第7行：“小说”不是有效的体裁：体裁应为：消息、"), "{e:?}");
    assert!(e[1].starts_with("第8行：“乡级”不是有效的媒体级别"), "{e:?}");
}

#[test]
fn negative_caps_and_bad_amounts_are_refused() {
    let text = format!("{HEAD}[ledger.money.cap]\nmonth = -100\n");
    assert_eq!(errors(&text), ["第7行：每月上限不能为负数：-100"]);
    let text = format!("{HEAD}[[ledger.money.base]]\nvalue = 12.345\n");
    assert!(errors(&text)[0].contains("金额精确到分"));
    let text = format!("{HEAD}[[ledger.money.bonus]]\nmultiply = 0\n");
    assert!(errors(&text)[0].contains("倍数应大于0"));
    let text = format!("{HEAD}[[ledger.money.bonus]]\nadd = -5\n");
    assert!(errors(&text)[0].contains("不能为负数"));
    let text = format!("{HEAD}[[ledger.money.base]]\nvalue = \"100\"\n");
    assert_eq!(errors(&text), ["第7行：“value”应为数字"]);
}

#[test]
fn rules_that_can_never_match_are_errors() {
    // Contradictory length bounds.
    let text = format!("{HEAD}[[ledger.money.bonus]]\nmin_length = 1000\nmax_length = 500\nadd = 1\n");
    assert_eq!(errors(&text), ["第6行：本规则永远不会生效：min_length 1000 大于 max_length 500"]);
    // A table entry outside the rule's own conditions.
    let text = format!(
        "{HEAD}[[ledger.money.base]]\nlevel = \"省级\"\nby = \"level\"\nvalues = {{ \"省级\" = 50, \"国家级\" = 100 }}\n"
    );
    assert_eq!(errors(&text), ["第9行：“国家级”不在本规则的条件 level = 省级 之内，永远用不到"]);
    let text =
        format!("{HEAD}[[ledger.money.base]]\nlevel = \"省级\"\nby = \"level\"\nvalues = {{ \"国家级\" = 100 }}\n");
    assert!(errors(&text)[0].contains("没有交集"));
    // An empty condition list.
    let text = format!("{HEAD}[[ledger.money.base]]\noutlet = []\nvalue = 1\n");
    assert_eq!(errors(&text), ["第7行：“outlet”不能为空：空的条件永远不会匹配"]);
    // A row of "-" only.
    let text = format!(
        "{HEAD}[[ledger.money.base]]\nby = [\"genre\", \"level\"]\ncolumns = [\"省级\", \"国家级\"]\nvalues = {{ \"消息\" = [\"-\", \"-\"] }}\n"
    );
    assert!(errors(&text)[0].contains("全是“-”"));
}

#[test]
fn a_shadowed_length_threshold_is_found() {
    // Written from the lowest threshold up, the 1000-character tier can never be reached.
    let text = format!(
        "{HEAD}[[ledger.money.bonus]]\ngroup = \"length\"\nmin_length = 500\nadd = 5\n\n[[ledger.money.bonus]]\nid = \"long\"\ngroup = \"length\"\nmin_length = 1000\nadd = 10\n"
    );
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("第11行：规则“bonus.long”永远不会生效：它能匹配的稿件都会先匹配第6行的“bonus.1”"),
        "{e:?}"
    );
    // Without a group every bonus applies, so nothing is shadowed.
    let text = format!(
        "{HEAD}[[ledger.money.bonus]]\nmin_length = 500\nadd = 5\n[[ledger.money.bonus]]\nmin_length = 1000\nadd = 10\n"
    );
    policy(&text);
}

#[test]
fn a_base_rule_after_a_catch_all_is_found() {
    let text = format!(
        "{HEAD}[[ledger.money.base]]\nby = \"level\"\nvalues = {{ \"国家级\" = 100, \"省级及以下\" = 10 }}\n[[ledger.money.base]]\noutlet = \"中国知识产权报\"\nvalue = 200\n"
    );
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("第9行：规则“base.2”永远不会生效"), "{e:?}");
    // With a "-" cell the table does not cover everything, so a later rule can still match.
    let text = format!(
        "{HEAD}[[ledger.money.base]]\nby = [\"kind\", \"level\"]\ncolumns = [\"国家级\", \"省级及以下\"]\nvalues = {{ \"报纸\" = [100, \"-\"] }}\n[[ledger.money.base]]\nkind = \"报纸\"\nvalue = 5\n"
    );
    policy(&text);
}

#[test]
fn tables_are_checked() {
    let text =
        format!("{HEAD}[[ledger.money.base]]\nby = \"level\"\nvalues = {{ \"省级及以上\" = 50, \"国家级\" = 100 }}\n");
    assert!(errors(&text)[0].contains("“国家级”与“省级及以上”重叠"));
    let text = format!(
        "{HEAD}[[ledger.money.base]]\nby = [\"genre\", \"level\"]\ncolumns = [\"县级\", \"市级\", \"省级\"]\nvalues = {{ \"消息\" = [10, 15] }}\n"
    );
    assert!(errors(&text)[0].contains("有 2 个数，columns 有 3 列"));
    let text = format!("{HEAD}[[ledger.money.base]]\nby = [\"genre\", \"level\"]\nvalues = {{ \"消息\" = [10] }}\n");
    assert!(errors(&text)[0].contains("需要 columns"));
    let text = format!("{HEAD}[[ledger.money.base]]\nvalues = {{ \"消息\" = 10 }}\n");
    assert!(errors(&text)[0].contains("values 需要配合 by 使用"));
    let text = format!("{HEAD}[[ledger.money.base]]\nby = \"颜色\"\nvalues = {{ \"红\" = 10 }}\n");
    assert!(errors(&text).iter().any(|e| e.contains("by “颜色”无效")));
}

#[test]
fn syntax_errors_name_their_line() {
    let e = errors("name = \"x\"\nvalid_from = 2007-01-01\nscale = [1,\n");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("第3行：TOML 格式错误"), "{e:?}");
}

#[test]
fn collects_every_error_it_can() {
    let text = "valid_to = 2006-01-01\nvalid_from = 2007-01-01\nduplicates = \"some\"\n[ledger.Money]\nlabel = 1\n";
    let e = errors(text);
    assert!(e.iter().any(|m| m == "缺少办法名称：name = \"…\""), "{e:?}");
    assert!(e.iter().any(|m| m.starts_with("第1行：失效日期")), "{e:?}");
    assert!(e.iter().any(|m| m.starts_with("第3行：duplicates “some”无效")), "{e:?}");
    assert!(e.iter().any(|m| m.starts_with("第4行：账目名“Money”")), "{e:?}");
}

#[test]
fn caps_and_floors_that_cannot_both_hold_are_refused() {
    let text = format!("{HEAD}[ledger.money.cap]\nmonth = 100\n[ledger.money.floor]\nmonth = 200\n");
    assert_eq!(errors(&text), ["第8行：每月下限 200 高于上限 100"]);
    let text = format!("{HEAD}[ledger.money.cap]\nyear = 1000\n[ledger.money.floor]\nmonth = 50\n");
    assert!(errors(&text)[0].contains("每月下限大于0时不能同时设每年上限"));
    let text = format!("{HEAD}[ledger.money.cap]\nmonth = 300\n[ledger.money.floor]\nquarter = 0\n");
    assert!(errors(&text)[0].contains("设了每月上限就不能再设每季度下限"));
    // A zero month floor with a year cap is fine: the cap never pushes below zero.
    policy(&format!("{HEAD}[ledger.money.cap]\nyear = 1000\n[ledger.money.floor]\nmonth = 0\n"));
}

#[test]
fn quotas_awards_and_split_are_checked() {
    let text = format!("{HEAD}[[quota]]\nper = \"month\"\nmin_pieces = 2\npenalty = {{ points = 5 }}\n");
    assert!(errors(&text)[0].contains("penalty 中的账目“points”不存在"));
    let text = format!("{HEAD}[[quota]]\nper = \"month\"\nmin_pieces = 0\npenalty = {{ money = 5 }}\n");
    assert!(errors(&text)[0].contains("min_pieces 应大于0"));
    let text = format!(
        "{HEAD}[[quota]]\nper = \"month\"\nmin_pieces = 1\npenalty = {{ money = 5 }}\n[[quota]]\nper = \"month\"\nmin_pieces = 2\npenalty = {{ money = 5 }}\n"
    );
    assert!(errors(&text)[0].contains("与第6行的任务重复"));
    let text = format!(
        "{HEAD}[[award]]\nname = \"先进\"\nmin = {{ pieces = 5 }}\n[[award]]\nname = \"优秀\"\nmin = {{ pieces = 10 }}\n"
    );
    assert!(errors(&text)[0].starts_with("第9行：奖项“优秀”永远评不上"));
    let text = format!("{HEAD}[[award]]\nname = \"优秀\"\nmin = {{ stars = 5 }}\n");
    assert!(errors(&text)[0].contains("min 中的“stars”无效"));
    let text = format!("{HEAD}[split]\nmethod = \"weights\"\n");
    assert!(errors(&text)[0].contains("需要 weights"));
    let text = format!("{HEAD}[split]\nmethod = \"equal\"\nweights = [3, 2]\n");
    assert!(errors(&text)[0].contains("weights 只在"));
}

#[test]
fn overlapping_policies_are_refused() {
    let a = policy(
        "name = \"2007办法\"\nvalid_from = 2007-01-01\nvalid_to = 2007-12-31\n[ledger.money]\nlabel = \"奖金\"\n",
    );
    let b = policy("name = \"新办法\"\n\nvalid_from = 2007-07-01\n[ledger.money]\nlabel = \"奖金\"\n");
    let e = check_overlap(&b, std::slice::from_ref(&a)).unwrap_err();
    assert_eq!(e.line, Some(3));
    assert_eq!(
        e.to_string(),
        "第3行：生效日期（2007-07-01 起长期有效）与已有的“2007办法”（2007-01-01 至 2007-12-31）重叠：同一时间只能有一个奖励办法"
    );
    let c = policy("name = \"2008办法\"\nvalid_from = 2008-01-01\n[ledger.money]\nlabel = \"奖金\"\n");
    assert!(check_overlap(&c, std::slice::from_ref(&a)).is_ok());
    assert!(check_overlap(&a, &[c]).is_ok(), "an open-ended later policy does not reach back");
}

#[test]
fn errors_display_with_and_without_a_line() {
    let e = PolicyError { line: Some(12), message: "未知的键 “bonuss”".into() };
    assert_eq!(e.to_string(), "第12行：未知的键 “bonuss”");
    let e = PolicyError { line: None, message: "缺少办法名称".into() };
    assert_eq!(e.to_string(), "缺少办法名称");
}

#[test]
fn units_named_in_quotas_must_exist() {
    let text = r#"name = "任务"
valid_from = 2007-01-01
[ledger.points]
label = "积分"

[[quota]]
name = "季度发稿任务"
per = "quarter"
min_pieces = 2
units = [
  "武汉市",
  "某某市",
  "宜昌市 ",
]
penalty = { points = 10 }

[[quota]]
name = "每月任务"
per = "month"
min_pieces = 1
units = "不存在的单位"
penalty = { points = 1 }

[[quota]]
name = "全年任务"
per = "year"
min_pieces = 1
penalty = { points = 1 }
"#;
    let p = policy(text);
    let errors: Vec<String> =
        check_units(text, &p, &["武汉市", "宜昌市"]).unwrap_err().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        ["第12行：任务“季度发稿任务”的单位“某某市”不存在", "第21行：任务“每月任务”的单位“不存在的单位”不存在"]
    );
    // A quota for every unit names none; known names pass.
    assert_eq!(check_units(text, &p, &["武汉市", "宜昌市", "某某市", "不存在的单位"]), Ok(()));
    // Without the source's lines (a policy from elsewhere), the quota's own line is used.
    let errors = check_units("", &p, &["武汉市", "宜昌市"]).unwrap_err();
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [Some(6), Some(17)]);
}
