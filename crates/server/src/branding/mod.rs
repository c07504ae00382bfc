//! Email branding per realm (issue 11, part 2): the sender name, subject,
//! logo, primary colour, support link and footer that shape the enrollment
//! email (`crate::mail`) and the hosted `/bind` page (`page.rs`).
//!
//! Every value is validated once, when it comes in (the admin API's `PUT`,
//! a preview's overrides), into a newtype that can only hold what passed:
//! no control characters anywhere (a CR or LF in a header would start a new
//! header), https URLs without credentials, a `#rrggbb` colour. What passed
//! is still escaped wherever it is written (HTML text and attributes); the
//! mail library encodes the headers.

pub mod page;
mod values;

pub use values::{BrandUrl, Color, FooterText, SenderName, Subject};

/// A branding field, as the API names it (in error details, query overrides).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrandingField {
    SenderName,
    Subject,
    LogoUrl,
    PrimaryColor,
    SupportUrl,
    FooterText,
}

impl BrandingField {
    /// Every field, in the API's order.
    pub const ALL: [BrandingField; 6] = [
        BrandingField::SenderName,
        BrandingField::Subject,
        BrandingField::LogoUrl,
        BrandingField::PrimaryColor,
        BrandingField::SupportUrl,
        BrandingField::FooterText,
    ];

    /// The JSON property / query parameter name.
    pub fn as_str(self) -> &'static str {
        match self {
            BrandingField::SenderName => "sender_name",
            BrandingField::Subject => "subject",
            BrandingField::LogoUrl => "logo_url",
            BrandingField::PrimaryColor => "primary_color",
            BrandingField::SupportUrl => "support_url",
            BrandingField::FooterText => "footer_text",
        }
    }

    /// The field a query parameter or property names, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// A value refused by the branding rules: which field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {}: {reason}", field.as_str())]
pub struct InvalidBranding {
    pub field: BrandingField,
    pub reason: String,
}

impl From<InvalidBranding> for crate::error::ApiError {
    fn from(e: InvalidBranding) -> Self {
        crate::error::ApiError::invalid_argument(e.field.as_str(), e.reason)
    }
}

/// A realm's email branding: each part optional (unset = the default look).
/// Only validated values can be held (see the newtypes in `values.rs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmailBranding {
    pub sender_name: Option<SenderName>,
    pub subject: Option<Subject>,
    pub logo_url: Option<BrandUrl>,
    pub primary_color: Option<Color>,
    pub support_url: Option<BrandUrl>,
    pub footer_text: Option<FooterText>,
}

/// The six fields as they come in (the API body, a stored row, a preview's
/// query); `None` or an empty string means unset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawBranding {
    pub sender_name: Option<String>,
    pub subject: Option<String>,
    pub logo_url: Option<String>,
    pub primary_color: Option<String>,
    pub support_url: Option<String>,
    pub footer_text: Option<String>,
}

impl RawBranding {
    /// The slot of a field (to apply an override).
    pub fn slot(&mut self, field: BrandingField) -> &mut Option<String> {
        match field {
            BrandingField::SenderName => &mut self.sender_name,
            BrandingField::Subject => &mut self.subject,
            BrandingField::LogoUrl => &mut self.logo_url,
            BrandingField::PrimaryColor => &mut self.primary_color,
            BrandingField::SupportUrl => &mut self.support_url,
            BrandingField::FooterText => &mut self.footer_text,
        }
    }
}

/// Empty text is no value (an API client clearing a field may send `""`).
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

impl EmailBranding {
    /// Validates every field; the first refusal names its field.
    pub fn parse(raw: &RawBranding) -> Result<Self, InvalidBranding> {
        Ok(EmailBranding {
            sender_name: present(&raw.sender_name).map(SenderName::parse).transpose()?,
            subject: present(&raw.subject).map(Subject::parse).transpose()?,
            logo_url: present(&raw.logo_url).map(|v| BrandUrl::parse(BrandingField::LogoUrl, v)).transpose()?,
            primary_color: present(&raw.primary_color).map(Color::parse).transpose()?,
            support_url: present(&raw.support_url).map(|v| BrandUrl::parse(BrandingField::SupportUrl, v)).transpose()?,
            footer_text: present(&raw.footer_text).map(FooterText::parse).transpose()?,
        })
    }

    /// The values as plain strings (for storage and views).
    pub fn to_raw(&self) -> RawBranding {
        RawBranding {
            sender_name: self.sender_name.as_ref().map(|v| v.as_str().to_owned()),
            subject: self.subject.as_ref().map(|v| v.as_str().to_owned()),
            logo_url: self.logo_url.as_ref().map(|v| v.as_str().to_owned()),
            primary_color: self.primary_color.as_ref().map(|v| v.as_str().to_owned()),
            support_url: self.support_url.as_ref().map(|v| v.as_str().to_owned()),
            footer_text: self.footer_text.as_ref().map(|v| v.as_str().to_owned()),
        }
    }

    /// True when nothing is set (the default look everywhere).
    pub fn is_default(&self) -> bool {
        *self == EmailBranding::default()
    }
}

/// A realm's stored branding and when it last changed (microseconds).
#[derive(Clone, Debug)]
pub struct StoredBranding {
    pub branding: EmailBranding,
    pub update_time: i64,
}

/// `&`, `<`, `>`, `"` and `'` as HTML entities: safe in text and in quoted
/// attribute values alike.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text with its line breaks kept as `<br>` (the footer).
pub fn html_lines(s: &str) -> String {
    s.lines().map(html_escape).collect::<Vec<_>>().join("<br>\n")
}

#[cfg(test)]
mod tests;
