//! One load level: N clients each running full bindings (invokeAuthenticator,
//! the software authenticator, bindCredential) for a fixed time, with the
//! CPU time the server and this client spent.

use crate::authenticator::{Authenticator, Format};
use passbind_protocol::wire::BindCredentialRequest;
use passbind_protocol::BindingLink;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / clock_ticks()
}

fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// One full binding: invoke → authenticator → bind. Returns an error text on any failure.
async fn bind_once(http: &reqwest::Client, auth: &Mutex<Authenticator>, link: BindingLink) -> Result<(), String> {
    let res = http.post(link.invoke_authenticator_url()).json(&json!({"token": link.token})).send().await.map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("invoke: {}", res.status()));
    }
    let invoked: Value = res.json().await.map_err(|e| e.to_string())?;
    let ceremony_id = invoked["ceremony_id"].as_str().ok_or("no ceremony_id")?.to_owned();
    let challenge = invoked["public_key"]["challenge"].as_str().ok_or("no challenge")?;
    let rp_id = invoked["public_key"]["rp"]["id"].as_str().ok_or("no rp.id")?;
    let credential = auth.lock().unwrap().register(challenge, rp_id);
    let body = BindCredentialRequest { token: link.token.clone(), ceremony_id, credential };
    let res = http.post(link.bind_credential_url()).json(&body).send().await.map_err(|e| e.to_string())?;
    let status = res.status();
    let text = res.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("bind: {status} {text}"));
    }
    Ok(())
}

pub struct Level {
    pub concurrency: usize,
    pub bindings: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub elapsed: f64,
    pub ran_out: bool,
    /// Sorted.
    pub latencies_us: Vec<u64>,
    pub server_cpu: f64,
    pub client_cpu: f64,
}

impl Level {
    pub fn rate(&self) -> f64 {
        self.bindings as f64 / self.elapsed
    }
    pub fn pct_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        self.latencies_us[i.clamp(1, self.latencies_us.len()) - 1] as f64 / 1000.0
    }
    pub fn to_json(&self) -> Value {
        let n = self.bindings.max(1) as f64;
        json!({
            "concurrency": self.concurrency, "bindings": self.bindings, "errors": self.errors, "first_error": self.first_error,
            "elapsed_s": self.elapsed, "ran_out_of_jobs": self.ran_out, "bindings_per_s": self.rate(),
            "p50_ms": self.pct_ms(50.0), "p99_ms": self.pct_ms(99.0), "max_ms": self.pct_ms(100.0),
            "server_cpu_ms_per_binding": self.server_cpu * 1000.0 / n, "client_cpu_ms_per_binding": self.client_cpu * 1000.0 / n,
            "server_cpu_cores": self.server_cpu / self.elapsed, "client_cpu_cores": self.client_cpu / self.elapsed,
        })
    }
}

pub async fn run_level(
    http: &reqwest::Client,
    server_pid: &str,
    queue: &Arc<Mutex<VecDeque<BindingLink>>>,
    concurrency: usize,
    seconds: f64,
    origin: &str,
    format: Format,
) -> Level {
    let auth = Arc::new(Mutex::new(Authenticator::new(256, origin, format)));
    let (s0, c0) = (cpu_seconds(server_pid), cpu_seconds("self"));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, queue, auth) = (http.clone(), queue.clone(), auth.clone());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors, mut first_error, mut ran_out) = (Vec::with_capacity(4096), 0usize, None, false);
            while Instant::now() < deadline {
                let Some(link) = queue.lock().unwrap().pop_front() else {
                    ran_out = true;
                    break;
                };
                let t0 = Instant::now();
                match bind_once(&http, &auth, link).await {
                    Ok(()) => lat.push(t0.elapsed().as_micros() as u64),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (lat, errors, first_error, ran_out, Instant::now())
        }));
    }
    let mut level = Level {
        concurrency,
        bindings: 0,
        errors: 0,
        first_error: None,
        elapsed: 0.0,
        ran_out: false,
        latencies_us: Vec::new(),
        server_cpu: 0.0,
        client_cpu: 0.0,
    };
    let mut end = start;
    for t in tasks {
        let (lat, errors, first_error, ran_out, done) = t.await.expect("worker");
        level.latencies_us.extend(lat);
        level.errors += errors;
        level.ran_out |= ran_out;
        if level.first_error.is_none() {
            level.first_error = first_error;
        }
        end = end.max(done);
    }
    level.elapsed = (end - start).as_secs_f64();
    level.server_cpu = cpu_seconds(server_pid) - s0;
    level.client_cpu = cpu_seconds("self") - c0;
    level.bindings = level.latencies_us.len();
    level.latencies_us.sort_unstable();
    level
}

pub fn print_level(l: &Level) {
    println!(
        "  {:>3} clients  {:>6} bindings in {:>5.1} s  {:>7.0}/s  p50 {:>6.2} ms  p99 {:>6.2} ms  CPU/binding: server {:.3} ms, client {:.3} ms  (cores busy: server {:.2}, client {:.2}){}{}",
        l.concurrency,
        l.bindings,
        l.elapsed,
        l.rate(),
        l.pct_ms(50.0),
        l.pct_ms(99.0),
        l.server_cpu * 1000.0 / l.bindings.max(1) as f64,
        l.client_cpu * 1000.0 / l.bindings.max(1) as f64,
        l.server_cpu / l.elapsed,
        l.client_cpu / l.elapsed,
        if l.ran_out { "  [ran out of prepared jobs]" } else { "" },
        l.first_error.as_ref().map(|e| format!("  {} errors, first: {e}", l.errors)).unwrap_or_default(),
    );
}

/// Jobs to have ready for a level: 1.6 times the best rate so far (at least
/// 300/s) for its duration (making them is slow: admin writes commit one by one). Jobs a level leaves unused carry over to the next.
pub fn estimate(prev_rate: Option<f64>, seconds: f64) -> usize {
    let rate = prev_rate.unwrap_or(0.0).max(300.0);
    ((rate * seconds * 1.6) as usize).clamp(500, 150_000)
}
