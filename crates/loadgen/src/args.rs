//! Command-line flags (bench/run.sh passes them).

use crate::authenticator::Format;
use clap::Parser;

/// Service throughput for full bindings against a passbind-server it starts.
#[derive(Parser, Debug)]
#[command(name = "passbind-loadgen")]
pub struct Args {
    /// The passbind-server binary to start (with --dev).
    #[arg(long, value_name = "PATH", default_value = "target/release/passbind-server")]
    pub server: String,
    /// How long each level runs, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Concurrent clients of each level, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = level, default_value = "1,16,64")]
    pub levels: Vec<usize>,
    /// The server's database (default: a SQLite file in a temp dir).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// The attestation the software authenticator sends.
    #[arg(long = "attestation", value_enum, default_value_t = Format::None)]
    pub format: Format,
    /// Skip the cost split's run on a SQLite file in RAM.
    #[arg(long)]
    pub no_split: bool,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    pub json: Option<String>,
    /// The server's RUST_LOG.
    #[arg(long, default_value = "warn")]
    pub server_log: String,
}

/// One level's client count; spaces around it are fine (`1, 16, 64`).
fn level(text: &str) -> Result<usize, String> {
    text.trim().parse().map_err(|_| format!("{text:?} is not a client count (e.g. 1,16,64)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_every_flag() {
        let a = Args::try_parse_from(["passbind-loadgen"]).unwrap();
        assert_eq!((a.server.as_str(), a.seconds, a.levels.as_slice()), ("target/release/passbind-server", 10.0, &[1, 16, 64][..]));
        assert_eq!((a.database_url, a.format, a.no_split, a.json, a.server_log.as_str()), (None, Format::None, false, None, "warn"));
        let a = Args::try_parse_from([
            "passbind-loadgen",
            "--server",
            "bin/s",
            "--seconds",
            "2.5",
            "--levels",
            "1, 16",
            "--database-url",
            "postgres://x",
            "--attestation",
            "packed",
            "--no-split",
            "--json",
            "out.json",
            "--server-log",
            "info",
        ])
        .unwrap();
        assert_eq!((a.server.as_str(), a.seconds, a.levels.as_slice()), ("bin/s", 2.5, &[1, 16][..]));
        assert_eq!((a.database_url.as_deref(), a.format, a.no_split), (Some("postgres://x"), Format::Packed, true));
        assert_eq!((a.json.as_deref(), a.server_log.as_str()), (Some("out.json"), "info"));
        assert!(Args::try_parse_from(["passbind-loadgen", "--levels", "1,x"]).is_err());
        assert!(Args::try_parse_from(["passbind-loadgen", "--attestation", "tpm"]).is_err());
    }
}
