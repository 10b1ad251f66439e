//! The request boundary: every query string and every url-encoded form or JSON body passes
//! through [`clean_input`] before any extractor or handler sees it, on every route of the back
//! office, the API and the public portal (the router wraps them all in it). It
//!
//! - refuses a JSON body over [`MAX_JSON_BYTES`] or a form over [`MAX_FORM_BYTES`] with 413
//!   and a Chinese message (file uploads are multipart or raw bodies, limited per route by
//!   `DefaultBodyLimit`, see [`UPLOAD_BODY_LIMIT`]);
//! - cleans every string value with [`domain::text::clean`] (control characters out, line ends
//!   made `\n`) and re-encodes the body, only when something changed (so a JSON number is never
//!   rewritten);
//! - refuses, with 422 and the field's name, a value longer than
//!   [`domain::text::field_limit`] characters.
//!
//! Multipart text fields and file names are cleaned where multipart bodies are read
//! (`pages::manuscripts::read_upload`), spreadsheet cells where they are read
//! (`domain::table::Cell::text`).

use crate::AppError;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use domain::text::{clean_cow, field_limit, length_problem, needs_cleaning};
use domain::{FieldError, FieldErrors};
use std::borrow::Cow;

/// The largest JSON body accepted (the API's records are a few kilobytes).
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// The largest url-encoded form accepted: a portal post's HTML of
/// [`domain::portal::MAX_POST_HTML`] bytes, percent-encoded, is the longest form there is.
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The body limit of every route that is not an upload: what the extractors (`Json`, `Form`,
/// `String`, `Bytes`) read at most. Upload routes raise it with [`upload_limit`].
pub const DEFAULT_BODY_LIMIT: usize = MAX_FORM_BYTES;

/// The body limit of the upload routes (imports, documents, images, attachments): the largest
/// file, the import, with room for the rest of the multipart body.
pub const UPLOAD_BODY_LIMIT: usize = crate::ops::MAX_IMPORT_BYTES + 1024 * 1024;

/// The layer that lets a route (an upload) take bodies up to [`UPLOAD_BODY_LIMIT`].
pub fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Json,
    Form,
}

fn body_kind(req: &Request) -> Option<Kind> {
    let ct = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if essence == "application/x-www-form-urlencoded" {
        Some(Kind::Form)
    } else if essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")) {
        Some(Kind::Json)
    } else {
        None
    }
}

fn too_large(kind: Kind) -> Response {
    let message = match kind {
        Kind::Json => format!("提交的内容太大：JSON 请求体不能超过{}MB", MAX_JSON_BYTES / 1024 / 1024),
        Kind::Form => format!("提交的内容太大：表单不能超过{}MB", MAX_FORM_BYTES / 1024 / 1024),
    };
    AppError::TooLarge(message).into_response_json()
}

/// The middleware (see the module's documentation).
pub async fn clean_input(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let mut problems = FieldErrors::default();
    if let Some(q) = parts.uri.query()
        && let Some(cleaned) = clean_pairs(q.as_bytes(), &mut problems)
        && let Some(uri) = with_query(&parts.uri, &cleaned)
    {
        parts.uri = uri;
    }
    let req = Request::from_parts(parts, body);
    let Some(kind) = body_kind(&req) else {
        return if problems.is_empty() {
            next.run(req).await
        } else {
            AppError::Invalid(problems).into_response_json()
        };
    };
    let limit = if kind == Kind::Json { MAX_JSON_BYTES } else { MAX_FORM_BYTES };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(kind);
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return too_large(kind);
    };
    let cleaned = match kind {
        Kind::Form => clean_pairs(&bytes, &mut problems).map(String::into_bytes),
        Kind::Json => clean_json(&bytes, &mut problems),
    };
    if !problems.is_empty() {
        return AppError::Invalid(problems).into_response_json();
    }
    let bytes = match cleaned {
        Some(b) => {
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(b.len()));
            axum::body::Bytes::from(b)
        }
        None => bytes,
    };
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Checks the length of one value, noting a problem under its field name.
fn check_length(field: &str, value: &str, problems: &mut FieldErrors) {
    // Bytes bound characters from above: most values need no count at all.
    let limit = field_limit(field);
    if value.len() > limit
        && let Some(m) = length_problem(field, value, limit)
        && problems.get(field).is_none()
    {
        problems.0.push(FieldError::new(field, m));
    }
}

