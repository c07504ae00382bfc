//! passbind-loadgen: service throughput for full bindings (issue 5, part 3).
//!
//! Starts `passbind-server --dev` (release build, its own temp database unless
//! `--database-url`), creates identities and RETURN jobs through the admin API
//! before each level (untimed), then runs full bindings — invokeAuthenticator,
//! the software authenticator, bindCredential — with N concurrent clients over
//! keep-alive HTTP/1.1 on loopback for a fixed time. Reports bindings/s,
//! p50/p99 latency of the whole binding, and CPU per binding of the server
//! (/proc/<pid>/stat) and of this client (/proc/self/stat). Then the cost
//! split: a micro-benchmark of the service's verification function, and a
//! one-client run against a database file in RAM (tmpfs; the difference is what
//! durable storage costs). A benchmark, not a test: it fails only when it
//! cannot run at all.
//!
//! passbind-loadgen --server target/release/passbind-server [--seconds 10]
//!   [--levels 1,16,64] [--database-url URL] [--attestation none|packed]
//!   [--no-split] [--json bench/out/service.json]

mod authenticator;

use authenticator::{Authenticator, Format};
use passbind_protocol::wire::BindCredentialRequest;
use passbind_protocol::BindingLink;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};

struct Args {
    server: String,
    seconds: f64,
    levels: Vec<usize>,
    database_url: Option<String>,
    format: Format,
    split: bool,
    json: Option<String>,
    server_log: String,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        server: "target/release/passbind-server".into(),
        seconds: 10.0,
        levels: vec![1, 16, 64],
        database_url: None,
        format: Format::None,
        split: true,
        json: None,
        server_log: "warn".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--server" => a.server = value()?,
            "--seconds" => a.seconds = value()?.parse().map_err(|_| "--seconds: a number")?,
            "--levels" => {
                a.levels = value()?.split(',').map(|s| s.trim().parse()).collect::<Result<_, _>>().map_err(|_| "--levels: e.g. 1,16,64")?
            }
            "--database-url" => a.database_url = Some(value()?),
            "--attestation" => {
                a.format = match value()?.as_str() {
                    "none" => Format::None,
                    "packed" => Format::Packed,
                    _ => return Err("--attestation: none or packed".into()),
                }
            }
            "--no-split" => a.split = false,
            "--json" => a.json = Some(value()?),
            "--server-log" => a.server_log = value()?,
            "-h" | "--help" => {
                println!("passbind-loadgen [--server PATH] [--seconds 10] [--levels 1,16,64] [--database-url URL] [--attestation none|packed] [--no-split] [--json PATH] [--server-log warn]");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(a)
}

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

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cores} cores, {}", model.unwrap_or_else(|| "unknown CPU".into()))
}

struct Server {
    child: tokio::process::Child,
    pid: String,
    url: String,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn start_server(bin: &str, database_url: Option<&str>, log: &str) -> Result<Server, String> {
    let dir = std::env::temp_dir()
        .join(format!("passbind-loadgen-{}", authenticator::random::<4>().iter().map(|b| format!("{b:02x}")).collect::<String>()));
    std::fs::create_dir_all(dir.join("www")).map_err(|e| e.to_string())?;
    let db = database_url.map(str::to_owned).unwrap_or_else(|| format!("sqlite://{}", dir.join("passbind.db").display()));
    let mut child = tokio::process::Command::new(bin)
        .args(["--dev", "--listen", "localhost:0", "--database-url", &db])
        .arg("--www-dir")
        .arg(dir.join("www"))
        .arg("--sdk-dir")
        .arg(dir.join("www"))
        .env("RUST_LOG", log)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {bin}: {e}"))?;
    let pid = child.id().ok_or("server exited")?.to_string();
    // The server's log (warnings and errors only by default): kept, shown if it does not start.
    let log_tail = Arc::new(Mutex::new(String::new()));
    let mut errors = BufReader::new(child.stderr.take().ok_or("no stderr")?).lines();
    let tail = log_tail.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = errors.next_line().await {
            let mut t = tail.lock().unwrap();
            if t.len() < 4096 {
                t.push_str(&line);
                t.push('\n');
            }
        }
    });
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("passbind-server listening on ") {
                return Some(url.trim().to_owned());
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(|| {
        std::thread::sleep(Duration::from_millis(200));
        format!("{bin} did not start (database {db}):\n{}", log_tail.lock().unwrap().trim_end())
    })?;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Server { child, pid, url, _dir: TempDir(dir) })
}

struct Admin {
    http: reqwest::Client,
    base: String,
    token: String,
    config_id: String,
}

impl Admin {
    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let res =
            self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await.map_err(|e| e.to_string())?;
        let status = res.status();
        let body: Value = res.json().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("POST {path}: {status} {body}"));
        }
        Ok(body)
    }

    /// A new identity and a RETURN job for it: the binding link.
    async fn new_link(&self, name: &str) -> Result<BindingLink, String> {
        let identity = self
            .post(
                "/identities",
                json!({"identity": {"display_name": name, "traits": {"type": "traits_v0", "username": name, "primary_email_address": format!("{name}@example.com")}}}),
            )
            .await?;
        let id = identity["id"].as_str().ok_or("identity without id")?;
        let job = self
            .post(
                &format!("/identities/{id}/credential-binding-jobs"),
                json!({"job": {"delivery_method": "RETURN", "authenticator_config_id": self.config_id}}),
            )
            .await?;
        let link = job["credential_binding_link"].as_str().ok_or("job without link")?;
        BindingLink::parse(link).map_err(|e| e.to_string())
    }
}

