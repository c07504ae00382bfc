//! `/v1/tenants/{t}/realms/{r}/identities/{i}/credential-binding-jobs`.
//!
//! The last path segment is `{job}` or `{job}:verb` (Google API style). axum
//! cannot split one segment with a route parameter, so the segment is
//! captured whole and dispatched here: `GET {job}` (admin), `POST
//! {job}:revoke` (admin), and the browser's `{job}:invokeAuthenticator` /
//! `{job}:bindCredential` (in `binding`).

use super::binding::{self, JobPath};
use super::{is_secure_or_loopback, JobView};
use crate::admin_auth::authorize_identity;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ClientAddr, IdentityAdmin, Paging};
use crate::mail::{self, MailError};
use crate::openapi::{AdminErrors, IdentityParams, PageQuery, TooLarge};
use crate::paging::paged_body;
use crate::state::AppState;
use crate::store::{Actor, DeliveryMethod, IdentityStatus, Job, JobState, StoreError};
use crate::util::{hash_secret, new_id, new_secret, now_micros, SECOND};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use passbind_protocol::{BindingLink, ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

/// Jobs expire after 7 days unless completed (the default of `--job-expiry-seconds`).
pub const JOB_LIFETIME: i64 = 7 * 24 * 3600 * SECOND;

const JOBS: &str = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(JOBS, get(list).post(create))
        .route(&format!("{JOBS}/{{job_segment}}"), get(get_segment).post(post_segment).options(options_segment))
}

/// This module's operations in the OpenAPI document (`crate::openapi`); the
/// `{job_segment}` ones (`GET {job_id}`, `:revoke`, the browser endpoints)
/// are documented as their own paths in `openapi::verbs`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list))]
pub struct Api;

type SegmentPath = Path<(String, String, String, String)>;

/// Splits `{job}:verb`; the verb is `None` for a plain `{job}`.
fn split_segment((tenant_id, realm_id, identity_id, segment): (String, String, String, String)) -> (JobPath, Option<String>) {
    let (job_id, verb) = match segment.split_once(':') {
        Some((j, v)) => (j.to_owned(), Some(v.to_owned())),
        None => (segment, None),
    };
    (JobPath { tenant_id, realm_id, identity_id, job_id }, verb)
}

fn no_such_method() -> Response {
    ApiError::new(ErrorCode::NotFound, "no such method on a credential-binding job").into_response()
}

async fn get_segment(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(p): SegmentPath,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match split_segment(p) {
        (path, None) => get_job(&state, &headers, &path).await.into_response(),
        // A browser opening the API-form link (e.g. from an email).
        (path, Some(v)) if v == "invokeAuthenticator" => binding::open_link(&state, client, &path, &headers, query.as_deref()).await,
        _ => no_such_method(),
    }
}

async fn post_segment(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(p): SegmentPath,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match split_segment(p) {
        (path, Some(v)) if v == "invokeAuthenticator" => binding::invoke(&state, client, &path, &headers, &body).await,
        (path, Some(v)) if v == "bindCredential" => binding::bind(&state, client, &path, &headers, &body).await,
        (path, Some(v)) if v == "revoke" => revoke(&state, &headers, &path).await.into_response(),
        _ => no_such_method(),
    }
}

async fn options_segment(State(state): State<AppState>, Path(p): SegmentPath, headers: HeaderMap) -> Response {
    match split_segment(p) {
        (path, Some(v)) if v == "invokeAuthenticator" || v == "bindCredential" => binding::preflight(&state, &path, &headers).await,
        _ => no_such_method(),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CredentialBindingJobCreate)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    job: JobInput,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = CredentialBindingJobInput)]
#[serde(deny_unknown_fields)]
struct JobInput {
    #[schema(schema_with = crate::openapi::delivery_method)]
    delivery_method: String,
    authenticator_config_id: String,
    #[serde(default)]
    post_binding_redirect_uri: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CredentialBindingJobCreated)]
struct CreateResponse {
    credential_binding_job: JobView,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential_binding_link: Option<String>,
}

