//! The `Signature` header of an incoming POST, read once and strictly, before the library
//! verifies it.
//!
//! Why our own reading: activitypub_federation verifies with
//! http-signature-normalization, which collects the parameters into a map (the last of two
//! `headers=` wins) and, without `headers=`, signs only `(created)`. A header carrying the
//! full list first and `headers="digest"` last passed a check that looked at every
//! parameter, while the verifier covered the body alone: the request line, host and date
//! were unsigned and one captured delivery could be replayed forever. So [`parse`] accepts
//! only what that verifier reads the same way:
//!
//! - parameters split at `,` and at their first `=`, as the verifier splits them; names
//!   exactly `keyId`, `algorithm`, `headers`, `signature`, `created` or `expires` (no
//!   whitespace, no other case: the verifier would silently not see them);
//! - each at most once; `keyId`, `headers` and `signature` present;
//! - values quoted without inner quotes or backslashes, or bare tokens (`created=1700000000`).
//!
//! [`check_request`] then requires the signature to cover `(request-target)`, `host`,
//! `date` and `digest`, the request's one `Host` to be our configured domain (so a server
//! that received a genuine delivery cannot relay it to us: the signed host is its own), and
//! `Date` to be fresh. Errors are ours, in static words: nothing from the request is echoed.
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};

/// Signatures dated further in the future than this are refused.
pub const MAX_CLOCK_SKEW: chrono::Duration = chrono::Duration::hours(1);
/// Signatures dated further in the past are refused (Mastodon: 5 min expiry + 1 h slack).
pub const MAX_SIGNATURE_AGE: chrono::Duration = chrono::Duration::minutes(65);
/// Longest `Signature` header read (a 4096-bit RSA signature and a long key id fit easily).
pub const MAX_HEADER_BYTES: usize = 4096;
/// The headers every signature on a POST must cover.
pub const REQUIRED: [&str; 4] = ["(request-target)", "host", "date", "digest"];

/// A parsed `Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `keyId`: the URL of the signing key.
    pub key_id: String,
    /// `algorithm`, when given.
    pub algorithm: Option<String>,
    /// `headers`, lower-cased, in order.
    pub headers: Vec<String>,
    /// `signature`, base64.
    pub signature: String,
    /// `created`, when given.
    pub created: Option<String>,
    /// `expires`, when given.
    pub expires: Option<String>,
}

/// Why a request's signature headers were refused. The messages go to the sender as they
/// are, so they are fixed words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No `Signature` header.
    Missing,
    /// More than one `Signature` header line.
    Several,
    /// Not text, too long, or not `name=value` pairs.
    Malformed,
    /// A parameter name we do not know (or a known one in another case, or with spaces).
    UnknownParameter,
    /// A parameter given twice.
    Duplicate,
    /// `keyId`, `headers` or `signature` missing or empty.
    Incomplete,
    /// One of [`REQUIRED`] is not signed.
    Uncovered,
    /// No `Host`, several, or not this server's domain.
    WrongHost,
    /// No readable `Date`.
    NoDate,
    /// `Date` too far ahead.
    Future,
    /// `Date` too old.
    Stale,
}

impl SignatureError {
    /// The sentence the sender reads.
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "request is not signed",
            Self::Several => "more than one Signature header",
            Self::Malformed => "unreadable Signature header",
            Self::UnknownParameter => "unknown Signature parameter",
            Self::Duplicate => "duplicate Signature parameter",
            Self::Incomplete => "Signature lacks keyId, headers or signature",
            Self::Uncovered => "signature must cover (request-target), host, date and digest",
            Self::WrongHost => "signed Host is not this server",
            Self::NoDate => "no readable Date header",
            Self::Future => "Date is in the future",
            Self::Stale => "Date is too old",
        }
    }
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for SignatureError {}

const NAMES: [&str; 6] = [
    "keyId",
    "algorithm",
    "headers",
    "signature",
    "created",
    "expires",
];

