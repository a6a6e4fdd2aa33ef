//! Import and export of co-ops as JSON and CSV (format: `docs/import-format.md`).
//!
//! Imports are all-or-nothing: every record is parsed and validated first, every bad row is
//! reported, and only a clean file is written, in one transaction.
//!
//! CSV cells are written by [`CsvWriter`], which neutralises spreadsheet formulas with a
//! leading `'`; [`parse_csv`] undoes exactly that escape (`coopnet_core::csv_cell`), so an
//! export imports back unchanged.
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use chrono::{DateTime, Utc};
use coopnet_core::{Coop, CoopInput, FieldErrors, LinkInput, Slug, csv_cell};
use serde_json::Value;

use crate::coops::{self, NewMember, SlugAvailability};
use crate::csv_writer::CsvWriter;
use crate::{AppContext, AppError};

/// Fixed CSV columns, in export order; `summary_<lang>` columns follow.
pub const CSV_COLUMNS: &[&str] = &[
    "slug",
    "name",
    "website",
    "email",
    "locality",
    "region",
    "country",
    "latitude",
    "longitude",
    "founded",
    "workers",
    "legal_form",
    "services",
    "technologies",
    "languages",
    "logo",
    "links",
    "listed",
    "created_at",
    "updated_at",
    "contact_public",
];
/// Separates list items (services, technologies, languages) in a CSV cell.
pub const LIST_SEPARATOR: char = ';';

/// One rejected record: its position, its slug when readable, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// 1-based: the record's index in a JSON array, the line number in a CSV file.
    pub row: usize,
    /// The record's slug, when it could be read.
    pub slug: Option<String>,
    /// The problems.
    pub errors: FieldErrors,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.slug {
            Some(slug) => write!(f, "row {} ({slug}): {}", self.row, self.errors),
            None => write!(f, "row {}: {}", self.row, self.errors),
        }
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not JSON/CSV at all.
    #[error("{0}")]
    Unreadable(String),
    /// Some records are invalid; nothing was imported.
    #[error("{} invalid record(s), nothing imported", .0.len())]
    Rows(Vec<RowError>),
    /// Storage failed; nothing was imported.
    #[error(transparent)]
    App(#[from] AppError),
}

/// What to do with a slug that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Refuse it (a row error).
    Insert,
    /// Replace that co-op's profile.
    Upsert,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// New co-ops.
    pub created: usize,
    /// Existing co-ops whose profile was replaced (upsert; an identical one counts too,
    /// though nothing is written or sent for it).
    pub updated: usize,
}

/// Parses a JSON array of [`CoopInput`] records; each bad record is reported.
pub fn parse_json(text: &str) -> Result<Vec<CoopInput>, ImportError> {
    let values: Vec<Value> = serde_json::from_str(text)
        .map_err(|e| ImportError::Unreadable(format!("not a JSON array of co-ops: {e}")))?;
    let mut out = Vec::with_capacity(values.len());
    let mut bad = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        let slug = value.get("slug").and_then(Value::as_str).map(str::to_owned);
        match serde_json::from_value::<CoopInput>(value) {
            Ok(input) => out.push(input),
            Err(e) => bad.push(RowError {
                row: i + 1,
                slug,
                errors: FieldErrors::single("record", e.to_string()),
            }),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(ImportError::Rows(bad))
    }
}

/// Parses CSV with a header row (columns in any order; see [`CSV_COLUMNS`]).
pub fn parse_csv(text: &str) -> Result<Vec<CoopInput>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ImportError::Unreadable(format!("bad CSV header: {e}")))?
        .clone();
    let known: BTreeSet<&str> = CSV_COLUMNS.iter().copied().collect();
    for h in headers.iter() {
        if !known.contains(h) && !h.starts_with("summary_") {
            return Err(ImportError::Unreadable(format!(
                "unknown CSV column '{h}' (expected {} and summary_<lang>)",
                CSV_COLUMNS.join(", ")
            )));
        }
    }
    for required in ["slug", "name"] {
        if !headers.iter().any(|h| h == required) {
            return Err(ImportError::Unreadable(format!(
                "CSV column '{required}' is missing"
            )));
        }
    }
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                bad.push(RowError {
                    row: line,
                    slug: None,
                    errors: FieldErrors::single("record", e.to_string()),
                });
                continue;
            }
        };
        let cells: BTreeMap<&str, &str> = headers
            .iter()
            .zip(record.iter().map(csv_cell::unescape))
            .collect();
        match csv_row(&cells) {
            Ok(input) => out.push(input),
            Err(errors) => bad.push(RowError {
                row: line,
                slug: cells.get("slug").map(|s| s.to_string()),
                errors,
            }),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(ImportError::Rows(bad))
    }
}

