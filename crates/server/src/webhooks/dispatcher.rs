//! The dispatcher task: each poll, per live webhook, enqueue the new events
//! and start sending the due deliveries (see the module doc in `mod.rs` for
//! why this is at-least-once). Sends run in their own tasks, bounded per
//! webhook and overall, each within `TIMEOUT`: a slow or unreachable receiver
//! holds at most `PER_WEBHOOK` slots and never the poll loop, the service's
//! requests, or another webhook's deliveries.

use super::sender::{SendResult, Sender};
use super::signing;
use crate::store::{AttemptOutcome, ClaimedDelivery, DeliveryState, WebhookId, WebhookStore};
use crate::util::{now_micros, random_bytes, SECOND};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How far before its cursor a webhook's events are looked at again, so an
/// event whose transaction committed after a poll had passed its time is
/// still found.
pub const OVERLAP: i64 = 60 * SECOND;
/// Attempts per delivery; after the last failed one it is FAILED.
pub const MAX_ATTEMPTS: i64 = 10;
/// The longest wait between two attempts.
pub const MAX_BACKOFF: i64 = 3600 * SECOND;
/// One attempt (connect, TLS, request, answer) ends within this.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// A claim holds a delivery this long: well over `TIMEOUT`, so a delivery
/// being sent is not claimed again elsewhere, and short enough that one
/// claimed by an instance that died is retried soon.
const LEASE: i64 = 60 * SECOND;
/// Sends in flight per webhook, and in all.
pub(super) const PER_WEBHOOK: usize = 4;
const IN_FLIGHT: usize = 32;
/// New deliveries one poll adds per webhook (the rest at the next polls).
const ENQUEUE_BATCH: i64 = 1000;

/// `--webhook-poll-ms` and `--webhook-retry-base-ms`.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub poll_interval: Duration,
    /// The first retry's wait; doubled on each further failure.
    pub retry_base: Duration,
    /// Deliveries may go to loopback, private and link-local addresses
    /// (`--webhook-private-networks`, or `--dev`).
    pub private_networks: bool,
}

/// Starts the dispatcher on the runtime; it runs as long as the runtime does.
pub fn spawn(store: Arc<dyn WebhookStore>, settings: Settings) -> tokio::task::JoinHandle<()> {
    let shared = Arc::new(Shared {
        store,
        sender: Sender::new(TIMEOUT, settings.private_networks),
        retry_base: micros(settings.retry_base),
        freed: tokio::sync::Notify::new(),
    });
    let dispatcher = Dispatcher { shared, all: Arc::new(Semaphore::new(IN_FLIGHT)), per_webhook: HashMap::new() };
    tokio::spawn(dispatcher.run(settings.poll_interval))
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// What every send task needs.
struct Shared {
    store: Arc<dyn WebhookStore>,
    sender: Sender,
    retry_base: i64,
    /// A send finished: its slot is free, so the loop polls again at once
    /// rather than at the next tick. Otherwise a webhook got at most
    /// `PER_WEBHOOK` deliveries per poll interval (4 a second by default),
    /// less than the service makes events under load: the backlog grew
    /// without end (found by tests/crash/). Wake-ups coalesce, and a send that
    /// failed is backed off, so a failing receiver causes no busy loop.
    freed: tokio::sync::Notify,
}

struct Dispatcher {
    shared: Arc<Shared>,
    all: Arc<Semaphore>,
    per_webhook: HashMap<WebhookId, Arc<Semaphore>>,
}

impl Dispatcher {
    async fn run(mut self, poll_interval: Duration) {
        let mut tick = tokio::time::interval(poll_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = self.shared.freed.notified() => {}
            }
            if let Err(e) = self.poll().await {
                tracing::warn!(error = %e, "webhook dispatch failed (retried at the next poll)");
            }
        }
    }

    async fn poll(&mut self) -> crate::store::StoreResult<()> {
        let webhooks = self.shared.store.live_webhooks().await?;
        self.per_webhook.retain(|id, _| webhooks.iter().any(|w| &w.id == id));
        for webhook in webhooks {
            let now = now_micros();
            if let Err(e) = self.shared.store.enqueue_deliveries(&webhook.id, now, OVERLAP, ENQUEUE_BATCH).await {
                tracing::warn!(webhook = %webhook.id, error = %e, "cannot enqueue webhook deliveries");
                continue;
            }
            let slots = self.per_webhook.entry(webhook.id.clone()).or_insert_with(|| Arc::new(Semaphore::new(PER_WEBHOOK))).clone();
            let free = slots.available_permits().min(self.all.available_permits());
            if free == 0 {
                continue;
            }
            let claimed = match self.shared.store.claim_deliveries(&webhook.id, now, now + LEASE, free as i64).await {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::warn!(webhook = %webhook.id, error = %e, "cannot claim webhook deliveries");
                    continue;
                }
            };
            for delivery in claimed {
                // Only this loop takes permits, and it claimed no more than were free.
                let (Ok(one), Ok(all)) = (slots.clone().try_acquire_owned(), self.all.clone().try_acquire_owned()) else { break };
                tokio::spawn(attempt(self.shared.clone(), delivery, [one, all]));
            }
        }
        Ok(())
    }
}

