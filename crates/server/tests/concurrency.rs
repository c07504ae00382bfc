//! Many requests at once, and many instances on one database: ceremony state
//! lives in the database, and completing a job is one transaction.

mod common;

use common::*;
use passbind_protocol::wire::RegistrationResponse;
use passbind_protocol::BindingLink;
use serde_json::Value;

/// 100 simultaneous `:bindCredential` for one job: 20 ceremonies, each
/// answered by its own authenticator, each request sent 5 times. Exactly
/// one credential is stored; the 5 copies of the winning request all get
/// the same passkey (idempotent); the other 95 get JOB_COMPLETE.
async fn hundred_concurrent_binds_make_exactly_one_credential(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("many").await;
    let mut attempts: Vec<(String, RegistrationResponse)> = Vec::new();
    for _ in 0..20 {
        let invoke = s.invoke_ok(&link).await;
        let options = serde_json::to_value(&invoke.public_key).unwrap();
        let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
        attempts.push((invoke.ceremony_id, cred));
    }
    let s = std::sync::Arc::new(s);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(100));
    let mut tasks = tokio::task::JoinSet::new();
    for copy in 0..5 {
        for (i, (ceremony, cred)) in attempts.iter().enumerate() {
            let (s, barrier, link, ceremony, cred) = (s.clone(), barrier.clone(), link.clone(), ceremony.clone(), cred.clone());
            tasks.spawn(async move {
                barrier.wait().await;
                let r = s.bind(&link, &ceremony, &cred).await;
                (i, copy, r.status, r.body)
            });
        }
    }
    let results = tasks.join_all().await;
    assert_eq!(results.len(), 100);
    let ok: Vec<_> = results.iter().filter(|r| r.2 == 200).collect();
    assert_eq!(ok.len(), 5, "exactly the copies of one request succeed: {:?}", results.iter().map(|r| (r.2, r.1)).collect::<Vec<_>>());
    let winner = ok[0].0;
    assert!(ok.iter().all(|r| r.0 == winner && r.3 == ok[0].3), "the same passkey every time");
    for r in results.iter().filter(|r| r.2 != 200) {
        assert_eq!((r.2, r.3["code"].as_str()), (409, Some("JOB_COMPLETE")), "{}", r.3);
    }
    let creds = s.credentials(identity["id"].as_str().unwrap()).await;
    assert_eq!(creds.len(), 1, "exactly one credential");
    assert_eq!(creds[0]["credential_id"], ok[0].3["passkey"]["credential_id"]);
    // A retry long after answers the same passkey again.
    let (ceremony, cred) = &attempts[winner];
    let again = s.bind(&link, ceremony, cred).await;
    assert_eq!((again.status, &again.body), (200, &ok[0].3));
    assert_eq!(s.job(&link).await["state"], "COMPLETE");
    // The audit log: one COMPLETE, one credential ACTIVE (the refused 95 left none).
    let events = s.admin(reqwest::Method::GET, &format!("{}/events?job_id={}", s.realm_path(), link.job_id), None).await;
    let completes = events.body["events"].as_array().unwrap().iter().filter(|e| e["state_after"] == "COMPLETE").count();
    assert_eq!(completes, 1, "{}", events.body);
    let credentials = s.admin(reqwest::Method::GET, &format!("{}/events?type=CredentialChange", s.realm_path()), None).await;
    assert_eq!(credentials.body["total_size"], 1, "{}", credentials.body);
}

/// The link as seen through another instance (same public URL behind a
/// load balancer; here: the other instance's own address).
fn via(link: &BindingLink, server: &TestServer) -> BindingLink {
    let mut l = link.clone();
    l.api_base = format!("http://{}", server.server.local_addr);
    l
}

