//! The binding-link grammar: both forms parse, formatting round-trips, and
//! malformed input of every kind is `INVALID_LINK` without panicking.

use passbind_protocol::BindingLink;
use proptest::prelude::*;

const API: &str = "https://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=tok";

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,40}"
}

fn api_base() -> impl Strategy<Value = String> {
    let host = prop_oneof![
        "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9]{0,8}){1,3}".prop_map(|h| ("https", h)),
        Just(("http", "localhost".to_owned())),
        Just(("http", "127.0.0.1".to_owned())),
        Just(("https", "[::1]".to_owned())),
    ];
    let port = prop::option::of(1024u16..65535);
    let prefix = prop::collection::vec("[a-z0-9_-]{1,8}", 0..3);
    (host, port, prefix).prop_map(|((scheme, host), port, prefix)| {
        let mut s = format!("{scheme}://{host}");
        if let Some(p) = port {
            s.push_str(&format!(":{p}"));
        }
        for seg in prefix {
            s.push('/');
            s.push_str(&seg);
        }
        s
    })
}

fn link() -> impl Strategy<Value = BindingLink> {
    (api_base(), id(), id(), id(), id(), id()).prop_map(|(api_base, tenant_id, realm_id, identity_id, job_id, token)| {
        BindingLink { api_base, tenant_id, realm_id, identity_id, job_id, token }
    })
}

proptest! {
    #[test]
    fn api_form_round_trips(link in link()) {
        prop_assert_eq!(BindingLink::parse(&link.api_url()).unwrap(), link);
    }

    #[test]
    fn redirect_form_round_trips(link in link(), app in api_base()) {
        let url = link.redirect_url(&app);
        prop_assert!(BindingLink::is_binding_link(&url));
        prop_assert_eq!(BindingLink::parse(&url).unwrap(), link);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,300}") {
        let _ = BindingLink::parse(&s);
    }

    #[test]
    fn mutated_links_never_panic(cut in 0usize..API.len(), insert in "[\\x00-\\x7f]{0,4}") {
        let mut s = API.to_owned();
        s.replace_range(cut..cut, &insert);
        let _ = BindingLink::parse(&s);
        let _ = BindingLink::parse(&API[..cut]);
    }
}

#[test]
fn the_seed_link_parses() {
    // From seeds/003 (its scheme upgraded: plain http off loopback is refused).
    let link = BindingLink::parse("https://api-us.beyondidentity.com/v1/tenants/c4fc2d753ca22b14/realms/cdf4862dc4d49791/identities/87fabad6956c6d4b/credential-binding-jobs/c4fc2d753ca22b14:invokeAuthenticator?token=1St9IKIIrYdZcRm").unwrap();
    assert_eq!(link.api_base, "https://api-us.beyondidentity.com");
    assert_eq!(link.job_id, "c4fc2d753ca22b14");
    assert_eq!(link.token, "1St9IKIIrYdZcRm");
}

#[test]
fn malformed_links_are_invalid() {
    let cases = [
        ("", "empty"),
        ("not a url", "not a URL"),
        ("/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x", "relative"),
        ("ftp://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x", "wrong scheme"),
        ("http://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x", "http off loopback"),
        ("javascript:alert(1)", "javascript"),
        ("https://user:pw@api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x", "credentials"),
        ("https://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator", "no token"),
        ("https://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=", "empty token"),
        ("https://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=a&token=b", "two tokens"),
        ("https://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=a%20b", "unsafe token"),
        ("https://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1?token=x", "no verb"),
        ("https://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:bindCredential?token=x", "other verb"),
        ("https://api.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/:invokeAuthenticator?token=x", "empty job"),
        ("https://api.example.com/v1/tenants//realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x", "empty tenant"),
        ("https://api.example.com/v2/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x", "v2"),
        ("https://api.example.com/v1/tenants/t1/realms/r1/users/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x", "users"),
        ("https://api.example.com/v1/tenants/t%2F1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x", "escaped slash"),
        ("https://api.example.com/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x", "short path"),
        ("https://app.example.com/bind?tenant_id=t&realm_id=r&identity_id=i&job_id=j&token=x", "redirect without api base"),
        ("https://app.example.com/bind?api_base_url=https%3A%2F%2Fapi.example.com&realm_id=r&identity_id=i&job_id=j&token=x", "redirect without tenant"),
        ("https://app.example.com/bind?api_base_url=not-a-url&tenant_id=t&realm_id=r&identity_id=i&job_id=j&token=x", "redirect bad api base"),
        ("https://app.example.com/bind?api_base_url=http%3A%2F%2Fapi.example.com&tenant_id=t&realm_id=r&identity_id=i&job_id=j&token=x", "redirect http api base"),
        ("https://app.example.com/bind?api_base_url=https%3A%2F%2Fapi.example.com%3Fx%3D1&tenant_id=t&realm_id=r&identity_id=i&job_id=j&token=x", "redirect api base with query"),
        ("https://app.example.com/other?api_base_url=https%3A%2F%2Fapi.example.com&tenant_id=t&realm_id=r&identity_id=i&job_id=j&token=x", "redirect wrong path"),
        ("https://app.example.com/bind?api_base_url=https%3A%2F%2Fapi.example.com&tenant_id=t&realm_id=r&identity_id=i&job_id=j%2Fk&token=x", "redirect unsafe id"),
    ];
    for (input, why) in cases {
        let err = BindingLink::parse(input).expect_err(why);
        assert!(!err.reason.is_empty(), "{why}");
        assert!(!BindingLink::is_binding_link(input), "{why}");
    }
}

#[test]
fn a_long_link_is_refused_quickly() {
    let long = format!("{API}&pad={}", "a".repeat(100_000));
    assert_eq!(BindingLink::parse(&long).unwrap_err().reason, "too long");
}