async fn make_links(admin: &Arc<Admin>, count: usize, tag: &str) -> Result<Vec<BindingLink>, String> {
    let next = Arc::new(Mutex::new(0usize));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (admin, next, tag) = (admin.clone(), next.clone(), tag.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    if *n >= count {
                        break;
                    }
                    *n += 1;
                    *n
                };
                out.push(admin.new_link(&format!("lg-{tag}-{i}")).await?);
            }
            Ok::<_, String>(out)
        }));
    }
    let mut links = Vec::with_capacity(count);
    for t in tasks {
        links.extend(t.await.map_err(|e| e.to_string())??);
    }
    Ok(links)
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

struct Level {
    concurrency: usize,
    bindings: usize,
    errors: usize,
    first_error: Option<String>,
    elapsed: f64,
    ran_out: bool,
    latencies_us: Vec<u64>,
    server_cpu: f64,
    client_cpu: f64,
}

impl Level {
    fn rate(&self) -> f64 {
        self.bindings as f64 / self.elapsed
    }
    fn pct_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        self.latencies_us[i.clamp(1, self.latencies_us.len()) - 1] as f64 / 1000.0
    }
    fn to_json(&self) -> Value {
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

async fn run_level(
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

struct Target {
    server: Server,
    admin: Arc<Admin>,
    origin: String,
}

async fn connect(args: &Args, http: &reqwest::Client, database_url: Option<&str>) -> Result<Target, String> {
    let server = start_server(&args.server, database_url, &args.server_log).await?;
    let boot: Value = http
        .get(format!("{}/dev/bootstrap", server.url))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let s = |k: &str| boot[k].as_str().map(str::to_owned).ok_or_else(|| format!("/dev/bootstrap without {k}"));
    let admin = Arc::new(Admin {
        http: http.clone(),
        base: format!("{}/v1/tenants/{}/realms/{}", server.url, s("tenant_id")?, s("realm_id")?),
        token: s("api_token")?,
        config_id: s("authenticator_config_id")?,
    });
    let origin = server.url.trim_end_matches('/').to_owned();
    Ok(Target { server, admin, origin })
}

fn print_level(l: &Level) {
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

/// µs per call of the service's own verification of one registration.
fn micro_verify(format: Format) -> f64 {
    use passbind_server::webauthn::{verify_registration, Expectation};
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

/// Jobs to have ready for a level: 1.6 times the best rate so far (at least
/// 300/s) for its duration (making them is slow: admin writes commit one by one). Jobs a level leaves unused carry over to the next.
fn estimate(prev_rate: Option<f64>, seconds: f64) -> usize {
    let rate = prev_rate.unwrap_or(0.0).max(300.0);
    ((rate * seconds * 1.6) as usize).clamp(500, 150_000)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("passbind-loadgen: {e}");
            std::process::exit(2);
        }
    };
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

    // The cost split.
    let verify_none = micro_verify(Format::None);
    let verify_packed = micro_verify(Format::Packed);
    println!("  verification alone (passbind_server::webauthn::verify_registration, one core): none {verify_none:.1} us, packed ES256 {verify_packed:.1} us");
    let mut split = json!({"verify_none_us": verify_none, "verify_packed_us": verify_packed});
    let file_c1 = levels.iter().find(|l| l.concurrency == 1);
    if args.split && args.database_url.is_none() {
        if let Some(file_c1) = file_c1 {
            // The same code path on a file in RAM (tmpfs): fsync costs nothing there, so
            // the difference to the disk run is what making the writes durable costs.
            let shm = std::path::Path::new("/dev/shm").join(format!("passbind-loadgen-{run}"));
            let shm_url = format!("sqlite://{}", shm.join("passbind.db").display());
            let mem = connect(&args, &http, Some(&shm_url)).await;
            match mem {
                Ok(mem) => {
                    let links = make_links(&mem.admin, estimate(Some(file_c1.rate() * 4.0), args.seconds), &format!("{run}-mem"))
                        .await
                        .unwrap_or_default();
                    let m = run_level(
                        &http,
                        &mem.server.pid,
                        &Arc::new(Mutex::new(VecDeque::from(links))),
                        1,
                        args.seconds,
                        &mem.origin,
                        args.format,
                    )
                    .await;
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
        }
    }

    if let Some(path) = &args.json {
        let out = json!({
            "date": format!("{:?}", std::time::SystemTime::now()),
            "machine": machine(),
            "database": database,
            "attestation": format!("{:?}", args.format).to_lowercase(),
            "seconds": args.seconds,
            "levels": levels.iter().map(Level::to_json).collect::<Vec<_>>(),
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
