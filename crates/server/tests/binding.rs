//! End to end over real HTTP: admin API → link → invokeAuthenticator →
//! passkey-rs creates the credential → bindCredential; and every refusal.

mod common;

use ciborium::Value as Cbor;
use common::packed::{packed_attested, packed_self_attested};
use common::*;
use passbind_protocol::base64url;
use passbind_protocol::wire::{BindCredentialResponse, Passkey, RegistrationResponse};
use reqwest::Method;
use serde_json::{json, Value};

fn options_json(invoke: &passbind_protocol::wire::InvokeAuthenticatorResponse) -> Value {
    serde_json::to_value(&invoke.public_key).unwrap()
}

/// Rewrites the authenticator data inside a credential's attestation object.
fn tamper_auth_data(cred: &RegistrationResponse, mut edit: impl FnMut(&mut Vec<u8>)) -> RegistrationResponse {
    let bytes = base64url::decode(&cred.response.attestation_object).unwrap();
    let mut value: Cbor = ciborium::from_reader(bytes.as_slice()).unwrap();
    if let Cbor::Map(entries) = &mut value {
        for (k, v) in entries.iter_mut() {
            if matches!(k, Cbor::Text(t) if t == "authData") {
                if let Cbor::Bytes(b) = v {
                    edit(b);
                }
            }
        }
    }
    let mut out = Vec::new();
    ciborium::into_writer(&value, &mut out).unwrap();
    let mut cred = cred.clone();
    cred.response.attestation_object = base64url::encode(&out);
    cred
}

async fn assert_nothing_bound(s: &TestServer, identity: &Value, link: &passbind_protocol::BindingLink) {
    assert!(s.credentials(identity["id"].as_str().unwrap()).await.is_empty(), "no credential may be stored");
    assert_ne!(s.job(link).await["state"], "COMPLETE");
}

