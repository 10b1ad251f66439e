//! Text analysis shared by indexing, querying and highlighting: how characters are folded,
//! which characters form words, and the CJK bigram tokenizer the full-text fields use.
//!
//! Why bigrams and not jieba for the index: Chinese has no spaces, and a dictionary segmenter
//! decides where words end. jieba keeps "知识产权局" as one token, so an index built from jieba
//! tokens cannot find "知识产权" or "产权" inside it, and no choice of jieba mode fixes every such
//! case. Overlapping character pairs (知识 识产 产权 权局) make every substring findable: a
//! query of n CJK characters becomes a phrase of its n-1 pairs at consecutive positions, which
//! matches exactly where those characters stand side by side. Each CJK character is also
//! indexed on its own (same position as the pair it starts), so a one-character query or a
//! lone character between digits ("第3届") is a plain term too. jieba is used on the query
//! side instead (see `query`), where it splits an unspaced query into words.
//!
//! Letters and digits (any script but CJK) form whole words, lower-cased, with full-width forms
//! (ＷＩＰＯ, ２００７, common in Chinese text) folded to ASCII.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the bigram tokenizer is registered under in the index.
pub(crate) const TOKENIZER_NAME: &str = "tonglian_cjk_bigram";

/// Word tokens longer than this are dropped: they are base64 blobs or URLs glued together,
/// nobody searches for them, and tantivy refuses terms over 64 KiB anyway.
const MAX_WORD_CHARS: usize = 64;

/// Folds one character the way the index, the query and the highlighter all see it.
/// Always one char in, one char out, so character offsets stay aligned with the original text.
pub(crate) fn fold(c: char) -> char {
    let c = match c {
        // Full-width ASCII variants sit at a fixed distance from ASCII.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ', // ideographic space
        _ => c,
    };
    // to_lowercase may expand to several chars ('İ' -> "i̇"); keep those as they are.
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// What a (folded) character is for tokenizing purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Han ideographs (and kana, hangul, 〇): written without spaces, indexed as bigrams.
    Cjk,
    /// Letters and digits of other scripts: runs of them form one word.
    Word,
    /// Everything else separates tokens: spaces, punctuation, symbols, query syntax.
    Separator,
}

pub(crate) fn class(c: char) -> Class {
    let cjk = matches!(c,
        '\u{3007}'                  // 〇, used in dates: 二〇〇七
        | '\u{3040}'..='\u{30FF}'   // hiragana, katakana
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}'   // hangul syllables
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{20000}'..='\u{3134F}' // CJK extensions B to G
    );
    if cjk {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Separator
    }
}

/// Whether the tokens are for the index or for building a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every CJK character as a unigram plus every adjacent pair as a bigram.
    Index,
    /// The fewest terms that pin the text down: bigrams for CJK runs of two or more characters,
    /// a unigram for a lone CJK character. Positions are the same as in `Index` mode, so
    /// a phrase built from these tokens matches the indexed text.
    Query,
}

/// Splits `text` into tokens. Offsets are byte offsets into `text`; positions count
/// characters within CJK runs and words elsewhere, so the query side can rebuild them.
pub(crate) fn tokenize(text: &str, mode: Mode) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut position = 0;
    // (byte offset, folded char) of the run being collected, and its class.
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut run_class = Class::Separator;
    for (offset, c) in text.char_indices() {
        let c = fold(c);
        let k = class(c);
        // A CJK run next to a word run ends it even without a separator: "G20峰会".
        if k != run_class && !run.is_empty() {
            flush(text, &run, run_class, mode, &mut position, &mut tokens);
            run.clear();
        }
        run_class = k;
        if k != Class::Separator {
            run.push((offset, c));
        }
    }
    if !run.is_empty() {
        flush(text, &run, run_class, mode, &mut position, &mut tokens);
    }
    tokens
}

fn flush(text: &str, run: &[(usize, char)], class: Class, mode: Mode, position: &mut usize, out: &mut Vec<Token>) {
    let Some(&(start, _)) = run.first() else { return };
    // End of the char at index i: the start of the next one, or of whatever follows the run.
    let end_of = |i: usize| run.get(i + 1).map_or_else(|| char_end(text, run[i].0), |&(o, _)| o);
    match class {
        Class::Separator => {}
        Class::Word => {
            if run.len() <= MAX_WORD_CHARS {
                let offset_to = end_of(run.len() - 1);
                out.push(token(start, offset_to, *position, run.iter().map(|&(_, c)| c).collect()));
            }
            *position += 1;
        }
        Class::Cjk => {
            let lone = run.len() == 1;
            for (i, &(offset, c)) in run.iter().enumerate() {
                if mode == Mode::Index || lone {
                    out.push(token(offset, end_of(i), *position + i, c.to_string()));
                }
                if let Some(&(_, next)) = run.get(i + 1) {
                    out.push(token(offset, end_of(i + 1), *position + i, [c, next].iter().collect()));
                }
            }
            *position += run.len();
        }
    }
}

/// Byte offset just past the char starting at `offset`.
fn char_end(text: &str, offset: usize) -> usize {
    offset + text[offset..].chars().next().map_or(0, char::len_utf8)
}

fn token(offset_from: usize, offset_to: usize, position: usize, text: String) -> Token {
    Token { offset_from, offset_to, position, text, position_length: 1 }
}

/// The bigram tokenizer as tantivy wants it, registered under [`TOKENIZER_NAME`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream { tokens: tokenize(text, Mode::Index).into_iter(), current: Token::default() }
    }
}

/// Hands out precomputed tokens; the documents are short enough that building the vector
/// first costs nothing worth a streaming state machine.
pub(crate) struct VecTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: Token,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, mode: Mode) -> Vec<(String, usize)> {
        tokenize(text, mode).into_iter().map(|t| (t.text, t.position)).collect()
    }

    fn owned(expected: &[(&str, usize)]) -> Vec<(String, usize)> {
        expected.iter().map(|&(t, p)| (t.to_owned(), p)).collect()
    }

    #[test]
    fn cjk_runs_become_unigrams_and_bigrams() {
        assert_eq!(
            texts("召开会议", Mode::Index),
            owned(&[("召", 0), ("召开", 0), ("开", 1), ("开会", 1), ("会", 2), ("会议", 2), ("议", 3)])
        );
        assert_eq!(texts("召开会议", Mode::Query), owned(&[("召开", 0), ("开会", 1), ("会议", 2)]));
    }

    #[test]
    fn words_are_folded_and_runs_split_at_script_changes() {
        assert_eq!(
            texts("ＷＩＰＯ发布2007年G20", Mode::Query),
            owned(&[("wipo", 0), ("发布", 1), ("2007", 3), ("年", 4), ("g20", 5)])
        );
    }

    #[test]
    fn offsets_point_at_the_original_text() {
        let text = "（ＷＩＰＯ）知识";
        for t in tokenize(text, Mode::Index) {
            let original: String = text[t.offset_from..t.offset_to].chars().map(fold).collect();
            assert_eq!(original, t.text);
        }
    }

    #[test]
    fn separators_and_overlong_words_produce_nothing() {
        assert!(tokenize(" \"*:()-，。 ", Mode::Index).is_empty());
        assert!(tokenize(&"a".repeat(MAX_WORD_CHARS + 1), Mode::Index).is_empty());
    }
}
