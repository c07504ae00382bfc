//! Start-up: open the database, make the dev fixtures once, load the
//! ceremony key, build the state and serve the router (`app.rs`).

use crate::admin_auth::issue_api_token;
use crate::app::router;
use crate::ceremony::CeremonyKey;
use crate::config::Config;
use crate::mail;
use crate::state::{AppState, AppStateData};
use crate::store::{self, AuthenticatorConfig, ConfigType, DevBootstrap, Realm, Stores, Tenant};
use crate::util::{new_id, new_uuid, now_micros, random_bytes, SECOND};
use std::net::SocketAddr;
use std::sync::Arc;

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
async fn ensure_dev_fixtures(store: &Stores) -> Result<DevBootstrap, String> {
    let err = |e: store::StoreError| format!("dev bootstrap: {e}");
    if let Some(dev) = store.setup.dev_bootstrap().await.map_err(err)? {
        return Ok(dev);
    }
    let now = now_micros();
    let tenant = Tenant { id: new_id().into(), display_name: "Dev tenant".into(), create_time: now };
    let realm = Realm { id: new_id().into(), tenant_id: tenant.id.clone(), display_name: "Dev realm".into(), create_time: now };
    let config = AuthenticatorConfig {
        id: new_uuid().into(),
        tenant_id: tenant.id.clone(),
        realm_id: realm.id.clone(),
        config_type: ConfigType::HostedWeb,
        invoke_url: None,
        trusted_origins: Vec::new(),
        rp_id: None,
        create_time: now,
        authenticator_attachment: None,
        user_verification: None,
        attestation: None,
        policy: Default::default(),
    };
    store.tenants.create_tenant(&tenant).await.map_err(err)?;
    store.tenants.create_realm(&realm).await.map_err(err)?;
    store.configs.insert_authenticator_config(&config).await.map_err(err)?;
    let (_, token) = issue_api_token(store.api_tokens.as_ref(), tenant.id.clone(), None, None, now).await.map_err(err)?;
    let dev = DevBootstrap {
        tenant_id: tenant.id.into_string(),
        realm_id: realm.id.into_string(),
        authenticator_config_id: config.id.into_string(),
        api_token: token,
    };
    store.setup.save_dev_bootstrap(&dev).await.map_err(err)
}

/// Opens the database, binds the listener and serves in a task.
pub async fn start(config: Config) -> Result<RunningServer, String> {
    // Job creation sends its email within the request: its answer must come before the request's time is up.
    if config.smtp_host.is_some() && config.request_timeout_seconds <= config.smtp_timeout {
        return Err(format!(
            "--request-timeout-seconds ({}) must exceed --smtp-timeout ({})",
            config.request_timeout_seconds, config.smtp_timeout
        ));
    }
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
        .setup
        .service_key("ceremony", &random_bytes::<32>(), now_micros())
        .await
        .map_err(|e| format!("cannot load the ceremony key: {e}"))?;
    let ceremony_key = Arc::new(CeremonyKey::from_bytes(&ceremony_key).ok_or("the stored ceremony key is not 32 bytes")?);
    // The metadata BLOB (--mds-blob): loaded before serving, or no start at all.
    let metadata = crate::metadata::from_config(&config).await?;
    let state = AppState::new(AppStateData {
        binding: store.binding,
        tenants: store.tenants,
        api_tokens: store.api_tokens,
        configs: store.configs,
        identities: store.identities,
        jobs: store.jobs,
        credentials: store.credentials,
        events: store.events,
        webhooks: store.webhooks.clone(),
        branding: store.branding,
        sessions: store.sessions,
        console_session_lifetime: i64::from(config.console_session_hours) * 3600 * SECOND,
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
        metadata,
    });
    // Webhooks: delivered from the audit log by a task of their own (never on a request's path).
    let poll_interval = std::time::Duration::from_millis(config.webhook_poll_ms);
    let retry_base = std::time::Duration::from_millis(config.webhook_retry_base_ms);
    let private_networks = config.webhook_private_networks || config.dev;
    crate::webhooks::spawn(store.webhooks, crate::webhooks::Settings { poll_interval, retry_base, private_networks });
    let app = router(state.clone(), &config);
    let limits = crate::serve::ConnectionLimits {
        header_timeout: std::time::Duration::from_secs(config.header_timeout_seconds),
        max_connections: usize::try_from(config.max_connections).unwrap_or(usize::MAX),
    };
    let task = tokio::spawn(crate::serve::serve(listener, app, limits));
    Ok(RunningServer { local_addr, public_url, state, task })
}
