//! The FIDO Metadata Service (MDS3) BLOB: a JWT, signed by a certificate
//! that chains to the FIDO Alliance's root, listing authenticator models by
//! AAGUID (FIDO2) or attestation certificate key identifier (U2F) with their
//! attestation roots, names, icons and status reports (certified, revoked,
//! compromised). [`MetadataBlob::verify`] checks and reads one; the caller
//! (the server) fetches it, keeps it and decides trust with its entries.
//! Pure: the time is a parameter, the root is given, nothing is fetched (no
//! `x5u`, no certificate revocation lists).
//!
//! - `jws` — the envelope: header, x5c chain, signature
//! - `payload` — the payload's JSON and its entries
//! - `status` — status reports and [`AuthenticatorStatus`]
//! - `error` — [`MetadataError`]

mod error;
mod jws;
mod payload;
mod status;
#[cfg(any(test, feature = "test-support"))]
pub mod testkit;
#[cfg(test)]
mod tests;

pub use error::MetadataError;
pub use status::{AuthenticatorStatus, StatusReport};

use std::collections::HashMap;

/// The largest BLOB passbind reads (the real one is a few MB).
pub const MAX_BLOB_BYTES: usize = 32 << 20;

/// A verified metadata BLOB.
#[derive(Debug, Clone)]
pub struct MetadataBlob {
    /// The legal terms the BLOB is used under (`legalHeader`).
    pub legal_header: String,
    /// The BLOB's serial number (`no`): a later BLOB has a larger one.
    pub no: u64,
    /// When the next BLOB is due (`nextUpdate`).
    pub next_update: time::Date,
    /// The entries that could be read, in the BLOB's order.
    pub entries: Vec<MetadataEntry>,
    /// The entries that could not be read (and are left out).
    pub skipped: Vec<SkippedEntry>,
    by_aaguid: HashMap<[u8; 16], usize>,
    by_key_id: HashMap<Vec<u8>, usize>,
}

/// One authenticator model of the BLOB (a MetadataBLOBPayloadEntry and the
/// parts of its metadata statement passbind uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataEntry {
    /// The AAGUID of a FIDO2 authenticator.
    pub aaguid: Option<[u8; 16]>,
    /// For U2F authenticators: SHA-1 hashes of the attestation certificates'
    /// subjectPublicKey (`attestationCertificateKeyIdentifiers`, decoded from hex).
    pub attestation_certificate_key_identifiers: Vec<Vec<u8>>,
    /// The model's name (the statement's `description`; empty without a statement).
    pub description: String,
    /// The model's icon as a `data:image/…` URL (other icons are dropped).
    pub icon: Option<String>,
    /// The attestation types it uses (`basic_full`, `attca`, …) as written.
    pub attestation_types: Vec<String>,
    /// The trust anchors of its attestation (DER certificates).
    pub attestation_root_certificates: Vec<Vec<u8>>,
    /// The latest status report's status.
    pub status: AuthenticatorStatus,
    /// Whether its latest FIDO certification still holds (not followed by
    /// REVOKED or NOT_FIDO_CERTIFIED).
    pub certified: bool,
    /// All its status reports, oldest first.
    pub status_reports: Vec<StatusReport>,
    /// `timeOfLastStatusChange`.
    pub time_of_last_status_change: Option<time::Date>,
}

/// An entry of the BLOB left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    /// Its position in the BLOB's `entries`.
    pub index: usize,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl MetadataBlob {
    /// Verifies a BLOB (MDS 3.0 §3.1.7): the JWT's `x5c` chain up to
    /// `root_der` (the FIDO Alliance's root, DER) with every certificate
    /// valid at `at_unix_seconds`, the signature by the first certificate's
    /// key, then reads the payload. Leading and trailing whitespace (a file's
    /// newline) is ignored. A BLOB past its `nextUpdate` is not refused here:
    /// see [`MetadataBlob::is_stale`].
    pub fn verify(jwt: &str, root_der: &[u8], at_unix_seconds: u64) -> Result<MetadataBlob, MetadataError> {
        if jwt.len() > MAX_BLOB_BYTES {
            return Err(MetadataError::TooLarge { limit: MAX_BLOB_BYTES });
        }
        let payload = jws::verify(jwt.trim(), root_der, at_unix_seconds)?;
        Self::read(&payload)
    }

    /// Reads a payload whose signature has been verified (or, in the fuzz
    /// targets through `testkit::read_payload`, that has none).
    pub(crate) fn read(payload: &[u8]) -> Result<MetadataBlob, MetadataError> {
        let parsed = payload::parse(payload)?;
        let mut by_aaguid = HashMap::new();
        let mut by_key_id = HashMap::new();
        for (i, entry) in parsed.entries.iter().enumerate() {
            // A second entry for the same authenticator does not replace the first.
            if let Some(aaguid) = entry.aaguid {
                by_aaguid.entry(aaguid).or_insert(i);
            }
            for key_id in &entry.attestation_certificate_key_identifiers {
                by_key_id.entry(key_id.clone()).or_insert(i);
            }
        }
        Ok(MetadataBlob {
            legal_header: parsed.legal_header,
            no: parsed.no,
            next_update: parsed.next_update,
            entries: parsed.entries,
            skipped: parsed.skipped,
            by_aaguid,
            by_key_id,
        })
    }

    /// The entry of a FIDO2 authenticator model.
    pub fn entry_for_aaguid(&self, aaguid: &[u8; 16]) -> Option<&MetadataEntry> {
        self.by_aaguid.get(aaguid).map(|i| &self.entries[*i])
    }

    /// The entry of a U2F authenticator model by attestation certificate key
    /// identifier (SHA-1 of the certificate's subjectPublicKey bits).
    pub fn entry_for_key_id(&self, key_id: &[u8]) -> Option<&MetadataEntry> {
        self.by_key_id.get(key_id).map(|i| &self.entries[*i])
    }

    /// `nextUpdate` as Unix seconds (its midnight, UTC).
    pub fn next_update_unix_seconds(&self) -> i64 {
        self.next_update.midnight().assume_utc().unix_timestamp()
    }

    /// Whether the BLOB's `nextUpdate` has passed at `at_unix_seconds`: a
    /// newer BLOB should exist (with reports this one lacks).
    pub fn is_stale(&self, at_unix_seconds: u64) -> bool {
        i64::try_from(at_unix_seconds).map_or(true, |at| at >= self.next_update_unix_seconds())
    }
}
