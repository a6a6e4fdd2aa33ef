//! Pulling a peer network's member directory: backfill after a follow is accepted, periodic
//! resync (anti-entropy) and on demand. Walks the paged members collection, upserts each
//! co-op (older versions never win), and drops co-ops no longer listed.
use std::collections::HashSet;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use coopnet_core::Network;
use coopnet_db::repo::coops::RemoteUpsert;
use coopnet_db::repo::{coops, networks};
use coopnet_db::{DbError, TransactionTrait};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::activities::store_member;
use crate::protocol::actor::RemoteOrganization;
use crate::urls::host_port;
use crate::{FedData, FederationError};

/// Most pages walked in one resync (100 members each: a million co-ops).
const MAX_PAGES: usize = 10_000;

/// What a resync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// The digest matched: nothing fetched beyond the collection.
    pub unchanged: bool,
    /// New co-ops.
    pub added: u64,
    /// Co-ops whose newer version replaced ours.
    pub updated: u64,
    /// Co-ops no longer listed, dropped.
    pub removed: u64,
    /// Entries refused (bad data or wrong host).
    pub refused: u64,
}

impl std::fmt::Display for SyncReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.unchanged {
            return f.write_str("unchanged");
        }
        write!(
            f,
            "{} added, {} updated, {} removed, {} refused",
            self.added, self.updated, self.removed, self.refused
        )
    }
}

#[derive(Deserialize)]
struct Collection {
    #[serde(default)]
    first: Option<Url>,
    #[serde(rename = "coopnet:digest", default)]
    digest: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    #[serde(default)]
    next: Option<Url>,
    #[serde(default)]
    ordered_items: Vec<Value>,
}

/// The peer's `Group` actor fields we keep.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteGroup {
    id: Url,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    members: Option<Url>,
    #[serde(default)]
    following: Option<Url>,
    /// Read leniently: a peer's malformed extension must not cost us the peer.
    #[serde(default, rename = "coopnet:network")]
    network: Option<serde_json::Value>,
}

/// Most languages kept of a peer network.
const MAX_NETWORK_LANGUAGES: usize = 16;

/// A peer's country and languages from its `coopnet:network`, keeping only valid codes.
fn network_info(value: Option<&serde_json::Value>) -> (Option<String>, Vec<String>) {
    let Some(info) = value
        .cloned()
        .and_then(|v| serde_json::from_value::<crate::protocol::actor::NetworkInfo>(v).ok())
    else {
        return (None, Vec::new());
    };
    let country = info
        .country
        .and_then(|c| coopnet_core::CountryCode::parse(&c).ok())
        .map(|c| c.to_string());
    let mut seen = std::collections::HashSet::new();
    let languages: Vec<String> = info
        .languages
        .iter()
        .filter_map(|l| coopnet_core::LanguageTag::parse(l).ok())
        .map(|l| l.to_string())
        .filter(|l| seen.insert(l.clone()))
        .take(MAX_NETWORK_LANGUAGES)
        .collect();
    (country, languages)
}

/// Records a peer network from its `Group` actor (fetched now).
pub async fn record_peer(data: &Data<FedData>, actor_id: &Url) -> Result<Network, FederationError> {
    let group: RemoteGroup = fetch_object_http(actor_id, data).await?.object;
    if group.kind != "Group" || group.id != *actor_id {
        return Err(FederationError::BadRequest(format!(
            "{actor_id} is not a network actor"
        )));
    }
    let members = group
        .members
        .filter(|m| host_port(m) == host_port(actor_id));
    let domain = host_port(actor_id);
    let username =
        crate::html::plain_text(group.preferred_username.as_deref().unwrap_or("network"), 60);
    let name = crate::html::plain_text(group.name.as_deref().unwrap_or(&domain), 200);
    let summary = crate::html::plain_text(group.summary.as_deref().unwrap_or_default(), 2000);
    let (country, languages) = network_info(group.network.as_ref());
    Ok(networks::upsert_remote(
        &data.db,
        networks::RemoteNetwork {
            actor_id,
            username: &username,
            domain: &domain,
            name: &name,
            country: country.as_deref(),
            languages: &languages,
            summary: &summary,
            members_url: members.as_ref(),
        },
    )
    .await?)
}

