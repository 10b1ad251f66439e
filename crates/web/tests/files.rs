//! Spreadsheets through the pages and the API: LibreOffice-made files in, every bad row out,
//! and an export → import round trip between two databases that loses nothing.

mod support;

use axum::http::StatusCode;
use support::{Client, backends, bare_app};

fn fixture(name: &str) -> Vec<u8> {
    // The station's own lists are here; the placement files are the office crate's.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let own = root.join("tests/fixtures").join(name);
    let path = if own.exists() { own } else { root.join("../office/tests/fixtures").join(name) };
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn import(c: &mut Client, kind: &str, file: &str) -> support::Response {
    c.get("/import").await;
    c.upload("/import", &[("kind", kind)], file, &fixture(file)).await
}

async fn total(c: &mut Client, path: &str) -> u64 {
    c.get_json(path).await.json()["total"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libreoffice_files_import_and_bad_rows_are_all_reported() {
    for backend in backends() {
        let app = bare_app(backend).await;
        let mut c = Client::new(&app);
        c.login("editor").await;
        for (kind, file) in [
            ("units", "units.csv"),
            ("outlets", "outlets.csv"),
            ("correspondents", "correspondents.csv"),
            ("placements", "placements_dates.xlsx"),
        ] {
            let r = import(&mut c, kind, file).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {file}: {}", r.text());
            assert!(c.get("/import").await.text().contains("导入成功"), "{file}");
        }
        let with_dates = c.get_json("/api/v1/placements?sort=title&per_page=50").await.json();
        let n = with_dates["total"].as_u64().unwrap();
        assert!(n >= 3, "{with_dates}");
        // The same rows with every cell stored as text give the same placements.
        let r = import(&mut c, "placements", "placements_text.xlsx").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(total(&mut c, "/api/v1/placements").await, 2 * n);
        let dates = |v: &serde_json::Value| {
            let mut d: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| format!("{} {} {}", p["title"], p["published_on"], p["length"]))
                .collect();
            d.sort();
            d.dedup();
            d
        };
        let both = c.get_json("/api/v1/placements?sort=title&per_page=50").await.json();
        assert_eq!(dates(&both), dates(&with_dates), "text dates and numbers read as the date cells did");
        assert!(
            dates(&both).iter().any(|d| d.contains("\"2007-06-05\"")),
            "2007/6/5 read as a date: {:?}",
            dates(&both)
        );

        // A file with bad rows: every one reported, nothing written.
        let r = import(&mut c, "placements", "placements_bad.xlsx").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("id=\"import-errors\"") && html.contains("未写入任何数据"));
        for row in [4, 5, 7, 8] {
            assert!(html.contains(&format!("<td class=\"num\">{row}</td>")), "row {row} reported");
        }
        for column in ["标题", "作者", "媒体", "刊发日期", "体裁", "字数"] {
            assert!(html.contains(&format!("<td>{column}</td>")), "column {column} reported");
        }
        assert_eq!(total(&mut c, "/api/v1/placements").await, 2 * n, "nothing written");
        // The API says the same in JSON.
        use axum::body::Body;
        use axum::http::{Request, header};
        let req = Request::post("/api/v1/import/placements?file_name=bad.csv")
            .header(header::COOKIE, format!("tonglian_session={}", session_cookie(&c)))
            .header("x-csrf-token", c.csrf.clone())
            .body(Body::from(fixture("placements_bad.csv")))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let rows = r.json()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["row"].as_u64().unwrap())
            .collect::<std::collections::BTreeSet<_>>();
        assert_eq!(rows.into_iter().collect::<Vec<_>>(), [4, 5, 7, 8]);
        // Not a spreadsheet at all.
        let r = c.upload("/import", &[("kind", "units")], "notes.txt", "hello".as_bytes()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("不支持的文件类型"));
    }
}

