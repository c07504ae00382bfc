//! The branding values, one newtype each: constructed only by `parse`, so a
//! value that is held has passed its rules.

use super::{BrandingField, InvalidBranding};
use crate::routes::is_secure_or_loopback;

fn refuse(field: BrandingField, reason: impl Into<String>) -> InvalidBranding {
    InvalidBranding { field, reason: reason.into() }
}

/// Bidirectional-text controls: not `char::is_control`, but they reorder
/// what a reader sees (a sender name that reads as another), so refused too.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// One line of at most `max` characters: no control characters (CR and LF
/// would start a new mail header), no bidi controls, not only spaces.
fn one_line(field: BrandingField, value: &str, max: usize) -> Result<String, InvalidBranding> {
    // Checked before trimming: a trailing CR or LF is refused, not quietly dropped.
    if value.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(refuse(field, "must be one line of text without control characters"));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(refuse(field, "must not be only spaces"));
    }
    if value.chars().count() > max {
        return Err(refuse(field, format!("must be at most {max} characters")));
    }
    Ok(value.to_owned())
}

/// The From display name (the address stays `--mail-from`'s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SenderName(String);

impl SenderName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(value: &str) -> Result<Self, InvalidBranding> {
        let field = BrandingField::SenderName;
        let value = one_line(field, value, Self::MAX_CHARS)?;
        // Mailbox syntax: a name with these could pass for an address of its own.
        if value.contains(['<', '>', '"']) {
            return Err(refuse(field, "must not contain <, > or \""));
        }
        Ok(SenderName(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The enrollment email's subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    pub const MAX_CHARS: usize = 120;

    pub fn parse(value: &str) -> Result<Self, InvalidBranding> {
        one_line(BrandingField::Subject, value, Self::MAX_CHARS).map(Subject)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Plain text under the email and the page; line breaks kept (as `\n`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FooterText(String);

impl FooterText {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(value: &str) -> Result<Self, InvalidBranding> {
        let field = BrandingField::FooterText;
        let value = value.replace("\r\n", "\n");
        let value = value.trim();
        if value.is_empty() {
            return Err(refuse(field, "must not be only spaces"));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(refuse(field, format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        if value.chars().any(|c| (c.is_control() && c != '\n') || is_bidi_control(c)) {
            return Err(refuse(field, "must be plain text: line breaks are allowed, other control characters are not"));
        }
        Ok(FooterText(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute `https` URL (`http` only on loopback, for local development)
/// without credentials, at most 2048 characters; kept as the URL parser
/// writes it (punycode host, percent-encoded path and query).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrandUrl(String);

impl BrandUrl {
    pub const MAX_CHARS: usize = 2048;

    pub fn parse(field: BrandingField, value: &str) -> Result<Self, InvalidBranding> {
        // The URL parser drops tabs and newlines silently: refuse them first.
        if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(refuse(field, "must not contain spaces or control characters"));
        }
        let url = passbind_protocol::parse_url(value).map_err(|_| refuse(field, "must be an absolute URL"))?;
        if !is_secure_or_loopback(&url) {
            return Err(refuse(field, "must be an https URL (http only on loopback)"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(field, "must not contain a user name or password"));
        }
        let normalized = url.to_string();
        if normalized.chars().count() > Self::MAX_CHARS {
            return Err(refuse(field, format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        Ok(BrandUrl(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `scheme://host[:port]`: what a page's CSP must allow to show it.
    pub fn origin(&self) -> String {
        url::Url::parse(&self.0).map(|u| crate::routes::origin_of(&u)).unwrap_or_default()
    }
}

/// `#rrggbb`, stored lower-case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Color(String);

impl Color {
    pub fn parse(value: &str) -> Result<Self, InvalidBranding> {
        let value = value.trim();
        let ok = value.len() == 7 && value.starts_with('#') && value[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            return Err(refuse(BrandingField::PrimaryColor, "must be a colour #rrggbb (hexadecimal)"));
        }
        Ok(Color(value.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// White or a near-black, whichever contrasts more with this colour
    /// (WCAG relative luminance): the text on a button of this colour.
    pub fn text_on(&self) -> &'static str {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0)) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        // #1d2330's luminance is about 0.016.
        let (white, dark) = ((1.05) / (luminance + 0.05), (luminance + 0.05) / (0.016 + 0.05));
        if white >= dark {
            "#ffffff"
        } else {
            "#1d2330"
        }
    }
}
