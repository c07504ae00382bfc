//! `GET /v1/tenants/{t}/realms`: the tenant's realms (the CLI creates them).
//! A realm-scoped caller sees its own realm only.

use crate::error::ApiResult;
use crate::extract::TenantAdmin;
use crate::openapi::{AdminErrors, TenantParams};
use crate::state::AppState;
use crate::store::Realm;
use crate::util::format_time;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/tenants/{tenant_id}/realms", get(list))
}

/// This module's operations in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list))]
pub struct Api;

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Realm)]
pub struct RealmView {
    id: String,
    display_name: String,
    #[schema(format = DateTime)]
    create_time: String,
}

impl From<&Realm> for RealmView {
    fn from(r: &Realm) -> Self {
        RealmView { id: r.id.to_string(), display_name: r.display_name.clone(), create_time: format_time(r.create_time) }
    }
}

/// `{realms}`: every realm of the tenant the caller reaches, by creation.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = RealmList)]
pub struct RealmList {
    realms: Vec<RealmView>,
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms",
    operation_id = "listRealms",
    summary = "List the tenant's realms (a realm-scoped caller: its own)",
    tag = "admin",
    security(("bearer" = [])),
    params(TenantParams),
    responses((status = 200, description = "The realms", body = RealmList), AdminErrors)
)]
async fn list(State(state): State<AppState>, TenantAdmin(caller): TenantAdmin) -> ApiResult<Json<RealmList>> {
    let realms = state.tenants.list_realms(&caller.token.tenant_id).await?;
    let realms = realms.iter().filter(|r| caller.realm_scope().is_none_or(|scope| r.id == scope)).map(RealmView::from).collect();
    Ok(Json(RealmList { realms }))
}
