//! The binding link: the one-time credential-binding URL in its two forms.
//!
//! API form (what a `RETURN` job answers and what the email carries):
//! `{api_base}/v1/tenants/{t}/realms/{r}/identities/{i}/credential-binding-jobs/{job}:invokeAuthenticator?token={token}`
//!
//! Redirect form (what the application's `invoke_url` receives):
//! `{invoke_url}/bind?api_base_url={api_base}&tenant_id=…&realm_id=…&identity_id=…&job_id=…&token=…`

use std::fmt;


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

/// The parts of an absolute `http(s)` URL a binding link is made of. A
/// small parser of its own rather than the `url` crate: the SDK ships this
/// code, and `url` with IDNA costs it about 24 KB gzipped (bench/RESULTS.md).
///
/// It accepts a strict subset of what browsers accept and refuses the rest
/// (`INVALID_LINK`): printable ASCII only (no IDNA, no whitespace inside),
/// `scheme://` with `//`, no credentials, a host that is an ASCII domain, a
/// dotted-quad IPv4 address or a bracketed IPv6 address, a decimal port, and
/// path segments taken as written (no `.`/`..` resolution, no percent-decoding:
/// such segments are never URL-safe IDs anyway). Hosts are lowercased and a
/// scheme's default port is dropped, as a browser does.
struct Uri<'a> {
    scheme: &'static str,
    /// Lowercased; IPv6 with its brackets.
    host: String,
    loopback: bool,
    /// `None` when absent or the scheme's default.
    port: Option<u16>,
    /// From the first `/` (empty when there is none), without query or fragment.
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl<'a> Uri<'a> {
    fn parse(input: &'a str) -> Result<Self, LinkError> {
        let not_absolute = invalid("not an absolute URL");
        if !input.bytes().all(|b| (0x21..0x7f).contains(&b)) {
            return Err(invalid("the link has characters outside printable ASCII"));
        }
        let (scheme, rest) = input.split_once(':').ok_or(not_absolute.clone())?;
        let scheme_ok = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !scheme_ok {
            return Err(not_absolute);
        }
        let scheme = if scheme.eq_ignore_ascii_case("https") {
            "https"
        } else if scheme.eq_ignore_ascii_case("http") {
            "http"
        } else {
            return Err(invalid("the scheme must be https"));
        };
        let rest = rest.strip_prefix("//").ok_or(invalid("the URL has no //host"))?;
        let (rest, fragment) = match rest.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (rest, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (rest.get(..i).unwrap_or(""), rest.get(i..).unwrap_or("")),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(invalid("credentials in the URL"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (addr, after) = v6.split_once(']').ok_or(invalid("an IPv6 host without ]"))?;
            let ip = parse_ipv6(addr).ok_or(invalid("not an IPv6 address"))?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or(invalid("junk after the IPv6 host"))?),
            };
            let mut host = String::with_capacity(addr.len() + 2);
            host.push('[');
            host.push_str(&addr.to_ascii_lowercase());
            host.push(']');
            ((host, ip == [0, 0, 0, 0, 0, 0, 0, 1]), port)
        } else {
            let (host, port) = match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            (domain_or_ipv4(host)?, port)
        };
        let port = match port.filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => {
                if p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid("the port is not a number"));
                }
                let n = p.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
                let n = u16::try_from(n).map_err(|_| invalid("the port is out of range"))?;
                let default = if scheme == "https" { 443 } else { 80 };
                (n != default).then_some(n)
            }
        };
        Ok(Uri { scheme, host: host.0, loopback: host.1, port, path, query, fragment })
    }

    /// `https` anywhere; `http` only on loopback (local development).
    fn check_scheme(&self) -> Result<(), LinkError> {
        if self.scheme == "http" && !self.loopback {
            return Err(invalid("http is only allowed on a loopback host"));
        }
        Ok(())
    }

    /// `scheme://host[:port]`.
    fn origin(&self) -> String {
        let mut base = String::with_capacity(64);
        base.push_str(self.scheme);
        base.push_str("://");
        base.push_str(&self.host);
        if let Some(port) = self.port {
            base.push(':');
            push_decimal(&mut base, u32::from(port));
        }
        base
    }

    /// The path split at `/`, as `url::Url::path_segments` does.
    fn segments(&self) -> std::str::Split<'a, char> {
        self.path.strip_prefix('/').unwrap_or(self.path).split('/')
    }

    /// `application/x-www-form-urlencoded` pairs, decoded; empty pieces skipped.
    fn query_pairs(&self) -> impl Iterator<Item = (String, String)> + 'a {
        self.query.unwrap_or("").split('&').filter(|p| !p.is_empty()).map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(k), form_decode(v))
        })
    }
}

