//! The whole binding end to end, its idempotent replay, and CORS.

use crate::common::*;
use crate::helpers::*;
use passbind_protocol::base64url;
use passbind_protocol::wire::{BindCredentialResponse, Passkey};
use reqwest::Method;
use serde_json::json;

pub(crate) async fn happy_path_binds_a_passkey_end_to_end(db: Db) {
    let s = TestServer::start_on(db).await;
    let identity = s.create_identity("alice").await;
    let identity_id = identity["id"].as_str().unwrap();
    let (job, link) = s.create_job(identity_id, &s.dev.authenticator_config_id, Some("https://app.example.com/done")).await;
    assert_eq!(job["state"], "LINK_SENT");
    assert_eq!(job["delivery_method"], "RETURN");
    assert_eq!(job["post_binding_redirect_uri"], "https://app.example.com/done");
    assert_eq!(link.api_base, s.server.public_url);
    assert_eq!(link.job_id, job["id"].as_str().unwrap());

    let invoke = s.invoke_ok(&link).await;
    let opts = &invoke.public_key;
    assert_eq!(opts.rp.id.as_deref(), Some("localhost"));
    assert_eq!(opts.rp.name, "Dev realm");
    assert_eq!(opts.user.name, "alice");
    assert_eq!(opts.user.display_name, "alice display");
    assert_eq!(base64url::decode(&opts.challenge).unwrap().len(), 32);
    assert_eq!(opts.pub_key_cred_params.iter().map(|p| p.alg).collect::<Vec<_>>(), vec![-8, -7, -257]);
    assert_eq!(opts.timeout, Some(300_000));
    let sel = opts.authenticator_selection.as_ref().unwrap();
    assert_eq!(
        (sel.resident_key.as_deref(), sel.require_resident_key, sel.user_verification.as_deref()),
        (Some("required"), true, Some("required"))
    );
    assert_eq!(opts.attestation.as_deref(), Some("none"));
    assert!(opts.exclude_credentials.is_empty());
    assert_eq!(s.job(&link).await["state"], "LINK_OPENED");

    let mut authenticator = software_authenticator();
    let cred = create_credential(&mut authenticator, &s.server.public_url, &options_json(&invoke)).await;
    assert_eq!(cred.response.public_key_algorithm, Some(-8), "passkey-rs takes the first offered: Ed25519");
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bound: BindCredentialResponse = serde_json::from_value(r.body.clone()).unwrap();
    assert_eq!(bound.post_binding_redirect_uri.as_deref(), Some("https://app.example.com/done"));
    let pk = &bound.passkey;
    assert_eq!(pk.credential_id, cred.id);
    assert_eq!(pk.state, "ACTIVE");
    assert_eq!(pk.tenant.display_name, "Dev tenant");
    assert_eq!(pk.realm.display_name, "Dev realm");
    assert_eq!(pk.identity.id, identity_id);
    assert_eq!(pk.identity.username, "alice");
    assert_eq!(pk.identity.email_address.as_deref(), Some("alice@example.com"));
    assert_eq!(pk.authenticator.aaguid, "00000000-0000-0000-0000-000000000000");
    assert_eq!(pk.authenticator.attachment, cred.authenticator_attachment);

    // What the admin API lists is exactly what the browser got.
    let listed = s.credentials(identity_id).await;
    assert_eq!(listed.len(), 1);
    let listed: Passkey = serde_json::from_value(listed[0].clone()).unwrap();
    assert_eq!(&listed, pk);
    assert_eq!(s.job(&link).await["state"], "COMPLETE");

    // The link is spent: a new ceremony is refused.
    let again = s.invoke(&link, &link.token).await;
    assert_eq!((again.status, again.code().as_str()), (409, "JOB_COMPLETE"));

    // A second job for the same identity excludes the bound credential.
    let (_, link2) = s.create_job(identity_id, &s.dev.authenticator_config_id, None).await;
    let invoke2 = s.invoke_ok(&link2).await;
    assert_eq!(invoke2.public_key.exclude_credentials.len(), 1);
    assert_eq!(invoke2.public_key.exclude_credentials[0].id, cred.id);

    // Revoked passkeys stay listed as REVOKED and are no longer excluded.
    let r = s.admin(Method::POST, &format!("{}/identities/{identity_id}/credentials/{}:revoke", s.realm_path(), pk.id), None).await;
    assert_eq!((r.status, r.body["state"].as_str()), (200, Some("REVOKED")), "{}", r.body);
    assert_eq!(s.credentials(identity_id).await[0]["state"], "REVOKED");
    assert!(s.invoke_ok(&link2).await.public_key.exclude_credentials.is_empty());
}

pub(crate) async fn replayed_completion_is_idempotent_and_a_different_credential_is_refused(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("bob").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let first = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(first.status, 200, "{}", first.body);

    // The same request again (a client that lost the response): same answer.
    let second = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body, first.body);

    // Another authenticator answering the same ceremony: the job is complete.
    let other = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let third = s.bind(&link, &invoke.ceremony_id, &other).await;
    assert_eq!((third.status, third.code().as_str()), (409, "JOB_COMPLETE"));

    let creds = s.credentials(identity["id"].as_str().unwrap()).await;
    assert_eq!(creds.len(), 1, "nothing doubled");
    assert_eq!(creds[0]["credential_id"], cred.id);
}

pub(crate) async fn cors_reflects_only_trusted_origins(db: Db) {
    let s = TestServer::start_on(db).await;
    let cfg = s
        .admin(
            Method::POST,
            &format!("{}/authenticator-configs", s.realm_path()),
            Some(json!({"authenticator_config": {"config": {"type": "embedded", "invoke_url": "https://app.example.com/passkeys", "trusted_origins": ["https://www.example.com"]}}})),
        )
        .await;
    assert_eq!(cfg.status, 200, "{}", cfg.body);
    let identity = s.create_identity("quinn").await;
    let (_, link) = s.create_job(identity["id"].as_str().unwrap(), cfg.body["id"].as_str().unwrap(), None).await;
    for (origin, allowed) in [("https://www.example.com", true), ("https://app.example.com", true), ("https://evil.example.com", false)] {
        let r = s
            .http
            .request(Method::OPTIONS, link.invoke_authenticator_url())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let acao = r.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(acao.as_deref(), allowed.then_some(origin), "{origin}");
        let r =
            s.http.post(link.invoke_authenticator_url()).header("Origin", origin).json(&json!({"token": link.token})).send().await.unwrap();
        // A page on an origin the config does not trust is refused outright.
        assert_eq!(r.status(), if allowed { 200 } else { 403 }, "{origin}");
        let acao = r.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(acao.as_deref(), allowed.then_some(origin), "{origin}");
    }
    // The API-form link opened in a browser redirects to the app's /bind.
    let r = s.http.get(link.api_url()).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("https://app.example.com/passkeys/bind?"), "{location}");
    assert_eq!(passbind_protocol::BindingLink::parse(location).unwrap(), link);
}
