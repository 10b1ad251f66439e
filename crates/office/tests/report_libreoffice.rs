//! A report as another program sees it: written as .docx, converted to PDF by LibreOffice
//! (headless), and the PDF read back with poppler's pdftotext and pdffonts. The title, the
//! headings and the table must come out as text, set in a Chinese font.
//!
//! LibreOffice and poppler-utils are installed by scripts/test. Without them this test fails
//! (it does not skip): a report nobody has opened is not known to open.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use office::{Block, ReportDoc, ReportTable, report_docx};

const TITLE: &str = "湖北通联站2007年度经验交流材料";
const HEADINGS: [&str; 5] = [
    "一、基本情况",
    "二、主要做法",
    "（一）健全通联网络，稳定宣传队伍",
    "（二）完善激励机制，提高稿件质量",
    "三、存在的问题和下一步打算",
];
/// Longest a conversion may take: the first start of LibreOffice on a fresh profile, on a busy
/// two-core machine, takes several seconds; a hang must not stall the test run.
const CONVERSION_TIMEOUT: Duration = Duration::from_secs(120);

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
            Block::Heading1(HEADINGS[4].into()),
            Block::Paragraph("部分单位上稿量偏少，稿件质量有待提高。2008年，我们将进一步加强通联队伍建设。".into()),
        ],
        footer: vec!["湖北通联站".into(), "二〇〇八年一月十日".into()],
    };
    (doc, total)
}

#[test]
fn libreoffice_converts_a_report_to_pdf_with_its_chinese_text() {
    let soffice = tool("soffice");
    let pdftotext = tool("pdftotext");
    let pdffonts = tool("pdffonts");
    let dir = TempDir::new();

    let (doc, total) = report();
    let docx = dir.path().join("report.docx");
    std::fs::write(&docx, report_docx(&doc).unwrap()).unwrap();

    let started = Instant::now();
    convert_to_pdf(&soffice, &docx, dir.path());
    eprintln!("LibreOffice converted the report in {:.1} s", started.elapsed().as_secs_f64());
    let pdf = dir.path().join("report.pdf");
    assert!(pdf.is_file(), "LibreOffice wrote no PDF; see {}", dir.path().display());

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
}

/// The path of a program on PATH, or a failure that says how to get it.
fn tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "`{name}` is not installed. This test needs LibreOffice (soffice) and poppler-utils \
             (pdftotext, pdffonts); scripts/test installs them (Debian: apt-get install \
             libreoffice-writer-nogui poppler-utils)."
        )
    })
}

/// `soffice --headless --convert-to pdf`, with its profile in `dir` (not the user's) and a
/// time limit. LibreOffice's soffice is a script that starts soffice.bin: both run in a process
/// group of their own, so that a hung conversion is killed whole.
fn convert_to_pdf(soffice: &Path, docx: &Path, dir: &Path) {
    use std::os::unix::process::CommandExt;

    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
    let mut child = Command::new(soffice)
        .env("HOME", &home)
        .arg(format!("-env:UserInstallation=file://{}", home.join("libreoffice").display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(docx)
        .stdin(Stdio::null())
        .stdout(log("soffice.out"))
        .stderr(log("soffice.err"))
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", soffice.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CONVERSION_TIMEOUT {
            // The whole group: soffice and the soffice.bin it started.
            let _ = Command::new("kill").arg("-KILL").arg(format!("-{}", child.id())).status();
            let _ = child.wait();
            panic!("LibreOffice did not convert the report within {} s", CONVERSION_TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    assert!(status.success(), "soffice failed ({status}):\n{}\n{}", read("soffice.out"), read("soffice.err"));
}

fn output(command: &mut Command) -> String {
    let out = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(out.status.success(), "{command:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A directory of its own under the system's temporary directory, removed afterwards unless
/// the test failed (then it is kept, with LibreOffice's output, to look at).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let path = std::env::temp_dir().join(format!("tonglian-report-libreoffice-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} to look at", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