fn session_cookie(c: &Client) -> String {
    c.cookie("tonglian_session").unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_import_into_another_database_loses_nothing() {
    for backend in backends() {
        let source = bare_app(backend).await;
        let mut a = Client::new(&source);
        a.login("editor").await;
        for (kind, file) in [
            ("units", "units.csv"),
            ("outlets", "outlets.csv"),
            ("correspondents", "correspondents.csv"),
            ("placements", "placements.csv"),
        ] {
            let r = import(&mut a, kind, file).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        let target = bare_app(backend).await;
        let mut b = Client::new(&target);
        b.login("editor").await;
        for kind in ["units", "outlets", "correspondents", "placements"] {
            let xlsx = a.get(&format!("/export/{kind}.xlsx")).await;
            assert_eq!(xlsx.status, StatusCode::OK);
            assert_eq!(
                xlsx.headers.get("content-type").unwrap(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            );
            assert!(xlsx.body.starts_with(b"PK"), "an xlsx is a zip");
            b.get("/import").await;
            let r = b.upload("/import", &[("kind", kind)], &format!("{kind}.xlsx"), &xlsx.body).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{kind}: {}", r.text());
        }
        for kind in ["units", "outlets", "correspondents", "placements"] {
            let from = a.get(&format!("/export/{kind}.csv")).await;
            let to = b.get(&format!("/export/{kind}.csv")).await;
            assert!(from.body.starts_with("\u{feff}".as_bytes()), "CSV carries a BOM for Excel");
            assert_eq!(
                String::from_utf8_lossy(&from.body),
                String::from_utf8_lossy(&to.body),
                "[{backend}] {kind} survived the round trip"
            );
        }
        // Filters apply to exports too.
        let filtered = a.get("/export/placements.csv?q=宜昌").await.text();
        assert_eq!(filtered.lines().count(), 2, "{filtered}");
    }
}

/// 市日报 (municipal) pays 65 and 省政府网 (provincial) 152.50; one piece counts once, at its best.
const BEST_ONLY: &str = "name = \"同一稿件只计最高一次\"\nvalid_from = 2007-01-01\nduplicates = \"best\"\n\n\
[ledger.money]\nlabel = \"奖金\"\nmoney = true\n\n\
[[ledger.money.base]]\nby = \"level\"\nvalues = { \"省级\" = 152.50, \"市级\" = 65 }\n";

/// A unit, the two outlets and two correspondents, and the policy, through the store and the pages.
async fn links_network(app: &support::App, c: &mut Client) -> domain::StationId {
    use domain::*;
    let s = &app.db.store;
    let station = s.station_by_code("hb").await.unwrap().unwrap().id;
    let unit = s.create_unit(station, &UnitInput { name: "武汉市".into(), kind: UnitKind::Prefecture }).await.unwrap();
    for (name, kind, level) in [
        ("市日报", OutletKind::Newspaper, OutletLevel::Municipal),
        ("省政府网", OutletKind::Website, OutletLevel::Provincial),
    ] {
        s.create_outlet(station, &OutletInput { name: name.into(), kind, level, columns: vec![] }).await.unwrap();
    }
    for name in ["张伟", "李娜"] {
        let input = CorrespondentInput {
            name: name.into(),
            unit_id: Some(unit.id),
            kind: CorrespondentKind::UnitCorrespondent,
            phone: String::new(),
            email: String::new(),
            joined_on: None,
            active: true,
            mentor_user_id: None,
        };
        s.create_correspondent(station, &input, domain::UserId(1)).await.unwrap();
    }
    c.get("/policies").await;
    let r = c.post_form("/policies", &[("source", BEST_ONLY), ("action", "save")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    station
}

async fn money(app: &support::App, station: domain::StationId, period: &str) -> rust_decimal::Decimal {
    let period = domain::policy::Period::parse(period).unwrap();
    web::rewards::compute(&app.db.store, station, &period).await.unwrap().totals["money"]
}

/// Imports a file through the API, as a script would.
async fn api_import(c: &mut Client, file_name: &str, body: Vec<u8>) -> support::Response {
    use axum::body::Body;
    use axum::http::{Request, header};
    let req = Request::post(format!("/api/v1/import/placements?file_name={file_name}"))
        .header(header::COOKIE, format!("tonglian_session={}", session_cookie(c)))
        .header("x-csrf-token", c.csrf.clone())
        .body(Body::from(body))
        .unwrap();
    c.send(req).await
}

/// One piece placed in 市日报 and in 省政府网: in the same month and in different months, found
/// by title and authors and by 稿件编号; and a piece placed once.
const ONE_PIECE_TWICE: &str = "标题,作者,媒体,刊发日期,体裁,稿件编号
武汉：专利申请量突破5000件,张伟,市日报,2007-06-01,消息,
武汉:专利申请量突破５０００件,张伟,省政府网,2007-06-08,消息,
宜昌专利执法进企业,张伟、李娜,市日报,2007-03-10,通讯,
宜昌专利执法进企业,李娜、张伟,省政府网,2007-04-05,通讯,
知识产权宣传周启动,李娜,市日报,2007-09-03,消息,P1
全省知识产权宣传周活动综述,李娜,省政府网,2007-09-20,消息,P1
专利代办处挂牌,张伟,市日报,2007-10-15,消息,P2
专利代办处正式挂牌运行,张伟,省政府网,2007-11-02,消息,P2
独自一篇,张伟,市日报,2007-12-05,消息,
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_piece_in_two_outlets_pays_once_under_best() {
    use rust_decimal::Decimal;
    for backend in backends() {
        let app = bare_app(backend).await;
        let mut c = Client::new(&app);
        c.login("editor").await;
        let station = links_network(&app, &mut c).await;
        c.get("/import").await;
        let r = c.upload("/import", &[("kind", "placements")], "links.csv", ONE_PIECE_TWICE.as_bytes()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = c.get("/import").await.text();
        assert!(page.contains("导入成功，共9条，其中8条合并为4篇稿件（新建4篇）"), "[{backend}] {page}");

        // Without the links the year paid 4 × 217.50 + 65 = 935.
        let yuan = |fen: i64| Decimal::new(fen, 2);
        for (period, paid) in [
            ("2007-06", 15250),
            ("2007-03", 6500),
            ("2007-04", 8750),
            ("2007-09", 15250),
            ("2007-10", 6500),
            ("2007-11", 8750),
            ("2007", 67500),
        ] {
            assert_eq!(money(&app, station, period).await, yuan(paid), "[{backend}] {period}");
        }
        // The manuscript the import made says where it came from.
        let placed = c.get_json("/api/v1/placements?per_page=50&sort=title").await.json();
        let manuscript_of = |v: &serde_json::Value, title: &str| -> i64 {
            let items = v["items"].as_array().unwrap();
            items.iter().find(|p| p["title"] == title).unwrap()["manuscript_id"].as_i64().unwrap()
        };
        let week = manuscript_of(&placed, "知识产权宣传周启动");
        assert_eq!(week, manuscript_of(&placed, "全省知识产权宣传周活动综述"));
        let html = c.get(&format!("/manuscripts/{week}")).await.text();
        assert!(html.contains("id=\"imported\"") && html.contains("省政府网") && html.contains("市日报"), "{html}");

        // Exported with the manuscript ids…
        let csv = c.get("/export/placements.csv").await.body;
        assert!(String::from_utf8_lossy(&csv).lines().next().unwrap().ends_with(",稿件编号"));
        // …into a fresh database: the same rows are linked, the year pays the same.
        let fresh = bare_app(backend).await;
        let mut b = Client::new(&fresh);
        b.login("editor").await;
        let fresh_station = links_network(&fresh, &mut b).await;
        let r = api_import(&mut b, "placements.csv", csv.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let report = r.json();
        assert_eq!(
            (&report["imported"], &report["linked"], &report["manuscripts"], &report["created_manuscripts"]),
            (&9.into(), &8.into(), &4.into(), &4.into()),
            "{report}"
        );
        assert_eq!(report["summary"], "9 条刊发，其中 8 条合并为 4 篇稿件（新建 4 篇）");
        assert_eq!(money(&fresh, fresh_station, "2007").await, yuan(67500), "[{backend}]");
        assert_eq!(money(&fresh, fresh_station, "2007-06").await, yuan(15250), "[{backend}]");
        // …and into the same station again: the copies join the manuscripts already there, so
        // June's piece, now placed four times, still pays once.
        let r = api_import(&mut c, "placements.csv", csv).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!((&r.json()["manuscripts"], &r.json()["created_manuscripts"]), (&4.into(), &0.into()));
        assert_eq!(money(&app, station, "2007-06").await, yuan(15250), "[{backend}]");

        // A number naming a manuscript of the station by other people is refused, not linked.
        let sheet = format!("标题,作者,媒体,刊发日期,体裁,稿件编号\n另一篇,张伟,市日报,2007-09-04,消息,{week}\n");
        let r = api_import(&mut c, "wrong.csv", sheet.into_bytes()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let rows = r.json()["rows"].clone();
        assert_eq!((&rows[0]["row"], &rows[0]["column"]), (&2.into(), &"稿件编号".into()), "{rows}");
        assert!(rows[0]["message"].as_str().unwrap().contains("《知识产权宣传周启动》"), "{rows}");
    }
}
