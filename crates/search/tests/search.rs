//! Behaviour of the search index as the portal uses it.

use search::{DocKind, SearchDoc, SearchIndex, SearchResults};

const STATION: i64 = 1;

fn doc(id: i64, title: &str, body: &str, published: i64) -> SearchDoc {
    SearchDoc {
        kind: DocKind::Post,
        id,
        station_id: STATION,
        title: title.to_owned(),
        body: body.to_owned(),
        published,
        column: "工作动态".to_owned(),
    }
}

fn index_with(docs: Vec<SearchDoc>) -> SearchIndex {
    let index = SearchIndex::new().expect("new index");
    index.upsert_many(docs).expect("index docs");
    index
}

fn search(index: &SearchIndex, query: &str) -> SearchResults {
    index.search(STATION, query, 1, 20).unwrap_or_else(|e| panic!("search {query:?}: {e}"))
}

fn ids(index: &SearchIndex, query: &str) -> Vec<i64> {
    search(index, query).hits.iter().map(|h| h.id).collect()
}

#[test]
fn chinese_words_inside_a_sentence_are_found() {
    let index = index_with(vec![
        doc(1, "全省工作简报", "湖北省知识产权局召开全省通联工作会议", 100),
        doc(2, "其他", "今天天气很好，适合出行。", 100),
    ]);
    for query in ["知识产权", "通联", "工作会议", "召开", "产权局", "湖北", "全省通联", "局", "议"]
    {
        assert_eq!(ids(&index, query), [1], "query {query:?}");
    }
}

#[test]
fn words_that_are_not_there_are_not_found() {
    let index = index_with(vec![doc(1, "全省工作简报", "湖北省知识产权局召开全省通联工作会议", 100)]);
    // "局长" is absent, though "局" is there; "环境保护" shares no word; "识产权局召" is
    // there but "会召" (characters of the text, not next to each other) is not.
    for query in ["环境保护", "知识产权局长", "会召", "WIPO", "2007"] {
        assert_eq!(search(&index, query).total, 0, "query {query:?}");
    }
}

#[test]
fn every_word_of_the_query_is_required() {
    let index = index_with(vec![
        doc(1, "知识产权培训班开班", "为期三天。", 100),
        doc(2, "知识产权宣传周", "全省开展宣传。", 100),
        doc(3, "通联员培训", "培训通联员。", 100),
    ]);
    assert_eq!(ids(&index, "知识产权 培训"), [1]);
    assert_eq!(ids(&index, "培训 知识产权"), [1]);
    // Typed without a space, jieba splits it into the same two words.
    assert_eq!(ids(&index, "知识产权培训"), [1]);
}

#[test]
fn unspaced_query_finds_words_apart_and_ranks_the_exact_phrase_first() {
    let index = index_with(vec![
        // Shorter and newer, so it would win on BM25 alone.
        doc(1, "通知", "知识产权业务培训", 200),
        doc(2, "通知", "关于举办知识产权培训的通知，请各单位认真组织报名", 100),
    ]);
    assert_eq!(ids(&index, "知识产权培训"), [2, 1]);
}

#[test]
fn title_matches_rank_above_body_matches() {
    let index = index_with(vec![
        // Newer, and says it three times, but only in the body.
        doc(1, "工作动态", "本周开展培训。培训内容丰富。培训效果良好。", 300),
        doc(2, "培训通知", "请各单位按时参加。", 100),
    ]);
    let results = search(&index, "培训");
    assert_eq!(results.hits.iter().map(|h| h.id).collect::<Vec<_>>(), [2, 1]);
    assert!(results.hits[0].score > results.hits[1].score);
}

#[test]
fn equal_scores_put_the_newer_document_first() {
    let index = index_with(vec![
        doc(1, "通联工作", "内容相同", 100),
        doc(2, "通联工作", "内容相同", 300),
        doc(3, "通联工作", "内容相同", 200),
    ]);
    let results = search(&index, "通联");
    assert_eq!(results.hits.iter().map(|h| h.id).collect::<Vec<_>>(), [2, 3, 1]);
    assert_eq!(results.hits[0].score, results.hits[2].score);
}

#[test]
fn stations_do_not_see_each_other() {
    let mut other = doc(2, "通联工作", "另一个站点的通联", 100);
    other.station_id = 2;
    let index = index_with(vec![doc(1, "通联工作", "本站的通联", 100), other]);
    assert_eq!(ids(&index, "通联"), [1]);
    assert_eq!(index.search(2, "通联", 1, 20).expect("search").hits.iter().map(|h| h.id).collect::<Vec<_>>(), [2]);
    assert_eq!(index.search(3, "通联", 1, 20).expect("search").total, 0);
}