/// Creates a job. `RETURN` answers the link; `EMAIL` sends it in an
/// enrollment email and answers the job only (as in the seeds).
///
/// EMAIL order, so the job row always tells the truth: everything that can be
/// checked is checked first (identity active, has a usable address); then the
/// job is stored as `LINK_SENT` and the email sent; if sending fails the job
/// is set `FAILED_TO_SEND` (its link never works) and the answer is 502
/// `delivery_failed` (the SMTP server refused) or 503 `unavailable` (down,
/// timed out, 4xx). Sending and marking run in their own task, so a caller
/// who hangs up cannot leave a job `LINK_SENT` whose email failed. An email
/// never carries the link of a job that does not exist.
#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs",
    operation_id = "createCredentialBindingJob",
    summary = "Create a credential-binding job (RETURN answers the link; EMAIL sends it)",
    tag = "admin",
    security(("bearer" = [])),
    params(IdentityParams),
    request_body = CreateRequest,
    responses((status = 200, description = "The job, and its link for RETURN", body = CreateResponse), AdminErrors, TooLarge,
        (status = 422, description = "failed_precondition: the identity is not active, or has no usable email address for EMAIL", body = ErrorBody),
        (status = 502, description = "delivery_failed: the SMTP server refused the email (the job is FAILED_TO_SEND)", body = ErrorBody),
        (status = 503, description = "unavailable: the SMTP server could not be reached or timed out (the job is FAILED_TO_SEND), or the database is unavailable", body = ErrorBody))
)]
async fn create(
    State(state): State<AppState>,
    IdentityAdmin { realm, identity, actor }: IdentityAdmin,
    ApiJson(req): ApiJson<CreateRequest>,
) -> ApiResult<Json<CreateResponse>> {
    let input = req.job;
    let delivery_method: DeliveryMethod =
        input.delivery_method.parse().map_err(|_| ApiError::invalid_argument("job.delivery_method", "must be RETURN or EMAIL"))?;
    let email = delivery_method == DeliveryMethod::Email;
    if state.configs.get_authenticator_config(&realm.tenant_id, &realm.id, &input.authenticator_config_id).await?.is_none() {
        return Err(ApiError::invalid_argument("job.authenticator_config_id", "no such authenticator config in this realm"));
    }
    if let Some(uri) = &input.post_binding_redirect_uri {
        let ok = passbind_protocol::parse_url(uri)
            .map(|u| is_secure_or_loopback(&u) && u.username().is_empty() && u.password().is_none())
            .unwrap_or(false);
        if !ok || uri.len() > 2048 {
            return Err(ApiError::invalid_argument(
                "job.post_binding_redirect_uri",
                "must be an absolute https URL (http only on loopback)",
            ));
        }
    }
    if identity.status != IdentityStatus::Active {
        return Err(ApiError::new(ErrorCode::FailedPrecondition, "the identity is not active"));
    }
    const EMAIL_FIELD: &str = "identity.traits.primary_email_address";
    if email && identity.email_address.is_none() {
        return Err(ApiError::new(ErrorCode::FailedPrecondition, "the identity has no email address: EMAIL delivery needs one")
            .with_detail(Some(EMAIL_FIELD), "required for EMAIL delivery; set it with PATCH on the identity"));
    }
    let now = now_micros();
    let token = new_secret();
    let job = Job {
        id: new_id().into(),
        tenant_id: identity.tenant_id.clone(),
        realm_id: identity.realm_id.clone(),
        identity_id: identity.id.clone(),
        delivery_method,
        state: JobState::LinkSent,
        authenticator_config_id: input.authenticator_config_id.into(),
        post_binding_redirect_uri: input.post_binding_redirect_uri,
        token_hash: hash_secret(&token),
        expire_time: now + state.job_lifetime,
        create_time: now,
        update_time: now,
        completed_ceremony_id: None,
        credential_record_id: None,
    };
    let link = BindingLink {
        api_base: state.public_url.clone(),
        tenant_id: job.tenant_id.to_string(),
        realm_id: job.realm_id.to_string(),
        identity_id: job.identity_id.to_string(),
        job_id: job.id.to_string(),
        token,
    };
    if !email {
        state.jobs.insert_job(&job, &actor).await?;
        return Ok(Json(CreateResponse { credential_binding_job: JobView::new(&job, now), credential_binding_link: Some(link.api_url()) }));
    }

    let branding = state.branding.get_email_branding(&realm.tenant_id, &realm.id).await?.map(|b| b.branding).unwrap_or_default();
    let outgoing =
        mail::compose(&state.mail_from, &branding, &identity, &realm, &link.api_url(), job.expire_time, &job.id).map_err(|e| {
            ApiError::new(ErrorCode::FailedPrecondition, "the identity's email address cannot receive mail")
                .with_detail(Some(EMAIL_FIELD), e.to_string())
        })?;
    state.jobs.insert_job(&job, &actor).await?;
    let task_state = state.clone();
    let job_id = job.id.clone();
    let sent = tokio::spawn(async move {
        let result = task_state.mailer.send(&outgoing).await;
        if let Err(e) = &result {
            tracing::warn!(job = %job_id, error = %e, "enrollment email not sent: job FAILED_TO_SEND");
            task_state.jobs.set_job_state(&job_id, JobState::FailedToSend, now_micros(), &Actor::System).await?;
        } else {
            tracing::info!(job = %job_id, "enrollment email sent");
        }
        Ok::<_, StoreError>(result)
    })
    .await
    .map_err(ApiError::internal)??;
    if let Err(e) = sent {
        let (code, message) = match &e {
            MailError::Rejected(_) => (ErrorCode::DeliveryFailed, "the SMTP server refused the enrollment email"),
            MailError::Unavailable(_) | MailError::BadAddress(_) => {
                (ErrorCode::Unavailable, "the enrollment email could not be sent: the SMTP server is unavailable, try again later")
            }
        };
        return Err(ApiError::new(code, message)
            .with_detail(None, e.to_string())
            .with_detail(Some("credential_binding_job.id"), format!("job {} is FAILED_TO_SEND", job.id)));
    }
    Ok(Json(CreateResponse { credential_binding_job: JobView::new(&job, now), credential_binding_link: None }))
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs",
    operation_id = "listCredentialBindingJobs",
    summary = "List an identity's credential-binding jobs, paginated",
    tag = "admin",
    security(("bearer" = [])),
    params(IdentityParams, PageQuery),
    responses((status = 200, description = "A page of jobs", body = crate::openapi::CredentialBindingJobList), AdminErrors)
)]
async fn list(
    State(state): State<AppState>,
    IdentityAdmin { identity, .. }: IdentityAdmin,
    Paging(page): Paging,
) -> ApiResult<Json<serde_json::Value>> {
    let now = now_micros();
    let jobs = state.jobs.list_jobs(&identity.tenant_id, &identity.realm_id, &identity.id).await?;
    Ok(Json(paged_body("credential_binding_jobs", &jobs, |j: &Job| (j.create_time, j.id.to_string()), |j| JobView::new(j, now), &page)))
}

