//! Pulling a peer network's member directory: backfill after a follow is accepted, periodic
//! resync (anti-entropy) and on demand. Walks the paged members collection, upserts each
//! co-op (older versions never win, identical ones are not rewritten), and drops co-ops no
//! longer listed.
//!
//! A peer is hostile until proven otherwise, so a walk is bounded ([`WalkLimits`]): items
//! per page, co-ops per peer, pages (a page already seen ends the walk: `next` pointing back
//! is a loop, not more data), and a deadline for the whole walk. Crossing a bound ends the
//! walk with a [`WalkError`] that says which, recorded on the peer (`coopnet federation
//! list`); what was stored so far stays, and nothing is dropped, since the walk is
//! incomplete. Writes commit in batches of [`WRITE_BATCH`] members, so a walk never holds
//! the write lock long enough for other writers (an admin editing a co-op) to time out.
use std::collections::HashSet;
use std::time::{Duration, Instant};

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use coopnet_core::{ActorKind, Network};
use coopnet_db::repo::coops::{RemoteCoop, RemoteUpsert};
use coopnet_db::repo::{coops, networks};
use coopnet_db::{DbError, TransactionTrait};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::members;
use crate::protocol::actor::{RemoteGroup, RemoteOrganization};
use crate::protocol::collection::{RemoteOrderedCollection, RemoteOrderedCollectionPage};
use crate::urls::host_port;
use crate::{FedData, FederationError};

/// Members written per transaction during a walk.
pub const WRITE_BATCH: usize = 50;

/// The bounds of one walk of a peer's members collection (`federation.peer_*` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkLimits {
    /// Most co-ops kept of one peer.
    pub max_members: u64,
    /// Most items on one page.
    pub max_page_items: u64,
    /// Longest time for the whole walk.
    pub deadline: Duration,
}

impl Default for WalkLimits {
    fn default() -> Self {
        Self {
            max_members: 50_000,
            max_page_items: 1_000,
            deadline: Duration::from_secs(1_800),
        }
    }
}

impl WalkLimits {
    /// Most pages: a page may hold a single member, plus a few empty ones.
    fn max_pages(&self) -> u64 {
        self.max_members.saturating_add(10)
    }
}

/// Why a walk stopped early. Our words and our numbers only: shown to admins as the peer's
/// last sync outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    /// The peer's actor names no members collection.
    #[error("the peer publishes no members collection")]
    NoCollection,
    /// A page URL on another host than the collection.
    #[error("members collection page {page} is on another host")]
    OffHost {
        /// 1-based page number.
        page: u64,
    },
    /// `next` led to a page already walked.
    #[error("members collection loops: page {page} links back to an earlier page")]
    Loop {
        /// 1-based page number.
        page: u64,
    },
    /// Too many items on one page.
    #[error(
        "members collection page {page} has {items} items (limit {limit}, federation.peer_max_page_items)"
    )]
    PageTooLarge {
        /// 1-based page number.
        page: u64,
        /// Items on it.
        items: usize,
        /// The limit.
        limit: u64,
    },
    /// More co-ops than one peer may have here.
    #[error("the peer lists more than {limit} co-ops (federation.peer_max_members)")]
    TooManyMembers {
        /// The limit.
        limit: u64,
    },
    /// More pages than the members could fill.
    #[error("members collection has more than {limit} pages")]
    TooManyPages {
        /// The limit.
        limit: u64,
    },
    /// The walk ran out of time.
    #[error("walk not finished after {secs} s (federation.peer_walk_timeout_secs), at page {page}")]
    Deadline {
        /// The deadline in seconds.
        secs: u64,
        /// Pages walked.
        page: u64,
    },
    /// A fetch failed; what we could tell in our own words.
    #[error("fetching {what} failed: {why}")]
    Fetch {
        /// What was being fetched (`the peer's actor`, `page 3`).
        what: String,
        /// [`FederationError::public_message`] of the failure.
        why: &'static str,
    },
}

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
    if ActorKind::parse(&group.kind) != Some(ActorKind::Group) || group.id != *actor_id {
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
        Err(e) => (false, e.brief(), None),
    };
    networks::record_sync(&data.db, network.id, ok, &message, digest.as_deref()).await?;
    tracing::info!(peer = %network.domain, ok, %message, "resync");
    result.map(|(report, _)| report)
}

