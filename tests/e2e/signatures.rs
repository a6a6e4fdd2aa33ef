//! HTTP signatures as an attacker would bend them, against a real instance: every request
//! below is signed with a real key of a real peer (instance A's network), so only our rules
//! stand between it and its effect (B recording A's network as a follower). Refused: a
//! second `headers=` parameter narrowing what is signed (the replay), a signature leaving
//! out `(request-target)`, `host` or `date`, and a genuine delivery to another server
//! relayed to us (its signed `Host` is not ours). The same Follow, signed properly, is then
//! accepted: the refusals were the rules, not a broken request.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use coopnet_core::Target;
use coopnet_db::repo::followers;
use coopnet_db::repo::keys;
use coopnet_tests::TestInstance;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// One POST to B's shared inbox, with the headers it is sent with.
struct Post {
    body: Vec<u8>,
    host: String,
    date: String,
    digest: String,
}

impl Post {
    fn new(a: &TestInstance, b: &TestInstance) -> Self {
        let body = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": a.url(&format!("/activities/{}", uuid::Uuid::new_v4())),
            "type": "Follow",
            "actor": a.url("/network"),
            "object": b.url("/network"),
        })
        .to_string()
        .into_bytes();
        let digest = format!("SHA-256={}", STANDARD.encode(Sha256::digest(&body)));
        Self {
            body,
            host: b.ctx.settings.domain.clone(),
            date: chrono::Utc::now()
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string(),
            digest,
        }
    }

    /// The draft-cavage signing string over `names`.
    fn signing_string(&self, names: &[&str]) -> String {
        names
            .iter()
            .map(|name| match *name {
                "(request-target)" => "(request-target): post /inbox".to_owned(),
                "host" => format!("host: {}", self.host),
                "date" => format!("date: {}", self.date),
                "digest" => format!("digest: {}", self.digest),
                other => panic!("unknown header {other}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Signs `text` with A's network key (RSA-SHA256, PKCS#1 v1.5, as every fediverse server).
async fn sign(a: &TestInstance, text: &str) -> String {
    let pair = keys::network(&a.ctx.db, a.ctx.network.id)
        .await
        .unwrap()
        .expect("A's network key");
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pair.private_pem).unwrap();
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
    STANDARD.encode(signer.sign(text.as_bytes()).to_bytes())
}

/// A `Signature` header by A over `names`, with any `extra` parameters appended.
async fn signature(a: &TestInstance, post: &Post, names: &[&str], extra: &str) -> String {
    let value = sign(a, &post.signing_string(names)).await;
    format!(
        r#"keyId="{}#main-key",algorithm="rsa-sha256",headers="{}",signature="{value}"{extra}"#,
        a.url("/network"),
        names.join(" "),
    )
}

async fn send(b: &TestInstance, post: &Post, signature: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(b.url("/inbox"))
        .header("host", &post.host)
        .header("date", &post.date)
        .header("digest", &post.digest)
        .header("signature", signature)
        .header("content-type", "application/activity+json")
        .body(post.body.clone())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn followers_of_b(b: &TestInstance) -> u64 {
    followers::count(&b.ctx.db, Target::Network(b.ctx.network.id))
        .await
        .unwrap()
}

const ALL: [&str; 4] = ["(request-target)", "host", "date", "digest"];

#[tokio::test]
async fn bent_signatures_are_refused_and_a_proper_one_accepted() {
    let a = TestInstance::spawn().await.unwrap();
    let b = TestInstance::spawn().await.unwrap();
    // A signs something once, so that its network key exists and B can fetch it.
    coopnet_app::federation::follow(&a.ctx, &b.url("/network"))
        .await
        .unwrap();
    coopnet_tests::eventually(
        std::time::Duration::from_secs(30),
        "A's first follow",
        || async { (followers_of_b(&b).await == 1).then_some(()) },
    )
    .await;
    let mut mine =
        coopnet_db::repo::followers::actor_ids(&b.ctx.db, Target::Network(b.ctx.network.id))
            .await
            .unwrap();
    assert_eq!(mine.len(), 1);
    // Forget it again, so that only the requests below can make A a follower.
    let a_actor = mine.remove(0);
    coopnet_db::repo::remote_actors::delete(&b.ctx.db, &url::Url::parse(&a_actor).unwrap())
        .await
        .unwrap();
    assert_eq!(followers_of_b(&b).await, 0);

    // The replay from the review: the full list, then `headers="digest"` with a signature
    // over the body's digest alone, which a verifier reading the last parameter accepts.
    let post = Post::new(&a, &b);
    let digest_only = sign(&a, &post.signing_string(&["digest"])).await;
    let replay = format!(
        r#"keyId="{}#main-key",algorithm="rsa-sha256",headers="{}",headers="digest",signature="{digest_only}""#,
        a.url("/network"),
        ALL.join(" ")
    );
    let (status, body) = send(&b, &post, &replay).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["message"], "duplicate Signature parameter");

    for left_out in ["(request-target)", "host", "date"] {
        let post = Post::new(&a, &b);
        let names: Vec<&str> = ALL.iter().copied().filter(|n| *n != left_out).collect();
        let (status, body) = send(&b, &post, &signature(&a, &post, &names, "").await).await;
        assert_eq!(status, 401, "without {left_out}: {body}");
        assert_eq!(
            body["message"], "signature must cover (request-target), host, date and digest",
            "without {left_out}"
        );
    }

    // A genuine delivery to another server, relayed to us within the signature's window.
    let mut relayed = Post::new(&a, &b);
    relayed.host = "other.example".into();
    let genuine = signature(&a, &relayed, &ALL, "").await;
    let (status, body) = send(&b, &relayed, &genuine).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["message"], "signed Host is not this server");
    assert_eq!(followers_of_b(&b).await, 0, "nothing refused was acted on");

    // The same Follow, signed properly for B: accepted and acted on.
    let post = Post::new(&a, &b);
    let proper = signature(&a, &post, &ALL, "").await;
    let (status, body) = send(&b, &post, &proper).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(followers_of_b(&b).await, 1);
}
