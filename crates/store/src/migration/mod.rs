//! The schema, as portable migrations that produce the same tables on SQLite and PostgreSQL.
//! Migrations run on start and with `tonglian migrate`; a migration, once released, is never
//! edited: changes come as new migrations appended to `Migrator::migrations`.
//! Each migration is a file named as `seaql_migrations` records it; this module holds the
//! `Migrator` that lists them and the helpers they share.

mod m0001_foundation;
mod m0002_rewards;
mod m0003_corrections;
mod m0004_byline_ids;
mod m0005_portal;
mod m0006_targets_and_media;
mod m0007_annual_reports;
mod m0008_award_rules;
mod m0009_notifications;
mod m0010_money;
mod m0011_session_users;

pub use m0004_byline_ids::FILL_BYLINE_IDS;

use m0001_foundation::M0001Foundation;
use m0002_rewards::M0002Rewards;
use m0003_corrections::M0003Corrections;
use m0004_byline_ids::M0004BylineIds;
use m0005_portal::M0005Portal;
use m0006_targets_and_media::M0006TargetsAndMedia;
use m0007_annual_reports::M0007AnnualReports;
use m0008_award_rules::M0008AwardRules;
use m0009_notifications::M0009Notifications;
use m0010_money::M0010Money;
use m0011_session_users::M0011SessionUsers;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(M0001Foundation),
            Box::new(M0002Rewards),
            Box::new(M0003Corrections),
            Box::new(M0004BylineIds),
            Box::new(M0005Portal),
            Box::new(M0006TargetsAndMedia),
            Box::new(M0007AnnualReports),
            Box::new(M0008AwardRules),
            Box::new(M0009Notifications),
            Box::new(M0010Money),
            Box::new(M0011SessionUsers),
        ]
    }
}

/// A foreign key from `table.column` to `target.id`.
fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

fn index(table: &'static str, name: &str, columns: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{name}")).table(table);
    for c in columns {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}
