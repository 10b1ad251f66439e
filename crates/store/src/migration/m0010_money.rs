//! `m0010_money`: money guarded by the database (claimed months, payables, one draft a period).

use super::fk;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0010Money;

impl MigrationName for M0010Money {
    fn name(&self) -> &str {
        "m0010_money"
    }
}

/// Money guarded by the database itself:
/// - `statement_months`: each month of a station belongs to at most one published statement
///   (a month's notice, or the quarter's or year's that covers it), so no person-month is owed
///   twice; the primary key refuses a second claim even from another server.
/// - `payables`: what each person is owed and has been paid under a published statement; a
///   payment is one guarded `UPDATE … WHERE paid_fen + amount <= owed_fen`.
/// - at most one draft per station and period (a partial unique index);
/// - `statements.basis`: the published statements a draft's corrections were computed
///   against, so a draft computed before another notice was published cannot be published;
///   `statements.confirm_reason`: why a notice was confirmed before its window closed.
///
/// Existing published statements are backfilled from their snapshots and payments.
#[async_trait::async_trait]
impl MigrationTrait for M0010Money {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::Restrict;
        m.alter_table(Table::alter().table("statements").add_column(text("basis").default("")).to_owned()).await?;
        m.alter_table(Table::alter().table("statements").add_column(text("confirm_reason").default("")).to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("statement_months")
                .col(big_integer("station_id"))
                // YYYY-MM
                .col(string_len("month", 7))
                .col(big_integer("statement_id"))
                .primary_key(Index::create().col("station_id").col("month"))
                .foreign_key(&mut fk("statement_months", "statement_id", "statements", Restrict))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payables")
                .col(big_integer("statement_id"))
                .col(big_integer("correspondent_id"))
                .col(big_integer("owed_fen"))
                .col(big_integer("paid_fen").default(0))
                .primary_key(Index::create().col("statement_id").col("correspondent_id"))
                .foreign_key(&mut fk("payables", "statement_id", "statements", Restrict))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        // Drafts are disposable: keep the newest per period before the index forbids two.
        db.execute_unprepared(
            "DELETE FROM statements WHERE status = 'draft' AND id NOT IN \
             (SELECT MAX(id) FROM statements WHERE status = 'draft' GROUP BY station_id, period)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ix_statements_one_draft ON statements (station_id, period) WHERE status = 'draft'",
        )
        .await?;
        crate::statements::backfill_money(db).await.map_err(|e| DbErr::Custom(e.to_string()))?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP INDEX ix_statements_one_draft").await?;
        for t in ["payables", "statement_months"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        for c in ["confirm_reason", "basis"] {
            m.alter_table(Table::alter().table("statements").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}
