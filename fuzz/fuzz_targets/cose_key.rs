//! COSE_Key credential public keys: never panics; a key that parses also
//! has a JWK form, and signature checks with it answer without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passbind_webauthn::cose::CoseKey;
use passbind_webauthn::jwk_of_cose;

fuzz_target!(|data: &[u8]| {
    let jwk = jwk_of_cose(data);
    let Ok(key) = CoseKey::parse(data) else { return };
    assert!(jwk.is_some(), "a key that parses has a JWK");
    for alg in [-7, -8, -257] {
        let _ = key.key.verify(alg, b"message", data);
    }
});
