//! Attacks 11–24: credentials from the wrong origin or RP ID, missing flags,
//! tampered data, excluded credentials and ceremonies that do not match.

use crate::common::*;
use crate::helpers::*;
use ciborium::Value as Cbor;
use passbind_protocol::base64url;
use reqwest::Method;
use serde_json::{json, Value};

pub(crate) async fn attack_11_credential_from_another_origin(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a11").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), "http://localhost:1", &options(&invoke)).await;
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 403, "SECURITY");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_12_call_from_an_untrusted_page(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a12").await;
    let req = json!({"token": link.token, "ceremony_id": invoke.ceremony_id, "credential": cred});
    let r = s.http.post(link.bind_credential_url()).header("Origin", "https://evil.example").json(&req).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "SECURITY");
    let r = s
        .http
        .post(link.invoke_authenticator_url())
        .header("Origin", "https://evil.example")
        .json(&json!({"token": link.token}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_13_credential_for_another_rp_id(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a13").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = packed(&invoke.public_key.challenge, &s.server.public_url, "evil.localhost");
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 403, "SECURITY");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_14_missing_user_verification_when_required(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a14").await;
    refused(&s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&cred, |d| d[32] &= !0x04)).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;

    // A config that only prefers UV accepts the same thing (the policy is the config's).
    let cfg = s
        .admin(
            Method::POST,
            &format!("{}/authenticator-configs", s.realm_path()),
            Some(json!({"authenticator_config": {"config": {"type": "hosted_web", "user_verification": "preferred"}}})),
        )
        .await;
    assert_eq!(cfg.status, 200, "{}", cfg.body);
    let (_, link) = s.create_job(identity["id"].as_str().unwrap(), cfg.body["id"].as_str().unwrap(), None).await;
    let invoke = s.invoke_ok(&link).await;
    assert_eq!(invoke.public_key.authenticator_selection.as_ref().unwrap().user_verification.as_deref(), Some("preferred"));
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke)).await;
    let r = s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&cred, |d| d[32] &= !0x04)).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

pub(crate) async fn attack_15_missing_user_presence(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a15").await;
    refused(&s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&cred, |d| d[32] &= !0x01)).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_16_altered_client_data_json(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a16").await;
    let get = tamper_client_data(&cred, |cd| cd["type"] = json!("webauthn.get"));
    refused(&s.bind(&link, &invoke.ceremony_id, &get).await, 422, "ATTESTATION_REJECTED");
    // Under a packed signature, any change of clientDataJSON breaks it.
    let signed = packed(&invoke.public_key.challenge, &s.server.public_url, "localhost");
    let extra = tamper_client_data(&signed, |cd| cd["other_keys_can_be_added_here"] = json!("x"));
    refused(&s.bind(&link, &invoke.ceremony_id, &extra).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &signed).await.status, 200, "the untampered one binds");
}

pub(crate) async fn attack_17_altered_authenticator_data(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a17").await;
    let invoke = s.invoke_ok(&link).await;
    let signed = packed(&invoke.public_key.challenge, &s.server.public_url, "localhost");
    // The sign count (bytes 33..37) changed after signing.
    refused(&s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&signed, |d| d[36] ^= 0x80)).await, 422, "ATTESTATION_REJECTED");
    // The credential ID inside no longer matches rawId.
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke)).await;
    refused(&s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&cred, |d| d[55] ^= 0x01)).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_18_excluded_credential_on_a_new_job(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a18").await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    let (_, link2) = s.create_job(identity["id"].as_str().unwrap(), &s.dev.authenticator_config_id, None).await;
    let invoke2 = s.invoke_ok(&link2).await;
    assert_eq!(invoke2.public_key.exclude_credentials[0].id, cred.id, "the bound credential is excluded");
    // A client ignoring excludeCredentials sends the registered credential ID again.
    let raw = base64url::decode(&cred.id).unwrap();
    let none = {
        let mut c = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke2)).await;
        c = tamper_auth_data(&c, |d| {
            let id_len = u16::from_be_bytes([d[53], d[54]]) as usize;
            let key = d[55 + id_len..].to_vec();
            d.truncate(53);
            d.extend_from_slice(&(raw.len() as u16).to_be_bytes());
            d.extend_from_slice(&raw);
            d.extend_from_slice(&key);
        });
        c.id = cred.id.clone();
        c.raw_id = cred.id.clone();
        c
    };
    refused(&s.bind(&link2, &invoke2.ceremony_id, &none).await, 409, "ALREADY_REGISTERED");
    assert_eq!(s.credentials(identity["id"].as_str().unwrap()).await.len(), 1);
}

