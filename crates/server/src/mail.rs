//! Enrollment emails of `EMAIL` jobs: what they say (`compose`) and how they
//! leave, behind one small interface (`Mailer`): over SMTP (`SmtpMailer`), or
//! written as `.eml` files to a local outbox (`OutboxMailer`, the development
//! default when no SMTP server is configured).
//!
//! Links carry a one-time token: only the dev outbox logs them.

use crate::config::{Config, SmtpTls};
use crate::store::{Identity, Realm};
use crate::util::{format_time, new_id, now_micros};
use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A composed enrollment email, ready to send.
pub struct OutgoingEmail {
    pub message: Message,
    /// The recipient's address.
    pub to: String,
    pub subject: String,
    /// The binding link (API form) the email carries.
    pub link: String,
    pub job_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The identity's address cannot be used as a recipient.
    #[error("bad recipient address: {0}")]
    BadAddress(String),
    /// The SMTP server refused the message for good (a 5xx reply).
    #[error("refused by the SMTP server: {0}")]
    Rejected(String),
    /// The server could not be reached, timed out, failed TLS or answered
    /// 4xx: trying again later may work.
    #[error("SMTP server unavailable: {0}")]
    Unavailable(String),
}

/// A message the dev outbox wrote (listed by `GET /dev/outbox`).
#[derive(Clone, Debug, Serialize)]
pub struct OutboxEntry {
    pub file: String,
    pub to: String,
    pub subject: String,
    pub link: String,
    pub create_time: String,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError>;
    /// Where mail goes, for the start-up log (no secrets).
    fn describe(&self) -> String;
    /// The dev outbox's recent messages, newest first; `None` for SMTP.
    fn outbox(&self) -> Option<Vec<OutboxEntry>> {
        None
    }
}

pub type DynMailer = Arc<dyn Mailer>;

/// The mailer the flags ask for: SMTP with `--smtp-host`, else the outbox.
pub fn from_config(config: &Config, public_host: &str) -> Result<DynMailer, String> {
    match &config.smtp_host {
        Some(host) => Ok(Arc::new(SmtpMailer::new(config, host, public_host)?)),
        None => Ok(Arc::new(OutboxMailer::new(config.outbox_dir.clone()))),
    }
}

/// `--mail-from`, or `passbind <no-reply@{public host}>`.
pub fn sender(config: &Config, public_host: &str) -> Result<Mailbox, String> {
    let text = config.mail_from.clone().unwrap_or_else(|| format!("passbind <no-reply@{public_host}>"));
    text.parse().map_err(|e| format!("--mail-from {text:?} is not a mailbox: {e}"))
}

// ---------------------------------------------------------------------------
// Content

fn html_escape(s: &str) -> String {
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

/// `18 July 2022, 21:10 UTC`.
pub fn human_time(micros: i64) -> String {
    let fmt = time::macros::format_description!("[day padding:none] [month repr:long] [year], [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format_time(micros))
}

/// The enrollment email for `identity`: a text and an HTML part with the
/// link and its expiry. Fails only when the address is unusable.
pub fn compose(
    from: &Mailbox,
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
    let realm_name = realm.display_name.as_str();
    let expires = human_time(expire_time);
    let subject = format!("Create your passkey for {realm_name}");

    let text = format!(
        "Hello {greeting},\n\n\
         You are invited to create a passkey for {realm_name} (user name: {username}).\n\
         A passkey lets you sign in with your device's screen lock or a security key instead of a password.\n\n\
         Open this link on the device you want to use:\n\n\
         {link}\n\n\
         The link can be used once and expires on {expires}.\n\
         If you did not expect this email, you can ignore it: nothing happens until the link is opened.\n",
        username = identity.username,
    );
    let (g, r, u, l, x) =
        (html_escape(greeting), html_escape(realm_name), html_escape(&identity.username), html_escape(link), html_escape(&expires));
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{subject_h}</title></head>\n\
         <body style=\"font-family: system-ui, sans-serif; color: #1d2330; line-height: 1.5; max-width: 36rem; margin: 0 auto; padding: 1rem;\">\n\
         <p>Hello {g},</p>\n\
         <p>You are invited to create a passkey for <strong>{r}</strong> (user name: <strong>{u}</strong>). \
         A passkey lets you sign in with your device's screen lock or a security key instead of a password.</p>\n\
         <p><a href=\"{l}\" style=\"display: inline-block; background: #3451b2; color: #ffffff; padding: .6rem 1.1rem; border-radius: .35rem; text-decoration: none;\">Create your passkey</a></p>\n\
         <p>Open it on the device you want to use. If the button does not work, copy this link into your browser:<br>\n\
         <a href=\"{l}\" style=\"word-break: break-all; color: #3451b2;\">{l}</a></p>\n\
         <p style=\"color: #5b6475;\">The link can be used once and expires on {x}. \
         If you did not expect this email, you can ignore it: nothing happens until the link is opened.</p>\n\
         </body></html>\n",
        subject_h = html_escape(&subject),
    );

    let domain = from.email.domain().to_owned();
    let message = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(Some(greeting.to_owned()), address.clone()))
        .subject(subject.clone())
        .message_id(Some(format!("<{job_id}.{}@{domain}>", new_id())))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| MailError::BadAddress(e.to_string()))?;
    Ok(OutgoingEmail { message, to: address.to_string(), subject, link: link.to_owned(), job_id: job_id.to_owned() })
}

