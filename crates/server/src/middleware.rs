//! The layers every response passes through: security headers, the JSON
//! error body for anything under `/v1/` that is not one yet, and request
//! spans that never carry a link's token.

use crate::error::ApiError;
use axum::response::{IntoResponse, Response};
use passbind_protocol::ErrorCode;

/// The Content-Security-Policy of served pages: same-origin scripts (and
/// WebAssembly), no inline script, no framing.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Security headers on every response; pages get the CSP and framing rules,
/// API answers are never cached (they carry links and tokens).
pub async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::{header, HeaderValue};
    let api = req.uri().path().starts_with("/v1/") || req.uri().path().starts_with("/dev/");
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else {
        h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(PAGE_CSP));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// Rewrites any error under `/v1/` that is not already our JSON body (axum's
/// own rejections, e.g. a path with invalid UTF-8, 405, 413, or a caught
/// panic) into `{code, message, details}`, keeping the status.
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/v1/");
    let response = next.run(req).await;
    let status = response.status();
    // Ours: the JSON body, or the HTML page a browser gets for an unusable link.
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let code = match status.as_u16() {
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::PermissionDenied,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::AlreadyExists,
        // The request timeout (`--request-timeout-seconds`): try again later.
        503 => ErrorCode::Unavailable,
        s if s >= 500 => ErrorCode::Internal,
        _ => ErrorCode::InvalidArgument,
    };
    let detail = if status.is_server_error() {
        String::new()
    } else {
        let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
        String::from_utf8_lossy(&bytes).trim().to_owned()
    };
    let reason = status.canonical_reason().unwrap_or("error").to_ascii_lowercase();
    let mut error = ApiError::new(code, reason);
    if !detail.is_empty() {
        error = error.with_detail(None, detail);
    }
    let mut response = error.into_response();
    *response.status_mut() = status;
    response
}

/// Request spans carry the method and the path only: never the query
/// (a link's `?token=`) nor headers (`Authorization`).
pub fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
}
