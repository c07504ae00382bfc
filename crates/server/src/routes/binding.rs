//! The two browser endpoints (no admin auth: the link's token authorizes):
//! `{job}:invokeAuthenticator` starts a WebAuthn ceremony, `{job}:bindCredential`
//! verifies the new credential and completes the job. Plus the browser `GET`
//! of an API-form link (302 to the bind page) and CORS for both endpoints.

use super::{effective_state, origin_of, passkey_view};
use crate::app::AppState;
use crate::error::{parse_json, ApiError, ApiResult};
use crate::store::{AuthenticatorConfig, Credential, StoreError};
use crate::util::{constant_time_eq, format_time, hash_secret, new_id, now_micros, SECOND};
use crate::webauthn::{self, Expectation, VerifyError};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passbind_protocol::base64url;
use passbind_protocol::wire::{
    AuthenticatorSelection, BindCredentialRequest, BindCredentialResponse, CreationExtensions, CreationOptions, CredentialDescriptor,
    CredentialParameter, InvokeAuthenticatorResponse, RelyingParty, UserEntity, SUPPORTED_ALGORITHMS,
};
use passbind_protocol::{BindingLink, ErrorCode};
use serde::Deserialize;

pub struct JobPath {
    pub tenant_id: String,
    pub realm_id: String,
    pub identity_id: String,
    pub job_id: String,
}

/// Everything a browser call needs, loaded from the path (before the token
/// is checked) in one query.
type Context = crate::store::BindingContext;

async fn load_context(state: &AppState, p: &JobPath) -> ApiResult<Option<Context>> {
    Ok(state.store.load_binding_context(&p.tenant_id, &p.realm_id, &p.identity_id, &p.job_id).await?)
}

fn invalid_link() -> ApiError {
    ApiError::new(ErrorCode::InvalidLink, "the binding link is not valid")
}

/// Whether `token` is the job's token (hashes compare in constant time).
fn token_matches(ctx: &Context, token: &str) -> bool {
    constant_time_eq(hash_secret(token).as_bytes(), ctx.job.token_hash.as_bytes())
}

/// Failed token attempts are counted in the database (so every instance
/// sees them) per job and per client address, in windows of this length.
pub const TOKEN_FAILURE_WINDOW: i64 = 15 * 60 * SECOND;

tokio::task_local! {
    /// The peer address of the request being served (set by the app's middleware).
    pub static CLIENT_IP: Option<std::net::IpAddr>;
}

/// The job the path names, if `token` is its token. Unknown jobs and wrong
/// tokens look the same to the caller on purpose. Behind the rate limit:
/// once a job or a client has had too many failed attempts in the window,
/// every wrong token answers 429 until the window ends. The right token
/// still works, so guessing cannot lock a user out of their own link (and a
/// 256-bit token is never guessed: telling "right" from "429" leaks nothing
/// usable). The counters' keys are made only when a token is wrong.
async fn authorize_token_limited(state: &AppState, ctx: Option<Context>, token: &str) -> ApiResult<Context> {
    let mut limits = Vec::with_capacity(2);
    match ctx {
        Some(ctx) if token_matches(&ctx, token) => return Ok(ctx),
        Some(ctx) => limits.push((format!("job:{}", ctx.job.id), state.max_token_failures_per_job)),
        None => {}
    }
    if let Ok(Some(ip)) = CLIENT_IP.try_with(|ip| *ip) {
        limits.push((format!("client:{ip}"), state.max_token_failures_per_client));
    }
    let now = now_micros();
    for (key, limit) in &limits {
        if state.store.token_failure_count(key, now, TOKEN_FAILURE_WINDOW).await? >= *limit {
            return Err(ApiError::new(ErrorCode::ResourceExhausted, "too many failed attempts with this link: try again later"));
        }
    }
    for (key, _) in &limits {
        state.store.record_token_failure(key, now, TOKEN_FAILURE_WINDOW).await?;
    }
    Err(invalid_link())
}

/// A browser call must come from an origin allowed to run the ceremony (or
/// passbind's own pages); calls without `Origin` (not from a browser page)
/// are judged by the origin inside clientDataJSON alone.
fn check_request_origin(state: &AppState, headers: &HeaderMap, ctx: &Context) -> ApiResult<()> {
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
    let text = origin.to_str().unwrap_or_default();
    if text == state.public_origin || allowed_origins(state, &ctx.config).iter().any(|o| o == text) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Security, "this origin may not bind passkeys with this link"))
    }
}

