//! `url::Url::parse` without the one panic it has in this workspace.
//!
//! The workspace builds `url` with the ASCII-only IDNA adapter (`idna_adapter`
//! 1.0.0, root Cargo.toml: the Unicode tables would cost the SDK 50 KB). It
//! refuses every host that is not ASCII, which is fine: passbind's URLs are
//! ASCII. But it also carries `debug_assert!(!c.is_ascii_uppercase())` on a
//! path the URL parser reaches with a non-ASCII host that has a capital
//! letter (`https://DŻ.example/`, also spelled `https://%44%C5%BB.example/`):
//! any build with debug assertions (tests, `--dev`, the fuzz targets) panics
//! where a release build answers an error. Found by fuzz/ (target `link`).

use percent_encoding::percent_decode_str;
use url::{ParseError, Url};

/// Parses `input` as `Url::parse` does, refusing up front (as
/// `ParseError::IdnaError`, what the parser itself answers for them in a
/// release build) the hosts that are not ASCII once percent-decoded.
pub fn parse_url(input: &str) -> Result<Url, ParseError> {
    if !host_is_ascii(input) {
        return Err(ParseError::IdnaError);
    }
    Url::parse(input)
}

/// Whether the part of `input` where a special URL's host would be (after
/// `scheme:` and any slashes, up to the path, query or fragment, without
/// user info) is ASCII after percent-decoding. Errs on refusing: only what
/// would reach the IDNA step with a non-ASCII character is refused.
fn host_is_ascii(input: &str) -> bool {
    // As the parser does first: no tab or newline anywhere, no C0 control or space around.
    let input: String = input.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let Some((scheme, rest)) = input.trim_matches(|c: char| c <= ' ').split_once(':') else { return true };
    let rest = rest.trim_start_matches(['/', '\\']);
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    // A file URL has no user info: everything up to the path is its host, `@` included.
    let host = if scheme.eq_ignore_ascii_case("file") { authority } else { authority.rsplit_once('@').map_or(authority, |(_, host)| host) };
    host.is_ascii() && percent_decode_str(host).all(|b| b.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_hosts_are_an_error_not_a_panic() {
        // The last one found by fuzz/ (admin_body): tabs and newlines vanish before the host is read.
        for bad in [
            "https://DŻ.example/",
            "https://%44%C5%BB.example/",
            "HTTPS://user@AŻ.example:443/x",
            "http://bücher.example",
            "https:\t\n\\A%e0q\"y",
            // Found by `npm run fuzz` (admin_body): in a file URL `@` does not end user info.
            "file://2r\nMMaMat1kE\u{EEEE}EE:\u{44b}t7..t.o7@IIIIKKKK%%%%%`",
        ] {
            assert_eq!(parse_url(bad), Err(ParseError::IdnaError), "{bad}");
        }
        for good in ["https://%61pi.example.com/ä?q=ü#ö", "http://LOCALHOST:8080/x", "https://xn--bcher-kva.example", "http://[::1]:9/"]
        {
            assert_eq!(parse_url(good), Url::parse(good), "{good}");
            assert!(parse_url(good).is_ok(), "{good}");
        }
    }
}
