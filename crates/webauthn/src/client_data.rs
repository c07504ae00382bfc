//! clientDataJSON: the browser's account of the ceremony.

use crate::{Expectation, VerifyError};
use passbind_protocol::base64url;
use serde::Deserialize;
use subtle::ConstantTimeEq;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CollectedClientData {
    #[serde(rename = "type")]
    type_: String,
    challenge: String,
    origin: String,
    #[serde(default)]
    cross_origin: Option<bool>,
}

/// §7.1 steps 5-12: the ceremony was a registration, for this challenge, on an
/// allowed origin, not in a cross-origin iframe.
pub fn verify(json: &[u8], exp: &Expectation<'_>) -> Result<(), VerifyError> {
    let data: CollectedClientData = serde_json::from_slice(json).map_err(|e| VerifyError::MalformedClientData(e.to_string()))?;
    if data.type_ != "webauthn.create" {
        return Err(VerifyError::WrongType { found: data.type_ });
    }
    let challenge = base64url::decode(&data.challenge).ok_or(VerifyError::NotBase64url { field: "the challenge" })?;
    // The challenge is no secret once issued, but comparing in constant time
    // costs nothing and spares every reader that argument.
    if !bool::from(challenge.as_slice().ct_eq(exp.challenge)) {
        return Err(VerifyError::ChallengeMismatch);
    }
    if !exp.allowed_origins.iter().any(|o| o == &data.origin) {
        return Err(VerifyError::OriginNotAllowed { origin: data.origin });
    }
    if data.cross_origin == Some(true) {
        return Err(VerifyError::CrossOrigin);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Result<(), VerifyError> {
        let origins = vec!["https://app.example.com".to_owned()];
        let exp =
            Expectation { challenge: &[1, 2, 3], allowed_origins: &origins, rp_id: "app.example.com", require_user_verification: true };
        verify(json.as_bytes(), &exp)
    }

    #[test]
    fn each_client_data_rule() {
        let ok = r#"{"type":"webauthn.create","challenge":"AQID","origin":"https://app.example.com","crossOrigin":false}"#;
        assert_eq!(check(ok), Ok(()));
        assert_eq!(check(&ok.replace("webauthn.create", "webauthn.get")), Err(VerifyError::WrongType { found: "webauthn.get".into() }));
        assert_eq!(check(&ok.replace("AQID", "AQIE")), Err(VerifyError::ChallengeMismatch));
        assert_eq!(check(&ok.replace("AQID", "AQIDBA")), Err(VerifyError::ChallengeMismatch));
        assert_eq!(check(&ok.replace("AQID", "AQ!D")), Err(VerifyError::NotBase64url { field: "the challenge" }));
        assert_eq!(
            check(&ok.replace("https://app", "https://evil")),
            Err(VerifyError::OriginNotAllowed { origin: "https://evil.example.com".into() })
        );
        assert!(matches!(
            check(&ok.replace("https://app.example.com", "https://app.example.com:8443")),
            Err(VerifyError::OriginNotAllowed { .. })
        ));
        assert_eq!(check(&ok.replace("false", "true")), Err(VerifyError::CrossOrigin));
        assert!(matches!(check("{}"), Err(VerifyError::MalformedClientData(_))));
        assert!(matches!(check("\u{0}garbage"), Err(VerifyError::MalformedClientData(_))));
    }
}