/// The config's user verification policy (`required` unless it says otherwise).
fn user_verification(config: &AuthenticatorConfig) -> String {
    config.user_verification.clone().unwrap_or_else(|| "required".into())
}

/// The link works until the job is COMPLETE, EXPIRED or REVOKED.
fn check_open(ctx: &Context, now: i64) -> ApiResult<()> {
    match effective_state(&ctx.job, now) {
        "COMPLETE" => return Err(ApiError::new(ErrorCode::JobComplete, "a passkey was already bound with this link")),
        "REVOKED" => return Err(ApiError::new(ErrorCode::JobRevoked, "the binding link was revoked")),
        "EXPIRED" | "FAILED_TO_SEND" => return Err(ApiError::new(ErrorCode::LinkExpired, "the binding link has expired")),
        _ => {}
    }
    if ctx.identity.status != "active" {
        return Err(ApiError::new(ErrorCode::IdentitySuspended, "the identity is suspended"));
    }
    Ok(())
}

/// Origins allowed to run the ceremony: passbind's own for `hosted_web`;
/// the app's (invoke_url's origin and its trusted origins) for `embedded`.
fn allowed_origins(state: &AppState, config: &AuthenticatorConfig) -> Vec<String> {
    if config.config_type != "embedded" {
        return vec![state.public_origin.clone()];
    }
    let mut origins = config.trusted_origins.clone();
    if let Some(invoke) = config.invoke_url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        let o = origin_of(&invoke);
        if !origins.contains(&o) {
            origins.push(o);
        }
    }
    origins
}

/// The RP ID passkeys of this config are scoped to.
fn rp_id(state: &AppState, config: &AuthenticatorConfig) -> String {
    if config.config_type != "embedded" {
        // A hosted_web config may widen the RP ID to a parent domain of the service's host.
        return config.rp_id.clone().unwrap_or_else(|| state.public_host.clone());
    }
    if let Some(rp) = &config.rp_id {
        return rp.clone();
    }
    config
        .invoke_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| state.public_host.clone())
}

/// The `Origin` to reflect in CORS headers: only the service's own origin or
/// one the job's authenticator config trusts.
fn cors_origin(state: &AppState, headers: &HeaderMap, ctx: Option<&Context>) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    let allowed = text == state.public_origin || ctx.is_some_and(|c| allowed_origins(state, &c.config).iter().any(|o| o == text));
    allowed.then(|| origin.clone())
}

fn with_cors(mut response: Response, origin: Option<HeaderValue>) -> Response {
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}

