//! A backlog drains at the speed of the receiver, not of the poll interval
//! (found by tests/crash/: a webhook got at most 4 deliveries per poll).

use crate::common::*;
use crate::helpers::*;

/// Both instances poll once an hour; instance B's first poll (at its start)
/// finds 12 events, of which it may send only 4 at once. The other 8 follow
/// as the first sends finish, not an hour later.
pub(crate) async fn a_backlog_drains_without_waiting_for_the_next_poll(db: Db) {
    let (receiver, url) = Receiver::start(&[]).await;
    let (database_url, dir) = fresh_database(db).await;
    let hourly = |c: &mut passbind_server::Config| c.webhook_poll_ms = 3_600_000;
    // A's one poll ran at its start, before the webhook and the events existed.
    let a = TestServer::start_at(database_url.clone(), dir, hourly).await;
    create_webhook(&a, &url).await;
    for i in 0..12 {
        a.identity_with_link(&format!("backlog-{i}")).await;
    }
    let _b = TestServer::start_at(database_url, None, hourly).await;
    eventually("all 12 events arrive", || async { receiver.got().len() >= 12 }).await;
}
