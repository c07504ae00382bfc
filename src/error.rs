//! One error type for everything `bindPasskey` can fail with, and its
//! conversion to the JavaScript `Error` the caller sees: `.code` from
//! DESIGN.md's list, a readable `.message`, and the original JS value
//! (DOMException, TypeError, the service's error body, the caller's abort
//! reason) as `.cause`.

use crate::js::{get, read_string, set};
use js_sys::Object;
use passbind_protocol::{ErrorBody, ErrorCode, LinkError};
use wasm_bindgen::JsValue;

#[derive(Debug, thiserror::Error)]
pub enum BindError {
    /// The string is not a binding link in either form.
    #[error("not a binding link: {0}")]
    InvalidLink(#[from] LinkError),
    /// `bindPasskey` was given something that is not a string.
    #[error("not a binding link: the link is not a string")]
    LinkNotAString,
    /// No WebAuthn here (no `navigator.credentials`, no `PublicKeyCredential`).
    #[error("{0}")]
    Unsupported(&'static str),
    /// The caller's AbortSignal fired; the cause is the signal's reason.
    #[error("binding the passkey was aborted")]
    Aborted(JsValue),
    /// `fetch` itself failed (offline, DNS, CORS refused); the cause is its TypeError.
    #[error("could not reach the binding service")]
    Network(JsValue),
    /// The service refused with its `{code, message, details}` body; `code`
    /// is already narrowed to the binding codes (see [`service_error`]).
    #[error("{message}")]
    Service { status: u16, code: ErrorCode, message: String, body: JsValue },
    /// `navigator.credentials.create` rejected; `code` from [`ceremony_code`].
    #[error("{}{}{detail}", ceremony_message(code), if detail.is_empty() { "" } else { ": " })]
    Ceremony { code: ErrorCode, detail: String, cause: JsValue },
    /// Anything else that is not the user's doing: a response that is not
    /// passbind's JSON, options the browser refused, an unusable credential.
    #[error("{message}")]
    Server { message: String, cause: JsValue },
}

/// The code for a rejection of `navigator.credentials.create`, by the
/// exception's `name` (the SimpleWebAuthn mapping, narrowed to our list).
///
/// - `ConstraintError` (the authenticator cannot do resident keys or user
///   verification that the options require) is `UNSUPPORTED`: this device
///   cannot hold the passkey, another one might.
/// - Everything else (`TypeError` from malformed options, `UnknownError`,
///   `DataError`, `EncodingError`, non-exceptions) is `SERVER`: nothing the
///   user did, and the options came from the service.
pub fn ceremony_code(name: &str) -> ErrorCode {
    match name {
        "NotAllowedError" => ErrorCode::NotAllowed,
        "InvalidStateError" => ErrorCode::AlreadyRegistered,
        "AbortError" => ErrorCode::Aborted,
        "SecurityError" => ErrorCode::Security,
        "NotSupportedError" | "ConstraintError" => ErrorCode::Unsupported,
        _ => ErrorCode::Server,
    }
}

fn ceremony_message(code: &ErrorCode) -> &'static str {
    match code {
        ErrorCode::NotAllowed => "the passkey prompt was cancelled or timed out",
        ErrorCode::AlreadyRegistered => "this authenticator already holds a passkey for this identity",
        ErrorCode::Aborted => "the passkey prompt was aborted",
        ErrorCode::Security => "the page's origin does not match the relying party",
        ErrorCode::Unsupported => "this authenticator cannot create the passkey",
        _ => "the browser could not create the passkey",
    }
}

/// Maps an HTTP error answer. A binding code from the service passes
/// through with its message; admin-style (`not_found`, …) and unknown codes
/// become `SERVER`, keeping the service's code and status in the message.
/// `body` is `None` when the answer was not an error body at all.
pub fn service_error(status: u16, body: Option<ErrorBody>) -> (ErrorCode, String) {
    match body {
        Some(body) if body.code.is_binding_code() => (body.code, body.message),
        Some(body) => (ErrorCode::Server, format!("the binding service answered HTTP {status} ({}): {}", body.code.as_str(), body.message)),
        None => (ErrorCode::Server, format!("the binding service answered HTTP {status} without an error body")),
    }
}

impl BindError {
    pub fn code(&self) -> ErrorCode {
        match self {
            BindError::InvalidLink(_) | BindError::LinkNotAString => ErrorCode::InvalidLink,
            BindError::Unsupported(_) => ErrorCode::Unsupported,
            BindError::Aborted(_) => ErrorCode::Aborted,
            BindError::Network(_) => ErrorCode::Network,
            BindError::Service { code, .. } | BindError::Ceremony { code, .. } => code.clone(),
            BindError::Server { .. } => ErrorCode::Server,
        }
    }

    pub fn message(&self) -> String {
        self.to_string()
    }

    /// What `.cause` carries; `undefined` when there is nothing to add.
    pub fn cause(&self) -> JsValue {
        match self {
            BindError::InvalidLink(_) | BindError::LinkNotAString | BindError::Unsupported(_) => JsValue::UNDEFINED,
            BindError::Aborted(c) | BindError::Network(c) => c.clone(),
            BindError::Service { body, .. } => body.clone(),
            BindError::Ceremony { cause, .. } | BindError::Server { cause, .. } => cause.clone(),
        }
    }

