//! The binding link: the one-time credential-binding URL in its two forms.
//!
//! API form (what a `RETURN` job answers and what the email carries):
//! `{api_base}/v1/tenants/{t}/realms/{r}/identities/{i}/credential-binding-jobs/{job}:invokeAuthenticator?token={token}`
//!
//! Redirect form (what the application's `invoke_url` receives):
//! `{invoke_url}/bind?api_base_url={api_base}&tenant_id=…&realm_id=…&identity_id=…&job_id=…&token=…`
//!
//! URLs are read by the `url` crate, the WHATWG URL standard a browser
//! follows, so a link reads here as the browser that opened it reads it:
//! case, default ports, dot segments, percent-encoding and IPv6 are the
//! standard's business. On top of it this module refuses what is unsafe
//! ([`LinkError`]): schemes other than `https` (`http` only on loopback),
//! credentials, and the spellings the standard silently repairs but a
//! person never writes (backslashes, whitespace inside, a missing `//`).

use percent_encoding::percent_decode_str;
use std::borrow::Cow;
use url::{Host, Url};

/// A parsed binding link. Both forms parse to the same value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindingLink {
    /// Scheme, host, optional port and optional path prefix; no trailing `/`.
    pub api_base: String,
    pub tenant_id: String,
    pub realm_id: String,
    pub identity_id: String,
    pub job_id: String,
    pub token: String,
}

/// Why a string is not a binding link. Its code is always `INVALID_LINK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Longer than any link passbind makes (8 KiB).
    #[error("the link is too long")]
    TooLong,
    /// Whitespace, control characters or a backslash inside the link: the URL
    /// standard drops or rewrites them silently, so they only serve to disguise.
    #[error("the link has whitespace, control characters or a backslash inside")]
    Disguised,
    /// The URL standard cannot parse it, or it has no `scheme://host`.
    #[error("not an absolute URL")]
    NotAbsolute,
    /// A scheme other than `https` (or `http` on loopback).
    #[error("the scheme must be https")]
    Scheme,
    /// `http` to a host that is not this machine.
    #[error("http is only allowed on a loopback host")]
    InsecureHttp,
    /// `user:password@` in the URL.
    #[error("credentials in the URL")]
    Credentials,
    /// The path is neither form's.
    #[error("the path is not a credential-binding job's")]
    NotAJobPath,
    /// The API form's last segment lacks `:invokeAuthenticator`.
    #[error("the path does not end in :invokeAuthenticator")]
    NotInvoke,
    /// The redirect form's path does not end in `/bind`.
    #[error("the redirect path does not end in /bind")]
    NotBind,
    /// A required query parameter is absent or empty.
    #[error("a required query parameter is missing")]
    MissingParameter,
    /// A query parameter appears twice: which one counts would be a guess.
    #[error("a query parameter is repeated")]
    RepeatedParameter,
    /// `api_base_url` is not an `https` (or loopback `http`) base URL.
    #[error("api_base_url is not a base URL")]
    ApiBaseUrl,
    /// An ID, the token or a path prefix segment is empty or not URL-safe.
    #[error("an ID or the token is empty or has unsafe characters")]
    UnsafeId,
}

const INVOKE_SUFFIX: &str = ":invokeAuthenticator";
const MAX_ID_LEN: usize = 256;
const MAX_LINK_LEN: usize = 8192;

/// IDs and tokens are opaque but URL-safe: unreserved characters only, so
/// they never need escaping in a path or a query.
pub fn is_url_safe_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
        && s != "."
        && s != ".."
}

/// Parses an absolute `https` URL (or `http` on loopback) without credentials.
fn parse_url(input: &str) -> Result<Url, LinkError> {
    if input.len() > MAX_LINK_LEN {
        return Err(LinkError::TooLong);
    }
    if input.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'\\') || input.contains(['\u{a0}', '\u{feff}']) {
        return Err(LinkError::Disguised);
    }
    // `https:host` and `https:/host` parse as `https://host` in the standard.
    let (_, after_scheme) = input.split_once(':').ok_or(LinkError::NotAbsolute)?;
    let authority = after_scheme.strip_prefix("//").ok_or(LinkError::NotAbsolute)?;
    // Any `@` in the authority, even `https://@host` that the standard
    // reads as an empty user name.
    if authority.split(['/', '?', '#']).next().is_some_and(|a| a.contains('@')) {
        return Err(LinkError::Credentials);
    }
    let url = crate::parse_url(input).map_err(|_| LinkError::NotAbsolute)?;
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(LinkError::NotAbsolute),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(LinkError::InsecureHttp),
        _ => return Err(LinkError::Scheme),
    }
    Ok(url)
}

/// The path's segments, percent-decoded (mail clients escape `:` and more);
/// empty segments (a trailing or doubled `/`) are dropped.
fn segments(url: &Url) -> Vec<Cow<'_, str>> {
    url.path_segments().into_iter().flatten().filter(|s| !s.is_empty()).map(|s| percent_decode_str(s).decode_utf8_lossy()).collect()
}

