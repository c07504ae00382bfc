//! `/v1/tenants/{t}/webhooks`: a tenant's webhooks (issue 11, part 3) and
//! each one's delivery log. The dispatcher (`crate::webhooks`) sends them.
//!
//! Tenant-wide callers only: a webhook receives every realm's events, more
//! than a realm-scoped token may read, so such a token gets 403. The secret
//! is in the answer that creates the webhook and nowhere else.

use crate::admin_auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Paging, TenantAdmin};
use crate::openapi::{AdminErrors, PageQuery, TenantParams, TooLarge};
use crate::paging::{list_body, page_token, paged_body};
use crate::routes::is_secure_or_loopback;
use crate::state::AppState;
use crate::store::{DeliveryState, Webhook, WebhookDelivery};
use crate::util::{format_time, new_id, now_micros};
use crate::webhooks::signing;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use passbind_protocol::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// The longest webhook URL accepted.
pub const MAX_URL_LEN: usize = 2048;
/// The longest description accepted (bytes).
const MAX_DESCRIPTION_LEN: usize = 256;

/// The webhook routes (merged in `app.rs`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tenants/{tenant_id}/webhooks", get(list).post(create))
        .route("/v1/tenants/{tenant_id}/webhooks/{webhook_id}", get(get_one).delete(delete_one))
        .route("/v1/tenants/{tenant_id}/webhooks/{webhook_id}/deliveries", get(list_deliveries))
}

/// This module's operations in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, get_one, delete_one, list_deliveries), components(schemas(WebhookList, DeliveryList)))]
pub struct Api;

/// A webhook, without its secret.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Webhook)]
pub struct WebhookView {
    id: String,
    /// Where events are POSTed (https, or http on a loopback host)
    url: String,
    /// What it is for ("" when not given)
    description: String,
    #[schema(format = DateTime)]
    create_time: String,
}

impl From<&Webhook> for WebhookView {
    fn from(w: &Webhook) -> Self {
        WebhookView {
            id: w.id.to_string(),
            url: w.url.clone(),
            description: w.description.clone(),
            create_time: format_time(w.create_time),
        }
    }
}

/// A new webhook: its view and, this once, its signing secret.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CreatedWebhook)]
pub struct CreatedWebhookView {
    #[serde(flatten)]
    view: WebhookView,
    /// `whsec_…`: the key of the payloads' signatures (Standard Webhooks); shown only now
    secret: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookCreate)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    /// Where to POST events: https, or http on a loopback host; at most 2048 characters, no user info or fragment
    url: String,
    /// What the webhook is for (at most 256 bytes of printable text)
    #[serde(default)]
    description: Option<String>,
}

/// `DeliveryState`'s spellings.
fn delivery_state() -> Object {
    let all = [DeliveryState::Pending, DeliveryState::Succeeded, DeliveryState::Failed];
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(all.map(DeliveryState::as_str))).build()
}

/// One event's delivery to the webhook.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = WebhookDelivery)]
pub struct DeliveryView {
    id: String,
    /// The event delivered (also the `webhook-id` header of each attempt)
    event_id: String,
    #[schema(schema_with = crate::openapi::event_type)]
    event_type: &'static str,
    #[schema(schema_with = delivery_state)]
    state: &'static str,
    /// Attempts made so far
    attempts: i64,
    /// null before the first attempt
    #[schema(format = DateTime)]
    last_attempt_time: Option<String>,
    /// When the next attempt is due (PENDING only; null otherwise)
    #[schema(format = DateTime)]
    next_attempt_time: Option<String>,
    /// The receiver's HTTP status at the last attempt; null when it did not answer (or before any attempt)
    last_status_code: Option<i64>,
    /// Why the last attempt failed; null when it succeeded or none was made
    last_error: Option<String>,
    /// When the event was queued for this webhook
    #[schema(format = DateTime)]
    create_time: String,
}

impl From<&WebhookDelivery> for DeliveryView {
    fn from(d: &WebhookDelivery) -> Self {
        DeliveryView {
            id: d.id.to_string(),
            event_id: d.event_id.to_string(),
            event_type: d.event_type.as_str(),
            state: d.state.as_str(),
            attempts: d.attempts,
            last_attempt_time: d.last_attempt_time.map(format_time),
            next_attempt_time: (d.state == DeliveryState::Pending).then(|| format_time(d.next_attempt_time)),
            last_status_code: d.last_status_code,
            last_error: d.last_error.clone(),
            create_time: format_time(d.create_time),
        }
    }
}

/// A list page of webhooks.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documentation only: built by `paging::paged_body`
pub struct WebhookList {
    webhooks: Vec<WebhookView>,
    /// All items of the list, on every page
    total_size: u64,
    /// Absent on the last page
    next_page_token: Option<String>,
}

/// A list page of a webhook's deliveries, newest first.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct DeliveryList {
    deliveries: Vec<DeliveryView>,
    total_size: u64,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct WebhookPath {
    tenant_id: String,
    webhook_id: String,
}