async fn happy_path_binds_a_passkey_end_to_end(db: Db) {
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

async fn replayed_completion_is_idempotent_and_a_different_credential_is_refused(db: Db) {
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

async fn a_credential_for_another_challenge_is_rejected(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("carol").await;
    let invoke = s.invoke_ok(&link).await;
    let mut options = options_json(&invoke);
    options["challenge"] = json!(base64url::encode(&[7u8; 32]));
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;

    // A challenge from an older ceremony of the same job is refused too.
    let newer = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let r = s.bind(&link, &newer.ceremony_id, &cred).await;
    assert_eq!(r.code(), "ATTESTATION_REJECTED");
    assert_nothing_bound(&s, &identity, &link).await;
}

async fn a_credential_made_on_another_origin_is_a_security_error(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("dave").await;
    let invoke = s.invoke_ok(&link).await;
    // Same RP ID (localhost) but another port: another origin.
    let cred = create_credential(&mut software_authenticator(), "http://localhost:1", &options_json(&invoke)).await;
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (403, "SECURITY"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;
}

async fn a_credential_for_another_rp_id_is_a_security_error(db: Db) {
    let s = TestServer::start_on(db).await;
    // An embedded app at app.localhost that trusts the page at our origin.
    let cfg = s
        .admin(
            Method::POST,
            &format!("{}/authenticator-configs", s.realm_path()),
            Some(json!({"authenticator_config": {"config": {"type": "embedded", "invoke_url": "https://app.localhost", "trusted_origins": [s.server.public_url]}}})),
        )
        .await;
    assert_eq!(cfg.status, 200, "{}", cfg.body);
    let identity = s.create_identity("erin").await;
    let (_, link) = s.create_job(identity["id"].as_str().unwrap(), cfg.body["id"].as_str().unwrap(), None).await;
    let invoke = s.invoke_ok(&link).await;
    assert_eq!(invoke.public_key.rp.id.as_deref(), Some("app.localhost"));
    // The page scopes the credential to its own host instead.
    let mut options = options_json(&invoke);
    options["rp"]["id"] = json!("localhost");
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (403, "SECURITY"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;

    // Tampering the RP ID hash directly is refused the same way. (This one is
    // made on the app's own page, the invoke_url's origin.)
    let cred = create_credential(&mut software_authenticator(), "https://app.localhost", &options_json(&invoke)).await;
    let ok_len = cred.response.attestation_object.len();
    let tampered = tamper_auth_data(&cred, |d| d[0] ^= 1);
    assert_eq!(tampered.response.attestation_object.len(), ok_len);
    let r = s.bind(&link, &invoke.ceremony_id, &tampered).await;
    assert_eq!(r.code(), "SECURITY");
    // And the untampered one binds.
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn missing_user_verification_or_presence_is_rejected(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("frank").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    for (flag, name) in [(0x04u8, "UV"), (0x01u8, "UP")] {
        let tampered = tamper_auth_data(&cred, |d| d[32] &= !flag);
        let r = s.bind(&link, &invoke.ceremony_id, &tampered).await;
        assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{name}: {}", r.body);
        assert!(r.error().message.contains(name), "{}", r.body);
    }
    assert_nothing_bound(&s, &identity, &link).await;
}

async fn unknown_tokens_and_other_jobs_tokens_are_invalid_links(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("gina").await;
    let (_, other_link) = s.identity_with_link("hank").await;

    let r = s.invoke(&link, "not-the-token").await;
    assert_eq!((r.status, r.code().as_str()), (400, "INVALID_LINK"));
    let r = s.invoke(&link, &other_link.token).await;
    assert_eq!(r.code(), "INVALID_LINK");
    let mut unknown_job = link.clone();
    unknown_job.job_id = "0000000000000000".into();
    assert_eq!(s.invoke(&unknown_job, &link.token).await.code(), "INVALID_LINK");

    // bindCredential checks the token before anything else.
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let mut wrong = link.clone();
    wrong.token = other_link.token.clone();
    let r = s.bind(&wrong, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.code(), "INVALID_LINK");
    assert_nothing_bound(&s, &identity, &link).await;

    // An unknown ceremony of the right job: start again.
    let r = s.bind(&link, "ffffffffffffffff", &cred).await;
    assert_eq!((r.status, r.code().as_str()), (422, "NOT_ALLOWED"));
    assert_nothing_bound(&s, &identity, &link).await;
}

async fn job_and_identity_states_are_enforced(db: Db) {
    let s = TestServer::start_on(db).await;

    // Expired job.
    let (_, link) = s.identity_with_link("ivy").await;
    s.sql(&format!("UPDATE credential_binding_jobs SET expire_time = 0 WHERE id = '{}'", link.job_id)).await;
    let r = s.invoke(&link, &link.token).await;
    assert_eq!((r.status, r.code().as_str()), (410, "LINK_EXPIRED"));
    assert_eq!(s.job(&link).await["state"], "EXPIRED");

    // Revoked job (through the admin API).
    let (_, link) = s.identity_with_link("jack").await;
    let r = s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["state"], "REVOKED");
    let r = s.invoke(&link, &link.token).await;
    assert_eq!((r.status, r.code().as_str()), (410, "JOB_REVOKED"));

    // Suspended identity.
    let (identity, link) = s.identity_with_link("kate").await;
    let identity_path = format!("{}/identities/{}", s.realm_path(), identity["id"].as_str().unwrap());
    let r = s.admin(Method::PATCH, &identity_path, Some(json!({"identity": {"status": "suspended"}}))).await;
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("suspended")), "{}", r.body);
    let r = s.invoke(&link, &link.token).await;
    assert_eq!((r.status, r.code().as_str()), (422, "IDENTITY_SUSPENDED"));
    // Active again: the same link works.
    s.admin(Method::PATCH, &identity_path, Some(json!({"identity": {"status": "active"}}))).await;
    assert_eq!(s.invoke(&link, &link.token).await.status, 200);

    // Another job's ceremony (an expired one: attack matrix 20) is refused.
    let (identity, link) = s.identity_with_link("liam").await;
    let (_, other_link) = s.identity_with_link("liam-other").await;
    let other = s.invoke_ok(&other_link).await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let r = s.bind(&link, &other.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (422, "NOT_ALLOWED"));
    assert_nothing_bound(&s, &identity, &link).await;
    // A cancelled or timed-out prompt retries with a new ceremony on the same link.
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
}

async fn an_already_registered_credential_is_refused(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link) = s.identity_with_link("mia").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);

    // The same credential ID presented for another identity's job.
    let (identity2, link2) = s.identity_with_link("noah").await;
    let invoke2 = s.invoke_ok(&link2).await;
    let mut authenticator = software_authenticator();
    let cred2 = create_credential(&mut authenticator, &s.server.public_url, &options_json(&invoke2)).await;
    // Swap in the first credential's ID everywhere it appears (none attestation is unsigned).
    let first_id = base64url::decode(&cred.raw_id).unwrap();
    let second_id = base64url::decode(&cred2.raw_id).unwrap();
    assert_eq!(first_id.len(), second_id.len());
    let mut forged = tamper_auth_data(&cred2, |d| {
        let at = d.windows(second_id.len()).position(|w| w == second_id.as_slice()).unwrap();
        d[at..at + first_id.len()].copy_from_slice(&first_id);
    });
    forged.id = cred.id.clone();
    forged.raw_id = cred.raw_id.clone();
    let r = s.bind(&link2, &invoke2.ceremony_id, &forged).await;
    assert_eq!((r.status, r.code().as_str()), (409, "ALREADY_REGISTERED"), "{}", r.body);
    assert_nothing_bound(&s, &identity2, &link2).await;
}

