//! Typed IDs: a tenant's ID cannot be passed where a realm's is expected.
//! One generic type, `Id<Kind>`, with a marker per kind of record; each
//! reads as text (`Deref<Target = str>`, `Display`), and is stored and
//! serialised exactly as the bare string it replaces.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::Deref;

/// The ID of a record of kind `K` (one of the `Of…` markers).
pub struct Id<K> {
    value: String,
    kind: PhantomData<fn() -> K>,
}

/// Markers: what an `Id` names (no values).
pub enum OfTenant {}
pub enum OfRealm {}
pub enum OfIdentity {}
pub enum OfJob {}
pub enum OfAuthenticatorConfig {}
pub enum OfCredentialRecord {}
pub enum OfApiToken {}
pub enum OfEvent {}
pub enum OfConsoleSession {}
pub enum OfWebhook {}
pub enum OfWebhookDelivery {}

pub type TenantId = Id<OfTenant>;
pub type RealmId = Id<OfRealm>;
pub type IdentityId = Id<OfIdentity>;
/// A credential-binding job's ID.
pub type JobId = Id<OfJob>;
pub type AuthenticatorConfigId = Id<OfAuthenticatorConfig>;
/// The ID of a stored passkey record (not the authenticator's credential ID).
pub type CredentialRecordId = Id<OfCredentialRecord>;
pub type ApiTokenId = Id<OfApiToken>;
/// An audit-log event's ID.
pub type EventId = Id<OfEvent>;
/// A console session's ID (not its cookie secret).
pub type ConsoleSessionId = Id<OfConsoleSession>;
/// A tenant's webhook.
pub type WebhookId = Id<OfWebhook>;
/// One event's delivery to one webhook.
pub type WebhookDeliveryId = Id<OfWebhookDelivery>;

impl<K> Id<K> {
    pub fn new(value: impl Into<String>) -> Self {
        Id { value: value.into(), kind: PhantomData }
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn into_string(self) -> String {
        self.value
    }
}

impl<K> Deref for Id<K> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.value
    }
}

impl<K> AsRef<str> for Id<K> {
    fn as_ref(&self) -> &str {
        &self.value
    }
}

impl<K> From<String> for Id<K> {
    fn from(value: String) -> Self {
        Id::new(value)
    }
}

impl<K> From<&str> for Id<K> {
    fn from(value: &str) -> Self {
        Id::new(value)
    }
}

impl<K> From<Id<K>> for String {
    fn from(id: Id<K>) -> String {
        id.value
    }
}

// The derives would require `K: Clone` etc. of the marker; these do not.
impl<K> Clone for Id<K> {
    fn clone(&self) -> Self {
        Id::new(self.value.clone())
    }
}

impl<K> fmt::Debug for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.value, f)
    }
}

impl<K> fmt::Display for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl<K> PartialEq for Id<K> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<K> Eq for Id<K> {}

impl<K> PartialEq<str> for Id<K> {
    fn eq(&self, other: &str) -> bool {
        self.value == other
    }
}

impl<K> PartialEq<&str> for Id<K> {
    fn eq(&self, other: &&str) -> bool {
        self.value == *other
    }
}

impl<K> PartialEq<String> for Id<K> {
    fn eq(&self, other: &String) -> bool {
        &self.value == other
    }
}

impl<K> Hash for Id<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state)
    }
}

impl<K> PartialOrd for Id<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for Id<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

impl<K> serde::Serialize for Id<K> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.value)
    }
}

impl<'de, K> serde::Deserialize<'de> for Id<K> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Id::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_stores_and_serialises_as_its_text() {
        let id = TenantId::new("00000000000000aa");
        assert_eq!(id, "00000000000000aa");
        assert_eq!(id.len(), 16);
        assert_eq!(format!("job:{id}"), "job:00000000000000aa");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"00000000000000aa\"");
        assert_eq!(serde_json::from_str::<TenantId>("\"x\"").unwrap(), "x");
    }
}
