//! X.509 certificates: the input is one or more DER certificates back to
//! back (an x5c). Each is read (parse_certificate, its key, an extension);
//! the whole is checked as a path (verify_path_signatures, at a time and
//! without) and against itself as anchors (verify_chain). Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passbind_webauthn::chain::{certificate_public_key, extension, parse_certificate, verify_chain, verify_path_signatures};

/// Splits DER TLVs laid back to back (an unreadable rest becomes the last item).
fn split_der(mut data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !data.is_empty() && out.len() < 10 {
        let len = tlv_len(data).unwrap_or(data.len()).min(data.len());
        out.push(data[..len].to_vec());
        data = &data[len..];
    }
    out
}

/// A DER TLV's total length from its header (short or long definite form).
fn tlv_len(data: &[u8]) -> Option<usize> {
    let first = *data.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let len = data.get(2..2 + n)?.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Some(2 + n + len)
}

fuzz_target!(|data: &[u8]| {
    let path = split_der(data);
    for der in &path {
        if let Ok(cert) = parse_certificate(der) {
            let _ = certificate_public_key(der);
            // id-fido-gen-ce-aaguid, as packed reads it.
            let oid = "1.3.6.1.4.1.45724.1.1.4".parse().expect("OID");
            let _ = extension(&cert, &oid);
        }
    }
    let _ = verify_path_signatures(&path, None);
    let _ = verify_path_signatures(&path, Some(1_704_067_200));
    if let Some((last, _)) = path.split_last() {
        let _ = verify_chain(&path, std::slice::from_ref(last), 1_704_067_200);
        let _ = verify_chain(&path[..path.len() - 1], std::slice::from_ref(last), 1_704_067_200);
    }
});
