//! The registration response JSON, as `:bindCredential` takes it: serde into
//! the wire type, then the whole ceremony's checks against one of the
//! real-world vectors' expectations (the input's first byte picks it), with
//! and without a verification time. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passbind_protocol::wire::RegistrationResponse;
use passbind_webauthn::{verify_registration, verify_registration_at, Expectation};

fuzz_target!(|data: &[u8]| {
    let Some((ceremony, json)) = passbind_fuzz::select(data) else { return };
    let Ok(response) = serde_json::from_slice::<RegistrationResponse>(json) else { return };
    for uv in [false, true] {
        let exp = Expectation {
            challenge: &ceremony.challenge,
            allowed_origins: &ceremony.origins,
            rp_id: &ceremony.rp_id,
            require_user_verification: uv,
        };
        let untimed = verify_registration(&response, &exp);
        let timed = verify_registration_at(&response, &exp, Some(ceremony.verify_at));
        // A time adds checks, never removes one.
        if timed.is_ok() {
            assert!(untimed.is_ok(), "accepted at a time but refused without one");
        }
        if let Ok(reg) = timed {
            assert!(reg.credential_id.len() <= passbind_webauthn::MAX_CREDENTIAL_ID_LEN);
        }
    }
});
