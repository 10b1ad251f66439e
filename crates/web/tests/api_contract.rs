//! The API's contract as a client reads it: refusals the framework raises (an id that is not a
//! number, JSON that does not parse or does not fit, a body that is not JSON, an unknown kind
//! or path) answer the documented JSON error body with a Chinese message and write nothing;
//! and the OpenAPI document describes every response, every error status, and statements and
//! rankings field by field. `tests/api/run` then has schemathesis hold the running server to it.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use support::{Client, apps};

/// Sends `body` as `content_type` with the session's cookie and CSRF header.
async fn send_raw(c: &mut Client, method: &str, path: &str, content_type: &str, body: &str) -> support::Response {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json")
        .header("x-csrf-token", c.csrf.clone())
        .header(header::COOKIE, format!("tonglian_session={}", c.cookie("tonglian_session").unwrap()))
        .body(Body::from(body.to_string()))
        .unwrap();
    c.send(req).await
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The response is the documented error body: JSON with a Chinese `error`, and `fields` and
/// `rows` lists.
fn assert_error_body(r: &support::Response, status: StatusCode, what: &str) -> serde_json::Value {
    assert_eq!(r.status, status, "{what}: {}", r.text());
    let ct = r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{what}: content type {ct}");
    let body = r.json();
    let error = body["error"].as_str().unwrap_or_default();
    assert!(has_chinese(error), "{what}: error message {error:?}");
    assert!(body["fields"].is_array() && body["rows"].is_array(), "{what}: {body}");
    body
}

#[tokio::test]
async fn framework_refusals_are_the_documented_json_error() {
    for app in apps().await {
        let backend = app.db.backend;
        let mut c = Client::new(&app);
        c.login("editor").await;
        let units_before = c.get_json("/api/v1/units").await.json().as_array().unwrap().len();

        let r = c.get_json("/api/v1/placements/abc").await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, &format!("[{backend}] id abc"));
        let r = c.get_json("/api/v1/placements/99999999999999999999").await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, &format!("[{backend}] id beyond i64"));

        let r = send_raw(&mut c, "POST", "/api/v1/units", "text/plain", r#"{"name":"纯文本","kind":"office"}"#).await;
        assert_error_body(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("[{backend}] text/plain body"));
        let r = send_raw(&mut c, "POST", "/api/v1/units", "application/json", r#"{"name": "半截"#).await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, &format!("[{backend}] JSON cut short"));
        let r = c.send_json("POST", "/api/v1/units", &json!({"name": "行星", "kind": "planet"})).await;
        let body = assert_error_body(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("[{backend}] wrong enum value"));
        assert_eq!(body["fields"][0]["field"], "body", "[{backend}] {body}");
        let r = c.send_json("POST", "/api/v1/units", &json!({"name": 7})).await;
        assert_error_body(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("[{backend}] wrong type, missing field"));
        let r = c.send_json("PUT", "/api/v1/units/abc", &json!({"name": "甲", "kind": "office"})).await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, &format!("[{backend}] PUT with id abc"));

        let r = c.get_json("/api/v1/export/planets").await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, &format!("[{backend}] export kind"));
        let r = c.get_json("/api/v1/export/units?format=pdf").await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, &format!("[{backend}] export format"));
        let r = c.get_json("/api/v1/rankings").await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, &format!("[{backend}] ranking without period"));
        let r = c.get_json("/api/v1/no-such-thing").await;
        assert_error_body(&r, StatusCode::NOT_FOUND, &format!("[{backend}] unknown path"));

        let units_after = c.get_json("/api/v1/units").await.json().as_array().unwrap().len();
        assert_eq!(units_after, units_before, "[{backend}] a refused request wrote nothing");

        // The refusals are not the only JSON: the exports answer the media type documented.
        let r = c.get_json("/api/v1/export/units?format=csv").await;
        assert_eq!(r.status, StatusCode::OK, "[{backend}] csv export");
        let ct = r.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap();
        assert!(ct.starts_with("text/csv"), "[{backend}] csv export: {ct}");
        let r = c.get_json("/api/v1/export/units").await;
        let ct = r.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap();
        assert_eq!(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "[{backend}] xlsx export");
    }
}

fn document() -> serde_json::Value {
    let (_, api) = web::api::api_router();
    serde_json::to_value(web::api::document(api)).unwrap()
}

fn schema_ref(v: &serde_json::Value) -> &str {
    v["$ref"].as_str().unwrap_or_default()
}

#[test]
fn the_document_describes_every_response_and_error() {
    let doc = document();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            for (status, r) in responses {
                let d = r["description"].as_str().unwrap_or_default();
                assert!(!d.is_empty(), "{method} {path} {status} has no description");
                if status.starts_with('4') {
                    let schema = &r["content"]["application/json"]["schema"];
                    assert_eq!(schema_ref(schema), "#/components/schemas/ErrorBody", "{method} {path} {status}");
                }
            }
            assert!(responses.contains_key("401"), "{method} {path}: 401");
            if method != "get" {
                assert!(responses.contains_key("403"), "{method} {path}: 403 (CSRF)");
            }
            if path.contains('{') {
                assert!(responses.contains_key("400") && responses.contains_key("404"), "{method} {path}: 400, 404");
            }
            let json_body = op["requestBody"]["content"].get("application/json").is_some();
            if json_body {
                for s in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(s), "{method} {path}: {s} for a JSON body");
                }
            }
        }
    }
    assert!(operations >= 43, "{operations} operations");

    let ok = |path: &str, method: &str| doc["paths"][path][method]["responses"]["200"].clone();
    let statement = ok("/api/v1/statements/{id}", "get");
    assert_eq!(schema_ref(&statement["content"]["application/json"]["schema"]), "#/components/schemas/StatementDetail");
    let ranking = ok("/api/v1/rankings", "get");
    assert_eq!(schema_ref(&ranking["content"]["application/json"]["schema"]), "#/components/schemas/RankingView");
    let schemas = &doc["components"]["schemas"];
    for (name, field) in [
        ("StatementDetail", "statement"),
        ("Figures", "lines"),
        ("PersonFigures", "trail"),
        ("UnitFigures", "quota"),
        ("Step", "detail"),
        ("RankingView", "rows"),
        ("Rank", "previous_rank"),
    ] {
        assert!(schemas[name]["properties"].get(field).is_some(), "{name}.{field} is described: {}", schemas[name]);
    }

    let export = ok("/api/v1/export/{kind}", "get");
    let types: Vec<&String> = export["content"].as_object().unwrap().keys().collect();
    assert_eq!(types, ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"]);
    let kind = doc["paths"]["/api/v1/export/{kind}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "kind" && p["in"] == "path")
        .cloned()
        .unwrap();
    assert_eq!(schema_ref(&kind["schema"]), "#/components/schemas/Kind");
    assert_eq!(schemas["Kind"]["enum"], json!(["units", "correspondents", "outlets", "placements"]));
}
