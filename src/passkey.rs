//! The service's `BindCredentialResponse` (snake_case, as on the wire) →
//! the camelCase object `bindPasskey` resolves with. Absent values are
//! `null`, never missing keys, so callers can rely on the shape.

use passbind_protocol::wire::{BindCredentialResponse, Passkey as WirePasskey};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BindResult<'a> {
    pub passkey: Passkey<'a>,
    pub post_binding_redirect_uri: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Passkey<'a> {
    pub id: &'a str,
    pub credential_id: &'a str,
    pub created: &'a str,
    pub state: &'a str,
    pub tenant: Named<'a>,
    pub realm: Named<'a>,
    pub identity: Identity<'a>,
    pub authenticator: Authenticator<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Named<'a> {
    pub id: &'a str,
    pub display_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub email_address: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Authenticator<'a> {
    pub aaguid: &'a str,
    pub attachment: Option<&'a str>,
    pub transports: &'a [String],
    pub backup_eligible: bool,
    pub backed_up: bool,
}

impl<'a> BindResult<'a> {
    pub fn new(response: &'a BindCredentialResponse) -> Self {
        let p: &'a WirePasskey = &response.passkey;
        let named = |n: &'a passbind_protocol::wire::Named| Named { id: &n.id, display_name: &n.display_name };
        BindResult {
            passkey: Passkey {
                id: &p.id,
                credential_id: &p.credential_id,
                created: &p.created,
                state: &p.state,
                tenant: named(&p.tenant),
                realm: named(&p.realm),
                identity: Identity {
                    id: &p.identity.id,
                    username: &p.identity.username,
                    display_name: &p.identity.display_name,
                    email_address: p.identity.email_address.as_deref(),
                },
                authenticator: Authenticator {
                    aaguid: &p.authenticator.aaguid,
                    attachment: p.authenticator.attachment.as_deref(),
                    transports: &p.authenticator.transports,
                    backup_eligible: p.authenticator.backup_eligible,
                    backed_up: p.authenticator.backed_up,
                },
            },
            post_binding_redirect_uri: response.post_binding_redirect_uri.as_deref(),
        }
    }

    /// A plain JS object; `None` becomes `null`.
    pub fn to_js(&self) -> Result<wasm_bindgen::JsValue, serde_wasm_bindgen::Error> {
        self.serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use passbind_protocol::wire::{AuthenticatorInfo, Named as WireNamed, PasskeyIdentity};

    pub fn sample() -> BindCredentialResponse {
        BindCredentialResponse {
            passkey: WirePasskey {
                id: "cred_1".into(),
                credential_id: "AAEC".into(),
                created: "2025-01-01T00:00:00Z".into(),
                state: "ACTIVE".into(),
                tenant: WireNamed { id: "t1".into(), display_name: "Tenant".into() },
                realm: WireNamed { id: "r1".into(), display_name: "Realm".into() },
                identity: PasskeyIdentity { id: "i1".into(), username: "ada".into(), display_name: "Ada".into(), email_address: None },
                authenticator: AuthenticatorInfo {
                    aaguid: "00000000-0000-0000-0000-000000000000".into(),
                    attachment: Some("platform".into()),
                    transports: vec!["internal".into()],
                    backup_eligible: true,
                    backed_up: false,
                },
            },
            post_binding_redirect_uri: None,
        }
    }

    #[test]
    fn camel_case_with_nulls() {
        let response = sample();
        let json = serde_json::to_value(BindResult::new(&response)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "passkey": {
                    "id": "cred_1", "credentialId": "AAEC", "created": "2025-01-01T00:00:00Z", "state": "ACTIVE",
                    "tenant": {"id": "t1", "displayName": "Tenant"},
                    "realm": {"id": "r1", "displayName": "Realm"},
                    "identity": {"id": "i1", "username": "ada", "displayName": "Ada", "emailAddress": null},
                    "authenticator": {"aaguid": "00000000-0000-0000-0000-000000000000", "attachment": "platform",
                                      "transports": ["internal"], "backupEligible": true, "backedUp": false}
                },
                "postBindingRedirectUri": null
            })
        );
    }
}
