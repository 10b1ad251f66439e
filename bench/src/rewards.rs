//! The reward figures over a large history: one month's statement for a station and a year's
//! unit ranking, computed in-process by the same functions the pages and the command line
//! call (`web::rewards::compute` and `web::rewards::ranking`), so process start-up and the
//! migration check are not in the figure. Beside them, as the yardstick, one hand-written SQL
//! aggregate through the same driver on the same database: the month's placements counted per
//! unit. The three are timed in turns, so that all of them see the same load.

use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use domain::policy::{Period, PeriodKind, Statement};
use domain::ranking::{RankBy, Ranking};
use sea_orm::{ConnectionTrait, DatabaseBackend, Value};
use store::Store;

/// What the timed runs found.
#[derive(Debug, Clone)]
pub struct Timings {
    pub statement_ms: Vec<f64>,
    pub ranking_ms: Vec<f64>,
    pub sql_ms: Vec<f64>,
    /// The statement's parts, timed separately in the same rounds: the people, units and
    /// policies; the placements; the engine.
    pub load_ms: Vec<f64>,
    pub items_ms: Vec<f64>,
    pub engine_ms: Vec<f64>,
    /// The last statement and ranking computed (every run computes the same).
    pub statement: Statement,
    pub ranking: Ranking,
    /// The bare query's rows (units) and the placements they count.
    pub sql_units: usize,
    pub sql_placements: i64,
}

/// The bare aggregate: a period's placements of a station counted per unit.
fn per_unit_count(backend: DatabaseBackend, station: i64, period: &Period) -> sea_orm::Statement {
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT unit_id, count(*) AS n FROM placements \
             WHERE station_id = $1 AND published_on BETWEEN $2 AND $3 GROUP BY unit_id"
        }
        _ => {
            "SELECT unit_id, count(*) AS n FROM placements \
             WHERE station_id = ? AND published_on BETWEEN ? AND ? GROUP BY unit_id"
        }
    };
    let values: Vec<Value> = vec![station.into(), period.from.into(), period.to.into()];
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

/// How the database runs the bare aggregate, on one line (`EXPLAIN QUERY PLAN` on SQLite,
/// `EXPLAIN` on PostgreSQL), so that a slow or a fast reference can be told apart.
pub async fn sql_plan(store: &Store, station_code: &str, month: &Period) -> Result<String> {
    let station = store
        .station_by_code(station_code)
        .await?
        .with_context(|| format!("no station with the code {station_code}"))?;
    let backend = store.backend();
    let count = per_unit_count(backend, station.id.0, month);
    let (prefix, column) = match backend {
        DatabaseBackend::Postgres => ("EXPLAIN ", 0),
        _ => ("EXPLAIN QUERY PLAN ", 3),
    };
    let explain = sea_orm::Statement::from_sql_and_values(
        backend,
        format!("{prefix}{}", count.sql),
        count.values.map(|v| v.0).unwrap_or_default(),
    );
    let mut lines = Vec::new();
    for row in store.connection().query_all_raw(explain).await? {
        lines.push(row.try_get_by_index::<String>(column)?.trim().to_string());
    }
    Ok(lines.join(" | "))
}

/// Times `runs` rounds of (statement, ranking, bare SQL) after `warmup` untimed rounds.
pub async fn run(
    store: &Store,
    station_code: &str,
    month: &Period,
    year: &Period,
    ledger: &str,
    warmup: usize,
    runs: usize,
) -> Result<Timings> {
    if month.kind != PeriodKind::Month || year.kind != PeriodKind::Year {
        bail!("the statement is for a month (e.g. 2007-06) and the ranking for a year (e.g. 2007)");
    }
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    let station = store
        .station_by_code(station_code)
        .await?
        .with_context(|| format!("no station with the code {station_code}"))?;
    let db = store.connection();
    let count = per_unit_count(store.backend(), station.id.0, month);
    let mut statement_ms = Vec::with_capacity(runs);
    let mut ranking_ms = Vec::with_capacity(runs);
    let mut sql_ms = Vec::with_capacity(runs);
    let mut load_ms = Vec::with_capacity(runs);
    let mut items_ms = Vec::with_capacity(runs);
    let mut engine_ms = Vec::with_capacity(runs);
    let mut last = None;
    for i in 0..warmup + runs {
        let (t_load, t_items, t_engine) = statement_parts(store, station.id, month).await?;
        let start = Instant::now();
        let statement = web::rewards::compute(store, station.id, month)
            .await
            .map_err(|e| anyhow!("statement {month}: {}", e.message()))?;
        let t_statement = start.elapsed().as_secs_f64() * 1000.0;

        let start = Instant::now();
        let ranking = web::rewards::ranking(store, station.id, year, RankBy::Unit, ledger)
            .await
            .map_err(|e| anyhow!("ranking {year}: {}", e.message()))?;
        let t_ranking = start.elapsed().as_secs_f64() * 1000.0;

        let start = Instant::now();
        let rows = db.query_all_raw(count.clone()).await?;
        let t_sql = start.elapsed().as_secs_f64() * 1000.0;
        let mut placements = 0;
        for row in &rows {
            placements += row.try_get_by_index::<i64>(1)?;
        }

        if i >= warmup {
            statement_ms.push(t_statement);
            ranking_ms.push(t_ranking);
            sql_ms.push(t_sql);
            load_ms.push(t_load);
            items_ms.push(t_items);
            engine_ms.push(t_engine);
        }
        last = Some((statement, ranking, rows.len(), placements));
    }
    let (statement, ranking, sql_units, sql_placements) = last.context("no runs")?;
    Ok(Timings {
        statement_ms,
        ranking_ms,
        sql_ms,
        load_ms,
        items_ms,
        engine_ms,
        statement,
        ranking,
        sql_units,
        sql_placements,
    })
}

/// One statement's work in its three parts (milliseconds), as `compute` does it when no earlier
/// notice needs rechecking: what the engine needs besides the placements, the placements, the engine.
async fn statement_parts(store: &Store, station: domain::StationId, month: &Period) -> Result<(f64, f64, f64)> {
    let ms = |start: Instant| start.elapsed().as_secs_f64() * 1000.0;
    let start = Instant::now();
    let data = web::rewards::RewardData::load(store, station, month.year_start(), month.to)
        .await
        .map_err(|e| anyhow!("loading {month}: {}", e.message()))?;
    let t_load = ms(start);
    let start = Instant::now();
    let from = web::rewards::lookback_start(&data.policies, month);
    let items = store.reward_items(station, from, month.to).await?;
    let t_items = ms(start);
    let start = Instant::now();
    data.run(month, &items).map_err(|e| anyhow!("statement {month}: {}", e.message()))?;
    Ok((t_load, t_items, ms(start)))
}
