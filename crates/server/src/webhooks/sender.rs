//! The HTTP side of a delivery: one POST, bounded by a timeout.
//!
//! hyper-util's pooled client over hyper-rustls, with ring and the webpki
//! roots (the TLS stack lettre already brings): no second TLS provider, no
//! platform verifier. Redirects are not followed (a 3xx is a failed attempt,
//! as Standard Webhooks senders do). Connections go to public addresses
//! only, unless allowed otherwise (`guard.rs`).

use super::guard::{self, Resolver};
use axum::body::Bytes;
use axum::http::{header, Method, Request, Uri};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;

/// Errors kept on a delivery are cut to this many characters.
const MAX_ERROR_CHARS: usize = 300;

pub(super) struct Sender {
    client: Client<HttpsConnector<HttpConnector<Resolver>>, Full<Bytes>>,
    timeout: Duration,
    private_networks: bool,
}

/// The service's outbound HTTP(S) connector (webhooks, the metadata BLOB):
/// rustls with ring and the webpki roots, plain http allowed (callers decide
/// which URLs they accept), connecting within `connect_timeout`.
pub(crate) fn https_connector(connect_timeout: Duration) -> HttpsConnector<HttpConnector> {
    tls_over(HttpConnector::new(), connect_timeout)
}

/// rustls (ring, webpki roots) over `http`, plain http allowed.
fn tls_over<R>(mut http: HttpConnector<R>, connect_timeout: Duration) -> HttpsConnector<HttpConnector<R>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().wrap_connector(http)
}

/// One attempt's result: the receiver's status, or why there was none.
pub(super) type SendResult = Result<u16, String>;

impl Sender {
    /// A client whose every request (connect, TLS, answer) ends within
    /// `timeout`, to public addresses only unless `private_networks`.
    pub(super) fn new(timeout: Duration, private_networks: bool) -> Self {
        let https = tls_over(HttpConnector::new_with_resolver(Resolver { private_networks }), timeout);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(super::dispatcher::PER_WEBHOOK)
            .build(https);
        Sender { client, timeout, private_networks }
    }

    /// POSTs `body` (JSON) with `headers` to `url`. The answer's body is not
    /// read: only the status counts.
    pub(super) async fn post(&self, url: &str, headers: &[(&'static str, String)], body: Vec<u8>) -> SendResult {
        let uri: Uri = url.parse().map_err(|_| "the webhook's URL cannot be used".to_owned())?;
        // hyper connects to an IP literal without asking the resolver.
        let literal = uri.host().and_then(|h| h.trim_start_matches('[').trim_end_matches(']').parse().ok());
        if !self.private_networks && literal.is_some_and(|ip| !guard::is_public(ip)) {
            return Err(guard::REFUSED.to_owned());
        }
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, concat!("passbind-webhooks/", env!("CARGO_PKG_VERSION")));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let request = request.body(Full::new(Bytes::from(body))).map_err(|e| describe(&e))?;
        match tokio::time::timeout(self.timeout, self.client.request(request)).await {
            Ok(Ok(response)) => Ok(response.status().as_u16()),
            Ok(Err(e)) => Err(describe(&e)),
            Err(_) => Err(format!("no answer within {} s", self.timeout.as_secs_f32())),
        }
    }
}

/// An error and its causes, as one line (hyper's own Display is only the
/// outermost: "client error (Connect)"). None of them names the URL.
pub(crate) fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(MAX_ERROR_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::{guard, Sender};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A receiver on 127.0.0.1 that answers every request 204.
    async fn receiver() -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let _ = socket.write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n").await;
                });
            }
        });
        port
    }

    #[tokio::test]
    async fn deliveries_reach_loopback_only_when_private_networks_are_allowed() {
        let port = receiver().await;
        let public_only = Sender::new(Duration::from_secs(5), false);
        for host in ["127.0.0.1", "[::ffff:127.0.0.1]", "localhost"] {
            let refused = public_only.post(&format!("http://{host}:{port}/hook"), &[], b"{}".to_vec()).await;
            let error = refused.expect_err(host);
            assert!(error.contains(guard::REFUSED), "{host}: {error}");
        }
        let private = Sender::new(Duration::from_secs(5), true);
        for host in ["127.0.0.1", "localhost"] {
            assert_eq!(private.post(&format!("http://{host}:{port}/hook"), &[], b"{}".to_vec()).await, Ok(204), "{host}");
        }
    }
}
