//! What receivers get: every change, signed, exactly as the events API
//! shows it; retries until a 2xx; FAILED after the attempts; nothing after a
//! delete; each event once with two instances; the overlap window.

use crate::common::*;
use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

pub(crate) async fn every_change_arrives_signed_as_the_events_api_shows_it(db: Db) {
    let s = server(db).await;
    let (receiver, url) = Receiver::start(&[]).await;
    let (webhook_id, secret) = create_webhook(&s, &url).await;
    let (identity, link) = s.identity_with_link("lena").await;
    let passkey = bind(&s, &link).await;
    let revoke = format!(
        "{}/identities/{}/credentials/{}:revoke",
        s.realm_path(),
        identity["id"].as_str().unwrap(),
        passkey["id"].as_str().unwrap()
    );
    assert_eq!(s.admin(Method::POST, &revoke, None).await.status, 200);

    // LINK_SENT, LINK_OPENED, COMPLETE; the credential ACTIVE, then REVOKED.
    let events = events(&s).await;
    assert_eq!(events.len(), 5);
    let log = settled(&s, &webhook_id, 5).await;
    assert!(log.iter().all(|d| d["state"] == "SUCCEEDED" && d["attempts"] == 1 && d["last_status_code"] == 200), "{log:?}");
    assert!(log.iter().all(|d| d["last_error"].is_null() && d["next_attempt_time"].is_null() && d["last_attempt_time"].is_string()));

    let got = receiver.got();
    assert_eq!(got.len(), 5, "each event once to a receiver that always answers 200");
    for event in &events {
        let sent: Vec<Value> = got.iter().map(|r| verified(&secret, r)).filter(|p| p["data"]["id"] == event["id"]).collect();
        assert_eq!(sent.len(), 1, "{event}");
        assert_eq!(sent[0]["data"], *event, "the payload's data is the event exactly as the events API shows it");
        assert_eq!(sent[0]["type"], event["type"]);
        assert_eq!(sent[0]["timestamp"], event["create_time"]);
        assert_eq!(sent[0].as_object().unwrap().len(), 3, "{{type, timestamp, data}}");
        let logged: Vec<&Value> = log.iter().filter(|d| d["event_id"] == event["id"]).collect();
        assert_eq!((logged.len(), &logged[0]["event_type"]), (1, &event["type"]));
    }

    // No token, link, API token or secret in any payload.
    for r in &got {
        let body = String::from_utf8(r.body.to_vec()).unwrap();
        for secret_text in [link.token.as_str(), s.dev.api_token.as_str(), secret.as_str(), "token=", "whsec_", ":invokeAuthenticator"] {
            assert!(!body.contains(secret_text), "{secret_text:?} in {body}");
        }
    }
}

pub(crate) async fn a_failing_receiver_is_retried_until_it_answers(db: Db) {
    let s = server(db).await;
    let (receiver, url) = Receiver::start(&[500, 500]).await;
    let (webhook_id, secret) = create_webhook(&s, &url).await;
    s.identity_with_link("mona").await;
    let log = settled(&s, &webhook_id, 1).await;
    assert_eq!(
        (&log[0]["state"], &log[0]["attempts"], &log[0]["last_status_code"]),
        (&json!("SUCCEEDED"), &json!(3), &json!(200)),
        "{log:?}"
    );
    assert!(log[0]["last_error"].is_null());
    let got = receiver.got();
    assert_eq!(got.len(), 3, "delivered on the third attempt");
    let payloads: Vec<Value> = got.iter().map(|r| verified(&secret, r)).collect();
    assert!(payloads.iter().all(|p| p["data"] == payloads[0]["data"]), "every attempt carries the same event");
    let ids: Vec<&str> = got.iter().map(|r| r.headers["webhook-id"].to_str().unwrap()).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "the same webhook-id on every attempt: {ids:?}");
}

pub(crate) async fn a_receiver_that_is_down_ends_failed(db: Db) {
    let s = server(db).await;
    // A loopback port with nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (webhook_id, _) = create_webhook(&s, &format!("http://127.0.0.1:{port}/hook")).await;
    s.identity_with_link("nina").await;
    let log = settled(&s, &webhook_id, 1).await;
    let d = &log[0];
    assert_eq!((&d["state"], &d["attempts"]), (&json!("FAILED"), &json!(passbind_server::webhooks::MAX_ATTEMPTS)), "{d}");
    assert!(d["last_status_code"].is_null() && d["next_attempt_time"].is_null(), "{d}");
    let error = d["last_error"].as_str().unwrap();
    assert!(error.to_lowercase().contains("connect"), "{error}");
}

