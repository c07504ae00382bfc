//! Entry points for the fuzz targets (fuzz/, issue 13), only with the
//! `fuzzing` feature: the admin API's request bodies and queries through
//! the parse and checks their handlers use (each route module's
//! `fuzz_input`), and the console's inputs (session cookie, CSRF headers,
//! branding as the email and page use it). Each answers nothing: the
//! contract fuzzed is "no panic", plus the invariants asserted inside.

use crate::branding::EmailBranding;
use crate::routes;
use crate::session::{check_csrf, CookiePolicy, CSRF_HEADER};
use crate::store::{Identity, IdentityStatus, Realm};
use axum::http::{header, HeaderMap, HeaderValue};

/// An admin request body (or, for the lists, a query string); `which`
/// picks the operation, as the fuzz target's first byte.
pub fn admin_body(which: u8, body: &[u8]) {
    match which % 9 {
        0 => routes::identities::fuzz_input(body),
        1 => routes::webhooks::fuzz_input(body),
        2 => routes::api_tokens::fuzz_input(body),
        3 => routes::authenticator_configs::fuzz_input(body),
        4 => routes::credential_binding_jobs::fuzz_input(body),
        5 => routes::console_session::fuzz_input(body),
        6 => {
            if let Some(branding) = routes::email_branding::fuzz_input(body) {
                branded_email(&branding, "Ada Lovelace", "ada");
            }
        }
        7 => {
            if let Ok(query) = std::str::from_utf8(body) {
                routes::events::fuzz_input(query);
                let _ = crate::paging::parse_page(Some(query));
            }
        }
        _ => {
            // The two browser endpoints' bodies, as `routes::binding` reads them.
            use passbind_protocol::wire::{BindCredentialRequest, InvokeAuthenticatorRequest};
            use passbind_protocol::ErrorCode;
            let _ = crate::error::parse_json::<InvokeAuthenticatorRequest>(body, ErrorCode::InvalidLink);
            let _ = crate::error::parse_json::<BindCredentialRequest>(body, ErrorCode::AttestationRejected);
        }
    }
}

/// The console's inputs; `which` picks one, as the fuzz target's first byte.
pub fn console_input(which: u8, data: &[u8]) {
    match which % 3 {
        0 => session_cookie(data),
        1 => csrf(data),
        _ => identity_email(data),
    }
}

/// `Cookie` headers (one per line) read for both cookie names: a secret
/// found is non-empty, bounded, and part of the headers.
fn session_cookie(data: &[u8]) {
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(header::COOKIE, value);
        }
    }
    for policy in [CookiePolicy { secure: true }, CookiePolicy { secure: false }] {
        if let Some(secret) = policy.secret(&headers) {
            assert!(!secret.is_empty() && secret.len() <= 512, "{secret:?}");
            assert!(headers.get_all(header::COOKIE).iter().any(|v| v.to_str().is_ok_and(|v| v.contains(secret))));
        }
    }
}

/// The CSRF rule: first line the `X-Passbind-CSRF` value, second the `Origin`.
fn csrf(data: &[u8]) {
    let mut lines = data.splitn(2, |b| *b == b'\n');
    let mut headers = HeaderMap::new();
    if let Some(Ok(v)) = lines.next().map(HeaderValue::from_bytes) {
        headers.insert(CSRF_HEADER, v);
    }
    if let Some(Ok(v)) = lines.next().map(HeaderValue::from_bytes) {
        headers.insert(header::ORIGIN, v);
    }
    let _ = check_csrf(&headers, "https://passbind.example.com");
}

/// An identity's display name and username (first line, second line), as
/// the admin API takes them, in the enrollment email under a branding that
/// sets every field.
fn identity_email(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (name, username) = text.split_once('\n').unwrap_or((text, "ada"));
    if !routes::identities::fuzz_names_accepted(name, username) {
        return;
    }
    let raw = crate::branding::RawBranding {
        sender_name: Some("Example Corp".into()),
        subject: Some("Create your passkey".into()),
        logo_url: Some("https://example.com/logo.png".into()),
        primary_color: Some("#336699".into()),
        support_url: Some("https://example.com/help".into()),
        footer_text: Some("Example Corp\nMain Street 1".into()),
    };
    let branding = EmailBranding::parse(&raw).expect("a valid branding");
    branded_email(&branding, name, username);
}

/// The enrollment email (lettre message, formatted) and the `/bind` page's
/// stylesheet in `branding`, for an identity of these names.
fn branded_email(branding: &EmailBranding, display_name: &str, username: &str) {
    assert_eq!(EmailBranding::parse(&branding.to_raw()).as_ref(), Ok(branding), "a stored branding reads back the same");
    let realm = Realm {
        id: crate::store::RealmId::new("r1"),
        tenant_id: crate::store::TenantId::new("t1"),
        display_name: "Realm <One>".into(),
        create_time: 0,
    };
    let identity = Identity {
        id: crate::store::IdentityId::new("i1"),
        tenant_id: realm.tenant_id.clone(),
        realm_id: realm.id.clone(),
        display_name: display_name.to_owned(),
        username: username.to_owned(),
        email_address: Some("ada@example.com".into()),
        status: IdentityStatus::Active,
        user_handle: vec![0; 32],
        create_time: 0,
        update_time: 0,
    };
    let from: lettre::message::Mailbox = "passbind <noreply@example.com>".parse().expect("a mailbox");
    let link = "https://passbind.example.com/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=x";
    if let Ok(email) = crate::mail::compose(&from, branding, &identity, &realm, link, 1_700_000_000_000_000, "j1") {
        let _ = email.message.formatted();
    }
    let (_, page) = crate::branding::page::fuzz_page(branding, display_name);
    assert!(!page.contains("<script"), "the branding wrote markup into the page: {page}");
}
