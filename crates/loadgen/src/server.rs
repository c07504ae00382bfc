//! The service under load: a `passbind-server --dev` child process on a
//! port of its own, and the admin API calls that prepare binding links.

use crate::args::Args;
use crate::authenticator;
use passbind_protocol::BindingLink;
use serde_json::{json, Value};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// A running `passbind-server --dev`; killed when dropped (`kill_on_drop`),
/// its temp dir removed.
pub struct Server {
    pub child: tokio::process::Child,
    pub pid: String,
    pub url: String,
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

pub struct Admin {
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

pub async fn make_links(admin: &Arc<Admin>, count: usize, tag: &str) -> Result<Vec<BindingLink>, String> {
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

/// A started server with its dev tenant's admin API.
pub struct Target {
    pub server: Server,
    pub admin: Arc<Admin>,
    pub origin: String,
}

pub async fn connect(args: &Args, http: &reqwest::Client, database_url: Option<&str>) -> Result<Target, String> {
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
