//! The store: one query layer over SQLite (the embedded default) and PostgreSQL (the
//! scale-out store), built on SeaORM so the same code and the same migrations serve both.
//! Every function here takes and returns domain types; SQL stays inside this crate.

pub mod entities;
pub mod migration;

mod attachments;
mod auth;
mod documents;
mod events;
mod import;
mod manuscripts;
mod national;
mod network;
mod notifications;
mod placements;
mod portal;
mod reports;
mod reward_items;
mod rewards;
mod scoped;
mod statements;
mod stats;
mod subscriptions;
mod targets;

pub use attachments::*;
pub use auth::*;
pub use documents::*;
pub use events::*;
pub use import::{ImportAudit, ImportedPlacements, Linking};
pub use manuscripts::*;
pub use national::*;
pub use network::*;
pub use notifications::*;
pub use placements::*;
pub use portal::*;
pub use rewards::*;
pub use scoped::STATION_OWNED;
pub use statements::*;
pub use stats::*;
pub use subscriptions::*;
pub use targets::*;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("not found")]
    NotFound,
    /// Input that breaks a rule the database enforces (a duplicate name, say), in Chinese.
    #[error("{0}")]
    Invalid(domain::FieldErrors),
    /// An action not allowed in the record's current state, in Chinese.
    #[error("{0}")]
    Conflict(String),
    #[error("unsupported database URL: {0}")]
    BadUrl(String),
    /// Stored data the code cannot read back (a bug or a hand edit), for the log.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(domain::FieldErrors(vec![domain::FieldError::new(field, message)]))
    }
}

/// Connections in SQLite's main pool: readers beside the one writer (see `connect_with`).
const SQLITE_CONNECTIONS: u32 = 4;
/// How long a SQLite writer waits for another's transaction before giving up: longer than
/// the write of the largest import allowed.
const SQLITE_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The database behind the site. Cheap to clone (the pools are shared).
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// Read-only connections for the large reads of reports (a ranking reads two years at
    /// once), so that they never take the main pool's connections from small requests (WAL
    /// lets readers and a writer work at the same time). On PostgreSQL the main pool already
    /// has many connections, and this is `None`.
    reader: Option<DatabaseConnection>,
}

/// Lets the C allocator keep large blocks it has freed instead of handing them back to the
/// kernel, which zeroes them again on the next use. SQLite allocates with it: a ranking reads
/// two years as JSON documents of 15 MB each, built, copied and freed every time (measured in
/// `bench/`: about 10% of a ranking). Call once at the start of a program; glibc only.
#[allow(unsafe_code)] // the workspace's only unsafe block
pub fn tune_c_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets two of glibc's allocator parameters (it takes the arena lock,
    // so it is safe with other threads running); no memory is touched.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}

/// Now, in seconds since the epoch: every timestamp in the schema is stored this way, which
/// is the same on both databases and needs no time-zone handling.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A database URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<invalid url>".into(),
    }
}

