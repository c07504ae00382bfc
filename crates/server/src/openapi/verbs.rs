//! The operations on `…/credential-binding-jobs/{job_id}[:verb]` and
//! `…/credentials/{credential_id}[:revoke]`. axum cannot route on a suffix of
//! a segment, so one segment handler per resource dispatches them
//! (`routes::credential_binding_jobs`, `routes::credentials`), and one
//! function there may serve several operations (`binding::preflight`, both
//! `OPTIONS`; `credentials::get_one`, `GET` and `:revoke`). Each operation is
//! documented here on a function of its own, as the path it is; these
//! functions are never called. `tests/openapi.rs` probes every documented
//! operation against the router, and the suites check the real answers
//! against these responses.

#![allow(dead_code)] // documentation only

use super::{AdminErrors, BrowserErrors, CredentialParams, JobParams};
use crate::routes::{CredentialView, JobView};
use passbind_protocol::wire::{BindCredentialRequest, BindCredentialResponse, InvokeAuthenticatorRequest, InvokeAuthenticatorResponse};
use passbind_protocol::ErrorBody;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(
    get_job,
    revoke_job,
    invoke_authenticator,
    open_binding_link,
    invoke_authenticator_preflight,
    bind_credential,
    bind_credential_preflight,
    get_credential,
    revoke_credential
))]
pub struct Api;

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{job_id}",
    operation_id = "getCredentialBindingJob",
    summary = "Get a credential-binding job",
    tag = "admin",
    security(("bearer" = [])),
    params(JobParams),
    responses((status = 200, description = "The job", body = JobView), AdminErrors)
)]
fn get_job() {}

#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{job_id}:revoke",
    operation_id = "revokeCredentialBindingJob",
    summary = "Revoke a job: its link stops working (revoking a REVOKED job answers it again)",
    tag = "admin",
    security(("bearer" = [])),
    params(JobParams),
    responses(
        (status = 200, description = "The job, REVOKED", body = JobView),
        AdminErrors,
        (status = 409, description = "JOB_COMPLETE: revoke the credential instead", body = ErrorBody),
        (status = 422, description = "failed_precondition: the job is EXPIRED or FAILED_TO_SEND", body = ErrorBody)
    )
)]
fn revoke_job() {}

#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{job_id}:invokeAuthenticator",
    operation_id = "invokeAuthenticator",
    summary = "Start a WebAuthn ceremony (the link's token authorizes; CORS for the config's trusted origins)",
    tag = "browser",
    params(JobParams),
    request_body = InvokeAuthenticatorRequest,
    responses((status = 200, description = "A new ceremony: creation options for navigator.credentials.create", body = InvokeAuthenticatorResponse), BrowserErrors)
)]
fn invoke_authenticator() {}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{job_id}:invokeAuthenticator",
    operation_id = "openBindingLink",
    summary = "A browser opening the API-form link: 302 to the page that binds; the job becomes LINK_OPENED",
    description = "A link that cannot be used is not redirected: a browser (Accept: text/html) gets a short HTML page saying why, other clients the JSON error.",
    tag = "browser",
    params(JobParams, ("token" = String, Query, description = "The link's token")),
    responses(
        (status = 302, description = "To {public_url}/bind (hosted_web) or {invoke_url}/bind (embedded), with the link's parts and token in the query",
            headers(("location" = String, description = "The bind page"))),
        (status = 400, description = "INVALID_LINK (JSON clients)", body = ErrorBody),
        (status = 403, description = "IDENTITY_SUSPENDED (HTML page)", content_type = "text/html", body = String),
        (status = 404, description = "INVALID_LINK (HTML page)", content_type = "text/html", body = String),
        (status = 409, description = "JOB_COMPLETE", content((ErrorBody = "application/json"), (String = "text/html"))),
        (status = 410, description = "LINK_EXPIRED or JOB_REVOKED", content((ErrorBody = "application/json"), (String = "text/html"))),
        (status = 422, description = "IDENTITY_SUSPENDED (JSON clients)", body = ErrorBody),
        (status = 429, description = "resource_exhausted: too many failed token attempts", body = ErrorBody)
    )
)]
fn open_binding_link() {}

#[utoipa::path(
    options,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{job_id}:invokeAuthenticator",
    operation_id = "invokeAuthenticatorPreflight",
    summary = "CORS preflight (allows only the service's own origin and the config's trusted origins)",
    tag = "browser",
    params(JobParams),
    responses((status = 204, description = "Preflight answer"))
)]
fn invoke_authenticator_preflight() {}

#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{job_id}:bindCredential",
    operation_id = "bindCredential",
    summary = "Verify the new credential, store it and complete the job (a retry of the same request answers the same)",
    tag = "browser",
    params(JobParams),
    request_body = BindCredentialRequest,
    responses((status = 200, description = "The bound passkey", body = BindCredentialResponse), BrowserErrors)
)]
fn bind_credential() {}

#[utoipa::path(
    options,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{job_id}:bindCredential",
    operation_id = "bindCredentialPreflight",
    summary = "CORS preflight (allows only the service's own origin and the config's trusted origins)",
    tag = "browser",
    params(JobParams),
    responses((status = 204, description = "Preflight answer"))
)]
fn bind_credential_preflight() {}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials/{credential_id}",
    operation_id = "getCredential",
    summary = "Get a credential",
    tag = "admin",
    security(("bearer" = [])),
    params(CredentialParams),
    responses((status = 200, description = "The credential", body = CredentialView), AdminErrors)
)]
fn get_credential() {}

#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials/{credential_id}:revoke",
    operation_id = "revokeCredential",
    summary = "Revoke a credential (it stays listed, REVOKED; revoking twice is harmless)",
    tag = "admin",
    security(("bearer" = [])),
    params(CredentialParams),
    responses((status = 200, description = "The credential, REVOKED", body = CredentialView), AdminErrors)
)]
fn revoke_credential() {}