/// `scheme://host[:port]` plus the path prefix, each prefix segment URL-safe.
fn api_base(url: &Url, prefix: &[Cow<'_, str>]) -> Result<String, LinkError> {
    let mut base = url.origin().ascii_serialization();
    for segment in prefix {
        if !is_url_safe_id(segment) {
            return Err(LinkError::UnsafeId);
        }
        base.push('/');
        base.push_str(segment);
    }
    Ok(base)
}

/// Exactly one non-empty value for `name`: a repeated parameter is ambiguous.
fn single_param(url: &Url, name: &str) -> Result<String, LinkError> {
    let mut values = url.query_pairs().filter(|(k, _)| k == name).map(|(_, v)| v);
    let first = values.next().filter(|v| !v.is_empty()).ok_or(LinkError::MissingParameter)?;
    if values.next().is_some() {
        return Err(LinkError::RepeatedParameter);
    }
    Ok(first.into_owned())
}

impl BindingLink {
    /// Parses either form. Never panics; anything unexpected is `INVALID_LINK`.
    pub fn parse(input: &str) -> Result<Self, LinkError> {
        let url = parse_url(input.trim_matches(|c: char| c.is_ascii_whitespace()))?;
        if url.query_pairs().any(|(k, _)| k == "api_base_url") {
            Self::parse_redirect_form(&url)
        } else {
            Self::parse_api_form(&url)
        }
    }

    fn parse_api_form(url: &Url) -> Result<Self, LinkError> {
        let segments = segments(url);
        let n = segments.len();
        if n < 9 {
            return Err(LinkError::NotAJobPath);
        }
        let (prefix, tail) = segments.split_at(n - 9);
        let fixed = [(0, "v1"), (1, "tenants"), (3, "realms"), (5, "identities"), (7, "credential-binding-jobs")];
        if fixed.iter().any(|(i, s)| tail[*i] != *s) {
            return Err(LinkError::NotAJobPath);
        }
        let job_id = tail[8].strip_suffix(INVOKE_SUFFIX).ok_or(LinkError::NotInvoke)?;
        let token = single_param(url, "token")?;
        Self::checked(api_base(url, prefix)?, [&tail[2], &tail[4], &tail[6], job_id], token)
    }

    fn parse_redirect_form(url: &Url) -> Result<Self, LinkError> {
        if segments(url).last().map(|s| s == "bind") != Some(true) {
            return Err(LinkError::NotBind);
        }
        let api = parse_url(&single_param(url, "api_base_url")?).map_err(|e| match e {
            LinkError::InsecureHttp => e,
            _ => LinkError::ApiBaseUrl,
        })?;
        if api.query().is_some() || api.fragment().is_some() {
            return Err(LinkError::ApiBaseUrl);
        }
        let api_base = api_base(&api, &segments(&api))?;
        let ids = ["tenant_id", "realm_id", "identity_id", "job_id"].map(|name| single_param(url, name));
        let [t, r, i, j] = ids;
        Self::checked(api_base, [&t?, &r?, &i?, &j?], single_param(url, "token")?)
    }

    fn checked(api_base: String, [t, r, i, j]: [&str; 4], token: String) -> Result<Self, LinkError> {
        if ![t, r, i, j, &token].iter().all(|id| is_url_safe_id(id)) {
            return Err(LinkError::UnsafeId);
        }
        Ok(BindingLink {
            api_base,
            tenant_id: t.to_owned(),
            realm_id: r.to_owned(),
            identity_id: i.to_owned(),
            job_id: j.to_owned(),
            token,
        })
    }

    /// True when `input` is a binding link in either form.
    pub fn is_binding_link(input: &str) -> bool {
        Self::parse(input).is_ok()
    }

    /// `/v1/tenants/{t}/realms/{r}/identities/{i}/credential-binding-jobs/{job}`
    pub fn job_path(&self) -> String {
        job_path(&self.tenant_id, &self.realm_id, &self.identity_id, &self.job_id)
    }

    /// The `POST` endpoint that exchanges the token for creation options.
    pub fn invoke_authenticator_url(&self) -> String {
        format!("{}{}{INVOKE_SUFFIX}", self.api_base, self.job_path())
    }

    /// The `POST` endpoint that takes the attestation.
    pub fn bind_credential_url(&self) -> String {
        format!("{}{}:bindCredential", self.api_base, self.job_path())
    }

    /// The API form, as a `RETURN` job answers it.
    pub fn api_url(&self) -> String {
        format!("{}?token={}", self.invoke_authenticator_url(), self.token)
    }

    /// The redirect form for an application's `invoke_url`.
    pub fn redirect_url(&self, invoke_url: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("api_base_url", &self.api_base)
            .append_pair("tenant_id", &self.tenant_id)
            .append_pair("realm_id", &self.realm_id)
            .append_pair("identity_id", &self.identity_id)
            .append_pair("job_id", &self.job_id)
            .append_pair("token", &self.token)
            .finish();
        format!("{}/bind?{query}", invoke_url.trim_end_matches('/'))
    }
}

/// The path of a credential-binding job, shared by links and the service's routes.
pub fn job_path(tenant_id: &str, realm_id: &str, identity_id: &str, job_id: &str) -> String {
    format!("/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credential-binding-jobs/{job_id}")
}