impl Store {
    /// Connects to `sqlite://PATH` (the file is created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        Self::connect_with(url, 16).await
    }

    /// Connects with at most `max_connections` pooled connections.
    pub async fn connect_with(url: &str, max_connections: u32) -> Result<Store> {
        let mut reader = None;
        let mut opts = if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(StoreError::BadUrl(url.into()));
            }
            if path != ":memory:"
                && let Some(dir) = std::path::Path::new(path.split('?').next().unwrap_or(path)).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::BadUrl(format!("{url}: {e}")))?;
            }
            let mut o = ConnectOptions::new(format!("sqlite://{path}"));
            o.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .foreign_keys(true)
                    // SQLite runs on a worker thread that hands rows over a channel; with the
                    // default 50 it stops every 50 rows until the reader catches up.
                    .row_buffer_size(1024)
                    // 32 MiB of page cache (the default is 2 MiB), allocated as pages are read:
                    // an import of 200,000 placements updates five indexes, and with the
                    // default cache its write took twice as long, holding the write lock.
                    .pragma("cache_size", "-32768")
            });
            // Several connections, so that reads (a login, /healthz, a portal page) go on
            // beside a long write: WAL lets readers and one writer work at once, and writers
            // queue on the busy timeout because every transaction is IMMEDIATE (`write_txn`).
            // An in-memory database is one per connection, so it keeps one.
            let in_memory = path.contains(":memory:") || path.contains("mode=memory");
            o.max_connections(if in_memory { 1 } else { max_connections.clamp(1, SQLITE_CONNECTIONS) });
            if !in_memory {
                let mut r = ConnectOptions::new(format!("sqlite://{path}"));
                r.max_connections(2).min_connections(0).sqlx_logging(false);
                r.map_sqlx_sqlite_opts(|o| o.read_only(true).busy_timeout(SQLITE_BUSY_TIMEOUT));
                reader = Some(r);
            }
            o
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut o = ConnectOptions::new(url.to_string());
            o.max_connections(max_connections);
            o
        } else {
            return Err(StoreError::BadUrl(redact_url(url)));
        };
        opts.sqlx_logging(false);
        // The main pool first: it creates the file and switches it to WAL.
        let db = Database::connect(opts).await?;
        let reader = match reader {
            Some(r) => Some(Database::connect(r).await?),
            None => None,
        };
        Ok(Store { db, reader })
    }

    /// Applies every pending migration. Safe to run from several processes at once on
    /// PostgreSQL: the migrations run inside a transaction guarded by an advisory lock.
    pub async fn migrate(&self) -> Result<()> {
        if self.backend() == DatabaseBackend::Postgres {
            let txn = self.write_txn().await?;
            txn.execute_unprepared("SELECT pg_advisory_xact_lock(7158329)").await?;
            migration::Migrator::up(&txn, None).await?;
            txn.commit().await?;
        } else {
            migration::Migrator::up(&self.db, None).await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// "sqlite" or "postgres", for logs and the health page.
    pub fn backend_name(&self) -> &'static str {
        match self.backend() {
            DatabaseBackend::Postgres => "postgres",
            DatabaseBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Every write transaction begins here. On SQLite it is IMMEDIATE: the write lock is taken
    /// at BEGIN (waiting up to the busy timeout behind another writer), so a read inside cannot
    /// go stale before the write, and a transaction never fails half-way because another
    /// connection wrote first. On PostgreSQL it is an ordinary READ COMMITTED transaction;
    /// the money paths add the station's advisory lock (`lock_station`).
    pub(crate) async fn write_txn(&self) -> Result<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.db.begin_with_options(options).await?)
    }

    /// Where large report reads go: the read-only pool on SQLite, the main pool otherwise.
    pub(crate) fn reader(&self) -> &DatabaseConnection {
        self.reader.as_ref().unwrap_or(&self.db)
    }

    /// Checks the database answers, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        if let Some(reader) = self.reader {
            reader.close().await?;
        }
        self.db.close().await?;
        Ok(())
    }
}

/// One page of a list, with the total so the UI can draw the pager.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        domain::paging::pages(self.total, self.per_page)
    }
}

/// `column LIKE '%text%'` with `text` taken literally: `%`, `_` and the escape character `!`
/// in it match only themselves (`ESCAPE '!'`, which SQLite and PostgreSQL read alike; a
/// backslash would need quoting differently on each). Every search by words in the store
/// goes through here.
pub(crate) fn contains_text<C: sea_orm::ColumnTrait>(column: C, text: &str) -> sea_orm::sea_query::Expr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    column.like(sea_orm::sea_query::LikeExpr::new(pattern).escape('!'))
}

impl Store {
    /// An online, consistent copy of a SQLite database (`VACUUM INTO`), safe while the server
    /// runs. PostgreSQL is backed up with its own tools (see the README).
    pub async fn backup_sqlite(&self, file: &std::path::Path) -> Result<()> {
        if self.backend() != DatabaseBackend::Sqlite {
            return Err(StoreError::Conflict("backup 只适用于 SQLite；PostgreSQL 请使用 pg_dump（见 README）".into()));
        }
        if file.exists() {
            return Err(StoreError::Conflict(format!("{} 已存在，不会覆盖", file.display())));
        }
        let path = file.to_string_lossy().replace('\'', "''");
        self.db.execute_unprepared(&format!("VACUUM INTO '{path}'")).await?;
        Ok(())
    }
}

/// Replaces the SQLite database at `target` with the backup at `backup`, after checking the
/// backup opens and holds Tonglian's tables. The server must be stopped.
pub async fn restore_sqlite(backup: &std::path::Path, target: &std::path::Path) -> Result<()> {
    if !backup.exists() {
        return Err(StoreError::Conflict(format!("备份文件 {} 不存在", backup.display())));
    }
    // Open the copy read-only, without touching its journal mode, and look for our tables.
    let opts = sea_orm::sqlx::sqlite::SqliteConnectOptions::new().filename(backup).read_only(true);
    let ok = match sea_orm::sqlx::SqlitePool::connect_with(opts).await {
        Ok(pool) => {
            let found: std::result::Result<i64, _> =
                sea_orm::sqlx::query_scalar("SELECT count(*) FROM stations").fetch_one(&pool).await;
            pool.close().await;
            found.is_ok()
        }
        Err(_) => false,
    };
    if !ok {
        return Err(StoreError::Conflict(format!("{} 不是通联的备份文件", backup.display())));
    }
    // Remove the old write-ahead log so it is not replayed onto the restored file.
    for suffix in ["-wal", "-shm"] {
        let side = std::path::PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(|e| StoreError::Conflict(e.to_string()))?;
        }
    }
    std::fs::copy(backup, target).map_err(|e| StoreError::Conflict(format!("无法写入 {}：{e}", target.display())))?;
    Ok(())
}
