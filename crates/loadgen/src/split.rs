//! The cost split of one binding: verification alone (a micro-benchmark of
//! the service's own verification function), and the one-client run again on
//! a SQLite file in RAM, whose difference to the disk run is what durable
//! storage costs.

use crate::args::Args;
use crate::authenticator::{self, Authenticator, Format};
use crate::level::{print_level, run_level, Level};
use crate::server::{connect, make_links};
use passbind_webauthn::{verify_registration, Expectation};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// µs per call of the service's own verification of one registration.
fn micro_verify(format: Format) -> f64 {
    let origin = "http://localhost:8080".to_owned();
    let mut auth = Authenticator::new(1, &origin, format);
    let challenge = authenticator::random::<32>();
    let challenge_b64 = passbind_protocol::base64url::encode(&challenge);
    let responses: Vec<_> = (0..64).map(|_| auth.register(&challenge_b64, "localhost")).collect();
    let origins = [origin];
    let exp = Expectation { challenge: &challenge, allowed_origins: &origins, rp_id: "localhost", require_user_verification: true };
    for r in &responses {
        verify_registration(r, &exp).expect("the service accepts the load generator's attestation");
    }
    let n = if format == Format::Packed { 2_000 } else { 50_000 };
    let t0 = Instant::now();
    for i in 0..n {
        std::hint::black_box(verify_registration(std::hint::black_box(&responses[i % responses.len()]), &exp).is_ok());
    }
    t0.elapsed().as_secs_f64() * 1e6 / n as f64
}

/// Prints the split and returns it as the JSON report's `split`. The RAM run
/// needs the default SQLite file database and a one-client level to compare with.
pub async fn cost_split(args: &Args, http: &reqwest::Client, levels: &[Level], run: &str) -> Value {
    let verify_none = micro_verify(Format::None);
    let verify_packed = micro_verify(Format::Packed);
    println!("  verification alone (passbind_webauthn::verify_registration, one core): none {verify_none:.1} us, packed ES256 {verify_packed:.1} us");
    let mut split = json!({"verify_none_us": verify_none, "verify_packed_us": verify_packed});
    if args.no_split || args.database_url.is_some() {
        return split;
    }
    let Some(file_c1) = levels.iter().find(|l| l.concurrency == 1) else {
        return split;
    };
    // The same code path on a file in RAM (tmpfs): fsync costs nothing there, so
    // the difference to the disk run is what making the writes durable costs.
    let shm = std::path::Path::new("/dev/shm").join(format!("passbind-loadgen-{run}"));
    let shm_url = format!("sqlite://{}", shm.join("passbind.db").display());
    match connect(args, http, Some(&shm_url)).await {
        Ok(mem) => {
            let links = make_links(&mem.admin, crate::level::estimate(Some(file_c1.rate() * 4.0), args.seconds), &format!("{run}-mem"))
                .await
                .unwrap_or_default();
            let queue = Arc::new(Mutex::new(VecDeque::from(links)));
            let m = run_level(http, &mem.server.pid, &queue, 1, args.seconds, &mem.origin, args.format).await;
            print!("  SQLite file in RAM:");
            print_level(&m);
            let per = |l: &Level| l.server_cpu * 1e6 / l.bindings.max(1) as f64;
            let lat = |l: &Level| l.latencies_us.iter().sum::<u64>() as f64 / l.latencies_us.len().max(1) as f64;
            let (cpu_file, cpu_mem) = (per(file_c1), per(&m));
            let verify = if args.format == Format::Packed { verify_packed } else { verify_none };
            println!("  cost split per binding at 1 client (server CPU, mean latency):");
            println!(
                "    total, file on disk (WAL, synchronous FULL)                {cpu_file:>7.0} us CPU  {:>7.0} us latency",
                lat(file_c1)
            );
            println!("    attestation verification (micro-benchmark)                 {verify:>7.1} us CPU");
            println!(
                "    durable storage: disk run minus RAM run                    {:>7.0} us CPU  {:>7.0} us latency",
                cpu_file - cpu_mem,
                lat(file_c1) - lat(&m)
            );
            println!("    HTTP, JSON, routing, SQL: RAM run minus verification      {:>7.0} us CPU", cpu_mem - verify);
            split = json!({
                "verify_none_us": verify_none, "verify_packed_us": verify_packed,
                "server_cpu_file_us": cpu_file, "server_cpu_ram_file_us": cpu_mem,
                "durable_storage_cpu_us": cpu_file - cpu_mem, "durable_storage_latency_us": lat(file_c1) - lat(&m),
                "http_json_routing_sql_cpu_us": cpu_mem - verify,
                "ram_file_level": m.to_json(),
            });
            drop(mem);
        }
        Err(e) => eprintln!("  (no run on a file in RAM: {e})"),
    }
    let _ = std::fs::remove_dir_all(&shm);
    split
}
