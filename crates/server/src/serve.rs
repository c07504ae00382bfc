//! Serving HTTP/1.1 connections within bounds (issue 13, part 6).
//!
//! `axum::serve` gives hyper no timer, so hyper's header-read timeout never
//! runs there: a client that trickles header bytes holds its connection (and
//! its file descriptor) for ever, and 1,000 of them starve everyone else.
//! This accept loop is `axum::serve`'s, with hyper's own knobs set:
//!
//! - **Header-read timeout** (`--header-timeout-seconds`): a request's head
//!   (start line and headers) must arrive in full within it, or hyper closes
//!   the connection. hyper starts the same timer when a keep-alive connection
//!   waits for its next request, so it is also the **idle keep-alive timeout**.
//! - **Header size**: at most `MAX_HEADER_BYTES` and hyper's 100 headers (431 beyond).
//! - **Connections** (`--max-connections`): at the limit no further connection
//!   is accepted until one closes (the kernel's backlog holds the rest).
//!
//! The body limit (`app::MAX_BODY_BYTES`) and the request timeout
//! (`--request-timeout-seconds`) are layers of the router (`app.rs`).

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// A request's start line and headers together, at most (431 beyond).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The connection-level bounds (`--header-timeout-seconds`, `--max-connections`).
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// The head of each request, and the wait for the next one on an idle keep-alive connection.
    pub header_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
}

/// Accepts connections on `listener` and serves `app` on each, with
/// `ConnectInfo<SocketAddr>` in every request (as `axum::serve` with
/// `into_make_service_with_connect_info` does). Runs until the task is dropped.
pub async fn serve(listener: TcpListener, app: Router, limits: ConnectionLimits) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).max_header_size(MAX_HEADER_BYTES).keep_alive(true);
    let http = Arc::new(http);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        // Taken before accepting: at the limit, connections wait in the backlog.
        let Ok(slot) = slots.clone().acquire_owned().await else { return Ok(()) };
        let (stream, remote) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                accept_error(e).await;
                continue;
            }
        };
        let service = app.clone().map_request(move |mut req: axum::http::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            req.map(axum::body::Body::new)
        });
        let http = http.clone();
        tokio::spawn(async move {
            let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)).with_upgrades();
            if let Err(e) = connection.await {
                tracing::debug!(%remote, error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
}

/// As `axum::serve`: a client's reset is nothing; anything else (e.g. out of
/// file descriptors) is logged and accepting pauses a second.
async fn accept_error(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset) {
        return;
    }
    tracing::error!(error = %e, "accept error");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
