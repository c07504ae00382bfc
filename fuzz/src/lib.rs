//! What the fuzz targets share: the real-world registration vectors'
//! ceremonies (crates/webauthn/tests/vectors), so that inputs seeded from
//! those vectors reach the statement checks behind the client data's.

use std::sync::OnceLock;

/// One vector's ceremony: what the relying party expected, and a time inside its certificates' validity.
pub struct Ceremony {
    pub challenge: Vec<u8>,
    pub origins: Vec<String>,
    pub rp_id: String,
    pub verify_at: u64,
}

macro_rules! vectors {
    ($($path:literal),* $(,)?) => {
        /// The vector files, in the order `ceremonies` answers them (fuzz/seed.mjs writes the same order).
        pub const VECTOR_FILES: &[&str] = &[$($path),*];
        const VECTOR_TEXTS: &[&str] = &[$(include_str!(concat!("../../crates/webauthn/tests/vectors/", $path))),*];
    };
}

vectors!(
    "none/firefox-android.json",
    "packed/yubikey-firefox.json",
    "fido-u2f/yubikey-firefox.json",
    "apple/iphone-passkey.json",
    "android-key/fido-conformance.json",
    "android-key/pixel-8a.json",
    "tpm/surface-pro-4-intc-rsa.json",
    "tpm/webauthn-io-ntc-ecc.json",
    "android-safetynet/py-webauthn-chrome-android.json",
);

/// The ceremonies of [`VECTOR_FILES`], read once.
pub fn ceremonies() -> &'static [Ceremony] {
    static CEREMONIES: OnceLock<Vec<Ceremony>> = OnceLock::new();
    CEREMONIES.get_or_init(|| {
        VECTOR_TEXTS
            .iter()
            .map(|text| {
                let v: serde_json::Value = serde_json::from_str(text).expect("vector JSON");
                let field = |name: &str| v[name].as_str().unwrap_or_default().to_owned();
                Ceremony {
                    challenge: passbind_protocol::base64url::decode(&field("challenge")).expect("challenge"),
                    origins: vec![field("origin")],
                    rp_id: field("rp_id"),
                    verify_at: v["verify_at"].as_u64().or_else(|| v["at"].as_u64()).unwrap_or(1_704_067_200),
                }
            })
            .collect()
    })
}

/// The ceremony the input's first byte selects, and the rest of the input.
pub fn select(data: &[u8]) -> Option<(&'static Ceremony, &[u8])> {
    let (first, rest) = data.split_first()?;
    let all = ceremonies();
    Some((&all[usize::from(*first) % all.len()], rest))
}
