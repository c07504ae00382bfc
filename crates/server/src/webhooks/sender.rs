//! The HTTP side of a delivery: one POST, bounded by a timeout.
//!
//! hyper-util's pooled client over hyper-rustls, with ring and the webpki
//! roots (the TLS stack lettre already brings): no second TLS provider, no
//! platform verifier. Redirects are not followed (a 3xx is a failed attempt,
//! as Standard Webhooks senders do).

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
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

/// The service's outbound HTTP(S) connector (webhooks, the metadata BLOB):
/// rustls with ring and the webpki roots, plain http allowed (callers decide
/// which URLs they accept), connecting within `connect_timeout`.
pub(crate) fn https_connector(connect_timeout: Duration) -> HttpsConnector<HttpConnector> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().wrap_connector(http)
}

/// One attempt's result: the receiver's status, or why there was none.
pub(super) type SendResult = Result<u16, String>;

impl Sender {
    /// A client whose every request (connect, TLS, answer) ends within `timeout`.
    pub(super) fn new(timeout: Duration) -> Self {
        let https = https_connector(timeout);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(super::dispatcher::PER_WEBHOOK)
            .build(https);
        Sender { client, timeout }
    }

    /// POSTs `body` (JSON) with `headers` to `url`. The answer's body is not
    /// read: only the status counts.
    pub(super) async fn post(&self, url: &str, headers: &[(&'static str, String)], body: Vec<u8>) -> SendResult {
        let uri: Uri = url.parse().map_err(|_| "the webhook's URL cannot be used".to_owned())?;
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
