//! clientDataJSON: the browser's account of the ceremony.

use super::{rejected, Expectation, VerifyError};
use passbind_protocol::base64url;
use serde::Deserialize;

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

pub fn verify(json: &[u8], exp: &Expectation<'_>) -> Result<(), VerifyError> {
    let data: CollectedClientData = serde_json::from_slice(json).map_err(|e| rejected(format!("clientDataJSON is not valid: {e}")))?;
    if data.type_ != "webauthn.create" {
        return Err(rejected(format!("clientDataJSON type is {:?}, not webauthn.create", data.type_)));
    }
    let challenge = base64url::decode(&data.challenge).ok_or_else(|| rejected("the challenge is not base64url"))?;
    // Not constant-time on purpose: the challenge is no secret once issued.
    if challenge != exp.challenge {
        return Err(rejected("the challenge is not this ceremony's"));
    }
    if !exp.allowed_origins.iter().any(|o| o == &data.origin) {
        return Err(VerifyError::Security(format!("origin {:?} is not allowed for this authenticator config", data.origin)));
    }
    if data.cross_origin == Some(true) {
        return Err(VerifyError::Security("cross-origin (iframe) registration is not allowed".into()));
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
        assert!(matches!(check(&ok.replace("webauthn.create", "webauthn.get")), Err(VerifyError::Rejected(_))));
        assert!(matches!(check(&ok.replace("AQID", "AQIE")), Err(VerifyError::Rejected(_))));
        assert!(matches!(check(&ok.replace("https://app", "https://evil")), Err(VerifyError::Security(_))));
        assert!(matches!(check(&ok.replace("https://app.example.com", "https://app.example.com:8443")), Err(VerifyError::Security(_))));
        assert!(matches!(check(&ok.replace("false", "true")), Err(VerifyError::Security(_))));
        assert!(matches!(check("{}"), Err(VerifyError::Rejected(_))));
        assert!(matches!(check("\u{0}garbage"), Err(VerifyError::Rejected(_))));
    }
}
