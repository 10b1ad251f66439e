//! Readable differences between two versions of a manuscript, character by character (Chinese
//! has no spaces to split words on), grouped into runs so a page can mark what was deleted and
//! what was inserted.

use similar::{ChangeTag, TextDiff};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Same,
    Deleted,
    Inserted,
}

/// A run of text with one kind of change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub change: Change,
    pub text: String,
}

/// The difference from `old` to `new` as runs. Concatenating the Same and Deleted runs gives
/// `old`; the Same and Inserted runs give `new`.
pub fn diff(old: &str, new: &str) -> Vec<Span> {
    let d = TextDiff::configure().timeout(std::time::Duration::from_millis(200)).diff_chars(old, new);
    let mut spans: Vec<Span> = Vec::new();
    for change in d.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => Change::Same,
            ChangeTag::Delete => Change::Deleted,
            ChangeTag::Insert => Change::Inserted,
        };
        match spans.last_mut() {
            Some(last) if last.change == kind => last.text.push_str(change.value()),
            _ => spans.push(Span { change: kind, text: change.value().to_string() }),
        }
    }
    spans
}

/// How many characters were deleted and inserted.
pub fn stats(spans: &[Span]) -> (usize, usize) {
    let count = |k| spans.iter().filter(|s| s.change == k).map(|s| s.text.chars().count()).sum();
    (count(Change::Deleted), count(Change::Inserted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilds_both_sides() {
        let old = "湖北省知识产权局召开通联工作会议。";
        let new = "湖北省知识产权局隆重召开全省通联工作会议。";
        let spans = diff(old, new);
        let rebuilt_old: String =
            spans.iter().filter(|s| s.change != Change::Inserted).map(|s| s.text.as_str()).collect();
        let rebuilt_new: String =
            spans.iter().filter(|s| s.change != Change::Deleted).map(|s| s.text.as_str()).collect();
        assert_eq!(rebuilt_old, old);
        assert_eq!(rebuilt_new, new);
        assert_eq!(stats(&spans), (0, 4));
    }

    #[test]
    fn same_text_has_no_changes() {
        let spans = diff("一样", "一样");
        assert_eq!(spans, vec![Span { change: Change::Same, text: "一样".into() }]);
    }
}
