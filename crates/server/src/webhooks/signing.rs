//! What a webhook receives: the payload and its Standard Webhooks signature
//! (<https://www.standardwebhooks.com/>), computed by the spec's reference
//! crate (`standardwebhooks`).
//!
//! - `webhook-id`: the event's ID (the same on every attempt: receivers
//!   deduplicate by it);
//! - `webhook-timestamp`: the attempt's time, Unix seconds (receivers refuse
//!   stale ones, so it is the time of sending, not of the event);
//! - `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`
//!   keyed with the secret's bytes (`whsec_<base64>`).

use crate::routes::events::EventView;
use crate::store::{Event, WebhookSecret};
use crate::util::{format_time, random_bytes};
use base64::Engine;

/// The secret's prefix, as the spec writes secrets.
const SECRET_PREFIX: &str = "whsec_";

/// A new secret: `whsec_` and 24 random bytes in base64.
pub fn new_secret() -> WebhookSecret {
    let key = base64::engine::general_purpose::STANDARD.encode(random_bytes::<24>());
    WebhookSecret::new(format!("{SECRET_PREFIX}{key}"))
}

/// The body POSTed for `event`: `{"type", "timestamp", "data"}`, where
/// `data` is the event exactly as `GET …/events` shows it. The event names
/// resources by ID only: no token, link or secret is in it.
pub fn payload(event: &Event) -> Vec<u8> {
    let body = serde_json::json!({
        "type": event.event_type.as_str(),
        "timestamp": format_time(event.create_time),
        "data": EventView::from(event),
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// A secret that is not `whsec_<base64>` (only one stored by hand could be).
#[derive(Debug, thiserror::Error)]
#[error("the webhook's secret is not a whsec_ secret")]
pub struct BadSecret;

/// The `webhook-signature` value for message `id` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &WebhookSecret, id: &str, timestamp: i64, body: &[u8]) -> Result<String, BadSecret> {
    let webhook = standardwebhooks::Webhook::new(secret.expose()).map_err(|_| BadSecret)?;
    webhook.sign(id, timestamp, body).map_err(|_| BadSecret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_secret_is_whsec_and_24_bytes() {
        let secret = new_secret();
        let key = secret.expose().strip_prefix("whsec_").unwrap();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(key).unwrap().len(), 24);
        assert_ne!(new_secret(), secret);
        assert_eq!(format!("{secret:?}"), "WebhookSecret(***)");
    }

    #[test]
    fn the_signature_is_the_specs() {
        // The spec's own example (standard-webhooks, libraries' test vectors).
        let secret = WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert!(sign(&WebhookSecret::new("whsec_%%%"), "id", 1, body).is_err());
    }
}
