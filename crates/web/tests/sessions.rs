//! Sessions and logins under abuse (issue 12): `next` stays on this site, a password change
//! or reset ends the other sessions and the API tokens, the login throttle counts accounts and
//! addresses apart, `/metrics` asks for a token, and forms from other sites are refused.

mod support;

use axum::http::StatusCode;
use support::{App, Client, apps};

/// Logs in as `username` through the form, sending `next`; returns the answer.
async fn login_with_next(app: &App, next: &str) -> support::Response {
    let mut c = Client::new(app);
    c.get("/login").await;
    c.post_form("/login", &[("username", "editor"), ("password", app::demo::DEMO_PASSWORD), ("next", next)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_only_leads_to_paths_of_this_site() {
    for app in apps().await {
        for hostile in [
            "/\t/evil.example",
            "/\n",
            "/\r\nSet-Cookie: x=1",
            "//evil",
            "/\\evil",
            "\\\\evil",
            "https://evil",
            "http:/evil",
            "evil",
            "/ /evil",
            "/a\\b",
            "/\u{0}",
            "/\u{7f}",
            "/\u{3000}evil",
            "",
        ] {
            let r = login_with_next(&app, hostile).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{hostile:?}: {}", r.text());
            assert_eq!(r.location(), "/", "{hostile:?}");
        }
        let r = login_with_next(&app, "/placements?q=张明远&page=2").await;
        assert_eq!(r.location(), "/placements?q=%E5%BC%A0%E6%98%8E%E8%BF%9C&page=2");
        // The login page does not carry a hostile value into its form either.
        let mut c = Client::new(&app);
        let page = c.get("/login?next=%2F%09%2Fevil.example").await.text();
        assert!(page.contains(r#"name="next" value="/""#), "{page}");
    }
}

/// Creates an API token for a signed-in client.
async fn token_of(c: &mut Client) -> String {
    let r = c.send_json("POST", "/api/v1/tokens", &serde_json::json!({"name": "脚本"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_ends_the_other_sessions_and_the_tokens() {
    for app in apps().await {
        let mut here = Client::new(&app);
        here.login("correspondent").await;
        let mut elsewhere = Client::new(&app);
        elsewhere.login("correspondent").await;
        let token = token_of(&mut elsewhere).await;
        let mut script = Client::new(&app);
        assert_eq!(script.with_token("GET", "/api/v1/me", &token).await.status, StatusCode::OK);

        here.get("/account/password").await;
        let r = here
            .post_form(
                "/account/password",
                &[("current", "demo2007"), ("new", "newpass2026"), ("confirm", "newpass2026")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let home = here.get("/").await;
        assert_eq!(home.status, StatusCode::OK, "the session that changed it goes on");
        assert!(home.text().contains("其他设备上的登录和全部 API 令牌已失效"), "{}", home.text());

        let r = elsewhere.get("/").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "the other session has ended");
        assert!(r.location().starts_with("/login"));
        assert_eq!(script.with_token("GET", "/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);

        let audit = app.db.store.audit_log(None, 20).await.unwrap();
        let row = audit.iter().find(|a| a.action == "user.password").expect("audited");
        assert!(row.detail.contains("结束1个登录") && row.detail.contains("撤销1个API令牌"), "{}", row.detail);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrators_reset_ends_every_session_and_token_of_the_account() {
    for app in apps().await {
        let mut user = Client::new(&app);
        user.login("correspondent").await;
        let token = token_of(&mut user).await;
        let id = app.db.store.user_by_username("correspondent").await.unwrap().unwrap().id;

        let mut admin = Client::new(&app);
        admin.login("admin").await;
        assert!(admin.get("/users").await.text().contains(&format!("/users/{id}/password")));
        admin.get(&format!("/users/{id}/password")).await;
        let r = admin.post_form(&format!("/users/{id}/password"), &[("new", "short"), ("confirm", "short")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = admin
            .post_form(&format!("/users/{id}/password"), &[("new", "reset2026x"), ("confirm", "reset2026x")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(admin.get("/users").await.text().contains("该账号的全部登录和 API 令牌已失效"));
        assert_eq!(admin.get("/").await.status, StatusCode::OK, "the administrator stays signed in");

        assert_eq!(user.get("/").await.status, StatusCode::SEE_OTHER, "signed out");
        let mut script = Client::new(&app);
        assert_eq!(script.with_token("GET", "/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
        let mut again = Client::new(&app);
        again.get("/login").await;
        let r = again.post_form("/login", &[("username", "correspondent"), ("password", "reset2026x")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(app.db.store.audit_log(None, 20).await.unwrap().iter().any(|a| a.action == "user.password_reset"));

        // Only administrators reset passwords.
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        assert_eq!(editor.get(&format!("/users/{id}/password")).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_from_one_address_do_not_lock_out_a_colleague() {
    for app in apps().await {
        let mut attacker = Client::at(&app, "127.0.0.1");
        attacker.get("/login").await;
        for _ in 0..5 {
            let r = attacker.post_form("/login", &[("username", "editor"), ("password", "wrong-password1")]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        for i in 0..32 {
            let name = format!("ghost{i}");
            let r = attacker.post_form("/login", &[("username", &name), ("password", "wrong-password1")]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a name that never failed is tried");
        }
        // Now a second try at a name that failed has to wait.
        let r = attacker.post_form("/login", &[("username", "ghost1"), ("password", "wrong-password1")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        // The same address, an account that has not failed: in.
        let mut colleague = Client::at(&app, "127.0.0.1");
        colleague.login("leader").await;
        assert_eq!(colleague.get("/").await.status, StatusCode::OK);
        // The address waits for the accounts that did fail.
        let r = attacker.post_form("/login", &[("username", "ghost0"), ("password", "wrong-password1")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let r = attacker.post_form("/login", &[("username", "editor"), ("password", "demo2007")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the failing account is locked");
        // Another address: the failing account is still locked, the others are not.
        let mut office = Client::at(&app, "192.0.2.7");
        office.get("/login").await;
        let r = office.post_form("/login", &[("username", "editor"), ("password", "demo2007")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        office.login("mentor").await;
    }
}

fn retry_after(r: &support::Response) -> i64 {
    r.headers.get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_logins_answer_429_with_retry_after_and_the_address_backs_off() {
    for app in apps().await {
        // The account: five failures, then it waits out the window.
        let mut c = Client::at(&app, "198.51.100.1");
        c.get("/login").await;
        for _ in 0..5 {
            let r = c.post_form("/login", &[("username", "editor"), ("password", "wrong-password1")]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let r = c.post_form("/login", &[("username", "editor"), ("password", "demo2007")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let wait = retry_after(&r);
        assert!((850..=900).contains(&wait), "{wait}");
        assert!(r.text().contains("登录失败次数过多，请15分钟后再试"), "{}", r.text());

        // The address: after ten failures, 1 s after the latest, doubling with each further one.
        let s = &app.db.store;
        let ip = "203.0.113.5";
        s.record_login_failure("user:ghost").await.unwrap();
        for _ in 0..15 {
            s.record_login_failure(&format!("ip:{ip}")).await.unwrap();
        }
        let mut a = Client::at(&app, ip);
        a.get("/login").await;
        let r = a.post_form("/login", &[("username", "ghost"), ("password", "x")]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let first = retry_after(&r);
        assert!((31..=32).contains(&first), "{first}");
        assert!(r.text().contains("秒后再试"), "{}", r.text());
        s.record_login_failure(&format!("ip:{ip}")).await.unwrap();
        let r = a.post_form("/login", &[("username", "ghost"), ("password", "x")]).await;
        let second = retry_after(&r);
        assert!((63..=64).contains(&second), "doubled: {second}");
        for _ in 0..10 {
            s.record_login_failure(&format!("ip:{ip}")).await.unwrap();
        }
        let r = a.post_form("/login", &[("username", "ghost"), ("password", "x")]).await;
        assert!((899..=900).contains(&retry_after(&r)), "capped at 15 minutes");
        // An account without failures is let through from that address.
        a.login("leader").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_ask_for_the_token() {
    for db in testkit::fresh_stores().await {
        let open =
            web::site(web::AppState::with_metrics(db.store.clone(), web::WebConfig::default(), web::metrics_handle()));
        let app = App { db, router: open };
        let mut c = Client::new(&app);
        c.get("/healthz").await;
        assert_eq!(c.get("/metrics").await.status, StatusCode::NOT_FOUND, "no token configured: no page");
        assert_eq!(c.with_token("GET", "/metrics", "anything").await.status, StatusCode::NOT_FOUND);

        let config = web::WebConfig { metrics_token: Some("s3cret-metrics".into()), ..Default::default() };
        let guarded = web::site(web::AppState::with_metrics(app.db.store.clone(), config, web::metrics_handle()));
        let app = App { db: app.db, router: guarded };
        let mut c = Client::new(&app);
        c.get("/healthz").await;
        assert_eq!(c.get("/metrics").await.status, StatusCode::NOT_FOUND);
        assert_eq!(c.with_token("GET", "/metrics", "s3cret-metric").await.status, StatusCode::NOT_FOUND);
        let r = c.with_token("GET", "/metrics", "s3cret-metrics").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("tonglian_http_requests_total"), "{}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_from_another_site_are_refused() {
    for app in apps().await {
        let mut c = Client::new(&app);
        c.get("/login").await;
        let login = [("username", "editor"), ("password", "demo2007")];
        let r = c.post_form_with("/login", &login, &[("origin", "https://evil.example")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.text().contains("请求来自其他网站"), "{}", r.text());
        // The site's own public address (the default http://127.0.0.1:8080) passes.
        let r = c.post_form_with("/login", &login, &[("origin", "http://127.0.0.1:8080")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        c.get("/units").await;

        let unit = |name: &'static str| [("name", name), ("kind", "other")];
        for (headers, refused) in [
            (vec![("origin", "https://evil.example")], true),
            (vec![("origin", "null")], true),
            (vec![("origin", "http://127.0.0.1:8081")], true),
            (vec![("referer", "https://evil.example/units")], true),
            (vec![("origin", "https://evil.example"), ("referer", "http://127.0.0.1:8080/units")], true),
            (vec![("referer", "http://127.0.0.1:8080/units")], false),
            (vec![("host", "tonglian.example.cn"), ("origin", "https://tonglian.example.cn")], false),
            (vec![("host", "tonglian.example.cn:8443"), ("referer", "https://tonglian.example.cn:8443/units")], false),
            (vec![("host", "tonglian.example.cn"), ("origin", "https://evil.example")], true),
            (vec![], false),
        ] {
            let r = c.post_form_with("/units", &unit("来源测试单位"), &headers).await;
            if refused {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
            } else {
                assert_ne!(r.status, StatusCode::FORBIDDEN, "{headers:?}: {}", r.text());
            }
        }
        // A script with an API token sends no cookie: no Origin check.
        let token = {
            let r = c.send_json("POST", "/api/v1/tokens", &serde_json::json!({"name": "脚本"})).await;
            r.json()["token"].as_str().unwrap().to_string()
        };
        use axum::body::Body;
        use axum::http::{Request, header};
        let req = Request::post("/api/v1/units")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"name":"令牌单位","kind":"office"}"#))
            .unwrap();
        assert_eq!(Client::new(&app).send(req).await.status, StatusCode::CREATED);
    }
}
