//! WebFinger, host-meta and NodeInfo: the documents other servers fetch to find our actors
//! and learn what software we run. The wire types are in `protocol::webfinger` and
//! `protocol::nodeinfo`; these handlers fill them from the database and `FedData`.
use activitypub_federation::config::Data;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coopnet_db::repo::coops::{self, SlugState};
use coopnet_db::repo::posts;
use serde::Deserialize;
use url::Url;

use crate::objects::instance::INSTANCE_USERNAME;
use crate::protocol::nodeinfo::{Metadata, NodeInfo, NodeInfoLink, NodeInfoLinks, NodeInfoVersion};
use crate::protocol::webfinger::{Jrd, JrdLink};
use crate::urls::LocalRef;
use crate::{FedData, FederationError};

/// `?resource=`
#[derive(Debug, Deserialize)]
pub struct WebfingerQuery {
    #[serde(default)]
    resource: Option<String>,
}

fn jrd_response(jrd: &Jrd) -> Response {
    match serde_json::to_vec(jrd) {
        Ok(body) => {
            let mut r = (StatusCode::OK, body).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/jrd+json; charset=utf-8"),
            );
            r.headers_mut().insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            r
        }
        Err(e) => FederationError::Internal(e.to_string()).into_response(),
    }
}

fn jrd(data: &FedData, user: &str, actor: &Url) -> Jrd {
    Jrd {
        subject: format!("acct:{user}@{}", data.urls.domain()),
        aliases: vec![actor.to_string()],
        links: vec![
            JrdLink {
                rel: "self".into(),
                kind: Some("application/activity+json".into()),
                href: Some(actor.to_string()),
                template: None,
            },
            JrdLink {
                rel: "http://webfinger.net/rel/profile-page".into(),
                kind: Some("text/html".into()),
                href: Some(actor.to_string()),
                template: None,
            },
        ],
    }
}

/// Which local user a resource names: `acct:user@domain` (case-insensitive) or an actor URL.
fn user_of(data: &FedData, resource: &str) -> Option<String> {
    let resource = resource.trim();
    if let Some(acct) = resource
        .strip_prefix("acct:")
        .or_else(|| resource.strip_prefix("ACCT:"))
    {
        let acct = acct.trim_start_matches('@');
        let (user, domain) = acct.rsplit_once('@')?;
        return domain
            .eq_ignore_ascii_case(data.urls.domain())
            .then(|| user.to_ascii_lowercase());
    }
    let url = Url::parse(resource).ok()?;
    match data.urls.parse(&url)? {
        LocalRef::Coop(slug) => Some(slug),
        LocalRef::Network => Some(data.network.username.to_string()),
        LocalRef::Instance => Some(INSTANCE_USERNAME.to_owned()),
    }
}

/// `GET /.well-known/webfinger?resource=acct:user@domain`: 404 unknown, 410 removed.
pub async fn webfinger(data: Data<FedData>, query: WebfingerQuery) -> Response {
    let Some(resource) = query.resource else {
        return FederationError::BadRequest("resource is required".into()).into_response();
    };
    let Some(user) = user_of(&data, &resource) else {
        return FederationError::NotFound.into_response();
    };
    if user == data.network.username.as_str() {
        return jrd_response(&jrd(&data, &user, &data.urls.network()));
    }
    if user == INSTANCE_USERNAME {
        return jrd_response(&jrd(&data, &user, &data.urls.instance()));
    }
    match coops::find_by_slug(&data.db, data.network.id, &user).await {
        Ok(SlugState::Live(coop)) => jrd_response(&jrd(
            &data,
            coop.slug.as_str(),
            &data.urls.coop(coop.slug.as_str()),
        )),
        Ok(SlugState::Deleted) => FederationError::Gone.into_response(),
        Ok(SlugState::Free) => FederationError::NotFound.into_response(),
        Err(e) => FederationError::from(e).into_response(),
    }
}

/// `GET /.well-known/host-meta`: where WebFinger is (Mastodon falls back to it on 404).
pub async fn host_meta(data: Data<FedData>) -> Response {
    let body = format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            "\n",
            r#"<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">"#,
            "\n  ",
            r#"<Link rel="lrdd" template="{}/.well-known/webfinger?resource={{uri}}"/>"#,
            "\n</XRD>\n"
        ),
        data.urls.base()
    );
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xrd+xml; charset=utf-8"),
    );
    r
}

/// `GET /.well-known/nodeinfo`: links to the documents and to the instance actor (FEP-2677).
pub async fn nodeinfo_links(data: Data<FedData>) -> Response {
    let base = data.urls.base();
    let mut links: Vec<NodeInfoLink> = Vec::new();
    for version in NodeInfoVersion::ALL {
        match Url::parse(&format!("{base}/nodeinfo/{}", version.as_str())) {
            Ok(href) => links.push(NodeInfoLink {
                rel: version.schema(),
                href,
            }),
            Err(e) => return FederationError::Internal(e.to_string()).into_response(),
        }
    }
    links.push(NodeInfoLink {
        rel: "https://www.w3.org/ns/activitystreams#Application".into(),
        href: data.urls.instance(),
    });
    let mut r = axum::Json(NodeInfoLinks { links }).into_response();
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

/// `GET /nodeinfo/2.0` and `/nodeinfo/2.1` ([`NodeInfo`]; 404 for other versions).
pub async fn nodeinfo(data: Data<FedData>, version: &str) -> Response {
    let Some(version) = NodeInfoVersion::parse(version) else {
        return FederationError::NotFound.into_response();
    };
    let counts = async {
        let coops = coops::count(&data.db, data.network.id).await?;
        let posts = posts::count_live(&data.db).await?;
        Ok::<_, coopnet_db::DbError>((coops, posts))
    };
    let (coops, posts) = match counts.await {
        Ok(c) => c,
        Err(e) => return FederationError::from(e).into_response(),
    };
    let metadata = Metadata {
        node_name: data.network.name.clone(),
        network_name: data.network.name.clone(),
        network_handle: format!("@{}@{}", data.network.username, data.urls.domain()),
        country: data.network.country.map(|c| c.to_string()),
        languages: data
            .network
            .languages
            .iter()
            .map(ToString::to_string)
            .collect(),
    };
    let body = NodeInfo::new(version, &data.software, coops, posts, metadata);
    let profile = format!(r#"application/json; profile="{}#""#, version.schema());
    let mut r = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&profile) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}
