//! The small HTML pages the service answers a person with (not the API):
//! a binding link opened in a browser that can no longer be used.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use passbind_protocol::ErrorCode;

/// True when the client asked for HTML (a browser following a link).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|part| part.trim().starts_with("text/html")))
}

/// Title, explanation and HTTP status for a link that cannot be used.
fn wording(code: &ErrorCode) -> (&'static str, &'static str, u16) {
    match code {
        ErrorCode::LinkExpired => (
            "This link has expired",
            "Passkey links only work for a limited time. Ask the person or service that sent it for a new one.",
            410,
        ),
        ErrorCode::JobRevoked => (
            "This link was cancelled",
            "It can no longer be used to create a passkey. If you still need a passkey, ask for a new link.",
            410,
        ),
        ErrorCode::JobComplete => (
            "This link was already used",
            "A passkey has already been created with it, so you can sign in with that passkey. If it was not you, tell your administrator.",
            409,
        ),
        ErrorCode::IdentitySuspended => (
            "This account is suspended",
            "A passkey cannot be created for it right now. Contact your administrator.",
            403,
        ),
        _ => (
            "This link is not valid",
            "It may be incomplete (some email programs break long links across lines) or it was never issued. Open the link from the email again, or ask for a new one.",
            404,
        ),
    }
}

/// A readable page for a binding link that cannot be used, with the error
/// code (for support) and no redirect.
pub fn link_problem(code: &ErrorCode) -> Response {
    let (title, text, status) = wording(code);
    let body = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{title} — passkey</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7fb; margin: 0; }}\n\
         main {{ max-width: 32rem; margin: 12vh auto; background: #fff; border: 1px solid #dde1ea; border-radius: .5rem; padding: 1.5rem 1.75rem; }}\n\
         h1 {{ font-size: 1.35rem; margin-top: 0; color: #b42318; }}\n\
         p {{ line-height: 1.5; }} .code {{ color: #5b6475; font-size: .85rem; }}\n\
         </style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>{text}</p>\n\
         <p class=\"code\">Error code: <code>{code}</code></p>\n</main>\n</body>\n</html>\n",
        code = code.as_str(),
    );
    let mut response = (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_html_and_api_clients_json() {
        let mut h = HeaderMap::new();
        assert!(!wants_html(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        assert!(wants_html(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert!(!wants_html(&h));
    }

    #[test]
    fn each_problem_has_its_status() {
        for (code, status) in [
            (ErrorCode::InvalidLink, 404),
            (ErrorCode::LinkExpired, 410),
            (ErrorCode::JobRevoked, 410),
            (ErrorCode::JobComplete, 409),
            (ErrorCode::IdentitySuspended, 403),
        ] {
            let r = link_problem(&code);
            assert_eq!(r.status().as_u16(), status, "{code:?}");
            assert!(r.headers().get(header::LOCATION).is_none());
        }
    }
}
