//! Targets (目标管理) and what was achieved against them: the targets a station sets for a
//! year, the tally of placements, subscriptions and events by unit and correspondent over a
//! date range, the progress of every target against the pace the calendar requires, and the
//! correspondents who have gone quiet. The arithmetic of pace lives in `domain::targets`.

use crate::auth::audit_in;
use crate::entities::{
    correspondent, event, event_unit, manuscript, manuscript_author, outlet, placement, placement_author, station,
    subscription_order, target, unit,
};
use crate::scoped::in_scope;
use crate::{Result, Scope, Store, StoreError, now};
use domain::targets::{Progress, TargetInput, TargetMetric, is_quiet, year_elapsed};
use domain::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
};
use serde::Serialize;
use std::collections::HashMap;
use time::Date;

/// A stored target with the names its pages show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetRecord {
    pub id: TargetId,
    pub year: i32,
    pub unit_id: Option<UnitId>,
    pub correspondent_id: Option<CorrespondentId>,
    /// The unit's name, or the correspondent's.
    pub owner_name: String,
    /// For a correspondent's target, the unit they belong to.
    pub unit_name: Option<String>,
    pub metric: TargetMetric,
    /// The outlet's name, for a target on placements in one outlet.
    pub outlet_name: Option<String>,
    pub value: i64,
}

impl TargetRecord {
    pub fn metric_label(&self, locale: &str) -> String {
        self.metric.label(locale, self.outlet_name.as_deref())
    }

    pub fn input(&self) -> TargetInput {
        TargetInput {
            year: self.year,
            unit_id: self.unit_id,
            correspondent_id: self.correspondent_id,
            metric: self.metric,
            value: self.value,
        }
    }
}

/// What one unit or correspondent achieved over a date range, by everything a target counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Placements per outlet.
    pub by_outlet: HashMap<OutletId, i64>,
    /// Copies ordered in the subscription drive (units only).
    pub subscriptions: i64,
    /// Events the unit took part in, per kind (units only).
    pub events: HashMap<EventKind, i64>,
}

/// Achievements of a station's units and correspondents over a date range.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub units: HashMap<UnitId, Counts>,
    pub correspondents: HashMap<CorrespondentId, Counts>,
    /// Every outlet's level, for targets by level.
    pub levels: HashMap<OutletId, OutletLevel>,
    /// The outlet that stands for the station's own website.
    pub website: Option<OutletId>,
}

impl Tally {
    /// What `counts` achieved on `metric`.
    pub fn value(&self, counts: &Counts, metric: TargetMetric) -> i64 {
        match metric {
            TargetMetric::Placements => counts.by_outlet.values().sum(),
            TargetMetric::PlacementsAtLevel(level) => {
                counts.by_outlet.iter().filter(|(o, _)| self.levels.get(o) == Some(&level)).map(|(_, n)| n).sum()
            }
            TargetMetric::PlacementsIn(o) => counts.by_outlet.get(&o).copied().unwrap_or(0),
            TargetMetric::WebsiteItems => self.website.and_then(|w| counts.by_outlet.get(&w)).copied().unwrap_or(0),
            TargetMetric::Subscriptions => counts.subscriptions,
            TargetMetric::Events => counts.events.values().sum(),
            TargetMetric::EventsOfKind(k) => counts.events.get(&k).copied().unwrap_or(0),
        }
    }

    /// What the owner of `t` achieved on its metric.
    pub fn achieved(&self, t: &TargetRecord) -> i64 {
        let empty = Counts::default();
        let counts = match (t.unit_id, t.correspondent_id) {
            (_, Some(c)) => self.correspondents.get(&c),
            (Some(u), None) => self.units.get(&u),
            (None, None) => None,
        };
        self.value(counts.unwrap_or(&empty), t.metric)
    }
}

/// A target with what was achieved and how that compares with the calendar's pace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressRow {
    pub target: TargetRecord,
    pub progress: Progress,
}

