//! Interop with an independent ActivityPub server: `tests/interop/peer.py` (Python, bovine,
//! aiohttp; see its README) stands in for Mastodon against a real instance, both on loopback.
//!
//! Every test runs its own instance and its own peer on free ports, so they run in parallel.
//! The peer's venv is made once per test process by `tests/interop/setup.sh`
//! (`COOPNET_INTEROP_VENV` picks where); when that fails, every test here fails with the
//! script's output: interop is never skipped silently.
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use coopnet_app::coops;
use coopnet_app::posts::{self, PostAuthor};
use coopnet_core::{CoopInput, TokenScope};
use coopnet_tests::TestInstance;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

const AS: &str = "https://www.w3.org/ns/activitystreams";
const SECURITY: &str = "https://w3id.org/security/v1";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const AP_JSON: &str = "application/activity+json";
/// What Mastodon sends when it fetches an actor.
const MASTODON_ACCEPT: &str = r#"application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams""#;
/// How long the peer may take to answer `/control/health` after it is spawned.
const PEER_START: Duration = Duration::from_secs(30);
/// How long a delivery may take to reach the peer.
const DELIVERY_WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);
/// Every forgery `/control/send` knows, each of which an inbox must refuse.
const FORGERIES: [&str; 8] = [
    "unsigned",
    "wrong_key",
    "bad_digest",
    "stale_date",
    "future_date",
    "no_date_in_signature",
    "no_digest_in_signature",
    "other_actor_key",
];

// ------------------------------------------------------------------------------------ peer

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// The venv's python, from `setup.sh` (run once per test process; its output on failure).
/// Shared with `strict_parsers.rs`, which judges documents with the same venv.
pub(crate) fn setup_python() -> Result<PathBuf, String> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let script = interop_dir().join("setup.sh");
            let out = std::process::Command::new("bash")
                .arg(&script)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run bash {}: {e}", script.display()))?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let report = || {
                format!(
                    "{} exited with {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
                    script.display(),
                    out.status
                )
            };
            if !out.status.success() {
                return Err(report());
            }
            let python = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
            if !python.is_file() {
                return Err(format!(
                    "the last line of its output is not a python: {}\n{}",
                    python.display(),
                    report()
                ));
            }
            Ok(python)
        })
        .clone()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A running `peer.py`, killed when dropped (also driven by `linked_accounts.rs`).
pub(crate) struct Peer {
    child: Child,
    /// `http://localhost:P`
    pub(crate) base: String,
    /// `http://127.0.0.1:P/control`
    control: String,
    http: reqwest::Client,
    log: tempfile::NamedTempFile,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

enum StartError {
    /// The process died (perhaps another process took the port first): try another port.
    Exited(String),
    Fatal(String),
}

impl Peer {
    /// Makes the venv if needed and starts a peer on a free port.
    pub(crate) async fn start() -> Self {
        let python = match tokio::task::spawn_blocking(setup_python)
            .await
            .expect("setup task")
        {
            Ok(python) => python,
            Err(report) => panic!("interop peer setup (tests/interop/setup.sh) failed:\n{report}"),
        };
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Self::start_on(&python, free_port()).await {
                Ok(peer) => return peer,
                Err(StartError::Exited(e)) => failures.push(e),
                Err(StartError::Fatal(e)) => panic!("the interop peer did not start:\n{e}"),
            }
        }
        panic!("the interop peer did not start:\n{}", failures.join("\n\n"));
    }

