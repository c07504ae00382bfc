//! Admin API authentication: a Bearer API token, scoped to a tenant (and
//! optionally one realm), checked against the resource in the path. The
//! extractors in `extract.rs` are the way handlers use it.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{Actor, ApiTokenId, Identity, Realm};
use crate::util::{constant_time_eq, hash_secret};
use axum::http::HeaderMap;

/// The token in `Authorization: Bearer <API token>` must reach the tenant
/// (and realm) in the path: no, unknown or revoked token → 401; a token of
/// another tenant or realm → 404, exactly as if the resource did not exist,
/// so a token learns nothing about other tenants.
/// Answers the token's ID: who acts, for the audit log.
async fn authorize_scope(state: &AppState, headers: &HeaderMap, tenant_id: &str, realm_id: Option<&str>) -> ApiResult<ApiTokenId> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 512)
        .ok_or_else(ApiError::unauthenticated)?;
    let hash = hash_secret(token);
    let record = match state.api_tokens.api_token_by_hash(&hash).await? {
        // Found by its hash; compared again in constant time all the same.
        Some(t) if constant_time_eq(t.token_hash.as_bytes(), hash.as_bytes()) => t,
        _ => return Err(ApiError::unauthenticated()),
    };
    let tenant_ok = constant_time_eq(record.tenant_id.as_bytes(), tenant_id.as_bytes());
    let realm_ok = match (&record.realm_id, realm_id) {
        (Some(scope), Some(realm)) => scope == realm,
        (Some(_), None) => false,
        (None, _) => true,
    };
    if tenant_ok && realm_ok {
        Ok(record.id)
    } else {
        Err(ApiError::not_found(if tenant_ok { "realm" } else { "tenant" }))
    }
}

/// Authorizes and returns the realm, 404 when the tenant has no such realm.
pub async fn authorize_realm(state: &AppState, headers: &HeaderMap, tenant_id: &str, realm_id: &str) -> ApiResult<Realm> {
    Ok(authorize_realm_as(state, headers, tenant_id, realm_id).await?.0)
}

/// As [`authorize_realm`], and who acts (the token's ID).
async fn authorize_realm_as(state: &AppState, headers: &HeaderMap, tenant_id: &str, realm_id: &str) -> ApiResult<(Realm, Actor)> {
    let token_id = authorize_scope(state, headers, tenant_id, Some(realm_id)).await?;
    let realm = state.tenants.get_realm(tenant_id, realm_id).await?.ok_or_else(|| ApiError::not_found("realm"))?;
    Ok((realm, Actor::ApiToken(token_id)))
}

/// Authorizes and returns the identity (and its realm, and who acts).
pub async fn authorize_identity(
    state: &AppState,
    headers: &HeaderMap,
    tenant_id: &str,
    realm_id: &str,
    identity_id: &str,
) -> ApiResult<(Realm, Identity, Actor)> {
    let (realm, actor) = authorize_realm_as(state, headers, tenant_id, realm_id).await?;
    let identity = state.identities.get_identity(tenant_id, realm_id, identity_id).await?.ok_or_else(|| ApiError::not_found("identity"))?;
    Ok((realm, identity, actor))
}
