//! Money that cannot go wrong: every refusal of the reward cycle through the API (a month owed
//! twice, overflowing payments and shares, early confirmation), paying a month at once with its
//! bank-transfer sheet, months that add up to their quarter, a correction carried exactly once,
//! and two servers racing on one PostgreSQL database.

mod support;

use axum::http::StatusCode;
use domain::policy::Period;
use domain::{CorrespondentId, StatementId, StatementStatus, StationId};
use rust_decimal::Decimal;
use serde_json::json;
use support::{App, Client, apps, place, policy_for};

const HB: StationId = StationId(1);

fn zhang_of(statement: &domain::policy::Statement, who: CorrespondentId) -> Decimal {
    statement.lines.iter().find(|l| l.correspondent_id == who).map(|l| l.ledgers["money"]).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paying_refuses_overflow_and_pays_a_month_at_once() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let december = app.db.store.statements(HB).await.unwrap().into_iter().find(|s| s.period == "2007-12").unwrap();
        let id = december.id;
        // Its window is open: confirming needs a reason.
        let r = editor.send_json("POST", &format!("/api/v1/statements/{id}/confirm"), &json!({})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("提前确认须写明理由"));
        let pay = json!({"correspondent_id": 3, "amount_fen": 1, "paid_on": "2008-01-10", "method": "银行转账"});
        let r = editor.send_json("POST", &format!("/api/v1/statements/{id}/payments"), &pay).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "not before confirmation: {}", r.text());
        let r = editor
            .send_json("POST", &format!("/api/v1/statements/{id}/confirm"), &json!({"reason": "春节前发放"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());

        let payables = editor.get_json(&format!("/api/v1/statements/{id}/payables")).await.json();
        let first = &payables.as_array().unwrap()[0];
        let (who, owed) = (first["correspondent_id"].as_i64().unwrap(), first["owed_fen"].as_i64().unwrap());
        let pay = |fen: i64| json!({"correspondent_id": who, "amount_fen": fen, "paid_on": "2008-01-10", "method": "银行转账"});
        let path = format!("/api/v1/statements/{id}/payments");
        assert_eq!(editor.send_json("POST", &path, &pay(1)).await.status, StatusCode::CREATED);
        let r = editor.send_json("POST", &path, &pay(i64::MAX)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "i64::MAX never reaches a sum: {}", r.text());
        let r = editor.send_json("POST", &path, &pay(owed)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
        assert!(r.text().contains("超过应发"));
        assert_eq!(editor.send_json("POST", &path, &pay(owed - 1)).await.status, StatusCode::CREATED);

        // The bank-transfer sheet: numbers as numbers, what is still to pay per person.
        let sheet = editor.get_json(&format!("/api/v1/statements/{id}/transfer.xlsx")).await;
        assert_eq!(sheet.status, StatusCode::OK);
        assert!(sheet.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
        let table = office::read_table("transfer.xlsx", &sheet.body).unwrap();
        assert_eq!(table.headers[6], "待发（元）");
        let unpaid_total: f64 = match table.rows.last().unwrap().cells[6] {
            domain::table::Cell::Number(n) => n,
            ref other => panic!("the total is a number, not {other:?}"),
        };
        let expected: i64 =
            app.db.store.payables(store::Scope::All, id).await.unwrap().iter().map(|p| p.unpaid_fen()).sum();
        assert_eq!((unpaid_total * 100.0).round() as i64, expected);

        // Pay the month at once: everyone still owed, in one transaction.
        let all = json!({"paid_on": "2008-01-15", "method": "银行转账", "note": "12月奖励"});
        let r = editor.send_json("POST", &format!("/api/v1/statements/{id}/payments/all"), &all).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let paid: i64 = r.json().as_array().unwrap().iter().map(|p| p["amount_fen"].as_i64().unwrap()).sum();
        assert_eq!(paid, expected);
        assert_eq!(app.db.store.statement(store::Scope::All, id).await.unwrap().status, StatementStatus::Paid);
        let r = editor.send_json("POST", &format!("/api/v1/statements/{id}/payments/all"), &all).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "nothing left to pay");
        // Every payment has its audit row, and the records check out.
        assert!(app.db.store.verify_money(Some(HB)).await.unwrap().is_empty());
        // A quarter over paid months would owe them twice.
        let r = editor.send_json("POST", "/api/v1/statements", &json!({"period": "2007-Q4"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
        assert!(r.text().contains("2007年10月已在2007年10月核算"), "{}", r.text());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shares_that_wrap_around_are_refused() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let p = app.db.store.placement(store::Scope::Station(HB), domain::PlacementId(1)).await.unwrap();
        let body = |shares: [i64; 3]| {
            json!({
                "title": "三人合写", "unit_id": p.unit_id, "outlet_id": p.outlet_id, "column": "",
                "published_on": "2007-06-05", "genre": p.genre, "position": p.position, "length": 800,
                "instruction": null, "grade": null,
                "authors": [
                    {"correspondent_id": 1, "share_bp": shares[0]},
                    {"correspondent_id": 2, "share_bp": shares[1]},
                    {"correspondent_id": 3, "share_bp": shares[2]},
                ],
                "external_authors": "",
            })
        };
        // 2147483647 + 2147483647 + 10002 wraps to 10000 in 32 bits.
        let r = editor.send_json("POST", "/api/v1/placements", &body([2147483647, 2147483647, 10002])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = editor.send_json("POST", "/api/v1/placements", &body([20000, -5000, -5000])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let r = editor.send_json("POST", "/api/v1/placements", &body([5000, 3000, 2000])).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
}

/// With a quarter cap and deductions in January, February and March, the three monthly
/// statements add up to the quarter's (they used to drop earlier months' adjustments).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn months_see_the_years_adjustments_and_add_up_to_the_quarter() {
    for app in apps().await {
        let s = &app.db.store;
        let zhang = s.correspondent_by_name(HB, "张明远").await.unwrap().unwrap().id;
        let d = |m: u8, day: u8| time::Date::from_calendar_date(2007, time::Month::try_from(m).unwrap(), day).unwrap();
        for (on, cents, why) in [
            (d(1, 10), 5_000, "1月补发"),
            (d(1, 20), -3_000, "1月扣减"),
            (d(2, 5), -4_000, "2月扣减"),
            (d(3, 3), -2_500, "3月扣减"),
        ] {
            s.add_adjustment(HB, zhang, "money", cents, why, on, domain::UserId(0)).await.unwrap();
        }
        let year = Period::parse("2007").unwrap();
        let mut data = web::rewards::RewardData::load(s, HB, d(3, 1), year.to).await.unwrap();
        assert_eq!(data.adjustments.len(), 4, "a March statement loads the adjustments from January on");
        let capped = app::demo::DEMO_POLICY
            .replace("[ledger.money.cap]\nmonth = 500", "[ledger.money.cap]\nmonth = 500\nquarter = 400");
        assert_ne!(capped, app::demo::DEMO_POLICY);
        data.policies = vec![domain::policy::parse_policy(&capped).unwrap()];
        let items = s.reward_items(HB, year.from, year.to).await.unwrap();
        let quarter = data.run(&Period::parse("2007-Q1").unwrap(), &items).unwrap();
        let months: Vec<_> = ["2007-01", "2007-02", "2007-03"]
            .iter()
            .map(|m| data.run(&Period::parse(m).unwrap(), &items).unwrap())
            .collect();
        for line in &quarter.lines {
            for (ledger, value) in &line.ledgers {
                let sum: Decimal = months
                    .iter()
                    .filter_map(|m| m.lines.iter().find(|l| l.correspondent_id == line.correspondent_id))
                    .map(|l| l.ledgers[ledger])
                    .sum();
                assert_eq!(sum, *value, "{} {ledger}: months add up to the quarter", line.name);
            }
        }
        assert!(
            zhang_of(&quarter, zhang) <= Decimal::from(400) - Decimal::from(95),
            "the deductions bite after the cap"
        );
    }
}

/// A late placement in a published month is carried into the next month once: not taken back
/// the month after, not carried again the month after that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_placement_is_carried_exactly_once() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let s = &app.db.store;
        let zhang = s.correspondent_by_name(HB, "张明远").await.unwrap().unwrap().id;
        web::rewards::load_policy(s, HB, domain::UserId(0), &policy_for(2008)).await.unwrap();
        place(&app, zhang, time::macros::date!(2007 - 12 - 20), "迟报的12月稿件").await;
        for m in 1..=3 {
            place(
                &app,
                zhang,
                time::Date::from_calendar_date(2008, time::Month::try_from(m).unwrap(), 10).unwrap(),
                "新稿",
            )
            .await;
        }
        let mut carried = Vec::new();
        for period in ["2008-01", "2008-02", "2008-03"] {
            let r = editor.send_json("POST", "/api/v1/statements", &json!({"period": period})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            let id = r.json()["id"].as_i64().unwrap();
            let r = editor.send_json("POST", &format!("/api/v1/statements/{id}/publish"), &json!({})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            carried.push(s.corrections_into(store::Scope::All, StatementId(id)).await.unwrap());
            // Each month pays its own placement in full beside what it carries.
            let published: domain::policy::Statement =
                serde_json::from_str(&s.statement(store::Scope::All, StatementId(id)).await.unwrap().snapshot).unwrap();
            let fresh = web::rewards::RewardData::load(
                s,
                HB,
                Period::parse(period).unwrap().from,
                Period::parse(period).unwrap().to,
            )
            .await
            .unwrap();
            let items = s
                .reward_items(HB, Period::parse(period).unwrap().year_start(), Period::parse(period).unwrap().to)
                .await
                .unwrap();
            let own = zhang_of(&fresh.run(&Period::parse(period).unwrap(), &items).unwrap(), zhang);
            let extra: Decimal = carried
                .last()
                .unwrap()
                .iter()
                .filter(|c| c.ledger == "money")
                .map(|c| Decimal::new(c.amount_cents, 2))
                .sum();
            assert_eq!(zhang_of(&published, zhang), own + extra, "{period}");
        }
        let money = |list: &Vec<store::CarriedCorrection>| list.iter().filter(|c| c.ledger == "money").count();
        assert_eq!(money(&carried[0]), 1, "January carries December's late piece");
        assert!(carried[0][0].amount_cents > 0 && carried[0][0].from_period == "2007-12");
        assert_eq!((money(&carried[1]), money(&carried[2])), (0, 0), "and nothing is carried back or again");
        assert!(web::rewards::outstanding_corrections(s, HB).await.unwrap().is_empty());
    }
}

/// Two app servers on one PostgreSQL database race, round after round: B publishes the draft
/// while A recomputes it, then both confirm and pay the month at once. A published notice's
/// hash never changes, nobody is paid more than owed, and every change has its audit row.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_race_on_one_postgres() {
    let Some(app) = apps().await.into_iter().find(|a| a.db.backend == "postgres") else {
        assert!(testkit::pg_server().is_none(), "PostgreSQL is configured, so this race runs");
        return;
    };
    let s = &app.db.store;
    let zhang = s.correspondent_by_name(HB, "张明远").await.unwrap().unwrap().id;
    let li = s.correspondent_by_name(HB, "李晓红").await.unwrap().unwrap().id;
    let second = store::Store::connect_with(&app.db.url, 4).await.unwrap();
    let b_site = web::site(web::AppState::new(second, web::WebConfig::default()));
    let b_app = App { db: testkit::fresh_sqlite().await, router: b_site };
    let (mut a, mut b, mut c) = (Client::new(&app), Client::new(&b_app), Client::new(&b_app));
    a.login("editor").await;
    b.login("editor").await;
    c.login("editor").await;
    let rounds: usize = 50;
    let years: Vec<i32> = (0..rounds.div_ceil(12)).map(|i| 2008 + i as i32).collect();
    for y in &years {
        web::rewards::load_policy(s, HB, domain::UserId(0), &policy_for(*y)).await.unwrap();
    }
    let (mut publish_won, mut recompute_won) = (0, 0);
    for round in 0..rounds {
        let year = years[round / 12];
        let month = (round % 12 + 1) as u8;
        let period = format!("{year}-{month:02}");
        let on = time::Date::from_calendar_date(year, time::Month::try_from(month).unwrap(), 8).unwrap();
        place(&app, zhang, on, &format!("第{round}轮稿件")).await;
        let r = a.send_json("POST", "/api/v1/statements", &json!({"period": period})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let (id, seen) = (r.json()["id"].as_i64().unwrap(), r.json()["content_hash"].as_str().unwrap().to_string());
        // A late piece for 李晓红 makes the recompute differ from what the editor saw.
        place(&app, li, on, &format!("第{round}轮迟到的稿件")).await;
        let (publish_path, publish_body) = (format!("/api/v1/statements/{id}/publish"), json!({"content_hash": seen}));
        let compute_body = json!({"period": period});
        let publish = b.send_json("POST", &publish_path, &publish_body);
        let recompute = a.send_json("POST", "/api/v1/statements", &compute_body);
        let (published, recomputed) = tokio::join!(publish, recompute);
        let mut hash = seen.clone();
        match (published.status, recomputed.status) {
            (StatusCode::OK, StatusCode::CONFLICT) => publish_won += 1,
            (StatusCode::CONFLICT, StatusCode::CREATED) => {
                recompute_won += 1;
                // The editor publishes what they now see.
                hash = recomputed.json()["content_hash"].as_str().unwrap().to_string();
                let r = b
                    .send_json("POST", &format!("/api/v1/statements/{id}/publish"), &json!({"content_hash": hash}))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            }
            other => panic!(
                "round {round}: publish {} / recompute {}: {} | {}",
                other.0,
                other.1,
                published.text(),
                recomputed.text()
            ),
        }
        let notice = s.statement(store::Scope::All, StatementId(id)).await.unwrap();
        assert_eq!(notice.content_hash, hash, "round {round}: the notice is what was published");
        assert_eq!(store::snapshot_hash(&notice.snapshot), hash);
        // Both servers confirm, then both pay the month at once while one also pays 1 fen.
        let (confirm, reason) = (format!("/api/v1/statements/{id}/confirm"), json!({"reason": "测试"}));
        let (ca, cb) = tokio::join!(a.send_json("POST", &confirm, &reason), b.send_json("POST", &confirm, &reason));
        let mut statuses = [ca.status, cb.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "round {round}: one confirmation");
        let all = json!({"paid_on": "2009-01-10", "method": "银行转账"});
        let one = json!({"correspondent_id": zhang.0, "amount_fen": 1, "paid_on": "2009-01-10", "method": "现金"});
        let (pay_all, pay_one) =
            (format!("/api/v1/statements/{id}/payments/all"), format!("/api/v1/statements/{id}/payments"));
        let (pa, pb, p1) = tokio::join!(
            a.send_json("POST", &pay_all, &all),
            b.send_json("POST", &pay_all, &all),
            c.send_json("POST", &pay_one, &one),
        );
        for r in [&pa, &pb, &p1] {
            assert!(matches!(r.status, StatusCode::CREATED | StatusCode::CONFLICT), "round {round}: {}", r.text());
        }
        assert_eq!(
            s.statement(store::Scope::All, StatementId(id)).await.unwrap().content_hash,
            hash,
            "round {round}: still the same"
        );
        for p in s.payables(store::Scope::All, StatementId(id)).await.unwrap() {
            let paid: i64 = s
                .payments(store::Scope::All, StatementId(id))
                .await
                .unwrap()
                .iter()
                .filter(|x| x.correspondent_id == p.correspondent_id)
                .map(|x| x.amount_fen)
                .sum();
            assert_eq!(paid, p.paid_fen, "round {round}");
            assert!(p.paid_fen <= p.owed_fen, "round {round}: never more than owed");
        }
    }
    let problems = s.verify_money(Some(HB)).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    // The last round's late piece may still be waiting; one more month carries it, and then
    // nothing is left to carry (a correction carried twice would show as its opposite).
    let next = format!("{}-{:02}", years[rounds / 12], rounds % 12 + 1);
    let r = a.send_json("POST", "/api/v1/statements", &json!({"period": next})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let r = a.send_json("POST", &format!("/api/v1/statements/{id}/publish"), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let left = web::rewards::outstanding_corrections(s, HB).await.unwrap();
    assert!(left.is_empty(), "nothing carried twice or left behind: {left:?}");
    assert_eq!(publish_won + recompute_won, rounds);
    println!("two servers, {rounds} rounds: publish first {publish_won}, recompute first {recompute_won}");
}