    async fn start_on(python: &Path, port: u16) -> Result<Self, StartError> {
        let log = tempfile::NamedTempFile::new().map_err(|e| StartError::Fatal(e.to_string()))?;
        let output = |log: &tempfile::NamedTempFile| {
            log.reopen()
                .map(Stdio::from)
                .map_err(|e| StartError::Fatal(e.to_string()))
        };
        let child = Command::new(python)
            .arg(interop_dir().join("peer.py"))
            .args(["--port", &port.to_string()])
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(output(&log)?)
            .stderr(output(&log)?)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| StartError::Fatal(format!("spawn {}: {e}", python.display())))?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| StartError::Fatal(e.to_string()))?;
        let mut peer = Self {
            child,
            base: format!("http://localhost:{port}"),
            control: format!("http://127.0.0.1:{port}/control"),
            http,
            log,
        };
        let deadline = Instant::now() + PEER_START;
        loop {
            if let Ok(Some(status)) = peer.child.try_wait() {
                return Err(StartError::Exited(format!(
                    "peer on port {port} exited ({status}) before answering:\n{}",
                    peer.log()
                )));
            }
            let health = peer
                .http
                .get(format!("{}/health", peer.control))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if let Ok(response) = health
                && response.status() == 200
            {
                let body: Value = response.json().await.unwrap_or_default();
                // Whoever answered, it must be our child (not a process that won the port).
                if let Ok(Some(status)) = peer.child.try_wait() {
                    return Err(StartError::Exited(format!(
                        "peer on port {port} exited ({status}); another process answered:\n{}",
                        peer.log()
                    )));
                }
                assert_eq!(body["ok"], true, "{body}");
                assert_eq!(body["domain"], format!("localhost:{port}"), "{body}");
                return Ok(peer);
            }
            if Instant::now() >= deadline {
                return Err(StartError::Fatal(format!(
                    "peer on port {port} did not answer /control/health within {PEER_START:?}:\n{}",
                    peer.log()
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The peer's own log (its stderr), last 20 000 characters.
    pub(crate) fn log(&self) -> String {
        let text = std::fs::read_to_string(self.log.path()).unwrap_or_default();
        let skip = text.chars().count().saturating_sub(20_000);
        text.chars().skip(skip).collect()
    }

    /// `alice`, the actor tests use.
    pub(crate) fn alice(&self) -> String {
        format!("{}/users/alice", self.base)
    }

    async fn call(&self, request: reqwest::RequestBuilder, what: &str) -> (u16, Value) {
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("control {what}: {e}\npeer log:\n{}", self.log()));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    /// A control call that must do its job (200).
    pub(crate) async fn post(&self, call: &str, body: &Value) -> Value {
        let url = format!("{}/{call}", self.control);
        let (status, answer) = self.call(self.http.post(url).json(body), call).await;
        assert_eq!(
            status,
            200,
            "control {call} {body} answered {status}: {answer:#}\npeer log:\n{}",
            self.log()
        );
        answer
    }

    /// A control call with a hand-written body (for what JSON values cannot say).
    async fn post_raw(&self, call: &str, body: String) -> Value {
        let url = format!("{}/{call}", self.control);
        let request = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body.clone());
        let (status, answer) = self.call(request, call).await;
        assert_eq!(
            status, 200,
            "control {call} {body} answered {status}: {answer:#}"
        );
        answer
    }

    pub(crate) async fn received(&self) -> Vec<Value> {
        let url = format!("{}/received", self.control);
        let (status, body) = self.call(self.http.get(url), "received").await;
        assert_eq!(status, 200, "{body}");
        body.as_array().cloned().unwrap_or_default()
    }

    /// Every inbox POST the peer made (its Accepts, its sends), oldest first.
    pub(crate) async fn sent(&self) -> Vec<Value> {
        let url = format!("{}/sent", self.control);
        let (status, body) = self.call(self.http.get(url), "sent").await;
        assert_eq!(status, 200, "{body}");
        body.as_array().cloned().unwrap_or_default()
    }

    async fn webfinger(&self, acct: &str) -> Value {
        self.post("webfinger", &json!({ "acct": acct })).await
    }

    pub(crate) async fn fetch(&self, url: &str, signed: bool) -> Value {
        self.post("fetch", &json!({ "url": url, "signed": signed }))
            .await
    }

    async fn fetch_with(&self, url: &str, signed: bool, accept: &str) -> Value {
        self.post(
            "fetch",
            &json!({ "url": url, "signed": signed, "accept": accept }),
        )
        .await
    }

    /// A fetch that must answer 200 with ActivityStreams JSON; returns the document.
    pub(crate) async fn fetch_ok(&self, url: &str, signed: bool) -> Value {
        let answer = self.fetch(url, signed).await;
        check_ap_response(&answer, url);
        answer["json"].clone()
    }

    /// Follows `actor`; returns the Follow's id after checking the inbox answered 202.
    pub(crate) async fn follow(&self, actor: &str) -> String {
        let answer = self.post("follow", &json!({ "actor": actor })).await;
        assert_eq!(answer["status"], 202, "Follow of {actor}: {answer:#}");
        answer["follow_id"].as_str().expect("follow_id").to_owned()
    }

    /// POSTs `activity` to `inbox` as `mode` says; returns the peer's report.
    pub(crate) async fn send(&self, inbox: &str, activity: &Value, mode: &str) -> Value {
        self.post(
            "send",
            &json!({ "inbox": inbox, "activity": activity, "mode": mode }),
        )
        .await
    }

    /// The first inbox POST the peer received that `matches`, waiting up to 15 s.
    pub(crate) async fn wait_for(&self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DELIVERY_WAIT;
        loop {
            let received = self.received().await;
            if let Some(found) = received.iter().find(|r| matches(r)) {
                return found.clone();
            }
            if Instant::now() >= deadline {
                panic!(
                    "the peer received no {what} within {DELIVERY_WAIT:?}; it received:\n{:#}\npeer log:\n{}",
                    Value::Array(received),
                    self.log()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for an activity of `kind` from `actor` and checks it arrived correctly signed
    /// by that actor's main key.
    pub(crate) async fn wait_for_signed(
        &self,
        kind: &str,
        actor: &str,
        extra: impl Fn(&Value) -> bool,
    ) -> Value {
        let record = self
            .wait_for(&format!("{kind} from {actor}"), |r| {
                r["activity"]["type"] == kind
                    && r["activity"]["actor"] == actor
                    && extra(&r["activity"])
            })
            .await;
        check_signed_by(&record, actor);
        record["activity"].clone()
    }
}

// ------------------------------------------------------------------------------ fixtures

/// An instance with one co-op; returns it with the co-op's actor id.
pub(crate) async fn instance_with_coop(slug: &str) -> (TestInstance, String) {
    let instance = TestInstance::spawn().await.expect("instance");
    let input: CoopInput = serde_json::from_value(json!({
        "slug": slug,
        "name": "Interop Workers' Co-op",
        "summary": { "en": "We build *federated* things." },
        "website": "https://www.interop.example.coop/",
        "locality": "Leeds",
        "region": "West Yorkshire",
        "country": "GB",
        "latitude": 53.8,
        "longitude": -1.55,
        "services": ["Web Design", "Hosting"],
        "technologies": ["Rust"],
        "languages": ["en"],
    }))
    .expect("co-op input");
    coops::create(&instance.ctx, &input)
        .await
        .expect("create co-op");
    let actor = instance.url(&format!("/coops/{slug}"));
    (instance, actor)
}

fn patch(value: Value) -> coopnet_core::CoopPatch {
    serde_json::from_value(value).expect("a co-op patch")
}

// ---------------------------------------------------------------------------- checks

/// A `/control/fetch` answer for a 200 ActivityStreams document.
fn check_ap_response(answer: &Value, url: &str) {
    assert_eq!(answer["status"], 200, "GET {url}: {answer:#}");
    let content_type = answer["content_type"].as_str().unwrap_or_default();
    assert!(
        content_type.starts_with(AP_JSON),
        "GET {url}: content type {content_type:?}"
    );
    assert!(
        answer["json"].is_object(),
        "GET {url}: not a JSON object: {answer:#}"
    );
}

/// An inbox POST the peer accepted: signature verified, signed with `actor`'s main key.
fn check_signed_by(record: &Value, actor: &str) {
    assert_eq!(
        record["signature_ok"], true,
        "signature refused: {record:#}"
    );
    assert_eq!(record["key_id"], format!("{actor}#main-key"), "{record:#}");
    assert_eq!(record["signer"], actor, "{record:#}");
    assert_eq!(record["status"], 202, "{record:#}");
}

fn str_of<'a>(doc: &'a Value, key: &str) -> &'a str {
    doc[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {doc:#}"))
}

/// `rel="…"` of an HTML fragment contains the token `me` (what Mastodon verifies).
fn has_rel_me(html: &str) -> bool {
    html.split("rel=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .any(|rel| rel.split_ascii_whitespace().any(|token| token == "me"))
}

/// What an actor document must say, whatever its type.
struct Expected<'a> {
    kind: &'a str,
    id: &'a str,
    username: &'a str,
    /// `http://localhost:PORT` of the instance.
    base: &'a str,
    /// Embedded in an activity (no `@context` of its own).
    embedded: bool,
}

fn check_actor(doc: &Value, want: &Expected<'_>) {
    let ctx = format!("{} {}", want.kind, want.id);
    if !want.embedded {
        let context = doc["@context"]
            .as_array()
            .unwrap_or_else(|| panic!("{ctx}: @context is not a list: {doc:#}"));
        for needed in [AS, SECURITY] {
            assert!(
                context.iter().any(|c| c == needed),
                "{ctx}: @context lacks {needed}"
            );
        }
    }
    assert_eq!(doc["type"], want.kind, "{ctx}: {doc:#}");
    assert_eq!(doc["id"], want.id, "{ctx}");
    assert_eq!(doc["preferredUsername"], want.username, "{ctx}");
    for key in ["inbox", "outbox", "followers"] {
        let url = doc[key]
            .as_str()
            .unwrap_or_else(|| panic!("{ctx}: no {key}: {doc:#}"));
        assert!(
            url.starts_with(&format!("{}/", want.base)),
            "{ctx}: {key} {url}"
        );
    }
    assert_eq!(
        doc["endpoints"]["sharedInbox"],
        format!("{}/inbox", want.base),
        "{ctx}"
    );
    let key = &doc["publicKey"];
    assert_eq!(key["id"], format!("{}#main-key", want.id), "{ctx}");
    assert_eq!(key["owner"], want.id, "{ctx}");
    let pem = key["publicKeyPem"].as_str().unwrap_or_default().trim();
    assert!(
        pem.starts_with("-----BEGIN PUBLIC KEY-----") && pem.ends_with("-----END PUBLIC KEY-----"),
        "{ctx}: publicKeyPem is not a PEM public key: {pem:?}"
    );
    assert!(
        doc["discoverable"].is_boolean(),
        "{ctx}: discoverable: {doc:#}"
    );
    if want.kind != "Application" {
        assert_eq!(doc["manuallyApprovesFollowers"], false, "{ctx}");
        assert_eq!(doc["discoverable"], true, "{ctx}");
    }
    if let Some(attachment) = doc.get("attachment") {
        let fields = attachment.as_array().expect("attachment is a list");
        assert!(fields.len() <= 4, "{ctx}: {} profile fields", fields.len());
        for field in fields {
            assert_eq!(field["type"], "PropertyValue", "{ctx}: {field}");
            assert!(
                field["name"].is_string() && field["value"].is_string(),
                "{ctx}: {field}"
            );
        }
    }
}

/// The co-op made by [`instance_with_coop`], as an `Organization`.
fn check_organization(doc: &Value, id: &str, slug: &str, base: &str, embedded: bool, town: &str) {
    check_actor(
        doc,
        &Expected {
            kind: "Organization",
            id,
            username: slug,
            base,
            embedded,
        },
    );
    let fields = doc["attachment"].as_array().expect("profile fields");
    let website = fields
        .iter()
        .find(|f| f["name"] == "Website")
        .unwrap_or_else(|| panic!("no Website field: {fields:#?}"));
    let value = str_of(website, "value");
    assert!(
        has_rel_me(value),
        "the Website field has no rel=\"me\": {value}"
    );
    assert!(
        value.contains(r#"href="https://www.interop.example.coop/""#),
        "{value}"
    );

    let tags = doc["tag"].as_array().expect("tag list");
    for tag in tags {
        assert_eq!(tag["type"], "Hashtag", "{tag}");
        assert!(str_of(tag, "name").starts_with('#'), "{tag}");
        assert!(str_of(tag, "href").starts_with(base), "{tag}");
    }
    for service in ["#WebDesign", "#Hosting"] {
        assert!(
            tags.iter().any(|t| t["name"] == service),
            "no {service} in {tags:#?}"
        );
    }

    let place = &doc["location"];
    assert_eq!(place["type"], "Place", "{doc:#}");
    assert!(str_of(place, "name").contains(town), "{place}");
    assert_eq!(place["latitude"], 53.8, "{place}");
    assert_eq!(place["longitude"], -1.55, "{place}");
}

/// A post's `Note`.
fn check_note(note: &Value, id: &str, author: &str) {
    assert_eq!(note["type"], "Note", "{note:#}");
    assert_eq!(note["id"], id, "{note:#}");
    assert_eq!(note["attributedTo"], author, "{note:#}");
    let to = note["to"].as_array().expect("to is a list");
    assert!(to.iter().any(|t| t == PUBLIC), "not public: {note:#}");
}

// ------------------------------------------------------------------------------ tests

#[tokio::test]
async fn webfinger_finds_coop_network_and_instance_actors() {
    let (instance, coop) = instance_with_coop("wf-coop").await;
    let peer = Peer::start().await;
    let domain = format!("localhost:{}", instance.addr.port());

    let gone = "wf-gone";
    let input = serde_json::from_value::<CoopInput>(json!({ "slug": gone, "name": "Gone" }))
        .expect("input");
    coops::create(&instance.ctx, &input).await.expect("create");
    coops::remove(&instance.ctx, gone).await.expect("remove");

    let found = [
        ("wf-coop", coop.clone()),
        ("testnet", instance.url("/network")),
        ("instance", instance.url("/actor")),
        // acct: is case-insensitive.
        ("WF-Coop", coop.clone()),
        ("TestNet", instance.url("/network")),
    ];
    for (user, actor) in found {
        let acct = format!("{user}@{domain}");
        let answer = peer.webfinger(&acct).await;
        assert_eq!(answer["status"], 200, "{acct}: {answer:#}");
        assert!(answer.get("jrd_error").is_none(), "{acct}: {answer:#}");
        let content_type = answer["content_type"].as_str().unwrap_or_default();
        assert!(
            content_type.starts_with("application/jrd+json"),
            "{acct}: {content_type}"
        );
        let jrd = &answer["jrd"];
        assert_eq!(
            jrd["subject"].as_str().map(str::to_ascii_lowercase),
            Some(format!("acct:{user}@{domain}").to_ascii_lowercase()),
            "{jrd:#}"
        );
        let selves: Vec<&Value> = jrd["links"]
            .as_array()
            .expect("links")
            .iter()
            .filter(|l| l["rel"] == "self")
            .collect();
        assert_eq!(selves.len(), 1, "{acct}: exactly one self link: {jrd:#}");
        assert_eq!(selves[0]["href"], actor.as_str(), "{acct}: {jrd:#}");
        assert_eq!(selves[0]["type"], AP_JSON, "{acct}: {jrd:#}");
        assert_eq!(answer["self_href"], actor.as_str(), "{acct}: {answer:#}");
    }

    for (user, status) in [("nobody", 404), (gone, 410)] {
        let answer = peer.webfinger(&format!("{user}@{domain}")).await;
        assert_eq!(answer["status"], status, "{user}: {answer:#}");
        assert!(answer["self_href"].is_null(), "{user}: {answer:#}");
    }
}

#[tokio::test]
async fn actor_documents_are_served_signed_and_unsigned() {
    let slug = "fetch-coop";
    let (instance, coop) = instance_with_coop(slug).await;
    let peer = Peer::start().await;
    let base = instance.base_url.clone();
    let network = instance.url("/network");
    let app = instance.url("/actor");

    for signed in [false, true] {
        let doc = peer.fetch_ok(&coop, signed).await;
        check_organization(&doc, &coop, slug, &base, false, "Leeds");

        let doc = peer.fetch_ok(&network, signed).await;
        check_actor(
            &doc,
            &Expected {
                kind: "Group",
                id: &network,
                username: "testnet",
                base: &base,
                embedded: false,
            },
        );
        assert_eq!(doc["members"], instance.url("/network/members"), "{doc:#}");

        let doc = peer.fetch_ok(&app, signed).await;
        check_actor(
            &doc,
            &Expected {
                kind: "Application",
                id: &app,
                username: "instance",
                base: &base,
                embedded: false,
            },
        );
    }

    // Mastodon's own Accept header gets the same document.
    let answer = peer.fetch_with(&coop, true, MASTODON_ACCEPT).await;
    check_ap_response(&answer, &coop);
    check_organization(&answer["json"], &coop, slug, &base, false, "Leeds");

    // The collections every actor links are there.
    for actor in [&coop, &network, &app] {
        let doc = peer.fetch_ok(actor, false).await;
        for key in ["outbox", "followers", "following"] {
            let url = str_of(&doc, key);
            let collection = peer.fetch_ok(url, true).await;
            assert_eq!(
                collection["type"], "OrderedCollection",
                "{url}: {collection:#}"
            );
            assert_eq!(collection["id"], url, "{collection:#}");
        }
    }
    let members = peer.fetch_ok(&instance.url("/network/members"), true).await;
    assert_eq!(members["totalItems"], 1, "{members:#}");

    // A browser gets the profile page at the same URL.
    let page = reqwest::Client::new()
        .get(&coop)
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .expect("GET profile page");
    assert_eq!(page.status(), 200);
    let content_type = page
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = page.text().await.expect("page body");
    assert!(html.contains("Interop Workers"), "{html}");
}

#[tokio::test]
async fn follow_is_accepted_and_undo_removes_the_follower() {
    let (instance, coop) = instance_with_coop("follow-coop").await;
    let peer = Peer::start().await;
    let followers = format!("{coop}/followers");
    assert_eq!(peer.fetch_ok(&followers, false).await["totalItems"], 0);

    let follow_id = peer.follow(&coop).await;
    let accept = peer
        .wait_for_signed("Accept", &coop, |a| a["object"]["id"] == follow_id.as_str())
        .await;
    let follow = &accept["object"];
    assert_eq!(
        follow["type"], "Follow",
        "the Follow is embedded: {accept:#}"
    );
    assert_eq!(follow["actor"], peer.alice(), "{accept:#}");
    assert_eq!(follow["object"], coop.as_str(), "{accept:#}");
    assert!(
        str_of(&accept, "id").starts_with(&instance.base_url),
        "{accept:#}"
    );
    assert_eq!(peer.fetch_ok(&followers, false).await["totalItems"], 1);

    let undo = peer
        .post(
            "undo_follow",
            &json!({ "actor": coop, "follow_id": follow_id }),
        )
        .await;
    assert_eq!(undo["status"], 202, "Undo: {undo:#}");
    assert_eq!(peer.fetch_ok(&followers, false).await["totalItems"], 0);
}

#[tokio::test]
async fn followers_get_posts_profile_updates_and_deletes() {
    let slug = "posts-coop";
    let (instance, coop) = instance_with_coop(slug).await;
    let ctx = &instance.ctx;
    let peer = Peer::start().await;
    let follow_id = peer.follow(&coop).await;
    peer.wait_for_signed("Accept", &coop, |a| a["object"]["id"] == follow_id.as_str())
        .await;

    let markdown = "Hello **fediverse**!\n\n<script>alert('pwned')</script>\n\nMore soon.";
    let post = posts::create(
        ctx,
        &TokenScope::Admin,
        &PostAuthor::Coop(slug.into()),
        markdown,
    )
    .await
    .expect("post");
    let note_id = post.url.to_string();
    let create = peer
        .wait_for_signed("Create", &coop, |a| a["object"]["id"] == note_id.as_str())
        .await;
    let note = &create["object"];
    check_note(note, &note_id, &coop);
    let create_to = create["to"].as_array().expect("Create.to");
    assert!(create_to.iter().any(|t| t == PUBLIC), "{create:#}");
    let content = str_of(note, "content");
    assert!(content.contains("<strong>fediverse</strong>"), "{content}");
    assert!(
        !content.to_ascii_lowercase().contains("<script") && !content.contains("alert("),
        "unsanitised content: {content}"
    );

    let updated = coops::update(
        ctx,
        &TokenScope::Admin,
        slug,
        &patch(json!({ "locality": "Bradford" })),
    )
    .await
    .expect("update");
    assert_eq!(updated.profile.locality.as_deref(), Some("Bradford"));
    let update = peer
        .wait_for_signed("Update", &coop, |a| a["object"]["type"] == "Organization")
        .await;
    // The full actor document, with the new place.
    check_organization(
        &update["object"],
        &coop,
        slug,
        &instance.base_url,
        true,
        "Bradford",
    );
    let context = update["@context"].as_array().expect("Update @context");
    assert!(context.iter().any(|c| c == AS) && context.iter().any(|c| c == SECURITY));

    for signed in [false, true] {
        let fetched = peer.fetch_ok(&note_id, signed).await;
        check_note(&fetched, &note_id, &coop);
        assert_eq!(fetched["content"], note["content"], "{fetched:#}");
    }

    posts::delete(ctx, &TokenScope::Admin, &post.record.public_id)
        .await
        .expect("delete");
    let delete = peer
        .wait_for_signed("Delete", &coop, |a| {
            a["object"] == note_id.as_str() || a["object"]["id"] == note_id.as_str()
        })
        .await;
    assert!(delete["id"].is_string(), "{delete:#}");
    let gone = peer.fetch(&note_id, false).await;
    assert_eq!(gone["status"], 410, "deleted Note: {gone:#}");
    assert_eq!(gone["json"]["type"], "Tombstone", "deleted Note: {gone:#}");
}

#[tokio::test]
async fn network_followers_get_boosts_of_member_posts() {
    let slug = "net-coop";
    let (instance, coop) = instance_with_coop(slug).await;
    let network = instance.url("/network");
    let peer = Peer::start().await;

    let follow_id = peer.follow(&network).await;
    let accept = peer
        .wait_for_signed("Accept", &network, |a| {
            a["object"]["id"] == follow_id.as_str()
        })
        .await;
    assert_eq!(accept["object"]["object"], network.as_str(), "{accept:#}");
    assert_eq!(
        peer.fetch_ok(&format!("{network}/followers"), false).await["totalItems"],
        1
    );

    let post = posts::create(
        &instance.ctx,
        &TokenScope::Admin,
        &PostAuthor::Coop(slug.into()),
        "We joined a network!",
    )
    .await
    .expect("post");
    let note_id = post.url.to_string();
    let announce = peer
        .wait_for_signed("Announce", &network, |a| a["object"] == note_id.as_str())
        .await;
    let to = announce["to"].as_array().expect("Announce.to");
    assert!(to.iter().any(|t| t == PUBLIC), "{announce:#}");
    // What is boosted can be fetched, and is the co-op's.
    let note = peer.fetch_ok(&note_id, true).await;
    check_note(&note, &note_id, &coop);
}

#[tokio::test]
async fn forged_and_malformed_inbox_posts_are_refused() {
    let (instance, coop) = instance_with_coop("forge-coop").await;
    let peer = Peer::start().await;
    let followers = format!("{coop}/followers");
    let inboxes = [format!("{coop}/inbox"), instance.url("/inbox")];
    let follow = json!({ "type": "Follow", "object": coop });

    for inbox in &inboxes {
        for mode in FORGERIES {
            let answer = peer.send(inbox, &follow, mode).await;
            let status = answer["status"].as_u64().unwrap_or_default();
            assert!(
                (400..500).contains(&status),
                "{mode} POST to {inbox} answered {status}, not 4xx: {answer:#}"
            );
        }

        // 2 MB, correctly signed: too large.
        let answer = peer
            .post(
                "send",
                &json!({ "inbox": inbox, "activity": follow, "body_bytes": 2 * 1024 * 1024 }),
            )
            .await;
        assert_eq!(answer["status"], 413, "2 MB to {inbox}: {answer:#}");

        // Not JSON (NaN is not a JSON value; Python writes it), correctly signed.
        let body = format!(
            r#"{{"inbox": {}, "activity": {{"type": "Follow", "object": {}, "rating": NaN}}}}"#,
            json!(inbox),
            json!(coop)
        );
        let answer = peer.post_raw("send", body).await;
        let status = answer["status"].as_u64().unwrap_or_default();
        assert!((400..500).contains(&status), "NaN to {inbox}: {answer:#}");

        // Nested deeper than any activity (and than serde_json's limit), correctly signed.
        let mut nested = json!("deep");
        for _ in 0..300 {
            nested = json!([nested]);
        }
        let deep = json!({ "type": "Follow", "object": coop, "nested": nested });
        let answer = peer.send(inbox, &deep, "signed").await;
        let status = answer["status"].as_u64().unwrap_or_default();
        assert!(
            (400..500).contains(&status),
            "deep JSON to {inbox}: {answer:#}"
        );
    }
    assert_eq!(
        peer.fetch_ok(&followers, false).await["totalItems"],
        0,
        "a refused Follow made a follower"
    );
    let received = peer.received().await;
    assert!(
        received.iter().all(|r| r["activity"]["type"] != "Accept"),
        "a refused Follow was accepted: {received:#?}"
    );

    // The same Follow, correctly signed, is taken at either inbox.
    for inbox in &inboxes {
        let answer = peer.send(inbox, &follow, "signed").await;
        assert_eq!(answer["status"], 202, "signed POST to {inbox}: {answer:#}");
    }
    assert_eq!(peer.fetch_ok(&followers, false).await["totalItems"], 1);
}
