//! The audit log's records (issue 11, part 3): every credential-binding job
//! and credential state change, who made it and when. Written by the store
//! in the transaction of the change itself, so an acknowledged change always
//! has its event and a refused or rolled-back one never does. An event names
//! resources by ID only: no token, link or secret is ever in one.
//!
//! `EXPIRED` is not recorded: a job expires by the clock, computed when it is
//! read (`routes::effective_state`), and no write happens at that moment to
//! carry an event. Recording it would need a sweeper rewriting rows; the log
//! shows the job's last stored state and its expiry time tells the rest.

use super::ids::*;
use super::types::UnknownValue;
use std::fmt;
use std::str::FromStr;

/// What changed: the seeds' event names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    CredentialBindingJobChange,
    CredentialChange,
}

impl EventType {
    /// The spelling in SQL, JSON and the `type` filter.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::CredentialBindingJobChange => "CredentialBindingJobChange",
            EventType::CredentialChange => "CredentialChange",
        }
    }
}

impl FromStr for EventType {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "CredentialBindingJobChange" => Ok(EventType::CredentialBindingJobChange),
            "CredentialChange" => Ok(EventType::CredentialChange),
            _ => Err(UnknownValue { what: "event type", value: s.to_owned() }),
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who made a change. Stored as a type and an optional ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// An admin API call, by the token's ID (never the token).
    ApiToken(ApiTokenId),
    /// An admin API call through a console session, by the session's ID
    /// (its token is the session's `api_token_id`).
    ConsoleSession(ConsoleSessionId),
    /// The holder of the binding link (the browser: LINK_OPENED, COMPLETE).
    Link,
    /// The service itself (delivery failure).
    System,
}

impl Actor {
    /// The type's spelling in SQL and JSON.
    pub const fn type_str(&self) -> &'static str {
        match self {
            Actor::ApiToken(_) => "API_TOKEN",
            Actor::ConsoleSession(_) => "CONSOLE_SESSION",
            Actor::Link => "LINK",
            Actor::System => "SYSTEM",
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Actor::ApiToken(id) => Some(id),
            Actor::ConsoleSession(id) => Some(id),
            Actor::Link | Actor::System => None,
        }
    }

    /// Reads the stored pair back.
    pub fn from_parts(actor_type: &str, actor_id: Option<String>) -> Result<Self, UnknownValue> {
        match (actor_type, actor_id) {
            ("API_TOKEN", Some(id)) => Ok(Actor::ApiToken(id.into())),
            ("CONSOLE_SESSION", Some(id)) => Ok(Actor::ConsoleSession(id.into())),
            ("LINK", _) => Ok(Actor::Link),
            ("SYSTEM", _) => Ok(Actor::System),
            (other, _) => Err(UnknownValue { what: "actor type", value: other.to_owned() }),
        }
    }
}

/// One recorded change. States are the job's or the credential's spelling
/// (`JobState`, `CredentialState`), by `event_type`; `state_before` is None
/// when the change created the resource.
#[derive(Clone, Debug)]
pub struct Event {
    pub id: EventId,
    pub event_type: EventType,
    pub tenant_id: TenantId,
    pub realm_id: RealmId,
    pub identity_id: IdentityId,
    pub job_id: Option<JobId>,
    pub credential_id: Option<CredentialRecordId>,
    pub actor: Actor,
    pub create_time: i64,
    pub state_before: Option<String>,
    pub state_after: String,
}

/// Where a change happened (what every event of a job or credential shares).
#[derive(Clone, Debug)]
pub struct EventScope {
    pub tenant_id: TenantId,
    pub realm_id: RealmId,
    pub identity_id: IdentityId,
}

impl Event {
    /// A job's change from `before` (None: created) to `after`.
    pub fn job(scope: &EventScope, job_id: &JobId, actor: &Actor, now: i64, before: Option<&str>, after: &str) -> Self {
        Event::new(EventType::CredentialBindingJobChange, scope, Some(job_id.clone()), None, actor, now, before, after)
    }

    /// A credential's change from `before` (None: created) to `after`.
    pub fn credential(scope: &EventScope, id: &CredentialRecordId, actor: &Actor, now: i64, before: Option<&str>, after: &str) -> Self {
        Event::new(EventType::CredentialChange, scope, None, Some(id.clone()), actor, now, before, after)
    }

    #[allow(clippy::too_many_arguments)]
    fn new(
        event_type: EventType,
        scope: &EventScope,
        job_id: Option<JobId>,
        credential_id: Option<CredentialRecordId>,
        actor: &Actor,
        now: i64,
        before: Option<&str>,
        after: &str,
    ) -> Self {
        Event {
            id: crate::util::new_id().into(),
            event_type,
            tenant_id: scope.tenant_id.clone(),
            realm_id: scope.realm_id.clone(),
            identity_id: scope.identity_id.clone(),
            job_id,
            credential_id,
            actor: actor.clone(),
            create_time: now,
            state_before: before.map(str::to_owned),
            state_after: after.to_owned(),
        }
    }
}

/// The list's filters (all optional, combined with AND).
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub identity_id: Option<String>,
    pub event_type: Option<EventType>,
    pub job_id: Option<String>,
    pub credential_id: Option<String>,
}