fn csv_row(cells: &BTreeMap<&str, &str>) -> Result<CoopInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let text = |k: &str| {
        cells
            .get(k)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let list = |k: &str| -> Vec<String> {
        text(k)
            .map(|v| {
                v.split(LIST_SEPARATOR)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut number = |k: &str| -> Option<f64> {
        text(k).and_then(|v| {
            v.parse::<f64>()
                .map_err(|_| errors.add(k, format!("'{v}' is not a number")))
                .ok()
        })
    };
    let latitude = number("latitude");
    let longitude = number("longitude");
    let founded = number("founded");
    let workers = number("workers");
    let mut integer = |k: &str, v: Option<f64>| -> Option<i64> {
        v.and_then(|n| {
            if n.fract() == 0.0 && n.abs() < 1e15 {
                Some(n as i64)
            } else {
                errors.add(k, "must be a whole number");
                None
            }
        })
    };
    let founded = integer("founded", founded);
    let workers = integer("workers", workers);
    let mut flag = |k: &str| match text(k).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("true") | Some("yes") | Some("1") => true,
        Some("false") | Some("no") | Some("0") => false,
        Some(other) => {
            errors.add(k, format!("'{other}' is not true or false"));
            true
        }
    };
    let listed = flag("listed");
    let contact_public = flag("contact_public");
    let mut links = Vec::new();
    for item in text("links").unwrap_or_default().split_whitespace() {
        match item.split_once(':') {
            Some((kind, url)) => links.push(LinkInput {
                kind: kind.to_owned(),
                url: url.to_owned(),
            }),
            None => errors.add("links", format!("'{item}' is not KIND:URL")),
        }
    }
    let mut time = |k: &str| -> Option<DateTime<Utc>> {
        text(k).and_then(|v| {
            DateTime::parse_from_rfc3339(&v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| errors.add(k, format!("'{v}' is not an RFC 3339 time")))
                .ok()
        })
    };
    let created_at = time("created_at");
    let updated_at = time("updated_at");
    let summary = cells
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("summary_")
                .map(|lang| (lang.to_owned(), v.trim().to_owned()))
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let input = CoopInput {
        slug: text("slug").unwrap_or_default(),
        name: text("name").unwrap_or_default(),
        summary,
        website: text("website"),
        email: text("email"),
        contact_public,
        locality: text("locality"),
        region: text("region"),
        country: text("country"),
        latitude,
        longitude,
        founded,
        workers,
        legal_form: text("legal_form"),
        services: list("services"),
        technologies: list("technologies"),
        languages: list("languages"),
        logo: text("logo"),
        links,
        listed,
        created_at,
        updated_at,
    };
    errors.into_result(input)
}

/// Imports co-ops through the co-op use cases ([`coops::create_many`],
/// [`coops::update_many`]), so they federate like co-ops added one by one: each new co-op's
/// `Add` reaches peer networks at once, changed ones send their `Update`s, and the network
/// welcomes the newcomers in one post.
///
/// All or nothing where it matters: every record is validated and every handle checked
/// before anything is written, and every bad row is reported. The writes then go in
/// batches ([`coops::create_many`]), so a large file never keeps other writers out; should
/// a handle be taken between the check and its batch, the import stops there with a
/// `Conflict` naming it (the batches before stay).
pub async fn import(
    ctx: &AppContext,
    records: &[CoopInput],
    mode: ImportMode,
) -> Result<ImportReport, ImportError> {
    let mut bad = Vec::new();
    let mut seen = HashSet::new();
    let mut new = Vec::new();
    let mut changes = Vec::new();
    let mut valid = Vec::new();
    for (i, input) in records.iter().enumerate() {
        let row = i + 1;
        let reject = |errors: FieldErrors| RowError {
            row,
            slug: Some(input.slug.clone()),
            errors,
        };
        let (slug, profile) = match input.validate() {
            Ok(valid) => valid,
            Err(errors) => {
                bad.push(reject(errors));
                continue;
            }
        };
        if !seen.insert(slug.clone()) {
            bad.push(reject(FieldErrors::single(
                "slug",
                "appears twice in this file",
            )));
            continue;
        }
        valid.push((row, input, slug, profile));
    }
    // Every handle in one query per 500 (an import may hold 100,000).
    let slugs: Vec<&Slug> = valid.iter().map(|(_, _, slug, _)| slug).collect();
    let states = coops::availability_many(&ctx.db, ctx, &slugs).await?;
    for ((row, input, slug, profile), state) in valid.into_iter().zip(states) {
        let reject = |errors: FieldErrors| RowError {
            row,
            slug: Some(input.slug.clone()),
            errors,
        };
        match state {
            SlugAvailability::Free => new.push(NewMember {
                slug,
                profile,
                created_at: input.created_at,
                updated_at: input.updated_at,
            }),
            SlugAvailability::Taken if mode == ImportMode::Upsert => {
                changes.push((slug, profile, input.updated_at));
            }
            SlugAvailability::Taken => bad.push(reject(FieldErrors::single(
                "slug",
                "is taken (import with --upsert to replace)",
            ))),
            other => bad.push(reject(FieldErrors::single(
                "slug",
                other.problem().unwrap_or_default(),
            ))),
        }
    }
    bad.sort_by_key(|r| r.row);
    if !bad.is_empty() {
        return Err(ImportError::Rows(bad));
    }
    let updated = changes.len();
    let created = coops::create_many(ctx, new).await?.len();
    coops::update_many(ctx, changes).await?;
    Ok(ImportReport { created, updated })
}

/// The co-ops as a pretty JSON array of import records (includes timestamps).
pub fn to_json(coops: &[Coop]) -> Result<String, AppError> {
    let records: Vec<CoopInput> = coops.iter().map(CoopInput::from).collect();
    serde_json::to_string_pretty(&records)
        .map(|s| s + "\n")
        .map_err(|e| AppError::caused("writing JSON", e))
}

/// The co-ops as CSV: [`CSV_COLUMNS`], then one `summary_<lang>` column per language used.
pub fn to_csv(coops: &[Coop]) -> Result<String, AppError> {
    to_csv_with(coops, &[], &[])
}

/// The co-ops as CSV like [`to_csv`], with columns `extra_names` inserted after the fixed
/// columns: row `i` takes its cells from `extra[i]` (empty when missing). Extra cells go
/// through the same escaping as every other cell.
pub fn to_csv_with(
    coops: &[Coop],
    extra_names: &[&str],
    extra: &[Vec<String>],
) -> Result<String, AppError> {
    let records: Vec<CoopInput> = coops.iter().map(CoopInput::from).collect();
    let languages: BTreeSet<&String> = records.iter().flat_map(|r| r.summary.keys()).collect();
    let mut writer = CsvWriter::new();
    let mut header: Vec<String> = CSV_COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(extra_names.iter().map(|c| c.to_string()));
    header.extend(languages.iter().map(|l| format!("summary_{l}")));
    writer.row(&header)?;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
    let sep = format!("{LIST_SEPARATOR} ");
    for (i, r) in records.iter().enumerate() {
        let mut row = vec![
            r.slug.clone(),
            r.name.clone(),
            opt(&r.website),
            opt(&r.email),
            opt(&r.locality),
            opt(&r.region),
            opt(&r.country),
            num(r.latitude),
            num(r.longitude),
            r.founded.map(|n| n.to_string()).unwrap_or_default(),
            r.workers.map(|n| n.to_string()).unwrap_or_default(),
            opt(&r.legal_form),
            r.services.join(&sep),
            r.technologies.join(&sep),
            r.languages.join(&sep),
            opt(&r.logo),
            r.links
                .iter()
                .map(|l| format!("{}:{}", l.kind, l.url))
                .collect::<Vec<_>>()
                .join(" "),
            r.listed.to_string(),
            r.created_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            r.updated_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            r.contact_public.to_string(),
        ];
        let cells = extra.get(i);
        row.extend((0..extra_names.len()).map(|c| {
            cells
                .and_then(|cells| cells.get(c))
                .cloned()
                .unwrap_or_default()
        }));
        row.extend(
            languages
                .iter()
                .map(|l| r.summary.get(*l).cloned().unwrap_or_default()),
        );
        writer.row(&row)?;
    }
    writer.finish()
}