pub(crate) async fn attack_19_suspended_identity(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a19").await;
    let path = format!("{}/identities/{}", s.realm_path(), identity["id"].as_str().unwrap());
    assert_eq!(s.admin(Method::PATCH, &path, Some(json!({"identity": {"status": "suspended"}}))).await.status, 200);
    refused(&s.invoke(&link, &link.token).await, 422, "IDENTITY_SUSPENDED");
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 422, "IDENTITY_SUSPENDED");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_20_expired_ceremony(db: Db) {
    let s = TestServer::start_with(db, |c| c.ceremony_seconds = 1).await;
    let (identity, link, invoke, cred) = prepared(&s, "a20").await;
    assert_eq!(invoke.public_key.timeout, Some(1000), "the browser is told the same lifetime");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 422, "NOT_ALLOWED");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_21_answer_to_another_ceremonys_challenge(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, old, cred) = prepared(&s, "a21").await;
    let newer = s.invoke_ok(&link).await;
    assert_ne!(old.public_key.challenge, newer.public_key.challenge);
    refused(&s.bind(&link, &newer.ceremony_id, &cred).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_22_ceremony_of_another_job(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a22").await;
    let (_, _, other_invoke, other_cred) = prepared(&s, "a22-other").await;
    refused(&s.bind(&link, &other_invoke.ceremony_id, &other_cred).await, 422, "NOT_ALLOWED");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_23_cross_origin_iframe(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a23").await;
    let framed = tamper_client_data(&cred, |cd| {
        cd["crossOrigin"] = json!(true);
        cd["topOrigin"] = json!("https://evil.example");
    });
    refused(&s.bind(&link, &invoke.ceremony_id, &framed).await, 403, "SECURITY");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_24_unoffered_algorithm_or_forged_signature(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a24").await;
    let invoke = s.invoke_ok(&link).await;
    let signed = packed(&invoke.public_key.challenge, &s.server.public_url, "localhost");
    // Flip one bit of the signature.
    let bytes = base64url::decode(&signed.response.attestation_object).unwrap();
    let mut value: Cbor = ciborium::from_reader(bytes.as_slice()).unwrap();
    if let Cbor::Map(entries) = &mut value {
        for (k, v) in entries.iter_mut() {
            if matches!(k, Cbor::Text(t) if t == "attStmt") {
                if let Cbor::Map(stmt) = v {
                    for (k, v) in stmt.iter_mut() {
                        if let (Cbor::Text(t), Cbor::Bytes(sig)) = (k, v) {
                            if t == "sig" {
                                let n = sig.len() - 1;
                                sig[n] ^= 1;
                            }
                        }
                    }
                }
            }
        }
    }
    let mut forged = signed.clone();
    forged.response.attestation_object = base64url::encode(&packed::cbor_bytes(&value));
    refused(&s.bind(&link, &invoke.ceremony_id, &forged).await, 422, "ATTESTATION_REJECTED");
    // A key whose algorithm (ES384) was never offered.
    let es384 = tamper_auth_data(&signed, |d| {
        let id_len = u16::from_be_bytes([d[53], d[54]]) as usize;
        let key_at = 55 + id_len;
        let mut key: Cbor = ciborium::from_reader(&d[key_at..]).unwrap();
        if let Cbor::Map(entries) = &mut key {
            for (k, v) in entries.iter_mut() {
                if *k == Cbor::Integer(3.into()) {
                    *v = Cbor::Integer((-35).into());
                }
            }
        }
        d.truncate(key_at);
        d.extend_from_slice(&packed::cbor_bytes(&key));
    });
    refused(&s.bind(&link, &invoke.ceremony_id, &es384).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
}
