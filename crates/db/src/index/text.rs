//! The tantivy side of the index: its schema (a co-op id, its words and their stems), the
//! analyzer, the text query (every query word a prefix of some word of the co-op, or one
//! of its stems a stem of the co-op) and a collector that returns every match with its
//! BM25 score.
//!
//! Documents are the texts `repo::search::document` and `repo::search::stems` build for
//! the SQL index: words already folded (lowercase, diacritics removed by Unicode
//! decomposition, so `Coöperaties` is `cooperaties`) and stemmed, letters and digits only,
//! joined by spaces. Sharing those functions with the SQL path is what makes both find the
//! same co-ops: tantivy's `AsciiFoldingFilter` would fold further than the database does
//! (`ø` to `o`, `ß` to `ss`), and its stemmer filter would stem in one language only.
//! Words and stems are two fields, as they are two FTS5 columns and two weights of the
//! PostgreSQL `tsvector`: a prefix never reaches a stem, and BM25 scores each apart.
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use coopnet_core::Coop;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::TextOptions;
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, WhitespaceTokenizer};
use tantivy::{
    DocId, Index, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

use super::columns::{NONE, Slot};
use crate::DbError;
use crate::repo::search::{self, QueryWord, STEM_WEIGHT};

/// The analyzer's name in the index's tokenizer manager.
const ANALYZER: &str = "coopnet_words";
/// The id field's name (a fast field: `columns` maps documents to slots through it).
pub(super) const ID: &str = "id";

pub(super) fn index_error(err: impl std::fmt::Display) -> DbError {
    DbError::Index(err.to_string())
}

/// The name of the stored field holding a co-op's entry in an index kept on disk. The
/// number is the format of what it and the texts hold: change it whenever `entries`'
/// stored form, folding or stemming change, and an index on disk from before no longer
/// matches the schema and is rebuilt.
const ENTRY: &str = "entry_v1";

/// The fields of a document.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    /// The co-op's storage id.
    pub id: Field,
    /// Its words.
    pub text: Field,
    /// Their stems.
    pub stems: Field,
    /// On disk only: the co-op's entry (`entries::stored`), so an index opened again
    /// restores its entries from its own documents, consistent with them by construction.
    pub entry: Option<Field>,
}

/// The searchable texts of a co-op, as the SQL index stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Texts {
    /// `repo::search::document`.
    pub words: String,
    /// `repo::search::stems`.
    pub stems: String,
}

impl Texts {
    pub(super) fn of(coop: &Coop) -> Self {
        Self {
            words: search::document(coop),
            stems: search::stems(coop),
        }
    }
}

/// The tantivy document of co-op `id`; `entry` is its stored entry (on disk only).
pub(super) fn document(
    fields: Fields,
    id: i64,
    texts: &Texts,
    entry: Option<String>,
) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_u64(fields.id, u64::try_from(id).unwrap_or_default());
    doc.add_text(fields.text, &texts.words);
    doc.add_text(fields.stems, &texts.stems);
    if let (Some(field), Some(entry)) = (fields.entry, entry) {
        doc.add_text(field, entry);
    }
    doc
}

fn schema(on_disk: bool) -> (Schema, Fields) {
    let mut schema = Schema::builder();
    let id = schema.add_u64_field(ID, INDEXED | FAST);
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqs);
    let text = schema.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(indexing.clone()),
    );
    let stems = schema.add_text_field(
        "stems",
        TextOptions::default().set_indexing_options(indexing),
    );
    let entry = on_disk.then(|| schema.add_text_field(ENTRY, STORED));
    (
        schema.build(),
        Fields {
            id,
            text,
            stems,
            entry,
        },
    )
}

