//! Webhooks (issue 11, part 3): every change event of the tenant POSTed to
//! each webhook, signed the Standard Webhooks way, retried with backoff, with
//! a delivery log; on both databases.
//!
//! `delivery.rs`: what receivers get, retries, failure, deletion, two
//! instances, the overlap window; `api.rs`: the routes (secrets, scopes,
//! URLs, paging); `helpers.rs`: a receiver on loopback (a small axum server)
//! that checks every signature with the `standardwebhooks` crate and once
//! more by hand (HMAC-SHA256 over "{id}.{timestamp}.{body}").

#[path = "../common/mod.rs"]
mod common;

mod api;
mod backlog;
mod delivery;
mod helpers;

use api::*;
use backlog::*;
use delivery::*;

crate::on_both_databases!(
    every_change_arrives_signed_as_the_events_api_shows_it,
    a_failing_receiver_is_retried_until_it_answers,
    a_receiver_that_is_down_ends_failed,
    a_deleted_webhook_gets_nothing_more,
    secrets_scopes_and_bad_urls,
    the_log_pages_newest_first,
    two_instances_send_each_event_once,
    a_late_commit_within_the_overlap_is_delivered,
    a_hanging_receiver_does_not_hold_up_other_webhooks,
    a_backlog_drains_without_waiting_for_the_next_poll
);