/// `…/webhooks/{webhook_id}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // documentation only
struct WebhookParams {
    tenant_id: String,
    webhook_id: String,
}

/// Webhooks are the whole tenant's: a realm-scoped caller may not see or manage them.
fn tenant_wide(caller: Caller) -> ApiResult<Caller> {
    match caller.realm_scope() {
        None => Ok(caller),
        Some(_) => {
            Err(ApiError::new(ErrorCode::PermissionDenied, "webhooks need a tenant-wide caller: this API token is confined to one realm"))
        }
    }
}

/// The URL a webhook may have, normalized: https, or http on a loopback host.
fn check_url(raw: &str) -> ApiResult<String> {
    let bad = |why: &str| ApiError::invalid_argument("url", why);
    if raw.len() > MAX_URL_LEN {
        return Err(bad("must be at most 2048 characters"));
    }
    let url = passbind_protocol::parse_url(raw.trim()).map_err(|_| bad("must be an absolute URL"))?;
    if !is_secure_or_loopback(&url) {
        return Err(bad("must be https, or http on a loopback host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not carry a user name or password"));
    }
    if url.fragment().is_some() {
        return Err(bad("must not have a fragment"));
    }
    if url.as_str().len() > MAX_URL_LEN {
        return Err(bad("must be at most 2048 characters"));
    }
    // The sender POSTs through hyper, whose URI grammar (RFC 3986) is stricter than the URL
    // standard's: `https://a{b.example/` parses here but could never be delivered to (fuzz/).
    if url.as_str().parse::<axum::http::Uri>().is_err() {
        return Err(bad("must be a URL an HTTP client can request (RFC 3986 characters only in the host)"));
    }
    Ok(url.into())
}

fn check_description(description: Option<String>) -> ApiResult<String> {
    let description = description.unwrap_or_default().trim().to_owned();
    if description.len() > MAX_DESCRIPTION_LEN || description.chars().any(char::is_control) {
        return Err(ApiError::invalid_argument("description", "must be at most 256 bytes of printable text"));
    }
    Ok(description)
}

/// The tenant's live webhook named in the path (404 when deleted or another tenant's).
async fn webhook_of(state: &AppState, caller: &Caller, p: &WebhookPath) -> ApiResult<Webhook> {
    debug_assert_eq!(caller.token.tenant_id, p.tenant_id);
    state.webhooks.get_webhook(&caller.token.tenant_id, &p.webhook_id).await?.ok_or_else(|| ApiError::not_found("webhook"))
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/webhooks",
    operation_id = "listWebhooks",
    summary = "List the tenant's webhooks (tenant-wide callers only), paginated; secrets are never shown",
    tag = "admin",
    security(("bearer" = [])),
    params(TenantParams, PageQuery),
    responses((status = 200, description = "A page of webhooks", body = WebhookList), AdminErrors)
)]
async fn list(State(state): State<AppState>, TenantAdmin(caller): TenantAdmin, Paging(page): Paging) -> ApiResult<Json<serde_json::Value>> {
    let caller = tenant_wide(caller)?;
    let webhooks = state.webhooks.list_webhooks(&caller.token.tenant_id).await?;
    let key = |w: &Webhook| (w.create_time, w.id.to_string());
    Ok(Json(paged_body("webhooks", &webhooks, key, |w| WebhookView::from(w), &page)))
}

#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/webhooks",
    operation_id = "createWebhook",
    summary = "Create a webhook: every later change event of the tenant is POSTed to it, signed (Standard Webhooks); the answer holds the secret, shown this once",
    tag = "admin",
    security(("bearer" = [])),
    params(TenantParams),
    request_body = CreateRequest,
    responses((status = 201, description = "The webhook and its signing secret", body = CreatedWebhookView), AdminErrors, TooLarge)
)]
async fn create(
    State(state): State<AppState>,
    TenantAdmin(caller): TenantAdmin,
    ApiJson(req): ApiJson<CreateRequest>,
) -> ApiResult<(StatusCode, Json<CreatedWebhookView>)> {
    let caller = tenant_wide(caller)?;
    let url = check_url(&req.url)?;
    let description = check_description(req.description)?;
    let now = now_micros();
    let webhook = Webhook {
        id: new_id().into(),
        tenant_id: caller.token.tenant_id.clone(),
        url,
        description,
        secret: signing::new_secret(),
        create_time: now,
        delete_time: None,
        cursor_time: now,
    };
    state.webhooks.insert_webhook(&webhook).await?;
    let secret = webhook.secret.expose().to_owned();
    Ok((StatusCode::CREATED, Json(CreatedWebhookView { view: WebhookView::from(&webhook), secret })))
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/webhooks/{webhook_id}",
    operation_id = "getWebhook",
    summary = "Get a webhook (without its secret)",
    tag = "admin",
    security(("bearer" = [])),
    params(WebhookParams),
    responses((status = 200, description = "The webhook", body = WebhookView), AdminErrors)
)]
async fn get_one(
    State(state): State<AppState>,
    TenantAdmin(caller): TenantAdmin,
    Path(p): Path<WebhookPath>,
) -> ApiResult<Json<WebhookView>> {
    let caller = tenant_wide(caller)?;
    Ok(Json(WebhookView::from(&webhook_of(&state, &caller, &p).await?)))
}

