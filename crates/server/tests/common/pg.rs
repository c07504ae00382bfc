//! A throwaway PostgreSQL cluster for the tests: one per `cargo test` run,
//! started on first use from the installed server binaries (initdb in a temp
//! dir, a spare loopback port, fsync off), a fresh database per test, and a
//! watchdog that stops the cluster and deletes its directory when the run
//! ends. Under `cargo test` the test binaries of one run share the cluster
//! (its URL is left in `CARGO_TARGET_TMPDIR`, keyed by cargo's process id,
//! and the watchdog waits for that cargo process); a test binary started any
//! other way gets its own, stopped when it exits. As root, initdb refuses to run, so the cluster runs as the
//! `postgres` OS user (`runuser`).
//!
//! `PASSBIND_TEST_PG_URL=postgres://user:pw@host:port/db` uses an existing
//! server instead (the user must be allowed to CREATE DATABASE).
//! Without PostgreSQL binaries the postgres tests fail when `CI` is set and
//! are skipped with a loud message otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static CLUSTER: OnceLock<Result<String, String>> = OnceLock::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// The admin URL of the shared cluster; `None` (after a warning) when
/// PostgreSQL is not installed and this is not CI.
pub fn admin_url() -> Option<String> {
    match CLUSTER.get_or_init(start_cluster) {
        Ok(url) => Some(url.clone()),
        Err(e) if in_ci() => panic!("PostgreSQL tests cannot run: {e}"),
        Err(e) => {
            eprintln!("\n!!! SKIPPING a PostgreSQL test: {e}\n!!! (install PostgreSQL: bash scripts/setup.sh postgres; with CI=true this fails)\n");
            None
        }
    }
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return Ok(bin);
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        if dir.join("initdb").exists() && dir.join("postgres").exists() {
            return Ok(dir);
        }
    }
    Err("no PostgreSQL server binaries (initdb, postgres) in /usr/lib/postgresql/*/bin, $PG_BIN or $PATH".into())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// A command run as the cluster's owner.
fn as_owner(root: bool, program: &Path) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn spare_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// The `cargo` process running this test binary, if that is what it is.
fn cargo_pid() -> Option<u32> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let ppid: u32 = stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()?;
    let comm = std::fs::read_to_string(format!("/proc/{ppid}/comm")).ok()?;
    (comm.trim() == "cargo").then_some(ppid)
}

fn start_cluster() -> Result<String, String> {
    if let Ok(url) = std::env::var("PASSBIND_TEST_PG_URL") {
        return Ok(url);
    }
    let Some(cargo) = cargo_pid() else { return start_own_cluster(std::process::id()) };
    // One cluster per cargo run: the first binary starts it, the next ones read its URL.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let url_file = dir.join(format!("passbind-pg-{cargo}.url"));
    let lock_file = dir.join(format!("passbind-pg-{cargo}.lock"));
    // Files of earlier runs (their cargo is gone) are stale.
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if let Some(pid) = name.strip_prefix("passbind-pg-").and_then(|n| n.split('.').next()) {
            if !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(url) = std::fs::read_to_string(&url_file) {
            if let Some(port) = url.rsplit(':').next().and_then(|p| p.split('/').next()).and_then(|p| p.parse::<u16>().ok()) {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Ok(url);
                }
            }
        }
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&lock_file) {
            Ok(_) => {
                let result = start_own_cluster(cargo);
                if let Ok(url) = &result {
                    std::fs::write(&url_file, url).map_err(|e| e.to_string())?;
                }
                let _ = std::fs::remove_file(&lock_file);
                return result;
            }
            Err(_) if Instant::now() > deadline => return Err(format!("{} stayed locked", lock_file.display())),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Starts a cluster that lives as long as process `owner`.
fn start_own_cluster(owner: u32) -> Result<String, String> {
    let bin = bin_dir()?;
    let root = is_root();
    let dir = tempfile::Builder::new().prefix("passbind-pg-").tempdir().map_err(|e| e.to_string())?.keep();
    let data = dir.join("data");
    if root {
        let ok = Command::new("chown").args(["-R", "postgres:"]).arg(&dir).status().map_err(|e| e.to_string())?.success();
        if !ok {
            return Err(format!("cannot chown {} to the postgres user", dir.display()));
        }
    }
    let out = as_owner(root, &bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let port = spare_port()?;
    // The watchdog: postgres in the background, stopped (fast shutdown) and
    // its directory removed once this test process is gone.
    let script = format!(
        "\"$0\" -D \"$1\" -p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=\"$2\" -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 >\"$2/postgres.log\" 2>&1 & pg=$!; \
         while [ -d /proc/{parent} ] && kill -0 $pg 2>/dev/null; do sleep 0.3; done; kill -INT $pg 2>/dev/null; wait $pg; rm -rf \"$2\"",
        parent = owner
    );
    let sh = PathBuf::from("/bin/sh");
    as_owner(root, &sh)
        .arg("-c")
        .arg(script)
        .arg(bin.join("postgres"))
        .arg(&data)
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ready {
            break;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
            return Err(format!("postgres did not start on port {port}: {log}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}

/// A fresh, empty database on the shared cluster; its URL.
pub async fn fresh_database(admin: &str) -> String {
    use sqlx::Connection;
    let name = format!("passbind_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), passbind_server::util::new_id());
    let mut last = String::new();
    for _ in 0..20 {
        match sqlx::PgConnection::connect(admin).await {
            Ok(mut conn) => {
                let r = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await;
                let _ = conn.close().await;
                match r {
                    Ok(_) => {
                        let mut url = url::Url::parse(admin).unwrap();
                        url.set_path(&name);
                        return url.to_string();
                    }
                    Err(e) => last = e.to_string(),
                }
            }
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot create a test database: {last}");
}
