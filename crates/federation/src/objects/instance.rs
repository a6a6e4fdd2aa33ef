//! The instance actor (`Application`, FEP-2677): signs our outgoing fetches, so servers in
//! secure mode (GoToSocial, Mastodon AUTHORIZED_FETCH) answer us.
use activitypub_federation::config::Data;
use activitypub_federation::traits::{Actor, Object};
use url::Url;

use crate::keys;
use crate::protocol::actor::{Endpoints, LocalActor, PublicKey};
use crate::protocol::actor_context;
use crate::urls::Urls;
use crate::{FedData, FederationError};

/// Handle of the instance actor (`acct:instance@DOMAIN`).
pub const INSTANCE_USERNAME: &str = "instance";

/// The instance actor with its keys.
#[derive(Debug, Clone)]
pub struct InstanceActor {
    id: Url,
    public_pem: String,
    private_pem: String,
}

impl InstanceActor {
    /// Loads (making on first use) the instance actor's keys.
    pub async fn load(data: &FedData) -> Result<Self, FederationError> {
        let pair = keys::for_instance(data).await?;
        Ok(Self {
            id: data.urls.instance(),
            public_pem: pair.public_pem,
            private_pem: pair.private_pem,
        })
    }

    /// Its actor document.
    pub fn document(&self, urls: &Urls) -> LocalActor {
        LocalActor {
            context: Some(actor_context()),
            id: self.id.clone(),
            kind: "Application".into(),
            preferred_username: INSTANCE_USERNAME.into(),
            name: format!("{} (instance actor)", urls.domain()),
            summary: Some(
                "<p>This instance's own actor; it signs requests to other servers.</p>".into(),
            ),
            summary_map: Default::default(),
            url: Url::parse(&format!("{}/about", urls.base())).unwrap_or_else(|_| self.id.clone()),
            icon: None,
            inbox: urls.instance_sub("inbox"),
            outbox: urls.instance_sub("outbox"),
            followers: Some(urls.instance_sub("followers")),
            following: Some(urls.instance_sub("following")),
            endpoints: Endpoints {
                shared_inbox: Some(urls.shared_inbox()),
            },
            public_key: Some(PublicKey {
                id: Urls::key_id(&self.id),
                owner: self.id.clone(),
                public_key_pem: self.public_pem.clone(),
            }),
            published: None,
            updated: None,
            manually_approves_followers: true,
            discoverable: false,
            indexable: false,
            attachment: vec![],
            tag: vec![],
            location: None,
            members: None,
            coopnet_profile: None,
            coopnet_network: None,
            webfinger: Some(format!("acct:{INSTANCE_USERNAME}@{}", urls.domain())),
        }
    }
}

#[async_trait::async_trait]
impl Object for InstanceActor {
    type DataType = FedData;
    type Kind = LocalActor;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(
        object_id: Url,
        data: &Data<FedData>,
    ) -> Result<Option<Self>, FederationError> {
        if object_id == data.urls.instance() {
            Ok(Some(Self::load(data).await?))
        } else {
            Ok(None)
        }
    }

    async fn into_json(self, data: &Data<FedData>) -> Result<LocalActor, FederationError> {
        Ok(self.document(&data.urls))
    }

    async fn verify(
        _json: &LocalActor,
        _expected_domain: &Url,
        _data: &Data<FedData>,
    ) -> Result<(), FederationError> {
        Err(FederationError::BadRequest(
            "the instance actor is local".into(),
        ))
    }

    async fn from_json(_json: LocalActor, _data: &Data<FedData>) -> Result<Self, FederationError> {
        Err(FederationError::BadRequest(
            "the instance actor is local".into(),
        ))
    }
}

impl Actor for InstanceActor {
    fn public_key_pem(&self) -> &str {
        &self.public_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        Some(self.private_pem.clone())
    }

    fn inbox(&self) -> Url {
        let mut inbox = self.id.clone();
        inbox.set_path("/actor/inbox");
        inbox
    }
}
