//! The FIDO MDS3 BLOB (a JWT) through `MetadataBlob::verify` with a fixed
//! root. First byte 0: the rest is the whole JWT (header, x5c, signature
//! as the fuzzer writes them). Otherwise the rest is the payload, signed
//! here by a test signer under the fixed root, so the fuzzer reaches the
//! payload's reading past the signature. Never panics; what verifies has
//! its entries findable by AAGUID.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passbind_webauthn::metadata::testkit::{Alg, TestCa, TestSigner, LONG};
use passbind_webauthn::metadata::MetadataBlob;
use std::sync::OnceLock;

/// 2024-06-01, inside the test certificates' validity.
const AT: u64 = 1_717_200_000;

fn fixed() -> &'static (TestCa, TestSigner) {
    static FIXED: OnceLock<(TestCa, TestSigner)> = OnceLock::new();
    FIXED.get_or_init(|| {
        let root = TestCa::root("Fuzz Metadata Root", LONG);
        let signer = root.signer(Alg::Es256, LONG);
        (root, signer)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else { return };
    let (root, signer) = fixed();
    let jwt = if *mode == 0 {
        match std::str::from_utf8(rest) {
            Ok(s) => s.to_owned(),
            Err(_) => return,
        }
    } else {
        signer.sign_bytes("ES256", rest)
    };
    let Ok(blob) = MetadataBlob::verify(&jwt, &root.der, AT) else { return };
    for entry in &blob.entries {
        if let Some(aaguid) = entry.aaguid {
            assert!(blob.entry_for_aaguid(&aaguid).is_some());
        }
    }
    let _ = blob.is_stale(AT);
});
