//! `GET /v1/tenants/{t}/realms/{r}/events`: the realm's audit log (issue 11,
//! part 3), every credential-binding job and credential state change, read
//! only (the store writes them with the changes themselves).
//!
//! Newest first: an audit log is read from the latest change back, and a
//! page token then names a point in the past, so events recorded while a
//! reader pages on never shift the pages still to come.

use crate::error::{ApiError, ApiResult};
use crate::extract::RealmAdmin;
use crate::openapi::{AdminErrors, RealmParams};
use crate::paging::{list_body, page_token, parse_page};
use crate::state::AppState;
use crate::store::{Event, EventFilter, EventType};
use crate::util::format_time;
use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/tenants/{tenant_id}/realms/{realm_id}/events", get(list))
}

/// This module's operations in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list))]
pub struct Api;

/// One recorded change.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Event)]
pub struct EventView {
    id: String,
    #[serde(rename = "type")]
    #[schema(schema_with = crate::openapi::event_type)]
    type_: &'static str,
    tenant_id: String,
    realm_id: String,
    identity_id: String,
    /// The job that changed (`CredentialBindingJobChange`)
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_binding_job_id: Option<String>,
    /// passbind's ID of the credential record that changed (`CredentialChange`)
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_id: Option<String>,
    actor: ActorView,
    #[schema(format = DateTime)]
    create_time: String,
    /// The state replaced: a job's or a credential's; null when the change created it
    state_before: Option<String>,
    /// The state after the change
    state_after: String,
}

/// Who made the change: an admin API token (by its ID), a console session
/// (by its ID), the binding link's holder (the browser), or the service itself.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = EventActor)]
pub struct ActorView {
    #[serde(rename = "type")]
    #[schema(schema_with = crate::openapi::actor_type)]
    type_: &'static str,
    /// The API token's ID (`API_TOKEN`) or the console session's ID (`CONSOLE_SESSION`)
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        EventView {
            id: e.id.to_string(),
            type_: e.event_type.as_str(),
            tenant_id: e.tenant_id.to_string(),
            realm_id: e.realm_id.to_string(),
            identity_id: e.identity_id.to_string(),
            credential_binding_job_id: e.job_id.as_ref().map(ToString::to_string),
            credential_id: e.credential_id.as_ref().map(ToString::to_string),
            actor: ActorView { type_: e.actor.type_str(), id: e.actor.id().map(str::to_owned) },
            create_time: format_time(e.create_time),
            state_before: e.state_before.clone(),
            state_after: e.state_after.clone(),
        }
    }
}

/// The filters out of the query; the rest goes to `parse_page` (which
/// refuses unknown parameters, as every list does).
fn parse_filter(query: Option<&str>) -> ApiResult<(EventFilter, String)> {
    let mut filter = EventFilter::default();
    let mut rest = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let value = || Some(v.to_string()).filter(|v| !v.is_empty());
        match &*k {
            "identity_id" => filter.identity_id = value(),
            "job_id" => filter.job_id = value(),
            "credential_id" => filter.credential_id = value(),
            "type" if v.is_empty() => filter.event_type = None,
            "type" => {
                let t: EventType =
                    v.parse().map_err(|_| ApiError::invalid_argument("type", "must be CredentialBindingJobChange or CredentialChange"))?;
                filter.event_type = Some(t);
            }
            _ => {
                rest.append_pair(&k, &v);
            }
        }
    }
    Ok((filter, rest.finish()))
}

/// `?page_size=&page_token=` and the filters of the events list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documentation only: `parse_filter` reads the query
pub struct EventQuery {
    /// Items per page (default 50; 0 means the default; more than 1000 is taken as 1000)
    #[param(minimum = 0)]
    page_size: Option<i64>,
    /// `next_page_token` of the previous page (older events)
    page_token: Option<String>,
    /// Only this identity's events
    identity_id: Option<String>,
    /// Only events of this type
    #[param(rename = "type", schema_with = crate::openapi::event_type)]
    event_type: Option<String>,
    /// Only this credential-binding job's events
    job_id: Option<String>,
    /// Only this credential record's events
    credential_id: Option<String>,
}

/// `GET …/events?page_size=&page_token=&identity_id=&type=&job_id=&credential_id=`
/// → `{events, total_size, next_page_token?}`, newest first.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/events",
    operation_id = "listEvents",
    summary = "List the realm's change events (audit log), newest first, paginated and filtered",
    tag = "admin",
    security(("bearer" = [])),
    params(RealmParams, EventQuery),
    responses((status = 200, description = "A page of events, newest first", body = crate::openapi::EventList), AdminErrors)
)]
async fn list(
    State(state): State<AppState>,
    RealmAdmin(realm): RealmAdmin,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    let (filter, rest) = parse_filter(query.as_deref())?;
    let page = parse_page(Some(&rest))?;
    let (tenant_id, realm_id) = (&realm.tenant_id, &realm.id);
    let mut events = state.events.list_events(tenant_id, realm_id, &filter, page.size + 1, page.after).await?;
    let total = state.events.count_events(tenant_id, realm_id, &filter).await?;
    let next = if events.len() as i64 > page.size {
        events.truncate(page.size as usize);
        events.last().map(|e| page_token(e.create_time, &e.id))
    } else {
        None
    };
    let mut body = list_body("events", events.iter().map(EventView::from).collect());
    body["total_size"] = total.into();
    if let Some(next) = next {
        body["next_page_token"] = next.into();
    }
    Ok(Json(body))
}

/// The list's query: filters, then paging (fuzz/, issue 13).
#[cfg(feature = "fuzzing")]
pub fn fuzz_input(query: &str) {
    if let Ok((_, rest)) = parse_filter(Some(query)) {
        let _ = parse_page(Some(&rest));
    }
}
