//! The real binary: serving on port 0 with the demo, two processes on one database acting as
//! one site, imports that fail as a whole with a non-zero exit, and backup and restore.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use testkit::{TempDir, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_tonglian");

fn tonglian(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(BIN).arg("--db").arg(db).args(args).env("TONGLIAN_LOG", "warn").output().expect("run tonglian")
}

/// The token the servers started here ask for on `/metrics`.
const METRICS_TOKEN: &str = "metrics-secret-2026";

/// A running server; killed on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(db: &str, demo: bool) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.arg("--db")
            .arg(db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("TONGLIAN_LOG", "warn")
            .env("TONGLIAN_METRICS_TOKEN", METRICS_TOKEN)
            .stdout(Stdio::piped());
        if demo {
            cmd.arg("--demo");
        }
        let mut child = cmd.spawn().expect("start server");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut printed = String::new();
        let addr = loop {
            assert!(Instant::now() < deadline, "server did not start: {printed}");
            let line = lines.next().expect("server output").unwrap();
            printed.push_str(&line);
            printed.push('\n');
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.trim_end_matches('/').to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }

    fn get(&self, path: &str, cookie: &str) -> (u16, String, String) {
        http(&self.addr, "GET", path, cookie, "")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client: status, Set-Cookie value, body.
fn http(addr: &str, method: &str, path: &str, cookie: &str, form: &str) -> (u16, String, String) {
    let cookie = if cookie.is_empty() { String::new() } else { format!("Cookie: {cookie}\r\n") };
    http_with(addr, method, path, &cookie, form)
}

/// A request with extra header lines (each ending in CRLF).
fn http_with(addr: &str, method: &str, path: &str, headers: &str, form: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: text/html\r\n");
    req.push_str(headers);
    if method == "POST" {
        req.push_str(&format!("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n", form.len()));
    }
    req.push_str("\r\n");
    req.push_str(form);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let set_cookie = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie: tonglian_session="))
        .map(|l| l["set-cookie: ".len()..].split(';').next().unwrap().to_string())
        .unwrap_or_default();
    (status, set_cookie, body.to_string())
}

fn csrf_in(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a csrf field");
    let rest = &html[i + 19..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Logs in on `server` and returns the session cookie.
fn login(server: &Server, user: &str) -> String {
    let (_, cookie, html) = server.get("/login", "");
    let form = format!("username={user}&password=demo2007&csrf={}", csrf_in(&html));
    let (status, new_cookie, _) = http(&server.addr, "POST", "/login", &cookie, &form);
    assert_eq!(status, 303, "login");
    new_cookie
}

async fn databases() -> Vec<TestDb> {
    let mut out = Vec::new();
    // The binary opens the database itself: give it a fresh, empty one.
    out.push(testkit::fresh_sqlite().await);
    if let Some(server) = testkit::pg_server() {
        out.push(testkit::fresh_postgres(&server).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_demo_and_two_instances_act_as_one_site() {
    for db in databases().await {
        let a = Server::start(&db.url, true);
        let (status, _, body) = a.get("/healthz", "");
        assert_eq!(status, 200, "[{}] {body}", db.backend);
        assert!(body.contains(db.backend));
        let cookie = login(&a, "editor");
        let (status, _, home) = a.get("/", &cookie);
        assert_eq!(status, 200);
        assert!(home.contains("工作台"));
        // A second process on the same database: the session from the first works there.
        let b = Server::start(&db.url, false);
        let (status, _, page) = b.get("/placements", &cookie);
        assert_eq!(status, 200, "[{}] session shared", db.backend);
        assert!(page.contains("中国知识产权报"));
        let (status, _, _) = b.get("/metrics", "");
        assert_eq!(status, 404, "/metrics asks for the token");
        let (status, _, _) = http_with(&b.addr, "GET", "/metrics", "Authorization: Bearer wrong\r\n", "");
        assert_eq!(status, 404);
        let (status, _, metrics) =
            http_with(&b.addr, "GET", "/metrics", &format!("Authorization: Bearer {METRICS_TOKEN}\r\n"), "");
        assert_eq!(status, 200);
        assert!(metrics.contains("tonglian_http_requests_total"), "{metrics}");
        // A token made on the command line, without a browser, acts as its account.
        let out = tonglian(&db.url, &["token", "create", "--user", "editor", "--name", "周报脚本"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(token.starts_with("tl_") && token.len() > 40, "{token}");
        let (status, _, me) =
            http_with(&b.addr, "GET", "/api/v1/me", &format!("Authorization: Bearer {token}\r\n"), "");
        assert_eq!(status, 200, "[{}] {me}", db.backend);
        assert!(me.contains("\"username\":\"editor\""), "{me}");
        let out = tonglian(&db.url, &["token", "create", "--user", "nobody"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("账号 nobody 不存在"));
        // Logging out on B ends the session on A too.
        let (_, _, html) = b.get("/", &cookie);
        let (status, _, _) = http(&b.addr, "POST", "/logout", &cookie, &format!("csrf={}", csrf_in(&html)));
        assert_eq!(status, 303);
        let (status, _, _) = a.get("/", &cookie);
        assert_eq!(status, 303, "logged out everywhere");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stops_gracefully_on_sigterm() {
    let db = testkit::fresh_sqlite().await;
    let mut server = Server::start(&db.url, false);
    assert_eq!(server.get("/healthz", "").0, 200);
    let status = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(code) = server.child.try_wait().unwrap() {
            assert!(code.success(), "exit status {code}");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn fixture(name: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let own = root.join("web/tests/fixtures").join(name);
    let path = if own.exists() { own } else { root.join("office/tests/fixtures").join(name) };
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_are_all_or_nothing_from_the_command_line() {
    for db in databases().await {
        let url = db.url.as_str();
        let out = tonglian(url, &["import", "units", &fixture("units.csv")]);
        assert!(!out.status.success(), "no station yet");
        assert!(String::from_utf8_lossy(&out.stderr).contains("station add"));
        assert!(tonglian(url, &["station", "add", "hb", "湖北通联站"]).status.success());
        for (kind, file) in
            [("units", "units.csv"), ("outlets", "outlets.csv"), ("correspondents", "correspondents.csv")]
        {
            let out = tonglian(url, &["import", kind, &fixture(file)]);
            assert!(out.status.success(), "{kind}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let out = tonglian(url, &["import", "placements", &fixture("placements_bad.xlsx")]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        for row in ["第4行", "第5行", "第7行", "第8行"] {
            assert!(err.contains(row), "{row} in {err}");
        }
        let dir = TempDir::new("export");
        let file = dir.0.join("placements.csv");
        let out = tonglian(url, &["export", "placements", file.to_str().unwrap()]);
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("已导出 0 条"),
            "nothing was written by the failed import"
        );
        let out = tonglian(url, &["import", "placements", &fixture("placements_dates.xlsx"), "--station", "hb"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("导入成功：4 条刊发（"));
        let out = tonglian(url, &["export", "placements", file.to_str().unwrap()]);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("已导出 4 条"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let csv = std::fs::read_to_string(&file).unwrap();
        assert!(csv.contains("武汉专利申请量突破五千件") && csv.contains("张伟(60%)、李娜(40%)"));
        let out = tonglian(url, &["import", "placements", file.to_str().unwrap(), "--station", "nowhere"]);
        assert!(!out.status.success());
        // One piece in two outlets: the summary says it became one manuscript.
        let twice = dir.0.join("twice.csv");
        std::fs::write(
            &twice,
            "标题,作者,媒体,刊发日期,体裁\n同一篇,张伟,湖北日报,2007-08-01,消息\n同一篇,张伟,中国知识产权报,2007-08-03,消息\n",
        )
        .unwrap();
        let out = tonglian(url, &["import", "placements", twice.to_str().unwrap()]);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("导入成功：2 条刊发，其中 2 条合并为 1 篇稿件（新建 1 篇）"), "{said}");
        let out = Command::new(BIN)
            .args(["--db", url, "user", "add", "wang", "--role", "editor"])
            .env("TONGLIAN_PASSWORD", "wangpass2007")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = Command::new(BIN)
            .args(["--db", url, "user", "add", "weak", "--role", "editor"])
            .env("TONGLIAN_PASSWORD", "123")
            .output()
            .unwrap();
        assert!(!out.status.success(), "weak passwords refused");
        let list = String::from_utf8_lossy(&tonglian(url, &["user", "list"]).stdout).into_owned();
        assert!(list.contains("wang") && !list.contains("weak"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_and_restore() {
    let db = testkit::fresh_sqlite().await;
    let url = db.url.clone();
    assert!(tonglian(&url, &["demo"]).status.success());
    let dir = TempDir::new("backup");
    let backup = dir.0.join("backup.db");
    let out = tonglian(&url, &["backup", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tonglian(&url, &["backup", backup.to_str().unwrap()]);
    assert!(!out.status.success(), "an existing file is never overwritten");
    assert!(tonglian(&url, &["station", "add", "later", "之后添加"]).status.success());
    let bogus = dir.0.join("bogus.db");
    std::fs::write(&bogus, b"not a database").unwrap();
    assert!(!tonglian(&url, &["restore", bogus.to_str().unwrap()]).status.success());
    drop(db.store);
    let out = tonglian(&url, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stations = String::from_utf8_lossy(&tonglian(&url, &["station", "list"]).stdout).into_owned();
    assert!(stations.contains("hb") && !stations.contains("later"), "{stations}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_statements_and_rankings_from_the_command_line() {
    let db = testkit::fresh_sqlite().await;
    let url = db.url.clone();
    let dir = TempDir::new("rewards");
    let bad = dir.0.join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\nvalid_from = 2008-01-01\n\n[ledger.money]\nlabel = \"奖金\"\nmoney = true\ncap = { month = -5 }\nbonuss = 1\n").unwrap();
    let out = Command::new(BIN).args(["policy", "check", bad.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第8行") && err.contains("bonuss"), "{err}");
    let good = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/policies/university-points.toml");
    let out = Command::new(BIN).args(["policy", "check", good.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    assert!(tonglian(&url, &["demo"]).status.success());
    let out = tonglian(&url, &["statement", "compute", "--period", "2007-06"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["period"], "2007-06");
    assert!(json["lines"].as_array().unwrap().len() > 20);
    assert!(json["lines"][0]["trail"].as_array().is_some_and(|t| !t.is_empty()), "every line carries its trail");
    let quarter = tonglian(&url, &["statement", "compute", "--period", "2007-Q2"]);
    let quarter: serde_json::Value = serde_json::from_slice(&quarter.stdout).unwrap();
    let months: f64 = ["2007-04", "2007-05", "2007-06"]
        .iter()
        .map(|p| {
            let o = tonglian(&url, &["statement", "compute", "--period", p]);
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            v["totals"]["money"].as_str().unwrap().parse::<f64>().unwrap()
        })
        .sum();
    assert_eq!(quarter["totals"]["money"].as_str().unwrap().parse::<f64>().unwrap(), months, "a quarter is its months");
    let year = tonglian(&url, &["statement", "compute", "--period", "2007"]);
    let year: serde_json::Value = serde_json::from_slice(&year.stdout).unwrap();
    assert!(
        year["lines"].as_array().unwrap().iter().any(|l| !l["awards"].as_array().unwrap().is_empty()),
        "a year shows annual awards"
    );
    for format in ["csv", "xlsx", "docx"] {
        let file = dir.0.join(format!("statement.{format}"));
        let out = tonglian(
            &url,
            &["statement", "compute", "--period", "2007-06", "--format", format, "--out", file.to_str().unwrap()],
        );
        assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        let bytes = std::fs::read(&file).unwrap();
        if format == "csv" {
            assert!(String::from_utf8_lossy(&bytes).contains("奖金（元）"));
        } else {
            assert!(bytes.starts_with(b"PK"));
        }
    }
    let out = tonglian(&url, &["statement", "compute", "--period", "2009-01"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有生效的奖励办法"));
    let out = tonglian(&url, &["ranking", "--period", "2007-06", "--by", "unit", "--ledger", "points"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ranking: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ranking["rows"][0]["rank"], 1);
    assert_eq!(ranking["previous_period"], "2007-05");
    let file = dir.0.join("ranking.xlsx");
    assert!(
        tonglian(
            &url,
            &[
                "ranking",
                "--period",
                "2007",
                "--by",
                "outlet",
                "--ledger",
                "money",
                "--format",
                "xlsx",
                "--out",
                file.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let out = tonglian(&url, &["policy", "load", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tonglian(&url, &["policy", "load", good.to_str().unwrap()]);
    assert!(!out.status.success(), "the same dates twice overlap");
}

/// Runs LibreOffice headless on `docx` and returns the PDF's text (scripts/test installs both).
fn pdf_text_of(docx: &std::path::Path, dir: &std::path::Path) -> String {
    let out = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(docx)
        .env("HOME", dir)
        .output()
        .expect("soffice (LibreOffice) is needed: scripts/test installs it");
    assert!(out.status.success(), "soffice: {}", String::from_utf8_lossy(&out.stderr));
    let pdf = docx.with_extension("pdf");
    let text = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext: scripts/test installs it");
    assert!(text.status.success());
    String::from_utf8_lossy(&text.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_annual_report_carries_the_seeds_figures() {
    for db in databases().await {
        let url = db.url.clone();
        let demo = tonglian(&url, &["demo"]);
        assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
        let out = tonglian(&url, &["report", "annual", "--year", "2007"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = &r["figures"];
        let n = |k: &str| f[k].as_i64().unwrap_or_else(|| panic!("{k}: {f}"));
        // The seed: 127 in the paper, 406 on the bureau's website, 260 on the national office's
        // sub-site, 10+ on the provincial portal, 500+ in all, 1404 copies, ~2000 yuan a month.
        assert_eq!(f["paper"], "中国知识产权报");
        assert_eq!(n("paper_placements"), 127);
        assert_eq!(n("website_items"), 406);
        assert_eq!(n("national_websites"), 260);
        assert!((10..20).contains(&n("provincial_websites")), "{}", n("provincial_websites"));
        assert!(n("placements") > 500, "{}", n("placements"));
        assert_eq!(n("subscriptions"), 1404);
        let monthly = n("monthly_reward_fen");
        assert!((180_000..300_000).contains(&monthly), "about 2000 yuan a month: {monthly}");
        assert!((25..=42).contains(&n("active_correspondents")), "about 30 active: {}", n("active_correspondents"));
        assert!(n("lectures") >= 10, "10+ lectures");
        assert_eq!(n("interviews"), 2, "radio and web");
        let units: i64 = r["by_unit"].as_array().unwrap().iter().map(|u| u["subscriptions"].as_i64().unwrap()).sum();
        assert_eq!(units, 1404, "the units' copies add up");

        // Word, opened by LibreOffice: headings, tables and the figures in the text.
        let dir = TempDir::new("annual");
        let docx = dir.0.join("annual-2007.docx");
        let out = tonglian(
            &url,
            &["report", "annual", "--year", "2007", "--format", "docx", "--out", docx.to_str().unwrap()],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // pdftotext spaces Latin digits off Chinese and breaks lines: compare without whitespace.
        let text: String = pdf_text_of(&docx, &dir.0).split_whitespace().collect();
        for want in
            ["湖北通联站2007年度经验交流材料", "一、全年工作概况", "三、各单位完成情况", "神农架林区", "1404", "127"]
        {
            assert!(text.contains(want), "the PDF lacks {want}: {text}");
        }
        // Reminders from the command line: 2007's year end is checked early in January.
        let out = tonglian(&url, &["reminders", "run", "--date", "2008-01-02"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        let created: i64 = said.trim_start_matches("新提醒 ").split(' ').next().unwrap().parse().unwrap();
        assert!(created > 0, "{said}");
        let again = tonglian(&url, &["reminders", "run", "--date", "2008-01-02"]);
        assert!(String::from_utf8_lossy(&again.stdout).starts_with("新提醒 0 条"), "once per occasion");

        let html = dir.0.join("annual-2007.html");
        let out = tonglian(
            &url,
            &["report", "annual", "--year", "2007", "--format", "html", "--out", html.to_str().unwrap()],
        );
        assert!(out.status.success());
        let html = std::fs::read_to_string(&html).unwrap();
        assert!(html.contains("<svg") && html.contains("国家知识产权局子站"), "charts and the outlets table");
    }
}