/// The url-encoded pairs cleaned and re-encoded, or `None` when nothing needed cleaning.
/// Each value's length is checked against its field's limit.
fn clean_pairs(encoded: &[u8], problems: &mut FieldErrors) -> Option<String> {
    let mut changed = false;
    let mut pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(encoded) {
        check_length(&k, &v, problems);
        changed |= needs_cleaning(&k) || needs_cleaning(&v);
        pairs.push((k, v));
    }
    if !changed {
        return None;
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        out.append_pair(&clean_cow(k), &clean_cow(v));
    }
    Some(out.finish())
}

fn with_query(uri: &Uri, query: &str) -> Option<Uri> {
    let path_and_query = if query.is_empty() { uri.path().to_string() } else { format!("{}?{query}", uri.path()) };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse().ok()?);
    Uri::from_parts(parts).ok()
}

/// The JSON body with every string cleaned, or `None` when nothing needed cleaning or the body
/// is not JSON (the extractor then says what is wrong with it).
fn clean_json(bytes: &[u8], problems: &mut FieldErrors) -> Option<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let changed = clean_value(&mut value, "", problems);
    if changed { serde_json::to_vec(&value).ok() } else { None }
}

/// Cleans the strings of a JSON value in place (`field` is the key it is under, for limits and
/// messages); whether anything changed.
fn clean_value(value: &mut serde_json::Value, field: &str, problems: &mut FieldErrors) -> bool {
    match value {
        serde_json::Value::String(s) => {
            check_length(field, s, problems);
            if needs_cleaning(s) {
                *s = domain::text::clean(s);
                true
            } else {
                false
            }
        }
        serde_json::Value::Array(items) => {
            items.iter_mut().fold(false, |changed, v| clean_value(v, field, problems) | changed)
        }
        serde_json::Value::Object(map) => {
            map.iter_mut().fold(false, |changed, (k, v)| clean_value(v, k, problems) | changed)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_cleaned_only_when_needed() {
        let mut p = FieldErrors::default();
        assert_eq!(clean_pairs(b"title=%E4%B8%AD&x=1&x=2", &mut p), None);
        let out = clean_pairs(b"title=a%01b%08c&x=1&x=2&note=l1%0D%0Al2", &mut p).unwrap();
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(out.as_bytes()).into_owned().collect();
        assert_eq!(
            pairs,
            vec![
                ("title".into(), "abc".into()),
                ("x".into(), "1".into()),
                ("x".into(), "2".into()),
                ("note".into(), "l1\nl2".into())
            ]
        );
        assert!(p.is_empty());
        let long = format!("title={}", "a".repeat(domain::text::MAX_FIELD + 1));
        clean_pairs(long.as_bytes(), &mut p);
        assert_eq!(p.get("title"), Some("“title”不能超过20000个字"));
    }

    #[test]
    fn json_strings_are_cleaned_and_numbers_left_alone() {
        let mut p = FieldErrors::default();
        assert_eq!(clean_json(br#"{"a":"x","n":0.1000000000000000055511151231257827}"#, &mut p), None);
        let out = clean_json(br#"{"title":"a\u0001b","authors":[{"name":"c\u0008d"}],"n":3}"#, &mut p).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v, serde_json::json!({"title": "ab", "authors": [{"name": "cd"}], "n": 3}));
        assert_eq!(clean_json(b"not json", &mut p), None);
        let body = serde_json::json!({"body": "字".repeat(30_000), "tags": ["a".repeat(20_001)]});
        clean_json(&serde_json::to_vec(&body).unwrap(), &mut p);
        assert_eq!(p.0.len(), 1);
        assert!(p.get("tags").is_some());
    }
}
