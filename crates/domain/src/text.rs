//! The one boundary for text that comes from outside: form fields, JSON strings, multipart
//! fields, spreadsheet cells and uploaded file names all pass through here before anything
//! else reads them (the web layer calls [`clean`] on every string of a request body, the
//! import reads every cell through [`crate::table::Cell::text`]).
//!
//! What [`clean`] does, and nothing more:
//! - `\r\n` and a lone `\r` become `\n`, so text typed in any browser or sheet is stored alike;
//! - the other C0 control characters (U+0000..U+001F) except tab and newline are removed,
//!   and so are DEL (U+007F) and the C1 range (U+0080..U+009F): none of them is ever typed on
//!   purpose, several are invalid in XML 1.0 (feeds, `.docx`, `.xlsx`) and some confuse
//!   terminals and logs. (A Rust `&str` cannot hold a lone surrogate, so there is nothing to do
//!   for those.)
//!
//! Whitespace is not trimmed here: each field's own validation decides that.
//!
//! The way text goes out again into markup is here too: [`escape_html`] (and its
//! char-at-a-time [`push_escaped`]) is the one escaper for HTML pages, feeds and SVG.

use std::borrow::Cow;

/// Longest text accepted in one field of a form or a JSON body, in characters, unless the field
/// is one of [`LONG_FIELDS`]. The specific limits of each record (titles, names, notes) are in
/// its validation and are much shorter; this one keeps a stray megabyte out of every field
/// that has no limit of its own (search words, filters, comments, reasons).
pub const MAX_FIELD: usize = 20_000;

/// Longest text of a field that holds a whole document, in characters: a manuscript's body
/// (itself limited to [`crate::MAX_BODY`]), a portal post's HTML (limited to
/// [`crate::portal::MAX_POST_HTML`] bytes), a policy's or award rules' TOML source and the
/// annual report's sections.
pub const MAX_LONG_FIELD: usize = 400_000;

/// The fields, by name, that may be as long as [`MAX_LONG_FIELD`].
pub const LONG_FIELDS: &[&str] = &["body", "body_html", "source", "intro", "plans", "practices"];

/// The longest uploaded file name kept, in characters (the extension included).
pub const MAX_FILE_NAME: usize = 120;

/// The limit of a field of this name: [`MAX_LONG_FIELD`] or [`MAX_FIELD`].
pub fn field_limit(name: &str) -> usize {
    if LONG_FIELDS.contains(&name) { MAX_LONG_FIELD } else { MAX_FIELD }
}

/// Whether [`clean`] drops this character.
pub fn is_dropped(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n' && c != '\r') || c == '\u{7f}'
}

/// Whether [`clean`] would change this text.
pub fn needs_cleaning(s: &str) -> bool {
    s.chars().any(|c| c == '\r' || is_dropped(c))
}

/// The text with line ends made `\n` and control characters other than tab and newline removed
/// (see the module's documentation).
pub fn clean(s: &str) -> String {
    clean_cow(s).into_owned()
}

/// [`clean`] without a copy when there is nothing to change.
pub fn clean_cow(s: &str) -> Cow<'_, str> {
    if !needs_cleaning(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else if !is_dropped(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`clean`], then trimmed (control characters at the ends may hide spaces behind them);
/// without a copy when there is nothing to remove but the surrounding whitespace.
pub fn clean_trimmed(s: &str) -> Cow<'_, str> {
    match clean_cow(s) {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
        Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
    }
}

/// Cleans a string in place, without a copy when there is nothing to change.
pub fn clean_in_place(s: &mut String) {
    if needs_cleaning(s) {
        *s = clean(s);
    }
}

/// The Chinese message for a field longer than `max` characters, or `None`.
pub fn length_problem(label: &str, value: &str, max: usize) -> Option<String> {
    // Counting stops at the limit: a huge value costs no more than a short one.
    (value.chars().nth(max).is_some()).then(|| format!("“{label}”不能超过{max}个字"))
}

/// An uploaded file's name reduced to a safe base name: whatever precedes the last `/` or `\`
/// (a browser's or an attacker's path) is dropped, and so are control characters, leading dots
/// and spaces (no `..`, no hidden files) and characters Windows refuses in names; the name is
/// cut to [`MAX_FILE_NAME`] characters keeping its extension. Chinese is kept. A name with
/// nothing left becomes `file` (with its extension, if one survives).
pub fn safe_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|')).collect();
    let name = cleaned.trim().trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !e.is_empty() && e.chars().count() <= 10 => (s, Some(e)),
        _ => (name, None),
    };
    let ext_len = ext.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(MAX_FILE_NAME.saturating_sub(ext_len)).collect();
    let stem = stem.trim_end_matches(['.', ' ']);
    let stem = if stem.is_empty() { "file" } else { stem };
    match ext {
        Some(e) => format!("{stem}.{e}"),
        None => stem.to_string(),
    }
}

