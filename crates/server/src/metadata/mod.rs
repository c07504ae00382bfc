//! The FIDO Metadata Service BLOB the service trusts attestation with
//! (issue 12, part 2): read from a file or an URL (`--mds-blob`), verified
//! against the operator's root (`--mds-root`) by passbind-webauthn's
//! [`MetadataBlob::verify`], and refreshed on a schedule
//! (`--mds-refresh-hours`, and at the BLOB's `nextUpdate`).
//!
//! - Start-up with the flags loads the BLOB once; if that fails the service
//!   does not start (an operator who asked for metadata must not get a
//!   service that silently trusts nothing).
//! - A refresh that fails (unreachable, bad signature, older serial number)
//!   keeps the last good BLOB and is logged; the next attempt comes after
//!   the refresh interval or an hour, whichever is sooner.
//! - Handlers read [`MetadataSource::current`]: one `Arc` clone under a read
//!   lock, never waiting on a refresh (the new BLOB is verified first, then
//!   swapped in).

mod fetch;

use crate::config::Config;
use fetch::Fetcher;
use passbind_webauthn::metadata::MetadataBlob;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The metadata BLOB in use, if any; shared by the handlers and the refresher.
#[derive(Default)]
pub struct MetadataSource {
    current: RwLock<Option<Arc<MetadataBlob>>>,
}

impl MetadataSource {
    /// No BLOB (the service runs without `--mds-blob`).
    pub fn empty() -> Arc<Self> {
        Arc::new(MetadataSource::default())
    }

    /// The BLOB in use now.
    pub fn current(&self) -> Option<Arc<MetadataBlob>> {
        // A poisoned lock still holds a verified BLOB: a panic elsewhere is no reason to drop it.
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, blob: Arc<MetadataBlob>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(blob);
    }
}

/// Where the BLOB comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlobSource {
    /// A file (the operator downloads the BLOB).
    File(PathBuf),
    /// An https URL (http only to a loopback address: tests, a local mirror).
    Url(url::Url),
}

impl BlobSource {
    /// `--mds-blob`: an `http(s)://` URL, else a file path.
    pub fn parse(text: &str) -> Result<Self, String> {
        let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            let url = url::Url::parse(text).map_err(|e| format!("--mds-blob {text:?} is not a URL: {e}"))?;
            return checked_url(url).map(BlobSource::Url).map_err(|e| format!("--mds-blob: {e}"));
        }
        if text.is_empty() {
            return Err("--mds-blob is empty".into());
        }
        Ok(BlobSource::File(PathBuf::from(text)))
    }
}

impl std::fmt::Display for BlobSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobSource::File(path) => write!(f, "{}", path.display()),
            // Without query or credentials: they could hold an access token.
            BlobSource::Url(url) => {
                let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                write!(f, "{}://{}{port}{}", url.scheme(), url.host_str().unwrap_or(""), url.path())
            }
        }
    }
}

/// An URL the BLOB may be fetched from (also every redirect's target):
/// https, or http to a loopback address, without credentials.
pub(crate) fn checked_url(url: url::Url) -> Result<url::Url, String> {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => return Err("the URL has no host".into()),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err("the BLOB is fetched over https (http only from a loopback address)".into()),
        other => return Err(format!("the URL's scheme {other:?} is not https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not carry credentials".into());
    }
    Ok(url)
}

/// Reads the operator's root certificate: PEM (the first CERTIFICATE
/// block) or DER. It must be an X.509 certificate.
pub fn read_root(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read --mds-root {}: {e}", path.display()))?;
    let der = match std::str::from_utf8(&bytes).ok().and_then(|t| t.find("-----BEGIN CERTIFICATE-----").map(|i| &t[i..])) {
        Some(pem) => {
            let body = pem["-----BEGIN CERTIFICATE-----".len()..].split("-----END CERTIFICATE-----").next().unwrap_or("");
            let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| format!("--mds-root {}: the PEM certificate is not base64", path.display()))?
        }
        None => bytes,
    };
    passbind_webauthn::chain::parse_certificate(&der)
        .map_err(|_| format!("--mds-root {}: not an X.509 certificate (PEM or DER)", path.display()))?;
    Ok(der)
}

/// What the loader needs: `--mds-blob`, `--mds-root` (read), the interval.
#[derive(Clone, Debug)]
pub struct Settings {
    pub source: BlobSource,
    /// The root certificate (DER).
    pub root_der: Vec<u8>,
    /// Time between refreshes (`--mds-refresh-hours`).
    pub refresh: Duration,
}

impl Settings {
    /// From the flags: None without `--mds-blob` and `--mds-root`; an error
    /// when only one is given or either cannot be used.
    pub fn from_config(config: &Config) -> Result<Option<Settings>, String> {
        let (blob, root) = match (&config.mds_blob, &config.mds_root) {
            (None, None) => return Ok(None),
            (Some(blob), Some(root)) => (blob, root),
            (Some(_), None) => return Err("--mds-blob needs --mds-root (the root certificate the BLOB is verified with)".into()),
            (None, Some(_)) => return Err("--mds-root needs --mds-blob (the metadata BLOB's file or URL)".into()),
        };
        let refresh = Duration::from_secs(u64::from(config.mds_refresh_hours) * 3600);
        Ok(Some(Settings { source: BlobSource::parse(blob)?, root_der: read_root(root)?, refresh }))
    }
}

