//! Configuration: defaults, then a TOML file, then `TONGLIAN_*` environment variables, then
//! flags (clap reads the environment and the flags; this module fills in from the file and the
//! defaults). Nothing here is logged without redaction.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Config {
    pub db: String,
    pub listen: String,
    pub log_format: String,
    pub secure_cookies: bool,
    /// The portal's public address for canonical links, feeds and the sitemap; when unset,
    /// the address the server listens on.
    pub public_url: Option<String>,
    /// The paper the stations report to, as its outlets are named in every station (for
    /// headquarters' national view).
    pub paper: String,
    /// The SMTP server reminders are mailed through (`smtp://host:25`, `smtps://user:pass@host`);
    /// none: reminders stay in the site. A secret: never logged.
    pub smtp_url: Option<String>,
    /// The sender of reminder mail.
    pub smtp_from: String,
    /// The bearer token `/metrics` on the site asks for; none: the site has no `/metrics`.
    /// A secret: never logged.
    pub metrics_token: Option<String>,
    /// A separate address that serves `/metrics` alone, without a token (for a scraper on a
    /// private network); none: no such listener.
    pub metrics_listen: Option<String>,
}

/// The file's keys; all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    db: Option<String>,
    listen: Option<String>,
    log_format: Option<String>,
    data_dir: Option<PathBuf>,
    secure_cookies: Option<bool>,
    public_url: Option<String>,
    paper: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    metrics_token: Option<String>,
    metrics_listen: Option<String>,
}

impl Config {
    /// `db` and `log_format` come from flags or the environment (already merged by clap).
    pub fn load(file: Option<&Path>, db: Option<String>, log_format: Option<String>) -> Result<Config> {
        let file_config = match file {
            Some(p) => read(p)?,
            None if Path::new("tonglian.toml").exists() => read(Path::new("tonglian.toml"))?,
            None => FileConfig::default(),
        };
        let data_dir = std::env::var_os("TONGLIAN_DATA_DIR")
            .map(PathBuf::from)
            .or(file_config.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let default_db = format!("sqlite://{}", data_dir.join("tonglian.db").display());
        let secure_cookies = match std::env::var("TONGLIAN_SECURE_COOKIES") {
            Ok(v) => v == "1" || v.eq_ignore_ascii_case("true"),
            Err(_) => file_config.secure_cookies.unwrap_or(false),
        };
        Ok(Config {
            db: db.or(file_config.db).unwrap_or(default_db),
            listen: std::env::var("TONGLIAN_LISTEN")
                .ok()
                .or(file_config.listen)
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            log_format: log_format.or(file_config.log_format).unwrap_or_else(|| "text".into()),
            secure_cookies,
            public_url: std::env::var("TONGLIAN_PUBLIC_URL")
                .ok()
                .or(file_config.public_url)
                .filter(|u| !u.trim().is_empty()),
            paper: std::env::var("TONGLIAN_PAPER")
                .ok()
                .or(file_config.paper)
                .filter(|p| !p.trim().is_empty())
                .unwrap_or_else(|| web::DEFAULT_PAPER.into()),
            smtp_url: std::env::var("TONGLIAN_SMTP_URL").ok().or(file_config.smtp_url).filter(|u| !u.trim().is_empty()),
            smtp_from: std::env::var("TONGLIAN_SMTP_FROM")
                .ok()
                .or(file_config.smtp_from)
                .unwrap_or_else(|| "通联 <tonglian@localhost>".into()),
            metrics_token: std::env::var("TONGLIAN_METRICS_TOKEN")
                .ok()
                .or(file_config.metrics_token)
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            metrics_listen: std::env::var("TONGLIAN_METRICS_LISTEN")
                .ok()
                .or(file_config.metrics_listen)
                .filter(|a| !a.trim().is_empty()),
        })
    }

    /// The file behind a SQLite URL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.db.strip_prefix("sqlite://").or_else(|| self.db.strip_prefix("sqlite:"))?;
        Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
    }
}

fn read(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("无法读取配置文件 {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("配置文件 {} 有误", path.display()))
}

pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TONGLIAN_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_fill_in_and_flags_win() {
        let dir = std::env::temp_dir().join(format!("tonglian-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("t.toml");
        std::fs::write(&file, "db = \"sqlite://from-file.db\"\nlog_format = \"json\"\n").unwrap();
        let c = Config::load(Some(&file), None, None).unwrap();
        assert_eq!(c.db, "sqlite://from-file.db");
        assert_eq!(c.log_format, "json");
        let c = Config::load(Some(&file), Some("postgres://x@y/z".into()), Some("text".into())).unwrap();
        assert_eq!(c.db, "postgres://x@y/z");
        assert_eq!(c.log_format, "text");
        std::fs::write(&file, "dbb = \"typo\"\n").unwrap();
        let err = Config::load(Some(&file), None, None).unwrap_err();
        assert!(format!("{err:#}").contains("dbb"), "{err:#}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sqlite_path_of_url() {
        let c = Config {
            db: "sqlite://data/x.db".into(),
            listen: String::new(),
            log_format: String::new(),
            secure_cookies: false,
            public_url: None,
            paper: String::new(),
            smtp_url: None,
            smtp_from: String::new(),
            metrics_token: None,
            metrics_listen: None,
        };
        assert_eq!(c.sqlite_path(), Some(PathBuf::from("data/x.db")));
        let c = Config { db: "postgres://a@b/c".into(), ..c };
        assert_eq!(c.sqlite_path(), None);
    }
}
