//! A software authenticator that costs the load generator next to nothing:
//! P-256 keys generated once up front, attestation objects and COSE keys
//! CBOR-encoded by hand. Each registration gets a fresh random credential ID
//! (the service refuses a credential ID twice); keys are reused round-robin.
//! `none` attestation is what browsers send for `attestation: "none"`;
//! `packed` self attestation adds one ECDSA signature here and one
//! verification in the service.

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use passbind_protocol::base64url;
use passbind_protocol::wire::{AttestationResponse, ClientExtensionResults, CredProps, RegistrationResponse};
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Format {
    None,
    Packed,
}

struct Key {
    signing: SigningKey,
    cose: Vec<u8>,
}

pub struct Authenticator {
    keys: Vec<Key>,
    next: usize,
    origin: String,
    format: Format,
}

pub fn random<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("OS random number generator");
    buf
}

// --- CBOR, just the items WebAuthn needs ---
fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }
}
fn int(out: &mut Vec<u8>, v: i64) {
    if v >= 0 {
        head(out, 0, v as u64)
    } else {
        head(out, 1, (-1 - v) as u64)
    }
}
fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    head(out, 2, b.len() as u64);
    out.extend_from_slice(b);
}
fn text(out: &mut Vec<u8>, s: &str) {
    head(out, 3, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// COSE_Key of an ES256 public key: {1: 2, 3: -7, -1: 1, -2: x, -3: y}.
fn cose_es256(key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_sec1_point(false);
    let point = point.as_bytes();
    let mut out = Vec::with_capacity(77);
    head(&mut out, 5, 5);
    int(&mut out, 1);
    int(&mut out, 2);
    int(&mut out, 3);
    int(&mut out, -7);
    int(&mut out, -1);
    int(&mut out, 1);
    int(&mut out, -2);
    bytes(&mut out, &point[1..33]);
    int(&mut out, -3);
    bytes(&mut out, &point[33..65]);
    out
}

impl Authenticator {
    pub fn new(keys: usize, origin: &str, format: Format) -> Self {
        let keys = (0..keys.max(1))
            .map(|_| {
                let signing = loop {
                    if let Ok(k) = SigningKey::from_slice(&random::<32>()) {
                        break k;
                    }
                };
                let cose = cose_es256(&signing);
                Key { signing, cose }
            })
            .collect();
        Authenticator { keys, next: 0, origin: origin.to_owned(), format }
    }

    /// What `navigator.credentials.create` would resolve with, as JSON.
    pub fn register(&mut self, challenge: &str, rp_id: &str) -> RegistrationResponse {
        let key = &self.keys[self.next % self.keys.len()];
        self.next = self.next.wrapping_add(1);
        let mut client_data = String::with_capacity(160);
        client_data.push_str(r#"{"type":"webauthn.create","challenge":""#);
        client_data.push_str(challenge);
        client_data.push_str(r#"","origin":""#);
        client_data.push_str(&self.origin);
        client_data.push_str(r#"","crossOrigin":false}"#);

        let credential_id = random::<16>();
        let mut auth_data = Vec::with_capacity(37 + 18 + 16 + key.cose.len());
        auth_data.extend_from_slice(&Sha256::digest(rp_id.as_bytes()));
        auth_data.push(0x01 | 0x04 | 0x40); // UP, UV, AT
        auth_data.extend_from_slice(&0u32.to_be_bytes());
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID: none
        auth_data.extend_from_slice(&(credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&credential_id);
        auth_data.extend_from_slice(&key.cose);

        let mut att = Vec::with_capacity(auth_data.len() + 128);
        head(&mut att, 5, 3);
        text(&mut att, "fmt");
        match self.format {
            Format::None => {
                text(&mut att, "none");
                text(&mut att, "attStmt");
                head(&mut att, 5, 0);
            }
            Format::Packed => {
                let mut signed = auth_data.clone();
                signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
                let signature: Signature = key.signing.sign(&signed);
                text(&mut att, "packed");
                text(&mut att, "attStmt");
                head(&mut att, 5, 2);
                text(&mut att, "alg");
                int(&mut att, -7);
                text(&mut att, "sig");
                bytes(&mut att, signature.to_der().as_bytes());
            }
        }
        text(&mut att, "authData");
        bytes(&mut att, &auth_data);

        let id = base64url::encode(&credential_id);
        RegistrationResponse {
            raw_id: id.clone(),
            id,
            type_: "public-key".into(),
            response: AttestationResponse {
                client_data_json: base64url::encode(client_data.as_bytes()),
                attestation_object: base64url::encode(&att),
                authenticator_data: None,
                transports: vec!["internal".into()],
                public_key_algorithm: Some(-7),
                public_key: None,
            },
            authenticator_attachment: Some("platform".into()),
            client_extension_results: ClientExtensionResults { cred_props: Some(CredProps { rk: Some(true) }) },
        }
    }
}
