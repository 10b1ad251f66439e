//! Input boundaries (issue 12): control characters never reach a record or a feed, search
//! words are literal, page numbers are bounded, ids name rows of this station, dates are in
//! range, bodies are limited by kind and uploaded names are base names. Every test runs on
//! SQLite, and on PostgreSQL when TONGLIAN_TEST_PG is set.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use support::{App, Client, apps, id_from};

const HB: domain::StationId = domain::StationId(1);
/// A title with two control characters a careless paste or a hostile client may send.
const DIRTY: &str = "专利\u{1}工作\u{8}推进会";
const CLEAN: &str = "专利工作推进会";

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A placement as the API takes it, titled `title`, dated `on`.
fn placement_json(title: &str, on: &str) -> serde_json::Value {
    json!({
        "title": title, "unit_id": 1, "outlet_id": 1, "column": "要闻",
        "published_on": on, "genre": "news", "position": "headline", "length": 800,
        "instruction": null, "grade": null,
        "authors": [{"correspondent_id": 1, "share_bp": null}],
        "external_authors": "",
    })
}

/// Posts a raw body with the session's cookie and CSRF header.
async fn post_raw(c: &mut Client, path: &str, content_type: &str, body: Body) -> support::Response {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header("x-csrf-token", c.csrf.clone())
        .header(header::COOKIE, format!("tonglian_session={}", c.cookie("tonglian_session").unwrap()))
        .body(body)
        .unwrap();
    c.send(req).await
}

async fn placement_titles(app: &App) -> Vec<String> {
    let f = store::PlacementFilter::new(store::Scope::Station(HB));
    app.db.store.all_placements(&f).await.unwrap().into_iter().map(|p| p.title).collect()
}

