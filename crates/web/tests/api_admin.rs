//! The back office's administration, annual report and headquarters through the API: each
//! endpoint as the role allowed and as the others (403), stations kept apart, what the API
//! writes visible to the pages and the audit log, and never a password or token hash.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{App, Client, apps};

/// Logs in through the login page with `password`; the status of the login's answer.
async fn login_with(c: &mut Client, username: &str, password: &str) -> StatusCode {
    c.get("/login").await;
    c.post_form("/login", &[("username", username), ("password", password), ("next", "/")]).await.status
}

/// An account made straight in the store, with the demo's password.
async fn account(app: &App, station: Option<domain::StationId>, username: &str, role: domain::Role) -> domain::UserId {
    let hash = web::auth::hash_password(app::demo::DEMO_PASSWORD).unwrap();
    let new = store::NewUser {
        station_id: station,
        username: username.into(),
        password_hash: hash,
        display_name: format!("{username}的姓名"),
        role,
        correspondent_id: None,
        unit_id: None,
    };
    app.db.store.create_user(new, None).await.unwrap().id
}

/// A second station, qa, with an administrator `gdadmin` (whose creation is in gd's log).
async fn second_station(app: &App) -> domain::StationId {
    let gd = app.db.store.create_station("qa", "测试通联站").await.unwrap().id;
    let first = account(app, Some(gd), "gdadmin", domain::Role::Admin).await;
    let hash = web::auth::hash_password(app::demo::DEMO_PASSWORD).unwrap();
    let new = store::NewUser {
        station_id: Some(gd),
        username: "gdeditor".into(),
        password_hash: hash,
        display_name: "广东编辑".into(),
        role: domain::Role::Editor,
        correspondent_id: None,
        unit_id: None,
    };
    app.db.store.create_user(new, Some(first)).await.unwrap();
    gd
}

/// No response of these endpoints carries a password or token hash.
fn assert_no_hash(r: &support::Response, what: &str) {
    let text = r.text();
    assert!(
        !text.contains("argon2") && !text.contains("password_hash") && !text.contains("token_hash"),
        "{what}: {text}"
    );
}

fn field_names(r: &support::Response) -> Vec<String> {
    r.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn admin_reads_as_every_role() {
    for app in apps().await {
        let backend = app.db.backend;
        let roles = ["admin", "editor", "mentor", "liaison", "leader", "correspondent", "hq"];
        for role in roles {
            let mut c = Client::new(&app);
            c.login(role).await;
            for (path, allowed) in [
                ("/api/v1/users", role == "admin"),
                ("/api/v1/audit", role == "admin"),
                // Headquarters accounts see the stations to choose one; administrators their own.
                ("/api/v1/stations", role == "admin" || role == "hq"),
            ] {
                let r = c.get_json(path).await;
                let expected = if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
                assert_eq!(r.status, expected, "[{backend}] {role} GET {path}: {}", r.text());
                assert_no_hash(&r, &format!("[{backend}] {role} GET {path}"));
            }
        }
    }
}

#[tokio::test]
async fn a_station_administrator_sees_only_their_station() {
    for app in apps().await {
        let backend = app.db.backend;
        let gd = second_station(&app).await;
        let mut c = Client::new(&app);
        c.login("admin").await;
        let users = c.get_json("/api/v1/users").await.json();
        let users = users.as_array().unwrap();
        assert!(users.iter().any(|u| u["username"] == "editor"), "[{backend}] {users:?}");
        assert!(users.iter().all(|u| u["station_id"] == 1), "[{backend}] another station's users: {users:?}");
        let audit = c.get_json("/api/v1/audit?limit=1000").await.json();
        let audit = audit.as_array().unwrap();
        assert!(audit.iter().all(|a| a["station_id"] == 1), "[{backend}] another station's audit: {audit:?}");
        let stations = c.get_json("/api/v1/stations").await.json();
        assert_eq!(stations.as_array().unwrap().len(), 1, "[{backend}] {stations}");
        assert_eq!(stations[0]["code"], "hb", "[{backend}] {stations}");
        // gd's accounts are not hb's to reset.
        let gd_editor = app.db.store.user_by_username("gdeditor").await.unwrap().unwrap().id;
        let body = json!({"new": "Another-pass-123", "confirm": "Another-pass-123"});
        let r = c.send_json("POST", &format!("/api/v1/users/{}/password", gd_editor.0), &body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}] {}", r.text());

        // gd's administrator sees gd's, and a headquarters administrator every station's.
        let mut g = Client::new(&app);
        g.login("gdadmin").await;
        let audit = g.get_json("/api/v1/audit").await.json();
        let audit = audit.as_array().unwrap();
        assert!(!audit.is_empty() && audit.iter().all(|a| a["station_id"] == gd.0), "[{backend}] {audit:?}");
        account(&app, None, "hqadmin", domain::Role::Admin).await;
        let mut h = Client::new(&app);
        h.login("hqadmin").await;
        let audit = h.get_json("/api/v1/audit?limit=1000").await.json();
        let stations: Vec<_> = audit.as_array().unwrap().iter().map(|a| a["station_id"].clone()).collect();
        assert!(stations.contains(&json!(1)) && stations.contains(&json!(gd.0)), "[{backend}] {stations:?}");
        let r = h.get_json("/api/v1/stations").await;
        assert_eq!(r.json().as_array().unwrap().len(), app.db.store.stations().await.unwrap().len(), "[{backend}]");
        let r = h.get_json("/api/v1/audit?limit=0").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        assert_eq!(field_names(&r), ["limit"], "[{backend}]");
    }
}

