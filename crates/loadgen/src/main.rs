//! passbind-loadgen: service throughput for full bindings (issue 5, part 3).
//!
//! Starts `passbind-server --dev` (release build, its own temp database unless
//! `--database-url`), creates identities and RETURN jobs through the admin API
//! before each level (untimed), then runs full bindings — invokeAuthenticator,
//! the software authenticator, bindCredential — with N concurrent clients over
//! keep-alive HTTP/1.1 on loopback for a fixed time. Reports bindings/s,
//! p50/p99 latency of the whole binding, and CPU per binding of the server
//! (/proc/<pid>/stat) and of this client (/proc/self/stat). Then the cost
//! split: a micro-benchmark of the service's verification function
//! (passbind-webauthn), and a one-client run against a database file in RAM
//! (tmpfs; the difference is what durable storage costs). A benchmark, not a
//! test: it fails only when it cannot run at all.
//!
//! passbind-loadgen --server target/release/passbind-server [--seconds 10]
//!   [--levels 1,16,64] [--database-url URL] [--attestation none|packed]
//!   [--no-split] [--json bench/out/service.json] [--server-log warn]
//!
//! - `args`: the flags
//! - `server`: the server process and the admin API calls that make links
//! - `level`: one load level and its report line
//! - `split`: the cost split
//! - `authenticator`: the software authenticator

mod args;
mod authenticator;
mod level;
mod server;
mod split;

use args::Args;
use clap::Parser;
use level::{estimate, print_level, run_level};
use serde_json::json;
use server::{connect, make_links};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cores} cores, {}", model.unwrap_or_else(|| "unknown CPU".into()))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // clap exits with status 2 and a usage message on a bad flag, 0 on --help.
    let args = Args::parse();
    // Keep-alive HTTP/1.1 on loopback; one connection per concurrent client.
    let http = reqwest::Client::builder().pool_max_idle_per_host(1024).tcp_nodelay(true).build().expect("HTTP client");
    let database =
        args.database_url.as_deref().map(|u| u.split(':').next().unwrap_or("?").to_owned()).unwrap_or_else(|| "sqlite (file, WAL)".into());
    println!("  {} | database {database} | attestation {:?} | {} s per level | client: 1 thread", machine(), args.format, args.seconds);

    let target = match connect(&args, &http, args.database_url.as_deref()).await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("passbind-loadgen: {e}");
            if args.database_url.as_deref().is_some_and(|u| u.starts_with("postgres")) {
                eprintln!(
                    "passbind-loadgen: this passbind-server has no PostgreSQL support yet (branch pg): PostgreSQL numbers are pending"
                );
            }
            std::process::exit(1);
        }
    };

    // Usernames are unique per run: a PostgreSQL database outlives the run.
    let run: String = authenticator::random::<3>().iter().map(|b| format!("{b:02x}")).collect();
    let mut levels = Vec::new();
    let mut prev_rate = None;
    let queue = Arc::new(Mutex::new(VecDeque::new()));
    for (i, &c) in args.levels.iter().enumerate() {
        let have = queue.lock().unwrap().len();
        let want = estimate(prev_rate, args.seconds).saturating_sub(have);
        let setup = Instant::now();
        match make_links(&target.admin, want, &format!("{run}-{i}")).await {
            Ok(l) => queue.lock().unwrap().extend(l),
            Err(e) => {
                eprintln!("passbind-loadgen: setup failed: {e}");
                std::process::exit(1);
            }
        };
        println!(
            "  (setup, untimed: {want} new identities + RETURN jobs in {:.1} s, {} ready)",
            setup.elapsed().as_secs_f64(),
            queue.lock().unwrap().len()
        );
        let level = run_level(&http, &target.server.pid, &queue, c, args.seconds, &target.origin, args.format).await;
        print_level(&level);
        prev_rate = Some(prev_rate.unwrap_or(0f64).max(level.rate()));
        levels.push(level);
    }

    let split = split::cost_split(&args, &http, &levels, &run).await;

    if let Some(path) = &args.json {
        let out = json!({
            "date": format!("{:?}", std::time::SystemTime::now()),
            "machine": machine(),
            "database": database,
            "attestation": format!("{:?}", args.format).to_lowercase(),
            "seconds": args.seconds,
            "levels": levels.iter().map(level::Level::to_json).collect::<Vec<_>>(),
            "split": split,
        });
        if let Err(e) = std::fs::write(path, serde_json::to_string_pretty(&out).unwrap()) {
            eprintln!("passbind-loadgen: cannot write {path}: {e}");
        }
    }
    let mut server = target.server;
    let _ = server.child.start_kill();
    let _ = server.child.wait().await;
}
