//! The admin console's session cookie and its CSRF rule (issue 11, part 1).
//!
//! Sign-in exchanges an admin API token for a session: a 256-bit random
//! secret in an `HttpOnly`, `SameSite=Strict` cookie, stored only as its
//! hash (`console_sessions`). Behind https the cookie is
//! `__Host-passbind_session` with `Secure` (the prefix makes browsers refuse
//! it without `Secure`, with a `Domain` or on another path); on a loopback
//! http development URL it is `passbind_session`, which a browser would not
//! keep as `Secure` there.
//!
//! CSRF: `SameSite=Strict` already keeps the cookie off cross-site requests;
//! on top of it, a cookie-authenticated request with an unsafe method must
//! carry `X-Passbind-CSRF: 1` (a custom header a cross-origin page cannot
//! send without a CORS preflight this service never grants) and, when the
//! browser says where it comes from (`Origin`), come from the service's own
//! origin. Bearer-token requests carry no ambient credential and are exempt.
//!
//! Both headers are written and read with the `cookie` crate (RFC 6265
//! syntax, the crate axum-extra's cookie jar uses).

use crate::error::{ApiError, ApiResult};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use cookie::{Cookie, SameSite};
use passbind_protocol::ErrorCode;

/// The cookie's name behind https (`Secure`, host-only, path `/`).
pub const SECURE_COOKIE_NAME: &str = "__Host-passbind_session";
/// The cookie's name on a plain-http (loopback development) public URL.
pub const PLAIN_COOKIE_NAME: &str = "passbind_session";
/// The header a cookie-authenticated unsafe request must carry, with value `1`.
pub const CSRF_HEADER: &str = "x-passbind-csrf";

/// Longest cookie secret read (ours are 43 characters).
const MAX_SECRET_LEN: usize = 512;

/// How the service names and flags its session cookie: by its public URL's scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookiePolicy {
    /// The public URL is https: `Secure` and the `__Host-` prefix.
    pub secure: bool,
}

impl CookiePolicy {
    /// The policy of a service whose links start with `public_url`.
    pub fn for_public_url(public_url: &str) -> Self {
        CookiePolicy { secure: public_url.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://")) }
    }

    pub fn name(self) -> &'static str {
        if self.secure {
            SECURE_COOKIE_NAME
        } else {
            PLAIN_COOKIE_NAME
        }
    }

    /// `Set-Cookie` for a new session, kept by the browser for `max_age_seconds`.
    pub fn set_cookie(self, secret: &str, max_age_seconds: i64) -> HeaderValue {
        self.header(secret, max_age_seconds)
    }

    /// `Set-Cookie` that makes the browser drop the cookie (sign-out).
    pub fn clear_cookie(self) -> HeaderValue {
        self.header("", 0)
    }

    fn header(self, value: &str, max_age_seconds: i64) -> HeaderValue {
        let cookie = Cookie::build((self.name(), value))
            .http_only(true)
            .same_site(SameSite::Strict)
            .path("/")
            .max_age(time::Duration::seconds(max_age_seconds))
            .secure(self.secure)
            .build();
        // Our values are base64url and the attributes fixed ASCII: always a valid header value.
        HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static("passbind_session=; Max-Age=0"))
    }

    /// The session secret in the request's `Cookie` headers, if any.
    pub fn secret(self, headers: &HeaderMap) -> Option<&str> {
        let name = self.name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == name)
            .and_then(|c| c.value_raw())
            .filter(|v| !v.is_empty() && v.len() <= MAX_SECRET_LEN)
    }
}

/// GET, HEAD and OPTIONS change nothing: no CSRF check.
pub fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The CSRF rule for a cookie-authenticated unsafe request (and sign-in):
/// `X-Passbind-CSRF: 1`, and an `Origin`, when present, equal to the
/// service's public origin. Otherwise 403, saying which part failed.
pub fn check_csrf(headers: &HeaderMap, public_origin: &str) -> ApiResult<()> {
    if headers.get(CSRF_HEADER).is_none_or(|v| v.as_bytes() != b"1") {
        return Err(ApiError::new(
            ErrorCode::PermissionDenied,
            "a request with the console session cookie must carry the header X-Passbind-CSRF: 1",
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        if !origin.as_bytes().eq_ignore_ascii_case(public_origin.as_bytes()) {
            return Err(ApiError::new(
                ErrorCode::PermissionDenied,
                "a request with the console session cookie must come from the service's own origin",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behind_https_the_cookie_is_host_prefixed_and_secure() {
        let policy = CookiePolicy::for_public_url("https://passbind.example.com/api");
        assert!(policy.secure);
        assert_eq!(
            policy.set_cookie("abc", 43200),
            "__Host-passbind_session=abc; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=43200"
        );
        assert_eq!(policy.clear_cookie(), "__Host-passbind_session=; HttpOnly; SameSite=Strict; Secure; Path=/; Max-Age=0");
    }

    #[test]
    fn on_loopback_http_the_cookie_is_plain() {
        let policy = CookiePolicy::for_public_url("http://localhost:8080");
        assert!(!policy.secure);
        assert_eq!(policy.set_cookie("abc", 60), "passbind_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=60");
    }

    #[test]
    fn the_secret_is_read_from_any_cookie_header_by_this_services_name() {
        let policy = CookiePolicy::for_public_url("http://localhost");
        let mut headers = HeaderMap::new();
        assert_eq!(policy.secret(&headers), None);
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; __Host-passbind_session=nope"));
        assert_eq!(policy.secret(&headers), None, "the https name is not read on http");
        headers.append(header::COOKIE, HeaderValue::from_static("b=2;passbind_session=s3cret ; c=3"));
        assert_eq!(policy.secret(&headers), Some("s3cret"));
        let mut empty = HeaderMap::new();
        empty.append(header::COOKIE, HeaderValue::from_static("passbind_session="));
        assert_eq!(policy.secret(&empty), None);
    }

    #[test]
    fn csrf_needs_the_header_and_the_own_origin() {
        let origin = "https://passbind.example.com";
        let mut headers = HeaderMap::new();
        assert!(check_csrf(&headers, origin).unwrap_err().0.message.contains("X-Passbind-CSRF"));
        headers.insert(CSRF_HEADER, HeaderValue::from_static("0"));
        assert!(check_csrf(&headers, origin).is_err());
        headers.insert(CSRF_HEADER, HeaderValue::from_static("1"));
        assert!(check_csrf(&headers, origin).is_ok(), "no Origin: the header suffices");
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(check_csrf(&headers, origin).unwrap_err().0.message.contains("origin"));
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://passbind.example.com"));
        assert!(check_csrf(&headers, origin).is_ok());
        assert!(is_safe_method(&Method::GET) && !is_safe_method(&Method::DELETE) && !is_safe_method(&Method::POST));
    }
}
