//! The binding link: the one-time credential-binding URL in its two forms.
//!
//! API form (what a `RETURN` job answers and what the email carries):
//! `{api_base}/v1/tenants/{t}/realms/{r}/identities/{i}/credential-binding-jobs/{job}:invokeAuthenticator?token={token}`
//!
//! Redirect form (what the application's `invoke_url` receives):
//! `{invoke_url}/bind?api_base_url={api_base}&tenant_id=…&realm_id=…&identity_id=…&job_id=…&token=…`

use std::fmt;
use url::Url;

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError {
    pub reason: &'static str,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a binding link: ")?;
        f.write_str(self.reason)
    }
}

impl std::error::Error for LinkError {}

const INVOKE_SUFFIX: &str = ":invokeAuthenticator";
const MAX_ID_LEN: usize = 256;

fn invalid(reason: &'static str) -> LinkError {
    LinkError { reason }
}

/// IDs and tokens are opaque but URL-safe: unreserved characters only, so
/// they never need escaping in a path or a query.
pub fn is_url_safe_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
        && s != "."
        && s != ".."
}

/// `https` anywhere; `http` only on loopback (local development).
fn check_scheme(url: &Url) -> Result<(), LinkError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(invalid("http is only allowed on a loopback host")),
        _ => Err(invalid("the scheme must be https")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn origin_of(url: &Url) -> Result<String, LinkError> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials in the URL"));
    }
    let host = url.host_str().ok_or(invalid("no host"))?;
    let mut base = String::with_capacity(64);
    base.push_str(url.scheme());
    base.push_str("://");
    base.push_str(host);
    if let Some(port) = url.port() {
        base.push(':');
        base.push_str(&port.to_string());
    }
    Ok(base)
}

impl BindingLink {
    /// Parses either form. Never panics; anything unexpected is `INVALID_LINK`.
    pub fn parse(input: &str) -> Result<Self, LinkError> {
        let input = input.trim();
        if input.len() > 8192 {
            return Err(invalid("too long"));
        }
        let url = Url::parse(input).map_err(|_| invalid("not an absolute URL"))?;
        check_scheme(&url)?;
        if url.query_pairs().any(|(k, _)| k == "api_base_url") {
            Self::parse_redirect_form(&url)
        } else {
            Self::parse_api_form(&url)
        }
    }

    fn parse_api_form(url: &Url) -> Result<Self, LinkError> {
        let segments: Vec<&str> = url.path_segments().ok_or(invalid("no path"))?.collect();
        let n = segments.len();
        if n < 9 {
            return Err(invalid("the path is not a credential-binding job's"));
        }
        let (prefix, tail) = segments.split_at(n - 9);
        let fixed = [(0, "v1"), (1, "tenants"), (3, "realms"), (5, "identities"), (7, "credential-binding-jobs")];
        if fixed.iter().any(|(i, s)| tail[*i] != *s) {
            return Err(invalid("the path is not a credential-binding job's"));
        }
        let job_id = tail[8].strip_suffix(INVOKE_SUFFIX).ok_or(invalid("the path does not end in :invokeAuthenticator"))?;
        let mut api_base = origin_of(url)?;
        for segment in prefix {
            if !is_url_safe_id(segment) {
                return Err(invalid("the path prefix has unsafe characters"));
            }
            api_base.push('/');
            api_base.push_str(segment);
        }
        let token = single_param(url, "token")?;
        Self::checked(api_base, tail[2], tail[4], tail[6], job_id, &token)
    }

    fn parse_redirect_form(url: &Url) -> Result<Self, LinkError> {
        if url.path_segments().and_then(|mut s| s.next_back()) != Some("bind") {
            return Err(invalid("the redirect path does not end in /bind"));
        }
        let api = Url::parse(&single_param(url, "api_base_url")?).map_err(|_| invalid("api_base_url is not a URL"))?;
        check_scheme(&api)?;
        if api.query().is_some() || api.fragment().is_some() {
            return Err(invalid("api_base_url has a query or fragment"));
        }
        let mut api_base = origin_of(&api)?;
        for segment in api.path_segments().into_iter().flatten().filter(|s| !s.is_empty()) {
            if !is_url_safe_id(segment) {
                return Err(invalid("api_base_url's path has unsafe characters"));
            }
            api_base.push('/');
            api_base.push_str(segment);
        }
        Self::checked(
            api_base,
            &single_param(url, "tenant_id")?,
            &single_param(url, "realm_id")?,
            &single_param(url, "identity_id")?,
            &single_param(url, "job_id")?,
            &single_param(url, "token")?,
        )
    }

