//! The admin API's shapes and errors over real HTTP, and the binary itself
//! (flags, the stdout line, --dev idempotence, static files).

mod common;

use common::*;
use passbind_server::store::{ApiToken, Realm, Tenant};
use passbind_server::util::{hash_secret, now_micros};
use reqwest::Method;
use serde_json::{json, Value};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn is_seed_time(s: &Value) -> bool {
    let s = s.as_str().unwrap();
    let b = s.as_bytes();
    s.len() == 27
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[26] == b'Z'
        && s.chars().enumerate().all(|(i, c)| [4, 7, 10, 13, 16, 19, 26].contains(&i) || c.is_ascii_digit())
}

fn is_hex16(v: &Value) -> bool {
    let s = v.as_str().unwrap();
    s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

async fn tokens_are_required_and_scoped_to_their_tenant(db: Db) {
    let s = TestServer::start_on(db).await;
    let path = s.url(&format!("{}/identities", s.realm_path()));

    let r = s.send(Method::GET, &path, None, None).await;
    assert_eq!((r.status, r.code().as_str()), (401, "unauthenticated"));
    assert_eq!(r.headers["content-type"], "application/json");
    let r = s.send(Method::GET, &path, Some("wrong-token"), None).await;
    assert_eq!((r.status, r.code().as_str()), (401, "unauthenticated"));

    // Another tenant with its own token and realm.
    let state = &s.server.state;
    let now = now_micros();
    state.tenants.create_tenant(&Tenant { id: "00000000000000aa".into(), display_name: "Other".into(), create_time: now }).await.unwrap();
    state
        .tenants
        .create_realm(&Realm {
            id: "00000000000000bb".into(),
            tenant_id: "00000000000000aa".into(),
            display_name: "Other realm".into(),
            create_time: now,
        })
        .await
        .unwrap();
    state
        .api_tokens
        .insert_api_token(&ApiToken::new(hash_secret("other-token"), "00000000000000aa".into(), None, None, now))
        .await
        .unwrap();
    // A token of another tenant sees nothing here: 404, as if nothing existed.
    let r = s.send(Method::GET, &path, Some("other-token"), None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    // The dev token on the other tenant's path.
    let other = s.url("/v1/tenants/00000000000000aa/realms/00000000000000bb/identities");
    let r = s.send(Method::GET, &other, Some(&s.dev.api_token), None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    // The other tenant's own token works there, and sees none of the dev data.
    let r = s.send(Method::GET, &other, Some("other-token"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"identities": [], "total_size": 0}));
    // A realm of another tenant under one's own tenant is not found.
    let cross = s.url(&format!("/v1/tenants/{}/realms/00000000000000bb/identities", s.dev.tenant_id));
    let r = s.send(Method::GET, &cross, Some(&s.dev.api_token), None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
}

async fn bad_bodies_are_400_json_naming_the_field(db: Db) {
    let s = TestServer::start_on(db).await;
    let path = format!("{}/identities", s.realm_path());
    let cases = [
        (json!({"identity": {"traits": {"type": "traits_v0", "username": "x"}}}), "identity.display_name"),
        (json!({"identity": {"display_name": "X", "traits": {"type": "traits_v0"}}}), "identity.traits.username"),
        (json!({"identity": {"display_name": "X", "traits": {"type": "traits_v9", "username": "x"}}}), "identity.traits.type"),
        (json!({"identity": {"display_name": 5, "traits": {"type": "traits_v0", "username": "x"}}}), "identity.display_name"),
        (
            json!({"identity": {"display_name": "X", "traits": {"type": "traits_v0", "username": "x", "primary_email_address": "nope"}}}),
            "identity.traits.primary_email_address",
        ),
        (json!({}), "identity"),
    ];
    for (body, field) in cases {
        let r = s.admin(Method::POST, &path, Some(body.clone())).await;
        assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{body}");
        assert_eq!(r.error().details[0].field.as_deref(), Some(field), "{body} → {}", r.body);
    }
    let r = s.send(Method::POST, &s.url(&path), Some(&s.dev.api_token), Some(b"{not json".to_vec())).await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"));
    let r = s.send(Method::POST, &s.url(&path), Some(&s.dev.api_token), None).await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"));

    // Unknown API paths and wrong methods answer JSON too.
    let r = s.admin(Method::GET, "/v1/nothing/here", None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    let r = s.admin(Method::DELETE, &path, None).await;
    assert_eq!(r.status, 405);
    r.error();
    // axum's own rejections are JSON too: a path that is not UTF-8, a body too large.
    let r = s.admin(Method::GET, "/v1/tenants/%FF%FE/realms/x/identities", None).await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{}", r.body);
    // Just over the cap: a body far larger races the early 413 (broken pipe while still sending).
    let big = vec![b' '; passbind_server::app::MAX_BODY_BYTES + 1024];
    let r = s.send(Method::POST, &s.url(&path), Some(&s.dev.api_token), Some(big)).await;
    assert_eq!((r.status, r.code().as_str()), (413, "invalid_argument"), "{}", r.body);
}

async fn authenticator_configs_match_the_seeds(db: Db) {
    let s = TestServer::start_on(db).await;
    let path = format!("{}/authenticator-configs", s.realm_path());
    // The seed request, byte for byte.
    let seed = b"{ \n  \"authenticator_config\": {\n    \"config\": {\n      \"type\": \"hosted_web\"\n    }\n  }\n}".to_vec();
    let r = s.send(Method::POST, &s.url(&path), Some(&s.dev.api_token), Some(seed)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(keys(&r.body), ["config", "id", "realm_id", "tenant_id"]);
    assert_eq!(r.body["config"], json!({"type": "hosted_web"}));
    assert_eq!(r.body["tenant_id"], s.dev.tenant_id);
    assert_eq!(r.body["realm_id"], s.dev.realm_id);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!((id.len(), &id[14..15], &id[8..9]), (36, "4", "-"));

    let embedded = json!({"authenticator_config": {"config": {"type": "embedded", "invoke_url": "https://app.example.com", "trusted_origins": ["https://app.example.com", "http://localhost:3000"]}}});
    let r = s.admin(Method::POST, &path, Some(embedded)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["config"],
        json!({"type": "embedded", "invoke_url": "https://app.example.com", "trusted_origins": ["https://app.example.com", "http://localhost:3000"]})
    );

    let bad = [
        (json!({"type": "embedded"}), "authenticator_config.config.invoke_url"),
        (json!({"type": "embedded", "invoke_url": "http://app.example.com"}), "authenticator_config.config.invoke_url"),
        (
            json!({"type": "embedded", "invoke_url": "https://app.example.com", "trusted_origins": ["https://app.example.com/path"]}),
            "authenticator_config.config.trusted_origins[0]",
        ),
        (json!({"type": "embedded", "invoke_url": "https://app.example.com", "rp_id": "other.com"}), "authenticator_config.config.rp_id"),
        (json!({"type": "sideways"}), "authenticator_config.config.type"),
    ];
    for (config, field) in bad {
        let r = s.admin(Method::POST, &path, Some(json!({"authenticator_config": {"config": config}}))).await;
        assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{config}");
        assert_eq!(r.error().details[0].field.as_deref(), Some(field), "{config}");
    }
    // A parent-domain RP ID is accepted (additive field).
    let r = s
        .admin(Method::POST, &path, Some(json!({"authenticator_config": {"config": {"type": "embedded", "invoke_url": "https://app.example.com", "rp_id": "example.com"}}})))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["config"]["rp_id"], "example.com");

    let list = s.admin(Method::GET, &path, None).await;
    assert_eq!(list.body["total_size"], 4); // the dev config plus three
    let one = s.admin(Method::GET, &format!("{path}/{id}"), None).await;
    assert_eq!(one.body["id"], id);
    let missing = s.admin(Method::GET, &format!("{path}/00000000-0000-4000-8000-000000000000"), None).await;
    assert_eq!((missing.status, missing.code().as_str()), (404, "not_found"));

    // DELETE: gone when unused; kept (422) while a job uses it.
    let r = s.admin(Method::DELETE, &format!("{path}/{id}"), None).await;
    assert_eq!((r.status, &r.body), (200, &json!({})));
    assert_eq!(s.admin(Method::GET, &format!("{path}/{id}"), None).await.status, 404);
    assert_eq!(s.admin(Method::DELETE, &format!("{path}/{id}"), None).await.status, 404);
    s.identity_with_link("user-of-dev-config").await;
    let r = s.admin(Method::DELETE, &format!("{path}/{}", s.dev.authenticator_config_id), None).await;
    assert_eq!((r.status, r.code().as_str()), (422, "failed_precondition"));
}

async fn identities_and_jobs_match_the_seeds(db: Db) {
    let s = TestServer::start_on(db).await;
    let identity = s.create_identity("alice").await;
    assert_eq!(keys(&identity), ["create_time", "display_name", "id", "realm_id", "status", "tenant_id", "traits", "update_time"]);
    assert!(is_hex16(&identity["id"]));
    assert!(is_seed_time(&identity["create_time"]), "{}", identity["create_time"]);
    assert_eq!(identity["status"], "active");
    assert_eq!(identity["traits"], json!({"type": "traits_v0", "username": "alice", "primary_email_address": "alice@example.com"}));
    let identity_id = identity["id"].as_str().unwrap();

    let dup = s
        .admin(
            Method::POST,
            &format!("{}/identities", s.realm_path()),
            Some(json!({"identity": {"display_name": "A2", "traits": {"type": "traits_v0", "username": "alice"}}})),
        )
        .await;
    assert_eq!((dup.status, dup.code().as_str()), (409, "already_exists"));

    let list = s.admin(Method::GET, &format!("{}/identities", s.realm_path()), None).await;
    assert_eq!(list.body["total_size"], 1);
    assert_eq!(list.body["identities"][0], identity);
    let one = s.admin(Method::GET, &format!("{}/identities/{identity_id}", s.realm_path()), None).await;
    assert_eq!(one.body, identity);

    // PATCH changes only what it names; the username stays.
    let path = format!("{}/identities/{identity_id}", s.realm_path());
    let r = s.admin(Method::PATCH, &path, Some(json!({"identity": {"display_name": "Alice A."}}))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["display_name"].as_str(), r.body["status"].as_str()), (Some("Alice A."), Some("active")));
    assert_eq!(r.body["traits"], identity["traits"]);
    assert_eq!(r.body["create_time"], identity["create_time"]);
    for (patch, field) in [
        (json!({"identity": {"status": "deleted"}}), "identity.status"),
        (json!({"identity": {"traits": {"username": "mallory"}}}), "identity.traits.username"),
        (json!({"identity": {"traits": {"primary_email_address": "x"}}}), "identity.traits.primary_email_address"),
    ] {
        let r = s.admin(Method::PATCH, &path, Some(patch.clone())).await;
        assert_eq!((r.status, r.error().details[0].field.as_deref()), (400, Some(field)), "{patch}");
    }

    // The seed's RETURN request, byte for byte.
    let jobs = format!("{}/identities/{identity_id}/credential-binding-jobs", s.realm_path());
    let seed = format!("{{\"job\":{{\"delivery_method\":\"RETURN\",\"authenticator_config_id\":\"{}\"}}}}", s.dev.authenticator_config_id);
    let r = s.send(Method::POST, &s.url(&jobs), Some(&s.dev.api_token), Some(seed.into_bytes())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(keys(&r.body), ["credential_binding_job", "credential_binding_link"]);
    let job = &r.body["credential_binding_job"];
    assert_eq!(
        keys(job),
        [
            "authenticator_config_id",
            "create_time",
            "delivery_method",
            "expire_time",
            "id",
            "identity_id",
            "realm_id",
            "state",
            "tenant_id",
            "update_time"
        ]
    );
    assert!(is_hex16(&job["id"]));
    assert_eq!(job["state"], "LINK_SENT");
    assert!(is_seed_time(&job["expire_time"]) && is_seed_time(&job["create_time"]));
    let link = passbind_protocol::BindingLink::parse(r.body["credential_binding_link"].as_str().unwrap()).unwrap();
    assert_eq!(link.identity_id, identity_id);
    assert!(r.body["credential_binding_link"].as_str().unwrap().starts_with(&format!("{}/v1/tenants/", s.server.public_url)));
    // Seven days, as the seeds show.
    let day = |t: &Value| t.as_str().unwrap()[8..10].parse::<u32>().unwrap();
    assert!(day(&job["expire_time"]) != day(&job["create_time"]));

    let got = s.admin(Method::GET, &link.job_path(), None).await;
    assert_eq!(&got.body, job);
    let listed = s.admin(Method::GET, &jobs, None).await;
    assert_eq!(listed.body["total_size"], 1);

    // The seed's EMAIL request, byte for byte: the job only, no link (it went by email).
    let seed = format!("{{\"job\":{{\"delivery_method\":\"EMAIL\",\"authenticator_config_id\":\"{}\"}}}}", s.dev.authenticator_config_id);
    let email = s.send(Method::POST, &s.url(&jobs), Some(&s.dev.api_token), Some(seed.into_bytes())).await;
    assert_eq!(email.status, 200, "{}", email.body);
    assert_eq!(keys(&email.body), ["credential_binding_job"]);
    assert_eq!(keys(&email.body["credential_binding_job"]), keys(job));
    assert_eq!(
        (email.body["credential_binding_job"]["delivery_method"].as_str(), email.body["credential_binding_job"]["state"].as_str()),
        (Some("EMAIL"), Some("LINK_SENT"))
    );
    let unknown =
        s.admin(Method::POST, &jobs, Some(json!({"job": {"delivery_method": "RETURN", "authenticator_config_id": "nope"}}))).await;
    assert_eq!(unknown.error().details[0].field.as_deref(), Some("job.authenticator_config_id"));
    let method = s
        .admin(
            Method::POST,
            &jobs,
            Some(json!({"job": {"delivery_method": "SMS", "authenticator_config_id": s.dev.authenticator_config_id}})),
        )
        .await;
    assert_eq!(method.error().details[0].field.as_deref(), Some("job.delivery_method"));
    let missing = s.admin(Method::POST, &jobs, Some(json!({"job": {"delivery_method": "RETURN"}}))).await;
    assert_eq!(missing.error().details[0].field.as_deref(), Some("job.authenticator_config_id"));
    let nobody = s.admin(Method::GET, &format!("{}/identities/0000000000000000/credentials", s.realm_path()), None).await;
    assert_eq!(nobody.status, 404);
}

// ---- the binary ----

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `passbind-server` and reads its one stdout line for the URL.
fn spawn_binary(dir: &std::path::Path, dev: bool) -> (Child, String) {
    use std::io::BufRead;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_passbind-server"));
    cmd.args(["--listen", "localhost:0"])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.join("data/passbind.db").display()))
        .arg("--www-dir")
        .arg(dir.join("www"))
        .arg("--sdk-dir")
        .arg(dir.join("pkg"))
        .env_remove("PASSBIND_PUBLIC_URL")
        .env_remove("PASSBIND_DEV")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    if dev {
        cmd.arg("--dev");
    }
    let mut child = cmd.spawn().expect("the binary starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("passbind-server listening on ").unwrap_or_else(|| panic!("unexpected line {line:?}")).to_owned();
    (Child(child), url)
}

#[tokio::test]
async fn the_binary_prints_its_url_serves_files_and_keeps_dev_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("www")).unwrap();
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    std::fs::write(dir.path().join("www/index.html"), "<!doctype html><title>passbind</title>").unwrap();
    std::fs::write(dir.path().join("pkg/passbind_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let http = reqwest::Client::new();

    let (child, url) = spawn_binary(dir.path(), true);
    assert!(url.starts_with("http://localhost:"), "{url}");
    let first: Value = http.get(format!("{url}/dev/bootstrap")).send().await.unwrap().json().await.unwrap();
    assert_eq!(keys(&first), ["api_base", "api_token", "authenticator_config_id", "realm_id", "tenant_id"]);
    assert_eq!(first["api_base"], url.as_str());
    let index = http.get(format!("{url}/")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(index.text().await.unwrap().contains("<title>passbind</title>"));
    let wasm = http.get(format!("{url}/sdk/passbind_bg.wasm")).send().await.unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    // The printed token works on the admin API.
    let configs = http
        .get(format!(
            "{url}/v1/tenants/{}/realms/{}/authenticator-configs",
            first["tenant_id"].as_str().unwrap(),
            first["realm_id"].as_str().unwrap()
        ))
        .bearer_auth(first["api_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(configs.status(), 200);
    drop(child);

    // A restart keeps the same fixtures (created once, stored in the database).
    let (child, url2) = spawn_binary(dir.path(), true);
    let second: Value = http.get(format!("{url2}/dev/bootstrap")).send().await.unwrap().json().await.unwrap();
    for k in ["tenant_id", "realm_id", "authenticator_config_id", "api_token"] {
        assert_eq!(first[k], second[k], "{k}");
    }
    drop(child);

    // Without --dev there is no bootstrap.
    let (_child, url3) = spawn_binary(dir.path(), false);
    let r = http.get(format!("{url3}/dev/bootstrap")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

crate::on_both_databases!(
    tokens_are_required_and_scoped_to_their_tenant,
    bad_bodies_are_400_json_naming_the_field,
    authenticator_configs_match_the_seeds,
    identities_and_jobs_match_the_seeds,
);
