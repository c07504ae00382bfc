//! The service's own extractors: what a handler needs from a request, taken
//! before the handler runs, each failing with the `{code, message, details}`
//! error (`ApiError`) rather than axum's plain-text rejections.
//!
//! - [`RealmAdmin`] / [`IdentityAdmin`]: the admin API token checked against
//!   the tenant and realm in the path, and the realm (and identity) loaded.
//! - [`ApiJson`]: a JSON body, its errors naming the offending field.
//! - [`Paging`]: `page_size` and `page_token` from the query.
//! - [`ClientAddr`]: the peer address (`ConnectInfo`), for rate limits.

use crate::admin_auth::{authorize_identity, authorize_realm, authorize_tenant, Caller};
use crate::error::{parse_json, ApiError};
use crate::paging::{parse_page, Page};
use crate::state::AppState;
use crate::store::{Actor, Identity, Realm};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, RawQuery, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use passbind_protocol::ErrorCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

/// The tenant and realm of an admin path (other path parameters are ignored).
#[derive(Deserialize)]
struct RealmPath {
    tenant_id: String,
    realm_id: String,
}

#[derive(Deserialize)]
struct IdentityPath {
    tenant_id: String,
    realm_id: String,
    identity_id: String,
}

/// An authorized admin call on a realm: the `Authorization: Bearer` token
/// (or console session) reaches the path's tenant and realm, which exists
/// (see `admin_auth::authorize_realm` for the answers when it does not).
pub struct RealmAdmin(pub Realm);

impl FromRequestParts<AppState> for RealmAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Path(p) = Path::<RealmPath>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let realm =
            authorize_realm(state, &parts.method, &parts.headers, &p.tenant_id, &p.realm_id).await.map_err(IntoResponse::into_response)?;
        Ok(RealmAdmin(realm))
    }
}

/// An authorized admin call on an identity: as [`RealmAdmin`], and the
/// path's identity exists in the realm.
pub struct IdentityAdmin {
    pub realm: Realm,
    pub identity: Identity,
    /// Who acts (the token's ID), for the audit log.
    pub actor: Actor,
}

impl FromRequestParts<AppState> for IdentityAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Path(p) = Path::<IdentityPath>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let (realm, identity, actor) = authorize_identity(state, &parts.method, &parts.headers, &p.tenant_id, &p.realm_id, &p.identity_id)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(IdentityAdmin { realm, identity, actor })
    }
}

/// The tenant of an admin path (other path parameters are ignored).
#[derive(Deserialize)]
struct TenantPath {
    tenant_id: String,
}

/// An authorized admin call on a tenant as a whole (`/v1/tenants/{tenant_id}/…`
/// without a realm): the caller belongs to the path's tenant. A realm-scoped
/// caller passes too; the route confines it (`Caller::realm_scope`).
pub struct TenantAdmin(pub Caller);

impl FromRequestParts<AppState> for TenantAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Path(p) = Path::<TenantPath>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let caller = authorize_tenant(state, &parts.method, &parts.headers, &p.tenant_id).await.map_err(IntoResponse::into_response)?;
        Ok(TenantAdmin(caller))
    }
}

/// A JSON request body as `T`; a body that is not one is `invalid_argument`
/// with the field at fault in `details`. Too large a body is refused (413)
/// by the body limit before it is read.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        parse_json(&body, ErrorCode::InvalidArgument).map(ApiJson).map_err(IntoResponse::into_response)
    }
}

/// `?page_size=&page_token=` of a list call (`routes::parse_page`).
pub struct Paging(pub Page);

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(query) = RawQuery::from_request_parts(parts, state).await.unwrap_or(RawQuery(None));
        parse_page(query.as_deref()).map(Paging)
    }
}

/// The peer's address, when the server was started with connect info
/// (`startup::start` always is); `None` otherwise.
#[derive(Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}
