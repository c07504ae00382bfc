//! The one error type of the service. Every failure answers
//! `{code, message, details}` (`passbind_protocol::ErrorBody`) with the
//! status the protocol crate assigns to the code: never a bare 500, never a
//! plain-text body.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use passbind_protocol::{ErrorBody, ErrorCode};

#[derive(Debug)]
pub struct ApiError(pub ErrorBody);

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError(ErrorBody::new(code, message))
    }

    pub fn with_detail(self, field: Option<&str>, description: impl Into<String>) -> Self {
        ApiError(self.0.with_detail(field, description))
    }

    pub fn code(&self) -> &ErrorCode {
        &self.0.code
    }

    pub fn invalid_argument(field: &str, description: impl Into<String>) -> Self {
        let description = description.into();
        ApiError::new(ErrorCode::InvalidArgument, format!("invalid {field}: {description}")).with_detail(Some(field), description)
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(ErrorCode::Unauthenticated, "a valid API token is required (Authorization: Bearer <token>)")
    }

    pub fn permission_denied() -> Self {
        ApiError::new(ErrorCode::PermissionDenied, "the API token does not grant access to this tenant")
    }

    /// For failures that are ours, not the caller's. The cause goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        ApiError::new(ErrorCode::Internal, "internal error")
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self.0)
            .unwrap_or_else(|_| b"{\"code\":\"internal\",\"message\":\"internal error\",\"details\":[]}".to_vec());
        let mut response = (status, body).into_response();
        response.headers_mut().insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// Parses a JSON body, naming the offending field in `details` (axum's own
/// `Json` rejection is plain text). `code` is the error code to answer with.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], code: ErrorCode) -> ApiResult<T> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = json_error_field(&e);
        let inner = e.inner().to_string();
        let message = if body.iter().all(u8::is_ascii_whitespace) {
            "the request body must be a JSON object".to_owned()
        } else {
            format!("invalid request body: {inner}")
        };
        ApiError::new(code, message).with_detail(field.as_deref(), inner)
    })
}

/// The dotted path of the field a JSON error is about, including the name
/// of a missing field (serde reports it in the message, not in the path).
pub fn json_error_field(e: &serde_path_to_error::Error<serde_json::Error>) -> Option<String> {
    let mut path = e.path().to_string();
    if path == "." {
        path.clear();
    }
    let msg = e.inner().to_string();
    if let Some(rest) = msg.strip_prefix("missing field `") {
        if let Some(name) = rest.split('`').next() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(name);
        }
    }
    (!path.is_empty()).then_some(path)
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

/// Answers unknown paths with the JSON error body.
pub async fn not_found_fallback() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such resource")
}
