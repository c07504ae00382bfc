//! `/v1/console/session`: the admin console's sign-in (issue 11, part 1).
//! An admin API token is exchanged for a session cookie (`session.rs`); the
//! token itself never reaches the browser's storage. The session then calls
//! the admin API with exactly the token's scope (`admin_auth.rs`).

use crate::admin_auth::note_use;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::openapi::TooLarge;
use crate::session::{check_csrf, CookiePolicy};
use crate::state::AppState;
use crate::store::{ApiToken, ConsoleSession};
use crate::util::{constant_time_eq, format_time, hash_secret, new_id, new_secret, now_micros, SECOND};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use passbind_protocol::ErrorBody;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/console/session", post(sign_in).get(current).delete(sign_out))
}

/// This module's operations in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(sign_in, current, sign_out))]
pub struct Api;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ConsoleSignIn)]
#[serde(deny_unknown_fields)]
struct SignInRequest {
    /// An admin API token (`passbind-server token create`, or one created through the API)
    api_token: String,
}

/// A console session: whose token it uses and what that token reaches.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ConsoleSession)]
pub struct SessionView {
    session_id: String,
    tenant_id: String,
    /// The realm the token is confined to; null: the whole tenant
    realm_id: Option<String>,
    api_token_id: String,
    /// The token's description
    description: Option<String>,
    #[schema(format = DateTime)]
    expire_time: String,
}

impl SessionView {
    fn new(session: &ConsoleSession, token: &ApiToken) -> Self {
        SessionView {
            session_id: session.id.to_string(),
            tenant_id: token.tenant_id.to_string(),
            realm_id: token.realm_id.as_ref().map(ToString::to_string),
            api_token_id: token.id.to_string(),
            description: token.description.clone(),
            expire_time: format_time(session.expire_time),
        }
    }
}

/// The live session the request's cookie names, with its token.
async fn live_session(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<(ConsoleSession, ApiToken)>> {
    let Some(secret) = CookiePolicy::for_public_url(&state.public_url).secret(headers) else { return Ok(None) };
    let hash = hash_secret(secret);
    let found = state.sessions.active_session(&hash, now_micros()).await?;
    Ok(found.filter(|(s, _)| constant_time_eq(s.secret_hash.as_bytes(), hash.as_bytes())))
}

fn no_session() -> ApiError {
    ApiError::new(passbind_protocol::ErrorCode::Unauthenticated, "no console session: sign in with an admin API token")
}

#[utoipa::path(
    post,
    path = "/v1/console/session",
    operation_id = "createConsoleSession",
    summary = "Sign in to the admin console: exchange an admin API token for a session cookie",
    description = "Sets the session cookie (`__Host-passbind_session` behind https, `passbind_session` on a loopback http URL; \
        HttpOnly, SameSite=Strict, Path=/, Max-Age = the session's lifetime). Needs the header `X-Passbind-CSRF: 1` and, when \
        the browser sends `Origin`, the service's own origin. A session already named by the request's cookie is ended.",
    tag = "console",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = SessionView,
            headers(("set-cookie" = String, description = "The session cookie"))),
        (status = 400, description = "invalid_argument: the body", body = ErrorBody),
        (status = 401, description = "unauthenticated: unknown or revoked API token", body = ErrorBody),
        (status = 403, description = "permission_denied: no X-Passbind-CSRF header, or another origin", body = ErrorBody),
        TooLarge
    )
)]
async fn sign_in(State(state): State<AppState>, headers: HeaderMap, ApiJson(req): ApiJson<SignInRequest>) -> ApiResult<Response> {
    check_csrf(&headers, &state.public_origin)?;
    let secret = req.api_token.trim();
    if secret.is_empty() || secret.len() > 512 {
        return Err(ApiError::unauthenticated());
    }
    let hash = hash_secret(secret);
    let token = match state.api_tokens.api_token_by_hash(&hash).await? {
        Some(t) if constant_time_eq(t.token_hash.as_bytes(), hash.as_bytes()) => t,
        _ => return Err(ApiError::unauthenticated()),
    };
    let now = now_micros();
    if let Some((old, _)) = live_session(&state, &headers).await? {
        state.sessions.end_session(&old.id, now).await?;
    }
    let cookie_secret = new_secret();
    let session = ConsoleSession {
        id: new_id().into(),
        secret_hash: hash_secret(&cookie_secret),
        api_token_id: token.id.clone(),
        tenant_id: token.tenant_id.clone(),
        realm_id: token.realm_id.clone(),
        create_time: now,
        expire_time: now + state.console_session_lifetime,
        end_time: None,
    };
    state.sessions.create_session(&session).await?;
    note_use(&state, &token, now).await;
    let cookie = CookiePolicy::for_public_url(&state.public_url).set_cookie(&cookie_secret, state.console_session_lifetime / SECOND);
    Ok(([(header::SET_COOKIE, cookie)], Json(SessionView::new(&session, &token))).into_response())
}

#[utoipa::path(
    get,
    path = "/v1/console/session",
    operation_id = "getConsoleSession",
    summary = "The console session of the request's cookie",
    tag = "console",
    security(("console_session" = [])),
    responses(
        (status = 200, description = "The live session", body = SessionView),
        (status = 401, description = "unauthenticated: no cookie, or the session ended, expired or lost its token", body = ErrorBody)
    )
)]
async fn current(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Json<SessionView>> {
    let (session, token) = live_session(&state, &headers).await?.ok_or_else(no_session)?;
    Ok(Json(SessionView::new(&session, &token)))
}

#[utoipa::path(
    delete,
    path = "/v1/console/session",
    operation_id = "deleteConsoleSession",
    summary = "Sign out: end the session and clear the cookie",
    description = "Needs the header `X-Passbind-CSRF: 1` (and the service's own origin, when `Origin` is sent).",
    tag = "console",
    security(("console_session" = [])),
    responses(
        (status = 204, description = "Signed out; the cookie is cleared", headers(("set-cookie" = String, description = "Clears the cookie"))),
        (status = 401, description = "unauthenticated: no live session (the cookie is cleared all the same)", body = ErrorBody),
        (status = 403, description = "permission_denied: no X-Passbind-CSRF header, or another origin", body = ErrorBody)
    )
)]
async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let clear = [(header::SET_COOKIE, CookiePolicy::for_public_url(&state.public_url).clear_cookie())];
    let session = match live_session(&state, &headers).await {
        Ok(Some((session, _))) => session,
        Ok(None) => return (clear, no_session()).into_response(),
        Err(e) => return e.into_response(),
    };
    if let Err(e) = check_csrf(&headers, &state.public_origin) {
        return e.into_response();
    }
    match state.sessions.end_session(&session.id, now_micros()).await {
        Ok(_) => (StatusCode::NO_CONTENT, clear).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The sign-in body through the handler's parse (fuzz/, issue 13).
#[cfg(feature = "fuzzing")]
pub fn fuzz_input(body: &[u8]) {
    if let Ok(req) = crate::error::parse_json::<SignInRequest>(body, passbind_protocol::ErrorCode::InvalidArgument) {
        let _ = req.api_token.trim();
    }
}
