//! Reading the BLOB's bytes: from a file, or by GET from a URL with the
//! service's outbound client (`webhooks::https_connector`: rustls, ring,
//! webpki roots), bounded in time and size.

use super::BlobSource;
use axum::body::Bytes;
use axum::http::{header, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use passbind_webauthn::metadata::MAX_BLOB_BYTES;
use std::time::Duration;

/// The whole download (connect, TLS, headers, body) ends within this.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);
/// Redirects followed (each to an URL the source rules allow).
const MAX_REDIRECTS: usize = 3;

/// Reads BLOBs; holds the HTTP client (pooled) across refreshes.
pub(super) struct Fetcher {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
}

impl Fetcher {
    pub(super) fn new() -> Self {
        let client = Client::builder(TokioExecutor::new()).build(crate::webhooks::https_connector(FETCH_TIMEOUT));
        Fetcher { client }
    }

    /// The BLOB's text (a JWT), at most `MAX_BLOB_BYTES`.
    pub(super) async fn read(&self, source: &BlobSource) -> Result<String, String> {
        let bytes = match source {
            BlobSource::File(path) => read_file(path).await?,
            BlobSource::Url(url) => match tokio::time::timeout(FETCH_TIMEOUT, self.get(url.clone())).await {
                Ok(result) => result?,
                Err(_) => return Err(format!("no complete answer within {} s", FETCH_TIMEOUT.as_secs())),
            },
        };
        String::from_utf8(bytes).map_err(|_| "the BLOB is not UTF-8 text (a JWT)".to_owned())
    }

    async fn get(&self, mut url: url::Url) -> Result<Vec<u8>, String> {
        for _ in 0..=MAX_REDIRECTS {
            let uri: Uri = url.as_str().parse().map_err(|_| format!("{url} cannot be requested"))?;
            let request = Request::builder()
                .method(Method::GET)
                .uri(uri)
                .header(header::USER_AGENT, concat!("passbind-server/", env!("CARGO_PKG_VERSION")))
                .body(Empty::new())
                .map_err(|e| crate::webhooks::describe(&e))?;
            let response = self.client.request(request).await.map_err(|e| crate::webhooks::describe(&e))?;
            let status = response.status();
            if status.is_redirection() {
                let location =
                    response.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).ok_or("a redirect without Location")?;
                let next = url.join(location).map_err(|_| "a redirect to an invalid URL".to_owned())?;
                url = super::checked_url(next)?;
                continue;
            }
            if status != StatusCode::OK {
                return Err(format!("the server answered {status}"));
            }
            let too_large = || format!("the BLOB is larger than {MAX_BLOB_BYTES} bytes");
            let declared = response.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            if declared.is_some_and(|n| n > MAX_BLOB_BYTES as u64) {
                return Err(too_large());
            }
            // Limited stops reading past the limit, whatever the length header said.
            let body = Limited::new(response.into_body(), MAX_BLOB_BYTES).collect().await.map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    too_large()
                } else {
                    format!("reading the answer: {e}")
                }
            })?;
            return Ok(body.to_bytes().to_vec());
        }
        Err(format!("more than {MAX_REDIRECTS} redirects"))
    }
}

async fn read_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use tokio::io::AsyncReadExt;
    let file = tokio::fs::File::open(path).await.map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    // One byte more than allowed tells a too large file from one at the limit.
    file.take(MAX_BLOB_BYTES as u64 + 1).read_to_end(&mut bytes).await.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() > MAX_BLOB_BYTES {
        return Err(format!("{} is larger than {MAX_BLOB_BYTES} bytes", path.display()));
    }
    Ok(bytes)
}
