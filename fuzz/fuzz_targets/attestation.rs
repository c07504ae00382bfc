//! Attestation objects (CBOR) and every statement format: the input is the
//! 32-byte clientDataHash the statement signs, then the attestation object.
//! Parse, read its authenticator data and credential key, and verify the
//! statement (verify_statement, and verify_statement_at at a fixed time).
//! Seeds are the real vectors with their own hash, so the fuzzer starts past
//! the signatures. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passbind_webauthn::attestation::{verify_statement, verify_statement_at, AttestationObject};
use passbind_webauthn::authenticator_data::AuthenticatorData;
use passbind_webauthn::chain::verify_path_signatures;
use passbind_webauthn::cose::CoseKey;

fuzz_target!(|data: &[u8]| {
    if data.len() < 32 {
        return;
    }
    let (hash, object) = data.split_at(32);
    let hash: [u8; 32] = hash.try_into().expect("32 bytes");
    let Ok(att) = AttestationObject::parse(object) else { return };
    let Ok(auth) = AuthenticatorData::parse(&att.auth_data) else { return };
    let Some(attested) = &auth.attested else { return };
    let Ok(key) = CoseKey::parse(&attested.public_key_cose) else { return };
    let untimed = verify_statement(&att, &auth, &key, &hash);
    // 2024-01-01: inside most vectors' certificate validity.
    let timed = verify_statement_at(&att, &auth, &key, &hash, Some(1_704_067_200));
    // Formats without their own chain options (tpm has some): a verified
    // statement's trust path is one consistent chain.
    let plain_chain = matches!(att.fmt.as_str(), "packed" | "fido-u2f" | "apple" | "android-key");
    for verified in [untimed, timed].into_iter().flatten() {
        if plain_chain && !verified.trust_path.is_empty() {
            assert!(verify_path_signatures(&verified.trust_path, None).is_ok());
        }
    }
});
