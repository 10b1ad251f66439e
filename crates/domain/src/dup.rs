//! Near-duplicate detection (查重). Texts are compared as sets of overlapping character
//! bigrams, which works for Chinese without a word segmenter, and scored by how much of the new
//! text is already in the earlier one (containment), so a lightly edited or shortened copy of
//! an old piece still scores high.

use std::collections::HashSet;

/// At or above this containment (percent) a pair is flagged as a likely duplicate.
pub const FLAG_PERCENT: u8 = 60;

/// The bigram fingerprint of a text, ignoring whitespace and punctuation.
pub fn fingerprint(text: &str) -> HashSet<u64> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    chars.windows(2).map(|w| ((w[0] as u64) << 32) | w[1] as u64).collect()
}

/// The share (0–100) of `new`'s bigrams that also occur in `old`.
pub fn containment(new: &HashSet<u64>, old: &HashSet<u64>) -> u8 {
    if new.is_empty() {
        return 0;
    }
    let common = new.iter().filter(|g| old.contains(g)).count();
    ((common * 100) / new.len()) as u8
}

/// Finds the earlier text most like `text`. Returns its key and the score, if at or above the flag.
pub fn best_match<'a, K: Copy>(text: &str, earlier: impl IntoIterator<Item = (K, &'a str)>) -> Option<(K, u8)> {
    let fp = fingerprint(text);
    earlier
        .into_iter()
        .map(|(k, t)| (k, containment(&fp, &fingerprint(t))))
        .filter(|(_, s)| *s >= FLAG_PERCENT)
        .max_by_key(|(_, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "湖北省知识产权局近日召开全省通联工作会议，部署全年宣传通联任务，要求各市州加大投稿力度。";

    #[test]
    fn an_edited_copy_is_flagged() {
        let edited = "湖北省知识产权局日前召开全省通联工作会议，部署全年宣传通联任务，要求各市州进一步加大投稿力度。";
        let m = best_match(edited, [(1, OLD), (2, "武汉市举办专利技术展示交易会，签约项目三十余个。")]);
        assert_eq!(m.map(|(k, _)| k), Some(1));
        assert!(m.unwrap().1 >= 80);
    }

    #[test]
    fn a_different_piece_is_not() {
        let other = "宜昌市开展知识产权执法检查，查处假冒专利案件12起，有力维护了市场秩序。";
        assert_eq!(best_match(other, [(1, OLD)]), None);
        assert!(containment(&fingerprint(other), &fingerprint(OLD)) < FLAG_PERCENT);
    }

    #[test]
    fn empty_text_scores_zero() {
        assert_eq!(containment(&fingerprint(""), &fingerprint(OLD)), 0);
    }
}
