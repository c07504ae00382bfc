//! The FIDO MDS3 BLOB (a JWT) through `MetadataBlob::verify` with a fixed
//! root. First byte 0: the rest is the whole JWT (header, x5c, signature
//! as the fuzzer writes them). Otherwise the rest is the payload, read as a
//! verified one is (`testkit::read_payload`). A payload signed here instead
//! cost an ECDSA signature and two verifications per input and held the
//! target to about 950 executions a second; `verify` is that check and then
//! the same reading, which the metadata tests run on signed BLOBs. Never
//! panics; what is read has its entries findable by AAGUID.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passbind_webauthn::metadata::testkit::{read_payload, TestCa, LONG};
use passbind_webauthn::metadata::MetadataBlob;
use std::sync::OnceLock;

/// 2024-06-01, inside the test certificates' validity.
const AT: u64 = 1_717_200_000;

/// The root the JWTs must lead to (made once).
fn root() -> &'static TestCa {
    static ROOT: OnceLock<TestCa> = OnceLock::new();
    ROOT.get_or_init(|| TestCa::root("Fuzz Metadata Root", LONG))
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else { return };
    let read = if *mode == 0 {
        match std::str::from_utf8(rest) {
            Ok(jwt) => MetadataBlob::verify(jwt, &root().der, AT),
            Err(_) => return,
        }
    } else {
        read_payload(rest)
    };
    let Ok(blob) = read else { return };
    for entry in &blob.entries {
        if let Some(aaguid) = entry.aaguid {
            assert!(blob.entry_for_aaguid(&aaguid).is_some());
        }
    }
    let _ = blob.is_stale(AT);
});
