//! A software authenticator for the tests: builds registration responses
//! byte by byte (ciborium for CBOR, the RustCrypto keys for signatures) so
//! each test can change exactly one thing and see the reason it is refused.

#![allow(dead_code)]

use ciborium::Value;
use passbind_protocol::base64url;
use passbind_protocol::wire::{AttestationResponse, RegistrationResponse};
use passbind_webauthn::Expectation;
use sha2::{Digest, Sha256};

pub const ORIGIN: &str = "https://app.example.com";
pub const RP_ID: &str = "app.example.com";
pub const CHALLENGE: [u8; 32] = [7; 32];

pub const UP: u8 = 0x01;
pub const UV: u8 = 0x04;
pub const BE: u8 = 0x08;
pub const BS: u8 = 0x10;
pub const AT: u8 = 0x40;

/// A 2048-bit RSA key made once with `openssl genrsa` for these tests only
/// (PKCS#1 DER, base64url): RSA key generation is too slow in a debug build.
const RSA_2048_PKCS1: &str = concat!(
    "MIIEogIBAAKCAQEAhBJGShUU5qRQW90nBEMxZmBzfunh4klZVeQEjxeAab9kxZUTKXCLbXq-lBqZZTW-Ic4hsiQiEqUwgfS5AMI2JzeDNkE0WXxa67VvuufU",
    "AAgWcHqOKGhekNYt7lvwyK5d7lfS0mrMz761MtnkFxgp81zdRdDZNDZbuZKQRVAsC4Ob3O5QqLZV_ymi3xdjDJIZkTGkSXnyVzee0PduyhmCj4rEPD977Qo_",
    "2OCneV-t1GHNVBS9_PDWS_yLI_9gtbJrlAhWs4sugCgnSmgMIu3h1s5J1xhsWWuyU-dKYoTvu4IrKTkkel-O0yL3x46JZmm-AwY1O1hplofuPC8P1ATuGwID",
    "AQABAoIBAA-ZSvUABW5yVM1s0ulleEWzuaBxRk0gRa1n14QBDhkvUlslztQTp1wgZbb_Z0O1c8XxXzh3nRCfsxl-SoWE6rl6DITRcbnp_qEdVlt4eykfy2qw",
    "hu7N2PF5YoZnFIrXUV_PvqY8mAEncKZXZuG1aGsGeln_H1BT5USHQ4P0Qqd_Ue7DXiS94KelWPjwODlL66LJa0a_rnzJHZxAU9jUKP-Wqj0Fx2b1JHUtdyKb",
    "1ZXL_OaNZsAvmIHNV5jsNnETq9t3ZsYp7EXur0pmesHwSeA0e_2QUFw-ZDjedXQDjVg-LFxWhz29U0FSs4iUIMVJ_P05zH4xmnxNPvnporZD6wUCgYEAue9k",
    "71208cxiQtrR3iFkYRAgyXXG_r8C4wrUvEPCW0bbsEUZT3Zg5S88RjLq4PURL1N7Frx9MTqklzQjiwb7MB8S0HKydKDbbP2qLQFWqFB9B8FM6xxWN_Lwvjls",
    "xsAASGHWZhZbuV-i99V7c5QH-3zA89edrvJYZQslMTKUtEcCgYEAtdbOQdqKallf62BB17-7knrpmGUJ8RUE8l1yFdqPYgeO4ykJ8tOLhnk54A6uE3IBw96O",
    "7X7ZQSy7msOQYjMA0kfjipmoNdm2OPt5DvUKRkp-S_0lSJEDq2JQJcjaM--zJPUHpF6819xPI7RfNQ_SlBmIv_FghF883yBAGtwFxY0CgYAgyo18gYQ12JvD",
    "up-kkzMGwzdlEDZmGv3BWNmn0jNmsZpw_d622uO_x5LTtosh3VaIiCp_GgLiObtpRzK1hCeslu5UgMXkN7I7CImIomHMEVXblkWgeUDjYR8ADVSXwKjMGyUa",
    "n_rROIKfPrEk8whtW9UTrAUNI4RfXZXTlV4QZQKBgBgDoUOjJ-p5mShNkwR6JrxmjRj6JwD2pKuZWaq3LX5lvyIS1mSCOYft1I3ZgnXA9ai3aKrGuMxZqwD6",
    "WMQPNkmPAubX-hX6hY0q8Mbf55Z22g0RBm558EEe_7StvNtlCYSU84hqlofvaWgutvAcAdRbNusaZoO0zCYvbSfe7Mg1AoGAMQJJGaWh4DVJg379M9A3vuj2",
    "FUnKrrFRpSwSlRfhfrb6Sk71X0cCA0w8wJe83Z7-Ff14prHy0EQf7DosKD_eWQN2RWJ0Q5rIkTE6KIdkWOVlewDm9pHPzdi9Vj-v6TkKM1z3D3mpZIw66dLd",
    "cTo7LZ7sGEVhsBGPkChAzIYGr0Y",
);