#[test]
fn upsert_replaces_and_is_visible_at_once() {
    let index = index_with(vec![doc(1, "旧标题", "旧的正文内容", 100)]);
    assert_eq!(ids(&index, "旧的正文"), [1]);
    index.upsert(doc(1, "新标题", "新的正文内容", 100)).expect("upsert");
    assert_eq!(search(&index, "旧的正文").total, 0, "old text still found");
    assert_eq!(search(&index, "旧标题").total, 0, "old title still found");
    assert_eq!(ids(&index, "新的正文"), [1]);
    assert_eq!(ids(&index, "正文内容"), [1], "replaced, not added");
    assert_eq!(index.num_docs(), 1);
}

#[test]
fn kinds_are_separate_identities() {
    let index = index_with(vec![
        doc(7, "通联", "帖子", 100),
        SearchDoc { kind: DocKind::Document, ..doc(7, "通联", "文件", 100) },
    ]);
    assert_eq!(search(&index, "通联").total, 2);
    index.remove(DocKind::Post, 7).expect("remove");
    let results = search(&index, "通联");
    assert_eq!(results.hits.len(), 1);
    assert_eq!((results.hits[0].kind, results.hits[0].id), (DocKind::Document, 7));
}

#[test]
fn remove_and_clear() {
    let index = index_with(vec![doc(1, "通联", "甲", 100), doc(2, "通联", "乙", 100)]);
    index.remove(DocKind::Post, 1).expect("remove");
    index.remove(DocKind::Post, 99).expect("removing a missing doc is fine");
    assert_eq!(ids(&index, "通联"), [2]);
    index.clear().expect("clear");
    assert_eq!(search(&index, "通联").total, 0);
    assert_eq!(index.num_docs(), 0);
}

#[test]
fn pages_cover_all_hits_without_overlap() {
    let docs = (1..=25).map(|i| doc(i, &format!("第{i}期通联简报"), "通联工作", 1000 + i)).collect();
    let index = index_with(docs);
    let mut seen = Vec::new();
    for (page, len) in [(1, 10), (2, 10), (3, 5), (4, 0)] {
        let results = index.search(STATION, "通联", page, 10).expect("search");
        assert_eq!((results.total, results.page, results.per_page, results.pages()), (25, page, 10, 3));
        assert_eq!(results.hits.len(), len, "page {page}");
        seen.extend(results.hits.iter().map(|h| h.id));
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=25).collect::<Vec<_>>());
    // Out-of-range arguments are clamped, not errors.
    assert_eq!(
        index.search(STATION, "通联", 0, 10).expect("page 0"),
        index.search(STATION, "通联", 1, 10).expect("page 1")
    );
    assert_eq!(index.search(STATION, "通联", 1, 0).expect("per_page 0").hits.len(), 1);
    assert_eq!(index.search(STATION, "通联", 1, usize::MAX).expect("huge").per_page, SearchIndex::MAX_PER_PAGE);
    let far = index.search(STATION, "通联", usize::MAX, 10).expect("far page");
    assert_eq!((far.total, far.hits.len()), (25, 0));
}

#[test]
fn matches_are_marked_and_everything_else_escaped() {
    let index = index_with(vec![doc(
        1,
        "<script>alert('知识产权')</script> & \"通联\"",
        "<b>湖北省</b>知识产权局召开全省通联工作会议 & more",
        100,
    )]);
    let hit = &search(&index, "知识产权 通联").hits[0];
    assert_eq!(
        hit.title_html,
        "&lt;script&gt;alert(&#39;<mark>知识产权</mark>&#39;)&lt;/script&gt; &amp; &quot;<mark>通联</mark>&quot;"
    );
    assert_eq!(
        hit.snippet_html,
        "&lt;b&gt;湖北省&lt;/b&gt;<mark>知识产权</mark>局召开全省<mark>通联</mark>工作会议 &amp; more"
    );
    assert_eq!(hit.column, "工作动态");
    assert_eq!((hit.kind, hit.published), (DocKind::Post, 100));
}

#[test]
fn snippet_is_short_and_around_the_match() {
    let body = format!("{}。全省通联工作会议在武汉召开。{}", "前文".repeat(200), "后文".repeat(200));
    let index = index_with(vec![doc(1, "标题", &body, 100)]);
    let hit = &search(&index, "通联").hits[0];
    let text = hit.snippet_html.replace("<mark>", "").replace("</mark>", "");
    assert!(hit.snippet_html.contains("全省<mark>通联</mark>工作会议在武汉召开"), "{}", hit.snippet_html);
    assert!(text.chars().count() <= 122, "{text}");
    assert!(text.starts_with('…') && text.ends_with('…'));
    // Title-only hit: the snippet is the start of the body.
    let hit = &search(&index, "标题").hits[0];
    assert!(hit.snippet_html.starts_with("前文前文") && !hit.snippet_html.contains("<mark>"));
}