fn register_analyzer(index: &Index) {
    index.tokenizers().register(
        ANALYZER,
        TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// A new, empty index in RAM.
pub(super) fn create() -> (Index, Fields) {
    let (schema, fields) = schema(false);
    let index = Index::create_in_ram(schema);
    register_analyzer(&index);
    (index, fields)
}

/// The index kept in folder `dir`: opened when it holds one of this schema, else (none
/// yet, another format, unreadable) emptied and created.
pub(super) fn open_or_create(dir: &Path) -> Result<(Index, Fields), DbError> {
    let (schema, fields) = schema(true);
    std::fs::create_dir_all(dir).map_err(index_error)?;
    let opened = MmapDirectory::open(dir)
        .map_err(index_error)
        .and_then(|d| Index::open_or_create(d, schema.clone()).map_err(index_error));
    let index = match opened {
        Ok(index) => index,
        Err(e) => {
            tracing::warn!(error = %e, dir = %dir.display(), "search index on disk not usable; rebuilding it");
            std::fs::remove_dir_all(dir).map_err(index_error)?;
            std::fs::create_dir_all(dir).map_err(index_error)?;
            Index::create_in_dir(dir, schema).map_err(index_error)?
        }
    };
    register_analyzer(&index);
    Ok((index, fields))
}

/// The term that names co-op `id`'s document (to delete it).
pub(super) fn id_term(fields: Fields, id: i64) -> Term {
    Term::from_field_u64(fields.id, u64::try_from(id).unwrap_or_default())
}

/// The words of the index that begin with `prefix`, from every segment.
fn expand(searcher: &Searcher, field: Field, prefix: &str) -> Result<BTreeSet<String>, DbError> {
    let mut terms = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field).map_err(index_error)?;
        let mut stream = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .into_stream()
            .map_err(index_error)?;
        while stream.advance() {
            let key = stream.key();
            if !key.starts_with(prefix.as_bytes()) {
                break;
            }
            if let Ok(word) = std::str::from_utf8(key) {
                terms.insert(word.to_owned());
            }
        }
    }
    Ok(terms)
}

/// The query for `words` (from `repo::search::query_words`): each word must be a prefix of
/// a word of the document or have a stem among the document's stems; a document's score
/// is the sum of the BM25 scores of the words it holds, plus [`STEM_WEIGHT`] times those of
/// the stems. `None` when some word can match nothing (no word of the index begins with it
/// and it has no stems).
pub(super) fn query(
    searcher: &Searcher,
    fields: Fields,
    words: &[QueryWord],
) -> Result<Option<Box<dyn Query>>, DbError> {
    let term = |field: Field, text: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        ))
    };
    let mut all = Vec::new();
    for word in words {
        let mut any: Vec<(Occur, Box<dyn Query>)> = expand(searcher, fields.text, &word.word)?
            .iter()
            .map(|t| (Occur::Should, term(fields.text, t)))
            .collect();
        any.extend(word.stems.iter().map(|s| {
            let q: Box<dyn Query> = Box::new(BoostQuery::new(term(fields.stems, s), STEM_WEIGHT));
            (Occur::Should, q)
        }));
        if any.is_empty() {
            return Ok(None);
        }
        all.push((
            Occur::Must,
            Box::new(BooleanQuery::new(any)) as Box<dyn Query>,
        ));
    }
    Ok(Some(Box::new(BooleanQuery::new(all))))
}

/// Collects every match as (slot, score), through the snapshot's document-to-slot maps.
pub(super) struct AllMatches {
    segments: Vec<Arc<Vec<Slot>>>,
}

impl AllMatches {
    pub(super) fn new(segments: &[Arc<Vec<Slot>>]) -> Self {
        Self {
            segments: segments.to_vec(),
        }
    }
}

