//! Arbitrary bytes as the `Signature` header of an inbox POST, through the one parser
//! (`http::signature::parse`) and the whole header check (`check_request`). Nothing may
//! panic; a header that parses names no parameter twice (the replay the parser exists to
//! stop), covers what it claims, and parses again, rebuilt from its fields, to the same
//! value.
#![no_main]

use axum::http::{HeaderMap, HeaderValue};
use coopnet_federation::http::signature::{self, SignatureHeader};
use libfuzzer_sys::fuzz_target;

fn rebuilt(h: &SignatureHeader) -> String {
    let mut parts = vec![
        format!("keyId=\"{}\"", h.key_id),
        format!("headers=\"{}\"", h.headers.join(" ")),
        format!("signature=\"{}\"", h.signature),
    ];
    if let Some(a) = &h.algorithm {
        parts.push(format!("algorithm=\"{a}\""));
    }
    if let Some(c) = &h.created {
        parts.push(format!("created=\"{c}\""));
    }
    if let Some(e) = &h.expires {
        parts.push(format!("expires=\"{e}\""));
    }
    parts.join(",")
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(parsed) = signature::parse(text)
    {
        let body = text.strip_prefix("Signature").unwrap_or(text).trim();
        let mut names: Vec<&str> = body
            .split(',')
            .filter_map(|p| p.split_once('=').map(|(n, _)| n))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a parameter given twice was accepted");
        assert!(!parsed.key_id.is_empty() && !parsed.signature.is_empty());
        assert!(!parsed.headers.is_empty());
        let again = signature::parse(&rebuilt(&parsed));
        assert_eq!(again.as_ref(), Ok(&parsed), "rebuilt header reads differently");
    }
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(data) {
        headers.insert("signature", value);
        headers.insert("host", HeaderValue::from_static("coops.example"));
        headers.insert("date", HeaderValue::from_static("Sun, 06 Dec 2026 10:00:00 GMT"));
        let now = chrono::DateTime::parse_from_rfc2822("Sun, 06 Dec 2026 10:00:30 GMT")
            .map(|d| d.with_timezone(&chrono::Utc));
        if let Ok(now) = now
            && let Ok(parsed) = signature::check_request(&headers, "coops.example", now)
        {
            for required in signature::REQUIRED {
                assert!(parsed.headers.iter().any(|h| h == required));
            }
        }
    }
});