/// The path's job, and who acts (the token's ID).
async fn load_job(state: &AppState, method: &Method, headers: &HeaderMap, p: &JobPath) -> ApiResult<(Job, Actor)> {
    let (_, _, actor) = authorize_identity(state, method, headers, &p.tenant_id, &p.realm_id, &p.identity_id).await?;
    let job = state
        .jobs
        .get_job(&p.tenant_id, &p.realm_id, &p.identity_id, &p.job_id)
        .await?
        .ok_or_else(|| ApiError::not_found("credential binding job"))?;
    Ok((job, actor))
}

async fn get_job(state: &AppState, headers: &HeaderMap, p: &JobPath) -> ApiResult<Json<JobView>> {
    let (job, _) = load_job(state, &Method::GET, headers, p).await?;
    Ok(Json(JobView::new(&job, now_micros())))
}

async fn revoke(state: &AppState, headers: &HeaderMap, p: &JobPath) -> ApiResult<Json<JobView>> {
    let (job, actor) = load_job(state, &Method::POST, headers, p).await?;
    let now = now_micros();
    let current = super::effective_state(&job, now);
    match current {
        JobState::Complete => return Err(ApiError::new(ErrorCode::JobComplete, "the job is complete: revoke the credential instead")),
        JobState::Revoked => return Ok(Json(JobView::new(&job, now))),
        _ => {}
    }
    if current == JobState::Expired || !state.jobs.set_job_state(&job.id, JobState::Revoked, now, &actor).await? {
        return Err(ApiError::new(ErrorCode::FailedPrecondition, format!("the job is already {current}")));
    }
    // What set_job_state wrote (state and update_time): no second
    // authorization and read of the row.
    Ok(Json(JobView::new(&Job { state: JobState::Revoked, update_time: now, ..job }, now)))
}

/// The create body through the handler's parse and checks (fuzz/, issue 13).
#[cfg(feature = "fuzzing")]
pub fn fuzz_input(body: &[u8]) {
    let Ok(CreateRequest { job }) = crate::error::parse_json(body, ErrorCode::InvalidArgument) else { return };
    let _ = job.delivery_method.parse::<DeliveryMethod>();
    if let Some(uri) = &job.post_binding_redirect_uri {
        let _ = passbind_protocol::parse_url(uri).map(|u| is_secure_or_loopback(&u) && u.username().is_empty() && u.password().is_none());
    }
}