/// A domain of ASCII letters, digits, `-`, `_` and dots, lowercased; or a
/// dotted-quad IPv4 address. Returns the host and whether it is loopback.
fn domain_or_ipv4(host: &str) -> Result<(String, bool), LinkError> {
    if host.is_empty() {
        return Err(invalid("no host"));
    }
    if !host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) || host.starts_with('.') || host.as_bytes().windows(2).any(|w| w == b"..") {
        return Err(invalid("the host is not an ASCII domain or IP address"));
    }
    let host = host.to_ascii_lowercase();
    // A browser reads a host whose last label is numeric as IPv4 (also
    // `127.1` or `0x7f.1`); only the plain dotted quad is accepted here.
    let last = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    if last.bytes().all(|b| b.is_ascii_digit()) || (last.starts_with("0x") && last.bytes().skip(2).all(|b| b.is_ascii_hexdigit())) {
        let ip = parse_ipv4(&host).ok_or(invalid("not an IPv4 address"))?;
        return Ok((host, ip[0] == 127));
    }
    let loopback = host == "localhost" || host.ends_with(".localhost");
    Ok((host, loopback))
}

/// A dotted quad of decimal octets without leading zeros (as `std::net` reads it).
fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut out {
        let p = parts.next()?.as_bytes();
        if p.is_empty() || p.len() > 3 || (p.len() > 1 && p[0] == b'0') || !p.iter().all(u8::is_ascii_digit) {
            return None;
        }
        *octet = u8::try_from(p.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// RFC 4291 text form: eight groups of 1-4 hex digits, at most one `::`, an
/// optional dotted quad in the last 32 bits. Small on purpose (the SDK ships it).
fn parse_ipv6(s: &str) -> Option<[u16; 8]> {
    fn groups(part: &str, out: &mut Vec<u16>, last: bool) -> Option<()> {
        if part.is_empty() {
            return Some(());
        }
        let mut items = part.split(':').peekable();
        while let Some(g) = items.next() {
            if last && items.peek().is_none() && g.contains('.') {
                let [a, b, c, d] = parse_ipv4(g)?;
                out.push(u16::from(a) << 8 | u16::from(b));
                out.push(u16::from(c) << 8 | u16::from(d));
            } else {
                if g.is_empty() || g.len() > 4 {
                    return None;
                }
                out.push(g.bytes().try_fold(0u16, |n, b| Some(n << 4 | u16::from(hex_value(b)?)))?);
            }
        }
        Some(())
    }
    let b = s.as_bytes();
    let gap = b.windows(2).position(|w| w == b"::");
    let (head, tail) = match gap {
        Some(i) => (s.get(..i)?, s.get(i + 2..)?),
        None => (s, ""),
    };
    let mut h = Vec::with_capacity(8);
    let mut t = Vec::with_capacity(8);
    groups(head, &mut h, gap.is_none())?;
    groups(tail, &mut t, true)?;
    let n = h.len() + t.len();
    if (gap.is_some() && n > 7) || (gap.is_none() && n != 8) {
        return None;
    }
    let mut out = [0u16; 8];
    out[..h.len()].copy_from_slice(&h);
    out[8 - t.len()..].copy_from_slice(&t);
    Some(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Form decoding: `+` is a space, `%XX` a byte; invalid UTF-8 becomes
/// U+FFFD (never a URL-safe ID, never a known name).
fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_value(b[i + 1]), hex_value(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(if c == b'+' { b' ' } else { c });
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| "\u{fffd}".to_owned())
}

/// Form encoding as browsers and `url::form_urlencoded` do it: `A-Za-z0-9*-._`
/// as they are, space as `+`, every other byte `%XX`.
fn form_encode(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(b as char),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
}

/// Appends a decimal number without the formatting machinery (the SDK
/// ships this crate: `core::fmt` would cost it kilobytes).
pub fn push_decimal(s: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[i..] {
        s.push(*d as char);
    }
}

impl BindingLink {
    /// Parses either form. Never panics; anything unexpected is `INVALID_LINK`.
    pub fn parse(input: &str) -> Result<Self, LinkError> {
        let input = input.trim();
        if input.len() > 8192 {
            return Err(invalid("too long"));
        }
        let url = Uri::parse(input)?;
        url.check_scheme()?;
        if url.query_pairs().any(|(k, _)| k == "api_base_url") {
            Self::parse_redirect_form(&url)
        } else {
            Self::parse_api_form(&url)
        }
    }

    fn parse_api_form(url: &Uri<'_>) -> Result<Self, LinkError> {
        let segments: Vec<&str> = url.segments().collect();
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
        let mut api_base = url.origin();
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

    fn parse_redirect_form(url: &Uri<'_>) -> Result<Self, LinkError> {
        if url.segments().next_back() != Some("bind") {
            return Err(invalid("the redirect path does not end in /bind"));
        }
        let api_text = single_param(url, "api_base_url")?;
        let api = Uri::parse(&api_text).map_err(|_| invalid("api_base_url is not a URL"))?;
        api.check_scheme()?;
        if api.query.is_some() || api.fragment.is_some() {
            return Err(invalid("api_base_url has a query or fragment"));
        }
        let mut api_base = api.origin();
        for segment in api.segments().filter(|s| !s.is_empty()) {
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
        let pairs = [
            ("api_base_url", &self.api_base),
            ("tenant_id", &self.tenant_id),
            ("realm_id", &self.realm_id),
            ("identity_id", &self.identity_id),
            ("job_id", &self.job_id),
            ("token", &self.token),
        ];
        for (i, (name, value)) in pairs.into_iter().enumerate() {
            if i > 0 {
                s.push('&');
            }
            s.push_str(name);
            s.push('=');
            form_encode(&mut s, value);
        }
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
fn single_param(url: &Uri<'_>, name: &'static str) -> Result<String, LinkError> {
    let mut values = url.query_pairs().filter(|(k, _)| k == name).map(|(_, v)| v);
    let first = values.next().ok_or(invalid("a required query parameter is missing"))?;
    if values.next().is_some() {
        return Err(invalid("a query parameter is repeated"));
    }
    Ok(first)
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
    fn hosts_and_ports_are_read_as_a_browser_does() {
        let path = "/v1/tenants/t/realms/r/identities/i/credential-binding-jobs/j:invokeAuthenticator?token=x";
        for (base, api_base) in [
            ("HTTPS://API.Example.COM", "https://api.example.com"),
            ("https://api.example.com:443", "https://api.example.com"),
            ("https://api.example.com:", "https://api.example.com"),
            ("http://localhost:80", "http://localhost"),
            ("http://localhost:08080", "http://localhost:8080"),
            ("http://app.localhost:3000", "http://app.localhost:3000"),
            ("http://127.0.0.2:9", "http://127.0.0.2:9"),
            ("http://[0:0:0:0:0:0:0:1]:8080", "http://[0:0:0:0:0:0:0:1]:8080"),
            ("https://[2001:DB8::1]", "https://[2001:db8::1]"),
            ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
        ] {
            let link = BindingLink::parse(&format!("{base}{path}")).unwrap_or_else(|e| panic!("{base}: {e}"));
            assert_eq!(link.api_base, api_base, "{base}");
        }
        let with_fragment = format!("https://api.example.com{path}#top");
        assert_eq!(BindingLink::parse(&with_fragment).unwrap().token, "x");
        for bad in [
            "http://[2001:db8::1]",
            "http://10.0.0.1",
            "https://127.1",
            "https://0x7f.0.0.1",
            "https://256.0.0.1",
            "https://api.example.com:65536",
            "https://api.example.com:8a",
            "https://[::1",
            "https://[::1]x",
            "https://bücher.example",
            "https://api..example.com",
            "https:api.example.com",
            "https:/api.example.com",
            "https:\\\\api.example.com",
            "https://api.example.com\\x",
            "https://%61pi.example.com",
            "https://@api.example.com",
        ] {
            assert!(BindingLink::parse(&format!("{bad}{path}")).is_err(), "{bad}");
        }
        for bad in ["/a/../v1", "/%76%31", "/./v1", "/a b/v1"] {
            let s = format!("https://api.example.com{bad}/tenants/t/realms/r/identities/i/credential-binding-jobs/j:invokeAuthenticator?token=x");
            assert!(BindingLink::parse(&s).is_err(), "{bad}");
        }
    }

    #[test]
    fn ip_addresses_as_std_reads_them() {
        for text in ["::1", "::", "1::", "2001:db8::1", "1:2:3:4:5:6:7:8", "::ffff:127.0.0.1", "1:2:3:4:5:6:1.2.3.4", "fe80::1:2", "0:0:0:0:0:0:0:1"] {
            let std: std::net::Ipv6Addr = text.parse().unwrap();
            assert_eq!(parse_ipv6(text), Some(std.segments()), "{text}");
        }
        for text in ["", ":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7:8", "g::", "::1.2.3", "1.2.3.4::", ":1::", "1:2:3:4:5:6:7:1.2.3.4"] {
            assert!(text.parse::<std::net::Ipv6Addr>().is_err(), "{text}");
            assert_eq!(parse_ipv6(text), None, "{text}");
        }
        for text in ["127.0.0.1", "0.0.0.0", "255.255.255.255", "10.1.2.3"] {
            assert_eq!(parse_ipv4(text), Some(text.parse::<std::net::Ipv4Addr>().unwrap().octets()));
        }
        for text in ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.4 "] {
            assert!(text.parse::<std::net::Ipv4Addr>().is_err(), "{text}");
            assert_eq!(parse_ipv4(text), None, "{text}");
        }
    }

    #[test]
    fn query_values_are_form_decoded() {
        let link = BindingLink::parse("https://app.example.com/bind?api_base_url=https://api.example.com/a%2Fb&tenant_id=t&realm_id=r&&identity_id=%69&job_id=j&token=x%7E").unwrap();
        assert_eq!(link.api_base, "https://api.example.com/a/b");
        assert_eq!(link.identity_id, "i");
        assert_eq!(link.token, "x~");
        // A broken escape stays as written (and is then not URL-safe); bad UTF-8 is refused.
        assert!(BindingLink::parse("https://app.example.com/bind?api_base_url=https://api.example.com&tenant_id=t&realm_id=r&identity_id=i&job_id=j&token=x%4").is_err());
        assert!(BindingLink::parse("https://app.example.com/bind?api_base_url=https://api.example.com&tenant_id=t&realm_id=r&identity_id=i&job_id=j&token=%ff").is_err());
        let mut link = sample();
        link.token = "a b/+é".into();
        assert!(link.redirect_url("https://app.example.com").ends_with("&token=a+b%2F%2B%C3%A9"));
    }

    #[test]
    fn both_forms_format_and_parse_back() {
        let link = sample();
        assert_eq!(BindingLink::parse(&link.api_url()).unwrap(), link);
        assert_eq!(BindingLink::parse(&link.redirect_url("https://app.example.com/passkeys/")).unwrap(), link);
    }
}
