//! What the TOML readers of the domain share (reward policies, award criteria): spans to line
//! numbers, keys in file order, exact decimals from the text, and "did you mean" distances.

use rust_decimal::Decimal;
use std::ops::Range;
use std::str::FromStr;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub(crate) type Value<'a> = Spanned<DeValue<'a>>;
pub(crate) type Span = Range<usize>;

pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

pub(crate) fn get<'t, 'a>(t: &'t DeTable<'a>, key: &str) -> Option<&'t Value<'a>> {
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

/// A table's entries in file order (the parser's map may sort them).
pub(crate) fn entries_in<'t, 'a>(t: &'t DeTable<'a>) -> Vec<(&'t str, Span, &'t Value<'a>)> {
    let mut out: Vec<(&str, Span, &Value)> = t.iter().map(|(k, v)| (k.get_ref().as_ref(), k.span(), v)).collect();
    out.sort_by_key(|(_, span, _)| span.start);
    out
}

/// Reads a number exactly from its text: never through a float.
pub(crate) fn to_decimal(v: &DeValue) -> Option<Decimal> {
    match v {
        DeValue::Integer(i) if i.radix() == 10 => Decimal::from_str(&i.as_str().replace('_', "")).ok(),
        DeValue::Float(f) => {
            let s = f.as_str().replace('_', "");
            if s.contains(['e', 'E']) { Decimal::from_scientific(&s).ok() } else { Decimal::from_str(&s).ok() }
        }
        _ => None,
    }
}

/// The number of edits between two short keys, for "did you mean".
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(row[j]).min(row[j + 1]) };
            prev = cur;
        }
    }
    row[b.len()]
}
