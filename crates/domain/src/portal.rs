//! The public portal's rules: its default columns, the post an editor writes (with its rich
//! text sanitised here, so no script can reach a page whichever door the text came in by),
//! visitors' comments and complaints, and the text helpers that turn HTML into summaries and
//! search text.

use crate::{
    ColumnKind, ComplaintKind, CorrespondentId, FieldErrors, ImageId, PortalColumnId, UnitId, check_text_field,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::LazyLock;

/// The columns every station starts with: slug (in URLs), name, kind. From the seed's
/// website (要闻动态, 工作报道, 市州工作, 图片新闻, the statistics column) plus notices.
pub const DEFAULT_COLUMNS: &[(&str, &str, ColumnKind)] = &[
    ("news", "要闻动态", ColumnKind::News),
    ("work", "工作报道", ColumnKind::News),
    ("cities", "市州工作", ColumnKind::News),
    ("photos", "图片新闻", ColumnKind::Photos),
    ("notices", "通知公告", ColumnKind::Notices),
    ("stats", "统计专栏", ColumnKind::Stats),
];

/// Words a column slug may not be, because the portal's own pages use them in URLs.
const RESERVED_SLUGS: &[&str] =
    &["posts", "images", "docs", "people", "search", "gallery", "feed", "atom", "notices-list", "comments", "c"];

pub const MAX_SUBTITLE: usize = 200;
/// The longest rich text accepted, in bytes of HTML (a long report with tables fits).
pub const MAX_POST_HTML: usize = 400_000;
pub const MAX_ALT: usize = 200;
pub const MAX_COMMENT: usize = 1000;
pub const MAX_REASON: usize = 500;

/// A portal column as the station configures it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ColumnInput {
    pub name: String,
    /// Lower-case letters, digits and hyphens: the column's address, /site/{station}/c/{slug}.
    pub slug: String,
    pub kind: ColumnKind,
    /// Order on the home page and in the navigation, smallest first.
    pub position: i32,
    pub show_on_home: bool,
}

impl ColumnInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.name = self.name.trim().to_string();
        self.slug = self.slug.trim().to_ascii_lowercase();
        check_text_field(&mut e, "name", "栏目名称", &self.name, crate::MAX_NAME, true);
        if let Err(m) = check_slug(&self.slug) {
            e.push("slug", m);
        }
        e.into_result(self)
    }
}

/// A column's address: 1–32 of a–z, 0–9 and '-', not starting with '-', not a reserved word.
pub fn check_slug(slug: &str) -> Result<(), String> {
    let ok_chars = slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if slug.is_empty() || slug.len() > 32 || !ok_chars || slug.starts_with('-') {
        return Err("栏目地址只能由1到32个小写字母、数字和连字符组成".into());
    }
    if RESERVED_SLUGS.contains(&slug) {
        return Err(format!("“{slug}”是门户保留的地址，请换一个"));
    }
    Ok(())
}

/// A post as an editor writes it. `body_html` is sanitised by `validate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PostInput {
    pub column_id: PortalColumnId,
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    /// Rich text; anything outside a safe list of tags and attributes is removed.
    pub body_html: String,
    /// The unit the piece came from (来源).
    pub source_unit_id: Option<UnitId>,
    /// The byline as printed, e.g. "张三 李四" or "本站记者".
    #[serde(default)]
    pub byline: String,
    /// The network's correspondents among the authors, for their contributor pages.
    #[serde(default)]
    pub authors: Vec<CorrespondentId>,
    pub cover_image_id: Option<ImageId>,
    /// When the post goes live (unix seconds); none means at once when published. A time in
    /// the future makes a published post scheduled.
    pub publish_at: Option<i64>,
}

