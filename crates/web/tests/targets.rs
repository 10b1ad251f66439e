//! Targets, weak links, the monthly bulletin, the subscription drive and media work through
//! the router, on the demo: what the pages show, what the forms refuse, and imports that are
//! all or nothing.

mod support;

use axum::http::StatusCode;
use domain::table::{Cell, Table};
use support::{Client, apps};

fn xlsx(headers: &[&str], rows: Vec<Vec<Cell>>) -> Vec<u8> {
    let t = Table::new(headers.iter().map(|h| h.to_string()).collect(), rows);
    office::write_xlsx("Sheet1", &t).unwrap()
}

/// The text body (word/document.xml) of a .docx file.
fn document_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    xml
}

fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

/// The rows of the table with id `id` in `html`, as cell texts (tags dropped).
fn table_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html.find(&format!("<table id=\"{id}\"")).unwrap_or_else(|| panic!("no table {id}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let body = table.split("<tbody>").nth(1).unwrap_or("").split("</tbody>").next().unwrap_or("");
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = cell.split_once('>').map(|(_, r)| r).unwrap_or("");
                    let inner = inner.split("</td>").next().unwrap_or("");
                    let mut out = String::new();
                    let mut in_tag = false;
                    for ch in inner.chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => out.push(c),
                            _ => {}
                        }
                    }
                    out.trim().to_string()
                })
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_links_on_the_demo() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = Client::new(&app);
        editor.login("editor").await;

        // At the end of 2007 the whole year has passed: every target not met is weak.
        let page = editor.get("/progress?year=2007").await;
        assert_eq!(page.status, StatusCode::OK, "[{backend}]");
        let html = page.text();
        assert!(html.contains("100.0%"), "[{backend}] the whole year has passed");
        let rows = table_rows(&html, "progress");
        assert!(rows.len() > 40, "[{backend}] 17 units × 3 targets and two people: {}", rows.len());
        let weak: Vec<&Vec<String>> = rows.iter().filter(|r| r[7] != "已完成").collect();
        assert!(!weak.is_empty(), "[{backend}] the demo has units that fell short");
        // Weak ones come first, and each says by how much.
        let first_met = rows.iter().position(|r| r[7] == "已完成").unwrap();
        assert!(rows[..first_met].iter().all(|r| r[7] != "已完成" && !r[6].is_empty()));
        assert!(rows[first_met..].iter().all(|r| r[7] == "已完成"), "[{backend}] weak links first");
        // 鄂州市 set targets at 210% of what it did: far behind on each.
        let ezhou: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "鄂州市").collect();
        assert_eq!(ezhou.len(), 3);
        assert!(ezhou.iter().all(|r| r[7] == "严重滞后"), "[{backend}] {ezhou:?}");
        // Quiet correspondents: the demo's inactive ones are not listed, silent active ones are.
        assert!(!table_rows(&html, "quiet").is_empty(), "[{backend}] the demo has quiet correspondents");

        // Mid-year: the pace is 49.6% and the figures count only the first half.
        let mid = editor.get("/progress?year=2007&as_of=2007-06-30").await.text();
        assert!(mid.contains("49.5%") || mid.contains("49.6%"), "[{backend}] half the year");
        let mid_rows = table_rows(&mid, "progress");
        let wuhan_paper = |rows: &[Vec<String>]| -> i64 {
            rows.iter().find(|r| r[0] == "武汉市" && r[1] == "中国知识产权报采用").unwrap()[4].parse().unwrap()
        };
        assert!(wuhan_paper(&mid_rows) < wuhan_paper(&rows), "[{backend}] June counts less than December");

        // The liaison of 武汉市 sees the unit's own rows first.
        let mut liaison = Client::new(&app);
        liaison.login("liaison").await;
        let own = table_rows(&liaison.get("/progress?year=2007").await.text(), "progress");
        assert!(own[..5].iter().all(|r| r[0].contains("武汉市")), "[{backend}] {:?}", &own[..5]);
        assert!(!own[5][0].contains("武汉市"), "[{backend}] then the others");

        // The bulletin: a page and a Word file with the same title.
        let bulletin = editor.get("/progress/bulletin?year=2007&month=6").await.text();
        assert!(bulletin.contains("湖北通联站2007年6月目标任务进展通报"), "[{backend}]");
        assert!(bulletin.contains("截至2007年6月30日"), "[{backend}]");
        let docx = editor.get("/progress/bulletin.docx?year=2007&month=6").await;
        assert_eq!(docx.status, StatusCode::OK);
        assert_eq!(docx.headers["content-type"], office::DOCX_CONTENT_TYPE);
        let xml = document_xml(&docx.body);
        assert!(xml.contains("湖北通联站2007年6月目标任务进展通报"), "[{backend}]");
        assert!(xml.contains("薄弱环节") && xml.contains("鄂州市"), "[{backend}]");

        // The dashboards put weak links first: the editor's every unit, the liaison's own.
        let home = editor.get("/").await.text();
        let weak_home =
            home.split("id=\"weak-links\"").nth(1).expect("a weak-links card").split("</section>").next().unwrap();
        assert!(weak_home.contains("鄂州市"), "[{backend}]");
        let home = liaison.get("/").await.text();
        let own_home =
            home.split("id=\"weak-links\"").nth(1).expect("a weak-links card").split("</section>").next().unwrap();
        assert!(!own_home.contains("鄂州市"), "[{backend}] only the liaison's unit");

        // Correspondents do not see the network's targets.
        let mut writer = Client::new(&app);
        writer.login("correspondent").await;
        assert_eq!(writer.get("/progress").await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_copying_and_importing_targets() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let before = table_rows(&editor.get("/targets?year=2007").await.text(), "targets").len();

        // Bad input: a clear message, nothing written.
        let r = editor
            .post_form("/targets", &[("year", "2007"), ("owner", "u:1"), ("metric", "website"), ("value", "-5")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}]");
        assert!(r.text().contains("目标数不能为负数"), "[{backend}]");
        let r = editor
            .post_form("/targets", &[("year", "2007"), ("owner", "u:999999"), ("metric", "website"), ("value", "5")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("单位不存在"), "[{backend}]");
        let r = editor
            .post_form("/targets", &[("year", "2007"), ("owner", "u:1"), ("metric", "跳舞"), ("value", "5")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(table_rows(&editor.get("/targets?year=2007").await.text(), "targets").len(), before);

        // A new target, then the same one again: replaced, not added.
        for value in ["7", "9"] {
            let r = editor
                .post_form(
                    "/targets",
                    &[("year", "2007"), ("owner", "u:1"), ("metric", "events:lecture"), ("value", value)],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        }
        let rows = table_rows(&editor.get("/targets?year=2007").await.text(), "targets");
        assert_eq!(rows.len(), before + 1);
        assert!(rows.iter().any(|r| r[0] == "武汉市" && r[1] == "讲座" && r[2] == "9"), "[{backend}]");

        // Lectures count from the events: 武汉市 hosted three in 2007.
        let progress = table_rows(&editor.get("/progress?year=2007").await.text(), "progress");
        let lectures = progress.iter().find(|r| r[0] == "武汉市" && r[1] == "讲座").unwrap();
        assert_eq!(lectures[4], "3", "[{backend}] {lectures:?}");

        // Copy to 2008 at 110%.
        let r = editor.post_form("/targets/carry", &[("from_year", "2007"), ("percent", "110")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let next = table_rows(&editor.get("/targets?year=2008").await.text(), "targets");
        assert_eq!(next.len(), before + 1);
        assert!(next.iter().any(|r| r[0] == "武汉市" && r[1] == "讲座" && r[2] == "10"), "9 × 110% rounded up");

        // Import: one bad row refuses the whole file, naming each bad cell.
        let headers = ["年度", "单位", "通讯员", "指标", "目标数"];
        let bad = xlsx(
            &headers,
            vec![
                vec![Cell::Number(2009.0), text("武汉市"), Cell::Empty, text("中国知识产权报"), Cell::Number(20.0)],
                vec![Cell::Number(2009.0), text("火星市"), Cell::Empty, text("网站上稿"), Cell::Number(30.0)],
                vec![Cell::Number(2009.0), text("宜昌市"), Cell::Empty, text("网站上稿"), Cell::Number(-1.0)],
            ],
        );
        let r = editor.upload("/targets/import", &[], "targets.xlsx", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}]");
        let body = r.text();
        assert!(body.contains("火星市") && body.contains("目标数"), "[{backend}] {body}");
        assert!(editor.get("/targets?year=2009").await.text().contains("id=\"no-targets\""), "nothing written");
        let good = xlsx(
            &headers,
            vec![
                vec![Cell::Number(2009.0), text("武汉市"), Cell::Empty, text("中国知识产权报"), Cell::Number(20.0)],
                vec![Cell::Number(2009.0), Cell::Empty, text("张明远"), text("国家级媒体采用"), Cell::Number(8.0)],
            ],
        );
        let r = editor.upload("/targets/import", &[], "targets.xlsx", &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        let imported = table_rows(&editor.get("/targets?year=2009").await.text(), "targets");
        assert_eq!(imported.len(), 2);

        // Only editors write.
        for role in ["liaison", "leader"] {
            let mut c = Client::new(&app);
            c.login(role).await;
            let r = c
                .post_form("/targets", &[("year", "2007"), ("owner", "u:1"), ("metric", "website"), ("value", "1")])
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] {role}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subscription_drive_shows_1404_copies() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let list = editor.get("/subscriptions").await.text();
        let campaigns = table_rows(&list, "campaigns");
        assert_eq!(campaigns[0][3], "1404", "[{backend}] the seed's 1404 copies");
        let page = editor.get("/subscriptions/1").await.text();
        let by_unit = table_rows(&page, "by-unit");
        assert_eq!(by_unit[0][1], "武汉市", "[{backend}] the largest first");
        assert_eq!(by_unit[0][0], "1");
        let sum: i64 = by_unit.iter().map(|r| r[3].parse::<i64>().unwrap()).sum();
        assert_eq!(sum, 1404);
        assert!(page.contains("<svg"), "a chart of copies by unit");

        // An order outside the campaign, or without copies: refused with the reason.
        let r = editor
            .post_form(
                "/subscriptions/1",
                &[("unit_id", "2"), ("copies", "10"), ("subscriber_type", "agency"), ("ordered_on", "2008-03-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("不在本次征订的时间内"), "[{backend}]");
        let r = editor
            .post_form(
                "/subscriptions/1",
                &[("unit_id", "2"), ("copies", "12"), ("subscriber_type", "enterprise"), ("ordered_on", "2007-11-02")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        assert_eq!(table_rows(&editor.get("/subscriptions").await.text(), "campaigns")[0][3], "1416");

        // Import all or nothing.
        let headers = ["单位", "份数", "订户类型", "订户", "征订日期", "征订人"];
        let bad = xlsx(
            &headers,
            vec![
                vec![text("宜昌市"), Cell::Number(5.0), text("企业"), text("某公司"), text("2007-10-01"), text("王")],
                vec![text("宜昌市"), Cell::Number(5.0), text("企业"), text("某公司"), text("2006-10-01"), text("王")],
            ],
        );
        let r = editor.upload("/subscriptions/1/import", &[], "orders.xlsx", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}]");
        assert!(r.text().contains("征订日期"), "[{backend}]");
        assert_eq!(
            table_rows(&editor.get("/subscriptions").await.text(), "campaigns")[0][3],
            "1416",
            "nothing written"
        );
        let good = xlsx(
            &headers,
            vec![vec![text("宜昌市"), Cell::Number(5.0), text("企业"), text("某公司"), text("2007-10-01"), text("王")]],
        );
        let r = editor.upload("/subscriptions/1/import", &[], "orders.xlsx", &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        assert_eq!(table_rows(&editor.get("/subscriptions").await.text(), "campaigns")[0][3], "1421");

        // A campaign that ends before it starts.
        let r = editor
            .post_form(
                "/subscriptions",
                &[
                    ("year", "2008"),
                    ("publication", "中国知识产权报"),
                    ("starts_on", "2008-12-01"),
                    ("ends_on", "2008-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_media_contacts() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let page = editor.get("/events?year=2007").await.text();
        let events = table_rows(&page, "events");
        let lectures = events.iter().filter(|r| r[1] == "讲座").count();
        assert!(lectures >= 10, "[{backend}] the seed's 10+ lectures: {lectures}");
        assert!(events.iter().any(|r| r[1] == "访谈（广播）" && r[2].contains("湖北人民广播电台")), "[{backend}]");
        assert!(events.iter().any(|r| r[1] == "座谈会"), "[{backend}] the media forum");

        // An event without a date: refused, nothing written.
        let r = editor.post_form("/events", &[("kind", "briefing"), ("title", "通气会")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请填写活动日期"), "[{backend}]");
        // With two units ticked (repeated fields).
        let r = editor
            .post_form(
                "/events",
                &[
                    ("kind", "briefing"),
                    ("title", "年终新闻通气会"),
                    ("held_on", "2007-12-20"),
                    ("unit_ids", "1"),
                    ("unit_ids", "4"),
                    ("outlet_ids", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        let shown = editor.get(&r.location()).await.text();
        let row = table_rows(&shown, "events").into_iter().find(|r| r[2] == "年终新闻通气会").unwrap();
        assert_eq!(row[3], "武汉市、宜昌市", "[{backend}]");
        assert_eq!(row[4], "中国知识产权报");
        // A photo, resized and stored like the portal's.
        let mut png = Vec::new();
        image::RgbImage::from_pixel(800, 600, image::Rgb([200, 40, 40]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let id = r.location().rsplit('/').next().unwrap().to_string();
        let up = editor.upload(&format!("/events/{id}/photos"), &[("alt", "通气会现场")], "photo.png", &png).await;
        assert_eq!(up.status, StatusCode::SEE_OTHER, "[{backend}] {}", up.text());
        let with_photo = editor.get(&format!("/events/{id}")).await.text();
        let src = with_photo
            .split("<div class=\"photos\"><img src=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(editor.get(&src).await.status, StatusCode::OK, "[{backend}] {src}");

        // Media contacts.
        let contacts = table_rows(&editor.get("/media-contacts").await.text(), "contacts");
        assert!(contacts.len() >= 5, "[{backend}]");
        let r = editor.post_form("/media-contacts", &[("name", "钱记者")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an outlet is required");
        let r = editor
            .post_form("/media-contacts", &[("name", "钱记者"), ("outlet_name", "荆楚网"), ("beat", "科技")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let after = table_rows(&editor.get("/media-contacts").await.text(), "contacts");
        assert!(after.iter().any(|r| r[0] == "钱记者" && r[1] == "荆楚网"), "[{backend}]");

        let mut leader = Client::new(&app);
        leader.login("leader").await;
        assert_eq!(
            leader.post_form("/events", &[("kind", "lecture"), ("title", "x"), ("held_on", "2007-01-01")]).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_annual_report_page_and_its_narrative() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        assert_eq!(editor.get("/reports/annual").await.location(), "/reports/annual/2007");
        let page = editor.get("/reports/annual/2007").await;
        assert_eq!(page.status, StatusCode::OK, "[{backend}]");
        let html = page.text();
        let figures = table_rows(&html, "annual-figures");
        assert!(
            figures.iter().any(|r| r[0] == "《中国知识产权报》发表稿件（篇）" && r[1] == "127"),
            "[{backend}] {figures:?}"
        );
        assert!(figures.iter().any(|r| r[0] == "征订份数（份）" && r[1] == "1404"), "[{backend}]");
        assert!(html.contains("尚未保存"), "[{backend}] the narrative is a draft until saved");
        assert_eq!(html.matches("<svg").count(), 2, "[{backend}] a chart by unit and one by month");

        // The editor's words replace the draft, in the page and in the Word file.
        let r = editor
            .post_form(
                "/reports/annual/2007",
                &[
                    ("intro", "湖北通联站坚持目标管理。"),
                    ("practices", "一是领导重视。\n\n二是队伍建设。"),
                    ("plans", "明年再接再厉。"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        let html = editor.get("/reports/annual/2007").await.text();
        assert!(
            html.contains("<p class=\"body-text\">二是队伍建设。</p>") && html.contains("明年再接再厉"),
            "[{backend}]"
        );
        let docx = editor.get("/reports/annual/2007/report.docx").await;
        let xml = document_xml(&docx.body);
        assert!(xml.contains("二是队伍建设") && xml.contains("六、存在问题与下一步打算"), "[{backend}]");
        // The two charts of the HTML report are pictures in the .docx (issue 13).
        assert_eq!(xml.matches("<wp:inline").count(), 2, "[{backend}] two charts");
        assert!(xml.contains("图1　各单位采用篇数") && xml.contains("图2　各月采用篇数"), "[{backend}]");
        assert!(!xml.contains("未能生成"), "[{backend}] the charts are drawn (scripts/test installs a Chinese font)");
        let json = editor.get_json("/reports/annual/2007/report.json").await.json();
        assert_eq!(json["narrative"]["plans"], "明年再接再厉。");
        assert_eq!(json["figures"]["website_items"], 406);

        let mut leader = Client::new(&app);
        leader.login("leader").await;
        assert_eq!(leader.get("/reports/annual/2007").await.status, StatusCode::OK, "leaders read it");
        let r = leader.post_form("/reports/annual/2007", &[("intro", "x"), ("practices", ""), ("plans", "")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "[{backend}] only editors write it");
        assert_eq!(leader.get("/reports/annual/1899").await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headquarters_ranks_the_stations_and_stations_see_only_their_own() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut hq = Client::new(&app);
        hq.login("hq").await;
        let page = hq.get("/hq?year=2007").await;
        assert_eq!(page.status, StatusCode::OK, "[{backend}]");
        let html = page.text();
        let stations = table_rows(&html, "stations");
        assert_eq!(stations.len(), 5, "[{backend}] 湖北 and four others: {stations:?}");
        let hubei = stations.iter().find(|r| r[0] == "湖北通联站").unwrap();
        assert_eq!((hubei[1].as_str(), hubei[4].as_str()), ("127", "1404"), "[{backend}] the seed's station");
        let by_month = table_rows(&html, "paper-by-month");
        let hubei_months: i64 = by_month.iter().find(|r| r[0] == "湖北通联站").unwrap()[1..13]
            .iter()
            .map(|c| c.parse::<i64>().unwrap())
            .sum();
        assert_eq!(hubei_months, 127, "[{backend}] the months add up");
        // The shipped criteria: 最佳通联站 weighs the paper, subscriptions and events.
        let best = html.split("id=\"award-best_station\"").nth(1).unwrap().split("</section>").next().unwrap();
        assert_eq!(best.matches("class=\"awarded\"").count(), 3, "[{backend}] three best stations");
        assert!(html.contains("id=\"award-best_correspondent\""));

        // New criteria with a mistake: refused with its line, nothing saved.
        let bad = "[[award]]\nkey = \"best_station\"\nname = \"最佳通联站\"\nrank = \"station\"\ntop = 1\n[award.score]\nsubscriptionz = 1\n";
        let r = hq.post_form("/hq/awards", &[("source", bad)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "[{backend}]");
        assert!(r.text().contains("第7行"), "[{backend}] {}", r.text());
        // Criteria by subscriptions alone: 广东 (1650 copies) is the one best station.
        let good = bad.replace("subscriptionz", "subscriptions");
        let r = hq.post_form("/hq/awards", &[("source", &good)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());
        let html = hq.get("/hq?year=2007").await.text();
        let best = html.split("id=\"award-best_station\"").nth(1).unwrap().split("</section>").next().unwrap();
        assert_eq!(best.matches("class=\"awarded\"").count(), 1);
        assert!(best.split("class=\"awarded\"").nth(1).unwrap().contains("广东通联站"), "[{backend}]");

        // A station's editor sees neither headquarters nor another station's records.
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        assert_eq!(editor.get("/hq").await.status, StatusCode::FORBIDDEN);
        assert_eq!(editor.post_form("/hq/awards", &[("source", &good)]).await.status, StatusCode::FORBIDDEN);
        let campaigns = table_rows(&editor.get("/subscriptions").await.text(), "campaigns");
        assert_eq!(campaigns.len(), 1, "[{backend}] only 湖北's drive");
        assert_eq!(editor.get("/subscriptions/2").await.status, StatusCode::NOT_FOUND, "[{backend}] 广东's drive");
        let events = table_rows(&editor.get("/events?year=2007").await.text(), "events");
        assert!(events.iter().all(|r| !r[2].contains("广东")), "[{backend}]");
        let last_event = app.db.store.events(domain::StationId(2), &Default::default()).await.unwrap()[0].id;
        assert_eq!(editor.get(&format!("/events/{last_event}")).await.status, StatusCode::NOT_FOUND, "[{backend}]");
    }
}

/// A real SMTP exchange on 127.0.0.1, as a mail server would hold it: accepts every message
/// and hands over what it received (envelope recipients and the data).
fn smtp_sink() -> (u16, std::sync::mpsc::Receiver<(Vec<String>, String)>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut out = stream.try_clone().unwrap();
            let mut lines = BufReader::new(stream);
            let _ = out.write_all(b"220 sink ESMTP\r\n");
            let (mut to, mut data, mut in_data) = (Vec::new(), String::new(), false);
            let mut line = String::new();
            while lines.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                let cmd = line.trim_end().to_string();
                line.clear();
                if in_data {
                    if cmd == "." {
                        in_data = false;
                        let _ = tx.send((std::mem::take(&mut to), std::mem::take(&mut data)));
                        let _ = out.write_all(b"250 queued\r\n");
                    } else {
                        data.push_str(&cmd);
                        data.push('\n');
                    }
                    continue;
                }
                let upper = cmd.to_uppercase();
                let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                    b"250-sink\r\n250 8BITMIME\r\n"
                } else if upper.starts_with("RCPT TO:") {
                    to.push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
                    b"250 ok\r\n"
                } else if upper == "DATA" {
                    in_data = true;
                    b"354 go ahead\r\n"
                } else if upper == "QUIT" {
                    let _ = out.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 ok\r\n"
                };
                let _ = out.write_all(reply);
            }
        }
    });
    (port, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_in_the_site_and_by_mail() {
    for app in apps().await {
        let backend = app.db.backend;
        let store = &app.db.store;
        let d = |s: &str| domain::parse_date(s).unwrap();
        // The mentor wants reminders by mail too.
        let mut mentor = Client::new(&app);
        mentor.login("mentor").await;
        let r = mentor
            .post_form(
                "/notifications/settings",
                &[
                    ("in_app", "draft_waiting"),
                    ("email", "draft_waiting"),
                    ("in_app", "target_met"),
                    ("address", "mentor@example.cn"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}] {}", r.text());

        // Early January 2008: 2007's year end is checked, and 2008 has no targets yet.
        let (port, received) = smtp_sink();
        let mailer =
            web::reminders::Mailer::new(&format!("smtp://127.0.0.1:{port}"), "通联 <tonglian@example.cn>").unwrap();
        let first = web::reminders::run(store, Some(&mailer), d("2008-01-02")).await.unwrap();
        assert!(first.created > 0, "[{backend}] {first:?}");
        let again = web::reminders::run(store, Some(&mailer), d("2008-01-03")).await.unwrap();
        assert_eq!(again.created, 0, "[{backend}] once per occasion");

        // The editors hear of every unit behind at the year's end; 武汉市's liaison only of
        // 武汉市 (which met its targets: nothing).
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let rows = table_rows(&editor.get("/notifications").await.text(), "notifications");
        assert!(rows.iter().any(|r| r[1] == "月底进度落后" && r[2].starts_with("鄂州市")), "[{backend}] {rows:?}");
        let mut liaison = Client::new(&app);
        liaison.login("liaison").await;
        let list = liaison.get("/notifications").await.text();
        assert!(!list.contains("鄂州市"), "[{backend}] only the liaison's own unit");
        // 张明远 is far behind on his own target: his account hears of it.
        let mut writer = Client::new(&app);
        writer.login("correspondent").await;
        let home = writer.get("/").await.text();
        assert!(home.contains("id=\"unread-count\""), "[{backend}] the header counts unread reminders");
        let rows = table_rows(&writer.get("/notifications").await.text(), "notifications");
        assert!(rows.iter().any(|r| r[2].starts_with("张明远中国知识产权报采用落后于进度")), "[{backend}] {rows:?}");
        writer.post_form("/notifications/read", &[]).await;
        assert!(!writer.get("/").await.text().contains("id=\"unread-count\""), "[{backend}] all read");

        // The station waits 5 days instead of 3 (set on the progress page): 4 days on, nothing.
        let r = editor.post_form("/progress/revision-days", &[("days", "5"), ("year", "2007")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "[{backend}]");
        assert_eq!(
            editor.post_form("/progress/revision-days", &[("days", "0")]).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let soon =
            web::reminders::run(store, Some(&mailer), web::pages::today() + time::Duration::days(4)).await.unwrap();
        assert_eq!(soon.emailed, 0, "[{backend}] within the station's 5 days: {soon:?}");
        // A draft submitted now is late a week from now: its mentor hears, in the site and by mail.
        let later = web::pages::today() + time::Duration::days(7);
        let report = web::reminders::run(store, Some(&mailer), later).await.unwrap();
        assert!(report.emailed >= 1, "[{backend}] {report:?}");
        let (to, data) = received.recv_timeout(std::time::Duration::from_secs(10)).expect("a mail reached the server");
        assert_eq!(to, ["mentor@example.cn"], "[{backend}]");
        assert!(data.contains("Subject: ") && data.contains("From: "), "[{backend}] {data}");
        let rows = table_rows(&mentor.get("/notifications").await.text(), "notifications");
        assert!(
            rows.iter().any(|r| r[1] == "稿件待修改超期" && r[2].contains("全省宣传通联工作会议在汉召开")),
            "[{backend}] {rows:?}"
        );
        // The December notice's window (the demo's closes a week after today) is about to close.
        let editor_rows = table_rows(&editor.get("/notifications").await.text(), "notifications");
        assert!(
            editor_rows.iter().any(|r| r[1] == "公示异议期即将结束" && r[2].starts_with("2007-12")),
            "[{backend}] {editor_rows:?}"
        );

        // Turned off in the site: hidden from the list.
        mentor.post_form("/notifications/settings", &[("address", "")]).await;
        assert!(!mentor.get("/notifications").await.text().contains("id=\"notifications\""), "[{backend}]");
    }
}
