//! The metadata BLOB loader (`--mds-blob`, `--mds-root`): from a file and
//! from a loopback URL, refreshed on a schedule, keeping the last good BLOB;
//! bad flags stop the start. BLOBs are signed in the test by a test root
//! (passbind_webauthn::metadata::testkit).

use passbind_server::metadata::{read_root, BlobSource, Loader, Refreshed, Settings};
use passbind_webauthn::metadata::testkit::{fido2_entry, payload, Alg, TestCa, TestSigner, LONG};
use std::path::{Path, PathBuf};
use std::time::Duration;

const AAGUID: &str = "11111111-2222-3333-4444-555555555555";
const AAGUID_BYTES: [u8; 16] = [0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55];

struct Pki {
    root: TestCa,
    signer: TestSigner,
}

fn pki() -> Pki {
    let root = TestCa::root("Test MDS Root", LONG);
    let signer = root.signer(Alg::Es256, LONG);
    Pki { root, signer }
}

impl Pki {
    /// A BLOB with serial number `no` naming the test model `name`.
    fn blob(&self, no: u64, name: &str) -> String {
        self.signer.sign(&payload(no, "2099-01-01", vec![fido2_entry(AAGUID, name, &[], &[("FIDO_CERTIFIED_L1", "2024-01-01")])]))
    }

    /// The root as a PEM file in `dir`.
    fn root_pem(&self, dir: &Path) -> PathBuf {
        let path = dir.join("root.pem");
        let b64 = passbind_webauthn::metadata::testkit::standard_base64(&self.root.der);
        let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
        std::fs::write(&path, format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))).unwrap();
        path
    }

    fn settings(&self, source: BlobSource, dir: &Path, refresh: Duration) -> Settings {
        Settings { source, root_der: read_root(&self.root_pem(dir)).unwrap(), refresh }
    }
}

fn name_in_use(loader: &Loader) -> (u64, String) {
    let blob = loader.source().current().expect("a BLOB is in use");
    (blob.no, blob.entry_for_aaguid(&AAGUID_BYTES).unwrap().description.clone())
}

#[tokio::test]
async fn a_blob_file_is_loaded_refreshed_and_kept_when_a_refresh_fails() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob.jwt");
    std::fs::write(&file, pki.blob(1, "First")).unwrap();
    let loader = Loader::load(pki.settings(BlobSource::File(file.clone()), dir.path(), Duration::from_secs(3600))).await.unwrap();
    assert_eq!(name_in_use(&loader), (1, "First".into()));

    // A newer BLOB replaces it; the same serial number changes nothing.
    std::fs::write(&file, pki.blob(2, "Second")).unwrap();
    assert_eq!(loader.refresh().await, Ok(Refreshed::Replaced { no: 2 }));
    assert_eq!(name_in_use(&loader), (2, "Second".into()));
    assert_eq!(loader.refresh().await, Ok(Refreshed::Unchanged));

    // Every failed refresh keeps the BLOB in use.
    let other = self::pki();
    let failures = [
        ("not a JWT".to_owned(), "metadata_malformed_jwt"),
        (other.blob(3, "Signed by another root"), "metadata_chain_invalid"),
        (pki.blob(1, "Replayed older BLOB"), "serial number 1 < 2"),
    ];
    for (content, expected) in failures {
        std::fs::write(&file, content).unwrap();
        let err = loader.refresh().await.unwrap_err();
        assert!(err.contains(expected), "{err}");
        assert_eq!(name_in_use(&loader), (2, "Second".into()));
    }
    std::fs::remove_file(&file).unwrap();
    assert!(loader.refresh().await.unwrap_err().contains("cannot read the metadata BLOB"));
    assert_eq!(name_in_use(&loader), (2, "Second".into()));

    // Larger than the limit: refused without being read whole.
    let huge = vec![b'a'; passbind_webauthn::metadata::MAX_BLOB_BYTES + 1];
    std::fs::write(&file, huge).unwrap();
    assert!(loader.refresh().await.unwrap_err().contains("is larger than"));
    assert_eq!(name_in_use(&loader).0, 2);
}