impl PostInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.title = self.title.trim().to_string();
        self.subtitle = self.subtitle.trim().to_string();
        self.byline = self.byline.trim().to_string();
        check_text_field(&mut e, "title", "标题", &self.title, crate::MAX_TITLE, true);
        check_text_field(&mut e, "subtitle", "副标题", &self.subtitle, MAX_SUBTITLE, false);
        check_text_field(&mut e, "byline", "作者署名", &self.byline, crate::MAX_NAME * 2, false);
        if self.body_html.len() > MAX_POST_HTML {
            e.push("body_html", format!("正文不能超过{}KB", MAX_POST_HTML / 1000));
        }
        self.body_html = sanitize_html(&self.body_html);
        if html_to_text(&self.body_html).trim().is_empty() && !self.body_html.contains("<img") {
            e.push("body_html", "请填写正文");
        }
        let mut seen = HashSet::new();
        self.authors.retain(|a| seen.insert(*a));
        e.into_result(self)
    }
}

/// The sanitiser: ammonia's safe list (no script, style, event handlers or javascript: URLs),
/// links opened without passing the portal's window to the target.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .add_tags(["figure", "figcaption"])
        .add_tag_attributes("img", ["width", "height"])
        .add_tag_attributes("td", ["colspan", "rowspan"])
        .add_tag_attributes("th", ["colspan", "rowspan"]);
    b
});

/// Rich text made safe to show: what survives is structure and text, never code.
pub fn sanitize_html(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

/// Plain text as HTML paragraphs: a manuscript's body, published as a post.
pub fn text_to_html(text: &str) -> String {
    let mut out = String::new();
    for para in text.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        out.push_str(&crate::text::escape_html(para));
        out.push_str("</p>\n");
    }
    out
}

/// The text of (sanitised) HTML: tags dropped, block ends as new lines, entities decoded.
/// For summaries, feed descriptions, search and word counts.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[lt + 1..lt + gt].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if matches!(
            name.as_str(),
            "p" | "br" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "blockquote" | "figcaption"
        ) && !out.ends_with('\n')
            && !out.is_empty()
        {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    out.trim().to_string()
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// The first `max` characters of a text on one line, with "…" when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max).collect();
    cut.push('…');
    cut
}

/// A visitor's comment on a document or post. `website` is the honeypot: a field hidden
/// from people, which only robots fill in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CommentInput {
    pub name: String,
    pub body: String,
    #[serde(default)]
    pub website: String,
}

impl CommentInput {
    /// True when a robot filled the hidden field: the comment is dropped silently.
    pub fn is_robot(&self) -> bool {
        !self.website.trim().is_empty()
    }

    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.name = self.name.trim().to_string();
        self.body = self.body.trim().to_string();
        check_text_field(&mut e, "name", "称呼", &self.name, crate::MAX_NAME, true);
        check_text_field(&mut e, "body", "评论内容", &self.body, MAX_COMMENT, true);
        e.into_result(self)
    }
}

/// A copyright or error complaint (版权申诉) about a document or post.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ComplaintInput {
    pub kind: ComplaintKind,
    pub name: String,
    pub contact: String,
    pub body: String,
}

impl ComplaintInput {
    pub fn validate(mut self) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        self.name = self.name.trim().to_string();
        self.contact = self.contact.trim().to_string();
        self.body = self.body.trim().to_string();
        check_text_field(&mut e, "name", "姓名或单位", &self.name, crate::MAX_NAME, true);
        check_text_field(&mut e, "contact", "联系方式", &self.contact, crate::MAX_NAME * 2, true);
        check_text_field(&mut e, "body", "申诉内容", &self.body, crate::MAX_TEXT * 2, true);
        e.into_result(self)
    }
}

