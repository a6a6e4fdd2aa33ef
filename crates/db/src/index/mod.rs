//! The directory's search index in memory: tantivy for the words (inverted index, BM25,
//! prefix expansion through its term dictionary), flat columns for the facet values and
//! sort orders of every listed co-op (design and contract: `docs/search.md`, "The search
//! index").
//!
//! The database stays the single source of truth. The index is built from it on first use
//! (`serve` does that in the background once it listens) and checked before every query:
//! one read of the `directory_version` counter, and only when that moved, a diff of the live listed co-ops'
//! `(id, updated_at)` against the index that re-reads just what was added, changed or
//! removed. Writes from any process (the CLI, other `serve` processes on one PostgreSQL,
//! federation) therefore show in the next query with no message passing.
//!
//! - `text`: the tantivy schema, analyzer, prefix-or-stem query and match collector.
//! - `entries`: per co-op facet values and sort keys, as the writer keeps them.
//! - `columns`: the same laid out in flat arrays per snapshot, for queries.
//! - `sync`: the freshness check and the diff.
//! - `answer`: filters, facet counts, order and page over the matches.
//! - `pages`: the co-ops of result pages, kept so a page needs no database read.
//!
//! One [`SearchIndex`] per application context (tests run several in one process). A query
//! takes an immutable [`Snapshot`] (cheap to clone), so searches run in parallel, off the
//! async runtime, while a sync builds the next snapshot under a lock.
mod answer;
mod columns;
mod entries;
mod pages;
mod sync;
mod text;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use coopnet_core::SearchQuery;
use sea_orm::ConnectionTrait;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument};

use self::columns::Columns;
use self::entries::{Entry, FacetTable};
use self::sync::Diff;
use self::text::{Fields, index_error};
use crate::DbError;
use crate::repo::search::SearchHits;

/// The indexing memory budget of the one writer thread (tantivy's minimum is 15 MB).
const WRITER_MEMORY: usize = 32_000_000;

/// A consistent state of the index: what one query reads.
pub struct Snapshot {
    /// The `directory_version` this state reflects.
    version: i64,
    searcher: Searcher,
    fields: Fields,
    entries: Arc<HashMap<i64, Entry>>,
    facets: Arc<FacetTable>,
    columns: Arc<Columns>,
    /// Every known network by id, as of `version` (network writes move the counter too).
    networks: Arc<HashMap<i64, coopnet_core::Network>>,
    /// Answers computed on this state.
    answers: answer::AnswerCache,
}

impl Snapshot {
    /// Every known network by storage id, as this state holds them: pages name the
    /// networks of their co-ops and facets without reading the `network` table.
    pub fn networks(&self) -> &Arc<HashMap<i64, coopnet_core::Network>> {
        &self.networks
    }

    /// Answers `p` like `repo::search::search`: the page's co-op ids in order, the number
    /// of matches and the facet counts over all of them. Blocking (CPU only): run it on
    /// a blocking thread.
    pub fn search(&self, p: &SearchQuery) -> Result<SearchHits, DbError> {
        answer::answer(self, p)
    }

    /// The kept answer to `p`, if any: cheap, so callers may try it on the async runtime
    /// before running [`Snapshot::search_cached`] on a blocking thread.
    pub fn cached(&self, p: &SearchQuery) -> Option<SearchHits> {
        self.answers.get(p)
    }

    /// Like [`Snapshot::search`], kept per query for as long as this state is current
    /// (see `answer::AnswerCache`): what the directory's pages and API call.
    pub fn search_cached(&self, p: &SearchQuery) -> Result<SearchHits, DbError> {
        self.answers.get_or(p, || answer::answer(self, p))
    }

    /// When listed co-op `id` was last updated, as this state holds it.
    pub fn updated_at(&self, id: i64) -> Option<chrono::DateTime<chrono::Utc>> {
        self.entries.get(&id).map(|e| e.updated_at)
    }

    /// Listed co-ops in this state.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no co-op is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version)
            .field("coops", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// What only the sync step touches.
struct Writer {
    writer: Arc<Mutex<IndexWriter>>,
    reader: IndexReader,
    fields: Fields,
    entries: Arc<HashMap<i64, Entry>>,
    facets: Arc<FacetTable>,
    /// Laid out from `entries` after the last change.
    columns: Arc<Columns>,
}

impl Writer {
    fn new() -> Result<Self, DbError> {
        let (index, fields) = text::create();
        let writer = index
            .writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY)
            .map_err(index_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(index_error)?;
        Ok(Self {
            writer: Arc::new(Mutex::new(writer)),
            reader,
            fields,
            entries: Arc::new(HashMap::new()),
            facets: Arc::new(FacetTable::default()),
            columns: Arc::new(Columns::default()),
        })
    }

    fn snapshot(
        &self,
        version: i64,
        networks: Arc<HashMap<i64, coopnet_core::Network>>,
    ) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            version,
            networks,
            answers: answer::AnswerCache::default(),
            searcher: self.reader.searcher(),
            fields: self.fields,
            entries: self.entries.clone(),
            facets: self.facets.clone(),
            columns: self.columns.clone(),
        })
    }
}