fn now_unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Loads and refreshes the BLOB of one source.
pub struct Loader {
    settings: Settings,
    source: Arc<MetadataSource>,
    fetcher: Fetcher,
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refreshed {
    /// A BLOB with a larger serial number replaced the one in use.
    Replaced { no: u64 },
    /// The BLOB read has the serial number of the one in use: nothing changed.
    Unchanged,
}

impl Loader {
    /// Reads and verifies the BLOB once; an error when it cannot be used.
    pub async fn load(settings: Settings) -> Result<Loader, String> {
        let loader = Loader { settings, source: MetadataSource::empty(), fetcher: Fetcher::new() };
        let blob = loader.read_verified().await?;
        log_loaded(&blob, &loader.settings.source);
        loader.source.set(Arc::new(blob));
        Ok(loader)
    }

    /// The BLOB in use (shared with the state).
    pub fn source(&self) -> Arc<MetadataSource> {
        self.source.clone()
    }

    async fn read_verified(&self) -> Result<MetadataBlob, String> {
        let what = &self.settings.source;
        let jwt = self.fetcher.read(what).await.map_err(|e| format!("cannot read the metadata BLOB from {what}: {e}"))?;
        MetadataBlob::verify(&jwt, &self.settings.root_der, now_unix_seconds())
            .map_err(|e| format!("the metadata BLOB from {what} is refused ({}): {e}", e.code()))
    }

    /// One refresh: a newer BLOB replaces the one in use; on any error the
    /// one in use stays.
    pub async fn refresh(&self) -> Result<Refreshed, String> {
        let blob = self.read_verified().await?;
        let in_use = self.source.current().map_or(0, |b| b.no);
        if blob.no < in_use {
            // MDS 3.0 §3.1.7: a BLOB whose serial number is not above the last one's is ignored; a
            // smaller one may be an old BLOB replayed to hide a newer revocation.
            return Err(format!(
                "the metadata BLOB from {} has serial number {} < {in_use} in use: kept the one in use",
                self.settings.source, blob.no
            ));
        }
        if blob.no == in_use {
            return Ok(Refreshed::Unchanged);
        }
        let no = blob.no;
        log_loaded(&blob, &self.settings.source);
        self.source.set(Arc::new(blob));
        Ok(Refreshed::Replaced { no })
    }

    /// How long until the next refresh: the interval, or sooner when the
    /// BLOB in use says a new one is due (`nextUpdate`), or after a failure.
    fn next_wait(&self, failed: bool) -> Duration {
        let mut wait = self.settings.refresh;
        if failed {
            wait = wait.min(Duration::from_secs(3600));
        }
        if let Some(blob) = self.source.current() {
            let due = u64::try_from(blob.next_update_unix_seconds()).unwrap_or(0);
            let now = now_unix_seconds();
            if due > now {
                wait = wait.min(Duration::from_secs(due - now));
            }
        }
        wait
    }

    /// Refreshes on the schedule, for the life of the process.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut failed = false;
            loop {
                tokio::time::sleep(self.next_wait(failed)).await;
                match self.refresh().await {
                    Ok(Refreshed::Replaced { .. }) => failed = false,
                    Ok(Refreshed::Unchanged) => {
                        failed = false;
                        tracing::debug!(source = %self.settings.source, "metadata BLOB unchanged");
                    }
                    Err(e) => {
                        failed = true;
                        tracing::warn!("metadata refresh failed, the BLOB in use stays: {e}");
                    }
                }
            }
        })
    }
}

fn log_loaded(blob: &MetadataBlob, source: &BlobSource) {
    tracing::info!(
        %source, no = blob.no, next_update = %blob.next_update, entries = blob.entries.len(), skipped = blob.skipped.len(),
        "metadata BLOB loaded"
    );
    if let Some(first) = blob.skipped.first() {
        tracing::warn!(
            count = blob.skipped.len(),
            first_index = first.index,
            first_reason = first.reason,
            "metadata BLOB entries left out"
        );
    }
    if blob.is_stale(now_unix_seconds()) {
        tracing::warn!(next_update = %blob.next_update, "the metadata BLOB's nextUpdate has passed: a newer BLOB should be published");
    }
}

/// At start-up: the BLOB of the flags, loaded (or the error that stops the
/// start), its refresher spawned; an empty source without the flags.
pub async fn from_config(config: &Config) -> Result<Arc<MetadataSource>, String> {
    let Some(settings) = Settings::from_config(config)? else {
        return Ok(MetadataSource::empty());
    };
    let loader = Loader::load(settings).await?;
    let source = loader.source();
    loader.spawn();
    Ok(source)
}
