//! The yardstick for the placements list page: the same page (the count for the pager and the
//! first 20 rows, newest first, with the unit and outlet names) as a hand-written SQL query
//! through the same driver, timed on the same database in the same run. The page's server
//! time divided by this is the figure that stays meaningful on a busy machine.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use store::Store;
use time::Date;

/// The filters of the list page, as its query string gives them.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub unit: Option<i64>,
    pub outlet: Option<i64>,
    pub level: Option<String>,
    pub genre: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// What a timed run found.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Milliseconds for the count and the page together, one entry per run.
    pub runs_ms: Vec<f64>,
    /// How many placements match the filters.
    pub total: i64,
    /// How many rows the first page held.
    pub rows: usize,
}

/// Builds the two statements: the count and the first page.
fn statements(backend: DatabaseBackend, station: i64, f: &Filters, per_page: u64) -> (Statement, Statement) {
    let mut values: Vec<Value> = Vec::new();
    let mut mark = |v: Value| {
        values.push(v);
        match backend {
            DatabaseBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_string(),
        }
    };
    let mut conditions = vec![format!("p.station_id = {}", mark(station.into()))];
    if let Some(u) = f.unit {
        conditions.push(format!("p.unit_id = {}", mark(u.into())));
    }
    if let Some(o) = f.outlet {
        conditions.push(format!("p.outlet_id = {}", mark(o.into())));
    }
    if let Some(l) = &f.level {
        conditions.push(format!("o.level = {}", mark(l.clone().into())));
    }
    if let Some(g) = &f.genre {
        conditions.push(format!("p.genre = {}", mark(g.clone().into())));
    }
    if let Some(d) = f.from {
        conditions.push(format!("p.published_on >= {}", mark(d.into())));
    }
    if let Some(d) = f.to {
        conditions.push(format!("p.published_on <= {}", mark(d.into())));
    }
    let filter = conditions.join(" AND ");
    // The outlet join is only needed for counting when the level is filtered on.
    let count_from =
        if f.level.is_some() { "placements p JOIN outlets o ON o.id = p.outlet_id" } else { "placements p" };
    let count = Statement::from_sql_and_values(
        backend,
        format!("SELECT COUNT(*) AS n FROM {count_from} WHERE {filter}"),
        values.clone(),
    );
    let page = Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT p.*, u.name AS unit_name, o.name AS outlet_name, o.level AS outlet_level \
             FROM placements p JOIN outlets o ON o.id = p.outlet_id LEFT JOIN units u ON u.id = p.unit_id \
             WHERE {filter} ORDER BY p.published_on DESC, p.id DESC LIMIT {per_page} OFFSET 0"
        ),
        values,
    );
    (count, page)
}

/// Times `runs` executions of the page's two queries after `warmup` untimed ones.
pub async fn run(
    store: &Store,
    station_code: &str,
    filters: &Filters,
    per_page: u64,
    warmup: usize,
    runs: usize,
) -> Result<Timing> {
    let station = store
        .station_by_code(station_code)
        .await?
        .with_context(|| format!("no station with the code {station_code}"))?;
    let db = store.connection();
    let (count, page) = statements(store.backend(), station.id.0, filters, per_page);
    let mut timing = Timing { runs_ms: Vec::with_capacity(runs), total: 0, rows: 0 };
    for i in 0..warmup + runs {
        let start = Instant::now();
        let n = db.query_one_raw(count.clone()).await?.context("the count returned no row")?;
        let rows = db.query_all_raw(page.clone()).await?;
        let elapsed = start.elapsed().as_secs_f64() * 1000.0;
        timing.total = n.try_get_by_index::<i64>(0)?;
        timing.rows = rows.len();
        if i >= warmup {
            timing.runs_ms.push(elapsed);
        }
    }
    if timing.runs_ms.is_empty() {
        bail!("no timed runs");
    }
    Ok(timing)
}

/// The median of some figures (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn placeholders_follow_the_backend() {
        let f = Filters { unit: Some(4), level: Some("national".into()), ..Filters::default() };
        let (count, page) = statements(DatabaseBackend::Postgres, 1, &f, 20);
        assert!(count.sql.contains("o.level = $3"), "{}", count.sql);
        assert!(page.sql.contains("LIMIT 20"), "{}", page.sql);
        let (count, _) = statements(DatabaseBackend::Sqlite, 1, &Filters { outlet: Some(2), ..f }, 20);
        assert!(count.sql.contains("p.outlet_id = ?"), "{}", count.sql);
    }
}
