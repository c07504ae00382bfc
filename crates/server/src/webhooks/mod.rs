//! Webhooks (issue 11, part 3): every change event of a tenant POSTed,
//! signed the Standard Webhooks way, to each of the tenant's webhooks.
//!
//! # Why at-least-once, without touching the binding hot path
//!
//! The audit log is the outbox. A change and its event commit in one
//! transaction (`store/event.rs`), so every acknowledged change has its
//! event and nothing else has to be written on the hot path. A dispatcher
//! task in each instance (`dispatcher.rs`) polls the log:
//!
//! 1. per live webhook, it inserts a PENDING delivery row for each of the
//!    tenant's events created since the webhook's `cursor_time` minus an
//!    overlap window (60 s) that has none yet (`INSERT … ON CONFLICT DO
//!    NOTHING` on UNIQUE (webhook_id, event_id): idempotent, however many
//!    instances poll), and moves the cursor on;
//! 2. it claims due deliveries by setting a lease (`lease_until`) in one
//!    atomic statement (PostgreSQL: `FOR UPDATE SKIP LOCKED`), POSTs each,
//!    and records the outcome: 2xx is SUCCEEDED; anything else is retried
//!    with exponential backoff, up to `MAX_ATTEMPTS`, then FAILED. A
//!    finished send wakes the poll loop (its slot is free), so a backlog
//!    drains as fast as the receiver answers, not `PER_WEBHOOK` per poll.
//!
//! A delivery row is written before any attempt and leaves PENDING only
//! after a 2xx was recorded (or the attempts ran out), so a crash, a restart
//! or a lost instance at any point leads to one more attempt once the lease
//! expires — never to a lost event. Hence at least once: a receiver may see
//! an event twice (its 2xx was not recorded, or a lease ran out mid-send) and
//! should deduplicate by the `webhook-id` header (the event's ID, the same
//! on every attempt).
//!
//! # Limits
//!
//! - The overlap window: an event's `create_time` is taken before its
//!   transaction commits. An event is found if it commits (and becomes
//!   visible) within 60 s of its `create_time` and of the cursor, which also
//!   covers clock differences between instances up to that much. A
//!   transaction open longer than that (or a clock further off) can make an
//!   event invisible to every later poll: it is then never delivered.
//! - Events from before a webhook was created are not delivered to it.
//! - Order is not guaranteed (retries, and up to `PER_WEBHOOK` sends at once
//!   per instance).
//! - Deleting a webhook stops new deliveries and attempts; one already in
//!   flight at that moment may still arrive.
//! - Each poll looks at the tenant's events of the last overlap window, so
//!   its cost grows with the event rate (read realm by realm on the events'
//!   (tenant_id, realm_id, create_time) index; nothing is added to events).

pub mod dispatcher;
mod guard;
mod sender;
pub mod signing;

pub use dispatcher::{spawn, Settings, MAX_ATTEMPTS};
pub(crate) use sender::{describe, https_connector};
