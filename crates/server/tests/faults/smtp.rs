//! SMTP faults: a server that drops the connection in the middle of DATA,
//! answers 4xx and later recovers, is slower than `--smtp-timeout` (at the
//! greeting, or answering every line just in time), or never answers the
//! end of DATA. Each time the job is FAILED_TO_SEND with a clear error,
//! nothing is half-written, and the next job's email is delivered.

use crate::common::*;
use passbind_server::config::SmtpTls;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What one SMTP connection does.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// A well-behaved server.
    Accept,
    /// Reads the first lines of the message after `354`, then closes the connection.
    DropMidData,
    /// `451` to MAIL FROM: try again later.
    TempFail,
    /// The greeting comes this late.
    SlowGreeting(Duration),
    /// Every reply comes this late (each within the timeout, all together past it).
    SlowLines(Duration),
    /// Takes the whole message and never answers its end.
    SilentAfterData,
}

/// An SMTP server on loopback whose connections take the scripted faults in turn, then `Accept`.
struct FaultySmtp {
    port: u16,
    script: Arc<Mutex<VecDeque<Fault>>>,
    /// Messages it accepted (answered 250 after the final dot).
    delivered: Arc<Mutex<Vec<String>>>,
}

impl FaultySmtp {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (script, delivered) = (Arc::new(Mutex::new(VecDeque::new())), Arc::new(Mutex::new(Vec::new())));
        let (s, d) = (script.clone(), delivered.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let fault = s.lock().unwrap().pop_front().unwrap_or(Fault::Accept);
                tokio::spawn(conversation(stream, fault, d.clone()));
            }
        });
        FaultySmtp { port, script, delivered }
    }

    fn next(&self, fault: Fault) {
        self.script.lock().unwrap().push_back(fault);
    }

    fn delivered(&self) -> Vec<String> {
        self.delivered.lock().unwrap().clone()
    }
}

async fn conversation(stream: tokio::net::TcpStream, fault: Fault, delivered: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let delay = match fault {
        Fault::SlowLines(d) => d,
        _ => Duration::ZERO,
    };
    if let Fault::SlowGreeting(d) = fault {
        tokio::time::sleep(d).await;
    }
    let reply = async |write: &mut tokio::net::tcp::OwnedWriteHalf, text: &[u8]| {
        tokio::time::sleep(delay).await;
        write.write_all(text).await.is_ok()
    };
    if !reply(&mut write, b"220 faulty.test ESMTP\r\n").await {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let upper = line.trim_end().to_ascii_uppercase();
        let answer: &[u8] = if upper.starts_with("EHLO") {
            b"250-faulty.test\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            if let Fault::TempFail = fault {
                b"451 4.3.0 mailbox busy, try again later\r\n"
            } else {
                b"250 2.1.0 OK\r\n"
            }
        } else if upper.starts_with("RCPT TO:") || upper == "RSET" || upper == "NOOP" {
            b"250 2.1.5 OK\r\n"
        } else if upper == "DATA" {
            if !reply(&mut write, b"354 go ahead\r\n").await {
                return;
            }
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
                if matches!(fault, Fault::DropMidData) && data.lines().count() >= 3 {
                    return; // the connection drops with the message half sent
                }
            }
            if let Fault::SilentAfterData = fault {
                std::future::pending::<()>().await;
            }
            delivered.lock().unwrap().push(data);
            b"250 2.0.0 queued\r\n"
        } else if upper == "QUIT" {
            let _ = reply(&mut write, b"221 bye\r\n").await;
            return;
        } else {
            b"502 5.5.2 not implemented\r\n"
        };
        if !reply(&mut write, answer).await {
            return;
        }
    }
}

async fn email_job(s: &TestServer, identity_id: &str) -> Resp {
    let job = json!({"job": {"delivery_method": "EMAIL", "authenticator_config_id": s.dev.authenticator_config_id}});
    s.admin(Method::POST, &format!("{}/identities/{identity_id}/credential-binding-jobs", s.realm_path()), Some(job)).await
}

