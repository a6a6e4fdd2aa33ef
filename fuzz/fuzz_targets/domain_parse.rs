//! Arbitrary text through the domain's validating constructors (slug, language tag, country
//! code, tag) and arbitrary JSON through the co-op record's validation (URLs, links, every
//! limit), as remote member profiles and imports are. Nothing may panic; whatever parses
//! parses again to the same value (canonical forms are fixed points).
#![no_main]

use coopnet_core::{CoopInput, CountryCode, LanguageTag, Slug, Tag};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(slug) = Slug::parse(text) {
            assert_eq!(Slug::parse(slug.as_str()).ok().as_ref(), Some(&slug));
        }
        if let Ok(tag) = LanguageTag::parse(text) {
            assert_eq!(LanguageTag::parse(tag.as_str()).ok().as_ref(), Some(&tag));
        }
        if let Ok(code) = CountryCode::parse(text) {
            assert_eq!(CountryCode::parse(code.as_str()).ok().as_ref(), Some(&code));
        }
        if let Ok(tag) = Tag::parse(text) {
            assert_eq!(Tag::parse(tag.as_str()).ok().as_ref(), Some(&tag));
        }
    }
    if let Ok(input) = serde_json::from_slice::<CoopInput>(data)
        && let Ok((slug, profile)) = input.validate()
    {
        assert!(Slug::parse(slug.as_str()).is_ok());
        assert!(profile.name.chars().count() <= coopnet_core::limits::NAME);
    }
});
