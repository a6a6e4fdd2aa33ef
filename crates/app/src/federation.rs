//! Federation with other networks: following, answering follows, blocking, resyncing.
use coopnet_core::{Block, FieldErrors, FollowState, FollowerState, Network, Target};
use coopnet_db::repo::federation_errors::{self, FederationErrorRecord};
use coopnet_db::repo::followers::{self, NetworkFollower};
use coopnet_db::repo::following::{self, Followed};
use coopnet_db::repo::networks::{self, SyncState};
use coopnet_db::repo::{blocks, coops, remote_actors};
use coopnet_federation::queue::commit_and_wake;
use coopnet_federation::sync::{self, SyncReport};
use coopnet_federation::{lookup, outbox};

use crate::{AppContext, AppError};

/// Our network actor follows `target` (`acct:user@host`, `@user@host`, `user@host` or an
/// actor URL). The follow stays pending until the remote side accepts; for a network,
/// its member directory is then backfilled.
#[tracing::instrument(skip_all, err, fields(target = %target))]
pub async fn follow(ctx: &AppContext, target: &str) -> Result<Followed, AppError> {
    let data = ctx.federation.to_request_data();
    let actor = lookup::resolve(&data, target).await.map_err(|e| {
        tracing::warn!(%target, error = %e, "follow target not resolved");
        match e {
            coopnet_federation::FederationError::Lookup(m) => {
                AppError::Invalid(FieldErrors::single("target", m))
            }
            // Fetched documents never reach the answer: fixed words (the log has the rest).
            other => AppError::NotFound(format!("{target}: {}", other.public_message())),
        }
    })?;
    if blocks::is_blocked(&ctx.db, &actor.0.domain).await? {
        return Err(AppError::Conflict(format!(
            "{} is blocked; unblock it first",
            actor.0.domain
        )));
    }
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    outbox::follow(&txn, ctx.fed(), &actor.0).await?;
    commit_and_wake(txn, [&ctx.fed().wake]).await?;
    following::list(&ctx.db)
        .await?
        .into_iter()
        .find(|f| f.actor_id == actor.0.actor_id)
        .ok_or_else(|| AppError::internal("follow not recorded"))
}

/// How many recent federation errors the console lists.
pub const RECENT_ERRORS: u64 = 50;

/// The latest refused or failed federation steps (every peer's, newest first, at most
/// [`RECENT_ERRORS`]): a peer's `Reject`, failed deliveries, failed backfills and
/// resyncs, activities of theirs we refused.
pub async fn recent_errors(ctx: &AppContext) -> Result<Vec<FederationErrorRecord>, AppError> {
    Ok(federation_errors::recent(&ctx.db, RECENT_ERRORS).await?)
}

/// Everything our network follows, with each follow's state.
pub async fn following(ctx: &AppContext) -> Result<Vec<Followed>, AppError> {
    Ok(following::list(&ctx.db).await?)
}

fn matches(domain_or_actor: &str, host: &str, actor_id: &url::Url) -> bool {
    domain_or_actor.eq_ignore_ascii_case(host) || domain_or_actor == actor_id.as_str()
}

/// Stops following everything on `domain` (or the actor with that id): sends `Undo`, and
/// removes a followed network's co-ops from the directory.
pub async fn unfollow(ctx: &AppContext, domain: &str) -> Result<usize, AppError> {
    let targets: Vec<Followed> = following::list(&ctx.db)
        .await?
        .into_iter()
        .filter(|f| matches(domain, &f.domain, &f.actor_id))
        .collect();
    if targets.is_empty() {
        return Err(AppError::NotFound(format!("no follow of {domain}")));
    }
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    for f in &targets {
        if let Some(actor) = remote_actors::find(&txn, &f.actor_id).await? {
            outbox::unfollow(&txn, ctx.fed(), &actor, &f.follow_id).await?;
            following::remove(&txn, actor.id).await?;
        }
        if let Some(network) = networks::find_by_actor(&txn, &f.actor_id).await? {
            networks::delete_remote(&txn, network.id).await?;
        }
    }
    commit_and_wake(txn, [&ctx.fed().wake]).await?;
    // The forgotten networks' co-ops leave this process's index at its next query.
    ctx.search_index.invalidate();
    Ok(targets.len())
}