async fn jobs_of(s: &TestServer, identity_id: &str) -> Vec<Value> {
    let r = s.admin(Method::GET, &format!("{}/identities/{identity_id}/credential-binding-jobs", s.realm_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["credential_binding_jobs"].as_array().unwrap().clone()
}

/// The job's state changes in the audit log, oldest first.
async fn changes_of(s: &TestServer, job_id: &str) -> Vec<String> {
    let r = s.admin(Method::GET, &format!("{}/events?job_id={job_id}", s.realm_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut states: Vec<String> =
        r.body["events"].as_array().unwrap().iter().map(|e| e["state_after"].as_str().unwrap().to_owned()).collect();
    states.reverse();
    states
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_faults_fail_the_job_cleanly_and_the_next_job_is_delivered() {
    let smtp = FaultySmtp::start().await;
    let timeout = 2;
    let s = TestServer::start_with(Db::Sqlite, |c| {
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = Some(smtp.port);
        c.smtp_tls = SmtpTls::None;
        c.smtp_timeout = timeout;
    })
    .await;
    let faults = [
        ("the connection drops in the middle of DATA", Fault::DropMidData),
        ("451 to MAIL FROM (then it recovers)", Fault::TempFail),
        ("the greeting comes 1 s after --smtp-timeout", Fault::SlowGreeting(Duration::from_secs(timeout + 1))),
        ("every line answered 0.5 s late (each within the timeout, the whole past it)", Fault::SlowLines(Duration::from_millis(500))),
        ("the end of DATA is never answered", Fault::SilentAfterData),
    ];
    for (n, (what, fault)) in faults.into_iter().enumerate() {
        let identity = s.create_identity(&format!("user{n}")).await;
        let identity_id = identity["id"].as_str().unwrap();
        let before = smtp.delivered().len();
        smtp.next(fault);
        let since = Instant::now();
        let r = email_job(&s, identity_id).await;
        let took = since.elapsed();
        let status = r.status;
        assert_eq!((status, r.code().as_str()), (503, "unavailable"), "{what}: {}", r.body);
        let error = r.error();
        let reason = error.details.iter().find(|d| d.field.is_none()).map(|d| d.description.clone()).unwrap_or_default();
        assert!(!reason.is_empty(), "{what}: the answer says why: {}", r.body);
        let jobs = jobs_of(&s, identity_id).await;
        assert_eq!(jobs.len(), 1, "{what}");
        assert_eq!(jobs[0]["state"], "FAILED_TO_SEND", "{what}");
        let job_id = jobs[0]["id"].as_str().unwrap();
        assert!(error.details.iter().any(|d| d.description.contains(job_id)), "{what}: the answer names the job: {}", r.body);
        // Nothing half-written: no message taken, and the job's log is created, then FAILED_TO_SEND.
        assert_eq!(smtp.delivered().len(), before, "{what}: the server accepted no message");
        assert_eq!(changes_of(&s, job_id).await, ["LINK_SENT", "FAILED_TO_SEND"], "{what}");

        // The next job (the server behaves again) is delivered.
        let r = email_job(&s, identity_id).await;
        assert_eq!(r.status, 200, "after {what}: {}", r.body);
        let next_id = r.body["credential_binding_job"]["id"].as_str().unwrap().to_owned();
        assert_eq!(r.body["credential_binding_job"]["state"], "LINK_SENT");
        let delivered = smtp.delivered();
        assert_eq!(delivered.len(), before + 1, "after {what}");
        assert!(delivered[before].contains(&next_id), "the delivered message is the next job's");
        println!(
            "fault: SMTP {what}\nanswer: {} {} in {took:.2?}: {:?} / {reason}; job FAILED_TO_SEND, no message accepted; \
             the next job LINK_SENT and delivered",
            status,
            error.code.as_str(),
            error.message
        );
    }
}
