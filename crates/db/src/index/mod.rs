//! The directory's search index in memory: tantivy for the words (inverted index, BM25,
//! prefix expansion through its term dictionary), flat columns for the facet values and
//! sort orders of every listed co-op (design and contract: `docs/search.md`, "The search
//! index").
//!
//! The database stays the single source of truth. The index is built from it on first use
//! (`serve` does that in the background once it listens) and kept current from the
//! directory's change log (`repo::directory_changes`): a sync re-reads just the co-ops
//! written since its watermark. When to sync:
//!
//! - *unwatched* (tests, CLI commands): before every query, one read of the
//!   `directory_version` counter; a sync when it moved. Writes from any process show in the
//!   next query.
//! - *watched* (`serve`, whose commit-signal watcher calls [`SearchIndex::invalidate`] on
//!   every co-op or network commit of any process, as the app's co-op writes do right after
//!   committing): no read at all while no signal came, and at most one counter read per
//!   [`RECHECK`] otherwise, so a lost signal costs at most that long.
//!
//! - `text`: the tantivy schema, analyzer, prefix-or-stem query and match collector.
//! - `entries`: per co-op facet values and sort keys, as the writer keeps them.
//! - `columns`: the same laid out in flat arrays per snapshot, for queries.
//! - `sync`: the freshness check, the full diff and the reads of changed co-ops.
//! - `answer`: filters, facet counts, order and page over the matches.
//! - `pages`: the co-ops of result pages, kept so a page needs no database read.
//!
//! The index lives in memory, or in a folder (`directory.index_dir`, [`SearchIndex::on_disk`])
//! where each document also stores its co-op's entry: a restart opens it, restores the
//! entries from the documents and catches up by one diff of `(id, updated_at)` instead of
//! reading and stemming every profile again.
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
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use coopnet_core::SearchQuery;
use sea_orm::ConnectionTrait;
use tantivy::schema::Value;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument};

use self::columns::Columns;
use self::entries::{Entries, FacetTable};
use self::sync::Diff;
use self::text::{Fields, index_error};
use crate::DbError;
use crate::repo::directory_changes::{self, Watermark};
use crate::repo::search::SearchHits;

/// Watched mode: the longest a query is answered without checking the database, should a
/// commit signal be lost (a dropped connection is reported by the watcher; this is the
/// bound for anything else).
pub const RECHECK: Duration = Duration::from_secs(1);

/// The indexing memory budget of the one writer thread (tantivy's minimum is 15 MB).
const WRITER_MEMORY: usize = 32_000_000;

/// A consistent state of the index: what one query reads.
pub struct Snapshot {
    /// The `directory_version` this state reflects.
    version: i64,
    searcher: Searcher,
    fields: Fields,
    facets: Arc<FacetTable>,
    columns: Arc<Columns>,
    /// Every known network by id, as of `version` (network writes move the counter too).
    networks: Arc<HashMap<i64, coopnet_core::Network>>,
    /// Answers computed on these co-ops (carried to the next snapshot when a sync changed
    /// no co-op: answers hold ids and counts, never network names).
    answers: Arc<answer::AnswerCache>,
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
        self.columns.updated_at_of(id)
    }

    /// Listed co-ops in this state.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// True when no co-op is listed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.version)
            .field("coops", &self.len())
            .finish_non_exhaustive()
    }
}

/// What only the sync step touches.
struct Writer {
    writer: Arc<Mutex<IndexWriter>>,
    reader: IndexReader,
    fields: Fields,
    /// Owned by the writer alone (snapshots read `columns`), so a change touches one entry.
    entries: Entries,
    facets: Arc<FacetTable>,
    /// Laid out from `entries` after the last change.
    columns: Arc<Columns>,
    /// Where the writer stands in the change log; `None` until the first full diff.
    watermark: Option<Watermark>,
    /// When the change log was last read (see `directory_changes::MAX_GAP`).
    read_at: Instant,
    /// The answers of the co-ops as they now stand.
    answers: Arc<answer::AnswerCache>,
}

impl Writer {
    /// The writer of the index in `dir` (restored from it), or in RAM when `dir` is `None`
    /// or cannot be used (another process holds it: each process keeps its own index).
    /// Blocking: reads every stored entry of an index on disk.
    fn new(dir: Option<&Path>) -> Result<Self, DbError> {
        if let Some(dir) = dir {
            match Self::open(dir) {
                Ok(writer) => return Ok(writer),
                Err(e) => tracing::warn!(
                    error = %e,
                    dir = %dir.display(),
                    "cannot use the search index on disk; building it in memory"
                ),
            }
        }
        let (index, fields) = text::create();
        Self::with_index(&index, fields)
    }