#[tokio::test]
async fn the_schedule_picks_up_a_new_blob() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob.jwt");
    std::fs::write(&file, pki.blob(1, "First")).unwrap();
    let loader = Loader::load(pki.settings(BlobSource::File(file.clone()), dir.path(), Duration::from_millis(50))).await.unwrap();
    let source = loader.source();
    let task = loader.spawn();
    std::fs::write(&file, "garbage: the refresher logs it and keeps going").unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(source.current().unwrap().no, 1);
    std::fs::write(&file, pki.blob(5, "Fifth")).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while source.current().unwrap().no != 5 {
        assert!(tokio::time::Instant::now() < deadline, "the refresher did not pick up the new BLOB");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    task.abort();
}

/// Serves `/blob` (the current BLOB), `/moved` (a redirect to it),
/// `/missing` (404), `/away` (a redirect to plain http elsewhere) and `/huge`
/// (more than the limit) on a loopback port.
async fn serve(blob: std::sync::Arc<std::sync::Mutex<String>>) -> String {
    use axum::response::{IntoResponse, Redirect};
    use axum::routing::get;
    let app = axum::Router::new()
        .route("/blob", get(move || async move { blob.lock().unwrap().clone() }))
        .route("/moved", get(|| async { Redirect::temporary("/blob") }))
        .route("/missing", get(|| async { axum::http::StatusCode::NOT_FOUND.into_response() }))
        .route("/away", get(|| async { Redirect::temporary("http://example.com/blob") }))
        .route("/huge", get(|| async { vec![b'a'; passbind_webauthn::metadata::MAX_BLOB_BYTES + 1] }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_blob_is_fetched_from_a_loopback_url() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let current = std::sync::Arc::new(std::sync::Mutex::new(pki.blob(1, "Served")));
    let base = serve(current.clone()).await;
    let settings = |path: &str| pki.settings(BlobSource::parse(&format!("{base}{path}")).unwrap(), dir.path(), Duration::from_secs(3600));

    let loader = Loader::load(settings("/blob")).await.unwrap();
    assert_eq!(name_in_use(&loader), (1, "Served".into()));
    *current.lock().unwrap() = pki.blob(2, "Served again");
    assert_eq!(loader.refresh().await, Ok(Refreshed::Replaced { no: 2 }));

    let moved = Loader::load(settings("/moved")).await.unwrap();
    assert_eq!(name_in_use(&moved), (2, "Served again".into()));
    let err = Loader::load(settings("/missing")).await.err().unwrap();
    assert!(err.contains("404"), "{err}");
    let err = Loader::load(settings("/away")).await.err().unwrap();
    assert!(err.contains("https"), "{err}");
    let err = Loader::load(settings("/huge")).await.err().unwrap();
    assert!(err.contains("larger than"), "{err}");
}

#[tokio::test]
async fn an_answer_without_a_length_is_cut_at_the_limit() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A raw HTTP/1.1 server: no Content-Length, the body runs until the connection closes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request).await;
        stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n").await.unwrap();
        let chunk = vec![b'a'; 1 << 20];
        // Far more than the limit; the reader stops early and the writes then fail.
        for _ in 0..64 {
            if stream.write_all(&chunk).await.is_err() {
                break;
            }
        }
    });
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let source = BlobSource::parse(&format!("http://{addr}/endless")).unwrap();
    let err = Loader::load(pki.settings(source, dir.path(), Duration::from_secs(3600))).await.err().unwrap();
    assert!(err.contains("larger than"), "{err}");
}

