//! PostgreSQL restarted under load: a cluster of the test's own (initdb and
//! pg_ctl on a spare loopback port, as the `postgres` user when root) is
//! stopped at once (`pg_ctl stop -m immediate`, as a crash) while clients
//! create identities and jobs and bind, then started again. During the
//! outage requests answer 503 `unavailable` quickly and none outlasts the
//! request timeout; afterwards the same service serves again.

use crate::common::*;
use passbind_protocol::wire::InvokeAuthenticatorResponse;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A throwaway cluster, stopped and removed on drop.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    root: bool,
}

impl Cluster {
    fn start() -> Option<Cluster> {
        let mut bins: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|b| b.join("pg_ctl").exists())
            .collect();
        bins.sort();
        let bin = bins.pop()?;
        let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        let dir = tempfile::Builder::new().prefix("passbind-faults-pg-").tempdir().unwrap().keep();
        if root {
            assert!(Command::new("chown").args(["-R", "postgres:"]).arg(&dir).status().unwrap().success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = Cluster { bin, dir, port, root };
        let data = cluster.dir.join("data");
        let out = cluster.run("initdb").arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "--no-sync"]).output().unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        cluster.pg_ctl_start();
        Some(cluster)
    }

    /// A PostgreSQL program, run as the cluster's owner.
    fn run(&self, program: &str) -> Command {
        let mut c = if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(program));
            c
        } else {
            Command::new(self.bin.join(program))
        };
        c.stdin(std::process::Stdio::null());
        c
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off -c max_connections=100",
            self.port,
            self.dir.display()
        );
        let out = self
            .run("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-o", &options, "-l"])
            .arg(self.dir.join("postgres.log"))
            .args(["-w", "start"])
            .output()
            .unwrap();
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// As a crash: every backend killed at once, no checkpoint.
    fn pg_ctl_stop_immediate(&self) {
        let out = self.run("pg_ctl").arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "-w", "stop"]).output().unwrap();
        assert!(out.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl").arg("-D").arg(self.dir.join("data")).args(["-m", "immediate", "-w", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One request's outcome.
struct Outcome {
    at: Duration,
    took: Duration,
    status: u16,
    code: String,
    what: &'static str,
}

/// One client's loop: an identity, a RETURN job, the link opened and a
/// passkey bound, again and again until `until`; every request recorded.
async fn client(s: Arc<TestServer>, n: usize, t0: Instant, until: Instant, log: Arc<Mutex<Vec<Outcome>>>) {
    // Plain reqwest: 503 is the answer under test, not a schema violation; its own timeout is only a hang guard.
    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let token = s.dev.api_token.clone();
    let mut i = 0;
    let send = async |what: &'static str, url: String, auth: bool, body: Value| -> Option<Value> {
        let started = Instant::now();
        let mut req = http.post(url).json(&body);
        if auth {
            req = req.bearer_auth(&token);
        }
        let resp = req.send().await.expect("an answer (no connection error, no hang)");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let code = body["code"].as_str().unwrap_or_default().to_owned();
        log.lock().unwrap().push(Outcome { at: started - t0, took: started.elapsed(), status, code, what });
        (status == 200).then_some(body)
    };
    while Instant::now() < until {
        i += 1;
        let realm = s.url(&s.realm_path());
        let traits = json!({"type": "traits_v0", "username": format!("c{n}-{i}")});
        let Some(identity) =
            send("create identity", format!("{realm}/identities"), true, json!({"identity": {"display_name": "Load", "traits": traits}}))
                .await
        else {
            continue;
        };
        let job = json!({"job": {"delivery_method": "RETURN", "authenticator_config_id": s.dev.authenticator_config_id}});
        let url = format!("{realm}/identities/{}/credential-binding-jobs", identity["id"].as_str().unwrap());
        let Some(created) = send("create job", url, true, job).await else { continue };
        let link = passbind_protocol::BindingLink::parse(created["credential_binding_link"].as_str().unwrap()).unwrap();
        let Some(invoked) = send(":invokeAuthenticator", link.invoke_authenticator_url(), false, json!({"token": link.token})).await else {
            continue;
        };
        let invoked: InvokeAuthenticatorResponse = serde_json::from_value(invoked).unwrap();
        let options = serde_json::to_value(&invoked.public_key).unwrap();
        let credential = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
        let bind = json!({"token": link.token, "ceremony_id": invoked.ceremony_id, "credential": credential});
        send(":bindCredential", link.bind_credential_url(), false, bind).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_load_answers_503_then_serves_again() {
    let Some(cluster) = Cluster::start() else {
        assert!(std::env::var("CI").is_err(), "PostgreSQL server binaries are needed in CI (scripts/setup.sh postgres)");
        println!("SKIPPED: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin");
        return;
    };
    let request_timeout = 10;
    let s = Arc::new(TestServer::start_at(cluster.url(), None, |c| c.request_timeout_seconds = request_timeout).await);
    let log = Arc::new(Mutex::new(Vec::new()));
    let t0 = Instant::now();
    let (before, outage) = (Duration::from_secs(3), Duration::from_secs(4));
    let until = t0 + before + outage + Duration::from_secs(8);
    let clients: Vec<_> = (0..8).map(|n| tokio::spawn(client(s.clone(), n, t0, until, log.clone()))).collect();

    tokio::time::sleep(before).await;
    let down_at = t0.elapsed();
    let cluster = Arc::new(cluster);
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.pg_ctl_stop_immediate()).await.unwrap();
    tokio::time::sleep(outage).await;
    let up_at = t0.elapsed();
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.pg_ctl_start()).await.unwrap();
    for c in clients {
        c.await.unwrap();
    }

    let log = std::mem::take(&mut *log.lock().unwrap());
    let unexpected: Vec<_> = log
        .iter()
        .filter(|o| !(o.status == 200 || (o.status == 503 && o.code == "unavailable")))
        .map(|o| (o.what, o.status, o.code.clone()))
        .collect();
    assert!(unexpected.is_empty(), "only 200 or 503 unavailable: {unexpected:?}");
    let slowest = log.iter().map(|o| o.took).max().unwrap();
    assert!(slowest <= Duration::from_secs(request_timeout + 1), "no request outlasts the request timeout: {slowest:?}");
    let during: Vec<_> = log.iter().filter(|o| o.at >= down_at && o.at < up_at).collect();
    let refused = during.iter().filter(|o| o.status == 503).count();
    assert!(refused > 0, "requests during the outage are refused");
    let slowest_refusal = during.iter().filter(|o| o.status == 503).map(|o| o.took).max().unwrap();
    let after: Vec<_> = log.iter().filter(|o| o.at >= up_at).collect();
    let first_bind_after = after.iter().find(|o| o.what == ":bindCredential" && o.status == 200).map(|o| o.at + o.took - up_at);
    assert!(first_bind_after.is_some(), "the service binds again after the restart, without being restarted itself");
    let binds = |set: &[&Outcome]| set.iter().filter(|o| o.what == ":bindCredential" && o.status == 200).count();
    let before_set: Vec<_> = log.iter().filter(|o| o.at < down_at).collect();
    println!(
        "fault: PostgreSQL stopped at once (pg_ctl stop -m immediate) for {outage:?} under 8 clients binding\n\
         answer: before {} requests, {} bindings; during the outage {} requests, {refused} answered 503 unavailable \
         (slowest {slowest_refusal:.2?}), {} 200; after the restart the first binding completed {:.2?} after PostgreSQL was back, \
         {} bindings in all after it; slowest request of the run {slowest:.2?} (request timeout {request_timeout} s)",
        before_set.len(),
        binds(&before_set),
        during.len(),
        during.len() - refused,
        first_bind_after.unwrap(),
        binds(&after),
    );
    for what in ["create identity", "create job", ":invokeAuthenticator", ":bindCredential"] {
        let n = during.iter().filter(|o| o.what == what && o.status == 503).count();
        println!("  during the outage, {what}: {n} × 503");
    }
    drop(cluster);
}
