//! Startup and router assembly. The state is passed explicitly: no globals.

use crate::ceremony::CeremonyKey;
use crate::config::Config;
use crate::error::{json_errors, not_found_fallback};
use crate::mail::{self, DynMailer};
use crate::routes;
use crate::store::{self, ApiToken, AuthenticatorConfig, DevBootstrap, DynStore, Realm, Tenant};
use crate::util::{hash_secret, new_id, new_secret, new_uuid, now_micros, random_bytes, SECOND};
use axum::routing::any;
use axum::Router;
use lettre::message::Mailbox;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub store: DynStore,
    /// Base of links, no trailing `/` (may carry a path prefix that a proxy strips).
    pub public_url: String,
    /// `scheme://host[:port]` of `public_url`: the hosted page's origin.
    pub public_origin: String,
    /// Host of `public_url`: the RP ID of hosted_web passkeys.
    pub public_host: String,
    /// The dev fixtures, with --dev only.
    pub dev: Option<Arc<DevBootstrap>>,
    /// Delivers EMAIL jobs' enrollment emails (SMTP, or the dev outbox).
    pub mailer: DynMailer,
    /// The sender of enrollment emails (`--mail-from`).
    pub mail_from: Mailbox,
    /// Lifetime of new credential-binding jobs (microseconds).
    pub job_lifetime: i64,
    /// Failed link-token attempts allowed per job / per client address in a window.
    pub max_token_failures_per_job: i64,
    pub max_token_failures_per_client: i64,
    /// Seals and opens WebAuthn ceremonies (one key per database).
    pub ceremony_key: Arc<CeremonyKey>,
    /// Lifetime of a ceremony (microseconds).
    pub ceremony_lifetime: i64,
}

/// Request bodies above this are refused with 413 before any parsing.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The Content-Security-Policy of served pages: same-origin scripts (and
/// WebAssembly), no inline script, no framing.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Security headers on every response; pages get the CSP and framing rules,
/// API answers are never cached (they carry links and tokens).
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let api = req.uri().path().starts_with("/v1/") || req.uri().path().starts_with("/dev/");
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else {
        h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(PAGE_CSP));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// Makes the peer address known to the browser endpoints' rate limit.
async fn client_ip(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let ip = req.extensions().get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    routes::binding::CLIENT_IP.scope(ip, next.run(req)).await
}

/// Request spans carry the method and the path only: never the query
/// (a link's `?token=`) nor headers (`Authorization`).
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
}

pub fn router(state: AppState, config: &Config) -> Router {
    let mut api = Router::new()
        .merge(routes::authenticator_configs::router())
        .merge(routes::identities::router())
        .merge(routes::credential_binding_jobs::router())
        .merge(routes::credentials::router())
        // Unknown API paths answer JSON, not the static files' empty 404.
        .route("/v1/{*rest}", any(not_found_fallback));
    if state.dev.is_some() {
        api = api.merge(routes::dev::router());
    }
    api = api.route("/openapi.json", axum::routing::get(openapi));
    let www = &config.www_dir;
    api.route_service("/bind", ServeFile::new(www.join("bind.html")))
        .nest_service("/sdk", ServeDir::new(&config.sdk_dir))
        .fallback_service(ServeDir::new(www))
        // Inner to outer: a panic becomes a 500, every /v1 error JSON, then logging.
        .layer(CatchPanicLayer::new())
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn(client_ip))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The OpenAPI 3.1 document of every endpoint (`openapi/generate.py` writes
/// it; tests/openapi.rs checks it against the router).
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}

/// A started server.
pub struct RunningServer {
    pub local_addr: SocketAddr,
    pub public_url: String,
    pub state: AppState,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn public_parts(public_url: &str) -> Result<(String, String, String), String> {
    let url = url::Url::parse(public_url).map_err(|e| format!("--public-url {public_url:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() || url.fragment().is_some() {
        return Err(format!("--public-url {public_url:?} must be an http(s) URL without query or fragment"));
    }
    let host = url.host_str().ok_or_else(|| format!("--public-url {public_url:?} has no host"))?.to_owned();
    let base = url.as_str().trim_end_matches('/').to_owned();
    Ok((base, url.origin().ascii_serialization(), host))
}

/// Creates the dev tenant, realm, hosted_web config and API token once.
async fn ensure_dev_fixtures(store: &DynStore) -> Result<DevBootstrap, String> {
    let err = |e: store::StoreError| format!("dev bootstrap: {e}");
    if let Some(dev) = store.dev_bootstrap().await.map_err(err)? {
        return Ok(dev);
    }
    let now = now_micros();
    let tenant = Tenant { id: new_id(), display_name: "Dev tenant".into(), create_time: now };
    let realm = Realm { id: new_id(), tenant_id: tenant.id.clone(), display_name: "Dev realm".into(), create_time: now };
    let config = AuthenticatorConfig {
        id: new_uuid(),
        tenant_id: tenant.id.clone(),
        realm_id: realm.id.clone(),
        config_type: "hosted_web".into(),
        invoke_url: None,
        trusted_origins: Vec::new(),
        rp_id: None,
        create_time: now,
        authenticator_attachment: None,
        user_verification: None,
        attestation: None,
    };
    let token = new_secret();
    store.create_tenant(&tenant).await.map_err(err)?;
    store.create_realm(&realm).await.map_err(err)?;
    store.insert_authenticator_config(&config).await.map_err(err)?;
    store.insert_api_token(&ApiToken::new(hash_secret(&token), tenant.id.clone(), None, None, now)).await.map_err(err)?;
    let dev = DevBootstrap { tenant_id: tenant.id, realm_id: realm.id, authenticator_config_id: config.id, api_token: token };
    store.save_dev_bootstrap(&dev).await.map_err(err)
}

/// Opens the database, binds the listener and serves in a task.
pub async fn start(config: Config) -> Result<RunningServer, String> {
    let store = store::open(&config.database_url).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let local_addr = listener.local_addr().map_err(|e| e.to_string())?;
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://localhost:{}", local_addr.port()));
    let (public_url, public_origin, public_host) = public_parts(&public_url)?;
    let mailer = mail::from_config(&config, &public_host)?;
    let mail_from = mail::sender(&config, &public_host)?;
    tracing::info!(mailer = %mailer.describe(), from = %mail_from, "enrollment emails");
    let dev = if config.dev { Some(Arc::new(ensure_dev_fixtures(&store).await?)) } else { None };
    let ceremony_key = store
        .service_key("ceremony", &random_bytes::<32>(), now_micros())
        .await
        .map_err(|e| format!("cannot load the ceremony key: {e}"))?;
    let ceremony_key = Arc::new(CeremonyKey::from_bytes(&ceremony_key).ok_or("the stored ceremony key is not 32 bytes")?);
    let state = AppState {
        store,
        public_url: public_url.clone(),
        public_origin,
        public_host,
        dev,
        mailer,
        mail_from,
        job_lifetime: i64::from(config.job_expiry_seconds) * SECOND,
        max_token_failures_per_job: i64::from(config.max_token_failures_per_job),
        max_token_failures_per_client: i64::from(config.max_token_failures_per_client),
        ceremony_key,
        ceremony_lifetime: i64::from(config.ceremony_seconds) * SECOND,
    };
    let app = router(state.clone(), &config);
    let task = tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await });
    Ok(RunningServer { local_addr, public_url, state, task })
}
