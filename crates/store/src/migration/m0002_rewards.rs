//! `m0002_rewards`: reward policies, adjustments, statements, objections and payments.

use super::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0002Rewards;

impl MigrationName for M0002Rewards {
    fn name(&self) -> &str {
        "m0002_rewards"
    }
}

/// Reward policies, manual adjustments, statements with their published snapshots,
/// objections (异议) and payments (兑现). Amounts are integers in hundredths: fen for money,
/// hundredths of a point for points.
#[async_trait::async_trait]
impl MigrationTrait for M0002Rewards {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};

        m.create_table(
            Table::create()
                .table("policies")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(string_len("name", 200))
                .col(date("valid_from"))
                .col(date_null("valid_to"))
                // The TOML text as loaded: the policy is data, kept exactly as the editor wrote it.
                .col(text("source"))
                .col(big_integer("created_by"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("policies", "station_id", "stations", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("policies", "station_from", &["station_id", "valid_from"], false)).await?;

        m.create_table(
            Table::create()
                .table("adjustments")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(big_integer("correspondent_id"))
                .col(string_len("ledger", 64))
                .col(big_integer("amount_cents"))
                .col(text("reason"))
                .col(date("effective_on"))
                .col(big_integer("created_by"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("adjustments", "station_id", "stations", Cascade))
                .foreign_key(&mut fk("adjustments", "correspondent_id", "correspondents", Restrict))
                .to_owned(),
        )
        .await?;
        m.create_index(index("adjustments", "station_date", &["station_id", "effective_on"], false)).await?;

        m.create_table(
            Table::create()
                .table("statements")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                // "2007-06", "2007-Q2" or "2007".
                .col(string_len("period", 16))
                .col(string_len("status", 16))
                // The computed statement as JSON; frozen once published.
                .col(text("snapshot"))
                .col(string_len("content_hash", 64))
                .col(big_integer("computed_at"))
                .col(big_integer("computed_by"))
                .col(big_integer_null("published_at"))
                .col(big_integer_null("published_by"))
                .col(date_null("objection_until"))
                .col(big_integer_null("confirmed_at"))
                .col(big_integer_null("confirmed_by"))
                .col(big_integer_null("paid_at"))
                .foreign_key(&mut fk("statements", "station_id", "stations", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("statements", "station_period", &["station_id", "period"], false)).await?;

        m.create_table(
            Table::create()
                .table("objections")
                .col(big_pk_auto("id"))
                .col(big_integer("statement_id"))
                .col(big_integer("correspondent_id"))
                .col(big_integer("raised_by"))
                .col(text("text"))
                .col(big_integer("raised_at"))
                // open, upheld or rejected.
                .col(string_len("status", 16))
                .col(text("answer").default(""))
                .col(big_integer_null("answered_by"))
                .col(big_integer_null("answered_at"))
                .foreign_key(&mut fk("objections", "statement_id", "statements", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("objections", "statement", &["statement_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("payments")
                .col(big_pk_auto("id"))
                .col(big_integer("statement_id"))
                .col(big_integer("correspondent_id"))
                .col(big_integer("amount_fen"))
                .col(date("paid_on"))
                .col(string_len("method", 64))
                .col(text("note").default(""))
                .col(big_integer("recorded_by"))
                .col(big_integer("recorded_at"))
                .foreign_key(&mut fk("payments", "statement_id", "statements", Restrict))
                .to_owned(),
        )
        .await?;
        m.create_index(index("payments", "statement", &["statement_id", "correspondent_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["payments", "objections", "statements", "adjustments", "policies"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
