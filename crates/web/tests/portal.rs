//! The public portal through the router: the demo's pages and feeds with their caching
//! headers, publishing (a manuscript in one click, a post written by an editor, scheduled,
//! unpublished), images, search, and what is refused.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::{Client, apps, id_from};

/// Sends a GET with extra headers, without cookies.
async fn get_with(c: &mut Client, path: &str, headers: &[(header::HeaderName, String)]) -> support::Response {
    let mut req = Request::get(path).header(header::ACCEPT, "text/html");
    for (k, v) in headers {
        req = req.header(k, v);
    }
    c.send(req.body(Body::empty()).unwrap()).await
}

/// The titles in the RSS feed at `path`, in order.
fn rss_titles(xml: &str) -> Vec<String> {
    xml.split("<item>")
        .skip(1)
        .map(|item| item.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or("").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_portal_pages_and_feeds() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut anyone = Client::new(&app);
        let home = anyone.get("/site/hb/").await;
        assert_eq!(home.status, StatusCode::OK, "[{backend}]");
        let html = home.text();
        for column in ["要闻动态", "工作报道", "市州工作", "图片新闻", "通知公告", "统计专栏"] {
            assert!(html.contains(column), "[{backend}] the home page links {column}");
        }
        assert!(html.contains("id=\"ranking-widget\""), "the month's ranking");
        assert!(html.contains("2007年12月各单位网站采用排名"), "by website adoptions, for the demo's last month");
        assert!(html.contains("2007年12月宣传报道奖励公示"), "the open notice");
        assert!(html.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/site/hb/\">"));
        assert!(html.contains("application/rss+xml"));
        assert!(!html.contains("tonglian_session"), "no session on the portal");
        assert!(home.headers.get(header::SET_COOKIE).is_none(), "the portal sets no cookie");

        // Caching: a strong ETag and Last-Modified, and 304 for a current copy.
        let etag = home.headers[header::ETAG].to_str().unwrap().to_string();
        let modified = home.headers[header::LAST_MODIFIED].to_str().unwrap().to_string();
        assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
        assert_eq!(home.headers[header::CACHE_CONTROL], "public, no-cache");
        let again = get_with(&mut anyone, "/site/hb/", &[(header::IF_NONE_MATCH, etag.clone())]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.body.is_empty());
        let again = get_with(&mut anyone, "/site/hb/", &[(header::IF_MODIFIED_SINCE, modified.clone())]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        let old =
            get_with(&mut anyone, "/site/hb/", &[(header::IF_MODIFIED_SINCE, "Mon, 01 Jan 2007 00:00:00 GMT".into())])
                .await;
        assert_eq!(old.status, StatusCode::OK);

        // The first request rendered the page through every layer (the timing layer adds
        // Server-Timing); the next ones are answered from the cache before those layers, with
        // the same bytes and the same headers, security headers included.
        assert!(home.headers.contains_key("server-timing"), "the first answer went through the router");
        let cached = anyone.get("/site/hb/").await;
        assert!(!cached.headers.contains_key("server-timing"), "answered from the cache, before the layers");
        assert_eq!(cached.body, home.body);
        assert_eq!(cached.headers[header::ETAG], home.headers[header::ETAG]);
        for (name, value) in web::SECURITY_HEADERS {
            assert_eq!(home.headers[&name], value, "{name} on a rendered page");
            assert_eq!(cached.headers[&name], value, "{name} on a cached page");
            assert_eq!(again.headers[&name], value, "{name} on a 304");
        }
        assert_eq!(cached.headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let other = get_with(&mut anyone, "/site/hb/", &[(header::IF_NONE_MATCH, "\"stale\"".into())]).await;
        assert_eq!(other.status, StatusCode::OK);

        // A column, paginated: 406 website items, about a fifth of them in 要闻动态.
        let news = anyone.get("/site/hb/c/news").await;
        assert_eq!(news.status, StatusCode::OK);
        let text = news.text();
        assert_eq!(text.matches("/site/hb/posts/").count(), 20, "twenty to a page");
        assert!(text.contains("rel=\"next\" href=\"/site/hb/c/news?page=2\""));
        let page2 = anyone.get("/site/hb/c/news?page=2").await;
        assert_eq!(page2.status, StatusCode::OK);
        assert!(page2.text().contains("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/site/hb/c/news?page=2\">"));
        assert_eq!(anyone.get("/site/hb/c/news?page=99").await.status, StatusCode::NOT_FOUND);
        assert_eq!(anyone.get("/site/hb/c/nothing").await.status, StatusCode::NOT_FOUND);
        let notices = anyone.get("/site/hb/c/notices").await.text();
        assert!(notices.contains("id=\"notice-list\""), "the notices column lists the 公示");
        assert!(notices.contains("关于评选2007年度优秀通讯员的通知"));

        // An article: its title, source, authors linked to their pages; printable.
        let first = text.split("/site/hb/posts/").nth(1).unwrap().split('"').next().unwrap().to_string();
        let article = anyone.get(&format!("/site/hb/posts/{first}")).await;
        assert_eq!(article.status, StatusCode::OK);
        let a = article.text();
        assert!(a.contains("class=\"article\"") && a.contains("来源："));
        assert!(a.contains(&format!("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/site/hb/posts/{first}\">")));
        let person = a.split("/site/hb/people/").nth(1).unwrap().split('"').next().unwrap().to_string();
        let page = anyone.get(&format!("/site/hb/people/{person}")).await;
        assert_eq!(page.status, StatusCode::OK, "the author has a page");
        assert!(page.text().contains("id=\"person-posts\""));
        assert!(anyone.get("/static/portal.css").await.text().contains("@media print"));

        // Unknown things are the portal's own 404 page, not an error.
        let missing = anyone.get("/site/hb/posts/999999").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.text().contains("页面不存在") && missing.text().contains("/site/hb/"));
        assert_eq!(anyone.get("/site/hb/posts/abc").await.status, StatusCode::NOT_FOUND);
        assert_eq!(anyone.get("/site/nowhere/").await.status, StatusCode::NOT_FOUND);
        assert_eq!(anyone.get("/site").await.location(), "/site/hb/");

        // The gallery, statistics and a notice are portal pages.
        assert_eq!(anyone.get("/site/hb/gallery").await.status, StatusCode::OK);
        let stats = anyone.get("/site/hb/stats?period=2007-06").await.text();
        assert!(stats.contains("id=\"stats-ranking\"") && stats.contains("<svg"), "table and chart");
        let notice = anyone.get("/site/hb/notices/12").await;
        assert_eq!(notice.status, StatusCode::OK);
        assert!(notice.text().contains("id=\"notice-table\""));

        // Feeds: RSS and Atom for the site and for a column; the sitemap and robots.txt.
        let rss = anyone.get("/site/hb/feed.xml").await;
        assert_eq!(rss.headers[header::CONTENT_TYPE], "application/rss+xml; charset=utf-8");
        assert!(rss.headers.get(header::ETAG).is_some());
        assert_eq!(rss_titles(&rss.text()).len(), 30);
        let column_rss = anyone.get("/site/hb/c/news/feed.xml").await.text();
        assert!(column_rss.contains("<category>要闻动态</category>"));
        assert!(!column_rss.contains("<category>市州工作</category>"), "a column's feed has only that column");
        let atom = anyone.get("/site/hb/c/cities/atom.xml").await;
        assert_eq!(atom.headers[header::CONTENT_TYPE], "application/atom+xml; charset=utf-8");
        assert_eq!(atom.text().matches("<entry>").count(), 30);
        let sitemap = anyone.get("/sitemap.xml").await.text();
        assert!(sitemap.contains(&format!("<loc>http://127.0.0.1:8080/site/hb/posts/{first}</loc>")));
        assert!(sitemap.matches("<url>").count() > 406, "every live post is in the sitemap");
        assert!(anyone.get("/robots.txt").await.text().contains("Sitemap: http://127.0.0.1:8080/sitemap.xml"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_without_posts_has_feeds_dated_when_it_was_made() {
    use time::format_description::well_known::Rfc3339;
    for backend in support::backends() {
        let before = time::OffsetDateTime::now_utc().unix_timestamp();
        let app = support::bare_app(backend).await;
        let after = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut anyone = Client::new(&app);
        for path in ["/site/hb/atom.xml", "/site/hb/c/news/atom.xml"] {
            let atom = anyone.get(path).await;
            assert_eq!(atom.status, StatusCode::OK, "[{backend}] {path}");
            let xml = atom.text();
            assert_eq!(xml.matches("<entry>").count(), 0, "[{backend}] a new station has no posts");
            // Feed readers show the feed's <updated> as its date: 1970 was what a client saw.
            let updated = xml.split("<updated>").nth(1).and_then(|t| t.split("</updated>").next()).unwrap();
            let when = time::OffsetDateTime::parse(updated, &Rfc3339)
                .unwrap_or_else(|e| panic!("[{backend}] {path}: <updated>{updated}</updated> is not RFC 3339: {e}"));
            assert!(
                (before..=after).contains(&when.unix_timestamp()),
                "[{backend}] {path}: <updated>{updated}</updated> is not when the station was made"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_a_manuscript_counts_on_the_website_at_once() {
    for app in apps().await {
        let backend = app.db.backend;
        let s = &app.db.store;
        let station = s.station_by_code("hb").await.unwrap().unwrap();
        let website = station.portal_outlet_id.expect("the demo's website outlet is set");
        let mut visitor = Client::new(&app);
        // The pages are cached now.
        let home_before = visitor.get("/site/hb/").await.text();
        let feed_before = visitor.get("/site/hb/c/cities/feed.xml").await.text();
        assert!(!home_before.contains("宜昌市查处12起假冒专利案件"));

        let mut editor = Client::new(&app);
        editor.login("editor").await;
        // Manuscript 4 is the demo's accepted piece, 宜昌市查处12起假冒专利案件, by 李晓红 (武汉市).
        let page = editor.get("/manuscripts/4").await.text();
        assert!(page.contains("id=\"publish-portal\""), "[{backend}] one click from the manuscript");
        let columns = s.portal_columns(station.id).await.unwrap();
        let cities = columns.iter().find(|c| c.slug == "cities").unwrap().id.to_string();
        let today = time::OffsetDateTime::now_utc().to_offset(domain::CHINA_OFFSET).date();
        let (from, to) = (today.replace_day(1).unwrap(), today);
        let counts = |rows: Vec<(String, i64)>| rows.into_iter().find(|r| r.0 == "武汉市").map(|r| r.1).unwrap_or(0);
        let before = counts(s.outlet_counts_by_unit(station.id, website, from, to).await.unwrap());

        let r = editor.post_form("/manuscripts/4/portal", &[("column_id", &cities)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let post_id = id_from(&r.location());
        let after = counts(s.outlet_counts_by_unit(station.id, website, from, to).await.unwrap());
        assert_eq!(after, before + 1, "[{backend}] the unit's website count rose");

        // No stale page: the home page, the column and its feed show it at once.
        let home = visitor.get("/site/hb/").await.text();
        assert_ne!(home, home_before);
        assert!(home.contains("宜昌市查处12起假冒专利案件"), "the new post leads its column");
        assert!(home.contains("各单位网站采用排名"));
        let feed = visitor.get("/site/hb/c/cities/feed.xml").await.text();
        assert_ne!(feed, feed_before);
        assert_eq!(rss_titles(&feed)[0], "宜昌市查处12起假冒专利案件");
        let article = visitor.get(&format!("/site/hb/posts/{post_id}")).await.text();
        assert!(article.contains("李晓红"));
        // Publishing twice is refused; the manuscript page links the post instead.
        let again = editor.post_form("/manuscripts/4/portal", &[("column_id", &cities)]).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(editor.get("/manuscripts/4").await.text().contains("id=\"portal-post\""));
        // The statistics column counts it: the ranking of this month ranks 武汉市.
        let log = editor.get("/portal/log").await.text();
        assert!(log.contains("宜昌市查处12起假冒专利案件") && log.contains("发布"));
        // A correspondent may not publish.
        let mut writer = Client::new(&app);
        writer.login("correspondent").await;
        let denied = writer.post_form("/manuscripts/4/portal", &[("column_id", &cities)]).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_writes_previews_schedules_and_unpublishes() {
    for app in apps().await {
        let backend = app.db.backend;
        let s = &app.db.store;
        let station = s.station_by_code("hb").await.unwrap().unwrap();
        let work = s.portal_columns(station.id).await.unwrap().into_iter().find(|c| c.slug == "work").unwrap().id;
        let work = work.to_string();
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        assert_eq!(editor.get("/portal/posts/new").await.status, StatusCode::OK);

        // Bad input: every mistake at once, nothing written.
        let r = editor
            .post_form(
                "/portal/posts",
                &[("column_id", ""), ("title", ""), ("body_html", "<script>x</script>"), ("action", "publish")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let t = r.text();
        assert!(t.contains("请选择栏目") && t.contains("请填写标题") && t.contains("请填写正文"), "[{backend}] {t}");

        // A draft with hostile HTML: saved sanitised, not public, previewable by the editor.
        let body = "<p>全省通联员培训在武汉举行，学员们认真学习了新闻写作。</p><script>alert(1)</script><img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">链接</a>";
        let r = editor
            .post_form(
                "/portal/posts",
                &[
                    ("column_id", &work),
                    ("title", "通联员培训班结业"),
                    ("body_html", body),
                    ("authors", "张明远"),
                    ("action", "draft"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let id = id_from(&r.location());
        let post = s.post(station.id, domain::PostId(id)).await.unwrap();
        assert_eq!(post.status, domain::PostStatus::Draft);
        assert!(
            !post.body_html.contains("script")
                && !post.body_html.contains("onerror")
                && !post.body_html.contains("javascript")
        );
        let mut visitor = Client::new(&app);
        assert_eq!(
            visitor.get(&format!("/site/hb/posts/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "a draft is not public"
        );
        let preview = editor.get(&format!("/portal/posts/{id}/preview")).await;
        assert_eq!(preview.status, StatusCode::OK);
        assert!(preview.text().contains("预览：这篇文章尚未对公众发布"));
        assert_eq!(preview.headers[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            visitor.get(&format!("/portal/posts/{id}/preview")).await.status,
            StatusCode::SEE_OTHER,
            "login first"
        );

        // Edit, then publish: visible at once, with the author's page.
        let r = editor
            .post_form(
                &format!("/portal/posts/{id}"),
                &[
                    ("column_id", &work),
                    ("title", "全省通联员培训班结业"),
                    ("body_html", body),
                    ("authors", "张明远"),
                    ("action", "publish"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let live = visitor.get(&format!("/site/hb/posts/{id}")).await;
        assert_eq!(live.status, StatusCode::OK);
        assert!(live.text().contains("全省通联员培训班结业"));
        assert!(!live.text().contains("alert("), "no script reaches the page");
        let form = editor.get(&format!("/portal/posts/{id}")).await.text();
        assert!(form.contains("id=\"revisions\""));
        assert_eq!(form.matches("<details>").count(), 3, "create, edit, publish: {form}");

        // Search finds it at once, by a word in the middle of its sentence.
        let found = visitor.get("/site/hb/search?q=新闻写作").await.text();
        assert!(found.contains(&format!("/site/hb/posts/{id}")), "[{backend}] {found}");
        assert!(found.contains("<mark>新闻写作</mark>"));
        // The phrase as typed ranks first, above the demo's many titles with its parts
        // ("…知识产权宣传周活动", bodies with 取得).
        let r = editor
            .post_form(
                "/portal/posts",
                &[
                    ("column_id", &work),
                    ("title", "宣传周工作简报"),
                    ("body_html", "<p>全省各地认真开展知识产权宣传周活动取得实效。</p>"),
                    ("action", "publish"),
                ],
            )
            .await;
        let phrase = id_from(&r.location());
        let found = visitor.get(&format!("/site/hb/search?q={}", urlencode("宣传周活动取得"))).await.text();
        let first = found.split("id=\"search-results\"").nth(1).unwrap().split("/site/hb/posts/").nth(1).unwrap();
        assert!(first.starts_with(&format!("{phrase}\"")), "[{backend}] the exact phrase first: {found}");

        // Unpublish needs a reason; then the page is gone (410), and so is the search hit.
        let r = editor.post_form(&format!("/portal/posts/{id}/unpublish"), &[("reason", " ")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = editor.post_form(&format!("/portal/posts/{id}/unpublish"), &[("reason", "培训日期有误")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let gone = visitor.get(&format!("/site/hb/posts/{id}")).await;
        assert_eq!(gone.status, StatusCode::GONE);
        assert!(gone.text().contains("内容已撤下"));
        assert!(!visitor.get("/site/hb/search?q=新闻写作").await.text().contains(&format!("/site/hb/posts/{id}")));
        let post = s.post(station.id, domain::PostId(id)).await.unwrap();
        assert_eq!(post.unpublish_reason, "培训日期有误");

        // Scheduled: published for tomorrow is not live yet, nor searchable.
        let tomorrow = time::OffsetDateTime::now_utc().to_offset(domain::CHINA_OFFSET) + time::Duration::days(1);
        let at = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            tomorrow.year(),
            u8::from(tomorrow.month()),
            tomorrow.day(),
            tomorrow.hour(),
            tomorrow.minute()
        );
        let r = editor
            .post_form(
                "/portal/posts",
                &[
                    ("column_id", &work),
                    ("title", "明天发布的预告"),
                    ("body_html", "<p>定时发布的稿件</p>"),
                    ("publish_at", &at),
                    ("action", "publish"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let sid = id_from(&r.location());
        assert_eq!(visitor.get(&format!("/site/hb/posts/{sid}")).await.status, StatusCode::NOT_FOUND);
        assert!(editor.get("/portal?status=published").await.text().contains("定时发布"));
        assert!(!visitor.get("/site/hb/search?q=定时发布的稿件").await.text().contains(&format!("/posts/{sid}")));
    }
}

/// A PNG of `w`×`h` with a gradient.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_resized_and_served_for_good() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        editor.get("/portal/images").await;
        let picture = png(1600, 1000);
        let r = editor.upload("/portal/images", &[("alt", "")], "会场.png", &picture).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "alt text is required");
        let r =
            editor.upload("/portal/images", &[("alt", "会场")], "page.png", b"<html><script>alert(1)</script>").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "type by content, not name");
        assert!(r.text().contains("不支持的图片格式"), "{}", r.text());
        let r = editor
            .upload("/portal/images", &[("alt", "全省通联工作会议会场"), ("caption", "会议现场")], "会场.png", &picture)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let s = &app.db.store;
        let station = s.station_by_code("hb").await.unwrap().unwrap().id;
        let img = s.images(station, 1).await.unwrap().remove(0);
        assert_eq!((img.width, img.height, img.thumb_width, img.thumb_height), (1200, 750, 360, 225));
        let mut visitor = Client::new(&app);
        let display = visitor.get(&format!("/site/hb/images/{}", img.id)).await;
        assert_eq!(display.status, StatusCode::OK);
        assert_eq!(display.headers[header::CONTENT_TYPE], "image/jpeg", "re-encoded");
        assert_eq!(display.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert!(display.body.starts_with(&[0xFF, 0xD8]));
        let thumb = visitor.get(&format!("/site/hb/images/{}-thumb", img.id)).await;
        assert!(thumb.body.len() < display.body.len());
        let etag = display.headers[header::ETAG].to_str().unwrap().to_string();
        let cached =
            get_with(&mut visitor, &format!("/site/hb/images/{}", img.id), &[(header::IF_NONE_MATCH, etag)]).await;
        assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
        assert_eq!(visitor.get("/site/hb/images/999999").await.status, StatusCode::NOT_FOUND);

        // As a photo news post's cover: on the home page's strip and in the gallery.
        let photos = s.portal_columns(station).await.unwrap().into_iter().find(|c| c.slug == "photos").unwrap().id;
        let r = editor
            .post_form(
                "/portal/posts",
                &[
                    ("column_id", &photos.to_string()),
                    ("title", "全省通联工作会议召开"),
                    ("body_html", "<p>会议现场。</p>"),
                    ("cover_image_id", &img.id.to_string()),
                    ("action", "publish"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let thumb_url = format!("/site/hb/images/{}-thumb", img.id);
        let home = visitor.get("/site/hb/").await.text();
        assert!(home.contains(&thumb_url) && home.contains("alt=\"全省通联工作会议会场\""));
        assert!(visitor.get("/site/hb/gallery").await.text().contains(&thumb_url));
        assert!(visitor.get("/site/hb/c/photos").await.text().contains(&thumb_url));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_understands_chinese() {
    for app in apps().await {
        let mut visitor = Client::new(&app);
        // Words in the middle of the demo's sentences and titles.
        for word in ["维权援助", "专利标识", "写稿积极性", "知识产权"] {
            let page = visitor.get(&format!("/site/hb/search?q={}", urlencode(word))).await;
            assert_eq!(page.status, StatusCode::OK);
            let t = page.text();
            assert!(t.contains(&format!("<mark>{word}</mark>")), "{word} highlighted");
            assert!(t.contains("id=\"search-results\""));
        }
        let t = visitor.get(&format!("/site/hb/search?q={}", urlencode("知识产权"))).await.text();
        assert!(t.contains("rel=\"next\""), "many results are paginated");
        let t = visitor.get(&format!("/site/hb/search?q={}", urlencode("量子计算"))).await.text();
        assert!(t.contains("找到 0 条结果"));
        let t = visitor.get(&format!("/site/hb/search?q={}", urlencode("\"知识 AND (产权 -- :*"))).await;
        assert_eq!(t.status, StatusCode::OK, "typed syntax never errors");
        let t = visitor.get(&format!("/site/hb/search?q={}", urlencode("<script>alert(1)</script>"))).await.text();
        assert!(!t.contains("<script>alert(1)</script>"), "the query is escaped");
        assert!(!visitor.get("/site/hb/search").await.text().contains("search-results"), "no query, no results");
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Posts a visitor's form (no session, no CSRF token) with optional extra headers.
async fn post_public(c: &mut Client, path: &str, fields: &[(&str, &str)], origin: Option<&str>) -> support::Response {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter()).finish();
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::HOST, "127.0.0.1:8080");
    if let Some(o) = origin {
        req = req.header(header::ORIGIN, o);
    }
    c.send(req.body(Body::from(body)).unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_library_with_comments_and_complaints() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut visitor = Client::new(&app);
        let list = visitor.get("/site/hb/docs").await.text();
        assert!(list.contains("湖北通联站2007年宣传通联工作经验交流材料"), "[{backend}] the demo's report");
        let before_title = list.split("\">湖北通联站2007年宣传通联工作经验交流材料").next().unwrap();
        let report = before_title.rsplit("/site/hb/docs/").next().unwrap().to_string();
        let path = format!("/site/hb/docs/{report}");

        // The page previews the Word document's opening as HTML, with its figures.
        let page = visitor.get(&path).await.text();
        assert!(page.contains("id=\"doc-preview\""));
        assert!(page.contains("全年在《中国知识产权报》刊发稿件127篇"), "{page}");
        assert!(page.contains("局网站全年采用各单位信息406条"));
        assert!(page.contains("id=\"related-docs\"") && page.contains("通讯员写作要点"));
        assert!(page.contains("<span id=\"downloads\">0</span>"));

        // Downloading counts, and the count shows on the page at once.
        let file = visitor.get(&format!("{path}/download")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(
            file.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename*=UTF-8''")
        );
        assert!(file.body.starts_with(b"PK"), "the .docx itself");
        visitor.get(&format!("{path}/download")).await;
        assert!(visitor.get(&path).await.text().contains("<span id=\"downloads\">2</span>"));

        // Search finds the document's text in the middle of a sentence.
        let found = visitor.get(&format!("/site/hb/search?q={}", urlencode("改稿带新人"))).await.text();
        assert!(found.contains(&path), "[{backend}] {found}");

        // A comment waits for an editor; its text is shown as text.
        let hostile = "写得好<script>alert('xss')</script><img src=x onerror=alert(1)>";
        let r = post_public(
            &mut visitor,
            &format!("{path}/comments"),
            &[("name", "读者甲"), ("body", hostile)],
            Some("http://127.0.0.1:8080"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.location(), format!("{path}?sent=comment#comments"));
        assert!(visitor.get(&format!("{path}?sent=comment")).await.text().contains("评论已提交，编辑审核后显示。"));
        assert!(!visitor.get(&path).await.text().contains("读者甲"), "not before it is approved");
        // The honeypot: a robot's comment is thanked and dropped.
        let r = post_public(
            &mut visitor,
            &format!("{path}/comments"),
            &[("name", "bot"), ("body", "buy"), ("website", "http://spam")],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Another site's form is refused; bad input says what is wrong.
        let r = post_public(
            &mut visitor,
            &format!("{path}/comments"),
            &[("name", "x"), ("body", "y")],
            Some("https://evil.example"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = post_public(&mut visitor, &format!("{path}/comments"), &[("name", ""), ("body", "")], None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请填写称呼") && r.text().contains("请填写评论内容"));
        // Rate limit: three comments per client in ten minutes.
        for i in 0..2 {
            let r = post_public(
                &mut visitor,
                &format!("{path}/comments"),
                &[("name", "读者乙"), ("body", &format!("第{i}条"))],
                None,
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
        let r = post_public(&mut visitor, &format!("{path}/comments"), &[("name", "读者乙"), ("body", "第四条")], None)
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.text().contains("评论太频繁"));

        let mut editor = Client::new(&app);
        editor.login("editor").await;
        let pending = editor.get("/portal/comments").await.text();
        assert_eq!(pending.matches("name=\"decision\" value=\"approve\"").count(), 3, "the robot's is not there");
        assert!(!pending.contains("buy"));
        let station = app.db.store.station_by_code("hb").await.unwrap().unwrap().id;
        let first = app.db.store.comments(station, domain::CommentStatus::Pending, 10).await.unwrap();
        let hostile_id = first.iter().find(|c| c.name == "读者甲").unwrap().id;
        let r = editor.post_form(&format!("/portal/comments/{hostile_id}"), &[("decision", "approve")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shown = visitor.get(&path).await.text();
        assert!(shown.contains("读者甲"), "approved comments appear at once");
        assert!(shown.contains("写得好&#60;script&#62;alert(&#39;xss&#39;)&#60;/script&#62;"), "escaped: {shown}");
        assert!(!shown.contains("<script>alert") && !shown.contains("<img src=x"));
        let again = editor.post_form(&format!("/portal/comments/{hostile_id}"), &[("decision", "reject")]).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "decided once");

        // A complaint becomes a case; upholding it takes the document down with the reason.
        let form = visitor.get(&format!("{path}/complaint")).await;
        assert_eq!(form.status, StatusCode::OK);
        let r = post_public(
            &mut visitor,
            &format!("{path}/complaint"),
            &[
                ("kind", "copyright"),
                ("name", "某出版社"),
                ("contact", "010-12345678"),
                ("body", "第三段引用了我社图书内容，未注明出处。"),
            ],
            Some("http://127.0.0.1:8080"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let cases = editor.get("/portal/complaints").await.text();
        assert!(cases.contains("某出版社") && cases.contains("待处理"));
        let complaint = app.db.store.complaints(station, 10).await.unwrap().remove(0);
        let r = editor
            .post_form(&format!("/portal/complaints/{}", complaint.id), &[("decision", "uphold"), ("resolution", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
        let r = editor
            .post_form(
                &format!("/portal/complaints/{}", complaint.id),
                &[("decision", "uphold"), ("resolution", "引用未注明出处，已下架核实")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let gone = visitor.get(&path).await;
        assert_eq!(gone.status, StatusCode::GONE, "[{backend}]");
        assert!(gone.text().contains("引用未注明出处，已下架核实"), "the recorded reason is shown");
        assert_eq!(visitor.get(&format!("{path}/download")).await.status, StatusCode::GONE);
        assert!(!visitor.get("/site/hb/docs").await.text().contains(&path));
        let found = visitor.get(&format!("/site/hb/search?q={}", urlencode("改稿带新人"))).await.text();
        assert!(!found.contains(&path), "taken down, out of search");
        let log = app.db.store.audit_log(Some(station), 5).await.unwrap();
        assert!(log.iter().any(|a| a.action == "portal.takedown" && a.detail == "引用未注明出处，已下架核实"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_publish_documents_checked_by_content() {
    for app in apps().await {
        let mut editor = Client::new(&app);
        editor.login("editor").await;
        editor.get("/portal/docs").await;
        let r = editor
            .upload("/portal/docs", &[("title", "假PDF")], "report.pdf", b"<html><script>alert(1)</script></html>")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "type by content");
        let gbk = encoding_rs::GBK.encode("宣传工作要点\n各单位要按时报送信息统计表。").0.into_owned();
        let r = editor
            .upload(
                "/portal/docs",
                &[("title", ""), ("author", "张明远"), ("summary", "GBK编码的文本")],
                "要点.txt",
                &gbk,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = editor.upload("/portal/docs", &[("author", "不存在的人")], "a.txt", "正文".as_bytes()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("通讯员“不存在的人”不存在"));
        let mut visitor = Client::new(&app);
        let list = visitor.get("/site/hb/docs").await.text();
        assert!(list.contains(">要点</a>"), "the file name is the title when none is given: {list}");
        let id = list.split("/site/hb/docs/").nth(1).unwrap().split('"').next().unwrap().to_string();
        let page = visitor.get(&format!("/site/hb/docs/{id}")).await.text();
        assert!(page.contains("各单位要按时报送信息统计表。"), "GBK text decoded: {page}");
        // The contributor's page lists the document.
        let person = page.split("/site/hb/people/").nth(1).unwrap().split('"').next().unwrap().to_string();
        assert!(visitor.get(&format!("/site/hb/people/{person}")).await.text().contains("id=\"person-docs\""));
        // An editor takes a document down directly, with a reason.
        let r = editor.post_form(&format!("/portal/docs/{id}/takedown"), &[("reason", "")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = editor.post_form(&format!("/portal/docs/{id}/takedown"), &[("reason", "内容已过时")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(visitor.get(&format!("/site/hb/docs/{id}")).await.status, StatusCode::GONE);
    }
}