// ---------------------------------------------------------------------------
// SMTP

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    description: String,
}

impl SmtpMailer {
    pub fn new(config: &Config, host: &str, hello_name: &str) -> Result<Self, String> {
        let port = config.smtp_port.unwrap_or(match config.smtp_tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        });
        let tls_err = |e: lettre::transport::smtp::Error| format!("--smtp-host {host:?}: {e}");
        let mut builder = match config.smtp_tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(tls_err)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(tls_err)?,
        }
        .port(port)
        .timeout(Some(Duration::from_secs(config.smtp_timeout.max(1))))
        .hello_name(ClientId::Domain(hello_name.to_owned()));
        if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let tls = match config.smtp_tls {
            SmtpTls::None => "no TLS",
            SmtpTls::Starttls => "STARTTLS",
            SmtpTls::Tls => "TLS",
        };
        let auth = if config.smtp_username.is_some() { ", authenticated" } else { "" };
        Ok(SmtpMailer { transport: builder.build(), description: format!("SMTP {host}:{port} ({tls}{auth})") })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        match self.transport.send(email.message.clone()).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Rejected(e.to_string())),
            Err(e) => Err(MailError::Unavailable(e.to_string())),
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

// ---------------------------------------------------------------------------
// Dev outbox

/// How many written messages `GET /dev/outbox` remembers.
const OUTBOX_RECENT: usize = 20;

pub struct OutboxMailer {
    dir: PathBuf,
    recent: Mutex<VecDeque<OutboxEntry>>,
}

impl OutboxMailer {
    pub fn new(dir: PathBuf) -> Self {
        OutboxMailer { dir, recent: Mutex::new(VecDeque::new()) }
    }
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let io = |e: std::io::Error| MailError::Unavailable(format!("cannot write to the outbox {}: {e}", self.dir.display()));
        tokio::fs::create_dir_all(&self.dir).await.map_err(io)?;
        let now = now_micros();
        let stamp = format_time(now).replace([':', '-'], "").replace('.', "-");
        let name = format!("{stamp}-{}.eml", email.job_id);
        let path = self.dir.join(&name);
        // Written under a temporary name and renamed: a reader never sees half a message.
        let tmp = self.dir.join(format!(".{name}.tmp"));
        tokio::fs::write(&tmp, email.message.formatted()).await.map_err(io)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io)?;
        // Development only: the link is logged so `npm start` shows the whole flow.
        tracing::info!(to = %email.to, file = %path.display(), link = %email.link, "dev outbox: enrollment email written (no --smtp-host)");
        let entry = OutboxEntry {
            file: path.display().to_string(),
            to: email.to.clone(),
            subject: email.subject.clone(),
            link: email.link.clone(),
            create_time: format_time(now),
        };
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.push_front(entry);
        recent.truncate(OUTBOX_RECENT);
        Ok(())
    }

    fn describe(&self) -> String {
        format!("dev outbox {} (.eml files; no --smtp-host)", self.dir.display())
    }

    fn outbox(&self) -> Option<Vec<OutboxEntry>> {
        Some(self.recent.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let e =
            compose(&from, &identity("Ada <Lovelace>", Some("ada@example.com")), &realm(), link, 1_658_178_633_381_786, "57d73b5909ede35a")
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
            let r = compose(&from, &identity("Ada", email), &realm(), "https://x/", 0, "j");
            assert!(matches!(r, Err(MailError::BadAddress(_))), "{email:?}");
        }
    }

    #[test]
    fn times_read_like_a_person_writes_them() {
        assert_eq!(human_time(1_658_178_633_381_786), "18 July 2022, 21:10 UTC");
    }
}
