//! Verification micro-benchmark (`bash bench/run.sh verify`, or
//! `cargo bench -p passbind-webauthn --bench verify`): the median time of
//! `verify_statement` per attestation format over the real-world vectors of
//! tests/vectors/, and of `verify_chain` for their trust paths. No harness,
//! no dependency: each case runs for about half a second after a warm-up,
//! and the median of the single-call times is reported (in microseconds).
//! Writes bench/out/verify.json when run from the workspace (BENCH_OUT).

use passbind_protocol::base64url;
use passbind_webauthn::attestation::{verify_statement, AttestationObject};
use passbind_webauthn::authenticator_data::AuthenticatorData;
use passbind_webauthn::cose::CoseKey;
use passbind_webauthn::{verify_chain_with, ChainOptions};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::time::{Duration, Instant};

struct Case {
    name: &'static str,
    att: AttestationObject,
    client_data_hash: [u8; 32],
    at: u64,
}

fn case(name: &'static str, json: &str) -> Case {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let response = &v["credential"]["response"];
    let att = AttestationObject::parse(&base64url::decode(response["attestationObject"].as_str().unwrap()).unwrap()).unwrap();
    let client_data = base64url::decode(response["clientDataJSON"].as_str().unwrap()).unwrap();
    // The tpm and android-safetynet vectors name their time `verify_at`.
    let at = v["at"].as_u64().or(v["verify_at"].as_u64()).unwrap();
    Case { name, att, client_data_hash: Sha256::digest(client_data).into(), at }
}

fn pem(text: &str) -> Vec<u8> {
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let url: String = b64
        .chars()
        .filter(|c| *c != '=')
        .map(|c| {
            if c == '+' {
                '-'
            } else if c == '/' {
                '_'
            } else {
                c
            }
        })
        .collect();
    base64url::decode(&url).unwrap()
}

/// Median single-call time of `f`, in microseconds, and the number of calls.
fn median_us(mut f: impl FnMut()) -> (f64, usize) {
    for _ in 0..20 {
        f();
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(500) || times.len() < 50 {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort_unstable();
    (times[times.len() / 2].as_secs_f64() * 1e6, times.len())
}

fn main() {
    let cases = [
        case("none (Firefox)", include_str!("../tests/vectors/none/firefox-android.json")),
        case("packed (x5c, YubiKey)", include_str!("../tests/vectors/packed/yubikey-firefox.json")),
        case("fido-u2f (YubiKey)", include_str!("../tests/vectors/fido-u2f/yubikey-firefox.json")),
        case("apple (iPhone)", include_str!("../tests/vectors/apple/iphone-passkey.json")),
        case("android-key (Pixel 8a)", include_str!("../tests/vectors/android-key/pixel-8a.json")),
        case("tpm RSA (Surface Pro 4)", include_str!("../tests/vectors/tpm/surface-pro-4-intc-rsa.json")),
        case("tpm ECC (Nuvoton, webauthn.io)", include_str!("../tests/vectors/tpm/webauthn-io-ntc-ecc.json")),
        case("android-safetynet (Chrome)", include_str!("../tests/vectors/android-safetynet/py-webauthn-chrome-android.json")),
    ];
    let yubico = pem(include_str!("../tests/vectors/roots/yubico-u2f-root-ca-457200631.pem"));
    let apple = pem(include_str!("../tests/vectors/roots/apple-webauthn-root-ca.pem"));
    let google = pem(include_str!("../tests/vectors/roots/google-hardware-attestation-root-2.pem"));
    let microsoft = pem(include_str!("../tests/vectors/tpm/microsoft-tpm-root-ca-2014.pem"));
    let globalsign = pem(include_str!("../tests/vectors/android-safetynet/globalsign-root-ca.pem"));
    let roots = [None, Some(&yubico), Some(&yubico), Some(&apple), Some(&google), Some(&microsoft), Some(&microsoft), Some(&globalsign)];

    let mut rows: Vec<(String, f64, usize)> = Vec::new();
    for (c, root) in cases.iter().zip(roots) {
        let auth = AuthenticatorData::parse(&c.att.auth_data).unwrap();
        let key = CoseKey::parse(&auth.attested.as_ref().unwrap().public_key_cose).unwrap();
        let attested = verify_statement(&c.att, &auth, &key, &c.client_data_hash).unwrap();
        let (us, n) = median_us(|| {
            black_box(verify_statement(black_box(&c.att), &auth, &key, &c.client_data_hash).unwrap());
        });
        rows.push((format!("verify_statement {}", c.name), us, n));
        if let Some(root) = root {
            let anchors = [root.clone()];
            // As the service decides trust: SHA-1 allowed on TPM AIK chains only.
            let opts = if c.att.fmt == "tpm" { ChainOptions::TPM } else { ChainOptions::default() };
            verify_chain_with(&attested.trust_path, &anchors, c.at, opts).unwrap();
            let (us, n) = median_us(|| verify_chain_with(black_box(&attested.trust_path), &anchors, c.at, opts).unwrap());
            rows.push((format!("verify_chain {} ({} certs + root)", c.name, attested.trust_path.len()), us, n));
        }
    }

    println!("== WebAuthn verification (median of single calls, release build)");
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    for (name, us, n) in &rows {
        println!("  {name:<width$}  {us:>9.2} us  (n={n})");
    }
    if let Ok(out) = std::env::var("BENCH_OUT") {
        let json: Vec<serde_json::Value> =
            rows.iter().map(|(name, us, n)| serde_json::json!({"name": name, "median_us": us, "n": n})).collect();
        std::fs::write(&out, serde_json::to_string_pretty(&serde_json::json!({ "rows": json })).unwrap()).unwrap();
    }
}
