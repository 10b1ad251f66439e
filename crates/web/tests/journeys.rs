//! The daily work, through the pages: write, submit, revise, accept, record placements, and
//! what each role then sees.

mod support;

use axum::http::StatusCode;
use support::{Client, apps, id_from};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_to_two_placements() {
    for app in apps().await {
        eprintln!("--- on {}", app.db.backend);
        let mut author = Client::new(&app);
        author.login("correspondent").await;
        let r = author.get("/manuscripts/new").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("value=\"张明远\""), "the byline starts with the author");
        let r = author
            .post_form(
                "/manuscripts",
                &[
                    ("title", "襄阳市召开专利工作推进会"),
                    ("genre", "news"),
                    ("byline", "张明远(70%)、李晓红(30%)"),
                    ("body", "襄阳市知识产权局召开专利工作推进会，部署下半年工作。"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id = id_from(&r.location());
        let page = author.get(&format!("/manuscripts/{id}")).await.text();
        assert!(page.contains("草稿") && page.contains("张明远(70%)、李晓红(30%)"));
        let r = author.post_form(&format!("/manuscripts/{id}/submit"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // The mentor revises: a new round with a comment and a diff.
        let mut mentor = Client::new(&app);
        mentor.login("mentor").await;
        assert!(mentor.get("/manuscripts").await.text().contains("襄阳市召开专利工作推进会"));
        assert_eq!(mentor.get(&format!("/manuscripts/{id}/revise")).await.status, StatusCode::OK);
        let r = mentor
            .post_form(
                &format!("/manuscripts/{id}/revise"),
                &[
                    ("title", "襄阳市召开专利工作推进会"),
                    ("body", "7月5日，襄阳市知识产权局召开全市专利工作推进会，部署下半年工作。"),
                    ("comment", "导语补上时间和范围。"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = mentor.get(&format!("/manuscripts/{id}")).await.text();
        assert!(page.contains("<ins>7月5日，</ins>"), "the diff marks the insertion: {page}");
        assert!(page.contains("导语补上时间和范围。"));

        // The editor accepts and records two placements.
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let r = editor.post_form(&format!("/manuscripts/{id}/accept"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let form = editor.get(&format!("/placements/new?manuscript={id}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains("value=\"张明远(70%)、李晓红(30%)\""), "the byline is carried over");
        let ids = [("1", "地方传真", "2007-07-10"), ("4", "市州工作", "2007-07-11")]
            .map(|(outlet, column, date)| (outlet.to_string(), column.to_string(), date.to_string()));
        let mut placement_ids = Vec::new();
        for (outlet, column, date) in &ids {
            let r = editor
                .post_form(
                    "/placements",
                    &[
                        ("manuscript_id", &id.to_string()),
                        ("title", "襄阳市召开专利工作推进会"),
                        ("byline", "张明远(70%)、李晓红(30%)"),
                        ("outlet_id", outlet),
                        ("column", column),
                        ("published_on", date),
                        ("genre", "news"),
                        ("position", "headline"),
                        ("length", "860"),
                        ("instruction", ""),
                        ("grade", "good"),
                        ("evidence_url", "https://www.cipnews.com.cn/x"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
            placement_ids.push(id_from(&r.location()));
        }
        let page = editor.get(&format!("/manuscripts/{id}")).await.text();
        assert!(
            page.contains("中国知识产权报") && page.contains("湖北省知识产权局网站"),
            "both placements on the manuscript page"
        );

        // The author sees both placements, in the list and on the home page.
        let list = author.get("/placements").await.text();
        assert_eq!(list.matches("襄阳市召开专利工作推进会").count(), 2, "{list}");
        let home = author.get("/").await.text();
        assert!(home.contains("id=\"my-placements\""));
        assert_eq!(home.matches("襄阳市召开专利工作推进会").count(), 3, "two placements and the manuscript");
        for p in &placement_ids {
            assert_eq!(author.get(&format!("/placements/{p}")).await.status, StatusCode::OK);
        }
        // The co-author sees them too; another correspondent does not.
        let mut co = Client::new(&app);
        co.login("correspondent2").await;
        assert_eq!(co.get(&format!("/placements/{}", placement_ids[0])).await.status, StatusCode::OK);
        assert_eq!(co.get(&format!("/manuscripts/{id}")).await.status, StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returned_manuscripts_can_be_resubmitted() {
    for app in apps().await {
        let mut author = Client::new(&app);
        author.login("correspondent").await;
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        // Manuscript 3 is the demo's submitted one.
        editor.get("/manuscripts/3").await;
        let r = editor.post_form("/manuscripts/3/return", &[("reason", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a return needs a reason");
        assert!(r.text().contains("请填写退稿理由"));
        let r = editor.post_form("/manuscripts/3/return", &[("reason", "请补充会议成果。")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = author.get("/manuscripts/3").await.text();
        assert!(page.contains("请补充会议成果。") && page.contains("id=\"submit-manuscript\""));
        let r = author
            .post_form(
                "/manuscripts/3",
                &[
                    ("title", "全省宣传通联工作会议在汉召开"),
                    ("genre", "news"),
                    ("byline", "张明远"),
                    ("body", "会议表彰了优秀通讯员，并部署了新一年任务。"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        author.get("/manuscripts/3").await;
        assert_eq!(author.post_form("/manuscripts/3/submit", &[]).await.status, StatusCode::SEE_OTHER);
        let page = editor.get("/manuscripts/3").await.text();
        assert!(page.contains("重新投稿") && page.contains("id=\"accept\""));
        // Accepting twice is refused with a message, not an error page.
        assert_eq!(editor.post_form("/manuscripts/3/accept", &[]).await.status, StatusCode::SEE_OTHER);
        let again = editor.post_form("/manuscripts/3/accept", &[]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().contains("不能采用"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_duplicates_are_flagged_to_the_editor() {
    for app in apps().await {
        let mut author = Client::new(&app);
        author.login("correspondent2").await;
        author.get("/manuscripts/new").await;
        // Nearly the text of the demo's manuscript 3.
        let body = "湖北省知识产权局日前在武汉召开全省知识产权宣传通联工作会议，总结上一年度宣传通联工作，部署新一年任务。会议要求各市州进一步加强通讯员队伍建设，坚持按月统计、公示和兑现奖励。";
        let r = author
            .post_form(
                "/manuscripts",
                &[("title", "全省通联会议召开"), ("genre", "news"), ("byline", "李晓红"), ("body", body)],
            )
            .await;
        let id = id_from(&r.location());
        author.post_form(&format!("/manuscripts/{id}/submit"), &[]).await;
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let page = editor.get(&format!("/manuscripts/{id}")).await.text();
        assert!(page.contains("id=\"duplicate\""), "flagged: {page}");
        assert!(page.contains("/manuscripts/3\""), "points at the earlier piece");
        let own = author.get(&format!("/manuscripts/{id}")).await.text();
        assert!(!own.contains("id=\"duplicate\""), "the author is not shown another person's piece");
        let fresh = "神农架林区开展野生植物新品种保护宣传，发放资料两千余份。";
        author.get("/manuscripts/new").await;
        let r = author
            .post_form(
                "/manuscripts",
                &[("title", "神农架宣传植物新品种保护"), ("genre", "news"), ("byline", "李晓红"), ("body", fresh)],
            )
            .await;
        let id2 = id_from(&r.location());
        author.post_form(&format!("/manuscripts/{id2}/submit"), &[]).await;
        assert!(!editor.get(&format!("/manuscripts/{id2}")).await.text().contains("id=\"duplicate\""));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_show_every_error_next_to_its_field_and_write_nothing() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let before = editor.get_json("/api/v1/placements?per_page=1").await.json()["total"].as_u64().unwrap();
        editor.get("/placements/new").await;
        let r = editor
            .post_form(
                "/placements",
                &[
                    ("title", ""),
                    ("byline", "张明远、查无此人"),
                    ("outlet_id", ""),
                    ("published_on", "2007-02-30"),
                    ("genre", "小说"),
                    ("length", "很多"),
                    ("evidence_url", "javascript:alert(1)"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        for message in [
            "请填写标题",
            "通讯员“查无此人”不存在",
            "请选择媒体",
            "请填写刊发日期",
            "体裁应为",
            "字数应为整数",
            "链接应以 http:// 或 https:// 开头",
        ] {
            assert!(html.contains(message), "missing {message}");
        }
        assert!(html.contains("value=\"张明远、查无此人\""), "what was typed is kept");
        let after = editor.get_json("/api/v1/placements?per_page=1").await.json()["total"].as_u64().unwrap();
        assert_eq!(before, after, "nothing written");
        // Correspondent form.
        editor.get("/correspondents/new").await;
        let r = editor
            .post_form(
                "/correspondents",
                &[("name", ""), ("kind", "unit"), ("email", "bad"), ("phone", "x"), ("joined_on", "2007-13-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        for message in ["请填写姓名", "邮箱格式不正确", "电话号码格式不正确", "日期格式应为"]
        {
            assert!(html.contains(message), "missing {message}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_per_role() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        // The demo is 2007: the dashboard falls back to its latest month, December 2007.
        let home = editor.get("/").await.text();
        assert!(home.contains("2007-12-01") && home.contains("id=\"by-unit\"") && home.contains("id=\"by-level\""));
        let june = editor.get("/?month=2007-06").await.text();
        assert!(june.contains("2007-06-30"));
        let api = editor.get_json("/api/v1/dashboard?month=2007-06").await.json();
        let total: i64 = api["by_level"].as_array().unwrap().iter().map(|c| c["placements"].as_i64().unwrap()).sum();
        let units: i64 = api["by_unit"].as_array().unwrap().iter().map(|c| c["placements"].as_i64().unwrap()).sum();
        assert!(total > 40, "a month of the demo has dozens of placements: {total}");
        assert_eq!(total, units, "every placement counted once by unit and once by level");
        let listed =
            editor.get_json("/api/v1/placements?from=2007-06-01&to=2007-06-30&per_page=1").await.json()["total"]
                .as_i64()
                .unwrap();
        assert_eq!(listed, total);
        let mut author = Client::new(&app);
        author.login("correspondent").await;
        let home = author.get("/").await.text();
        assert!(home.contains("id=\"my-manuscripts\"") && !home.contains("id=\"by-unit\""));
    }
}
