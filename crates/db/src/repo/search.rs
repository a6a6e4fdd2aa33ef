//! The directory's search index and membership history (design: `docs/search.md`).
//!
//! Every co-op write in the co-op repository calls [`reindex`] / [`remove`] in the caller's
//! connection or transaction, so the index changes with the row. Per co-op the index holds
//! its facet values (`coop_facet`: services, technologies, languages) and two normalised
//! texts (`coop_search.document`, its words, and `coop_search.stems`, their stems), which
//! SQLite indexes with FTS5 (two columns) and PostgreSQL with one `tsvector` (words weighted
//! A, stems B). Unlisted co-ops stay indexed; queries keep to live, listed co-ops.
//!
//! A query word matches a co-op when it begins one of the co-op's words (word-prefix
//! matching) or when one of its stems (English, German, Dutch and French Snowball, see
//! [`super::stemming`]) is one of the co-op's stems. Both texts are built here in Rust,
//! already folded (lowercased, diacritics removed, letters and digits only) and stemmed, so
//! FTS5, PostgreSQL and the in-memory index receive the same tokens and return the same
//! co-ops; neither database stems. Only the relevance scores differ (bm25 on SQLite,
//! `ts_rank` on PostgreSQL), so the relevance order may too.
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use coopnet_core::{Coop, CoopOrigin, SearchQuery, Sort};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement, TransactionSession, TransactionTrait, Value,
};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::count_cache::{self, CountCache, CountKey, Counts};
pub use super::facets::{FacetCount, FacetKind};
use super::stemming::{self, Language};
use crate::DbError;
use crate::entities::{coop, coop_facet, coop_search, membership_event};

/// Query words used; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 32;
/// Longer words are cut to this many characters, in documents and queries alike
/// (PostgreSQL does not index very long words).
pub const MAX_WORD_CHARS: usize = 64;
/// How much a stem match counts against a word match in relevance scores (FTS5 column
/// weight, `ts_rank` weight of class B, tantivy boost): an exact or prefix match of the
/// word the searcher typed outranks a match of its stem alone.
pub const STEM_WEIGHT: f32 = 0.2;

fn db_id(id: i64) -> Result<i32, DbError> {
    i32::try_from(id).map_err(|_| DbError::NotFound)
}

/// Lowercase without diacritics (`Zürich` -> `zurich`): the form both backends index.
pub fn fold(text: &str) -> String {
    // ASCII has nothing to decompose or compose: lowercasing is the whole fold, and most
    // profile text is ASCII (a profile of the federation backfill spent 8 % of its time in
    // Unicode normalisation, `docs/benchmarks.md`). Same result as the general path.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    fold_unicode(text)
}

/// The general fold: lowercase, decompose, drop combining marks, compose.
fn fold_unicode(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .nfc()
        .collect()
}

/// The words of `text` as the index sees them: folded runs of letters and ASCII digits
/// (the characters both full-text parsers treat as word characters).
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !(c.is_alphabetic() || c.is_ascii_digit()))
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(MAX_WORD_CHARS).collect())
        .collect()
}

/// What text search covers: name, summaries, services, technologies, locality.
pub fn document(coop: &Coop) -> String {
    let p = &coop.profile;
    let parts = std::iter::once(p.name.as_str())
        .chain(p.summary.values().map(String::as_str))
        .chain(p.services.iter().map(|t| t.as_str()))
        .chain(p.technologies.iter().map(|t| t.as_str()))
        .chain(p.locality.as_deref());
    parts.flat_map(words).collect::<Vec<_>>().join(" ")
}

/// The stems of a co-op's words (see [`super::stemming`]), sorted, without repeats, one
/// space apart: each summary's words in its own language when that is one we stem (none
/// otherwise: a Spanish text stemmed with French rules gives noise), the name, services,
/// technologies and locality in all four (their language is unknown).
pub fn stems(coop: &Coop) -> String {
    let p = &coop.profile;
    let mut out = BTreeSet::new();
    let untagged = std::iter::once(p.name.as_str())
        .chain(p.services.iter().map(|t| t.as_str()))
        .chain(p.technologies.iter().map(|t| t.as_str()))
        .chain(p.locality.as_deref());
    for text in untagged {
        for raw in stemming::raw_words(text) {
            stemming::add_stems(&raw, &Language::ALL, &mut out);
        }
    }
    for (tag, text) in &p.summary {
        if let Some(language) = Language::of_tag(tag) {
            for raw in stemming::raw_words(text) {
                stemming::add_stems(&raw, &[language], &mut out);
            }
        }
    }
    out.into_iter().collect::<Vec<_>>().join(" ")
}

