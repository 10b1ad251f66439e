//! `m0007_annual_reports`: the narrative of a station's annual report.

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0007AnnualReports;

impl MigrationName for M0007AnnualReports {
    fn name(&self) -> &str {
        "m0007_annual_reports"
    }
}

/// The editable narrative of a station's annual report (年度经验交流材料); the figures around
/// it are computed from the data each time.
#[async_trait::async_trait]
impl MigrationTrait for M0007AnnualReports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("annual_reports")
                .col(big_integer("station_id"))
                .col(integer("year"))
                // JSON: the narrative's sections as the editor wrote them.
                .col(text("narrative"))
                .col(big_integer("updated_by"))
                .col(big_integer("updated_at"))
                .primary_key(Index::create().col("station_id").col("year"))
                .foreign_key(&mut fk("annual_reports", "station_id", "stations", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("annual_reports").to_owned()).await?;
        Ok(())
    }
}
