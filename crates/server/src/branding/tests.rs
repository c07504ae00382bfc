use super::*;

fn raw(field: BrandingField, value: &str) -> RawBranding {
    let mut raw = RawBranding::default();
    *raw.slot(field) = Some(value.to_owned());
    raw
}

fn refused(field: BrandingField, value: &str) -> bool {
    match EmailBranding::parse(&raw(field, value)) {
        Err(e) => {
            assert_eq!(e.field, field, "{value:?}");
            true
        }
        Ok(_) => false,
    }
}

#[test]
fn nothing_set_is_the_default_and_empty_strings_are_unset() {
    assert!(EmailBranding::parse(&RawBranding::default()).unwrap().is_default());
    for field in BrandingField::ALL {
        assert!(EmailBranding::parse(&raw(field, "")).unwrap().is_default(), "{field:?}");
        assert_eq!(BrandingField::from_name(field.as_str()), Some(field));
    }
    assert_eq!(BrandingField::from_name("token"), None);
}

#[test]
fn sender_names_are_one_short_line_without_mailbox_syntax() {
    let b = EmailBranding::parse(&raw(BrandingField::SenderName, "  Acme Passkeys ")).unwrap();
    assert_eq!(b.sender_name.unwrap().as_str(), "Acme Passkeys");
    assert!(!refused(BrandingField::SenderName, "Ünïcødé & Co"));
    assert!(!refused(BrandingField::SenderName, &"x".repeat(64)));
    for bad in [
        "x".repeat(65).as_str(),
        "Acme\r\nBcc: victim@example.com",
        "Acme\nX",
        "Acme\rX",
        "Acme\u{0}",
        "Acme\tTab",
        "Evil <evil@example.com>",
        "Acme > Co",
        "\"Acme\"",
        "Acme\u{202e}moc.elpmaxe",
        "   ",
    ] {
        assert!(refused(BrandingField::SenderName, bad), "{bad:?}");
    }
}

#[test]
fn subjects_are_one_line_of_at_most_120_characters() {
    assert!(!refused(BrandingField::Subject, "Set up your passkey for <Acme> & \"friends\""));
    assert!(!refused(BrandingField::Subject, &"é".repeat(120)));
    for bad in ["é".repeat(121).as_str(), "Hi\r\nBcc: x@example.com", "Hi\n", "a\u{7}b", "a\u{85}b"] {
        assert!(refused(BrandingField::Subject, bad), "{bad:?}");
    }
}

#[test]
fn urls_are_https_or_loopback_http_without_credentials() {
    for field in [BrandingField::LogoUrl, BrandingField::SupportUrl] {
        for good in
            ["https://cdn.example.com/logo.png", "http://localhost:8080/logo.png", "http://127.0.0.1/x", "https://EXAMPLE.com/a?b=c"]
        {
            assert!(!refused(field, good), "{good}");
        }
        for bad in [
            "http://example.com/logo.png",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://example.com/x",
            "/relative/logo.png",
            "logo.png",
            "https://user:pass@example.com/x",
            "https://user@example.com/x",
            "https://exa\nmple.com/x",
            "https://example.com/a b",
            "https://example.com/\t",
            &format!("https://example.com/{}", "a".repeat(2048)),
        ] {
            assert!(refused(field, bad), "{field:?} {bad:?}");
        }
    }
    // Kept as the parser writes it: a quote cannot survive into an attribute.
    let b = EmailBranding::parse(&raw(BrandingField::LogoUrl, "https://EXAMPLE.com/a\"b<c>?q=\"x\"")).unwrap();
    let url = b.logo_url.unwrap();
    assert_eq!(url.as_str(), "https://example.com/a%22b%3Cc%3E?q=%22x%22");
    assert_eq!(url.origin(), "https://example.com");
}

#[test]
fn colours_are_rrggbb_and_stored_lower_case() {
    let b = EmailBranding::parse(&raw(BrandingField::PrimaryColor, "#A1B2C3")).unwrap();
    assert_eq!(b.primary_color.unwrap().as_str(), "#a1b2c3");
    for bad in ["a1b2c3", "#abc", "#a1b2c3d4", "#gg0000", "red", "#12345", "rgb(1,2,3)", "#12345\n", "＃123456"] {
        assert!(refused(BrandingField::PrimaryColor, bad), "{bad:?}");
    }
}

#[test]
fn text_on_a_colour_is_readable() {
    assert_eq!(Color::parse("#3451b2").unwrap().text_on(), "#ffffff");
    assert_eq!(Color::parse("#000000").unwrap().text_on(), "#ffffff");
    assert_eq!(Color::parse("#ffff00").unwrap().text_on(), "#1d2330");
    assert_eq!(Color::parse("#ffffff").unwrap().text_on(), "#1d2330");
}

#[test]
fn footers_are_plain_text_with_line_breaks() {
    let b = EmailBranding::parse(&raw(BrandingField::FooterText, "Acme Inc.\r\n1 Main St <HQ> & \"friends\"\n")).unwrap();
    assert_eq!(b.footer_text.unwrap().as_str(), "Acme Inc.\n1 Main St <HQ> & \"friends\"");
    assert!(!refused(BrandingField::FooterText, &"x".repeat(500)));
    for bad in ["x".repeat(501).as_str(), "tab\there", "bell\u{7}", "cr\ronly", "nul\u{0}", "\u{202e}evil"] {
        assert!(refused(BrandingField::FooterText, bad), "{bad:?}");
    }
}

#[test]
fn escaping_covers_text_and_attributes() {
    assert_eq!(html_escape("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
    assert_eq!(html_lines("a<b\nc&d"), "a&lt;b<br>\nc&amp;d");
    let stored = EmailBranding::parse(&RawBranding {
        sender_name: Some("Acme".into()),
        primary_color: Some("#ABCDEF".into()),
        ..RawBranding::default()
    })
    .unwrap();
    assert_eq!(EmailBranding::parse(&stored.to_raw()).unwrap(), stored, "what is stored parses back the same");
}
