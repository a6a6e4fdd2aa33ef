//! Finding remote actors from what people type: `acct:user@host`, `@user@host`,
//! `user@host` (WebFinger) or an actor URL.
use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use url::Url;

use crate::objects::ApubRemoteActor;
use crate::{FedData, FederationError};

/// Resolves `target` to a remote actor (fetching and caching it).
pub async fn resolve(
    data: &Data<FedData>,
    target: &str,
) -> Result<ApubRemoteActor, FederationError> {
    let target = target.trim();
    if target.starts_with("http://") || target.starts_with("https://") {
        let url =
            Url::parse(target).map_err(|e| FederationError::Lookup(format!("{target}: {e}")))?;
        if data.urls.is_local(&url) {
            return Err(FederationError::Lookup(format!(
                "{target} is on this instance"
            )));
        }
        return ObjectId::<ApubRemoteActor>::from(url)
            .dereference(data)
            .await;
    }
    let handle = target.trim_start_matches("acct:").trim_start_matches('@');
    let (user, host) = handle.split_once('@').ok_or_else(|| {
        FederationError::Lookup(format!("'{target}' is not user@host or an actor URL"))
    })?;
    if host.eq_ignore_ascii_case(data.urls.domain()) {
        return Err(FederationError::Lookup(format!(
            "{target} is on this instance"
        )));
    }
    webfinger_resolve_actor::<FedData, ApubRemoteActor>(&format!("{user}@{host}"), data).await
}