/// Resyncs one peer; `force` ignores an unchanged digest. The outcome is recorded on the
/// network either way.
pub async fn resync(
    data: &Data<FedData>,
    network: &Network,
    force: bool,
) -> Result<SyncReport, FederationError> {
    let result = walk(data, network, force).await;
    let (ok, message, digest) = match &result {
        Ok((report, digest)) => (true, report.to_string(), digest.clone()),
        Err(e) => (false, e.to_string(), None),
    };
    networks::record_sync(&data.db, network.id, ok, &message, digest.as_deref()).await?;
    tracing::info!(peer = %network.domain, ok, %message, "resync");
    result.map(|(report, _)| report)
}

async fn walk(
    data: &Data<FedData>,
    network: &Network,
    force: bool,
) -> Result<(SyncReport, Option<String>), FederationError> {
    let state = networks::sync_state(&data.db, network.id).await?;
    let members_url = state.members_url.ok_or_else(|| {
        FederationError::BadRequest("peer publishes no members collection".into())
    })?;
    let peer_host = host_port(&members_url);
    let collection: Collection = fetch_object_http(&members_url, &data.reset_request_count())
        .await?
        .object;
    let mut report = SyncReport::default();
    if !force && collection.digest.is_some() && collection.digest == state.member_digest {
        report.unchanged = true;
        return Ok((report, collection.digest));
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut next = collection.first;
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        if pages > MAX_PAGES || host_port(&url) != peer_host {
            return Err(FederationError::BadRequest(
                "members collection paging out of bounds".into(),
            ));
        }
        // Each page is its own fetch budget.
        let page: Page = fetch_object_http(&url, &data.reset_request_count())
            .await?
            .object;
        // One transaction per page, a savepoint per member: a refused member costs only
        // itself, a crash mid-walk leaves whole pages (the next resync finishes the walk),
        // and a 10,000-member backfill commits 100 times instead of 10,000.
        let txn = coopnet_db::begin_write(&data.db).await?;
        for item in page.ordered_items {
            let org: RemoteOrganization = match serde_json::from_value(item) {
                Ok(o) => o,
                Err(_) => {
                    report.refused += 1;
                    continue;
                }
            };
            if host_port(&org.id) != peer_host {
                report.refused += 1;
                continue;
            }
            let id = org.id.to_string();
            let member = txn.begin().await.map_err(DbError::from)?;
            let stored = store_member(&member, network, org).await;
            if stored.is_ok() {
                member.commit().await.map_err(DbError::from)?;
            } else {
                member.rollback().await.map_err(DbError::from)?;
            }
            match stored {
                Ok(RemoteUpsert::Inserted) => report.added += 1,
                Ok(RemoteUpsert::Updated) => report.updated += 1,
                Ok(RemoteUpsert::Stale) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "member refused");
                    report.refused += 1;
                    continue;
                }
            }
            seen.insert(id);
        }
        txn.commit().await.map_err(DbError::from)?;
        next = page.next;
    }
    let txn = coopnet_db::begin_write(&data.db).await?;
    report.removed = coops::delete_remote_except(&txn, network.id, &seen).await?;
    txn.commit().await.map_err(DbError::from)?;
    Ok((report, collection.digest))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InlineCollection {
    #[serde(default)]
    ordered_items: Vec<Url>,
}

/// The actors a peer network follows (its `following` collection), for suggesting peers of
/// peers. Only same-host collections are read.
pub async fn peer_following(data: &Data<FedData>, peer: &Url) -> Result<Vec<Url>, FederationError> {
    let group: RemoteGroup = fetch_object_http(peer, &data.reset_request_count())
        .await?
        .object;
    let Some(following) = group.following.filter(|f| host_port(f) == host_port(peer)) else {
        return Ok(Vec::new());
    };
    let collection: InlineCollection = fetch_object_http(&following, &data.reset_request_count())
        .await?
        .object;
    Ok(collection.ordered_items.into_iter().take(200).collect())
}

#[cfg(test)]
mod network_info_tests {
    use serde_json::json;

    use super::network_info;

    #[test]
    fn keeps_valid_codes_only() {
        let v = json!({"country": "DE", "languages": ["de", "en-GB", "not a tag!", "de"]});
        let (country, languages) = network_info(Some(&v));
        assert_eq!(country.as_deref(), Some("DE"));
        assert_eq!(languages, vec!["de", "en-GB"]);

        let bad = json!({"country": "<script>", "languages": "en"});
        assert_eq!(network_info(Some(&bad)), (None, Vec::new()));
        let many: Vec<String> = (0..100).map(|_| "fr".to_owned()).collect();
        let (_, languages) = network_info(Some(&json!({"languages": many})));
        assert_eq!(languages.len(), 1);
        assert_eq!(network_info(None), (None, Vec::new()));
    }
}
