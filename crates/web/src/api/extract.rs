//! The API's request extractors: axum's `Json`, `Path` and `Query`, whose refusals (bad JSON,
//! a wrong enum value, `abc` for an id, a missing content type) come back as the documented
//! JSON [`ErrorBody`](crate::error::ErrorBody) with a Chinese message, not axum's `text/plain`.
//! The status says which part of the request was wrong: 400 for the path, the query string or
//! JSON that does not parse, 415 for a body that is not `application/json`, 413 for one that
//! is too large, 422 for JSON that parses but does not fit the schema.

use crate::error::AppError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use domain::{FieldError, FieldErrors};
use serde::de::DeserializeOwned;

/// A JSON request body.
pub struct JsonBody<T>(pub T);

/// The parameters in the path (`/placements/{id}`).
pub struct PathParam<T>(pub T);

/// The query string's parameters.
pub struct QueryParams<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => {
                AppError::UnsupportedMediaType("请求体应为 JSON（Content-Type: application/json）".into())
            }
            JsonRejection::JsonSyntaxError(e) => AppError::BadRequest(format!("JSON 格式有误：{}", e.body_text())),
            JsonRejection::JsonDataError(e) => AppError::Invalid(FieldErrors(vec![FieldError::new(
                "body",
                format!("内容不符合要求：{}", e.body_text()),
            )])),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge("请求体太大".into()),
            other => AppError::BadRequest(format!("无法读取请求体：{}", other.body_text())),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> Self {
        AppError::BadRequest(format!("路径参数有误：{}", r.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::BadRequest(format!("查询参数有误：{}", r.body_text()))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let axum::Json(value) = <axum::Json<T> as FromRequest<S>>::from_request(req, state).await?;
        Ok(JsonBody(value))
    }
}

/// An optional body: none when the request has no `Content-Type`, refused like [`JsonBody`]
/// when it has one that is not JSON or does not parse.
impl<T: DeserializeOwned, S: Send + Sync> OptionalFromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, AppError> {
        let value = <axum::Json<T> as OptionalFromRequest<S>>::from_request(req, state).await?;
        Ok(value.map(|axum::Json(v)| JsonBody(v)))
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParam<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(PathParam(value))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(QueryParams(value))
    }
}