#[tokio::test]
async fn accounts_created_and_reset_through_the_api() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("admin").await;
        let count = || async { app.db.store.users(store::Scope::All).await.unwrap().len() };
        let before = count().await;

        // Invalid: every field is listed and nothing is written.
        let bad = json!({"username": "", "display_name": " ", "password": "1", "role": "correspondent",
            "correspondent_id": null, "unit_id": null});
        let r = c.send_json("POST", "/api/v1/users", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        let fields = field_names(&r);
        for f in ["username", "password", "display_name", "correspondent_id"] {
            assert!(fields.iter().any(|x| x == f), "[{backend}] {f} missing in {fields:?}");
        }
        let taken = json!({"username": "editor", "display_name": "重名", "password": app::demo::DEMO_PASSWORD,
            "role": "editor", "correspondent_id": null, "unit_id": null});
        let r = c.send_json("POST", "/api/v1/users", &taken).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        assert_eq!(field_names(&r), ["username"], "[{backend}]");
        assert_eq!(count().await, before, "[{backend}] a refused account was written");

        // Only administrators create accounts.
        let new = json!({"username": "newbie", "display_name": "新同事", "password": app::demo::DEMO_PASSWORD,
            "role": "editor", "correspondent_id": null, "unit_id": null});
        for role in ["editor", "correspondent", "hq"] {
            let mut o = Client::new(&app);
            o.login(role).await;
            let r = o.send_json("POST", "/api/v1/users", &new).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] {role}: {}", r.text());
            let r = o.send_json("POST", "/api/v1/users/2/password", &json!({"new": "x", "confirm": "x"})).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] {role}: {}", r.text());
        }
        assert_eq!(count().await, before, "[{backend}]");

        let r = c.send_json("POST", "/api/v1/users", &new).await;
        assert_eq!(r.status, StatusCode::CREATED, "[{backend}] {}", r.text());
        assert_no_hash(&r, &format!("[{backend}] POST /users"));
        assert!(!r.text().contains("password"), "[{backend}] {}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["station_id"], 1, "[{backend}]");
        let mut n = Client::new(&app);
        assert_eq!(login_with(&mut n, "newbie", app::demo::DEMO_PASSWORD).await, StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(n.get_json("/api/v1/me").await.json()["username"], "newbie", "[{backend}]");

        // A reset: refused when the two differ, then done; the old password and session end.
        let r = c
            .send_json(
                "POST",
                &format!("/api/v1/users/{id}/password"),
                &json!({"new": "Fresh-pass-2024", "confirm": "x"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        assert_eq!(field_names(&r), ["confirm"], "[{backend}]");
        assert_eq!(n.get_json("/api/v1/me").await.status, StatusCode::OK, "[{backend}] a refused reset ended nothing");
        let body = json!({"new": "Fresh-pass-2024", "confirm": "Fresh-pass-2024"});
        let r = c.send_json("POST", &format!("/api/v1/users/{id}/password"), &body).await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        assert_eq!(r.json()["sessions"], 1, "[{backend}] {}", r.text());
        assert_no_hash(&r, &format!("[{backend}] POST /users/{{id}}/password"));
        assert_eq!(n.get_json("/api/v1/me").await.status, StatusCode::UNAUTHORIZED, "[{backend}]");
        let mut n = Client::new(&app);
        assert_ne!(
            login_with(&mut n, "newbie", app::demo::DEMO_PASSWORD).await,
            StatusCode::SEE_OTHER,
            "[{backend}] old password"
        );
        assert_eq!(login_with(&mut n, "newbie", "Fresh-pass-2024").await, StatusCode::SEE_OTHER, "[{backend}]");

        let r = c.get_json("/api/v1/audit").await;
        assert_no_hash(&r, &format!("[{backend}] GET /audit"));
        let audit = r.json();
        let subject = format!("user:{id}");
        for action in ["user.create", "user.password_reset"] {
            assert!(
                audit.as_array().unwrap().iter().any(|a| a["action"] == action && a["subject"] == subject.as_str()),
                "[{backend}] no {action} in {audit}"
            );
        }
        let users = c.get_json("/api/v1/users").await;
        assert_no_hash(&users, &format!("[{backend}] GET /users"));
        assert!(users.json().as_array().unwrap().iter().any(|u| u["username"] == "newbie"), "[{backend}]");
    }
}

#[tokio::test]
async fn only_headquarters_administrators_create_stations() {
    for app in apps().await {
        let backend = app.db.backend;
        account(&app, None, "hqadmin", domain::Role::Admin).await;
        let count = || async { app.db.store.stations().await.unwrap().len() };
        let before = count().await;
        let body = json!({"code": "gx", "name": "广西通联站"});
        for role in ["admin", "editor", "correspondent", "hq"] {
            let mut c = Client::new(&app);
            c.login(role).await;
            let r = c.send_json("POST", "/api/v1/stations", &body).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] {role}: {}", r.text());
        }
        let mut h = Client::new(&app);
        h.login("hqadmin").await;
        let r = h.send_json("POST", "/api/v1/stations", &json!({"code": "bad code", "name": ""})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        assert_eq!(count().await, before, "[{backend}] a refused station was written");
        let r = h.send_json("POST", "/api/v1/stations", &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "[{backend}] {}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(r.json()["code"], "gx", "[{backend}]");
        let r = h.send_json("POST", "/api/v1/stations", &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] the code is taken: {}", r.text());
        assert_eq!(field_names(&r), ["code"], "[{backend}]");
        assert_eq!(count().await, before + 1, "[{backend}]");
        let audit = h.get_json("/api/v1/audit").await.json();
        let subject = format!("station:{id}");
        assert!(
            audit
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["action"] == "station.create" && a["subject"] == subject.as_str()),
            "[{backend}] {audit}"
        );
    }
}

/// Sends `body` as `text/plain` with the session's cookie and CSRF header.
async fn send_text(c: &mut Client, method: &str, path: &str, body: &str) -> support::Response {
    use axum::http::{Request, header};
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::ACCEPT, "application/json")
        .header("x-csrf-token", c.csrf.clone())
        .header(header::COOKIE, format!("tonglian_session={}", c.cookie("tonglian_session").unwrap()))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    c.send(req).await
}

#[tokio::test]
async fn the_annual_report_through_the_api() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let api = editor.get_json("/api/v1/reports/annual/2007").await;
        assert_eq!(api.status, StatusCode::OK, "[{backend}] {}", api.text());
        let page = editor.get_json("/reports/annual/2007/report.json").await.json();
        assert_eq!(api.json(), page, "[{backend}] the API's JSON is the page's");
        assert_eq!(page["figures"]["website_items"], 406, "[{backend}]");

        let docx = editor.get_json("/api/v1/reports/annual/2007/report.docx").await;
        assert_eq!(docx.status, StatusCode::OK, "[{backend}]");
        assert!(docx.body.starts_with(b"PK"), "[{backend}] a zip");
        assert_eq!(
            docx.headers["content-type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "[{backend}]"
        );
        assert_eq!(editor.get_json("/api/v1/reports/annual/1999").await.status, StatusCode::NOT_FOUND, "[{backend}]");
        assert_eq!(editor.get_json("/api/v1/reports/annual/abc").await.status, StatusCode::BAD_REQUEST, "[{backend}]");

        // Saving: too long a part is refused with its field and saves nothing.
        let long = "字".repeat(20_001);
        let r = editor
            .send_json(
                "PUT",
                "/api/v1/reports/annual/2007",
                &json!({"intro": "开篇。", "practices": "", "plans": long}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", &r.text()[..200.min(r.text().len())]);
        assert_eq!(field_names(&r), ["plans"], "[{backend}]");
        let unchanged = editor.get_json("/reports/annual/2007/report.json").await.json();
        assert_eq!(unchanged["narrative_saved"], false, "[{backend}] nothing saved");
        let narrative =
            json!({"intro": "开篇。", "practices": "一是稳定队伍。\n\n二是队伍建设。", "plans": "明年再接再厉。"});
        let r = editor.send_json("PUT", "/api/v1/reports/annual/2007", &narrative).await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        assert_eq!(r.json()["narrative"], narrative, "[{backend}]");
        assert_eq!(r.json()["narrative_saved"], true, "[{backend}]");
        let page = editor.get_json("/reports/annual/2007/report.json").await.json();
        assert_eq!(page["narrative"]["plans"], "明年再接再厉。", "[{backend}] the page shows what the API saved");

        // Leaders read it and do not write it; correspondents do neither.
        let mut leader = Client::new(&app);
        leader.login("leader").await;
        assert_eq!(leader.get_json("/api/v1/reports/annual/2007").await.status, StatusCode::OK, "[{backend}]");
        let r = leader.send_json("PUT", "/api/v1/reports/annual/2007", &narrative).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}]");
        let mut corr = Client::new(&app);
        corr.login("correspondent").await;
        for path in ["/api/v1/reports/annual/2007", "/api/v1/reports/annual/2007/report.docx"] {
            assert_eq!(corr.get_json(path).await.status, StatusCode::FORBIDDEN, "[{backend}] {path}");
        }
        let r = corr.send_json("PUT", "/api/v1/reports/annual/2007", &narrative).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}]");
    }
}

