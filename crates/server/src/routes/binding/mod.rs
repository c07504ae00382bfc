//! The two browser endpoints (no admin auth: the link's token authorizes):
//! `{job}:invokeAuthenticator` starts a WebAuthn ceremony, `{job}:bindCredential`
//! verifies the new credential and completes the job. Plus the browser `GET`
//! of an API-form link (302 to the bind page) and CORS for both endpoints.

mod bind;
mod open_link;

pub use bind::bind;
pub use open_link::open_link;

use super::{effective_state, origin_of, passkey_view};
use crate::error::{parse_json, ApiError, ApiResult};
use crate::extract::ClientAddr;
use crate::state::AppState;
use crate::store::{AuthenticatorConfig, ConfigType, CredentialState, IdentityStatus, JobState, StoreError};
use crate::trust;
use crate::util::{constant_time_eq, format_time, hash_secret, now_micros, SECOND};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use passbind_protocol::base64url;
use passbind_protocol::wire::{
    AuthenticatorSelection, BindCredentialRequest, BindCredentialResponse, CreationExtensions, CreationOptions, CredentialDescriptor,
    CredentialParameter, InvokeAuthenticatorResponse, RelyingParty, UserEntity, SUPPORTED_ALGORITHMS,
};
use passbind_protocol::{BindingLink, ErrorCode};
use passbind_webauthn::Expectation;
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
    Ok(state.binding.load_binding_context(&p.tenant_id, &p.realm_id, &p.identity_id, &p.job_id).await?)
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

/// The job the path names, if `token` is its token. Unknown jobs and wrong
/// tokens look the same to the caller on purpose. Behind the rate limit:
/// once a job or a client has had too many failed attempts in the window,
/// every wrong token answers 429 until the window ends. The right token
/// still works, so guessing cannot lock a user out of their own link (and a
/// 256-bit token is never guessed: telling "right" from "429" leaks nothing
/// usable). The counters' keys are made only when a token is wrong.
async fn authorize_token_limited(state: &AppState, client: ClientAddr, ctx: Option<Context>, token: &str) -> ApiResult<Context> {
    let mut limits = Vec::with_capacity(2);
    match ctx {
        Some(ctx) if token_matches(&ctx, token) => return Ok(ctx),
        Some(ctx) => limits.push((format!("job:{}", ctx.job.id), state.max_token_failures_per_job)),
        None => {}
    }
    if let ClientAddr(Some(ip)) = client {
        limits.push((format!("client:{ip}"), state.max_token_failures_per_client));
    }
    let now = now_micros();
    for (key, limit) in &limits {
        if state.binding.token_failure_count(key, now, TOKEN_FAILURE_WINDOW).await? >= *limit {
            return Err(ApiError::new(ErrorCode::ResourceExhausted, "too many failed attempts with this link: try again later"));
        }
    }
    for (key, _) in &limits {
        state.binding.record_token_failure(key, now, TOKEN_FAILURE_WINDOW).await?;
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
        JobState::Complete => return Err(ApiError::new(ErrorCode::JobComplete, "a passkey was already bound with this link")),
        JobState::Revoked => return Err(ApiError::new(ErrorCode::JobRevoked, "the binding link was revoked")),
        JobState::Expired | JobState::FailedToSend => return Err(ApiError::new(ErrorCode::LinkExpired, "the binding link has expired")),
        JobState::LinkSent | JobState::LinkOpened => {}
    }
    if ctx.identity.status != IdentityStatus::Active {
        return Err(ApiError::new(ErrorCode::IdentitySuspended, "the identity is suspended"));
    }
    Ok(())
}

/// Origins allowed to run the ceremony: passbind's own for `hosted_web`;
/// the app's (invoke_url's origin and its trusted origins) for `embedded`.
fn allowed_origins(state: &AppState, config: &AuthenticatorConfig) -> Vec<String> {
    if config.config_type != ConfigType::Embedded {
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
    if config.config_type != ConfigType::Embedded {
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
pub async fn invoke(state: &AppState, client: ClientAddr, p: &JobPath, headers: &HeaderMap, body: &[u8]) -> Response {
    let ctx = match load_context(state, p).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    let origin = cors_origin(state, headers, ctx.as_ref());
    let result = invoke_inner(state, client, ctx, headers, body).await;
    with_cors(result.into_response(), origin)
}

async fn invoke_inner(
    state: &AppState,
    client: ClientAddr,
    ctx: Option<Context>,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Json<InvokeAuthenticatorResponse>> {
    let req: TokenOnly = parse_json(body, ErrorCode::InvalidLink)?;
    let ctx = authorize_token_limited(state, client, ctx, &req.token).await?;
    check_request_origin(state, headers, &ctx)?;
    let now = now_micros();
    check_open(&ctx, now)?;
    // Sealed in its ID: nothing to store but LINK_SENT → LINK_OPENED, once.
    let ceremony = state.ceremony_key.start(&ctx.job.id, now + state.ceremony_lifetime);
    // The identity's passkeys, excluded so an authenticator does not make a second one.
    let existing = state.binding.start_ceremony(&ctx.job.id, &ctx.identity.id, ctx.job.state == JobState::LinkSent, now).await?;
    let exclude_credentials = existing
        .iter()
        .filter(|c| c.state == CredentialState::Active)
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
