//! A webhook receiver that is down for a while, then up: the deliveries
//! that failed meanwhile are retried, and every event arrives (none lost).

use crate::common::*;
use axum::http::{HeaderMap, StatusCode};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Receives on `listener`, recording each request's `webhook-id`; answers 200.
fn receive_on(listener: tokio::net::TcpListener) -> Arc<Mutex<Vec<String>>> {
    let got = Arc::new(Mutex::new(Vec::new()));
    let record = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| async move {
            let id = headers.get("webhook-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            record.lock().unwrap().push(id);
            StatusCode::OK
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    got
}

async fn deliveries(s: &TestServer, webhook_id: &str) -> Vec<Value> {
    let r = s.admin(Method::GET, &format!("/v1/tenants/{}/webhooks/{webhook_id}/deliveries?page_size=100", s.dev.tenant_id), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["deliveries"].as_array().unwrap().clone()
}

async fn event_ids(s: &TestServer) -> BTreeSet<String> {
    let r = s.admin(Method::GET, &format!("{}/events?page_size=100", s.realm_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["events"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_down_for_a_while_gets_every_event_once_it_is_up() {
    let s = TestServer::start_with(Db::Sqlite, |c| {
        c.webhook_poll_ms = 50;
        c.webhook_retry_base_ms = 200;
    })
    .await;
    // The receiver's port, with nothing listening on it yet: connections are refused.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let r = s
        .admin(
            Method::POST,
            &format!("/v1/tenants/{}/webhooks", s.dev.tenant_id),
            Some(json!({"url": format!("http://127.0.0.1:{port}/hook")})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let webhook_id = r.body["id"].as_str().unwrap().to_owned();

    // Changes while the receiver is down: 10 identities with a RETURN job each (one event per job).
    for n in 0..10 {
        s.identity_with_link(&format!("w{n}")).await;
    }
    let events = event_ids(&s).await;
    assert_eq!(events.len(), 10);
    let down = Duration::from_secs(3);
    tokio::time::sleep(down).await;
    let failed_meanwhile = deliveries(&s, &webhook_id).await;
    assert_eq!(failed_meanwhile.len(), 10, "every event has its delivery row");
    assert!(failed_meanwhile.iter().all(|d| d["state"] == "PENDING" && d["attempts"].as_i64().unwrap() >= 1), "{failed_meanwhile:?}");
    let sample_error = failed_meanwhile[0]["last_error"].as_str().unwrap_or_default().to_owned();

    // Up again: everything arrives.
    let up = Instant::now();
    let got = receive_on(tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("the port is still free"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let log = loop {
        let log = deliveries(&s, &webhook_id).await;
        if log.iter().all(|d| d["state"] == "SUCCEEDED") {
            break log;
        }
        assert!(Instant::now() < deadline, "the deliveries did not all succeed: {log:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let all_in = up.elapsed();
    let received: BTreeSet<String> = got.lock().unwrap().iter().cloned().collect();
    assert_eq!(received, events, "every event arrived, none lost");
    let attempts: Vec<i64> = log.iter().map(|d| d["attempts"].as_i64().unwrap()).collect();
    println!(
        "fault: the webhook receiver down (connection refused) for {down:?} while 10 events happened\n\
         answer: each delivery retried with backoff (last error while down: {sample_error:?}); once up, all 10 delivered \
         within {all_in:.2?}, none lost ({} requests received; attempts per delivery {}..{})",
        got.lock().unwrap().len(),
        attempts.iter().min().unwrap(),
        attempts.iter().max().unwrap()
    );
}
