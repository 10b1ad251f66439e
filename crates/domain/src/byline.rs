//! Bylines as spreadsheets write them: "张三(60%)、李四(40%)" or "张三, 李四". Turns the text
//! into names with optional shares (in basis points) and back again.

use crate::FULL_SHARE;

/// One name on a written byline, with the share if one was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenAuthor {
    pub name: String,
    pub share_bp: Option<i32>,
}

/// Parses a byline. Separators: 、 , ， ; ；. A share follows a name in ASCII or full-width
/// parentheses, as a percentage with up to two decimals ("60%", "33.33%", "60").
pub fn parse_byline(text: &str) -> Result<Vec<WrittenAuthor>, String> {
    let mut out = Vec::new();
    for part in text.split(['、', ',', '，', ';', '；']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let normalised = part.replace('（', "(").replace('）', ")");
        let (name, share_bp) = match normalised.find('(') {
            Some(open) => {
                let Some(inner) = normalised[open + 1..].strip_suffix(')') else {
                    return Err(format!("“{part}”的括号不完整"));
                };
                let share = parse_percent(inner).ok_or_else(|| format!("“{part}”的份额应写成如 60%"))?;
                (normalised[..open].trim().to_string(), Some(share))
            }
            None => (normalised.clone(), None),
        };
        if name.is_empty() {
            return Err(format!("“{part}”缺少姓名"));
        }
        out.push(WrittenAuthor { name, share_bp });
    }
    Ok(out)
}

/// "60%" / "60" / "33.33%" → basis points.
fn parse_percent(text: &str) -> Option<i32> {
    let t = text.trim().trim_end_matches(['%', '％']).trim();
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t, ""),
    };
    if whole.is_empty()
        || frac.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: i32 = whole.parse().ok()?;
    let frac: i32 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    // Checked: a huge percentage is refused, never wrapped into range.
    let bp = whole.checked_mul(100)?.checked_add(frac)?;
    (0..=FULL_SHARE).contains(&bp).then_some(bp)
}

/// Formats a share in basis points as a percentage: 6000 → "60%", 3333 → "33.33%".
pub fn format_share(bp: i32) -> String {
    if bp % 100 == 0 { format!("{}%", bp / 100) } else { format!("{}.{:02}%", bp / 100, bp % 100) }
}

/// Writes a byline back the way `parse_byline` reads it.
pub fn format_byline(authors: &[WrittenAuthor]) -> String {
    authors
        .iter()
        .map(|a| match a.share_bp {
            Some(bp) => format!("{}({})", a.name, format_share(bp)),
            None => a.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_and_shares() {
        let a = parse_byline("张三(60%)、李四（40%）").unwrap();
        assert_eq!(a[0], WrittenAuthor { name: "张三".into(), share_bp: Some(6000) });
        assert_eq!(a[1], WrittenAuthor { name: "李四".into(), share_bp: Some(4000) });
        let b = parse_byline("王五, 赵六，孙七").unwrap();
        assert_eq!(b.len(), 3);
        assert!(b.iter().all(|x| x.share_bp.is_none()));
        assert_eq!(parse_byline("甲(33.33%)").unwrap()[0].share_bp, Some(3333));
        assert!(parse_byline("甲(60").is_err());
        assert!(parse_byline("甲(abc)").is_err());
        assert!(parse_byline("(50%)").is_err());
        assert!(parse_byline("甲(101%)").is_err());
    }

    #[test]
    fn round_trips() {
        let text = "张三(66.67%)、李四(33.33%)";
        assert_eq!(format_byline(&parse_byline(text).unwrap()), text);
    }
}