/// Fetches `url` as `T` within the walk's deadline, naming `what` in a failure.
async fn fetch<T: serde::de::DeserializeOwned>(
    data: &Data<FedData>,
    url: &Url,
    what: impl Fn() -> String,
    deadline: Instant,
    limits: &WalkLimits,
    page: u64,
) -> Result<T, FederationError> {
    let late = || WalkError::Deadline {
        secs: limits.deadline.as_secs(),
        page,
    };
    let left = deadline
        .checked_duration_since(Instant::now())
        .ok_or_else(late)?;
    // Each fetch is its own request budget (the library counts fetches per request data).
    match tokio::time::timeout(left, fetch_object_http(url, &data.reset_request_count())).await {
        Err(_) => Err(late().into()),
        Ok(Ok(fetched)) => Ok(fetched.object),
        Ok(Err(e)) => {
            let e = FederationError::from(e);
            tracing::warn!(%url, error = %e, "members walk: fetch failed");
            Err(WalkError::Fetch {
                what: what(),
                why: e.public_message(),
            }
            .into())
        }
    }
}

async fn walk(
    data: &Data<FedData>,
    network: &Network,
    force: bool,
) -> Result<(SyncReport, Option<String>), FederationError> {
    let limits = data.walk;
    let deadline = Instant::now() + limits.deadline;
    let state = networks::sync_state(&data.db, network.id).await?;
    let members_url = state.members_url.ok_or(WalkError::NoCollection)?;
    let peer_host = host_port(&members_url);
    let collection: RemoteOrderedCollection = fetch(
        data,
        &members_url,
        || "the members collection".into(),
        deadline,
        &limits,
        0,
    )
    .await?;
    let mut report = SyncReport::default();
    if !force && collection.digest.is_some() && collection.digest == state.member_digest {
        report.unchanged = true;
        return Ok((report, collection.digest));
    }
    let mut kept: HashSet<String> = HashSet::new();
    let mut walked: HashSet<Url> = HashSet::from([members_url.clone()]);
    let mut next = collection.first;
    let mut page_no: u64 = 0;
    while let Some(url) = next.take() {
        page_no += 1;
        if page_no > limits.max_pages() {
            return Err(WalkError::TooManyPages {
                limit: limits.max_pages(),
            }
            .into());
        }
        if host_port(&url) != peer_host {
            return Err(WalkError::OffHost { page: page_no }.into());
        }
        if !walked.insert(url.clone()) {
            return Err(WalkError::Loop { page: page_no }.into());
        }
        let page: RemoteOrderedCollectionPage = fetch(
            data,
            &url,
            || format!("members page {page_no}"),
            deadline,
            &limits,
            page_no,
        )
        .await?;
        if page.ordered_items.len() as u64 > limits.max_page_items {
            return Err(WalkError::PageTooLarge {
                page: page_no,
                items: page.ordered_items.len(),
                limit: limits.max_page_items,
            }
            .into());
        }
        for batch in page.ordered_items.chunks(WRITE_BATCH) {
            if Instant::now() > deadline {
                return Err(WalkError::Deadline {
                    secs: limits.deadline.as_secs(),
                    page: page_no,
                }
                .into());
            }
            let cap = usize::try_from(limits.max_members).unwrap_or(usize::MAX);
            if !store_batch(
                data,
                network,
                &peer_host,
                batch,
                cap,
                &mut kept,
                &mut report,
            )
            .await?
            {
                return Err(WalkError::TooManyMembers {
                    limit: limits.max_members,
                }
                .into());
            }
        }
        next = page.next;
    }
    let txn = coopnet_db::begin_write(&data.db).await?;
    report.removed = coops::delete_remote_except(&txn, network.id, &kept).await?;
    txn.commit().await.map_err(DbError::from)?;
    Ok((report, collection.digest))
}

