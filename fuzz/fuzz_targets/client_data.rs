//! clientDataJSON: any bytes are an answer (Ok or a reason), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passbind_webauthn::{client_data, Expectation};

fuzz_target!(|data: &[u8]| {
    let origins = ["https://app.example.com".to_owned(), "http://localhost:5000".to_owned()];
    let exp = Expectation { challenge: &[1, 2, 3], allowed_origins: &origins, rp_id: "app.example.com", require_user_verification: true };
    let _ = client_data::verify(data, &exp);
});