impl Collector for AllMatches {
    type Fruit = Vec<(Slot, Score)>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            slots: self
                .segments
                .get(segment as usize)
                .cloned()
                .unwrap_or_default(),
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(Slot, Score)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

/// [`AllMatches`] within one segment.
pub(super) struct SegmentMatches {
    slots: Arc<Vec<Slot>>,
    found: Vec<(Slot, Score)>,
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<(Slot, Score)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(slot) = self.slots.get(doc as usize).copied().filter(|s| *s != NONE) {
            self.found.push((slot, score));
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.found
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use tantivy::ReloadPolicy;

    use super::*;
    use crate::repo::stemming::{self, Language};

    /// The texts of `text` as if it were a co-op's name (stemmed in every language).
    fn texts(text: &str) -> Texts {
        let mut stems = BTreeSet::new();
        for raw in stemming::raw_words(text) {
            stemming::add_stems(&raw, &Language::ALL, &mut stems);
        }
        Texts {
            words: search::words(text).join(" "),
            stems: stems.into_iter().collect::<Vec<_>>().join(" "),
        }
    }

    /// The matches of `text` as (id, score), best first.
    fn search(text: &str, documents: &[(i64, &str)]) -> Vec<(i64, Score)> {
        let (index, fields) = create();
        let mut writer = index
            .writer_with_num_threads::<TantivyDocument>(1, 15_000_000)
            .unwrap();
        for (id, text) in documents {
            writer
                .add_document(document(fields, *id, &texts(text), None))
                .unwrap();
        }
        // A delete and a second segment: expansion reads every segment's dictionary.
        writer.delete_term(id_term(fields, 3));
        writer.commit().unwrap();
        writer
            .add_document(document(fields, 4, &texts("Coöperaties Zürich"), None))
            .unwrap();
        writer.commit().unwrap();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .unwrap();
        let searcher = reader.searcher();
        let words = search::query_words(text);
        // Slot = co-op id here: the test reads back ids.
        let segments: Vec<Arc<Vec<Slot>>> = searcher
            .segment_readers()
            .iter()
            .map(|r| {
                let column = r.fast_fields().u64(ID).unwrap();
                Arc::new(
                    (0..r.max_doc())
                        .map(|d| Slot::try_from(column.first(d).unwrap()).unwrap())
                        .collect(),
                )
            })
            .collect();
        let mut found: Vec<(i64, Score)> = match query(&searcher, fields, &words).unwrap() {
            Some(q) => searcher
                .search(&*q, &AllMatches::new(&segments))
                .unwrap()
                .into_iter()
                .map(|(slot, score)| (i64::from(slot), score))
                .collect(),
            None => Vec::new(),
        };
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        found
    }

    fn ids(text: &str, documents: &[(i64, &str)]) -> Vec<i64> {
        let mut ids: Vec<i64> = search(text, documents).iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids
    }

    const DOCS: &[(i64, &str)] = &[
        (1, "Web design cooperative London"),
        (2, "Rust web services Berlin"),
        (3, "Web cooperative deleted"),
        (5, "Genossenschaft für Entwicklung"),
        (6, "Software development co-op"),
        (7, "Straße der Pariser Kommune"),
    ];

    #[test]
    fn every_word_is_a_prefix_and_all_must_match() {
        assert_eq!(ids("web", DOCS), [1, 2]);
        assert_eq!(ids("coop", DOCS), [1, 4]);
        assert_eq!(ids("we coop", DOCS), [1]);
        assert_eq!(ids("coop we", DOCS), [1]);
        assert_eq!(ids("cooperaties", DOCS), [4]);
        assert_eq!(ids("berlin london", DOCS), Vec::<i64>::new());
        assert_eq!(ids("deleted", DOCS), Vec::<i64>::new());
        assert_eq!(ids("x", DOCS), Vec::<i64>::new());
    }

    #[test]
    fn a_word_also_matches_by_its_stems() {
        assert_eq!(ids("cooperatives", DOCS), [1]);
        assert_eq!(ids("coöperatie", DOCS), [4]);
        assert_eq!(ids("Genossenschaften", DOCS), [5]);
        assert_eq!(ids("developers", DOCS), [6]);
        assert_eq!(ids("developers berlin", DOCS), Vec::<i64>::new());
        assert_eq!(ids("genossenschaftlich", DOCS), [5]);
        // German stems `straße` as `strass`: typed without `ß`, it is found by its stem...
        assert_eq!(ids("strasse", DOCS), [7]);
        // ...but a query word is never a prefix of a stem, only of words.
        assert_eq!(ids("stras", DOCS), Vec::<i64>::new());
    }

    #[test]
    fn a_word_match_outranks_a_stem_match() {
        let docs = &[
            (1, "Cooperative for web design"),
            (2, "Cooperatives for web design"),
        ];
        let found = search("cooperatives", docs);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, 2, "{found:?}");
        assert!(found[0].1 > found[1].1, "{found:?}");
    }
}