/// Networks that follow ours (or asked to), with their state.
pub async fn requests(ctx: &AppContext) -> Result<Vec<NetworkFollower>, AppError> {
    Ok(followers::network_peers(&ctx.db, ctx.network.id).await?)
}

async fn answer(ctx: &AppContext, domain: &str, accept: bool) -> Result<usize, AppError> {
    let peers: Vec<NetworkFollower> = requests(ctx)
        .await?
        .into_iter()
        .filter(|p| matches(domain, &p.actor.domain, &p.actor.actor_id))
        .collect();
    if peers.is_empty() {
        return Err(AppError::NotFound(format!(
            "no follow request from {domain}"
        )));
    }
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    for p in &peers {
        outbox::answer_follow(&txn, ctx.fed(), &p.actor, &p.follow_id, accept).await?;
        if accept {
            followers::set_state(
                &txn,
                Target::Network(ctx.network.id),
                p.actor.id,
                FollowerState::Accepted,
            )
            .await?;
        } else {
            // A rejected request leaves nothing behind.
            followers::remove(&txn, Target::Network(ctx.network.id), p.actor.id).await?;
        }
    }
    commit_and_wake(txn, [&ctx.fed().wake]).await?;
    Ok(peers.len())
}

/// Accepts the follow requests of `domain` (manual policy).
pub async fn accept(ctx: &AppContext, domain: &str) -> Result<usize, AppError> {
    answer(ctx, domain, true).await
}

/// Rejects the follow requests of `domain`.
pub async fn reject(ctx: &AppContext, domain: &str) -> Result<usize, AppError> {
    answer(ctx, domain, false).await
}

/// Blocks `domain`: its activities are refused, its follows of us removed, our follows of
/// it undone and its co-ops dropped from the directory.
pub async fn block(ctx: &AppContext, domain: &str, reason: &str) -> Result<(), AppError> {
    let domain = domain.trim().to_ascii_lowercase();
    if domain.is_empty() || domain.contains('/') {
        return Err(
            FieldErrors::single("domain", "must be a host name, e.g. coops.example").into(),
        );
    }
    if domain == ctx.settings.domain.to_ascii_lowercase() {
        return Err(FieldErrors::single("domain", "is this instance").into());
    }
    let _ = unfollow(ctx, &domain).await;
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    blocks::add(&txn, &domain, reason).await?;
    // Forgetting its actors cascades to their follows of us.
    for actor in remote_actors::on_domain(&txn, &domain).await? {
        remote_actors::delete(&txn, &actor.actor_id).await?;
    }
    for network in networks::list(&txn)
        .await?
        .into_iter()
        .filter(|n| !n.is_local() && n.domain.eq_ignore_ascii_case(&domain))
    {
        networks::delete_remote(&txn, network.id).await?;
    }
    txn.commit().await?;
    ctx.search_index.invalidate();
    Ok(())
}

/// Lifts a block.
pub async fn unblock(ctx: &AppContext, domain: &str) -> Result<(), AppError> {
    if blocks::remove(&ctx.db, domain.trim()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("block of {domain}")))
    }
}

/// Every blocked domain.
pub async fn blocked(ctx: &AppContext) -> Result<Vec<Block>, AppError> {
    Ok(blocks::list(&ctx.db).await?)
}

/// A peer network as the federation list shows it.
#[derive(Debug, Clone)]
pub struct Peer {
    /// What we know of it (name, domain, actor).
    pub network: Network,
    /// Our follow of it, if any.
    pub following: Option<FollowState>,
    /// Its follow of us, if any.
    pub follower: Option<FollowerState>,
    /// Its co-ops in our directory.
    pub members: u64,
    /// The last resync.
    pub sync: SyncState,
}

/// Every peer network we know: followed, following us, or both.
pub async fn peers(ctx: &AppContext) -> Result<Vec<Peer>, AppError> {
    let followed = following::list(&ctx.db).await?;
    let followers = requests(ctx).await?;
    let mut out = Vec::new();
    for network in networks::list(&ctx.db)
        .await?
        .into_iter()
        .filter(|n| !n.is_local())
    {
        let actor = network.actor_id.clone();
        let following = followed
            .iter()
            .find(|f| Some(&f.actor_id) == actor.as_ref())
            .map(|f| f.state);
        let follower = followers
            .iter()
            .find(|p| Some(&p.actor.actor_id) == actor.as_ref())
            .map(|p| p.state);
        let members = coops::count(&ctx.db, network.id).await?;
        let sync = networks::sync_state(&ctx.db, network.id).await?;
        out.push(Peer {
            network,
            following,
            follower,
            members,
            sync,
        });
    }
    Ok(out)
}

