//! One error type for everything `bindPasskey` can fail with, and its
//! conversion to the JavaScript `Error` the caller sees: `.code` from
//! DESIGN.md's list, a readable `.message`, and the original JS value
//! (DOMException, TypeError, the service's error body) as `.cause`.
//!
//! Messages are built with `push_str`, not `format!`: the formatting
//! machinery is a large share of a small wasm binary.

use crate::js::{read_string, set};
use js_sys::Object;
use passbind_protocol::{ErrorBody, ErrorCode, LinkError};
use wasm_bindgen::JsValue;

#[derive(Debug)]
pub enum BindError {
    /// The string is not a binding link in either form.
    InvalidLink(LinkError),
    /// No WebAuthn here (no `navigator.credentials`, no `PublicKeyCredential`).
    Unsupported(&'static str),
    /// The caller's AbortSignal fired; the cause is the signal's reason.
    Aborted(JsValue),
    /// `fetch` itself failed (offline, DNS, CORS refused); the cause is its TypeError.
    Network(JsValue),
    /// The service refused with its `{code, message, details}` body.
    /// `code` is already narrowed to the binding codes (see [`service_error`]).
    Service { code: ErrorCode, message: String, body: JsValue },
    /// `navigator.credentials.create` rejected; `code` from [`ceremony_code`].
    Ceremony { code: ErrorCode, detail: String, cause: JsValue },
    /// Anything else that is not the user's doing: a response that is not
    /// passbind's JSON, options the browser refused, an unusable credential.
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

/// Maps an HTTP error answer. A binding code from the service passes
/// through with its message; admin-style (`not_found`, …) and unknown codes
/// become `SERVER`, keeping the service's code and status in the message.
/// `body` is `None` when the answer was not an error body at all.
pub fn service_error(status: u16, body: Option<ErrorBody>) -> (ErrorCode, String) {
    let mut message = String::with_capacity(96);
    match body {
        Some(body) if body.code.is_binding_code() => {
            message.push_str(&body.message);
            (body.code, message)
        }
        Some(body) => {
            message.push_str("the binding service answered HTTP ");
            push_u16(&mut message, status);
            message.push_str(" (");
            message.push_str(body.code.as_str());
            message.push_str("): ");
            message.push_str(&body.message);
            (ErrorCode::Server, message)
        }
        None => {
            message.push_str("the binding service answered HTTP ");
            push_u16(&mut message, status);
            message.push_str(" without an error body");
            (ErrorCode::Server, message)
        }
    }
}

impl BindError {
    pub fn code(&self) -> ErrorCode {
        match self {
            BindError::InvalidLink(_) => ErrorCode::InvalidLink,
            BindError::Unsupported(_) => ErrorCode::Unsupported,
            BindError::Aborted(_) => ErrorCode::Aborted,
            BindError::Network(_) => ErrorCode::Network,
            BindError::Service { code, .. } | BindError::Ceremony { code, .. } => code.clone(),
            BindError::Server { .. } => ErrorCode::Server,
        }
    }

    pub fn message(&self) -> String {
        let mut m = String::with_capacity(96);
        match self {
            BindError::InvalidLink(e) => {
                m.push_str("not a binding link: ");
                m.push_str(e.reason);
            }
            BindError::Unsupported(why) => m.push_str(why),
            BindError::Aborted(_) => m.push_str("binding the passkey was aborted"),
            BindError::Network(_) => m.push_str("could not reach the binding service"),
            BindError::Service { message, .. } | BindError::Server { message, .. } => m.push_str(message),
            BindError::Ceremony { code, detail, .. } => {
                m.push_str(match code {
                    ErrorCode::NotAllowed => "the passkey prompt was cancelled or timed out",
                    ErrorCode::AlreadyRegistered => "this authenticator already holds a passkey for this identity",
                    ErrorCode::Aborted => "the passkey prompt was aborted",
                    ErrorCode::Security => "the page's origin does not match the relying party",
                    ErrorCode::Unsupported => "this authenticator cannot create the passkey",
                    _ => "the browser could not create the passkey",
                });
                if !detail.is_empty() {
                    m.push_str(": ");
                    m.push_str(detail);
                }
            }
        }
        m
    }

    /// What `.cause` carries; `undefined` when there is nothing to add.
    pub fn cause(&self) -> JsValue {
        match self {
            BindError::InvalidLink(_) | BindError::Unsupported(_) => JsValue::UNDEFINED,
            BindError::Aborted(c) | BindError::Network(c) => c.clone(),
            BindError::Service { body, .. } => body.clone(),
            BindError::Ceremony { cause, .. } | BindError::Server { cause, .. } => cause.clone(),
        }
    }

    pub fn server(message: &str, cause: JsValue) -> Self {
        BindError::Server { message: message.to_owned(), cause }
    }
}

impl BindError {
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
        error.into()
    }
}

impl From<LinkError> for BindError {
    fn from(e: LinkError) -> Self {
        BindError::InvalidLink(e)
    }
}

/// Appends a decimal number without the formatting machinery.
pub(crate) fn push_u16(s: &mut String, n: u16) {
    passbind_protocol::push_decimal(s, u32::from(n));
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
        let errors = [
            BindError::InvalidLink(LinkError { reason: "no host" }),
            BindError::Unsupported("WebAuthn is not available"),
            BindError::Aborted(JsValue::UNDEFINED),
            BindError::Network(JsValue::UNDEFINED),
            BindError::Service { code: ErrorCode::JobComplete, message: "done".into(), body: JsValue::NULL },
            BindError::Ceremony { code: ErrorCode::NotAllowed, detail: "timed out".into(), cause: JsValue::NULL },
            BindError::server("bad JSON", JsValue::UNDEFINED),
        ];
        let codes: Vec<_> = errors.iter().map(|e| e.code().as_str().to_owned()).collect();
        assert_eq!(codes, ["INVALID_LINK", "UNSUPPORTED", "ABORTED", "NETWORK", "JOB_COMPLETE", "NOT_ALLOWED", "SERVER"]);
        assert!(errors.iter().all(|e| e.code().is_binding_code() && !e.message().is_empty()));
        assert_eq!(errors[0].message(), "not a binding link: no host");
        assert_eq!(errors[5].message(), "the passkey prompt was cancelled or timed out: timed out");
    }

    #[test]
    fn numbers_without_format() {
        for n in [0u16, 7, 10, 404, 65535] {
            let mut s = String::new();
            push_u16(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
