//! Admin API authentication: a Bearer API token, or the admin console's
//! session cookie (`session.rs`), scoped to a tenant (and optionally one
//! realm), checked against the resource in the path. The extractors in
//! `extract.rs` are the way handlers use it.
//!
//! A session is its API token seen through a cookie: it has exactly the
//! token's scope, and it stops working when the token is revoked. When a
//! request carries both, the Bearer token decides (and the cookie is not
//! read): a script calling with its own token is never taken for the
//! browser's session.

use crate::error::{ApiError, ApiResult};
use crate::session::{check_csrf, is_safe_method, CookiePolicy};
use crate::state::AppState;
use crate::store::{Actor, ApiToken, ApiTokenStore, ConsoleSession, Identity, Realm, RealmId, StoreResult, TenantId};
use crate::util::{constant_time_eq, hash_secret, new_secret, now_micros, SECOND};
use axum::http::{HeaderMap, Method};

/// `last_use_time` is written at most once per this interval per token.
const LAST_USE_INTERVAL: i64 = 60 * SECOND;

/// An authenticated caller: the API token (its scope), and who acts for the
/// audit log (the token, or the console session that uses it).
#[derive(Clone, Debug)]
pub struct Caller {
    pub token: ApiToken,
    /// Set when the call came through a console session.
    pub session: Option<ConsoleSession>,
    pub actor: Actor,
}

impl Caller {
    /// The realm the caller is confined to (None: the whole tenant).
    pub fn realm_scope(&self) -> Option<&str> {
        self.token.realm_id.as_deref()
    }
}

/// The Bearer token of the request, if it carries an `Authorization` header
/// (Some("") when the header is not a usable Bearer token: it still wins).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 512);
    Some(token.unwrap_or_default())
}

/// Who calls: `Authorization: Bearer <API token>`, or else the console
/// session cookie. No, unknown or revoked token, or no live session → 401;
/// a cookie-authenticated unsafe request that breaks the CSRF rule → 403.
pub async fn authenticate(state: &AppState, method: &Method, headers: &HeaderMap) -> ApiResult<Caller> {
    let now = now_micros();
    let caller = match bearer(headers) {
        Some(token) => {
            if token.is_empty() {
                return Err(ApiError::unauthenticated());
            }
            let hash = hash_secret(token);
            let token = match state.api_tokens.api_token_by_hash(&hash).await? {
                // Found by its hash; compared again in constant time all the same.
                Some(t) if constant_time_eq(t.token_hash.as_bytes(), hash.as_bytes()) => t,
                _ => return Err(ApiError::unauthenticated()),
            };
            Caller { actor: Actor::ApiToken(token.id.clone()), token, session: None }
        }
        None => {
            let secret = CookiePolicy::for_public_url(&state.public_url).secret(headers).ok_or_else(ApiError::unauthenticated)?;
            let hash = hash_secret(secret);
            let (session, token) = match state.sessions.active_session(&hash, now).await? {
                Some((s, t)) if constant_time_eq(s.secret_hash.as_bytes(), hash.as_bytes()) => (s, t),
                _ => return Err(ApiError::unauthenticated()),
            };
            // Checked once the session is known good: a stale cookie answers 401, not 403.
            if !is_safe_method(method) {
                check_csrf(headers, &state.public_origin)?;
            }
            Caller { actor: Actor::ConsoleSession(session.id.clone()), token, session: Some(session) }
        }
    };
    note_use(state, &caller.token, now).await;
    Ok(caller)
}

/// Keeps `last_use_time` to the minute. The bookkeeping must not fail or
/// hold up the call it is about beyond one conditional UPDATE a minute.
pub async fn note_use(state: &AppState, token: &ApiToken, now: i64) {
    if token.last_use_time.is_some_and(|t| t > now - LAST_USE_INTERVAL) {
        return;
    }
    if let Err(e) = state.api_tokens.touch_api_token(&token.id, now, LAST_USE_INTERVAL).await {
        tracing::warn!(error = %e, token_id = %token.id, "cannot record the API token's last use");
    }
}

/// The caller must reach the tenant (and realm) in the path: a token of
/// another tenant or realm → 404, exactly as if the resource did not exist,
/// so a token learns nothing about other tenants.
fn check_scope(caller: &Caller, tenant_id: &str, realm_id: Option<&str>) -> ApiResult<()> {
    let tenant_ok = constant_time_eq(caller.token.tenant_id.as_bytes(), tenant_id.as_bytes());
    let realm_ok = match (caller.realm_scope(), realm_id) {
        (Some(scope), Some(realm)) => scope == realm,
        (Some(_), None) => false,
        (None, _) => true,
    };
    if tenant_ok && realm_ok {
        Ok(())
    } else {
        Err(ApiError::not_found(if tenant_ok { "realm" } else { "tenant" }))
    }
}

/// Authorizes a call on the tenant itself (its realms, API tokens): a
/// realm-scoped caller passes too, and the route confines it to its realm
/// (`Caller::realm_scope`). Another tenant → 404.
pub async fn authorize_tenant(state: &AppState, method: &Method, headers: &HeaderMap, tenant_id: &str) -> ApiResult<Caller> {
    let caller = authenticate(state, method, headers).await?;
    if !constant_time_eq(caller.token.tenant_id.as_bytes(), tenant_id.as_bytes()) {
        return Err(ApiError::not_found("tenant"));
    }
    Ok(caller)
}

/// Authorizes and returns the realm, 404 when the tenant has no such realm.
pub async fn authorize_realm(state: &AppState, method: &Method, headers: &HeaderMap, tenant_id: &str, realm_id: &str) -> ApiResult<Realm> {
    Ok(authorize_realm_as(state, method, headers, tenant_id, realm_id).await?.0)
}

/// As [`authorize_realm`], and who acts.
async fn authorize_realm_as(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    tenant_id: &str,
    realm_id: &str,
) -> ApiResult<(Realm, Actor)> {
    let caller = authenticate(state, method, headers).await?;
    check_scope(&caller, tenant_id, Some(realm_id))?;
    let realm = state.tenants.get_realm(tenant_id, realm_id).await?.ok_or_else(|| ApiError::not_found("realm"))?;
    Ok((realm, caller.actor))
}

/// Authorizes and returns the identity (and its realm, and who acts).
pub async fn authorize_identity(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    tenant_id: &str,
    realm_id: &str,
    identity_id: &str,
) -> ApiResult<(Realm, Identity, Actor)> {
    let (realm, actor) = authorize_realm_as(state, method, headers, tenant_id, realm_id).await?;
    let identity = state.identities.get_identity(tenant_id, realm_id, identity_id).await?.ok_or_else(|| ApiError::not_found("identity"))?;
    Ok((realm, identity, actor))
}

/// Issues an admin API token: a 256-bit random secret, stored only as its
/// SHA-256 (the CLI's `token create` and `POST …/api-tokens`). Answers the
/// record and the secret, which is shown once and never again.
pub async fn issue_api_token(
    tokens: &dyn ApiTokenStore,
    tenant_id: TenantId,
    realm_id: Option<RealmId>,
    description: Option<String>,
    now: i64,
) -> StoreResult<(ApiToken, String)> {
    let secret = new_secret();
    let token = ApiToken::new(hash_secret(&secret), tenant_id, realm_id, description, now);
    tokens.insert_api_token(&token).await?;
    Ok((token, secret))
}
