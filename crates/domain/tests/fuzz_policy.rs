//! A bounded fuzz of the reward policy parser (`parse_policy`, the entry point for a policy
//! file an editor uploads or types): random text, and the real policies of docs/policies with
//! characters and lines changed, dropped or repeated. It must never panic; a bad policy is an
//! `Err` with messages. A few hundred cases each, so it runs in seconds.

use domain::policy::parse_policy;
use proptest::prelude::*;

const HUBEI: &str = include_str!("../../../docs/policies/hubei-2007.toml");
const UNIVERSITY: &str = include_str!("../../../docs/policies/university-points.toml");

/// Characters that matter to TOML and to the policy's own values.
fn toml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        any::<char>(),
        prop::sample::select("[]{}=\".,'#\n 0123456789-+eE.:_abcxyz中级".chars().collect::<Vec<_>>()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in prop::collection::vec(toml_char(), 0..400)) {
        let text: String = text.into_iter().collect();
        if let Err(errors) = parse_policy(&text) {
            prop_assert!(!errors.is_empty());
        }
    }

    #[test]
    fn mutated_policies_never_panic(
        which in any::<bool>(),
        edits in prop::collection::vec((any::<usize>(), 0u8..4, toml_char()), 1..8),
    ) {
        let source = if which { HUBEI } else { UNIVERSITY };
        let mut chars: Vec<char> = source.chars().collect();
        for (at, op, c) in edits {
            let at = at % chars.len().max(1);
            match op {
                0 if !chars.is_empty() => chars[at] = c,
                1 => chars.insert(at.min(chars.len()), c),
                2 if !chars.is_empty() => {
                    chars.remove(at);
                }
                _ => {
                    // A whole line repeated: tables and keys defined twice.
                    let text: String = chars.iter().collect();
                    let mut lines: Vec<&str> = text.lines().collect();
                    if !lines.is_empty() {
                        let k = at % lines.len();
                        lines.insert(k, lines[k]);
                    }
                    chars = lines.join("\n").chars().collect();
                }
            }
        }
        let text: String = chars.into_iter().collect();
        if let Err(errors) = parse_policy(&text) {
            prop_assert!(!errors.is_empty());
        }
    }
}
