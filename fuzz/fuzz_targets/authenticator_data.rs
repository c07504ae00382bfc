//! Authenticator data: never panics; what parses keeps its invariants (the
//! COSE key's bytes are part of the input, the credential ID fits its length).
#![no_main]

use libfuzzer_sys::fuzz_target;
use passbind_webauthn::authenticator_data::AuthenticatorData;
use passbind_webauthn::cose::CoseKey;

fuzz_target!(|data: &[u8]| {
    let Ok(auth) = AuthenticatorData::parse(data) else { return };
    assert_eq!(auth.rp_id_hash[..], data[..32]);
    if let Some(attested) = &auth.attested {
        assert!(attested.credential_id.len() <= usize::from(u16::MAX));
        assert!(data.windows(attested.public_key_cose.len().max(1)).any(|w| w == attested.public_key_cose.as_slice()));
        let _ = CoseKey::parse(&attested.public_key_cose);
    }
});
