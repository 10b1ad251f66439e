//! Full-text search over the public portal's posts and documents, Chinese first.
//!
//! This crate owns the search index and nothing else. The index is derived data kept in RAM:
//! the server rebuilds it from the database at start ([`SearchIndex::upsert_many`]) and updates
//! it on every publish and unpublish ([`SearchIndex::upsert`], [`SearchIndex::remove`]); each
//! update is visible to the very next search. The database stays the only source of truth,
//! so there are no index files to migrate, back up or repair.
//!
//! How Chinese is handled (details in the modules):
//! - `analysis`: titles and bodies are indexed as overlapping character pairs, so any word
//!   inside a sentence is found ("知识产权" in "湖北省知识产权局召开…").
//! - `query`: what a visitor types is plain words, never syntax; jieba splits unspaced Chinese
//!   queries into words, all of which are required.
//! - `highlight`: titles and snippets come back HTML-escaped with matches in `<mark>`.
//!
//! Ranking is BM25 with title matches weighted 3x body matches; equal scores put the newer
//! document first. Recency is only a tie-breaker, not blended into the score: an old notice
//! that matches well should not sink below a new one that barely matches.
//!
//! Costs, measured with 5,000 posts of 800 characters on a 2-core machine in a release build:
//! rebuild about 3 s, index about 45 MB of RAM (the text is stored uncompressed, and every
//! character is indexed twice, alone and in a pair), a query 0.1-0.3 ms, one upsert about 4 ms
//! (commit and reader reload). Debug builds index about 7x slower.

mod analysis;
mod highlight;
mod index;
mod query;

pub use index::SearchIndex;

/// What a search hit is, so the portal can link to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// A news post in a column.
    Post,
    /// A document in a library.
    Document,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Post => "post",
            DocKind::Document => "document",
        }
    }

    fn parse(s: &str) -> Option<DocKind> {
        match s {
            "post" => Some(DocKind::Post),
            "document" => Some(DocKind::Document),
            _ => None,
        }
    }
}

/// One published post or document as the index sees it. `(kind, id)` identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub kind: DocKind,
    pub id: i64,
    /// Searches only ever see the documents of one station.
    pub station_id: i64,
    pub title: String,
    /// Plain text, no HTML: the caller strips markup before indexing.
    pub body: String,
    /// Publication time, unix seconds; breaks ties between equally relevant hits.
    pub published: i64,
    /// Column or library name, shown in results; not searched.
    pub column: String,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// All matching documents in the station, not just this page.
    pub total: usize,
    /// The page actually served (1-based; 0 was taken as 1).
    pub page: usize,
    /// The page size actually used (clamped to 1..=[`SearchIndex::MAX_PER_PAGE`]).
    pub per_page: usize,
    pub hits: Vec<Hit>,
}

impl SearchResults {
    /// Number of pages for `total` hits, at least 1 so "page 1 of 1" reads naturally.
    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// One search result, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: DocKind,
    pub id: i64,
    /// The whole title, HTML-escaped, matches wrapped in `<mark>…</mark>`. Safe to emit raw.
    pub title_html: String,
    /// Up to 120 characters of the body around the matches (an `…` marks each cut end),
    /// escaped and marked like `title_html`; the body's start if only the title matched.
    pub snippet_html: String,
    pub published: i64,
    pub column: String,
    /// BM25 relevance; only meaningful for comparing hits of the same search.
    pub score: f32,
}

/// Why an index operation failed. Queries themselves never fail on what a visitor typed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A stored document lacks a field this crate always writes; would mean a bug here.
    #[error("search index: stored document has no valid {0} field")]
    Corrupt(&'static str),
}
