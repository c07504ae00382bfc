//! `url::Url::parse` without the panics it has in this workspace.
//!
//! The workspace builds `url` with the ASCII-only IDNA adapter (`idna_adapter`
//! 1.0.0, root Cargo.toml: the Unicode tables would cost the SDK 50 KB). It
//! refuses every host that is not ASCII, which is fine: passbind's URLs are
//! ASCII. But it also carries `debug_assert!(!c.is_ascii_uppercase())` on a
//! path the URL parser reaches with a non-ASCII host that has a capital
//! letter (`https://DŻ.example/`, also spelled `https://%44%C5%BB.example/`):
//! any build with debug assertions (tests, `--dev`, the fuzz targets) panics
//! where a release build answers an error. Found by fuzz/ (target `link`).
//!
//! The same adapter has no Unicode data, so it cannot refuse what a `xn--`
//! label decodes to: a label that decodes to a bidi or zero-width control
//! (`https://xn--3ug.example/` is U+200F) reaches idna's
//! `debug_assert_ne!(c, '\u{200F}')` and its joiner asserts, which assume
//! UTS 46 had refused them. Those controls are refused here first (UTS 46
//! disallows them, but for ZWNJ and ZWJ in rare Indic and Arabic contexts).
//! Found by `npm run fuzz` (target `link`). A `xn--` label longer than a
//! DNS label (63 octets) is refused too: none is a real name, and decoding
//! punycode is quadratic in the label's length (a 2,000-character label,
//! which idna would decode, took milliseconds; the fuzz target's rate fell
//! to about 1,000 inputs a second on such labels).

use percent_encoding::percent_decode_str;
use url::{ParseError, Url};

/// Parses `input` as `Url::parse` does, refusing up front (as
/// `ParseError::IdnaError`, what the parser itself answers for them in a
/// release build) the hosts that are not ASCII once percent-decoded.
pub fn parse_url(input: &str) -> Result<Url, ParseError> {
    match host_of(input) {
        Some(host) if !host_is_ascii(&host) || has_bad_punycode_label(&host) => Err(ParseError::IdnaError),
        _ => Url::parse(input),
    }
}

/// The part of `input` where a special URL's host would be (after `scheme:`
/// and any slashes, up to the path, query or fragment, without user info),
/// or None without a scheme. Errs on refusing: only what would reach the
/// IDNA step is looked at.
fn host_of(input: &str) -> Option<String> {
    // As the parser does first: no tab or newline anywhere, no C0 control or space around.
    let input: String = input.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let (scheme, rest) = input.trim_matches(|c: char| c <= ' ').split_once(':')?;
    let rest = rest.trim_start_matches(['/', '\\']);
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    // A file URL has no user info: everything up to the path is its host, `@` included.
    let host = if scheme.eq_ignore_ascii_case("file") { authority } else { authority.rsplit_once('@').map_or(authority, |(_, host)| host) };
    Some(host.to_owned())
}

/// Whether `host` is ASCII after percent-decoding.
fn host_is_ascii(host: &str) -> bool {
    host.is_ascii() && percent_decode_str(host).all(|b| b.is_ascii())
}

/// Whether a `xn--` label of `host` (up to a port, percent-decoded, split
/// where the URL parser splits) is longer than 63 octets or decodes to a
/// bidi or zero-width control.
fn has_bad_punycode_label(host: &str) -> bool {
    let host = host.split(':').next().unwrap_or_default();
    let host = percent_decode_str(host).decode_utf8_lossy();
    host.split(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}']).any(|label| {
        let Some(encoded) = label.get(..4).filter(|p| p.eq_ignore_ascii_case("xn--")).map(|_| &label[4..]) else { return false };
        if label.len() > 63 {
            return true;
        }
        idna::punycode::decode_to_string(&encoded.to_ascii_lowercase()).is_some_and(|decoded| {
            decoded.chars().any(|c| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'))
        })
    })
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
            // Found by `npm run fuzz` (link): punycode for U+200F (RLM), also in capitals, percent-encoded or later.
            "https://xn--3ug.example/",
            "https://XN--4DB255K.example/",
            "https://a.%78n--a-ygn.example/",
            "https://xn--g1b029i.example:8443/x",
            // The same before a port that is not one (the parser reads the host first).
            "https://xn--3ug:x/",
            // ZWNJ and ZWJ (idna's joiner asserts), an LRM, a BOM.
            "https://xn--0ug.example/",
            "https://xn--1ug.example/",
            "https://xn--a-wgn.example/",
            "https://xn--a-7m0i.example/",
            // A punycode label longer than a DNS label.
            &format!("https://xn--{}.example/", "a".repeat(60)),
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