#[test]
fn blob_sources_and_roots() {
    assert_eq!(BlobSource::parse("data/blob.jwt"), Ok(BlobSource::File("data/blob.jwt".into())));
    assert!(matches!(BlobSource::parse("https://mds3.fidoalliance.org/"), Ok(BlobSource::Url(_))));
    assert!(matches!(BlobSource::parse("http://127.0.0.1:8080/blob"), Ok(BlobSource::Url(_))));
    assert!(matches!(BlobSource::parse("http://localhost/blob"), Ok(BlobSource::Url(_))));
    for bad in ["http://mds3.fidoalliance.org/", "https://user:secret@mds3.fidoalliance.org/", "https://", ""] {
        assert!(BlobSource::parse(bad).is_err(), "{bad}");
    }
    assert!(
        BlobSource::parse("ftp://example.com/blob").is_ok_and(|s| matches!(s, BlobSource::File(_))),
        "not a URL scheme we read: a path"
    );

    // The real roots kept for operators (crates/server/metadata/SOURCE.md) read as certificates.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("metadata");
    for file in ["globalsign-root-r3.pem", "globalsign-root-r46.pem"] {
        let der = read_root(&dir.join(file)).unwrap();
        assert_eq!(der[0], 0x30, "{file}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let der_file = tmp.path().join("root.der");
    let root = TestCa::root("Test MDS Root", LONG);
    std::fs::write(&der_file, &root.der).unwrap();
    assert_eq!(read_root(&der_file).unwrap(), root.der);
    std::fs::write(&der_file, "not a certificate").unwrap();
    assert!(read_root(&der_file).unwrap_err().contains("not an X.509 certificate"));
    assert!(read_root(&tmp.path().join("missing.pem")).unwrap_err().contains("cannot read --mds-root"));
}

/// Runs the binary to its exit (or kills it after a minute): (success, stderr).
fn run_binary(dir: &Path, args: &[&str]) -> (bool, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_passbind-server"))
        .args(["--listen", "localhost:0", "--database-url"])
        .arg(format!("sqlite://{}", dir.join("passbind.db").display()))
        .args(args)
        .env_remove("PASSBIND_MDS_BLOB")
        .env_remove("PASSBIND_MDS_ROOT")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not stop on bad metadata flags");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn bad_metadata_flags_stop_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    let root = pki.root_pem(dir.path());
    let root = root.to_str().unwrap();
    let blob = dir.path().join("blob.jwt");
    std::fs::write(&blob, pki.blob(1, "First")).unwrap();
    let blob = blob.to_str().unwrap();

    let (ok, err) = run_binary(dir.path(), &["--mds-blob", blob]);
    assert!(!ok && err.contains("--mds-root"), "{err}");
    let (ok, err) = run_binary(dir.path(), &["--mds-root", root]);
    assert!(!ok && err.contains("--mds-blob"), "{err}");
    let (ok, err) = run_binary(dir.path(), &["--mds-blob", "missing.jwt", "--mds-root", root]);
    assert!(!ok && err.contains("cannot read the metadata BLOB from missing.jwt"), "{err}");
    let (ok, err) = run_binary(dir.path(), &["--mds-blob", "http://example.com/blob", "--mds-root", root]);
    assert!(!ok && err.contains("https"), "{err}");
    let wrong_root = dir.path().join("wrong-root.der");
    std::fs::write(&wrong_root, &TestCa::root("Test MDS Root", LONG).der).unwrap();
    let (ok, err) = run_binary(dir.path(), &["--mds-blob", blob, "--mds-root", wrong_root.to_str().unwrap()]);
    assert!(!ok && err.contains("metadata_chain_invalid"), "{err}");
}

#[tokio::test]
async fn a_server_started_with_a_blob_has_it_in_its_state() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let blob = dir.path().join("blob.jwt");
    std::fs::write(&blob, pki.blob(3, "Third")).unwrap();
    let mut config = passbind_server::Config::for_tests(format!("sqlite://{}", dir.path().join("passbind.db").display()));
    config.mds_blob = Some(blob.to_str().unwrap().to_owned());
    config.mds_root = Some(pki.root_pem(dir.path()));
    let server = passbind_server::start(config.clone()).await.unwrap();
    let in_use = server.state.metadata.current().unwrap();
    assert_eq!((in_use.no, in_use.entry_for_aaguid(&AAGUID_BYTES).unwrap().description.as_str()), (3, "Third"));
    server.task.abort();

    // Without the flags: no BLOB.
    let plain = passbind_server::start(passbind_server::Config::for_tests(config.database_url.clone())).await.unwrap();
    assert!(plain.state.metadata.current().is_none());
    plain.task.abort();
    // Only one of the two: no start (the library checks too, not only the CLI).
    config.mds_root = None;
    assert!(passbind_server::start(config).await.err().unwrap().contains("--mds-blob needs --mds-root"));
}