/// `OPTIONS` on either browser endpoint.
pub async fn preflight(state: &AppState, p: &JobPath, headers: &HeaderMap) -> Response {
    let ctx = load_context(state, p).await.ok().flatten();
    let origin = cors_origin(state, headers, ctx.as_ref());
    let mut response = StatusCode::NO_CONTENT.into_response();
    if origin.is_some() {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
    with_cors(response, origin)
}

#[derive(Deserialize)]
struct TokenOnly {
    token: String,
}

/// `POST …:invokeAuthenticator` `{token}` → a fresh ceremony.
pub async fn invoke(state: &AppState, p: &JobPath, headers: &HeaderMap, body: &[u8]) -> Response {
    let ctx = match load_context(state, p).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    let origin = cors_origin(state, headers, ctx.as_ref());
    let result = invoke_inner(state, ctx, headers, body).await;
    with_cors(result.into_response(), origin)
}

async fn invoke_inner(
    state: &AppState,
    ctx: Option<Context>,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Json<InvokeAuthenticatorResponse>> {
    let req: TokenOnly = parse_json(body, ErrorCode::InvalidLink)?;
    let ctx = authorize_token_limited(state, ctx, &req.token).await?;
    check_request_origin(state, headers, &ctx)?;
    let now = now_micros();
    check_open(&ctx, now)?;
    // Sealed in its ID: nothing to store but LINK_SENT → LINK_OPENED, once.
    let ceremony = state.ceremony_key.start(&ctx.job.id, now + state.ceremony_lifetime);
    // The identity's passkeys, excluded so an authenticator does not make a second one.
    let existing = state.store.start_ceremony(&ctx.job.id, &ctx.identity.id, ctx.job.state == "LINK_SENT", now).await?;
    let exclude_credentials = existing
        .iter()
        .filter(|c| c.state == "ACTIVE")
        .map(|c| CredentialDescriptor {
            id: base64url::encode(&c.credential_id),
            type_: "public-key".into(),
            transports: c.transports.clone(),
        })
        .collect();
    let public_key = CreationOptions {
        rp: RelyingParty { id: Some(rp_id(state, &ctx.config)), name: ctx.realm.display_name.clone() },
        user: UserEntity {
            id: base64url::encode(&ctx.identity.user_handle),
            name: ctx.identity.username.clone(),
            display_name: ctx.identity.display_name.clone(),
        },
        challenge: base64url::encode(&ceremony.challenge),
        pub_key_cred_params: SUPPORTED_ALGORITHMS.iter().map(|alg| CredentialParameter { type_: "public-key".into(), alg: *alg }).collect(),
        timeout: u32::try_from(state.ceremony_lifetime / 1000).ok(),
        exclude_credentials,
        authenticator_selection: Some(AuthenticatorSelection {
            authenticator_attachment: ctx.config.authenticator_attachment.clone(),
            resident_key: Some("required".into()),
            require_resident_key: true,
            user_verification: Some(user_verification(&ctx.config)),
        }),
        hints: Vec::new(),
        attestation: Some(ctx.config.attestation.clone().unwrap_or_else(|| "none".into())),
        extensions: Some(CreationExtensions { cred_props: Some(true) }),
    };
    Ok(Json(InvokeAuthenticatorResponse { ceremony_id: ceremony.id, public_key, expire_time: format_time(ceremony.expire_time) }))
}

/// `POST …:bindCredential` → verify, store, complete the job.
pub async fn bind(state: &AppState, p: &JobPath, headers: &HeaderMap, body: &[u8]) -> Response {
    let ctx = match load_context(state, p).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    let origin = cors_origin(state, headers, ctx.as_ref());
    let result = bind_inner(state, ctx, headers, body).await;
    if let Err(e) = &result {
        tracing::info!(code = e.code().as_str(), message = %e.0.message, "bindCredential refused");
    }
    with_cors(result.into_response(), origin)
}

async fn bind_inner(state: &AppState, ctx: Option<Context>, headers: &HeaderMap, body: &[u8]) -> ApiResult<Json<BindCredentialResponse>> {
    // The token first, so nothing about the job leaks to a caller without it.
    let token: TokenOnly = parse_json(body, ErrorCode::InvalidLink)?;
    let ctx = authorize_token_limited(state, ctx, &token.token).await?;
    check_request_origin(state, headers, &ctx)?;
    let req: BindCredentialRequest = parse_json(body, ErrorCode::AttestationRejected)?;
    let now = now_micros();

    if ctx.job.state == "COMPLETE" {
        return replay(state, &ctx, &req).await;
    }
    check_open(&ctx, now)?;

    // Only a ceremony this deployment started for this job opens; it is
    // single-use because the job completes once (see `crate::ceremony`).
    let ceremony = state
        .ceremony_key
        .open(&ctx.job.id, &req.ceremony_id)
        .ok_or_else(|| ApiError::new(ErrorCode::NotAllowed, "unknown ceremony: start again with invokeAuthenticator"))?;
    if now >= ceremony.expire_time {
        return Err(ApiError::new(ErrorCode::NotAllowed, "the ceremony has expired: start again with invokeAuthenticator"));
    }

    let origins = allowed_origins(state, &ctx.config);
    let rp_id = rp_id(state, &ctx.config);
    let expectation = Expectation {
        challenge: &ceremony.challenge,
        allowed_origins: &origins,
        rp_id: &rp_id,
        require_user_verification: user_verification(&ctx.config) == "required",
    };
    let verified = webauthn::verify_registration(&req.credential, &expectation).map_err(|e| match e {
        VerifyError::Security(m) => ApiError::new(ErrorCode::Security, m),
        VerifyError::Rejected(m) => ApiError::new(ErrorCode::AttestationRejected, m),
    })?;

    let credential = Credential {
        id: new_id(),
        tenant_id: ctx.job.tenant_id.clone(),
        realm_id: ctx.job.realm_id.clone(),
        identity_id: ctx.identity.id.clone(),
        job_id: ctx.job.id.clone(),
        ceremony_id: ceremony.id.clone(),
        credential_id: verified.credential_id,
        public_key: verified.public_key_cose,
        alg: verified.alg,
        sign_count: i64::from(verified.sign_count),
        aaguid: verified.aaguid.to_vec(),
        attestation_format: verified.attestation_format,
        transports: verified.transports,
        attachment: verified.attachment,
        backup_eligible: verified.backup_eligible,
        backed_up: verified.backed_up,
        state: "ACTIVE".into(),
        create_time: now,
    };
    match state.store.complete_binding(&credential, now).await {
        Ok(()) => {}
        Err(StoreError::JobNotOpen) => {
            // Another request completed the job meanwhile: maybe this same one.
            let job = state.store.get_job(&ctx.job.tenant_id, &ctx.job.realm_id, &ctx.job.identity_id, &ctx.job.id).await?;
            return match job {
                Some(job) if job.state == "COMPLETE" => replay(state, &Context { job, ..ctx }, &req).await,
                _ => Err(ApiError::new(ErrorCode::LinkExpired, "the binding link is no longer valid")),
            };
        }
        Err(StoreError::CredentialExists) => {
            return Err(ApiError::new(ErrorCode::AlreadyRegistered, "this credential is already registered"))
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(job = %ctx.job.id, identity = %ctx.identity.id, passkey = %credential.id, "passkey bound");
    Ok(Json(BindCredentialResponse {
        passkey: passkey_view(&credential, &ctx.tenant, &ctx.realm, &ctx.identity),
        post_binding_redirect_uri: ctx.job.post_binding_redirect_uri.clone(),
    }))
}

/// A retry of the request that completed the job (same ceremony, same
/// credential) gets the same answer; anything else is `JOB_COMPLETE`.
async fn replay(state: &AppState, ctx: &Context, req: &BindCredentialRequest) -> ApiResult<Json<BindCredentialResponse>> {
    let complete = || ApiError::new(ErrorCode::JobComplete, "a passkey was already bound with this link");
    if ctx.job.completed_ceremony_id.as_deref() != Some(req.ceremony_id.as_str()) {
        return Err(complete());
    }
    let Some(record_id) = &ctx.job.credential_record_id else { return Err(complete()) };
    let credential = state.store.get_credential(record_id).await?.ok_or_else(complete)?;
    if base64url::decode(&req.credential.raw_id).as_deref() != Some(credential.credential_id.as_slice()) {
        return Err(complete());
    }
    Ok(Json(BindCredentialResponse {
        passkey: passkey_view(&credential, &ctx.tenant, &ctx.realm, &ctx.identity),
        post_binding_redirect_uri: ctx.job.post_binding_redirect_uri.clone(),
    }))
}

/// A browser `GET` of the API-form link (e.g. from an enrollment email):
/// 302 to the page that runs the ceremony (passbind's `/bind` for
/// hosted_web, the app's `invoke_url/bind` for embedded); the job becomes
/// `LINK_OPENED`. A link that cannot be used gets no redirect: a readable
/// HTML page for browsers (`Accept: text/html`), the JSON error otherwise.
pub async fn open_link(state: &AppState, p: &JobPath, headers: &HeaderMap, query: Option<&str>) -> Response {
    let html = crate::pages::wants_html(headers);
    let refuse = |e: ApiError| if html && e.code().is_binding_code() { crate::pages::link_problem(e.code()) } else { e.into_response() };
    let token = query
        .into_iter()
        .flat_map(|q| url::form_urlencoded::parse(q.as_bytes()))
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let ctx = match load_context(state, p).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    let ctx = match authorize_token_limited(state, ctx, &token).await {
        Ok(ctx) => ctx,
        Err(e) => return refuse(e),
    };
    let now = now_micros();
    if let Err(e) = check_open(&ctx, now) {
        return refuse(e);
    }
    if ctx.job.state == "LINK_SENT" {
        if let Err(e) = state.store.set_job_state(&ctx.job.id, "LINK_OPENED", now).await {
            return ApiError::from(e).into_response();
        }
    }
    let link = BindingLink {
        api_base: state.public_url.clone(),
        tenant_id: p.tenant_id.clone(),
        realm_id: p.realm_id.clone(),
        identity_id: p.identity_id.clone(),
        job_id: p.job_id.clone(),
        token,
    };
    let target = match (&*ctx.config.config_type, &ctx.config.invoke_url) {
        ("embedded", Some(invoke_url)) => link.redirect_url(invoke_url),
        _ => link.redirect_url(&state.public_url),
    };
    match HeaderValue::from_str(&target) {
        Ok(location) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, location),
                // The URL holds the token: keep it out of caches and Referer headers.
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            ],
        )
            .into_response(),
        Err(_) => ApiError::internal("redirect URL is not a header value").into_response(),
    }
}
