//! The admin API's request bodies (and list queries): the first byte picks
//! the operation, the rest goes through the handler's parse and checks
//! (`passbind_server::fuzzing::admin_body`). Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((which, body)) = data.split_first() {
        passbind_server::fuzzing::admin_body(*which, body);
    }
});