    fn with_index(index: &tantivy::Index, fields: Fields) -> Result<Self, DbError> {
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
            entries: Entries::default(),
            facets: Arc::new(FacetTable::default()),
            columns: Arc::new(Columns::default()),
            watermark: None,
            read_at: Instant::now(),
            answers: Arc::new(answer::AnswerCache::default()),
        })
    }

    /// Opens the index kept in `dir` and restores the entries from its documents (each
    /// holds its own, written in the same commit, so they agree by construction). What
    /// changed in the database meanwhile is found by the first sync's full diff.
    fn open(dir: &Path) -> Result<Self, DbError> {
        let (index, fields) = text::open_or_create(dir)?;
        let mut writer = Self::with_index(&index, fields)?;
        let Some(entry_field) = fields.entry else {
            return Ok(writer);
        };
        let searcher = writer.reader.searcher();
        let facets = Arc::make_mut(&mut writer.facets);
        let mut orphans = Vec::new();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(64).map_err(index_error)?;
            let ids = segment.fast_fields().u64(text::ID).map_err(index_error)?;
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_some_and(|a| a.is_deleted(doc)) {
                    continue;
                }
                let Some(id) = ids.first(doc).and_then(|id| i64::try_from(id).ok()) else {
                    continue;
                };
                let stored: TantivyDocument = store.get(doc).map_err(index_error)?;
                // A document without its entry is deleted and left out: the diff against
                // the database then finds the co-op missing and indexes it again.
                match stored.get_first(entry_field).and_then(|v| v.as_str()) {
                    Some(text) => writer
                        .entries
                        .insert(id, entries::from_stored(text, facets)?),
                    None => orphans.push(id),
                }
            }
        }
        if !orphans.is_empty() {
            let index_writer = writer
                .writer
                .lock()
                .map_err(|_| DbError::Index("writer lock poisoned".into()))?;
            for id in orphans {
                index_writer.delete_term(text::id_term(fields, id));
            }
        }
        writer.columns = Arc::new(Columns::build(
            &writer.entries.by_id,
            &writer.entries.orders,
            &writer.facets,
            &searcher,
        )?);
        Ok(writer)
    }

    fn snapshot(
        &self,
        version: i64,
        networks: Arc<HashMap<i64, coopnet_core::Network>>,
    ) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            version,
            networks,
            answers: self.answers.clone(),
            searcher: self.reader.searcher(),
            fields: self.fields,
            facets: self.facets.clone(),
            columns: self.columns.clone(),
        })
    }
}

/// The search index of one application context.
pub struct SearchIndex {
    /// The latest snapshot, if built.
    current: RwLock<Option<Arc<Snapshot>>>,
    /// Held while syncing; `None` until the first sync (or after a failed one, which
    /// rebuilds from scratch).
    writer: tokio::sync::Mutex<Option<Writer>>,
    /// The co-ops of recent result pages.
    pages: pages::PageCache,
    /// Where the index is kept between runs (`None`: in memory only).
    dir: Option<PathBuf>,
    /// True while `serve` builds the index in the background: searches then go to the
    /// SQL path rather than wait for the build.
    building: AtomicBool,
    /// True once a commit-signal watcher calls [`SearchIndex::invalidate`] (watched mode).
    watched: AtomicBool,
    /// Moved by [`SearchIndex::invalidate`].
    epoch: AtomicU64,
    /// Watched mode: the epoch of the last check against the database...
    checked_epoch: AtomicU64,
    /// ...and when it was, in milliseconds since `started`.
    checked_at: AtomicU64,
    started: Instant,
    /// Syncs by full diff and from the change log (see [`SearchIndex::syncs`]).
    full_syncs: AtomicU64,
    log_syncs: AtomicU64,
    restored: AtomicU64,
    indexed: AtomicU64,
}

