//! The two TPM 2.0 structures of a `tpm` statement (TPM 2.0 Library, Part 2:
//! Structures): `TPMS_ATTEST` (certInfo, what the AIK signed) and
//! `TPMT_PUBLIC` (pubArea, the credential key as the TPM holds it).
//!
//! Own code rather than a crate: the maintained TPM crates (`tss-esapi`)
//! bind the C TSS library and talk to a TPM; the pure-Rust ones are
//! unmaintained or pull a whole TSS type system. WebAuthn needs two
//! structures, read-only, so a bounded big-endian reader of ~100 lines is
//! smaller to review than any dependency. Every length is checked against
//! what is left, so hostile bytes end in an error, never a panic.

use super::TpmError;

/// `TPM_GENERATED_VALUE`: the structure was made inside a TPM.
pub const TPM_GENERATED_VALUE: u32 = 0xff54_4347;
/// `TPM_ST_ATTEST_CERTIFY`: an attestation of TPM2_Certify.
pub const TPM_ST_ATTEST_CERTIFY: u16 = 0x8017;
/// `TPM_ALG_RSA`.
pub const TPM_ALG_RSA: u16 = 0x0001;
/// `TPM_ALG_ECC`.
pub const TPM_ALG_ECC: u16 = 0x0023;
/// `TPM_ALG_NULL`: no algorithm (no symmetric scheme, no signing scheme, no KDF).
const TPM_ALG_NULL: u16 = 0x0010;
/// `TPM_ECC_NIST_P256`, the only curve a passbind credential key can be on.
pub const TPM_ECC_NIST_P256: u16 = 0x0003;

/// A cursor over bytes that refuses to read past their end.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { bytes, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], TpmError> {
        if n > self.bytes.len() {
            return Err(TpmError::Malformed(self.what));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], TpmError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u16(&mut self) -> Result<u16, TpmError> {
        self.array().map(u16::from_be_bytes)
    }

    fn u32(&mut self) -> Result<u32, TpmError> {
        self.array().map(u32::from_be_bytes)
    }

    /// A `TPM2B_*`: a 16-bit size, then that many bytes.
    fn sized(&mut self) -> Result<&'a [u8], TpmError> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    /// An algorithm selector that is followed by details unless it is NULL
    /// (`TPMT_SYM_DEF_OBJECT`: keyBits and mode; schemes and KDFs: hashAlg).
    fn scheme(&mut self, detail_len: usize) -> Result<u16, TpmError> {
        let alg = self.u16()?;
        if alg != TPM_ALG_NULL {
            self.take(detail_len)?;
        }
        Ok(alg)
    }

    fn finish(self) -> Result<(), TpmError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(TpmError::Malformed(self.what))
        }
    }
}

/// The parts of `TPMS_ATTEST` WebAuthn checks (§8.3 step "Validate that
/// certInfo is valid"); qualifiedSigner, clockInfo and firmwareVersion are
/// read past and ignored, as the spec says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo<'a> {
    pub magic: u32,
    pub type_: u16,
    pub extra_data: &'a [u8],
    /// `TPMS_CERTIFY_INFO.name`: nameAlg (2 bytes) and the digest of the certified key's pubArea.
    pub attested_name: &'a [u8],
}

impl<'a> CertInfo<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, TpmError> {
        let mut r = Reader::new(bytes, "certInfo is not a TPMS_ATTEST");
        let magic = r.u32()?;
        let type_ = r.u16()?;
        let _qualified_signer = r.sized()?;
        let extra_data = r.sized()?;
        // TPMS_CLOCK_INFO (clock u64, resetCount u32, restartCount u32, safe u8), firmwareVersion u64.
        r.take(8 + 4 + 4 + 1 + 8)?;
        // attested: TPMS_CERTIFY_INFO for TPM_ST_ATTEST_CERTIFY (other types are refused by
        // the caller, but this reads the same bytes whatever the type says).
        let attested_name = r.sized()?;
        let _qualified_name = r.sized()?;
        r.finish()?;
        Ok(CertInfo { magic, type_, extra_data, attested_name })
    }
}

/// The key in a `TPMT_PUBLIC`'s parameters and unique fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PubKey<'a> {
    /// `TPMS_RSA_PARMS.exponent` (0 means 65537) and `TPM2B_PUBLIC_KEY_RSA` (the modulus).
    Rsa { exponent: u32, modulus: &'a [u8] },
    /// `TPMS_ECC_PARMS.curveID` and `TPMS_ECC_POINT`.
    Ecc { curve: u16, x: &'a [u8], y: &'a [u8] },
}