pub enum Key {
    P256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl Key {
    pub fn p256() -> Self {
        Key::P256(p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap())
    }

    pub fn ed25519() -> Self {
        Key::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[0x24; 32]))
    }

    pub fn rsa() -> Self {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        Key::Rsa(Box::new(rsa::RsaPrivateKey::from_pkcs1_der(&base64url::decode(RSA_2048_PKCS1).unwrap()).unwrap()))
    }

    pub fn alg(&self) -> i64 {
        match self {
            Key::P256(_) => -7,
            Key::Ed25519(_) => -8,
            Key::Rsa(_) => -257,
        }
    }

    /// The credential public key as a COSE_Key map.
    pub fn cose(&self) -> Vec<(Value, Value)> {
        match self {
            Key::P256(k) => {
                let point = k.verifying_key().to_sec1_point(false);
                let xy = &point.as_bytes()[1..];
                vec![
                    (int(1), int(2)),
                    (int(3), int(-7)),
                    (int(-1), int(1)),
                    (int(-2), Value::Bytes(xy[..32].to_vec())),
                    (int(-3), Value::Bytes(xy[32..].to_vec())),
                ]
            }
            Key::Ed25519(k) => {
                vec![(int(1), int(1)), (int(3), int(-8)), (int(-1), int(6)), (int(-2), Value::Bytes(k.verifying_key().to_bytes().to_vec()))]
            }
            Key::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                vec![
                    (int(1), int(3)),
                    (int(3), int(-257)),
                    (int(-1), Value::Bytes(k.n_bytes().to_vec())),
                    (int(-2), Value::Bytes(k.e_bytes().to_vec())),
                ]
            }
        }
    }

    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match self {
            Key::P256(k) => {
                use p256::ecdsa::signature::Signer;
                let sig: p256::ecdsa::Signature = k.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            Key::Ed25519(k) => {
                use ed25519_dalek::ed25519::signature::Signer;
                k.sign(msg).to_bytes().to_vec()
            }
            Key::Rsa(k) => {
                use rsa::signature::{SignatureEncoding, Signer};
                rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone()).sign(msg).to_vec()
            }
        }
    }
}

pub fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

pub fn text(t: &str) -> Value {
    Value::Text(t.into())
}

pub fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

pub enum Statement {
    None,
    /// Packed self attestation, signed by the credential key with this alg.
    PackedSelf {
        alg: i64,
    },
    /// Any attStmt under any format name.
    Raw {
        fmt: String,
        att_stmt: Vec<(Value, Value)>,
    },
}

/// One registration, every part of it open to change before `response()`.
pub struct Registration {
    pub key: Key,
    pub type_: String,
    pub client_data: serde_json::Value,
    pub rp_id: String,
    pub flags: u8,
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    /// What `id` and `rawId` say; the credential ID unless changed.
    pub raw_id: Option<Vec<u8>>,
    pub cose_key: Vec<(Value, Value)>,
    pub statement: Statement,
    /// Changes the signature after signing (a forgery).
    pub flip_signature: bool,
}

impl Registration {
    pub fn new(key: Key) -> Self {
        let cose_key = key.cose();
        Registration {
            key,
            type_: "public-key".into(),
            client_data: serde_json::json!({
                "type": "webauthn.create", "challenge": base64url::encode(&CHALLENGE), "origin": ORIGIN, "crossOrigin": false,
            }),
            rp_id: RP_ID.into(),
            flags: UP | UV | AT,
            aaguid: [0x5a; 16],
            credential_id: vec![0xc1; 32],
            raw_id: None,
            cose_key,
            statement: Statement::None,
            flip_signature: false,
        }
    }

    pub fn packed(key: Key) -> Self {
        let alg = key.alg();
        Registration { statement: Statement::PackedSelf { alg }, ..Registration::new(key) }
    }

    pub fn auth_data(&self) -> Vec<u8> {
        let mut d = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        d.push(self.flags);
        d.extend_from_slice(&9u32.to_be_bytes());
        if self.flags & AT != 0 {
            d.extend_from_slice(&self.aaguid);
            d.extend_from_slice(&u16::try_from(self.credential_id.len()).unwrap().to_be_bytes());
            d.extend_from_slice(&self.credential_id);
            d.extend_from_slice(&cbor(&Value::Map(self.cose_key.clone())));
        }
        d
    }

    pub fn response(&self) -> RegistrationResponse {
        let client_data_json = serde_json::to_vec(&self.client_data).unwrap();
        let auth_data = self.auth_data();
        let (fmt, att_stmt) = match &self.statement {
            Statement::None => ("none".to_owned(), vec![]),
            Statement::PackedSelf { alg } => {
                let signed = [auth_data.as_slice(), &Sha256::digest(&client_data_json)].concat();
                let mut sig = self.key.sign(&signed);
                if self.flip_signature {
                    *sig.last_mut().unwrap() ^= 1;
                }
                ("packed".to_owned(), vec![(text("alg"), int(*alg)), (text("sig"), Value::Bytes(sig))])
            }
            Statement::Raw { fmt, att_stmt } => (fmt.clone(), att_stmt.clone()),
        };
        let attestation_object = cbor(&Value::Map(vec![
            (text("fmt"), text(&fmt)),
            (text("attStmt"), Value::Map(att_stmt)),
            (text("authData"), Value::Bytes(auth_data)),
        ]));
        let raw_id = base64url::encode(self.raw_id.as_ref().unwrap_or(&self.credential_id));
        RegistrationResponse {
            id: raw_id.clone(),
            raw_id,
            type_: self.type_.clone(),
            response: AttestationResponse {
                client_data_json: base64url::encode(&client_data_json),
                attestation_object: base64url::encode(&attestation_object),
                authenticator_data: None,
                transports: vec!["internal".into(), "hybrid".into()],
                public_key_algorithm: None,
                public_key: None,
            },
            authenticator_attachment: Some("platform".into()),
            client_extension_results: Default::default(),
        }
    }
}

/// The expectation every test registers against.
pub fn expect<R>(require_user_verification: bool, f: impl FnOnce(&Expectation<'_>) -> R) -> R {
    let origins = [ORIGIN.to_owned()];
    f(&Expectation { challenge: &CHALLENGE, allowed_origins: &origins, rp_id: RP_ID, require_user_verification })
}
