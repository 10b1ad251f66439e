//! A small browser for in-process tests: it keeps cookies, finds the CSRF token on pages, and
//! sends requests to the router with `tower::ServiceExt::oneshot`.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use testkit::TestDb;
use tower::ServiceExt;

pub struct App {
    pub db: TestDb,
    pub router: web::Site,
}

/// A fresh database on each backend, with the demo loaded, and the site on top.
pub async fn apps() -> Vec<App> {
    let mut out = Vec::new();
    for db in testkit::fresh_stores().await {
        app::demo::load(&db.store).await.expect("demo loads");
        let state = web::AppState::new(db.store.clone(), web::WebConfig::default());
        let router = web::site(state);
        out.push(App { db, router });
    }
    out
}

/// A fresh database with one empty station (hb) and an editor account, on one backend.
pub async fn bare_app(backend: &str) -> App {
    let db = match backend {
        "postgres" => testkit::fresh_postgres(&testkit::pg_server().expect("PostgreSQL configured")).await,
        _ => testkit::fresh_sqlite().await,
    };
    let station = db.store.create_station("hb", "湖北通联站").await.unwrap().id;
    let hash = web::auth::hash_password(app::demo::DEMO_PASSWORD).unwrap();
    db.store
        .create_user(
            store::NewUser {
                station_id: Some(station),
                username: "editor".into(),
                password_hash: hash,
                display_name: "编辑".into(),
                role: domain::Role::Editor,
                correspondent_id: None,
                unit_id: None,
            },
            None,
        )
        .await
        .unwrap();
    let router = web::site(web::AppState::new(db.store.clone(), web::WebConfig::default()));
    App { db, router }
}

/// The demo's policy, in force in `year` instead of 2007 (the demo's 2007 months are all
/// published, so tests that compute or publish use a later year).
pub fn policy_for(year: i32) -> String {
    app::demo::DEMO_POLICY
        .replace("valid_from = 2007-01-01", &format!("valid_from = {year}-01-01"))
        .replace("valid_to = 2007-12-31", &format!("valid_to = {year}-12-31"))
        .replace("（2007年）", &format!("（{year}年）"))
}

/// A copy of the demo's placement 1 in station hb, dated `on`, titled `title`, by `who` alone.
pub async fn place(app: &App, who: domain::CorrespondentId, on: time::Date, title: &str) {
    let s = &app.db.store;
    let hb = domain::StationId(1);
    let p = s.placement(store::Scope::Station(hb), domain::PlacementId(1)).await.unwrap();
    let input = domain::PlacementInput {
        manuscript_id: None,
        title: title.into(),
        unit_id: p.unit_id,
        outlet_id: p.outlet_id,
        column: p.column,
        published_on: on,
        genre: p.genre,
        position: p.position,
        length: p.length,
        instruction: None,
        commissioned: false,
        reprint: false,
        grade: None,
        evidence_url: String::new(),
        note: String::new(),
        authors: vec![domain::Byline { correspondent_id: who, share_bp: None }],
        external_authors: String::new(),
    };
    s.create_placement(hb, &input, domain::UserId(0)).await.unwrap();
}

/// The backends this run covers.
pub fn backends() -> Vec<&'static str> {
    if testkit::pg_server().is_some() { vec!["sqlite", "postgres"] } else { vec!["sqlite"] }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }
}

/// One visitor with a cookie jar.
pub struct Client {
    router: web::Site,
    cookies: BTreeMap<String, String>,
    pub csrf: String,
}

impl Client {
    pub fn new(app: &App) -> Client {
        Client { router: app.router.clone(), cookies: BTreeMap::new(), csrf: String::new() }
    }

    /// A visitor whose requests come from `ip` (as the server sees the connection).
    pub fn at(app: &App, ip: &str) -> Client {
        let peer = std::net::SocketAddr::new(ip.parse().expect("an IP address"), 40000);
        Client { router: app.router.for_peer(peer), cookies: BTreeMap::new(), csrf: String::new() }
    }

    /// Posts a form with the page's CSRF token and extra headers (`Origin`, `Referer`, `Host`).
    pub async fn post_form_with(&mut self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        all.push(("csrf", &csrf));
        self.post_raw_with(path, &all, headers).await
    }

    /// A request with `Authorization: Bearer token` and no cookie.
    pub async fn with_token(&mut self, method: &str, path: &str, token: &str) -> Response {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn send(&mut self, req: Request<Body>) -> Response {
        let resp = self.router.clone().oneshot(req).await.expect("router answers");
        for v in resp.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            if let Some((k, val)) = pair.split_once('=') {
                if val.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), val.to_string());
                }
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
        let r = Response { status, headers, body };
        if let Some(token) = find_csrf(&r.text()).filter(|t| !t.is_empty()) {
            self.csrf = token;
        }
        r
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let req = Request::get(path)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    pub async fn get_json(&mut self, path: &str) -> Response {
        let req = Request::get(path)
            .header(header::ACCEPT, "application/json")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    /// Posts a form with the page's CSRF token added.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        all.push(("csrf", &csrf));
        self.post_form_raw(path, &all).await
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.post_raw_with(path, fields, &[]).await
    }

    async fn post_raw_with(&mut self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Response {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter()).finish();
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// Sends JSON with the session's CSRF token in the header.
    pub async fn send_json(&mut self, method: &str, path: &str, value: &serde_json::Value) -> Response {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header("x-csrf-token", self.csrf.clone())
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(value.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// Uploads one file as multipart form data, with the CSRF token in the query string as the
    /// pages do.
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file_name: &str, data: &[u8]) -> Response {
        let boundary = "----tonglian-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let sep = if path.contains('?') { '&' } else { '?' };
        let req = Request::post(format!("{path}{sep}csrf={}", self.csrf))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    /// Logs in through the login page; panics unless it succeeds.
    pub async fn login(&mut self, username: &str) {
        self.get("/login").await;
        let r = self
            .post_form("/login", &[("username", username), ("password", app::demo::DEMO_PASSWORD), ("next", "/")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login as {username}: {}", r.text());
        self.get("/").await;
    }
}

fn find_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")?;
    let rest = &html[i + "name=\"csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The id in a redirect like /manuscripts/7.
pub fn id_from(location: &str) -> i64 {
    location.rsplit('/').next().unwrap().parse().unwrap_or_else(|_| panic!("no id in {location}"))
}