/// A word of a query and the stems it may also match by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// Folded, as [`words`] gives it: it matches the co-op words it begins.
    pub word: String,
    /// Its stems in every stemmed language: it matches co-ops holding one of them.
    pub stems: Vec<String>,
}

/// The words of a query (at most [`MAX_QUERY_WORDS`], exactly [`words`] of `text`), each
/// with its stems.
pub fn query_words(text: &str) -> Vec<QueryWord> {
    let mut out = Vec::new();
    for raw in stemming::raw_words(text) {
        if out.len() >= MAX_QUERY_WORDS {
            break;
        }
        let folded = words(&raw);
        if folded.is_empty() {
            continue;
        }
        let stems = stemming::stems(&raw);
        out.extend(folded.into_iter().map(|word| QueryWord {
            word,
            stems: stems.clone(),
        }));
    }
    out.truncate(MAX_QUERY_WORDS);
    out
}

/// The service, technology and language facet values of a co-op as (kind, key, label): one
/// per distinct key of each kind. The search index in [`crate::index`] counts the same.
pub(crate) fn facet_values(coop: &Coop) -> Vec<(FacetKind, String, String)> {
    let p = &coop.profile;
    let tags = |kind: FacetKind, tags: &[coopnet_core::Tag]| {
        tags.iter()
            .map(|t| (kind, t.key(), t.to_string()))
            .collect::<Vec<_>>()
    };
    let mut values = tags(FacetKind::Service, &p.services);
    values.extend(tags(FacetKind::Technology, &p.technologies));
    values.extend(p.languages.iter().map(|l| {
        let primary = l.primary().to_owned();
        (FacetKind::Language, primary.clone(), primary)
    }));
    let mut seen = BTreeSet::new();
    values
        .into_iter()
        .filter(|(kind, key, _)| seen.insert((*kind, key.clone())))
        .collect()
}

/// The facet rows of a co-op: one per distinct key of each kind.
fn facet_rows(coop: &Coop) -> Vec<coop_facet::ActiveModel> {
    facet_values(coop)
        .into_iter()
        .filter_map(|(kind, key, label)| {
            Some(coop_facet::ActiveModel {
                coop_id: Set(i32::try_from(coop.id).ok()?),
                kind: Set(kind.stored()?.to_owned()),
                key: Set(key),
                label: Set(label),
            })
        })
        .collect()
}