#[utoipa::path(
    delete,
    path = "/v1/tenants/{tenant_id}/webhooks/{webhook_id}",
    operation_id = "deleteWebhook",
    summary = "Delete a webhook: nothing more is delivered to it (one attempt already under way may still arrive)",
    tag = "admin",
    security(("bearer" = [])),
    params(WebhookParams),
    responses((status = 204, description = "Deleted"), AdminErrors)
)]
async fn delete_one(State(state): State<AppState>, TenantAdmin(caller): TenantAdmin, Path(p): Path<WebhookPath>) -> ApiResult<StatusCode> {
    let caller = tenant_wide(caller)?;
    if !state.webhooks.delete_webhook(&caller.token.tenant_id, &p.webhook_id, now_micros()).await? {
        return Err(ApiError::not_found("webhook"));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/webhooks/{webhook_id}/deliveries",
    operation_id = "listWebhookDeliveries",
    summary = "A webhook's delivery log, newest first, paginated: each event's state, attempts and last outcome",
    tag = "admin",
    security(("bearer" = [])),
    params(WebhookParams, PageQuery),
    responses((status = 200, description = "A page of deliveries, newest first", body = DeliveryList), AdminErrors)
)]
async fn list_deliveries(
    State(state): State<AppState>,
    TenantAdmin(caller): TenantAdmin,
    Path(p): Path<WebhookPath>,
    Paging(page): Paging,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = tenant_wide(caller)?;
    let webhook = webhook_of(&state, &caller, &p).await?;
    let mut deliveries = state.webhooks.list_deliveries(&webhook.id, page.size + 1, page.after).await?;
    let total = state.webhooks.count_deliveries(&webhook.id).await?;
    let next = if deliveries.len() as i64 > page.size {
        deliveries.truncate(page.size as usize);
        deliveries.last().map(|d| page_token(d.create_time, &d.id))
    } else {
        None
    };
    let mut body = list_body("deliveries", deliveries.iter().map(DeliveryView::from).collect());
    body["total_size"] = total.into();
    if let Some(next) = next {
        body["next_page_token"] = next.into();
    }
    Ok(Json(body))
}

/// The create body through the handler's parse and checks (fuzz/, issue 13).
#[cfg(feature = "fuzzing")]
pub fn fuzz_input(body: &[u8]) {
    if let Ok(req) = crate::error::parse_json::<CreateRequest>(body, ErrorCode::InvalidArgument) {
        if let Ok(url) = check_url(&req.url) {
            // What is stored is what the check answers: it passes again.
            assert_eq!(check_url(&url).ok().as_ref(), Some(&url), "webhook URL {:?}", req.url);
            // And the sender can POST to it (webhooks::sender parses it as an http::Uri).
            assert!(url.parse::<axum::http::Uri>().is_ok(), "accepted webhook URL the sender cannot use: {url:?}");
        }
        let _ = check_description(req.description);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_are_https_or_loopback_http() {
        assert_eq!(check_url("https://hooks.example.com/passbind?x=1").unwrap(), "https://hooks.example.com/passbind?x=1");
        assert_eq!(check_url("HTTP://127.0.0.1:9000/h").unwrap(), "http://127.0.0.1:9000/h");
        assert!(check_url("http://localhost/h").is_ok());
        assert!(check_url("http://[::1]:8/h").is_ok());
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        for bad in
            ["http://example.com/h", "ftp://example.com/", "/relative", "", "https://user:pw@example.com/", "https://example.com/#f", &long]
        {
            let e = check_url(bad).unwrap_err();
            assert_eq!(e.0.code, ErrorCode::InvalidArgument, "{bad}");
            assert_eq!(e.0.details[0].field.as_deref(), Some("url"), "{bad}");
        }
    }

    /// Found by fuzzing (fuzz/corpus/admin_body): the URL standard allows `{` and `}` in a host, the
    /// sender's URI parser does not, so such a webhook could never deliver; `DŻ` panicked in debug builds.
    #[test]
    fn webhook_urls_the_sender_cannot_request_are_refused() {
        for bad in ["https://hoo{s.example.com/passbind?x=1", "https://hooks}.example.com/", "http://local{host/h", "https://DŻ.example/h"]
        {
            let e = check_url(bad).unwrap_err();
            assert_eq!(e.0.details[0].field.as_deref(), Some("url"), "{bad}");
        }
        for good in ["https://hooks.example.com/a{b}?q={x}|y", "https://xn--bcher-kva.example/h"] {
            let url = check_url(good).unwrap();
            assert!(url.parse::<axum::http::Uri>().is_ok(), "{url}");
        }
    }
}