/// A `TPMT_PUBLIC` (pubArea).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubArea<'a> {
    /// The hash algorithm of the key's Name (`TPM_ALG_ID`).
    pub name_alg: u16,
    pub key: PubKey<'a>,
}

impl<'a> PubArea<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, TpmError> {
        let mut r = Reader::new(bytes, "pubArea is not a TPMT_PUBLIC");
        let type_ = r.u16()?;
        let name_alg = r.u16()?;
        let _object_attributes = r.u32()?;
        let _auth_policy = r.sized()?;
        let key = match type_ {
            TPM_ALG_RSA => {
                r.scheme(4)?; // symmetric: keyBits, mode
                r.scheme(2)?; // scheme: hashAlg
                let _key_bits = r.u16()?;
                let exponent = r.u32()?;
                let modulus = r.sized()?;
                PubKey::Rsa { exponent, modulus }
            }
            TPM_ALG_ECC => {
                r.scheme(4)?; // symmetric: keyBits, mode
                r.scheme(2)?; // scheme: hashAlg
                let curve = r.u16()?;
                r.scheme(2)?; // kdf: hashAlg
                let x = r.sized()?;
                let y = r.sized()?;
                PubKey::Ecc { curve, x, y }
            }
            other => return Err(TpmError::UnsupportedPubAreaType(other)),
        };
        r.finish()?;
        Ok(PubArea { name_alg, key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Windows Hello RSA pubArea's shape: NULL symmetric and scheme, 2048 bits, exponent 0.
    fn rsa_pub_area(modulus_len: u16) -> Vec<u8> {
        let mut b = vec![0x00, 0x01, 0x00, 0x0b, 0x00, 0x06, 0x04, 0x72, 0x00, 0x20];
        b.extend_from_slice(&[0xaa; 32]);
        b.extend_from_slice(&[0x00, 0x10, 0x00, 0x10, 0x08, 0x00, 0, 0, 0, 0]);
        b.extend_from_slice(&modulus_len.to_be_bytes());
        b.extend(std::iter::repeat_n(0xc5, usize::from(modulus_len)));
        b
    }

    #[test]
    fn reads_an_rsa_pub_area() {
        let bytes = rsa_pub_area(256);
        let p = PubArea::parse(&bytes).unwrap();
        assert_eq!(p.name_alg, 0x000b);
        assert!(matches!(p.key, PubKey::Rsa { exponent: 0, modulus } if modulus.len() == 256));
    }

    #[test]
    fn every_truncation_and_any_trailing_byte_is_an_error() {
        let bytes = rsa_pub_area(256);
        for n in 0..bytes.len() {
            assert!(PubArea::parse(&bytes[..n]).is_err(), "{n}");
        }
        assert!(PubArea::parse(&[bytes.as_slice(), &[0]].concat()).is_err());
        // A size field larger than what is left.
        let mut lying = rsa_pub_area(4);
        let at = lying.len() - 6;
        lying[at..at + 2].copy_from_slice(&0xffffu16.to_be_bytes());
        assert_eq!(PubArea::parse(&lying), Err(TpmError::Malformed("pubArea is not a TPMT_PUBLIC")));
    }

    #[test]
    fn cert_info_truncations_are_errors() {
        let mut b = TPM_GENERATED_VALUE.to_be_bytes().to_vec();
        b.extend_from_slice(&TPM_ST_ATTEST_CERTIFY.to_be_bytes());
        b.extend_from_slice(&[0, 2, 1, 2, 0, 3, 7, 7, 7]);
        b.extend_from_slice(&[0; 25]);
        b.extend_from_slice(&[0, 2, 0, 0x0b, 0, 0]);
        let c = CertInfo::parse(&b).unwrap();
        assert_eq!(
            (c.magic, c.type_, c.extra_data, c.attested_name),
            (TPM_GENERATED_VALUE, TPM_ST_ATTEST_CERTIFY, &[7u8, 7, 7][..], &[0, 0x0b][..])
        );
        for n in 0..b.len() {
            assert!(CertInfo::parse(&b[..n]).is_err(), "{n}");
        }
        assert!(CertInfo::parse(&[b.as_slice(), &[0]].concat()).is_err());
    }

    #[test]
    fn unknown_key_types_are_named() {
        assert_eq!(PubArea::parse(&[0x00, 0x25, 0, 0x0b, 0, 0, 0, 0, 0, 0]), Err(TpmError::UnsupportedPubAreaType(0x25)));
    }
}
