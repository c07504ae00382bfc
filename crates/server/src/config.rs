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

    /// The SDK's wasm-bindgen output (passbind.js, passbind_bg.wasm), served at /sdk/.
    #[arg(long, env = "PASSBIND_SDK_DIR", default_value = "pkg")]
    pub sdk_dir: PathBuf,

    /// Development mode: create a dev tenant, realm, hosted_web config and API
    /// token once, print their IDs, and serve them (with the token) at GET /dev/bootstrap.
    /// (PASSBIND_DEV accepts 1/0, true/false, yes/no, on/off.)
    #[arg(long, env = "PASSBIND_DEV", action = clap::ArgAction::SetTrue, value_parser = clap::builder::FalseyValueParser::new())]
    pub dev: bool,

    /// Lifetime of a credential-binding job (and its link), in seconds. Default 7 days.
    #[arg(long, env = "PASSBIND_JOB_EXPIRY_SECONDS", default_value_t = 7 * 24 * 3600, value_parser = clap::value_parser!(u32).range(60..))]
    pub job_expiry_seconds: u32,

    /// Failed link-token attempts a job takes in 15 minutes before every attempt answers 429.
    #[arg(long, env = "PASSBIND_MAX_TOKEN_FAILURES_PER_JOB", default_value_t = 10)]
    pub max_token_failures_per_job: u32,

    /// Failed link-token attempts one client address may make in 15 minutes before it gets 429.
    #[arg(long, env = "PASSBIND_MAX_TOKEN_FAILURES_PER_CLIENT", default_value_t = 100)]
    pub max_token_failures_per_client: u32,
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
            job_expiry_seconds: 7 * 24 * 3600,
            max_token_failures_per_job: 10,
            max_token_failures_per_client: 100,
        }
    }
}
