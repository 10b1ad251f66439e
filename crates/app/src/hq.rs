//! Headquarters (报社总部): every station's year and the national awards (最佳通联站,
//! 先进发行区, 最佳通讯员) ranked under criteria headquarters keeps as data. Only headquarters
//! accounts (no station of their own) read these; writing the criteria also needs a role that
//! writes.

use crate::access::require;
use crate::{Actor, Error, Result};
use domain::awards::{Award, Candidate, DEFAULT_AWARDS, Figure, Placed, RankOf, parse_awards, rank};
use domain::{FieldError, FieldErrors};
use store::{CorrespondentYear, StationYear, Store};

/// One award's ranking.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub award: Award,
    pub placed: Vec<Placed>,
}

/// A year across the country.
#[derive(Debug, Clone)]
pub struct National {
    pub year: i32,
    /// The paper whose placements are counted.
    pub paper: String,
    /// Most placements in the paper first.
    pub stations: Vec<StationYear>,
    pub rankings: Vec<Ranked>,
    /// Whether headquarters saved its own criteria (else the shipped ones rank).
    pub rules_saved: bool,
}

/// The award criteria in force: their TOML text, and whether headquarters saved them.
#[derive(Debug, Clone)]
pub struct Criteria {
    pub source: String,
    pub saved: bool,
}

fn require_hq(actor: &Actor) -> Result<()> {
    require(actor.is_hq())
}

fn station_candidates(stations: &[StationYear]) -> Vec<Candidate> {
    stations
        .iter()
        .map(|s| Candidate {
            id: s.station_id.0,
            name: s.name.clone(),
            group: s.code.clone(),
            figures: [
                (Figure::PaperPlacements, s.paper_placements),
                (Figure::Placements, s.placements),
                (Figure::WebsiteItems, s.website_items),
                (Figure::Subscriptions, s.subscriptions),
                (Figure::Events, s.events),
                (Figure::ActiveCorrespondents, s.active_correspondents),
            ]
            .into_iter()
            .collect(),
        })
        .collect()
}

fn person_candidates(people: &[CorrespondentYear]) -> Vec<Candidate> {
    people
        .iter()
        .map(|p| Candidate {
            id: p.id.0,
            name: p.name.clone(),
            group: p.station.clone(),
            figures: [(Figure::PaperPlacements, p.paper_placements), (Figure::Placements, p.placements)]
                .into_iter()
                .collect(),
        })
        .collect()
}

/// The criteria in force: the latest saved, else the shipped ones.
pub async fn criteria(store: &Store, actor: &Actor) -> Result<Criteria> {
    require_hq(actor)?;
    Ok(match store.award_rules().await? {
        Some((source, _)) => Criteria { source, saved: true },
        None => Criteria { source: DEFAULT_AWARDS.to_string(), saved: false },
    })
}

/// Saves new criteria; every mistake is listed with its line (on `source`) and nothing is
/// saved. The store writes the audit row with them.
pub async fn save_criteria(store: &Store, actor: &Actor, source: &str) -> Result<()> {
    require_hq(actor)?;
    require(actor.role().is_staff())?;
    parse_awards(source).map_err(|errors| {
        Error::Invalid(FieldErrors(errors.into_iter().map(|e| FieldError::new("source", e.to_string())).collect()))
    })?;
    store.save_award_rules(actor.user.id, source).await?;
    Ok(())
}

/// `year` across the country, counting placements in `paper`. Without a year (or with one
/// outside 2000–2100): the latest year any station has placements in.
pub async fn national(store: &Store, actor: &Actor, year: Option<i32>, paper: &str) -> Result<National> {
    require_hq(actor)?;
    let year = match year.filter(|y| (2000..=2100).contains(y)) {
        Some(y) => y,
        None => {
            let mut latest = None;
            for s in store.stations().await? {
                latest = latest.max(store.latest_placement_date(s.id).await?);
            }
            latest.map(|d| d.year()).unwrap_or_else(|| crate::today().year())
        }
    };
    let (mut stations, people) = store.national_year(year, paper).await?;
    stations.sort_by(|a, b| b.paper_placements.cmp(&a.paper_placements).then_with(|| a.name.cmp(&b.name)));
    let Criteria { source, saved } = criteria(store, actor).await?;
    let awards = parse_awards(&source)
        .map_err(|e| Error::Internal(anyhow::anyhow!("saved award criteria do not parse: {}", e.len())))?;
    let rankings = awards
        .into_iter()
        .map(|award| {
            let candidates = match award.rank {
                RankOf::Station => station_candidates(&stations),
                RankOf::Correspondent => person_candidates(&people),
            };
            Ranked { placed: rank(&award, &candidates), award }
        })
        .collect();
    Ok(National { year, paper: paper.to_string(), stations, rankings, rules_saved: saved })
}