async fn packed_self_attestation_verifies_and_a_tampered_signature_is_rejected(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("olga").await;
    let invoke = s.invoke_ok(&link).await;
    let key = p256::ecdsa::SigningKey::from_slice(&passbind_server::util::random_bytes::<32>()).unwrap();

    let bad = packed_self_attested(&invoke.public_key.challenge, &s.server.public_url, "localhost", &key, true);
    let r = s.bind(&link, &invoke.ceremony_id, &bad).await;
    assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;

    let good = packed_self_attested(&invoke.public_key.challenge, &s.server.public_url, "localhost", &key, false);
    let r = s.bind(&link, &invoke.ceremony_id, &good).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let pk: Passkey = serde_json::from_value(r.body["passkey"].clone()).unwrap();
    assert_eq!(pk.authenticator.aaguid, "42424242-4242-4242-4242-424242424242");
    assert_eq!(pk.authenticator.transports, vec!["usb".to_string()]);
    assert_eq!(pk.authenticator.attachment.as_deref(), Some("cross-platform"));
    assert_eq!(s.credentials(identity["id"].as_str().unwrap()).await.len(), 1);
}

async fn garbage_in_the_credential_is_a_typed_error_never_a_500(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("pia").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let valid = serde_json::to_value(passbind_protocol::wire::BindCredentialRequest {
        token: link.token.clone(),
        ceremony_id: invoke.ceremony_id.clone(),
        credential: cred.clone(),
    })
    .unwrap();
    let with = |path: &[&str], v: Value| {
        let mut body = valid.clone();
        let mut at = &mut body;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = v;
        body
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "INVALID_LINK"),
        (b"not json".to_vec(), "INVALID_LINK"),
        (b"[]".to_vec(), "INVALID_LINK"),
        (serde_json::to_vec(&json!({"token": link.token})).unwrap(), "ATTESTATION_REJECTED"),
        (
            serde_json::to_vec(&with(&["credential", "response", "attestationObject"], json!("!!!not base64!!!"))).unwrap(),
            "ATTESTATION_REJECTED",
        ),
        (
            serde_json::to_vec(&with(
                &["credential", "response", "attestationObject"],
                json!(base64url::encode(b"\xff\xff\xff garbage cbor")),
            ))
            .unwrap(),
            "ATTESTATION_REJECTED",
        ),
        (
            serde_json::to_vec(&with(
                &["credential", "response", "attestationObject"],
                json!(base64url::encode(&[0xa1, 0x63, b'f', b'm', b't'])),
            ))
            .unwrap(),
            "ATTESTATION_REJECTED",
        ),
        (
            serde_json::to_vec(&with(&["credential", "response", "clientDataJSON"], json!(base64url::encode(b"{{{{")))).unwrap(),
            "ATTESTATION_REJECTED",
        ),
        (serde_json::to_vec(&with(&["credential", "response", "clientDataJSON"], json!(42))).unwrap(), "ATTESTATION_REJECTED"),
        (serde_json::to_vec(&with(&["credential", "rawId"], json!(base64url::encode(&[1; 2000])))).unwrap(), "ATTESTATION_REJECTED"),
        (serde_json::to_vec(&with(&["credential", "type"], json!("password"))).unwrap(), "ATTESTATION_REJECTED"),
    ];
    for (body, code) in cases {
        let r = s.bind_raw(&link, body.clone()).await;
        assert!(r.status < 500, "{}: {}", String::from_utf8_lossy(&body), r.body);
        assert_eq!(r.code(), code, "{}", String::from_utf8_lossy(&body));
    }
    // Random bytes in every binary position, a few rounds.
    for round in 0..20u8 {
        let junk: Vec<u8> = passbind_server::util::random_bytes::<64>().iter().map(|b| b ^ round).collect();
        for path in [&["credential", "response", "attestationObject"][..], &["credential", "response", "clientDataJSON"][..]] {
            let body = serde_json::to_vec(&with(path, json!(base64url::encode(&junk)))).unwrap();
            let r = s.bind_raw(&link, body).await;
            assert_eq!(r.code(), "ATTESTATION_REJECTED");
        }
    }
    assert_nothing_bound(&s, &identity, &link).await;
    // The genuine credential still binds afterwards.
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
}

async fn cors_reflects_only_trusted_origins(db: Db) {
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

// A minimal DER writer for attestation certificates (the verifier checks the
// leaf's form, not its chain, so the certificate's own signature is a stub).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

const OID_ECDSA_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_CN: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x03];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x13];
const OID_FIDO_AAGUID: &[u8] = &[0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xe5, 0x1c, 0x01, 0x01, 0x04];

