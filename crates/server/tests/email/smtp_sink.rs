//! A minimal SMTP server: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; and
//! a service that delivers to it.

use crate::common::*;
use passbind_server::config::SmtpTls;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Behaviour {
    Accept,
    /// `550` to every RCPT TO (mailbox unavailable): a permanent refusal.
    RefuseRecipient,
    /// `421` right after the greeting: the service is going away.
    Busy,
}

#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) mail_from: String,
    pub(crate) rcpt_to: Vec<String>,
    pub(crate) data: String,
}

pub(crate) struct Sink {
    pub(crate) port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    pub(crate) fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

pub(crate) async fn smtp_sink(behaviour: Behaviour) -> Sink {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                if behaviour == Behaviour::Busy {
                    let _ = write.write_all(b"421 4.3.2 sink busy, try later\r\n").await;
                    return;
                }
                write.write_all(b"220 sink.test ESMTP test sink\r\n").await.unwrap();
                let (mut from, mut rcpt) = (String::new(), Vec::new());
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_owned();
                    let upper = cmd.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
                    } else if upper.starts_with("HELO") {
                        b"250 sink.test\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        from = address(&cmd[10..]);
                        rcpt.clear();
                        b"250 2.1.0 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        if behaviour == Behaviour::RefuseRecipient {
                            b"550 5.1.1 mailbox unavailable\r\n"
                        } else {
                            rcpt.push(address(&cmd[8..]));
                            b"250 2.1.5 OK\r\n"
                        }
                    } else if upper == "DATA" {
                        write.write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" || line == ".\n" {
                                break;
                            }
                            // Undo dot-stuffing.
                            data.push_str(line.strip_prefix('.').unwrap_or(&line));
                        }
                        store.lock().unwrap().push(Received { mail_from: from.clone(), rcpt_to: rcpt.clone(), data });
                        b"250 2.0.0 queued\r\n"
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 2.0.0 bye\r\n").await;
                        return;
                    } else if upper == "RSET" || upper == "NOOP" {
                        b"250 2.0.0 OK\r\n"
                    } else {
                        b"502 5.5.2 command not recognized\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    Sink { port, received }
}

/// `<a@b> SIZE=…` → `a@b`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg[start..].find('>').map_or(arg.len(), |i| start + i);
    arg[start..end].to_owned()
}

/// A port nothing listens on (bound, then released).
pub(crate) async fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

pub(crate) async fn server_with_smtp(port: u16) -> TestServer {
    TestServer::start_with(Db::Sqlite, |c| {
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = Some(port);
        c.smtp_tls = SmtpTls::None;
        c.smtp_timeout = 5;
        c.mail_from = Some("Acme Passkeys <passkeys@acme.test>".into());
    })
    .await
}
