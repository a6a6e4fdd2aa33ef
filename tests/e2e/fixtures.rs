//! Real-world shapes: actor documents and activities written after the public documentation
//! of Mastodon, GoToSocial, Misskey and Lemmy (`tests/fixtures/<software>/`, see its README).
//!
//! First the wire level: every fixture parses (and round-trips) into our types, actors pass
//! `ApubRemoteActor::verify` and tampered copies do not. Then end to end: a stub peer on a
//! loopback port serves the fixture actors (ids moved to `http://localhost:<port>`, keys
//! swapped for the test keys) and records what is POSTed to it, while the test signs the
//! fixture activities as that software would and plays Follow, the ignored activity, Undo,
//! a re-Follow and the actor's Delete against a running instance.
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use activitypub_federation::traits::Object;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use coopnet_db::repo::remote_actors;
use coopnet_federation::activities::InboxActivity;
use coopnet_federation::delivery::signer::{CONTENT_TYPE, Signer, http_date_now};
use coopnet_federation::objects::ApubRemoteActor;
use coopnet_federation::protocol::actor::RemoteActorDoc;
use coopnet_tests::TestInstance;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;

use crate::context;

/// The co-op every fixture Follow targets.
const FIXTURE_COOP: &str = "https://coops.example/coops/outlandish";
/// The host of that co-op in the fixtures.
const FIXTURE_COOPNET: &str = "https://coops.example";

/// One fixture actor and the test key pair (`tests/fixtures/keys/keyN`) it signs with.
struct ActorFixture {
    file: &'static str,
    key: u8,
}

/// One software's fixtures and habits.
struct Software {
    dir: &'static str,
    /// The fixtures' origin, replaced by the stub's.
    host: &'static str,
    /// What it answers actor fetches with.
    content_type: &'static str,
    /// The first one is the Person the activities are written for.
    actors: &'static [ActorFixture],
    follow: &'static str,
    undo: &'static str,
    delete: &'static str,
    /// An activity coopnet acknowledges and ignores, and its type.
    ignored: (&'static str, &'static str),
    /// Signs with `algorithm="hs2019"` (GoToSocial) rather than `rsa-sha256`.
    hs2019: bool,
    /// Sends the same Follow id again when re-following (Misskey: `/follows/{a}/{b}`).
    stable_follow_ids: bool,
}

const MASTODON: Software = Software {
    dir: "mastodon",
    host: "https://mastodon.example",
    content_type: "application/activity+json; charset=utf-8",
    actors: &[
        ActorFixture {
            file: "actor-person.json",
            key: 1,
        },
        ActorFixture {
            file: "actor-service.json",
            key: 2,
        },
    ],
    follow: "follow.json",
    undo: "undo-follow.json",
    delete: "delete-actor.json",
    ignored: ("like.json", "Like"),
    hs2019: false,
    stable_follow_ids: false,
};

const GOTOSOCIAL: Software = Software {
    dir: "gotosocial",
    host: "https://gts.example",
    content_type: "application/activity+json",
    actors: &[ActorFixture {
        file: "actor-person.json",
        key: 3,
    }],
    follow: "follow.json",
    undo: "undo-follow.json",
    delete: "delete-actor.json",
    ignored: ("like.json", "Like"),
    hs2019: true,
    stable_follow_ids: false,
};

const MISSKEY: Software = Software {
    dir: "misskey",
    host: "https://misskey.example",
    content_type: "application/activity+json; charset=utf-8",
    actors: &[ActorFixture {
        file: "actor-person.json",
        key: 4,
    }],
    follow: "follow.json",
    undo: "undo-follow.json",
    delete: "delete-actor.json",
    ignored: ("like-reaction.json", "Like"),
    hs2019: false,
    stable_follow_ids: true,
};