fn attestation_certificate(key: &p256::ecdsa::SigningKey, aaguid: [u8; 16], ca: bool) -> Vec<u8> {
    let name = seq(&[tlv(0x31, &seq(&[OID_CN.to_vec(), tlv(0x0c, b"Test Authenticator Attestation")]))]);
    let point = key.verifying_key().to_sec1_point(false);
    let mut bits = vec![0u8];
    bits.extend_from_slice(point.as_bytes());
    let spki = seq(&[seq(&[OID_EC_PUBLIC_KEY.to_vec(), OID_P256.to_vec()]), tlv(0x03, &bits)]);
    let basic = seq(&[OID_BASIC_CONSTRAINTS.to_vec(), tlv(0x04, &seq(&if ca { vec![tlv(0x01, &[0xff])] } else { vec![] }))]);
    let aaguid_ext = seq(&[OID_FIDO_AAGUID.to_vec(), tlv(0x04, &tlv(0x04, &aaguid))]);
    let tbs = seq(&[
        tlv(0xa0, &tlv(0x02, &[2])),
        tlv(0x02, &[0x01, 0x23]),
        seq(&[OID_ECDSA_SHA256.to_vec()]),
        name.clone(),
        seq(&[tlv(0x17, b"250101000000Z"), tlv(0x17, b"450101000000Z")]),
        name,
        spki,
        tlv(0xa3, &seq(&[basic, aaguid_ext])),
    ]);
    seq(&[tbs, seq(&[OID_ECDSA_SHA256.to_vec()]), tlv(0x03, &[0, 0x30, 0x00])])
}

async fn packed_x5c_attestation_checks_the_leaf_certificate(db: Db) {
    let s = TestServer::start_on(db).await;
    let random_key = || p256::ecdsa::SigningKey::from_slice(&passbind_server::util::random_bytes::<32>()).unwrap();
    let (credential_key, attestation_key) = (random_key(), random_key());
    let (identity, link) = s.identity_with_link("rita").await;
    let invoke = s.invoke_ok(&link).await;
    let make = |cert: Vec<u8>, signer: &p256::ecdsa::SigningKey| {
        packed_attested(&invoke.public_key.challenge, &s.server.public_url, "localhost", &credential_key, Some((signer, cert)), false)
    };
    let refused = [
        ("is a CA", make(attestation_certificate(&attestation_key, [0x42; 16], true), &attestation_key)),
        ("AAGUID differs", make(attestation_certificate(&attestation_key, [0x43; 16], false), &attestation_key)),
        ("signature does not verify", make(attestation_certificate(&attestation_key, [0x42; 16], false), &credential_key)),
        ("not DER X.509", make(b"\x30\x03\x02\x01\x01".to_vec(), &attestation_key)),
    ];
    for (why, cred) in refused {
        let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
        assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{why}: {}", r.body);
        assert!(r.error().message.contains(why), "{why}: {}", r.body);
    }
    assert_nothing_bound(&s, &identity, &link).await;
    let good = make(attestation_certificate(&attestation_key, [0x42; 16], false), &attestation_key);
    let r = s.bind(&link, &invoke.ceremony_id, &good).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn es256_binds_and_an_algorithm_never_offered_is_rejected(db: Db) {
    let s = TestServer::start_on(db).await;
    // passkey-rs picks EdDSA from the default options (the happy path);
    // narrowing the list makes it use ES256, which the service also offers.
    let (identity, link) = s.identity_with_link("sam").await;
    let invoke = s.invoke_ok(&link).await;

    let mut ml_dsa = options_json(&invoke);
    ml_dsa["pubKeyCredParams"] = json!([{"type": "public-key", "alg": -48}]);
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &ml_dsa).await;
    assert_eq!(cred.response.public_key_algorithm, Some(-48));
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;

    let mut es256 = options_json(&invoke);
    es256["pubKeyCredParams"] = json!([{"type": "public-key", "alg": -7}]);
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &es256).await;
    assert_eq!(cred.response.public_key_algorithm, Some(-7));
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

crate::on_both_databases!(
    happy_path_binds_a_passkey_end_to_end,
    replayed_completion_is_idempotent_and_a_different_credential_is_refused,
    a_credential_for_another_challenge_is_rejected,
    a_credential_made_on_another_origin_is_a_security_error,
    a_credential_for_another_rp_id_is_a_security_error,
    missing_user_verification_or_presence_is_rejected,
    unknown_tokens_and_other_jobs_tokens_are_invalid_links,
    job_and_identity_states_are_enforced,
    an_already_registered_credential_is_refused,
    packed_self_attestation_verifies_and_a_tampered_signature_is_rejected,
    garbage_in_the_credential_is_a_typed_error_never_a_500,
    cors_reflects_only_trusted_origins,
    packed_x5c_attestation_checks_the_leaf_certificate,
    es256_binds_and_an_algorithm_never_offered_is_rejected,
);
