//! Rewards through the site: the demo's 2007 statements, notices and payments; loading a
//! policy; computing, publishing, objecting, confirming and paying; and everything refused.

mod support;

use axum::http::StatusCode;
use support::{Client, apps};

/// Loads the demo's policy for 2008 through the policies page.
async fn load_2008(editor: &mut Client) {
    editor.get("/policies").await;
    let r = editor.post_form("/policies", &[("source", &support::policy_for(2008)), ("action", "save")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

/// The statement id of a period, from the API-less page list.
async fn statement_id(c: &mut Client, period: &str) -> String {
    let page = c.get("/statements").await.text();
    let marker = format!("\">{period}</a>");
    let before = page.split(&marker).next().unwrap();
    before.rsplit("/statements/").next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_year_is_published_confirmed_and_paid() {
    for app in apps().await {
        let s = &app.db.store;
        let station = s.station_by_code("hb").await.unwrap().unwrap().id;
        let statements = s.statements(station).await.unwrap();
        assert_eq!(statements.len(), 12, "[{}] one statement a month", app.db.backend);
        let mut monthly = Vec::new();
        for st in &statements {
            let parsed: domain::policy::Statement = serde_json::from_str(&st.snapshot).unwrap();
            let money = parsed.totals["money"];
            monthly.push(money);
            let paid: i64 = s.payments(store::Scope::All, st.id).await.unwrap().iter().map(|p| p.amount_fen).sum();
            if st.period == "2007-12" {
                assert_eq!(st.status, domain::StatementStatus::Published);
                assert_eq!(paid, 0);
            } else {
                assert_eq!(st.status, domain::StatementStatus::Paid, "{}", st.period);
                assert_eq!(rust_decimal::Decimal::new(paid, 2), money, "{} paid in full", st.period);
            }
            // The hash is the snapshot's.
            use sha2::Digest;
            assert_eq!(st.content_hash, hex::encode(sha2::Sha256::digest(st.snapshot.as_bytes())));
        }
        let average = monthly.iter().copied().sum::<rust_decimal::Decimal>() / rust_decimal::Decimal::from(12);
        assert!(
            average > rust_decimal::Decimal::from(2000) && average < rust_decimal::Decimal::from(3000),
            "平均每月兑现奖励2000多元: {average}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notice_is_public_printable_and_a_word_document() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let id = statement_id(&mut editor, "2007-06").await;
        let mut anyone = Client::new(&app);
        let page = anyone.get(&format!("/notices/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "no login needed");
        let html = page.text();
        assert!(html.contains("湖北通联站2007年6月宣传报道奖励公示"));
        assert!(html.contains("内容校验码（SHA-256）"));
        assert!(html.contains("张明远") || html.contains("李晓红") || html.contains("id=\"notice-table\""));
        assert!(!html.contains("027-8765432") && !html.contains("@example.cn"), "no phone numbers or e-mails");
        let docx = anyone.get(&format!("/notices/{id}/notice.docx")).await;
        assert_eq!(docx.status, StatusCode::OK);
        assert!(docx.body.starts_with(b"PK"));
        // Drafts are not public.
        load_2008(&mut editor).await;
        editor.get("/statements").await;
        let r = editor.post_form("/statements", &[("period", "2008-01")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let draft = r.location().rsplit('/').next().unwrap().to_string();
        assert_eq!(anyone.get(&format!("/notices/{draft}")).await.status, StatusCode::NOT_FOUND);
        // The public statistics column: a table and two charts, no login.
        let stats = anyone.get("/stats?period=2007-06").await;
        assert_eq!(stats.status, StatusCode::OK);
        let html = stats.text();
        assert!(html.contains("id=\"stats-ranking\"") && html.matches("<svg").count() == 2, "{html}");
        assert!(!html.contains("<script"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_are_checked_with_line_numbers_and_never_overlap() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        editor.get("/policies").await;
        let bad = "name = \"坏办法\"\nvalid_from = 2008-01-01\nbonuss = 1\n";
        let r = editor.post_form("/policies", &[("source", bad), ("action", "check")]).await;
        assert!(r.text().contains("第3行"), "{}", r.text());
        let again = app::demo::DEMO_POLICY;
        let r = editor.post_form("/policies", &[("source", again), ("action", "save")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("重叠"), "overlapping dates refused");
        let university = include_str!("../../../docs/policies/university-points.toml");
        let r = editor.post_form("/policies", &[("source", university), ("action", "check")]).await;
        assert!(r.text().contains("id=\"policy-ok\""), "{}", r.text());
        let r = editor.post_form("/policies", &[("source", university), ("action", "save")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert!(editor.get("/policies").await.text().contains("新闻中心通讯员积分办法"));
        // A period with no policy in force says so.
        editor.get("/statements").await;
        let r = editor.post_form("/statements", &[("period", "2008-03")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("没有生效的奖励办法"), "{}", r.text());
        let r = editor.post_form("/statements", &[("period", "2007-13")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Correspondents cannot load policies.
        let mut author = Client::new(&app);
        author.login("correspondent").await;
        author.get("/statements").await;
        assert_eq!(
            author.post_form("/policies", &[("source", university), ("action", "save")]).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objections_corrections_confirmation_and_payment() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let december = statement_id(&mut editor, "2007-12").await;
        let november = statement_id(&mut editor, "2007-11").await;
        let published = editor.get(&format!("/statements/{december}")).await.text();
        let hash = published.split("id=\"content-hash\">").nth(1).unwrap().split('<').next().unwrap().to_string();

        // 张明远 objects to his December line while the notice is open.
        let mut author = Client::new(&app);
        author.login("correspondent").await;
        let page = author.get(&format!("/statements/{december}")).await.text();
        assert!(page.contains("张明远"));
        assert_eq!(page.matches("class=\"line\"").count(), 1, "a correspondent sees only their own line");
        let r =
            author.post_form(&format!("/statements/{december}/objections"), &[("text", "12月有一篇稿件漏计")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        // Not outside the window, and not on a draft.
        author.get(&format!("/statements/{november}")).await;
        let r = author.post_form(&format!("/statements/{november}/objections"), &[("text", "晚了")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("不在公示期内"));

        // The editor cannot confirm while the objection is open; answers it; the correction
        // goes in as an adjustment, and the old notice keeps its figures and hash.
        editor.get(&format!("/statements/{december}")).await;
        let r = editor.post_form(&format!("/statements/{december}/confirm"), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("异议未答复"));
        let objection = app
            .db
            .store
            .objections(store::Scope::All, december.parse::<i64>().map(domain::StatementId).unwrap())
            .await
            .unwrap()[0]
            .id;
        let r = editor
            .post_form(
                &format!("/objections/{objection}/answer"),
                &[("answer", "已核实，在2008年1月核算中补发"), ("upheld", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        editor.get("/adjustments").await;
        let zhang = app.db.store.correspondent_by_name(domain::StationId(1), "张明远").await.unwrap().unwrap().id;
        let r = editor
            .post_form(
                "/adjustments",
                &[
                    ("correspondent_id", &zhang.to_string()),
                    ("ledger", "money"),
                    ("amount", "80"),
                    ("reason", "12月漏计稿件补发"),
                    ("effective_on", "2007-12-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        // A published month gets no second draft: the correction goes into the next month.
        editor.get("/statements").await;
        let r = editor.post_form("/statements", &[("period", "2007-12")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains(&format!("2007年12月已在2007年12月核算（编号{december}")), "{}", r.text());
        let still = editor.get(&format!("/statements/{december}")).await.text();
        assert!(still.contains(&hash), "the published notice never changes");

        // The window is still open: confirming needs a reason, and the reason is audited.
        let r = editor.post_form(&format!("/statements/{december}/confirm"), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("提前确认须写明理由"), "{}", r.text());
        let r = editor.post_form(&format!("/statements/{december}/confirm"), &[("reason", "年底前发放")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = editor.post_form(&format!("/statements/{december}/publish"), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "publishing twice is refused");

        // January 2008, under a new policy, carries December's late correction; once January
        // is published, February carries nothing more.
        load_2008(&mut editor).await;
        editor.get("/statements").await;
        let january = editor.post_form("/statements", &[("period", "2008-01")]).await.location();
        let page = editor.get(&january).await.text();
        assert!(page.contains("更正：2007年12月公示后变动"), "the difference is carried: {page}");
        let january_id: i64 = january.rsplit('/').next().unwrap().parse().unwrap();
        let jan: domain::policy::Statement = serde_json::from_str(
            &app.db.store.statement(store::Scope::All, domain::StatementId(january_id)).await.unwrap().snapshot,
        )
        .unwrap();
        let carried: rust_decimal::Decimal = jan
            .lines
            .iter()
            .filter(|l| l.correspondent_id == zhang)
            .flat_map(|l| l.trail.iter())
            .filter(|t| t.detail.contains("更正") && t.ledger == "money")
            .map(|t| t.value)
            .sum();
        assert_eq!(carried, rust_decimal::Decimal::from(80), "exactly the late +80");
        assert_eq!(editor.post_form(&format!("{january}/publish"), &[]).await.status, StatusCode::SEE_OTHER);
        editor.get("/statements").await;
        let february = editor.post_form("/statements", &[("period", "2008-02")]).await.location();
        assert!(!editor.get(&february).await.text().contains("更正：2007年12月"), "never carried twice");
        let new_draft = february.clone();

        // Payments: never more than owed.
        let st = app
            .db
            .store
            .statement(store::Scope::All, december.parse::<i64>().map(domain::StatementId).unwrap())
            .await
            .unwrap();
        let parsed: domain::policy::Statement = serde_json::from_str(&st.snapshot).unwrap();
        let zhang_line = parsed.lines.iter().find(|l| l.correspondent_id == zhang).unwrap();
        let owed = zhang_line.ledgers["money"];
        editor.get(&format!("/statements/{december}")).await;
        let too_much = (owed + rust_decimal::Decimal::new(1, 2)).to_string();
        let r = editor
            .post_form(
                &format!("/statements/{december}/payments"),
                &[
                    ("correspondent_id", &zhang.to_string()),
                    ("amount", &too_much),
                    ("paid_on", "2008-01-10"),
                    ("method", "现金"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("超过应发"));
        let r = editor
            .post_form(
                &format!("/statements/{december}/payments"),
                &[
                    ("correspondent_id", &zhang.to_string()),
                    ("amount", &owed.to_string()),
                    ("paid_on", "2008-01-10"),
                    ("method", "现金"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = author.get(&format!("/statements/{december}")).await.text();
        assert!(page.contains("✓"), "the author sees the line paid");
        // Every action is in the audit log.
        let audit = app.db.store.audit_log(Some(domain::StationId(1)), 100).await.unwrap();
        for action in [
            "objection.raise",
            "objection.answer",
            "adjustment.add",
            "statement.compute",
            "statement.confirm",
            "payment.record",
        ] {
            assert!(audit.iter().any(|a| a.action == action), "{action} audited");
        }
        // Correspondents and mentors cannot pay or publish.
        assert_eq!(
            author
                .post_form(
                    &format!("/statements/{december}/payments"),
                    &[
                        ("correspondent_id", &zhang.to_string()),
                        ("amount", "1"),
                        ("paid_on", "2008-01-10"),
                        ("method", "现金")
                    ]
                )
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let draft_id = new_draft.rsplit('/').next().unwrap();
        assert_eq!(author.get(&new_draft).await.status, StatusCode::NOT_FOUND, "drafts are for staff");
        assert_eq!(
            author.post_form(&format!("/statements/{draft_id}/publish"), &[]).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rankings_by_unit_correspondent_and_outlet() {
    for app in apps().await {
        let station = domain::StationId(1);
        let period = domain::policy::Period::parse("2007-06").unwrap();
        for by in
            [domain::ranking::RankBy::Unit, domain::ranking::RankBy::Correspondent, domain::ranking::RankBy::Outlet]
        {
            let r = web::rewards::ranking(&app.db.store, station, &period, by, "points").await.unwrap();
            assert_eq!(r.previous_period, "2007-05");
            assert!(!r.rows.is_empty());
            assert_eq!(r.rows[0].rank, 1);
            assert!(
                r.rows.windows(2).all(|w| w[0].figure >= w[1].figure && w[0].rank <= w[1].rank),
                "ordered by figure"
            );
            let counted: u32 = r.rows.iter().map(|row| row.by_level.values().sum::<u32>()).sum();
            assert_eq!(counted, r.rows.iter().map(|row| row.placements).sum::<u32>());
        }
        let outlets = web::rewards::ranking(&app.db.store, station, &period, domain::ranking::RankBy::Outlet, "money")
            .await
            .unwrap();
        let paper = outlets.rows.iter().find(|r| r.name == "中国知识产权报").unwrap();
        assert_eq!(paper.rank, 1, "the national paper earns the most money");
        let units = web::rewards::ranking(&app.db.store, station, &period, domain::ranking::RankBy::Unit, "points")
            .await
            .unwrap();
        let statement = web::rewards::compute(&app.db.store, station, &period).await.unwrap();
        let total: rust_decimal::Decimal = units.rows.iter().map(|r| r.figure).sum();
        assert_eq!(total, statement.totals["points"], "unit figures add up to the statement");
        let mut c = Client::new(&app);
        c.login("leader").await;
        let page = c.get("/rankings?period=2007-06&by=correspondent&ledger=points").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("id=\"ranking\""));
        assert!(
            web::rewards::ranking(&app.db.store, station, &period, domain::ranking::RankBy::Unit, "nothing")
                .await
                .is_err()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rewards_api() {
    for app in apps().await {
        let mut author = Client::new(&app);
        author.login("correspondent").await;
        let mine = author.get_json("/api/v1/statements/12").await.json();
        let lines = mine["statement"]["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 1, "only their own line");
        assert_eq!(lines[0]["name"], "张明远");
        assert!(mine["statement"]["totals"].as_object().unwrap().is_empty(), "no station totals for a correspondent");
        let r = author
            .send_json("POST", "/api/v1/statements/12/objections", &serde_json::json!({"text": "稿件数不对"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = author.send_json("POST", "/api/v1/statements", &serde_json::json!({"period": "2007-06"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let full = editor.get_json("/api/v1/statements/12").await.json();
        assert!(full["statement"]["lines"].as_array().unwrap().len() > 20);
        // 2007's months are published: a quarter over them would owe them twice.
        let r = editor.send_json("POST", "/api/v1/statements", &serde_json::json!({"period": "2007-Q4"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
        assert!(r.json()["error"].as_str().unwrap().contains("每人每月只有一条应发记录"));
        let r = editor.send_json("POST", "/api/v1/statements", &serde_json::json!({"period": "2007-14"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = editor.send_json("POST", "/api/v1/statements/12/confirm", &serde_json::json!({})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "an objection is open");
        let ranking = editor.get_json("/api/v1/rankings?period=2007-06&by=correspondent&ledger=money").await.json();
        assert_eq!(ranking["rows"][0]["rank"], 1);
        // Policies as plain text; errors come back with their lines.
        use axum::body::Body;
        use axum::http::{Request, header};
        let req = Request::post("/api/v1/policies")
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .header("x-csrf-token", editor.csrf.clone())
            .header(header::COOKIE, format!("tonglian_session={}", editor.cookie("tonglian_session").unwrap()))
            .body(Body::from("name = \"x\"\nvalid_from = 2009-01-01\nunknown_key = 3\n"))
            .unwrap();
        let r = editor.send(req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.json()["fields"].as_array().unwrap().iter().any(|f| f["message"].as_str().unwrap().contains("第3行")),
            "{}",
            r.text()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_loads_only_the_placements_its_policy_looks_back_to() {
    for app in apps().await {
        let s = &app.db.store;
        let station = domain::StationId(1);
        let policies = web::rewards::station_policies(s, station).await.unwrap();
        let june = domain::policy::Period::parse("2007-06").unwrap();
        let quarter_start = domain::policy::Period::parse("2007-Q2").unwrap().from;
        assert_eq!(web::rewards::lookback_start(&policies, &june), quarter_start, "monthly caps and a quarterly quota");
        let data = web::rewards::RewardData::load(s, station, june.year_start(), june.to).await.unwrap();
        let whole_year = s.reward_items(station, june.year_start(), june.to).await.unwrap();
        let month_only = s.reward_items(station, quarter_start, june.to).await.unwrap();
        assert!(month_only.len() < whole_year.len());
        assert_eq!(data.run(&june, &whole_year).unwrap(), data.run(&june, &month_only).unwrap());
        // A policy with a yearly cap needs the year.
        let capped = app::demo::DEMO_POLICY
            .replace("[ledger.money.cap]\nmonth = 500", "[ledger.money.cap]\nmonth = 500\nyear = 3000");
        assert_ne!(capped, app::demo::DEMO_POLICY, "the demo policy's cap section moved; update this test");
        let capped = domain::policy::parse_policy(&capped).unwrap();
        assert_eq!(web::rewards::lookback_start(&[capped], &june), june.year_start());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_who_stopped_still_count_for_their_earlier_work() {
    for app in apps().await {
        let s = &app.db.store;
        let station = domain::StationId(1);
        // 王新人 writes in April, then leaves: a June statement (which looks back to April for the
        // quarterly quota) must still know who wrote April's piece.
        let unit = s.units(station).await.unwrap()[1].id;
        let input = domain::CorrespondentInput {
            name: "王新人".into(),
            unit_id: Some(unit),
            kind: domain::CorrespondentKind::UnitCorrespondent,
            phone: String::new(),
            email: String::new(),
            joined_on: None,
            active: true,
            mentor_user_id: None,
        };
        let person = s.create_correspondent(station, &input, domain::UserId(1)).await.unwrap();
        let outlet = s.outlet_by_name(station, "湖北日报").await.unwrap().unwrap().id;
        let placement = domain::PlacementInput {
            manuscript_id: None,
            title: "四月的一篇".into(),
            unit_id: None,
            outlet_id: outlet,
            column: String::new(),
            published_on: time::macros::date!(2007 - 04 - 10),
            genre: domain::Genre::News,
            position: domain::Position::Normal,
            length: 800,
            instruction: None,
            commissioned: false,
            reprint: false,
            grade: None,
            evidence_url: String::new(),
            note: String::new(),
            authors: vec![domain::Byline { correspondent_id: person.id, share_bp: None }],
            external_authors: String::new(),
        };
        s.create_placement(station, &placement, domain::UserId(2)).await.unwrap();
        s.update_correspondent(
            store::Scope::Station(station),
            person.id,
            &domain::CorrespondentInput { active: false, ..input },
        )
        .await
        .unwrap();
        let june = domain::policy::Period::parse("2007-06").unwrap();
        let statement = web::rewards::compute(s, station, &june).await.expect("June computes");
        // April was published before the piece was recorded: June carries it as a correction.
        let line = statement.lines.iter().find(|l| l.correspondent_id == person.id).expect("a line for the correction");
        assert_eq!(line.placements, 0);
        assert!(line.trail.iter().all(|t| t.detail.contains("更正：2007年4月公示后变动")), "{line:?}");
        let april =
            web::rewards::compute(s, station, &domain::policy::Period::parse("2007-04").unwrap()).await.unwrap();
        let in_april =
            april.lines.iter().find(|l| l.correspondent_id == person.id).expect("April, recomputed, pays them");
        assert_eq!(in_april.ledgers, line.ledgers, "the correction is exactly what April now owes them");
    }
}
