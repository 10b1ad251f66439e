//! The index itself: schema, writing (one writer behind a mutex, every change committed and
//! made visible before the call returns) and searching (ranking, paging, building hits).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, TantivyDocument, Term};

use crate::analysis::{BigramTokenizer, TOKENIZER_NAME};
use crate::highlight::{Needles, snippet_html, title_html};
use crate::query;
use crate::{DocKind, Hit, SearchDoc, SearchError, SearchResults};

/// Writer's indexing memory, an upper bound rather than an up-front allocation. Measured with
/// 5,000 posts of 800 characters on a 2-core machine: one thread with 50 MB indexes them in
/// about 3 s (release) into 3 segments; 15 MB (tantivy's floor) took 8.7 s, flushing 23 small
/// segments that then had to be merged; a second thread was no faster.
const WRITER_MEMORY_BYTES: usize = 50_000_000;

/// Deepest result reachable by paging. Tantivy keeps `offset + per_page` candidates in memory,
/// so an absurd page number from a URL must not become an absurd allocation.
const MAX_OFFSET: usize = 10_000;

struct Fields {
    /// "post:12": the identity that upsert and remove replace or delete by.
    key: Field,
    kind: Field,
    id: Field,
    station: Field,
    title: Field,
    body: Field,
    published: Field,
    column: Field,
}

/// The portal's search index, in RAM. Cloning is cheap and shares the index; it can be used
/// from any number of threads (searches run in parallel, updates take turns).
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

struct Inner {
    fields: Fields,
    reader: IndexReader,
    /// Tantivy allows one writer per index; the mutex also keeps commit and reader reload
    /// together, so once an update returns every later search sees it.
    writer: Mutex<IndexWriter>,
}

impl SearchIndex {
    /// Largest page size served; bigger requests are clamped to it.
    pub const MAX_PER_PAGE: usize = 100;

