//! Secure by default: CSRF on every form, login throttling, sessions that end, tokens for the
//! API, escaping of what users type, stations kept apart, and uploads checked.

mod support;

use axum::http::StatusCode;
use support::{Client, apps, id_from};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_csrf_token_are_refused() {
    for app in apps().await {
        let mut c = Client::new(&app);
        c.get("/login").await;
        let r = c.post_form_raw("/login", &[("username", "editor"), ("password", "demo2007")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "login needs the token too");
        let r =
            c.post_form_raw("/login", &[("username", "editor"), ("password", "demo2007"), ("csrf", "forged")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        c.login("editor").await;
        let r = c.post_form_raw("/units", &[("name", "伪造单位"), ("kind", "other")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c.send_json("POST", "/api/v1/units", &serde_json::json!({"name": "正常单位", "kind": "other"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        c.csrf = "wrong".into();
        let r = c.send_json("POST", "/api/v1/units", &serde_json::json!({"name": "伪造单位", "kind": "other"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let units = c.get_json("/api/v1/units").await.text();
        assert!(units.contains("正常单位") && !units.contains("伪造单位"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_throttled_and_sessions_end() {
    for app in apps().await {
        let mut c = Client::new(&app);
        c.get("/login").await;
        for _ in 0..5 {
            let r = c.post_form("/login", &[("username", "editor"), ("password", "wrong-password1")]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.text().contains("用户名或密码错误"));
        }
        let r = c.post_form("/login", &[("username", "editor"), ("password", "demo2007")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the right password is refused while throttled");
        assert!(r.text().contains("登录失败次数过多"));
        assert!(r.headers.contains_key("retry-after"));
        // Another account is not affected.
        let mut other = Client::new(&app);
        other.login("leader").await;
        let before = other.get("/").await;
        assert_eq!(before.status, StatusCode::OK);
        other.post_form("/logout", &[]).await;
        let after = other.get("/").await;
        assert_eq!(after.status, StatusCode::SEE_OTHER, "logged out");
        assert!(after.location().starts_with("/login"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_changes_at_login() {
    for app in apps().await {
        let mut c = Client::new(&app);
        let r = c.get("/login").await;
        let before = r.headers.get("set-cookie").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let r = c.post_form("/login", &[("username", "editor"), ("password", "demo2007")]).await;
        let after = r.headers.get("set-cookie").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(after.starts_with("tonglian_session="), "{after}");
        assert!(after.contains("HttpOnly") && after.contains("SameSite=Lax"));
        assert_ne!(before.split(';').next(), after.split(';').next(), "a new session id after login");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_change_with_the_old_one() {
    for app in apps().await {
        let mut c = Client::new(&app);
        c.login("correspondent").await;
        c.get("/account/password").await;
        let r = c.post_form("/account/password", &[("current", "nope"), ("new", "short"), ("confirm", "other")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(
            html.contains("当前密码不正确") && html.contains("密码至少8位") && html.contains("两次输入的新密码不一致")
        );
        let r = c
            .post_form(
                "/account/password",
                &[("current", "demo2007"), ("new", "newpass2026"), ("confirm", "newpass2026")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mut again = Client::new(&app);
        again.get("/login").await;
        let r = again.post_form("/login", &[("username", "correspondent"), ("password", "demo2007")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = again.post_form("/login", &[("username", "correspondent"), ("password", "newpass2026")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_work_without_cookies_or_csrf() {
    for app in apps().await {
        let mut c = Client::new(&app);
        c.login("editor").await;
        let r = c.send_json("POST", "/api/v1/tokens", &serde_json::json!({"name": "脚本"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let token = r.json()["token"].as_str().unwrap().to_string();
        use axum::body::Body;
        use axum::http::{Request, header};
        let mut bare = Client::new(&app);
        let req = Request::post("/api/v1/units")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"name":"令牌单位","kind":"office"}"#))
            .unwrap();
        let r = bare.send(req).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let req = Request::get("/api/v1/me")
            .header(header::AUTHORIZATION, "Bearer tl_not-a-token")
            .body(Body::empty())
            .unwrap();
        assert_eq!(bare.send(req).await.status, StatusCode::UNAUTHORIZED);
        // The token is stored hashed: the audit log names it, the database never holds it.
        let audit = app.db.store.audit_log(None, 50).await.unwrap();
        assert!(audit.iter().any(|a| a.action == "token.create"));
        assert!(audit.iter().all(|a| !a.detail.contains(&token)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_users_type_is_escaped() {
    for app in apps().await {
        let mut c = Client::new(&app);
        c.login("correspondent").await;
        c.get("/manuscripts/new").await;
        let r = c
            .post_form(
                "/manuscripts",
                &[
                    ("title", "<script>alert('x')</script>标题"),
                    ("genre", "news"),
                    ("byline", "张明远"),
                    ("body", "<img src=x onerror=alert(1)>正文"),
                ],
            )
            .await;
        let id = id_from(&r.location());
        let page = c.get(&format!("/manuscripts/{id}")).await;
        let html = page.text();
        assert!(!html.contains("<script>alert"), "title escaped");
        assert!(!html.contains("<img src=x"), "body escaped");
        assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"));
        let csp = page.headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("script-src 'self'"));
        assert_eq!(page.headers.get("x-frame-options").unwrap(), "DENY");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stations_are_kept_apart() {
    for app in apps().await {
        let s = &app.db.store;
        let gd = s.create_station("gx", "广西通联站").await.unwrap().id;
        let unit = s
            .create_unit(gd, &domain::UnitInput { name: "广州市".into(), kind: domain::UnitKind::Prefecture })
            .await
            .unwrap();
        let outlet = s
            .create_outlet(
                gd,
                &domain::OutletInput {
                    name: "南方日报".into(),
                    kind: domain::OutletKind::Newspaper,
                    level: domain::OutletLevel::Provincial,
                    columns: vec![],
                },
            )
            .await
            .unwrap();
        let person = s
            .create_correspondent(
                gd,
                &domain::CorrespondentInput {
                    name: "陈广".into(),
                    unit_id: Some(unit.id),
                    kind: domain::CorrespondentKind::UnitCorrespondent,
                    phone: String::new(),
                    email: String::new(),
                    joined_on: None,
                    active: true,
                    mentor_user_id: None,
                },
                domain::UserId(1),
            )
            .await
            .unwrap();
        let input = domain::PlacementInput {
            manuscript_id: None,
            title: "广州专利新闻".into(),
            unit_id: None,
            outlet_id: outlet.id,
            column: String::new(),
            published_on: time::macros::date!(2007 - 06 - 01),
            genre: domain::Genre::News,
            position: domain::Position::Normal,
            length: 100,
            instruction: None,
            commissioned: false,
            reprint: false,
            grade: None,
            evidence_url: String::new(),
            note: String::new(),
            authors: vec![domain::Byline { correspondent_id: person.id, share_bp: None }],
            external_authors: String::new(),
        };
        let p = s.create_placement(gd, &input, domain::UserId(0)).await.unwrap();
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        assert_eq!(editor.get(&format!("/placements/{}", p.id)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(editor.get_json(&format!("/api/v1/placements/{}", p.id)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(editor.get(&format!("/outlets/{}", outlet.id)).await.status, StatusCode::NOT_FOUND);
        assert!(!editor.get("/placements?q=广州").await.text().contains("广州专利新闻"));
        // A headquarters account sees every station.
        let hash = web::auth::hash_password("hqpass2007").unwrap();
        s.create_user(
            store::NewUser {
                station_id: None,
                username: "hq-reader".into(),
                password_hash: hash,
                display_name: "报社总部".into(),
                role: domain::Role::Leader,
                correspondent_id: None,
                unit_id: None,
            },
            None,
        )
        .await
        .unwrap();
        let mut hq = Client::new(&app);
        hq.get("/login").await;
        hq.post_form("/login", &[("username", "hq-reader"), ("password", "hqpass2007")]).await;
        assert_eq!(hq.get(&format!("/placements/{}", p.id)).await.status, StatusCode::OK);
        assert!(hq.get("/placements?q=广州专利新闻").await.text().contains("广州专利新闻"));
        // It works in one station at a time, and switches in the header.
        let home = hq.get("/").await.text();
        assert!(home.contains("id=\"station-switch\""));
        assert_eq!(
            hq.get_json("/api/v1/units").await.json().as_array().unwrap().len(),
            20,
            "the first station's units"
        );
        let r = hq.post_form("/station", &[("station", "gx")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let units = hq.get_json("/api/v1/units").await.json();
        assert_eq!(
            units.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect::<Vec<_>>(),
            ["广州市"]
        );
        assert_eq!(
            editor.post_form("/station", &[("station", "gx")]).await.status,
            StatusCode::FORBIDDEN,
            "station accounts cannot switch"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_checked_by_size_and_content() {
    for app in apps().await {
        let mut c = Client::new(&app);
        c.login("correspondent").await;
        c.get("/manuscripts/1").await;
        let r = c.upload("/manuscripts/1/attachments", &[], "photo.jpg", b"MZ\x90\x00 this is an exe").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("文件类型不支持"));
        let big = [b"\x89PNG\r\n\x1a\n".as_slice(), &vec![0u8; 10 * 1024 * 1024]].concat();
        let r = c.upload("/manuscripts/1/attachments", &[], "big.png", &big).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("文件太大"));
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), b"\x00\x00\x00\x0dIHDR fake but typed"].concat();
        let r = c.upload("/manuscripts/1/attachments", &[], "../../现场照片.png", &png).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = c.get("/manuscripts/1").await.text();
        assert!(page.contains(">现场照片.png</a>"), "the name keeps only its last part");
        let link = page.split("href=\"/attachments/").nth(1).unwrap().split('"').next().unwrap().to_string();
        let file = c.get(&format!("/attachments/{link}")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body, png);
        assert_eq!(file.headers.get("content-type").unwrap(), "image/png");
        let mut other = Client::new(&app);
        other.login("correspondent2").await;
        assert_eq!(
            other.get(&format!("/attachments/{link}")).await.status,
            StatusCode::NOT_FOUND,
            "a draft's attachment is private"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_is_the_second_locale() {
    for app in apps().await {
        let mut c = Client::new(&app);
        c.login("editor").await;
        let zh = c.get("/placements").await.text();
        assert!(zh.contains("lang=\"zh-CN\"") && zh.contains(">刊发</a>"));
        let r = c.post_form("/locale", &[("lang", "en")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let en = c.get("/placements").await.text();
        assert!(
            en.contains("lang=\"en\"") && en.contains(">Placements</a>") && en.contains("Record placement"),
            "{en}"
        );
        c.post_form("/locale", &[("lang", "zh")]).await;
        assert!(c.get("/").await.text().contains("工作台"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_the_openapi_document() {
    for app in apps().await {
        let mut c = Client::new(&app);
        let h = c.get_json("/healthz").await.json();
        assert_eq!(h["status"], "ok");
        assert_eq!(h["database"], app.db.backend);
        let doc = c.get_json("/api/openapi.json").await.json();
        assert_eq!(doc["openapi"].as_str().map(|v| v.starts_with('3')), Some(true));
        for path in [
            "/api/v1/placements",
            "/api/v1/manuscripts/{id}/submit",
            "/api/v1/import/{kind}",
            "/api/v1/correspondents/{id}",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} documented");
        }
        assert!(doc["components"]["schemas"].get("PlacementInput").is_some());
    }
}
