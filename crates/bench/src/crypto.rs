//! CPU ceilings of HTTP signatures, measured in the same run as the scenarios they bound:
//! RSA-2048 PKCS#1 v1.5 SHA-256 sign and verify in tight loops on N threads, with the `rsa`
//! crate (what coopnet and activitypub_federation use) and with aws-lc-rs (already in the
//! dependency tree through rustls), over a draft-cavage signing string of typical size.
use std::time::{Duration, Instant};

use anyhow::Context;
use aws_lc_rs::signature::{
    KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{Keypair, SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use sha2::Sha256;

use crate::harness::KEYS;

/// What a signed inbox POST's signing string looks like (~190 bytes).
pub const SIGNING_STRING: &str = "(request-target): post /coops/outlandish/inbox\nhost: localhost:40123\ndate: Tue, 25 Nov 2026 10:00:00 GMT\ndigest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ncontent-type: application/activity+json";

/// Operations per second, all threads together.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Ceiling {
    /// Threads used.
    pub threads: usize,
    /// Operations per second in total.
    pub per_second: f64,
}

/// Runs `op` in a loop on `threads` threads for `dur`; returns total operations per second.
fn on_threads<S: Send>(
    threads: usize,
    dur: Duration,
    setup: impl Fn() -> S + Sync,
    op: impl Fn(&mut S) + Sync,
) -> Ceiling {
    let counts: Vec<(u64, f64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut state = setup();
                    let start = Instant::now();
                    let mut n = 0u64;
                    while start.elapsed() < dur {
                        for _ in 0..8 {
                            op(&mut state);
                        }
                        n += 8;
                    }
                    (n, start.elapsed().as_secs_f64())
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let per_second = counts.iter().map(|(n, s)| *n as f64 / s).sum();
    Ceiling {
        threads: threads.max(1),
        per_second,
    }
}

fn rsa_signing_key() -> anyhow::Result<SigningKey<Sha256>> {
    Ok(SigningKey::<Sha256>::new(
        RsaPrivateKey::from_pkcs8_pem(KEYS[0].0).context("fixture key")?,
    ))
}

/// `rsa` crate signing (what the delivery worker does per delivery).
pub fn rsa_sign(threads: usize, dur: Duration) -> anyhow::Result<Ceiling> {
    let key = rsa_signing_key()?;
    Ok(on_threads(
        threads,
        dur,
        || key.clone(),
        |k| {
            std::hint::black_box(k.sign(SIGNING_STRING.as_bytes()).to_bytes());
        },
    ))
}

/// `rsa` crate verification of one signature (the key already parsed).
pub fn rsa_verify(threads: usize, dur: Duration) -> anyhow::Result<Ceiling> {
    let key = rsa_signing_key()?;
    let signature: Signature = key.sign(SIGNING_STRING.as_bytes());
    let verifying: VerifyingKey<Sha256> = key.verifying_key();
    // Check once that the loop below measures successful verifications.
    verifying.verify(SIGNING_STRING.as_bytes(), &signature)?;
    Ok(on_threads(
        threads,
        dur,
        || (verifying.clone(), signature.clone()),
        |(k, s)| {
            let _ = std::hint::black_box(k.verify(SIGNING_STRING.as_bytes(), s));
        },
    ))
}

/// `rsa` crate public-key PEM parse plus verification (what activitypub_federation does per
/// inbox POST: it parses the actor's stored PEM each time).
pub fn rsa_parse_verify(threads: usize, dur: Duration) -> anyhow::Result<Ceiling> {
    let key = rsa_signing_key()?;
    let signature: Signature = key.sign(SIGNING_STRING.as_bytes());
    Ok(on_threads(
        threads,
        dur,
        || signature.clone(),
        |s| {
            if let Ok(public) = RsaPublicKey::from_public_key_pem(KEYS[0].1) {
                let _ = std::hint::black_box(
                    VerifyingKey::<Sha256>::new(public).verify(SIGNING_STRING.as_bytes(), s),
                );
            }
        },
    ))
}

fn pem_der(pem: &str) -> anyhow::Result<Vec<u8>> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    Ok(STANDARD.decode(body)?)
}

/// aws-lc-rs signing with the same key and string.
pub fn aws_lc_sign(threads: usize, dur: Duration) -> anyhow::Result<Ceiling> {
    let der = pem_der(KEYS[0].0)?;
    let pair = RsaKeyPair::from_pkcs8(&der).map_err(|e| anyhow::anyhow!("aws-lc key: {e}"))?;
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let len = pair.public_modulus_len();
    Ok(on_threads(
        threads,
        dur,
        || vec![0u8; len],
        |sig| {
            let _ = std::hint::black_box(pair.sign(
                &RSA_PKCS1_SHA256,
                &rng,
                SIGNING_STRING.as_bytes(),
                sig,
            ));
        },
    ))
}

/// aws-lc-rs verification of one signature.
pub fn aws_lc_verify(threads: usize, dur: Duration) -> anyhow::Result<Ceiling> {
    let der = pem_der(KEYS[0].0)?;
    let pair = RsaKeyPair::from_pkcs8(&der).map_err(|e| anyhow::anyhow!("aws-lc key: {e}"))?;
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(&RSA_PKCS1_SHA256, &rng, SIGNING_STRING.as_bytes(), &mut sig)
        .map_err(|e| anyhow::anyhow!("aws-lc sign: {e}"))?;
    let public = pair.public_key().as_ref().to_vec();
    let key = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public);
    key.verify(SIGNING_STRING.as_bytes(), &sig)
        .map_err(|e| anyhow::anyhow!("aws-lc verify: {e}"))?;
    Ok(on_threads(
        threads,
        dur,
        || (),
        |()| {
            let _ = std::hint::black_box(key.verify(SIGNING_STRING.as_bytes(), &sig));
        },
    ))
}

/// Runs a ceiling off the async workers.
pub async fn measure(
    f: impl FnOnce() -> anyhow::Result<Ceiling> + Send + 'static,
) -> anyhow::Result<Ceiling> {
    tokio::task::spawn_blocking(f)
        .await
        .context("ceiling thread")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ceiling_runs() {
        let d = Duration::from_millis(20);
        for f in [
            rsa_sign,
            rsa_verify,
            rsa_parse_verify,
            aws_lc_sign,
            aws_lc_verify,
        ] {
            let c = f(1, d).expect("ceiling");
            assert!(c.per_second > 0.0);
        }
    }
}
