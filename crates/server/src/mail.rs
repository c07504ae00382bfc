//! Enrollment emails of `EMAIL` jobs: what they say (`compose`) and how they
//! leave, behind one small interface (`Mailer`): over SMTP (`SmtpMailer`), or
//! written as `.eml` files to a local outbox (`OutboxMailer`, the development
//! default when no SMTP server is configured).
//!
//! Links carry a one-time token: only the dev outbox logs them.

mod compose;

pub use compose::{compose, content, human_time, EmailContent, Letter, DEFAULT_COLOR};

use crate::config::{Config, SmtpTls};
use crate::util::{format_time, now_micros};
use async_trait::async_trait;
use lettre::message::Mailbox;
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
// SMTP

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    description: String,
    /// The whole conversation's bound (`--smtp-timeout`): lettre's own timeout is per read or
    /// write, so a server answering each line just in time could otherwise hold a send for ever.
    timeout: Duration,
}

impl SmtpMailer {
    pub fn new(config: &Config, host: &str, hello_name: &str) -> Result<Self, String> {
        let port = config.smtp_port.unwrap_or(match config.smtp_tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        });
        let tls_err = |e: lettre::transport::smtp::Error| format!("--smtp-host {host:?}: {e}");
        let timeout = Duration::from_secs(config.smtp_timeout.max(1));
        let mut builder = match config.smtp_tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(tls_err)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(tls_err)?,
        }
        .port(port)
        .timeout(Some(timeout))
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
        Ok(SmtpMailer { transport: builder.build(), description: format!("SMTP {host}:{port} ({tls}{auth})"), timeout })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        match tokio::time::timeout(self.timeout, self.transport.send(email.message.clone())).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.is_permanent() => Err(MailError::Rejected(e.to_string())),
            Ok(Err(e)) => Err(MailError::Unavailable(e.to_string())),
            Err(_) => Err(MailError::Unavailable(format!("the SMTP conversation took longer than {} s", self.timeout.as_secs()))),
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
mod tests;
