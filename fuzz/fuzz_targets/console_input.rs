//! The console's inputs: the session cookie, the CSRF headers, and names
//! as the branded enrollment email and `/bind` page write them; the first
//! byte picks one (`passbind_server::fuzzing::console_input`). Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((which, input)) = data.split_first() {
        passbind_server::fuzzing::console_input(*which, input);
    }
});