/// The search index of one application context.
#[derive(Default)]
pub struct SearchIndex {
    /// The latest snapshot, if built.
    current: RwLock<Option<Arc<Snapshot>>>,
    /// Held while syncing; `None` until the first sync (or after a failed one, which
    /// rebuilds from scratch).
    writer: tokio::sync::Mutex<Option<Writer>>,
    /// The co-ops of recent result pages.
    pages: pages::PageCache,
    /// True while `serve` builds the index in the background: searches then go to the
    /// SQL path rather than wait for the build.
    building: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("current", &self.current())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// An empty index; the first [`SearchIndex::fresh`] builds it from the database.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks a background build as running (or over).
    pub fn set_building(&self, building: bool) {
        self.building
            .store(building, std::sync::atomic::Ordering::Release);
    }

    /// True while a background build runs.
    pub fn is_building(&self) -> bool {
        self.building.load(std::sync::atomic::Ordering::Acquire)
    }

    fn current(&self) -> Option<Arc<Snapshot>> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn publish(&self, snapshot: Arc<Snapshot>) {
        match self.current.write() {
            Ok(mut guard) => *guard = Some(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Some(snapshot),
        }
    }

    /// The co-ops `ids` of a page `snapshot` answered, in order, read from the database
    /// only when not kept as `snapshot` lists them (see `pages`).
    pub async fn page<C: ConnectionTrait>(
        &self,
        conn: &C,
        snapshot: &Snapshot,
        ids: &[i64],
    ) -> Result<Vec<Arc<coopnet_core::Coop>>, DbError> {
        self.pages.load(conn, snapshot, ids).await
    }

    /// A snapshot equal to the database as of this call: the current one when the
    /// directory's change counter has not moved, else one caught up with what changed
    /// (built in full the first time).
    pub async fn fresh<C: ConnectionTrait>(&self, conn: &C) -> Result<Arc<Snapshot>, DbError> {
        let version = sync::version(conn).await?;
        if let Some(current) = self.current().filter(|s| s.version == version) {
            return Ok(current);
        }
        let mut guard = self.writer.lock().await;
        // Another query may have synced while this one waited.
        if let Some(current) = self.current().filter(|s| s.version == version) {
            return Ok(current);
        }
        let writer = match guard.take() {
            Some(writer) => writer,
            None => Writer::new()?,
        };
        // On failure the writer is dropped: the next query starts over from an empty index.
        let writer = catch_up(writer, conn, version).await?;
        let networks = crate::repo::networks::list(conn)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
        let snapshot = writer.snapshot(version, Arc::new(networks));
        *guard = Some(writer);
        self.publish(snapshot.clone());
        Ok(snapshot)
    }
}

/// Brings `writer` up to the database, which was at counter `version` before this read it.
///
/// Changed co-ops are read and indexed [`sync::CHUNK`] at a time, so a first build of a
/// large directory never holds all its rows at once; one commit at the end publishes them.
async fn catch_up<C: ConnectionTrait>(
    mut writer: Writer,
    conn: &C,
    version: i64,
) -> Result<Writer, DbError> {
    let listing = sync::listing(conn).await?;
    let diff = Diff::between(&writer.entries, &listing);
    drop(listing);
    if diff.is_empty() {
        return Ok(writer);
    }
    let entries = Arc::make_mut(&mut writer.entries);
    for id in diff.removed.iter().chain(&diff.changed) {
        entries.remove(id);
    }
    let stale: Vec<i64> = diff.removed.iter().chain(&diff.changed).copied().collect();
    let fields = writer.fields;
    with_writer(&writer, move |w| {
        for id in stale {
            w.delete_term(text::id_term(fields, id));
        }
        Ok(())
    })
    .await?;

    let mut indexed = 0;
    for chunk in diff.changed.chunks(sync::CHUNK) {
        let rows = sync::rows(conn, chunk).await?;
        let facets = Arc::make_mut(&mut writer.facets);
        let entries = Arc::make_mut(&mut writer.entries);
        let mut documents = Vec::with_capacity(rows.len());
        for row in rows {
            let (id, entry, texts) = entries::entry_of(row, facets)?;
            entries.insert(id, entry);
            documents.push((id, texts));
        }
        indexed += documents.len();
        with_writer(&writer, move |w| {
            for (id, texts) in documents {
                w.add_document(text::document(fields, id, &texts))
                    .map_err(index_error)?;
            }
            Ok(())
        })
        .await?;
    }
    with_writer(&writer, |w| w.commit().map(drop).map_err(index_error)).await?;
    writer.reader.reload().map_err(index_error)?;
    let entries = writer.entries.clone();
    let facets = writer.facets.clone();
    let searcher = writer.reader.searcher();
    writer.columns = Arc::new(
        tokio::task::spawn_blocking(move || Columns::build(&entries, &facets, &searcher))
            .await
            .map_err(index_error)??,
    );
    tracing::debug!(
        version,
        indexed,
        dropped = diff.removed.len(),
        "search index caught up"
    );
    Ok(writer)
}

/// Runs `work` on the tantivy writer on a blocking thread (indexing and committing block).
async fn with_writer<F>(writer: &Writer, work: F) -> Result<(), DbError>
where
    F: FnOnce(&mut IndexWriter) -> Result<(), DbError> + Send + 'static,
{
    let index_writer = writer.writer.clone();
    tokio::task::spawn_blocking(move || {
        let mut w = index_writer
            .lock()
            .map_err(|_| DbError::Index("writer lock poisoned".into()))?;
        work(&mut w)
    })
    .await
    .map_err(index_error)?
}