    fn checked(api_base: String, t: &str, r: &str, i: &str, j: &str, token: &str) -> Result<Self, LinkError> {
        for id in [t, r, i, j] {
            if !is_url_safe_id(id) {
                return Err(invalid("an ID is empty or has unsafe characters"));
            }
        }
        if !is_url_safe_id(token) {
            return Err(invalid("the token is missing or has unsafe characters"));
        }
        Ok(BindingLink {
            api_base,
            tenant_id: t.to_owned(),
            realm_id: r.to_owned(),
            identity_id: i.to_owned(),
            job_id: j.to_owned(),
            token: token.to_owned(),
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
        let mut s = self.api_base.clone();
        s.push_str(&self.job_path());
        s.push_str(INVOKE_SUFFIX);
        s
    }

    /// The `POST` endpoint that takes the attestation.
    pub fn bind_credential_url(&self) -> String {
        let mut s = self.api_base.clone();
        s.push_str(&self.job_path());
        s.push_str(":bindCredential");
        s
    }

    /// The API form, as a `RETURN` job answers it.
    pub fn api_url(&self) -> String {
        let mut s = self.invoke_authenticator_url();
        s.push_str("?token=");
        s.push_str(&self.token);
        s
    }

    /// The redirect form for an application's `invoke_url`.
    pub fn redirect_url(&self, invoke_url: &str) -> String {
        let mut s = invoke_url.trim_end_matches('/').to_owned();
        s.push_str("/bind?");
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("api_base_url", &self.api_base)
            .append_pair("tenant_id", &self.tenant_id)
            .append_pair("realm_id", &self.realm_id)
            .append_pair("identity_id", &self.identity_id)
            .append_pair("job_id", &self.job_id)
            .append_pair("token", &self.token)
            .finish();
        s.push_str(&query);
        s
    }
}

/// The path of a credential-binding job, shared by links and the service's routes.
pub fn job_path(tenant_id: &str, realm_id: &str, identity_id: &str, job_id: &str) -> String {
    let mut s = String::with_capacity(96);
    for (name, id) in [("/v1/tenants/", tenant_id), ("/realms/", realm_id), ("/identities/", identity_id), ("/credential-binding-jobs/", job_id)] {
        s.push_str(name);
        s.push_str(id);
    }
    s
}

/// Exactly one value for `name`: a repeated parameter is ambiguous, so invalid.
fn single_param(url: &Url, name: &'static str) -> Result<String, LinkError> {
    let mut values = url.query_pairs().filter(|(k, _)| k == name).map(|(_, v)| v);
    let first = values.next().ok_or(invalid("a required query parameter is missing"))?;
    if values.next().is_some() {
        return Err(invalid("a query parameter is repeated"));
    }
    Ok(first.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BindingLink {
        BindingLink {
            api_base: "https://api-us.example.com".into(),
            tenant_id: "c4fc2d753ca22b14".into(),
            realm_id: "cdf4862dc4d49791".into(),
            identity_id: "87fabad6956c6d4b".into(),
            job_id: "c4fc2d753ca22b14".into(),
            token: "1St9IKIIrYdZcRm".into(),
        }
    }

    #[test]
    fn parses_the_seed_api_link() {
        let link = BindingLink::parse("https://api-us.example.com/v1/tenants/c4fc2d753ca22b14/realms/cdf4862dc4d49791/identities/87fabad6956c6d4b/credential-binding-jobs/c4fc2d753ca22b14:invokeAuthenticator?token=1St9IKIIrYdZcRm").unwrap();
        assert_eq!(link, sample());
    }

    #[test]
    fn parses_the_redirect_form_with_prefix_and_port() {
        let link = BindingLink::parse("http://localhost:3000/app/bind?api_base_url=http%3A%2F%2F127.0.0.1%3A8080%2Fpassbind&tenant_id=t1&realm_id=r1&identity_id=i1&job_id=j1&token=tok").unwrap();
        assert_eq!(link.api_base, "http://127.0.0.1:8080/passbind");
        assert_eq!(link.invoke_authenticator_url(), "http://127.0.0.1:8080/passbind/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator");
        assert_eq!(link.bind_credential_url(), "http://127.0.0.1:8080/passbind/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:bindCredential");
        assert_eq!(link.token, "tok");
    }

    #[test]
    fn both_forms_format_and_parse_back() {
        let link = sample();
        assert_eq!(BindingLink::parse(&link.api_url()).unwrap(), link);
        assert_eq!(BindingLink::parse(&link.redirect_url("https://app.example.com/passkeys/")).unwrap(), link);
    }
}
