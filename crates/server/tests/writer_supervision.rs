//! The SQLite writer thread is supervised (issue 13, part 3): when it dies
//! (a panic outside its batch's own guard) or its connection fails, the
//! request it held is answered 503 `unavailable` (never left hanging), and
//! the writer goes on on a new connection: the next binding succeeds,
//! without a restart of the service. Faults come through a hook that exists
//! in debug builds only (`store::inject_writer_fault`), hence this file's cfg.
#![cfg(debug_assertions)]

mod common;

use common::*;
use passbind_server::store::{inject_writer_fault, WriterFault};
use std::time::Duration;

/// No request may hang on a failed writer.
const NO_HANG: Duration = Duration::from_secs(15);

async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(NO_HANG, f).await.unwrap_or_else(|_| panic!("{what} hung"))
}

/// The fault hits `:invokeAuthenticator`'s write (503), then the same link
/// binds; then it hits `:bindCredential` (503), whose retry binds.
async fn writer_recovers(fault: WriterFault) {
    let s = TestServer::start().await;
    let (identity, link) = s.identity_with_link(&format!("writer-{fault:?}").to_lowercase()).await;

    inject_writer_fault(&s.database_url, fault);
    let refused = within("invokeAuthenticator on a failing writer", s.invoke(&link, &link.token)).await;
    assert_eq!((refused.status, refused.code()), (503, "unavailable".to_owned()), "{}", refused.body);

    let invoke = within("invokeAuthenticator after the fault", s.invoke_ok(&link)).await;
    assert_eq!(s.job(&link).await["state"], "LINK_OPENED", "the restarted writer wrote the link's opening");
    let options = serde_json::to_value(&invoke.public_key).unwrap();
    let credential = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;

    inject_writer_fault(&s.database_url, fault);
    let refused = within("bindCredential on a failing writer", s.bind(&link, &invoke.ceremony_id, &credential)).await;
    assert_eq!((refused.status, refused.code()), (503, "unavailable".to_owned()), "{}", refused.body);
    assert_eq!(s.job(&link).await["state"], "LINK_OPENED", "nothing of the refused binding was written");

    let bound = within("bindCredential after the fault", s.bind(&link, &invoke.ceremony_id, &credential)).await;
    assert_eq!(bound.status, 200, "{}", bound.body);
    assert_eq!(s.job(&link).await["state"], "COMPLETE");
    let credentials = s.credentials(identity["id"].as_str().unwrap()).await;
    assert_eq!(credentials.len(), 1);
    assert_eq!(credentials[0]["id"], bound.body["passkey"]["id"]);

    // And the next bindings go on as before.
    for i in 0..3 {
        let (_, link) = s.identity_with_link(&format!("after-{fault:?}-{i}").to_lowercase()).await;
        let invoke = s.invoke_ok(&link).await;
        let options = serde_json::to_value(&invoke.public_key).unwrap();
        let credential = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
        assert_eq!(s.bind(&link, &invoke.ceremony_id, &credential).await.status, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_that_died_is_restarted() {
    writer_recovers(WriterFault::Panic).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_whose_connection_failed_gets_a_new_one() {
    writer_recovers(WriterFault::BreakConnection).await;
}
