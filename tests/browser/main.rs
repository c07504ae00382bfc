//! The SDK in headless Chromium, with a virtual authenticator attached by
//! tests/support/webdriver-proxy.mjs. Run with scripts/test-sdk-browser.sh.
//!
//! Real ceremonies use rp id `localhost` (the proxy opens the runner's page on
//! localhost) and always carry an AbortSignal with a timeout, so a missing
//! authenticator fails the test instead of hanging it.
//!
//! `links.rs`: link parsing through the JS surface; `conversions.rs`: options,
//! answers and created credentials between JS and Rust; `errors.rs`:
//! exceptions and HTTP answers → codes; `ceremonies.rs`: real ceremonies on
//! the virtual authenticator; `bind_passkey.rs`: the whole bindPasskey with a
//! fake service; `helpers.rs`: what they share.
#![cfg(target_arch = "wasm32")]

mod bind_passkey;
mod ceremonies;
mod conversions;
mod errors;
mod helpers;
mod links;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);
