//! Command-line flags, each with an environment variable.

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser, Clone, Debug)]
#[command(name = "passbind-server", version, about = "The passbind binding service")]
pub struct Config {
    /// Address to listen on (host:port). Port 0 picks a free port.
    #[arg(long, env = "PASSBIND_LISTEN", default_value = "localhost:8080")]
    pub listen: String,

    /// Base URL of links and of the hosted pages, possibly with a path prefix
    /// (e.g. https://passbind.example.com/api). Default: http://localhost:{port}
    /// (a host name, not an IP: WebAuthn refuses IP addresses as RP ID).
    #[arg(long, env = "PASSBIND_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// sqlite://path/to/file.db (created with its directory if missing), or
    /// postgres://user:password@host:port/database (many instances may share it).
    #[arg(long, global = true, env = "PASSBIND_DATABASE_URL", default_value = "sqlite://data/passbind.db")]
    pub database_url: String,

    /// Static pages served at / (index.html, bind.html).
    #[arg(long, env = "PASSBIND_WWW_DIR", default_value = "www")]
    pub www_dir: PathBuf,

    /// The built SDK package (scripts/build-sdk.sh: passbind.js and its wasm), served at /sdk/.
    #[arg(long, env = "PASSBIND_SDK_DIR", default_value = "pkg")]
    pub sdk_dir: PathBuf,

    /// Development mode: create a dev tenant, realm, hosted_web config and API
    /// token once, print their IDs, and serve them (with the token) at GET /dev/bootstrap.
    /// (PASSBIND_DEV accepts 1/0, true/false, yes/no, on/off.)
    #[arg(long, env = "PASSBIND_DEV", action = clap::ArgAction::SetTrue, value_parser = clap::builder::FalseyValueParser::new())]
    pub dev: bool,

    /// SMTP server that delivers EMAIL jobs' enrollment emails. Without it,
    /// messages are written as .eml files to --outbox-dir (development).
    #[arg(long, env = "PASSBIND_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP port. Default: 25 with --smtp-tls none, 587 with starttls, 465 with tls.
    #[arg(long, env = "PASSBIND_SMTP_PORT")]
    pub smtp_port: Option<u16>,

    /// Transport security to the SMTP server: none (plain text, e.g. a relay
    /// on localhost), starttls (upgrade required) or tls (implicit TLS).
    #[arg(long, env = "PASSBIND_SMTP_TLS", value_enum, default_value_t = SmtpTls::Starttls)]
    pub smtp_tls: SmtpTls,

    /// SMTP user name (AUTH PLAIN/LOGIN); needs --smtp-password.
    #[arg(long, env = "PASSBIND_SMTP_USERNAME", requires = "smtp_password")]
    pub smtp_username: Option<String>,

    /// SMTP password; prefer the environment variable to the flag.
    #[arg(long, env = "PASSBIND_SMTP_PASSWORD", hide_env_values = true, requires = "smtp_username")]
    pub smtp_password: Option<String>,

    /// Seconds the whole SMTP conversation (connect to the last reply) may take before the job is FAILED_TO_SEND.
    #[arg(long, env = "PASSBIND_SMTP_TIMEOUT", default_value_t = 15)]
    pub smtp_timeout: u64,

    /// Sender of enrollment emails, e.g. "Example <no-reply@example.com>".
    /// Default: "passbind <no-reply@{public URL's host}>".
    #[arg(long, env = "PASSBIND_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Where enrollment emails are written when no --smtp-host is set.
    #[arg(long, env = "PASSBIND_OUTBOX_DIR", default_value = "data/outbox")]
    pub outbox_dir: PathBuf,

    /// Lifetime of a credential-binding job (and its link), in seconds. Default 7 days.
    #[arg(long, env = "PASSBIND_JOB_EXPIRY_SECONDS", default_value_t = 7 * 24 * 3600, value_parser = clap::value_parser!(u32).range(60..))]
    pub job_expiry_seconds: u32,

    /// Lifetime of a WebAuthn ceremony (the browser's creation timeout), in seconds. Default 5 minutes.
    #[arg(long, env = "PASSBIND_CEREMONY_SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub ceremony_seconds: u32,

