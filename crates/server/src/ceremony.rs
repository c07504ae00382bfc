//! WebAuthn ceremonies sealed in their IDs, so that no ceremony is stored.
//!
//! `:invokeAuthenticator` makes a ceremony: a random nonce and an expiry time.
//! Its challenge is an HMAC of the job ID, the nonce and the expiry under the
//! deployment's ceremony key. The ceremony ID carries the nonce, the expiry
//! and a second HMAC (the tag). `:bindCredential` opens the ID with the same
//! key. It gets the challenge back only if the tag is right for this job, so
//! a made-up ID, a changed expiry, or another job's ceremony is refused.
//!
//! A stored ceremony row cost a write and a read per binding. A ceremony is
//! still single-use: the job completes once, in one transaction, and after
//! that every ceremony of the job answers `JOB_COMPLETE`, or the same passkey
//! for a retry of the request that completed it.
//!
//! Every instance on one database uses the same key: it is made once and
//! kept in the database (`Store::service_key`). That key alone gains nothing,
//! because binding also needs the link's token, and only its hash is stored.

use hmac::{Hmac, KeyInit, Mac};
use passbind_protocol::base64url;
use sha2::Sha256;

/// version (1) | nonce (16) | expire_time, µs since the epoch, big-endian (8) | tag (16)
const SEALED_LEN: usize = 1 + 16 + 8 + 16;
const VERSION: u8 = 1;

/// The deployment's ceremony key.
pub struct CeremonyKey([u8; 32]);

/// A ceremony: what `:invokeAuthenticator` hands out and `:bindCredential` checks.
#[derive(Debug, PartialEq)]
pub struct Ceremony {
    pub id: String,
    pub challenge: [u8; 32],
    pub expire_time: i64,
}

impl CeremonyKey {
    /// A key from its stored bytes (`None` unless exactly 32).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        Some(CeremonyKey(bytes.try_into().ok()?))
    }

    /// HMAC-SHA256 of `label`, the nonce, the expiry and the job ID (the
    /// only part of variable length, so it goes last).
    fn mac(&self, label: &[u8], job_id: &str, nonce: &[u8; 16], expire_time: i64) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(label);
        mac.update(nonce);
        mac.update(&expire_time.to_be_bytes());
        mac.update(job_id.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A new ceremony for `job_id` that expires at `expire_time`.
    pub fn start(&self, job_id: &str, expire_time: i64) -> Ceremony {
        self.seal(job_id, crate::util::random_bytes::<16>(), expire_time)
    }

    fn seal(&self, job_id: &str, nonce: [u8; 16], expire_time: i64) -> Ceremony {
        let mut sealed = [0u8; SEALED_LEN];
        sealed[0] = VERSION;
        sealed[1..17].copy_from_slice(&nonce);
        sealed[17..25].copy_from_slice(&expire_time.to_be_bytes());
        sealed[25..].copy_from_slice(&self.mac(b"passbind ceremony id\0", job_id, &nonce, expire_time)[..16]);
        Ceremony { id: base64url::encode(&sealed), challenge: self.mac(b"passbind challenge\0", job_id, &nonce, expire_time), expire_time }
    }

    /// The ceremony `id` names, if this key made it for `job_id` (expired or
    /// not: the caller tells those apart). Tags compare in constant time.
    pub fn open(&self, job_id: &str, id: &str) -> Option<Ceremony> {
        let sealed: [u8; SEALED_LEN] = base64url::decode(id)?.try_into().ok()?;
        if sealed[0] != VERSION {
            return None;
        }
        let nonce: [u8; 16] = sealed[1..17].try_into().ok()?;
        let expire_time = i64::from_be_bytes(sealed[17..25].try_into().ok()?);
        let expected = self.mac(b"passbind ceremony id\0", job_id, &nonce, expire_time);
        if !crate::util::constant_time_eq(&expected[..16], &sealed[25..]) {
            return None;
        }
        Some(self.seal(job_id, nonce, expire_time))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> CeremonyKey {
        CeremonyKey::from_bytes(&[byte; 32]).unwrap()
    }

    #[test]
    fn a_ceremony_opens_with_its_key_for_its_job_only() {
        let k = key(7);
        let c = k.start("job-a", 1_000);
        assert_eq!(k.open("job-a", &c.id), Some(Ceremony { id: c.id.clone(), challenge: c.challenge, expire_time: 1_000 }));
        assert_eq!(k.open("job-b", &c.id), None, "another job's ceremony");
        assert_eq!(key(8).open("job-a", &c.id), None, "another deployment's key");
        assert_ne!(k.start("job-a", 1_000).challenge, c.challenge, "a fresh nonce each time");
    }

    #[test]
    fn a_changed_or_malformed_id_is_refused() {
        let k = key(7);
        let c = k.start("job-a", 1_000);
        let mut sealed = base64url::decode(&c.id).unwrap();
        for i in 0..sealed.len() {
            sealed[i] ^= 1;
            assert_eq!(k.open("job-a", &base64url::encode(&sealed)), None, "byte {i} changed");
            sealed[i] ^= 1;
        }
        // A later expiry cannot be written in.
        sealed[17..25].copy_from_slice(&i64::MAX.to_be_bytes());
        assert_eq!(k.open("job-a", &base64url::encode(&sealed)), None);
        for junk in ["", "x", "not base64url!", &c.id[1..], &format!("{}AA", c.id)] {
            assert_eq!(k.open("job-a", junk), None, "{junk:?}");
        }
        assert!(CeremonyKey::from_bytes(&[0; 31]).is_none());
    }
}
