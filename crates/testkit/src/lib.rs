//! Fresh databases for tests, on every backend this machine offers: always a SQLite file in a
//! temporary directory, and a new PostgreSQL database when `TONGLIAN_TEST_PG` holds a server
//! URL (e.g. `postgres://postgres@127.0.0.1:5432/postgres`). Tests loop over `fresh_stores()`
//! so the same assertions run on both.

use sea_orm::{ConnectionTrait, Database};
use std::sync::atomic::{AtomicU32, Ordering};
use store::Store;

/// The environment variable naming the PostgreSQL server for the PostgreSQL pass.
pub const PG_ENV: &str = "TONGLIAN_TEST_PG";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// One fresh, migrated database. The SQLite file lives as long as this value.
pub struct TestDb {
    pub backend: &'static str,
    pub url: String,
    pub store: Store,
    _dir: Option<TempDir>,
}

/// A temporary directory removed on drop (a few lines instead of another dependency).
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("tonglian-{label}-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL server URL for tests, if one is configured.
pub fn pg_server() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|s| !s.trim().is_empty())
}

/// A fresh SQLite database, migrated.
pub async fn fresh_sqlite() -> TestDb {
    let dir = TempDir::new("db");
    let url = format!("sqlite://{}", dir.0.join("test.db").display());
    let store = Store::connect(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    TestDb { backend: "sqlite", url, store, _dir: Some(dir) }
}

/// A fresh PostgreSQL database on `server`, migrated. Databases left by earlier test
/// processes that have exited are dropped first.
pub async fn fresh_postgres(server: &str) -> TestDb {
    let admin = Database::connect(server).await.expect("connect to the PostgreSQL server for tests");
    drop_stale_databases(&admin).await;
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("tonglian_test_{}_{n}", std::process::id());
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}")).await.expect("drop old test db");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test db");
    let _ = admin.close().await;
    let mut url = url::Url::parse(server).expect("PostgreSQL URL");
    url.set_path(&format!("/{name}"));
    let url = url.to_string();
    let store = Store::connect_with(&url, 4).await.expect("open test db");
    store.migrate().await.expect("migrate postgres");
    TestDb { backend: "postgres", url, store, _dir: None }
}

async fn drop_stale_databases(admin: &sea_orm::DatabaseConnection) {
    static DONE: std::sync::Once = std::sync::Once::new();
    let mut first = false;
    DONE.call_once(|| first = true);
    if !first {
        return;
    }
    let Ok(rows) = admin
        .query_all_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'tonglian_test_%'",
        ))
        .await
    else {
        return;
    };
    for r in rows {
        let Ok(name) = r.try_get::<String>("", "datname") else { continue };
        let pid: Option<u32> = name.split('_').nth(2).and_then(|p| p.parse().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
}

/// A fresh database on every backend available: SQLite always, PostgreSQL when configured.
pub async fn fresh_stores() -> Vec<TestDb> {
    let mut out = vec![fresh_sqlite().await];
    if let Some(server) = pg_server() {
        out.push(fresh_postgres(&server).await);
    }
    out
}
