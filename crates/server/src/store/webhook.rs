//! Webhooks' records (issue 11, part 3): a tenant's receivers and the log of
//! each event's delivery to each of them. The dispatcher (`crate::webhooks`)
//! turns the audit log into deliveries and sends them; the routes read them.

use super::event::Event;
use super::ids::*;
use super::types::UnknownValue;
use std::fmt;
use std::str::FromStr;

/// A webhook's signing secret (`whsec_…`). Kept in the database as is
/// (signing needs it); its `Debug` never shows it, so no log line can.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// Wraps a secret (a new one, or one read from the database).
    pub fn new(secret: impl Into<String>) -> Self {
        WebhookSecret(secret.into())
    }

    /// The secret itself: for signing, and for the one answer that creates it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

/// A tenant's webhook: where its events are POSTed, signed with `secret`.
#[derive(Clone, Debug)]
pub struct Webhook {
    pub id: WebhookId,
    pub tenant_id: TenantId,
    pub url: String,
    pub description: String,
    pub secret: WebhookSecret,
    pub create_time: i64,
    /// Set when deleted: nothing is delivered after that; the log stays.
    pub delete_time: Option<i64>,
    /// The tenant's events up to here have been turned into deliveries
    /// (the dispatcher looks back an overlap window before it).
    pub cursor_time: i64,
}

/// When a poll finds no new event, the cursor stays unless it is at least
/// this old: an idle webhook costs reads only, and a write every so often
/// (the window looked at is then at most the overlap plus this).
pub const CURSOR_STEP: i64 = 10 * crate::util::SECOND;

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not delivered yet: due at `next_attempt_time`.
    Pending,
    /// The receiver answered 2xx.
    Succeeded,
    /// Every attempt failed; no more are made.
    Failed,
}

impl DeliveryState {
    /// The spelling in SQL and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "PENDING",
            DeliveryState::Succeeded => "SUCCEEDED",
            DeliveryState::Failed => "FAILED",
        }
    }
}

impl FromStr for DeliveryState {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "PENDING" => Ok(DeliveryState::Pending),
            "SUCCEEDED" => Ok(DeliveryState::Succeeded),
            "FAILED" => Ok(DeliveryState::Failed),
            _ => Err(UnknownValue { what: "delivery state", value: s.to_owned() }),
        }
    }
}

/// One event's delivery to one webhook, as the log shows it.
#[derive(Clone, Debug)]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    pub webhook_id: WebhookId,
    pub event_id: EventId,
    /// The event's type (read with the delivery, from the audit log).
    pub event_type: super::event::EventType,
    pub state: DeliveryState,
    pub attempts: i64,
    pub next_attempt_time: i64,
    pub last_attempt_time: Option<i64>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub create_time: i64,
}

/// A delivery the dispatcher claimed (its lease held until `lease_until`),
/// with what sending it takes: the webhook's URL and secret, the event.
#[derive(Clone, Debug)]
pub struct ClaimedDelivery {
    pub id: WebhookDeliveryId,
    pub webhook_id: WebhookId,
    /// Attempts made before this one.
    pub attempts: i64,
    pub lease_until: i64,
    pub url: String,
    pub secret: WebhookSecret,
    pub event: Event,
}

/// What one attempt came to, as recorded on the delivery.
#[derive(Clone, Debug)]
pub struct AttemptOutcome {
    /// `Succeeded`, `Pending` (to be retried at `next_attempt_time`) or `Failed`.
    pub state: DeliveryState,
    /// Attempts made, this one included.
    pub attempts: i64,
    pub attempt_time: i64,
    pub next_attempt_time: i64,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why it failed (never a secret, a token or the payload).
    pub error: Option<String>,
}
