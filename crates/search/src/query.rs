//! What a visitor typed, turned into words and then into a tantivy query.
//!
//! There is deliberately no query language: quotes, colons, brackets, `*`, `-` and the like are
//! separators, so nothing a visitor types can be a syntax error. Every word is required (AND);
//! the capitalised operators `AND`, `OR` and `NOT` that people type out of habit are ignored
//! rather than required as words (unless they are all there is).
//!
//! Chinese queries often have no spaces ("知识产权培训"). Each word is split by jieba (default
//! mode, the coarsest segmentation) into segments, and every segment is required as an exact
//! substring of the title or the body, so "知识产权培训" also finds "知识产权业务培训". A segment
//! is a substring of the word, so segmenting can only add results, never lose the exact ones,
//! which the whole word, as an optional phrase, ranks first. A one-character segment is glued to
//! its neighbour ("通/联" -> "通联"), because one required character matches almost everything.

use std::ops::Bound;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TokenStream, Tokenizer};
use tantivy_jieba::JiebaTokenizer;

use crate::analysis::{Class, Mode, class, fold, tokenize};

/// Longer input is cut: nobody types more, and each word adds clauses to the query.
pub(crate) const MAX_QUERY_CHARS: usize = 100;

/// A title match counts this many times a body match, so that with BM25's saturation a title
/// hit beats a body that merely repeats the word.
const TITLE_BOOST: f32 = 3.0;
/// How much the words exactly as typed weigh against their segments found apart: enough that a
/// document with the phrase ranks above one with its segments in a heavier field (a title).
const EXACT_BOOST: f32 = 10.0;

/// One whitespace- or punctuation-delimited word of the query, folded (see `analysis::fold`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub(crate) text: String,
    /// Substrings of `text` that must all occur; just `[text]` for a word jieba keeps whole.
    pub(crate) segments: Vec<String>,
}

/// Splits the visitor's text into words. Empty when nothing searchable is left.
pub(crate) fn parse(input: &str) -> Vec<Word> {
    let input: String = input.chars().take(MAX_QUERY_CHARS).collect();
    let raw: Vec<&str> = input.split(|c| class(fold(c)) == Class::Separator).filter(|w| !w.is_empty()).collect();
    let is_operator = |w: &&str| matches!(*w, "AND" | "OR" | "NOT");
    let keep: Vec<&str> =
        if raw.iter().all(is_operator) { raw } else { raw.into_iter().filter(|w| !is_operator(w)).collect() };
    let mut words: Vec<Word> = Vec::new();
    for w in keep {
        let text: String = w.chars().map(fold).collect();
        if words.iter().all(|known| known.text != text) {
            let segments = segment(&text);
            words.push(Word { text, segments });
        }
    }
    words
}

/// Loads jieba's dictionary now rather than on the first query. tantivy-jieba keeps one
/// dictionary per process (a lazy static), so this is slow once and free afterwards.
pub(crate) fn warm_up() {
    segment("预热");
}

/// jieba segments of one word, with lone CJK characters glued to a neighbour.
fn segment(word: &str) -> Vec<String> {
    // Cheap to create: it uses tantivy-jieba's process-wide dictionary, not a copy.
    let mut jieba = JiebaTokenizer::with_search_mode(false);
    let mut stream = jieba.token_stream(word);
    let mut segments: Vec<String> = Vec::new();
    let mut pending = String::new(); // lone characters waiting for a segment to join
    while let Some(token) = stream.next() {
        let mut chars = token.text.chars();
        let lone_cjk = matches!((chars.next(), chars.next()), (Some(c), None) if class(c) == Class::Cjk);
        match segments.last_mut() {
            Some(last) if lone_cjk => last.push_str(&token.text),
            _ if lone_cjk => pending.push_str(&token.text),
            _ => segments.push(std::mem::take(&mut pending) + &token.text),
        }
    }
    if !pending.is_empty() {
        segments.push(pending);
    }
    segments
}

/// The query for `words` within one station. `None` when there is nothing to search for.
pub(crate) fn build(
    words: &[Word],
    station: (Field, i64),
    published_until: Option<(Field, i64)>,
    title: Field,
    body: Field,
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in words {
        for segment in &word.segments {
            clauses.push((Occur::Must, in_title_or_body(segment, title, body)?));
        }
        if word.segments.len() > 1 {
            // Ranking only: the word exactly as typed, not just its segments somewhere.
            let exact = in_title_or_body(&word.text, title, body)?;
            clauses.push((Occur::Should, Box::new(BoostQuery::new(exact, EXACT_BOOST))));
        }
    }
    if clauses.is_empty() {
        return None;
    }
    // A filter, not a ranking signal: score 0 keeps it out of BM25.
    let (station_field, station_id) = station;
    let station_term = TermQuery::new(Term::from_field_i64(station_field, station_id), IndexRecordOption::Basic);
    clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(station_term), 0.0))));
    // Scheduled items are indexed when saved but found only once their time has come.
    if let Some((field, until)) = published_until {
        let range = RangeQuery::new(Bound::Unbounded, Bound::Included(Term::from_field_i64(field, until)));
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(range), 0.0))));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

fn in_title_or_body(text: &str, title: Field, body: Field) -> Option<Box<dyn Query>> {
    let title_query: Box<dyn Query> = Box::new(BoostQuery::new(substring(text, title)?, TITLE_BOOST));
    Some(Box::new(BooleanQuery::new(vec![(Occur::Should, title_query), (Occur::Should, substring(text, body)?)])))
}

/// Matches `text` as a contiguous substring of `field`: one term, or a phrase of the tokens at
/// their relative positions (see `analysis`). `None` if `text` has no tokens.
fn substring(text: &str, field: Field) -> Option<Box<dyn Query>> {
    let tokens = tokenize(text, Mode::Query);
    let first = tokens.first()?.position;
    let mut terms: Vec<(usize, Term)> =
        tokens.iter().map(|t| (t.position - first, Term::from_field_text(field, &t.text))).collect();
    if terms.len() == 1 {
        let (_, term) = terms.remove(0);
        return Some(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)));
    }
    // PhraseQuery panics on fewer than two terms or mixed fields; neither can happen here.
    Some(Box::new(PhraseQuery::new_with_offset(terms)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<String> {
        parse(input).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn syntax_characters_are_separators() {
        assert_eq!(texts(r#""知识产权":(培训)* -WIPO AND [2007]"#), ["知识产权", "培训", "wipo", "2007"]);
        assert!(parse(r#" "*:()[]{}-+~^!?\/ "#).is_empty());
        assert_eq!(texts("AND OR"), ["and", "or"]);
    }

    #[test]
    fn words_are_folded_and_deduplicated() {
        assert_eq!(texts("ＷＩＰＯ wipo WIPO"), ["wipo"]);
    }

    #[test]
    fn unspaced_chinese_is_segmented_without_lone_characters() {
        let words = parse("知识产权培训");
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].segments, ["知识产权", "培训"]);
        for word in parse("召开了会议 通联 张三丰 会") {
            assert!(word.segments.iter().all(|s| s.chars().count() > 1) || word.text.chars().count() == 1, "{word:?}");
            assert_eq!(word.segments.concat(), word.text);
        }
    }

    #[test]
    fn long_input_is_cut() {
        let words = parse(&"字".repeat(MAX_QUERY_CHARS * 2));
        assert_eq!(words[0].text.chars().count(), MAX_QUERY_CHARS);
    }
}
