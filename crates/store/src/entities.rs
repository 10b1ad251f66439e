//! SeaORM entities, one module per table, mirroring `migration.rs`. Codes of the domain's
//! vocabularies are stored as strings; conversions live in the query modules.

macro_rules! entity {
    ($module:ident, $table:literal, { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                $($(#[$fmeta])* pub $field: $ty),*
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

entity!(station, "stations", {
    #[sea_orm(primary_key)] id: i64,
    code: String,
    name: String,
    objection_days: i32,
    created_at: i64,
    portal_outlet_id: Option<i64>,
    portal_intro: String,
    quiet_weeks: i32,
    revision_days: i32,
});

entity!(unit, "units", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    name: String,
    kind: String,
    created_at: i64,
});

entity!(user, "users", {
    #[sea_orm(primary_key)] id: i64,
    station_id: Option<i64>,
    username: String,
    password_hash: String,
    display_name: String,
    role: String,
    correspondent_id: Option<i64>,
    unit_id: Option<i64>,
    active: bool,
    locale: String,
    created_at: i64,
});

entity!(correspondent, "correspondents", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    unit_id: Option<i64>,
    name: String,
    kind: String,
    phone: String,
    email: String,
    joined_on: Option<time::Date>,
    active: bool,
    mentor_user_id: Option<i64>,
    created_at: i64,
});

entity!(outlet, "outlets", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    name: String,
    kind: String,
    level: String,
    created_at: i64,
});

entity!(outlet_column, "outlet_columns", {
    #[sea_orm(primary_key)] id: i64,
    outlet_id: i64,
    name: String,
});

entity!(manuscript, "manuscripts", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    unit_id: Option<i64>,
    author_id: i64,
    title: String,
    #[sea_orm(column_type = "Text")] body: String,
    genre: String,
    status: String,
    #[sea_orm(column_type = "Text")] return_reason: String,
    duplicate_of: Option<i64>,
    duplicate_score: i32,
    created_by: i64,
    created_at: i64,
    updated_at: i64,
    submitted_at: Option<i64>,
});

entity!(manuscript_author, "manuscript_authors", {
    #[sea_orm(primary_key, auto_increment = false)] manuscript_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] correspondent_id: i64,
    position: i32,
    share_bp: Option<i32>,
});

entity!(revision, "revisions", {
    #[sea_orm(primary_key)] id: i64,
    manuscript_id: i64,
    round: i32,
    kind: String,
    title: String,
    #[sea_orm(column_type = "Text")] body: String,
    #[sea_orm(column_type = "Text")] comment: String,
    by_user_id: i64,
    created_at: i64,
});

entity!(attachment, "attachments", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    manuscript_id: Option<i64>,
    placement_id: Option<i64>,
    file_name: String,
    content_type: String,
    size: i64,
    data: Vec<u8>,
    created_by: i64,
    created_at: i64,
});

entity!(placement, "placements", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    manuscript_id: Option<i64>,
    title: String,
    unit_id: Option<i64>,
    outlet_id: i64,
    column_name: String,
    published_on: time::Date,
    genre: String,
    position: String,
    length: i32,
    instruction: Option<String>,
    commissioned: bool,
    reprint: bool,
    grade: Option<String>,
    evidence_url: String,
    #[sea_orm(column_type = "Text")] note: String,
    #[sea_orm(column_type = "Text")] external_authors: String,
    #[sea_orm(column_type = "Text")] byline: String,
    created_by: i64,
    created_at: i64,
    /// The byline's correspondents for the reward engine, kept in step with placement_authors.
    #[sea_orm(column_type = "Text")] byline_ids: String,
});

entity!(placement_author, "placement_authors", {
    #[sea_orm(primary_key, auto_increment = false)] placement_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] correspondent_id: i64,
    position: i32,
    share_bp: Option<i32>,
});

entity!(session, "sessions", {
    #[sea_orm(primary_key, auto_increment = false)] id: String,
    #[sea_orm(column_type = "Text")] data: String,
    expires_at: i64,
    user_id: Option<i64>,
});

entity!(login_failure, "login_failures", {
    #[sea_orm(primary_key)] id: i64,
    key: String,
    at: i64,
});