const LEMMY: Software = Software {
    dir: "lemmy",
    host: "https://lemmy.example",
    content_type: "application/activity+json",
    actors: &[
        ActorFixture {
            file: "actor-person.json",
            key: 1,
        },
        ActorFixture {
            file: "actor-group.json",
            key: 2,
        },
    ],
    follow: "follow.json",
    undo: "undo-follow.json",
    delete: "delete-user.json",
    ignored: ("announce.json", "Announce"),
    hs2019: false,
    stable_follow_ids: false,
};

const ALL: [&Software; 4] = [&MASTODON, &GOTOSOCIAL, &MISSKEY, &LEMMY];

fn fixture_path(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(fixture_path(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn software_fixture(sw: &Software, file: &str) -> String {
    fixture(&format!("{}/{file}", sw.dir))
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

// ---------------------------------------------------------------------------------------
// Wire level
// ---------------------------------------------------------------------------------------

#[test]
fn every_fixture_file_is_listed_here() {
    let mut listed = HashSet::new();
    for sw in ALL {
        for a in sw.actors {
            listed.insert(format!("{}/{}", sw.dir, a.file));
        }
        for f in [sw.follow, sw.undo, sw.delete, sw.ignored.0] {
            listed.insert(format!("{}/{f}", sw.dir));
        }
    }
    let mut on_disk = HashSet::new();
    for sw in ALL {
        for entry in std::fs::read_dir(fixture_path(sw.dir)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            on_disk.insert(format!("{}/{name}", sw.dir));
        }
    }
    assert_eq!(
        listed, on_disk,
        "a fixture nobody tests, or a test without its file"
    );
}

#[tokio::test]
async fn fixture_actors_parse_round_trip_and_verify() {
    let (ctx, _db) = context().await;
    let data = ctx.federation.to_request_data();
    for sw in ALL {
        for a in sw.actors {
            let name = format!("{}/{}", sw.dir, a.file);
            let doc: RemoteActorDoc = serde_json::from_str(&software_fixture(sw, a.file))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let again: RemoteActorDoc =
                serde_json::from_value(serde_json::to_value(&doc).unwrap()).unwrap();
            assert_eq!(doc, again, "{name} round-trips");
            assert!(
                coopnet_core::ActorKind::parse(&doc.kind).is_some(),
                "{name}"
            );
            assert!(doc.id.as_str().starts_with(sw.host), "{name}");
            assert_eq!(doc.public_key.owner, doc.id, "{name}");
            assert!(
                doc.public_key
                    .public_key_pem
                    .starts_with("-----BEGIN PUBLIC KEY-----"),
                "{name}"
            );

            // Fetched from its own id: accepted. From anywhere else: refused.
            ApubRemoteActor::verify(&doc, &doc.id, &data)
                .await
                .unwrap_or_else(|e| panic!("{name} should verify: {e}"));
            let elsewhere = url("https://elsewhere.example/users/alice");
            assert!(
                ApubRemoteActor::verify(&doc, &elsewhere, &data)
                    .await
                    .is_err(),
                "{name} served by another host"
            );

            // A key claimed by another actor of the same host.
            let mut other_owner = doc.clone();
            other_owner.public_key.owner = url(&format!("{}/users/mallory", sw.host));
            assert!(
                ApubRemoteActor::verify(&other_owner, &doc.id, &data)
                    .await
                    .is_err(),
                "{name} with publicKey.owner not the actor"
            );

            // A key (same path, fragment or not) on another host.
            let mut key_elsewhere = doc.clone();
            let mut key_id = url(&doc.public_key.id);
            key_id.set_host(Some("keys.elsewhere.example")).unwrap();
            key_elsewhere.public_key.id = key_id.to_string();
            assert!(
                ApubRemoteActor::verify(&key_elsewhere, &doc.id, &data)
                    .await
                    .is_err(),
                "{name} with its key on another host"
            );

            // An inbox on another host.
            let mut inbox_elsewhere = doc.clone();
            inbox_elsewhere.inbox = url("https://elsewhere.example/inbox");
            assert!(
                ApubRemoteActor::verify(&inbox_elsewhere, &doc.id, &data)
                    .await
                    .is_err(),
                "{name} with its inbox on another host"
            );
        }
    }
}

#[test]
fn fixture_actors_keep_each_softwares_quirks() {
    let parse = |sw: &Software, file: &str| -> RemoteActorDoc {
        serde_json::from_str(&software_fixture(sw, file)).unwrap()
    };
    let shared = |d: &RemoteActorDoc| d.endpoints.as_ref().and_then(|e| e.shared_inbox.clone());

    let alice = parse(&MASTODON, "actor-person.json");
    assert_eq!(alice.kind, "Person");
    assert_eq!(alice.public_key.id, format!("{}#main-key", alice.id));
    assert_eq!(shared(&alice), Some(url("https://mastodon.example/inbox")));
    assert_eq!(parse(&MASTODON, "actor-service.json").kind, "Service");

    let gts = parse(&GOTOSOCIAL, "actor-person.json");
    assert_eq!(gts.public_key.id, format!("{}/main-key", gts.id), "no '#'");
    assert_eq!(gts.endpoints, None, "GoToSocial has no shared inbox");

    let misskey = parse(&MISSKEY, "actor-person.json");
    assert_eq!(misskey.name, None, "Misskey sends \"name\": null");
    assert_eq!(shared(&misskey), Some(url("https://misskey.example/inbox")));

    let lemmy = parse(&LEMMY, "actor-person.json");
    assert_eq!(lemmy.endpoints, None);
    let community = parse(&LEMMY, "actor-group.json");
    assert_eq!(community.kind, "Group");
    assert_eq!(shared(&community), Some(url("https://lemmy.example/inbox")));
}

fn parse_activity(sw: &Software, file: &str) -> InboxActivity {
    serde_json::from_str(&software_fixture(sw, file))
        .unwrap_or_else(|e| panic!("{}/{file}: {e}", sw.dir))
}

/// Serialises what was parsed and parses it again.
macro_rules! reparse {
    ($parsed:expr) => {
        serde_json::from_value::<InboxActivity>(serde_json::to_value($parsed).unwrap()).unwrap()
    };
}

#[test]
fn fixture_activities_land_in_the_right_variant() {
    let coop = url(FIXTURE_COOP);
    for sw in ALL {
        let person: RemoteActorDoc =
            serde_json::from_str(&software_fixture(sw, sw.actors[0].file)).unwrap();
        let actor = person.id;

        let follow = parse_activity(sw, sw.follow);
        let InboxActivity::Follow(f) = &follow else {
            panic!("{}: Follow expected, got {follow:?}", sw.dir)
        };
        assert_eq!((&f.actor, &f.object), (&actor, &coop), "{}", sw.dir);
        assert!(
            matches!(reparse!(f), InboxActivity::Follow(ref g) if g == f),
            "{}",
            sw.dir
        );

        let undo = parse_activity(sw, sw.undo);
        let InboxActivity::Undo(u) = &undo else {
            panic!("{}: Undo expected, got {undo:?}", sw.dir)
        };
        assert_eq!(u.actor, actor, "{}", sw.dir);
        assert_eq!(&u.object, f, "{}: the Follow is embedded", sw.dir);
        assert!(
            matches!(reparse!(u), InboxActivity::Undo(ref v) if v == u),
            "{}",
            sw.dir
        );

        let delete = parse_activity(sw, sw.delete);
        let InboxActivity::Delete(d) = &delete else {
            panic!("{}: Delete expected, got {delete:?}", sw.dir)
        };
        assert_eq!((&d.actor, &d.object), (&actor, &actor), "{}", sw.dir);
        assert!(
            matches!(reparse!(d), InboxActivity::Delete(ref e) if e == d),
            "{}",
            sw.dir
        );

        let (file, kind) = sw.ignored;
        let ignored = parse_activity(sw, file);
        let InboxActivity::Other(o) = &ignored else {
            panic!("{}: {kind} should be Other, got {ignored:?}", sw.dir)
        };
        assert_eq!(o.kind, kind, "{}", sw.dir);
        assert!(
            matches!(reparse!(o), InboxActivity::Other(ref p) if p == o),
            "{}",
            sw.dir
        );
    }
    // Mastodon's actor Delete carries a Linked Data signature; it is read past, not required.
    let raw: Value = serde_json::from_str(&software_fixture(&MASTODON, MASTODON.delete)).unwrap();
    assert_eq!(raw["signature"]["type"], "RsaSignature2017");
}

// ---------------------------------------------------------------------------------------
// End to end: a stub peer and a running instance
// ---------------------------------------------------------------------------------------

/// One request the stub received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Default)]
struct StubState {
    /// Actor documents by path.
    actors: HashMap<String, Value>,
    /// Paths answering 410 Gone (deleted accounts).
    gone: HashSet<String>,
    /// POSTs, oldest first.
    received: Vec<Received>,
}

struct StubShared {
    content_type: &'static str,
    state: Mutex<StubState>,
}

/// A fake server of one software: serves its fixture actors, records inbox POSTs.
struct Stub {
    base: String,
    shared: Arc<StubShared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn stub_handler(
    State(shared): State<Arc<StubShared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let mut state = shared.state.lock().unwrap();
    if method == Method::POST {
        state.received.push(Received {
            path,
            headers,
            body,
        });
        return StatusCode::ACCEPTED.into_response();
    }
    if state.gone.contains(&path) {
        return StatusCode::GONE.into_response();
    }
    match state.actors.get(&path) {
        Some(doc) => (
            [(header::CONTENT_TYPE, shared.content_type)],
            doc.to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl Stub {
    async fn start(content_type: &'static str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(StubShared {
            content_type,
            state: Mutex::default(),
        });
        let app = Router::new()
            .fallback(stub_handler)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base: format!("http://localhost:{port}"),
            shared,
            task,
        }
    }

    fn serve_actor(&self, doc: Value) {
        let path = url(doc["id"].as_str().unwrap()).path().to_owned();
        self.shared.state.lock().unwrap().actors.insert(path, doc);
    }

    fn gone(&self, actor: &Url) {
        let mut state = self.shared.state.lock().unwrap();
        state.actors.remove(actor.path());
        state.gone.insert(actor.path().to_owned());
    }

    fn received(&self) -> Vec<Received> {
        self.shared.state.lock().unwrap().received.clone()
    }
}

/// One actor of the stub, ready to sign.
struct StubActor {
    id: Url,
    inbox: Url,
    signer: Signer,
}

/// The instance, its co-op and a stub serving one software's actors.
struct Peer<'a> {
    sw: &'a Software,
    instance: TestInstance,
    stub: Stub,
    http: reqwest::Client,
    coop: Url,
    actors: Vec<StubActor>,
}

impl<'a> Peer<'a> {
    async fn start(sw: &'a Software) -> Self {
        Self::start_with(sw, |_| {}).await
    }

    /// Like `start`; `prepare` may change the stub before any request is made.
    async fn start_with(sw: &'a Software, prepare: impl FnOnce(&Stub)) -> Self {
        let instance = TestInstance::spawn().await.unwrap();
        let input: coopnet_core::CoopInput = serde_json::from_value(json!({
            "slug": "outlandish", "name": "Outlandish", "country": "GB"
        }))
        .unwrap();
        coopnet_app::coops::create(&instance.ctx, &input)
            .await
            .unwrap();
        let coop = url(&instance.url("/coops/outlandish"));
        let stub = Stub::start(sw.content_type).await;
        let mut peer = Self {
            sw,
            instance,
            stub,
            http: reqwest::Client::new(),
            coop,
            actors: Vec::new(),
        };
        for a in sw.actors {
            let mut doc: Value = serde_json::from_str(&peer.localize(a.file)).unwrap();
            doc["publicKey"]["publicKeyPem"] =
                json!(fixture(&format!("keys/key{}.pub.pem", a.key)));
            let key_id = doc["publicKey"]["id"].as_str().unwrap().to_owned();
            let private = fixture(&format!("keys/key{}.pem", a.key));
            peer.actors.push(StubActor {
                id: url(doc["id"].as_str().unwrap()),
                inbox: url(doc["inbox"].as_str().unwrap()),
                signer: Signer::new(key_id, &private).unwrap(),
            });
            peer.stub.serve_actor(doc);
        }
        prepare(&peer.stub);
        peer
    }

    /// A fixture with the software's origin moved to the stub and the co-op to the instance.
    fn localize(&self, file: &str) -> String {
        software_fixture(self.sw, file)
            .replace(self.sw.host, &self.stub.base)
            .replace(FIXTURE_COOPNET, &self.instance.base_url)
    }

    /// A fixture activity as `actor` would send it: written for the software's Person, the
    /// Person's id (and so the key and activity ids under it) swapped for `actor`'s.
    fn activity_of(&self, file: &str, actor: &StubActor) -> Value {
        let person = self.actors[0].id.as_str();
        let text = self.localize(file).replace(person, actor.id.as_str());
        serde_json::from_str(&text).unwrap()
    }

    fn actor(&self, id: &str) -> &StubActor {
        self.actors
            .iter()
            .find(|a| a.id.as_str() == id)
            .unwrap_or_else(|| panic!("no stub actor {id}"))
    }

    /// POSTs `activity`, signed by its `actor` the way the software signs.
    async fn post(&self, inbox: &str, activity: &Value) -> (StatusCode, String) {
        let signer = &self.actor(activity["actor"].as_str().unwrap()).signer;
        self.post_signed_by(signer, inbox, activity).await
    }

    /// POSTs `activity` signed by `signer`, the way the software signs.
    async fn post_signed_by(
        &self,
        signer: &Signer,
        inbox: &str,
        activity: &Value,
    ) -> (StatusCode, String) {
        let inbox = url(&self.instance.url(inbox));
        let body = serde_json::to_vec_pretty(activity).unwrap();
        let signed = signer.sign_post(&inbox, &body, &http_date_now()).unwrap();
        let signature = if self.sw.hs2019 {
            signed
                .signature
                .replace(r#"algorithm="rsa-sha256""#, r#"algorithm="hs2019""#)
        } else {
            signed.signature
        };
        let response = self
            .http
            .post(inbox)
            .header("Host", signed.host)
            .header("Date", signed.date)
            .header("Digest", signed.digest)
            .header("Signature", signature)
            .header("Content-Type", CONTENT_TYPE)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        (status, response.text().await.unwrap_or_default())
    }

    async fn expect_202(&self, inbox: &str, activity: &Value, what: &str) {
        let (status, body) = self.post(inbox, activity).await;
        assert_eq!(
            status,
            StatusCode::ACCEPTED,
            "{} {what}: {body}\n{activity:#}",
            self.sw.dir
        );
    }

    async fn get_json(&self, path: &str) -> Value {
        let response = self
            .http
            .get(self.instance.url(path))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "GET {path}");
        response.json().await.unwrap()
    }

    async fn followers(&self) -> u64 {
        self.get_json("/coops/outlandish/followers").await["totalItems"]
            .as_u64()
            .unwrap()
    }

    /// Waits (at most 15 s) for an `Accept` of `follow_id` among the POSTs after the first
    /// `skip`, and checks it: to the follower's inbox, the Follow embedded, signed.
    async fn accept_of(&self, follow: &Value, follower: &StubActor, skip: usize) -> Value {
        let follow_id = &follow["id"];
        let deadline = Instant::now() + Duration::from_secs(15);
        let received = loop {
            let found =
                self.stub.received().into_iter().skip(skip).find(|r| {
                    r.json()["type"] == "Accept" && r.json()["object"]["id"] == *follow_id
                });
            if let Some(r) = found {
                break r;
            }
            assert!(
                Instant::now() < deadline,
                "{}: no Accept of {follow_id} within 15 s; the stub received {:#?}",
                self.sw.dir,
                self.stub
                    .received()
                    .iter()
                    .map(Received::json)
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(received.path, follower.inbox.path(), "{}", self.sw.dir);
        let accept = received.json();
        assert_eq!(accept["actor"], self.coop.as_str());
        let embedded = &accept["object"];
        assert_eq!(embedded["type"], "Follow");
        assert_eq!(embedded["actor"], follower.id.as_str());
        assert_eq!(embedded["object"], self.coop.as_str());
        self.check_signature(&received).await;
        accept
    }

    /// Checks a POST the instance made as the receiving software would: the Digest matches
    /// the body and the co-op's key signed the listed headers.
    async fn check_signature(&self, r: &Received) {
        let header = |name: &str| {
            r.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("no {name} header"))
                .to_owned()
        };
        let digest = format!("SHA-256={}", STANDARD.encode(Sha256::digest(&r.body)));
        assert_eq!(header("digest"), digest);
        let signature = header("signature");
        let param = |name: &str| {
            signature
                .split(',')
                .find_map(|p| p.trim().strip_prefix(&format!("{name}=")))
                .map(|v| v.trim_matches('"').to_owned())
                .unwrap_or_else(|| panic!("no {name} in {signature}"))
        };
        let actor = self.get_json("/coops/outlandish").await;
        assert_eq!(param("keyId"), actor["publicKey"]["id"].as_str().unwrap());
        let signing_string = param("headers")
            .split(' ')
            .map(|h| match h {
                "(request-target)" => format!("(request-target): post {}", r.path),
                h => format!("{h}: {}", header(h)),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let key = rsa::RsaPublicKey::from_public_key_pem(
            actor["publicKey"]["publicKeyPem"].as_str().unwrap(),
        )
        .unwrap();
        let bytes = STANDARD.decode(param("signature")).unwrap();
        let sig = rsa::pkcs1v15::Signature::try_from(bytes.as_slice()).unwrap();
        rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key)
            .verify(signing_string.as_bytes(), &sig)
            .unwrap_or_else(|e| panic!("Accept signature does not verify: {e}"));
    }
}

/// The whole life of one remote follower, as its software sends it.
async fn follower_lifecycle(sw: &Software, actor_file: &str) {
    let peer = Peer::start(sw).await;
    let index = sw.actors.iter().position(|a| a.file == actor_file).unwrap();
    let me = &peer.actors[index];
    let coop_inbox = "/coops/outlandish/inbox";

    // Follow: 202, stored, answered with an Accept embedding it.
    let follow = peer.activity_of(sw.follow, me);
    peer.expect_202(coop_inbox, &follow, "Follow").await;
    peer.accept_of(&follow, me, 0).await;
    assert_eq!(peer.followers().await, 1, "{}", sw.dir);
    let known = remote_actors::find(&peer.instance.ctx.db, &me.id)
        .await
        .unwrap()
        .expect("the follower is cached");
    assert_eq!(known.inbox, me.inbox);

    // The activity coopnet ignores, sent as the software sends it (by its own actor).
    let before = peer.stub.received().len();
    let ignored: Value = serde_json::from_str(&peer.localize(sw.ignored.0)).unwrap();
    peer.expect_202(coop_inbox, &ignored, sw.ignored.1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(peer.followers().await, 1, "{}: nothing changed", sw.dir);
    assert_eq!(
        peer.stub.received().len(),
        before,
        "{}: nothing sent in reply to {}",
        sw.dir,
        sw.ignored.1
    );

    // Undo{Follow}: the follower is gone, the actor still known.
    let undo = peer.activity_of(sw.undo, me);
    peer.expect_202(coop_inbox, &undo, "Undo").await;
    assert_eq!(peer.followers().await, 0, "{}: unfollowed", sw.dir);

    // Following again. Misskey reuses the Follow id (`/follows/{follower}/{followee}`);
    // the others mint a new one.
    let mut again = follow.clone();
    if !sw.stable_follow_ids {
        let id = follow["id"].as_str().unwrap();
        let (head, _) = id.rsplit_once('/').unwrap();
        again["id"] = json!(format!("{head}/{}", uuid::Uuid::new_v4()));
    }
    let before = peer.stub.received().len();
    peer.expect_202(coop_inbox, &again, "second Follow").await;
    peer.accept_of(&again, me, before).await;
    assert_eq!(peer.followers().await, 1, "{}: following again", sw.dir);

    // The account is deleted: its document now answers 410, the Delete comes to the shared
    // inbox (as Mastodon delivers it), the follower and the actor are forgotten.
    peer.stub.gone(&me.id);
    let delete = peer.activity_of(sw.delete, me);
    peer.expect_202("/inbox", &delete, "Delete").await;
    assert_eq!(peer.followers().await, 0, "{}: follower forgotten", sw.dir);
    assert!(
        remote_actors::find(&peer.instance.ctx.db, &me.id)
            .await
            .unwrap()
            .is_none(),
        "{}: actor forgotten",
        sw.dir
    );
}

#[tokio::test]
async fn mastodon_person_follows_unfollows_and_is_deleted() {
    follower_lifecycle(&MASTODON, "actor-person.json").await;
}

#[tokio::test]
async fn mastodon_service_bot_follows_unfollows_and_is_deleted() {
    follower_lifecycle(&MASTODON, "actor-service.json").await;
}

#[tokio::test]
async fn gotosocial_person_follows_unfollows_and_is_deleted() {
    follower_lifecycle(&GOTOSOCIAL, "actor-person.json").await;
}

#[tokio::test]
async fn misskey_person_follows_unfollows_and_is_deleted() {
    follower_lifecycle(&MISSKEY, "actor-person.json").await;
}

#[tokio::test]
async fn lemmy_person_follows_unfollows_and_is_deleted() {
    follower_lifecycle(&LEMMY, "actor-person.json").await;
}

#[tokio::test]
async fn lemmy_community_follows_unfollows_and_is_deleted() {
    follower_lifecycle(&LEMMY, "actor-group.json").await;
}

/// Mastodon sends an account's Delete to every server it knows, signed with a key whose
/// document already answers 410. A server that never knew the account has nothing to do,
/// and must say so with a 2xx: Mastodon retries a 401 for days.
#[tokio::test]
async fn delete_of_an_unknown_gone_actor_is_acknowledged() {
    let alice = "/users/alice";
    let peer = Peer::start_with(&MASTODON, |stub| {
        stub.gone(&url(&format!("{}{alice}", stub.base)))
    })
    .await;
    let me = &peer.actors[0];
    let delete = peer.activity_of(MASTODON.delete, me);
    peer.expect_202("/inbox", &delete, "Delete of an unknown actor")
        .await;
    assert!(
        remote_actors::find(&peer.instance.ctx.db, &me.id)
            .await
            .unwrap()
            .is_none()
    );
}

/// The short cut above must not let anyone delete an actor we know: such a Delete is
/// verified as usual, and one signed with another key is refused.
#[tokio::test]
async fn forged_delete_of_a_known_actor_is_refused() {
    let peer = Peer::start(&MASTODON).await;
    let alice = &peer.actors[0];
    let follow = peer.activity_of(MASTODON.follow, alice);
    peer.expect_202("/coops/outlandish/inbox", &follow, "Follow")
        .await;
    peer.accept_of(&follow, alice, 0).await;

    // Alice's Delete, signed by the bot's key under Alice's key id.
    let delete = peer.activity_of(MASTODON.delete, alice);
    let forger = Signer::new(
        format!("{}#main-key", alice.id),
        &fixture(&format!("keys/key{}.pem", MASTODON.actors[1].key)),
    )
    .unwrap();
    let (status, body) = peer.post_signed_by(&forger, "/inbox", &delete).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(peer.followers().await, 1, "still following");
    assert!(
        remote_actors::find(&peer.instance.ctx.db, &alice.id)
            .await
            .unwrap()
            .is_some()
    );
}
