//! Crash durability (issue 13, part 2): the real `passbind-server` binary
//! under full bindings from many clients, killed with SIGKILL at random
//! moments and started again on the same database (a SQLite file, and
//! PostgreSQL). Afterwards every binding a client saw acknowledged (200 from
//! `:bindCredential`) is stored, no job is COMPLETE without its credential
//! nor any credential without its COMPLETE job, every change has its audit
//! event, and every event reaches a loopback webhook receiver (at least once).
//!
//! Short form (`cargo test`): `KILLS` kills per database. The long form is
//! `bash scripts/crash.sh` (`PASSBIND_CRASH_KILLS=20`, more clients, and it
//! waits until every event was delivered). Figures are printed.
//!
//! `process.rs`: the server as a child process; `clients.rs`: the binding
//! clients; `check.rs`: what must hold afterwards.

#[path = "../common/mod.rs"]
mod common;

mod check;
mod clients;
mod process;

use clients::Ctx;
use common::Db;
use process::{say, Server};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Kills per database in the short form.
const KILLS: usize = 5;
/// Concurrent clients in the short form.
const CLIENTS: usize = 32;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A number in [0, n).
fn random_below(n: u64) -> u64 {
    u64::from_le_bytes(passbind_server::util::random_bytes::<8>()) % n.max(1)
}

/// A loopback webhook receiver: the IDs of the events it got (each POST answered 204).
async fn receiver() -> (Arc<Mutex<HashSet<String>>>, Arc<AtomicUsize>, String) {
    let got = Arc::new(Mutex::new(HashSet::new()));
    let posts = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
    let (g, p) = (got.clone(), posts.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap| async move {
            p.fetch_add(1, Ordering::Relaxed);
            if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) {
                g.lock().unwrap().insert(id.to_owned());
            }
            axum::http::StatusCode::NO_CONTENT
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (got, posts, url)
}

async fn crash_durability(db: Db) {
    let long = std::env::var("PASSBIND_CRASH_LONG").is_ok_and(|v| v == "1");
    let kills = env_number("PASSBIND_CRASH_KILLS", KILLS);
    let clients = env_number("PASSBIND_CRASH_CLIENTS", CLIENTS);
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (database_url, _sqlite_dir) = common::fresh_database(db).await;
    let mut server = Server::start(&database_url, dir.path().to_owned()).await;
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients * 2).build().unwrap();
    let boot: Value = http.get(format!("{}/dev/bootstrap", server.base())).send().await.unwrap().json().await.unwrap();
    let s = |k: &str| boot[k].as_str().unwrap().to_owned();
    let ctx = Arc::new(Ctx {
        http: http.clone(),
        base: server.base(),
        token: s("api_token"),
        realm_path: format!("/v1/tenants/{}/realms/{}", s("tenant_id"), s("realm_id")),
        config_id: s("authenticator_config_id"),
        stop: Default::default(),
        acked: Default::default(),
        server_errors: Default::default(),
        refusals: Default::default(),
    });
    // The webhook, before any change: every event from here on is to be delivered.
    let (received, posts, hook_url) = receiver().await;
    let res = http
        .post(format!("{}/v1/tenants/{}/webhooks", ctx.base, s("tenant_id")))
        .bearer_auth(&ctx.token)
        .json(&json!({"url": hook_url, "description": "crash test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "the webhook is created");

    let tag = passbind_server::util::new_id();
    let tasks: Vec<_> = (0..clients).map(|c| tokio::spawn(clients::run(ctx.clone(), c, tag.clone()))).collect();
    // Kill at a random moment once the clients made progress since the last start.
    for _ in 0..kills {
        let before = ctx.acked.load(Ordering::Relaxed);
        let deadline = Instant::now() + Duration::from_secs(30);
        while ctx.acked.load(Ordering::Relaxed) <= before && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(random_below(1500))).await;
        server.kill().await;
        tokio::time::sleep(Duration::from_millis(random_below(300))).await;
        server.spawn().await;
    }
    // A last stretch undisturbed, then every client finishes the binding it is in.
    tokio::time::sleep(Duration::from_millis(500)).await;
    ctx.stop.store(true, Ordering::Relaxed);
    let mut acks = Vec::new();
    for t in tasks {
        acks.extend(t.await.expect("a client ended"));
    }

    let snapshot = check::snapshot(&database_url).await;
    let mut violations = check::check(&ctx, &acks, &snapshot).await;
    // Webhooks: every event delivered, or (short form) waiting as PENDING for a
    // killed instance's lease to run out. The long form waits for them all, as
    // long as deliveries go on (a lease held by a killed instance runs 60 s).
    let stall = Duration::from_secs(if long { 75 } else { 20 });
    let (mut last_count, mut last_progress) = (0, Instant::now());
    let delivered = loop {
        let snapshot = check::snapshot(&database_url).await;
        let d = check::delivered(&snapshot, &received.lock().unwrap());
        let settled = if long { d.pending == 0 && d.lost.is_empty() } else { d.lost.is_empty() };
        if d.received > last_count {
            (last_count, last_progress) = (d.received, Instant::now());
        }
        if settled || last_progress.elapsed() > stall {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    violations.extend(delivered.lost.iter().take(20).cloned());
    if long && delivered.pending > 0 {
        violations.push(format!("{} events not delivered (no delivery for {stall:?})", delivered.pending));
    }
    let server_errors = ctx.server_errors.lock().unwrap().clone();
    let refusals = ctx.refusals.lock().unwrap().clone();
    let panics = server.panics.lock().unwrap().clone();
    say(&format!(
        "crash durability, {db:?}: {kills} kills (SIGKILL), {clients} clients, {} bindings acknowledged, {} checked, {} violations; \
         {} jobs, {} credentials, {} events in the database; webhook: {} events received ({} POSTs), {} pending retry, {} lost; \
         {} 5xx answers, {} refusals, {} panics; {:.1} s",
        acks.len(),
        acks.len(),
        violations.len(),
        snapshot.jobs.len(),
        snapshot.credentials.len(),
        snapshot.events.len(),
        delivered.received,
        posts.load(Ordering::Relaxed),
        delivered.pending,
        delivered.lost.len(),
        server_errors.len(),
        refusals.len(),
        panics.len(),
        started.elapsed().as_secs_f64()
    ));
    for v in violations.iter().chain(&server_errors).chain(&refusals).chain(&panics).take(20) {
        say(&format!("  {v}"));
    }
    assert!(!acks.is_empty(), "the clients bound passkeys");
    assert!(violations.is_empty(), "{} violations: {violations:#?}", violations.len());
    assert!(server_errors.is_empty(), "the service answered 5xx: {server_errors:#?}");
    assert!(refusals.is_empty(), "the service refused a request that should succeed: {refusals:#?}");
    assert!(panics.is_empty(), "the server panicked: {panics:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_survives_sigkill() {
    crash_durability(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_survives_sigkill() {
    if common::pg::admin_url().is_some() {
        crash_durability(Db::Postgres).await;
    }
}