/// Stores one batch of a page's items in one transaction. Every item is read and checked
/// first (`members::check` is pure); the members we hold no row for, the whole batch on a
/// first walk, are then inserted together in a few statements (`coops::insert_remote_many`,
/// inside a savepoint); the others, and all of them should that insert fail (a peer
/// listing one handle twice), are stored one by one, a savepoint each: a refused member
/// costs only itself, and a crash mid-walk leaves whole batches (the next resync finishes
/// the walk). Ids of the members the peer still lists go into `kept`, up to `cap` of them:
/// `false` when a further member did not fit (what came before it is committed).
async fn store_batch(
    data: &Data<FedData>,
    network: &Network,
    peer_host: &str,
    items: &[Value],
    cap: usize,
    kept: &mut HashSet<String>,
    report: &mut SyncReport,
) -> Result<bool, FederationError> {
    let now = chrono::Utc::now();
    let mut fits = true;
    let mut read: Vec<(RemoteOrganization, members::CheckedMember)> = Vec::new();
    let mut batch_ids: HashSet<String> = HashSet::new();
    for item in items {
        let org: RemoteOrganization = match RemoteOrganization::deserialize(item) {
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
        let member = match members::check(&org, now) {
            Ok(m) => m,
            Err(e) => {
                tracing::debug!(error = %e, "member refused");
                report.refused += 1;
                continue;
            }
        };
        let id = org.id.to_string();
        let new_ids = batch_ids.iter().filter(|i| !kept.contains(*i)).count();
        if kept.len() + new_ids >= cap && !kept.contains(&id) && !batch_ids.contains(&id) {
            fits = false;
            break;
        }
        batch_ids.insert(id);
        read.push((org, member));
    }

    let txn = coopnet_db::begin_write(&data.db).await?;
    let ids: Vec<String> = read.iter().map(|(org, _)| org.id.to_string()).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let known = coops::known_actor_ids(&txn, &id_refs).await?;
    let (fresh, mut one_by_one): (Vec<_>, Vec<_>) = read
        .into_iter()
        .partition(|(org, _)| !known.contains(org.id.as_str()));
    if !fresh.is_empty() {
        let remotes: Vec<RemoteCoop> = fresh
            .iter()
            .map(|(org, m)| RemoteCoop {
                network_id: network.id,
                actor_id: &org.id,
                slug: &m.slug,
                profile: &m.profile,
                created_at: m.created_at,
                updated_at: m.updated_at,
            })
            .collect();
        let all = txn.begin().await.map_err(DbError::from)?;
        match coops::insert_remote_many(&all, &remotes).await {
            Ok(inserted) => {
                all.commit().await.map_err(DbError::from)?;
                report.added += inserted.len() as u64;
                kept.extend(fresh.iter().map(|(org, _)| org.id.to_string()));
            }
            Err(e) => {
                all.rollback().await.map_err(DbError::from)?;
                tracing::debug!(error = %e, "batch insert refused; storing members one by one");
                one_by_one.extend(fresh);
            }
        }
    }
    for (org, _) in one_by_one {
        let id = org.id.to_string();
        let member = txn.begin().await.map_err(DbError::from)?;
        let stored = members::store(&member, network, org).await;
        if stored.is_ok() {
            member.commit().await.map_err(DbError::from)?;
        } else {
            member.rollback().await.map_err(DbError::from)?;
        }
        match stored {
            Ok(RemoteUpsert::Inserted) => report.added += 1,
            Ok(RemoteUpsert::Updated) => report.updated += 1,
            Ok(RemoteUpsert::Stale | RemoteUpsert::Unchanged) => {}
            Err(e) => {
                tracing::debug!(error = %e, "member refused");
                report.refused += 1;
                continue;
            }
        }
        kept.insert(id);
    }
    txn.commit().await.map_err(DbError::from)?;
    Ok(fits)
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
    let collection: RemoteOrderedCollection<Vec<Url>> =
        fetch_object_http(&following, &data.reset_request_count())
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
