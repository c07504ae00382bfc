//! DER for the certificate extensions rcgen has no type for (a TPM SAN
//! directoryName, Apple's nonce, Android's KeyDescription): tag, length,
//! value, with the long length form.

/// One TLV.
pub fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let len = value.len();
    let mut out = tag.to_vec();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(value);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(&[0x30], &parts.concat())
}

pub fn set(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(&[0x31], &parts.concat())
}

pub fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(&[0x04], bytes)
}

pub fn integer(n: u8) -> Vec<u8> {
    assert!(n < 0x80);
    tlv(&[0x02], &[n])
}

pub fn utf8(s: &str) -> Vec<u8> {
    tlv(&[0x0c], s.as_bytes())
}

/// An OBJECT IDENTIFIER from its arcs (each arc base 128).
pub fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut bytes = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            bytes.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        bytes.reverse();
        body.extend_from_slice(&bytes);
    }
    tlv(&[0x06], &body)
}
