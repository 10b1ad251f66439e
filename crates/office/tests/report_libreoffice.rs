//! A report as other programs see it: written as .docx, converted to PDF by LibreOffice
//! (headless), and the PDF read back with poppler's pdftotext, pdffonts and pdfimages. The
//! title, the headings and the table must come out as text, set in a Chinese font, and the
//! two charts as pictures. And read by python-docx, which must tell every paragraph's style
//! and find the two charts.
//!
//! LibreOffice, poppler-utils and python-docx are installed by scripts/test. Without them this test fails
//! (it does not skip): a report nobody has opened is not known to open.

mod support;

use std::process::Command;

use office::{Block, ReportDoc, ReportTable, Series, bar_chart_svg, chart_png, line_chart_svg, report_docx};
use support::{TempDir, convert, output, python_docx, tool};

const TITLE: &str = "湖北通联站2007年度经验交流材料";
const HEADINGS: [&str; 5] = [
    "一、基本情况",
    "二、主要做法",
    "（一）健全通联网络，稳定宣传队伍",
    "（二）完善激励机制，提高稿件质量",
    "三、存在的问题和下一步打算",
];

/// The seventeen cities and prefectures of Hubei (2007 names), with the articles each sent in
/// and had published, and their points.
const UNITS: [(&str, u32, u32, &str); 17] = [
    ("武汉市知识产权局", 86, 61, "812.5"),
    ("黄石市知识产权局", 34, 22, "268"),
    ("十堰市知识产权局", 41, 27, "331.5"),
    ("宜昌市知识产权局", 57, 40, "506"),
    ("襄樊市知识产权局", 45, 30, "377"),
    ("鄂州市知识产权局", 18, 11, "129"),
    ("荆门市知识产权局", 29, 19, "224.5"),
    ("孝感市知识产权局", 31, 20, "241"),
    ("荆州市知识产权局", 38, 25, "302"),
    ("黄冈市知识产权局", 36, 23, "279.5"),
    ("咸宁市知识产权局", 22, 14, "166"),
    ("随州市知识产权局", 19, 12, "143"),
    ("恩施州知识产权局", 27, 17, "205.5"),
    ("仙桃市知识产权局", 16, 10, "118"),
    ("潜江市知识产权局", 15, 9, "104.5"),
    ("天门市知识产权局", 14, 9, "101"),
    ("神农架林区知识产权局", 8, 5, "57"),
];

/// The report, and its table's total row.
fn report() -> (ReportDoc, Vec<String>) {
    let sent: u32 = UNITS.iter().map(|u| u.1).sum();
    let published: u32 = UNITS.iter().map(|u| u.2).sum();
    let points: f64 = UNITS.iter().map(|u| u.3.parse::<f64>().unwrap()).sum();
    let rate = |published: u32, sent: u32| format!("{:.1}%", f64::from(published) * 100.0 / f64::from(sent));
    let rows = UNITS
        .iter()
        .enumerate()
        .map(|(i, &(unit, sent, published, points))| {
            vec![
                (i + 1).to_string(),
                unit.to_string(),
                sent.to_string(),
                published.to_string(),
                rate(published, sent),
                points.to_string(),
            ]
        })
        .collect();
    let total = vec![
        "合计".into(),
        String::new(),
        sent.to_string(),
        published.to_string(),
        rate(published, sent),
        format!("{points:.1}"),
    ];
    // The annual report's two charts, drawn as the web app draws them.
    let names: Vec<String> = UNITS.iter().map(|u| u.0.to_string()).collect();
    let placed: Vec<f64> = UNITS.iter().map(|u| f64::from(u.2)).collect();
    let unit_chart = bar_chart_svg("2007年各单位采用", &names, &placed, "篇");
    let months: Vec<String> = (1..=12).map(|m| format!("{m}月")).collect();
    let by_month =
        Series { name: "各类媒体".into(), values: (1..=12).map(|m| f64::from(20 + m % 5 * 3)).collect() };
    let month_chart = line_chart_svg("2007年各月采用", &months, &[by_month]);
    let picture = |svg: &str, caption: &str| Block::Picture {
        png: chart_png(svg, 1440).unwrap(),
        width_mm: 150,
        caption: caption.into(),
    };
    let table = ReportTable {
        caption: "2007年度各单位宣传报道情况统计表".into(),
        headers: ["序号", "单位", "报送稿件（篇）", "采用稿件（篇）", "采用率", "积分"].map(String::from).to_vec(),
        rows,
        total_row: Some(total.clone()),
        numeric_columns: vec![2, 3, 4, 5],
    };
    let doc = ReportDoc {
        title: TITLE.into(),
        subtitle: Some("湖北通联站　2008年1月".into()),
        blocks: vec![
            Block::Heading1(HEADINGS[0].into()),
            Block::Paragraph(format!(
                "2007年，在省局党组的正确领导下，全省知识产权系统通联工作紧紧围绕中心、服务大局，\
                 共向省级以上新闻媒体报送稿件{sent}篇，被采用{published}篇，宣传工作取得了新的进展。"
            )),
            Block::Heading1(HEADINGS[1].into()),
            Block::Heading2(HEADINGS[2].into()),
            Block::Paragraph(
                "各市州均明确了一名分管领导和一名通讯员，全年举办通讯员培训班两期，培训一百二十余人次。".into(),
            ),
            Block::Heading2(HEADINGS[3].into()),
            Block::Paragraph("按月公示各单位上稿积分，年终评选先进通联单位和优秀通讯员，并给予表彰奖励。".into()),
            Block::Table(table),
            picture(&unit_chart, "图1　各单位采用篇数"),
            picture(&month_chart, "图2　各月采用篇数"),
            Block::Heading1(HEADINGS[4].into()),
            Block::Paragraph("部分单位上稿量偏少，稿件质量有待提高。2008年，我们将进一步加强通联队伍建设。".into()),
        ],
        footer: vec!["湖北通联站".into(), "二〇〇八年一月十日".into()],
    };
    (doc, total)
}

