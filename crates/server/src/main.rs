//! `passbind-server`: see `passbind_server::Config` for the flags. With no
//! subcommand it serves; `token create|revoke|list` and `tenant create`
//! manage admin API tokens on the same database (`--database-url`).

use clap::Parser;
use passbind_server::cli::Command;
use passbind_server::{start, Config};
use std::io::Write;

#[derive(Parser, Debug)]
#[command(name = "passbind-server", version, about = "The passbind binding service")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()))
        .init();
    let Cli { config, command } = Cli::parse();
    if let Some(command) = command {
        return match passbind_server::cli::run(&config.database_url, command).await {
            Ok(out) => {
                println!("{out}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("passbind-server: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let server = match start(config).await {
        Ok(server) => server,
        Err(e) => {
            tracing::error!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(dev) = &server.state.dev {
        eprintln!("passbind dev mode:");
        eprintln!("  tenant_id               {}", dev.tenant_id);
        eprintln!("  realm_id                {}", dev.realm_id);
        eprintln!("  authenticator_config_id {}", dev.authenticator_config_id);
        // Never the token itself in the logs: GET /dev/bootstrap serves it.
        eprintln!("  api_token               (GET /dev/bootstrap)");
        eprintln!("  bootstrap               {}/dev/bootstrap", server.public_url);
    }
    tracing::info!(addr = %server.local_addr, "listening");
    // Tests and scripts parse this one line: keep it exact and flush it.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "passbind-server listening on {}", server.public_url);
    let _ = out.flush();
    drop(out);

    tokio::select! {
        result = server.task => match result {
            Ok(Ok(())) => std::process::ExitCode::SUCCESS,
            Ok(Err(e)) => { tracing::error!("server error: {e}"); std::process::ExitCode::FAILURE }
            Err(e) => { tracing::error!("server task failed: {e}"); std::process::ExitCode::FAILURE }
        },
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("shutting down");
            std::process::ExitCode::SUCCESS
        }
    }
}