/// Rewrites the index entries of `coop` (a live co-op, as just written).
pub(crate) async fn write(conn: &impl ConnectionTrait, coop: &Coop) -> Result<(), DbError> {
    remove(conn, coop.id).await?;
    let rows = facet_rows(coop);
    if !rows.is_empty() {
        coop_facet::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
    }
    let entry = coop_search::ActiveModel {
        coop_id: Set(db_id(coop.id)?),
        sort_name: Set(fold(&coop.profile.name)),
        document: Set(document(coop)),
        stems: Set(stems(coop)),
    };
    coop_search::Entity::insert(entry)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Indexes co-ops just inserted (they have no entries yet): one insert of all their facet
/// rows and one of their texts.
pub(crate) async fn write_new(conn: &impl ConnectionTrait, coops: &[Coop]) -> Result<(), DbError> {
    // Bounded statements: SQLite allows 32,766 bind parameters, facet rows take 4 each.
    let facets: Vec<coop_facet::ActiveModel> = coops.iter().flat_map(facet_rows).collect();
    for chunk in facets.chunks(2_000) {
        coop_facet::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    let mut entries = Vec::with_capacity(coops.len());
    for coop in coops {
        entries.push(coop_search::ActiveModel {
            coop_id: Set(db_id(coop.id)?),
            sort_name: Set(fold(&coop.profile.name)),
            document: Set(document(coop)),
            stems: Set(stems(coop)),
        });
    }
    for chunk in entries.chunks(2_000) {
        coop_search::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Rewrites co-op `coop_id`'s facet rows and text from its current row; a removed or
/// missing co-op leaves the index.
pub async fn reindex(conn: &impl ConnectionTrait, coop_id: i64) -> Result<(), DbError> {
    match coop::Entity::find_by_id(db_id(coop_id)?).one(conn).await? {
        Some(m) if m.deleted_at.is_none() => write(conn, &Coop::try_from(m)?).await,
        _ => remove(conn, coop_id).await,
    }
}

/// Takes co-op `coop_id` out of the index.
pub async fn remove(conn: &impl ConnectionTrait, coop_id: i64) -> Result<(), DbError> {
    remove_many(conn, &[db_id(coop_id)?]).await
}

pub(crate) async fn remove_many(conn: &impl ConnectionTrait, ids: &[i32]) -> Result<(), DbError> {
    for chunk in ids.chunks(500) {
        coop_facet::Entity::delete_many()
            .filter(coop_facet::Column::CoopId.is_in(chunk.to_vec()))
            .exec(conn)
            .await?;
        coop_search::Entity::delete_many()
            .filter(coop_search::Column::CoopId.is_in(chunk.to_vec()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Indexes the live co-ops the index lacks (a database older than the index); returns how
/// many. Runs at start-up, 500 co-ops per transaction.
pub async fn reindex_missing<C>(db: &C) -> Result<u64, DbError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let sql = "SELECT c.id AS id FROM coop c WHERE c.deleted_at IS NULL \
               AND NOT EXISTS (SELECT 1 FROM coop_search s WHERE s.coop_id = c.id) ORDER BY c.id";
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    let ids = rows
        .iter()
        .map(|r| r.try_get::<i32>("", "id"))
        .collect::<Result<Vec<_>, _>>()?;
    for chunk in ids.chunks(500) {
        let txn = db.begin().await?;
        let models = coop::Entity::find()
            .filter(coop::Column::Id.is_in(chunk.to_vec()))
            .all(&txn)
            .await?;
        let coops = models
            .into_iter()
            .map(Coop::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        // They lack a text entry; facet rows of theirs may exist (a partial index).
        remove_many(&txn, chunk).await?;
        write_new(&txn, &coops).await?;
        txn.commit().await?;
    }
    Ok(ids.len() as u64)
}

/// One page of matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchHits {
    /// Co-op ids of the page, in order.
    pub ids: Vec<i64>,
    /// All matches.
    pub total: u64,
    /// Facet counts over all matches, unordered.
    pub facets: Vec<FacetCount>,
}

/// A statement under construction: placeholders in the backend's syntax.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend, text: &str) -> Self {
        Self {
            backend,
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        if self.backend == DbBackend::Postgres {
            let _ = write!(self.text, "${}", self.values.len());
        } else {
            self.text.push('?');
        }
        self
    }

    fn bind_list<T: Into<Value> + Clone>(&mut self, items: &[T]) -> &mut Self {
        self.text.push('(');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(item.clone());
        }
        self.text.push(')');
        self
    }

    fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// The text condition in each backend's syntax: for every query word, the word as a prefix
/// of a word (FTS5 column `document`, `tsvector` lexemes of weight A) or one of its stems
/// exactly (column `stems`, weight B). Words and stems hold only letters and digits, so no
/// user input reaches either query language as syntax.
fn text_query(backend: DbBackend, text: &str) -> Option<String> {
    let words = query_words(text);
    if words.is_empty() {
        return None;
    }
    let postgres = backend == DbBackend::Postgres;
    let any = |w: &QueryWord| {
        if postgres {
            // `word:*A` is a prefix among lexemes of weight A; `stem:B` an exact lexeme of
            // weight B; `|` is OR.
            std::iter::once(format!("{}:*A", w.word))
                .chain(w.stems.iter().map(|s| format!("{s}:B")))
                .collect::<Vec<_>>()
                .join(" | ")
        } else {
            // `document : "word"*` is a prefix in that column; `stems : (…)` exact terms.
            let stems = w
                .stems
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(" OR ");
            if stems.is_empty() {
                format!("document : \"{}\"*", w.word)
            } else {
                format!("document : \"{}\"* OR stems : ({stems})", w.word)
            }
        }
    };
    let and = if postgres { " & " } else { " AND " };
    Some(
        words
            .iter()
            .map(|w| format!("({})", any(w)))
            .collect::<Vec<_>>()
            .join(and),
    )
}

/// `AND …` conditions on `coop c` for everything but the text: live, listed, facet filters.
fn push_filters(q: &mut Sql, p: &SearchQuery) {
    q.push(" WHERE c.deleted_at IS NULL AND c.listed = ")
        .bind(true);
    if !p.networks.is_empty() {
        let ids: Vec<i32> = p
            .networks
            .iter()
            .filter_map(|id| i32::try_from(*id).ok())
            .collect();
        q.push(" AND c.network_id IN ").bind_list(&ids);
    }
    if !p.countries.is_empty() {
        q.push(" AND c.country IN ").bind_list(&p.countries);
    }
    for (kind, keys) in [
        (FacetKind::Service, &p.services),
        (FacetKind::Technology, &p.technologies),
        (FacetKind::Language, &p.languages),
    ] {
        if keys.is_empty() {
            continue;
        }
        q.push(" AND c.id IN (SELECT coop_id FROM coop_facet WHERE kind = ")
            .bind(kind.stored().unwrap_or_default())
            .push(" AND key IN ")
            .bind_list(keys)
            .push(")");
    }
}

/// `AND c.id IN (<co-ops matching the text>)`.
fn push_text_subquery(q: &mut Sql, text: &str) {
    if q.backend == DbBackend::Postgres {
        q.push(" AND c.id IN (SELECT coop_id FROM coop_search WHERE tsv @@ to_tsquery('simple', ")
            .bind(text.to_owned())
            .push("))");
    } else {
        q.push(" AND c.id IN (SELECT rowid FROM coop_fts WHERE coop_fts MATCH ")
            .bind(text.to_owned())
            .push(")");
    }
}

/// The matching set as `FROM coop c WHERE …`.
fn push_matches(q: &mut Sql, p: &SearchQuery, text: Option<&str>) {
    q.push(" FROM coop c");
    push_filters(q, p);
    if let Some(text) = text {
        push_text_subquery(q, text);
    }
}

fn count(row: &sea_orm::QueryResult) -> Result<u64, DbError> {
    Ok(u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0))
}

/// Runs a directory query: the page's co-op ids in order, the number of matches and facet
/// counts over all matches (one grouped query for networks, one for countries, one for
/// services, technologies and languages together). Counts come from `cache` when the
/// directory has not changed since they were computed (see [`super::count_cache`]); run it
/// in a transaction so the counter and the counts are read from one snapshot.
pub async fn search(
    conn: &impl ConnectionTrait,
    p: &SearchQuery,
    cache: Option<&CountCache>,
) -> Result<SearchHits, DbError> {
    let backend = conn.get_database_backend();
    let text = text_query(backend, &p.text);
    let text = text.as_deref();
    let key = CountKey::new(p, text);
    let version = match cache {
        Some(_) => Some(count_cache::version(conn).await?),
        None => None,
    };
    let cached = |key: &CountKey| match (cache, version) {
        (Some(cache), Some(v)) => cache.get(v, key),
        _ => None,
    };
    let remember = |key: CountKey, counts: &Arc<Counts>| {
        if let (Some(cache), Some(v)) = (cache, version) {
            cache.put(v, key, counts.clone());
        }
    };

    // SQLite's plan needs the size of the whole directory (see `Plan`).
    let everything = CountKey::new(&SearchQuery::default(), None);
    let all = if backend == DbBackend::Postgres || key.is_everything() {
        None
    } else if let Some(c) = cached(&everything) {
        Some(c.total)
    } else if let Some(n) = cache.zip(version).and_then(|(c, v)| c.listed(v)) {
        Some(n)
    } else {
        let mut q = Sql::new(backend, "SELECT COUNT(*) AS n FROM coop c");
        push_filters(&mut q, &SearchQuery::default());
        let n = match conn.query_one_raw(q.statement()).await? {
            Some(row) => count(&row)?,
            None => 0,
        };
        if let (Some(cache), Some(v)) = (cache, version) {
            cache.put_listed(v, n);
        }
        Some(n)
    };

    let counts = match cached(&key) {
        Some(counts) => counts,
        None => {
            let counts = Arc::new(counts(conn, p, text, all).await?);
            remember(key, &counts);
            counts
        }
    };
    let mut hits = SearchHits {
        ids: Vec::new(),
        total: counts.total,
        facets: counts.facets.clone(),
    };
    if hits.total > 0 && p.offset < hits.total {
        let plan = Plan::choose(backend, p, text, hits.total, all.unwrap_or(hits.total));
        hits.ids = page(conn, p, text, plan.walk_name_index).await?;
    }
    Ok(hits)
}

/// The number of matches and the facet counts over them.
async fn counts(
    conn: &impl ConnectionTrait,
    p: &SearchQuery,
    text: Option<&str>,
    all: Option<u64>,
) -> Result<Counts, DbError> {
    let backend = conn.get_database_backend();
    let mut counts = Counts::default();

    // Networks first: every co-op has exactly one, so their counts add up to the total.
    let mut q = Sql::new(backend, "SELECT c.network_id AS k, COUNT(*) AS n");
    push_matches(&mut q, p, text);
    q.push(" GROUP BY c.network_id");
    for row in conn.query_all_raw(q.statement()).await? {
        let n = count(&row)?;
        let key = row.try_get::<i32>("", "k")?.to_string();
        counts.total += n;
        counts.facets.push(FacetCount {
            kind: FacetKind::Network,
            label: key.clone(),
            key,
            count: n,
        });
    }
    if counts.total == 0 {
        return Ok(counts);
    }

    let mut q = Sql::new(backend, "SELECT c.country AS k, COUNT(*) AS n");
    push_matches(&mut q, p, text);
    q.push(" AND c.country IS NOT NULL GROUP BY c.country");
    for row in conn.query_all_raw(q.statement()).await? {
        let key: String = row.try_get("", "k")?;
        counts.facets.push(FacetCount {
            kind: FacetKind::Country,
            label: key.clone(),
            key,
            count: count(&row)?,
        });
    }

    let plan = Plan::choose(backend, p, text, counts.total, all.unwrap_or(counts.total));
    // Scanning: `+` keeps SQLite from seeking by co-op (see `Plan`).
    let select = if plan.scan_facets {
        "SELECT f.kind AS kind, f.key AS k, MIN(f.label) AS label, COUNT(*) AS n \
         FROM coop_facet f WHERE +f.coop_id IN (SELECT c.id"
    } else {
        "SELECT f.kind AS kind, f.key AS k, MIN(f.label) AS label, COUNT(*) AS n \
         FROM coop_facet f WHERE f.coop_id IN (SELECT c.id"
    };
    let mut q = Sql::new(backend, select);
    push_matches(&mut q, p, text);
    q.push(") GROUP BY f.kind, f.key");
    for row in conn.query_all_raw(q.statement()).await? {
        let kind: String = row.try_get("", "kind")?;
        let Some(kind) = FacetKind::from_stored(&kind) else {
            continue;
        };
        counts.facets.push(FacetCount {
            kind,
            key: row.try_get("", "k")?,
            label: row.try_get("", "label")?,
            count: count(&row)?,
        });
    }
    Ok(counts)
}

/// How to run the facet and page queries on SQLite, whose planner has no statistics-based
/// choice between these (PostgreSQL's has: it gets the plain queries).
///
/// - Facets: for a large share of the directory, scanning the `(kind, key, label, coop_id)`
///   index once and testing each row's co-op costs less than seeking each match's rows and
///   grouping them in a temporary B-tree (about 1 µs per facet row against 4 µs per row
///   sought, with ~10 rows per co-op: the break-even is near a quarter of the directory).
/// - Name order: walking the `(sort_name, coop_id)` index and stopping after the page reads
///   about `(offset + limit) × all / total` rows; sorting the matches reads `total`. Walk
///   when that is fewer.
#[derive(Debug, Clone, Copy, Default)]
struct Plan {
    scan_facets: bool,
    walk_name_index: bool,
}

impl Plan {
    /// `total` matches out of `all` listed co-ops.
    fn choose(
        backend: DbBackend,
        p: &SearchQuery,
        text: Option<&str>,
        total: u64,
        all: u64,
    ) -> Self {
        if backend == DbBackend::Postgres {
            return Self::default();
        }
        let by_name = p.sort == Sort::Name || (p.sort == Sort::Relevance && text.is_none());
        let wanted = p.offset.saturating_add(p.limit.max(1));
        Self {
            scan_facets: total.saturating_mul(4) > all,
            walk_name_index: by_name
                && u128::from(total).pow(2) > u128::from(wanted) * u128::from(all),
        }
    }
}

/// The ids of one page of matches, in order.
async fn page(
    conn: &impl ConnectionTrait,
    p: &SearchQuery,
    text: Option<&str>,
    walk_name_index: bool,
) -> Result<Vec<i64>, DbError> {
    let backend = conn.get_database_backend();
    let postgres = backend == DbBackend::Postgres;
    let by_rank = p.sort == Sort::Relevance && text.is_some();
    let mut q = if by_rank && !postgres {
        // FTS5 drives: its matches with their bm25 score, then each match's row by id.
        // CROSS JOIN fixes that order: left to choose, SQLite's planner may start from a
        // filter's index and run the full-text query for every row it finds (30 times
        // slower on a 100,000 co-op directory, see docs/search.md).
        Sql::new(
            backend,
            &format!(
                "SELECT c.id AS id FROM (SELECT rowid AS id, bm25(coop_fts, 1.0, {STEM_WEIGHT}) \
                 AS score FROM coop_fts WHERE coop_fts MATCH "
            ),
        )
    } else if walk_name_index {
        // SQLite joins tables in CROSS JOIN order: the name index drives (see `Plan`).
        Sql::new(
            backend,
            "SELECT c.id AS id FROM coop_search s CROSS JOIN coop c ON c.id = s.coop_id",
        )
    } else if p.sort == Sort::Newest {
        Sql::new(backend, "SELECT c.id AS id FROM coop c")
    } else {
        Sql::new(
            backend,
            "SELECT c.id AS id FROM coop c JOIN coop_search s ON s.coop_id = c.id",
        )
    };
    match text {
        Some(text) if by_rank && !postgres => {
            // bm25 needs the FTS5 table scanned by MATCH: a derived table.
            q.bind(text.to_owned()).push(
                ") m CROSS JOIN coop c ON c.id = m.id CROSS JOIN coop_search s ON s.coop_id = c.id",
            );
            push_filters(&mut q, p);
        }
        Some(text) if by_rank => {
            push_filters(&mut q, p);
            q.push(" AND s.tsv @@ to_tsquery('simple', ")
                .bind(text.to_owned())
                .push(")");
        }
        Some(text) => {
            push_filters(&mut q, p);
            push_text_subquery(&mut q, text);
        }
        None => push_filters(&mut q, p),
    }
    match p.sort {
        Sort::Newest => q.push(" ORDER BY c.created_at DESC, c.id"),
        _ if by_rank && postgres => {
            // `$n` may be used twice: the tsquery bound above. Weights are {D, C, B, A}:
            // words are A, stems B.
            let n = q.values.len();
            q.push(&format!(
                " ORDER BY ts_rank('{{0, 0, {STEM_WEIGHT}, 1}}'::real[], s.tsv, \
                 to_tsquery('simple', ${n})) DESC, s.sort_name, c.id"
            ))
        }
        _ if by_rank => q.push(" ORDER BY m.score, s.sort_name, c.id"),
        _ => q.push(" ORDER BY s.sort_name, s.coop_id"),
    };
    let limit = i64::try_from(p.limit).unwrap_or(i64::MAX);
    let offset = i64::try_from(p.offset).unwrap_or(i64::MAX);
    q.push(" LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    conn.query_all_raw(q.statement())
        .await?
        .iter()
        .map(|row| Ok(i64::from(row.try_get::<i32>("", "id")?)))
        .collect()
}

/// A co-op joining or leaving its network.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    /// The co-op's storage id (it may be gone since).
    pub coop_id: Option<i64>,
    /// Its network.
    pub network_id: i64,
    /// Its handle.
    pub slug: String,
    /// Its name at the time.
    pub name: String,
    /// Its actor id for remote co-ops; `None` for local ones (derived from the domain).
    pub url: Option<String>,
    /// True for a join, false for a departure.
    pub joined: bool,
    /// When.
    pub at: DateTime<Utc>,
}

/// Stores a join or departure.
pub async fn record_membership(
    conn: &impl ConnectionTrait,
    event: &Membership,
) -> Result<(), DbError> {
    record_many(conn, std::slice::from_ref(event)).await
}

async fn record_many(conn: &impl ConnectionTrait, events: &[Membership]) -> Result<(), DbError> {
    for chunk in events.chunks(200) {
        let rows = chunk
            .iter()
            .map(|e| {
                Ok(membership_event::ActiveModel {
                    id: NotSet,
                    coop_id: Set(e.coop_id.map(db_id).transpose()?),
                    network_id: Set(db_id(e.network_id)?),
                    slug: Set(e.slug.clone()),
                    name: Set(e.name.clone()),
                    url: Set(e.url.clone()),
                    joined: Set(e.joined),
                    at: Set(e.at),
                })
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        if !rows.is_empty() {
            membership_event::Entity::insert_many(rows)
                .exec_without_returning(conn)
                .await?;
        }
    }
    Ok(())
}

/// The membership event of a co-op row, or `None` for an unlisted co-op: one that has not
/// opted in to public listing is not announced as joining or leaving either.
pub(crate) fn event_of_row(m: &coop::Model, joined: bool, at: DateTime<Utc>) -> Option<Membership> {
    m.listed.then(|| Membership {
        coop_id: Some(i64::from(m.id)),
        network_id: i64::from(m.network_id),
        slug: m.slug.clone(),
        name: m.name.clone(),
        url: m.actor_id.clone().filter(|_| !m.is_local),
        joined,
        at,
    })
}

/// Like [`event_of_row`] for a converted co-op.
pub(crate) fn event_of(coop: &Coop, joined: bool, at: DateTime<Utc>) -> Option<Membership> {
    coop.profile.listed.then(|| Membership {
        coop_id: Some(coop.id),
        network_id: coop.network_id,
        slug: coop.slug.to_string(),
        name: coop.profile.name.clone(),
        url: match &coop.origin {
            CoopOrigin::Local => None,
            CoopOrigin::Remote { actor_id } => Some(actor_id.to_string()),
        },
        joined,
        at,
    })
}

/// Records the events that are `Some`.
pub(crate) async fn record_all(
    conn: &impl ConnectionTrait,
    events: impl IntoIterator<Item = Option<Membership>>,
) -> Result<(), DbError> {
    let events: Vec<Membership> = events.into_iter().flatten().collect();
    record_many(conn, &events).await
}

/// The latest `limit` joins and departures, newest first.
pub async fn membership_events(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<Membership>, DbError> {
    let rows = membership_event::Entity::find()
        .order_by_desc(membership_event::Column::At)
        .order_by_desc(membership_event::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| Membership {
            coop_id: m.coop_id.map(i64::from),
            network_id: i64::from(m.network_id),
            slug: m.slug,
            name: m.name,
            url: m.url,
            joined: m.joined,
            at: m.at,
        })
        .collect())
}

/// Co-ops by id, in the order given (ids not found are skipped).
pub async fn load(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Coop>, DbError> {
    let wanted: Vec<i32> = ids
        .iter()
        .filter_map(|id| i32::try_from(*id).ok())
        .collect();
    let mut found: HashMap<i64, Coop> = HashMap::new();
    for chunk in wanted.chunks(500) {
        for m in coop::Entity::find()
            .filter(coop::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            let coop = Coop::try_from(m)?;
            found.insert(coop.id, coop);
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_fold_is_the_general_fold() {
        for text in [
            "Web Development & HTML/CSS, co-operative 2026!",
            "ALL CAPS, tabs\tand\nnewlines ~`^_{}|",
            "",
        ] {
            assert!(text.is_ascii());
            assert_eq!(fold(text), fold_unicode(text), "{text:?}");
        }
        assert_eq!(fold("Coöperaties Zürich"), "cooperaties zurich");
    }

    #[test]
    fn words_are_folded_letters_and_digits() {
        assert_eq!(
            words("Café Zürich: HTML/CSS, co-operative 3D ½ İstanbul"),
            [
                "cafe",
                "zurich",
                "html",
                "css",
                "co",
                "operative",
                "3d",
                "istanbul"
            ]
        );
        assert_eq!(
            words("\"a OR b\" -x * ( ) : & | ! '"),
            ["a", "or", "b", "x"]
        );
        assert_eq!(words(&"x".repeat(100))[0].len(), MAX_WORD_CHARS);
    }

    #[test]
    fn queries_carry_no_syntax_from_input() {
        // Everything between the syntax we write is a word or a stem: letters and digits.
        let syntax = |q: &str, ours: &[&str]| {
            let mut rest = q.replace(" : ", " ");
            for s in ours {
                rest = rest.replace(s, " ");
            }
            rest.split_whitespace()
                .filter(|t| !["document", "stems", "OR", "AND"].contains(t))
                .all(|t| t.chars().all(char::is_alphanumeric))
        };
        let sqlite = text_query(DbBackend::Sqlite, "\"a OR b\" -x* NEAR(c)").unwrap();
        assert!(
            sqlite.starts_with("(document : \"a\"* OR stems : (\"a\")) AND (document : \"or\"*"),
            "{sqlite}"
        );
        assert!(syntax(&sqlite, &["\"", "*", "(", ")"]), "{sqlite}");
        let postgres = text_query(DbBackend::Postgres, "don't & (b | !c):*").unwrap();
        assert_eq!(
            postgres,
            "(don:*A | don:B) & (t:*A | t:B) & (b:*A | b:B) & (c:*A | c:B)"
        );
        let postgres = text_query(DbBackend::Postgres, "Genossenschaften").unwrap();
        assert!(
            postgres.starts_with("(genossenschaften:*A | genossenschaft:B"),
            "{postgres}"
        );
        assert!(
            syntax(&postgres, &[":*A", ":B", "|", "&", "(", ")"]),
            "{postgres}"
        );
        assert_eq!(text_query(DbBackend::Sqlite, " * - \" "), None);
    }

    #[test]
    fn query_words_are_the_words_with_their_stems() {
        // Nothing lost: the words are exactly those prefix matching used before stems.
        for text in [
            "Café Zürich: HTML/CSS, co-operative 3D ½ İstanbul",
            "Coöperaties Genossenschaften coopératives developers",
            "\"a OR b\" -x * ( ) : & | ! '",
            &"word ".repeat(40),
        ] {
            let query: Vec<String> = query_words(text).into_iter().map(|w| w.word).collect();
            let expected: Vec<String> = words(text).into_iter().take(MAX_QUERY_WORDS).collect();
            assert_eq!(query, expected, "{text}");
        }
        let q = query_words("Developers");
        assert_eq!(q[0].word, "developers");
        assert!(q[0].stems.contains(&"develop".to_owned()), "{q:?}");
    }

    fn coop(value: serde_json::Value) -> Coop {
        let input: coopnet_core::CoopInput = serde_json::from_value(value).unwrap();
        let (slug, profile) = input.validate().unwrap();
        Coop {
            id: 1,
            network_id: 1,
            slug,
            profile,
            origin: CoopOrigin::Local,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn summaries_are_stemmed_in_their_language_the_rest_in_all() {
        let c = coop(serde_json::json!({
            "slug": "x", "name": "Coopératives Unies",
            "summary": {"de": "Genossenschaften", "nl": "coöperaties", "es": "cooperativas",
                        "en": "developers"},
        }));
        let stems: Vec<String> = stems(&c).split(' ').map(str::to_owned).collect();
        let has = |s: &str| stems.contains(&s.to_owned());
        // The name in every language: English and French `cooper`, German `cooperativ`.
        assert!(has("cooper") && has("cooperativ"), "{stems:?}");
        assert!(
            has("genossenschaft") && has("cooperatie") && has("develop"),
            "{stems:?}"
        );
        // Summaries only in their own language; Spanish is not stemmed.
        assert!(!has("genossenschaften") && !has("cooperati") && !has("cooperativa"));
        assert!(
            !has("developer"),
            "Dutch and French would keep `developer`: {stems:?}"
        );
        let mut sorted = stems.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, stems, "sorted, no repeats");
        // The words are unchanged by stemming.
        assert_eq!(
            document(&c),
            "cooperatives unies genossenschaften developers cooperativas cooperaties"
        );
    }
}
