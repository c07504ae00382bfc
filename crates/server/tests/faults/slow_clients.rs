//! Resource bounds: slow clients are cut off by the header-read timeout and
//! do not keep a normal client from binding; an idle keep-alive connection is
//! closed; a request whose body trickles is answered 503 at the request
//! timeout; at the connection limit the next client waits for a free slot.

use crate::common::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SLOW_CLIENTS: usize = 1000;

/// How a slow client's connection ended: after how long, and whether the
/// server closed it (EOF or reset) rather than our own guard giving up.
struct Ended {
    after: Duration,
    closed_by_server: bool,
    bytes_sent: usize,
}

/// Connects and sends a request head one byte every `every`, never finishing it,
/// until the server closes the connection (or `guard` passes).
async fn slow_client(addr: std::net::SocketAddr, every: Duration, guard: Duration) -> Ended {
    let start = Instant::now();
    let mut stream = loop {
        match TcpStream::connect(addr).await {
            Ok(s) => break s,
            // A full accept backlog at the first moment: try again.
            Err(_) if start.elapsed() < guard => tokio::time::sleep(Duration::from_millis(50)).await,
            Err(e) => panic!("cannot connect: {e}"),
        }
    };
    let head = b"GET /openapi.json HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".iter().chain(std::iter::repeat(&b'a'));
    let mut bytes_sent = 0;
    let mut buf = [0u8; 256];
    for byte in head {
        tokio::select! {
            read = stream.read(&mut buf) => {
                // The server never answers an unfinished head: any read ends it (EOF or reset).
                let closed = matches!(read, Ok(0) | Err(_));
                return Ended { after: start.elapsed(), closed_by_server: closed, bytes_sent };
            }
            _ = tokio::time::sleep(every) => {
                if start.elapsed() > guard {
                    return Ended { after: start.elapsed(), closed_by_server: false, bytes_sent };
                }
                if stream.write_all(&[*byte]).await.is_err() {
                    return Ended { after: start.elapsed(), closed_by_server: true, bytes_sent };
                }
                bytes_sent += 1;
            }
        }
    }
    unreachable!("the head never ends")
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() - 1) * p / 100]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_slow_clients_do_not_stop_a_normal_client_from_binding() {
    let header_timeout = 5;
    let s = TestServer::start_with(Db::Sqlite, |c| c.header_timeout_seconds = header_timeout).await;
    let addr = s.server.local_addr;
    let guard = Duration::from_secs(header_timeout + 30);
    let started = Instant::now();
    let slow: Vec<_> = (0..SLOW_CLIENTS).map(|_| tokio::spawn(slow_client(addr, Duration::from_millis(250), guard))).collect();
    // Let them all connect and start trickling.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The normal client: an identity, a RETURN job, the link opened and a credential bound.
    let normal = Instant::now();
    let flow = async {
        let (identity, link) = s.identity_with_link("steady").await;
        let invoke = s.invoke_ok(&link).await;
        let options = serde_json::to_value(&invoke.public_key).unwrap();
        let credential = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
        let r = s.bind(&link, &invoke.ceremony_id, &credential).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(s.job(&link).await["state"], "COMPLETE");
        assert_eq!(s.credentials(identity["id"].as_str().unwrap()).await.len(), 1);
    };
    // A hang guard, not a timing assertion: without the header timeout the flow still completes, slowly or never.
    tokio::time::timeout(Duration::from_secs(60), flow).await.expect("the normal client finishes");
    let took = normal.elapsed();
    let at = started.elapsed();

    let mut ended = Vec::with_capacity(SLOW_CLIENTS);
    for task in slow {
        ended.push(task.await.unwrap());
    }
    let still_open_when_bound = ended.iter().filter(|e| e.after > at).count();
    let not_closed = ended.iter().filter(|e| !e.closed_by_server).count();
    assert_eq!(not_closed, 0, "every slow client is closed by the server");
    assert!(ended.iter().all(|e| e.bytes_sent > 0), "every slow client was trickling when it was closed");
    let mut times: Vec<_> = ended.iter().map(|e| e.after).collect();
    times.sort();
    println!(
        "fault: {SLOW_CLIENTS} clients trickling a request head (1 byte / 250 ms), header timeout {header_timeout} s\n\
         answer: the normal client created an identity and a job and bound in {took:.2?}, \
         with {still_open_when_bound} slow connections still open; every slow client closed by the server \
         after {:.2?} (min) / {:.2?} (median) / {:.2?} (max), having sent {}..{} bytes",
        times[0],
        percentile(&times, 50),
        times[times.len() - 1],
        ended.iter().map(|e| e.bytes_sent).min().unwrap(),
        ended.iter().map(|e| e.bytes_sent).max().unwrap(),
    );
}

