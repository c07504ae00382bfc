//! `POST …:bindCredential`: verify the new credential, store it and
//! complete the job in one transaction; a retry of a completed bind answers
//! the same result again.

use super::*;

/// `POST …:bindCredential` → verify, store, complete the job.
pub async fn bind(state: &AppState, client: ClientAddr, p: &JobPath, headers: &HeaderMap, body: &[u8]) -> Response {
    let ctx = match load_context(state, p).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    let origin = cors_origin(state, headers, ctx.as_ref());
    let result = bind_inner(state, client, ctx, headers, body).await;
    if let Err(e) = &result {
        tracing::info!(code = e.code().as_str(), message = %e.0.message, "bindCredential refused");
    }
    with_cors(result.into_response(), origin)
}

async fn bind_inner(
    state: &AppState,
    client: ClientAddr,
    ctx: Option<Context>,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Json<BindCredentialResponse>> {
    // The token first, so nothing about the job leaks to a caller without it.
    let token: TokenOnly = parse_json(body, ErrorCode::InvalidLink)?;
    let ctx = authorize_token_limited(state, client, ctx, &token.token).await?;
    check_request_origin(state, headers, &ctx)?;
    let req: BindCredentialRequest = parse_json(body, ErrorCode::AttestationRejected)?;
    let now = now_micros();

    if ctx.job.state == JobState::Complete {
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
    // With the time: certificate validity and SafetyNet's timestamp are checked too;
    // §7.1 steps 22-24: trust and the config's policy, against the loaded metadata.
    let now_seconds = u64::try_from(now / SECOND).unwrap_or(0);
    let blob = trust::loaded_blob(state);
    let admitted = trust::admit::admit(&ctx.config, &expectation, &req.credential, blob.as_deref(), now_seconds)?;
    let credential = admitted.into_credential(&ctx.job, &ceremony.id, now);
    match state.binding.complete_binding(&credential, now).await {
        Ok(()) => {}
        Err(StoreError::JobNotOpen) => {
            // Another request completed the job meanwhile: maybe this same one.
            let job = state.binding.reload_job(&ctx.job.tenant_id, &ctx.job.realm_id, &ctx.job.identity_id, &ctx.job.id).await?;
            return match job {
                Some(job) if job.state == JobState::Complete => replay(state, &Context { job, ..ctx }, &req).await,
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
        passkey: passkey_view(&credential, &ctx.tenant, &ctx.realm, &ctx.identity, blob.as_deref()),
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
    let credential = state.binding.bound_credential(record_id).await?.ok_or_else(complete)?;
    if base64url::decode(&req.credential.raw_id).as_deref() != Some(credential.credential_id.as_slice()) {
        return Err(complete());
    }
    Ok(Json(BindCredentialResponse {
        passkey: passkey_view(&credential, &ctx.tenant, &ctx.realm, &ctx.identity, trust::loaded_blob(state).as_deref()),
        post_binding_redirect_uri: ctx.job.post_binding_redirect_uri.clone(),
    }))
}