/// Two instances on one database (the point is PostgreSQL; a shared SQLite
/// file behaves the same): `:invokeAuthenticator` on one,
/// `:bindCredential` on the other; the admin API of either sees the result.
async fn two_instances_share_one_database(db: Db) {
    let (url, dir) = fresh_database(db).await;
    let a = TestServer::start_at(url.clone(), dir, |_| {}).await;
    let public = a.server.public_url.clone();
    let b = TestServer::start_at(url.clone(), None, |c| c.public_url = Some(public.clone())).await;
    assert_eq!(a.dev, b.dev, "one set of dev fixtures in the shared database");
    assert_ne!(a.server.local_addr, b.server.local_addr);

    let (identity, link) = a.identity_with_link("shared").await;
    let invoke = a.invoke_ok(&link).await;
    let options = serde_json::to_value(&invoke.public_key).unwrap();
    let cred = create_credential(&mut software_authenticator(), &public, &options).await;
    let on_b = via(&link, &b);
    let r = b.bind(&on_b, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The retry lands on the first instance: same answer.
    let again = a.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((again.status, &again.body), (200, &r.body));
    let id = identity["id"].as_str().unwrap();
    assert_eq!(a.credentials(id).await, b.credentials(id).await);
    assert_eq!(b.job(&link).await["state"], "COMPLETE");

    // Concurrent binds spread over both instances still make one credential.
    let (identity, link) = b.identity_with_link("spread").await;
    let mut tasks = tokio::task::JoinSet::new();
    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    let mut prepared = Vec::new();
    for i in 0..10 {
        // Ceremonies started on one instance are finished on the other.
        let (starter, finisher) = if i % 2 == 0 { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) };
        let invoke = starter.invoke_ok(&via(&link, &starter)).await;
        let cred = create_credential(&mut software_authenticator(), &public, &serde_json::to_value(&invoke.public_key).unwrap()).await;
        prepared.push((finisher, invoke.ceremony_id, cred));
    }
    for (server, ceremony, cred) in prepared {
        let l = via(&link, &server);
        tasks.spawn(async move { server.bind(&l, &ceremony, &cred).await.status });
    }
    let statuses = tasks.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    let creds: Vec<Value> = a.credentials(identity["id"].as_str().unwrap()).await;
    assert_eq!(creds.len(), 1);
}

/// The binding writes of concurrent requests share transactions (group
/// commit); a refused write must be undone alone. 20 jobs get two binds each
/// (two ceremonies, two authenticators) and 20 other jobs an invoke, all at
/// once: every job ends with exactly one passkey, every loser gets
/// JOB_COMPLETE, and every invoke leaves its job LINK_OPENED.
async fn refused_writes_in_a_shared_commit_leave_the_others_whole(db: Db) {
    let s = TestServer::start_on(db).await;
    let mut binds = Vec::new();
    let mut bound = Vec::new();
    for j in 0..20 {
        let (identity, link) = s.identity_with_link(&format!("batch-{j}")).await;
        for _ in 0..2 {
            let invoke = s.invoke_ok(&link).await;
            let cred =
                create_credential(&mut software_authenticator(), &s.server.public_url, &serde_json::to_value(&invoke.public_key).unwrap())
                    .await;
            binds.push((j, link.clone(), invoke.ceremony_id, cred));
        }
        bound.push((identity, link));
    }
    let mut opened = Vec::new();
    for j in 0..20 {
        opened.push(s.identity_with_link(&format!("open-{j}")).await.1);
    }
    let s = std::sync::Arc::new(s);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(binds.len() + opened.len()));
    let mut bind_tasks = tokio::task::JoinSet::new();
    for (j, link, ceremony, cred) in binds {
        let (s, barrier) = (s.clone(), barrier.clone());
        bind_tasks.spawn(async move {
            barrier.wait().await;
            let r = s.bind(&link, &ceremony, &cred).await;
            (j, r.status, r.body)
        });
    }
    let mut invoke_tasks = tokio::task::JoinSet::new();
    for link in opened.clone() {
        let (s, barrier) = (s.clone(), barrier.clone());
        invoke_tasks.spawn(async move {
            barrier.wait().await;
            s.invoke(&link, &link.token).await.status
        });
    }
    let results = bind_tasks.join_all().await;
    assert_eq!(invoke_tasks.join_all().await, vec![200; 20]);
    for (j, (identity, link)) in bound.iter().enumerate() {
        let mine: Vec<_> = results.iter().filter(|r| r.0 == j).collect();
        let statuses: Vec<_> = mine.iter().map(|r| (r.1, r.2["code"].as_str().unwrap_or(""))).collect();
        assert!(statuses.contains(&(200, "")) && statuses.contains(&(409, "JOB_COMPLETE")), "job {j}: {statuses:?}");
        let creds = s.credentials(identity["id"].as_str().unwrap()).await;
        let winner = &mine.iter().find(|r| r.1 == 200).unwrap().2;
        assert_eq!(creds.len(), 1, "job {j}");
        assert_eq!(creds[0]["credential_id"], winner["passkey"]["credential_id"]);
        assert_eq!(s.job(link).await["state"], "COMPLETE");
    }
    for link in &opened {
        assert_eq!(s.job(link).await["state"], "LINK_OPENED");
    }
}

crate::on_both_databases!(
    hundred_concurrent_binds_make_exactly_one_credential,
    two_instances_share_one_database,
    refused_writes_in_a_shared_commit_leave_the_others_whole
);