    /// True when the service definitely refused (a 4xx answer): whatever was
    /// sent was not stored.
    pub fn is_refusal(&self) -> bool {
        matches!(self, BindError::Service { status: 400..=499, .. })
    }

    pub fn server(message: &str, cause: JsValue) -> Self {
        BindError::Server { message: message.to_owned(), cause }
    }

    /// From whatever `navigator.credentials.create` rejected with.
    pub fn from_exception(error: JsValue) -> Self {
        let name = read_string(&error, "name");
        let mut detail = read_string(&error, "message");
        if detail.is_empty() && !name.is_empty() {
            detail = name.clone();
        }
        BindError::Ceremony { code: ceremony_code(&name), detail, cause: error }
    }

    /// The JavaScript `Error` a rejected `bindPasskey` promise carries.
    pub fn into_js(self) -> JsValue {
        let options = Object::new();
        let cause = self.cause();
        if !cause.is_undefined() {
            set(&options, "cause", &cause);
        }
        let error = js_sys::Error::new_with_options(&self.message(), &options);
        set(&error, "code", &self.code().as_str().into());
        if let Some(reason) = self.reason() {
            set(&error, "reason", &reason);
        }
        error.into()
    }

    /// The service's precise reason (`details[].reason`, e.g. `aaguid_not_allowed`)
    /// for a refusal that has one; the caller sees it as `.reason`.
    fn reason(&self) -> Option<JsValue> {
        let BindError::Service { body, .. } = self else { return None };
        js_sys::Array::from(&get(body, "details")?).iter().find_map(|d| get(&d, "reason").filter(JsValue::is_string))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_names_map_to_codes() {
        for (name, code) in [
            ("NotAllowedError", "NOT_ALLOWED"),
            ("InvalidStateError", "ALREADY_REGISTERED"),
            ("AbortError", "ABORTED"),
            ("SecurityError", "SECURITY"),
            ("NotSupportedError", "UNSUPPORTED"),
            ("ConstraintError", "UNSUPPORTED"),
            ("TypeError", "SERVER"),
            ("UnknownError", "SERVER"),
            ("", "SERVER"),
        ] {
            assert_eq!(ceremony_code(name).as_str(), code, "{name}");
        }
    }

    #[test]
    fn binding_codes_pass_through_and_others_become_server() {
        let (code, message) = service_error(410, Some(ErrorBody::new(ErrorCode::LinkExpired, "the link has expired")));
        assert_eq!(code, ErrorCode::LinkExpired);
        assert_eq!(message, "the link has expired");

        let (code, message) = service_error(404, Some(ErrorBody::new(ErrorCode::NotFound, "no such job")));
        assert_eq!(code, ErrorCode::Server);
        assert_eq!(message, "the binding service answered HTTP 404 (not_found): no such job");

        let (code, message) = service_error(409, Some(ErrorBody::new(ErrorCode::Unknown("NEW_THING".into()), "x")));
        assert_eq!(code, ErrorCode::Server);
        assert!(message.contains("409 (NEW_THING)"));

        let (code, message) = service_error(502, None);
        assert_eq!(code, ErrorCode::Server);
        assert_eq!(message, "the binding service answered HTTP 502 without an error body");
    }

    #[test]
    fn every_variant_has_a_listed_code_and_a_message() {
        let service = |status| BindError::Service { status, code: ErrorCode::JobComplete, message: "done".into(), body: JsValue::NULL };
        let errors = [
            BindError::InvalidLink(LinkError::NotAJobPath),
            BindError::LinkNotAString,
            BindError::Unsupported("WebAuthn is not available"),
            BindError::Aborted(JsValue::UNDEFINED),
            BindError::Network(JsValue::UNDEFINED),
            service(409),
            BindError::Ceremony { code: ErrorCode::NotAllowed, detail: "timed out".into(), cause: JsValue::NULL },
            BindError::Ceremony { code: ErrorCode::Server, detail: String::new(), cause: JsValue::NULL },
            BindError::server("bad JSON", JsValue::UNDEFINED),
        ];
        let codes: Vec<_> = errors.iter().map(|e| e.code().as_str().to_owned()).collect();
        assert_eq!(
            codes,
            ["INVALID_LINK", "INVALID_LINK", "UNSUPPORTED", "ABORTED", "NETWORK", "JOB_COMPLETE", "NOT_ALLOWED", "SERVER", "SERVER"]
        );
        assert!(errors.iter().all(|e| e.code().is_binding_code() && !e.message().is_empty()));
        assert_eq!(errors[0].message(), "not a binding link: the path is not a credential-binding job's");
        assert_eq!(errors[6].message(), "the passkey prompt was cancelled or timed out: timed out");
        assert_eq!(errors[7].message(), "the browser could not create the passkey");
        assert!(service(409).is_refusal() && !service(503).is_refusal() && !errors[4].is_refusal());
    }
}
