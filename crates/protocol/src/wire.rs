//! The JSON bodies of the two browser endpoints. The WebAuthn parts use
//! WebAuthn Level 3's JSON forms (camelCase, base64url without padding);
//! passbind's own envelopes use snake_case like the admin API.
//!
//! WebAuthn enum values (`"platform"`, `"required"`, …) stay strings so a value
//! a newer browser adds passes through untouched.

use serde::{Deserialize, Serialize};

/// `POST …:invokeAuthenticator` request.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvokeAuthenticatorRequest {
    pub token: String,
}

/// `POST …:invokeAuthenticator` response: a fresh ceremony.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvokeAuthenticatorResponse {
    pub ceremony_id: String,
    pub public_key: CreationOptions,
    /// RFC 3339; the ceremony's challenge is refused after this.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expire_time: String,
}

/// `PublicKeyCredentialCreationOptionsJSON`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationOptions {
    pub rp: RelyingParty,
    pub user: UserEntity,
    pub challenge: String,
    pub pub_key_cred_params: Vec<CredentialParameter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_credentials: Vec<CredentialDescriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_selection: Option<AuthenticatorSelection>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<CreationExtensions>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RelyingParty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserEntity {
    /// base64url of the user handle.
    pub id: String,
    pub name: String,
    pub display_name: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialParameter {
    #[serde(rename = "type")]
    pub type_: String,
    pub alg: i32,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialDescriptor {
    /// base64url of the credential ID.
    pub id: String,
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transports: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorSelection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_key: Option<String>,
    #[serde(default)]
    pub require_resident_key: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationExtensions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cred_props: Option<bool>,
}

/// `POST …:bindCredential` request.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BindCredentialRequest {
    pub token: String,
    pub ceremony_id: String,
    pub credential: RegistrationResponse,
}

/// `RegistrationResponseJSON`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationResponse {
    /// base64url credential ID (equals `raw_id`).
    pub id: String,
    pub raw_id: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub response: AttestationResponse,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    #[serde(default)]
    pub client_extension_results: ClientExtensionResults,
}

/// `AuthenticatorAttestationResponseJSON`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationResponse {
    #[serde(rename = "clientDataJSON")]
    pub client_data_json: String,
    pub attestation_object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_data: Option<String>,
    #[serde(default)]
    pub transports: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_algorithm: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientExtensionResults {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cred_props: Option<CredProps>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CredProps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rk: Option<bool>,
}

/// `POST …:bindCredential` response.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BindCredentialResponse {
    pub passkey: Passkey,
    pub post_binding_redirect_uri: Option<String>,
}

/// A passkey bound to an identity, as the service stores and reports it.
/// The SDK hands it to JavaScript in camelCase.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Passkey {
    /// passbind's own ID of the credential record.
    pub id: String,
    /// base64url WebAuthn credential ID (`PublicKeyCredential.id`).
    pub credential_id: String,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created: String,
    /// `ACTIVE` or `REVOKED`.
    pub state: String,
    pub tenant: Named,
    pub realm: Named,
    pub identity: PasskeyIdentity,
    pub authenticator: AuthenticatorInfo,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Named {
    pub id: String,
    pub display_name: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeyIdentity {
    pub id: String,
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email_address: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthenticatorInfo {
    /// Canonical UUID form, all zeros for authenticators that hide it.
    #[cfg_attr(feature = "openapi", schema(format = "uuid"))]
    pub aaguid: String,
    /// The model's name ("iCloud Keychain", "YubiKey 5 NFC", …): from the
    /// service's metadata BLOB, else its AAGUID list; absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The model's icon (a `data:image/…` URL) from the metadata BLOB, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// `platform`, `cross-platform`, or absent when the browser did not say.
    #[serde(default)]
    pub attachment: Option<String>,
    #[serde(default)]
    pub transports: Vec<String>,
    pub backup_eligible: bool,
    pub backed_up: bool,
}

/// What a browser endpoint answers on failure; re-exported for symmetry.
pub type ErrorResponse = crate::ErrorBody;

/// The algorithms passbind offers, in order of preference: Ed25519, ES256, RS256.
pub const SUPPORTED_ALGORITHMS: [i32; 3] = [-8, -7, -257];