/// Reads a `Signature` header value (an `Authorization: Signature …` value is accepted too).
pub fn parse(value: &str) -> Result<SignatureHeader, SignatureError> {
    if value.len() > MAX_HEADER_BYTES {
        return Err(SignatureError::Malformed);
    }
    let value = value.strip_prefix("Signature").unwrap_or(value).trim();
    let mut found: [Option<&str>; 6] = [None; 6];
    for part in value.split(',') {
        let (name, raw) = part.split_once('=').ok_or(SignatureError::Malformed)?;
        let slot = NAMES
            .iter()
            .position(|n| *n == name)
            .ok_or(SignatureError::UnknownParameter)?;
        if found[slot].is_some() {
            return Err(SignatureError::Duplicate);
        }
        found[slot] = Some(unquote(raw)?);
    }
    let [key_id, algorithm, headers, signature, created, expires] = found;
    let required = |v: Option<&str>| {
        v.filter(|v| !v.trim().is_empty())
            .map(str::to_owned)
            .ok_or(SignatureError::Incomplete)
    };
    let headers: Vec<String> = required(headers)?
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    Ok(SignatureHeader {
        key_id: required(key_id)?,
        algorithm: algorithm.map(str::to_owned),
        headers,
        signature: required(signature)?,
        created: created.map(str::to_owned),
        expires: expires.map(str::to_owned),
    })
}

/// `"text"` without inner quotes or backslashes, or a bare token.
fn unquote(raw: &str) -> Result<&str, SignatureError> {
    let inner = match raw.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"').ok_or(SignatureError::Malformed)?,
        None if !raw.is_empty()
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)) =>
        {
            raw
        }
        None => return Err(SignatureError::Malformed),
    };
    if inner.contains(['"', '\\']) || inner.chars().any(char::is_control) {
        return Err(SignatureError::Malformed);
    }
    Ok(inner)
}

