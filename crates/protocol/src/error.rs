use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Every error code the SDK and the service speak.
///
/// The upper-case codes are the binding flow's (DESIGN.md); the lower-case
/// ones are the admin API's generic codes. Codes this version does not know
/// are kept as `Unknown` so a newer service never breaks an older SDK.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidLink,
    LinkExpired,
    JobComplete,
    JobRevoked,
    IdentitySuspended,
    NotAllowed,
    AlreadyRegistered,
    Aborted,
    Unsupported,
    Security,
    AttestationRejected,
    Network,
    Server,
    // Admin API codes.
    InvalidArgument,
    Unauthenticated,
    PermissionDenied,
    NotFound,
    FailedPrecondition,
    AlreadyExists,
    /// Too many attempts (rate limited): HTTP 429.
    ResourceExhausted,
    Internal,
    /// An upstream (the SMTP server) refused the request for good (502).
    DeliveryFailed,
    /// An upstream (the SMTP server) is down or busy: try again later (503).
    Unavailable,
    Unknown(String),
}

const NAMES: &[(ErrorCode, &str)] = &[
    (ErrorCode::InvalidLink, "INVALID_LINK"),
    (ErrorCode::LinkExpired, "LINK_EXPIRED"),
    (ErrorCode::JobComplete, "JOB_COMPLETE"),
    (ErrorCode::JobRevoked, "JOB_REVOKED"),
    (ErrorCode::IdentitySuspended, "IDENTITY_SUSPENDED"),
    (ErrorCode::NotAllowed, "NOT_ALLOWED"),
    (ErrorCode::AlreadyRegistered, "ALREADY_REGISTERED"),
    (ErrorCode::Aborted, "ABORTED"),
    (ErrorCode::Unsupported, "UNSUPPORTED"),
    (ErrorCode::Security, "SECURITY"),
    (ErrorCode::AttestationRejected, "ATTESTATION_REJECTED"),
    (ErrorCode::Network, "NETWORK"),
    (ErrorCode::Server, "SERVER"),
    (ErrorCode::InvalidArgument, "invalid_argument"),
    (ErrorCode::Unauthenticated, "unauthenticated"),
    (ErrorCode::PermissionDenied, "permission_denied"),
    (ErrorCode::NotFound, "not_found"),
    (ErrorCode::FailedPrecondition, "failed_precondition"),
    (ErrorCode::AlreadyExists, "already_exists"),
    (ErrorCode::ResourceExhausted, "resource_exhausted"),
    (ErrorCode::Internal, "internal"),
    (ErrorCode::DeliveryFailed, "delivery_failed"),
    (ErrorCode::Unavailable, "unavailable"),
];

impl ErrorCode {
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::Unknown(s) => s,
            known => NAMES.iter().find(|(c, _)| c == known).map(|(_, n)| *n).unwrap_or("SERVER"),
        }
    }

    pub fn parse(s: &str) -> Self {
        NAMES.iter().find(|(_, n)| *n == s).map(|(c, _)| c.clone()).unwrap_or_else(|| ErrorCode::Unknown(s.to_owned()))
    }

    /// The HTTP status the service answers with for this code.
    pub fn http_status(&self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidLink | InvalidArgument => 400,
            Unauthenticated => 401,
            PermissionDenied | Security => 403,
            NotFound => 404,
            AlreadyExists | AlreadyRegistered | JobComplete => 409,
            LinkExpired | JobRevoked => 410,
            ResourceExhausted => 429,
            IdentitySuspended | FailedPrecondition | AttestationRejected | NotAllowed => 422,
            DeliveryFailed => 502,
            Unavailable => 503,
            Aborted | Unsupported | Network | Server | Internal | Unknown(_) => 500,
        }
    }

    /// True for the codes of the browser binding flow (DESIGN.md's list).
    pub fn is_binding_code(&self) -> bool {
        self.as_str().bytes().all(|b| b.is_ascii_uppercase() || b == b'_') && !matches!(self, ErrorCode::Unknown(_))
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(ErrorCode::parse(&s))
    }
}

/// In the OpenAPI document a code is a string, one of the codes the service
/// answers (the browser-only codes `ABORTED`, `UNSUPPORTED` and `NETWORK` are
/// the SDK's own and never on the wire).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let sdk_only = [ErrorCode::Aborted, ErrorCode::Unsupported, ErrorCode::Network];
        let codes = NAMES.iter().filter(|(c, _)| !sdk_only.contains(c)).map(|(_, n)| *n);
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(codes))
            .description(Some("Upper case: the binding flow's codes (DESIGN.md); lower case: the admin API's generic codes"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {}

/// The body of every error the service answers: `{code, message, details}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// Always present in the service's answers (the SDK also reads bodies without it).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub details: Vec<ErrorDetail>,
}

/// One precise reason behind an error, e.g. which field was wrong.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A stable snake_case code of the precise reason (for `ATTESTATION_REJECTED`:
    /// the WebAuthn check or the authenticator policy that refused), for programs to match on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub description: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody { code, message: message.into(), details: Vec::new() }
    }

    pub fn with_detail(mut self, field: Option<&str>, description: impl Into<String>) -> Self {
        self.details.push(ErrorDetail { field: field.map(str::to_owned), reason: None, description: description.into() });
        self
    }

    /// Adds a detail with a reason code (see [`ErrorDetail::reason`]).
    pub fn with_reason(mut self, reason: &str, description: impl Into<String>) -> Self {
        self.details.push(ErrorDetail { field: None, reason: Some(reason.to_owned()), description: description.into() });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips_and_unknown_is_kept() {
        for (code, name) in NAMES {
            assert_eq!(code.as_str(), *name);
            assert_eq!(&ErrorCode::parse(name), code);
        }
        assert_eq!(ErrorCode::parse("NEW_CODE"), ErrorCode::Unknown("NEW_CODE".into()));
        assert_eq!(ErrorCode::parse("NEW_CODE").as_str(), "NEW_CODE");
        assert!(ErrorCode::JobComplete.is_binding_code());
        assert!(!ErrorCode::NotFound.is_binding_code());
    }
}
