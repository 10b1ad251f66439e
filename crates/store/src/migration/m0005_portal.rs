//! `m0005_portal`: the public portal's columns, images and posts, the document library, comments
//! and complaints.

use super::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(super) struct M0005Portal;

impl MigrationName for M0005Portal {
    fn name(&self) -> &str {
        "m0005_portal"
    }
}

/// The public portal: columns, posts with their revisions and images, the document library
/// with comments, and complaints. A station names the outlet that stands for its own website,
/// so that publishing a unit's manuscript on the portal records a placement there.
#[async_trait::async_trait]
impl MigrationTrait for M0005Portal {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};

        m.alter_table(Table::alter().table("stations").add_column(big_integer_null("portal_outlet_id")).to_owned())
            .await?;
        m.alter_table(Table::alter().table("stations").add_column(text("portal_intro").default("")).to_owned()).await?;

        m.create_table(
            Table::create()
                .table("portal_columns")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(string_len("slug", 32))
                .col(string_len("name", 128))
                .col(string_len("kind", 32))
                .col(integer("position"))
                .col(boolean("show_on_home").default(true))
                .foreign_key(&mut fk("portal_columns", "station_id", "stations", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("portal_columns", "station_slug", &["station_id", "slug"], true)).await?;
        // Every existing station gets the default columns (new stations get them on creation).
        let mut position = 0;
        for (slug, name, kind) in domain::portal::DEFAULT_COLUMNS {
            position += 10;
            let sql = format!(
                "INSERT INTO portal_columns (station_id, slug, name, kind, position, show_on_home) \
                 SELECT id, '{slug}', '{name}', '{}', {position}, TRUE FROM stations",
                kind.code()
            );
            m.get_connection().execute_unprepared(&sql).await?;
        }

        m.create_table(
            Table::create()
                .table("portal_images")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(string_len("alt", 400))
                .col(text("caption").default(""))
                .col(string_len("mime", 32))
                .col(integer("width"))
                .col(integer("height"))
                .col(integer("thumb_width"))
                .col(integer("thumb_height"))
                .col(blob("display"))
                .col(blob("thumb"))
                .col(big_integer("created_by"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("portal_images", "station_id", "stations", Cascade))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("posts")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(big_integer("column_id"))
                .col(string_len("title", 400))
                .col(string_len("subtitle", 400).default(""))
                .col(text("body_html"))
                // Plain text of the body's opening, for lists, feeds and the page description.
                .col(text("summary").default(""))
                .col(big_integer_null("cover_image_id"))
                .col(big_integer_null("source_unit_id"))
                .col(string_len("byline", 255).default(""))
                .col(string_len("status", 32))
                // Unix seconds: when the post goes (or went) live; in the future = scheduled.
                .col(big_integer_null("publish_at"))
                .col(text("unpublish_reason").default(""))
                .col(big_integer_null("manuscript_id"))
                // The placement on the station's website outlet recorded when it was published.
                .col(big_integer_null("placement_id"))
                .col(integer("revision").default(1))
                .col(big_integer("created_by"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(&mut fk("posts", "station_id", "stations", Cascade))
                .foreign_key(&mut fk("posts", "column_id", "portal_columns", ForeignKeyAction::Restrict))
                .foreign_key(&mut fk("posts", "cover_image_id", "portal_images", SetNull))
                .foreign_key(&mut fk("posts", "source_unit_id", "units", SetNull))
                .foreign_key(&mut fk("posts", "manuscript_id", "manuscripts", SetNull))
                .foreign_key(&mut fk("posts", "placement_id", "placements", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("posts", "station_status_at", &["station_id", "status", "publish_at"], false)).await?;
        m.create_index(index("posts", "column_status_at", &["column_id", "status", "publish_at"], false)).await?;
        m.create_index(index("posts", "manuscript", &["manuscript_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("post_authors")
                .col(big_integer("post_id"))
                .col(big_integer("correspondent_id"))
                .col(integer("position"))
                .primary_key(Index::create().col("post_id").col("correspondent_id"))
                .foreign_key(&mut fk("post_authors", "post_id", "posts", Cascade))
                .foreign_key(&mut fk("post_authors", "correspondent_id", "correspondents", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("post_authors", "correspondent", &["correspondent_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("post_revisions")
                .col(big_pk_auto("id"))
                .col(big_integer("post_id"))
                .col(integer("revision"))
                .col(string_len("title", 400))
                .col(string_len("subtitle", 400).default(""))
                .col(text("body_html"))
                .col(string_len("action", 32))
                .col(big_integer("by_user_id"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("post_revisions", "post_id", "posts", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("post_revisions", "post_revision", &["post_id", "revision"], true)).await?;

        m.create_table(
            Table::create()
                .table("documents")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(string_len("title", 400))
                .col(text("summary").default(""))
                .col(string_len("file_name", 255))
                .col(string_len("format", 16))
                .col(big_integer("size"))
                .col(blob("data"))
                // Extracted at upload: the text for search, the opening pages for the preview.
                .col(text("text_content").default(""))
                .col(text("preview_html").default(""))
                .col(big_integer_null("correspondent_id"))
                .col(big_integer_null("unit_id"))
                .col(string_len("status", 32))
                .col(text("takedown_reason").default(""))
                .col(big_integer("downloads").default(0))
                .col(big_integer("published_at"))
                .col(big_integer("created_by"))
                .col(big_integer("created_at"))
                .foreign_key(&mut fk("documents", "station_id", "stations", Cascade))
                .foreign_key(&mut fk("documents", "correspondent_id", "correspondents", SetNull))
                .foreign_key(&mut fk("documents", "unit_id", "units", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("documents", "station_status_at", &["station_id", "status", "published_at"], false))
            .await?;
        m.create_index(index("documents", "correspondent", &["correspondent_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("comments")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(big_integer_null("document_id"))
                .col(big_integer_null("post_id"))
                .col(string_len("name", 128))
                .col(text("body"))
                .col(string_len("status", 32))
                // A keyed hash of the client's address, for the rate limit; never the address.
                .col(string_len("client", 64))
                .col(big_integer("created_at"))
                .col(big_integer_null("moderated_by"))
                .col(big_integer_null("moderated_at"))
                .foreign_key(&mut fk("comments", "station_id", "stations", Cascade))
                .foreign_key(&mut fk("comments", "document_id", "documents", Cascade))
                .foreign_key(&mut fk("comments", "post_id", "posts", Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("comments", "station_status", &["station_id", "status", "created_at"], false)).await?;
        m.create_index(index("comments", "document", &["document_id", "status"], false)).await?;
        m.create_index(index("comments", "client_at", &["client", "created_at"], false)).await?;

        m.create_table(
            Table::create()
                .table("complaints")
                .col(big_pk_auto("id"))
                .col(big_integer("station_id"))
                .col(big_integer_null("document_id"))
                .col(big_integer_null("post_id"))
                .col(string_len("kind", 32))
                .col(string_len("name", 128))
                .col(string_len("contact", 255))
                .col(text("body"))
                .col(string_len("status", 32))
                .col(text("resolution").default(""))
                .col(string_len("client", 64))
                .col(big_integer("created_at"))
                .col(big_integer_null("handled_by"))
                .col(big_integer_null("handled_at"))
                .foreign_key(&mut fk("complaints", "station_id", "stations", Cascade))
                .foreign_key(&mut fk("complaints", "document_id", "documents", SetNull))
                .foreign_key(&mut fk("complaints", "post_id", "posts", SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("complaints", "station_status", &["station_id", "status", "created_at"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "complaints",
            "comments",
            "documents",
            "post_revisions",
            "post_authors",
            "posts",
            "portal_images",
            "portal_columns",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("stations").drop_column("portal_intro").to_owned()).await?;
        m.alter_table(Table::alter().table("stations").drop_column("portal_outlet_id").to_owned()).await?;
        Ok(())
    }
}