/// Checks an inbox POST's signature headers (see the module header): one well-formed
/// `Signature` covering [`REQUIRED`], `Host` equal to `domain` (`host[:port]`, compared
/// without case), and a fresh `Date`.
pub fn check_request(
    headers: &HeaderMap,
    domain: &str,
    now: DateTime<Utc>,
) -> Result<SignatureHeader, SignatureError> {
    let mut values = headers.get_all("signature").iter();
    let value = values.next().ok_or(SignatureError::Missing)?;
    if values.next().is_some() {
        return Err(SignatureError::Several);
    }
    let parsed = parse(value.to_str().map_err(|_| SignatureError::Malformed)?)?;
    if !REQUIRED
        .iter()
        .all(|r| parsed.headers.iter().any(|h| h == r))
    {
        return Err(SignatureError::Uncovered);
    }
    let mut hosts = headers.get_all("host").iter();
    let host = hosts
        .next()
        .and_then(|h| h.to_str().ok())
        .ok_or(SignatureError::WrongHost)?;
    if hosts.next().is_some() || !host.trim().eq_ignore_ascii_case(domain) {
        return Err(SignatureError::WrongHost);
    }
    let mut dates = headers.get_all("date").iter();
    let date = dates
        .next()
        .and_then(|d| d.to_str().ok())
        .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
        .ok_or(SignatureError::NoDate)?
        .with_timezone(&Utc);
    if dates.next().is_some() {
        return Err(SignatureError::NoDate);
    }
    if date > now + MAX_CLOCK_SKEW {
        return Err(SignatureError::Future);
    }
    if date < now - MAX_SIGNATURE_AGE {
        return Err(SignatureError::Stale);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const ALL: &str = "(request-target) host date digest content-type";

    fn sig(headers: &str) -> String {
        format!(
            r#"keyId="https://a.example/u#main-key",algorithm="rsa-sha256",headers="{headers}",signature="c2lnbmF0dXJl""#
        )
    }

    fn request(signature: &str, host: &str, date: DateTime<Utc>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            "signature",
            HeaderValue::from_str(signature).expect("header"),
        );
        h.insert("host", HeaderValue::from_str(host).expect("header"));
        let date = date.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        h.insert("date", HeaderValue::from_str(&date).expect("header"));
        h
    }

    #[test]
    fn reads_what_mastodon_sends() {
        let parsed = parse(&sig(ALL)).expect("parses");
        assert_eq!(parsed.key_id, "https://a.example/u#main-key");
        assert_eq!(parsed.algorithm.as_deref(), Some("rsa-sha256"));
        assert_eq!(parsed.headers.len(), 5);
        assert_eq!(parsed.signature, "c2lnbmF0dXJl");
        let hs2019 = r#"keyId="k",algorithm="hs2019",created=1700000000,headers="(request-target) (created) host date digest",signature="eA==""#;
        assert_eq!(
            parse(hs2019).expect("bare token").created.as_deref(),
            Some("1700000000")
        );
        let authorization = format!("Signature {}", sig(ALL));
        assert!(parse(&authorization).is_ok());
    }

    #[test]
    fn duplicate_parameters_are_refused() {
        // The replay from the review: the full list first, only the body's digest last.
        let replay = format!("{},headers=\"digest\"", sig(ALL));
        assert_eq!(parse(&replay), Err(SignatureError::Duplicate));
        let two_keys = format!("keyId=\"x\",{}", sig(ALL));
        assert_eq!(parse(&two_keys), Err(SignatureError::Duplicate));
    }

    #[test]
    fn what_the_verifier_would_read_differently_is_refused() {
        for (bad, why) in [
            (
                sig(ALL).replace(",headers=", ", headers="),
                SignatureError::UnknownParameter,
            ),
            (
                sig(ALL).replace("headers=", "Headers="),
                SignatureError::UnknownParameter,
            ),
            (
                format!("{},extra=\"1\"", sig(ALL)),
                SignatureError::UnknownParameter,
            ),
            (
                sig(ALL).replace("c2lnbmF0dXJl", "a\\\"b"),
                SignatureError::Malformed,
            ),
            (
                sig(ALL).replace("\"c2lnbmF0dXJl\"", "\"open"),
                SignatureError::Malformed,
            ),
            (format!("{},", sig(ALL)), SignatureError::Malformed),
            (
                "keyId=\"k\",signature=\"s\"".to_owned(),
                SignatureError::Incomplete,
            ),
            (
                "keyId=\"k\",headers=\"\",signature=\"s\"".to_owned(),
                SignatureError::Incomplete,
            ),
            ("x".repeat(MAX_HEADER_BYTES + 1), SignatureError::Malformed),
        ] {
            assert_eq!(parse(&bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn requests_must_cover_host_date_target_and_digest() {
        let now = Utc::now();
        let host = "coops.example";
        assert!(check_request(&request(&sig(ALL), host, now), host, now).is_ok());
        for missing in ["(request-target)", "host", "date", "digest"] {
            let covered = ALL.replace(missing, "");
            assert_eq!(
                check_request(&request(&sig(&covered), host, now), host, now),
                Err(SignatureError::Uncovered),
                "without {missing}"
            );
        }
        assert_eq!(
            check_request(&HeaderMap::new(), host, now),
            Err(SignatureError::Missing)
        );
        let mut twice = request(&sig(ALL), host, now);
        twice.append("signature", HeaderValue::from_static("keyId=\"k\""));
        assert_eq!(
            check_request(&twice, host, now),
            Err(SignatureError::Several)
        );
    }

    #[test]
    fn the_signed_host_must_be_ours() {
        let now = Utc::now();
        let relayed = request(&sig(ALL), "other.example", now);
        assert_eq!(
            check_request(&relayed, "coops.example", now),
            Err(SignatureError::WrongHost)
        );
        let with_port = request(&sig(ALL), "Localhost:8081", now);
        assert!(check_request(&with_port, "localhost:8081", now).is_ok());
        assert_eq!(
            check_request(&with_port, "localhost:8082", now),
            Err(SignatureError::WrongHost),
            "ports are compared too"
        );
    }

    #[test]
    fn dates_must_be_fresh() {
        let now = Utc::now();
        let h = "coops.example";
        let old = request(&sig(ALL), h, now - chrono::Duration::hours(2));
        assert_eq!(check_request(&old, h, now), Err(SignatureError::Stale));
        let ahead = request(&sig(ALL), h, now + chrono::Duration::hours(2));
        assert_eq!(check_request(&ahead, h, now), Err(SignatureError::Future));
        let mut undated = request(&sig(ALL), h, now);
        undated.remove("date");
        assert_eq!(check_request(&undated, h, now), Err(SignatureError::NoDate));
    }
}
