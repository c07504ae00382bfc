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
    let data: CollectedClientData =
        serde_json::from_slice(json).map_err(|e| rejected(format!("clientDataJSON is not valid: {e}")))?;
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
