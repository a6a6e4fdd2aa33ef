//! Stems for directory search: which Snowball stemmers apply (English, German, Dutch,
//! French) and the stems of one word in the form the search index stores them.
//!
//! Stemming happens here, in Rust, before text reaches SQLite, PostgreSQL or tantivy, so
//! all three index the same stems: FTS5 (Porter, English only) and PostgreSQL (one
//! Snowball dictionary per configuration) would each stem their own way. The design, and
//! why stems live apart from words, is in `docs/search.md` ("Matching").
//!
//! A word is stemmed twice per language: as written (lowercase, diacritics kept, which the
//! French and German rules read: `développées` → `développ`) and folded (`developpees`),
//! because a searcher often types without diacritics; both stems are then folded like
//! every indexed word (`repo::search::words`). Query words get all four languages (the
//! searcher's language is unknown); a co-op's summary gets its own language's, the rest
//! of its text all four.
use std::collections::BTreeSet;

use coopnet_core::LanguageTag;
use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::search::words;

/// A language whose words the index stems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// `en`.
    English,
    /// `de`.
    German,
    /// `nl`.
    Dutch,
    /// `fr`.
    French,
}

impl Language {
    /// Every stemmed language: for query words and for text of no known language.
    pub const ALL: [Self; 4] = [Self::English, Self::German, Self::Dutch, Self::French];

    /// The stemmed language of `tag` (by its primary subtag: `de-CH` is German), if any.
    pub fn of_tag(tag: &LanguageTag) -> Option<Self> {
        match tag.primary().to_ascii_lowercase().as_str() {
            "en" => Some(Self::English),
            "de" => Some(Self::German),
            "nl" => Some(Self::Dutch),
            "fr" => Some(Self::French),
            _ => None,
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Self::English => Algorithm::English,
            Self::German => Algorithm::German,
            Self::Dutch => Algorithm::Dutch,
            Self::French => Algorithm::French,
        }
    }

    /// The Snowball stem of `word` (lowercase).
    fn stem(self, word: &str) -> String {
        let stemmer = Stemmer::create(self.algorithm());
        match self {
            // Snowball's Dutch algorithm drops a plural `s` only after a consonant, so the
            // `-ie` nouns keep theirs (`coöperaties` stays, `coöperatie` too): stem the
            // singular. `ies` is ASCII, so the slice ends on a character boundary.
            Self::Dutch if word.len() > 4 && word.ends_with("ies") => {
                stemmer.stem(&word[..word.len() - 1]).into_owned()
            }
            _ => stemmer.stem(word).into_owned(),
        }
    }
}

/// The words of `text` as stemmers want them: lowercase, composed (NFC), diacritics kept.
/// The split is the one `repo::search::words` makes (letters and ASCII digits; combining
/// marks stay with their letter), so `words` of each of these, in order, are the words of
/// `text`.
pub fn raw_words(text: &str) -> Vec<String> {
    let lower: String = text.chars().flat_map(char::to_lowercase).nfc().collect();
    lower
        .split(|c: char| !(c.is_alphabetic() || c.is_ascii_digit() || is_combining_mark(c)))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Adds to `into` the stems of `raw` (one of [`raw_words`]) in `languages`: each language's
/// stem of the word as written and of its folded form, folded like indexed words.
pub fn add_stems(raw: &str, languages: &[Language], into: &mut BTreeSet<String>) {
    let folded = words(raw);
    for language in languages {
        into.extend(words(&language.stem(raw)));
        for word in folded.iter().filter(|w| w.as_str() != raw) {
            into.extend(words(&language.stem(word)));
        }
    }
}

/// The stems of `raw` in every language, sorted, without repeats.
pub fn stems(raw: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    add_stems(raw, &Language::ALL, &mut out);
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems_in(word: &str, language: Language) -> Vec<String> {
        let mut out = BTreeSet::new();
        for raw in raw_words(word) {
            add_stems(&raw, &[language], &mut out);
        }
        out.into_iter().collect()
    }

    /// `query` and `found` share a stem in `language`.
    fn same_stem(query: &str, found: &str, language: Language) -> bool {
        let found = stems_in(found, language);
        stems_in(query, language).iter().any(|s| found.contains(s))
    }

    #[test]
    fn inflected_forms_share_a_stem_in_each_language() {
        use Language::*;
        for (query, found, language) in [
            ("cooperatives", "cooperative", English),
            ("developers", "development", English),
            ("developers", "developing", English),
            ("Genossenschaften", "Genossenschaft", German),
            ("Entwicklungen", "Entwicklung", German),
            ("Häuser", "Haus", German),
            ("coöperaties", "coöperatie", Dutch),
            ("cooperaties", "Coöperatie", Dutch),
            ("organisaties", "organisatie", Dutch),
            ("ontwikkelaars", "ontwikkelaar", Dutch),
            ("coopératives", "coopérative", French),
            ("cooperatives", "coopérative", French),
            ("développées", "développement", French),
            ("solidarites", "solidarité", French),
        ] {
            assert!(
                same_stem(query, found, language),
                "{query} / {found} in {language:?}: {:?} {:?}",
                stems_in(query, language),
                stems_in(found, language)
            );
        }
        // Unrelated words do not.
        assert!(!same_stem("design", "development", English));
        assert!(!same_stem("genossenschaft", "gesellschaft", German));
    }

    #[test]
    fn stems_are_folded_words() {
        for word in [
            "Développées",
            "Straße",
            "Zürich",
            "ÉCLAT",
            "x".repeat(100).as_str(),
        ] {
            for stem in stems(&raw_words(word)[0]) {
                assert_eq!(words(&stem), std::slice::from_ref(&stem), "{word}: {stem}");
            }
        }
        assert!(stems("straße").contains(&"strass".to_owned()));
    }

    #[test]
    fn raw_words_split_where_words_do() {
        for text in [
            "Café Zürich: HTML/CSS, co-operative 3D ½ İstanbul",
            "\"a OR b\" -x * ( ) : & | ! '",
            "Coöperatie e\u{301}clat ǅemal ﬁne Ångström ΣΟΦΊΑ 東京 ٣",
            "",
        ] {
            let split: Vec<String> = raw_words(text).iter().flat_map(|w| words(w)).collect();
            assert_eq!(split, words(text), "{text}");
        }
        assert_eq!(raw_words("Coöperatie, Zürich"), ["coöperatie", "zürich"]);
    }

    #[test]
    fn languages_come_from_the_primary_subtag() {
        let tag = |t: &str| LanguageTag::parse(t).unwrap_or_else(|_| panic!("{t}"));
        assert_eq!(Language::of_tag(&tag("de-CH")), Some(Language::German));
        assert_eq!(Language::of_tag(&tag("nl")), Some(Language::Dutch));
        assert_eq!(Language::of_tag(&tag("es")), None);
    }
}
