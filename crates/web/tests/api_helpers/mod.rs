//! What the API tests of targets and media share: spreadsheets and files sent as the raw body,
//! and the fields a 422 names.

#![allow(dead_code)]

use crate::support::{App, Client, Response};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::table::{Cell, Table};

pub fn xlsx(headers: &[&str], rows: Vec<Vec<Cell>>) -> Vec<u8> {
    let t = Table::new(headers.iter().map(|h| h.to_string()).collect(), rows);
    office::write_xlsx("Sheet1", &t).unwrap()
}

pub fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

/// Sends `data` as the raw request body (a file), with the session's cookie and CSRF header.
pub async fn send_file(c: &mut Client, path: &str, data: &[u8]) -> Response {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(header::ACCEPT, "application/json")
        .header("x-csrf-token", c.csrf.clone())
        .header(header::COOKIE, format!("tonglian_session={}", c.cookie("tonglian_session").unwrap()))
        .body(Body::from(data.to_vec()))
        .unwrap();
    c.send(req).await
}

/// The fields a 422 names (fails unless it is a 422).
pub fn fields(r: &Response) -> Vec<String> {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    r.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect()
}

/// A client signed in as `who`.
pub async fn logged_in(app: &App, who: &str) -> Client {
    let mut c = Client::new(app);
    c.login(who).await;
    c
}
