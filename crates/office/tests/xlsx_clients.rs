//! A monthly statement as Excel users see it: written with `write_xlsx`, read by openpyxl (the
//! library most Python tools use), summed by LibreOffice Calc, and read back with calamine.
//! Money and points must be numbers there, not text: a column of text figures sums to 0 in
//! Excel and LibreOffice, which is what real clients found (issue 13).

mod support;

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use domain::table::{Cell, Table};
use rust_decimal::Decimal;
use support::{OPENPYXL, TempDir, convert, python};

const HEADERS: [&str; 7] = ["姓名", "单位", "刊发（篇次）", "稿件（按份额）", "积分", "奖金（元）", "奖项"];

/// Four people's lines as `web::rewards::statement_table` makes them: points to one decimal,
/// money in yuan to the fen, one line with a deduction.
fn statement() -> Table {
    let figure = |value: &str, places| Cell::Decimal { value: value.parse().unwrap(), places };
    let pieces = |value: &str| Cell::decimal(value.parse::<Decimal>().unwrap().normalize());
    let line = |name: &str, unit: &str, placements: f64, share: &str, points: &str, yuan: &str, award: &str| {
        vec![
            name.into(),
            unit.into(),
            Cell::Number(placements),
            pieces(share),
            figure(points, 1),
            figure(yuan, 2),
            award.into(),
        ]
    };
    Table::new(
        HEADERS.map(String::from).to_vec(),
        vec![
            line("张伟", "武汉市知识产权局", 6.0, "5.50", "95.5", "1234.05", "优秀通讯员"),
            line("李娜", "宜昌市知识产权局", 4.0, "4.00", "60", "300", ""),
            line("王芳", "神农架林区知识产权局", 2.0, "1.50", "25.5", "12.5", ""),
            line("赵强", "黄石市知识产权局", 1.0, "0.50", "-5", "-20", ""),
        ],
    )
}

#[test]
fn libreoffice_sums_the_money_and_points_of_a_statement() {
    let dir = TempDir::new("xlsx-clients");
    let written = dir.path().join("statement.xlsx");
    std::fs::write(&written, office::write_xlsx("奖励核算", &statement()).unwrap()).unwrap();

    // openpyxl reads the figures as numbers ("n"), shown with their decimals.
    let summed = dir.path().join("summed.xlsx");
    let read = python("xlsx_sum.py", &[OPENPYXL], &[&written, &summed]);
    let columns: BTreeMap<String, BTreeMap<String, Vec<String>>> = serde_json::from_str(&read).unwrap();
    for (header, format) in
        [("刊发（篇次）", None), ("稿件（按份额）", None), ("积分", Some("#,##0.0")), ("奖金（元）", Some("#,##0.00"))]
    {
        let column = &columns[header];
        assert_eq!(column["types"], ["n"; 4], "{header} is not numbers to openpyxl: {read}");
        if let Some(format) = format {
            assert_eq!(column["formats"], [format; 4], "{header}: {read}");
        }
    }
    assert_eq!(columns["稿件（按份额）"]["formats"], ["#,##0.0", "#,##0", "#,##0.0", "#,##0.0"], "{read}");
    assert_eq!(columns["姓名"]["types"], ["s"; 4]);

    // LibreOffice calculates the SUM row openpyxl added and shows it as a person would see it.
    let csv = convert(&summed, "csv:Text - txt - csv (StarCalc):44,34,76", dir.path());
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_path(&csv).unwrap();
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows.len(), 5, "four lines and the total: {rows:?}");
    assert_eq!(rows[0][5], "1,234.05", "money shows as yuan with the fen: {rows:?}");
    assert_eq!(rows[3][4..6], ["-5.0", "-20.00"], "{rows:?}");
    let total = &rows[4];
    assert_eq!(total[2..6], ["13", "11.5", "176.0", "1,526.55"], "the SUM row: {rows:?}");
}

#[test]
fn calamine_reads_the_figures_as_numbers_and_csv_keeps_their_text() {
    let table = statement();
    let bytes = office::write_xlsx("奖励核算", &table).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    let range = book.worksheet_range("奖励核算").unwrap();
    let money: Vec<&Data> = (1..=4).map(|row| range.get((row, 5)).unwrap()).collect();
    assert_eq!(money, [&Data::Float(1234.05), &Data::Float(300.0), &Data::Float(12.5), &Data::Float(-20.0)]);
    assert_eq!(range.get((1, 3)), Some(&Data::Float(5.5)));
    assert_eq!(range.get((4, 4)), Some(&Data::Float(-5.0)));
    // And our own reader takes them back as numbers.
    let back = office::read_table("statement.xlsx", &bytes).unwrap();
    assert_eq!(back.rows[2].cells[5], Cell::Number(12.5));

    // The CSV shows each figure exactly as before: the ledger's places, no quote marks, and
    // no guard apostrophe before a minus (a number is not a formula).
    let csv = String::from_utf8(office::write_csv(&table)).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[1], "张伟,武汉市知识产权局,6,5.5,95.5,1234.05,优秀通讯员");
    assert_eq!(lines[2], "李娜,宜昌市知识产权局,4,4,60.0,300.00,");
    assert_eq!(lines[3], "王芳,神农架林区知识产权局,2,1.5,25.5,12.50,");
    assert_eq!(lines[4], "赵强,黄石市知识产权局,1,0.5,-5.0,-20.00,");
}