/// Sends one whole request on `stream` and reads its answer's head (the status line).
async fn request(stream: &mut TcpStream, head: &str) -> String {
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let n = stream.read(&mut buf).await.unwrap();
    String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_slow_bodies_and_big_heads_are_bounded() {
    let s = TestServer::start_with(Db::Sqlite, |c| {
        c.header_timeout_seconds = 2;
        c.request_timeout_seconds = 2;
    })
    .await;
    let addr = s.server.local_addr;

    // Idle keep-alive: answered, then closed after the header timeout.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let status = request(&mut idle, "GET /openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let since = Instant::now();
    let mut rest = Vec::new();
    let end = tokio::time::timeout(Duration::from_secs(20), idle.read_to_end(&mut rest)).await.expect("the idle connection is closed");
    assert!(end.is_ok() || matches!(end, Err(ref e) if e.kind() == std::io::ErrorKind::ConnectionReset), "{end:?}");
    println!("fault: a keep-alive connection left idle after its answer\nanswer: closed by the server after {:.2?}", since.elapsed());

    // A body that trickles: 503 `unavailable` at the request timeout.
    let mut slow_body = TcpStream::connect(addr).await.unwrap();
    let path = format!("{}/identities", s.realm_path());
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
        s.dev.api_token
    );
    slow_body.write_all(head.as_bytes()).await.unwrap();
    let since = Instant::now();
    let (mut reader, mut writer) = slow_body.split();
    let trickle = async {
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if writer.write_all(b" ").await.is_err() {
                break;
            }
        }
    };
    let mut answer = vec![0u8; 4096];
    let n = tokio::select! {
        n = tokio::time::timeout(Duration::from_secs(20), reader.read(&mut answer)) => n.expect("an answer").unwrap(),
        _ = trickle => 0,
    };
    let text = String::from_utf8_lossy(&answer[..n]).into_owned();
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("\"code\":\"unavailable\""), "{text}");
    println!("fault: a request body trickling 1 byte / 300 ms, request timeout 2 s\nanswer: 503 unavailable after {:.2?}", since.elapsed());
    drop(slow_body);

    // A head over the limit: 431.
    let mut big = TcpStream::connect(addr).await.unwrap();
    let huge = "a".repeat(passbind_server::serve::MAX_HEADER_BYTES);
    let status = request(&mut big, &format!("GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {huge}\r\n\r\n")).await;
    assert!(status.starts_with("HTTP/1.1 431"), "{status}");
    println!("fault: a request head over {} bytes\nanswer: {status}", passbind_server::serve::MAX_HEADER_BYTES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_limit_the_next_client_waits_for_a_free_slot() {
    let limit = 20;
    let s = TestServer::start_with(Db::Sqlite, |c| c.max_connections = limit).await;
    let addr = s.server.local_addr;
    let mut held = Vec::new();
    for _ in 0..limit {
        let mut c = TcpStream::connect(addr).await.unwrap();
        assert!(request(&mut c, "GET /openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n").await.starts_with("HTTP/1.1 200"));
        held.push(c);
    }
    // One more: connected (the kernel's backlog) but not served while every slot is taken.
    let mut next = TcpStream::connect(addr).await.unwrap();
    next.write_all(b"GET /openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 1024];
    let waiting = tokio::time::timeout(Duration::from_millis(1500), next.read(&mut buf)).await;
    assert!(waiting.is_err(), "no answer while {limit} connections are open");
    // One closes: the waiting client is served.
    held.pop();
    let n = tokio::time::timeout(Duration::from_secs(10), next.read(&mut buf)).await.expect("served once a slot is free").unwrap();
    let status = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    println!("fault: {} clients against --max-connections {limit}\nanswer: the last waited in the backlog, then {status}", limit + 1);
}
