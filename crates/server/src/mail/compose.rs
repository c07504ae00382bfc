//! What an enrollment email says: its sender, subject, text and HTML parts,
//! in the realm's branding (`crate::branding`) when it has one. The same
//! content feeds the admin API's preview (`routes::email_branding`).
//!
//! Every value that came from an admin (names, branding) is HTML-escaped in
//! the HTML part, in text and in attributes alike; headers are written by
//! lettre, and the branding rules refuse control characters before that.

use super::{MailError, OutgoingEmail};
use crate::branding::{html_escape, html_lines, EmailBranding};
use crate::store::{Identity, Realm};
use crate::util::{format_time, new_id};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

/// The default accent (button, links) of the email and the `/bind` page.
pub const DEFAULT_COLOR: &str = "#3451b2";

/// Who the email is for and what it carries.
pub struct Letter<'a> {
    /// "Hello {greeting}": the display name, or the username when it is blank.
    pub greeting: &'a str,
    pub username: &'a str,
    pub realm_name: &'a str,
    /// The binding link (API form).
    pub link: &'a str,
    /// When the link expires (microseconds).
    pub expire_time: i64,
}

/// The parts of an enrollment email, before they become a MIME message.
pub struct EmailContent {
    /// `--mail-from`'s address, under the realm's sender name if it has one.
    pub from: Mailbox,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `18 July 2022, 21:10 UTC`.
pub fn human_time(micros: i64) -> String {
    let fmt = time::macros::format_description!("[day padding:none] [month repr:long] [year], [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format_time(micros))
}

/// The email's sender, subject, text and HTML in `branding` (defaults where unset).
pub fn content(from: &Mailbox, branding: &EmailBranding, letter: &Letter) -> EmailContent {
    let from = match &branding.sender_name {
        Some(name) => Mailbox::new(Some(name.as_str().to_owned()), from.email.clone()),
        None => from.clone(),
    };
    let realm_name = letter.realm_name;
    let subject = branding.subject.as_ref().map_or_else(|| format!("Create your passkey for {realm_name}"), |s| s.as_str().to_owned());
    let expires = human_time(letter.expire_time);
    EmailContent { text: text_part(branding, letter, &expires), html: html_part(branding, letter, &subject, &expires), from, subject }
}

fn text_part(branding: &EmailBranding, letter: &Letter, expires: &str) -> String {
    let Letter { greeting, username, realm_name, link, .. } = letter;
    let mut text = format!(
        "Hello {greeting},\n\n\
         You are invited to create a passkey for {realm_name} (user name: {username}).\n\
         A passkey lets you sign in with your device's screen lock or a security key instead of a password.\n\n\
         Open this link on the device you want to use:\n\n\
         {link}\n\n\
         The link can be used once and expires on {expires}.\n\
         If you did not expect this email, you can ignore it: nothing happens until the link is opened.\n",
    );
    if let Some(support) = &branding.support_url {
        text.push_str(&format!("\nNeed help? {}\n", support.as_str()));
    }
    if let Some(footer) = &branding.footer_text {
        text.push_str(&format!("\n--\n{}\n", footer.as_str()));
    }
    text
}

fn html_part(branding: &EmailBranding, letter: &Letter, subject: &str, expires: &str) -> String {
    let (g, r, u, l, x) = (
        html_escape(letter.greeting),
        html_escape(letter.realm_name),
        html_escape(letter.username),
        html_escape(letter.link),
        html_escape(expires),
    );
    // The button takes the brand colour with whichever text reads on it;
    // links on the white page take it only when it reads on white.
    let (button, button_text, link_color) = match &branding.primary_color {
        Some(c) if c.text_on() == "#ffffff" => (c.as_str(), "#ffffff", c.as_str()),
        Some(c) => (c.as_str(), c.text_on(), DEFAULT_COLOR),
        None => (DEFAULT_COLOR, "#ffffff", DEFAULT_COLOR),
    };
    let logo = branding.logo_url.as_ref().map_or_else(String::new, |logo| {
        let alt = branding.sender_name.as_ref().map_or(letter.realm_name, |n| n.as_str());
        format!(
            "<p><img src=\"{}\" alt=\"{}\" style=\"max-height: 48px; max-width: 100%; border: 0;\"></p>\n",
            html_escape(logo.as_str()),
            html_escape(alt)
        )
    });
    let support = branding.support_url.as_ref().map_or_else(String::new, |s| {
        format!(
            "<p style=\"color: #5b6475;\">Need help? <a href=\"{}\" style=\"color: {link_color};\">Contact support</a></p>\n",
            html_escape(s.as_str())
        )
    });
    let footer = branding.footer_text.as_ref().map_or_else(String::new, |f| {
        format!(
            "<hr style=\"border: 0; border-top: 1px solid #dde1ea;\">\n<p style=\"color: #5b6475; font-size: .85rem;\">{}</p>\n",
            html_lines(f.as_str())
        )
    });
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{subject_h}</title></head>\n\
         <body style=\"font-family: system-ui, sans-serif; color: #1d2330; line-height: 1.5; max-width: 36rem; margin: 0 auto; padding: 1rem;\">\n\
         {logo}\
         <p>Hello {g},</p>\n\
         <p>You are invited to create a passkey for <strong>{r}</strong> (user name: <strong>{u}</strong>). \
         A passkey lets you sign in with your device's screen lock or a security key instead of a password.</p>\n\
         <p><a href=\"{l}\" style=\"display: inline-block; background: {button}; color: {button_text}; padding: .6rem 1.1rem; border-radius: .35rem; text-decoration: none;\">Create your passkey</a></p>\n\
         <p>Open it on the device you want to use. If the button does not work, copy this link into your browser:<br>\n\
         <a href=\"{l}\" style=\"word-break: break-all; color: {link_color};\">{l}</a></p>\n\
         <p style=\"color: #5b6475;\">The link can be used once and expires on {x}. \
         If you did not expect this email, you can ignore it: nothing happens until the link is opened.</p>\n\
         {support}{footer}\
         </body></html>\n",
        subject_h = html_escape(subject),
    )
}

/// The enrollment email for `identity`, in the realm's `branding`: a text
/// and an HTML part with the link and its expiry. Fails only when the
/// address is unusable.
pub fn compose(
    from: &Mailbox,
    branding: &EmailBranding,
    identity: &Identity,
    realm: &Realm,
    link: &str,
    expire_time: i64,
    job_id: &str,
) -> Result<OutgoingEmail, MailError> {
    let address = identity.email_address.as_deref().ok_or_else(|| MailError::BadAddress("the identity has no email address".into()))?;
    let address: lettre::Address = address.parse().map_err(|e| MailError::BadAddress(format!("{address:?}: {e}")))?;
    let name = identity.display_name.trim();
    let greeting = if name.is_empty() { identity.username.as_str() } else { name };
    let letter = Letter { greeting, username: &identity.username, realm_name: &realm.display_name, link, expire_time };
    let EmailContent { from, subject, text, html } = content(from, branding, &letter);
    let domain = from.email.domain().to_owned();
    let message = Message::builder()
        .from(from)
        .to(Mailbox::new(Some(greeting.to_owned()), address.clone()))
        .subject(subject.clone())
        .message_id(Some(format!("<{job_id}.{}@{domain}>", new_id())))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| MailError::BadAddress(e.to_string()))?;
    Ok(OutgoingEmail { message, to: address.to_string(), subject, link: link.to_owned(), job_id: job_id.to_owned() })
}
