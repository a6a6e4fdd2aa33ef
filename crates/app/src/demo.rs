//! Demo members: real CoTech members (UK) and clearly labelled demo networks (DE, FR, NL)
//! built from the CoopCycle federation list. Sources and conversion: `demo/SOURCES.md`.
use coopnet_db::repo::coops;

use crate::{AppContext, AppError, exchange};

/// The CoTech members, in coopnet's JSON import format.
pub const COTECH_UK: &str = include_str!("../demo/cotech-uk.json");
/// German demo network members.
pub const DE: &str = include_str!("../demo/de.json");
/// French demo network members.
pub const FR: &str = include_str!("../demo/fr.json");
/// Dutch demo network members (Belgian and Danish co-ops: no Dutch CoopCycle member exists).
pub const NL: &str = include_str!("../demo/nl.json");

/// The demo data set matching a network's country (CoTech's for GB and anything unknown).
pub fn dataset_for(country: Option<&str>) -> &'static str {
    match country {
        Some("DE") => DE,
        Some("FR") => FR,
        Some("NL") => NL,
        _ => COTECH_UK,
    }
}

/// Imports the demo members when the network has no co-ops yet; returns how many.
pub async fn seed_if_empty(ctx: &AppContext) -> Result<usize, AppError> {
    if coops::count(&ctx.db, ctx.network.id).await? > 0 {
        return Ok(0);
    }
    let country = ctx.network.country.map(|c| c.to_string());
    let records = exchange::parse_json(dataset_for(country.as_deref()))
        .map_err(|e| AppError::caused("demo data does not parse", e))?;
    let report = exchange::import(ctx, &records, exchange::ImportMode::Insert)
        .await
        .map_err(|e| AppError::caused("demo data did not import", e))?;
    Ok(report.created)
}
