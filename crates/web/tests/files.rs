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
