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

    /// sqlite://path/to/file.db (created with its directory if missing).
    #[arg(long, env = "PASSBIND_DATABASE_URL", default_value = "sqlite://data/passbind.db")]
    pub database_url: String,

    /// Static pages served at / (index.html, bind.html).
    #[arg(long, env = "PASSBIND_WWW_DIR", default_value = "www")]
    pub www_dir: PathBuf,

    /// The SDK's wasm-bindgen output (passbind.js, passbind_bg.wasm), served at /sdk/.
    #[arg(long, env = "PASSBIND_SDK_DIR", default_value = "pkg")]
    pub sdk_dir: PathBuf,

    /// Development mode: create a dev tenant, realm, hosted_web config and API
    /// token once, print them, and serve them at GET /dev/bootstrap.
    /// (PASSBIND_DEV accepts 1/0, true/false, yes/no, on/off.)
    #[arg(long, env = "PASSBIND_DEV", action = clap::ArgAction::SetTrue, value_parser = clap::builder::FalseyValueParser::new())]
    pub dev: bool,
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
        }
    }
}
