//! EMAIL delivery against a real SMTP conversation on loopback (a small SMTP
//! sink in `smtp_sink.rs`), the dev outbox, the browser GET of an emailed link
//! (302 to the bind page, or an HTML page when the link is unusable), and
//! `post_binding_redirect_uri` validation.
//!
//! `delivery.rs`: sending over SMTP, its failures and the outbox; `links.rs`:
//! the emailed link in a browser and the redirect URI; `mime.rs`: reading
//! the messages; `helpers.rs`: admin calls they share.

#[path = "../common/mod.rs"]
mod common;

mod delivery;
mod helpers;
mod links;
mod mime;
mod smtp_sink;
