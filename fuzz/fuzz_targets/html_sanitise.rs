//! Arbitrary text through the HTML sanitiser, the Markdown renderer and the plain-text cap
//! (what every remote summary, name and post passes before it is stored or shown).
//!
//! Invariants on `sanitize` and `markdown_to_html` output: every tag is on the allow-list,
//! no attribute is an event handler (`on…`) or a style, every `href`/`src` is http(s),
//! mailto or relative (never `javascript:`, `data:`, `vbscript:`), and sanitising the
//! output again keeps all of that. `plain_text` never exceeds its cap.
#![no_main]

use coopnet_federation::html::{ALLOWED_TAGS, markdown_to_html, plain_text, sanitize};
use libfuzzer_sys::fuzz_target;


/// Checks sanitised HTML. The serialiser escapes `<` and `>` in text, so every literal `<`
/// opens a tag; attribute values are double-quoted with `"` escaped (they may hold `>`).
fn check(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "script in {html:?}");
    assert!(!lower.contains("<style"), "style in {html:?}");
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            assert!(b[i] != b'>', "bare > in text of {html:?}");
            i += 1;
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !matches!(b[i], b' ' | b'/' | b'>') {
            i += 1;
        }
        let name = &html[start..i];
        assert!(ALLOWED_TAGS.contains(&name), "tag {name:?} in {html:?}");
        // Attributes up to the closing `>`.
        loop {
            while i < b.len() && matches!(b[i], b' ' | b'/') {
                i += 1;
            }
            assert!(i < b.len(), "unclosed tag in {html:?}");
            if b[i] == b'>' {
                i += 1;
                break;
            }
            let start = i;
            while i < b.len() && !matches!(b[i], b'=' | b' ' | b'>') {
                i += 1;
            }
            let attr = html[start..i].to_ascii_lowercase();
            assert!(
                !attr.starts_with("on"),
                "event handler {attr:?} in {html:?}"
            );
            assert!(attr != "style", "style attribute in {html:?}");
            if html[i..].starts_with("=\"") {
                i += 2;
                let start = i;
                while i < b.len() && b[i] != b'"' {
                    i += 1;
                }
                assert!(i < b.len(), "unterminated attribute in {html:?}");
                if attr == "href" || attr == "src" {
                    check_url(&html[start..i], html);
                }
                i += 1;
            }
        }
    }
}

/// A link target is http(s), mailto or relative: never a scheme that runs code. Read as
/// the WHATWG URL parser (browsers) does: C0 controls and spaces trimmed at both ends, tab
/// and newlines removed anywhere, the scheme case-insensitive. (A control character
/// inside, as in `java\x05script:`, makes it no scheme at all: a relative URL.)
fn check_url(value: &str, html: &str) {
    let seen: String = value
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    for bad in ["javascript:", "vbscript:", "data:", "file:"] {
        assert!(!seen.starts_with(bad), "{bad} link in {html:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let clean = sanitize(text);
    check(&clean);
    // Not idempotent in general: the sanitised tree may hold an `<a>` inside an `<a>`
    // (from mis-nested input around tables), which re-parsing splits (found by this target,
    // see docs/fuzzing.md). What a second pass, or a browser, makes of it must be as safe.
    let again = sanitize(&clean);
    check(&again);

    let rendered = markdown_to_html(text);
    check(&rendered);

    let max = data.len() % 300;
    let plain = plain_text(text, max);
    assert!(plain.chars().count() <= max);
});
