//! Remote actors of any type (Person, Service, Application, Group, Organization): fetched,
//! verified, cached in `remote_actor`, used to check signatures and to deliver.
use activitypub_federation::config::Data;
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::{Actor, Object};
use chrono::{DateTime, Utc};
use coopnet_core::ActorKind;
use coopnet_db::repo::remote_actors::{self, RemoteActorRecord};
use url::Url;

use crate::html::plain_text;
use crate::protocol::actor::{Endpoints, PublicKey, RemoteActorDoc};
use crate::urls::host_port;
use crate::{FedData, FederationError};

/// A cached remote actor.
#[derive(Debug, Clone)]
pub struct ApubRemoteActor(pub RemoteActorRecord);

/// Longest name or handle we keep from a remote actor.
const MAX_NAME: usize = 200;

#[async_trait::async_trait]
impl Object for ApubRemoteActor {
    type DataType = FedData;
    type Kind = RemoteActorDoc;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.0.actor_id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.0.fetched_at)
    }

    async fn read_from_id(
        object_id: Url,
        data: &Data<FedData>,
    ) -> Result<Option<Self>, FederationError> {
        Ok(remote_actors::find(&data.db, &object_id).await?.map(Self))
    }

    async fn delete(&self, data: &Data<FedData>) -> Result<(), FederationError> {
        remote_actors::delete(&data.db, &self.0.actor_id).await?;
        Ok(())
    }

    async fn into_json(self, _data: &Data<FedData>) -> Result<RemoteActorDoc, FederationError> {
        let a = self.0;
        Ok(RemoteActorDoc {
            id: a.actor_id.clone(),
            kind: a.kind.as_str().to_owned(),
            preferred_username: Some(a.username),
            name: a.name,
            inbox: a.inbox,
            endpoints: Some(Endpoints {
                shared_inbox: a.shared_inbox,
            }),
            public_key: PublicKey {
                id: a.public_key_id,
                owner: a.actor_id,
                public_key_pem: a.public_key_pem,
            },
        })
    }

    async fn verify(
        json: &RemoteActorDoc,
        expected_domain: &Url,
        _data: &Data<FedData>,
    ) -> Result<(), FederationError> {
        verify_domains_match(&json.id, expected_domain)?;
        if ActorKind::parse(&json.kind).is_none() {
            return Err(FederationError::BadRequest(format!(
                "unsupported actor type {}",
                json.kind
            )));
        }
        if json.public_key.owner != json.id {
            return Err(FederationError::BadRequest(
                "publicKey.owner is not the actor".into(),
            ));
        }
        // The key must live on the actor's own host (Misskey checks the same): a key served
        // elsewhere could be controlled by someone else.
        let key_url = Url::parse(&json.public_key.id)
            .map_err(|e| FederationError::BadRequest(format!("publicKey.id: {e}")))?;
        if host_port(&key_url) != host_port(&json.id)
            || host_port(&json.inbox) != host_port(&json.id)
        {
            return Err(FederationError::BadRequest(
                "key or inbox on a different host than the actor".into(),
            ));
        }
        Ok(())
    }

    async fn from_json(
        json: RemoteActorDoc,
        data: &Data<FedData>,
    ) -> Result<Self, FederationError> {
        let shared_inbox = json
            .endpoints
            .and_then(|e| e.shared_inbox)
            .filter(|s| host_port(s) == host_port(&json.id));
        let username = json
            .preferred_username
            .map(|u| plain_text(&u, MAX_NAME))
            .unwrap_or_else(|| {
                json.id
                    .path_segments()
                    .and_then(|mut s| s.next_back())
                    .unwrap_or_default()
                    .to_owned()
            });
        let kind = ActorKind::parse(&json.kind).ok_or_else(|| {
            FederationError::BadRequest(format!("unsupported actor type {}", json.kind))
        })?;
        let record = RemoteActorRecord {
            id: 0,
            domain: host_port(&json.id),
            actor_id: json.id,
            kind,
            username,
            name: json.name.map(|n| plain_text(&n, MAX_NAME)),
            inbox: json.inbox,
            shared_inbox,
            public_key_id: json.public_key.id,
            public_key_pem: json.public_key.public_key_pem,
            fetched_at: Utc::now(),
        };
        Ok(Self(remote_actors::upsert(&data.db, &record).await?))
    }
}

impl Actor for ApubRemoteActor {
    fn public_key_pem(&self) -> &str {
        &self.0.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        None
    }

    fn inbox(&self) -> Url {
        self.0.inbox.clone()
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.0.shared_inbox.clone()
    }
}