/// Sends one claimed delivery and records what came of it; the permits are
/// held until then.
async fn attempt(shared: Arc<Shared>, d: ClaimedDelivery, permits: [OwnedSemaphorePermit; 2]) {
    let result = send(&shared, &d).await;
    let outcome = outcome(&result, d.attempts + 1, now_micros(), shared.retry_base, jitter());
    match shared.store.record_attempt(&d.id, d.lease_until, &outcome).await {
        Ok(true) => {}
        Ok(false) => tracing::info!(delivery = %d.id, "a webhook delivery's lease ran out before its outcome was recorded"),
        Err(e) => tracing::warn!(delivery = %d.id, error = %e, "cannot record a webhook delivery's outcome (retried after its lease)"),
    }
    // The slots first, then the wake-up: the poll it starts must find them free.
    drop(permits);
    shared.freed.notify_one();
}

async fn send(shared: &Shared, d: &ClaimedDelivery) -> SendResult {
    let body = signing::payload(&d.event);
    let timestamp = now_micros() / SECOND;
    let signature = signing::sign(&d.secret, &d.event.id, timestamp, &body).map_err(|e| e.to_string())?;
    let headers = [("webhook-id", d.event.id.to_string()), ("webhook-timestamp", timestamp.to_string()), ("webhook-signature", signature)];
    shared.sender.post(&d.url, &headers, body).await
}

/// A uniform number in [0, 1).
fn jitter() -> f64 {
    (u64::from_le_bytes(random_bytes::<8>()) >> 11) as f64 / (1u64 << 53) as f64
}

/// The wait after the `failures`-th failed attempt: `base · 2^(failures−1)`,
/// at most `MAX_BACKOFF`, of which a random half (`jitter` in [0, 1)) is
/// taken off, so receivers that failed together are not retried together
/// and no wait is shorter than half its step.
pub fn backoff(base: i64, failures: i64, jitter: f64) -> i64 {
    let doublings = u32::try_from((failures - 1).clamp(0, 62)).unwrap_or(62);
    let step = base.max(1).saturating_mul(1i64.checked_shl(doublings).unwrap_or(i64::MAX)).min(MAX_BACKOFF);
    let half = step / 2;
    step - (half as f64 * jitter.clamp(0.0, 1.0)) as i64
}

/// What an attempt (the `attempts`-th) comes to.
fn outcome(result: &SendResult, attempts: i64, now: i64, base: i64, jitter: f64) -> AttemptOutcome {
    let (status_code, error) = match result {
        Ok(code) if (200..300).contains(code) => {
            let done = AttemptOutcome {
                state: DeliveryState::Succeeded,
                attempts,
                attempt_time: now,
                next_attempt_time: now,
                status_code: Some(*code),
                error: None,
            };
            return done;
        }
        Ok(code) => (Some(*code), format!("the receiver answered HTTP {code}")),
        Err(e) => (None, e.clone()),
    };
    let state = if attempts >= MAX_ATTEMPTS { DeliveryState::Failed } else { DeliveryState::Pending };
    let next_attempt_time = if state == DeliveryState::Pending { now + backoff(base, attempts, jitter) } else { now };
    AttemptOutcome { state, attempts, attempt_time: now, next_attempt_time, status_code, error: Some(error) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_with_jitter_up_to_an_hour() {
        let base = 5 * SECOND;
        assert_eq!(backoff(base, 1, 0.0), 5 * SECOND);
        assert_eq!(backoff(base, 1, 0.999_999_9), 2_500_001);
        assert_eq!(backoff(base, 4, 0.0), 40 * SECOND);
        assert_eq!(backoff(base, 9, 0.0), 1280 * SECOND);
        assert_eq!(backoff(base, 11, 0.0), MAX_BACKOFF);
        assert_eq!(backoff(base, 200, 0.5), MAX_BACKOFF - MAX_BACKOFF / 4);
        assert!((0..1000).map(|_| jitter()).all(|j| (0.0..1.0).contains(&j)));
    }

    #[test]
    fn outcomes_succeed_retry_and_give_up() {
        let ok = outcome(&Ok(204), 1, 100, SECOND, 0.0);
        assert_eq!((ok.state, ok.status_code, ok.error), (DeliveryState::Succeeded, Some(204), None));
        let refused = outcome(&Ok(500), 2, 100, SECOND, 0.0);
        assert_eq!((refused.state, refused.next_attempt_time), (DeliveryState::Pending, 100 + 2 * SECOND));
        assert_eq!(refused.error.as_deref(), Some("the receiver answered HTTP 500"));
        let redirect = outcome(&Ok(302), 1, 100, SECOND, 0.0);
        assert_eq!(redirect.state, DeliveryState::Pending);
        let last = outcome(&Err("connection refused".into()), MAX_ATTEMPTS, 100, SECOND, 0.0);
        assert_eq!((last.state, last.status_code, last.error.as_deref()), (DeliveryState::Failed, None, Some("connection refused")));
    }
}