entity!(api_token, "api_tokens", {
    #[sea_orm(primary_key)] id: i64,
    user_id: i64,
    name: String,
    token_hash: String,
    created_at: i64,
});

entity!(audit, "audit_log", {
    #[sea_orm(primary_key)] id: i64,
    station_id: Option<i64>,
    user_id: Option<i64>,
    at: i64,
    action: String,
    subject: String,
    #[sea_orm(column_type = "Text")] detail: String,
});

entity!(policy, "policies", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    name: String,
    valid_from: time::Date,
    valid_to: Option<time::Date>,
    #[sea_orm(column_type = "Text")] source: String,
    created_by: i64,
    created_at: i64,
});

entity!(adjustment, "adjustments", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    correspondent_id: i64,
    ledger: String,
    amount_cents: i64,
    #[sea_orm(column_type = "Text")] reason: String,
    effective_on: time::Date,
    created_by: i64,
    created_at: i64,
});

entity!(statement, "statements", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    period: String,
    status: String,
    #[sea_orm(column_type = "Text")] snapshot: String,
    content_hash: String,
    computed_at: i64,
    computed_by: i64,
    published_at: Option<i64>,
    published_by: Option<i64>,
    objection_until: Option<time::Date>,
    confirmed_at: Option<i64>,
    confirmed_by: Option<i64>,
    paid_at: Option<i64>,
    #[sea_orm(column_type = "Text")] carried: String,
    #[sea_orm(column_type = "Text")] basis: String,
    #[sea_orm(column_type = "Text")] confirm_reason: String,
});

entity!(statement_month, "statement_months", {
    #[sea_orm(primary_key, auto_increment = false)] station_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] month: String,
    statement_id: i64,
});

entity!(payable, "payables", {
    #[sea_orm(primary_key, auto_increment = false)] statement_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] correspondent_id: i64,
    owed_fen: i64,
    paid_fen: i64,
});

entity!(correction, "corrections", {
    #[sea_orm(primary_key)] id: i64,
    into_statement_id: i64,
    from_statement_id: i64,
    correspondent_id: i64,
    ledger: String,
    amount_cents: i64,
});

entity!(objection, "objections", {
    #[sea_orm(primary_key)] id: i64,
    statement_id: i64,
    correspondent_id: i64,
    raised_by: i64,
    #[sea_orm(column_type = "Text")] text: String,
    raised_at: i64,
    status: String,
    #[sea_orm(column_type = "Text")] answer: String,
    answered_by: Option<i64>,
    answered_at: Option<i64>,
});

entity!(payment, "payments", {
    #[sea_orm(primary_key)] id: i64,
    statement_id: i64,
    correspondent_id: i64,
    amount_fen: i64,
    paid_on: time::Date,
    method: String,
    #[sea_orm(column_type = "Text")] note: String,
    recorded_by: i64,
    recorded_at: i64,
});

entity!(portal_column, "portal_columns", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    slug: String,
    name: String,
    kind: String,
    position: i32,
    show_on_home: bool,
});

entity!(portal_image, "portal_images", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    alt: String,
    caption: String,
    mime: String,
    width: i32,
    height: i32,
    thumb_width: i32,
    thumb_height: i32,
    display: Vec<u8>,
    thumb: Vec<u8>,
    created_by: i64,
    created_at: i64,
});

entity!(post, "posts", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    column_id: i64,
    title: String,
    subtitle: String,
    #[sea_orm(column_type = "Text")] body_html: String,
    #[sea_orm(column_type = "Text")] summary: String,
    cover_image_id: Option<i64>,
    source_unit_id: Option<i64>,
    byline: String,
    status: String,
    publish_at: Option<i64>,
    #[sea_orm(column_type = "Text")] unpublish_reason: String,
    manuscript_id: Option<i64>,
    placement_id: Option<i64>,
    revision: i32,
    created_by: i64,
    created_at: i64,
    updated_at: i64,
});

entity!(post_author, "post_authors", {
    #[sea_orm(primary_key, auto_increment = false)] post_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] correspondent_id: i64,
    position: i32,
});

entity!(post_revision, "post_revisions", {
    #[sea_orm(primary_key)] id: i64,
    post_id: i64,
    revision: i32,
    title: String,
    subtitle: String,
    #[sea_orm(column_type = "Text")] body_html: String,
    action: String,
    by_user_id: i64,
    created_at: i64,
});