/// A reason for unpublishing a post or taking a document down: required, kept in the record.
pub fn check_reason(reason: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::default();
    let r = reason.trim().to_string();
    check_text_field(&mut e, "reason", "原因", &r, MAX_REASON, true);
    e.into_result(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(body: &str) -> PostInput {
        PostInput {
            column_id: PortalColumnId(1),
            title: " 标题 ".into(),
            subtitle: String::new(),
            body_html: body.into(),
            source_unit_id: None,
            byline: String::new(),
            authors: vec![CorrespondentId(3), CorrespondentId(3), CorrespondentId(4)],
            cover_image_id: None,
            publish_at: None,
        }
    }

    #[test]
    fn sanitising_removes_every_way_to_run_code() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<svg onload=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<body onload=alert(1)>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<a href=\"&#106;avascript:alert(1)\">y</a>",
            "<object data=\"x.swf\"></object><embed src=x>",
        ];
        for p in payloads {
            let clean = sanitize_html(p).to_ascii_lowercase();
            for bad in ["<script", "onerror", "onload", "javascript:", "<iframe", "<svg", "style=", "<object", "<embed"]
            {
                assert!(!clean.contains(bad), "{p} -> {clean}");
            }
        }
    }

    #[test]
    fn sanitising_keeps_structure() {
        let html = "<h2>标题</h2><p>正文<strong>加粗</strong><a href=\"https://example.com\">链接</a></p>\
                    <table><tr><td colspan=\"2\">格</td></tr></table>";
        let clean = sanitize_html(html);
        assert!(clean.contains("<h2>标题</h2>"));
        assert!(clean.contains("<strong>加粗</strong>"));
        assert!(clean.contains("rel=\"noopener noreferrer nofollow\""));
        assert!(clean.contains("colspan=\"2\""));
    }

    #[test]
    fn a_post_is_trimmed_sanitised_and_needs_text() {
        let p = post("<p>你好<script>x</script></p>").validate().unwrap();
        assert_eq!(p.title, "标题");
        assert_eq!(p.body_html, "<p>你好</p>");
        assert_eq!(p.authors, vec![CorrespondentId(3), CorrespondentId(4)]);
        let e = post("<script>only code</script>").validate().unwrap_err();
        assert_eq!(e.get("body_html"), Some("请填写正文"));
        let mut long = post("<p>x</p>");
        long.title = "长".repeat(crate::MAX_TITLE + 1);
        assert!(long.validate().unwrap_err().get("title").is_some());
    }

    #[test]
    fn html_becomes_text_and_back() {
        let html = "<h2>一、概况</h2><p>全年 &lt;127&gt; 篇&amp;条</p><ul><li>甲</li><li>乙</li></ul>";
        assert_eq!(html_to_text(html), "一、概况\n全年 <127> 篇&条\n甲\n乙");
        assert_eq!(text_to_html("第一段\n\n <b>第二段</b> "), "<p>第一段</p>\n<p>&lt;b&gt;第二段&lt;/b&gt;</p>\n");
        assert_eq!(excerpt("一二三四五", 3), "一二三…");
        assert_eq!(excerpt("一 \n 二", 10), "一 二");
    }

    #[test]
    fn slugs() {
        assert!(check_slug("news").is_ok());
        assert!(check_slug("city-2").is_ok());
        assert!(check_slug("").is_err());
        assert!(check_slug("新闻").is_err());
        assert!(check_slug("posts").is_err());
        assert!(check_slug("-x").is_err());
        for (slug, _, _) in DEFAULT_COLUMNS {
            assert!(check_slug(slug).is_ok(), "{slug}");
        }
    }

    #[test]
    fn comments_and_complaints() {
        let c = CommentInput { name: " 读者 ".into(), body: "很好".into(), website: String::new() };
        assert!(!c.is_robot());
        assert_eq!(c.validate().unwrap().name, "读者");
        let robot = CommentInput { name: "a".into(), body: "b".into(), website: "http://spam".into() };
        assert!(robot.is_robot());
        let empty = CommentInput { name: String::new(), body: "x".repeat(MAX_COMMENT + 1), website: String::new() };
        let e = empty.validate().unwrap_err();
        assert!(e.get("name").is_some() && e.get("body").is_some());
        assert!(check_reason("  ").is_err());
        assert_eq!(check_reason(" 侵权 ").unwrap(), "侵权");
    }
}
