//! The real `passbind-server` binary (the one cargo built for this test) as
//! a child process on one fixed loopback port, killed with SIGKILL and
//! started again on the same database.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// Lines of the server's log kept (its warnings and errors), shown when it does not start.
const LOG_TAIL: usize = 40;

pub struct Server {
    child: Option<Child>,
    port: u16,
    database_url: String,
    dir: PathBuf,
    log: Arc<Mutex<Vec<String>>>,
    /// Lines of every run's log that report a panic.
    pub panics: Arc<Mutex<Vec<String>>>,
}

/// A free port below the kernel's ephemeral range: the port stays free while
/// the server is down (an outgoing connection, of the clients or to
/// PostgreSQL, could otherwise take a port from that range as its own).
fn spare_port() -> u16 {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let low = range.split_whitespace().next().and_then(|p| p.parse::<u16>().ok()).unwrap_or(32768);
    let (from, to) = if low > 11_000 { (10_000, low) } else { (61_000, 65_000) };
    loop {
        let port = from + (u16::from_le_bytes(passbind_server::util::random_bytes::<2>()) % (to - from));
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

impl Server {
    /// Starts the binary on `database_url`; `dir` holds its www, SDK and outbox directories.
    pub async fn start(database_url: &str, dir: PathBuf) -> Server {
        let mut server = Server {
            child: None,
            port: spare_port(),
            database_url: database_url.to_owned(),
            dir,
            log: Arc::default(),
            panics: Arc::default(),
        };
        server.spawn().await;
        server
    }

    /// The public URL (what links and origins use).
    pub fn base(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// Starts the binary again (after a kill) and waits until it listens.
    pub async fn spawn(&mut self) {
        assert!(self.child.is_none(), "the server is still running");
        let mut child = Command::new(env!("CARGO_BIN_EXE_passbind-server"))
            .args(["--dev", "--listen", &format!("127.0.0.1:{}", self.port), "--database-url", &self.database_url])
            .arg("--www-dir")
            .arg(self.dir.join("www"))
            .arg("--sdk-dir")
            .arg(self.dir.join("www"))
            .arg("--outbox-dir")
            .arg(self.dir.join("outbox"))
            .args(["--webhook-poll-ms", "10", "--webhook-retry-base-ms", "50"])
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the passbind-server binary starts");
        let errors = BufReader::new(child.stderr.take().unwrap());
        let (log, panics) = (self.log.clone(), self.panics.clone());
        log.lock().unwrap().clear();
        std::thread::spawn(move || {
            for line in errors.lines().map_while(Result::ok) {
                if line.contains("panicked") {
                    panics.lock().unwrap().push(line.clone());
                }
                let mut log = log.lock().unwrap();
                if log.len() >= LOG_TAIL {
                    log.remove(0);
                }
                log.push(line);
            }
        });
        let lines = BufReader::new(child.stdout.take().unwrap());
        let (listening, started) = mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                if line.starts_with("passbind-server listening on ") {
                    let _ = listening.send(());
                }
            }
        });
        let up = tokio::task::spawn_blocking(move || started.recv_timeout(Duration::from_secs(60)).is_ok()).await.unwrap();
        if !up {
            let _ = child.kill();
            let _ = child.wait();
            std::thread::sleep(Duration::from_millis(200));
            panic!("passbind-server did not start on {}:\n{}", self.database_url, self.log.lock().unwrap().join("\n"));
        }
        self.child = Some(child);
    }

    /// SIGKILL, and waits until the process is gone.
    pub async fn kill(&mut self) {
        let mut child = self.child.take().expect("a running server");
        child.kill().expect("SIGKILL");
        let status = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().expect("the killed server is reaped");
        assert!(!status.success(), "the server was killed, not ended: {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
/// Prints past the test harness's capture (figures are printed, never asserted as timings).
pub fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}
