//! The SQLite file's disk fills up: the database sits on a small tmpfs
//! mounted by the test (skipped, with the reason printed, where mounting is
//! not permitted), a filler file takes the last free byte, and clients keep
//! writing. Writes answer 503 `unavailable` (never 500, never a hang), the
//! file passes `PRAGMA integrity_check`, nothing acknowledged is lost, and
//! writes succeed again once the filler is gone.

use crate::common::*;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmpfs of `size` mounted on a temp dir; unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Result<SmallDisk, String> {
        let dir = tempfile::Builder::new().prefix("passbind-faults-disk-").tempdir().map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!("mount -t tmpfs failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

/// Writes zeros to `path` until the disk is full; answers the bytes written.
fn fill(path: &Path) -> u64 {
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 4096];
    let mut written = 0;
    while file.write_all(&chunk).is_ok() {
        written += chunk.len() as u64;
    }
    // The last partial chunk.
    while file.write_all(&[0u8]).is_ok() {
        written += 1;
    }
    let _ = file.flush();
    written
}

async fn create_identity(http: &reqwest::Client, s: &TestServer, name: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let body = json!({"identity": {"display_name": name, "traits": {"type": "traits_v0", "username": name}}});
    let resp = http.post(s.url(&format!("{}/identities", s.realm_path()))).bearer_auth(&s.dev.api_token).json(&body).send().await.unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or_default().to_owned(), started.elapsed())
}

fn integrity(db: &PathBuf) -> String {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_keeps_the_file_intact_and_recovers() {
    let disk = match SmallDisk::mount("24m") {
        Ok(disk) => disk,
        Err(reason) => {
            println!("SKIPPED (the SQLite disk-full fault): {reason}");
            return;
        }
    };
    let db = disk.path().join("passbind.db");
    let request_timeout = 10;
    let s = TestServer::start_at(format!("sqlite://{}", db.display()), None, |c| c.request_timeout_seconds = request_timeout).await;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let mut acknowledged = 0;
    for n in 0..20 {
        let (status, _, _) = create_identity(&http, &s, &format!("before{n}")).await;
        assert_eq!(status, 200);
        acknowledged += 1;
    }

    // A link to open and bind while the disk is full (the group-commit writer's path).
    let (_, link) = s.identity_with_link("binder").await;
    acknowledged += 1;

    let filler = disk.path().join("filler");
    let filled = fill(&filler);
    // Writes until they are refused (the WAL reuses its space for a while).
    let mut answers = Vec::new();
    for n in 0..2000 {
        let answer = create_identity(&http, &s, &format!("full{n}")).await;
        if answer.0 == 200 {
            acknowledged += 1;
        }
        let refused = answer.0 != 200;
        answers.push(answer);
        if refused && answers.iter().filter(|a| a.0 != 200).count() >= 20 {
            break;
        }
    }
    let invoke = http.post(link.invoke_authenticator_url()).json(&json!({"token": link.token})).send().await.unwrap();
    let invoke_status = invoke.status().as_u16();
    let invoke_body: Value = invoke.json().await.unwrap();
    answers.push((invoke_status, invoke_body["code"].as_str().unwrap_or_default().to_owned(), Duration::ZERO));
    let odd: Vec<_> = answers.iter().filter(|a| !(a.0 == 200 || (a.0 == 503 && a.1 == "unavailable"))).collect();
    assert!(odd.is_empty(), "a full disk answers 503 unavailable: {:?}", &odd[..odd.len().min(5)]);
    let refused = answers.iter().filter(|a| a.0 == 503).count();
    assert!(refused > 0, "writes are refused once the disk is full");
    let slowest = answers.iter().map(|a| a.2).max().unwrap();
    assert!(slowest <= Duration::from_secs(request_timeout + 1), "no request outlasts the request timeout: {slowest:?}");
    let check_full = integrity(&db);
    assert_eq!(check_full, "ok", "the file is intact while the disk is full");

    // Space returns: writes succeed again, without a restart.
    std::fs::remove_file(&filler).unwrap();
    let back = Instant::now();
    let mut recovered = None;
    for n in 0..100 {
        let (status, code, _) = create_identity(&http, &s, &format!("after{n}")).await;
        if status == 200 {
            acknowledged += 1;
            recovered = Some(back.elapsed());
            break;
        }
        assert_eq!((status, code.as_str()), (503, "unavailable"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = recovered.expect("writes succeed again once space returns");
    // The link opened while the disk was full (or refused then) binds now.
    let invoked = s.invoke_ok(&link).await;
    let options = serde_json::to_value(&invoked.public_key).unwrap();
    let credential = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    let bound = s.bind(&link, &invoked.ceremony_id, &credential).await;
    assert_eq!(bound.status, 200, "{}", bound.body);
    assert_eq!(s.job(&link).await["state"], "COMPLETE");
    let check_after = integrity(&db);
    assert_eq!(check_after, "ok");
    // Nothing acknowledged is lost.
    let r = s.admin(reqwest::Method::GET, &format!("{}/identities?page_size=1", s.realm_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let stored: i64 = {
        let conn = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        conn.query_row("SELECT count(*) FROM identities", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(stored, acknowledged, "every acknowledged identity is stored, nothing else");
    println!(
        "fault: the SQLite file's disk (a 24 MiB tmpfs) filled up ({filled} bytes of filler)\n\
         answer: {} writes answered 200 (the WAL's space reused) then {refused} × 503 unavailable, slowest {slowest:.2?}; \
         PRAGMA integrity_check {check_full:?} while full and {check_after:?} after; once the filler was removed, \
         the next write succeeded after {recovered:.2?}; {stored} identities stored = {acknowledged} acknowledged; \
         :invokeAuthenticator while full answered {invoke_status}, and the link bound after recovery",
        answers.len() - refused,
    );
}