    /// An empty index. The first call in a process also loads jieba's dictionary (measured:
    /// 0.1-0.2 s in a release build, 0.3 s in debug, about 37 MB of memory), so that the first
    /// visitor's query does not pay for it; later calls take about 2 ms.
    pub fn new() -> Result<SearchIndex, SearchError> {
        let mut schema = Schema::builder();
        let text = TextOptions::default().set_stored().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER_NAME)
                // Positions make the phrase queries that find CJK words work.
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            key: schema.add_text_field("key", STRING),
            kind: schema.add_text_field("kind", STORED),
            id: schema.add_i64_field("id", STORED),
            station: schema.add_i64_field("station", INDEXED),
            title: schema.add_text_field("title", text.clone()),
            body: schema.add_text_field("body", text),
            published: schema.add_i64_field("published", STORED | FAST),
            column: schema.add_text_field("column", STORED),
        };
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(TOKENIZER_NAME, TextAnalyzer::from(BigramTokenizer));
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
        // Manual: we reload right after each commit instead of polling for changes.
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        query::warm_up();
        Ok(SearchIndex { inner: Arc::new(Inner { fields, reader, writer: Mutex::new(writer) }) })
    }

    /// Adds `doc`, or replaces the indexed version with the same kind and id.
    pub fn upsert(&self, doc: SearchDoc) -> Result<(), SearchError> {
        self.upsert_many([doc]).map(drop)
    }

    /// Adds or replaces many documents with a single commit: the start-up rebuild.
    /// Returns how many were indexed.
    pub fn upsert_many(&self, docs: impl IntoIterator<Item = SearchDoc>) -> Result<usize, SearchError> {
        let f = &self.inner.fields;
        self.write(|writer| {
            let mut count = 0;
            for doc in docs {
                writer.delete_term(key_term(f, doc.kind, doc.id));
                let mut d = TantivyDocument::default();
                d.add_text(f.key, key(doc.kind, doc.id));
                d.add_text(f.kind, doc.kind.as_str());
                d.add_i64(f.id, doc.id);
                d.add_i64(f.station, doc.station_id);
                d.add_text(f.title, &doc.title);
                d.add_text(f.body, &doc.body);
                d.add_i64(f.published, doc.published);
                d.add_text(f.column, &doc.column);
                writer.add_document(d)?;
                count += 1;
            }
            Ok(count)
        })
    }

    /// Removes a document (unpublished or deleted). Removing one that is not there is fine.
    pub fn remove(&self, kind: DocKind, id: i64) -> Result<(), SearchError> {
        self.write(|writer| {
            writer.delete_term(key_term(&self.inner.fields, kind, id));
            Ok(())
        })
    }

    /// Removes everything, e.g. before a full rebuild on a running server.
    pub fn clear(&self) -> Result<(), SearchError> {
        self.write(|writer| {
            writer.delete_all_documents()?;
            Ok(())
        })
    }

    /// Number of documents in the index, all stations.
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// One page of the documents of `station_id` that contain every word of `query`, best first.
    ///
    /// `page` is 1-based (0 is taken as 1); `per_page` is clamped to 1..=[`Self::MAX_PER_PAGE`].
    /// The query is plain words (see the crate doc): nothing typed is a syntax error. A query
    /// with nothing searchable in it (empty, spaces, only punctuation) gives zero hits rather
    /// than an error; a caller wanting to show the bare search form can check for that first.
    /// Pages beyond the 10,000th hit come back empty (with the right `total`).
    pub fn search(
        &self,
        station_id: i64,
        query: &str,
        page: usize,
        per_page: usize,
    ) -> Result<SearchResults, SearchError> {
        self.search_until(station_id, query, None, page, per_page)
    }

    /// As `search`, but only documents published at or before `until` (unix seconds), so
    /// that scheduled posts can be indexed when saved and found once they are live.
    pub fn search_until(
        &self,
        station_id: i64,
        query: &str,
        until: Option<i64>,
        page: usize,
        per_page: usize,
    ) -> Result<SearchResults, SearchError> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, Self::MAX_PER_PAGE);
        let mut results = SearchResults { total: 0, page, per_page, hits: Vec::new() };
        let f = &self.inner.fields;
        let words = query::parse(query);
        let Some(query) =
            query::build(&words, (f.station, station_id), until.map(|u| (f.published, u)), f.title, f.body)
        else {
            return Ok(results);
        };
        let searcher = self.inner.reader.searcher();
        let offset = (page - 1).saturating_mul(per_page);
        if offset > MAX_OFFSET {
            results.total = searcher.search(&query, &Count)?;
            return Ok(results);
        }
        // Score first; equal scores (same words, same lengths) go to the newer document.
        let top = TopDocs::with_limit(per_page).and_offset(offset).order_by((
            (SortBySimilarityScore, Order::Desc),
            (SortByStaticFastValue::<i64>::for_field("published"), Order::Desc),
        ));
        let (total, top) = searcher.search(&query, &(Count, top))?;
        results.total = total;
        let needles = Needles::new(words.iter().flat_map(|w| w.segments.iter().chain([&w.text])).map(String::as_str));
        for ((score, _published), address) in top {
            results.hits.push(self.hit(&searcher, address, score, &needles)?);
        }
        Ok(results)
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: Score,
        needles: &Needles,
    ) -> Result<Hit, SearchError> {
        let f = &self.inner.fields;
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field: Field, name| doc.get_first(field).and_then(|v| v.as_str()).ok_or(SearchError::Corrupt(name));
        let int = |field: Field, name| doc.get_first(field).and_then(|v| v.as_i64()).ok_or(SearchError::Corrupt(name));
        Ok(Hit {
            kind: DocKind::parse(text(f.kind, "kind")?).ok_or(SearchError::Corrupt("kind"))?,
            id: int(f.id, "id")?,
            title_html: title_html(text(f.title, "title")?, needles),
            snippet_html: snippet_html(text(f.body, "body")?, needles),
            published: int(f.published, "published")?,
            column: text(f.column, "column")?.to_owned(),
            score,
        })
    }

    /// Runs `change` on the writer, then commits and reloads the reader, or rolls back.
    fn write<T>(&self, change: impl FnOnce(&IndexWriter) -> Result<T, SearchError>) -> Result<T, SearchError> {
        // A panic while holding the lock leaves at worst a half-applied change that the next
        // commit publishes; the index is derived data, so keep serving rather than fail forever.
        let mut writer = self.inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
        match change(&writer) {
            Ok(value) => {
                writer.commit()?;
                self.inner.reader.reload()?;
                Ok(value)
            }
            Err(err) => {
                // Drop the partial change; if that fails too, the first error is the one to report.
                let _rollback = writer.rollback();
                Err(err)
            }
        }
    }
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex").field("num_docs", &self.num_docs()).finish()
    }
}

fn key(kind: DocKind, id: i64) -> String {
    format!("{}:{id}", kind.as_str())
}

fn key_term(f: &Fields, kind: DocKind, id: i64) -> Term {
    Term::from_field_text(f.key, &key(kind, id))
}
