//! Files from outside are read here, off the async workers and two at a time.
//!
//! Reading a spreadsheet, a document or a photo is CPU work of up to seconds and up to a few
//! hundred megabytes (each reader keeps to its limits: `office::Limits` and the document and
//! photo limits). On an async worker it would stall every other request on that thread; two
//! hostile files at once would add up. So every parse runs in `spawn_blocking`, and only after
//! taking one of `PERMITS` permits of one pool shared by every upload path: a third upload
//! waits its turn instead of adding its memory to the other two. The permit goes with the
//! parse, so a client that hangs up does not free it before the parse ends.

use domain::table::Table;
use domain::{FieldError, FieldErrors};
use tokio::sync::Semaphore;

use crate::{Error, Result};

/// Parses that may run at once, whatever the number of uploads.
pub const PERMITS: usize = 2;

static POOL: Semaphore = Semaphore::const_new(PERMITS);

/// Runs `parse` on the blocking pool once a permit is free.
pub async fn blocking<T, F>(parse: F) -> Result<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let permit = POOL.acquire().await.map_err(|e| Error::Internal(e.into()))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        parse()
    })
    .await
    .map_err(|e| Error::Internal(e.into()))
}

/// Reads an uploaded spreadsheet (`office::read_table`) off the async workers. A file that
/// cannot be read, or is over a limit, is a 422 naming the reason.
pub async fn table(file_name: &str, bytes: Vec<u8>) -> Result<Table> {
    let name = file_name.to_string();
    blocking(move || office::read_table(&name, &bytes)).await?.map_err(file_error)
}

/// A file the readers refused, as a 422 on the upload's `file` field.
pub fn file_error(e: impl std::fmt::Display) -> Error {
    Error::Invalid(FieldErrors(vec![FieldError::new("file", e.to_string())]))
}
