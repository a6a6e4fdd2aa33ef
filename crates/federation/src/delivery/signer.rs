//! draft-cavage HTTP signatures as Mastodon verifies them: RSA-SHA256 over
//! `(request-target) host date digest content-type`, with a SHA-256 `Digest` of the body.
//!
//! Signing uses aws-lc-rs (already in the tree through rustls), not the pure-Rust `rsa`
//! crate: one RSA-2048 signature is the largest cost of a delivery, and aws-lc-rs signs
//! about five times faster on the same core (`docs/benchmarks.md`, fan-out). PKCS#1 v1.5
//! signatures are deterministic, so the bytes are the same either way.
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::RsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use sha2::{Digest, Sha256};
use url::Url;

use crate::FederationError;
use crate::urls::host_port;

/// A parsed private key, ready to sign (parsing costs ~33 µs: do it once per key).
#[derive(Clone)]
pub struct Signer {
    key_id: String,
    key: Arc<RsaKeyPair>,
}

/// Headers to add to a signed POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Host`.
    pub host: String,
    /// `Date`, RFC 7231.
    pub date: String,
    /// `Digest: SHA-256=…`.
    pub digest: String,
    /// `Signature`.
    pub signature: String,
}

/// The content type we sign and send.
pub const CONTENT_TYPE: &str = "application/activity+json";

impl Signer {
    /// From a PKCS#8 PEM private key and the key id it is published under.
    pub fn new(key_id: String, private_pem: &str) -> Result<Self, FederationError> {
        let bad = |e: String| FederationError::Internal(format!("private key: {e}"));
        // PEM (as stored) to PKCS#8 DER (what aws-lc-rs reads).
        let der = RsaPrivateKey::from_pkcs8_pem(private_pem)
            .map_err(|e| bad(e.to_string()))?
            .to_pkcs8_der()
            .map_err(|e| bad(e.to_string()))?;
        let key = RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            key_id,
            key: Arc::new(key),
        })
    }

    /// Signs a POST of `body` to `url` at time `date` (an RFC 7231 date string).
    pub fn sign_post(
        &self,
        url: &Url,
        body: &[u8],
        date: &str,
    ) -> Result<SignedHeaders, FederationError> {
        let host = host_port(url);
        let digest = format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)));
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let signing_string = format!(
            "(request-target): post {target}\nhost: {host}\ndate: {date}\ndigest: {digest}\ncontent-type: {CONTENT_TYPE}"
        );
        let mut raw = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_string.as_bytes(),
                &mut raw,
            )
            .map_err(|e| FederationError::Internal(format!("signing: {e}")))?;
        let signature = STANDARD.encode(raw);
        let signature = format!(
            r#"keyId="{}",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="{signature}""#,
            self.key_id
        );
        Ok(SignedHeaders {
            host,
            date: date.to_owned(),
            digest,
            signature,
        })
    }
}

/// The current time as an HTTP date (`Tue, 15 Nov 1994 08:12:31 GMT`).
pub fn http_date_now() -> String {
    chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;

    #[test]
    fn signature_verifies_with_the_public_key() {
        let pair =
            activitypub_federation::http_signatures::generate_actor_keypair().expect("keypair");
        let signer = Signer::new(
            "https://a.example/coops/x#main-key".into(),
            &pair.private_key,
        )
        .expect("signer");
        let url = Url::parse("https://b.example:8443/inbox").expect("url");
        let headers = signer
            .sign_post(&url, b"{}", "Tue, 15 Nov 1994 08:12:31 GMT")
            .expect("signs");
        assert_eq!(headers.host, "b.example:8443");
        assert_eq!(
            headers.digest,
            "SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="
        );
        let sig_b64 = headers
            .signature
            .split("signature=\"")
            .nth(1)
            .and_then(|s| s.strip_suffix('"'))
            .expect("sig");
        let sig = Signature::try_from(STANDARD.decode(sig_b64).expect("b64").as_slice())
            .expect("sig bytes");
        let public = rsa::RsaPublicKey::from(
            RsaPrivateKey::from_pkcs8_pem(&pair.private_key).expect("private key"),
        );
        let expected = format!(
            "(request-target): post /inbox\nhost: b.example:8443\ndate: Tue, 15 Nov 1994 08:12:31 GMT\ndigest: {}\ncontent-type: {CONTENT_TYPE}",
            headers.digest
        );
        VerifyingKey::<Sha256>::new(public)
            .verify(expected.as_bytes(), &sig)
            .expect("verifies");
    }
}