#[test]
fn query_syntax_typed_by_users_never_errors() {
    let index = index_with(vec![doc(1, "知识产权培训", "WIPO 2007 年度报告", 100)]);
    for query in [
        "\"知识产权",
        "知识产权\"",
        "title:知识产权",
        "知识产权:",
        "(知识产权",
        "知识产权)",
        "[2007 TO 2008]",
        "{}",
        "知识产权*",
        "*",
        "?",
        "-知识产权",
        "+知识产权",
        "知识产权~2",
        "知识产权^3",
        "AND",
        "OR NOT",
        "知识产权 AND",
        "\\",
        "/wipo/",
        "!",
        "&&||",
        "IN [",
        "",
        "   ",
        "\t\n",
        "，。；！",
    ] {
        assert!(index.search(STATION, query, 1, 10).is_ok(), "query {query:?}");
    }
    // The words around the syntax still count.
    for query in ["\"知识产权\"", "(知识产权)", "知识产权*", "-知识产权", "知识产权 AND 培训", "知识产权 OR WIPO"]
    {
        assert_eq!(ids(&index, query), [1], "query {query:?}");
    }
    assert_eq!(search(&index, "").total, 0);
    assert_eq!(search(&index, " *: ").total, 0);
}

#[test]
fn ascii_and_mixed_text() {
    let index = index_with(vec![
        doc(1, "WIPO发布2007年度报告", "世界知识产权组织（ＷＩＰＯ）发布G20峰会相关报告", 100),
        doc(2, "其他", "wipond and wipos are other words", 100),
    ]);
    for query in
        ["WIPO", "wipo", "Wipo", "ＷＩＰＯ", "2007", "２００７", "WIPO知识产权", "g20峰会", "2007年度", "wipo 报告"]
    {
        assert_eq!(ids(&index, query), [1], "query {query:?}");
    }
    assert_eq!(search(&index, "WIP").total, 0, "ASCII words match whole, not by prefix");
    let hit = &search(&index, "wipo").hits[0];
    assert_eq!(hit.title_html, "<mark>WIPO</mark>发布2007年度报告");
    assert!(hit.snippet_html.contains("（<mark>ＷＩＰＯ</mark>）"), "{}", hit.snippet_html);
}

#[test]
fn clones_share_one_index_across_threads() {
    fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
    assert_shareable::<SearchIndex>();
    let index = SearchIndex::new().expect("new index");
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let index = index.clone();
            std::thread::spawn(move || {
                for i in 0..5 {
                    index.upsert(doc(t * 10 + i, "通联", "并发写入", 100)).expect("upsert");
                    index.search(STATION, "通联", 1, 10).expect("search");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("thread");
    }
    assert_eq!(search(&index, "并发写入").total, 20);
}

#[test]
fn scheduled_documents_are_found_only_once_their_time_has_come() {
    let index = index_with(vec![
        doc(1, "已发布的会议消息", "通联工作会议", 100),
        doc(2, "定时发布的会议消息", "通联工作会议", 500),
    ]);
    let until = |t: i64| -> Vec<i64> {
        index.search_until(STATION, "通联", Some(t), 1, 20).unwrap().hits.iter().map(|h| h.id).collect()
    };
    assert_eq!(until(99), Vec::<i64>::new());
    assert_eq!(until(100), vec![1]);
    assert_eq!(until(499), vec![1]);
    assert_eq!(until(500), vec![2, 1], "newest first on equal scores");
    assert_eq!(index.search_until(STATION, "通联", Some(499), 1, 20).unwrap().total, 1);
}

#[test]
fn the_exact_phrase_in_a_body_ranks_above_its_segments_in_titles() {
    // The demo's case: "宣传周活动取得" is split into 宣传周 / 活动 / 取得; titles with
    // 宣传周 and 活动 (apart) must not outrank the one body that has the phrase itself.
    let mut docs: Vec<SearchDoc> = (1..=12)
        .map(|i| {
            let body = "2007年4月26日，武汉市开展“4·26”知识产权宣传周活动。活动期间，工作人员深入企业和园区，\
                        向群众发放宣传资料。此次活动得到了当地电视台的大力支持，取得了良好的社会效果。";
            doc(i, "武汉市开展“4·26”知识产权宣传周活动", body, 100 + i)
        })
        .collect();
    docs.push(doc(99, "全省通联员培训班结业", "全省各地认真开展知识产权宣传周活动取得实效，学员们收获很大。", 50));
    let index = index_with(docs);
    assert_eq!(ids(&index, "宣传周活动取得").first(), Some(&99));
}
