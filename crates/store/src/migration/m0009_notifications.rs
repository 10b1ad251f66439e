//! `m0009_notifications`: reminders, each user's choices of them and the address mail goes to.

use super::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0009Notifications;

impl MigrationName for M0009Notifications {
    fn name(&self) -> &str {
        "m0009_notifications"
    }
}

/// Reminders (提醒): each user's notifications, kept once per occasion (`key`), with whether
/// they were read and e-mailed; each user's choices per kind; the address mail goes to; and
/// the station's limit for drafts waiting for revision.
#[async_trait::async_trait]
impl MigrationTrait for M0009Notifications {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::Cascade;
        m.alter_table(Table::alter().table("stations").add_column(integer("revision_days").default(3)).to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("notifications")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(big_integer_null("station_id"))
                .col(string_len("kind", 32))
                .col(string_len("key", 200))
                .col(string_len("title", 400))
                .col(text("body").default(""))
                .col(string_len("link", 400).default(""))
                .col(big_integer("created_at"))
                .col(big_integer_null("read_at"))
                .col(big_integer_null("emailed_at"))
                .foreign_key(&mut fk("notifications", "user_id", "users", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("notifications", "user_key", &["user_id", "key"], true)).await?;
        m.create_index(index("notifications", "user_read", &["user_id", "read_at"], false)).await?;
        m.create_table(
            Table::create()
                .table("notification_prefs")
                .col(big_integer("user_id"))
                .col(string_len("kind", 32))
                .col(boolean("in_app"))
                .col(boolean("email"))
                .primary_key(Index::create().col("user_id").col("kind"))
                .foreign_key(&mut fk("notification_prefs", "user_id", "users", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notification_addresses")
                .col(big_integer("user_id").primary_key())
                .col(string_len("email", 255))
                .foreign_key(&mut fk("notification_addresses", "user_id", "users", Cascade))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["notification_addresses", "notification_prefs", "notifications"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("stations").drop_column("revision_days").to_owned()).await?;
        Ok(())
    }
}
