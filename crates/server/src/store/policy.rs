//! What an authenticator config asks of the authenticators it binds
//! (issue 12): an AAGUID allow or deny list, a trusted attestation, only
//! certified models. Stored with the config; applied after the WebAuthn
//! checks by `crate::trust`. And what a credential keeps of its attestation.

use std::fmt;
use std::str::FromStr;

/// An authenticator model's AAGUID. Its text form is the canonical UUID,
/// lower case (the admin API and the stored lists use it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Aaguid(pub [u8; 16]);

/// A string that is not a UUID in its `8-4-4-4-12` hexadecimal form.
#[derive(Debug, thiserror::Error)]
#[error("not a UUID (8-4-4-4-12 hexadecimal digits)")]
pub struct NotAnAaguid;

impl FromStr for Aaguid {
    type Err = NotAnAaguid;
    /// Either case is read; the canonical form is lower case.
    fn from_str(s: &str) -> Result<Self, NotAnAaguid> {
        let b = s.as_bytes();
        if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
            return Err(NotAnAaguid);
        }
        let digits: Vec<u8> = b.iter().filter(|&&c| c != b'-').copied().collect();
        if digits.len() != 32 {
            return Err(NotAnAaguid);
        }
        let mut out = [0u8; 16];
        for (i, pair) in digits.chunks(2).enumerate() {
            let hex = |c: u8| (c as char).to_digit(16).ok_or(NotAnAaguid);
            out[i] = (hex(pair[0])? << 4 | hex(pair[1])?) as u8;
        }
        Ok(Aaguid(out))
    }
}

impl fmt::Display for Aaguid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::util::uuid_string(&self.0))
    }
}

/// The most AAGUIDs one allow or deny list may hold.
pub const MAX_AAGUIDS: usize = 1000;

/// An authenticator config's attestation policy. The default asks nothing
/// (any authenticator that passes the WebAuthn checks binds).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttestationPolicy {
    /// Only a trusted attestation binds: its chain leads to the metadata
    /// entry's roots (so `none` and self attestation are refused, and so is
    /// everything while no metadata BLOB is loaded).
    pub attestation_required: bool,
    /// When not empty, only these AAGUIDs bind.
    pub aaguid_allow: Vec<Aaguid>,
    /// These AAGUIDs never bind (not together with an allow list).
    pub aaguid_deny: Vec<Aaguid>,
    /// Only authenticators the metadata BLOB lists as FIDO certified bind.
    pub certified_only: bool,
}

impl AttestationPolicy {
    /// True for the default policy (nothing to show or check).
    pub fn is_default(&self) -> bool {
        *self == AttestationPolicy::default()
    }
}

/// A list of AAGUIDs as stored: a JSON array of canonical strings.
pub(super) fn aaguids_to_json(list: &[Aaguid]) -> String {
    serde_json::to_string(&list.iter().map(Aaguid::to_string).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

/// The stored list back; entries that do not read are skipped (the API
/// only ever stores canonical ones).
pub(super) fn aaguids_from_json(text: &str) -> Vec<Aaguid> {
    serde_json::from_str::<Vec<String>>(text).unwrap_or_default().iter().filter_map(|s| s.parse().ok()).collect()
}

/// A trust path (x5c DER certificates, leaf first) as stored: a JSON array of base64.
pub(super) fn trust_path_to_json(path: &[Vec<u8>]) -> String {
    use base64::Engine;
    let list: Vec<String> = path.iter().map(|der| base64::engine::general_purpose::STANDARD.encode(der)).collect();
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
}

pub(super) fn trust_path_from_json(text: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let list: Vec<String> = serde_json::from_str(text).unwrap_or_default();
    list.iter().filter_map(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aaguids_read_in_either_case_and_print_canonically() {
        let a: Aaguid = "ADCE0002-35BC-C60A-648B-0B25F1F05503".parse().unwrap();
        assert_eq!(a.to_string(), "adce0002-35bc-c60a-648b-0b25f1f05503");
        for bad in ["", "adce000235bcc60a648b0b25f1f05503", "adce0002-35bc-c60a-648b-0b25f1f0550g", "adce0002-35bc-c60a-648b0-b25f1f05503"]
        {
            assert!(bad.parse::<Aaguid>().is_err(), "{bad}");
        }
        assert!("adce0002-35bc-c60a-648b-0b25f1f055+3".parse::<Aaguid>().is_err());
        assert_eq!(aaguids_from_json(&aaguids_to_json(&[a])), vec![a]);
        assert_eq!(trust_path_from_json(&trust_path_to_json(&[vec![1, 2, 3], vec![]])), vec![vec![1, 2, 3], vec![]]);
    }
}
