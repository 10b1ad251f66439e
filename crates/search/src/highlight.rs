//! Highlighting: titles and body snippets as HTML-escaped text with the query's words wrapped in
//! `<mark>…</mark>`.
//!
//! Why not tantivy's `SnippetGenerator`: it marks whole index tokens, which for the bigram field
//! means any character pair of the query wherever it occurs (searching "知识产权" would also
//! mark a lone "产权" or "识产" elsewhere); it measures its window in bytes (three per Chinese
//! character); and it starts the snippet at the first matching token, with no context before.
//! Matching the query's words as substrings, folded the same way as the index, marks exactly
//! what the search matched.

use domain::text::push_escaped;
use std::ops::Range;

use crate::analysis::{Class, class, fold};

/// Longest snippet, in characters of text (an ellipsis is added at each end that was cut).
pub(crate) const SNIPPET_CHARS: usize = 120;

/// Characters of context kept before the first match, when the text is longer than a snippet.
const LEAD_CHARS: usize = 20;

/// Search strings, each already folded (see `analysis::fold`) and non-empty.
pub(crate) struct Needles(Vec<Vec<char>>);

impl Needles {
    pub(crate) fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Needles {
        let mut needles: Vec<Vec<char>> =
            words.into_iter().map(|w| w.chars().map(fold).collect::<Vec<char>>()).filter(|w| !w.is_empty()).collect();
        needles.sort();
        needles.dedup();
        Needles(needles)
    }
}

/// The whole `title`, escaped, every match marked.
pub(crate) fn title_html(title: &str, needles: &Needles) -> String {
    let text = squash_whitespace(title);
    let matches = find(&text, needles);
    render(&text, 0..text.len(), &matches)
}

/// At most [`SNIPPET_CHARS`] characters of `body` around the best cluster of matches, escaped,
/// matches marked; the start of the body if nothing matches there (a title-only hit).
pub(crate) fn snippet_html(body: &str, needles: &Needles) -> String {
    let text = squash_whitespace(body);
    let matches = find(&text, needles);
    let window = best_window(text.len(), &matches);
    render(&text, window, &matches)
}

/// Runs of whitespace (newlines between paragraphs) become one space, so a snippet is one line.
fn squash_whitespace(text: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    for c in text.trim().chars() {
        if !c.is_whitespace() {
            out.push(c);
        } else if out.last().is_some_and(|last| !last.is_whitespace()) {
            out.push(' ');
        }
    }
    out
}

/// A match: character range in the text and which needle matched.
struct Match {
    range: Range<usize>,
    needle: usize,
}

fn find(text: &[char], needles: &Needles) -> Vec<Match> {
    let folded: Vec<char> = text.iter().map(|&c| fold(c)).collect();
    let is_word = |i: usize| folded.get(i).is_some_and(|&c| class(c) == Class::Word);
    let mut matches = Vec::new();
    for (n, needle) in needles.0.iter().enumerate() {
        for start in 0..folded.len().saturating_sub(needle.len() - 1) {
            let end = start + needle.len();
            if folded[start..end] != needle[..] {
                continue;
            }
            // Letters and digits are indexed as whole words: "ip" must not light up inside "wipo".
            let cut_before = start > 0 && is_word(start - 1) && is_word(start);
            let cut_after = is_word(end - 1) && is_word(end);
            if !cut_before && !cut_after {
                matches.push(Match { range: start..end, needle: n });
            }
        }
    }
    matches.sort_by_key(|m| (m.range.start, m.range.end));
    matches
}

/// The window of at most `SNIPPET_CHARS` that holds the most different needles, the earliest
/// such one, starting a little before its first match.
fn best_window(len: usize, matches: &[Match]) -> Range<usize> {
    if len <= SNIPPET_CHARS {
        return 0..len;
    }
    let latest_start = len - SNIPPET_CHARS;
    let mut best = (0, 0..SNIPPET_CHARS);
    // Bounded so a pathological body with thousands of matches stays cheap.
    for m in matches.iter().take(200) {
        let start = m.range.start.saturating_sub(LEAD_CHARS).min(latest_start);
        let window = start..start + SNIPPET_CHARS;
        let mut seen: Vec<usize> = matches
            .iter()
            .filter(|o| window.contains(&o.range.start) && o.range.end <= window.end)
            .map(|o| o.needle)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() > best.0 {
            best = (seen.len(), window);
        }
    }
    best.1
}

fn render(text: &[char], window: Range<usize>, matches: &[Match]) -> String {
    // Marked ranges: clipped to the window, then overlapping or touching ones merged,
    // so "知识产权" + "培训" next to each other become one mark.
    let mut marks: Vec<Range<usize>> = Vec::new();
    for m in matches {
        let range = m.range.start.max(window.start)..m.range.end.min(window.end);
        if range.is_empty() {
            continue;
        }
        match marks.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => marks.push(range),
        }
    }
    let mut html = String::with_capacity((window.end - window.start) * 4);
    if window.start > 0 {
        html.push('…');
    }
    let mut marks = marks.into_iter().peekable();
    for i in window.clone() {
        if marks.peek().is_some_and(|m| m.start == i) {
            html.push_str("<mark>");
        }
        push_escaped(&mut html, text[i]);
        if marks.peek().is_some_and(|m| m.end == i + 1) {
            html.push_str("</mark>");
            marks.next();
        }
    }
    if window.end < text.len() {
        html.push('…');
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needles(words: &[&str]) -> Needles {
        Needles::new(words.iter().copied())
    }

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        let html = title_html("<b>WIPO</b> & 知识产权", &needles(&["wipo", "知识产权"]));
        assert_eq!(html, "&lt;b&gt;<mark>WIPO</mark>&lt;/b&gt; &amp; <mark>知识产权</mark>");
    }

    #[test]
    fn adjacent_and_overlapping_matches_merge() {
        let html = title_html("知识产权培训班", &needles(&["知识产权", "产权培训", "培训"]));
        assert_eq!(html, "<mark>知识产权培训</mark>班");
    }

    #[test]
    fn ascii_matches_whole_words_only() {
        assert_eq!(title_html("wipo ip", &needles(&["ip"])), "wipo <mark>ip</mark>");
    }

    #[test]
    fn snippet_is_a_window_around_the_match() {
        let body = format!("{}通联工作{}", "甲".repeat(300), "乙".repeat(300));
        let html = snippet_html(&body, &needles(&["通联"]));
        let text = html.replace("<mark>", "").replace("</mark>", "");
        assert!(html.contains(&format!("{}<mark>通联</mark>工作", "甲".repeat(LEAD_CHARS))), "{html}");
        assert_eq!(text.chars().count(), SNIPPET_CHARS + 2, "two ellipses around 120 chars");
        assert!(text.starts_with('…') && text.ends_with('…'));
    }

    #[test]
    fn snippet_without_match_is_the_start_and_whitespace_is_squashed() {
        let body = format!("第一段\n\n  第二段{}", "丙".repeat(300));
        let html = snippet_html(&body, &needles(&["不在"]));
        assert!(html.starts_with("第一段 第二段丙"), "{html}");
        assert!(!html.starts_with('…') && html.ends_with('…'));
    }

    #[test]
    fn snippet_prefers_the_window_with_more_words() {
        let body = format!("培训{}知识产权{}培训{}", "甲".repeat(200), "乙".repeat(10), "丙".repeat(200));
        let html = snippet_html(&body, &needles(&["培训", "知识产权"]));
        assert!(html.contains("<mark>知识产权</mark>") && html.contains("<mark>培训</mark>"), "{html}");
    }
}
