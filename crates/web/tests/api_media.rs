//! Subscription campaigns and their orders, events with photos, and media contacts through the
//! JSON API, on the demo: the roles the pages allow succeed and a correspondent is refused,
//! another station's ids are 404, what the API writes shows on the pages and the reverse, and
//! invalid input is a 422 naming the field and writes nothing.

mod api_helpers;
mod support;

use api_helpers::{fields, logged_in, send_file, text, xlsx};
use axum::http::StatusCode;
use domain::table::Cell;
use serde_json::{Value, json};
use support::apps;

fn copies_of(list: &Value, id: i64) -> i64 {
    list.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["copies"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaigns_and_orders_through_the_api() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = logged_in(&app, "editor").await;
        let mut writer = logged_in(&app, "correspondent").await;
        let mut leader = logged_in(&app, "leader").await;

        let r = editor.get_json("/api/v1/subscriptions").await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        assert_eq!(copies_of(&r.json(), 1), 1404, "[{backend}] the seed's 1404 copies");
        assert_eq!(leader.get_json("/api/v1/subscriptions").await.status, StatusCode::OK);
        assert_eq!(writer.get_json("/api/v1/subscriptions").await.status, StatusCode::FORBIDDEN);
        let d = editor.get_json("/api/v1/subscriptions/1").await.json();
        assert_eq!(d["by_unit"][0]["unit_name"], "武汉市", "[{backend}] the largest first");
        assert_eq!(d["orders"].as_array().unwrap().iter().map(|o| o["copies"].as_i64().unwrap()).sum::<i64>(), 1404);
        assert_eq!(writer.get_json("/api/v1/subscriptions/1").await.status, StatusCode::FORBIDDEN);

        // Another station's campaign is 404, for reading and for writing.
        let store = &app.db.store;
        let theirs = store.campaigns(domain::StationId(2)).await.unwrap()[0].id;
        assert_eq!(editor.get_json(&format!("/api/v1/subscriptions/{theirs}")).await.status, StatusCode::NOT_FOUND);
        let order = json!({"unit_id": 2, "copies": 12, "subscriber_type": "enterprise", "ordered_on": "2007-11-02"});
        let r = editor.send_json("POST", &format!("/api/v1/subscriptions/{theirs}/orders"), &order).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}]");

        // An order: editors only; refused input names the field and writes nothing.
        assert_eq!(
            leader.send_json("POST", "/api/v1/subscriptions/1/orders", &order).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            writer.send_json("POST", "/api/v1/subscriptions/1/orders", &order).await.status,
            StatusCode::FORBIDDEN
        );
        let outside = json!({"unit_id": 2, "copies": 10, "subscriber_type": "agency", "ordered_on": "2008-03-01"});
        let r = editor.send_json("POST", "/api/v1/subscriptions/1/orders", &outside).await;
        assert_eq!(fields(&r), vec!["ordered_on"], "[{backend}]");
        let r = editor.send_json("POST", "/api/v1/subscriptions/1/orders", &json!({"unit_id": 2})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] missing fields");
        let list = editor.get_json("/api/v1/subscriptions").await.json();
        assert_eq!(copies_of(&list, 1), 1404, "[{backend}] nothing written");
        let r = editor.send_json("POST", "/api/v1/subscriptions/1/orders", &order).await;
        assert_eq!(r.status, StatusCode::CREATED, "[{backend}] {}", r.text());
        assert_eq!(r.json()["campaign"]["copies"], 1416);
        // The API's order on the page, the page's order in the API.
        assert!(editor.get("/subscriptions").await.text().contains("1416"), "[{backend}]");
        let form = [("unit_id", "3"), ("copies", "4"), ("subscriber_type", "agency"), ("ordered_on", "2007-11-03")];
        let r = editor.post_form("/subscriptions/1", &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        let d = editor.get_json("/api/v1/subscriptions/1").await.json();
        assert_eq!(d["campaign"]["copies"], 1420, "[{backend}]");
        let new_order = d["orders"].as_array().unwrap().iter().find(|o| o["copies"] == 4 && o["unit_id"] == 3).unwrap()
            ["id"]
            .as_i64()
            .unwrap();

        // Deleting an order: 204, then 404; another campaign's path is 404 too.
        let r = writer.send_json("DELETE", &format!("/api/v1/subscriptions/1/orders/{new_order}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}]");
        let r =
            editor.send_json("DELETE", &format!("/api/v1/subscriptions/{theirs}/orders/{new_order}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}]");
        let r = editor.send_json("DELETE", &format!("/api/v1/subscriptions/1/orders/{new_order}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "[{backend}] {}", r.text());
        let r = editor.send_json("DELETE", &format!("/api/v1/subscriptions/1/orders/{new_order}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}]");

        // Importing orders sent as the body: all or nothing.
        let headers = ["单位", "份数", "订户类型", "订户", "征订日期", "征订人"];
        // Five copies for 宜昌市 ordered on `on`.
        let row =
            |on: &str| vec![text("宜昌市"), Cell::Number(5.0), text("企业"), text("某公司"), text(on), text("王")];
        let bad = xlsx(&headers, vec![row("2007-10-01"), row("2006-10-01")]);
        let r = send_file(&mut editor, "/api/v1/subscriptions/1/orders/import?file_name=o.xlsx", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        assert!(r.text().contains("征订日期"), "[{backend}]");
        assert_eq!(copies_of(&editor.get_json("/api/v1/subscriptions").await.json(), 1), 1416, "nothing written");
        let good = xlsx(&headers, vec![row("2007-10-01")]);
        let r = send_file(&mut writer, "/api/v1/subscriptions/1/orders/import?file_name=o.xlsx", &good).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}]");
        let r =
            send_file(&mut editor, &format!("/api/v1/subscriptions/{theirs}/orders/import?file_name=o.xlsx"), &good)
                .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}]");
        let r = send_file(&mut editor, "/api/v1/subscriptions/1/orders/import?file_name=o.xlsx", &good).await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        assert_eq!(r.json()["count"], 1);
        assert!(editor.get("/subscriptions").await.text().contains("1421"), "[{backend}] on the page");

        // A campaign: created (201) and then on the page; one that ends before it starts is a 422.
        let bad =
            json!({"year": 2008, "publication": "中国知识产权报", "starts_on": "2008-12-01", "ends_on": "2008-01-01"});
        let r = editor.send_json("POST", "/api/v1/subscriptions", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}] {}", r.text());
        let good =
            json!({"year": 2008, "publication": "中国知识产权报", "starts_on": "2008-01-01", "ends_on": "2008-12-31"});
        assert_eq!(writer.send_json("POST", "/api/v1/subscriptions", &good).await.status, StatusCode::FORBIDDEN);
        let r = editor.send_json("POST", "/api/v1/subscriptions", &good).await;
        assert_eq!(r.status, StatusCode::CREATED, "[{backend}] {}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        assert_eq!(editor.get(&format!("/subscriptions/{id}")).await.status, StatusCode::OK, "[{backend}]");
        assert_eq!(editor.get_json("/api/v1/subscriptions").await.json().as_array().unwrap().len(), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_photos_through_the_api() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = logged_in(&app, "editor").await;
        let mut writer = logged_in(&app, "correspondent").await;
        let mut leader = logged_in(&app, "leader").await;

        let r = editor.get_json("/api/v1/events?year=2007").await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        let all = r.json()["events"].as_array().unwrap().len();
        let lectures = editor.get_json("/api/v1/events?year=2007&kind=lecture").await.json();
        let lectures = lectures["events"].as_array().unwrap();
        assert!(lectures.len() >= 10 && lectures.len() < all, "[{backend}] {}", lectures.len());
        assert!(lectures.iter().all(|e| e["kind"] == "lecture"));
        assert_eq!(leader.get_json("/api/v1/events").await.status, StatusCode::OK);
        assert_eq!(writer.get_json("/api/v1/events").await.status, StatusCode::FORBIDDEN);
        assert_eq!(editor.get_json("/api/v1/events?kind=dance").await.status, StatusCode::BAD_REQUEST);

        // Creating: 422 without a date, nothing written; 201 with one, shown on the page.
        let r = editor
            .send_json("POST", "/api/v1/events", &json!({"kind": "briefing", "title": "通气会", "held_on": ""}))
            .await;
        assert_eq!(fields(&r), vec!["held_on"], "[{backend}]");
        let r = editor
            .send_json(
                "POST",
                "/api/v1/events",
                &json!({"kind": "briefing", "title": "通气会", "held_on": "2007-12-20", "unit_ids": [999999]}),
            )
            .await;
        assert_eq!(fields(&r), vec!["unit_ids"], "[{backend}]");
        assert_eq!(editor.get_json("/api/v1/events?year=2007").await.json()["events"].as_array().unwrap().len(), all);
        let body = json!({"kind": "briefing", "title": "年终新闻通气会", "held_on": "2007-12-20", "unit_ids": [1, 4], "outlet_ids": [1]});
        assert_eq!(leader.send_json("POST", "/api/v1/events", &body).await.status, StatusCode::FORBIDDEN);
        assert_eq!(writer.send_json("POST", "/api/v1/events", &body).await.status, StatusCode::FORBIDDEN);
        let r = editor.send_json("POST", "/api/v1/events", &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "[{backend}] {}", r.text());
        let e = r.json();
        let id = e["id"].as_i64().unwrap();
        assert_eq!(e["units"].as_array().unwrap().len(), 2);
        let page = editor.get(&format!("/events/{id}")).await.text();
        assert!(page.contains("年终新闻通气会"), "[{backend}] the API's event on the page");
        assert_eq!(editor.get_json(&format!("/api/v1/events/{id}")).await.json()["title"], "年终新闻通气会");
        assert_eq!(leader.get_json(&format!("/api/v1/events/{id}")).await.status, StatusCode::OK);
        assert_eq!(writer.get_json(&format!("/api/v1/events/{id}")).await.status, StatusCode::FORBIDDEN);

        // Updating, through the page and then the API.
        let r = editor
            .post_form(
                &format!("/events/{id}"),
                &[("kind", "briefing"), ("title", "岁末通气会"), ("held_on", "2007-12-21")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        assert_eq!(editor.get_json(&format!("/api/v1/events/{id}")).await.json()["title"], "岁末通气会");
        let mut changed = body.clone();
        changed["title"] = json!("新年通气会");
        let r = editor.send_json("PUT", &format!("/api/v1/events/{id}"), &changed).await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        assert!(editor.get(&format!("/events/{id}")).await.text().contains("新年通气会"), "[{backend}]");
        changed["held_on"] = json!("2007-13-40");
        let r = editor.send_json("PUT", &format!("/api/v1/events/{id}"), &changed).await;
        assert_eq!(fields(&r), vec!["held_on"], "[{backend}]");
        assert_eq!(writer.send_json("PUT", &format!("/api/v1/events/{id}"), &body).await.status, StatusCode::FORBIDDEN);

        // A photo as the raw body: stored and shown like the page's.
        let mut png = Vec::new();
        image::RgbImage::from_pixel(800, 600, image::Rgb([200, 40, 40]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let r = send_file(&mut writer, &format!("/api/v1/events/{id}/photos"), &png).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}]");
        let r = send_file(&mut editor, &format!("/api/v1/events/{id}/photos"), b"not a picture").await;
        assert_eq!(fields(&r), vec!["file"], "[{backend}]");
        let r = send_file(&mut editor, &format!("/api/v1/events/{id}/photos?alt=%E7%8E%B0%E5%9C%BA"), &png).await;
        assert_eq!(r.status, StatusCode::CREATED, "[{backend}] {}", r.text());
        assert_eq!(r.json()["alt"], "现场");
        let e = editor.get_json(&format!("/api/v1/events/{id}")).await.json();
        assert_eq!(e["images"].as_array().unwrap().len(), 1, "[{backend}]");
        assert!(
            editor.get(&format!("/events/{id}")).await.text().contains("<div class=\"photos\"><img"),
            "[{backend}]"
        );

        // Another station's event is 404 for every call.
        let theirs = app
            .db
            .store
            .events(domain::StationId(2), &store::EventFilter { year: Some(2007), ..Default::default() })
            .await
            .unwrap()[0]
            .id;
        assert_eq!(editor.get_json(&format!("/api/v1/events/{theirs}")).await.status, StatusCode::NOT_FOUND);
        let r = editor.send_json("PUT", &format!("/api/v1/events/{theirs}"), &body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}] {}", r.text());
        let r = send_file(&mut editor, &format!("/api/v1/events/{theirs}/photos"), &png).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}]");
        let r = editor.send_json("DELETE", &format!("/api/v1/events/{theirs}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}]");

        // Deleting.
        assert_eq!(
            writer.send_json("DELETE", &format!("/api/v1/events/{id}"), &json!({})).await.status,
            StatusCode::FORBIDDEN
        );
        let r = editor.send_json("DELETE", &format!("/api/v1/events/{id}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "[{backend}] {}", r.text());
        assert_eq!(editor.get_json(&format!("/api/v1/events/{id}")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            editor.get(&format!("/events/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "[{backend}] gone from the pages"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_contacts_through_the_api() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = logged_in(&app, "editor").await;
        let mut writer = logged_in(&app, "correspondent").await;
        let mut leader = logged_in(&app, "leader").await;

        let r = editor.get_json("/api/v1/media-contacts").await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        let before = r.json().as_array().unwrap().len();
        assert!(before >= 5, "[{backend}]");
        assert_eq!(leader.get_json("/api/v1/media-contacts").await.status, StatusCode::OK);
        assert_eq!(writer.get_json("/api/v1/media-contacts").await.status, StatusCode::FORBIDDEN);

        // Creating: an outlet is required; 201 and then on the page.
        let r = editor.send_json("POST", "/api/v1/media-contacts", &json!({"name": "钱记者"})).await;
        assert!(fields(&r).contains(&"outlet_name".to_string()), "[{backend}] {}", r.text());
        let r =
            editor.send_json("POST", "/api/v1/media-contacts", &json!({"name": "钱记者", "outlet_id": 999999})).await;
        assert_eq!(fields(&r), vec!["outlet_id"], "[{backend}]");
        let r = editor
            .send_json(
                "POST",
                "/api/v1/media-contacts",
                &json!({"name": "钱记者", "outlet_name": "荆楚网", "last_contact_on": "yesterday"}),
            )
            .await;
        assert_eq!(fields(&r), vec!["last_contact_on"], "[{backend}]");
        assert_eq!(editor.get_json("/api/v1/media-contacts").await.json().as_array().unwrap().len(), before);
        let good = json!({"name": "钱记者", "outlet_name": "荆楚网", "beat": "科技", "last_contact_on": "2007-04-01"});
        assert_eq!(leader.send_json("POST", "/api/v1/media-contacts", &good).await.status, StatusCode::FORBIDDEN);
        assert_eq!(writer.send_json("POST", "/api/v1/media-contacts", &good).await.status, StatusCode::FORBIDDEN);
        let r = editor.send_json("POST", "/api/v1/media-contacts", &good).await;
        assert_eq!(r.status, StatusCode::CREATED, "[{backend}] {}", r.text());
        let c = r.json();
        assert_eq!((c["outlet_name"].as_str(), c["last_contact_on"].as_str()), (Some("荆楚网"), Some("2007-04-01")));
        let id = c["id"].as_i64().unwrap();
        assert!(editor.get("/media-contacts").await.text().contains("钱记者"), "[{backend}] on the page");

        // One contact: only those who may change it, as on the page.
        assert_eq!(editor.get_json(&format!("/api/v1/media-contacts/{id}")).await.json()["name"], "钱记者");
        assert_eq!(leader.get_json(&format!("/api/v1/media-contacts/{id}")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(writer.get_json(&format!("/api/v1/media-contacts/{id}")).await.status, StatusCode::FORBIDDEN);

        // Updating through the page shows in the API, and the reverse.
        let r =
            editor.post_form(&format!("/media-contacts/{id}"), &[("name", "钱主任"), ("outlet_name", "荆楚网")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        assert_eq!(editor.get_json(&format!("/api/v1/media-contacts/{id}")).await.json()["name"], "钱主任");
        let r = editor
            .send_json("PUT", &format!("/api/v1/media-contacts/{id}"), &json!({"name": "钱总", "outlet_id": 1}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] {}", r.text());
        assert_eq!(r.json()["outlet_name"], "中国知识产权报");
        assert!(editor.get(&format!("/media-contacts/{id}")).await.text().contains("钱总"), "[{backend}]");
        let r = editor
            .send_json("PUT", &format!("/api/v1/media-contacts/{id}"), &json!({"name": "", "outlet_id": 1}))
            .await;
        assert_eq!(fields(&r), vec!["name"], "[{backend}]");
        let r = writer.send_json("PUT", &format!("/api/v1/media-contacts/{id}"), &good).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}]");

        // Another station's contact is 404.
        let store = &app.db.store;
        let input = domain::media::MediaContactInput {
            name: "外站记者".into(),
            outlet_id: None,
            outlet_name: "外站报".into(),
            beat: String::new(),
            contact: String::new(),
            last_contact_on: None,
            note: String::new(),
        };
        let theirs = store.save_media_contact(domain::StationId(2), domain::UserId(1), None, input).await.unwrap();
        assert_eq!(editor.get_json(&format!("/api/v1/media-contacts/{theirs}")).await.status, StatusCode::NOT_FOUND);
        let r = editor.send_json("PUT", &format!("/api/v1/media-contacts/{theirs}"), &good).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}] {}", r.text());
        let r = editor.send_json("DELETE", &format!("/api/v1/media-contacts/{theirs}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "[{backend}]");
        assert_eq!(
            store.media_contacts(domain::StationId(2)).await.unwrap().iter().filter(|c| c.id == theirs).count(),
            1
        );

        // Deleting.
        let r = writer.send_json("DELETE", &format!("/api/v1/media-contacts/{id}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}]");
        let r = editor.send_json("DELETE", &format!("/api/v1/media-contacts/{id}"), &json!({})).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "[{backend}] {}", r.text());
        assert_eq!(editor.get_json(&format!("/api/v1/media-contacts/{id}")).await.status, StatusCode::NOT_FOUND);
        assert!(!editor.get("/media-contacts").await.text().contains("钱总"), "[{backend}] gone from the page");
    }
}