    /// Failed link-token attempts a job takes in 15 minutes before every attempt answers 429.
    #[arg(long, env = "PASSBIND_MAX_TOKEN_FAILURES_PER_JOB", default_value_t = 10)]
    pub max_token_failures_per_job: u32,

    /// Failed link-token attempts one client address may make in 15 minutes before it gets 429.
    #[arg(long, env = "PASSBIND_MAX_TOKEN_FAILURES_PER_CLIENT", default_value_t = 100)]
    pub max_token_failures_per_client: u32,

    /// How often each instance looks for new events to deliver to webhooks and for due retries, in milliseconds.
    #[arg(long, env = "PASSBIND_WEBHOOK_POLL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub webhook_poll_ms: u64,

    /// The wait before a failed webhook delivery's first retry, in milliseconds; doubled after each
    /// further failure (with jitter), at most an hour, 10 attempts in all.
    #[arg(long, env = "PASSBIND_WEBHOOK_RETRY_BASE_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub webhook_retry_base_ms: u64,

    /// Let webhook deliveries go to loopback, private and link-local addresses (10/8, 192.168/16,
    /// 169.254/16, fd00::/8, …), for receivers on the operator's own network. Off by default: a
    /// tenant admin's webhook could otherwise reach internal hosts (SSRF). On with --dev.
    #[arg(long, env = "PASSBIND_WEBHOOK_PRIVATE_NETWORKS")]
    pub webhook_private_networks: bool,

    /// Lifetime of an admin console session (the sign-in cookie), in hours.
    #[arg(long, env = "PASSBIND_CONSOLE_SESSION_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub console_session_hours: u32,

    /// Seconds a client has to send a request's start line and headers, and that an idle
    /// keep-alive connection waits for its next request; then the connection is closed.
    #[arg(long, env = "PASSBIND_HEADER_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_timeout_seconds: u64,

    /// Seconds a request may take from its head to its answer (reading the body included);
    /// beyond, it is answered 503 `unavailable`. Must exceed --smtp-timeout (job creation sends its email).
    #[arg(long, env = "PASSBIND_REQUEST_TIMEOUT_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_seconds: u64,

    /// Open client connections at most; further ones wait in the listen backlog until one closes.
    /// Each is a file descriptor: keep it under `ulimit -n` with room for the database and files.
    #[arg(long, env = "PASSBIND_MAX_CONNECTIONS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// FIDO Metadata Service (MDS3) BLOB: a file path, or an https URL (e.g. https://mds3.fidoalliance.org/;
    /// http only to a loopback address). Its entries are the attestation trust anchors and status reports.
    /// Needs --mds-root. Without both, attestation is checked for integrity only (trust "unverified").
    #[arg(long, env = "PASSBIND_MDS_BLOB", requires = "mds_root")]
    pub mds_blob: Option<String>,

    /// The root certificate (PEM or DER file) the BLOB's signing chain must lead to: for the FIDO
    /// Alliance's BLOB, GlobalSign Root R3 or R46 (crates/server/metadata/). Needs --mds-blob.
    #[arg(long, env = "PASSBIND_MDS_ROOT", requires = "mds_blob")]
    pub mds_root: Option<PathBuf>,

    /// Hours between fetches of the BLOB (sooner when its nextUpdate is due). A failed fetch keeps the BLOB in use.
    #[arg(long, env = "PASSBIND_MDS_REFRESH_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub mds_refresh_hours: u32,
}

/// `--smtp-tls`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

impl Config {
    /// Defaults for tests and embedding: a free port, the given database.
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        Config {
            listen: "localhost:0".into(),
            public_url: None,
            database_url: database_url.into(),
            www_dir: "www".into(),
            sdk_dir: "pkg".into(),
            dev: false,
            smtp_host: None,
            smtp_port: None,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_timeout: 15,
            mail_from: None,
            outbox_dir: "data/outbox".into(),
            job_expiry_seconds: 7 * 24 * 3600,
            ceremony_seconds: 300,
            max_token_failures_per_job: 10,
            max_token_failures_per_client: 100,
            webhook_poll_ms: 1000,
            webhook_retry_base_ms: 5000,
            webhook_private_networks: false,
            console_session_hours: 12,
            mds_blob: None,
            mds_root: None,
            mds_refresh_hours: 24,
            header_timeout_seconds: 10,
            request_timeout_seconds: 30,
            max_connections: 10_000,
        }
    }
}
