//! `coopnet coop add|edit|remove|link|unlink|show|list|import|export`
use std::path::Path;

use anyhow::{Context, bail};
use coopnet_app::coops;
use coopnet_app::exchange::{self, ImportError, ImportMode};
use coopnet_app::{AppContext, AppError};
use std::collections::BTreeMap;

use coopnet_core::patch::{parse_link, split_list};
use coopnet_core::{Coop, CoopInput, CoopPatch, TokenScope};

use crate::args::{CoopCommand, Format, ProfileFields};

pub async fn run(ctx: &AppContext, command: CoopCommand) -> anyhow::Result<()> {
    match command {
        CoopCommand::Add { slug, fields } => {
            let patch = fields_to_patch(&fields)?;
            if patch.name.is_none() {
                bail!("--name is required");
            }
            let input = patch
                .apply(&CoopInput::blank(&slug))
                .map_err(|e| describe(e.into()))?;
            let coop = coops::create(ctx, &input).await.map_err(describe)?;
            println!("added {} ({})", coop.slug, coop.profile.name);
        }
        CoopCommand::Edit { slug, fields, json } => {
            let mut patch = fields_to_patch(&fields)?;
            if let Some(json) = json {
                let extra: CoopPatch = serde_json::from_str(&json)
                    .context("--json must be a JSON object of record keys")?;
                patch = patch.merged(extra);
            }
            if patch.is_empty() {
                bail!("nothing to change: name at least one field (see coopnet coop edit --help)");
            }
            let coop = coops::update(ctx, &TokenScope::Admin, &slug, &patch)
                .await
                .map_err(describe)?;
            println!("updated {}", coop.slug);
        }
        CoopCommand::Remove { slug } => {
            let coop = coops::remove(ctx, &slug).await.map_err(describe)?;
            println!("removed {} ({})", coop.slug, coop.profile.name);
        }
        CoopCommand::Link { slug, account } => {
            let state = coops::link(ctx, &TokenScope::Admin, &slug, &account)
                .await
                .map_err(|e| match e {
                    // The reason, with what to add where, as the console shows it.
                    AppError::Invalid(errors) => anyhow::anyhow!(
                        "{}",
                        errors
                            .iter()
                            .map(|(_, m)| m.join("; "))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    other => describe(other),
                })?;
            println!(
                "linked @{} to {slug} (backlink in its {}); the network's follow is {}",
                state.account.handle,
                state.account.backlink.as_str(),
                state.follow.map_or("not sent", |f| f.as_str())
            );
        }
        CoopCommand::Unlink { slug } => {
            coops::unlink(ctx, &TokenScope::Admin, &slug)
                .await
                .map_err(describe)?;
            println!("unlinked the fediverse account of {slug}; the network unfollows it");
        }
        CoopCommand::Show { slug, json } => {
            let coop = coops::get(ctx, &slug).await.map_err(describe)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&CoopInput::from(&coop))?);
            } else {
                print_coop(&coop);
            }
        }
        CoopCommand::List { json } => {
            let all = coops::all(ctx).await?;
            if json {
                print!("{}", exchange::to_json(&all)?);
            } else {
                for coop in &all {
                    let place = coop.profile.locality.as_deref().unwrap_or("");
                    let listed = if coop.profile.listed {
                        ""
                    } else {
                        "\t(unlisted)"
                    };
                    println!("{}\t{}\t{place}{listed}", coop.slug, coop.profile.name);
                }
                eprintln!("{} co-op(s)", all.len());
            }
        }
        CoopCommand::Import {
            file,
            format,
            upsert,
        } => import(ctx, &file, format, upsert).await?,
        CoopCommand::Export { format, output } => {
            let all = coops::all(ctx).await?;
            let text = match format {
                Format::Json => exchange::to_json(&all)?,
                Format::Csv => exchange::to_csv(&all)?,
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("exported {} co-op(s) to {}", all.len(), path.display());
                }
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}

