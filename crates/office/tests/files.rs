//! Real files in and out: fixtures made by LibreOffice, a GBK CSV, and round trips through our
//! own writers.

use std::collections::HashSet;

use domain::byline::WrittenAuthor;
use domain::import::{self, Known, PlacementRecord};
use domain::table::{Cell, Row, Table};
use domain::{Genre, Grade, InstructionLevel, Position};
use office::{OfficeError, read_table, write_csv, write_xlsx};
use time::macros::date;

fn fixture(name: &str) -> Table {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read_table(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn names(list: &[&str]) -> HashSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn known() -> Known {
    Known {
        units: names(&["武汉市知识产权局", "宜昌市知识产权局", "局办公室"]),
        correspondents: names(&["张伟", "李娜", "王芳", "刘洋", "陈静"]),
        outlets: names(&["中国知识产权报", "科技信息快报", "湖北日报", "湖北省知识产权局网站"]),
        manuscripts: Default::default(),
    }
}

fn column(t: &Table, header: &str) -> usize {
    t.headers.iter().position(|h| h == header).unwrap()
}

fn row_numbers(t: &Table) -> Vec<usize> {
    t.rows.iter().map(|r| r.number).collect()
}

fn expected_placements() -> Vec<PlacementRecord> {
    let author = |name: &str, share_bp| WrittenAuthor { name: name.into(), share_bp };
    vec![
        PlacementRecord {
            title: "武汉专利申请量突破五千件".into(),
            authors: vec![author("张伟", Some(6000)), author("李娜", Some(4000))],
            external_authors: "本报记者 周明".into(),
            unit: Some("武汉市知识产权局".into()),
            outlet: "中国知识产权报".into(),
            column: "地方传真".into(),
            published_on: date!(2007 - 06 - 01),
            genre: Genre::News,
            position: Position::FrontPage,
            length: 1200,
            instruction: Some(InstructionLevel::Provincial),
            commissioned: false,
            reprint: false,
            grade: Some(Grade::Excellent),
            url: "http://www.cipnews.com.cn/2007/0601/a1.htm".into(),
            note: String::new(),
            manuscript: String::new(),
        },
        PlacementRecord {
            title: "宜昌：专利执法进企业".into(),
            authors: vec![author("王芳", None)],
            external_authors: String::new(),
            unit: Some("宜昌市知识产权局".into()),
            outlet: "科技信息快报".into(),
            column: "专利园地".into(),
            published_on: date!(2007 - 06 - 05),
            genre: Genre::Feature,
            position: Position::Normal,
            length: 2500,
            instruction: None,
            commissioned: true,
            reprint: false,
            grade: Some(Grade::Good),
            url: String::new(),
            note: "约稿，见编辑部函".into(),
            manuscript: String::new(),
        },
        PlacementRecord {
            title: "神农架林区召开知识产权工作会议".into(),
            authors: vec![author("刘洋", None)],
            external_authors: String::new(),
            unit: None,
            outlet: "湖北日报".into(),
            column: String::new(),
            published_on: date!(2007 - 06 - 18),
            genre: Genre::News,
            position: Position::Normal,
            length: 600,
            instruction: None,
            commissioned: false,
            reprint: false,
            grade: None,
            url: String::new(),
            note: String::new(),
            manuscript: String::new(),
        },
        PlacementRecord {
            title: "关于加强县域知识产权工作的调研报告".into(),
            authors: vec![author("陈静", None), author("张伟", None)],
            external_authors: String::new(),
            unit: Some("局办公室".into()),
            outlet: "湖北省知识产权局网站".into(),
            column: "工作报道".into(),
            published_on: date!(2007 - 07 - 02),
            genre: Genre::Research,
            position: Position::KeyNews,
            length: 8600,
            instruction: Some(InstructionLevel::National),
            commissioned: false,
            reprint: true,
            grade: None,
            url: "https://www.hbipo.gov.cn/a/123".into(),
            note: "第一部分\n第二部分".into(),
            manuscript: String::new(),
        },
    ]
}

#[test]
fn placements_csv_reads_as_text_with_real_row_numbers() {
    let t = fixture("placements.csv");
    assert_eq!(t.headers.len(), 17);
    assert_eq!(t.headers[0], "序号");
    assert_eq!(t.headers[7], "刊发日期");
    // Row 5 is blank; the quoted note spans two lines but is one row.
    assert_eq!(row_numbers(&t), vec![2, 3, 4, 6]);
    assert!(t.rows.iter().all(|r| r.cells.len() == 17));
    let date = column(&t, "刊发日期");
    assert_eq!(t.rows[1].cells[date], Cell::Text("2007/6/5".into()));
    assert_eq!(t.rows[3].cells[column(&t, "备注")], Cell::Text("第一部分\n第二部分".into()));
    assert_eq!(import::read_placements(&t, &known()).unwrap(), expected_placements());
}

#[test]
fn placements_xlsx_with_real_dates() {
    let t = fixture("placements_dates.xlsx");
    assert_eq!(row_numbers(&t), vec![2, 3, 4, 6]);
    let date = column(&t, "刊发日期");
    let dates: Vec<&Cell> = t.rows.iter().map(|r| &r.cells[date]).collect();
    assert_eq!(
        dates,
        vec![
            &Cell::Date(date!(2007 - 06 - 01)),
            &Cell::Date(date!(2007 - 06 - 05)),
            &Cell::Date(date!(2007 - 06 - 18)),
            &Cell::Date(date!(2007 - 07 - 02)),
        ]
    );
    assert_eq!(t.rows[0].cells[column(&t, "字数")], Cell::Number(1200.0));
    assert_eq!(t.rows[0].cells[column(&t, "序号")], Cell::Number(1.0));
    assert_eq!(t.rows[0].cells[column(&t, "作者")], Cell::Text("张伟(60%)、李娜(40%)".into()));
    assert_eq!(t.rows[3].cells[column(&t, "备注")], Cell::Text("第一部分\n第二部分".into()));
    assert_eq!(import::read_placements(&t, &known()).unwrap(), expected_placements());
}

#[test]
fn placements_xlsx_with_text_dates() {
    let t = fixture("placements_text.xlsx");
    assert_eq!(row_numbers(&t), vec![2, 3, 4, 6]);
    let date = column(&t, "刊发日期");
    assert_eq!(t.rows[0].cells[date], Cell::Text("2007-06-01".into()));
    assert_eq!(t.rows[1].cells[date], Cell::Text("2007/6/5".into()));
    assert_eq!(t.rows[0].cells[column(&t, "字数")], Cell::Text("1200".into()));
    assert_eq!(import::read_placements(&t, &known()).unwrap(), expected_placements());
}

#[test]
fn bad_placements_are_reported_at_the_rows_the_spreadsheet_shows() {
    let want = vec![
        (4, "标题"),
        (5, "作者"),
        (5, "媒体"),
        (5, "刊发日期"),
        (5, "体裁"),
        (5, "字数"),
        (5, "约稿"),
        (5, "链接"),
        (7, "作者"),
        (8, "刊发日期"),
        (8, "字数"),
    ];
    for name in ["placements_bad.csv", "placements_bad.xlsx"] {
        let t = fixture(name);
        assert_eq!(row_numbers(&t), vec![3, 4, 5, 7, 8], "{name}");
        let errors = import::read_placements(&t, &known()).unwrap_err();
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(got, want, "{name}: {errors:#?}");
        assert_eq!(errors[1].to_string(), "第5行「作者」：通讯员“赵强”未登记，请先添加");
        assert_eq!(errors[2].message, "媒体“人民日报”不存在，请先添加");
        assert_eq!(errors[3].message, "“2007-06-31”不是有效日期，应写成如 2007-06-01，且在1900年至2100年之间");
        assert_eq!(errors[8].message, "作者份额合计必须为100%");
    }
}

#[test]
fn correspondents_xlsx_keeps_phone_numbers_and_dates() {
    let t = fixture("correspondents.xlsx");
    // LibreOffice stored the mobile number as a number; it must come back as the same digits.
    assert_eq!(t.rows[0].cells[column(&t, "电话")], Cell::Number(13807100001.0));
    let known = Known { correspondents: HashSet::new(), ..known() };
    let people = import::read_correspondents(&t, &known).unwrap();
    assert_eq!(people.len(), 4);
    assert_eq!(people[0].phone, "13807100001");
    assert_eq!(people[0].joined_on, Some(date!(2006 - 03 - 15)));
    assert_eq!(people[1].phone, "0717-6221234");
    assert!(people[1].active);
    assert_eq!(people[2].unit, None);
    assert!(!people[2].active);
    assert_eq!(people[3].unit.as_deref(), Some("局办公室"));
    let from_csv = import::read_correspondents(&fixture("correspondents.csv"), &known).unwrap();
    assert_eq!(people, from_csv);
}

#[test]
fn correspondents_xls_reads_as_the_xlsx_does() {
    // Excel 97-2003 (BIFF8), written by make_xls.py: shared strings, numbers and date cells.
    let t = fixture("correspondents.xls");
    assert_eq!(t.headers, fixture("correspondents.xlsx").headers);
    assert_eq!(t.rows[0].cells[column(&t, "电话")], Cell::Number(13807100001.0));
    assert_eq!(t.rows[0].cells[column(&t, "入网日期")], Cell::Date(date!(2006 - 03 - 15)));
    assert_eq!(row_numbers(&t), [2, 3, 4, 5]);
    let known = Known { correspondents: HashSet::new(), ..known() };
    let people = import::read_correspondents(&t, &known).unwrap();
    assert_eq!(people, import::read_correspondents(&fixture("correspondents.csv"), &known).unwrap());
}

#[test]
fn gbk_csv_from_libreoffice_and_from_encoding_rs() {
    let t = fixture("units_gbk.csv");
    assert_eq!(t.headers, vec!["名称", "类型"]);
    assert_eq!(t.rows[2].cells, vec![Cell::from("神农架林区科技局"), Cell::from("林区")]);
    assert_eq!(t, fixture("units.csv"));

    let text = "名称,类型,级别,栏目\r\n湖北日报,报纸,省级,要闻、经济\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err());
    let t = read_table("媒体.csv", &gbk).unwrap();
    let outlets = import::read_outlets(&t, &Known::default()).unwrap();
    assert_eq!(outlets[0].name, "湖北日报");
    assert_eq!(outlets[0].columns, vec!["要闻", "经济"]);
}

#[test]
fn utf8_with_and_without_bom() {
    let plain = std::fs::read(format!("{}/tests/fixtures/outlets.csv", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&plain);
    let a = read_table("outlets.csv", &plain).unwrap();
    let b = read_table("outlets.csv", &with_bom).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.headers[0], "名称");
    let outlets = import::read_outlets(&a, &Known::default()).unwrap();
    assert_eq!(outlets[2].columns.len(), 4);
}

fn sample() -> Table {
    Table::new(
        vec!["标题".into(), "刊发日期".into(), "字数".into(), "约稿".into(), "备注".into(), "得分".into()],
        vec![
            vec![
                "武汉专利申请量突破五千件".into(),
                Cell::Date(date!(2007 - 06 - 01)),
                Cell::Number(1200.0),
                Cell::Bool(true),
                "含逗号, 和\"引号\"\n以及换行".into(),
                Cell::Number(12.5),
            ],
            vec![
                "=HYPERLINK(\"http://x\")".into(),
                Cell::Empty,
                Cell::Number(0.0),
                Cell::Bool(false),
                Cell::Empty,
                Cell::Empty,
            ],
            vec![
                "+86 027-8765 4321".into(),
                Cell::Date(date!(1999 - 12 - 31)),
                Cell::Empty,
                Cell::Empty,
                "末列".into(),
                Cell::Number(-3.0),
            ],
        ],
    )
}

#[test]
fn xlsx_round_trip_keeps_cells_exactly() {
    let t = sample();
    let bytes = write_xlsx("刊发/2007", &t).unwrap();
    let back = read_table("export.xlsx", &bytes).unwrap();
    assert_eq!(back, t);
}

#[test]
fn csv_round_trip_keeps_the_text() {
    let t = sample();
    let bytes = write_csv(&t);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("标题,刊发日期,字数,约稿,备注,得分\r\n"));
    // The formula-like text is guarded against running in Excel, and unguarded on reading.
    assert!(text.contains("'=HYPERLINK"));
    let back = read_table("export.csv", &write_csv(&t)).unwrap();
    assert_eq!(back.headers, t.headers);
    assert_eq!(row_numbers(&back), vec![2, 3, 4]);
    for (a, b) in back.rows.iter().zip(&t.rows) {
        let a: Vec<String> = a.cells.iter().map(Cell::text).collect();
        let b: Vec<String> = b.cells.iter().map(Cell::text).collect();
        assert_eq!(a, b);
    }
    assert_eq!(back.rows[1].cells[0], Cell::Text("=HYPERLINK(\"http://x\")".into()));
}

#[test]
fn every_import_kind_round_trips_through_both_formats() {
    let known = known();
    let placements = expected_placements();
    let none = Known { units: known.units.clone(), ..Known::default() };
    let people = import::read_correspondents(&fixture("correspondents.csv"), &none).unwrap();
    let units = import::read_units(&fixture("units.csv"), &Known::default()).unwrap();
    let outlets = import::read_outlets(&fixture("outlets.csv"), &Known::default()).unwrap();

    let files = |t: &Table, name: &str| {
        vec![
            read_table(&format!("{name}.xlsx"), &write_xlsx(name, t).unwrap()).unwrap(),
            read_table(&format!("{name}.csv"), &write_csv(t)).unwrap(),
        ]
    };
    for t in files(&import::write_placements(&placements), "刊发") {
        assert_eq!(import::read_placements(&t, &known).unwrap(), placements);
    }
    for t in files(&import::write_correspondents(&people), "通讯员") {
        assert_eq!(import::read_correspondents(&t, &none).unwrap(), people);
    }
    for t in files(&import::write_units(&units), "单位") {
        assert_eq!(import::read_units(&t, &Known::default()).unwrap(), units);
    }
    for t in files(&import::write_outlets(&outlets), "媒体") {
        assert_eq!(import::read_outlets(&t, &Known::default()).unwrap(), outlets);
    }
}

#[test]
fn a_small_sheet_and_an_empty_one() {
    let t = Table {
        headers: vec!["名称".into(), "类型".into()],
        rows: vec![Row { number: 2, cells: vec!["局办公室".into(), "机关".into()] }],
    };
    let back = read_table("a.xlsx", &write_xlsx("单位", &t).unwrap()).unwrap();
    assert_eq!(back, t);
    let empty = write_xlsx("空", &Table::default()).unwrap();
    assert_eq!(read_table("empty.xlsx", &empty).unwrap_err(), OfficeError::Empty);
}