/// Whether XML 1.0 allows this character (its `Char` production).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The text without the characters XML 1.0 forbids, for writers of feeds and documents that
/// may meet rows stored before [`clean`] guarded the input.
pub fn xml_safe(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|c| is_xml_char(*c)).collect())
    }
}

/// Text for HTML or XML content and attribute values (quoted either way): `&`, `<`, `>`, `"`
/// and `'` become entities, and the characters XML 1.0 forbids are dropped (rows stored before
/// [`clean`] guarded the input may hold `\u{1}`; one of them makes a feed unreadable).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// One character of [`escape_html`], for writers that put markup between characters.
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c if is_xml_char(c) => out.push(c),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_html_escapes_the_five_and_keeps_chinese() {
        assert_eq!(
            escape_html(r#"<a href="x">'知识产权' & 通联</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;知识产权&#39; &amp; 通联&lt;/a&gt;"
        );
        assert_eq!(escape_html("&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
        assert_eq!(escape_html("湖北通联站 😀\t\n"), "湖北通联站 😀\t\n");
        assert_eq!(escape_html("标\u{1}题\u{8}\u{fffe}"), "标题", "no character XML forbids");
        let mut out = String::from("<mark>");
        push_escaped(&mut out, '&');
        push_escaped(&mut out, '专');
        assert_eq!(out, "<mark>&amp;专");
    }

    #[test]
    fn clean_drops_controls_and_keeps_tab_newline_and_chinese() {
        assert_eq!(clean("专利\u{1}工作\u{8}推进会"), "专利工作推进会");
        assert_eq!(clean("a\tb\nc"), "a\tb\nc");
        assert_eq!(clean("a\r\nb\rc\n\rd"), "a\nb\nc\n\nd");
        assert_eq!(clean("\u{0}\u{1b}[31m红\u{7f}\u{85}\u{9f}"), "[31m红");
        assert_eq!(clean("标题 😀 \u{200b}"), "标题 😀 \u{200b}");
        assert!(matches!(clean_cow("不用改"), Cow::Borrowed(_)));
        let mut s = String::from("x\u{2}y");
        clean_in_place(&mut s);
        assert_eq!(s, "xy");
    }

    #[test]
    fn every_control_character_but_tab_and_newline_goes() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let out = clean(&format!("a{c}b"));
            if c == '\t' || c == '\n' {
                assert_eq!(out, format!("a{c}b"));
            } else if c == '\r' {
                assert_eq!(out, "a\nb");
            } else {
                assert_eq!(out, "ab", "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(length_problem("标题", &"字".repeat(5), 5), None);
        assert_eq!(length_problem("标题", &"字".repeat(6), 5).as_deref(), Some("“标题”不能超过5个字"));
        assert_eq!(field_limit("body"), MAX_LONG_FIELD);
        assert_eq!(field_limit("title"), MAX_FIELD);
    }

    #[test]
    fn file_names_become_safe_base_names() {
        assert_eq!(safe_file_name("../../../etc/x.docx"), "x.docx");
        assert_eq!(safe_file_name("..\\..\\windows\\报告.docx"), "报告.docx");
        assert_eq!(safe_file_name("C:\\Users\\张三\\Desktop\\2007年通联工作总结.xlsx"), "2007年通联工作总结.xlsx");
        assert_eq!(safe_file_name(".."), "file");
        assert_eq!(safe_file_name(""), "file");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("a\u{0}b\nc.csv"), "abc.csv");
        assert_eq!(safe_file_name("what?<x>|.csv"), "whatx.csv");
        assert_eq!(safe_file_name("...docx"), "docx");
        let long = format!("{}.docx", "长".repeat(500));
        let safe = safe_file_name(&long);
        assert_eq!(safe.chars().count(), MAX_FILE_NAME);
        assert!(safe.ends_with("长.docx"));
    }

    #[test]
    fn xml_safe_keeps_only_xml_characters() {
        assert_eq!(xml_safe("a\u{1}b\u{8}c\u{fffe}d\te"), "abcd\te");
        assert!(matches!(xml_safe("通联 \n"), Cow::Borrowed(_)));
    }
}