entity!(document, "documents", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    title: String,
    #[sea_orm(column_type = "Text")] summary: String,
    file_name: String,
    format: String,
    size: i64,
    data: Vec<u8>,
    #[sea_orm(column_type = "Text")] text_content: String,
    #[sea_orm(column_type = "Text")] preview_html: String,
    correspondent_id: Option<i64>,
    unit_id: Option<i64>,
    status: String,
    #[sea_orm(column_type = "Text")] takedown_reason: String,
    downloads: i64,
    published_at: i64,
    created_by: i64,
    created_at: i64,
});

entity!(comment, "comments", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    document_id: Option<i64>,
    post_id: Option<i64>,
    name: String,
    #[sea_orm(column_type = "Text")] body: String,
    status: String,
    client: String,
    created_at: i64,
    moderated_by: Option<i64>,
    moderated_at: Option<i64>,
});

entity!(complaint, "complaints", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    document_id: Option<i64>,
    post_id: Option<i64>,
    kind: String,
    name: String,
    contact: String,
    #[sea_orm(column_type = "Text")] body: String,
    status: String,
    #[sea_orm(column_type = "Text")] resolution: String,
    client: String,
    created_at: i64,
    handled_by: Option<i64>,
    handled_at: Option<i64>,
});

entity!(target, "targets", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    year: i32,
    unit_id: Option<i64>,
    correspondent_id: Option<i64>,
    metric: String,
    value: i64,
    updated_by: i64,
    updated_at: i64,
});

entity!(subscription_campaign, "subscription_campaigns", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    year: i32,
    publication: String,
    starts_on: time::Date,
    ends_on: time::Date,
    created_at: i64,
});

entity!(subscription_order, "subscription_orders", {
    #[sea_orm(primary_key)] id: i64,
    campaign_id: i64,
    station_id: i64,
    unit_id: i64,
    copies: i32,
    subscriber_type: String,
    subscriber: String,
    ordered_on: time::Date,
    collected_by: String,
    created_by: i64,
    created_at: i64,
});

entity!(media_contact, "media_contacts", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    name: String,
    outlet_id: Option<i64>,
    outlet_name: String,
    beat: String,
    contact: String,
    last_contact_on: Option<time::Date>,
    #[sea_orm(column_type = "Text")] note: String,
    created_at: i64,
});

entity!(event, "events", {
    #[sea_orm(primary_key)] id: i64,
    station_id: i64,
    kind: String,
    title: String,
    held_on: time::Date,
    place: String,
    #[sea_orm(column_type = "Text")] people: String,
    #[sea_orm(column_type = "Text")] outcome: String,
    medium: Option<String>,
    created_by: i64,
    created_at: i64,
});

entity!(event_unit, "event_units", {
    #[sea_orm(primary_key, auto_increment = false)] event_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] unit_id: i64,
});

entity!(event_outlet, "event_outlets", {
    #[sea_orm(primary_key, auto_increment = false)] event_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] outlet_id: i64,
});

entity!(event_image, "event_images", {
    #[sea_orm(primary_key, auto_increment = false)] event_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] image_id: i64,
});

entity!(annual_report, "annual_reports", {
    #[sea_orm(primary_key, auto_increment = false)] station_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] year: i32,
    #[sea_orm(column_type = "Text")] narrative: String,
    updated_by: i64,
    updated_at: i64,
});

entity!(award_rules, "award_rules", {
    #[sea_orm(primary_key)] id: i64,
    #[sea_orm(column_type = "Text")] source: String,
    created_by: i64,
    created_at: i64,
});

entity!(notification, "notifications", {
    #[sea_orm(primary_key)] id: i64,
    user_id: i64,
    station_id: Option<i64>,
    kind: String,
    key: String,
    title: String,
    #[sea_orm(column_type = "Text")] body: String,
    link: String,
    created_at: i64,
    read_at: Option<i64>,
    emailed_at: Option<i64>,
});

entity!(notification_pref, "notification_prefs", {
    #[sea_orm(primary_key, auto_increment = false)] user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)] kind: String,
    in_app: bool,
    email: bool,
});

entity!(notification_address, "notification_addresses", {
    #[sea_orm(primary_key, auto_increment = false)] user_id: i64,
    email: String,
});
