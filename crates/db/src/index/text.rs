//! The tantivy side of the index: its schema (a co-op id and its words), the analyzer, the
//! text query (every query word a prefix of some word of the co-op) and a collector that
//! returns every match with its BM25 score.
//!
//! Documents are the text `repo::search::document` builds for the SQL index: words already
//! folded (lowercase, diacritics removed by Unicode decomposition, so `Coöperaties` is
//! `cooperaties`), letters and digits only, joined by spaces. Sharing that one function with
//! the SQL path is what makes both find the same co-ops: tantivy's `AsciiFoldingFilter`
//! would fold further than the database does (`ø` to `o`, `ß` to `ss`) and the two result
//! sets would differ on such words.
use std::collections::BTreeSet;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::TextOptions;
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, WhitespaceTokenizer};
use tantivy::{DocId, Index, Score, Searcher, SegmentOrdinal, SegmentReader, Term};

use super::columns::{NONE, Slot};
use crate::DbError;

/// The analyzer's name in the index's tokenizer manager.
const ANALYZER: &str = "coopnet_words";
/// The id field's name (a fast field: `columns` maps documents to slots through it).
pub(super) const ID: &str = "id";

pub(super) fn index_error(err: impl std::fmt::Display) -> DbError {
    DbError::Index(err.to_string())
}

/// The two fields of a document.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    /// The co-op's storage id.
    pub id: Field,
    /// Its words.
    pub text: Field,
}

/// A new, empty index in RAM.
pub(super) fn create() -> (Index, Fields) {
    let mut schema = Schema::builder();
    let id = schema.add_u64_field(ID, INDEXED | FAST);
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqs);
    let text = schema.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(indexing),
    );
    let index = Index::create_in_ram(schema.build());
    index.tokenizers().register(
        ANALYZER,
        TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    (index, Fields { id, text })
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

/// The query for `words` (already folded by `repo::search::words`): each word must be a
/// prefix of a word of the document; a document's score is the sum of the BM25 scores of
/// the words it holds. `None` when some word begins no word of the index (nothing matches).
pub(super) fn query(
    searcher: &Searcher,
    fields: Fields,
    words: &[String],
) -> Result<Option<Box<dyn Query>>, DbError> {
    let mut all = Vec::new();
    for word in words {
        let terms = expand(searcher, fields.text, word)?;
        if terms.is_empty() {
            return Ok(None);
        }
        let any: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| {
                let term = Term::from_field_text(fields.text, t);
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                (Occur::Should, q)
            })
            .collect();
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
    use tantivy::{ReloadPolicy, TantivyDocument};

    use super::*;

    fn ids(words: &[&str], documents: &[(i64, &str)]) -> Vec<i64> {
        let (index, fields) = create();
        let mut writer = index
            .writer_with_num_threads::<TantivyDocument>(1, 15_000_000)
            .unwrap();
        for (id, text) in documents {
            let mut doc = TantivyDocument::new();
            doc.add_u64(fields.id, u64::try_from(*id).unwrap());
            doc.add_text(fields.text, text);
            writer.add_document(doc).unwrap();
        }
        // A delete and a second segment: expansion reads every segment's dictionary.
        writer.delete_term(id_term(fields, 3));
        writer.commit().unwrap();
        let mut doc = TantivyDocument::new();
        doc.add_u64(fields.id, 4);
        doc.add_text(fields.text, "cooperaties zurich");
        writer.add_document(doc).unwrap();
        writer.commit().unwrap();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .unwrap();
        let searcher = reader.searcher();
        let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
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
        let mut found: Vec<i64> = match query(&searcher, fields, &words).unwrap() {
            Some(q) => searcher
                .search(&*q, &AllMatches::new(&segments))
                .unwrap()
                .into_iter()
                .map(|(slot, _)| i64::from(slot))
                .collect(),
            None => Vec::new(),
        };
        found.sort_unstable();
        found
    }

    const DOCS: &[(i64, &str)] = &[
        (1, "web design cooperative london"),
        (2, "rust web services berlin"),
        (3, "web cooperative deleted"),
    ];

    #[test]
    fn every_word_is_a_prefix_and_all_must_match() {
        assert_eq!(ids(&["web"], DOCS), [1, 2]);
        assert_eq!(ids(&["coop"], DOCS), [1, 4]);
        assert_eq!(ids(&["we", "coop"], DOCS), [1]);
        assert_eq!(ids(&["coop", "we"], DOCS), [1]);
        assert_eq!(ids(&["cooperaties"], DOCS), [4]);
        assert_eq!(ids(&["berlin", "london"], DOCS), Vec::<i64>::new());
        assert_eq!(ids(&["deleted"], DOCS), Vec::<i64>::new());
        assert_eq!(ids(&["x"], DOCS), Vec::<i64>::new());
    }
}
