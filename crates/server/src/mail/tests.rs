//! The enrollment email's content, with and without branding.

use super::*;
use crate::branding::{EmailBranding, RawBranding};
use crate::store::{Identity, Realm};

fn identity(name: &str, email: Option<&str>) -> Identity {
    Identity {
        id: "9ca7716e846cfa97".into(),
        tenant_id: "t".into(),
        realm_id: "r".into(),
        display_name: name.into(),
        username: "ada".into(),
        email_address: email.map(str::to_owned),
        status: crate::store::IdentityStatus::Active,
        user_handle: vec![1; 16],
        create_time: 0,
        update_time: 0,
    }
}

fn realm() -> Realm {
    Realm { id: "r".into(), tenant_id: "t".into(), display_name: "Acme <Staff>".into(), create_time: 0 }
}

#[test]
fn the_email_has_text_and_html_with_the_link_and_expiry() {
    let from: Mailbox = "passbind <no-reply@localhost>".parse().unwrap();
    let link = "http://localhost:8080/v1/tenants/t/realms/r/identities/i/credential-binding-jobs/j:invokeAuthenticator?token=abc";
    let e = compose(
        &from,
        &EmailBranding::default(),
        &identity("Ada <Lovelace>", Some("ada@example.com")),
        &realm(),
        link,
        1_658_178_633_381_786,
        "57d73b5909ede35a",
    )
    .unwrap();
    assert_eq!(e.to, "ada@example.com");
    assert_eq!(e.subject, "Create your passkey for Acme <Staff>");
    let raw = String::from_utf8(e.message.formatted()).unwrap();
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(raw.contains("text/plain"), "{raw}");
    assert!(raw.contains("text/html"), "{raw}");
    assert!(raw.contains("Message-ID: <57d73b5909ede35a."), "{raw}");
    // The HTML part escapes what the admin API let in.
    assert!(raw.contains("Ada &lt;Lovelace&gt;"), "{raw}");
    assert!(raw.contains("18 July 2022, 21:10 UTC"), "{raw}");
}

#[test]
fn unusable_addresses_are_bad_addresses() {
    let from: Mailbox = "no-reply@localhost".parse().unwrap();
    for email in [None, Some("not an address"), Some("a@b@c.example")] {
        let r = compose(&from, &EmailBranding::default(), &identity("Ada", email), &realm(), "https://x/", 0, "j");
        assert!(matches!(r, Err(MailError::BadAddress(_))), "{email:?}");
    }
}

#[test]
fn times_read_like_a_person_writes_them() {
    assert_eq!(human_time(1_658_178_633_381_786), "18 July 2022, 21:10 UTC");
}

fn branded() -> EmailBranding {
    EmailBranding::parse(&RawBranding {
        sender_name: Some("Acme & Co".into()),
        subject: Some("Your <Acme> passkey".into()),
        logo_url: Some("https://cdn.example.com/logo.png?a=1&b=\"2\"".into()),
        primary_color: Some("#0A7F3F".into()),
        support_url: Some("https://help.example.com/?q=<x>".into()),
        footer_text: Some("Acme <Inc> & \"friends\"\nLine two".into()),
    })
    .unwrap()
}

#[test]
fn branding_shapes_sender_subject_and_both_parts_escaped() {
    let from: Mailbox = "passbind <no-reply@acme.test>".parse().unwrap();
    let letter = Letter { greeting: "Ada", username: "ada", realm_name: "Acme", link: "https://x.test/l?token=t", expire_time: 0 };
    let c = content(&from, &branded(), &letter);
    assert_eq!(c.from.name.as_deref(), Some("Acme & Co"));
    assert_eq!(c.from.email.to_string(), "no-reply@acme.test", "the address stays --mail-from's");
    assert_eq!(c.subject, "Your <Acme> passkey");
    assert!(c.text.contains("Need help? https://help.example.com/?q=%3Cx%3E"), "{}", c.text);
    assert!(c.text.contains("Acme <Inc> & \"friends\"\nLine two"), "{}", c.text);
    let h = &c.html;
    assert!(h.contains("<img src=\"https://cdn.example.com/logo.png?a=1&amp;b=%222%22\" alt=\"Acme &amp; Co\""), "{h}");
    assert!(h.contains("background: #0a7f3f; color: #ffffff;"), "{h}");
    assert!(h.contains("<a href=\"https://help.example.com/?q=%3Cx%3E\""), "{h}");
    assert!(h.contains("Acme &lt;Inc&gt; &amp; &quot;friends&quot;<br>\nLine two"), "{h}");
    assert!(h.contains("<title>Your &lt;Acme&gt; passkey</title>"), "{h}");
    assert!(!h.contains("<Inc>") && !h.contains("<Acme>"), "{h}");
}

#[test]
fn a_light_colour_gets_dark_button_text_and_default_links() {
    let from: Mailbox = "no-reply@acme.test".parse().unwrap();
    let branding = EmailBranding::parse(&RawBranding { primary_color: Some("#ffee00".into()), ..RawBranding::default() }).unwrap();
    let letter = Letter { greeting: "Ada", username: "ada", realm_name: "Acme", link: "https://x.test/", expire_time: 0 };
    let h = content(&from, &branding, &letter).html;
    assert!(h.contains("background: #ffee00; color: #1d2330;"), "{h}");
    assert!(h.contains("color: #3451b2;"), "{h}");
}

#[test]
fn unset_branding_is_the_default_email() {
    let from: Mailbox = "passbind <no-reply@acme.test>".parse().unwrap();
    let letter = Letter { greeting: "Ada", username: "ada", realm_name: "Acme", link: "https://x.test/", expire_time: 0 };
    let c = content(&from, &EmailBranding::default(), &letter);
    assert_eq!(c.from, from);
    assert_eq!(c.subject, "Create your passkey for Acme");
    assert!(!c.html.contains("<img") && !c.html.contains("Need help") && !c.html.contains("<hr"), "{}", c.html);
    assert!(c.text.ends_with("until the link is opened.\n"), "{}", c.text);
}

#[test]
fn a_branded_message_keeps_headers_intact() {
    let from: Mailbox = "passbind <no-reply@acme.test>".parse().unwrap();
    let e = compose(&from, &branded(), &identity("Ada", Some("ada@example.com")), &realm(), "https://x.test/", 0, "j").unwrap();
    let raw = String::from_utf8(e.message.formatted()).unwrap();
    let head = raw.split("\r\n\r\n").next().unwrap();
    // lettre writes the name as an RFC 2047 encoded word.
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode("Acme & Co");
    assert!(head.contains(&format!("From: =?utf-8?b?{encoded}?= <no-reply@acme.test>\r\n")), "{head}");
    assert!(head.contains("Subject: Your <Acme> passkey"), "{head}");
}