/// Resyncs the peer networks (all, or those on `domain`) now.
pub async fn resync(
    ctx: &AppContext,
    domain: Option<&str>,
) -> Result<Vec<(String, Result<SyncReport, String>)>, AppError> {
    let data = ctx.federation.to_request_data();
    let mut out = Vec::new();
    for f in following::list(&ctx.db).await? {
        if f.state != FollowState::Accepted
            || !f.kind.is_network()
            || domain.is_some_and(|d| !matches(d, &f.domain, &f.actor_id))
        {
            continue;
        }
        let network = match networks::find_by_actor(&ctx.db, &f.actor_id).await? {
            Some(n) => n,
            None => sync::record_peer(&data, &f.actor_id)
                .await
                .map_err(|e| AppError::remote(format!("recording the peer {}", f.domain), e))?,
        };
        // An unchanged digest ends the resync at once (FEDERATION.md); backfills force.
        let result = sync::resync(&data, &network, false)
            .await
            .map_err(|e| e.brief());
        out.push((f.domain.clone(), result));
    }
    if out.is_empty() && domain.is_some() {
        return Err(AppError::NotFound(format!(
            "no accepted follow of a network on {}",
            domain.unwrap_or_default()
        )));
    }
    Ok(out)
}

/// Networks our peers follow that we do not know yet (each peer asked for at most `wait`).
pub async fn suggestions(
    ctx: &AppContext,
    wait: std::time::Duration,
) -> Result<Vec<url::Url>, AppError> {
    let data = ctx.federation.to_request_data();
    let known: Vec<url::Url> = networks::list(&ctx.db)
        .await?
        .into_iter()
        .filter_map(|n| n.actor_id)
        .collect();
    let own = ctx.fed().urls.network();
    let mut out: Vec<url::Url> = Vec::new();
    for f in following::list(&ctx.db)
        .await?
        .into_iter()
        .filter(|f| f.kind.is_network() && f.state == FollowState::Accepted)
    {
        if let Ok(Ok(list)) =
            tokio::time::timeout(wait, sync::peer_following(&data, &f.actor_id)).await
        {
            for actor in list {
                if actor != own && !known.contains(&actor) && !out.contains(&actor) {
                    out.push(actor);
                }
            }
        }
    }
    Ok(out)
}

/// Queues a resync job for every accepted peer network (the job worker runs them; an
/// unchanged digest ends each at once). Returns how many were queued (a peer whose resync
/// is already waiting is not queued twice).
pub async fn enqueue_resyncs(ctx: &AppContext) -> Result<usize, AppError> {
    let peers = following::list(&ctx.db).await?;
    let txn = coopnet_db::begin_write(&ctx.db).await?;
    let mut queued = 0;
    for f in peers {
        if f.state != FollowState::Accepted || !f.kind.is_network() {
            continue;
        }
        let job = coopnet_federation::jobs::Job::Resync { actor: f.actor_id };
        if coopnet_federation::jobs::enqueue(&txn, &job).await? {
            queued += 1;
        }
    }
    commit_and_wake(txn, (queued > 0).then_some(&ctx.fed().jobs_wake)).await?;
    Ok(queued)
}

/// Queues a resync of every accepted peer every `interval` (±10 % jitter) until `stop`
/// turns true; the job worker runs them (with retries), on whichever process claims them.
pub fn spawn_resync_loop(
    ctx: AppContext,
    interval: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let jitter = {
                use rand::Rng;
                rand::rng().random_range(0.9..1.1)
            };
            tokio::select! {
                () = tokio::time::sleep(interval.mul_f64(jitter)) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                break;
            }
            if let Err(e) = enqueue_resyncs(&ctx).await {
                tracing::warn!(error = %e, "periodic resync not queued");
            }
        }
    })
}
