//! The one error type of the service. Every failure answers
//! `{code, message, details}` (`passbind_protocol::ErrorBody`) with the
//! status the protocol crate assigns to the code: never a bare 500, never a
//! plain-text body.

use crate::store::StoreError;
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

    /// Adds a detail with a stable reason code (`ErrorDetail::reason`).
    pub fn with_reason(self, reason: &str, description: impl Into<String>) -> Self {
        ApiError(self.0.with_reason(reason, description))
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
        ApiError::new(ErrorCode::Unauthenticated, "a valid API token (Authorization: Bearer <token>) or console session is required")
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

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            // A write the database could not take now (its writer failed or is
            // restarting, a batch did not commit): nothing was written, a retry may succeed.
            StoreError::Unavailable(reason) => {
                tracing::warn!(%reason, "a database write failed");
                ApiError::new(ErrorCode::Unavailable, "the database is unavailable; retry")
            }
            e => ApiError::internal(e),
        }
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

/// Answers unknown paths with the JSON error body.
pub async fn not_found_fallback() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such resource")
}