#[tokio::test]
async fn headquarters_through_the_api() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut hq = Client::new(&app);
        hq.login("hq").await;
        let r = hq.get_json("/api/v1/hq/national?year=2007").await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        let national = r.json();
        assert_eq!(national["stations"].as_array().unwrap().len(), 5, "[{backend}]");
        let hubei =
            national["stations"].as_array().unwrap().iter().find(|s| s["name"] == "湖北通联站").unwrap().clone();
        assert_eq!(hubei["paper_placements"], 127, "[{backend}] the seed's station");
        assert_eq!(hubei["paper_by_month"].as_array().unwrap().len(), 12, "[{backend}]");
        assert!(!national["rankings"].as_array().unwrap().is_empty(), "[{backend}]");
        let criteria = hq.get_json("/api/v1/hq/awards").await;
        assert_eq!(criteria.status, StatusCode::OK, "[{backend}]");
        assert_eq!(criteria.json()["saved"], false, "[{backend}]");

        for role in ["admin", "editor", "correspondent"] {
            let mut c = Client::new(&app);
            c.login(role).await;
            for path in ["/api/v1/hq/national", "/api/v1/hq/awards"] {
                assert_eq!(c.get_json(path).await.status, StatusCode::FORBIDDEN, "[{backend}] {role} {path}");
            }
            let r = send_text(&mut c, "PUT", "/api/v1/hq/awards", app::demo::DEMO_POLICY).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] {role}");
        }

        // A mistake is refused with its line and saves nothing.
        let bad = "[[award]]\nkey = \"best_station\"\nname = \"最佳通联站\"\nrank = \"station\"\ntop = 1\n[award.score]\nsubscriptionz = 1\n";
        let r = send_text(&mut hq, "PUT", "/api/v1/hq/awards", bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        let fields = r.json()["fields"].clone();
        assert!(fields.as_array().unwrap().iter().all(|f| f["field"] == "source"), "[{backend}] {fields}");
        assert!(fields[0]["message"].as_str().unwrap().contains("第7行"), "[{backend}] {fields}");
        assert_eq!(hq.get_json("/api/v1/hq/awards").await.json()["saved"], false, "[{backend}] nothing saved");

        // Criteria by subscriptions alone: 广东 (1650 copies) is the one best station.
        let good = bad.replace("subscriptionz", "subscriptions");
        let r = send_text(&mut hq, "PUT", "/api/v1/hq/awards", &good).await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        assert_eq!(r.json()["saved"], true, "[{backend}]");
        assert_eq!(r.json()["source"], good.as_str(), "[{backend}]");
        let national = hq.get_json("/api/v1/hq/national?year=2007").await.json();
        let best = &national["rankings"][0];
        assert_eq!(best["key"], "best_station", "[{backend}] {best}");
        let awarded: Vec<_> = best["placed"].as_array().unwrap().iter().filter(|p| p["awarded"] == true).collect();
        assert_eq!(awarded.len(), 1, "[{backend}] {best}");
        assert_eq!(awarded[0]["name"], "广东通联站", "[{backend}]");
        let audit = app.db.store.audit_log(None, 20).await.unwrap();
        assert!(audit.iter().any(|a| a.action == "award_rules.save"), "[{backend}]");
    }
}
