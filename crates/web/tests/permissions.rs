//! The permission matrix: every route, as every role (and as nobody), with the status each
//! must get. Ids refer to the demo: manuscript 1 is 张明远's draft, 2 李晓红's draft, 3 张明远's
//! submitted piece (his mentor is `mentor`, his unit 武汉市 is the liaison's), 4 李晓红's accepted
//! piece, 5 张明远's returned piece; correspondent 1 is 张明远.

mod support;

use support::{Client, apps};

const ROLES: [&str; 9] =
    ["anonymous", "admin", "editor", "mentor", "liaison", "leader", "correspondent", "correspondent2", "hq"];

/// Page routes: anonymous visitors are sent to the login page (303).
#[rustfmt::skip]
const PAGES: &[(&str, [u16; 9])] = &[
    //                                   anon admin edit ment liai lead corr corr2  hq
    ("/",                               [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/manuscripts",                    [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/manuscripts?status=submitted&q=会议", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/manuscripts/new",                [303, 400, 400, 400, 400, 400, 200, 200, 400]),
    ("/manuscripts/1",                  [303, 404, 404, 404, 404, 404, 200, 404, 404]),
    ("/manuscripts/1/edit",             [303, 404, 404, 404, 404, 404, 200, 404, 404]),
    ("/manuscripts/2",                  [303, 404, 404, 404, 404, 404, 404, 200, 404]),
    ("/manuscripts/3",                  [303, 200, 200, 200, 200, 200, 200, 404, 200]),
    ("/manuscripts/3/edit",             [303, 403, 403, 403, 403, 403, 403, 404, 403]),
    ("/manuscripts/3/revise",           [303, 200, 200, 200, 403, 403, 403, 404, 200]),
    ("/manuscripts/4/revise",           [303, 403, 403, 403, 403, 403, 404, 403, 403]),
    ("/manuscripts/5",                  [303, 200, 200, 200, 200, 200, 200, 404, 200]),
    ("/manuscripts/999999",             [303, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("/placements",                     [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/placements?unit=1&level=national&from=2007-01-01&to=2007-12-31", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/placements/new",                 [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/placements/new?manuscript=4",    [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/placements/1/edit",              [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/placements/999999",              [303, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("/correspondents",                 [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/correspondents/new",             [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/correspondents/1",               [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/units",                          [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/units/1",                        [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/outlets",                        [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/outlets/new",                    [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/outlets/1",                      [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/users",                          [303, 200, 403, 403, 403, 403, 403, 403, 403]),
    ("/users/new",                      [303, 200, 403, 403, 403, 403, 403, 403, 403]),
    ("/import",                         [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/export/placements.xlsx",         [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/export/correspondents.csv",      [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/export/nothing.csv",             [303, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("/account/password",               [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/notifications",                  [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/notifications/settings",         [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/policies",                       [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/policies/1",                     [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/statements",                     [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/statements/12",                  [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    // {draft}: a recomputed, unpublished statement.
    ("/statements/{draft}",             [303, 200, 200, 404, 404, 200, 404, 404, 200]),
    ("/adjustments",                    [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/rankings?period=2007-06&by=unit", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    // Targets, weak links, the subscription drive and media work: the network's readers.
    ("/targets?year=2007",              [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/progress?year=2007",             [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/progress?year=2007&as_of=2007-06-30", [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/progress/bulletin?year=2007&month=6", [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/progress/bulletin.docx?year=2007&month=6", [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/subscriptions",                  [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/subscriptions/1",                [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/subscriptions/999999",           [303, 404, 404, 404, 404, 404, 403, 403, 404]),
    ("/events?year=2007",               [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/events/1",                       [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/events/999999",                  [303, 404, 404, 404, 404, 404, 403, 403, 404]),
    ("/media-contacts",                 [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/media-contacts/1",               [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/reports/annual/2007",            [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    // Headquarters only (the demo's `hq` account, tested in targets.rs): no station's role.
    ("/hq",                             [303, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("/hq/awards",                      [303, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("/reports/annual/2007/report.docx", [303, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/stats?period=2007-06",           [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/notices/12",                     [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/notices/12/notice.docx",         [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/notices/{draft}",                [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("/portal",                         [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal?status=published&q=武汉",  [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal/posts/new",               [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal/posts/1",                 [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal/posts/1/preview",         [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal/posts/999999",            [303, 404, 404, 403, 403, 403, 403, 403, 404]),
    ("/portal/images",                  [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal/settings",                [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal/log",                     [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal/docs",                    [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal/comments",                [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/portal/complaints",              [303, 200, 200, 403, 403, 403, 403, 403, 200]),
    ("/site/hb/docs",                   [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/site/hb/docs/1",                 [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/site/hb/docs/1/complaint",       [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/site/hb/docs/999999",            [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    // The public portal: the same for everyone, signed in or not.
    ("/site/hb/",                       [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/site/hb/c/news",                 [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/site/hb/posts/1",                [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/site/hb/search?q=专利",           [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/site/hb/stats?period=2007-06",   [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/site/hb/notices/12",             [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/site/hb/notices/{draft}",        [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("/site/hb/feed.xml",               [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/sitemap.xml",                    [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/login",                          [200, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("/healthz",                        [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/static/site.css",                [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/api/openapi.json",               [200, 200, 200, 200, 200, 200, 200, 200, 200]),
];

/// API routes: JSON, 401 without a session or token.
#[rustfmt::skip]
const API: &[(&str, [u16; 9])] = &[
    ("/api/v1/me",                      [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/api/v1/dashboard",               [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/api/v1/units",                   [401, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/api/v1/outlets",                 [401, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/api/v1/outlets/1",               [401, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/api/v1/correspondents",          [401, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/api/v1/correspondents/1",        [401, 200, 200, 200, 200, 200, 200, 404, 200]),
    ("/api/v1/manuscripts",             [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/api/v1/manuscripts/1",           [401, 404, 404, 404, 404, 404, 200, 404, 404]),
    ("/api/v1/manuscripts/2",           [401, 404, 404, 404, 404, 404, 404, 200, 404]),
    ("/api/v1/manuscripts/3",           [401, 200, 200, 200, 200, 200, 200, 404, 200]),
    ("/api/v1/manuscripts/3/history",   [401, 200, 200, 200, 200, 200, 200, 404, 200]),
    ("/api/v1/placements",              [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    // {wuhan}: a placement of 武汉市 (the liaison's unit) by neither demo correspondent;
    // {other}: one of another unit, likewise.
    ("/api/v1/placements/{wuhan}",      [401, 200, 200, 200, 200, 200, 404, 404, 200]),
    ("/api/v1/placements/{other}",      [401, 200, 200, 200, 404, 200, 404, 404, 200]),
    ("/api/v1/export/units?format=csv", [401, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/api/v1/policies",                [401, 200, 200, 200, 200, 200, 403, 403, 200]),
    ("/api/v1/statements",              [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/api/v1/statements/12",           [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("/api/v1/statements/{draft}",      [401, 200, 200, 404, 404, 200, 404, 404, 200]),
    ("/api/v1/rankings?period=2007-06", [401, 200, 200, 200, 200, 200, 200, 200, 200]),
];

/// Placement ids for the `{wuhan}` and `{other}` rows.
async fn sample_placements(app: &support::App) -> (String, String) {
    let mut editor = Client::new(app);
    editor.login("editor").await;
    let list = editor.get_json("/api/v1/placements?per_page=200").await.json();
    let pick = |wuhan: bool| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                let byline = p["byline"].as_str().unwrap();
                (p["unit_name"].as_str() == Some("武汉市")) == wuhan
                    && !byline.contains("张明远")
                    && !byline.contains("李晓红")
            })
            .map(|p| p["id"].to_string())
            .expect("the demo has such a placement")
    };
    (pick(true), pick(false))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_as_every_role() {
    for app in apps().await {
        let (wuhan, other) = sample_placements(&app).await;
        let draft = {
            // 2007's months are published: the draft is a month of 2008, under the same policy.
            let station = domain::StationId(1);
            let policy_2008 = support::policy_for(2008);
            web::rewards::load_policy(&app.db.store, station, domain::UserId(2), &policy_2008).await.unwrap();
            let period = domain::policy::Period::parse("2008-01").unwrap();
            let statement = web::rewards::compute(&app.db.store, station, &period).await.unwrap();
            let (text, hash) = web::rewards::snapshot(&statement).unwrap();
            let basis = app.db.store.statement_basis(station).await.unwrap();
            app.db
                .store
                .save_draft(station, "2008-01", &text, &hash, domain::UserId(2), &[], &basis)
                .await
                .unwrap()
                .id
                .to_string()
        };
        let mut failures = Vec::new();
        for (i, role) in ROLES.iter().enumerate() {
            let mut c = Client::new(&app);
            if *role != "anonymous" {
                c.login(role).await;
            }
            for (path, expected) in PAGES {
                let path = path.replace("{draft}", &draft);
                let got = c.get(&path).await.status.as_u16();
                if got != expected[i] {
                    failures.push(format!("{role:>14} GET {path}: {got}, expected {}", expected[i]));
                }
            }
            for (path, expected) in API {
                let path = path.replace("{wuhan}", &wuhan).replace("{other}", &other).replace("{draft}", &draft);
                let got = c.get_json(&path).await.status.as_u16();
                if got != expected[i] {
                    failures.push(format!("{role:>14} GET {path}: {got}, expected {}", expected[i]));
                }
            }
        }
        assert!(failures.is_empty(), "[{}] permission matrix:\n{}", app.db.backend, failures.join("\n"));
    }
}

/// State-changing routes: who may do them (each tried on a fresh target so order does not matter).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_as_every_role() {
    for app in apps().await {
        let mut failures = Vec::new();
        // `hq` (8) is an editor without a station of its own, working in the first station.
        for (i, role) in ROLES.iter().enumerate().skip(1) {
            let mut c = Client::new(&app);
            c.login(role).await;
            let unit = format!("测试单位{i}");
            let cases: Vec<(&str, String, serde_json::Value, u16)> = vec![
                (
                    "POST",
                    "/api/v1/units".into(),
                    serde_json::json!({"name": unit, "kind": "other"}),
                    if i <= 2 || i == 8 { 201 } else { 403 },
                ),
                (
                    "POST",
                    "/api/v1/outlets".into(),
                    serde_json::json!({"name": format!("测试媒体{i}"), "kind": "website", "level": "county", "columns": []}),
                    if i <= 2 || i == 8 { 201 } else { 403 },
                ),
                ("PUT", "/api/v1/placements/2".into(), placement_json(), if i <= 2 || i == 8 { 200 } else { 403 }),
                (
                    "POST",
                    "/api/v1/manuscripts/4/accept".into(),
                    serde_json::json!({}),
                    if i <= 2 || i == 8 {
                        409
                    } else if i == 6 {
                        404
                    } else {
                        403
                    },
                ),
                (
                    "POST",
                    "/api/v1/manuscripts/1/submit".into(),
                    serde_json::json!({}),
                    // The correspondent (6) submits it; after that it is no draft, and `hq`
                    // (8), who sees submitted pieces, is refused as not its author.
                    match i {
                        6 => 200,
                        8 => 403,
                        _ => 404,
                    },
                ),
            ];
            for (method, path, body, expected) in cases {
                let got = c.send_json(method, &path, &body).await;
                if got.status.as_u16() != expected {
                    failures.push(format!(
                        "{role:>14} {method} {path}: {}, expected {expected}: {}",
                        got.status.as_u16(),
                        got.text()
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "[{}] write matrix:\n{}", app.db.backend, failures.join("\n"));
    }
}

fn placement_json() -> serde_json::Value {
    serde_json::json!({
        "manuscript_id": null, "title": "更正后的标题", "unit_id": null, "outlet_id": 1, "column": "要闻",
        "published_on": "2007-06-05", "genre": "news", "position": "normal", "length": 800, "instruction": null,
        "commissioned": false, "reprint": false, "grade": null, "evidence_url": "", "note": "",
        "authors": [{"correspondent_id": 3, "share_bp": null}], "external_authors": ""
    })
}