pub(crate) async fn a_deleted_webhook_gets_nothing_more(db: Db) {
    let s = server(db).await;
    let (old, old_url) = Receiver::start(&[]).await;
    let (old_id, _) = create_webhook(&s, &old_url).await;
    s.identity_with_link("olga").await;
    settled(&s, &old_id, 1).await;
    assert_eq!(old.got().len(), 1);

    let r = s.admin(Method::DELETE, &format!("{}/{old_id}", webhooks_path(&s)), None).await;
    assert_eq!(r.status, 204, "{}", r.body);
    for (method, path) in
        [(Method::GET, format!("{}/{old_id}", webhooks_path(&s))), (Method::DELETE, format!("{}/{old_id}", webhooks_path(&s)))]
    {
        let r = s.admin(method, &path, None).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    }
    let list = s.admin(Method::GET, &webhooks_path(&s), None).await;
    assert_eq!(list.body["total_size"], 0);

    // A new webhook sees the next event; the deleted one never does.
    let (new, new_url) = Receiver::start(&[]).await;
    let (new_id, _) = create_webhook(&s, &new_url).await;
    s.identity_with_link("petra").await;
    settled(&s, &new_id, 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(new.got().len(), 1);
    assert_eq!(old.got().len(), 1, "nothing more to a deleted webhook");
}

/// A receiver that never answers holds its own webhook's few send slots
/// (each attempt ends at the timeout), never the others' deliveries.
pub(crate) async fn a_hanging_receiver_does_not_hold_up_other_webhooks(db: Db) {
    let s = server(db).await;
    let (hanging, hanging_url) = Receiver::hanging().await;
    let (fine, fine_url) = Receiver::start(&[]).await;
    let (hanging_id, _) = create_webhook(&s, &hanging_url).await;
    let (fine_id, _) = create_webhook(&s, &fine_url).await;
    let started = std::time::Instant::now();
    for name in ["abby", "bess", "cleo", "dora", "edie", "fern", "gwen", "hope"] {
        s.identity_with_link(name).await;
    }
    settled(&s, &fine_id, 8).await;
    assert_eq!(fine.got().len(), 8);
    assert!(started.elapsed() < Duration::from_secs(5), "the other webhook was served at once: {:?}", started.elapsed());
    // The hanging receiver has at most its share of attempts open; the rest wait their turn.
    eventually("the hanging receiver is called", || async { !hanging.got().is_empty() }).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(hanging.got().len(), 4, "at most 4 sends at once to one webhook");
    let log = deliveries(&s, &hanging_id).await;
    assert!(log["deliveries"].as_array().unwrap().iter().all(|d| d["state"] == "PENDING" && d["attempts"] == 0), "{log}");
    // The service itself answers as usual meanwhile.
    assert_eq!(s.admin(Method::GET, &webhooks_path(&s), None).await.body["total_size"], 2);
}

/// Two instances on one database, both dispatching: the claims' leases
/// (PostgreSQL: `FOR UPDATE SKIP LOCKED`) let only one send each delivery.
pub(crate) async fn two_instances_send_each_event_once(db: Db) {
    let one = server(db).await;
    let two = TestServer::start_at(one.database_url.clone(), None, |c| {
        c.webhook_poll_ms = 20;
        c.webhook_retry_base_ms = 4;
    })
    .await;
    assert_eq!(two.dev.api_token, one.dev.api_token, "the same database");
    let (receiver, url) = Receiver::start(&[]).await;
    let (id, secret) = create_webhook(&one, &url).await;
    for (i, name) in ["uma", "vera", "wanda", "xena", "yara", "zoe"].iter().enumerate() {
        let s = if i % 2 == 0 { &one } else { &two };
        s.identity_with_link(name).await;
    }
    settled(&two, &id, 6).await;
    let got = receiver.got();
    let mut ids: Vec<String> = got.iter().map(|r| verified(&secret, r)["data"]["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((got.len(), ids.len()), (6, 6), "each event sent once");
}

/// An event whose transaction commits after the polls passed its time is
/// still delivered within the overlap window (60 s); one older than the
/// window is not (the design's documented limit).
pub(crate) async fn a_late_commit_within_the_overlap_is_delivered(db: Db) {
    let s = server(db).await;
    let (receiver, url) = Receiver::start(&[]).await;
    let (id, secret) = create_webhook(&s, &url).await;
    // As if the webhook had been there for ten minutes, and polled meanwhile.
    s.sql("UPDATE webhooks SET create_time = create_time - 600000000").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let now = passbind_server::util::now_micros();
    for (event_id, age) in [("1a7e000000000030", 30), ("1a7e000000000090", 90)] {
        s.sql(&format!(
            "INSERT INTO events (id, event_type, tenant_id, realm_id, identity_id, job_id, credential_id, actor_type, actor_id, \
             create_time, state_before, state_after) VALUES ('{event_id}', 'CredentialBindingJobChange', '{}', '{}', '00000000000000cc', \
             '00000000000000dd', NULL, 'SYSTEM', NULL, {}, 'LINK_SENT', 'FAILED_TO_SEND')",
            s.dev.tenant_id,
            s.dev.realm_id,
            now - age * 1_000_000
        ))
        .await;
    }
    let log = settled(&s, &id, 1).await;
    assert_eq!((&log[0]["event_id"], &log[0]["state"]), (&json!("1a7e000000000030"), &json!("SUCCEEDED")));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let got = receiver.got();
    assert_eq!(got.len(), 1, "the event older than the overlap window is not delivered");
    let payload = verified(&secret, &got[0]);
    let shown = events(&s).await.into_iter().find(|e| e["id"] == "1a7e000000000030").unwrap();
    assert_eq!(payload["data"], shown);
}
