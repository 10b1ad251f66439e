//! `m0008_award_rules`: headquarters' criteria for the national awards.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0008AwardRules;

impl MigrationName for M0008AwardRules {
    fn name(&self) -> &str {
        "m0008_award_rules"
    }
}

/// Headquarters' criteria for the national awards (最佳通联站, 先进发行区, 最佳通讯员), as
/// the TOML text it edits; every save is a new row, the latest is in force.
#[async_trait::async_trait]
impl MigrationTrait for M0008AwardRules {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("award_rules")
                .col(big_pk_auto("id"))
                .col(text("source"))
                .col(big_integer("created_by"))
                .col(big_integer("created_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("award_rules").to_owned()).await?;
        Ok(())
    }
}
