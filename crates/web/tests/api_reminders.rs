//! Reminders and manual adjustments through the API, on both databases: the same use cases as
//! the pages (`app::notifications`, `app::rewards::add_adjustment`), so what one writes the
//! other shows, with the same permissions; a user only ever reads and marks their own reminders.

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{Client, apps};

const HB: domain::StationId = domain::StationId(1);

async fn user_id(app: &support::App, name: &str) -> domain::UserId {
    app.db.store.user_by_username(name).await.unwrap().unwrap().id
}

async fn remind(app: &support::App, user: domain::UserId, key: &str, title: &str) {
    let stored = app
        .db
        .store
        .notify(store::NewNotification {
            user_id: user,
            station_id: Some(HB),
            kind: domain::ReminderKind::DraftWaiting,
            key: key.into(),
            title: title.into(),
            body: "请尽快修改".into(),
            link: "/manuscripts".into(),
        })
        .await
        .unwrap();
    assert!(stored);
}

fn titles(v: &serde_json::Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn reminders_are_each_users_own() {
    for app in apps().await {
        let backend = app.db.backend;
        let mentor_id = user_id(&app, "mentor").await;
        let editor_id = user_id(&app, "editor").await;
        remind(&app, mentor_id, "draft_waiting:api-1", "导师的提醒").await;
        remind(&app, editor_id, "draft_waiting:api-2", "编辑的提醒").await;

        let mut mentor = Client::new(&app);
        mentor.login("mentor").await;
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let list = mentor.get_json("/api/v1/notifications").await;
        assert_eq!(list.status, StatusCode::OK, "[{backend}] {}", list.text());
        let mine = list.json();
        assert!(titles(&mine).contains(&"导师的提醒".to_string()), "[{backend}] {mine}");
        assert!(!titles(&mine).contains(&"编辑的提醒".to_string()), "[{backend}] another's reminder shown: {mine}");
        let editors = editor.get_json("/api/v1/notifications").await.json();
        let theirs =
            editors.as_array().unwrap().iter().find(|n| n["title"] == "编辑的提醒").unwrap()["id"].as_i64().unwrap();

        // Marking another user's reminder read changes nothing for them.
        let r = mentor.send_json("POST", &format!("/api/v1/notifications/{theirs}/read"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "[{backend}] {}", r.text());
        let editors = editor.get_json("/api/v1/notifications").await.json();
        let still = editors.as_array().unwrap().iter().find(|n| n["id"] == theirs).unwrap();
        assert_eq!(still["read"], false, "[{backend}] the mentor marked the editor's reminder");
        // Their own is marked, and the page shows it read too (no unread count left).
        let r = mentor.send_json("POST", "/api/v1/notifications/read", &json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let mine = mentor.get_json("/api/v1/notifications").await.json();
        assert!(mine.as_array().unwrap().iter().all(|n| n["read"] == true), "[{backend}] {mine}");
        assert_eq!(app.db.store.unread_notifications(mentor_id).await.unwrap(), 0);

        // Settings: a bad address is 422 and saves nothing; a good one is what the page shows.
        let before = mentor.get_json("/api/v1/notifications/settings").await.json();
        assert_eq!(before["prefs"].as_array().unwrap().len(), domain::ReminderKind::ALL.len());
        let r = mentor
            .send_json(
                "PUT",
                "/api/v1/notifications/settings",
                &json!({"email": "不是邮箱", "in_app": [], "by_email": []}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        assert_eq!(r.json()["fields"][0]["field"], "email");
        assert_eq!(mentor.get_json("/api/v1/notifications/settings").await.json(), before, "[{backend}] nothing saved");
        let r = mentor
            .send_json(
                "PUT",
                "/api/v1/notifications/settings",
                &json!({"email": "mentor@example.cn", "in_app": ["target_met"], "by_email": ["draft_waiting"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        let saved = r.json();
        assert_eq!(saved["email"], "mentor@example.cn");
        for p in saved["prefs"].as_array().unwrap() {
            assert_eq!(p["in_app"], p["kind"] == "target_met", "[{backend}] {p}");
            assert_eq!(p["email"], p["kind"] == "draft_waiting", "[{backend}] {p}");
        }
        let page = mentor.get("/notifications/settings").await.text();
        assert!(page.contains("mentor@example.cn"), "[{backend}] the page shows what the API saved");
        // Draft reminders are now off in the site: the list leaves them out.
        let mine = mentor.get_json("/api/v1/notifications").await.json();
        assert!(!titles(&mine).contains(&"导师的提醒".to_string()), "[{backend}] {mine}");
    }
}

#[tokio::test]
async fn adjustments_through_the_api_are_the_pages_adjustments() {
    for app in apps().await {
        let backend = app.db.backend;
        let zhang = app.db.store.correspondent_by_name(HB, "张明远").await.unwrap().unwrap().id;
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let before = editor.get_json("/api/v1/adjustments").await;
        assert_eq!(before.status, StatusCode::OK, "[{backend}] {}", before.text());
        let count = before.json().as_array().unwrap().len();

        // Every bad field at once, and nothing written.
        let r = editor
            .send_json(
                "POST",
                "/api/v1/adjustments",
                &json!({"correspondent_id": zhang.0, "ledger": "", "amount": "八十", "effective_on": "2007-13-01"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        let fields: Vec<String> =
            r.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect();
        for f in ["ledger", "amount", "effective_on"] {
            assert!(fields.contains(&f.to_string()), "[{backend}] {f} in {fields:?}");
        }
        // A fraction of a fen is refused, not rounded.
        let r = editor
            .send_json(
                "POST",
                "/api/v1/adjustments",
                &json!({"correspondent_id": zhang.0, "ledger": "money", "amount": "0.001", "effective_on": "2007-12-31"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        assert_eq!(editor.get_json("/api/v1/adjustments").await.json().as_array().unwrap().len(), count);
        // Extreme amounts never wrap or reach a sum: past the store's bound, one fen past i64
        // in fen, Decimal's most negative, scientific notation, and zero are each 422 on
        // `amount`, and nothing is written.
        for amount in ["1000000000.01", "92233720368547758.08", "-79228162514264337593543950335", "1e30", "0", "-0.00"]
        {
            let r = editor
                .send_json(
                    "POST",
                    "/api/v1/adjustments",
                    &json!({"correspondent_id": zhang.0, "ledger": "money", "amount": amount, "reason": "极端金额", "effective_on": "2007-12-31"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] amount {amount}: {}", r.text());
            assert_eq!(r.json()["fields"][0]["field"], "amount", "[{backend}] amount {amount}: {}", r.text());
        }
        assert_eq!(editor.get_json("/api/v1/adjustments").await.json().as_array().unwrap().len(), count);

        let r = editor
            .send_json(
                "POST",
                "/api/v1/adjustments",
                &json!({"correspondent_id": zhang.0, "ledger": "money", "amount": "-12.50", "reason": "重复计发扣回", "effective_on": "2007-12-31"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "[{backend}] {}", r.text());
        let made = r.json();
        assert_eq!(made["amount_cents"], -1250);
        assert_eq!(made["correspondent_name"], "张明远");
        let list = editor.get_json("/api/v1/adjustments").await.json();
        assert_eq!(list.as_array().unwrap().len(), count + 1);
        assert_eq!(list[0]["reason"], "重复计发扣回", "[{backend}] newest first");
        let page = editor.get("/adjustments").await.text();
        assert!(page.contains("重复计发扣回") && page.contains("-12.50"), "[{backend}] the page lists it");

        // Only those who run the network.
        for role in ["correspondent", "mentor", "liaison", "leader"] {
            let mut c = Client::new(&app);
            c.login(role).await;
            let r = c.get_json("/api/v1/adjustments").await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] {role} lists");
            let r = c
                .send_json(
                    "POST",
                    "/api/v1/adjustments",
                    &json!({"correspondent_id": zhang.0, "ledger": "money", "amount": "1000", "effective_on": "2007-12-31"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] {role} adds");
        }
        assert_eq!(editor.get_json("/api/v1/adjustments").await.json().as_array().unwrap().len(), count + 1);
    }
}
