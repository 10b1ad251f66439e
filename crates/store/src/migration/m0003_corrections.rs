//! `m0003_corrections`: differences carried from a published statement into the next.

use super::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0003Corrections;

impl MigrationName for M0003Corrections {
    fn name(&self) -> &str {
        "m0003_corrections"
    }
}

/// Differences found after a notice was published (a placement changed, a late adjustment)
/// are carried into the next statement: a draft lists what it carries, and publishing it
/// records the carried amounts so they are never carried twice.
#[async_trait::async_trait]
impl MigrationTrait for M0003Corrections {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("statements").add_column(text("carried").default("")).to_owned()).await?;
        m.create_table(
            Table::create()
                .table("corrections")
                .col(big_pk_auto("id"))
                .col(big_integer("into_statement_id"))
                .col(big_integer("from_statement_id"))
                .col(big_integer("correspondent_id"))
                .col(string_len("ledger", 64))
                .col(big_integer("amount_cents"))
                .foreign_key(&mut fk("corrections", "into_statement_id", "statements", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk("corrections", "from_statement_id", "statements", ForeignKeyAction::Restrict))
                .to_owned(),
        )
        .await?;
        m.create_index(index("corrections", "from", &["from_statement_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("corrections").to_owned()).await?;
        m.alter_table(Table::alter().table("statements").drop_column("carried").to_owned()).await?;
        Ok(())
    }
}