/// Whether every character is one XML 1.0 allows, and the document parses.
fn assert_valid_xml(xml: &str, what: &str) {
    let bad: Vec<u32> = xml
        .chars()
        .filter(|c| !matches!(*c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .map(|c| c as u32)
        .collect();
    assert!(bad.is_empty(), "{what}: characters XML forbids: {bad:x?}");
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{what}: not XML: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_words_are_literal() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("editor").await;
        for title in ["产值增长50%", "文件_v2定稿", "感叹!号"] {
            let r = c.send_json("POST", "/api/v1/placements", &placement_json(title, "2008-03-01")).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
        // Each word finds exactly the placements whose title or byline holds it literally (the
        // demo's bylines hold shares like 张明远(60%); none holds _ or !).
        let all = app.db.store.all_placements(&store::PlacementFilter::new(store::Scope::Station(HB))).await.unwrap();
        for q in ["%", "0%", "张_远", "_", "!", "%%", "60_", "张明远"] {
            let want = all.iter().filter(|p| p.title.contains(q) || p.byline.contains(q)).count();
            let r = c.get_json(&format!("/api/v1/placements?q={}", urlencode(q))).await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(r.json()["total"], want, "[{backend}] {q} is no wildcard");
        }
        assert_eq!(c.get_json("/api/v1/placements?q=_").await.json()["items"][0]["title"], "文件_v2定稿");
        assert_eq!(c.get_json("/api/v1/placements?q=!").await.json()["items"][0]["title"], "感叹!号");
        assert_eq!(c.get_json(&format!("/api/v1/placements?q={}", urlencode("张_远"))).await.json()["total"], 0);
        for path in ["/api/v1/manuscripts", "/api/v1/correspondents"] {
            for q in ["%", "张_远", "_"] {
                let r = c.get_json(&format!("{path}?q={}", urlencode(q))).await;
                assert_eq!(r.json()["total"], 0, "[{backend}] {path} {q}");
            }
        }
        let page = c.get(&format!("/placements?q={}", urlencode("张_远"))).await.text();
        assert!(!page.contains("张明远(60%)"), "[{backend}] the list page too");
        let page = c.get(&format!("/placements?q={}", urlencode("_"))).await.text();
        assert!(page.contains("文件_v2定稿") && !page.contains("张明远(60%)"), "[{backend}] the list page too");
        // The portal's post list in the back office, and correspondents by name.
        let r = c.get(&format!("/portal?q={}", urlencode("%"))).await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_and_negative_pages_are_refused_not_dropped() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("editor").await;
        for page in ["500000000000000000", "-1", "1000001", "99999999999999999999999", "x"] {
            for path in ["/api/v1/placements", "/api/v1/manuscripts", "/api/v1/correspondents"] {
                let r = c.get_json(&format!("{path}?page={page}")).await;
                assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{backend}] {path}?page={page}: {}", r.text());
                assert!(r.json()["error"].as_str().unwrap().contains("页码"), "a JSON error: {}", r.text());
            }
            for path in ["/placements", "/manuscripts", "/correspondents", "/portal"] {
                let r = c.get(&format!("{path}?page={page}")).await;
                assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{backend}] {path}?page={page}");
                assert!(r.text().contains("页码"), "a page that says why");
            }
            let mut visitor = Client::new(&app);
            for path in ["/site/hb/c/news", "/site/hb/docs", "/site/hb/gallery", "/site/hb/search?q=专利&x=1"] {
                let sep = if path.contains('?') { '&' } else { '?' };
                let r = visitor.get(&format!("{path}{sep}page={page}")).await;
                assert_eq!(r.status, StatusCode::BAD_REQUEST, "[{backend}] {path} page={page}");
            }
        }
        let r = c.get_json("/api/v1/placements?per_page=-5").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // The last page allowed, past the end: an empty page, so clients paging until empty stop.
        let r = c.get_json("/api/v1/placements?page=1000000&per_page=200").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["items"].as_array().unwrap().len(), 0);
        assert!(r.json()["total"].as_u64().unwrap() > 0);
        // The store itself never overflows, whatever its caller passes.
        let f = store::PlacementFilter {
            page: u64::MAX,
            per_page: u64::MAX,
            ..store::PlacementFilter::new(store::Scope::Station(HB))
        };
        assert!(app.db.store.placements(&f).await.unwrap().items.is_empty());
        let f = store::DocumentFilter { page: u64::MAX, per_page: u64::MAX, ..store::DocumentFilter::published(HB) };
        assert!(app.db.store.documents(&f).await.unwrap().items.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentors_are_mentors_of_this_station() {
    for app in apps().await {
        let backend = app.db.backend;
        let s = &app.db.store;
        let id_of = |name: &'static str| async move { s.user_by_username(name).await.unwrap().unwrap().id.0 };
        let (mentor, hq, writer, leader) =
            (id_of("mentor").await, id_of("hq").await, id_of("correspondent").await, id_of("leader").await);
        let mut c = Client::new(&app);
        c.login("editor").await;
        let before = c.get_json("/api/v1/correspondents").await.json()["total"].clone();
        let body =
            |name: &str, m: i64| json!({"name": name, "unit_id": 1, "kind": "unit_correspondent", "mentor_user_id": m});
        for (bad, why) in
            [(999_999, "no such user"), (hq, "headquarters"), (writer, "a correspondent"), (leader, "a leader")]
        {
            let r = c.send_json("POST", "/api/v1/correspondents", &body("新通讯员", bad)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {why}: {}", r.text());
            assert_eq!(r.json()["fields"][0]["field"], "mentor_user_id");
            let r = c.send_json("PUT", "/api/v1/correspondents/1", &body("张明远", bad)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] update, {why}: {}", r.text());
        }
        assert_eq!(c.get_json("/api/v1/correspondents").await.json()["total"], before, "nothing written");
        // The form says so on the page.
        c.get("/correspondents/new").await;
        let r = c
            .post_form(
                "/correspondents",
                &[("name", "新通讯员"), ("kind", "unit"), ("mentor_user_id", &hq.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("改稿老师应为本站在用的改稿老师或编辑账号"));
        let r = c.send_json("POST", "/api/v1/correspondents", &body("新通讯员", mentor)).await;
        assert_eq!(r.status, StatusCode::CREATED, "[{backend}] a mentor of this station: {}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_ids_answer_422_not_500() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("editor").await;
        let before = placement_titles(&app).await.len();
        let mut cases = Vec::new();
        for (key, value) in [
            ("outlet_id", json!(999_999)),
            ("unit_id", json!(999_999)),
            ("manuscript_id", json!(999_999)),
            ("authors", json!([{"correspondent_id": 999_999, "share_bp": null}])),
        ] {
            let mut b = placement_json("外键", "2008-03-01");
            b[key] = value;
            cases.push((key, b));
        }
        for (key, b) in cases {
            let r = c.send_json("POST", "/api/v1/placements", &b).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{backend}] placement {key}: {} {}",
                r.status,
                r.text()
            );
            let r = c.send_json("PUT", "/api/v1/placements/1", &b).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] update {key}: {}", r.text());
        }
        assert_eq!(placement_titles(&app).await.len(), before, "nothing written");
        let r = c
            .send_json(
                "POST",
                "/api/v1/correspondents",
                &json!({"name": "无单位", "unit_id": 999_999, "kind": "unit_correspondent"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        let r = c
            .send_json(
                "POST",
                "/api/v1/manuscripts",
                &json!({"title": "外键", "body": "正文", "genre": "news",
                        "authors": [{"correspondent_id": 999_999, "share_bp": null}]}),
            )
            .await;
        assert!(r.status.is_client_error(), "[{backend}] manuscript author: {} {}", r.status, r.text());
        let mut admin = Client::new(&app);
        admin.login("admin").await;
        admin.get("/users/new").await;
        for (k, v) in [("correspondent_id", "999999"), ("unit_id", "999999")] {
            let r = admin
                .post_form(
                    "/users",
                    &[
                        ("username", "newbie"),
                        ("display_name", "新人"),
                        ("role", if k == "unit_id" { "liaison" } else { "correspondent" }),
                        ("password", "a-long-password-2007"),
                        (k, v),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] user {k}: {}", r.text());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_never_reach_the_records() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("editor").await;
        // JSON.
        let r =
            c.send_json("POST", "/api/v1/placements", &placement_json(&format!("{DIRTY}（接口）"), "2008-03-01")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        // A form.
        c.get("/placements/new").await;
        let r = c
            .post_form(
                "/placements",
                &[
                    ("title", &format!("{DIRTY}（表单）")),
                    ("byline", "张明远"),
                    ("outlet_id", "1"),
                    ("column", "要\u{1b}闻"),
                    ("published_on", "2008-03-02"),
                    ("genre", "news"),
                    ("position", "headline"),
                    ("length", "860"),
                    ("note", "第一行\r\n第二行\u{7}"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let p = app
            .db
            .store
            .placement(store::Scope::Station(HB), domain::PlacementId(id_from(&r.location())))
            .await
            .unwrap();
        assert_eq!(
            (p.title.as_str(), p.column.as_str(), p.note.as_str()),
            ("专利工作推进会（表单）", "要闻", "第一行\n第二行")
        );
        // An import.
        let csv = format!(
            "标题,作者,媒体,栏目,刊发日期,体裁,版面位置,字数\n\"{DIRTY}（导入）\",张明远,中国知识产权报,要闻,2008-03-03,news,headline,900\n"
        );
        c.get("/import").await;
        let r = c.upload("/import", &[("kind", "placements")], "dirty.csv", csv.as_bytes()).await;
        assert!(r.status.is_success() || r.status.is_redirection(), "[{backend}] import: {}", r.text());
        let titles = placement_titles(&app).await;
        for via in ["接口", "表单", "导入"] {
            assert!(titles.contains(&format!("{CLEAN}（{via}）")), "[{backend}] {via}: {titles:?}");
        }
        assert!(!titles.iter().any(|t| t.contains('\u{1}') || t.contains('\u{8}')));
        // A multipart field, on the portal's document library.
        c.get("/portal/docs").await;
        let r = c.upload("/portal/docs", &[("title", &format!("{DIRTY}（文库）"))], "a.txt", "正文".as_bytes()).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let docs = app.db.store.documents(&store::DocumentFilter::published(HB)).await.unwrap().items;
        assert!(docs.iter().any(|d| d.title == format!("{CLEAN}（文库）")), "[{backend}] {docs:?}");
        // A query string: the search word is cleaned too.
        let r = c.get_json(&format!("/api/v1/placements?q={}", urlencode(DIRTY))).await.json();
        assert_eq!(r["total"], 3, "[{backend}] {r}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_stay_xml_whatever_was_stored() {
    for app in apps().await {
        let backend = app.db.backend;
        let s = &app.db.store;
        let news = s.portal_columns(HB).await.unwrap().into_iter().find(|c| c.slug == "news").unwrap();
        // A post through the form, with control characters in the title.
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        editor.get("/portal/posts/new").await;
        let r = editor
            .post_form(
                "/portal/posts",
                &[
                    ("column_id", &news.id.to_string()),
                    ("title", &format!("{DIRTY}（门户）")),
                    ("body_html", "<p>正文\u{1}</p>"),
                    ("action", "publish"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let post = s.post(HB, domain::PostId(id_from(&r.location()))).await.unwrap();
        assert_eq!(post.title, format!("{CLEAN}（门户）"));
        // A row stored before the boundary existed (straight into the store).
        let old = domain::portal::PostInput {
            column_id: news.id,
            title: format!("旧稿{DIRTY}\u{fffe}"),
            subtitle: String::new(),
            body_html: "<p>旧\u{8}稿</p>".into(),
            source_unit_id: None,
            byline: "张\u{1}明远".into(),
            authors: Vec::new(),
            cover_image_id: None,
            publish_at: None,
        };
        s.create_post(HB, &old, true, domain::UserId(0)).await.unwrap();
        let mut visitor = Client::new(&app);
        for path in [
            "/site/hb/feed.xml",
            "/site/hb/atom.xml",
            "/site/hb/c/news/feed.xml",
            "/site/hb/c/news/atom.xml",
            "/sitemap.xml",
        ] {
            let r = visitor.get(path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            let xml = r.text();
            assert_valid_xml(&xml, &format!("[{backend}] {path}"));
            if path != "/sitemap.xml" {
                assert!(
                    xml.contains("旧稿专利工作推进会") && xml.contains(&format!("{CLEAN}（门户）")),
                    "[{backend}] {path}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_limited_by_kind_and_fields_by_length() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("editor").await;
        let before = placement_titles(&app).await.len();
        // A 2 MB JSON body: 413, said in Chinese.
        let mut big = placement_json("大", "2008-03-01");
        big["note"] = json!("字".repeat(700_000));
        let r = c.send_json("POST", "/api/v1/placements", &big).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "[{backend}]");
        assert!(r.json()["error"].as_str().unwrap().contains("JSON 请求体不能超过1MB"), "{}", r.text());
        // The same without a Content-Length (chunked): still refused.
        let chunks = futures_util::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 * 1024])));
        let r = post_raw(&mut c, "/api/v1/placements", "application/json", Body::from_stream(chunks)).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        // A 3 MB form.
        c.get("/placements/new").await;
        let r = c.post_form("/placements", &[("title", "大"), ("note", &"a".repeat(3 * 1024 * 1024))]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "[{backend}]");
        // A text body to an API route that is not an upload.
        let r = post_raw(&mut c, "/api/v1/policies", "text/plain", Body::from("#".repeat(3 * 1024 * 1024))).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        // One field past the generic limit: 422 naming it.
        let mut long = placement_json("长", "2008-03-01");
        long["external_authors"] = json!("a".repeat(domain::text::MAX_FIELD + 1));
        let r = c.send_json("POST", "/api/v1/placements", &long).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["fields"][0]["field"], "external_authors");
        assert_eq!(placement_titles(&app).await.len(), before, "nothing written");
        // Uploads still take large files (a 5 MB CSV reaches the importer, which says what is wrong).
        c.get("/import").await;
        let csv = format!("标题\n{}", "x,\n".repeat(5 * 1024 * 1024 / 3));
        let r = c.upload("/import", &[("kind", "placements")], "big.csv", csv.as_bytes()).await;
        assert_ne!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "[{backend}]");
        assert!(r.text().contains("缺少") || r.text().contains("列"), "{}", r.status);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_are_in_range() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("editor").await;
        for on in ["0000-01-01", "1899-12-31", "2101-01-01", "9999-12-31"] {
            let r = c.send_json("POST", "/api/v1/placements", &placement_json("日期", on)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {on}: {}", r.text());
            assert!(r.text().contains("1900-01-01至2100-12-31"), "{}", r.text());
        }
        let r = c
            .send_json(
                "POST",
                "/api/v1/correspondents",
                &json!({"name": "老通讯员", "kind": "unit_correspondent", "joined_on": "0000-01-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        c.get("/placements/new").await;
        let r = c
            .post_form(
                "/placements",
                &[
                    ("title", "日期"),
                    ("byline", "张明远"),
                    ("outlet_id", "1"),
                    ("published_on", "0000-01-01"),
                    ("genre", "news"),
                    ("position", "headline"),
                    ("length", "860"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = c.send_json("POST", "/api/v1/placements", &placement_json("日期", "1949-10-01")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_names_are_safe_base_names() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("editor").await;
        let docx = c.get("/progress/bulletin.docx?year=2007&month=6").await;
        assert!(docx.body.starts_with(b"PK"));
        c.get("/portal/docs").await;
        let r = c.upload("/portal/docs", &[("title", "路径")], "../../../etc/x.docx", &docx.body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        let r = c.upload("/portal/docs", &[("title", "反斜杠")], "/tmp/../报告.docx", &docx.body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        let docs = app.db.store.documents(&store::DocumentFilter::published(HB)).await.unwrap().items;
        let name = |t: &str| docs.iter().find(|d| d.title == t).map(|d| d.file_name.clone());
        assert_eq!(name("路径").as_deref(), Some("x.docx"), "[{backend}]");
        assert_eq!(name("反斜杠").as_deref(), Some("报告.docx"), "[{backend}]");
        // The API's import takes its name in the query string: the audit keeps the base name.
        let csv = "名称,类型\n新单位,市州\n";
        let path = format!("/api/v1/import/units?file_name={}", urlencode("../../etc/单位.csv"));
        let r = post_raw(&mut c, &path, "text/csv", Body::from(csv)).await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        let log = app.db.store.audit_log(Some(HB), 5).await.unwrap();
        let entry = log.iter().find(|a| a.action == "import").unwrap();
        assert!(entry.detail.starts_with("单位.csv:"), "[{backend}] {}", entry.detail);
    }
}

/// Found by trying to break it: a small file of many bad rows answered with 38 MB of errors,
/// and 200,000 units held the SQLite write lock past the busy timeout.
#[tokio::test]
async fn imports_list_two_hundred_errors_and_units_files_are_bounded() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("editor").await;
        let before = app.db.store.known_names(HB).await.unwrap().units.len();
        // 300 rows naming no unit type: every one is wrong.
        let mut csv = String::from("名称,类型\n");
        for i in 0..300 {
            csv.push_str(&format!("单位{i},不存在的类型\n"));
        }
        let r = post_raw(&mut c, "/api/v1/import/units?file_name=u.csv", "text/csv", Body::from(csv)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        let body = r.json();
        assert_eq!(body["rows"].as_array().unwrap().len(), 200, "[{backend}]");
        assert_eq!(body["error"], "导入失败，共300处错误（列出前200处），未写入任何数据", "[{backend}]");
        // More rows than a station has units: refused before any is checked.
        let mut csv = String::from("名称,类型\n");
        for i in 0..10_001 {
            csv.push_str(&format!("单位{i},市州\n"));
        }
        let r = post_raw(&mut c, "/api/v1/import/units?file_name=u.csv", "text/csv", Body::from(csv)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        assert!(r.text().contains("最多 10000 行（本表 10001 行）"), "[{backend}] {}", r.text());
        assert_eq!(app.db.store.known_names(HB).await.unwrap().units.len(), before, "[{backend}] nothing written");
    }
}
