//! The public portal's use cases: what any visitor (no account) may read of a station's
//! published documents, and the comments and complaints they may leave. Every read is held to
//! the station whose site is asked for, and to what is published: a document taken down
//! answers `Gone` with its reason.

use crate::{Error, Result};
use domain::portal::{CommentInput, ComplaintInput};
use domain::{ComplaintKind, DocumentId, DocumentStatus, FieldError, FieldErrors, StationId};
use store::{CommentRecord, DocumentMeta, Station, Store, Target};

/// Comments one client may send in [`COMMENT_WINDOW`] seconds.
pub const COMMENT_LIMIT: u64 = 3;
pub const COMMENT_WINDOW: i64 = 600;

/// The station whose site is at `/site/{code}`.
pub async fn station(store: &Store, code: &str) -> Result<Station> {
    store.station_by_code(code).await?.ok_or(Error::NotFound)
}

/// A published document of the station; one taken down is `Gone` with the reason.
pub async fn published_document(store: &Store, station: StationId, id: DocumentId) -> Result<DocumentMeta> {
    let d = store.document(station, id).await?;
    if d.status == DocumentStatus::TakenDown {
        return Err(Error::Gone(d.takedown_reason));
    }
    Ok(d)
}

/// What a document's page shows besides the document: its text's preview, up to five related
/// documents, and the approved comments.
pub struct DocumentPage {
    pub document: DocumentMeta,
    pub preview: String,
    pub related: Vec<DocumentMeta>,
    pub comments: Vec<CommentRecord>,
}

pub async fn document_page(store: &Store, station: StationId, id: DocumentId) -> Result<DocumentPage> {
    let document = published_document(store, station, id).await?;
    let (_, preview) = store.document_text(station, document.id).await?;
    let related = store.related_documents(station, &document, 5).await?;
    let comments = store.approved_comments(station, document.id).await?;
    Ok(DocumentPage { document, preview, related, comments })
}

/// A download, counted: the file's name, format and bytes. One taken down is `Gone`.
pub async fn download(store: &Store, station: StationId, id: DocumentId) -> Result<(String, String, Vec<u8>)> {
    match store.download_document(station, id).await {
        Err(store::StoreError::Conflict(m)) => Err(Error::Gone(m)),
        other => Ok(other?),
    }
}

/// A visitor's comment on a document, held for moderation. A robot (the hidden field filled)
/// is thanked and nothing is kept; a client that sent [`COMMENT_LIMIT`] in the window waits.
pub async fn comment(
    store: &Store,
    station: StationId,
    id: DocumentId,
    input: CommentInput,
    client: &str,
) -> Result<()> {
    if input.is_robot() {
        return Ok(());
    }
    let input = input.validate()?;
    if store.comments_from(client, now() - COMMENT_WINDOW).await? >= COMMENT_LIMIT {
        return Err(Error::TooMany("评论太频繁，请十分钟后再试".into()));
    }
    store.add_comment(station, Target::Document(id), &input, client).await?;
    Ok(())
}

/// A complaint (举报) as the form sends it.
pub struct ComplaintForm {
    pub kind: String,
    pub name: String,
    pub contact: String,
    pub body: String,
    /// The hidden field robots fill.
    pub website: String,
}

/// A visitor's complaint about a document, for the editors to resolve.
pub async fn complain(store: &Store, station: StationId, id: DocumentId, f: ComplaintForm, client: &str) -> Result<()> {
    if !f.website.trim().is_empty() {
        return Ok(());
    }
    let kind = ComplaintKind::parse(&f.kind)
        .ok_or_else(|| Error::Invalid(FieldErrors(vec![FieldError::new("kind", ComplaintKind::expected())])))?;
    let input = ComplaintInput { kind, name: f.name, contact: f.contact, body: f.body }.validate()?;
    store.add_complaint(station, Target::Document(id), &input, client).await?;
    Ok(())
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The station at `/site/{code}` with its portal columns.
pub async fn site(store: &Store, code: &str) -> Result<(Station, Vec<store::PortalColumn>)> {
    let station = station(store, code).await?;
    let columns = store.portal_columns(station.id).await?;
    Ok((station, columns))
}

/// The first station, whose portal `/site` opens on.
pub async fn first_station(store: &Store) -> Result<Station> {
    store.stations().await?.into_iter().next().ok_or(Error::NotFound)
}

/// Posts a visitor may see: whatever the filter asks, only those live now (published, their
/// publish time passed).
pub async fn live_posts(store: &Store, f: &store::PostFilter) -> Result<store::Page<store::Post>> {
    let f = store::PostFilter { live_at: Some(f.live_at.unwrap_or_else(now)), ..f.clone() };
    Ok(store.posts(&f).await?)
}

/// A post as a visitor reaches it by its address: one unpublished is `Gone`, one not yet
/// live (a draft, or scheduled for later) is not found.
pub async fn live_post(store: &Store, station: StationId, id: domain::PostId) -> Result<store::Post> {
    let post = store.post(station, id).await?;
    match post.status {
        domain::PostStatus::Unpublished => Err(Error::Gone(String::new())),
        _ if !post.is_live(now()) => Err(Error::NotFound),
        _ => Ok(post),
    }
}

/// A picture of the station (a post's cover), if it is there.
pub async fn image(store: &Store, station: StationId, id: domain::ImageId) -> Option<store::ImageMeta> {
    store.image(store::Scope::Station(station), id).await.ok()
}

/// A picture's bytes at display size or as a thumbnail: its media type and bytes.
pub async fn image_bytes(
    store: &Store,
    station: StationId,
    id: domain::ImageId,
    thumb: bool,
) -> Result<(String, Vec<u8>)> {
    let (_, mime, bytes) = store.image_bytes(store::Scope::Station(station), id, thumb).await?;
    Ok((mime, bytes))
}

/// A correspondent's public page: their live posts (a page of them), their published
/// documents (up to 100) and their unit's name. Only people with published work have one:
/// the network's list of names is not for browsing.
pub struct AuthorPage {
    pub person: store::Correspondent,
    pub posts: store::Page<store::Post>,
    pub documents: Vec<DocumentMeta>,
    pub unit: String,
}

pub async fn author(
    store: &Store,
    station: StationId,
    id: domain::CorrespondentId,
    page: u64,
    per_page: u64,
) -> Result<AuthorPage> {
    let scope = store::Scope::Station(station);
    let person = store.correspondent(scope, id).await?;
    let f = store::PostFilter { author: Some(id), page, per_page, ..store::PostFilter::live(station, now()) };
    let posts = store.posts(&f).await?;
    let docs =
        store::DocumentFilter { correspondent: Some(id), per_page: 100, ..store::DocumentFilter::published(station) };
    let documents = store.documents(&docs).await?.items;
    if posts.total == 0 && documents.is_empty() {
        return Err(Error::NotFound);
    }
    let unit = match person.unit_id {
        Some(u) => store.unit(scope, u).await.map(|u| u.name).unwrap_or_default(),
        None => String::new(),
    };
    Ok(AuthorPage { person, posts, documents, unit })
}

/// A published notice of the station (drafts are not found), with its figures.
pub async fn notice(
    store: &Store,
    station: StationId,
    id: domain::StatementId,
) -> Result<(store::StatementRecord, domain::policy::Statement)> {
    let record = store.statement(store::Scope::Station(station), id).await?;
    if record.status == domain::StatementStatus::Draft {
        return Err(Error::NotFound);
    }
    let statement = crate::rewards::parse_snapshot(&record)?;
    Ok((record, statement))
}
