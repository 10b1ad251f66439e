//! Targets, progress, their settings and the bulletin through the JSON API, on the demo: the
//! roles the pages allow succeed and a correspondent is refused, another station's ids are 404,
//! what the API writes shows on the pages and the reverse, invalid input is a 422 naming the
//! field and writes nothing, and the bulletin's Word file opens.

mod api_helpers;
mod support;

use api_helpers::{fields, logged_in, send_file, text, xlsx};
use axum::http::{StatusCode, header};
use domain::table::Cell;
use serde_json::{Value, json};
use support::apps;

fn targets_of(v: &Value) -> Vec<Value> {
    v["targets"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_through_the_api() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = logged_in(&app, "editor").await;
        let mut writer = logged_in(&app, "correspondent").await;

        // Reading: every role that reads the network's lists; not a correspondent.
        let list = editor.get_json("/api/v1/targets?year=2007").await;
        assert_eq!(list.status, StatusCode::OK, "[{backend}] {}", list.text());
        let before = targets_of(&list.json()).len();
        assert!(before > 40, "[{backend}] the demo's targets");
        for who in ["admin", "leader", "liaison", "mentor"] {
            let mut c = logged_in(&app, who).await;
            assert_eq!(c.get_json("/api/v1/targets?year=2007").await.status, StatusCode::OK, "[{backend}] {who}");
        }
        assert_eq!(writer.get_json("/api/v1/targets?year=2007").await.status, StatusCode::FORBIDDEN);
        assert_eq!(editor.get_json("/api/v1/targets?year=1999").await.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Setting: editors and administrators only.
        let lecture = json!({"year": 2007, "unit_id": 1, "metric": "events:lecture", "value": 9});
        let r = editor.send_json("POST", "/api/v1/targets", &lecture).await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        let set = r.json();
        assert_eq!((set["value"].as_i64(), set["metric"].as_str()), (Some(9), Some("events:lecture")));
        let mut liaison = logged_in(&app, "liaison").await;
        assert_eq!(liaison.send_json("POST", "/api/v1/targets", &lecture).await.status, StatusCode::FORBIDDEN);
        assert_eq!(writer.send_json("POST", "/api/v1/targets", &lecture).await.status, StatusCode::FORBIDDEN);
        // What the API set shows on the page.
        let page = editor.get("/targets?year=2007").await.text();
        assert!(page.contains("讲座"), "[{backend}] the page lists the lecture target");

        // Invalid input: 422 naming the field, nothing written.
        let bad = [
            (json!({"year": 2007, "unit_id": 1, "metric": "website", "value": -5}), "value"),
            (json!({"year": 2007, "unit_id": 1, "metric": "跳舞", "value": 5}), "metric"),
            (json!({"year": 2007, "unit_id": 1, "correspondent_id": 1, "metric": "website", "value": 5}), "owner"),
            (json!({"year": 1999, "unit_id": 1, "metric": "website", "value": 5}), "year"),
            (json!({"year": 2007, "unit_id": 999999, "metric": "website", "value": 5}), "unit_id"),
        ];
        for (body, field) in bad {
            let r = editor.send_json("POST", "/api/v1/targets", &body).await;
            assert!(fields(&r).iter().any(|f| f == field), "[{backend}] {field}: {}", r.text());
        }
        let after = targets_of(&editor.get_json("/api/v1/targets?year=2007").await.json());
        assert_eq!(after.len(), before + 1, "[{backend}] one target added, the refused ones not");

        // What the page sets shows in the API.
        let r = editor
            .post_form("/targets", &[("year", "2007"), ("owner", "u:2"), ("metric", "events:lecture"), ("value", "4")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}]");
        let after = targets_of(&editor.get_json("/api/v1/targets?year=2007").await.json());
        assert!(
            after.iter().any(|t| t["unit_id"] == 2 && t["metric"] == "events:lecture" && t["value"] == 4),
            "[{backend}] the page's target in the API"
        );

        // Carrying to the next year; a year without targets is a conflict; a bad share a 422.
        let r = editor.send_json("POST", "/api/v1/targets/carry", &json!({"from_year": 2007, "percent": 110})).await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        let copied = r.json()["count"].as_u64().unwrap() as usize;
        assert_eq!(targets_of(&editor.get_json("/api/v1/targets?year=2008").await.json()).len(), copied);
        let r = editor.send_json("POST", "/api/v1/targets/carry", &json!({"from_year": 2001, "percent": 110})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "[{backend}] {}", r.text());
        let r = editor.send_json("POST", "/api/v1/targets/carry", &json!({"from_year": 2007, "percent": 0})).await;
        assert_eq!(fields(&r), vec!["percent"], "[{backend}]");
        let r = writer.send_json("POST", "/api/v1/targets/carry", &json!({"from_year": 2007, "percent": 110})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Deleting: 204, then 404; another station's target is 404 and stays.
        let id = set["id"].as_i64().unwrap();
        let r = writer.send_json("DELETE", &format!("/api/v1/targets/{id}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}]");
        let r = editor.send_json("DELETE", &format!("/api/v1/targets/{id}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "[{backend}] {}", r.text());
        let r = editor.send_json("DELETE", &format!("/api/v1/targets/{id}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}]");
        let store = &app.db.store;
        let other = domain::StationId(2);
        let unit = store.units(other).await.unwrap()[0].id;
        let input = domain::targets::TargetInput {
            year: 2007,
            unit_id: Some(unit),
            correspondent_id: None,
            metric: domain::targets::TargetMetric::Subscriptions,
            value: 3,
        };
        store.set_targets(other, domain::UserId(1), vec![input]).await.unwrap();
        let theirs = store.targets(other, 2007).await.unwrap()[0].id;
        let r = editor.send_json("DELETE", &format!("/api/v1/targets/{theirs}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}] another station's target");
        assert_eq!(store.targets(other, 2007).await.unwrap().len(), 1, "[{backend}] and it stays");

        // Importing a spreadsheet sent as the body: all or nothing.
        let headers = ["年度", "单位", "通讯员", "指标", "目标数"];
        // A unit's target in 2009.
        let row = |unit: &str, metric: &str, value: f64| {
            vec![Cell::Number(2009.0), text(unit), Cell::Empty, text(metric), Cell::Number(value)]
        };
        let bad = xlsx(&headers, vec![row("武汉市", "中国知识产权报", 20.0), row("火星市", "网站上稿", 30.0)]);
        let r = send_file(&mut editor, "/api/v1/targets/import?file_name=t.xlsx", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        assert!(r.text().contains("火星市"), "[{backend}] {}", r.text());
        assert!(targets_of(&editor.get_json("/api/v1/targets?year=2009").await.json()).is_empty());
        let r = send_file(&mut editor, "/api/v1/targets/import?file_name=t.xlsx", b"not a spreadsheet").await;
        assert_eq!(fields(&r), vec!["file"], "[{backend}]");
        let person = vec![Cell::Number(2009.0), Cell::Empty, text("张明远"), text("国家级媒体采用"), Cell::Number(8.0)];
        let good = xlsx(&headers, vec![row("武汉市", "中国知识产权报", 20.0), person]);
        let r = send_file(&mut writer, "/api/v1/targets/import?file_name=t.xlsx", &good).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}]");
        let r = send_file(&mut editor, "/api/v1/targets/import?file_name=t.xlsx", &good).await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        assert_eq!((r.json()["count"].as_u64(), r.json()["year"].as_i64()), (Some(2), Some(2009)));
        let page = editor.get("/targets?year=2009").await.text();
        assert!(page.contains("张明远") && !page.contains("id=\"no-targets\""), "[{backend}] imported, on the page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_settings_and_bulletin_through_the_api() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = logged_in(&app, "editor").await;
        let mut writer = logged_in(&app, "correspondent").await;

        let r = editor.get_json("/api/v1/progress?year=2007").await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        let p = r.json();
        assert_eq!(p["pace_percent"], "100.0%", "[{backend}] the whole year has passed");
        let rows = p["rows"].as_array().unwrap();
        assert!(rows.len() > 40, "[{backend}]");
        let ezhou: Vec<&Value> = rows.iter().filter(|r| r["target"]["owner_name"] == "鄂州市").collect();
        assert_eq!(ezhou.len(), 3, "[{backend}]");
        assert!(ezhou.iter().all(|r| r["status"] == "far_behind"), "[{backend}] {ezhou:?}");
        assert!(!p["quiet"].as_array().unwrap().is_empty(), "[{backend}] quiet correspondents");
        let mid = editor.get_json("/api/v1/progress?year=2007&as_of=2007-06-30").await.json();
        assert_eq!(mid["as_of"], "2007-06-30");
        let mut liaison = logged_in(&app, "liaison").await;
        let own = liaison.get_json("/api/v1/progress?year=2007").await.json();
        // The first row is the unit's own target or one of its people's.
        let first = &own["rows"][0]["target"];
        assert!(first["owner_name"] == "武汉市" || first["unit_name"] == "武汉市", "[{backend}] own first: {first}");
        assert_eq!(writer.get_json("/api/v1/progress?year=2007").await.status, StatusCode::FORBIDDEN);
        let r = editor.get_json("/api/v1/progress?year=1999").await;
        assert_eq!(fields(&r), vec!["year"], "[{backend}]");
        let r = editor.get_json("/api/v1/progress?year=2007&as_of=yesterday").await;
        assert_eq!(fields(&r), vec!["as_of"], "[{backend}]");

        // The two settings: the API's shows on the page's figures, the page's in the API.
        let r = editor.send_json("PUT", "/api/v1/progress/quiet-weeks", &json!({"weeks": 7})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "[{backend}] {}", r.text());
        let r = editor.send_json("PUT", "/api/v1/progress/revision-days", &json!({"days": 9})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "[{backend}] {}", r.text());
        let page = editor.get("/progress?year=2007").await.text();
        assert!(page.contains("value=\"7\"") && page.contains("value=\"9\""), "[{backend}] settings on the page");
        let r = editor.post_form("/progress/quiet-weeks", &[("weeks", "5"), ("year", "2007")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = editor.post_form("/progress/revision-days", &[("days", "4"), ("year", "2007")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let p = editor.get_json("/api/v1/progress?year=2007").await.json();
        assert_eq!((p["quiet_weeks"].as_i64(), p["revision_days"].as_i64()), (Some(5), Some(4)), "[{backend}]");
        let r = editor.send_json("PUT", "/api/v1/progress/quiet-weeks", &json!({"weeks": 0})).await;
        assert_eq!(fields(&r), vec!["quiet_weeks"], "[{backend}]");
        let r = editor.send_json("PUT", "/api/v1/progress/revision-days", &json!({"days": 61})).await;
        assert_eq!(fields(&r), vec!["revision_days"], "[{backend}]");
        let p = editor.get_json("/api/v1/progress?year=2007").await.json();
        assert_eq!((p["quiet_weeks"].as_i64(), p["revision_days"].as_i64()), (Some(5), Some(4)), "nothing written");
        for (path, body) in [("quiet-weeks", json!({"weeks": 3})), ("revision-days", json!({"days": 3}))] {
            let r = writer.send_json("PUT", &format!("/api/v1/progress/{path}"), &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] {path}");
            let r = liaison.send_json("PUT", &format!("/api/v1/progress/{path}"), &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] {path}");
        }

        // The bulletin: the page's title, as JSON and as a Word file.
        let r = editor.get_json("/api/v1/progress/bulletin?year=2007&month=6").await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        let b = r.json();
        assert_eq!(b["title"], "湖北通联站2007年6月目标任务进展通报", "[{backend}]");
        assert!(b["intro"][0].as_str().unwrap().contains("截至2007年6月30日"));
        let page = editor.get("/progress/bulletin?year=2007&month=6").await.text();
        assert!(page.contains(b["title"].as_str().unwrap()), "[{backend}] the same bulletin as the page");
        let docx = editor.get("/api/v1/progress/bulletin.docx?year=2007&month=6").await;
        assert_eq!(docx.status, StatusCode::OK, "[{backend}]");
        assert_eq!(
            docx.headers[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert!(docx.body.starts_with(b"PK"), "[{backend}] a zip file");
        zip::ZipArchive::new(std::io::Cursor::new(&docx.body)).unwrap().by_name("word/document.xml").unwrap();
        let r = editor.get_json("/api/v1/progress/bulletin?year=2007&month=13").await;
        assert_eq!(fields(&r), vec!["month"], "[{backend}]");
        assert_eq!(writer.get_json("/api/v1/progress/bulletin?year=2007").await.status, StatusCode::FORBIDDEN);
        assert_eq!(writer.get_json("/api/v1/progress/bulletin.docx?year=2007").await.status, StatusCode::FORBIDDEN);
    }
}