async fn import(
    ctx: &AppContext,
    file: &Path,
    format: Option<Format>,
    upsert: bool,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let format = match format {
        Some(f) => f,
        None if file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv")) =>
        {
            Format::Csv
        }
        None => Format::Json,
    };
    let parsed = match format {
        Format::Json => exchange::parse_json(&text),
        Format::Csv => exchange::parse_csv(&text),
    };
    let mode = if upsert {
        ImportMode::Upsert
    } else {
        ImportMode::Insert
    };
    let result = match parsed {
        Ok(records) => exchange::import(ctx, &records, mode).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(report) => {
            println!(
                "imported {} co-op(s): {} added, {} updated",
                report.created + report.updated,
                report.created,
                report.updated
            );
            Ok(())
        }
        Err(ImportError::Rows(rows)) => {
            for row in &rows {
                eprintln!("{}: {row}", file.display());
            }
            bail!(
                "{} invalid record(s) in {}; nothing was imported",
                rows.len(),
                file.display()
            )
        }
        Err(other) => Err(other.into()),
    }
}

/// Turns field errors into one readable line per field.
fn describe(err: AppError) -> anyhow::Error {
    match err {
        AppError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|(f, m)| format!("{f}: {}", m.join("; ")))
                .collect();
            anyhow::anyhow!("invalid co-op: {}", lines.join(", "))
        }
        other => other.into(),
    }
}

/// Only the flags given become fields of the patch, so `edit` leaves other fields alone;
/// `--website ""` clears a field.
fn fields_to_patch(f: &ProfileFields) -> anyhow::Result<CoopPatch> {
    let text = |v: &Option<String>| v.clone().map(Some);
    let summary = if f.summary.is_empty() {
        None
    } else {
        let mut summary = BTreeMap::new();
        for item in &f.summary {
            let (lang, text) = item
                .split_once('=')
                .with_context(|| format!("--summary '{item}' is not LANG=TEXT"))?;
            summary.insert(lang.trim().to_owned(), text.to_owned());
        }
        Some(summary)
    };
    let links = if f.link.is_empty() {
        None
    } else {
        let links = f
            .link
            .iter()
            .map(|item| parse_link(item).map_err(|e| anyhow::anyhow!("--link {e}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Some(links)
    };
    Ok(CoopPatch {
        name: f.name.clone(),
        summary,
        website: text(&f.website),
        email: text(&f.email),
        locality: text(&f.locality),
        region: text(&f.region),
        country: text(&f.country),
        latitude: f.latitude.map(Some),
        longitude: f.longitude.map(Some),
        founded: f.founded.map(Some),
        workers: f.workers.map(Some),
        legal_form: text(&f.legal_form),
        services: f.services.as_deref().map(split_list),
        technologies: f.technologies.as_deref().map(split_list),
        languages: f.languages.as_deref().map(split_list),
        logo: text(&f.logo),
        links,
        listed: f.listed,
        ..CoopPatch::default()
    })
}

fn print_coop(coop: &Coop) {
    let p = &coop.profile;
    let line = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            println!("{label:<13} {v}");
        }
    };
    line("slug", Some(coop.slug.to_string()));
    line("name", Some(p.name.clone()));
    line("website", p.website.as_ref().map(ToString::to_string));
    line("email", p.email.clone());
    line("locality", p.locality.clone());
    line("region", p.region.clone());
    line("country", p.country.map(|c| c.to_string()));
    line(
        "location",
        p.location
            .map(|l| format!("{}, {}", l.latitude, l.longitude)),
    );
    line("founded", p.founded.map(|y| y.to_string()));
    line("workers", p.workers.map(|n| n.to_string()));
    line("legal form", p.legal_form.clone());
    line(
        "services",
        Some(
            p.services
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        ),
    );
    line(
        "technologies",
        Some(
            p.technologies
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        ),
    );
    line(
        "languages",
        Some(
            p.languages
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        ),
    );
    line("logo", p.logo.as_ref().map(ToString::to_string));
    for l in &p.links {
        line("link", Some(format!("{} {}", l.kind, l.url)));
    }
    line("listed", Some(p.listed.to_string()));
    line("created", Some(coop.created_at.to_rfc3339()));
    line("updated", Some(coop.updated_at.to_rfc3339()));
    for (lang, text) in &p.summary {
        println!("summary [{lang}]\n{text}\n");
    }
}
