//! `tonglian-bench`: the tools behind `bench/run`. Writes a generated station history as the
//! four CSV files the import reads (`gen-csv`), loads a large history straight into a database
//! (`seed`), times the hand-written SQL of the placements list page (`sql-reference`), and
//! times a month's reward statement and a year's ranking in-process beside a bare SQL
//! aggregate (`rewards`). Results go to stdout as `key=value` lines for the script; progress
//! goes to stderr.

mod generate;
mod rewards;
mod sql_reference;

/// The same allocator as the `tonglian` binary, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use domain::import::{write_correspondents, write_outlets, write_placements, write_units};
use domain::policy::Period;
use domain::{Role, UserId};
use generate::{Network, STATION_CODE, STATION_NAME};
use store::{NewUser, Store};

#[derive(Parser)]
#[command(name = "tonglian-bench", about = "Figures for Tonglian at scale (see bench/README.md)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes units.csv, outlets.csv, correspondents.csv and placements.csv into DIR.
    GenCsv {
        /// How many placements (spread over 1998–2007).
        #[arg(long, default_value_t = 100_000)]
        placements: u64,
        /// The folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Creates the station hb (湖北通联站) in an empty database with its network and N placements.
    Seed {
        /// sqlite://PATH or postgres://…
        #[arg(long, env = "TONGLIAN_DB")]
        db: String,
        #[arg(long, default_value_t = 1_000_000)]
        placements: u64,
        /// Placements per call of `Store::import_placements` (one transaction each).
        #[arg(long, default_value_t = 100_000)]
        chunk: u64,
    },
    /// Times the bare SQL of the placements list page (count + first page, newest first).
    SqlReference {
        #[arg(long, env = "TONGLIAN_DB")]
        db: String,
        #[arg(long, default_value = STATION_CODE)]
        station: String,
        /// Unit id.
        #[arg(long)]
        unit: Option<i64>,
        /// Outlet id.
        #[arg(long)]
        outlet: Option<i64>,
        /// Outlet level code: national, provincial, municipal, county, internal.
        #[arg(long)]
        level: Option<String>,
        /// Genre code.
        #[arg(long)]
        genre: Option<String>,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 20)]
        per_page: u64,
        #[arg(long, default_value_t = 3)]
        warmup: usize,
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// Times a month's statement and a year's ranking (in-process) and a bare per-unit count.
    Rewards {
        #[arg(long, env = "TONGLIAN_DB")]
        db: String,
        #[arg(long, default_value = STATION_CODE)]
        station: String,
        /// The month of the statement, e.g. 2007-06.
        #[arg(long, default_value = "2007-06")]
        period: String,
        /// The year of the ranking; the month's year when not given.
        #[arg(long)]
        year: Option<String>,
        /// The ledger the units are ranked by.
        #[arg(long, default_value = "points")]
        ledger: String,
        #[arg(long, default_value_t = 2)]
        warmup: usize,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    store::tune_c_allocator();
    match Cli::parse().command {
        Command::GenCsv { placements, out } => gen_csv(placements, &out),
        Command::Seed { db, placements, chunk } => seed(&db, placements, chunk).await,
        Command::SqlReference { db, station, unit, outlet, level, genre, from, to, per_page, warmup, runs } => {
            let day = |s: Option<String>| -> Result<Option<time::Date>> {
                s.map(|s| domain::parse_date(&s).with_context(|| format!("not a date: {s}"))).transpose()
            };
            let filters = sql_reference::Filters { unit, outlet, level, genre, from: day(from)?, to: day(to)? };
            let store =
                Store::connect(&db).await.with_context(|| format!("connecting to {}", store::redact_url(&db)))?;
            let t = sql_reference::run(&store, &station, &filters, per_page, warmup, runs).await?;
            let mut sorted = t.runs_ms.clone();
            sorted.sort_by(f64::total_cmp);
            println!("backend={}", store.backend_name());
            println!("runs={}", t.runs_ms.len());
            println!("median_ms={:.3}", sql_reference::median(&t.runs_ms));
            println!("min_ms={:.3}", sorted[0]);
            println!("max_ms={:.3}", sorted[sorted.len() - 1]);
            println!("total={}", t.total);
            println!("rows={}", t.rows);
            let samples: Vec<String> = t.runs_ms.iter().map(|ms| format!("{ms:.3}")).collect();
            println!("samples_ms={}", samples.join(","));
            store.close().await?;
            Ok(())
        }
        Command::Rewards { db, station, period, year, ledger, warmup, runs } => {
            let month = Period::parse(&period).map_err(|e| anyhow::anyhow!(e))?;
            let year = Period::parse(&year.unwrap_or_else(|| month.from.year().to_string()))
                .map_err(|e| anyhow::anyhow!(e))?;
            let store =
                Store::connect(&db).await.with_context(|| format!("connecting to {}", store::redact_url(&db)))?;
            let t = rewards::run(&store, &station, &month, &year, &ledger, warmup, runs).await?;
            let samples = |v: &[f64]| v.iter().map(|ms| format!("{ms:.3}")).collect::<Vec<_>>().join(",");
            let statement_ms = sql_reference::median(&t.statement_ms);
            let ranking_ms = sql_reference::median(&t.ranking_ms);
            let sql_ms = sql_reference::median(&t.sql_ms);
            println!("backend={}", store.backend_name());
            println!("period={month}");
            println!("year={year}");
            println!("runs={}", t.statement_ms.len());
            println!("statement_median_ms={statement_ms:.3}");
            println!("statement_samples_ms={}", samples(&t.statement_ms));
            println!("statement_load_median_ms={:.3}", sql_reference::median(&t.load_ms));
            println!("statement_load_samples_ms={}", samples(&t.load_ms));
            println!("statement_items_median_ms={:.3}", sql_reference::median(&t.items_ms));
            println!("statement_engine_median_ms={:.3}", sql_reference::median(&t.engine_ms));
            println!("ranking_median_ms={ranking_ms:.3}");
            println!("ranking_samples_ms={}", samples(&t.ranking_ms));
            println!("sql_median_ms={sql_ms:.3}");
            println!("sql_samples_ms={}", samples(&t.sql_ms));
            println!("statement_over_sql={:.2}", statement_ms / sql_ms);
            println!("ranking_over_sql={:.2}", ranking_ms / sql_ms);
            println!("sql_units={}", t.sql_units);
            println!("sql_placements={}", t.sql_placements);
            println!("sql_plan={}", rewards::sql_plan(&store, &station, &month).await?);
            // What the statement found, so that a statement of zeros cannot pass for fast.
            let s = &t.statement;
            println!("statement_policies={}", s.policies.join(" / "));
            println!("statement_lines={}", s.lines.len());
            println!("statement_placements={}", s.lines.iter().map(|l| l.placements).sum::<u32>());
            for (ledger, total) in &s.totals {
                println!("statement_total_{ledger}={total}");
            }
            println!("ranking_rows={}", t.ranking.rows.len());
            println!("ranking_placements={}", t.ranking.rows.iter().map(|r| r.placements).sum::<u32>());
            if let Some(top) = t.ranking.rows.first() {
                println!("ranking_top={} {}", top.name, top.figure);
            }
            store.close().await?;
            Ok(())
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn gen_csv(placements: u64, out: &Path) -> Result<()> {
    let start = Instant::now();
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let net = Network::new();
    write(&out.join("units.csv"), &office::write_csv(&write_units(&net.units)))?;
    write(&out.join("outlets.csv"), &office::write_csv(&write_outlets(&net.outlets)))?;
    write(&out.join("correspondents.csv"), &office::write_csv(&write_correspondents(&net.correspondents)))?;
    let records = net.placements(0..placements, placements);
    write(&out.join("placements.csv"), &office::write_csv(&write_placements(&records)))?;
    eprintln!(
        "wrote {} units, {} outlets, {} correspondents and {placements} placements to {} in {:.1} s",
        net.units.len(),
        net.outlets.len(),
        net.correspondents.len(),
        out.display(),
        start.elapsed().as_secs_f64()
    );
    println!("dir={}", out.display());
    println!("placements={placements}");
    Ok(())
}

async fn seed(url: &str, placements: u64, chunk: u64) -> Result<()> {
    if chunk == 0 {
        bail!("--chunk must be at least 1");
    }
    let start = Instant::now();
    let store = Store::connect(url).await.with_context(|| format!("connecting to {}", store::redact_url(url)))?;
    store.migrate().await.context("migrating")?;
    if store.station_by_code(STATION_CODE).await?.is_some() {
        bail!("the station {STATION_CODE} already exists: seed an empty database");
    }
    let station = store.create_station(STATION_CODE, STATION_NAME).await?;
    let net = Network::new();
    let audit = store::ImportAudit { by: None, file: "bench".into() };
    store.import_units(station.id, &net.units, &audit).await?;
    store.import_outlets(station.id, &net.outlets, &audit).await?;
    store.import_correspondents(station.id, &net.correspondents, &audit).await?;
    // The placements need someone to have recorded them: an account nobody can log in with.
    let by = seed_user(&store, station.id).await?;

    let mut done = 0;
    while done < placements {
        let end = (done + chunk).min(placements);
        let records = net.placements(done..end, placements);
        // Generated titles repeat without being one piece: no linking by title.
        store
            .import_placements(station.id, &records, store::Linking::KeysOnly, by, &audit)
            .await
            .with_context(|| format!("placements {done}..{end}"))?;
        done = end;
        eprintln!("seeded {done}/{placements} placements ({:.0} s)", start.elapsed().as_secs_f64());
    }

    let unit = store.unit_by_name(station.id, net.filter_unit()).await?.context("the filter unit is missing")?;
    let outlet =
        store.outlet_by_name(station.id, net.filter_outlet()).await?.context("the filter outlet is missing")?;
    println!("backend={}", store.backend_name());
    println!("station={STATION_CODE}");
    println!("station_id={}", station.id);
    println!("placements={placements}");
    println!("seconds={:.1}", start.elapsed().as_secs_f64());
    println!("unit_id={}", unit.id);
    println!("unit_name={}", unit.name);
    println!("outlet_id={}", outlet.id);
    println!("outlet_name={}", outlet.name);
    store.close().await?;
    Ok(())
}

async fn seed_user(store: &Store, station: domain::StationId) -> Result<UserId> {
    let user = store
        .create_user(
            NewUser {
                station_id: Some(station),
                username: "bench-seed".into(),
                // Not a hash any password verifies against; the account is disabled as well.
                password_hash: "!disabled".into(),
                display_name: "基准数据生成".into(),
                role: Role::Editor,
                correspondent_id: None,
                unit_id: None,
            },
            None,
        )
        .await?;
    store.set_user_active(store::Scope::All, user.id, false).await?;
    Ok(user.id)
}
