//! `m0006_targets_and_media`: targets, the subscription drive, media contacts and events.

use super::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0006TargetsAndMedia;

impl MigrationName for M0006TargetsAndMedia {
    fn name(&self) -> &str {
        "m0006_targets_and_media"
    }
}

/// Targets (目标管理) of units and correspondents, the subscription drive (征订) with its
/// campaigns and orders, media contacts, and events (活动) with the units and outlets present
/// and their photos. A station sets after how many weeks without a submission a correspondent
/// counts as gone quiet.
#[async_trait::async_trait]
impl MigrationTrait for M0006TargetsAndMedia {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};

        m.alter_table(Table::alter().table("stations").add_column(integer("quiet_weeks").default(6)).to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table("targets")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(integer("year"))
                // A unit's target, or a correspondent's: one of the two is set.
                .col(big_integer_null("unit_id"))
                .col(big_integer_null("correspondent_id"))
                // `domain::targets::TargetMetric::code`, e.g. placements:national or outlet:3.
                .col(string_len("metric", 64))
                .col(big_integer("value"))
                .col(big_integer("updated_by"))
                .col(big_integer("updated_at"))
                .foreign_key(&mut fk("targets", "station_id", "stations", Cascade))
                .foreign_key(&mut fk("targets", "unit_id", "units", Cascade))
                .foreign_key(&mut fk("targets", "correspondent_id", "correspondents", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("targets", "station_year", &["station_id", "year"], false)).await?;

        m.create_table(
            Table::create()
                .table("subscription_campaigns")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(integer("year"))
                .col(string_len("publication", 128))
                .col(date("starts_on"))
                .col(date("ends_on"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("subscription_campaigns", "station_id", "stations", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "subscription_campaigns",
            "station_year_publication",
            &["station_id", "year", "publication"],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("subscription_orders")
                .col(big_pk_auto("id"))
                .col(big_integer("campaign_id"))
                .col(big_integer("station_id"))
                .col(big_integer("unit_id"))
                .col(integer("copies"))
                .col(string_len("subscriber_type", 32))
                .col(string_len("subscriber", 255).default(""))
                .col(date("ordered_on"))
                .col(string_len("collected_by", 128).default(""))
                .col(big_integer("created_by"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("subscription_orders", "campaign_id", "subscription_campaigns", Cascade))
                .foreign_key(&mut fk("subscription_orders", "station_id", "stations", Cascade))
                .foreign_key(&mut fk("subscription_orders", "unit_id", "units", ForeignKeyAction::Restrict))
                .to_owned(),
        )
        .await?;
        m.create_index(index("subscription_orders", "campaign_unit", &["campaign_id", "unit_id"], false)).await?;
        m.create_index(index("subscription_orders", "station_date", &["station_id", "ordered_on"], false)).await?;

        m.create_table(
            Table::create()
                .table("media_contacts")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(string_len("name", 128))
                .col(big_integer_null("outlet_id"))
                .col(string_len("outlet_name", 255).default(""))
                .col(string_len("beat", 128).default(""))
                .col(string_len("contact", 255).default(""))
                .col(date_null("last_contact_on"))
                .col(text("note").default(""))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("media_contacts", "station_id", "stations", Cascade))
                .foreign_key(&mut fk("media_contacts", "outlet_id", "outlets", SetNull))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("events")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(string_len("kind", 32))
                .col(string_len("title", 400))
                .col(date("held_on"))
                .col(string_len("place", 255).default(""))
                // Who spoke or took part, as written (names, titles, guests from outside).
                .col(text("people").default(""))
                .col(text("outcome").default(""))
                // For interviews: radio, TV or web.
                .col(string_len_null("medium", 16))
                .col(big_integer("created_by"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("events", "station_id", "stations", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("events", "station_date", &["station_id", "held_on"], false)).await?;
        for (table, column, target) in [
            ("event_units", "unit_id", "units"),
            ("event_outlets", "outlet_id", "outlets"),
            ("event_images", "image_id", "portal_images"),
        ] {
            m.create_table(
                Table::create()
                    .table(table)
                    .col(big_integer("event_id"))
                    .col(big_integer(column))
                    .primary_key(Index::create().col("event_id").col(column))
                    .foreign_key(&mut fk(table, "event_id", "events", Cascade))
                    .foreign_key(&mut fk(table, column, target, Cascade))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "event_images",
            "event_outlets",
            "event_units",
            "events",
            "media_contacts",
            "subscription_orders",
            "subscription_campaigns",
            "targets",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("stations").drop_column("quiet_weeks").to_owned()).await?;
        Ok(())
    }
}