/// A correspondent with no submission for the station's quiet period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuietCorrespondent {
    pub id: CorrespondentId,
    pub name: String,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub last_submission: Option<Date>,
    pub joined_on: Option<Date>,
}

/// The first and last day of `year`.
pub fn year_bounds(year: i32) -> (Date, Date) {
    let first = Date::from_calendar_date(year, time::Month::January, 1).unwrap_or(Date::MIN);
    let last = Date::from_calendar_date(year, time::Month::December, 31).unwrap_or(Date::MAX);
    (first, last)
}

/// Unix seconds at the start of `d` in China time.
fn china_midnight(d: Date) -> i64 {
    d.midnight().assume_offset(CHINA_OFFSET).unix_timestamp()
}

impl Store {
    /// The station's targets for `year`, units first (by name), then correspondents.
    pub async fn targets(&self, station: StationId, year: i32) -> Result<Vec<TargetRecord>> {
        let rows = target::Entity::find()
            .filter(target::Column::StationId.eq(station.0))
            .filter(target::Column::Year.eq(year))
            .all(&self.db)
            .await?;
        let units: HashMap<i64, String> = unit::Entity::find()
            .filter(unit::Column::StationId.eq(station.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let people: HashMap<i64, correspondent::Model> = correspondent::Entity::find()
            .filter(correspondent::Column::StationId.eq(station.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let outlets = self.outlet_names(station).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let metric = TargetMetric::from_code(&r.metric)
                .ok_or_else(|| StoreError::Corrupt(format!("target {}: metric {}", r.id, r.metric)))?;
            let outlet_name = match metric {
                TargetMetric::PlacementsIn(o) => outlets.get(&o.0).cloned(),
                _ => None,
            };
            let (owner_name, unit_name) = match (r.unit_id, r.correspondent_id) {
                (_, Some(c)) => {
                    let p = people.get(&c);
                    (
                        p.map(|p| p.name.clone()).unwrap_or_default(),
                        p.and_then(|p| p.unit_id).and_then(|u| units.get(&u).cloned()),
                    )
                }
                (Some(u), None) => (units.get(&u).cloned().unwrap_or_default(), None),
                (None, None) => (String::new(), None),
            };
            out.push(TargetRecord {
                id: TargetId(r.id),
                year: r.year,
                unit_id: r.unit_id.map(UnitId),
                correspondent_id: r.correspondent_id.map(CorrespondentId),
                owner_name,
                unit_name,
                metric,
                outlet_name,
                value: r.value,
            });
        }
        // Units before people; then by name and by the order metrics are offered in.
        out.sort_by(|a, b| {
            (a.correspondent_id.is_some(), &a.owner_name, a.metric).cmp(&(
                b.correspondent_id.is_some(),
                &b.owner_name,
                b.metric,
            ))
        });
        Ok(out)
    }

    /// Sets targets, all or none: each replaces the target of the same owner, year and
    /// metric. Every target is checked (its unit, correspondent and outlet must be the
    /// station's; a correspondent's target counts placements only) before anything is written.
    pub async fn set_targets(&self, station: StationId, by: UserId, inputs: Vec<TargetInput>) -> Result<usize> {
        let mut errors = FieldErrors::default();
        let units: Vec<i64> = unit::Entity::find()
            .select_only()
            .column(unit::Column::Id)
            .filter(unit::Column::StationId.eq(station.0))
            .into_tuple()
            .all(&self.db)
            .await?;
        let people: Vec<i64> = correspondent::Entity::find()
            .select_only()
            .column(correspondent::Column::Id)
            .filter(correspondent::Column::StationId.eq(station.0))
            .into_tuple()
            .all(&self.db)
            .await?;
        let outlets: Vec<i64> = outlet::Entity::find()
            .select_only()
            .column(outlet::Column::Id)
            .filter(outlet::Column::StationId.eq(station.0))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut checked = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.into_iter().enumerate() {
            let at = |field: &str| if i == 0 { field.to_string() } else { format!("{field}[{}]", i + 1) };
            let input = match input.validate() {
                Ok(v) => v,
                Err(e) => {
                    for f in e.0 {
                        errors.push(&at(&f.field), f.message);
                    }
                    continue;
                }
            };
            if let Some(u) = input.unit_id
                && !units.contains(&u.0)
            {
                errors.push(&at("unit_id"), "单位不存在");
            }
            if let Some(c) = input.correspondent_id {
                if !people.contains(&c.0) {
                    errors.push(&at("correspondent_id"), "通讯员不存在");
                }
                if matches!(
                    input.metric,
                    TargetMetric::Subscriptions | TargetMetric::Events | TargetMetric::EventsOfKind(_)
                ) {
                    errors.push(&at("metric"), "征订和活动按单位计，通讯员的目标只能是采用数");
                }
            }
            if let TargetMetric::PlacementsIn(o) = input.metric
                && !outlets.contains(&o.0)
            {
                errors.push(&at("metric"), "媒体不存在");
            }
            checked.push(input);
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let txn = self.write_txn().await?;
        for t in &checked {
            let mut same = target::Entity::delete_many()
                .filter(target::Column::StationId.eq(station.0))
                .filter(target::Column::Year.eq(t.year))
                .filter(target::Column::Metric.eq(t.metric.code()));
            same = match t.unit_id {
                Some(u) if t.correspondent_id.is_none() => same.filter(target::Column::UnitId.eq(u.0)),
                _ => same.filter(target::Column::UnitId.is_null()),
            };
            same = match t.correspondent_id {
                Some(c) => same.filter(target::Column::CorrespondentId.eq(c.0)),
                None => same.filter(target::Column::CorrespondentId.is_null()),
            };
            same.exec(&txn).await?;
            target::ActiveModel {
                station_id: Set(station.0),
                year: Set(t.year),
                // A correspondent's target belongs to the person, not to a unit.
                unit_id: Set(if t.correspondent_id.is_some() { None } else { t.unit_id.map(|u| u.0) }),
                correspondent_id: Set(t.correspondent_id.map(|c| c.0)),
                metric: Set(t.metric.code()),
                value: Set(t.value),
                updated_by: Set(by.0),
                updated_at: Set(now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        let years: std::collections::BTreeSet<i32> = checked.iter().map(|t| t.year).collect();
        let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
        audit_in(&txn, station, by, "target.set", years.join(","), format!("设定目标{}项", checked.len())).await?;
        txn.commit().await?;
        Ok(checked.len())
    }

    /// Removes one target.
    pub async fn delete_target(&self, station: StationId, by: UserId, id: TargetId) -> Result<()> {
        let txn = self.write_txn().await?;
        let found = in_scope(target::Entity::find_by_id(id.0), Scope::Station(station)).one(&txn).await?;
        let Some(t) = found else {
            return Err(StoreError::NotFound);
        };
        target::Entity::delete_by_id(id.0).exec(&txn).await?;
        audit_in(&txn, station, by, "target.delete", t.year.to_string(), format!("{}={}", t.metric, t.value)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Copies `from_year`'s targets into the next year, each scaled by `percent` (100 keeps
    /// them), replacing what the next year already had for the same owner and metric.
    pub async fn carry_targets_forward(
        &self,
        station: StationId,
        by: UserId,
        from_year: i32,
        percent: u32,
    ) -> Result<usize> {
        let current: Vec<TargetInput> = self.targets(station, from_year).await?.iter().map(|t| t.input()).collect();
        if current.is_empty() {
            return Err(StoreError::Conflict(format!("{from_year}年没有目标可复制")));
        }
        self.set_targets(station, by, domain::targets::carry_forward(&current, percent)).await
    }

    /// Sets after how many weeks without a submission a correspondent counts as gone quiet.
    pub async fn set_quiet_weeks(&self, station: StationId, by: UserId, weeks: i32) -> Result<()> {
        if !(1..=52).contains(&weeks) {
            return Err(StoreError::invalid("quiet_weeks", "周数应在1至52之间"));
        }
        let txn = self.write_txn().await?;
        station::Entity::update_many()
            .col_expr(station::Column::QuietWeeks, Expr::value(weeks))
            .filter(station::Column::Id.eq(station.0))
            .exec(&txn)
            .await?;
        audit_in(&txn, station, by, "station.quiet_weeks", station.0.to_string(), weeks.to_string()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// What every unit and correspondent achieved with dates in `from..=to`: placements (by
    /// date published, per outlet), copies ordered (by order date) and events (by date held).
    pub async fn tally(&self, station: StationId, from: Date, to: Date) -> Result<Tally> {
        let db = self.reader();
        let mut tally = Tally::default();
        let st = station::Entity::find_by_id(station.0).one(db).await?.ok_or(StoreError::NotFound)?;
        tally.website = st.portal_outlet_id.map(OutletId);
        for o in outlet::Entity::find().filter(outlet::Column::StationId.eq(station.0)).all(db).await? {
            if let Some(level) = OutletLevel::parse(&o.level) {
                tally.levels.insert(OutletId(o.id), level);
            }
        }
        let by_unit: Vec<(Option<i64>, i64, i64)> = placement::Entity::find()
            .select_only()
            .column(placement::Column::UnitId)
            .column(placement::Column::OutletId)
            .column_as(Expr::col(placement::Column::Id).count(), "n")
            .filter(placement::Column::StationId.eq(station.0))
            .filter(placement::Column::PublishedOn.between(from, to))
            .group_by(placement::Column::UnitId)
            .group_by(placement::Column::OutletId)
            .into_tuple()
            .all(db)
            .await?;
        for (u, o, n) in by_unit {
            if let Some(u) = u {
                tally.units.entry(UnitId(u)).or_default().by_outlet.insert(OutletId(o), n);
            }
        }
        let by_author: Vec<(i64, i64, i64)> = placement_author::Entity::find()
            .select_only()
            .column(placement_author::Column::CorrespondentId)
            .column(placement::Column::OutletId)
            .column_as(Expr::col((placement::Entity, placement::Column::Id)).count(), "n")
            .join(JoinType::InnerJoin, author_placement())
            .filter(placement::Column::StationId.eq(station.0))
            .filter(placement::Column::PublishedOn.between(from, to))
            .group_by(placement_author::Column::CorrespondentId)
            .group_by(placement::Column::OutletId)
            .into_tuple()
            .all(db)
            .await?;
        for (c, o, n) in by_author {
            tally.correspondents.entry(CorrespondentId(c)).or_default().by_outlet.insert(OutletId(o), n);
        }
        let copies: Vec<(i64, Option<i64>)> = subscription_order::Entity::find()
            .select_only()
            .column(subscription_order::Column::UnitId)
            .column_as(Expr::col(subscription_order::Column::Copies).sum().cast_as("BIGINT"), "n")
            .filter(subscription_order::Column::StationId.eq(station.0))
            .filter(subscription_order::Column::OrderedOn.between(from, to))
            .group_by(subscription_order::Column::UnitId)
            .into_tuple()
            .all(db)
            .await?;
        for (u, n) in copies {
            tally.units.entry(UnitId(u)).or_default().subscriptions = n.unwrap_or(0);
        }
        let events: Vec<(i64, String, i64)> = event_unit::Entity::find()
            .select_only()
            .column(event_unit::Column::UnitId)
            .column(event::Column::Kind)
            .column_as(Expr::col((event::Entity, event::Column::Id)).count(), "n")
            .join(JoinType::InnerJoin, unit_event())
            .filter(event::Column::StationId.eq(station.0))
            .filter(event::Column::HeldOn.between(from, to))
            .group_by(event_unit::Column::UnitId)
            .group_by(event::Column::Kind)
            .into_tuple()
            .all(db)
            .await?;
        for (u, kind, n) in events {
            if let Some(kind) = EventKind::parse(&kind) {
                tally.units.entry(UnitId(u)).or_default().events.insert(kind, n);
            }
        }
        Ok(tally)
    }

    /// Every target of `year` with its progress on `as_of`: achieved from January 1 to
    /// `as_of` (or the year's end), against the share of the year that has passed.
    pub async fn progress(&self, station: StationId, year: i32, as_of: Date) -> Result<Vec<ProgressRow>> {
        let targets = self.targets(station, year).await?;
        let (first, last) = year_bounds(year);
        let tally = self.tally(station, first, as_of.clamp(first, last)).await?;
        let (elapsed, days) = year_elapsed(year, as_of);
        Ok(targets
            .into_iter()
            .map(|t| {
                let progress = Progress::compute(t.value, tally.achieved(&t), elapsed, days);
                ProgressRow { target: t, progress }
            })
            .collect())
    }

    /// Active correspondents (mentors aside) with no submission in the `weeks` weeks before
    /// `as_of`, the longest quiet first.
    pub async fn quiet_correspondents(
        &self,
        station: StationId,
        as_of: Date,
        weeks: u32,
    ) -> Result<Vec<QuietCorrespondent>> {
        let db = self.reader();
        let people = correspondent::Entity::find()
            .filter(correspondent::Column::StationId.eq(station.0))
            .filter(correspondent::Column::Active.eq(true))
            .filter(correspondent::Column::Kind.ne(CorrespondentKind::Mentor.code()))
            .all(db)
            .await?;
        let end = china_midnight(as_of.next_day().unwrap_or(as_of));
        let last: HashMap<i64, Option<i64>> = manuscript_author::Entity::find()
            .select_only()
            .column(manuscript_author::Column::CorrespondentId)
            .column_as(Expr::col((manuscript::Entity, manuscript::Column::SubmittedAt)).max(), "last")
            .join(JoinType::InnerJoin, author_manuscript())
            .filter(manuscript::Column::StationId.eq(station.0))
            .filter(manuscript::Column::SubmittedAt.lt(end))
            .group_by(manuscript_author::Column::CorrespondentId)
            .into_tuple::<(i64, Option<i64>)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let units: HashMap<i64, String> = unit::Entity::find()
            .filter(unit::Column::StationId.eq(station.0))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let mut out: Vec<QuietCorrespondent> = people
            .into_iter()
            .filter_map(|p| {
                let last_submission = last.get(&p.id).copied().flatten().and_then(|ts| {
                    time::OffsetDateTime::from_unix_timestamp(ts).ok().map(|t| t.to_offset(CHINA_OFFSET).date())
                });
                is_quiet(last_submission, p.joined_on, as_of, weeks).then(|| QuietCorrespondent {
                    id: CorrespondentId(p.id),
                    unit_name: p.unit_id.and_then(|u| units.get(&u).cloned()),
                    unit_id: p.unit_id.map(UnitId),
                    name: p.name,
                    last_submission,
                    joined_on: p.joined_on,
                })
            })
            .collect();
        out.sort_by(|a, b| (a.last_submission, &a.name).cmp(&(b.last_submission, &b.name)));
        Ok(out)
    }
}

fn author_placement() -> RelationDef {
    placement_author::Entity::belongs_to(placement::Entity)
        .from(placement_author::Column::PlacementId)
        .to(placement::Column::Id)
        .into()
}

fn unit_event() -> RelationDef {
    event_unit::Entity::belongs_to(event::Entity).from(event_unit::Column::EventId).to(event::Column::Id).into()
}

fn author_manuscript() -> RelationDef {
    manuscript_author::Entity::belongs_to(manuscript::Entity)
        .from(manuscript_author::Column::ManuscriptId)
        .to(manuscript::Column::Id)
        .into()
}
