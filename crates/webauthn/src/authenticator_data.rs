//! Authenticator data (WebAuthn §6.1): the bytes the authenticator signs.

use crate::VerifyError;

/// The flags byte (§6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags(pub u8);

impl Flags {
    /// User present.
    pub const UP: u8 = 0x01;
    /// User verified.
    pub const UV: u8 = 0x04;
    /// Backup eligible.
    pub const BE: u8 = 0x08;
    /// Backed up (backup state).
    pub const BS: u8 = 0x10;
    /// Attested credential data included.
    pub const AT: u8 = 0x40;
    /// Extension data included.
    pub const ED: u8 = 0x80;

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

#[derive(Debug, Clone)]
pub struct AttestedCredentialData {
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    /// The COSE_Key's exact bytes.
    pub public_key_cose: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct AuthenticatorData {
    pub rp_id_hash: [u8; 32],
    pub flags: Flags,
    pub sign_count: u32,
    pub attested: Option<AttestedCredentialData>,
}

impl AuthenticatorData {
    pub fn user_present(&self) -> bool {
        self.flags.has(Flags::UP)
    }
    pub fn user_verified(&self) -> bool {
        self.flags.has(Flags::UV)
    }
    pub fn backup_eligible(&self) -> bool {
        self.flags.has(Flags::BE)
    }
    pub fn backed_up(&self) -> bool {
        self.flags.has(Flags::BS)
    }

    pub fn parse(data: &[u8]) -> Result<Self, VerifyError> {
        if data.len() < 37 {
            return Err(VerifyError::MalformedAuthenticatorData("authenticator data is too short"));
        }
        let mut rp_id_hash = [0u8; 32];
        rp_id_hash.copy_from_slice(&data[..32]);
        let flags = Flags(data[32]);
        let sign_count = u32::from_be_bytes([data[33], data[34], data[35], data[36]]);
        let mut rest = &data[37..];
        let attested = if flags.has(Flags::AT) {
            if rest.len() < 18 {
                return Err(VerifyError::MalformedAuthenticatorData("attested credential data is truncated"));
            }
            let mut aaguid = [0u8; 16];
            aaguid.copy_from_slice(&rest[..16]);
            let len = usize::from(u16::from_be_bytes([rest[16], rest[17]]));
            rest = &rest[18..];
            if rest.len() < len {
                return Err(VerifyError::MalformedAuthenticatorData("the credential ID is truncated"));
            }
            let credential_id = rest[..len].to_vec();
            rest = &rest[len..];
            // The key is one CBOR item; its length is only known by decoding it.
            let before = rest.len();
            let _: ciborium::Value = ciborium::from_reader(&mut rest)
                .map_err(|_| VerifyError::MalformedPublicKey("the credential public key is not CBOR".into()))?;
            let key_len = before - rest.len();
            let start = data.len() - before;
            Some(AttestedCredentialData { aaguid, credential_id, public_key_cose: data[start..start + key_len].to_vec() })
        } else {
            None
        };
        if flags.has(Flags::ED) {
            let _: ciborium::Value =
                ciborium::from_reader(&mut rest).map_err(|_| VerifyError::MalformedAuthenticatorData("the extensions are not CBOR"))?;
        }
        if !rest.is_empty() {
            return Err(VerifyError::MalformedAuthenticatorData("trailing bytes after authenticator data"));
        }
        Ok(AuthenticatorData { rp_id_hash, flags, sign_count, attested })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_truncated_data_is_rejected_not_a_panic() {
        assert_eq!(AuthenticatorData::parse(&[]).err(), Some(VerifyError::MalformedAuthenticatorData("authenticator data is too short")));
        let mut d = vec![0u8; 37];
        d[32] = Flags::AT | Flags::UP;
        assert!(AuthenticatorData::parse(&d).is_err());
        d.extend_from_slice(&[0u8; 16]);
        d.extend_from_slice(&[0xff, 0xff]);
        assert!(AuthenticatorData::parse(&d).is_err());
        let mut plain = vec![0u8; 37];
        plain[32] = Flags::UP;
        assert!(AuthenticatorData::parse(&plain).unwrap().attested.is_none());
        plain.push(0);
        assert!(AuthenticatorData::parse(&plain).is_err());
    }
}
