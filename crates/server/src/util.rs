//! Small helpers shared by routes and store: IDs, secrets, timestamps.

use sha2::{Digest, Sha256};

/// Random bytes from the OS. Failing to get entropy is not recoverable.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the OS random number generator failed");
    buf
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// IDs look like the seeds': 16 lowercase hex digits.
pub fn new_id() -> String {
    hex(&random_bytes::<8>())
}

/// Authenticator config IDs are UUID v4, like the seeds.
pub fn new_uuid() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid_string(&b)
}

/// Canonical UUID text of 16 bytes (used for AAGUIDs too).
pub fn uuid_string(b: &[u8; 16]) -> String {
    let h = hex(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// A secret for links and API tokens: 32 random bytes, base64url (URL-safe as is).
pub fn new_secret() -> String {
    passbind_protocol::base64url::encode(&random_bytes::<32>())
}

/// Secrets are stored as their SHA-256 only, so a database leak leaks no usable token.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Equality whose time depends only on the lengths, not on where the
/// inputs differ (for secrets and their hashes): `subtle`'s.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

/// Time is kept as microseconds since the Unix epoch (an integer in every database).
pub fn now_micros() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1000) as i64
}

pub const SECOND: i64 = 1_000_000;

/// RFC 3339 UTC with microseconds and `Z`, like the seeds: `2022-07-11T21:10:33.383828Z`.
pub fn format_time(micros: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000000Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_times_have_the_seed_shapes() {
        let id = new_id();
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let u = new_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(format_time(1_657_573_833_383_828), "2022-07-11T21:10:33.383828Z");
        assert_eq!(format_time(0), "1970-01-01T00:00:00.000000Z");
    }
}
