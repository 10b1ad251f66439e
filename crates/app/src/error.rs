//! The one error of the use cases. Each variant says what went wrong in terms a user can act
//! on; the web layer chooses the HTTP status and the page, the command line prints `message()`.

use domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not there, or not the actor's to see: both are "not found" so nothing leaks.
    #[error("not found")]
    NotFound,
    /// The actor's role does not allow it.
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// The record is not in the state the action needs (e.g. a notice already published).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Was there and was taken down on purpose (the reason is shown).
    #[error("gone: {0}")]
    Gone(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large: {0}")]
    TooLarge(String),
    /// Too many requests from one client in a while (the message says how long to wait).
    #[error("too many requests: {0}")]
    TooMany(String),
    /// An import refused: the bad rows, columns and reasons (the first `MAX_LISTED_ROWS`; a
    /// file of 300,000 bad rows would otherwise answer with a page larger than itself), and how
    /// many there are in all.
    #[error("import rejected: {total} bad rows")]
    Rows { listed: Vec<domain::import::RowError>, total: usize },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Bad rows listed in an import's answer; the count says how many there are in all.
pub const MAX_LISTED_ROWS: usize = 200;

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<store::StoreError> for Error {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::NotFound => Error::NotFound,
            store::StoreError::Invalid(f) => Error::Invalid(f),
            store::StoreError::Conflict(m) => Error::Conflict(m),
            other => Error::Internal(other.into()),
        }
    }
}

impl From<FieldErrors> for Error {
    fn from(e: FieldErrors) -> Self {
        Error::Invalid(e)
    }
}

/// What the user reads when an item is missing or not theirs.
pub const NOT_FOUND_MESSAGE: &str = "页面不存在，或您无权查看";
/// What the user reads when their role does not allow an action.
pub const FORBIDDEN_MESSAGE: &str = "您的角色无权进行此操作";
/// What the user reads when something failed inside (the cause is logged, not shown).
pub const INTERNAL_MESSAGE: &str = "服务器内部错误，请稍后再试";

/// The message of a refused import: how many problems, and how many of them are listed.
pub fn rows_message(listed: usize, total: usize) -> String {
    if listed < total {
        format!("导入失败，共{total}处错误（列出前{listed}处），未写入任何数据")
    } else {
        format!("导入失败，共{total}处错误，未写入任何数据")
    }
}

impl Error {
    /// An import's bad rows, of which the first `MAX_LISTED_ROWS` are listed.
    pub fn rows(mut rows: Vec<domain::import::RowError>) -> Error {
        let total = rows.len();
        rows.truncate(MAX_LISTED_ROWS);
        Error::Rows { listed: rows, total }
    }

    /// What the user reads.
    pub fn message(&self) -> String {
        match self {
            Error::NotFound => NOT_FOUND_MESSAGE.into(),
            Error::Forbidden => FORBIDDEN_MESSAGE.into(),
            Error::Invalid(f) => format!("输入有误：{f}"),
            Error::Rows { listed, total } => rows_message(listed.len(), *total),
            Error::Gone(m) => format!("该内容已撤下：{m}"),
            Error::Conflict(m) | Error::BadRequest(m) | Error::TooLarge(m) | Error::TooMany(m) => m.clone(),
            Error::Internal(_) => INTERNAL_MESSAGE.into(),
        }
    }
}
