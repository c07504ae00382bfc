//! The binding-link grammar (either form): never panics, and a parsed link
//! formats back (API form and redirect form) into links that parse to the
//! same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use passbind_protocol::BindingLink;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let Ok(link) = BindingLink::parse(input) else { return };
    assert_eq!(BindingLink::parse(&link.api_url()).as_ref(), Ok(&link), "API form of {input:?}");
    let redirect = link.redirect_url("https://app.example.com/enroll");
    assert_eq!(BindingLink::parse(&redirect).as_ref(), Ok(&link), "redirect form of {input:?}");
});