#[test]
fn libreoffice_converts_a_report_to_pdf_with_its_chinese_text_and_charts() {
    let pdftotext = tool("pdftotext");
    let pdffonts = tool("pdffonts");
    let pdfimages = tool("pdfimages");
    let dir = TempDir::new("report-libreoffice");

    let (doc, total) = report();
    let docx = dir.path().join("report.docx");
    std::fs::write(&docx, report_docx(&doc).unwrap()).unwrap();

    let pdf = convert(&docx, "pdf", dir.path());

    let text = output(Command::new(&pdftotext).arg("-layout").arg(&pdf).arg("-"));
    // pdftotext lays the page out with spaces (and may split a line); the words are what count.
    let words: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for expected in [TITLE, "湖北通联站2008年1月", "神农架林区知识产权局", "2007年度各单位宣传报道情况统计表"]
        .into_iter()
        .chain(HEADINGS)
    {
        assert!(words.contains(expected), "{expected} is not in the PDF's text:\n{text}");
    }
    // The total row, all of it on its line: 合计, the sums, the rate, the points.
    let total_row = total.concat();
    assert!(words.contains(&total_row), "the total row {total_row} is not in the PDF's text:\n{text}");
    assert!(words.contains("湖北通联站二〇〇八年一月十日"), "the 落款 is not in the PDF's text:\n{text}");

    let fonts = output(Command::new(&pdffonts).arg(&pdf));
    let lower = fonts.to_lowercase();
    assert!(
        [
            "cjk",
            "noto",
            "wenquanyi",
            "wqy",
            "droid",
            "simsun",
            "simhei",
            "fangsong",
            "kaiti",
            "arphic",
            "ukai",
            "uming"
        ]
        .iter()
        .any(|name| lower.contains(name)),
        "no Chinese font embedded in the PDF:\n{fonts}"
    );

    // The two charts are pictures in the PDF, as wide as they were drawn, and their captions
    // are text.
    let images = output(Command::new(&pdfimages).arg("-list").arg(&pdf));
    // Columns: page num type width height ...; a mask of a picture is listed as an "smask".
    let pictures: Vec<Vec<&str>> = images
        .lines()
        .skip(2)
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|columns| columns.get(2) == Some(&"image"))
        .collect();
    assert_eq!(pictures.len(), 2, "two charts in the PDF:\n{images}");
    for picture in &pictures {
        assert_eq!(picture[3], "1440", "drawn 1440 pixels wide:\n{images}");
    }
    assert!(words.contains("图1各单位采用篇数") && words.contains("图2各月采用篇数"), "{text}");
}

#[test]
fn python_docx_reads_the_headings_the_body_and_the_two_charts() {
    let dir = TempDir::new("report-python-docx");
    let (doc, _) = report();
    let bytes = report_docx(&doc).unwrap();
    let docx = dir.path().join("report.docx");
    std::fs::write(&docx, &bytes).unwrap();

    let read = python_docx(&docx);
    assert_eq!(read.without_style(), Vec::<&str>::new(), "{read:?}");
    for heading in [HEADINGS[0], HEADINGS[1], HEADINGS[4]] {
        assert_eq!(read.style_of(heading), Some("Heading 1"));
    }
    assert_eq!(read.style_of(HEADINGS[2]), Some("Heading 2"));
    assert_eq!(read.style_of(TITLE), Some("Normal"));
    assert_eq!(read.style_of("图1　各单位采用篇数"), Some("Normal"));

    // Two pictures 150 mm wide (36,000 EMU a millimetre), each as high as its chart makes it.
    assert_eq!(read.pictures.len(), 2, "{read:?}");
    for (i, &(width, height)) in read.pictures.iter().enumerate() {
        let Block::Picture { png, .. } =
            doc.blocks.iter().filter(|b| matches!(b, Block::Picture { .. })).nth(i).unwrap()
        else {
            unreachable!()
        };
        let (w, h) = image::ImageReader::new(std::io::Cursor::new(png))
            .with_guessed_format()
            .unwrap()
            .into_dimensions()
            .unwrap();
        assert_eq!(width, 150 * 36_000);
        assert_eq!(height, width * u64::from(h) / u64::from(w));
    }
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let media: Vec<&str> = archive.file_names().filter(|name| name.starts_with("word/media/")).collect();
    assert_eq!(media.len(), 2, "{media:?}");
    assert!(media.iter().all(|name| name.ends_with(".png")), "{media:?}");
}