/// How a [`SearchIndex`] has caught up so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syncs {
    /// Full diffs of every listed co-op against the index (the first build, and after a
    /// gap longer than `directory_changes::MAX_GAP` or a failed sync).
    pub full: u64,
    /// Reads of the change log past the watermark.
    pub from_log: u64,
    /// Co-ops restored from an index on disk when it was opened.
    pub restored: u64,
    /// Co-ops read from the database and indexed, over all syncs.
    pub indexed: u64,
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self {
            current: RwLock::new(None),
            writer: tokio::sync::Mutex::new(None),
            pages: pages::PageCache::default(),
            dir: None,
            building: AtomicBool::new(false),
            watched: AtomicBool::new(false),
            epoch: AtomicU64::new(0),
            // No check yet: the first query checks.
            checked_epoch: AtomicU64::new(u64::MAX),
            checked_at: AtomicU64::new(0),
            started: Instant::now(),
            full_syncs: AtomicU64::new(0),
            log_syncs: AtomicU64::new(0),
            restored: AtomicU64::new(0),
            indexed: AtomicU64::new(0),
        }
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("current", &self.current())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// An empty index in memory; the first [`SearchIndex::fresh`] builds it from the
    /// database.
    pub fn new() -> Self {
        Self::default()
    }

    /// An index kept in folder `dir` between runs: the first [`SearchIndex::fresh`] opens
    /// it, restores its entries and catches up with the database by a diff of every listed
    /// co-op's `(id, updated_at)`, re-reading only what changed while no process kept it
    /// (created and built in full the first time). Falls back to memory if the folder
    /// cannot be used (another process on the machine holds it).
    pub fn on_disk(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: Some(dir.into()),
            ..Self::default()
        }
    }

    /// Marks a background build as running (or over).
    pub fn set_building(&self, building: bool) {
        self.building.store(building, Ordering::Release);
    }

    /// True while a background build runs.
    pub fn is_building(&self) -> bool {
        self.building.load(Ordering::Acquire)
    }

    /// Switches to watched mode: from now on the caller promises to call
    /// [`SearchIndex::invalidate`] after every commit of a co-op or network write it learns
    /// of (its commit signals), and queries stop reading the counter each time.
    pub fn set_watched(&self) {
        self.watched.store(true, Ordering::Release);
    }

    /// Something may have changed: the next query checks the database.
    pub fn invalidate(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// How this index has caught up so far (for logs, metrics and tests).
    pub fn syncs(&self) -> Syncs {
        Syncs {
            full: self.full_syncs.load(Ordering::Acquire),
            from_log: self.log_syncs.load(Ordering::Acquire),
            restored: self.restored.load(Ordering::Acquire),
            indexed: self.indexed.load(Ordering::Acquire),
        }
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Watched mode: the current snapshot, if no signal came since the last check and that
    /// check is recent.
    fn unchanged(&self) -> Option<Arc<Snapshot>> {
        if !self.watched.load(Ordering::Acquire)
            || self.checked_epoch.load(Ordering::Acquire) != self.epoch.load(Ordering::Acquire)
        {
            return None;
        }
        let age = self
            .millis()
            .saturating_sub(self.checked_at.load(Ordering::Acquire));
        if u128::from(age) >= RECHECK.as_millis() {
            return None;
        }
        self.current()
    }

    /// Records a check against the database that began at `epoch`.
    fn checked(&self, epoch: u64, at: u64) {
        self.checked_at.store(at, Ordering::Release);
        self.checked_epoch.store(epoch, Ordering::Release);
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

    /// A snapshot equal to the database as of this call (watched mode: as of the last
    /// commit signal, and at most [`RECHECK`] old): the current one when the directory's
    /// change counter has not moved, else one caught up with what changed (built in full
    /// the first time).
    pub async fn fresh<C: ConnectionTrait>(&self, conn: &C) -> Result<Arc<Snapshot>, DbError> {
        if let Some(current) = self.unchanged() {
            return Ok(current);
        }
        // Taken before the database is read: a signal arriving meanwhile moves the epoch
        // past it, and the next query checks again.
        let epoch = self.epoch.load(Ordering::Acquire);
        let at = self.millis();
        let version = sync::version(conn).await?;
        if let Some(current) = self.current().filter(|s| s.version == version) {
            self.checked(epoch, at);
            return Ok(current);
        }
        let mut guard = self.writer.lock().await;
        // Another query may have synced while this one waited.
        if let Some(current) = self.current().filter(|s| s.version == version) {
            self.checked(epoch, at);
            return Ok(current);
        }
        let writer = match guard.take() {
            Some(writer) => writer,
            None => {
                let dir = self.dir.clone();
                let writer = tokio::task::spawn_blocking(move || Writer::new(dir.as_deref()))
                    .await
                    .map_err(index_error)??;
                self.restored
                    .fetch_add(writer.entries.by_id.len() as u64, Ordering::AcqRel);
                writer
            }
        };
        // On failure the writer is dropped: the next query starts over from an empty index.
        let (writer, full, indexed) = catch_up(writer, conn, version).await?;
        self.indexed.fetch_add(indexed as u64, Ordering::AcqRel);
        if full {
            self.full_syncs.fetch_add(1, Ordering::AcqRel);
        } else {
            self.log_syncs.fetch_add(1, Ordering::AcqRel);
        }
        let networks = crate::repo::networks::list(conn)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
        let snapshot = writer.snapshot(version, Arc::new(networks));
        *guard = Some(writer);
        self.publish(snapshot.clone());
        self.checked(epoch, at);
        Ok(snapshot)
    }
}

/// Brings `writer` up to the database, which was at counter `version` before this read it:
/// from the change log past the writer's watermark, or by a full diff the first time and
/// after a gap longer than `directory_changes::MAX_GAP`.
///
/// Changed co-ops are read and indexed [`sync::CHUNK`] at a time, so a first build of a
/// large directory never holds all its rows at once; one commit at the end publishes them.
async fn catch_up<C: ConnectionTrait>(
    mut writer: Writer,
    conn: &C,
    version: i64,
) -> Result<(Writer, bool, usize), DbError> {
    let read_at = Instant::now();
    let (diff, watermark, full) = match writer.watermark {
        Some(since) if writer.read_at.elapsed() < directory_changes::MAX_GAP => {
            let (ids, watermark) = directory_changes::since(conn, since).await?;
            (Diff::from_log(ids), watermark, false)
        }
        _ => {
            let watermark = directory_changes::watermark(conn).await?;
            let listing = sync::listing(conn).await?;
            let diff = Diff::between(&writer.entries.by_id, &listing);
            (diff, watermark, true)
        }
    };
    writer.watermark = Some(watermark);
    writer.read_at = read_at;
    if diff.is_empty() {
        return Ok((writer, full, 0));
    }
    // Only co-ops the index holds get a delete: tantivy keeps each pending delete with a
    // scoring weight (about 1 KB) until the commit, and deleting every id of a first build
    // held 118 MB at 100,000 co-ops for nothing (heaptrack, `docs/benchmarks.md`).
    let mut stale = Vec::new();
    for id in diff.removed.iter().chain(&diff.changed) {
        if writer.entries.by_id.contains_key(id) {
            stale.push(*id);
        }
        writer.entries.remove(*id);
    }
    let dropped = stale.len();
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
        let mut documents = Vec::with_capacity(rows.len());
        for row in rows {
            let (id, entry, texts) = entries::entry_of(row, facets)?;
            let stored = match fields.entry {
                Some(_) => Some(entries::stored(&entry, facets)?),
                None => None,
            };
            writer.entries.insert(id, entry);
            documents.push((id, texts, stored));
        }
        indexed += documents.len();
        with_writer(&writer, move |w| {
            for (id, texts, stored) in documents {
                w.add_document(text::document(fields, id, &texts, stored))
                    .map_err(index_error)?;
            }
            Ok(())
        })
        .await?;
    }
    with_writer(&writer, |w| w.commit().map(drop).map_err(index_error)).await?;
    writer.reader.reload().map_err(index_error)?;
    let searcher = writer.reader.searcher();
    let started = Instant::now();
    // A linear pass (no sort), tens of milliseconds at 100,000 co-ops: off the runtime.
    let entries = std::mem::take(&mut writer.entries);
    let facets = writer.facets.clone();
    let (entries, columns) = tokio::task::spawn_blocking(move || {
        let columns = Columns::build(&entries.by_id, &entries.orders, &facets, &searcher);
        (entries, columns)
    })
    .await
    .map_err(index_error)?;
    writer.entries = entries;
    writer.columns = Arc::new(columns?);
    writer.answers = Arc::new(answer::AnswerCache::default());
    tracing::debug!(
        version,
        full,
        indexed,
        looked_at = dropped,
        layout_ms = started.elapsed().as_millis(),
        "search index caught up"
    );
    Ok((writer, full, indexed))
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
